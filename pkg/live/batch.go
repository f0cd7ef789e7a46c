package live

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Upgrade is up.Upgrade on a connection a Subscriber can Start on: its writes
// are gathered, so that everything waiting (a burst of changes, a resume, a
// ping) leaves in one write, tried without blocking the hub's writers.
func Upgrade(up *websocket.Upgrader, w http.ResponseWriter, r *http.Request, header http.Header) (*websocket.Conn, error) {
	return up.Upgrade(gatheringHijacker{w}, r, header)
}

// gatheringHijacker hands the upgrader a gatheringConn.
type gatheringHijacker struct{ http.ResponseWriter }

func (h gatheringHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	return &gatheringConn{Conn: conn}, brw, nil
}

// gatheringConn is a connection whose writes, once gatherAll is called, are
// kept in memory until a flush sends them in one write.
type gatheringConn struct {
	net.Conn
	mu        sync.Mutex
	gathering bool
	buf       *[]byte
	nb        *nonblocking
}

// gatherBuffers are shared by every connection: a viewer holds one only while
// a burst is being written, not while idle.
var gatherBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// maxPooledGather is the largest buffer put back in the pool; a snapshot of a
// big agenda is not kept for everyone.
const maxPooledGather = 64 << 10

func (c *gatheringConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gathering {
		if c.buf == nil {
			c.buf = gatherBuffers.Get().(*[]byte)
		}
		*c.buf = append(*c.buf, p...)
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// gatherAll keeps every write from now on until a flush sends it: the
// handshake has gone out directly.
func (c *gatheringConn) gatherAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gathering = true
	c.nb = newNonblocking(c.Conn)
}

// SetWriteDeadline is what gorilla calls before each frame: once frames are
// gathered rather than written, only flushWait's deadline reaches the socket.
func (c *gatheringConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	gathering := c.gathering
	c.mu.Unlock()
	if gathering {
		return nil
	}
	return c.Conn.SetWriteDeadline(t)
}

// tryFlush writes what was gathered as far as the kernel takes it now, without
// waiting, and reports whether all of it went.
func (c *gatheringConn) tryFlush() (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.buf == nil {
		return true, nil
	}
	n, err := c.nb.write(*c.buf)
	if err != nil {
		return false, err
	}
	rest := copy(*c.buf, (*c.buf)[n:])
	*c.buf = (*c.buf)[:rest]
	if rest > 0 {
		return false, nil
	}
	c.release()
	return true, nil
}

// flushWait writes what was gathered, waiting at most wait for the kernel to
// take it.
func (c *gatheringConn) flushWait(wait time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.buf == nil {
		return nil
	}
	_ = c.Conn.SetWriteDeadline(time.Now().Add(wait))
	_, err := c.Conn.Write(*c.buf)
	// The deadline was for this write: left set, it would fail every later
	// non-blocking write once it passed.
	_ = c.Conn.SetWriteDeadline(time.Time{})
	c.release()
	return err
}

// release gives the buffer back to the pool. Called with c.mu held.
func (c *gatheringConn) release() {
	if cap(*c.buf) <= maxPooledGather {
		*c.buf = (*c.buf)[:0]
		gatherBuffers.Put(c.buf)
	}
	c.buf = nil
}

// tcp is the TCP connection underneath, or nil.
func (c *gatheringConn) tcp() *net.TCPConn {
	tc, _ := c.Conn.(*net.TCPConn)
	return tc
}
