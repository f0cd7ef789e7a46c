package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/tribune-act/tribune/pkg/auth"
	"github.com/tribune-act/tribune/pkg/httpapi"
	"github.com/tribune-act/tribune/pkg/live"
	"github.com/tribune-act/tribune/pkg/store"
)

// harness is a real Tribune server on a real SQLite file, reached over real HTTP.
type harness struct {
	t     *testing.T
	srv   *httptest.Server
	store *store.Store
	// onResponse, when set, sees every request and response (the OpenAPI check uses it).
	onResponse func(req *http.Request, body []byte, res *response)
	// logs is everything the server logged, at every level.
	logs *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func newHarness(t *testing.T) *harness {
	return newHarnessWith(t, live.DefaultOptions)
}

// newHarnessWith starts a server whose hub has the given options.
func newHarnessWith(t *testing.T, opts live.Options, tweaks ...func(*httpapi.Config)) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "tribune.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	keys, _ := auth.NewSpeakerKeys([]byte("a test secret of at least 32 bytes!"))
	registry := prometheus.NewRegistry()
	hub := live.NewHub(st, opts, log, live.NewMetrics(registry))
	st.OnCommit(hub.Publish)
	done := make(chan struct{})
	cfg := httpapi.Config{
		Registry: registry, Done: done, PublicOrigin: "https://act.example.org", Keys: keys, SpeakerRate: 1000,
	}
	for _, tweak := range tweaks {
		tweak(&cfg)
	}
	srv := httptest.NewServer(httpapi.New(st, hub, log, cfg))
	t.Cleanup(func() {
		close(done)
		srv.Close()
		st.Close()
	})
	h := &harness{t: t, srv: srv, store: st, logs: logs}
	checkOpenAPI(t, h)
	return h
}

// user creates an organizer and returns a personal API token for them.
func (h *harness) user(email string, admin bool) string {
	h.t.Helper()
	ctx := context.Background()
	u, err := h.store.CreateUser(ctx, email, "unused", admin)
	if err != nil {
		h.t.Fatal(err)
	}
	token, hash, err := auth.NewToken(auth.APITokenPrefix)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.store.CreateAPIToken(ctx, u.ID, "test", hash); err != nil {
		h.t.Fatal(err)
	}
	return token
}

// do sends a request. body may be nil, a []byte or string sent as is, or a value encoded as JSON.
// headers are name, value pairs.
func (h *harness) do(method, path, token string, body any, headers ...string) *response {
	h.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			h.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, h.srv.URL+path, bytes.NewReader(raw))
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := noRedirects.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	r := &response{status: res.StatusCode, header: res.Header, body: out}
	if h.onResponse != nil {
		h.onResponse(req, raw, r)
	}
	if r.status >= 400 {
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			h.t.Errorf("%s %s: status %d with Content-Type %q, want application/problem+json", method, path, r.status, ct)
		}
	}
	return r
}

// must sends a request and fails the test unless the status is want.
func (h *harness) must(want int, method, path, token string, body any, headers ...string) *response {
	h.t.Helper()
	r := h.do(method, path, token, body, headers...)
	if r.status != want {
		h.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.body)
	}
	return r
}

func (r *response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// field returns a top-level string field of a JSON object response.
func (r *response) field(t *testing.T, name string) string {
	t.Helper()
	var m map[string]any
	r.decode(t, &m)
	s, _ := m[name].(string)
	return s
}

// version reads the event's version straight from the database.
func (h *harness) version(eventID string) int64 {
	h.t.Helper()
	a, err := h.store.Agenda(context.Background(), eventID)
	if err != nil {
		h.t.Fatal(err)
	}
	return a.Event.Version
}

// noRedirects shows each response as the server sent it.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
