package live

import (
	"bufio"
	"net"
	"net/http"
	"sync"

	"github.com/gorilla/websocket"
)

// Upgrade is up.Upgrade on a connection whose writes a subscriber can gather:
// when several messages wait in its queue (a burst of changes, a resume), they
// leave in one write instead of one each.
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

// gatheringConn is a connection whose writes between gather and flush are kept
// in memory and leave in one write. gorilla writes whole frames under its own
// lock, so frames gathered here never interleave with a control frame the
// reader writes meanwhile (those are gathered too, in order).
type gatheringConn struct {
	net.Conn
	mu        sync.Mutex
	gathering bool
	buf       *[]byte
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
		*c.buf = append(*c.buf, p...)
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// gather starts keeping writes.
func (c *gatheringConn) gather() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gathering = true
	if c.buf == nil {
		c.buf = gatherBuffers.Get().(*[]byte)
	}
}

// flush writes what was gathered, in one write under the last deadline set,
// and stops gathering.
func (c *gatheringConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gathering = false
	if c.buf == nil {
		return nil
	}
	var err error
	if len(*c.buf) > 0 {
		_, err = c.Conn.Write(*c.buf)
	}
	if cap(*c.buf) <= maxPooledGather {
		*c.buf = (*c.buf)[:0]
		gatherBuffers.Put(c.buf)
	}
	c.buf = nil
	return err
}

// tcp is the TCP connection underneath, or nil.
func (c *gatheringConn) tcp() *net.TCPConn {
	tc, _ := c.Conn.(*net.TCPConn)
	return tc
}
