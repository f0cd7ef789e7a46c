package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/store"
	"github.com/tribune-act/tribune/pkg/store/storetest"
)

// BenchmarkChange is one organizer edit (a slot's new title) committed on a
// SQLite file: loading the agenda, the edit, the deltas, the rows and the
// change log, as a PATCH does it without HTTP and without the hub.
func BenchmarkChange(b *testing.B) {
	for _, n := range []int{60, 1000} {
		b.Run(fmt.Sprintf("slots=%d", n), func(b *testing.B) {
			ctx := context.Background()
			s := storetest.Open(b, filepath.Join(b.TempDir(), "bench.db"))
			u, a := newEvent(b, s)
			id := a.Event.ID
			slots := make([]string, n)
			if _, _, err := s.Change(ctx, id, u.Email, "build", func(a *agenda.Agenda) error {
				stage := store.NewID()
				if err := a.AddStage(stage, agenda.StageFields{Name: "Main"}, nil); err != nil {
					return err
				}
				for i := range slots {
					slots[i] = store.NewID()
					if err := a.AddSlot(slots[i], stage, nil, agenda.SlotFields{
						Kind: agenda.KindSpeech, Title: fmt.Sprintf("Speech %d", i), DurationSeconds: 300,
					}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				slot := slots[n/2]
				if _, c, err := s.Change(ctx, id, u.Email, "slot.update", func(a *agenda.Agenda) error {
					return a.UpdateSlot(slot, agenda.SlotFields{Kind: agenda.KindSpeech, Title: fmt.Sprintf("Title %d", i), DurationSeconds: 300})
				}); err != nil || c == nil {
					b.Fatal(c, err)
				}
			}
		})
	}
}
