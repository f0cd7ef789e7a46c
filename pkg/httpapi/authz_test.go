package httpapi_test

import (
	"io"
	"log/slog"
	"sort"
	"strings"
	"testing"

	"github.com/tribune-act/tribune/pkg/httpapi"
)

// policy says who may use a route.
type policy string

const (
	anyone    policy = "anyone"    // public: no credentials needed
	cookie    policy = "cookie"    // a browser session only
	organizer policy = "organizer" // any authenticated organizer, no event
	view      policy = "view"      // members of the event (and admins)
	runLive   policy = "run-live"  // stage role or higher
	edit      policy = "edit"      // editor role or higher
	own       policy = "own"       // owners
	speakerOf policy = "speaker"   // a valid speaker token
	login     policy = "login"     // anyone may try; a wrong password is a 401 of its own
)

// routePolicies has one row per route. A route registered without a row fails
// TestAuthorizationMatrix, so every new route is thought about once.
var routePolicies = map[string]policy{
	"GET /healthz": anyone, "GET /readyz": anyone, "GET /metrics": anyone,
	"GET /api/v1/openapi.yaml": anyone, "GET /api/v1/docs": anyone, "GET /api/v1/schemas/:name": anyone,
	"GET /api/v1/public/events": anyone, "GET /api/v1/public/events/:slug": anyone,
	"GET /api/v1/public/events/:slug/live": anyone, "GET /api/v1/public/events/:slug/call": anyone,
	"GET /api/v1/public/events/:slug/endorsers": anyone, "POST /api/v1/public/events/:slug/applications": anyone,
	"GET /api/v1/public/applications/confirm": anyone, "POST /api/v1/public/applications/confirm": anyone,
	"GET /e/:slug": anyone, "GET /e/:slug/overlay": anyone, "GET /e/:slug/join": anyone, "GET /e/:slug/schedule.ics": anyone,
	"GET /e/:slug/schedule.json": anyone, "GET /e/:slug/schedule.xml": anyone, "GET /s/:token": anyone,
	"GET /admin": anyone, "GET /admin/": anyone, "GET /admin/e/:id": anyone, "GET /admin/e/:id/:tab": anyone,
	"GET /assets/:file": anyone, "GET /flags/:file": anyone, "GET /embed.js": anyone,
	"OPTIONS /api/v1/public/events": anyone, "OPTIONS /api/v1/public/events/:slug": anyone,
	"POST /api/v1/session": login, "DELETE /api/v1/session": anyone, "GET /api/v1/session": cookie,

	"GET /api/v1/events": organizer, "POST /api/v1/events": organizer,

	"GET /api/v1/events/:id": view, "GET /api/v1/events/:id/agenda": view, "GET /api/v1/events/:id/warnings": view,
	"GET /api/v1/events/:id/balance": view, "GET /api/v1/events/:id/changes": view, "GET /api/v1/events/:id/live": view,
	"GET /api/v1/events/:id/stages": view, "GET /api/v1/events/:id/stages/:objectID": view,
	"GET /api/v1/events/:id/slots": view, "GET /api/v1/events/:id/slots/:objectID": view,
	"GET /api/v1/events/:id/speakers": view, "GET /api/v1/events/:id/speakers/:objectID": view,
	"GET /api/v1/events/:id/organizations": view, "GET /api/v1/events/:id/organizations/:objectID": view,
	"GET /api/v1/events/:id/export/running-order.csv": view, "GET /api/v1/events/:id/export/speakers.csv": view,
	"GET /api/v1/events/:id/export/organizations.csv": view, "GET /api/v1/events/:id/call": view,
	"GET /api/v1/events/:id/applications": view, "GET /api/v1/events/:id/applications/:applicationID": view,

	"POST /api/v1/events/:id/live/:action": runLive, "POST /api/v1/events/:id/live/message": runLive,

	"PATCH /api/v1/events/:id":       edit,
	"POST /api/v1/events/:id/stages": edit, "PATCH /api/v1/events/:id/stages/:objectID": edit, "DELETE /api/v1/events/:id/stages/:objectID": edit,
	"POST /api/v1/events/:id/slots": edit, "PATCH /api/v1/events/:id/slots/:objectID": edit, "DELETE /api/v1/events/:id/slots/:objectID": edit,
	"POST /api/v1/events/:id/slots/:objectID/move": edit, "PUT /api/v1/events/:id/slots/:objectID/speakers": edit,
	"POST /api/v1/events/:id/speakers": edit, "PATCH /api/v1/events/:id/speakers/:objectID": edit, "DELETE /api/v1/events/:id/speakers/:objectID": edit,
	"POST /api/v1/events/:id/speakers/:objectID/invitation": edit, "DELETE /api/v1/events/:id/speakers/:objectID/invitation": edit,
	"POST /api/v1/events/:id/organizations": edit, "PATCH /api/v1/events/:id/organizations/:objectID": edit,
	"DELETE /api/v1/events/:id/organizations/:objectID": edit,
	"POST /api/v1/events/:id/import/speakers":           edit, "POST /api/v1/events/:id/import/organizations": edit,
	"GET /api/v1/events/:id/webhooks": edit, "POST /api/v1/events/:id/webhooks": edit, "GET /api/v1/events/:id/webhooks/:webhookID": edit,
	"DELETE /api/v1/events/:id/webhooks/:webhookID": edit, "GET /api/v1/events/:id/webhooks/:webhookID/deliveries": edit,
	"PATCH /api/v1/events/:id/call": edit, "POST /api/v1/events/:id/applications/clear": edit,
	"POST /api/v1/events/:id/applications/:applicationID/accept": edit, "POST /api/v1/events/:id/applications/:applicationID/decline": edit,
	"POST /api/v1/events/:id/applications/:applicationID/merge": edit,

	"DELETE /api/v1/events/:id": own, "GET /api/v1/events/:id/members": own, "POST /api/v1/events/:id/members": own,
	"DELETE /api/v1/events/:id/members/:userID": own,

	"GET /api/v1/speaker": speakerOf, "PATCH /api/v1/speaker/profile": speakerOf, "GET /api/v1/speaker/live": speakerOf,
	"POST /api/v1/speaker/slots/:slotID/confirm": speakerOf, "POST /api/v1/speaker/slots/:slotID/decline": speakerOf,
}

// actor is someone knocking: a token (organizer or speaker), or nobody.
type actor struct {
	name  string
	token string
	// rank is the organizer's power in this event: 0 none, 1 stage, 2 editor, 3 owner, 4 admin.
	rank int
	// organizer and speaker say what kind of token it is.
	organizer, speaker bool
}

// allowed reports whether a policy lets an actor through.
func (p policy) allows(a actor) bool {
	switch p {
	case anyone, login:
		return true
	case organizer:
		return a.organizer
	case view:
		return a.organizer && a.rank >= 1
	case runLive:
		return a.organizer && a.rank >= 1
	case edit:
		return a.organizer && a.rank >= 2
	case own:
		return a.organizer && a.rank >= 3
	case speakerOf:
		return a.speaker
	}
	return false // cookie: nobody here has a session
}

// TestAuthorizationMatrix: every registered route against every actor. A denied
// request is 401 (no or a wrong kind of credential) or 403 (a member without the
// role, or of another event) and changes nothing; an allowed one is never 401,
// 403 or 5xx.
func TestAuthorizationMatrix(t *testing.T) {
	a := newAct(t)
	h := a.h
	admin := h.user("admin@example.org", true)
	other := h.must(201, "POST", a.path("/speakers"), a.editor, map[string]any{"name": "Another Speaker"}).field(t, "id")
	revokedSpeaker := h.must(201, "POST", a.path("/speakers"), a.editor, map[string]any{"name": "Revoked"}).field(t, "id")
	mine := a.invite(t, a.speakerID)
	otherTok := a.invite(t, other)
	revoked := a.invite(t, revokedSpeaker)
	h.must(204, "DELETE", a.path("/speakers/"+revokedSpeaker+"/invitation"), a.editor, nil)
	// A speaker of another event.
	sp2 := h.must(201, "POST", "/api/v1/events/"+a.otherEventID+"/speakers", a.outsider, map[string]any{"name": "Elsewhere"}).field(t, "id")
	var link struct {
		Token string `json:"token"`
	}
	h.must(201, "POST", "/api/v1/events/"+a.otherEventID+"/speakers/"+sp2+"/invitation", a.outsider, nil).decode(t, &link)

	actors := []actor{
		{name: "anonymous"},
		{name: "stage", token: a.stage, rank: 1, organizer: true},
		{name: "editor", token: a.editor, rank: 2, organizer: true},
		{name: "owner", token: a.owner, rank: 3, organizer: true},
		{name: "admin", token: admin, rank: 4, organizer: true},
		{name: "owner of another event", token: a.outsider, organizer: true},
		{name: "speaker of this event", token: mine, speaker: true},
		{name: "another speaker", token: otherTok, speaker: true},
		{name: "speaker of another event", token: link.Token, speaker: true},
		{name: "revoked speaker", token: revoked},
		{name: "forged organizer token", token: "trb_forged"},
	}

	e := httpapi.New(nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), httpapi.Config{})
	var routes []string
	for _, r := range e.Routes() {
		if r.Method == "echo_route_not_found" {
			continue
		}
		key := r.Method + " " + r.Path
		if _, ok := routePolicies[key]; !ok {
			t.Errorf("route %s has no row in routePolicies: say who may use it", key)
			continue
		}
		routes = append(routes, key)
	}
	sort.Strings(routes)
	members := map[string]string{}
	var list []struct {
		UserID string `json:"user_id"`
		Email  string `json:"email"`
	}
	h.must(200, "GET", a.path("/members"), a.owner, nil).decode(t, &list)
	for _, m := range list {
		members[m.Email] = m.UserID
	}
	fill := func(path string) string {
		r := strings.NewReplacer(
			":id", a.id, ":slug", "peace", ":token", mine, ":slotID", a.slotID, ":userID", members["stage@example.org"],
			":action", "next", ":applicationID", "missing", ":webhookID", "missing", ":name", "feed-change.schema.json",
			":file", "missing.svg", ":tab", "agenda",
		)
		p := r.Replace(path)
		switch {
		case strings.Contains(p, "/slots/:objectID"):
			p = strings.Replace(p, ":objectID", a.slotID, 1)
		case strings.Contains(p, "/speakers/:objectID"):
			p = strings.Replace(p, ":objectID", other, 1)
		case strings.Contains(p, "/stages/:objectID"):
			p = strings.Replace(p, ":objectID", a.stageID, 1)
		case strings.Contains(p, "/organizations/:objectID"):
			p = strings.Replace(p, ":objectID", a.orgID, 1)
		}
		return p
	}
	cells := 0
	for _, key := range routes {
		method, path, _ := strings.Cut(key, " ")
		p := routePolicies[key]
		url := fill(path)
		var body any
		if method == "POST" || method == "PATCH" || method == "PUT" {
			body = "{}"
			if strings.HasSuffix(path, "/speakers") && method == "PUT" {
				body = "[]"
			}
		}
		for _, ac := range actors {
			allowed := p.allows(ac)
			// Allowed destructive requests are covered by the API tests; here they
			// would delete what later rows need.
			if allowed && (method == "DELETE" || strings.HasSuffix(path, "/invitation") || strings.HasSuffix(path, "/live/:action")) {
				continue
			}
			before := h.version(a.id)
			r := h.do(method, url, ac.token, body)
			cells++
			switch {
			case r.status >= 500:
				t.Errorf("%s as %s: %d %s", key, ac.name, r.status, r.body)
			case allowed && (r.status == 401 && p != login || r.status == 403):
				t.Errorf("%s as %s: %d, want it allowed: %s", key, ac.name, r.status, r.body)
			case !allowed && r.status != 401 && r.status != 403:
				t.Errorf("%s as %s: %d, want 401 or 403", key, ac.name, r.status)
			case !allowed && h.version(a.id) != before:
				t.Errorf("%s as %s: denied, yet the event changed", key, ac.name)
			}
			if !allowed && !ac.organizer && !ac.speaker && p != cookie && r.status != 401 {
				t.Errorf("%s as %s: %d, want 401 for no valid credential", key, ac.name, r.status)
			}
		}
	}
	t.Logf("%d routes × %d actors: %d requests", len(routes), len(actors), cells)
}
