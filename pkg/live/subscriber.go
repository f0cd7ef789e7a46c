package live

import (
	"net"
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
type Subscriber struct {
	hub       *Hub
	topic     *topic
	view      View
	speakerID string
	queue     chan *frame
	initial   []*websocket.PreparedMessage
	// last is the highest version sent or covered; only the writer touches it after Subscribe.
	last int64

	closeOnce sync.Once
	done      chan struct{}
	dropped   atomic.Bool
	closeCode int
	closeText string
}

func newSubscriber(h *Hub, t *topic, view View, speakerID string, size int) *Subscriber {
	return &Subscriber{hub: h, topic: t, view: view, speakerID: speakerID, queue: make(chan *frame, size), done: make(chan struct{})}
}

// offer queues a frame without ever blocking the dispatcher; a full queue
// drops the subscriber, who resumes with since.
func (s *Subscriber) offer(f *frame) {
	if s.dropped.Load() {
		return
	}
	select {
	case <-s.done:
		return // closed: nobody reads the queue any more
	default:
	}
	select {
	case s.queue <- f:
	default:
		s.dropped.Store(true)
		s.hub.metrics.slowDisconnect(s.topic.eventID)
		s.closeWith(CloseTooSlow, "too slow: reconnect with since")
	}
}

// closeWith asks the connection to close with a code (0 for none). It never
// blocks and may be called from any goroutine, any number of times.
func (s *Subscriber) closeWith(code int, text string) {
	s.closeOnce.Do(func() {
		s.closeCode, s.closeText = code, text
		close(s.done)
	})
}

// Close ends the subscription.
func (s *Subscriber) Close() {
	s.closeWith(0, "")
	s.hub.unsubscribe(s)
}

// Start serves the feed on conn in the background and returns at once, so the
// HTTP handler's goroutine — its grown stack, the request and echo's context —
// is not kept for as long as the viewer stays: a viewer costs its two
// goroutines and little else.
func (s *Subscriber) Start(conn *websocket.Conn, shutdown <-chan struct{}) {
	s.hub.serving.Add(1)
	go func() {
		defer s.hub.serving.Done()
		s.Serve(conn, shutdown)
	}()
}

// Serve writes the feed to conn until the client goes away, is too slow, or
// shutdown closes. It runs the writer on the calling goroutine and one reader
// goroutine, and closes conn exactly once.
func (s *Subscriber) Serve(conn *websocket.Conn, shutdown <-chan struct{}) {
	defer func() {
		s.Close()
		conn.Close()
	}()
	gc, _ := conn.NetConn().(*gatheringConn)
	tc, _ := conn.NetConn().(*net.TCPConn)
	if gc != nil {
		tc = gc.tcp()
	}
	if tc != nil && s.hub.opts.SendBuffer > 0 {
		// A small kernel send buffer bounds the memory a stalled viewer holds
		// and lets its queue fill, so it is dropped instead of hoarding megabytes.
		_ = tc.SetWriteBuffer(s.hub.opts.SendBuffer)
	}
	go s.read(conn)
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	write := func(pm *websocket.PreparedMessage) bool {
		_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
		return conn.WritePreparedMessage(pm) == nil
	}
	// Several messages waiting leave in one write when the connection gathers.
	gather := func(many bool) {
		if many && gc != nil {
			gc.gather()
		}
	}
	flush := func(ok bool) bool {
		if gc != nil && gc.flush() != nil {
			return false
		}
		return ok
	}
	gather(len(s.initial) > 1)
	ok := true
	for _, pm := range s.initial {
		if ok = write(pm); !ok {
			break
		}
	}
	s.initial = nil
	if !flush(ok) {
		return
	}
	// next writes a queued frame unless the first messages already covered it.
	next := func(f *frame) bool {
		if f.version <= s.last {
			return true
		}
		s.last = f.version
		return write(f.message(s.view, s.speakerID))
	}
	for {
		select {
		case f := <-s.queue:
			gather(len(s.queue) > 0)
			ok := next(f)
			for ok && len(s.queue) > 0 {
				ok = next(<-s.queue)
			}
			if !flush(ok) {
				return
			}
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
		case <-shutdown:
			s.closeWith(websocket.CloseGoingAway, "server shutting down")
		case <-s.done:
			if s.closeCode != 0 {
				_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(s.closeCode, s.closeText), time.Now().Add(writeWait))
			}
			return
		}
	}
}

// read discards what the client sends, answers pings, and notices when the
// connection dies (a missing pong ends it after pongWait).
func (s *Subscriber) read(conn *websocket.Conn) {
	conn.SetReadLimit(readLimit)
	_ = conn.SetReadDeadline(time.Now().Add(pongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		if _, _, err := conn.NextReader(); err != nil {
			s.closeWith(0, "")
			return
		}
	}
}
