package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	_ "github.com/mattn/go-sqlite3"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/auth"
	"github.com/tribune-act/tribune/pkg/store"
	"github.com/tribune-act/tribune/pkg/store/storetest"
)

// buildTribune builds the binary once per test.
func buildTribune(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tribune")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// seed creates an admin with a token and a published event with one stage.
func seed(t *testing.T, dsn string) (token, eventID, stageID string) {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, dsn)
	defer st.Close()
	u, err := st.CreateUser(ctx, "admin@example.org", "x", true)
	if err != nil {
		t.Fatal(err)
	}
	token, hash, _ := auth.NewToken(auth.APITokenPrefix)
	if err := st.CreateAPIToken(ctx, u.ID, "test", hash); err != nil {
		t.Fatal(err)
	}
	a, err := st.CreateEvent(ctx, u.ID, agenda.EventFields{Slug: "act", Title: "Act", StartsAt: time.Now(), Timezone: "UTC", Status: agenda.StatusPublished})
	if err != nil {
		t.Fatal(err)
	}
	stageID = store.NewID()
	if _, _, err := st.Change(ctx, a.Event.ID, "seed", "stage", func(a *agenda.Agenda) error {
		return a.AddStage(stageID, agenda.StageFields{Name: "Main"}, nil)
	}); err != nil {
		t.Fatal(err)
	}
	return token, a.Event.ID, stageID
}

func apiDo(method, url, token string, body string) (*http.Response, map[string]any, error) {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res, out, nil
}

// TestAcknowledgedChangesSurviveSIGKILL: changes acknowledged by the API are all
// there after the server is killed mid-write, versions are contiguous, and (on
// SQLite) the database passes PRAGMA integrity_check.
func TestAcknowledgedChangesSurviveSIGKILL(t *testing.T) {
	bin := buildTribune(t)
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			token, eventID, stageID := seed(t, dsn)
			in := &instance{t: t, bin: bin, dsn: dsn, addr: freeAddr(t)}
			in.start()
			base := "http://" + in.addr + "/api/v1/events/" + eventID
			var mu sync.Mutex
			acked := map[string]bool{} // ids of slots whose creation was acknowledged
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ; i++ {
						res, out, err := apiDo("POST", base+"/slots", token, fmt.Sprintf(`{"stage_id":%q,"title":"w%d-%d","duration_seconds":60}`, stageID, w, i))
						if err != nil {
							return // the server is gone
						}
						if res.StatusCode == 201 {
							mu.Lock()
							acked[out["id"].(string)] = true
							mu.Unlock()
						}
					}
				}()
			}
			for {
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				if n >= 60 {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			in.kill()
			wg.Wait()

			in.start()
			defer in.kill()
			_, out, err := apiDo("GET", base+"/changes?since=0&limit=1000", token, "")
			if err != nil {
				t.Fatal(err)
			}
			changes := out["changes"].([]any)
			for i, c := range changes {
				if v := int64(c.(map[string]any)["version"].(float64)); v != int64(i+1) {
					t.Fatalf("change %d has version %d: versions are not contiguous", i, v)
				}
			}
			res, slots, err := apiDoList(base+"/slots", token)
			if err != nil || res.StatusCode != 200 {
				t.Fatal(err)
			}
			present := map[string]bool{}
			for _, s := range slots {
				present[s["id"].(string)] = true
			}
			for id := range acked {
				if !present[id] {
					t.Errorf("acknowledged slot %s is gone", id)
				}
			}
			t.Logf("%d acknowledged, %d present, %d versions", len(acked), len(present), len(changes))
			if b.Name == "sqlite" {
				in.kill()
				db, err := sql.Open("sqlite3", dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				var result string
				if err := db.QueryRow("PRAGMA integrity_check").Scan(&result); err != nil || result != "ok" {
					t.Fatalf("integrity_check: %q %v", result, err)
				}
			}
		})
	}
}

func apiDoList(url, token string) (*http.Response, []map[string]any, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	var out []map[string]any
	err = json.NewDecoder(res.Body).Decode(&out)
	return res, out, err
}

// TestGracefulShutdown: on SIGTERM viewers get a close frame 1001 ("going away")
// and, once the server is back, resume with since and miss nothing.
func TestGracefulShutdown(t *testing.T) {
	bin := buildTribune(t)
	dsn := filepath.Join(t.TempDir(), "tribune.db")
	token, eventID, _ := seed(t, dsn)
	in := &instance{t: t, bin: bin, dsn: dsn, addr: freeAddr(t)}
	in.start()
	feed := "ws://" + in.addr + "/api/v1/public/events/act/live"
	conn, _, err := websocket.DefaultDialer.Dial(feed, nil)
	if err != nil {
		t.Fatal(err)
	}
	var snap struct {
		Version int64 `json:"version"`
	}
	if err := conn.ReadJSON(&snap); err != nil {
		t.Fatal(err)
	}
	if err := in.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_, _, err = conn.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Fatalf("viewer got %v, want close 1001", err)
	}
	if err := in.cmd.Wait(); err != nil {
		t.Fatalf("the server did not exit cleanly: %v", err)
	}
	in.start()
	defer in.kill()
	if res, _, err := apiDo("PATCH", "http://"+in.addr+"/api/v1/events/"+eventID, token, `{"title":"After the restart"}`); err != nil || res.StatusCode != 200 {
		t.Fatalf("patch: %v", err)
	}
	conn, _, err = websocket.DefaultDialer.Dial(fmt.Sprintf("%s?since=%d", feed, snap.Version), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var change struct {
		Type    string          `json:"type"`
		Version int64           `json:"version"`
		Event   json.RawMessage `json:"event"`
	}
	if err := conn.ReadJSON(&change); err != nil || change.Type != "change" || change.Version != snap.Version+1 || !strings.Contains(string(change.Event), "After the restart") {
		t.Fatalf("resume: %+v %v", change, err)
	}
}
