package live

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/tribune-act/tribune/pkg/agenda"
)

// Source is what the hub reads from the database: the agenda for snapshots and
// the change log for resumes and gaps. The store implements it.
type Source interface {
	Agenda(ctx context.Context, eventID string) (*agenda.Agenda, error)
	EventBySlug(ctx context.Context, slug string) (agenda.Event, error)
	Changes(ctx context.Context, eventID string, since int64, limit int) ([]agenda.Change, error)
}

// Options tune the hub.
type Options struct {
	// Window is how many recent changes each topic keeps encoded for resumes.
	Window int
	// MaxReplay is the longest resume served change by change; older gets a snapshot.
	MaxReplay int64
	// QueueSize bounds each subscriber's queue; a subscriber whose queue is full while its
	// connection is stalled (its client is slow to read) is dropped (4008).
	QueueSize int
	// GapWait is how long an out-of-order change waits for the missing one before
	// the hub reads it from the change log.
	GapWait time.Duration
	// SendBuffer is each connection's kernel send buffer in bytes (0: the system's).
	SendBuffer int
}

// DefaultOptions suit one process serving an act.
var DefaultOptions = Options{Window: 512, MaxReplay: 5000, QueueSize: 64, GapWait: 200 * time.Millisecond, SendBuffer: 64 << 10}

// Hub is the fan-out: one topic per event with subscribers.
type Hub struct {
	src     Source
	opts    Options
	log     *slog.Logger
	metrics *Metrics
	now     func() time.Time

	// serving counts the connections being served, so shutdown can wait for
	// their close frames to leave.
	serving sync.WaitGroup
	writers writers
	// shutdowns are the channels whose closing closes every feed.
	shutdowns map[<-chan struct{}]bool

	mu     sync.Mutex
	topics map[string]*topic
	// slugs remembers which event a public slug named, so the public agenda is
	// served without touching the database.
	slugs map[string]string
}

// NewHub returns a hub reading from src. metrics may be nil.
func NewHub(src Source, opts Options, log *slog.Logger, metrics *Metrics) *Hub {
	if metrics == nil {
		metrics = NewMetrics(nil)
	}
	return &Hub{src: src, opts: opts, log: log, metrics: metrics, now: func() time.Time { return time.Now().UTC() },
		topics: map[string]*topic{}, slugs: map[string]string{}, writers: startWriters()}
}

// topic is one event's stream. Its lock guards ordering and the subscriber set;
// it is never held while writing to a connection.
type topic struct {
	eventID string
	mu      sync.Mutex
	loaded  bool
	version int64 // the last version broadcast
	// agenda is the agenda at version (nil when only the log knows it), and
	// public and organizer its encodings, made on first use.
	agenda            *agenda.Agenda
	public, organizer []byte
	// slug and published are the event's, as of the snapshots.
	slug      string
	published bool
	// prepared caches the snapshot message per view for a moment, so that a
	// crowd arriving at once costs one encoding, not one per viewer.
	prepared map[View]preparedSnapshot
	warnings []agenda.Warning
	window   []*frame // the last frames, oldest first
	// outbox holds frames broadcast but not yet queued to the subscribers;
	// dispatching is set while a goroutine queues them (one at a time, so
	// each subscriber gets them in order).
	outbox      []*frame
	dispatching bool
	// audience is the dispatcher's copy of subs, kept between rounds.
	audience []*Subscriber
	pending  map[int64]commit
	// filling is set while a goroutine reads the change log; again asks it for
	// one more round, after againWait.
	filling, again bool
	againWait      time.Duration
	// wake cuts a reader's wait short when a change is known to be committed.
	wake chan struct{}
	subs map[*Subscriber]struct{}
	// older holds changes read back from the change log for resumes that reach
	// past the window, shared by every viewer resuming from there; logMu makes
	// a crowd of such resumes read the log once.
	older map[int64]*frame
	logMu sync.Mutex
}

type commit struct {
	after  *agenda.Agenda // nil when read back from the change log
	change agenda.Change
}

// topic returns the event's topic, loading its current state on first use.
func (h *Hub) topic(ctx context.Context, eventID string) (*topic, error) {
	h.mu.Lock()
	t, ok := h.topics[eventID]
	if !ok {
		t = &topic{eventID: eventID, pending: map[int64]commit{}, subs: map[*Subscriber]struct{}{}, wake: make(chan struct{}, 1)}
		h.topics[eventID] = t
	}
	h.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.loaded {
		return t, nil
	}
	// Commits published from here on are buffered in pending, so loading after
	// the topic exists misses none.
	a, err := h.src.Agenda(ctx, eventID)
	if err != nil {
		return nil, err
	}
	if err := t.setSnapshot(a, h.now()); err != nil {
		return nil, err
	}
	t.version, t.loaded = a.Event.Version, true
	h.drain(t)
	return t, nil
}

// preparedSnapshot is an encoded snapshot message, reused while it is fresh.
type preparedSnapshot struct {
	version int64
	at      time.Time
	pm      *websocket.PreparedMessage
}

// snapshotFresh is how long a prepared snapshot is reused: its server_time is
// at most this old, which keeps clients' clock estimates close.
const snapshotFresh = time.Second

// setSnapshot keeps the agenda at the topic's version. Its encodings are made
// on first use (a GET, a snapshot), so a change costs what it changes, not the
// size of the whole agenda. Called with t.mu held.
func (t *topic) setSnapshot(a *agenda.Agenda, now time.Time) error {
	t.agenda = a
	t.slug = a.Event.Slug
	t.published = a.Event.Public()
	t.public, t.organizer = nil, nil
	t.warnings = a.Warnings(now)
	return nil
}

// publicBytes is the public agenda at the topic's version, or nil when only
// the change log knows it. Called with t.mu held.
func (t *topic) publicBytes() []byte {
	if t.public == nil && t.agenda != nil {
		t.public, _ = json.Marshal(t.agenda.PublicView())
	}
	return t.public
}

// organizerBytes is the organizer's agenda at the topic's version, or nil.
// Called with t.mu held.
func (t *topic) organizerBytes() []byte {
	if t.organizer == nil && t.agenda != nil {
		t.organizer, _ = json.Marshal(t.agenda.OrganizerView())
	}
	return t.organizer
}

// Publish hands the hub a committed change with the agenda after it. Changes may
// arrive out of order; they leave in version order, and a missing one is read
// from the change log.
func (h *Hub) Publish(after *agenda.Agenda, c agenda.Change) {
	h.mu.Lock()
	t, ok := h.topics[c.EventID]
	h.mu.Unlock()
	if !ok {
		return // nobody listens; a first subscriber loads the current state
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.loaded && c.Version <= t.version {
		return
	}
	t.pending[c.Version] = commit{after: after, change: c}
	if t.loaded {
		h.drain(t)
	}
}

// drain broadcasts every pending change that follows the last one broadcast.
// Called with t.mu held.
func (h *Hub) drain(t *topic) {
	for v := range t.pending {
		if v <= t.version {
			delete(t.pending, v)
		}
	}
	for {
		c, ok := t.pending[t.version+1]
		if !ok {
			break
		}
		delete(t.pending, c.change.Version)
		h.broadcast(t, c)
	}
	if len(t.pending) > 0 {
		h.requestFill(t, h.opts.GapWait)
	}
}

// requestFill has the change log read for versions after the last broadcast,
// after wait. Called with t.mu held.
func (h *Hub) requestFill(t *topic, wait time.Duration) {
	if t.filling {
		if !t.again || wait < t.againWait {
			t.againWait = wait
		}
		t.again = true
		if wait == 0 {
			select {
			case t.wake <- struct{}{}:
			default:
			}
		}
		return
	}
	t.filling = true
	go h.fill(t, wait)
}

// broadcast encodes one change once per view and hands it to the topic's
// dispatcher, which queues it to every subscriber: the committer (an
// organizer's request) does not wait for the fan-out. Called with t.mu held.
func (h *Hub) broadcast(t *topic, c commit) {
	start := time.Now()
	now := h.now()
	var warnings []agenda.Warning
	if c.after != nil {
		_ = t.setSnapshot(c.after, now)
		warnings = t.warnings
	} else {
		t.agenda, t.public, t.organizer, t.warnings = nil, nil, nil, nil
	}
	f, err := newFrame(c.change, warnings, now)
	if err != nil {
		h.log.Error("live: encode change", "event", t.eventID, "version", c.change.Version, "err", err)
		return
	}
	f.made = start
	t.version = f.version
	t.window = append(t.window, f)
	if over := len(t.window) - h.opts.Window; over > 0 {
		t.window = append(t.window[:0:0], t.window[over:]...)
	}
	t.outbox = append(t.outbox, f)
	if !t.dispatching {
		t.dispatching = true
		go h.dispatch(t)
	}
}

// dispatch queues the topic's outbox to its subscribers, in version order,
// without the topic's lock: a subscriber that joins meanwhile
// has the frames already in the window in its first messages, and is in the
// next round's list for the rest. It returns when the outbox is empty.
func (h *Hub) dispatch(t *topic) {
	for {
		t.mu.Lock()
		frames := t.outbox
		t.outbox = nil
		if len(frames) == 0 {
			t.dispatching = false
			clear(t.audience) // holds no subscriber that has left
			t.mu.Unlock()
			return
		}
		subs := t.audience[:0]
		for s := range t.subs {
			subs = append(subs, s)
		}
		t.audience = subs
		t.mu.Unlock()
		// A subscriber gets a round's frames together, so that its writer
		// finds them all and writes them in one go.
		var batch []*Subscriber
		for _, s := range subs {
			for _, f := range frames {
				s.offer(f)
			}
			if s.claim() {
				if batch = append(batch, s); len(batch) == writerBatch {
					h.writers.submit(batch)
					batch = nil
				}
			}
		}
		if len(batch) > 0 {
			h.writers.submit(batch)
		}
		for _, f := range frames {
			h.metrics.broadcast(time.Since(f.made), time.Since(f.change.At))
		}
	}
}

// fill reads the changes after the last broadcast from the change log and
// broadcasts them: a change missing from a gap, or one another instance committed.
func (h *Hub) fill(t *topic, wait time.Duration) {
	for {
		if wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-timer.C:
			case <-t.wake:
				timer.Stop()
			}
		}
		t.mu.Lock()
		from := t.version
		t.again = false
		t.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		changes, err := h.src.Changes(ctx, t.eventID, from, 1000)
		cancel()
		if err != nil {
			h.log.Error("live: read change log", "event", t.eventID, "err", err)
		}
		t.mu.Lock()
		for _, c := range changes {
			if _, ok := t.pending[c.Version]; !ok && c.Version > t.version {
				t.pending[c.Version] = commit{change: c}
			}
		}
		t.filling = true // drain must not start a second reader
		h.drain(t)
		more := t.again || len(changes) == 1000
		wait = 0
		if t.again {
			wait = t.againWait
		}
		if !more {
			t.filling = false
		}
		t.mu.Unlock()
		if !more {
			return
		}
	}
}

// Announce tells the hub that version of an event is committed (by any
// instance); if it has not been broadcast here, it is read from the change log.
func (h *Hub) Announce(eventID string, version int64) {
	h.mu.Lock()
	t, ok := h.topics[eventID]
	h.mu.Unlock()
	if !ok {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.loaded && version > t.version {
		h.requestFill(t, 0)
	}
}

// CatchUp reads every topic's missed changes from the change log: after the
// link to other instances was down, when announcements may have been lost.
func (h *Hub) CatchUp() {
	for _, t := range h.allTopics() {
		t.mu.Lock()
		if t.loaded {
			h.requestFill(t, 0)
		}
		t.mu.Unlock()
	}
}

// Subscribe adds a subscriber to an event. since < 0 asks for a snapshot;
// otherwise the subscriber first gets every change after since (or a snapshot
// when since is too old or ahead of the server), then live changes.
func (h *Hub) Subscribe(ctx context.Context, eventID string, view View, speakerID string, since int64) (*Subscriber, error) {
	t, err := h.topic(ctx, eventID)
	if err != nil {
		return nil, err
	}
	s := newSubscriber(h, t, view, speakerID, h.opts.QueueSize)
	t.mu.Lock()
	current := t.version
	var initial []*websocket.PreparedMessage
	var snapshot []byte
	var warnings []agenda.Warning
	var cached *websocket.PreparedMessage
	replay := since >= 0 && since <= current && current-since <= h.opts.MaxReplay
	fromWindow := replay && (since == current || (len(t.window) > 0 && t.window[0].version <= since+1))
	switch {
	case fromWindow:
		for _, f := range t.window {
			if f.version > since {
				initial = append(initial, f.message(view, speakerID))
			}
		}
	case !replay:
		if p, ok := t.prepared[snapshotView(view)]; ok && p.version == current && h.now().Sub(p.at) < snapshotFresh {
			cached = p.pm
		} else {
			snapshot, warnings = t.snapshot(view)
		}
	}
	t.subs[s] = struct{}{}
	t.mu.Unlock()
	h.metrics.subscribed(eventID, 1)

	// Reads from the database happen outside the lock; live changes queue meanwhile,
	// and the subscriber skips those its first messages already cover.
	switch {
	case fromWindow:
		s.last = current
	case replay:
		frames, err := h.logFrames(ctx, t, since, current)
		if err != nil {
			s.Close()
			return nil, err
		}
		for _, f := range frames {
			initial = append(initial, f.message(view, speakerID))
		}
		s.last = current
	case cached != nil:
		initial = append(initial, cached)
		s.last = current
	default:
		version := current
		fromCache := snapshot != nil
		if snapshot == nil {
			a, err := h.src.Agenda(ctx, eventID)
			if err != nil {
				s.Close()
				return nil, err
			}
			var v agenda.View
			if view == Organizer {
				v, warnings = a.OrganizerView(), a.Warnings(h.now())
			} else {
				v = a.PublicView()
			}
			if snapshot, err = json.Marshal(v); err != nil {
				s.Close()
				return nil, err
			}
			version = a.Event.Version
		}
		now := h.now()
		pm, err := prepare(snapshotMessage{Type: "snapshot", Version: version, ServerTime: now, Agenda: snapshot, Warnings: warnings})
		if err != nil {
			s.Close()
			return nil, err
		}
		if fromCache {
			t.mu.Lock()
			if t.prepared == nil {
				t.prepared = map[View]preparedSnapshot{}
			}
			t.prepared[snapshotView(view)] = preparedSnapshot{version: version, at: now, pm: pm}
			t.mu.Unlock()
		}
		initial = append(initial, pm)
		s.last = version
	}
	s.initial = initial
	return s, nil
}

// logFrames returns the encoded changes since+1..upto, from the window, from
// those already read back, or from the change log (read once for a crowd).
func (h *Hub) logFrames(ctx context.Context, t *topic, since, upto int64) ([]*frame, error) {
	t.logMu.Lock()
	defer t.logMu.Unlock()
	have := func() ([]*frame, int64) {
		t.mu.Lock()
		defer t.mu.Unlock()
		byVersion := make(map[int64]*frame, len(t.window)+len(t.older))
		for v, f := range t.older {
			byVersion[v] = f
		}
		for _, f := range t.window {
			byVersion[f.version] = f
		}
		var out []*frame
		for v := since + 1; v <= upto; v++ {
			f, ok := byVersion[v]
			if !ok {
				return out, v
			}
			out = append(out, f)
		}
		return out, 0
	}
	out, missing := have()
	if missing == 0 {
		return out, nil
	}
	changes, err := h.src.Changes(ctx, t.eventID, missing-1, int(upto-missing+1))
	if err != nil {
		return nil, err
	}
	read := make(map[int64]*frame, len(changes))
	now := h.now()
	for _, c := range changes {
		f, err := newFrame(c, nil, now)
		if err != nil {
			return nil, err
		}
		read[c.Version] = f
	}
	t.mu.Lock()
	if t.older == nil || int64(len(t.older)) > 2*h.opts.MaxReplay {
		t.older = map[int64]*frame{}
	}
	for v, f := range read {
		t.older[v] = f
	}
	t.mu.Unlock()
	out, missing = have()
	if missing != 0 {
		return nil, fmt.Errorf("live: version %d of event %s is not in the change log", missing, t.eventID)
	}
	return out, nil
}

// snapshotView is the view whose snapshot a subscriber gets: a green room
// starts from the public agenda.
func snapshotView(v View) View {
	if v == Speaker {
		return Public
	}
	return v
}

// snapshot returns the cached agenda for a view, or nil. Called with t.mu held.
func (t *topic) snapshot(view View) ([]byte, []agenda.Warning) {
	if view == Organizer {
		return t.organizerBytes(), t.warnings
	}
	return t.publicBytes(), nil
}

// PublicAgenda returns the public agenda of an event as encoded for its last
// broadcast version, so that GET and the feed's snapshot are the same bytes.
func (h *Hub) PublicAgenda(ctx context.Context, eventID string) ([]byte, int64, error) {
	t, err := h.topic(ctx, eventID)
	if err != nil {
		return nil, 0, err
	}
	t.mu.Lock()
	b, v := t.publicBytes(), t.version
	t.mu.Unlock()
	if b != nil {
		return b, v, nil
	}
	a, err := h.src.Agenda(ctx, eventID)
	if err != nil {
		return nil, 0, err
	}
	b, err = json.Marshal(a.PublicView())
	if err != nil {
		return nil, 0, err
	}
	t.mu.Lock()
	if t.version == a.Event.Version && t.agenda == nil {
		_ = t.setSnapshot(a, h.now())
	}
	t.mu.Unlock()
	return b, a.Event.Version, nil
}

// PublicAgendaBySlug is PublicAgenda for a published event named by its slug;
// agenda.ErrNotFound when there is none. Once an event's topic is loaded, it
// answers from memory.
func (h *Hub) PublicAgendaBySlug(ctx context.Context, slug string) ([]byte, int64, error) {
	h.mu.Lock()
	t := h.topics[h.slugs[slug]]
	h.mu.Unlock()
	if t != nil {
		t.mu.Lock()
		var b []byte
		ok := t.loaded && t.slug == slug
		if ok {
			b = t.publicBytes()
		}
		v, published := t.version, t.published
		t.mu.Unlock()
		if ok && b != nil {
			if !published {
				return nil, 0, fmt.Errorf("live: event %q: %w", slug, agenda.ErrNotFound)
			}
			return b, v, nil
		}
	}
	e, err := h.src.EventBySlug(ctx, slug)
	if err != nil {
		return nil, 0, err
	}
	if !e.Public() {
		return nil, 0, fmt.Errorf("live: event %q: %w", slug, agenda.ErrNotFound)
	}
	h.mu.Lock()
	h.slugs[slug] = e.ID
	h.mu.Unlock()
	return h.PublicAgenda(ctx, e.ID)
}

func (h *Hub) unsubscribe(s *Subscriber) {
	t := s.topic
	t.mu.Lock()
	_, ok := t.subs[s]
	delete(t.subs, s)
	t.mu.Unlock()
	if ok {
		h.metrics.subscribed(t.eventID, -1)
	}
}

// onShutdown has every feed close with "going away" when ch closes.
func (h *Hub) onShutdown(ch <-chan struct{}) {
	if ch == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.shutdowns[ch] {
		return
	}
	if h.shutdowns == nil {
		h.shutdowns = map[<-chan struct{}]bool{}
	}
	h.shutdowns[ch] = true
	go func() {
		<-ch
		h.closeAll(websocket.CloseGoingAway, "server shutting down")
	}()
}

// closeAll closes every subscriber of every topic.
func (h *Hub) closeAll(code int, text string) {
	for _, t := range h.allTopics() {
		t.closeSubscribers(code, text)
	}
}

func (h *Hub) allTopics() []*topic {
	h.mu.Lock()
	defer h.mu.Unlock()
	topics := make([]*topic, 0, len(h.topics))
	for _, t := range h.topics {
		topics = append(topics, t)
	}
	return topics
}

// closeSubscribers closes every subscriber of the topic.
func (t *topic) closeSubscribers(code int, text string) {
	t.mu.Lock()
	subs := make([]*Subscriber, 0, len(t.subs))
	for s := range t.subs {
		subs = append(subs, s)
	}
	t.mu.Unlock()
	for _, s := range subs {
		s.closeWith(code, text)
	}
}

// Drain waits until every served connection has closed, or ctx ends.
func (h *Hub) Drain(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		h.serving.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// Subscribers counts an event's subscribers.
func (h *Hub) Subscribers(eventID string) int {
	h.mu.Lock()
	t, ok := h.topics[eventID]
	h.mu.Unlock()
	if !ok {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.subs)
}

// Close disconnects every subscriber of an event (it was deleted) and forgets it.
func (h *Hub) Close(eventID string) {
	h.mu.Lock()
	t, ok := h.topics[eventID]
	delete(h.topics, eventID)
	for slug, id := range h.slugs {
		if id == eventID {
			delete(h.slugs, slug)
		}
	}
	h.mu.Unlock()
	if ok {
		t.closeSubscribers(websocket.CloseGoingAway, "event deleted")
	}
}

func (s *Subscriber) String() string { return fmt.Sprintf("subscriber(%s)", s.topic.eventID) }
