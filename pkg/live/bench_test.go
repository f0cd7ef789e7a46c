package live

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// BenchmarkBroadcast measures one change reaching N in-process subscribers:
// encoding once per view, queueing to each, and every subscriber receiving it.
func BenchmarkBroadcast(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			f := newFixture(b)
			h := newTestHub(f, Options{Window: 64, MaxReplay: 100, QueueSize: 64, GapWait: DefaultOptions.GapWait})
			ctx := context.Background()
			var wg, received sync.WaitGroup
			subs := make([]*Subscriber, n)
			for i := range subs {
				s, err := h.Subscribe(ctx, f.eventID, Public, "", -1)
				if err != nil {
					b.Fatal(err)
				}
				subs[i] = s
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-s.queue:
							received.Done()
						case <-s.done:
							return
						}
					}
				}()
			}
			c := f.change(b, "Main stage")
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				ch := c.change
				ch.Version = c.change.Version + int64(i)
				received.Add(n)
				h.Publish(c.after, ch)
				received.Wait()
			}
			b.StopTimer()
			for _, s := range subs {
				if s.dropped.Load() {
					b.Fatal("a drained subscriber was dropped")
				}
				s.Close()
			}
			wg.Wait()
		})
	}
}
