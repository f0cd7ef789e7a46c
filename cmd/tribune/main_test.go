package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExampleConfigIsCurrent(t *testing.T) {
	b, err := os.ReadFile("../../configs/tribune.env.example")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != exampleConfig() {
		t.Fatal("configs/tribune.env.example is stale: run `go run ./cmd/tribune config > configs/tribune.env.example`")
	}
}

func TestConfigPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tribune.env")
	if err := os.WriteFile(file, []byte("# comment\nTRIBUNE_ADDR=file:1\nTRIBUNE_DB=file.db\nTRIBUNE_LOG_LEVEL=warn\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TRIBUNE_DB": "env.db", "TRIBUNE_ADDR": "env:2"}
	getenv := func(k string) string { return env[k] }
	cfg, err := newCommandFlags("serve", getenv, &bytes.Buffer{}, "addr", "db", "demo", "log-level").parse([]string{"--config", file, "--addr", "flag:3", "--demo"}, getenv)
	if err != nil {
		t.Fatal(err)
	}
	want := config{"addr": "flag:3", "db": "env.db", "log-level": "warn", "demo": "true"}
	for k, v := range want {
		if cfg[k] != v {
			t.Errorf("%s = %q, want %q", k, cfg[k], v)
		}
	}
	if err := os.WriteFile(file, []byte("TRIBUNE_NOPE=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	none := func(string) string { return "" }
	if _, err := newCommandFlags("serve", none, &bytes.Buffer{}, "addr").parse([]string{"--config", file}, none); err == nil {
		t.Fatal("an unknown setting in the file was accepted")
	}
}

func runCLI(t *testing.T, ctx context.Context, args ...string) (string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(ctx, append([]string{"tribune"}, args...), strings.NewReader(""), &out, &errOut)
	return out.String() + errOut.String(), code
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestCommands runs the CLI as a user would: migrate, create a user and a token,
// serve the demo act twice (the seed is idempotent), and use the token.
func TestCommands(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "tribune.db")
	if out, code := runCLI(t, ctx, "migrate", "--db", db); code != 0 || !strings.Contains(out, "schema at version") {
		t.Fatalf("migrate: %d %s", code, out)
	}
	t.Setenv("TRIBUNE_PASSWORD", "short")
	if out, code := runCLI(t, ctx, "user", "create", "--email", "ana@example.org", "--db", db); code == 0 {
		t.Fatalf("a short password was accepted: %s", out)
	}
	t.Setenv("TRIBUNE_PASSWORD", "a long enough passphrase")
	if out, code := runCLI(t, ctx, "user", "create", "--email", "ana@example.org", "--admin", "--db", db); code != 0 || !strings.Contains(out, "admin: true") {
		t.Fatalf("user create: %d %s", code, out)
	}
	if _, code := runCLI(t, ctx, "user", "create", "--email", "ana@example.org", "--db", db); code == 0 {
		t.Fatal("a duplicate user was created")
	}
	out, code := runCLI(t, ctx, "token", "create", "--email", "ana@example.org", "--name", "laptop", "--db", db)
	token := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(token, "trb_") {
		t.Fatalf("token create: %d %s", code, out)
	}
	if _, code := runCLI(t, ctx, "token", "create", "--email", "nobody@example.org", "--db", db); code == 0 {
		t.Fatal("a token for a missing user was created")
	}
	// A consistent copy, usable as a database.
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if out, code := runCLI(t, ctx, "backup", "--db", db, "--to", copyPath); code != 0 || !strings.Contains(out, "backed up") {
		t.Fatalf("backup: %d %s", code, out)
	}
	if _, code := runCLI(t, ctx, "backup", "--db", db, "--to", copyPath); code == 0 {
		t.Fatal("backup overwrote an existing file")
	}
	if out, code := runCLI(t, ctx, "token", "create", "--email", "ana@example.org", "--db", copyPath); code != 0 || !strings.HasPrefix(out, "trb_") {
		t.Fatalf("the copy is not a working database: %s", out)
	}
	if _, code := runCLI(t, ctx, "frobnicate"); code != 2 {
		t.Fatal("an unknown command did not fail with 2")
	}
	if out, code := runCLI(t, ctx, "version"); code != 0 || !strings.HasPrefix(out, "tribune ") {
		t.Fatalf("version: %s", out)
	}

	var versions []float64
	for i := range 2 {
		addr, debugAddr := freeAddr(t), freeAddr(t)
		args := []string{"serve", "--demo", "--addr", addr, "--db", db, "--log-level", "warn"}
		if i == 0 {
			args = append(args, "--debug-addr", debugAddr)
		}
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan string)
		go func() {
			out, code := runCLI(t, sctx, args...)
			if code != 0 {
				out = "exit " + out
			}
			done <- out
		}()
		agenda := waitJSON(t, "http://"+addr+"/api/v1/public/events/demo", "")
		versions = append(versions, agenda["version"].(float64))
		if live := agenda["live"].(map[string]any); live["state"] != "running" {
			t.Errorf("demo act is not running: %v", live)
		}
		// The admin's token works against the API.
		events := waitJSON(t, "http://"+addr+"/api/v1/events", token)
		if events == nil {
			t.Fatal("no events for the admin")
		}
		// The profiler answers on its own listener only, and only when asked for.
		for _, probe := range []struct {
			url  string
			want int
		}{
			{"http://" + debugAddr + "/debug/pprof/", map[bool]int{true: 200, false: -1}[i == 0]},
			{"http://" + addr + "/debug/pprof/", 404},
		} {
			got := -1
			if res, err := http.Get(probe.url); err == nil {
				got = res.StatusCode
				res.Body.Close()
			}
			if got != probe.want {
				t.Errorf("GET %s: %d, want %d (-1: no answer)", probe.url, got, probe.want)
			}
		}
		cancel()
		out := <-done
		if strings.HasPrefix(out, "exit") || !strings.Contains(out, "organizer@example.org") {
			t.Fatalf("serve: %s", out)
		}
	}
	if versions[0] != versions[1] {
		t.Fatalf("the demo was seeded twice: versions %v", versions)
	}
}

// waitJSON polls url until the server answers 200 and returns the decoded body.
func waitJSON(t *testing.T, url, token string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, _ := http.NewRequest("GET", url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			var v any
			derr := json.NewDecoder(res.Body).Decode(&v)
			res.Body.Close()
			if res.StatusCode == 200 && derr == nil {
				if m, ok := v.(map[string]any); ok {
					return m
				}
				return map[string]any{"list": v}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer: %v", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
