package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/store"
	"github.com/tribune-act/tribune/pkg/store/storetest"
)

// instance is one `tribune serve` process.
type instance struct {
	t    *testing.T
	bin  string
	dsn  string
	addr string
	cmd  *exec.Cmd
}

func (in *instance) start() {
	in.t.Helper()
	in.cmd = exec.Command(in.bin, "serve", "--addr", in.addr, "--db", in.dsn, "--log-level", "warn")
	in.cmd.Env = append(os.Environ(), "TRIBUNE_SECRET=a cluster test secret of 32+ bytes!!")
	in.cmd.Stderr = os.Stderr
	if err := in.cmd.Start(); err != nil {
		in.t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get("http://" + in.addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			in.t.Fatalf("%s did not start: %v", in.addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (in *instance) kill() {
	_ = in.cmd.Process.Signal(syscall.SIGKILL)
	_ = in.cmd.Wait()
}

// viewer follows the public feed, reconnecting (with since) to the next
// instance whenever its connection drops, and checks every version comes once, in order.
type viewer struct {
	// light viewers only check that versions come once and in order.
	light    bool
	mu       sync.Mutex
	version  int64
	agenda   map[string]json.RawMessage
	received map[int64]time.Time
	err      error
}

func (v *viewer) run(ctx context.Context, addrs func() []string, first int, slug string) {
	for i := first; ctx.Err() == nil; i++ {
		all := addrs()
		addr := all[i%len(all)]
		v.mu.Lock()
		url := "ws://" + addr + "/api/v1/public/events/" + slug + "/live"
		if v.agenda != nil {
			url += fmt.Sprintf("?since=%d", v.version)
		}
		v.mu.Unlock()
		conn, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
		if err != nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		stop := context.AfterFunc(ctx, func() { conn.Close() })
		for {
			_, raw, err := conn.ReadMessage()
			if err != nil {
				break
			}
			if err := v.apply(raw); err != nil {
				v.mu.Lock()
				v.err = err
				v.mu.Unlock()
				conn.Close()
				stop()
				return
			}
		}
		stop()
		conn.Close()
	}
}

func (v *viewer) apply(raw []byte) error {
	var m struct {
		Type    string                       `json:"type"`
		Version int64                        `json:"version"`
		Agenda  map[string]json.RawMessage   `json:"agenda"`
		Upsert  map[string][]json.RawMessage `json:"upsert"`
		Delete  map[string][]string          `json:"delete"`
		Event   json.RawMessage              `json:"event"`
		Live    json.RawMessage              `json:"live"`
	}
	if v.light {
		var h struct {
			Type    string `json:"type"`
			Version int64  `json:"version"`
		}
		if err := json.Unmarshal(raw, &h); err != nil {
			return err
		}
		v.mu.Lock()
		defer v.mu.Unlock()
		if h.Type == "change" && h.Version != v.version+1 {
			return fmt.Errorf("at version %d, got %d", v.version, h.Version)
		}
		v.version = h.Version
		return nil
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	switch {
	case m.Type == "snapshot":
		v.agenda = m.Agenda
	case m.Version != v.version+1:
		return fmt.Errorf("at version %d, got %d", v.version, m.Version)
	default:
		for coll, items := range m.Upsert {
			var list []json.RawMessage
			_ = json.Unmarshal(v.agenda[coll], &list)
			for _, it := range items {
				list = slices.DeleteFunc(list, func(x json.RawMessage) bool { return idOf(x) == idOf(it) })
				list = append(list, it)
			}
			v.agenda[coll], _ = json.Marshal(list)
		}
		for coll, ids := range m.Delete {
			var list []json.RawMessage
			_ = json.Unmarshal(v.agenda[coll], &list)
			list = slices.DeleteFunc(list, func(x json.RawMessage) bool { return slices.Contains(ids, idOf(x)) })
			v.agenda[coll], _ = json.Marshal(list)
		}
		if m.Event != nil {
			v.agenda["event"] = m.Event
		}
		if m.Live != nil {
			v.agenda["live"] = m.Live
		}
		v.agenda["version"] = json.RawMessage(fmt.Sprint(m.Version))
		if _, seen := v.received[m.Version]; seen {
			return fmt.Errorf("version %d came twice", m.Version)
		}
		v.received[m.Version] = time.Now()
	}
	v.version = m.Version
	return nil
}

func idOf(raw json.RawMessage) string {
	var o struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &o)
	return o.ID
}

// canonical sorts collections by id, so equal agendas compare equal.
func canonical(agenda map[string]json.RawMessage) string {
	out := map[string]any{}
	for k, raw := range agenda {
		var list []map[string]any
		if json.Unmarshal(raw, &list) == nil && list != nil {
			sort.Slice(list, func(i, j int) bool { return fmt.Sprint(list[i]["id"]) < fmt.Sprint(list[j]["id"]) })
			out[k] = list
			continue
		}
		var v any
		_ = json.Unmarshal(raw, &v)
		out[k] = v
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// TestThreeInstancesOnePostgres: three `tribune serve` processes share one
// PostgreSQL database; viewers on each see every change once, in order, while
// changes go through different instances and one instance is killed (SIGKILL)
// and restarted; all end equal to the public agenda.
func TestThreeInstancesOnePostgres(t *testing.T) {
	storetest.PostgresDSN(t) // skips without PostgreSQL
	bin := filepath.Join(t.TempDir(), "tribune")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	// The same fan-out on one instance first, for comparison; then three, with a kill.
	for _, n := range []int{1, 3} {
		t.Run(fmt.Sprintf("instances=%d", n), func(t *testing.T) { cluster(t, bin, n) })
	}
}

func cluster(t *testing.T, bin string, n int) {
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	token, eventID, stage := seed(t, dsn)
	st := storetest.Open(t, dsn)
	slot := store.NewID()
	if _, _, err := st.Change(ctx, eventID, "setup", "slot", func(a *agenda.Agenda) error {
		return a.AddSlot(slot, stage, nil, agenda.SlotFields{Kind: agenda.KindSpeech, Title: "Opening", DurationSeconds: 300})
	}); err != nil {
		t.Fatal(err)
	}

	instances := make([]*instance, n)
	var live []string
	for i := range instances {
		instances[i] = &instance{t: t, bin: bin, dsn: dsn, addr: freeAddr(t)}
		instances[i].start()
		defer instances[i].kill()
		live = append(live, instances[i].addr)
	}
	var mu sync.Mutex
	addrs := func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(live) }

	vctx, stopViewers := context.WithCancel(ctx)
	defer stopViewers()
	viewers := make([]*viewer, 12)
	for i := range viewers {
		viewers[i] = &viewer{received: map[int64]time.Time{}}
		go viewers[i].run(vctx, addrs, i, "act")
	}
	acked := map[int64]time.Time{}
	edit := func(i int) {
		t.Helper()
		for try := 0; ; try++ {
			all := addrs()
			addr := all[(i+try)%len(all)]
			body := strings.NewReader(fmt.Sprintf(`{"title":"Opening #%d"}`, i))
			req, _ := http.NewRequest("PATCH", "http://"+addr+"/api/v1/events/"+eventID+"/slots/"+slot, body)
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err == nil {
				var got struct {
					Revision int64 `json:"revision"`
				}
				_ = json.NewDecoder(res.Body).Decode(&got)
				res.Body.Close()
				if res.StatusCode == 200 {
					acked[got.Revision] = time.Now()
					return
				}
			}
			if try > 20 {
				t.Fatalf("change %d failed everywhere: %v", i, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	time.Sleep(500 * time.Millisecond) // let the viewers take their snapshots
	for i := range 150 {
		switch {
		case n < 3:
		case i == 50:
			instances[1].kill()
			mu.Lock()
			live = []string{instances[0].addr, instances[2].addr}
			mu.Unlock()
		case i == 100:
			instances[1].start()
			mu.Lock()
			live = []string{instances[0].addr, instances[1].addr, instances[2].addr}
			mu.Unlock()
		}
		edit(i)
	}
	final := int64(0)
	for v := range acked {
		final = max(final, v)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, v := range viewers {
		for {
			v.mu.Lock()
			done, err := v.version >= final, v.err
			v.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			if done {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("a viewer is stuck at version %d of %d", v.version, final)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	stopViewers()
	var latencies []time.Duration
	for i, in := range instances {
		res, err := http.Get("http://" + in.addr + "/api/v1/public/events/act")
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]json.RawMessage
		_ = json.NewDecoder(res.Body).Decode(&want)
		res.Body.Close()
		for j, v := range viewers {
			v.mu.Lock()
			if canonical(v.agenda) != canonical(want) {
				t.Errorf("viewer %d differs from instance %d's public agenda", j, i)
			}
			v.mu.Unlock()
		}
	}
	for _, v := range viewers {
		for version, at := range v.received {
			if sent, ok := acked[version]; ok {
				latencies = append(latencies, at.Sub(sent))
			}
		}
	}
	slices.Sort(latencies)
	if len(latencies) > 0 {
		t.Logf("%d instance(s), 12 viewers, 150 changes (with three, one killed and restarted): acknowledgement to receipt p50 %v, p99 %v, max %v (%d deliveries)",
			n, latencies[len(latencies)/2], latencies[len(latencies)*99/100], latencies[len(latencies)-1], len(latencies))
	}
}
