package live

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
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

func (c *countingConn) SetWriteDeadline(time.Time) error { return nil }

func TestGatheredWritesLeaveAsOne(t *testing.T) {
	inner := &countingConn{}
	c := &gatheringConn{Conn: inner}
	if _, err := c.Write([]byte("handshake")); err != nil {
		t.Fatal(err)
	}
	c.gatherAll()
	for _, p := range []string{"one", "two", "three"} {
		if _, err := c.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if len(inner.writes) != 1 {
		t.Fatalf("%d writes reached the network while gathering, want only the handshake", len(inner.writes))
	}
	if err := c.flushWait(time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c.flushWait(time.Second); err != nil { // nothing gathered: nothing written
		t.Fatal(err)
	}
	want := []string{"handshake", "onetwothree"}
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

// A client that does not read fills the kernel's buffers: tryFlush then keeps
// the rest instead of waiting, and flushWait sends it, in order, once the
// client reads.
func TestTryFlushNeverWaits(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server := <-accepted
	defer server.Close()
	_ = server.(*net.TCPConn).SetWriteBuffer(16 << 10)
	c := &gatheringConn{Conn: server}
	c.gatherAll()
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	sent, stalled := 0, false
	for i := 0; i < 200 && !stalled; i++ {
		chunk[0] = byte(i)
		if _, err := c.Write(chunk); err != nil {
			t.Fatal(err)
		}
		sent++
		done, err := c.tryFlush()
		if err != nil {
			t.Fatal(err)
		}
		stalled = !done
	}
	if !stalled {
		t.Fatal("12 MB went to a client that reads nothing without tryFlush ever keeping a rest")
	}
	want := sent * len(chunk)
	read := make(chan []byte, 1)
	go func() {
		buf := make([]byte, 0, want)
		tmp := make([]byte, 64<<10)
		for len(buf) < want {
			n, err := client.Read(tmp)
			if err != nil {
				break
			}
			buf = append(buf, tmp[:n]...)
		}
		read <- buf
	}()
	if err := c.flushWait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	got := <-read
	if len(got) != want {
		t.Fatalf("the client read %d bytes, want %d", len(got), want)
	}
	for i := range sent {
		if got[i*len(chunk)] != byte(i) {
			t.Fatalf("chunk %d arrived out of order", i)
		}
	}
	// Once the wait is over, its deadline no longer applies: a later write goes.
	if _, err := c.Write([]byte("now")); err != nil {
		t.Fatal(err)
	}
	if err := c.flushWait(10 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if _, err := c.Write([]byte("later")); err != nil {
		t.Fatal(err)
	}
	if done, err := c.tryFlush(); err != nil || !done {
		t.Fatalf("a write after a finished wait: done %v, %v", done, err)
	}
}

// When changes come faster than the writers write (several in one dispatch
// round, a queue of one), the server is behind, not the client: a viewer who
// reads gets every change in order and is never dropped.
func TestWritersBehindDropNobody(t *testing.T) {
	f := newFixture(t)
	h := newTestHub(f, Options{Window: 512, MaxReplay: 1000, QueueSize: 1, GapWait: DefaultOptions.GapWait, SendBuffer: DefaultOptions.SendBuffer})
	first := f.change(t, "Main stage")
	url := feedServer(t, h, f.eventID, first.change.Version)
	h.Publish(first.after, first.change)
	client, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	const n = 300
	go publishAfter(h, first, n)
	readVersions(t, client, first.change.Version, n)
}

// A viewer that stops reading for a moment stalls its connection (the kernel's
// buffers fill); it gets a goroutine of its own until it reads again, then
// receives everything, in order, and is not dropped.
func TestStalledViewerCatchesUp(t *testing.T) {
	f := newFixture(t)
	h := newTestHub(f, Options{Window: 512, MaxReplay: 1000, QueueSize: 1000, GapWait: DefaultOptions.GapWait, SendBuffer: 4096})
	first := f.change(t, "Main stage")
	url := feedServer(t, h, f.eventID, first.change.Version)
	h.Publish(first.after, first.change)
	dialer := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(16 << 10) // a small window, so the server's writes stall soon
		}
		return c, err
	}}
	client, _, err := dialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	const n = 600
	publishAfter(h, first, n)
	deadline := time.Now().Add(5 * time.Second)
	for !stalled(h, f.eventID) {
		if time.Now().After(deadline) {
			t.Fatal("the connection never stalled: the test does not test what it says")
		}
		time.Sleep(5 * time.Millisecond)
	}
	readVersions(t, client, first.change.Version, n)
}

// feedServer serves the event's public feed from since, as httpapi does, and
// returns its websocket URL.
func feedServer(t *testing.T, h *Hub, eventID string, since int64) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := h.Subscribe(r.Context(), eventID, Public, "", since)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		conn, err := Upgrade(&websocket.Upgrader{}, w, r, nil)
		if err != nil {
			s.Close()
			return
		}
		s.Start(conn, nil)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// publishAfter publishes n versions after c's, each with c's agenda.
func publishAfter(h *Hub, c commit, n int64) {
	for i := range n {
		ch := c.change
		ch.Version += i + 1
		h.Publish(c.after, ch)
	}
}

// readVersions reads the n changes after version from in order.
func readVersions(t *testing.T, client *websocket.Conn, from, n int64) {
	t.Helper()
	for want := from + 1; want <= from+n; want++ {
		_ = client.SetReadDeadline(time.Now().Add(10 * time.Second))
		var m struct{ Version int64 }
		if err := client.ReadJSON(&m); err != nil {
			t.Fatalf("waiting for version %d: %v", want, err)
		}
		if m.Version != want {
			t.Fatalf("version %d, want %d", m.Version, want)
		}
	}
}

// stalled reports whether a subscriber of the event has a stalled connection.
func stalled(h *Hub, eventID string) bool {
	h.mu.Lock()
	t := h.topics[eventID]
	h.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	for s := range t.subs {
		if s.stalling.Load() {
			return true
		}
	}
	return false
}
