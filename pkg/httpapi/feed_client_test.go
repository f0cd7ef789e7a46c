package httpapi_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// dial opens a websocket to path on the test server. header may be nil.
func (h *harness) dial(path string, header http.Header) (*websocket.Conn, *http.Response, error) {
	url := "ws" + strings.TrimPrefix(h.srv.URL, "http") + path
	return websocket.DefaultDialer.Dial(url, header)
}

// feedMessage is any message of the feed, decoded loosely.
type feedMessage struct {
	Type     string                       `json:"type"`
	Version  int64                        `json:"version"`
	Agenda   json.RawMessage              `json:"agenda"`
	Upsert   map[string][]json.RawMessage `json:"upsert"`
	Delete   map[string][]string          `json:"delete"`
	Event    json.RawMessage              `json:"event"`
	Live     json.RawMessage              `json:"live"`
	Messages []json.RawMessage            `json:"messages"`
	raw      []byte
}

// feed is a websocket client of the feed. A goroutine reads every message
// (validated against the feed's JSON Schemas), so waiting with a timeout does
// not break the connection, as a read deadline does in gorilla.
type feed struct {
	conn *websocket.Conn
	msgs chan feedMessage
	err  error // why the reader stopped; read after msgs is closed
}

var errQuiet = errors.New("no message within the wait")

// openFeed connects to a feed; header may be nil.
func (h *harness) openFeed(path string, header http.Header, organizer bool) (*feed, *http.Response, error) {
	return h.openFeedValidated(path, header, func(t testing.TB, raw []byte) { validateFeedMessage(t, raw, organizer) })
}

// openFeedValidated connects to a feed whose messages validate holds.
func (h *harness) openFeedValidated(path string, header http.Header, validate func(testing.TB, []byte)) (*feed, *http.Response, error) {
	conn, res, err := h.dial(path, header)
	if err != nil {
		return nil, res, err
	}
	f := &feed{conn: conn, msgs: make(chan feedMessage, 4096)}
	go func() {
		defer close(f.msgs)
		for {
			_, raw, err := conn.ReadMessage()
			if err != nil {
				f.err = err
				return
			}
			validate(h.t, raw)
			var m feedMessage
			if err := json.Unmarshal(raw, &m); err != nil {
				h.t.Errorf("feed sent invalid JSON: %v: %s", err, raw)
			}
			m.raw = raw
			f.msgs <- m
		}
	}()
	h.t.Cleanup(func() { conn.Close() })
	return f, res, nil
}

// mustFeed connects to a feed or fails the test.
func (h *harness) mustFeed(path string, header http.Header, organizer bool) *feed {
	h.t.Helper()
	f, _, err := h.openFeed(path, header, organizer)
	if err != nil {
		h.t.Fatal(err)
	}
	return f
}

// next returns the next message within d: errQuiet when none came, or the
// reason the connection ended.
func (f *feed) next(d time.Duration) (feedMessage, error) {
	select {
	case m, ok := <-f.msgs:
		if !ok {
			return feedMessage{}, f.err
		}
		return m, nil
	case <-time.After(d):
		return feedMessage{}, errQuiet
	}
}

// close closes the connection and waits for the reader to stop.
func (f *feed) close() {
	f.conn.Close()
	for range f.msgs {
	}
}

// replica is what a client builds from the feed: the agenda at a version.
type replica struct {
	version int64
	agenda  map[string]json.RawMessage
}

// apply applies one message as a client would; a gap in versions is an error.
func (r *replica) apply(m feedMessage) error {
	switch m.Type {
	case "snapshot":
		r.agenda = map[string]json.RawMessage{}
		if err := json.Unmarshal(m.Agenda, &r.agenda); err != nil {
			return err
		}
	case "change":
		if r.agenda == nil {
			return fmt.Errorf("change %d before any snapshot", m.Version)
		}
		if m.Version != r.version+1 {
			return fmt.Errorf("gap: at version %d, got %d", r.version, m.Version)
		}
		for coll, items := range m.Upsert {
			list := r.collection(coll)
			for _, it := range items {
				id := idOf(it)
				replaced := false
				for i := range list {
					if idOf(list[i]) == id {
						list[i], replaced = it, true
					}
				}
				if !replaced {
					list = append(list, it)
				}
			}
			r.setCollection(coll, list)
		}
		for coll, ids := range m.Delete {
			var keep []json.RawMessage
			for _, it := range r.collection(coll) {
				gone := false
				for _, id := range ids {
					gone = gone || idOf(it) == id
				}
				if !gone {
					keep = append(keep, it)
				}
			}
			r.setCollection(coll, keep)
		}
		if m.Event != nil {
			r.agenda["event"] = m.Event
		}
		if m.Live != nil {
			r.agenda["live"] = m.Live
		}
		r.agenda["version"] = json.RawMessage(fmt.Sprint(m.Version))
	default:
		return fmt.Errorf("unknown message type %q", m.Type)
	}
	r.version = m.Version
	return nil
}

func (r *replica) collection(name string) []json.RawMessage {
	var list []json.RawMessage
	_ = json.Unmarshal(r.agenda[name], &list)
	return list
}

func (r *replica) setCollection(name string, list []json.RawMessage) {
	if list == nil {
		list = []json.RawMessage{}
	}
	b, _ := json.Marshal(list)
	r.agenda[name] = b
}

func idOf(raw json.RawMessage) string {
	var o struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &o)
	return o.ID
}

// canonical renders an agenda with every collection sorted by id, so two
// agendas with the same content compare equal whatever order a client kept.
func canonical(t testing.TB, agenda map[string]json.RawMessage) string {
	t.Helper()
	out := map[string]any{}
	for k, v := range agenda {
		var list []map[string]any
		if json.Unmarshal(v, &list) == nil && list != nil {
			sort.Slice(list, func(i, j int) bool { return fmt.Sprint(list[i]["id"]) < fmt.Sprint(list[j]["id"]) })
			out[k] = list
			continue
		}
		var any any
		_ = json.Unmarshal(v, &any)
		out[k] = any
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// publicAgenda reads the public agenda over HTTP as a map.
func (h *harness) publicAgenda(slug string) (map[string]json.RawMessage, []byte) {
	h.t.Helper()
	r := h.must(200, "GET", "/api/v1/public/events/"+slug, "", nil)
	var m map[string]json.RawMessage
	r.decode(h.t, &m)
	return m, r.body
}
