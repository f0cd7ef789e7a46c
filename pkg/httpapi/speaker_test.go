package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/tribune-act/tribune/pkg/httpapi"
	"github.com/tribune-act/tribune/pkg/live"
)

// invite gives the act's speaker a personal link and returns its token.
func (a *act) invite(t *testing.T, speakerID string) string {
	t.Helper()
	var out struct {
		Token string `json:"token"`
		URL   string `json:"url"`
		Email string `json:"email"`
	}
	a.h.must(201, "POST", a.path("/speakers/"+speakerID+"/invitation"), a.editor, nil).decode(t, &out)
	if !strings.HasPrefix(out.Token, "spk_") || out.URL != "https://act.example.org/s/"+out.Token || out.Email != "off" {
		t.Fatalf("invitation %+v", out)
	}
	return out.Token
}

type speakerView struct {
	Version int64 `json:"version"`
	Speaker struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		HidePhoto   bool   `json:"hide_photo"`
		Revision    int64  `json:"revision"`
		Timezone    string `json:"timezone"`
		ContactMail string `json:"contact_email"`
	} `json:"speaker"`
	Slots []struct {
		ID             string    `json:"id"`
		Title          string    `json:"title"`
		Status         string    `json:"status"`
		Note           string    `json:"note"`
		StageName      string    `json:"stage_name"`
		ProjectedStart time.Time `json:"projected_start"`
		CoSpeakers     []struct {
			Name string `json:"name"`
		} `json:"co_speakers"`
	} `json:"slots"`
}

// TestSpeakerFlow: invite → link → confirm → the organizer feed shows it →
// decline with a note → a warning appears; rotation and revocation end old links.
func TestSpeakerFlow(t *testing.T) {
	a := newAct(t)
	h := a.h
	// A co-speaker on the same slot, confirmed, and one who is only invited.
	co := h.must(201, "POST", a.path("/speakers"), a.editor, map[string]any{"name": "Carlos Pérez", "country": "AR", "photo_url": "https://example.org/c.jpg", "hide_photo": true}).field(t, "id")
	shy := h.must(201, "POST", a.path("/speakers"), a.editor, map[string]any{"name": "Not Yet Sure"}).field(t, "id")
	h.must(200, "PUT", a.path("/slots/"+a.slotID+"/speakers"), a.editor, []map[string]string{{"speaker_id": a.speakerID}, {"speaker_id": co}, {"speaker_id": shy}})
	confirm(t, h, a.id, a.slotID, co)

	token := a.invite(t, a.speakerID)
	bearer := http.Header{"Authorization": {"Bearer " + token}}
	var me speakerView
	h.must(200, "GET", "/api/v1/speaker", token, nil).decode(t, &me)
	if me.Speaker.ID != a.speakerID || len(me.Slots) != 1 || me.Slots[0].Status != "invited" || me.Slots[0].StageName != "Main stage" {
		t.Fatalf("speaker view %+v", me)
	}
	if len(me.Slots[0].CoSpeakers) != 1 || me.Slots[0].CoSpeakers[0].Name != "Carlos Pérez" {
		t.Fatalf("co-speakers %+v (only confirmed ones, public fields)", me.Slots[0].CoSpeakers)
	}
	raw := string(h.must(200, "GET", "/api/v1/speaker", token, nil).body)
	for _, private := range []string{"call before", "c.jpg", "Not Yet Sure", `"notes"`} {
		if strings.Contains(raw, private) {
			t.Errorf("the speaker view shows %q", private)
		}
	}

	org := h.mustFeed(a.path("/live"), http.Header{"Authorization": {"Bearer " + a.owner}}, true)
	if _, err := org.next(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	room, _, err := h.openFeedValidated("/api/v1/speaker/live", bearer, validateGreenRoomMessage)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := room.next(5 * time.Second); err != nil {
		t.Fatal(err)
	}

	// Confirm: one change, seen live by organizers, and the speaker is public now.
	h.must(200, "POST", "/api/v1/speaker/slots/"+a.slotID+"/confirm", token, nil).decode(t, &me)
	if me.Slots[0].Status != "confirmed" {
		t.Fatalf("after confirm: %+v", me.Slots[0])
	}
	m, err := org.next(5 * time.Second)
	if err != nil || !strings.Contains(string(m.raw), `"status":"confirmed"`) {
		t.Fatalf("organizer feed after confirm: %v %s", err, m.raw)
	}
	if pub, _ := h.publicAgenda("peace"); !strings.Contains(string(pub["speakers"]), "Олена Коваль") {
		t.Fatal("a confirmed speaker is not public")
	}

	// A stage message to the current slot reaches this green room.
	h.must(200, "POST", a.path("/live/start"), a.stage, nil)
	h.must(202, "POST", a.path("/live/message"), a.stage, map[string]any{"to": "current", "text": "One minute left"})
	var got []string
	for range 3 {
		m, err := room.next(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(m.raw))
	}
	if !strings.Contains(got[2], "One minute left") {
		t.Fatalf("green room did not get the message: %v", got)
	}

	// Decline with a note: a warning for the organizers.
	h.must(200, "POST", "/api/v1/speaker/slots/"+a.slotID+"/decline", token, map[string]string{"note": "Sick, sorry"})
	var w struct {
		Warnings []struct {
			Kind    string `json:"kind"`
			Message string `json:"message"`
		} `json:"warnings"`
	}
	h.must(200, "GET", a.path("/warnings"), a.owner, nil).decode(t, &w)
	found := false
	for _, x := range w.Warnings {
		found = found || x.Kind == "declined" && strings.Contains(x.Message, "Sick, sorry")
	}
	if !found {
		t.Fatalf("no declined warning: %+v", w.Warnings)
	}

	// Rotation: the old link stops working, the new one works.
	newToken := a.invite(t, a.speakerID)
	h.must(401, "GET", "/api/v1/speaker", token, nil)
	h.must(200, "GET", "/api/v1/speaker", newToken, nil)
	// Revocation.
	h.must(204, "DELETE", a.path("/speakers/"+a.speakerID+"/invitation"), a.editor, nil)
	h.must(401, "GET", "/api/v1/speaker", newToken, nil)
	h.must(404, "DELETE", a.path("/speakers/"+a.speakerID+"/invitation"), a.editor, nil)

	// The token never shows again: not in logs, the change log, or any other response.
	changes := string(h.must(200, "GET", a.path("/changes"), a.owner, nil).body)
	agendaView := string(h.must(200, "GET", a.path("/agenda"), a.owner, nil).body)
	for _, tok := range []string{token, newToken, strings.TrimPrefix(token, "spk_")} {
		for where, text := range map[string]string{"logs": h.logs.String(), "change log": changes, "agenda": agendaView} {
			if strings.Contains(text, tok) {
				t.Errorf("a speaker token appears in the %s", where)
			}
		}
	}
}

func TestSpeakerProfile(t *testing.T) {
	a := newAct(t)
	h := a.h
	token := a.invite(t, a.speakerID)
	confirm(t, h, a.id, a.slotID, a.speakerID)
	a.unchanged(t, func() {
		for field, bad := range map[string]any{
			"name": "", "timezone": "Mars/Base", "photo_url": "javascript:alert(1)", "languages": []string{"??"},
			"notes": "mine now", "country": "RU", "contact_email": "x@example.org", "Name": "case",
		} {
			r := h.must(400, "PATCH", "/api/v1/speaker/profile", token, map[string]any{field: bad})
			if got := r.field(t, "field"); !strings.HasPrefix(got, field) {
				t.Errorf("bad %s: problem names %q", field, got)
			}
		}
		h.must(412, "PATCH", "/api/v1/speaker/profile", token, map[string]any{"bio": "x", "revision": 1})
	})
	var me speakerView
	h.must(200, "PATCH", "/api/v1/speaker/profile", token, map[string]any{
		"name": "O. K.", "hide_organization": true, "hide_country": true, "timezone": "America/Toronto",
	}).decode(t, &me)
	if me.Speaker.Name != "O. K." || me.Speaker.Timezone != "America/Toronto" {
		t.Fatalf("profile %+v", me.Speaker)
	}
	// Hidden on every public surface so far: the agenda and the feed's snapshot.
	pub, body := h.publicAgenda("peace")
	snap, err := h.mustFeed("/api/v1/public/events/peace/live", nil, false).next(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, surface := range []string{string(body), string(snap.raw)} {
		for _, hidden := range []string{"Union of Teachers", `"UA"`, "Олена"} {
			if strings.Contains(surface, hidden) {
				t.Errorf("a hidden field %q is public", hidden)
			}
		}
	}
	var speakers []map[string]any
	_ = json.Unmarshal(pub["speakers"], &speakers)
	if len(speakers) != 1 || speakers[0]["name"] != "O. K." {
		t.Fatalf("public speakers %v", speakers)
	}
}

func TestSpeakerAuthorization(t *testing.T) {
	a := newAct(t)
	h := a.h
	other := h.must(201, "POST", a.path("/speakers"), a.editor, map[string]any{"name": "Other Speaker"}).field(t, "id")
	otherSlot := h.must(201, "POST", a.path("/slots"), a.editor, map[string]any{"stage_id": a.stageID, "title": "Theirs", "duration_seconds": 60}).field(t, "id")
	h.must(200, "PUT", a.path("/slots/"+otherSlot+"/speakers"), a.editor, []map[string]string{{"speaker_id": other}})
	token := a.invite(t, a.speakerID)
	// Another event, with its own speaker and token.
	stage2 := h.must(201, "POST", "/api/v1/events/"+a.otherEventID+"/stages", a.outsider, map[string]any{"name": "S"}).field(t, "id")
	sp2 := h.must(201, "POST", "/api/v1/events/"+a.otherEventID+"/speakers", a.outsider, map[string]any{"name": "Elsewhere"}).field(t, "id")
	slot2 := h.must(201, "POST", "/api/v1/events/"+a.otherEventID+"/slots", a.outsider, map[string]any{"stage_id": stage2, "title": "X", "duration_seconds": 60}).field(t, "id")
	h.must(200, "PUT", "/api/v1/events/"+a.otherEventID+"/slots/"+slot2+"/speakers", a.outsider, []map[string]string{{"speaker_id": sp2}})

	a.unchanged(t, func() {
		h.must(404, "POST", "/api/v1/speaker/slots/"+otherSlot+"/confirm", token, nil) // another speaker's slot
		h.must(404, "POST", "/api/v1/speaker/slots/"+slot2+"/confirm", token, nil)     // another event's slot
		h.must(404, "POST", "/api/v1/speaker/slots/missing/decline", token, nil)
		h.must(401, "GET", "/api/v1/speaker", "", nil)
		h.must(401, "GET", "/api/v1/speaker", "spk_forged", nil)
		h.must(401, "GET", "/api/v1/speaker", a.owner, nil) // an organizer token is not a speaker token
		h.must(401, "POST", "/api/v1/speaker/slots/"+a.slotID+"/confirm", "spk_forged", nil)
		h.must(400, "POST", "/api/v1/speaker/slots/"+a.slotID+"/decline", token, map[string]any{"note": strings.Repeat("n", 2001)})
		// A speaker token opens nothing of the organizer API.
		h.must(401, "GET", a.path(""), token, nil)
		h.must(401, "GET", a.path("/agenda"), token, nil)
		// Inviting is for editors of this event.
		h.must(403, "POST", a.path("/speakers/"+a.speakerID+"/invitation"), a.stage, nil)
		h.must(403, "POST", a.path("/speakers/"+a.speakerID+"/invitation"), a.outsider, nil)
		h.must(404, "POST", a.path("/speakers/missing/invitation"), a.editor, nil)
	})
	// An expired link: the act ended more than a day ago.
	h.must(200, "PATCH", a.path(""), a.owner, map[string]any{"starts_at": "2025-01-01T10:00:00Z", "ends_at": "2025-01-01T12:00:00Z"})
	h.must(401, "GET", "/api/v1/speaker", token, nil)
}

func TestSpeakerRateLimit(t *testing.T) {
	h := newHarnessWith(t, live.DefaultOptions, func(c *httpapi.Config) { c.SpeakerRate = 1 })
	a := newActOn(t, h)
	token := a.invite(t, a.speakerID)
	limited := 0
	for range 10 {
		if r := h.do("GET", "/api/v1/speaker", "spk_guess"+fmt.Sprint(limited), nil); r.status == 429 {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("ten guesses in a row were never rate-limited")
	}
	// The limit is per client address: guesses from here lock out here, for a moment.
	if r := h.do("GET", "/api/v1/speaker", token, nil); r.status != 429 {
		t.Fatalf("status %d right after the guesses, want 429", r.status)
	}
}

// TestBrowserFeedsTakeTheTokenAsSubprotocol: a browser cannot set Authorization
// on a websocket, so it offers ["tribune", token] as subprotocols.
func TestBrowserFeedsTakeTheTokenAsSubprotocol(t *testing.T) {
	a := newAct(t)
	token := a.invite(t, a.speakerID)
	for path, tok := range map[string]string{"/api/v1/speaker/live": token, a.path("/live"): a.owner} {
		d := websocket.Dialer{Subprotocols: []string{"tribune", tok}}
		conn, res, err := d.Dial("ws"+strings.TrimPrefix(a.h.srv.URL, "http")+path, nil)
		if err != nil {
			t.Fatalf("%s: %v %v", path, res, err)
		}
		if conn.Subprotocol() != "tribune" {
			t.Errorf("%s: subprotocol %q", path, conn.Subprotocol())
		}
		conn.Close()
		d.Subprotocols = []string{"tribune", "spk_forged"}
		if _, res, err := d.Dial("ws"+strings.TrimPrefix(a.h.srv.URL, "http")+path, nil); err == nil || res.StatusCode != 401 {
			t.Errorf("%s with a forged token: %v", path, res)
		}
	}
}

// TestForwardedForIsTrustedOnlyFromConfiguredProxies: X-Forwarded-For does not
// dodge the per-address limit unless the request comes through a trusted proxy.
func TestForwardedForIsTrustedOnlyFromConfiguredProxies(t *testing.T) {
	guesses := func(h *harness) (limited int) {
		for i := range 10 {
			r := h.do("GET", "/api/v1/speaker", "spk_guess", nil, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
			if r.status == 429 {
				limited++
			}
		}
		return limited
	}
	direct := newHarnessWith(t, live.DefaultOptions, func(c *httpapi.Config) { c.SpeakerRate = 1 })
	if guesses(direct) == 0 {
		t.Fatal("a forged X-Forwarded-For dodged the limit")
	}
	_, loopback, _ := net.ParseCIDR("127.0.0.1/32")
	proxied := newHarnessWith(t, live.DefaultOptions, func(c *httpapi.Config) {
		c.SpeakerRate = 1
		c.TrustedProxies = []*net.IPNet{loopback}
	})
	if n := guesses(proxied); n != 0 {
		t.Fatalf("behind a trusted proxy, ten clients were limited %d times", n)
	}
}
