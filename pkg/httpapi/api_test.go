package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// act is an event built through the API, with the tokens of its people.
type act struct {
	h                    *harness
	owner, editor, stage string // tokens of members of this event
	outsider             string // owner of another event
	id, stageID, slotID  string
	speakerID, orgID     string
	otherEventID         string
}

func newAct(t *testing.T) *act {
	return newActOn(t, newHarness(t))
}

// newActOn builds the act on a given server.
func newActOn(t *testing.T, h *harness) *act {
	a := &act{h: h, owner: h.user("owner@example.org", false), editor: h.user("editor@example.org", false),
		stage: h.user("stage@example.org", false), outsider: h.user("outsider@example.org", false)}
	a.id = h.must(201, "POST", "/api/v1/events", a.owner, map[string]any{
		"slug": "peace", "title": "Peace now", "starts_at": "2026-12-05T17:00:00Z", "timezone": "Europe/Berlin",
		"status": "published", "languages": []string{"en", "es"},
	}).field(t, "id")
	a.otherEventID = h.must(201, "POST", "/api/v1/events", a.outsider, map[string]any{
		"slug": "other", "title": "Other act", "starts_at": "2026-12-06T17:00:00Z", "timezone": "UTC",
	}).field(t, "id")
	h.must(201, "POST", a.path("/members"), a.owner, map[string]any{"email": "editor@example.org", "role": "editor"})
	h.must(201, "POST", a.path("/members"), a.owner, map[string]any{"email": "stage@example.org", "role": "stage"})
	a.stageID = h.must(201, "POST", a.path("/stages"), a.editor, map[string]any{"name": "Main stage"}).field(t, "id")
	a.orgID = h.must(201, "POST", a.path("/organizations"), a.editor, map[string]any{
		"name": "Union of Teachers", "country": "UA", "kind": "union", "url": "https://union.example.org",
	}).field(t, "id")
	a.speakerID = h.must(201, "POST", a.path("/speakers"), a.editor, map[string]any{
		"name": "Олена Коваль", "country": "UA", "organization_id": a.orgID, "timezone": "Europe/Kyiv",
		"languages": []string{"uk", "en"}, "contact_email": "olena@example.org", "notes": "call before",
	}).field(t, "id")
	a.slotID = h.must(201, "POST", a.path("/slots"), a.editor, map[string]any{
		"stage_id": a.stageID, "kind": "speech", "title": "Opening", "duration_seconds": 600, "language": "uk",
		"interpretation": []map[string]string{{"language": "en", "url": "https://stream.example.org/en"}},
	}).field(t, "id")
	h.must(200, "PUT", a.path("/slots/"+a.slotID+"/speakers"), a.editor, []map[string]string{{"speaker_id": a.speakerID, "role": "speaker"}})
	return a
}

func (a *act) path(p string) string { return "/api/v1/events/" + a.id + p }

// unchanged runs f and fails if the event's version moved.
func (a *act) unchanged(t *testing.T, f func()) {
	t.Helper()
	before := a.h.version(a.id)
	f()
	if after := a.h.version(a.id); after != before {
		t.Fatalf("version moved from %d to %d on a failed request", before, after)
	}
}

func TestEventRoutes(t *testing.T) {
	a := newAct(t)
	h := a.h
	var list []agenda.Event
	h.must(200, "GET", "/api/v1/events", a.owner, nil).decode(t, &list)
	if len(list) != 1 || list[0].ID != a.id {
		t.Fatalf("owner's events = %+v", list)
	}
	r := h.must(200, "GET", a.path(""), a.stage, nil)
	tag := r.header.Get("ETag")
	var ev agenda.Event
	r.decode(t, &ev)
	if tag != fmt.Sprintf(`"%d"`, ev.Revision) || ev.Slug != "peace" {
		t.Fatalf("etag %s event %+v", tag, ev)
	}
	v := h.version(a.id)
	r = h.must(200, "PATCH", a.path(""), a.editor, map[string]any{"title": "Peace now!", "ends_at": "2026-12-05T21:00:00Z"}, "If-Match", tag)
	r.decode(t, &ev)
	if ev.Title != "Peace now!" || ev.Slug != "peace" || ev.Version != v+1 || ev.EndsAt == nil {
		t.Fatalf("patched event %+v", ev)
	}
	// The old ETag is stale now: 412 with the current event, and nothing changes.
	a.unchanged(t, func() {
		r = h.must(412, "PATCH", a.path(""), a.editor, map[string]any{"title": "Lost update"}, "If-Match", tag)
		var p struct {
			Current agenda.Event `json:"current"`
		}
		r.decode(t, &p)
		if p.Current.Title != "Peace now!" {
			t.Fatalf("412 body %s", r.body)
		}
		h.must(412, "PATCH", a.path(""), a.editor, map[string]any{"title": "Lost update", "revision": 1})
	})
	// A slug another event has is a validation error on slug.
	a.unchanged(t, func() {
		r = h.must(400, "PATCH", a.path(""), a.owner, map[string]any{"slug": "other"})
		if r.field(t, "field") != "slug" {
			t.Fatalf("body %s", r.body)
		}
	})
	// Names are exact: encoding/json's case-insensitive match is refused.
	a.unchanged(t, func() {
		r = h.must(400, "PATCH", a.path(""), a.editor, map[string]any{"Title": "Shouting"})
		if r.field(t, "field") != "Title" {
			t.Fatalf("body %s", r.body)
		}
	})
	// A null list is an empty list, never null on the wire.
	h.must(200, "PATCH", a.path(""), a.editor, `{"languages": null}`).decode(t, &ev)
	if ev.Languages == nil {
		t.Fatal("languages came back null")
	}
	// Deleting is for owners, and refuses a stale ETag.
	h.must(403, "DELETE", a.path(""), a.editor, nil)
	a.unchanged(t, func() { h.must(412, "DELETE", a.path(""), a.owner, nil, "If-Match", tag) })
	h.must(204, "DELETE", a.path(""), a.owner, nil, "If-Match", fmt.Sprintf(`"%d"`, ev.Revision))
	h.must(404, "GET", a.path(""), a.owner, nil)
}

// collectionCase describes one kind of object for the shared CRUD test.
type collectionCase struct {
	name    string
	create  map[string]any
	patch   map[string]any
	invalid map[string]any // field → an invalid value
}

func TestCollectionRoutes(t *testing.T) {
	a := newAct(t)
	h := a.h
	cases := []collectionCase{
		{"stages", map[string]any{"name": "Second stage"}, map[string]any{"name": "Side stage"},
			map[string]any{"name": ""}},
		{"organizations", map[string]any{"name": "Sindicato", "country": "BR", "kind": "union"}, map[string]any{"url": "https://sind.example.org"},
			map[string]any{"country": "XX", "kind": "church", "url": "javascript:alert(1)", "name": strings.Repeat("n", 201)}},
		{"speakers", map[string]any{"name": "अनीता शर्मा", "country": "IN", "timezone": "Asia/Kolkata"}, map[string]any{"bio": "Organizer.", "hide_photo": true},
			map[string]any{"country": "India", "timezone": "Mars/Olympus", "languages": []string{"not a tag!"}, "contact_email": "nope", "photo_url": "ftp://x", "organization_id": "missing"}},
		{"slots", map[string]any{"stage_id": a.stageID, "title": "Music", "kind": "music", "duration_seconds": 240}, map[string]any{"duration_seconds": 300, "pinned_start": "2026-12-05T18:00:00Z"},
			map[string]any{"duration_seconds": 0, "kind": "dance", "language": "??", "title": "", "stage_id": "missing", "position": "first"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := a.path("/" + c.name)
			r := h.must(201, "POST", base, a.editor, c.create)
			id := r.field(t, "id")
			if loc := r.header.Get("Location"); loc != base+"/"+id {
				t.Errorf("Location %q", loc)
			}
			tag := r.header.Get("ETag")
			var all []map[string]any
			h.must(200, "GET", base, a.stage, nil).decode(t, &all)
			if len(all) < 1 {
				t.Fatalf("list %v", all)
			}
			h.must(200, "GET", base+"/"+id, a.stage, nil)
			h.must(200, "PATCH", base+"/"+id, a.editor, c.patch, "If-Match", tag)
			a.unchanged(t, func() {
				h.must(412, "PATCH", base+"/"+id, a.editor, c.patch, "If-Match", tag)
				h.must(412, "DELETE", base+"/"+id, a.editor, nil, "If-Match", tag)
				for field, bad := range c.invalid {
					for _, method := range []string{"POST", "PATCH"} {
						body := map[string]any{}
						if method == "POST" {
							for k, v := range c.create {
								body[k] = v
							}
						}
						body[field] = bad
						path := base
						if method == "PATCH" {
							path += "/" + id
							if field == "stage_id" || field == "position" {
								continue // placement is not a patchable field
							}
						}
						r := h.must(400, method, path, a.editor, body)
						if got := r.field(t, "field"); !strings.HasPrefix(got, field) {
							t.Errorf("%s %s with bad %s: problem names field %q: %s", method, c.name, field, got, r.body)
						}
					}
				}
				h.must(400, "POST", base, a.editor, `{"unknown_field": 1}`)
				h.must(400, "POST", base, a.editor, `[1,2]`)
				h.must(400, "POST", base, a.editor, `{not json`)
				h.must(400, "PATCH", base+"/"+id, a.editor, `{"id": "other"}`)
				h.must(400, "PATCH", base+"/"+id, a.editor, c.patch, "If-Match", "not-a-tag")
				h.must(415, "POST", base, a.editor, c.create, "Content-Type", "text/plain")
				h.must(413, "POST", base, a.editor, `{"name":"`+strings.Repeat("x", 1<<20)+`"}`)
				h.must(404, "GET", base+"/missing", a.stage, nil)
				h.must(404, "PATCH", base+"/missing", a.editor, c.patch)
				h.must(404, "DELETE", base+"/missing", a.editor, nil)
				h.must(401, "GET", base, "", nil)
				h.must(401, "POST", base, "trb_wrong", c.create)
				h.must(403, "GET", base, a.outsider, nil)
				h.must(403, "POST", base, a.outsider, c.create)
				h.must(403, "PATCH", base+"/"+id, a.stage, c.patch)
				h.must(403, "DELETE", base+"/"+id, a.stage, nil)
			})
			h.must(204, "DELETE", base+"/"+id, a.editor, nil)
			h.must(404, "GET", base+"/"+id, a.stage, nil)
		})
	}
}

func TestRunningOrderRoutes(t *testing.T) {
	a := newAct(t)
	h := a.h
	second := h.must(201, "POST", a.path("/slots"), a.editor, map[string]any{"stage_id": a.stageID, "title": "Second", "duration_seconds": 300}).field(t, "id")
	first := h.must(201, "POST", a.path("/slots"), a.editor, map[string]any{"stage_id": a.stageID, "title": "First", "duration_seconds": 120, "position": 0}).field(t, "id")
	var slots []agenda.Slot
	h.must(200, "GET", a.path("/slots"), a.stage, nil).decode(t, &slots)
	if len(slots) != 3 || slots[0].ID != first || slots[1].ID != a.slotID || slots[2].ID != second {
		t.Fatalf("order %+v", slots)
	}
	if !slots[1].PlannedStart.Equal(slots[0].PlannedEnd) || slots[0].PlannedStart.Format("15:04") != "17:00" {
		t.Fatalf("planned times %v %v", slots[0].PlannedStart, slots[1].PlannedStart)
	}
	var moved agenda.Slot
	h.must(200, "POST", a.path("/slots/"+second+"/move"), a.editor, map[string]any{"stage_id": a.stageID, "position": 0}).decode(t, &moved)
	if moved.Position != 0 || !moved.PlannedStart.Equal(slots[0].PlannedStart) {
		t.Fatalf("moved %+v", moved)
	}
	a.unchanged(t, func() {
		h.must(400, "POST", a.path("/slots/"+second+"/move"), a.editor, map[string]any{"stage_id": "missing", "position": 0})
		h.must(400, "POST", a.path("/slots/"+second+"/move"), a.editor, map[string]any{"stage_id": a.stageID})
		h.must(400, "POST", a.path("/slots/"+second+"/move"), a.editor, map[string]any{"stage_id": a.stageID, "position": -1})
		h.must(404, "POST", a.path("/slots/missing/move"), a.editor, map[string]any{"stage_id": a.stageID, "position": 0})
		h.must(403, "POST", a.path("/slots/"+second+"/move"), a.stage, map[string]any{"stage_id": a.stageID, "position": 0})
		h.must(412, "POST", a.path("/slots/"+second+"/move"), a.editor, map[string]any{"stage_id": a.stageID, "position": 2, "revision": 1})
		h.must(400, "PUT", a.path("/slots/"+second+"/speakers"), a.editor, []map[string]string{{"speaker_id": "missing"}})
		h.must(400, "PUT", a.path("/slots/"+second+"/speakers"), a.editor, []map[string]string{{"speaker_id": a.speakerID, "role": "king"}})
		h.must(400, "PUT", a.path("/slots/"+second+"/speakers"), a.editor, []map[string]string{{"speaker_id": a.speakerID}, {"speaker_id": a.speakerID}})
		h.must(400, "PUT", a.path("/slots/"+second+"/speakers"), a.editor, map[string]string{"speaker_id": a.speakerID})
		h.must(404, "PUT", a.path("/slots/missing/speakers"), a.editor, []map[string]string{})
		h.must(403, "PUT", a.path("/slots/"+second+"/speakers"), a.outsider, []map[string]string{})
	})
	var withSpeakers agenda.Slot
	h.must(200, "PUT", a.path("/slots/"+second+"/speakers"), a.editor, []map[string]string{{"speaker_id": a.speakerID, "role": "moderator"}}).decode(t, &withSpeakers)
	if len(withSpeakers.Speakers) != 1 || withSpeakers.Speakers[0].Status != agenda.Invited || withSpeakers.Speakers[0].Role != agenda.RoleModerator {
		t.Fatalf("speakers %+v", withSpeakers.Speakers)
	}
}

func TestReportsAndHistory(t *testing.T) {
	a := newAct(t)
	h := a.h
	var w struct {
		Version  int64            `json:"version"`
		Warnings []agenda.Warning `json:"warnings"`
	}
	h.must(200, "GET", a.path("/warnings"), a.stage, nil).decode(t, &w)
	if w.Version != h.version(a.id) {
		t.Fatalf("warnings version %d", w.Version)
	}
	var b struct {
		Balance agenda.Balance `json:"balance"`
	}
	h.must(200, "GET", a.path("/balance"), a.stage, nil).decode(t, &b)
	if b.Balance.TotalSeconds != 600 || len(b.Balance.Countries) != 1 || b.Balance.Countries[0].Key != "UA" {
		t.Fatalf("balance %+v", b.Balance)
	}
	var ch struct {
		Changes []struct {
			Version int64  `json:"version"`
			Actor   string `json:"actor"`
			Summary string `json:"summary"`
		} `json:"changes"`
	}
	h.must(200, "GET", a.path("/changes?since=2&limit=3"), a.stage, nil).decode(t, &ch)
	if len(ch.Changes) != 3 || ch.Changes[0].Version != 3 || ch.Changes[0].Actor != "editor@example.org" {
		t.Fatalf("changes %+v", ch.Changes)
	}
	for _, q := range []string{"since=-1", "since=x", "limit=0", "limit=5000"} {
		h.must(400, "GET", a.path("/changes?"+q), a.stage, nil)
	}
	var agendaView map[string]any
	h.must(200, "GET", a.path("/agenda"), a.stage, nil).decode(t, &agendaView)
	for _, k := range []string{"version", "event", "stages", "slots", "speakers", "organizations", "live"} {
		if _, ok := agendaView[k]; !ok {
			t.Errorf("organizer agenda lacks %q", k)
		}
	}
	for _, p := range []string{"/warnings", "/balance", "/changes", "/agenda"} {
		h.must(403, "GET", a.path(p), a.outsider, nil)
		h.must(401, "GET", a.path(p), "", nil)
		h.must(404, "GET", "/api/v1/events/missing"+p, a.owner, nil)
	}
}

func TestMemberRoutes(t *testing.T) {
	a := newAct(t)
	h := a.h
	var members []agenda.Member
	h.must(200, "GET", a.path("/members"), a.owner, nil).decode(t, &members)
	if len(members) != 3 {
		t.Fatalf("members %+v", members)
	}
	h.must(403, "GET", a.path("/members"), a.editor, nil)
	h.must(403, "POST", a.path("/members"), a.editor, map[string]any{"email": "outsider@example.org", "role": "owner"})
	h.must(400, "POST", a.path("/members"), a.owner, map[string]any{"email": "nobody@example.org", "role": "editor"})
	h.must(400, "POST", a.path("/members"), a.owner, map[string]any{"email": "outsider@example.org", "role": "king"})
	// The stage member becomes an editor, then leaves.
	var stageID string
	for _, m := range members {
		if m.Email == "stage@example.org" {
			stageID = m.UserID
		}
	}
	h.must(200, "POST", a.path("/members"), a.owner, map[string]any{"email": "stage@example.org", "role": "editor"})
	h.must(200, "PATCH", a.path("/stages/"+a.stageID), a.stage, map[string]any{"name": "Renamed"})
	h.must(204, "DELETE", a.path("/members/"+stageID), a.owner, nil)
	h.must(403, "GET", a.path(""), a.stage, nil)
	h.must(404, "DELETE", a.path("/members/"+stageID), a.owner, nil)
	// The last owner cannot leave.
	var ownerID string
	for _, m := range members {
		if m.Email == "owner@example.org" {
			ownerID = m.UserID
		}
	}
	h.must(409, "DELETE", a.path("/members/"+ownerID), a.owner, nil)
}

func TestAdminSeesEveryEvent(t *testing.T) {
	a := newAct(t)
	admin := a.h.user("admin@example.org", true)
	var list []agenda.Event
	a.h.must(200, "GET", "/api/v1/events", admin, nil).decode(t, &list)
	if len(list) != 2 {
		t.Fatalf("admin sees %d events", len(list))
	}
	a.h.must(200, "PATCH", a.path("/stages/"+a.stageID), admin, map[string]any{"name": "By admin"})
	a.h.must(404, "GET", "/api/v1/events/missing", admin, nil)
}

func TestCreateEventValidation(t *testing.T) {
	h := newHarness(t)
	tok := h.user("o@example.org", false)
	good := map[string]any{"slug": "act", "title": "Act", "starts_at": "2026-12-05T17:00:00Z", "timezone": "Europe/Paris"}
	for field, bad := range map[string]any{
		"slug": "Not A Slug", "title": "", "starts_at": "tomorrow", "timezone": "Paris", "status": "live",
		"languages": []string{"xx-!!"}, "stream_url": "javascript:alert(1)", "ends_at": "2026-12-05T16:00:00Z",
		"waking_hours": map[string]string{"from": "25:00", "to": "23:00"},
	} {
		body := map[string]any{}
		for k, v := range good {
			body[k] = v
		}
		body[field] = bad
		r := h.must(400, "POST", "/api/v1/events", tok, body)
		if got := r.field(t, "field"); !strings.HasPrefix(got, field) {
			t.Errorf("bad %s: problem names %q: %s", field, got, r.body)
		}
	}
	var list []agenda.Event
	h.must(200, "GET", "/api/v1/events", tok, nil).decode(t, &list)
	if len(list) != 0 {
		t.Fatalf("failed creations left %d events", len(list))
	}
	h.must(201, "POST", "/api/v1/events", tok, good)
	h.must(400, "POST", "/api/v1/events", tok, good) // the slug is taken
	h.must(401, "POST", "/api/v1/events", "", good)
}

func TestHealth(t *testing.T) {
	h := newHarness(t)
	h.must(200, "GET", "/healthz", "", nil)
	h.must(200, "GET", "/readyz", "", nil)
	r := h.must(404, "GET", "/no/such/route", "", nil)
	if r.field(t, "status") != "" {
		t.Logf("%s", r.body)
	}
	h.must(http.StatusMethodNotAllowed, "PUT", "/healthz", "", nil)
	// Unknown API paths are 404 for everyone, not 401.
	h.must(404, "GET", "/api/v1/nothing/here", "", nil)
	h.must(404, "GET", "/api/v1/events/x/nothing", "", nil)
}
