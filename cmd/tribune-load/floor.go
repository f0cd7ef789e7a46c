package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"
)

// floor is the least a websocket broadcast server can do, to measure Tribune
// against on the same machine in the same run: gorilla/websocket, one
// PreparedMessage per broadcast, no database, no validation. Each connection
// has one goroutine, its reader (the protocol needs one for close and ping
// frames); broadcasts are written by one worker per CPU, each walking its share
// of the connections. The HTTP handler returns once a viewer is set up, so
// that nothing of the request outlives it. A small window of recent messages
// serves ?since=N.
//
//	GET  /live?since=N   the feed: a snapshot of the agenda, or the changes after N, then changes
//	POST /change         body: a JSON object; broadcast as {"type":"change","version":N,"server_time":T,…body}
//	GET  /agenda         the agenda's bytes, as they were PUT (a bare echo handler)
//	PUT  /agenda         sets the agenda's bytes
//	GET  /version        {"version":N}
//	GET  /metrics        the Go runtime's memory, in Prometheus text
type floor struct {
	upgrader websocket.Upgrader
	workers  []chan floorJob

	mu       sync.Mutex
	version  int64
	agenda   []byte
	snapshot *websocket.PreparedMessage // at version, made on first use
	window   []floorFrame
	// shards holds the connections, one list per worker. A connection stays
	// with its worker, so that its messages are written in order.
	shards [][]*floorConn
	next   int // the worker the next connection goes to
}

type floorFrame struct {
	version int64
	pm      *websocket.PreparedMessage
}

type floorJob struct {
	pm    *websocket.PreparedMessage
	conns []*floorConn
}

type floorConn struct {
	conn *websocket.Conn
	// worker and index place it in floor.shards; index is -1 once removed. Guarded by floor.mu.
	worker, index int
	mu            sync.Mutex
	dead          bool
}

const floorWindow = 256

func newFloor() *floor {
	f := &floor{
		upgrader: websocket.Upgrader{
			ReadBufferSize: 512, WriteBufferSize: 4096, WriteBufferPool: &sync.Pool{},
			CheckOrigin: func(*http.Request) bool { return true },
		},
		agenda: []byte(`{"version":0}`),
	}
	for range runtime.GOMAXPROCS(0) {
		jobs := make(chan floorJob, 4096)
		f.workers = append(f.workers, jobs)
		f.shards = append(f.shards, nil)
		go f.work(jobs)
	}
	return f
}

// handler serves the floor's routes with a bare echo: no middleware.
func (f *floor) handler() http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/live", f.live)
	e.POST("/change", f.change)
	e.GET("/agenda", func(c echo.Context) error {
		f.mu.Lock()
		b, v := f.agenda, f.version
		f.mu.Unlock()
		c.Response().Header().Set("ETag", fmt.Sprintf(`"%d"`, v))
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
	})
	e.PUT("/agenda", func(c echo.Context) error {
		b, err := io.ReadAll(c.Request().Body)
		if err != nil || !json.Valid(b) {
			return echo.NewHTTPError(http.StatusBadRequest, "the agenda must be JSON")
		}
		f.mu.Lock()
		f.agenda, f.snapshot = b, nil
		f.mu.Unlock()
		return c.NoContent(http.StatusNoContent)
	})
	e.GET("/version", func(c echo.Context) error {
		f.mu.Lock()
		v := f.version
		f.mu.Unlock()
		return c.JSON(http.StatusOK, map[string]int64{"version": v})
	})
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/metrics", func(c echo.Context) error {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return c.String(http.StatusOK, fmt.Sprintf("go_memstats_heap_inuse_bytes %d\ngo_memstats_stack_inuse_bytes %d\ngo_goroutines %d\n",
			m.HeapInuse, m.StackInuse, runtime.NumGoroutine()))
	})
	return e
}

// change broadcasts the body as the next version.
func (f *floor) change(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	body = bytes.TrimSpace(body)
	if err != nil || len(body) < 2 || body[0] != '{' || !json.Valid(body) {
		return echo.NewHTTPError(http.StatusBadRequest, "the change must be a JSON object")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.version++
	msg := fmt.Appendf(nil, `{"type":"change","version":%d,"server_time":%q`, f.version, time.Now().UTC().Format(time.RFC3339Nano))
	if rest := bytes.TrimSpace(body[1:]); len(rest) > 1 {
		msg = append(msg, ',')
	}
	msg = append(msg, body[1:]...)
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, msg)
	if err != nil {
		return err
	}
	f.snapshot = nil
	f.window = append(f.window, floorFrame{f.version, pm})
	if len(f.window) > floorWindow {
		f.window = append(f.window[:0:0], f.window[len(f.window)-floorWindow:]...)
	}
	// Each worker gets its share of the connections, in version order.
	for i, jobs := range f.workers {
		jobs <- floorJob{pm: pm, conns: append([]*floorConn(nil), f.shards[i]...)}
	}
	return c.JSON(http.StatusOK, map[string]int64{"version": f.version})
}

func (f *floor) work(jobs <-chan floorJob) {
	for j := range jobs {
		for _, fc := range j.conns {
			fc.write(j.pm)
		}
	}
}

func (fc *floorConn) write(pm *websocket.PreparedMessage) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.dead {
		return
	}
	_ = fc.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := fc.conn.WritePreparedMessage(pm); err != nil {
		fc.dead = true
		fc.conn.Close() // its reader notices and removes it
	}
}

// live sets up one viewer: its first messages, its reader, its worker.
func (f *floor) live(c echo.Context) error {
	since := int64(-1)
	if raw := c.QueryParam("since"); raw != "" {
		v, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || v < 0 {
			return echo.NewHTTPError(http.StatusBadRequest, "since must be a version")
		}
		since = v
	}
	conn, err := f.upgrader.Upgrade(c.Response(), c.Request(), nil)
	if err != nil {
		return nil
	}
	fc := &floorConn{conn: conn}
	fc.mu.Lock() // the workers wait until the first messages are out
	f.mu.Lock()
	initial, err := f.initial(since)
	if err == nil {
		fc.worker, f.next = f.next, (f.next+1)%len(f.shards)
		fc.index = len(f.shards[fc.worker])
		f.shards[fc.worker] = append(f.shards[fc.worker], fc)
	}
	f.mu.Unlock()
	for _, pm := range initial {
		_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if err = conn.WritePreparedMessage(pm); err != nil {
			break
		}
	}
	if err != nil {
		fc.dead = true
	}
	fc.mu.Unlock()
	if fc.dead {
		conn.Close()
		f.remove(fc)
		return nil
	}
	// The reader runs on a fresh goroutine and the handler returns: the HTTP
	// server's state for the request is freed, and the goroutine's stack is the
	// reader's alone, not one grown by routing and upgrading.
	go f.read(fc)
	return nil
}

// read reads (and drops) what the viewer sends, answering pings, until the
// connection ends, then removes it.
func (f *floor) read(fc *floorConn) {
	fc.conn.SetReadLimit(512)
	for {
		if _, _, err := fc.conn.NextReader(); err != nil {
			break
		}
	}
	fc.mu.Lock()
	fc.dead = true
	fc.mu.Unlock()
	fc.conn.Close()
	f.remove(fc)
}

// initial is what a new viewer gets first: the changes after since from the
// window, or a snapshot. Called with f.mu held.
func (f *floor) initial(since int64) ([]*websocket.PreparedMessage, error) {
	if since >= 0 && since <= f.version && (since == f.version || (len(f.window) > 0 && f.window[0].version <= since+1)) {
		var out []*websocket.PreparedMessage
		for _, fr := range f.window {
			if fr.version > since {
				out = append(out, fr.pm)
			}
		}
		return out, nil
	}
	if f.snapshot == nil {
		msg := fmt.Appendf(nil, `{"type":"snapshot","version":%d,"server_time":%q,"agenda":`, f.version, time.Now().UTC().Format(time.RFC3339Nano))
		msg = append(append(msg, f.agenda...), '}')
		pm, err := websocket.NewPreparedMessage(websocket.TextMessage, msg)
		if err != nil {
			return nil, err
		}
		f.snapshot = pm
	}
	return []*websocket.PreparedMessage{f.snapshot}, nil
}

func (f *floor) remove(fc *floorConn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	shard, i := f.shards[fc.worker], fc.index
	if i < 0 || i >= len(shard) || shard[i] != fc {
		return
	}
	last := len(shard) - 1
	shard[i] = shard[last]
	shard[i].index = i
	shard[last] = nil
	f.shards[fc.worker] = shard[:last]
	fc.index = -1
}
