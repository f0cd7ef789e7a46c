package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// rssKB reads a process's resident memory from /proc.
func rssKB(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// TestReconnectStorm: 2,000 viewers reconnect at once with a since far behind
// (older than the in-memory window, so every resume reads the change log): the
// server stays up, its memory stays bounded, and every viewer converges on the
// public agenda with no gap.
func TestReconnectStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("a storm of 2,000 connections")
	}
	bin := buildTribune(t)
	dsn := filepath.Join(t.TempDir(), "tribune.db")
	token, eventID, stageID := seed(t, dsn)
	in := &instance{t: t, bin: bin, dsn: dsn, addr: freeAddr(t)}
	in.start()
	defer in.kill()
	base := "http://" + in.addr + "/api/v1/events/" + eventID
	res, out, err := apiDo("POST", base+"/slots", token, fmt.Sprintf(`{"stage_id":%q,"title":"Opening","duration_seconds":60}`, stageID))
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("slot: %v", err)
	}
	slot := out["id"].(string)

	const viewers = 2000
	feed := "ws://" + in.addr + "/api/v1/public/events/act/live"
	// Every viewer takes a snapshot, then goes away.
	vs := make([]*viewer, viewers)
	var wg sync.WaitGroup
	dialer := websocket.Dialer{HandshakeTimeout: 30 * time.Second}
	for i := range vs {
		vs[i] = &viewer{received: map[int64]time.Time{}, light: i%40 != 0}
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, _, err := dialer.Dial(feed, nil)
			if err != nil {
				vs[i].err = err
				return
			}
			defer conn.Close()
			_, raw, err := conn.ReadMessage()
			if err == nil {
				err = vs[i].apply(raw)
			}
			vs[i].err = err
		}()
	}
	wg.Wait()
	for _, v := range vs {
		if v.err != nil {
			t.Fatal(v.err)
		}
	}
	before := rssKB(t, in.cmd.Process.Pid)
	// The act moves on by more than the server keeps in memory.
	for i := range 600 {
		if res, _, err := apiDo("PATCH", base+"/slots/"+slot, token, fmt.Sprintf(`{"title":"Opening #%d"}`, i)); err != nil || res.StatusCode != 200 {
			t.Fatalf("change %d: %v", i, err)
		}
	}
	_, out, _ = apiDo("GET", base, token, "")
	final := int64(out["version"].(float64))
	// All come back at once, from where they left.
	start := make(chan struct{})
	peak := 0
	for _, v := range vs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// Like a real client: a dropped connection is resumed from where it was.
			for attempt := 0; v.version < final; attempt++ {
				if attempt == 20 {
					v.err = fmt.Errorf("still at %d of %d after %d reconnects", v.version, final, attempt)
					return
				}
				conn, _, err := dialer.Dial(fmt.Sprintf("%s?since=%d", feed, v.version), nil)
				if err != nil {
					time.Sleep(100 * time.Millisecond)
					continue
				}
				for v.version < final {
					_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
					_, raw, err := conn.ReadMessage()
					if err != nil {
						break
					}
					if err := v.apply(raw); err != nil {
						v.err = err
						conn.Close()
						return
					}
				}
				conn.Close()
			}
		}()
	}
	sample, stopSample := context.WithCancel(context.Background())
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for sample.Err() == nil {
			peak = max(peak, rssKB(t, in.cmd.Process.Pid))
			time.Sleep(20 * time.Millisecond)
		}
	}()
	close(start)
	wg.Wait()
	stopSample()
	<-sampled
	r, err := http.Get("http://" + in.addr + "/api/v1/public/events/act")
	if err != nil {
		t.Fatalf("the server is down after the storm: %v", err)
	}
	var want map[string]json.RawMessage
	_ = json.NewDecoder(r.Body).Decode(&want)
	r.Body.Close()
	for i, v := range vs {
		if v.err != nil {
			t.Fatalf("viewer %d: %v", i, v.err)
		}
		if v.version != final {
			t.Fatalf("viewer %d ended at %d of %d", i, v.version, final)
		}
		if !v.light && canonical(v.agenda) != canonical(want) {
			t.Fatalf("viewer %d differs from the public agenda", i)
		}
	}
	t.Logf("%d viewers resumed 600 changes behind: server RSS %d KB before, peak %d KB", viewers, before, peak)
	if peak > 1024*1024 {
		t.Fatalf("the server's memory grew to %d KB", peak)
	}
}
