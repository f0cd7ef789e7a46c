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

func TestWebhookCursorLeaseAndLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, a := newEvent(t, s)
		w, err := s.CreateWebhook(ctx, store.Webhook{ID: store.NewID(), EventID: a.Event.ID, URL: "https://example.org/h", Secret: "s3cret-s3cret-s3cret", CreatedBy: "o@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		if w.DeliveredVersion != a.Event.Version {
			t.Fatalf("a new webhook starts at %d, want the event's version %d", w.DeliveredVersion, a.Event.Version)
		}
		if due, _ := s.DueWebhooks(ctx, "me"); len(due) != 0 {
			t.Fatalf("due before any change: %+v", due)
		}
		if _, _, err := s.Change(ctx, a.Event.ID, "o", "stage.create", func(a *agenda.Agenda) error {
			return a.AddStage(store.NewID(), agenda.StageFields{Name: "Main"}, nil)
		}); err != nil {
			t.Fatal(err)
		}
		due, err := s.DueWebhooks(ctx, "me")
		if err != nil || len(due) != 1 || due[0].EventVersion != a.Event.Version+1 || due[0].Secret == "" {
			t.Fatalf("due: %+v %v", due, err)
		}

		// One owner at a time; a released lease is free at once.
		if ok, err := s.LeaseWebhook(ctx, w.ID, "me", time.Now().Add(time.Minute)); !ok || err != nil {
			t.Fatalf("lease: %v %v", ok, err)
		}
		if ok, _ := s.LeaseWebhook(ctx, w.ID, "other", time.Now().Add(time.Minute)); ok {
			t.Fatal("a leased webhook was leased again")
		}
		if due, _ := s.DueWebhooks(ctx, "other"); len(due) != 0 {
			t.Fatal("another owner sees a leased webhook as due")
		}
		if err := s.ReleaseWebhook(ctx, w.ID, "me"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.LeaseWebhook(ctx, w.ID, "other", time.Now().Add(time.Minute)); !ok {
			t.Fatal("a released webhook could not be leased")
		}

		// The cursor only moves forward.
		if err := s.WebhookDelivered(ctx, w.ID, a.Event.Version+1); err != nil {
			t.Fatal(err)
		}
		if err := s.WebhookDelivered(ctx, w.ID, 1); err != nil {
			t.Fatal(err)
		}
		got, err := s.Webhook(ctx, a.Event.ID, w.ID)
		if err != nil || got.DeliveredVersion != a.Event.Version+1 {
			t.Fatalf("cursor %+v %v", got, err)
		}

		// The log keeps the latest 200 attempts, newest first.
		for i := range 205 {
			if err := s.LogDelivery(ctx, store.WebhookDelivery{WebhookID: w.ID, Version: int64(i), Attempt: 1, At: time.Now(), StatusCode: 200}); err != nil {
				t.Fatal(err)
			}
		}
		log, err := s.WebhookDeliveries(ctx, w.ID, 1000)
		if err != nil || len(log) != 200 || log[0].Version != 204 || log[199].Version != 5 {
			t.Fatalf("log: %d entries, %v", len(log), err)
		}

		if err := s.DeleteWebhook(ctx, a.Event.ID, w.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteWebhook(ctx, a.Event.ID, w.ID); !errors.Is(err, agenda.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		if log, _ := s.WebhookDeliveries(ctx, w.ID, 10); len(log) != 0 {
			t.Fatal("the log outlived its webhook")
		}
	})
}

func TestCalendarStampsNeverGoDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, a := newEvent(t, s)
		at := time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)
		save := func(seq int64, fp string) {
			t.Helper()
			if err := s.SaveCalendarStamps(ctx, a.Event.ID, []store.CalendarStamp{{UID: "slot@host", Fingerprint: fp, Sequence: seq, ModifiedAt: at}}); err != nil {
				t.Fatal(err)
			}
		}
		save(5, "a")
		save(7, "b")
		save(6, "c") // an export of an older version, finishing late
		got, err := s.CalendarStamps(ctx, a.Event.ID)
		if err != nil || got["slot@host"].Sequence != 7 || got["slot@host"].Fingerprint != "b" || !got["slot@host"].ModifiedAt.Equal(at) {
			t.Fatalf("stamps %+v %v", got, err)
		}
		when, err := s.ChangeTime(ctx, a.Event.ID, a.Event.Version)
		if err != nil || when.IsZero() {
			t.Fatalf("change time %v %v", when, err)
		}
	})
}
