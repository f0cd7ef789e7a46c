//go:build unix

package live

import (
	"errors"
	"net"
	"syscall"
)

// nonblocking writes to a socket as much as the kernel takes now, never
// waiting for it to become writable. Made once per connection, so that a write
// allocates nothing.
type nonblocking struct {
	raw syscall.RawConn
	p   []byte
	n   int
	err error
	try func(fd uintptr) bool
}

// newNonblocking returns nil when c is not a socket.
func newNonblocking(c net.Conn) *nonblocking {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	w := &nonblocking{raw: raw}
	w.try = func(fd uintptr) bool {
		w.n, w.err = syscall.Write(int(fd), w.p)
		return true // never wait for the socket to become writable
	}
	return w
}

// write says how much of p the kernel took; 0 and no error when it takes
// nothing now (or when w is nil: the caller then waits instead).
func (w *nonblocking) write(p []byte) (int, error) {
	if w == nil {
		return 0, nil
	}
	w.p = p
	err := w.raw.Write(w.try)
	w.p = nil
	if err != nil {
		return 0, err
	}
	if errors.Is(w.err, syscall.EAGAIN) || errors.Is(w.err, syscall.EINTR) {
		return 0, nil
	}
	if w.err != nil {
		return 0, w.err
	}
	return w.n, nil
}
