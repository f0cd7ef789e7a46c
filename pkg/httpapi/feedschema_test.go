package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/demo"
)

// The JSON Schemas (draft 2020-12) of the websocket feed's messages, next to the
// OpenAPI document. Each has one definition per feed under $defs.
const (
	snapshotSchemaPath = "../../schema/feed-snapshot.schema.json"
	changeSchemaPath   = "../../schema/feed-change.schema.json"
)

// feedKind is which feed a message came from: each sees a different shape.
type feedKind int

const (
	publicFeed    feedKind = iota // GET /api/v1/public/events/{slug}/live
	speakerFeed                   // a speaker's green room: public shapes plus their stage messages
	organizerFeed                 // GET /api/v1/events/{id}/live
)

func (k feedKind) String() string {
	return [...]string{"public", "speaker", "organizer"}[k]
}

// feedDefs names the schema definition of each message type on each feed.
var feedDefs = map[feedKind]map[string]string{
	publicFeed:    {"snapshot": "PublicSnapshot", "change": "PublicChange"},
	speakerFeed:   {"snapshot": "PublicSnapshot", "change": "SpeakerChange"},
	organizerFeed: {"snapshot": "OrganizerSnapshot", "change": "OrganizerChange"},
}

// loadFeedSchemas compiles every feed definition once for the whole package.
// Formats (date-time) are asserted, not only annotated.
var loadFeedSchemas = sync.OnceValues(func() (map[feedKind]map[string]*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	files := map[string]string{"snapshot": snapshotSchemaPath, "change": changeSchemaPath}
	urls := map[string]string{}
	for typ, path := range files {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		doc, err := readSchemaFile(abs)
		if err != nil {
			return nil, err
		}
		urls[typ] = "file://" + filepath.ToSlash(abs)
		if err := c.AddResource(urls[typ], doc); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		// The root (any feed) must compile too: it is what a client without a feed in mind uses.
		if _, err := c.Compile(urls[typ]); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	out := map[feedKind]map[string]*jsonschema.Schema{}
	for kind, defs := range feedDefs {
		out[kind] = map[string]*jsonschema.Schema{}
		for typ, def := range defs {
			sch, err := c.Compile(urls[typ] + "#/$defs/" + def)
			if err != nil {
				return nil, fmt.Errorf("%s#/$defs/%s: %w", files[typ], def, err)
			}
			out[kind][typ] = sch
		}
	}
	return out, nil
})

func readSchemaFile(path string) (any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}

// validateFeedMessage checks one websocket message of the public feed (organizer
// false) or the organizer feed (organizer true) against the JSON Schemas in
// schema/, and that a snapshot's version is its agenda's. A message that does not
// match fails the test with t.Errorf (so it may be called from any goroutine),
// naming the schema and every violation.
func validateFeedMessage(t testing.TB, raw []byte, organizer bool) {
	t.Helper()
	kind := publicFeed
	if organizer {
		kind = organizerFeed
	}
	if err := checkFeedMessage(raw, kind); err != nil {
		t.Errorf("websocket %s feed: %v\nmessage: %s", kind, err, abbreviate(raw))
	}
}

// validateGreenRoomMessage is validateFeedMessage for a speaker's green-room feed:
// the public shapes, plus the stage messages addressed to that speaker.
func validateGreenRoomMessage(t testing.TB, raw []byte) {
	t.Helper()
	if err := checkFeedMessage(raw, speakerFeed); err != nil {
		t.Errorf("websocket %s feed: %v\nmessage: %s", speakerFeed, err, abbreviate(raw))
	}
}

func checkFeedMessage(raw []byte, kind feedKind) error {
	schemas, err := loadFeedSchemas()
	if err != nil {
		return fmt.Errorf("the feed's JSON Schemas do not compile: %w", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("not one JSON value: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("the message is not a JSON object")
	}
	typ, _ := obj["type"].(string)
	sch, ok := schemas[kind][typ]
	if !ok {
		return fmt.Errorf(`"type" is %q, not "snapshot" or "change"`, obj["type"])
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("does not match %s#/$defs/%s:\n%v", filepath.Base(map[string]string{
			"snapshot": snapshotSchemaPath, "change": changeSchemaPath}[typ]), feedDefs[kind][typ], err)
	}
	if typ == "snapshot" {
		version := fmt.Sprint(obj["version"])
		if agendaVersion := fmt.Sprint(obj["agenda"].(map[string]any)["version"]); agendaVersion != version {
			return fmt.Errorf("a snapshot at version %s carries the agenda at version %s", version, agendaVersion)
		}
	}
	return nil
}

// failRecorder is a testing.TB that records a failure instead of failing, to
// prove that the validator rejects what it must.
type failRecorder struct {
	testing.TB
	msgs []string
}

func (r *failRecorder) Helper() {}
func (r *failRecorder) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}
func (r *failRecorder) Fatalf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

// A minimal public agenda (an event with one stage and one slot, before the show)
// and its organizer twin: hand-written, so they show the wire shapes plainly.
const (
	handPublicAgenda = `{"version":3,
	 "event":{"id":"ev1","slug":"peace","title":"Peace now","description":"","starts_at":"2026-12-05T18:00:00Z",
	  "ends_at":null,"timezone":"Europe/Berlin","status":"published","languages":["en"],"stream_url":""},
	 "stages":[{"id":"st1","name":"Main","position":0}],
	 "slots":[{"id":"sl1","stage_id":"st1","position":0,"kind":"speech","title":"Opening","description":"",
	  "duration_seconds":600,"pinned_start":null,"planned_start":"2026-12-05T18:00:00Z","planned_end":"2026-12-05T18:10:00Z",
	  "language":"en","interpretation":[],"speakers":[{"speaker_id":"sp1","role":"speaker"}]}],
	 "speakers":[{"id":"sp1","name":"Ana","bio":"","languages":["pt"]}],
	 "organizations":[],
	 "live":{"state":"idle","current_slot_id":null,"actual_start":null,"delay_seconds":0,"server_time":null,
	  "stages":[{"stage_id":"st1","state":"idle","current_slot_id":null,"actual_start":null,"current_end":null,"paused_at":null,"delay_seconds":0}],
	  "slots":[{"slot_id":"sl1","status":"pending","projected_start":"2026-12-05T18:00:00Z","projected_end":"2026-12-05T18:10:00Z","delay_seconds":0}]}}`
	handLive = `{"state":"running","current_slot_id":"sl1","actual_start":"2026-12-05T18:01:00Z","delay_seconds":60,
	 "server_time":"2026-12-05T18:01:00Z",
	 "stages":[{"stage_id":"st1","state":"running","current_slot_id":"sl1","actual_start":"2026-12-05T18:01:00Z",
	  "current_end":"2026-12-05T18:11:00Z","paused_at":null,"delay_seconds":60}],
	 "slots":[{"slot_id":"sl1","status":"current","projected_start":"2026-12-05T18:01:00Z","projected_end":"2026-12-05T18:11:00Z","delay_seconds":60}]}`
	handMessage = `{"slot_id":"sl1","speaker_ids":["sp1"],"text":"Two minutes left","at":"2026-12-05T18:09:00Z"}`
)

func TestFeedSchemasAcceptHandWrittenMessages(t *testing.T) {
	valid := []struct {
		name string
		kind feedKind
		raw  string
	}{
		{"public snapshot", publicFeed, `{"type":"snapshot","version":3,"server_time":"2026-12-05T17:59:00.123456Z","agenda":` + handPublicAgenda + `}`},
		{"empty public change", publicFeed, `{"type":"change","version":4,"server_time":"2026-12-05T18:00:00Z"}`},
		{"public change", publicFeed, `{"type":"change","version":5,"server_time":"2026-12-05T18:01:00+01:00",
			"upsert":{"stages":[{"id":"st2","name":"Second","position":1}]},"delete":{"speakers":["sp9"]},"live":` + handLive + `}`},
		{"green-room change", speakerFeed, `{"type":"change","version":6,"server_time":"2026-12-05T18:09:00Z","messages":[` + handMessage + `]}`},
		{"organizer change", organizerFeed, `{"type":"change","version":6,"server_time":"2026-12-05T18:09:00Z","messages":[` + handMessage + `],
			"warnings":[{"kind":"overlap","message":"Opening overlaps Greeting","slot_id":"sl1","other_slot_id":"sl2"}]}`},
	}
	for _, c := range valid {
		if err := checkFeedMessage([]byte(c.raw), c.kind); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestFeedSchemasRejectWrongMessages(t *testing.T) {
	snapshot := `{"type":"snapshot","version":3,"server_time":"2026-12-05T17:59:00Z","agenda":` + handPublicAgenda + `}`
	invalid := []struct {
		name, raw, want string
		organizer       bool
	}{
		{"public change with stage messages", `{"type":"change","version":6,"server_time":"2026-12-05T18:09:00Z","messages":[` + handMessage + `]}`, "messages", false},
		{"public change with warnings", `{"type":"change","version":6,"server_time":"2026-12-05T18:09:00Z","warnings":[]}`, "warnings", false},
		{"snapshot without agenda", `{"type":"snapshot","version":3,"server_time":"2026-12-05T17:59:00Z"}`, "agenda", false},
		{"public agenda on the organizer feed", snapshot, "OrganizerSnapshot", true},
		{"snapshot of another version", strings.Replace(snapshot, `"version":3,"server_time"`, `"version":4,"server_time"`, 1), "version 4", false},
		{"unknown type", `{"type":"hello","version":1,"server_time":"2026-12-05T17:59:00Z"}`, "hello", false},
		{"server_time not an instant", `{"type":"change","version":4,"server_time":"yesterday"}`, "server_time", false},
		{"unknown live state", `{"type":"change","version":5,"server_time":"2026-12-05T18:00:00Z","live":` + strings.Replace(handLive, `"running"`, `"started"`, 1) + `}`, "state", false},
		{"upsert of an unknown collection", `{"type":"change","version":5,"server_time":"2026-12-05T18:00:00Z","upsert":{"users":[{"id":"u1"}]}}`, "users", false},
		{"private field on the public feed", `{"type":"change","version":5,"server_time":"2026-12-05T18:00:00Z","upsert":{"speakers":[{"id":"sp1","name":"Ana","bio":"","languages":[],"contact_email":"ana@example.org"}]}}`, "contact_email", false},
		{"delete of objects, not ids", `{"type":"change","version":5,"server_time":"2026-12-05T18:00:00Z","delete":{"slots":[{"id":"sl1"}]}}`, "slots", false},
	}
	for _, c := range invalid {
		rec := &failRecorder{TB: t}
		validateFeedMessage(rec, []byte(c.raw), c.organizer)
		switch {
		case len(rec.msgs) == 0:
			t.Errorf("%s: accepted, want it refused", c.name)
		case !strings.Contains(strings.Join(rec.msgs, "\n"), c.want):
			t.Errorf("%s: refused, but the error does not mention %q:\n%s", c.name, c.want, strings.Join(rec.msgs, "\n"))
		}
	}
}

// feedMessageFor encodes a message as pkg/live does (its message types are unexported).
func feedMessageFor(t *testing.T, typ string, version int64, body map[string]any) []byte {
	t.Helper()
	m := map[string]any{"type": typ, "version": version, "server_time": time.Date(2026, 12, 5, 18, 42, 17, 5e8, time.UTC)}
	for k, v := range body {
		m[k] = v
	}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func deltaFields(t *testing.T, d agenda.Delta) map[string]any {
	t.Helper()
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFeedSchemasMatchTheAgendaTypes encodes the demo act (a show in progress,
// with hidden fields, unconfirmed speakers and warnings) and changes to it with
// the Go types the feed uses, and validates them: the schemas and the wire agree.
func TestFeedSchemasMatchTheAgendaTypes(t *testing.T) {
	now := time.Date(2026, 12, 5, 18, 42, 17, 0, time.UTC)
	n := 0
	before := demo.Act(now, func() string { n++; return fmt.Sprintf("id-%d", n) })
	before.Event.Version = 40

	validateFeedMessage(t, feedMessageFor(t, "snapshot", 40, map[string]any{"agenda": before.PublicView()}), false)
	validateFeedMessage(t, feedMessageFor(t, "snapshot", 40, map[string]any{
		"agenda": before.OrganizerView(), "warnings": before.Warnings(now)}), true)
	if len(before.Warnings(now)) == 0 {
		t.Error("the demo act has no warnings; the organizer snapshot's warnings went untested")
	}

	// One change of each kind: live actions, an edit, a deletion and a stage message.
	after := before.Clone()
	stage := after.Stages[0].ID
	steps := []struct {
		name string
		do   func(a *agenda.Agenda) error
	}{
		{"next", func(a *agenda.Agenda) error { return a.Next(stage, now) }},
		{"pause", func(a *agenda.Agenda) error { return a.Pause(stage, now.Add(time.Minute)) }},
		{"message", func(a *agenda.Agenda) error { return a.SendMessage(stage, "current", "Your microphone is muted", now) }},
		{"edit", func(a *agenda.Agenda) error {
			s := a.Slots[len(a.Slots)-1]
			f := s.SlotFields
			f.Title += " (shortened)"
			f.DurationSeconds /= 2
			return a.UpdateSlot(s.ID, f)
		}},
		{"delete", func(a *agenda.Agenda) error { return a.DeleteSlot(a.Slots[len(a.Slots)-1].ID) }},
		{"end", func(a *agenda.Agenda) error { return a.End(stage, now.Add(2*time.Minute)) }},
	}
	version := int64(40)
	for _, step := range steps {
		prev := after.Clone()
		if err := step.do(&after); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		after.Normalize()
		version++
		pub, err := agenda.Diff(prev.PublicView(), after.PublicView())
		if err != nil {
			t.Fatal(err)
		}
		priv, err := agenda.Diff(prev.OrganizerView(), after.OrganizerView())
		if err != nil {
			t.Fatal(err)
		}
		priv.Messages, after.Outbox = after.Outbox, nil
		validateFeedMessage(t, feedMessageFor(t, "change", version, deltaFields(t, pub)), false)
		org := deltaFields(t, priv)
		org["warnings"] = after.Warnings(now)
		validateFeedMessage(t, feedMessageFor(t, "change", version, org), true)
		if len(priv.Messages) > 0 {
			green := deltaFields(t, pub)
			green["messages"] = priv.Messages
			validateGreenRoomMessage(t, feedMessageFor(t, "change", version, green))
		}
	}
	validateFeedMessage(t, feedMessageFor(t, "snapshot", 40, map[string]any{"agenda": after.PublicView()}), false)
}

// TestFeedSchemasFollowOpenAPI: every definition of the feed's JSON Schemas that
// has the name of an OpenAPI component is that component, translated to draft
// 2020-12 (nullable becomes a "null" type, example becomes examples, only the
// date-time format is kept); and the two files define shared names alike.
func TestFeedSchemasFollowOpenAPI(t *testing.T) {
	doc, _ := spec(t)
	seen := map[string]any{}
	for _, path := range []string{snapshotSchemaPath, changeSchemaPath} {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			Schema string         `json:"$schema"`
			Defs   map[string]any `json:"$defs"`
		}
		if err := json.Unmarshal(raw, &file); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if file.Schema != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("%s: $schema is %q, want draft 2020-12", path, file.Schema)
		}
		names := make([]string, 0, len(file.Defs))
		for name := range file.Defs {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			def := file.Defs[name]
			if other, ok := seen[name]; ok && !reflect.DeepEqual(other, def) {
				t.Errorf("$defs/%s differs between the two feed schemas", name)
			}
			seen[name] = def
			comp := doc.Components.Schemas[name]
			if comp == nil {
				continue // a message or part of one: the feed's own
			}
			b, err := json.Marshal(comp)
			if err != nil {
				t.Fatal(err)
			}
			var oas any
			if err := json.Unmarshal(b, &oas); err != nil {
				t.Fatal(err)
			}
			want := toJSONSchema(oas)
			if !reflect.DeepEqual(want, def) {
				got, _ := json.MarshalIndent(def, "", "  ")
				exp, _ := json.MarshalIndent(want, "", "  ")
				t.Errorf("%s: $defs/%s is not components/schemas/%s of %s.\nwant: %s\ngot:  %s",
					filepath.Base(path), name, name, filepath.Base(specPath), exp, got)
			}
		}
	}
}

// toJSONSchema translates an OpenAPI 3.0 schema (as generic JSON) to draft 2020-12.
func toJSONSchema(v any) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = toJSONSchema(x)
		}
		return out
	case map[string]any:
		nullable, _ := v["nullable"].(bool)
		out := map[string]any{}
		for k, x := range v {
			switch k {
			case "nullable":
			case "$ref":
				out[k] = strings.Replace(x.(string), "#/components/schemas/", "#/$defs/", 1)
			case "type":
				if nullable {
					out[k] = []any{x, "null"}
				} else {
					out[k] = x
				}
			case "enum":
				if nullable {
					x = append(x.([]any), nil)
				}
				out[k] = x
			case "format":
				if x == "date-time" {
					out[k] = x
				}
			case "example":
				out["examples"] = []any{x}
			case "description":
				out[k] = strings.TrimSpace(x.(string))
			case "properties":
				props := map[string]any{}
				for name, p := range x.(map[string]any) {
					props[name] = toJSONSchema(p)
				}
				out[k] = props
			case "items", "allOf", "anyOf", "oneOf", "not":
				out[k] = toJSONSchema(x)
			default:
				out[k] = x
			}
		}
		return out
	}
	return v
}
