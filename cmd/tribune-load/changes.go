package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// changer makes changes to one event of a server.
type changer interface {
	// change makes change number k and returns the version it committed.
	change(ctx context.Context, k int) (int64, error)
	// version returns the event's current version.
	version(ctx context.Context) (int64, error)
}

// slotTitles changes Tribune through the organizer API: each change is a PATCH
// of one slot's title, as an organizer fixing a typo during the show.
type slotTitles struct {
	api     *apiClient
	eventID string
	slots   []string
	tag     string // sets this run's titles apart from earlier runs'
	seq     atomic.Int64
}

func (s *slotTitles) change(ctx context.Context, k int) (int64, error) {
	i := k % len(s.slots)
	var out struct {
		Revision int64 `json:"revision"`
	}
	// A new title every time: a PATCH that changes nothing commits nothing.
	err := s.api.do(ctx, http.MethodPatch, "/api/v1/events/"+s.eventID+"/slots/"+s.slots[i],
		map[string]string{"title": fmt.Sprintf("Speech %d: no to the war (%s.%d)", i+1, s.tag, s.seq.Add(1))}, &out)
	return out.Revision, err
}

func (s *slotTitles) version(ctx context.Context) (int64, error) {
	var ev struct {
		Version int64 `json:"version"`
	}
	err := s.api.do(ctx, http.MethodGet, "/api/v1/events/"+s.eventID, nil, &ev)
	return ev.Version, err
}

// floorChanges changes the floor: each change is a POST of the same kind of
// delta Tribune sends for a slot's new title (one whole public slot).
type floorChanges struct {
	base   string
	client *http.Client
	tag    string
}

func (f *floorChanges) change(ctx context.Context, k int) (int64, error) {
	i := k % 60
	slot := map[string]any{
		"id": fmt.Sprintf("0198c0de-0000-7000-8000-%012d", i), "stage_id": "0198c0de-0000-7000-8000-000000000999",
		"position": i / 2, "kind": "speech", "title": fmt.Sprintf("Speech %d: no to the war (%s.%d)", i+1, f.tag, k),
		"description":      "Greetings from the movement, a report on the campaign at home, and a call for a ceasefire now.",
		"duration_seconds": 300, "pinned_start": nil, "planned_start": "2026-12-05T17:00:00Z", "planned_end": "2026-12-05T17:05:00Z",
		"language": "en", "interpretation": []map[string]string{{"language": "es", "url": "https://stream.example.org/load/es"}},
		"speakers": []map[string]string{{"speaker_id": "0198c0de-0000-7000-8000-000000000777", "role": "speaker"}},
	}
	var out struct {
		Version int64 `json:"version"`
	}
	err := doJSON(ctx, f.client, http.MethodPost, f.base+"/change", "", map[string]any{"upsert": map[string]any{"slots": []any{slot}}}, &out)
	return out.Version, err
}

func (f *floorChanges) version(ctx context.Context) (int64, error) {
	var out struct {
		Version int64 `json:"version"`
	}
	err := doJSON(ctx, f.client, http.MethodGet, f.base+"/version", "", nil, &out)
	return out.Version, err
}

// phase is one series of changes made at a rate while the audience listens.
type phase struct {
	Name string `json:"name"`
	// Watched is whether the viewers watch the changed event (and receive the changes).
	Watched bool    `json:"watched"`
	Viewers int     `json:"viewers"`
	Changes int     `json:"changes"`
	Rate    float64 `json:"rate_per_second"`
	// Achieved is the rate the requests actually went out at.
	Achieved float64 `json:"achieved_per_second"`
	Errors   int     `json:"errors"`
	// Delivery is from the start of each change's request to each viewer's receipt.
	Delivery latency `json:"delivery_ms"`
	// PerChange is, for each change, the p99 of its delivery to every viewer
	// (from request, then from acknowledgement): the typical change and the worst.
	PerChange    perChange `json:"per_change_p99_ms"`
	PerChangeAck perChange `json:"per_change_p99_from_ack_ms"`
	// DeliveryAck is from each change's acknowledgement (the API's answer) to each
	// viewer's receipt; a receipt before the answer counts as 0.
	DeliveryAck latency `json:"delivery_from_ack_ms"`
	// Request is each change's API call, from its start to its acknowledgement.
	Request latency `json:"request_ms"`
	// Expected receipts (viewers × changes), and those that never came.
	Expected   int64 `json:"expected"`
	Lost       int64 `json:"lost"`
	OutOfOrder int64 `json:"out_of_order"`
	Reconnects int64 `json:"reconnects"`
	SlowDrops  int64 `json:"slow_drops"`
	// Held is how many viewers received every change of the phase.
	Held    int     `json:"held"`
	Seconds float64 `json:"seconds"`
	err     error
}

// perChange summarizes the p99 of each change's delivery over the changes.
type perChange struct {
	Changes int     `json:"changes"`
	Median  float64 `json:"median"`
	Max     float64 `json:"max"`
}

func summarizeChanges(p99s []float64) perChange {
	if len(p99s) == 0 {
		return perChange{}
	}
	slices.Sort(p99s)
	return perChange{Changes: len(p99s), Median: p99s[(len(p99s)-1)/2], Max: p99s[len(p99s)-1]}
}

// latency is a distribution in milliseconds.
type latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func summarize(d []time.Duration) latency {
	if len(d) == 0 {
		return latency{}
	}
	slices.Sort(d)
	at := func(q float64) float64 {
		i := int(q*float64(len(d))+0.999999) - 1 // nearest rank
		return ms(d[clamp(i, 0, len(d)-1)])
	}
	return latency{N: len(d), P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: ms(d[len(d)-1])}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// drive makes n changes at rate a second (open loop: a slow answer does not
// delay the next request, up to 64 in flight), waits until every viewer has
// the last one, and measures the phase. With watched false, the changes go to
// an event the audience does not watch: only the requests are measured.
func drive(ctx context.Context, aud *audience, ch changer, name string, n int, rate float64, watched bool, prog *progress) *phase {
	p := &phase{Name: name, Watched: watched, Viewers: aud.size(), Changes: n, Rate: rate}
	base, err := ch.version(ctx)
	if err != nil {
		p.err = err
		return p
	}
	rows := 0
	if watched {
		aud.waitCaughtUp(base, 15*time.Second)
		rows = aud.size()
	}
	c0 := aud.counters()
	rec := newRecording(base, n, rows)
	aud.rec.Store(rec)
	defer aud.rec.Store(nil)

	sent, acked := make([]atomic.Int64, n), make([]atomic.Int64, n)
	var (
		mu        sync.Mutex
		requests  []time.Duration
		errs      int
		firstErr  error
		done      atomic.Int64
		committed atomic.Int64
		wg        sync.WaitGroup
	)
	committed.Store(base)
	sem := make(chan struct{}, 64)
	start := time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	stop := prog.watch(func() string {
		c := aud.counters()
		behind := 0
		if watched {
			behind = c.Viewers - aud.caughtUp(committed.Load())
		}
		return fmt.Sprintf("%s: changes %d/%d, viewers %d/%d connected, %d behind, received %d, out of order %d, reconnects %d",
			name, done.Load(), n, c.Connected, c.Viewers, behind, c.Received, c.OutOfOrder-c0.OutOfOrder, c.Reconnects-c0.Reconnects)
	})
	defer stop()
	for k := range n {
		if d := time.Until(start.Add(time.Duration(k) * interval)); d > 0 {
			time.Sleep(d)
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			t0 := time.Now()
			v, err := ch.change(ctx, k)
			took := time.Since(t0)
			done.Add(1)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs++
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			requests = append(requests, took)
			if i := v - base - 1; i >= 0 && i < int64(n) {
				sent[i].Store(t0.UnixNano())
				acked[i].Store(t0.Add(took).UnixNano())
			}
			if v > committed.Load() {
				committed.Store(v)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	// The versions this phase committed: a failed request normally committed nothing.
	final := committed.Load()
	if v, err := ch.version(ctx); err == nil {
		final = v
	}
	if watched {
		aud.waitCaughtUp(final, 15*time.Second)
	}
	c1 := aud.counters()
	made := int(min(int64(n), max(final-base, 0)))

	p.Seconds = time.Since(start).Seconds()
	if n > 1 {
		p.Achieved = float64(n-1) / elapsed.Seconds()
	}
	p.Errors, p.err = errs, firstErr
	p.Request = summarize(requests)
	p.OutOfOrder, p.Reconnects, p.SlowDrops = c1.OutOfOrder-c0.OutOfOrder, c1.Reconnects-c0.Reconnects, c1.SlowDrops-c0.SlowDrops
	delivery := make([]time.Duration, 0, rec.rows*made)
	fromAck := make([]time.Duration, 0, rec.rows*made)
	for i := range rec.rows {
		got := 0
		for k := range made {
			at := rec.at[i*n+k].Load()
			if at == 0 {
				continue
			}
			got++
			if s := sent[k].Load(); s != 0 {
				delivery = append(delivery, time.Duration(at-s))
				fromAck = append(fromAck, time.Duration(max(at-acked[k].Load(), 0)))
			}
		}
		if got == made {
			p.Held++
		}
		p.Lost += int64(made - got)
	}
	p.Expected = int64(rec.rows) * int64(made)
	if !watched {
		p.Held = c1.Connected
	}
	p.Delivery, p.DeliveryAck = summarize(delivery), summarize(fromAck)
	var p99s, p99sAck []float64
	for k := range made {
		s, a := sent[k].Load(), acked[k].Load()
		if s == 0 {
			continue
		}
		one, oneAck := make([]time.Duration, 0, rec.rows), make([]time.Duration, 0, rec.rows)
		for i := range rec.rows {
			if at := rec.at[i*n+k].Load(); at != 0 {
				one = append(one, time.Duration(at-s))
				oneAck = append(oneAck, time.Duration(max(at-a, 0)))
			}
		}
		if len(one) > 0 {
			p99s, p99sAck = append(p99s, summarize(one).P99), append(p99sAck, summarize(oneAck).P99)
		}
	}
	p.PerChange, p.PerChangeAck = summarizeChanges(p99s), summarizeChanges(p99sAck)
	return p
}
