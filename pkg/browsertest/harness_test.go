package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/tribune-act/tribune/frontend"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/auth"
	"github.com/tribune-act/tribune/pkg/demo"
	"github.com/tribune-act/tribune/pkg/httpapi"
	"github.com/tribune-act/tribune/pkg/live"
	"github.com/tribune-act/tribune/pkg/store"
)

const chromium = "/usr/bin/chromium"

// The organizer every test signs in as.
const (
	organizerEmail    = "organizer@example.org"
	organizerPassword = "a long demo password"
)

// secret is fixed so that speakers' links survive a server restart.
var secret = []byte("the browser tests' secret, 32 bytes or more")

// requireBrowser skips a test where there is no Chromium or no frontend build,
// except on CI, where the browser tests must run.
func requireBrowser(t *testing.T) {
	t.Helper()
	why := ""
	if _, err := os.Stat(chromium); err != nil {
		why = chromium + " is missing (apt-get install chromium)"
	} else if !frontend.Built() {
		why = "the web UI is not built (make build, or npm ci && npm run build in frontend/)"
	}
	if why == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("browser tests must run on CI, but %s", why)
	}
	t.Skipf("browser tests skipped: %s", why)
}

// server is a real Tribune server on a real SQLite file, on a fixed address so
// that it can be stopped and started again under the pages' feet.
type server struct {
	t      *testing.T
	db     string
	addr   string
	st     *store.Store
	http   *http.Server
	done   chan struct{}
	URL    string
	token  string // the organizer's API token
	event  string // the demo act's id
	closed bool
	// configure, when set, adds to the server's configuration (e-mail, say).
	configure func(*httpapi.Config)
}

func startServer(t *testing.T) *server {
	t.Helper()
	return startServerWith(t, nil)
}

// startServerWith starts a server whose configuration configure completes.
func startServerWith(t *testing.T, configure func(*httpapi.Config)) *server {
	t.Helper()
	s := &server{t: t, db: filepath.Join(t.TempDir(), "tribune.db"), addr: "127.0.0.1:0", configure: configure}
	s.start()
	s.seed()
	t.Cleanup(s.stop)
	return s
}

func (s *server) start() {
	t := s.t
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, s.db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	keys, err := auth.NewSpeakerKeys(secret)
	if err != nil {
		t.Fatal(err)
	}
	registry := prometheus.NewRegistry()
	hub := live.NewHub(st, live.DefaultOptions, log, live.NewMetrics(registry))
	st.OnCommit(hub.Publish)
	s.done = make(chan struct{})
	var ln net.Listener
	for range 50 { // the old socket may take a moment to free its port
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.URL = "http://" + s.addr
	cfg := httpapi.Config{Registry: registry, Done: s.done, Keys: keys, SpeakerRate: 1000}
	if s.configure != nil {
		s.configure(&cfg)
	}
	h := httpapi.New(st, hub, log, cfg)
	s.st, s.http, s.closed = st, &http.Server{Handler: h}, false
	go func() { _ = s.http.Serve(ln) }()
}

func (s *server) stop() {
	if s.closed {
		return
	}
	s.closed = true
	close(s.done)
	_ = s.http.Close()
	s.st.Close()
}

// seed creates the organizer and the demo act (slug "demo", running now).
func (s *server) seed() {
	t := s.t
	ctx := context.Background()
	hash, err := auth.HashPassword(organizerPassword)
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.st.CreateUser(ctx, organizerEmail, hash, false)
	if err != nil {
		t.Fatal(err)
	}
	token, tokenHash, err := auth.NewToken(auth.APITokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.CreateAPIToken(ctx, u.ID, "test", tokenHash); err != nil {
		t.Fatal(err)
	}
	s.token = token
	act := demo.Act(time.Now().UTC(), store.NewID)
	created, err := s.st.CreateEvent(ctx, u.ID, act.Event.EventFields)
	if err != nil {
		t.Fatal(err)
	}
	s.event = created.Event.ID
	s.change("seed", func(a *agenda.Agenda) error {
		a.Stages, a.Slots, a.Speakers, a.Organizations, a.Live = act.Stages, act.Slots, act.Speakers, act.Organizations, act.Live
		return nil
	})
}

// change commits an edit straight through the store.
func (s *server) change(summary string, edit func(a *agenda.Agenda) error) *agenda.Agenda {
	s.t.Helper()
	a, _, err := s.st.Change(context.Background(), s.event, organizerEmail, summary, edit)
	if err != nil {
		s.t.Fatal(err)
	}
	return a
}

func (s *server) agenda() *agenda.Agenda {
	s.t.Helper()
	a, err := s.st.Agenda(context.Background(), s.event)
	if err != nil {
		s.t.Fatal(err)
	}
	return a
}

// api sends an organizer request with the API token and decodes a JSON answer into out.
func (s *server) api(method, path string, body any, out any, headers ...string) http.Header {
	s.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		s.t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return res.Header
}

// slotByTitle finds a slot of the demo act.
func slotByTitle(t *testing.T, a *agenda.Agenda, title string) agenda.Slot {
	t.Helper()
	for _, s := range a.Slots {
		if s.Title == title {
			return s
		}
	}
	t.Fatalf("no slot %q", title)
	return agenda.Slot{}
}

func speakerByName(t *testing.T, a *agenda.Agenda, name string) agenda.Speaker {
	t.Helper()
	for _, s := range a.Speakers {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no speaker %q", name)
	return agenda.Speaker{}
}

// browser starts a headless Chromium with a fresh profile and returns a tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}
	return ctx
}

// tab opens another tab of the same browser.
func tab(t *testing.T, parent context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// do runs actions with a deadline, failing the test with what was being done.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates JavaScript (awaiting a promise) and decodes its value.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](js, func(p *runtime.EvaluateParams) { p.AwaitPromise = ptr(true) }))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript predicate until it holds or within runs out.
func waitFor(t *testing.T, ctx context.Context, within time.Duration, what, predicate string) time.Duration {
	t.Helper()
	start := time.Now()
	c, cancel := context.WithTimeout(ctx, within+5*time.Second)
	defer cancel()
	_, err := chromedp.Run(c, chromedp.Poll[bool](predicate, chromedp.WithPollingTimeout(within), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 2000) : ""`))
		t.Fatalf("%s: not within %s (%v); the page says:\n%s", what, within, err, body)
	}
	return time.Since(start)
}

func ptr[T any](v T) *T { return &v }

// screenshotDir is where the tests leave their screenshots: bin/screenshots, or $TRIBUNE_SCREENSHOTS.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("TRIBUNE_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "bin", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// viewport sizes of the screenshots.
var (
	phone   = [2]int64{390, 844}
	desktop = [2]int64{1280, 900}
)

// screenshots writes full-page screenshots of the current page at phone and desktop sizes.
func screenshots(t *testing.T, ctx context.Context, name string, sizes ...[2]int64) {
	t.Helper()
	if len(sizes) == 0 {
		sizes = [][2]int64{phone, desktop}
	}
	dir := screenshotDir(t)
	for _, sz := range sizes {
		label := "desktop"
		switch {
		case sz == phone:
			label = "phone"
		case sz[0] == 1920:
			label = "1080p"
		}
		var opts []chromedp.EmulateViewportOption
		if sz == phone {
			opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile)
		}
		do(t, ctx, "resizing", chromedp.EmulateViewport(sz[0], sz[1], opts...), chromedp.Sleep(300*time.Millisecond))
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
		cancel()
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		path := filepath.Join(dir, fmt.Sprintf("%s-%s.png", name, label))
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do(t, ctx, "resetting the viewport", chromedp.EmulateViewport(desktop[0], desktop[1]))
}

// axe runs axe-core in the page and fails on any serious or critical violation.
func axe(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "frontend", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core: %v (npm ci in frontend/)", err)
		}
		t.Logf("axe-core not installed, accessibility not checked: %v", err)
		return
	}
	eval[bool](t, ctx, string(src)+";true")
	type violation struct {
		ID     string   `json:"id"`
		Impact string   `json:"impact"`
		Help   string   `json:"help"`
		Nodes  []string `json:"nodes"`
	}
	found := eval[[]violation](t, ctx, `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
		.filter(v => v.impact === "serious" || v.impact === "critical")
		.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " " + (n.failureSummary || ""))})))`)
	for _, v := range found {
		t.Errorf("axe on %s: %s (%s): %s\n  %s", page, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
	}
}
