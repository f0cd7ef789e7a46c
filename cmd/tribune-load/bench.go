package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// child is a server the tool started.
type child struct {
	name string
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port
	log  string
	done chan error
}

// freeAddr returns a loopback address with a free port.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startChild starts bin with args (which must make it listen on addr), logging
// to logPath, and waits until readyPath answers 200.
func startChild(ctx context.Context, name, bin string, args []string, addr, readyPath, logPath string) (*child, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = childAttrs()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, base: "http://" + addr, log: logPath, done: make(chan error, 1)}
	go func() {
		c.done <- cmd.Wait()
		logf.Close()
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(c.base + readyPath)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return c, nil
			}
		}
		select {
		case err := <-c.done:
			c.done <- err
			out, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("%s exited (%v): %s", name, err, bytes.TrimSpace(out))
		case <-ctx.Done():
			c.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.stop()
			return nil, fmt.Errorf("%s did not answer %s within 30s (log: %s)", name, readyPath, logPath)
		}
	}
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// stop asks the server to shut down and kills it after 10 seconds.
func (c *child) stop() {
	_ = c.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-c.done:
		c.done <- err
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
	}
}

// tribuneCLI runs a tribune subcommand and returns its output.
func tribuneCLI(ctx context.Context, bin string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", bin, strings.Join(args, " "), err, strings.TrimSpace(errOut.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// benchConfig is what `tribune-load bench` runs.
type benchConfig struct {
	Tribune     string     `json:"tribune"`
	Slots       int        `json:"slots"`
	Load        loadConfig `json:"load"`
	CostViewers []int      `json:"cost_viewers"`
	CostSlots   []int      `json:"cost_slots"`
	CostChanges int        `json:"cost_changes"`
	CostRate    float64    `json:"cost_rate"`
	// GetRounds alternate the GET load between Tribune and the floor; the median counts.
	GetRounds int  `json:"get_rounds"`
	Keep      bool `json:"-"`
}

// benchResult is a whole run: both servers under the same load, and the cost table.
type benchResult struct {
	Date    string          `json:"date"`
	Command string          `json:"command"`
	Machine machine         `json:"machine"`
	Config  benchConfig     `json:"config"`
	Tribune *targetResult   `json:"tribune"`
	Floor   *targetResult   `json:"floor"`
	Targets []targetVerdict `json:"targets"`
	Cost    []costCell      `json:"cost"`
}

// bench starts Tribune (on a fresh SQLite database, with an admin and an API
// token made with its CLI) and the floor (this program, re-executed), builds
// the events it needs through the API, runs the same scenario against each,
// then fills the cost table against Tribune.
func bench(ctx context.Context, cfg benchConfig, prog *progress) (*benchResult, error) {
	res := &benchResult{Date: time.Now().UTC().Format(time.RFC3339), Config: cfg, Machine: describeMachine(),
		Command: strings.Join(os.Args, " ")}
	defer func() { res.Machine.LoadAfter = loadAverage() }()
	dir, err := os.MkdirTemp("", "tribune-load-*")
	if err != nil {
		return nil, err
	}
	if cfg.Keep {
		prog.logf("keeping %s (database and server logs)", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin, err := filepath.Abs(cfg.Tribune)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%w (build it with `make build`, or pass -tribune)", err)
	}
	db := filepath.Join(dir, "tribune.db")
	const email = "load@example.org"
	pw := make([]byte, 16)
	_, _ = rand.Read(pw)
	if _, err := tribuneCLI(ctx, bin, []string{"TRIBUNE_PASSWORD=" + hex.EncodeToString(pw)}, "user", "create", "--email", email, "--admin", "--db", db); err != nil {
		return nil, err
	}
	token, err := tribuneCLI(ctx, bin, nil, "token", "create", "--email", email, "--name", "tribune-load", "--db", db)
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	prog.logf("starting %s serve --addr %s --db %s", bin, addr, db)
	tribune, err := startChild(ctx, "tribune", bin, []string{"serve", "--addr", addr, "--db", db, "--log-level", "warn"},
		addr, "/readyz", filepath.Join(dir, "tribune.log"))
	if err != nil {
		return nil, err
	}
	defer tribune.stop()
	api := newAPIClient(tribune.base, token)

	events := map[int]*loadEvent{}
	for _, n := range append([]int{cfg.Slots}, cfg.CostSlots...) {
		if events[n] != nil {
			continue
		}
		t0 := time.Now()
		var step atomic.Pointer[string]
		stop := prog.watch(func() string {
			s := fmt.Sprintf("creating an event of %d slots through the API", n)
			if p := step.Load(); p != nil {
				s += ": " + *p
			}
			return s
		})
		ev, err := createLoadEvent(ctx, api, fmt.Sprintf("load-%d", n), n, func(s string) { step.Store(&s) })
		stop()
		if err != nil {
			return nil, fmt.Errorf("creating the event of %d slots: %w", n, err)
		}
		prog.logf("event %s: %d slots, speakers confirmed, published, live (%.1fs)", ev.Slug, n, time.Since(t0).Seconds())
		events[n] = ev
	}
	act := events[cfg.Slots]
	// The PATCH phase also runs on an event nobody watches, the same size.
	side, err := createLoadEvent(ctx, api, "load-side", cfg.Slots, nil)
	if err != nil {
		return nil, fmt.Errorf("creating the side event: %w", err)
	}
	agendaBytes, err := fetch(ctx, tribune.base+"/api/v1/public/events/"+act.Slug)
	if err != nil {
		return nil, err
	}

	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	faddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	fl, err := startChild(ctx, "floor", self, []string{"floor", "-addr", faddr}, faddr, "/healthz", filepath.Join(dir, "floor.log"))
	if err != nil {
		return nil, err
	}
	defer fl.stop()
	if err := putAgenda(ctx, fl.base, agendaBytes); err != nil {
		return nil, err
	}

	tag := strconv.FormatInt(time.Now().UnixMilli()%1e6, 36)
	trib := &target{
		name: "tribune", feed: wsURL(tribune.base, "/api/v1/public/events/"+act.Slug+"/live"),
		get: tribune.base + "/api/v1/public/events/" + act.Slug, metrics: tribune.base + "/metrics", pid: tribune.pid(),
		changes: &slotTitles{api: api, eventID: act.ID, slots: act.Slots, tag: tag},
		side:    &slotTitles{api: api, eventID: side.ID, slots: side.Slots, tag: tag},
	}
	floorTarget := &target{
		name: "floor", feed: wsURL(fl.base, "/live"), get: fl.base + "/agenda", metrics: fl.base + "/metrics", pid: fl.pid(),
		changes: &floorChanges{base: fl.base, client: newHTTPClient(64, nil), tag: tag},
	}
	load := cfg.Load
	load.GetSeconds = 0 // measured below, in alternating rounds
	if res.Tribune, err = runTarget(ctx, trib, load, prog); err != nil {
		return nil, err
	}
	// The floor serves the agenda's bytes as Tribune serves them now, after its changes.
	if agendaBytes, err = fetch(ctx, tribune.base+"/api/v1/public/events/"+act.Slug); err != nil {
		return nil, err
	}
	if err := putAgenda(ctx, fl.base, agendaBytes); err != nil {
		return nil, err
	}
	if res.Floor, err = runTarget(ctx, floorTarget, load, prog); err != nil {
		return nil, err
	}
	if cfg.Load.GetSeconds > 0 {
		for round := range cfg.GetRounds {
			for _, t := range []struct {
				target *target
				res    *targetResult
			}{{trib, res.Tribune}, {floorTarget, res.Floor}} {
				prog.label(t.target.name)
				stop := prog.watch(func() string { return fmt.Sprintf("GET round %d/%d: %s", round+1, cfg.GetRounds, t.target.get) })
				g, err := measureGET(ctx, t.target.get, cfg.Load.GetSeconds, cfg.Load.GetConns)
				stop()
				if err != nil {
					return nil, err
				}
				prog.logf("%s: GET round %d, %d bytes: %.0f requests/s (%s)", t.target.name, round+1, g.Bytes, g.PerSecond, g.Tool)
				t.res.GetRounds = append(t.res.GetRounds, g)
			}
		}
		res.Tribune.Get, res.Floor.Get = median(res.Tribune.GetRounds), median(res.Floor.GetRounds)
	}
	fl.stop()
	res.Targets = verdicts(cfg, res.Tribune, res.Floor)

	for _, slots := range cfg.CostSlots {
		ev := events[slots]
		cells, err := costRow(ctx, api, tribune.base, ev, slots, cfg, tag, prog)
		res.Cost = append(res.Cost, cells...)
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// median returns the round with the median rate.
func median(rounds []*getResult) *getResult {
	if len(rounds) == 0 {
		return nil
	}
	sorted := append([]*getResult(nil), rounds...)
	slices.SortFunc(sorted, func(a, b *getResult) int { return cmp.Compare(a.PerSecond, b.PerSecond) })
	return sorted[len(sorted)/2]
}

// putAgenda sets the bytes the floor serves as its agenda and snapshot.
func putAgenda(ctx context.Context, base string, b []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, base+"/agenda", bytes.NewReader(b))
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("PUT %s/agenda: %s", base, res.Status)
	}
	return nil
}

// costCell is the cost of a change to an event of Slots slots watched by Viewers viewers.
type costCell struct {
	Slots     int `json:"slots"`
	Viewers   int `json:"viewers"`
	Connected int `json:"connected"`
	// BroadcastMs is Tribune's own time per change: encoding it and queueing it to
	// every subscriber (tribune_live_broadcast_seconds, sum over count).
	BroadcastMs float64 `json:"broadcast_ms_per_change"`
	Delivery    latency `json:"delivery_ms"`
	DeliveryAck latency `json:"delivery_from_ack_ms"`
	Request     latency `json:"request_ms"`
	Lost        int64   `json:"lost"`
	OutOfOrder  int64   `json:"out_of_order"`
}

// costRow measures one event at each audience size, adding viewers between sizes.
func costRow(ctx context.Context, api *apiClient, base string, ev *loadEvent, slots int, cfg benchConfig, tag string, prog *progress) ([]costCell, error) {
	ch := &slotTitles{api: api, eventID: ev.ID, slots: ev.Slots, tag: tag}
	v, err := ch.version(ctx)
	if err != nil {
		return nil, err
	}
	prog.label(fmt.Sprintf("cost %d slots", slots))
	aud := newAudience(ctx, wsURL(base, "/api/v1/public/events/"+ev.Slug+"/live"), cfg.Load.First, v)
	defer aud.close()
	var cells []costCell
	for _, n := range cfg.CostViewers {
		stop := prog.watch(func() string {
			c := aud.counters()
			return fmt.Sprintf("ramp: %d/%d connected", c.Connected, n)
		})
		connected := aud.ramp(n, cfg.Load.Ramp)
		stop()
		time.Sleep(time.Second)
		m0, err := scrape(ctx, base+"/metrics")
		if err != nil {
			return cells, err
		}
		p := drive(ctx, aud, ch, "cost", cfg.CostChanges, cfg.CostRate, true, prog)
		m1, err := scrape(ctx, base+"/metrics")
		if err != nil {
			return cells, err
		}
		c := costCell{Slots: slots, Viewers: n, Connected: connected, Delivery: p.Delivery, DeliveryAck: p.DeliveryAck, Request: p.Request, Lost: p.Lost, OutOfOrder: p.OutOfOrder}
		if count := m1["tribune_live_broadcast_seconds_count"] - m0["tribune_live_broadcast_seconds_count"]; count > 0 {
			c.BroadcastMs = (m1["tribune_live_broadcast_seconds_sum"] - m0["tribune_live_broadcast_seconds_sum"]) / count * 1000
		}
		prog.logf("cost: %d slots, %d viewers: broadcast %.2f ms/change, delivery p99 %.1f ms, PATCH p50 %.1f ms, lost %d, out of order %d",
			slots, n, c.BroadcastMs, c.Delivery.P99, c.Request.P50, c.Lost, c.OutOfOrder)
		if p.err != nil {
			return append(cells, c), fmt.Errorf("cost %d slots, %d viewers: %w", slots, n, p.err)
		}
		cells = append(cells, c)
	}
	return cells, nil
}
