//go:build unix

package live

import (
	"errors"
	"net"
	"syscall"
)

// tryWrite writes as much of p as the kernel takes now, without waiting, and
// says how much that was.
func tryWrite(c net.Conn, p []byte) (int, error) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0, nil // cannot try: the caller waits instead
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var werr error
	if err := raw.Write(func(fd uintptr) bool {
		n, werr = syscall.Write(int(fd), p)
		return true // never wait for the socket to become writable
	}); err != nil {
		return 0, err
	}
	if errors.Is(werr, syscall.EAGAIN) || errors.Is(werr, syscall.EINTR) {
		return 0, nil
	}
	if werr != nil {
		return 0, werr
	}
	return n, nil
}
