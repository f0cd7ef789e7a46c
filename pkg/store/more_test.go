package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/store"
	"github.com/tribune-act/tribune/pkg/store/storetest"
)

// newEvent creates an owner and a draft event, as most store tests start.
func newEvent(t testing.TB, s *store.Store) (store.User, *agenda.Agenda) {
	t.Helper()
	ctx := context.Background()
	u, err := s.CreateUser(ctx, "o@example.org", "x", false)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.CreateEvent(ctx, u.ID, eventFields("act"))
	if err != nil {
		t.Fatal(err)
	}
	return u, a
}

// TestConcurrentChangesGetConsecutiveVersions: writers racing on one event each
// get one version; none is lost or repeated, and the log has one row per version.
func TestConcurrentChangesGetConsecutiveVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, a := newEvent(t, s)
		const writers, each = 5, 8 // 40 stages: under the limit of 50
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					_, _, err := s.Change(ctx, a.Event.ID, "w", "stage", func(a *agenda.Agenda) error {
						return a.AddStage(store.NewID(), agenda.StageFields{Name: fmt.Sprintf("w%d-%d", w, i)}, nil)
					})
					if err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		changes, err := s.Changes(ctx, a.Event.ID, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) != writers*each+1 {
			t.Fatalf("%d changes, want %d", len(changes), writers*each+1)
		}
		for i, c := range changes {
			if c.Version != int64(i+1) {
				t.Fatalf("change %d has version %d", i, c.Version)
			}
		}
		got, _ := s.Agenda(ctx, a.Event.ID)
		if got.Event.Version != writers*each+1 || len(got.Stages) != writers*each {
			t.Fatalf("version %d, %d stages", got.Event.Version, len(got.Stages))
		}
	})
}

// TestStaleEditAcrossInstances: two stores on one database (two instances) —
// an edit based on a revision the other instance has moved past is refused.
func TestStaleEditAcrossInstances(t *testing.T) {
	storetest.EachPair(t, func(t *testing.T, one, two *store.Store) {
		ctx := context.Background()
		_, a := newEvent(t, one)
		seen, err := two.Agenda(ctx, a.Event.ID)
		if err != nil {
			t.Fatal(err)
		}
		rev := seen.Event.Revision
		edit := func(title string) store.Edit {
			return func(a *agenda.Agenda) error {
				if err := agenda.CheckRevision(a.Event.Revision, &rev); err != nil {
					return err
				}
				f := a.Event.EventFields
				f.Title = title
				return a.UpdateEvent(f)
			}
		}
		if _, _, err := one.Change(ctx, a.Event.ID, "one", "event", edit("First")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := two.Change(ctx, a.Event.ID, "two", "event", edit("Lost")); !errors.Is(err, agenda.ErrStale) {
			t.Fatalf("err = %v, want stale", err)
		}
		got, _ := two.Agenda(ctx, a.Event.ID)
		if got.Event.Title != "First" || got.Event.Version != 2 {
			t.Fatalf("event %q at version %d", got.Event.Title, got.Event.Version)
		}
	})
}

func TestAccountsTokensSessionsAndLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, a := newEvent(t, s)
		if _, err := s.CreateUser(ctx, "O@EXAMPLE.org", "x", false); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate e-mail: %v", err)
		}
		if err := s.CreateAPIToken(ctx, u.ID, "cli", "hash-1"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.UserByTokenHash(ctx, "hash-1"); err != nil || got.ID != u.ID {
			t.Fatalf("token lookup: %v %v", got, err)
		}
		if _, err := s.UserByTokenHash(ctx, "nope"); !errors.Is(err, agenda.ErrNotFound) {
			t.Fatalf("missing token: %v", err)
		}
		// Sessions expire.
		if err := s.CreateSession(ctx, store.Session{TokenHash: "s1", UserID: u.ID, CSRFToken: "c", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSession(ctx, store.Session{TokenHash: "s2", UserID: u.ID, CSRFToken: "c", ExpiresAt: time.Now().Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, got, err := s.SessionUser(ctx, "s1"); err != nil || got.ID != u.ID {
			t.Fatalf("session: %v", err)
		}
		if _, _, err := s.SessionUser(ctx, "s2"); !errors.Is(err, agenda.ErrNotFound) {
			t.Fatalf("expired session: %v", err)
		}
		// Speaker links: a new one replaces the old; deleting the speaker removes it.
		sp := store.NewID()
		if _, _, err := s.Change(ctx, a.Event.ID, "o", "sp", func(a *agenda.Agenda) error {
			return a.AddSpeaker(sp, agenda.SpeakerFields{Name: "Ana"})
		}); err != nil {
			t.Fatal(err)
		}
		for _, h := range []string{"l1", "l2"} {
			if _, err := s.IssueSpeakerToken(ctx, store.SpeakerToken{ID: store.NewID(), EventID: a.Event.ID, SpeakerID: sp, TokenHash: h}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.SpeakerTokenByHash(ctx, "l1"); !errors.Is(err, agenda.ErrNotFound) {
			t.Fatal("the replaced link still works")
		}
		if got, err := s.SpeakerTokenByHash(ctx, "l2"); err != nil || got.SpeakerID != sp {
			t.Fatalf("link: %v", err)
		}
		if _, _, err := s.Change(ctx, a.Event.ID, "o", "del", func(a *agenda.Agenda) error { return a.DeleteSpeaker(sp) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SpeakerTokenByHash(ctx, "l2"); !errors.Is(err, agenda.ErrNotFound) {
			t.Fatal("a deleted speaker's link still works")
		}
		// Migrating again changes nothing.
		v1, err1 := s.Migrate(ctx)
		v2, err2 := s.Migrate(ctx)
		if err1 != nil || err2 != nil || v1 != v2 || v1 < 3 {
			t.Fatalf("migrate again: %d %d %v %v", v1, v2, err1, err2)
		}
		// Times come back in UTC, to the second at least.
		got, _ := s.Agenda(ctx, a.Event.ID)
		if !got.Event.StartsAt.Equal(eventFields("act").StartsAt) || got.Event.StartsAt.Location() != time.UTC {
			t.Fatalf("starts_at %v", got.Event.StartsAt)
		}
	})
}

// TestBackupWhileWriting: a backup taken while changes are being written is a
// working database at a single version: its change log is contiguous and ends
// at its event's version.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := storetest.Open(t, filepath.Join(dir, "live.db"))
	_, a := newEvent(t, s)
	stop := make(chan struct{})
	done := make(chan error)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if _, _, err := s.Change(ctx, a.Event.ID, "w", "stage", func(a *agenda.Agenda) error {
				return a.AddStage(store.NewID(), agenda.StageFields{Name: fmt.Sprint("s", i%40)}, nil)
			}); err != nil && !errors.Is(err, agenda.ErrNotFound) {
				var ve *agenda.ValidationError
				if errors.As(err, &ve) { // the stage limit: delete one and go on
					_, _, err = s.Change(ctx, a.Event.ID, "w", "stage", func(a *agenda.Agenda) error { return a.DeleteStage(a.Stages[0].ID) })
				}
				if err != nil {
					done <- err
					return
				}
			}
		}
	}()
	time.Sleep(100 * time.Millisecond)
	path := filepath.Join(dir, "backup.db")
	if err := s.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	b := storetest.Open(t, path)
	got, err := b.Agenda(ctx, a.Event.ID)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := b.Changes(ctx, a.Event.ID, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range changes {
		if c.Version != int64(i+1) {
			t.Fatalf("backup's change %d has version %d", i, c.Version)
		}
	}
	if len(changes) == 0 || changes[len(changes)-1].Version != got.Event.Version || got.Event.Version < 3 {
		t.Fatalf("backup at version %d with %d changes", got.Event.Version, len(changes))
	}
	live, _ := s.Agenda(ctx, a.Event.ID)
	if live.Event.Version <= got.Event.Version {
		t.Fatalf("writes went on after the backup (live %d, backup %d)?", live.Event.Version, got.Event.Version)
	}
}
