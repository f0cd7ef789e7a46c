package live

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Close codes this feed uses besides the standard ones.
const (
	// CloseTooSlow: the subscriber's queue filled up; reconnect with since.
	CloseTooSlow = 4008
)

// Timing of a connection, as gorilla's examples and gotify do it.
const (
	writeWait  = 10 * time.Second
	pongWait   = 60 * time.Second
	pingPeriod = pongWait * 9 / 10
	readLimit  = 512
)

// Subscriber is one feed connection: a bounded queue filled by broadcasts, and
// the first messages (a snapshot or the missed changes) to send before it.
//
// A connection has one goroutine of its own, its reader. Its messages are
// written by the hub's writers (one per CPU), which take a subscriber with
// something to send, write everything waiting in one write that never blocks,
// and move on; a connection whose client is slow to read gets a goroutine of its
// own only while the kernel cannot take more, and is dropped (4008) when its
// queue fills meanwhile. At most one goroutine — its owner — writes to a
// connection at a time: whoever set scheduled.
type Subscriber struct {
	hub       *Hub
	topic     *topic
	view      View
	speakerID string
	queue     chan *frame
	initial   []*websocket.PreparedMessage
	// last is the highest version sent or covered; only the owner touches it after Subscribe.
	last int64

	// Set by Start.
	conn      *websocket.Conn
	out       *gatheringConn
	pinger    *time.Timer
	started   atomic.Bool
	scheduled atomic.Bool // a writer owns the connection, or will
	pingDue   atomic.Bool
	pongDue   atomic.Pointer[string]
	stalling  atomic.Bool // the kernel takes no more: the client is slow to read
	finished  bool        // owner only

	closeOnce sync.Once
	done      chan struct{}
	dropped   atomic.Bool
	closeCode int
	closeText string
}

func newSubscriber(h *Hub, t *topic, view View, speakerID string, size int) *Subscriber {
	return &Subscriber{hub: h, topic: t, view: view, speakerID: speakerID, queue: make(chan *frame, size), done: make(chan struct{})}
}

// offer queues a frame; the caller then schedules the subscriber. A full queue
// drops a subscriber whose client is slow to read (its connection stalled),
// who resumes with since. When the queue is full because the writers are
// behind, the server is slow, not the client: the dispatcher waits for them
// rather than drop a whole audience into reconnecting at once.
func (s *Subscriber) offer(f *frame) {
	if s.dropped.Load() {
		return
	}
	select {
	case <-s.done:
		return // closed: nobody reads the queue any more
	case s.queue <- f:
		return
	default:
	}
	s.schedule()
	for s.started.Load() && !s.stalling.Load() {
		select {
		case <-s.done:
			return
		case s.queue <- f:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	s.dropped.Store(true)
	s.hub.metrics.slowDisconnect(s.topic.eventID)
	s.closeWith(CloseTooSlow, "too slow: reconnect with since")
}

// closeWith asks the connection to close with a code (0 for none). It never
// blocks for long and may be called from any goroutine, any number of times.
func (s *Subscriber) closeWith(code int, text string) {
	s.closeOnce.Do(func() {
		s.closeCode, s.closeText = code, text
		close(s.done)
	})
	s.schedule()
}

// Close ends the subscription.
func (s *Subscriber) Close() {
	s.closeWith(0, "")
	s.hub.unsubscribe(s)
}

// claim makes the caller the owner of a started connection, unless it has one.
func (s *Subscriber) claim() bool {
	return s.started.Load() && s.scheduled.CompareAndSwap(false, true)
}

// schedule hands the connection to a writer when it has no owner.
func (s *Subscriber) schedule() {
	if s.claim() {
		s.hub.writers.submit([]*Subscriber{s})
	}
}

// Start serves the feed on conn, which Upgrade made: the HTTP handler returns
// at once, so that its goroutine — its grown stack, the request and echo's
// context — is not kept for as long as the viewer stays. shutdown closes every
// feed with "going away".
func (s *Subscriber) Start(conn *websocket.Conn, shutdown <-chan struct{}) {
	s.hub.serving.Add(1)
	s.hub.onShutdown(shutdown)
	s.out, _ = conn.NetConn().(*gatheringConn)
	if s.out == nil {
		panic(fmt.Sprintf("live: %s: the connection was not made by live.Upgrade", s))
	}
	if tc := s.out.tcp(); tc != nil && s.hub.opts.SendBuffer > 0 {
		// A small kernel send buffer bounds the memory a stalled viewer holds
		// and lets its queue fill, so it is dropped instead of hoarding megabytes.
		_ = tc.SetWriteBuffer(s.hub.opts.SendBuffer)
	}
	s.out.gatherAll()
	// Only writers write: the reader asks them to answer a ping or a close.
	conn.SetPingHandler(func(data string) error {
		s.pongDue.Store(&data)
		s.schedule()
		return nil
	})
	conn.SetCloseHandler(func(code int, _ string) error {
		if code == websocket.CloseNoStatusReceived {
			code = websocket.CloseNormalClosure
		}
		s.closeWith(code, "")
		return nil
	})
	s.conn = conn
	s.pinger = time.AfterFunc(pingPeriod, s.ping)
	s.started.Store(true)
	go s.read()
	select {
	case <-shutdown: // it closed while this viewer was being set up
		s.closeWith(websocket.CloseGoingAway, "server shutting down")
	default:
		s.schedule() // the first messages
	}
}

// ping asks for a ping frame, and for the next one a period later.
func (s *Subscriber) ping() {
	s.pingDue.Store(true)
	s.schedule()
	select {
	case <-s.done:
	default:
		s.pinger.Reset(pingPeriod)
	}
}

// read discards what the client sends and notices when the connection dies
// (a missing pong ends it after pongWait).
func (s *Subscriber) read() {
	s.conn.SetReadLimit(readLimit)
	_ = s.conn.SetReadDeadline(time.Now().Add(pongWait))
	s.conn.SetPongHandler(func(string) error { return s.conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		if _, _, err := s.conn.NextReader(); err != nil {
			s.closeWith(0, "")
			return
		}
	}
}

// run writes what waits, as the connection's owner, until nothing does; it
// returns early when the connection stalls (a goroutine of its own then owns
// it) or ends.
func (s *Subscriber) run() {
	for {
		if !s.writeWaiting() {
			return
		}
		s.scheduled.Store(false)
		// Something queued after the last look would wait for the next broadcast.
		if !s.waiting() || !s.scheduled.CompareAndSwap(false, true) {
			return
		}
	}
}

// waiting reports whether the connection has something to write.
func (s *Subscriber) waiting() bool {
	select {
	case <-s.done:
		return true // to close; a finished connection is never released, so nobody claims it
	default:
	}
	return len(s.queue) > 0 || s.pingDue.Load() || s.pongDue.Load() != nil
}

// writeWaiting gathers every waiting message into one write and tries it. It
// reports whether the connection can take more now.
func (s *Subscriber) writeWaiting() bool {
	if s.finished {
		return false
	}
	closing := false
	select {
	case <-s.done:
		closing = true
	default:
	}
	ok := true
	deadline := time.Now().Add(writeWait)
	_ = s.conn.SetWriteDeadline(deadline)
	for _, pm := range s.initial {
		if ok = s.conn.WritePreparedMessage(pm) == nil; !ok {
			break
		}
	}
	s.initial = nil
	if p := s.pongDue.Swap(nil); ok && p != nil {
		ok = s.conn.WriteControl(websocket.PongMessage, []byte(*p), deadline) == nil
	}
	if ok && s.pingDue.Swap(false) {
		ok = s.conn.WriteControl(websocket.PingMessage, nil, deadline) == nil
	}
	for ok && !closing && len(s.queue) > 0 {
		f := <-s.queue
		if f.version <= s.last {
			continue // already covered by the snapshot or the replay
		}
		s.last = f.version
		ok = s.conn.WritePreparedMessage(f.message(s.view, s.speakerID)) == nil
	}
	if ok && closing && s.closeCode != 0 {
		_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(s.closeCode, s.closeText), deadline)
	}
	if !ok {
		closing = true
	}
	flushed, err := s.out.tryFlush()
	switch {
	case err != nil:
		s.finish()
		return false
	case !flushed:
		s.stalling.Store(true)
		go s.stalled(closing)
		return false
	case closing:
		s.finish()
		return false
	}
	return true
}

// stalled owns a connection whose client is slow to read: it waits until the
// kernel takes what was gathered (or the write deadline passes), then writes
// on as run does.
func (s *Subscriber) stalled(closing bool) {
	err := s.out.flushWait(writeWait)
	s.stalling.Store(false)
	if err != nil || closing {
		s.finish()
		return
	}
	s.run()
}

// finish closes the connection, once, as its owner.
func (s *Subscriber) finish() {
	if s.finished {
		return
	}
	s.finished = true
	s.closeWith(0, "") // done is closed, so the queue takes no more and ping stops re-arming
	s.pinger.Stop()
	s.conn.Close()
	s.hub.unsubscribe(s)
	s.hub.serving.Done()
}

// writers write subscribers' messages: one goroutine per CPU.
type writers struct {
	jobs chan []*Subscriber
}

func startWriters() writers {
	w := writers{jobs: make(chan []*Subscriber, 4096)}
	for range runtime.GOMAXPROCS(0) {
		go w.work()
	}
	return w
}

// submit hands owned subscribers to the writers. It may wait while they are
// all busy; writers themselves never call it.
func (w writers) submit(subs []*Subscriber) {
	w.jobs <- subs
}

func (w writers) work() {
	for job := range w.jobs {
		for _, s := range job {
			s.run()
		}
		// A fan-out keeps every CPU busy: between batches, an organizer's
		// request or a new viewer waiting for a CPU gets its turn.
		runtime.Gosched()
	}
}

// writerBatch is how many subscribers a writer takes at a time from a broadcast.
const writerBatch = 64
