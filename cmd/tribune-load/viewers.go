package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// closeTooSlow is the close code of a viewer the server dropped because its
// queue was full; it resumes with since.
const closeTooSlow = 4008

// audience is N viewer websockets on one feed. Each viewer checks that versions
// arrive one after another (a gap or a repeat is out of order), resumes with
// ?since=N after any drop, and notes when each recorded change arrived.
type audience struct {
	feed string // ws://host/…/live, without a query
	// first is how a viewer's first connection starts: "since" resumes from
	// since, as the viewer page does with the agenda it embeds; "snapshot"
	// asks for a snapshot, as a client without an agenda does.
	first  string
	since  int64
	dialer *websocket.Dialer

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	viewers []*viewer

	dialErrors atomic.Int64
	slowDrops  atomic.Int64
	rec        atomic.Pointer[recording]
}

// viewer is one websocket client.
type viewer struct {
	i          int
	last       atomic.Int64 // the last version applied; -1 before a snapshot
	connected  atomic.Bool
	received   atomic.Int64
	outOfOrder atomic.Int64
	reconnects atomic.Int64
}

// errGap ends a connection that skipped a version: the viewer resumes with since.
var errGap = errors.New("a version was skipped")

func newAudience(ctx context.Context, feed, first string, since int64) *audience {
	ctx, cancel := context.WithCancel(ctx)
	return &audience{
		feed: feed, first: first, since: since, ctx: ctx, cancel: cancel,
		dialer: &websocket.Dialer{
			HandshakeTimeout: 30 * time.Second,
			ReadBufferSize:   2048, WriteBufferSize: 256, WriteBufferPool: &sync.Pool{},
			NetDialContext: dialNoLinger,
		},
	}
}

// dialNoLinger dials TCP with SO_LINGER 0, so that closing sends a reset and
// leaves no TIME_WAIT behind: a run opens and closes tens of thousands of
// connections from one address, more than the ephemeral ports allow otherwise.
func dialNoLinger(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	return c, nil
}

// size is how many viewers the audience has (connected or trying to).
func (a *audience) size() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.viewers)
}

func (a *audience) snapshotViewers() []*viewer {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*viewer(nil), a.viewers...)
}

// ramp adds viewers until there are n, starting at most perSecond a second and
// at most inFlight at once, and waits until each has connected once (or failed
// to). It returns how many are connected.
func (a *audience) ramp(n, perSecond int) int {
	const inFlight = 256
	sem := make(chan struct{}, inFlight)
	interval := time.Second / time.Duration(max(perSecond, 1))
	next := time.Now()
	for a.size() < n && a.ctx.Err() == nil {
		select {
		case sem <- struct{}{}:
		case <-a.ctx.Done():
		}
		if d := time.Until(next); d > 0 {
			time.Sleep(d)
		}
		next = next.Add(interval)
		a.mu.Lock()
		v := &viewer{i: len(a.viewers)}
		v.last.Store(-1)
		a.viewers = append(a.viewers, v)
		a.mu.Unlock()
		var once sync.Once
		a.wg.Add(1)
		go a.serve(v, func() { once.Do(func() { <-sem }) })
	}
	for range inFlight {
		select {
		case sem <- struct{}{}:
		case <-a.ctx.Done():
		}
	}
	return a.connected()
}

func (a *audience) connected() int {
	n := 0
	for _, v := range a.snapshotViewers() {
		if v.connected.Load() {
			n++
		}
	}
	return n
}

// serve keeps one viewer connected until the audience closes. ready is called
// once the first connection is established (and, in snapshot mode, its snapshot
// read) or has failed.
func (a *audience) serve(v *viewer, ready func()) {
	defer a.wg.Done()
	defer ready()
	backoff := 100 * time.Millisecond
	for first := true; a.ctx.Err() == nil; first = false {
		url := a.feed
		switch {
		case v.last.Load() >= 0:
			url += "?since=" + strconv.FormatInt(v.last.Load(), 10)
		case a.first == "since":
			v.last.Store(a.since)
			url += "?since=" + strconv.FormatInt(a.since, 10)
		}
		if !first {
			v.reconnects.Add(1)
		}
		conn, _, err := a.dialer.DialContext(a.ctx, url, nil)
		if err != nil {
			if a.ctx.Err() != nil {
				return
			}
			a.dialErrors.Add(1)
			ready()
			time.Sleep(backoff + rand.N(backoff))
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		stop := context.AfterFunc(a.ctx, func() { conn.Close() })
		if v.last.Load() >= 0 {
			v.connected.Store(true)
			ready()
		}
		err = a.read(v, conn, ready)
		ready()
		v.connected.Store(false)
		stop()
		conn.Close()
		var ce *websocket.CloseError
		if errors.As(err, &ce) && ce.Code == closeTooSlow {
			a.slowDrops.Add(1)
		}
	}
}

// read applies messages until the connection ends. It reads only the start of
// each message (type and version come first in both servers' encodings) and
// discards the rest, so that ten thousand viewers fit beside the server.
func (a *audience) read(v *viewer, conn *websocket.Conn, ready func()) error {
	var head [96]byte
	for {
		_, r, err := conn.NextReader()
		if err != nil {
			return err
		}
		n, err := io.ReadFull(r, head[:])
		switch {
		case err == io.ErrUnexpectedEOF || err == io.EOF:
		case err != nil:
			return err
		default:
			if _, err := io.Copy(io.Discard, r); err != nil {
				return err
			}
		}
		at := time.Now()
		kind, version, ok := parseHead(head[:n])
		if !ok {
			return fmt.Errorf("unreadable message %q", head[:n])
		}
		v.received.Add(1)
		switch kind {
		case "snapshot":
			v.last.Store(version)
			v.connected.Store(true)
			ready()
		case "change":
			last := v.last.Load()
			if version != last+1 {
				v.outOfOrder.Add(1)
				if version > last+1 {
					return errGap
				}
				continue
			}
			v.last.Store(version)
			if rec := a.rec.Load(); rec != nil {
				rec.mark(v.i, version, at)
			}
		}
	}
}

// parseHead reads "type" and "version" from the start of a feed message,
// {"type":"change","version":12,…}, without decoding the rest.
func parseHead(b []byte) (kind string, version int64, ok bool) {
	const typeKey, versionKey = `"type":"`, `"version":`
	i := bytes.Index(b, []byte(typeKey))
	if i < 0 {
		return "", 0, false
	}
	rest := b[i+len(typeKey):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return "", 0, false
	}
	kind = string(rest[:j])
	i = bytes.Index(b, []byte(versionKey))
	if i < 0 {
		return "", 0, false
	}
	rest = b[i+len(versionKey):]
	j = 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	if j == 0 || j == len(rest) {
		return "", 0, false
	}
	version, err := strconv.ParseInt(string(rest[:j]), 10, 64)
	return kind, version, err == nil
}

// caughtUp counts the viewers whose last version is at least v.
func (a *audience) caughtUp(v int64) int {
	n := 0
	for _, x := range a.snapshotViewers() {
		if x.last.Load() >= v {
			n++
		}
	}
	return n
}

// waitCaughtUp waits until every viewer has applied version v, or until the
// viewers have received nothing for idle: a server with a backlog is given the
// time to deliver it, as long as it delivers.
func (a *audience) waitCaughtUp(v int64, idle time.Duration) bool {
	total := a.size()
	last, lastAt := a.counters().Received, time.Now()
	for a.caughtUp(v) < total {
		if a.ctx.Err() != nil {
			return false
		}
		if r := a.counters().Received; r != last {
			last, lastAt = r, time.Now()
		} else if time.Since(lastAt) > idle {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// counters sums the viewers' counters.
type counters struct {
	Viewers, Connected               int
	Received, OutOfOrder, Reconnects int64
	DialErrors, SlowDrops            int64
}

func (a *audience) counters() counters {
	c := counters{DialErrors: a.dialErrors.Load(), SlowDrops: a.slowDrops.Load()}
	for _, v := range a.snapshotViewers() {
		c.Viewers++
		if v.connected.Load() {
			c.Connected++
		}
		c.Received += v.received.Load()
		c.OutOfOrder += v.outOfOrder.Load()
		c.Reconnects += v.reconnects.Load()
	}
	return c
}

// close disconnects every viewer and waits for them.
func (a *audience) close() {
	a.cancel()
	a.wg.Wait()
}

// recording notes when each viewer received each of n consecutive versions
// (base+1 … base+n): the receipts of one phase of changes.
type recording struct {
	base int64
	n    int
	rows int
	at   []atomic.Int64 // at[viewer*n + (version-base-1)]: Unix nanoseconds
}

func newRecording(base int64, n, rows int) *recording {
	return &recording{base: base, n: n, rows: rows, at: make([]atomic.Int64, n*rows)}
}

func (r *recording) mark(viewer int, version int64, t time.Time) {
	k := version - r.base - 1
	if viewer >= r.rows || k < 0 || k >= int64(r.n) {
		return
	}
	r.at[viewer*r.n+int(k)].Store(t.UnixNano())
}
