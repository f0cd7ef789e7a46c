package httpapi_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/tribune-act/tribune/pkg/live"
)

// edit makes one change through the API: a new title for the act's slot.
func (a *act) edit(t testing.TB, i int) {
	t.Helper()
	a.h.must(200, "PATCH", a.path("/slots/"+a.slotID), a.editor, map[string]any{"title": fmt.Sprintf("Opening #%d", i)})
}

func TestFeedSnapshotIsThePublicAgenda(t *testing.T) {
	a := newAct(t)
	confirm(t, a.h, a.id, a.slotID, a.speakerID)
	m, err := a.h.mustFeed("/api/v1/public/events/peace/live", nil, false).next(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, body := a.h.publicAgenda("peace")
	if m.Type != "snapshot" || !bytes.Equal(m.Agenda, body) {
		t.Fatalf("snapshot differs from GET:\n%s\n%s", m.Agenda, body)
	}
	if m.Version != a.h.version(a.id) {
		t.Fatalf("snapshot version %d", m.Version)
	}
}

func TestFeedDeliversEveryChangeOnceInOrder(t *testing.T) {
	a := newAct(t)
	var feeds []*feed
	var replicas []*replica
	for range 3 {
		f := a.h.mustFeed("/api/v1/public/events/peace/live", nil, false)
		m, err := f.next(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		r := &replica{}
		if err := r.apply(m); err != nil {
			t.Fatal(err)
		}
		feeds, replicas = append(feeds, f), append(replicas, r)
	}
	start := a.h.version(a.id)
	const n = 20
	for i := range n {
		switch i % 4 {
		case 1:
			a.h.must(200, "POST", a.path("/live/start"), a.stage, nil)
		case 3:
			a.h.must(200, "POST", a.path("/live/back"), a.stage, nil)
		default:
			a.edit(t, i)
		}
	}
	for i, f := range feeds {
		for v := start + 1; v <= start+n; v++ {
			m, err := f.next(5 * time.Second)
			if err != nil {
				t.Fatalf("client %d waiting for %d: %v", i, v, err)
			}
			if m.Type != "change" || m.Version != v {
				t.Fatalf("client %d got %s %d, want change %d", i, m.Type, m.Version, v)
			}
			if err := replicas[i].apply(m); err != nil {
				t.Fatal(err)
			}
		}
		if m, err := f.next(200 * time.Millisecond); err != errQuiet {
			t.Fatalf("client %d got an extra message: %s %v", i, m.raw, err)
		}
		want, _ := a.h.publicAgenda("peace")
		if canonical(t, replicas[i].agenda) != canonical(t, want) {
			t.Fatalf("client %d differs from the public agenda", i)
		}
	}
}

func TestFeedResume(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts live.Options
	}{
		{"from the window", live.DefaultOptions},
		{"from the change log", live.Options{Window: 2, MaxReplay: 100, QueueSize: 64, GapWait: 50 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAct(t)
			h := a.h
			open := func(since string) *feed {
				return h.mustFeed("/api/v1/public/events/peace/live"+since, nil, false)
			}
			first := open("")
			snap, err := first.next(5 * time.Second)
			if err != nil {
				t.Fatal(err)
			}
			first.close()
			for i := range 5 {
				a.edit(t, i)
			}
			// Exactly the missed changes, then nothing.
			conn := open(fmt.Sprintf("?since=%d", snap.Version))
			for v := snap.Version + 1; v <= snap.Version+5; v++ {
				m, err := conn.next(5 * time.Second)
				if err != nil || m.Type != "change" || m.Version != v {
					t.Fatalf("want change %d, got %s %d (%v)", v, m.Type, m.Version, err)
				}
			}
			if m, err := conn.next(200 * time.Millisecond); err != errQuiet {
				t.Fatalf("extra message after the replay: %s %v", m.raw, err)
			}
			// A live change follows the replay.
			a.edit(t, 99)
			if m, err := conn.next(5 * time.Second); err != nil || m.Version != snap.Version+6 {
				t.Fatalf("live change after replay: %d %v", m.Version, err)
			}
			// Up to date: nothing to send until the next change.
			now := h.version(a.id)
			if m, err := open(fmt.Sprintf("?since=%d", now)).next(200 * time.Millisecond); err != errQuiet {
				t.Fatalf("up-to-date client got %s %v", m.raw, err)
			}
			// Ahead of the server: a snapshot.
			if m, err := open(fmt.Sprintf("?since=%d", now+50)).next(5 * time.Second); err != nil || m.Type != "snapshot" || m.Version != now {
				t.Fatalf("ahead: got %s %d %v", m.Type, m.Version, err)
			}
		})
	}
}

func TestFeedResumeTooOldGetsSnapshot(t *testing.T) {
	b := newActOn(t, newHarnessWith(t, live.Options{Window: 2, MaxReplay: 3, QueueSize: 64, GapWait: 50 * time.Millisecond}))
	for i := range 6 {
		b.edit(t, i)
	}
	f := b.h.mustFeed(fmt.Sprintf("/api/v1/public/events/peace/live?since=%d", b.h.version(b.id)-5), nil, false)
	if m, err := f.next(5 * time.Second); err != nil || m.Type != "snapshot" || m.Version != b.h.version(b.id) {
		t.Fatalf("too old: got %s %d %v", m.Type, m.Version, err)
	}
}

func TestFeedRefusesBadRequests(t *testing.T) {
	a := newAct(t)
	h := a.h
	for _, q := range []string{"?since=-1", "?since=abc", "?since=1.5"} {
		_, res, err := h.dial("/api/v1/public/events/peace/live"+q, nil)
		if err == nil || res == nil || res.StatusCode != 400 {
			t.Errorf("since %s: %v %v", q, res, err)
		}
	}
	if _, res, _ := h.dial("/api/v1/public/events/other/live", nil); res == nil || res.StatusCode != 404 {
		t.Errorf("a draft event's feed: %v", res)
	}
	h.must(http.StatusUpgradeRequired, "GET", "/api/v1/public/events/peace/live", "", nil)
	// The organizer feed: a token, a role, and the public origin for browsers.
	auth := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	for _, c := range []struct {
		header http.Header
		status int
	}{
		{nil, 401},
		{auth(a.outsider), 403},
		{http.Header{"Authorization": {"Bearer " + a.stage}, "Origin": {"https://evil.example.net"}}, 403},
	} {
		if _, res, err := h.dial(a.path("/live"), c.header); err == nil || res == nil || res.StatusCode != c.status {
			t.Errorf("organizer feed %v: want %d, got %v", c.header, c.status, res)
		}
	}
	m, err := h.mustFeed(a.path("/live"), http.Header{"Authorization": {"Bearer " + a.stage}, "Origin": {"https://act.example.org"}}, true).next(5 * time.Second)
	if err != nil || m.Type != "snapshot" || !strings.Contains(string(m.Agenda), "olena@example.org") {
		t.Fatalf("organizer snapshot lacks private fields: %v %s", err, m.raw)
	}
}

// TestLiveControls runs the show through the API and checks the public live object.
func TestLiveControls(t *testing.T) {
	a := newAct(t)
	h := a.h
	second := h.must(201, "POST", a.path("/slots"), a.editor, map[string]any{"stage_id": a.stageID, "title": "Second", "duration_seconds": 300}).field(t, "id")
	third := h.must(201, "POST", a.path("/slots"), a.editor, map[string]any{"stage_id": a.stageID, "title": "Third", "duration_seconds": 300}).field(t, "id")
	type liveView struct {
		State         string  `json:"state"`
		CurrentSlotID *string `json:"current_slot_id"`
		DelaySeconds  int     `json:"delay_seconds"`
		Slots         []struct {
			SlotID string `json:"slot_id"`
			Status string `json:"status"`
		} `json:"slots"`
	}
	act := func(want int, action string, body any) liveView {
		t.Helper()
		var out struct {
			Live liveView `json:"live"`
		}
		r := h.must(want, "POST", a.path("/live/"+action), a.stage, body)
		if want == 200 {
			r.decode(t, &out)
		}
		return out.Live
	}
	a.unchanged(t, func() {
		act(409, "next", nil)
		act(409, "pause", nil)
		act(409, "back", nil)
		act(404, "dance", nil)
		act(400, "start", map[string]any{"slot_id": "missing"})
		act(400, "start", map[string]any{"unknown": 1})
		h.must(403, "POST", a.path("/live/start"), a.outsider, nil)
		h.must(401, "POST", a.path("/live/start"), "", nil)
	})
	if v := act(200, "start", nil); v.State != "running" || v.CurrentSlotID == nil || *v.CurrentSlotID != a.slotID {
		t.Fatalf("start: %+v", v)
	}
	act(200, "extend", map[string]any{"seconds": 120})
	a.unchanged(t, func() { act(400, "extend", map[string]any{"seconds": 0}) })
	act(200, "skip", map[string]any{"slot_id": second})
	a.unchanged(t, func() { act(409, "skip", map[string]any{"slot_id": second}) })
	if v := act(200, "next", nil); *v.CurrentSlotID != third {
		t.Fatalf("next after a skip: %+v", v)
	}
	act(200, "pause", nil)
	a.unchanged(t, func() { act(409, "pause", nil) })
	act(200, "resume", nil)
	if v := act(200, "back", nil); *v.CurrentSlotID != a.slotID {
		t.Fatalf("back: %+v", v)
	}
	if v := act(200, "end", nil); v.State != "ended" || v.CurrentSlotID != nil {
		t.Fatalf("end: %+v", v)
	}
	var pub struct {
		Live liveView `json:"live"`
	}
	r := h.must(200, "GET", "/api/v1/public/events/peace", "", nil)
	r.decode(t, &pub)
	if pub.Live.State != "ended" || len(pub.Live.Slots) != 3 || pub.Live.Slots[1].Status != "skipped" {
		t.Fatalf("public live: %+v", pub.Live)
	}
}

// TestStageMessagesStayPrivate: a message reaches the organizer feed, while the
// public feed gets the version without the message.
func TestStageMessagesStayPrivate(t *testing.T) {
	a := newAct(t)
	h := a.h
	pub := h.mustFeed("/api/v1/public/events/peace/live", nil, false)
	org := h.mustFeed(a.path("/live"), http.Header{"Authorization": {"Bearer " + a.stage}}, true)
	for _, c := range []*feed{pub, org} {
		if _, err := c.next(5 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	a.unchanged(t, func() {
		h.must(409, "POST", a.path("/live/message"), a.stage, map[string]any{"to": "current", "text": "1 minute"})
		h.must(400, "POST", a.path("/live/message"), a.stage, map[string]any{"to": "current", "text": ""})
		h.must(400, "POST", a.path("/live/message"), a.stage, map[string]any{"to": "nobody", "text": "hi"})
		h.must(403, "POST", a.path("/live/message"), a.outsider, map[string]any{"to": a.slotID, "text": "hi"})
	})
	h.must(200, "POST", a.path("/live/start"), a.stage, nil)
	h.must(202, "POST", a.path("/live/message"), a.stage, map[string]any{"to": "current", "text": "Wrap up, secret-word"})
	for _, c := range []*feed{pub, org} {
		if _, err := c.next(5 * time.Second); err != nil { // the start
			t.Fatal(err)
		}
		m, err := c.next(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		hasText := strings.Contains(string(m.raw), "secret-word")
		if (c == org) != hasText {
			t.Fatalf("organizer=%v, message text present=%v: %s", c == org, hasText, m.raw)
		}
	}
	var changes struct {
		Changes []struct {
			Delta struct {
				Messages []any `json:"messages"`
			} `json:"delta"`
		} `json:"changes"`
	}
	h.must(200, "GET", a.path("/changes?since="+fmt.Sprint(h.version(a.id)-1)), a.stage, nil).decode(t, &changes)
	if len(changes.Changes) != 1 || len(changes.Changes[0].Delta.Messages) != 1 {
		t.Fatalf("message not in the change log: %+v", changes)
	}
}

// TestFeedConvergence: clients that drop and reconnect at random while changes
// are made all end equal to the public agenda (DESIGN invariant 5).
func TestFeedConvergence(t *testing.T) {
	a := newAct(t)
	h := a.h
	const clients, changes = 20, 500
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	results := make([]*replica, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			r := &replica{}
			results[i] = r
			for {
				path := "/api/v1/public/events/peace/live"
				if r.agenda != nil {
					path += fmt.Sprintf("?since=%d", r.version)
				}
				f, _, err := h.openFeed(path, nil, false)
				if err != nil {
					errs <- err
					return
				}
				// Read a random number of messages, then drop the connection.
				for budget := 1 + rng.IntN(40); budget > 0; budget-- {
					wait := 100 * time.Millisecond
					select {
					case <-stop:
						wait = 500 * time.Millisecond // drain what is in flight, then quiet
					default:
					}
					m, err := f.next(wait)
					if err != nil {
						break
					}
					if err := r.apply(m); err != nil {
						errs <- err
						f.close()
						return
					}
				}
				f.close()
				select {
				case <-stop:
					if r.version == h.version(a.id) {
						return
					}
				default:
				}
			}
		}()
	}
	for i := range changes {
		a.edit(t, i)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want, _ := a.h.publicAgenda("peace")
	for i, r := range results {
		if r.version != h.version(a.id) {
			t.Errorf("client %d ended at version %d, want %d", i, r.version, h.version(a.id))
		}
		if canonical(t, r.agenda) != canonical(t, want) {
			t.Errorf("client %d differs from the public agenda", i)
		}
	}
}

// TestSlowSubscriberIsDropped: a client that never reads is disconnected with
// 4008 while another keeps receiving every change; no goroutine is left behind.
func TestSlowSubscriberIsDropped(t *testing.T) {
	h := newHarnessWith(t, live.Options{Window: 16, MaxReplay: 100, QueueSize: 4, GapWait: 50 * time.Millisecond, SendBuffer: 16 << 10})
	a := newActOn(t, h)
	// The slow client never reads.
	slow, _, err := h.dial("/api/v1/public/events/peace/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	good := h.mustFeed("/api/v1/public/events/peace/live", nil, false)
	snap, err := good.next(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("Ceasefire now. ", 600) // about 9 KB per change
	dropped := func() bool {
		return strings.Contains(h.metrics(), `tribune_live_slow_disconnects_total{event="`+a.id+`"} 1`)
	}
	n := 0
	for ; n < 2000 && !dropped(); n++ {
		h.must(200, "PATCH", a.path("/slots/"+a.slotID), a.editor, map[string]any{"description": fmt.Sprint(n, big)})
		m, err := good.next(5 * time.Second)
		if err != nil || m.Version != snap.Version+int64(n)+1 {
			t.Fatalf("the good client fell behind at change %d: %d %v", n, m.Version, err)
		}
	}
	if !dropped() {
		t.Fatal("the slow subscriber was never dropped")
	}
	// The slow client finds the 4008 close after what was buffered.
	var closeErr *websocket.CloseError
	got := 0
	for {
		_ = slow.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, _, err = slow.ReadMessage(); err != nil {
			break
		}
		got++
	}
	t.Logf("dropped after %d changes; the slow client read %d messages, then 4008", n, got)
	if !errors.As(err, &closeErr) || closeErr.Code != live.CloseTooSlow {
		t.Fatalf("slow client ended with %v, want close 4008", err)
	}
	slow.Close()
	good.close()
	// Every connection's goroutines end: none is left in the feed's code.
	deadline := time.Now().Add(10 * time.Second)
	for feedGoroutines() > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := feedGoroutines(); n > 0 {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d feed goroutines left:\n%s", n, buf[:runtime.Stack(buf, true)])
	}
	if !strings.Contains(h.metrics(), `tribune_live_subscribers{event="`+a.id+`"} 0`) {
		t.Fatalf("subscribers gauge not back to 0:\n%s", h.metrics())
	}
}

// metrics scrapes /metrics.
func (h *harness) metrics() string {
	h.t.Helper()
	return string(h.must(200, "GET", "/metrics", "", nil).body)
}

func TestMetricsShowViewers(t *testing.T) {
	a := newAct(t)
	f := a.h.mustFeed("/api/v1/public/events/peace/live", nil, false)
	if _, err := f.next(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	a.edit(t, 1)
	if _, err := f.next(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	m := a.h.metrics()
	for _, want := range []string{
		`tribune_live_subscribers{event="` + a.id + `"} 1`,
		"tribune_live_broadcast_seconds_count",
		"tribune_live_commit_to_broadcast_seconds_bucket",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// feedGoroutines counts the goroutines running a subscriber's reader or writer.
func feedGoroutines() int {
	buf := make([]byte, 4<<20)
	n := 0
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "live.(*Subscriber)") {
			n++
		}
	}
	return n
}
