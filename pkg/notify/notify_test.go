package notify_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/auth"
	"github.com/tribune-act/tribune/pkg/mail/mailtest"
	"github.com/tribune-act/tribune/pkg/notify"
	"github.com/tribune-act/tribune/pkg/store"
)

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestRemindersFireOnceAcrossARestart: an unanswered invitation and an upcoming
// slot each bring exactly one e-mail, in the speaker's language and timezone,
// even when the server restarts in between; declined, unreachable and removed
// slots bring none.
func TestRemindersFireOnceAcrossARestart(t *testing.T) {
	ctx := context.Background()
	in := mailtest.Start(t)
	sender := in.Sender(t)
	keys, _ := auth.NewSpeakerKeys([]byte("a test secret of at least 32 bytes!"))
	policy := agenda.ReminderPolicy{UnansweredAfter: 24 * time.Hour, UpcomingBefore: 2 * time.Hour}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	path := filepath.Join(t.TempDir(), "tribune.db")
	st := openStore(t, path)

	now0 := time.Now().UTC().Truncate(time.Minute)
	start := now0.Add(72 * time.Hour)
	u, _ := st.CreateUser(ctx, "o@example.org", "x", false)
	a, err := st.CreateEvent(ctx, u.ID, agenda.EventFields{
		Slug: "act", Title: "Peace now", StartsAt: start, Timezone: "Europe/Berlin", Status: agenda.StatusPublished,
	})
	if err != nil {
		t.Fatal(err)
	}
	id := a.Event.ID
	stage, slot1, slot2, slot3 := store.NewID(), store.NewID(), store.NewID(), store.NewID()
	ana, ben, cleo, dan := store.NewID(), store.NewID(), store.NewID(), store.NewID()
	_, _, err = st.Change(ctx, id, "test", "setup", func(a *agenda.Agenda) error {
		for _, sp := range []struct {
			id string
			f  agenda.SpeakerFields
		}{
			{ana, agenda.SpeakerFields{Name: "Ana Ruiz", ContactEmail: "ana@example.org", Languages: []string{"es"}, Timezone: "America/Mexico_City"}},
			{ben, agenda.SpeakerFields{Name: "Ben Okafor", ContactEmail: "ben@example.org", Languages: []string{"en"}, Timezone: "Africa/Lagos"}},
			{cleo, agenda.SpeakerFields{Name: "Cleo", ContactEmail: "cleo@example.org"}},
			{dan, agenda.SpeakerFields{Name: "Dan, no address"}},
		} {
			if err := a.AddSpeaker(sp.id, sp.f); err != nil {
				return err
			}
		}
		if err := a.AddStage(stage, agenda.StageFields{Name: "Main"}, nil); err != nil {
			return err
		}
		for _, s := range []string{slot1, slot2, slot3} {
			if err := a.AddSlot(s, stage, nil, agenda.SlotFields{Kind: agenda.KindSpeech, Title: "Speech " + s[len(s)-4:], DurationSeconds: 600}); err != nil {
				return err
			}
		}
		if err := a.SetSlotSpeakers(slot1, []agenda.SpeakerAssignment{{SpeakerID: ana}, {SpeakerID: cleo}, {SpeakerID: dan}}); err != nil {
			return err
		}
		if err := a.SetSlotSpeakers(slot2, []agenda.SpeakerAssignment{{SpeakerID: ben}}); err != nil {
			return err
		}
		if err := a.SetSlotSpeakers(slot3, []agenda.SpeakerAssignment{{SpeakerID: ben}}); err != nil {
			return err
		}
		if err := a.Answer(slot1, cleo, agenda.Declined, "no"); err != nil {
			return err
		}
		if err := a.Answer(slot2, ben, agenda.Confirmed, ""); err != nil {
			return err
		}
		return a.Answer(slot3, ben, agenda.Confirmed, "")
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range []string{ana, ben, cleo, dan} {
		linkID := store.NewID()
		if _, err := st.IssueSpeakerToken(ctx, store.SpeakerToken{ID: linkID, EventID: id, SpeakerID: sp, TokenHash: auth.HashToken(keys.Token(linkID))}); err != nil {
			t.Fatal(err)
		}
	}
	// Ben's second slot is removed before it comes up.
	if _, _, err := st.Change(ctx, id, "test", "remove", func(a *agenda.Agenda) error { return a.DeleteSlot(slot3) }); err != nil {
		t.Fatal(err)
	}

	n := notify.New(st, sender, keys, "https://act.example.org", policy, log)
	tick := func(n *notify.Notifier, at time.Time, want int) {
		t.Helper()
		sent, err := n.Tick(ctx, at)
		if err != nil || sent != want {
			t.Fatalf("tick at %v: sent %d (%v), want %d", at.Sub(now0), sent, err, want)
		}
	}
	tick(n, now0.Add(time.Hour), 0)    // too early for anything
	tick(n, now0.Add(25*time.Hour), 1) // Ana has not answered for a day
	tick(n, now0.Add(25*time.Hour+time.Minute), 0)

	// Restart: a new store and notifier on the same database.
	st.Close()
	st = openStore(t, path)
	defer st.Close()
	n = notify.New(st, sender, keys, "https://act.example.org", policy, log)
	tick(n, now0.Add(26*time.Hour), 0)
	slot2Start := start.Add(10 * time.Minute)   // the second slot on the stage
	tick(n, slot2Start.Add(-90*time.Minute), 1) // Ben's slot is 90 minutes away
	tick(n, slot2Start.Add(-30*time.Minute), 0)

	got := in.Received()
	if len(got) != 2 {
		t.Fatalf("%d e-mails, want 2", len(got))
	}
	if got[0].To[0] != "ana@example.org" || !strings.Contains(got[0].Data, "https://act.example.org/s/spk_") {
		t.Errorf("first e-mail to %v:\n%s", got[0].To, got[0].Data)
	}
	if got[1].To[0] != "ben@example.org" {
		t.Errorf("second e-mail to %v", got[1].To)
	}
	// Ana's is in Spanish with her own clock: 72 h after now0, Mexico City time.
	localStart := start.In(mustLoad(t, "America/Mexico_City")).Format("15:04")
	if !strings.Contains(got[0].Data, "Content-Language: es") || !strings.Contains(got[0].Data, localStart) {
		t.Errorf("Ana's e-mail lacks her language or her local time %s:\n%s", localStart, got[0].Data)
	}
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestInviteSendsTheLink(t *testing.T) {
	ctx := context.Background()
	in := mailtest.Start(t)
	sender := in.Sender(t)
	keys, _ := auth.NewSpeakerKeys([]byte("a test secret of at least 32 bytes!"))
	st := openStore(t, filepath.Join(t.TempDir(), "tribune.db"))
	defer st.Close()
	u, _ := st.CreateUser(ctx, "o@example.org", "x", false)
	a, err := st.CreateEvent(ctx, u.ID, agenda.EventFields{Slug: "act", Title: "Act", StartsAt: time.Now().Add(time.Hour), Timezone: "UTC", Status: agenda.StatusDraft})
	if err != nil {
		t.Fatal(err)
	}
	sp := store.NewID()
	a, _, err = st.Change(ctx, a.Event.ID, "t", "s", func(a *agenda.Agenda) error {
		return a.AddSpeaker(sp, agenda.SpeakerFields{Name: "Олена", ContactEmail: "olena@example.org", Languages: []string{"uk"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	n := notify.New(st, sender, keys, "https://act.example.org", agenda.ReminderPolicy{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := n.Invite(ctx, a, sp, "https://act.example.org/s/spk_test"); err != nil {
		t.Fatal(err)
	}
	got := in.Received()
	if len(got) != 1 || got[0].To[0] != "olena@example.org" || !strings.Contains(got[0].Data, "https://act.example.org/s/spk_test") ||
		!strings.Contains(got[0].Data, "Content-Language: uk") {
		t.Fatalf("invitation: %+v", got)
	}
}
