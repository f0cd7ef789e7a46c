package live

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/store"
	"github.com/tribune-act/tribune/pkg/store/storetest"
)

// TestPostgresBusCarriesChangesBetweenInstances: changes committed by one
// instance reach another instance's subscribers in order, even when the
// listening connection is killed in between (pg_terminate_backend).
func TestPostgresBusCarriesChangesBetweenInstances(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	one, two := storetest.Open(t, dsn), storetest.Open(t, dsn)

	u, err := one.CreateUser(ctx, "o@example.org", "x", false)
	if err != nil {
		t.Fatal(err)
	}
	a, err := one.CreateEvent(ctx, u.ID, agenda.EventFields{Slug: "act", Title: "Act", StartsAt: time.Now(), Timezone: "UTC", Status: agenda.StatusPublished})
	if err != nil {
		t.Fatal(err)
	}
	// Instance two: a hub and a bus; its subscriber is what we watch.
	hub := NewHub(two, Options{Window: 64, MaxReplay: 1000, QueueSize: 1000, GapWait: 50 * time.Millisecond}, log, nil)
	pids := make(chan uint32, 4)
	bus := &PostgresBus{DSN: dsn, Channel: store.NotifyChannel, Hub: hub, Log: log, Listening: func(pid uint32) { pids <- pid }}
	sub, err := hub.Subscribe(ctx, a.Event.ID, Public, "", -1)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	go bus.Run(ctx)
	pid := <-pids

	change := func(name string) {
		t.Helper()
		if _, _, err := one.Change(ctx, a.Event.ID, "one", "stage", func(a *agenda.Agenda) error {
			return a.AddStage(store.NewID(), agenda.StageFields{Name: name}, nil)
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		change(string(rune('a' + i)))
	}
	if got := versions(sub, 5, 5*time.Second); len(got) != 5 || got[0] != 2 || got[4] != 6 {
		t.Fatalf("through NOTIFY: versions %v, want 2..6", got)
	}

	// Kill the listener, commit while it is gone, and see everything arrive.
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		change(string(rune('f' + i)))
	}
	select {
	case <-pids:
	case <-time.After(10 * time.Second):
		t.Fatal("the listener did not reconnect")
	}
	got := versions(sub, 5, 5*time.Second)
	if len(got) != 5 {
		t.Fatalf("after the listener was killed: versions %v, want 7..11", got)
	}
	for i, v := range got {
		if v != int64(7+i) {
			t.Fatalf("after the listener was killed: versions %v, want 7..11", got)
		}
	}
}
