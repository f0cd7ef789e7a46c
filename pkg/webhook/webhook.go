// Package webhook delivers each committed change of an event to the URLs its
// organizers registered: signed with the webhook's secret, in version order per
// webhook, at least once, retried with backoff. Delivery runs in a bounded pool of
// background goroutines that read the change log, so a slow or failing endpoint
// never holds up a request or the live feed.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/store"
)

// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the body, keyed with
// the webhook's secret.
const SignatureHeader = "X-Tribune-Signature"

// Payload is the JSON body of a delivery: which change of which event, what kind
// of change (the change log's summary, such as "slot.update" or "live.next"), and
// the public delta, as the viewers' feed carries it. Nothing private is sent.
type Payload struct {
	EventID string       `json:"event_id"`
	Version int64        `json:"version"`
	At      time.Time    `json:"at"`
	Kind    string       `json:"kind"`
	Public  agenda.Delta `json:"public"`
}

// Sign returns the signature header's value for a body.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature is the signature of body with secret, in constant time.
func Verify(secret string, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(signature))
}

// Options tune the dispatcher; zero values take the defaults.
type Options struct {
	// Workers is how many deliveries may be in flight at once (4).
	Workers int
	// Timeout bounds one request (10s).
	Timeout time.Duration
	// Poll is how often the database is checked for work that no local commit
	// announced: after a restart, or changes committed by another instance (5s).
	Poll time.Duration
	// MinBackoff and MaxBackoff bound the wait before a failed delivery is retried (1s, 10m).
	MinBackoff, MaxBackoff time.Duration
	// Lease is how long one instance holds a webhook while it delivers (2m).
	Lease time.Duration
	// Client sends the requests; by default one that refuses link-local addresses
	// (cloud metadata services) and does not follow redirects.
	Client *http.Client
}

func (o Options) withDefaults() Options {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	def(&o.Timeout, 10*time.Second)
	def(&o.Poll, 5*time.Second)
	def(&o.MinBackoff, time.Second)
	def(&o.MaxBackoff, 10*time.Minute)
	def(&o.Lease, 2*time.Minute)
	if o.Client == nil {
		o.Client = newClient()
	}
	return o
}

// Dispatcher delivers changes to webhooks.
type Dispatcher struct {
	store *store.Store
	opts  Options
	log   *slog.Logger
	owner string // this process's name on leases
	wake  chan struct{}
	slots chan struct{} // one per delivery in flight
	wg    sync.WaitGroup

	mu    sync.Mutex
	busy  map[string]bool
	retry map[string]retryState
}

// retryState is a webhook's failing change: its version, how many attempts were
// made, and when to try again.
type retryState struct {
	version int64
	attempt int
	at      time.Time
}

// New returns a dispatcher reading webhooks and the change log from st.
func New(st *store.Store, opts Options, log *slog.Logger) *Dispatcher {
	opts = opts.withDefaults()
	return &Dispatcher{
		store: st, opts: opts, log: log, owner: store.NewID(),
		wake: make(chan struct{}, 1), slots: make(chan struct{}, opts.Workers),
		busy: map[string]bool{}, retry: map[string]retryState{},
	}
}

// Notify is the store's OnCommit receiver: it only wakes the dispatcher, never blocks.
func (d *Dispatcher) Notify(*agenda.Agenda, agenda.Change) {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then waits for the deliveries in flight.
func (d *Dispatcher) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		next := d.dispatch(ctx)
		timer.Reset(next)
		select {
		case <-ctx.Done():
			d.wg.Wait()
			return
		case <-d.wake:
		case <-timer.C:
		}
	}
}

// dispatch starts a delivery for each due webhook that is neither busy nor waiting
// to retry, as far as the pool allows, and returns how long to sleep at most.
func (d *Dispatcher) dispatch(ctx context.Context) time.Duration {
	sleep := d.opts.Poll
	hooks, err := d.store.DueWebhooks(ctx, d.owner)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Warn("webhooks: unable to list due webhooks", "err", err)
		}
		return sleep
	}
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	due := map[string]bool{}
	for _, h := range hooks {
		due[h.ID] = true
	}
	for id := range d.retry {
		if !due[id] && !d.busy[id] {
			delete(d.retry, id) // delivered since, or deleted
		}
	}
	for _, h := range hooks {
		if d.busy[h.ID] {
			continue
		}
		if r, ok := d.retry[h.ID]; ok && r.version > h.DeliveredVersion && now.Before(r.at) {
			sleep = min(sleep, r.at.Sub(now))
			continue
		}
		select {
		case d.slots <- struct{}{}:
		default:
			return sleep // the pool is full; a finishing delivery wakes the loop
		}
		d.busy[h.ID] = true
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			d.deliver(ctx, h)
			<-d.slots
			d.mu.Lock()
			delete(d.busy, h.ID)
			d.mu.Unlock()
			d.Notify(nil, agenda.Change{})
		}()
	}
	return sleep
}

// deliver sends the webhook's pending changes in order, stopping at the first
// failure (retried later from the same version) or when its lease runs short.
func (d *Dispatcher) deliver(ctx context.Context, h store.Webhook) {
	defer func() {
		// Even when shutting down: a lease left behind would hold up the next process.
		release, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := d.store.ReleaseWebhook(release, h.ID, d.owner); err != nil {
			d.log.Warn("webhooks: unable to release a lease", "webhook", h.ID, "err", err)
		}
	}()
	cursor := h.DeliveredVersion
	for ctx.Err() == nil {
		ok, err := d.store.LeaseWebhook(ctx, h.ID, d.owner, time.Now().Add(d.opts.Lease))
		if err != nil || !ok {
			return // deleted, or another instance delivers it
		}
		until := time.Now().Add(d.opts.Lease / 2)
		changes, err := d.store.Changes(ctx, h.EventID, cursor, 50)
		if err != nil || len(changes) == 0 {
			return
		}
		for _, c := range changes {
			if time.Now().After(until) {
				break // renew the lease before going on
			}
			if err := d.attempt(ctx, h, c); err != nil {
				return
			}
			cursor = c.Version
		}
	}
}

// attempt posts one change, logs the attempt, and on success moves the webhook's
// cursor past it; on failure it schedules the retry.
func (d *Dispatcher) attempt(ctx context.Context, h store.Webhook, c agenda.Change) error {
	d.mu.Lock()
	r := d.retry[h.ID]
	if r.version != c.Version {
		r = retryState{version: c.Version}
	}
	r.attempt++
	d.mu.Unlock()

	start := time.Now()
	status, err := d.post(ctx, h, c)
	if ctx.Err() != nil {
		return ctx.Err() // shutting down: the change is delivered again after the restart
	}
	entry := store.WebhookDelivery{
		WebhookID: h.ID, Version: c.Version, Attempt: r.attempt, At: start.UTC(),
		StatusCode: status, DurationMS: time.Since(start).Milliseconds(),
	}
	if err != nil {
		entry.Error = err.Error()
	}
	if lerr := d.store.LogDelivery(ctx, entry); lerr != nil && ctx.Err() == nil {
		d.log.Warn("webhooks: unable to log a delivery", "webhook", h.ID, "err", lerr)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		r.at = time.Now().Add(d.backoff(r.attempt))
		d.retry[h.ID] = r
		if r.attempt == 1 {
			d.log.Warn("webhooks: delivery failed; retrying with backoff", "webhook", h.ID, "event", h.EventID, "version", c.Version, "err", err)
		}
		return err
	}
	delete(d.retry, h.ID)
	if err := d.store.WebhookDelivered(ctx, h.ID, c.Version); err != nil {
		return err // delivered again later: at least once
	}
	return nil
}

// backoff doubles from MinBackoff up to MaxBackoff, with ±20% jitter so that many
// webhooks of one failing host do not retry in step.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	wait := d.opts.MinBackoff
	for i := 1; i < attempt && wait < d.opts.MaxBackoff; i++ {
		wait *= 2
	}
	wait = min(wait, d.opts.MaxBackoff)
	return time.Duration(float64(wait) * (0.8 + 0.4*rand.Float64()))
}

// post sends one change. Any status but 2xx is a failure.
func (d *Dispatcher) post(ctx context.Context, h store.Webhook, c agenda.Change) (int, error) {
	body, err := json.Marshal(Payload{EventID: c.EventID, Version: c.Version, At: c.At.UTC(), Kind: c.Summary, Public: c.Public})
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Tribune-Webhook/1")
	req.Header.Set(SignatureHeader, Sign(h.Secret, body))
	req.Header.Set("X-Tribune-Event", c.EventID)
	req.Header.Set("X-Tribune-Version", strconv.FormatInt(c.Version, 10))
	req.Header.Set("X-Tribune-Delivery", h.ID+"/"+strconv.FormatInt(c.Version, 10))
	res, err := d.opts.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("the endpoint answered %d", res.StatusCode)
	}
	return res.StatusCode, nil
}

// errForbiddenAddress refuses addresses a webhook must not reach.
var errForbiddenAddress = errors.New("webhooks may not reach link-local, multicast or unspecified addresses")

// newClient is an HTTP client that refuses link-local addresses (where cloud
// metadata services answer) after name resolution, and does not follow redirects.
func newClient() *http.Client {
	dialer := &net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip := net.ParseIP(host)
			if ip == nil || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
				return errForbiddenAddress
			}
			return nil
		},
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = dialer.DialContext
	transport.Proxy = nil
	return &http.Client{
		Transport:     transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
