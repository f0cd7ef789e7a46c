package live

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/store"
)

// fixture is a real store with one event, and the changes it committed.
type fixture struct {
	store   *store.Store
	eventID string
	mu      sync.Mutex
	commits []commit
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "tribune.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: st}
	st.OnCommit(func(a *agenda.Agenda, c agenda.Change) {
		f.mu.Lock()
		f.commits = append(f.commits, commit{after: a, change: c})
		f.mu.Unlock()
	})
	u, err := st.CreateUser(ctx, "o@example.org", "x", false)
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.CreateEvent(ctx, u.ID, agenda.EventFields{
		Slug: "act", Title: "Act", StartsAt: time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC), Timezone: "UTC",
		Status: agenda.StatusPublished,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.eventID = a.Event.ID
	return f
}

// change commits one change (a stage renamed) and returns it, unpublished.
func (f *fixture) change(t testing.TB, name string) commit {
	t.Helper()
	_, _, err := f.store.Change(context.Background(), f.eventID, "test", "stage", func(a *agenda.Agenda) error {
		if len(a.Stages) == 0 {
			return a.AddStage(store.NewID(), agenda.StageFields{Name: name}, nil)
		}
		return a.UpdateStage(a.Stages[0].ID, agenda.StageFields{Name: name})
	})
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.commits[len(f.commits)-1]
}

func newTestHub(f *fixture, opts Options) *Hub {
	return NewHub(f.store, opts, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
}

// versions collects the versions queued to s within d.
func versions(s *Subscriber, n int, d time.Duration) []int64 {
	var out []int64
	timeout := time.After(d)
	for len(out) < n {
		select {
		case fr := <-s.queue:
			out = append(out, fr.version)
		case <-timeout:
			return out
		}
	}
	return out
}

func TestOutOfOrderCommitsLeaveInOrder(t *testing.T) {
	f := newFixture(t)
	h := newTestHub(f, DefaultOptions)
	s, err := h.Subscribe(context.Background(), f.eventID, Public, "", -1)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c2, c3 := f.change(t, "a"), f.change(t, "b")
	h.Publish(c3.after, c3.change)
	h.Publish(c2.after, c2.change)
	h.Publish(c2.after, c2.change) // a duplicate is ignored
	if got := versions(s, 3, 500*time.Millisecond); len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Fatalf("versions %v, want [2 3]", got)
	}
}

func TestMissingVersionIsReadFromTheChangeLog(t *testing.T) {
	f := newFixture(t)
	h := newTestHub(f, Options{Window: 8, MaxReplay: 100, QueueSize: 16, GapWait: 20 * time.Millisecond})
	s, err := h.Subscribe(context.Background(), f.eventID, Public, "", -1)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f.change(t, "lost") // v2 is committed but its publish never comes (another instance's, say)
	c3 := f.change(t, "b")
	h.Publish(c3.after, c3.change)
	if got := versions(s, 2, 2*time.Second); len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Fatalf("versions %v, want [2 3]", got)
	}
}

func TestFullQueueDropsTheSubscriberOnly(t *testing.T) {
	f := newFixture(t)
	h := newTestHub(f, Options{Window: 8, MaxReplay: 100, QueueSize: 2, GapWait: time.Second})
	ctx := context.Background()
	slow, err := h.Subscribe(ctx, f.eventID, Public, "", -1)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := h.Subscribe(ctx, f.eventID, Public, "", -1)
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()
	var got []int64
	for i := range 4 {
		c := f.change(t, string(rune('a'+i)))
		h.Publish(c.after, c.change)
		got = append(got, versions(fast, 1, time.Second)...)
	}
	select {
	case <-slow.done:
	default:
		t.Fatal("the slow subscriber was not dropped")
	}
	if slow.closeCode != CloseTooSlow || len(got) != 4 {
		t.Fatalf("close code %d, fast got %v", slow.closeCode, got)
	}
	slow.Close()
	if n := h.Subscribers(f.eventID); n != 1 {
		t.Fatalf("%d subscribers left, want 1", n)
	}
}

func TestSubscribeResumes(t *testing.T) {
	f := newFixture(t)
	h := newTestHub(f, Options{Window: 2, MaxReplay: 3, QueueSize: 16, GapWait: time.Second})
	ctx := context.Background()
	first, err := h.Subscribe(ctx, f.eventID, Public, "", -1)
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	for i := range 4 {
		c := f.change(t, string(rune('a'+i)))
		h.Publish(c.after, c.change)
	}
	// At version 5: window holds 4 and 5; since=3 comes from the window,
	// since=2 from the change log, since=1 is too old (a snapshot).
	for _, c := range []struct {
		since    int64
		messages int
		last     int64
	}{{5, 0, 5}, {3, 2, 5}, {2, 3, 5}, {1, 1, 5}, {-1, 1, 5}, {9, 1, 5}} {
		s, err := h.Subscribe(ctx, f.eventID, Public, "", c.since)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.initial) != c.messages || s.last != c.last {
			t.Errorf("since %d: %d first messages up to %d, want %d up to %d", c.since, len(s.initial), s.last, c.messages, c.last)
		}
		s.Close()
	}
}
