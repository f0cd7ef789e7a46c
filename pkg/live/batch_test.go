package live

import (
	"bytes"
	"net"
	"testing"
)

// countingConn records each write that reaches the network.
type countingConn struct {
	net.Conn
	writes [][]byte
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

func TestGatheredWritesLeaveAsOne(t *testing.T) {
	inner := &countingConn{}
	c := &gatheringConn{Conn: inner}
	if _, err := c.Write([]byte("alone")); err != nil {
		t.Fatal(err)
	}
	c.gather()
	for _, p := range []string{"one", "two", "three"} {
		if _, err := c.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if len(inner.writes) != 1 {
		t.Fatalf("%d writes reached the network while gathering, want only the first", len(inner.writes))
	}
	if err := c.flush(); err != nil {
		t.Fatal(err)
	}
	if err := c.flush(); err != nil { // nothing gathered: nothing written
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("after")); err != nil {
		t.Fatal(err)
	}
	want := []string{"alone", "onetwothree", "after"}
	if len(inner.writes) != len(want) {
		t.Fatalf("writes %q, want %q", inner.writes, want)
	}
	for i, w := range want {
		if string(inner.writes[i]) != w {
			t.Fatalf("write %d is %q, want %q", i, inner.writes[i], w)
		}
	}
	if c.buf != nil {
		t.Fatal("the buffer is kept after the flush: every idle viewer would hold one")
	}
}
