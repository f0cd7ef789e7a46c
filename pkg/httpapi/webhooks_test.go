package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-act/tribune/pkg/store"
	"github.com/tribune-act/tribune/pkg/webhook"
)

// receiver is a real HTTP endpoint that records every delivery.
type receiver struct {
	t      *testing.T
	secret string
	srv    *httptest.Server
	mu     sync.Mutex
	calls  []delivery
	// fail answers 500 to the first fail requests; block holds every request until closed.
	fail  int
	block chan struct{}
}

type delivery struct {
	payload webhook.Payload
	ok      bool
}

func newReceiver(t *testing.T, secret string, fail int, block bool) *receiver {
	r := &receiver{t: t, secret: secret, fail: fail}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	if block {
		r.block = make(chan struct{})
		t.Cleanup(func() { close(r.block) }) // runs before Close, which waits for handlers
	}
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	if r.block != nil {
		<-r.block
		return
	}
	if !webhook.Verify(r.secret, body, req.Header.Get(webhook.SignatureHeader)) {
		r.t.Errorf("bad signature %q on %s", req.Header.Get(webhook.SignatureHeader), body)
	}
	var p webhook.Payload
	if err := json.Unmarshal(body, &p); err != nil {
		r.t.Errorf("payload %s: %v", body, err)
	}
	if req.Header.Get("X-Tribune-Version") != fmt.Sprint(p.Version) || req.Header.Get("Content-Type") != "application/json" {
		r.t.Errorf("headers %v", req.Header)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ok := len(r.calls) >= r.fail
	r.calls = append(r.calls, delivery{payload: p, ok: ok})
	if !ok {
		http.Error(w, "not now", http.StatusInternalServerError)
	}
}

// delivered returns the versions acknowledged so far, in arrival order.
func (r *receiver) delivered() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int64
	for _, c := range r.calls {
		if c.ok {
			out = append(out, c.payload.Version)
		}
	}
	return out
}

// startWebhooks runs a dispatcher on the harness's store until the test ends, or until the returned stop.
func startWebhooks(t *testing.T, h *harness) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	d := webhook.New(h.store, webhook.Options{
		Poll: 50 * time.Millisecond, MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Timeout: time.Second,
	}, slog.New(slog.NewTextHandler(h.logs, nil)))
	h.store.OnCommit(d.Notify)
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWebhooksDeliverEveryChangeInOrderSignedWithRetries(t *testing.T) {
	a := newAct(t)
	h := a.h
	stop := startWebhooks(t, h)
	const secret = "a secret of sixteen or more"
	rcv := newReceiver(t, secret, 3, false)

	var hook struct {
		store.Webhook
		Secret string `json:"secret"`
	}
	r := h.must(201, "POST", a.path("/webhooks"), a.editor, map[string]any{"url": rcv.srv.URL + "/hook", "secret": secret})
	r.decode(t, &hook)
	if hook.Secret != secret || hook.DeliveredVersion != h.version(a.id) || r.header.Get("Location") == "" {
		t.Fatalf("created %s", r.body)
	}
	first := h.version(a.id) + 1
	const n = 10
	for i := range n {
		a.edit(t, i)
	}
	last := h.version(a.id)
	waitFor(t, "every change", func() bool { return len(rcv.delivered()) >= n })

	got := rcv.delivered()
	for i, v := range got {
		if v != first+int64(i) {
			t.Fatalf("delivered versions %v, want %d..%d in order", got, first, last)
		}
	}
	rcv.mu.Lock()
	calls := append([]delivery(nil), rcv.calls...)
	rcv.mu.Unlock()
	for i := range calls {
		if i < 3 && (calls[i].ok || calls[i].payload.Version != first) {
			t.Errorf("call %d: %+v, want a failed delivery of %d", i, calls[i], first)
		}
		if i > 0 && calls[i].payload.Version < calls[i-1].payload.Version {
			t.Errorf("version %d sent after %d", calls[i].payload.Version, calls[i-1].payload.Version)
		}
	}
	p := calls[len(calls)-1].payload
	if p.EventID != a.id || p.Kind != "slot.update" || len(p.Public.Upsert["slots"]) != 1 {
		t.Errorf("payload %+v", p)
	}

	// The delivery log shows the failures and the successes; the webhook is caught up.
	var log []store.WebhookDelivery
	h.must(200, "GET", a.path("/webhooks/"+hook.ID+"/deliveries?limit=200"), a.editor, nil).decode(t, &log)
	if len(log) != n+3 {
		t.Fatalf("%d log entries, want %d", len(log), n+3)
	}
	oldest := log[len(log)-3:]
	for i, d := range oldest {
		if d.StatusCode != 500 || d.Error == "" || d.Version != first || d.Attempt != 3-i {
			t.Errorf("log entry %+v, want failed attempt %d of version %d", d, 3-i, first)
		}
	}
	if log[0].StatusCode != 200 || log[0].Error != "" || log[0].Version != last {
		t.Errorf("latest log entry %+v", log[0])
	}
	var w store.Webhook
	waitFor(t, "the cursor", func() bool {
		h.must(200, "GET", a.path("/webhooks/"+hook.ID), a.editor, nil).decode(t, &w)
		return w.DeliveredVersion == last
	})

	// Changes made while no dispatcher runs are delivered by the next one.
	stop()
	a.edit(t, 100)
	a.edit(t, 101)
	startWebhooks(t, h)
	waitFor(t, "the changes after a restart", func() bool { return len(rcv.delivered()) == n+2 })
	if got := rcv.delivered(); got[n] != last+1 || got[n+1] != last+2 {
		t.Fatalf("after the restart: %v", got[n:])
	}
}

func TestSlowWebhookNeverSlowsTheAPI(t *testing.T) {
	a := newAct(t)
	h := a.h
	startWebhooks(t, h)
	for range 5 { // more stuck endpoints than workers
		rcv := newReceiver(t, "", 0, true)
		h.must(201, "POST", a.path("/webhooks"), a.editor, map[string]any{"url": rcv.srv.URL})
	}
	start := time.Now()
	for i := range 20 {
		a.edit(t, i)
		h.must(200, "GET", "/api/v1/public/events/peace", "", nil)
	}
	if took := time.Since(start); took > 10*time.Second { // in line, the stuck endpoints would cost 100 s
		t.Fatalf("20 edits took %v with stuck webhooks", took)
	}
}

func TestWebhookRoutes(t *testing.T) {
	a := newAct(t)
	h := a.h
	h.must(400, "POST", a.path("/webhooks"), a.editor, map[string]any{"url": "ftp://example.org"})
	h.must(400, "POST", a.path("/webhooks"), a.editor, map[string]any{"url": "https://example.org", "secret": "short"})
	h.must(400, "POST", a.path("/webhooks"), a.editor, map[string]any{"url": "https://example.org", "colour": "red"})
	h.must(403, "POST", a.path("/webhooks"), a.stage, map[string]any{"url": "https://example.org"})
	h.must(403, "GET", a.path("/webhooks"), a.outsider, nil)
	h.must(401, "GET", a.path("/webhooks"), "", nil)
	var made struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	h.must(201, "POST", a.path("/webhooks"), a.owner, map[string]any{"url": "https://example.org/hook"}).decode(t, &made)
	if len(made.Secret) < 32 {
		t.Fatalf("made secret %q", made.Secret)
	}
	list := h.must(200, "GET", a.path("/webhooks"), a.editor, nil)
	if strings.Contains(string(list.body), made.Secret) {
		t.Fatal("the list shows the secret")
	}
	h.must(404, "GET", "/api/v1/events/"+a.otherEventID+"/webhooks/"+made.ID, a.outsider, nil)
	h.must(400, "GET", a.path("/webhooks/"+made.ID+"/deliveries?limit=0"), a.editor, nil)
	h.must(204, "DELETE", a.path("/webhooks/"+made.ID), a.editor, nil)
	h.must(404, "DELETE", a.path("/webhooks/"+made.ID), a.editor, nil)
	h.must(404, "GET", a.path("/webhooks/"+made.ID+"/deliveries"), a.editor, nil)
	for i := range 20 {
		h.must(201, "POST", a.path("/webhooks"), a.editor, map[string]any{"url": fmt.Sprintf("https://example.org/%d", i)})
	}
	h.must(409, "POST", a.path("/webhooks"), a.editor, map[string]any{"url": "https://example.org/21"})
}
