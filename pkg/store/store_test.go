package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/store"
	"github.com/tribune-act/tribune/pkg/store/storetest"
)

func eventFields(slug string) agenda.EventFields {
	return agenda.EventFields{
		Slug: slug, Title: "Peace now", StartsAt: time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC),
		Timezone: "Europe/Berlin", Status: agenda.StatusDraft, WakingHours: agenda.DefaultWakingHours,
	}
}

func TestChangeBumpsVersionOncePerCommit(t *testing.T) {
	storetest.Each(t, testChangeBumpsVersionOncePerCommit)
}

func testChangeBumpsVersionOncePerCommit(t *testing.T, s *store.Store) {
	ctx := context.Background()
	u, err := s.CreateUser(ctx, "Owner@Example.org", "x", false)
	if err != nil {
		t.Fatal(err)
	}
	var published []int64
	s.OnCommit(func(a *agenda.Agenda, c agenda.Change) { published = append(published, c.Version) })
	a, err := s.CreateEvent(ctx, u.ID, eventFields("act"))
	if err != nil {
		t.Fatal(err)
	}
	id := a.Event.ID
	stage := store.NewID()
	if _, _, err := s.Change(ctx, id, u.Email, "stage.create", func(a *agenda.Agenda) error {
		return a.AddStage(stage, agenda.StageFields{Name: "Main"}, nil)
	}); err != nil {
		t.Fatal(err)
	}
	slot := store.NewID()
	speaker := store.NewID()
	after, c, err := s.Change(ctx, id, u.Email, "slot.create", func(a *agenda.Agenda) error {
		if err := a.AddSpeaker(speaker, agenda.SpeakerFields{Name: "Олена Коваль", Country: "UA", ContactEmail: "olena@example.org"}); err != nil {
			return err
		}
		if err := a.AddSlot(slot, stage, nil, agenda.SlotFields{Kind: agenda.KindSpeech, Title: "Opening", DurationSeconds: 300}); err != nil {
			return err
		}
		return a.SetSlotSpeakers(slot, []agenda.SpeakerAssignment{{SpeakerID: speaker}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 3 || after.Event.Version != 3 {
		t.Fatalf("version = %d/%d, want 3", c.Version, after.Event.Version)
	}
	if len(c.Public.Upsert["slots"]) != 1 || len(c.Public.Upsert["speakers"]) != 0 {
		t.Fatalf("public delta = %+v; an invited speaker must not be public", c.Public)
	}
	// A no-op commits nothing.
	_, c, err = s.Change(ctx, id, u.Email, "noop", func(a *agenda.Agenda) error { return nil })
	if err != nil || c != nil {
		t.Fatalf("noop: change=%v err=%v", c, err)
	}
	// A failed edit commits nothing.
	_, _, err = s.Change(ctx, id, u.Email, "bad", func(a *agenda.Agenda) error {
		_ = a.AddStage(store.NewID(), agenda.StageFields{Name: "Second"}, nil)
		return a.AddSlot(store.NewID(), "missing", nil, agenda.SlotFields{Kind: agenda.KindSpeech, Title: "x", DurationSeconds: 1})
	})
	var ve *agenda.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want validation error", err)
	}
	got, err := s.Agenda(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Event.Version != 3 || len(got.Stages) != 1 {
		t.Fatalf("after failure: version %d, %d stages", got.Event.Version, len(got.Stages))
	}
	if got.Slots[0].Speakers[0].Status != agenda.Invited || got.Slots[0].Revision != 3 {
		t.Fatalf("slot = %+v", got.Slots[0])
	}
	changes, err := s.Changes(ctx, id, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 3 || changes[2].Version != 3 {
		t.Fatalf("changes = %d", len(changes))
	}
	if len(published) != 3 {
		t.Fatalf("published %v", published)
	}
	// Delete the speaker: they leave the slot too.
	if _, _, err := s.Change(ctx, id, u.Email, "speaker.delete", func(a *agenda.Agenda) error { return a.DeleteSpeaker(speaker) }); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Agenda(ctx, id)
	if len(got.Speakers) != 0 || len(got.Slots[0].Speakers) != 0 {
		t.Fatalf("speaker not removed: %+v", got.Slots[0])
	}
}

// Two stores on one database (two instances): each keeps the agendas it
// committed in memory, and neither may edit or serve a version the other has
// since replaced.
func TestCachedAgendaNeverHidesAnotherInstancesChange(t *testing.T) {
	storetest.EachPair(t, func(t *testing.T, one, two *store.Store) {
		ctx := context.Background()
		u, a := newEvent(t, one)
		id := a.Event.ID
		rename := func(s *store.Store, title string) *agenda.Agenda {
			t.Helper()
			after, c, err := s.Change(ctx, id, u.Email, "event.update", func(a *agenda.Agenda) error {
				f := a.Event.EventFields
				f.Title = title
				return a.UpdateEvent(f)
			})
			if err != nil || c == nil {
				t.Fatal(c, err)
			}
			return after
		}
		rename(one, "One")                // one caches version 2
		rename(two, "Two")                // two loads version 2, commits 3
		after := rename(one, "One again") // one must load 3, not edit its 2
		if after.Event.Version != 4 {
			t.Fatalf("version %d, want 4", after.Event.Version)
		}
		for _, s := range []*store.Store{one, two} {
			got, err := s.Agenda(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Event.Version != 4 || got.Event.Title != "One again" {
				t.Fatalf("agenda at version %d titled %q, want 4 and %q", got.Event.Version, got.Event.Title, "One again")
			}
		}
		changes, err := two.Changes(ctx, id, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(changes); n != 4 {
			t.Fatalf("%d changes logged, want 4", n)
		}
	})
}
