package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/tribune-act/tribune/pkg/auth"
	"github.com/tribune-act/tribune/pkg/httpapi"
	"github.com/tribune-act/tribune/pkg/live"
	"github.com/tribune-act/tribune/pkg/store"
)

// tribuneServer starts a real Tribune in the test: SQLite file, hub, HTTP API,
// and returns its URL and an admin's API token.
func tribuneServer(t *testing.T) (string, string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "tribune.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	keys, err := auth.NewSpeakerKeys([]byte("a test secret of at least 32 bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	registry := prometheus.NewRegistry()
	hub := live.NewHub(st, live.DefaultOptions, log, live.NewMetrics(registry))
	st.OnCommit(hub.Publish)
	done := make(chan struct{})
	srv := httptest.NewServer(httpapi.New(st, hub, log, httpapi.Config{Registry: registry, Done: done, Keys: keys, SpeakerRate: 1000}))
	t.Cleanup(func() {
		close(done)
		srv.CloseClientConnections()
		srv.Close()
		st.Close()
	})
	u, err := st.CreateUser(ctx, "load@example.org", "unused", true)
	if err != nil {
		t.Fatal(err)
	}
	token, hash, err := auth.NewToken(auth.APITokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateAPIToken(ctx, u.ID, "load", hash); err != nil {
		t.Fatal(err)
	}
	return srv.URL, token
}

// smoke is the scenario of the smoke runs: 200 viewers, 20 changes. Nothing
// here is timed: only what arrived, and in which order.
func smoke(viewers int, first string) loadConfig {
	return loadConfig{Viewers: viewers, Ramp: 5000, First: first, Changes: 20, ChangeRate: 40, PatchRate: 0, GetSeconds: 0}
}

func checkPhase(t *testing.T, res *targetResult, viewers int) {
	t.Helper()
	if res.Connected != viewers {
		t.Errorf("%d of %d viewers connected (%d dial errors)", res.Connected, viewers, res.DialErrors)
	}
	p := res.Delivery
	if p == nil {
		t.Fatal("no delivery phase")
	}
	if p.err != nil {
		t.Fatalf("%d of %d changes failed: %v", p.Errors, p.Changes, p.err)
	}
	if p.Lost != 0 || p.OutOfOrder != 0 {
		t.Errorf("lost %d, out of order %d; want 0 and 0", p.Lost, p.OutOfOrder)
	}
	if p.Held != viewers || p.Expected != int64(viewers*p.Changes) {
		t.Errorf("%d viewers received every change, %d receipts expected; want %d and %d", p.Held, p.Expected, viewers, viewers*p.Changes)
	}
	if p.Delivery.N != viewers*p.Changes {
		t.Errorf("%d delivery latencies, want %d", p.Delivery.N, viewers*p.Changes)
	}
}

func TestSmokeTribune(t *testing.T) {
	url, token := tribuneServer(t)
	prog := newProgress(io.Discard, false)
	defer prog.close()
	res, err := runLoad(context.Background(), runConfig{URL: url, Token: token, Slots: 12, Load: smoke(200, "since")}, prog)
	if err != nil {
		t.Fatal(err)
	}
	checkPhase(t, res, 200)
}

func TestSmokeTribuneSnapshots(t *testing.T) {
	url, token := tribuneServer(t)
	prog := newProgress(io.Discard, false)
	defer prog.close()
	res, err := runLoad(context.Background(), runConfig{URL: url, Token: token, Slots: 3, Load: smoke(50, "snapshot")}, prog)
	if err != nil {
		t.Fatal(err)
	}
	checkPhase(t, res, 50)
}

func TestSmokeFloor(t *testing.T) {
	srv := httptest.NewServer(newFloor().handler())
	defer srv.Close()
	prog := newProgress(io.Discard, false)
	defer prog.close()
	cfg := smoke(200, "since")
	cfg.PatchRate, cfg.PatchSeconds = 50, 0.4
	res, err := runLoad(context.Background(), runConfig{Floor: srv.URL, Load: cfg}, prog)
	if err != nil {
		t.Fatal(err)
	}
	checkPhase(t, res, 200)
	if p := res.Patch; p == nil || p.Lost != 0 || p.OutOfOrder != 0 || p.Held != 200 {
		t.Errorf("patch phase: %+v", p)
	}
}

// A viewer whose connection drops resumes with since and misses nothing.
func TestViewersResumeAfterDrop(t *testing.T) {
	f := newFloor()
	srv := httptest.NewServer(f.handler())
	defer srv.Close()
	ctx := context.Background()
	aud := newAudience(ctx, wsURL(srv.URL, "/live"), "since", 0)
	defer aud.close()
	if n := aud.ramp(20, 1000); n != 20 {
		t.Fatalf("%d connected", n)
	}
	ch := &floorChanges{base: srv.URL, client: newHTTPClient(4, nil), tag: "t"}
	for k := range 5 {
		if _, err := ch.change(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	// Every viewer drops, between two changes, and resumes with since.
	f.mu.Lock()
	var conns []*floorConn
	for _, shard := range f.shards {
		conns = append(conns, shard...)
	}
	f.mu.Unlock()
	for _, fc := range conns {
		fc.conn.Close()
	}
	for k := range 5 {
		if _, err := ch.change(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	if !aud.waitCaughtUp(10, 10*time.Second) {
		t.Fatalf("viewers did not catch up: %+v", aud.counters())
	}
	if c := aud.counters(); c.OutOfOrder != 0 || c.Reconnects < 20 {
		t.Errorf("counters %+v: want 0 out of order and a reconnect per viewer", c)
	}
}

func TestParseHead(t *testing.T) {
	for _, tc := range []struct {
		in      string
		kind    string
		version int64
		ok      bool
	}{
		{`{"type":"change","version":12,"server_time":"2026-12-05T17:00:00Z"`, "change", 12, true},
		{`{"type":"snapshot","version":0,"agenda":{}}`, "snapshot", 0, true},
		{`{"type":"change","version":1`, "", 0, false}, // cut inside the number
		{`{"version":3}`, "", 0, false},
	} {
		kind, version, ok := parseHead([]byte(tc.in))
		if kind != tc.kind || version != tc.version || ok != tc.ok {
			t.Errorf("parseHead(%s) = %q, %d, %v; want %q, %d, %v", tc.in, kind, version, ok, tc.kind, tc.version, tc.ok)
		}
	}
}

func TestSummarize(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	got := summarize(d)
	if got.P50 != 50 || got.P90 != 90 || got.P99 != 99 || got.Max != 100 || got.N != 100 {
		t.Errorf("summarize(1…100 ms) = %+v", got)
	}
}
