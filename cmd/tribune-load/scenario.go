package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// loadConfig is the scenario run against each server.
type loadConfig struct {
	Viewers int `json:"viewers"`
	Ramp    int `json:"ramp_per_second"`
	// First is how viewers first connect: "since" (as the viewer page, which
	// embeds the agenda) or "snapshot".
	First string `json:"first"`
	// Changes made one at a time at ChangeRate: the delivery of one change to every viewer.
	Changes    int     `json:"changes"`
	ChangeRate float64 `json:"change_rate"`
	// Changes at PatchRate for PatchSeconds: the organizer API under a live audience.
	PatchRate    float64       `json:"patch_rate"`
	PatchSeconds float64       `json:"patch_seconds"`
	Settle       time.Duration `json:"-"`
	GetSeconds   int           `json:"get_seconds"`
	GetConns     int           `json:"get_connections"`
}

// target is a server the scenario runs against.
type target struct {
	name    string
	feed    string // the viewers' websocket URL
	get     string // the agenda's URL
	metrics string // Prometheus metrics, or ""
	pid     int    // 0 when the tool did not start the server
	changes changer
	// side changes another event, one the viewers do not watch; nil when there is none.
	side changer
}

// targetResult is what one server did under the scenario.
type targetResult struct {
	Target      string  `json:"target"`
	Viewers     int     `json:"viewers"`
	Connected   int     `json:"connected"`
	RampSeconds float64 `json:"ramp_seconds"`
	DialErrors  int64   `json:"dial_errors"`
	Memory      memory  `json:"memory"`
	Delivery    *phase  `json:"delivery,omitempty"`
	// PatchAlone is changes at the PATCH rate to another event before any viewer connects: the baseline.
	PatchAlone *phase `json:"patch_no_viewers,omitempty"`
	// PatchOther is changes at the PATCH rate to another event while the viewers stay connected.
	PatchOther *phase `json:"patch_other_event,omitempty"`
	// Patch is changes at the PATCH rate to the event the viewers watch.
	Patch *phase `json:"patch,omitempty"`
	// Get is the median of GetRounds.
	Get       *getResult   `json:"get,omitempty"`
	GetRounds []*getResult `json:"get_rounds,omitempty"`
}

// memory is the server's memory before and after the viewers connected.
type memory struct {
	RSSBeforeKB int64 `json:"rss_before_kb"`
	RSSAfterKB  int64 `json:"rss_after_kb"`
	// Per connected idle viewer; 0 when unknown (the server's pid or metrics unknown).
	RSSPerViewerKB      float64 `json:"rss_per_viewer_kb"`
	HeapPerViewerKB     float64 `json:"heap_per_viewer_kb"`
	StackPerViewerKB    float64 `json:"stack_per_viewer_kb"`
	GoroutinesPerViewer float64 `json:"goroutines_per_viewer"`
}

type memorySample struct {
	rss                     int64
	heap, stack, goroutines float64
	hasMetrics              bool
}

func sampleMemory(ctx context.Context, t *target) memorySample {
	s := memorySample{rss: rssKB(t.pid)}
	if t.metrics != "" {
		if m, err := scrape(ctx, t.metrics); err == nil {
			s.heap, s.stack, s.goroutines = m["go_memstats_heap_inuse_bytes"], m["go_memstats_stack_inuse_bytes"], m["go_goroutines"]
			s.hasMetrics = true
		}
	}
	return s
}

// runTarget runs the scenario against one server: the viewers connect, sit
// idle while memory is read, receive changes one at a time, then changes at
// the PATCH rate; then they leave and the agenda's GET is loaded.
func runTarget(ctx context.Context, t *target, cfg loadConfig, prog *progress) (*targetResult, error) {
	res := &targetResult{Target: t.name, Viewers: cfg.Viewers}
	prog.label(t.name)
	before := sampleMemory(ctx, t)
	base, err := t.changes.version(ctx)
	if err != nil {
		return nil, err
	}
	aud := newAudience(ctx, t.feed, cfg.First, base)
	defer aud.close()
	if n := int(cfg.PatchRate * cfg.PatchSeconds); n > 0 && t.side != nil {
		res.PatchAlone = drive(ctx, aud, t.side, "patch, no viewers", n, cfg.PatchRate, false, prog)
		prog.logf("%s: %s", t.name, res.PatchAlone.line())
		before = sampleMemory(ctx, t)
	}
	start := time.Now()
	stop := prog.watch(func() string {
		c := aud.counters()
		return fmt.Sprintf("ramp: %d/%d connected, %d dial errors, %d reconnects", c.Connected, cfg.Viewers, c.DialErrors, c.Reconnects)
	})
	res.Connected = aud.ramp(cfg.Viewers, cfg.Ramp)
	res.RampSeconds = time.Since(start).Seconds()
	stop()
	prog.logf("%s: %d/%d viewers connected in %.1fs", t.name, res.Connected, cfg.Viewers, res.RampSeconds)
	select {
	case <-time.After(cfg.Settle):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	after := sampleMemory(ctx, t)
	connected := aud.connected()
	res.Memory = memory{RSSBeforeKB: before.rss, RSSAfterKB: after.rss}
	if connected > 0 {
		n := float64(connected)
		if before.rss > 0 && after.rss > 0 {
			res.Memory.RSSPerViewerKB = float64(after.rss-before.rss) / n
		}
		if before.hasMetrics && after.hasMetrics {
			res.Memory.HeapPerViewerKB = (after.heap - before.heap) / 1024 / n
			res.Memory.StackPerViewerKB = (after.stack - before.stack) / 1024 / n
			res.Memory.GoroutinesPerViewer = (after.goroutines - before.goroutines) / n
		}
	}
	if cfg.Changes > 0 {
		res.Delivery = drive(ctx, aud, t.changes, "delivery", cfg.Changes, cfg.ChangeRate, true, prog)
		prog.logf("%s: %s", t.name, res.Delivery.line())
	}
	if n := int(cfg.PatchRate * cfg.PatchSeconds); n > 0 {
		if t.side != nil {
			res.PatchOther = drive(ctx, aud, t.side, "patch, another event", n, cfg.PatchRate, false, prog)
			prog.logf("%s: %s", t.name, res.PatchOther.line())
		}
		res.Patch = drive(ctx, aud, t.changes, "patch", n, cfg.PatchRate, true, prog)
		prog.logf("%s: %s", t.name, res.Patch.line())
	}
	res.DialErrors = aud.dialErrors.Load()
	aud.close()
	if cfg.GetSeconds > 0 {
		stop := prog.watch(func() string { return fmt.Sprintf("GET %s for %ds", t.get, cfg.GetSeconds) })
		res.Get, err = measureGET(ctx, t.get, cfg.GetSeconds, cfg.GetConns)
		stop()
		if err != nil {
			return nil, err
		}
		res.GetRounds = []*getResult{res.Get}
		prog.logf("%s: GET %d bytes: %.0f requests/s (%s)", t.name, res.Get.Bytes, res.Get.PerSecond, res.Get.Tool)
	}
	return res, nil
}

func (p *phase) line() string {
	if !p.Watched {
		s := fmt.Sprintf("%s: %d changes at %.1f/s while %d viewers stay connected: request p50 %.1f p99 %.1f max %.1f ms; still connected %d",
			p.Name, p.Changes, p.Achieved, p.Viewers, p.Request.P50, p.Request.P99, p.Request.Max, p.Held)
		if p.err != nil {
			s += fmt.Sprintf("; %d failed, first: %v", p.Errors, p.err)
		}
		return s
	}
	s := fmt.Sprintf("%s: %d changes at %.1f/s to %d viewers: delivery p50 %.1f p99 %.1f max %.1f ms; request p99 %.1f ms; "+
		"held %d, lost %d, out of order %d, reconnects %d",
		p.Name, p.Changes, p.Achieved, p.Viewers, p.Delivery.P50, p.Delivery.P99, p.Delivery.Max, p.Request.P99,
		p.Held, p.Lost, p.OutOfOrder, p.Reconnects)
	if p.err != nil {
		s += fmt.Sprintf("; %d failed, first: %v", p.Errors, p.err)
	}
	return s
}

// progress keeps one status line up to date on a terminal (or prints it every
// few seconds to a log) between permanent lines.
type progress struct {
	w      io.Writer
	tty    bool
	mu     sync.Mutex
	name   atomic.Pointer[string]
	status *atomic.Pointer[string]
	quit   chan struct{}
	wg     sync.WaitGroup
	shown  bool
}

func newProgress(w io.Writer, tty bool) *progress {
	p := &progress{w: w, tty: tty, status: &atomic.Pointer[string]{}, quit: make(chan struct{})}
	every := 5 * time.Second
	if tty {
		every = 250 * time.Millisecond
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.show()
			case <-p.quit:
				return
			}
		}
	}()
	return p
}

func (p *progress) label(name string) { p.name.Store(&name) }

// watch shows f's status until the returned function is called.
func (p *progress) watch(f func() string) func() {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			s := f()
			p.status.Store(&s)
			select {
			case <-t.C:
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		p.status.Store(nil)
	}
}

func (p *progress) show() {
	s := p.status.Load()
	if s == nil {
		return
	}
	line := *s
	if n := p.name.Load(); n != nil {
		line = "[" + *n + "] " + line
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K"+line)
		p.shown = true
	} else {
		fmt.Fprintln(p.w, line)
	}
}

// logf prints a permanent line.
func (p *progress) logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
	fmt.Fprintf(p.w, format+"\n", args...)
}

func (p *progress) close() {
	close(p.quit)
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
	p.status.Store(nil)
}
