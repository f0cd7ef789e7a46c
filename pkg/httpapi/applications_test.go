package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	netmail "net/mail"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/auth"
	"github.com/tribune-act/tribune/pkg/httpapi"
	"github.com/tribune-act/tribune/pkg/live"
	"github.com/tribune-act/tribune/pkg/mail/mailtest"
	"github.com/tribune-act/tribune/pkg/notify"
	"github.com/tribune-act/tribune/pkg/store"
)

// withMail starts a real SMTP server and wires the server's e-mail to it.
func withMail(t *testing.T) (*mailtest.Server, func(*httpapi.Config)) {
	t.Helper()
	box := mailtest.Start(t)
	sender := box.Sender(t)
	keys, _ := auth.NewSpeakerKeys([]byte("a test secret of at least 32 bytes!"))
	n := notify.New(nil, sender, keys, "https://act.example.org", agenda.ReminderPolicy{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return box, func(c *httpapi.Config) { c.Confirmations = n; c.Invitations = n }
}

// readMail decodes a received message's subject and text.
func readMail(t *testing.T, raw string) (subject, text string) {
	t.Helper()
	m, err := netmail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	var body io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(m.Body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return subject, string(b)
}

var confirmLink = regexp.MustCompile(`https://act\.example\.org/e/peace/join\?confirm=(apc_[A-Za-z0-9_-]+)`)

// trustProxy makes the loopback a trusted proxy, so a test can speak from many
// client addresses with X-Forwarded-For.
func trustProxy(c *httpapi.Config) {
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	c.TrustedProxies = []*net.IPNet{loopback}
}

// newCallAct is an act whose call is open, on a server with the given tweaks.
func newCallAct(t *testing.T, tweaks ...func(*httpapi.Config)) *act {
	t.Helper()
	a := newActOn(t, newHarnessWith(t, live.DefaultOptions, append([]func(*httpapi.Config){trustProxy}, tweaks...)...))
	now := time.Now().UTC()
	a.h.must(200, "PATCH", a.path("/call"), a.editor, map[string]any{
		"opens_at": now.Add(-time.Hour), "closes_at": now.Add(30 * 24 * time.Hour),
	})
	return a
}

var addresses atomic.Int64

// nextAddress is a client address no other request of the test binary used.
func nextAddress() string {
	n := addresses.Add(1)
	return fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)
}

// application is a valid application; changes are merged into it (a nil value removes the key).
func application(changes map[string]any) map[string]any {
	app := map[string]any{
		"organization_name": "Sindicato de Docentes", "country": "AR", "kind": "union",
		"website": "https://docentes.example.org", "contact_name": "Lucía Fernández",
		"contact_email": "lucia@docentes.example.org", "endorse": true, "show_publicly": true,
		"wants_slot": true, "speaker_name": "Marta Gómez", "speaker_language": "es",
		"speaker_timezone": "America/Argentina/Buenos_Aires", "note": "Marta can only speak after 18:00 our time",
		"consent": true, "consent_version": "1", "locale": "es", "fax": "",
	}
	for k, v := range changes {
		if v == nil {
			delete(app, k)
		} else {
			app[k] = v
		}
	}
	return app
}

// apply sends an application from a client address of its own.
func (a *act) apply(body any) *response {
	return a.applyFrom(nextAddress(), body)
}

func (a *act) applyFrom(address string, body any) *response {
	return a.h.do("POST", "/api/v1/public/events/peace/applications", "", body, "X-Forwarded-For", address)
}

// queue reads the review queue with a query string.
func (a *act) queue(t *testing.T, query string) (page struct {
	Applications []store.Application `json:"applications"`
	Total        int64               `json:"total"`
	Next         string              `json:"next"`
}) {
	t.Helper()
	a.h.must(200, "GET", a.path("/applications?"+query), a.editor, nil).decode(t, &page)
	return page
}

func (a *act) application(t *testing.T, id string) store.Application {
	t.Helper()
	var app store.Application
	a.h.must(200, "GET", a.path("/applications/"+id), a.stage, nil).decode(t, &app)
	return app
}

func (a *act) endorsers(t *testing.T) agenda.Endorsers {
	t.Helper()
	var e agenda.Endorsers
	a.h.must(200, "GET", "/api/v1/public/events/peace/endorsers", "", nil).decode(t, &e)
	return e
}

// TestApplyConfirmAcceptEndorse is the whole path of one application: it is
// received, confirmed through the link in a real e-mail, accepted with a speaker
// and a slot placeholder in one versioned change, and listed as an endorser.
func TestApplyConfirmAcceptEndorse(t *testing.T) {
	box, withSMTP := withMail(t)
	a := newCallAct(t, withSMTP)
	h := a.h

	var call httpapi.PublicCall
	h.must(200, "GET", "/api/v1/public/events/peace/call", "", nil).decode(t, &call)
	if !call.Open || !call.EmailConfirmation || call.ConsentVersion != "1" || len(call.Kinds) != 7 {
		t.Fatalf("public call %+v", call)
	}

	var receipt struct{ ID, Status, Confirmation string }
	r := a.apply(application(nil))
	if r.status != 202 {
		t.Fatalf("apply: %d %s", r.status, r.body)
	}
	r.decode(t, &receipt)
	if receipt.Status != "unconfirmed" || receipt.Confirmation != "email" {
		t.Fatalf("receipt %s", r.body)
	}
	if got := a.application(t, receipt.ID); got.Status != agenda.AppUnconfirmed || got.ConfirmedAt != nil {
		t.Fatalf("before confirmation: %+v", got)
	}

	// The e-mail is in the applicant's language, and carries a single-use link.
	msgs := box.Received()
	if len(msgs) != 1 {
		t.Fatalf("%d e-mails, want 1", len(msgs))
	}
	subject, text := readMail(t, msgs[0].Data)
	if !strings.Contains(subject, "Confirme su solicitud") || !strings.Contains(text, "Hola, Lucía Fernández:") ||
		!strings.Contains(text, "Sindicato de Docentes") {
		t.Fatalf("e-mail:\n%s\n%s", subject, text)
	}
	m := confirmLink.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no confirmation link in:\n%s", text)
	}
	token := m[1]

	// Looking at the link (as a mail scanner does) uses nothing.
	for range 2 {
		var view map[string]any
		h.must(200, "GET", "/api/v1/public/applications/confirm?token="+token, "", nil).decode(t, &view)
		if view["organization_name"] != "Sindicato de Docentes" || view["status"] != "unconfirmed" || view["event_slug"] != "peace" {
			t.Fatalf("confirmation view %v", view)
		}
	}
	h.must(404, "GET", "/api/v1/public/applications/confirm?token=apc_forged", "", nil)
	h.must(404, "POST", "/api/v1/public/applications/confirm", "", map[string]string{"token": "trb_not_one_of_ours"})
	h.must(400, "POST", "/api/v1/public/applications/confirm", "", map[string]string{})
	var confirmed map[string]any
	h.must(200, "POST", "/api/v1/public/applications/confirm", "", map[string]string{"token": token}).decode(t, &confirmed)
	if confirmed["status"] != "pending" {
		t.Fatalf("confirmed %v", confirmed)
	}
	// Single use.
	h.must(404, "POST", "/api/v1/public/applications/confirm", "", map[string]string{"token": token})
	h.must(404, "GET", "/api/v1/public/applications/confirm?token="+token, "", nil)
	if got := a.application(t, receipt.ID); got.Status != agenda.AppPending || got.ConfirmedAt == nil {
		t.Fatalf("after confirmation: %+v", got)
	}

	// Accepting it is one change: organization, speaker and invited slot placeholder.
	before := h.version(a.id)
	var accepted store.Application
	h.must(200, "POST", a.path("/applications/"+receipt.ID+"/accept"), a.editor, map[string]any{
		"stage_id": a.stageID, "duration_seconds": 420, "note": "welcome them",
	}).decode(t, &accepted)
	if h.version(a.id) != before+1 {
		t.Fatalf("version %d, want %d", h.version(a.id), before+1)
	}
	if accepted.Status != agenda.AppAccepted || accepted.OrganizationID == "" || accepted.SpeakerID == "" ||
		accepted.SlotID == "" || accepted.DecidedBy != "editor@example.org" || accepted.DecisionNote != "welcome them" {
		t.Fatalf("accepted %+v", accepted)
	}
	var log struct {
		Changes []struct{ Summary, Actor string } `json:"changes"`
	}
	h.must(200, "GET", a.path(fmt.Sprintf("/changes?since=%d", before)), a.editor, nil).decode(t, &log)
	if len(log.Changes) != 1 || log.Changes[0].Summary != "application.accept" || log.Changes[0].Actor != "editor@example.org" {
		t.Fatalf("change log %+v", log)
	}
	var full struct {
		Organizations []agenda.Organization `json:"organizations"`
		Speakers      []agenda.Speaker      `json:"speakers"`
		Slots         []agenda.Slot         `json:"slots"`
	}
	h.must(200, "GET", a.path("/agenda"), a.editor, nil).decode(t, &full)
	org := find(full.Organizations, func(o agenda.Organization) bool { return o.ID == accepted.OrganizationID })
	sp := find(full.Speakers, func(s agenda.Speaker) bool { return s.ID == accepted.SpeakerID })
	slot := find(full.Slots, func(s agenda.Slot) bool { return s.ID == accepted.SlotID })
	if org == nil || org.Name != "Sindicato de Docentes" || org.Country != "AR" || org.Kind != agenda.OrgUnion || org.URL != "https://docentes.example.org" {
		t.Fatalf("organization %+v", org)
	}
	if sp == nil || sp.Name != "Marta Gómez" || sp.OrganizationID != org.ID || sp.Timezone != "America/Argentina/Buenos_Aires" ||
		!slices.Equal(sp.Languages, []string{"es"}) || sp.ContactEmail != "lucia@docentes.example.org" || !strings.Contains(sp.Notes, "Lucía Fernández") {
		t.Fatalf("speaker %+v", sp)
	}
	if slot == nil || slot.StageID != a.stageID || slot.Title != "Sindicato de Docentes" || slot.DurationSeconds != 420 ||
		len(slot.Speakers) != 1 || slot.Speakers[0].SpeakerID != sp.ID || slot.Speakers[0].Status != agenda.Invited {
		t.Fatalf("slot %+v", slot)
	}
	// Deciding twice is refused, and changes nothing.
	a.unchanged(t, func() {
		h.must(409, "POST", a.path("/applications/"+receipt.ID+"/accept"), a.editor, nil)
	})

	e := a.endorsers(t)
	if e.Total != 1 || e.Anonymous != 0 || len(e.Countries) != 1 || e.Countries[0].Key != "AR" || e.Countries[0].Name != "Argentina" ||
		e.Countries[0].Count != 1 || e.Countries[0].Endorsers[0] != (agenda.Endorser{Name: "Sindicato de Docentes", Kind: "union", Country: "AR", URL: "https://docentes.example.org"}) {
		t.Fatalf("endorsers %+v", e)
	}
	if len(e.Continents) != 1 || e.Continents[0].Key != "019" || !hasRegion(e.Regions, "005") || !hasRegion(e.Regions, "419") {
		t.Fatalf("continents %+v regions %+v", e.Continents, e.Regions)
	}
	// Organizers correct the organization's name: the list follows the agenda.
	h.must(200, "PATCH", a.path("/organizations/"+org.ID), a.editor, map[string]any{"name": "Sindicato Docente de Buenos Aires"})
	if e := a.endorsers(t); e.Countries[0].Endorsers[0].Name != "Sindicato Docente de Buenos Aires" {
		t.Fatalf("endorsers after rename %+v", e)
	}
	// The list is cacheable.
	r = h.must(200, "GET", "/api/v1/public/events/peace/endorsers", "", nil)
	h.must(304, "GET", "/api/v1/public/events/peace/endorsers", "", nil, "If-None-Match", r.header.Get("ETag"))
}

func find[T any](list []T, match func(T) bool) *T {
	for i := range list {
		if match(list[i]) {
			return &list[i]
		}
	}
	return nil
}

func hasRegion(list []agenda.EndorserCount, key string) bool {
	return slices.ContainsFunc(list, func(c agenda.EndorserCount) bool { return c.Key == key && c.Count > 0 })
}

// TestApplicationsWaitUnconfirmedWithoutEmail: without SMTP nothing is sent,
// applications wait for review unconfirmed, and can be accepted as they are:
// linking an organization already in the agenda, or making none for a person.
func TestApplicationsWaitUnconfirmedWithoutEmail(t *testing.T) {
	a := newCallAct(t)
	h := a.h
	var call httpapi.PublicCall
	h.must(200, "GET", "/api/v1/public/events/peace/call", "", nil).decode(t, &call)
	if call.EmailConfirmation {
		t.Fatal("e-mail confirmation without e-mail")
	}
	// The same union as in the agenda, spelled differently.
	r := a.apply(application(map[string]any{"organization_name": " union  of TEACHERS. ", "country": "UA",
		"wants_slot": false, "contact_email": "union@example.org"}))
	if r.status != 202 || r.field(t, "confirmation") != "none" {
		t.Fatalf("apply: %d %s", r.status, r.body)
	}
	unionApp := r.field(t, "id")
	got := a.application(t, unionApp)
	if got.Status != agenda.AppUnconfirmed || got.OrganizationName != "union  of TEACHERS." || got.SpeakerName != "" || got.SpeakerLanguage != "" {
		t.Fatalf("stored %+v", got)
	}
	// Linking what exists changes nothing in the agenda: no new version.
	a.unchanged(t, func() {
		var accepted store.Application
		h.must(200, "POST", a.path("/applications/"+unionApp+"/accept"), a.editor, nil).decode(t, &accepted)
		if accepted.OrganizationID != a.orgID || accepted.SpeakerID != "" || accepted.SlotID != "" {
			t.Fatalf("accepted %+v", accepted)
		}
	})

	// A personality, counted only: no organization, and not named in public.
	r = a.apply(application(map[string]any{"organization_name": "Arundhati Example", "kind": "personality", "country": "IN",
		"show_publicly": false, "wants_slot": false, "contact_email": "a@example.org"}))
	personal := r.field(t, "id")
	var accepted store.Application
	h.must(200, "POST", a.path("/applications/"+personal+"/accept"), a.owner, `{}`).decode(t, &accepted)
	if accepted.OrganizationID != "" || accepted.Status != agenda.AppAccepted {
		t.Fatalf("personality accepted %+v", accepted)
	}
	// A named personality who speaks for themselves.
	r = a.apply(application(map[string]any{"organization_name": "Noam Example", "kind": "personality", "country": "US",
		"speaker_name": "", "wants_slot": false, "contact_email": "n@example.org"}))
	named := r.field(t, "id")
	h.must(200, "POST", a.path("/applications/"+named+"/accept"), a.owner, map[string]any{"speaker": true}).decode(t, &accepted)
	if accepted.OrganizationID != "" || accepted.SpeakerID == "" {
		t.Fatalf("personality with a speaker %+v", accepted)
	}
	e := a.endorsers(t)
	if e.Total != 3 || e.Anonymous != 1 || len(e.Countries) != 2 {
		t.Fatalf("endorsers %+v", e)
	}
	for _, c := range e.Countries {
		if c.Key == "IN" {
			t.Fatalf("an anonymous endorser's country is shown: %+v", e)
		}
	}
	if hasRegion(e.Regions, "034") {
		t.Fatalf("an anonymous endorser's region is counted: %+v", e.Regions)
	}
	us := find(e.Countries, func(c agenda.EndorsersByCountry) bool { return c.Key == "US" })
	if us == nil || us.Endorsers[0] != (agenda.Endorser{Name: "Noam Example", Kind: "personality", Country: "US", URL: "https://docentes.example.org"}) {
		t.Fatalf("named personality %+v", us)
	}
	// A speaker can only be made from an application that names one, or a person.
	r = a.apply(application(map[string]any{"organization_name": "Red de Mujeres", "country": "MX", "wants_slot": false,
		"contact_email": "red@example.org"}))
	a.unchanged(t, func() {
		r := h.must(400, "POST", a.path("/applications/"+r.field(t, "id")+"/accept"), a.editor, map[string]any{"speaker": true})
		if r.field(t, "field") != "speaker" {
			t.Fatalf("body %s", r.body)
		}
	})
}

// TestDeclineMergeAndFilter: duplicates are found, merged, declined; the queue
// filters by status, country, UN M.49 region and kind, and pages.
func TestDeclineMergeAndFilter(t *testing.T) {
	a := newCallAct(t)
	h := a.h
	ids := map[string]string{}
	for _, app := range []map[string]any{
		{"organization_name": "Confédération Générale du Travail", "country": "FR", "contact_email": "cgt@example.org"},
		{"organization_name": "confederation generale du travail.", "country": "FR", "contact_email": "other@example.org"},
		{"organization_name": "Confédération Générale du Travail", "country": "BE", "contact_email": "be@example.org", "kind": "movement"},
		{"organization_name": "Sindicato de Docentes", "country": "AR", "contact_email": "lucia@example.org"},
		{"organization_name": "Sindicato Docente", "country": "AR", "contact_email": "LUCIA@example.org"},
		{"organization_name": "Partido Verde", "country": "BR", "contact_email": "pv@example.org", "kind": "party"},
	} {
		r := a.apply(application(app))
		if r.status != 202 {
			t.Fatalf("apply %v: %d %s", app, r.status, r.body)
		}
		ids[app["contact_email"].(string)] = r.field(t, "id")
	}
	cgt, cgt2, cgtBE := ids["cgt@example.org"], ids["other@example.org"], ids["be@example.org"]
	for dup, of := range map[string]string{cgt2: cgt, ids["LUCIA@example.org"]: ids["lucia@example.org"], cgtBE: "", cgt: ""} {
		if got := a.application(t, dup).DuplicateOf; got != of {
			t.Fatalf("duplicate_of of %s = %q, want %q", dup, got, of)
		}
	}

	for query, want := range map[string]int64{
		"": 6, "country=FR": 2, "region=150": 3, "region=155": 3, "region=419": 3, "region=005": 3, "region=013": 0,
		"region=150&country=BE": 1, "region=419&country=FR": 0, "kind=union": 4, "kind=party": 1,
		"status=unconfirmed": 6, "status=pending,accepted": 0, "region=419&kind=party": 1,
	} {
		if got := a.queue(t, query).Total; got != want {
			t.Errorf("%s: total %d, want %d", query, got, want)
		}
	}
	page := a.queue(t, "limit=4")
	if len(page.Applications) != 4 || page.Next == "" || page.Applications[0].ID != cgt {
		t.Fatalf("first page %+v", page)
	}
	rest := a.queue(t, "limit=4&after="+page.Next)
	if len(rest.Applications) != 2 || rest.Next != "" || rest.Total != 6 {
		t.Fatalf("second page %+v", rest)
	}
	for _, query := range []string{"status=maybe", "country=XX", "country=ua", "region=UA", "region=999", "kind=church", "limit=0", "limit=501"} {
		r := h.must(400, "GET", a.path("/applications?"+query), a.editor, nil)
		if field, _, _ := strings.Cut(query, "="); r.field(t, "field") != field {
			t.Errorf("%s: %s", query, r.body)
		}
	}

	// Merge the duplicate into the first.
	a.unchanged(t, func() {
		var merged store.Application
		h.must(200, "POST", a.path("/applications/"+cgt2+"/merge"), a.editor, map[string]any{"into": cgt, "note": "same union"}).decode(t, &merged)
		if merged.Status != agenda.AppMerged || merged.MergedInto != cgt || merged.DecisionNote != "same union" {
			t.Fatalf("merged %+v", merged)
		}
	})
	h.must(409, "POST", a.path("/applications/"+cgt2+"/merge"), a.editor, map[string]any{"into": cgt})
	h.must(409, "POST", a.path("/applications/"+cgtBE+"/merge"), a.editor, map[string]any{"into": cgt2})
	if r := h.must(400, "POST", a.path("/applications/"+cgtBE+"/merge"), a.editor, map[string]any{"into": cgtBE}); r.field(t, "field") != "into" {
		t.Fatal(string(r.body))
	}
	if r := h.must(400, "POST", a.path("/applications/"+cgtBE+"/merge"), a.editor, map[string]any{"into": "nope"}); r.field(t, "field") != "into" {
		t.Fatal(string(r.body))
	}
	h.must(400, "POST", a.path("/applications/"+cgtBE+"/merge"), a.editor, map[string]any{})
	h.must(404, "POST", a.path("/applications/nope/merge"), a.editor, map[string]any{"into": cgt})
	if got := a.application(t, cgt); got.Status != agenda.AppUnconfirmed {
		t.Fatalf("the application merged into changed: %+v", got)
	}
	// A merged application is out of the queue's reach.
	h.must(409, "POST", a.path("/applications/"+cgt2+"/accept"), a.editor, nil)
	h.must(409, "POST", a.path("/applications/"+cgt2+"/decline"), a.editor, nil)

	// Decline with a private note; the agenda does not change.
	a.unchanged(t, func() {
		var declined store.Application
		h.must(200, "POST", a.path("/applications/"+cgtBE+"/decline"), a.editor, map[string]any{"note": "not a union"}).decode(t, &declined)
		if declined.Status != agenda.AppDeclined || declined.DecisionNote != "not a union" || declined.DecidedAt == nil {
			t.Fatalf("declined %+v", declined)
		}
	})
	h.must(409, "POST", a.path("/applications/"+cgtBE+"/decline"), a.editor, nil)
	if r := h.must(400, "POST", a.path("/applications/"+cgtBE+"/decline"), a.editor, map[string]any{"note": 5}); r.field(t, "field") != "note" {
		t.Fatal(string(r.body))
	}
	h.must(400, "POST", a.path("/applications/"+cgt+"/accept"), a.editor, map[string]any{"stage_id": "nope"})
	h.must(400, "POST", a.path("/applications/"+cgt+"/accept"), a.editor, map[string]any{"organization_id": "nope"})
	h.must(400, "POST", a.path("/applications/"+cgt+"/accept"), a.editor, map[string]any{"duration_seconds": -1})
	h.must(400, "POST", a.path("/applications/"+cgt+"/accept"), a.editor, map[string]any{"whatever": true})
	if len(a.endorsers(t).Countries) != 0 {
		t.Fatal("an undecided application is listed as an endorser")
	}
	// Marked as spam; then, on second thought, accepted (linking the organization the first made).
	h.must(200, "POST", a.path("/applications/"+ids["pv@example.org"]+"/decline"), a.editor, map[string]any{"spam": true})
	if got := a.queue(t, "status=spam"); got.Total != 1 {
		t.Fatalf("spam %+v", got)
	}
	var first, again store.Application
	h.must(200, "POST", a.path("/applications/"+cgt+"/accept"), a.editor, nil).decode(t, &first)
	h.must(200, "POST", a.path("/applications/"+cgtBE+"/accept"), a.editor, map[string]any{"organization_id": first.OrganizationID}).decode(t, &again)
	if again.OrganizationID != first.OrganizationID {
		t.Fatalf("linked %q, want %q", again.OrganizationID, first.OrganizationID)
	}
	// Declining an accepted endorsement takes it off the public list.
	if e := a.endorsers(t); e.Total != 2 {
		t.Fatalf("endorsers %+v", e)
	}
	h.must(200, "POST", a.path("/applications/"+cgtBE+"/decline"), a.editor, nil)
	if e := a.endorsers(t); e.Total != 1 || e.Countries[0].Key != "FR" {
		t.Fatalf("endorsers %+v", e)
	}

	// Members only; editors decide, stage managers only read; other events see nothing.
	h.must(200, "GET", a.path("/applications"), a.stage, nil)
	h.must(403, "POST", a.path("/applications/"+cgt+"/decline"), a.stage, nil)
	h.must(403, "GET", a.path("/applications"), a.outsider, nil)
	h.must(401, "GET", a.path("/applications"), "", nil)
	h.must(404, "GET", "/api/v1/events/"+a.otherEventID+"/applications/"+cgt, a.outsider, nil)
}

// TestClosedCall: no call, a call not open yet, and a closed one all refuse
// applications with a clear message; the call's settings are validated.
func TestClosedCall(t *testing.T) {
	a := newActOn(t, newHarnessWith(t, live.DefaultOptions, trustProxy))
	h := a.h
	refused := func(want string) {
		t.Helper()
		r := a.apply(application(nil))
		if r.status != 409 || r.field(t, "type") != "/problems/call-closed" || !strings.Contains(r.field(t, "detail"), want) {
			t.Fatalf("apply to a closed call: %d %s", r.status, r.body)
		}
		var call httpapi.PublicCall
		h.must(200, "GET", "/api/v1/public/events/peace/call", "", nil).decode(t, &call)
		if call.Open || !strings.Contains(call.Reason, want) {
			t.Fatalf("public call %+v", call)
		}
	}
	refused("is not open")
	var call agenda.Call
	r := h.must(200, "GET", a.path("/call"), a.stage, nil)
	r.decode(t, &call)
	if call.OpensAt != nil || call.Revision != 0 || r.header.Get("ETag") != `"0"` {
		t.Fatalf("default call %+v", call)
	}
	now := time.Now().UTC()
	h.must(200, "PATCH", a.path("/call"), a.editor, map[string]any{"opens_at": now.Add(time.Hour)}, "If-Match", `"0"`)
	refused("opens at")
	h.must(200, "PATCH", a.path("/call"), a.editor, map[string]any{"opens_at": now.Add(-2 * time.Hour), "closes_at": now.Add(-time.Hour)})
	refused("closed at")
	h.must(412, "PATCH", a.path("/call"), a.editor, map[string]any{"closes_at": nil}, "If-Match", `"1"`)
	h.must(200, "PATCH", a.path("/call"), a.editor, map[string]any{"closes_at": nil, "revision": 2}).decode(t, &call)
	if call.Revision != 3 || call.ClosesAt != nil || call.OpensAt == nil {
		t.Fatalf("call %+v", call)
	}
	if r := a.apply(application(nil)); r.status != 202 {
		t.Fatalf("open call: %d %s", r.status, r.body)
	}
	// A new consent text needs a new version; applications must name it.
	h.must(200, "PATCH", a.path("/call"), a.editor, map[string]any{"consent_text": "We keep your data until the act ends.", "consent_version": "2026-12"})
	if r := a.apply(application(nil)); r.status != 400 || r.field(t, "field") != "consent_version" {
		t.Fatalf("old consent version: %d %s", r.status, r.body)
	}
	if r := a.apply(application(map[string]any{"consent_version": "2026-12", "contact_email": "new@example.org"})); r.status != 202 {
		t.Fatalf("new consent version: %d %s", r.status, r.body)
	}

	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"closes_at": now.Add(-3 * time.Hour)}, "closes_at"},
		{map[string]any{"opens_at": nil, "closes_at": now}, "opens_at"},
		{map[string]any{"consent_version": ""}, "consent_version"},
		{map[string]any{"consent_text": strings.Repeat("x", 10001)}, "consent_text"},
		{map[string]any{"opens_at": "tomorrow"}, "opens_at"},
		{map[string]any{"open": true}, "open"},
	} {
		r := h.must(400, "PATCH", a.path("/call"), a.editor, c.body)
		if r.field(t, "field") != c.field {
			t.Errorf("%v: %s", c.body, r.body)
		}
	}
	h.must(403, "PATCH", a.path("/call"), a.stage, map[string]any{"opens_at": nil})
	h.must(403, "GET", a.path("/call"), a.outsider, nil)

	// A draft event has no public call at all.
	h.must(200, "PATCH", a.path(""), a.owner, map[string]any{"status": "draft"})
	if r := a.apply(application(nil)); r.status != 404 {
		t.Fatalf("draft event: %d %s", r.status, r.body)
	}
	h.must(404, "GET", "/api/v1/public/events/peace/call", "", nil)
	h.must(404, "GET", "/api/v1/public/events/peace/endorsers", "", nil)
}

// TestEveryInvalidFieldIsRefused: each invalid field is a 400 that names it,
// and stores nothing.
func TestEveryInvalidFieldIsRefused(t *testing.T) {
	a := newCallAct(t)
	long := strings.Repeat("ж", 201)
	for _, c := range []struct {
		change map[string]any
		field  string
	}{
		{map[string]any{"organization_name": ""}, "organization_name"},
		{map[string]any{"organization_name": nil}, "organization_name"},
		{map[string]any{"organization_name": "X"}, "organization_name"},
		{map[string]any{"organization_name": long}, "organization_name"},
		{map[string]any{"organization_name": "Union\u0000"}, "organization_name"},
		{map[string]any{"organization_name": 7}, "organization_name"},
		{map[string]any{"country": ""}, "country"},
		{map[string]any{"country": "XX"}, "country"},
		{map[string]any{"country": "ar"}, "country"},
		{map[string]any{"country": "ARG"}, "country"},
		{map[string]any{"kind": "church"}, "kind"},
		{map[string]any{"kind": ""}, "kind"},
		{map[string]any{"website": "javascript:alert(1)"}, "website"},
		{map[string]any{"website": "docentes.example.org"}, "website"},
		{map[string]any{"contact_name": " "}, "contact_name"},
		{map[string]any{"contact_name": long}, "contact_name"},
		{map[string]any{"contact_email": ""}, "contact_email"},
		{map[string]any{"contact_email": "lucia"}, "contact_email"},
		{map[string]any{"contact_email": "Lucía <lucia@example.org>"}, "contact_email"},
		{map[string]any{"contact_email": strings.Repeat("a", 250) + "@example.org"}, "contact_email"},
		{map[string]any{"endorse": false, "wants_slot": false}, "endorse"},
		{map[string]any{"endorse": "yes"}, "endorse"},
		{map[string]any{"show_publicly": 1}, "show_publicly"},
		{map[string]any{"wants_slot": "true"}, "wants_slot"},
		{map[string]any{"speaker_name": ""}, "speaker_name"},
		{map[string]any{"speaker_name": long}, "speaker_name"},
		{map[string]any{"speaker_language": ""}, "speaker_language"},
		{map[string]any{"speaker_language": "Spanish!"}, "speaker_language"},
		{map[string]any{"speaker_timezone": "Mars/Olympus"}, "speaker_timezone"},
		{map[string]any{"speaker_timezone": "Local"}, "speaker_timezone"},
		{map[string]any{"wants_slot": false, "speaker_language": "xx-!!"}, "speaker_language"},
		{map[string]any{"note": strings.Repeat("n", 2001)}, "note"},
		{map[string]any{"note": []string{"a"}}, "note"},
		{map[string]any{"consent": false}, "consent"},
		{map[string]any{"consent": nil}, "consent"},
		{map[string]any{"consent_version": ""}, "consent_version"},
		{map[string]any{"consent_version": "0"}, "consent_version"},
		{map[string]any{"locale": "??"}, "locale"},
		{map[string]any{"fax": 12}, "fax"},
		{map[string]any{"password": "x"}, "password"},
		{map[string]any{"Country": "AR"}, "Country"},
	} {
		r := a.apply(application(c.change))
		if r.status != 400 || r.field(t, "field") != c.field {
			t.Errorf("%v: %d %s, want 400 naming %s", c.change, r.status, r.body, c.field)
		}
	}
	for body, want := range map[string]int{
		`not json`: 400, `[]`: 400, `null`: 400, `{"organization_name": "a"} trailing`: 400,
		`{"note": "` + strings.Repeat("x", 17<<10) + `"}`: 413,
	} {
		if r := a.apply(body); r.status != want {
			t.Errorf("%.40s: %d %s, want %d", body, r.status, r.body, want)
		}
	}
	if r := a.h.do("POST", "/api/v1/public/events/peace/applications", "", "organization_name=x",
		"Content-Type", "application/x-www-form-urlencoded", "X-Forwarded-For", nextAddress()); r.status != 415 {
		t.Errorf("form body: %d %s", r.status, r.body)
	}
	if total := a.queue(t, "").Total; total != 0 {
		t.Fatalf("%d applications stored from invalid input", total)
	}
}

// TestHoneypotAndLimits: a robot that fills the honeypot is told nothing and
// sent nothing; addresses, e-mail addresses and the queue are limited.
func TestHoneypotAndLimits(t *testing.T) {
	box, withSMTP := withMail(t)
	a := newCallAct(t, withSMTP)
	human := a.apply(application(map[string]any{"contact_email": "human@example.org"}))
	robot := a.apply(application(map[string]any{"contact_email": "robot@example.org", "fax": "+1 555 0100"}))
	if human.status != 202 || robot.status != 202 {
		t.Fatalf("human %d, robot %d", human.status, robot.status)
	}
	var h, r map[string]string
	human.decode(t, &h)
	robot.decode(t, &r)
	if r["status"] != h["status"] || r["confirmation"] != h["confirmation"] || len(r["id"]) != len(h["id"]) {
		t.Fatalf("the robot can tell: human %v robot %v", h, r)
	}
	if got := a.application(t, r["id"]); got.Status != agenda.AppSpam {
		t.Fatalf("robot's application %+v", got)
	}
	if n := len(box.Received()); n != 1 {
		t.Fatalf("%d e-mails, want 1 (the human's)", n)
	}

	// One address: 5 at once, then it must wait.
	addr := nextAddress()
	for i := range 6 {
		r := a.applyFrom(addr, application(map[string]any{"contact_email": fmt.Sprintf("office%d@example.org", i)}))
		if want := map[bool]int{true: 202, false: 429}[i < 5]; r.status != want {
			t.Fatalf("application %d from one address: %d %s", i, r.status, r.body)
		}
	}
	// One e-mail address: 3 a day, whatever the client address; the duplicates are marked.
	var first string
	for i := range 4 {
		r := a.apply(application(map[string]any{"contact_email": "Same@Example.org", "organization_name": fmt.Sprintf("Org %d", i)}))
		if want := map[bool]int{true: 202, false: 429}[i < 3]; r.status != want {
			t.Fatalf("application %d with one e-mail: %d %s", i, r.status, r.body)
		}
		if i == 0 {
			first = r.field(t, "id")
		} else if i < 3 && a.application(t, r.field(t, "id")).DuplicateOf != first {
			t.Fatalf("application %d is not marked as a duplicate", i)
		}
	}
	if n := len(box.Received()); n != 1+5+3 {
		t.Fatalf("%d e-mails, want 9", n)
	}
}

// TestApplicationsStayPrivate: nothing private of an application (contact
// name and e-mail, note, decision note) reaches a public surface, even once its
// speaker confirmed and is on the public agenda.
func TestApplicationsStayPrivate(t *testing.T) {
	_, withSMTP := withMail(t)
	a := newCallAct(t, withSMTP)
	h := a.h
	secrets := []string{"Lucía Fernández", "lucia@docentes.example.org", "Marta can only speak after 18:00 our time", "decided in the back room"}
	r := a.apply(application(nil))
	for _, s := range secrets {
		if bytes.Contains(r.body, []byte(s)) {
			t.Fatalf("the receipt shows %q: %s", s, r.body)
		}
	}
	var accepted store.Application
	h.must(200, "POST", a.path("/applications/"+r.field(t, "id")+"/accept"), a.editor,
		map[string]any{"stage_id": a.stageID, "note": "decided in the back room"}).decode(t, &accepted)
	// The speaker confirms through their personal link, so they are public.
	link := h.must(201, "POST", a.path("/speakers/"+accepted.SpeakerID+"/invitation"), a.editor, nil)
	h.must(200, "POST", "/api/v1/speaker/slots/"+accepted.SlotID+"/confirm", link.field(t, "token"), nil)

	pub, raw := h.publicAgenda("peace")
	if !strings.Contains(string(raw), "Marta Gómez") || !strings.Contains(string(pub["organizations"]), "Sindicato de Docentes") {
		t.Fatalf("the confirmed speaker is not public: %s", raw)
	}
	feed := h.mustFeed("/api/v1/public/events/peace/live", nil, false)
	snapshot, err := feed.next(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	surfaces := map[string][]byte{"public agenda": raw, "feed snapshot": snapshot.raw}
	for _, path := range []string{
		"/api/v1/public/events/peace/endorsers", "/api/v1/public/events/peace/call", "/api/v1/public/events",
		"/e/peace/schedule.ics", "/e/peace/schedule.xml", "/e/peace/schedule.json",
	} {
		surfaces[path] = h.must(200, "GET", path, "", nil).body
	}
	for name, body := range surfaces {
		for _, s := range secrets {
			if bytes.Contains(body, []byte(s)) {
				t.Errorf("%s shows %q", name, s)
			}
		}
	}
	// Organizers see it all.
	full := h.must(200, "GET", a.path("/applications/"+accepted.ID), a.editor, nil).body
	for _, s := range secrets {
		if !bytes.Contains(full, []byte(s)) {
			t.Errorf("organizers do not see %q", s)
		}
	}
}

// TestFloodIsLimitedAndClearedInOneAction: a flood of 1,000 bogus applications
// from as many addresses, and a burst from one, while viewers follow the act and
// an editor works; the single address is limited, the rest is cleared in one
// action, and what was decided before stays. The times are logged, not asserted.
func TestFloodIsLimitedAndClearedInOneAction(t *testing.T) {
	a := newCallAct(t)
	h := a.h
	// Applications received before the flood, one of them decided.
	keep := a.apply(application(map[string]any{"contact_email": "keep@example.org"})).field(t, "id")
	decided := a.apply(application(map[string]any{"contact_email": "decided@example.org", "organization_name": "Decided"})).field(t, "id")
	h.must(200, "POST", a.path("/applications/"+decided+"/accept"), a.editor, nil)
	time.Sleep(10 * time.Millisecond)
	since := time.Now().UTC()

	feed := h.mustFeed("/api/v1/public/events/peace/live", nil, false)
	if _, err := feed.next(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	// measure makes edits until stop closes (and at least n), timing each edit's
	// answer, its arrival on the viewers' feed, and a read of the public agenda.
	measure := func(n int, stop <-chan struct{}) (feedLatency, apiLatency []time.Duration) {
		for i := 0; ; i++ {
			select {
			case <-stop:
				if i >= n {
					return feedLatency, apiLatency
				}
			default:
			}
			start := time.Now()
			r := h.do("PATCH", a.path("/slots/"+a.slotID), a.editor, map[string]any{"title": fmt.Sprintf("Opening %d", i)})
			if r.status != 200 {
				t.Errorf("edit during the flood: %d %s", r.status, r.body)
				return
			}
			apiLatency = append(apiLatency, time.Since(start))
			for {
				m, err := feed.next(10 * time.Second)
				if err != nil {
					t.Errorf("feed during the flood: %v", err)
					return
				}
				if m.Type == "change" && strings.Contains(string(m.raw), fmt.Sprintf("Opening %d", i)) {
					break
				}
			}
			feedLatency = append(feedLatency, time.Since(start))
			start = time.Now()
			if r := h.do("GET", "/api/v1/public/events/peace", "", nil); r.status != 200 {
				t.Errorf("public agenda during the flood: %d", r.status)
			}
			apiLatency = append(apiLatency, time.Since(start))
			time.Sleep(20 * time.Millisecond)
		}
	}
	quiet := make(chan struct{})
	close(quiet)
	quietFeed, quietAPI := measure(10, quiet)

	const bogus, workers = 1000, 32
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	post := func(address string, i int) int {
		body, _ := json.Marshal(application(map[string]any{
			"organization_name": fmt.Sprintf("Bogus %d", i), "contact_email": fmt.Sprintf("bot%d@spam.example", i),
		}))
		req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/public/events/peace/applications", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", address)
		res, err := client.Do(req)
		if err != nil {
			return 0
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	var statuses sync.Map
	count := func(code int) {
		v, _ := statuses.LoadOrStore(code, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	floodStart := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if i < bogus {
					count(post(nextAddress(), i))
				} else {
					count(post("192.0.2.66", i)) // one address trying its luck
				}
			}
		}()
	}
	var floodFeed, floodAPI []time.Duration
	measured, flooded := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(measured)
		floodFeed, floodAPI = measure(5, flooded)
	}()
	for i := range bogus + 200 {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	floodTime := time.Since(floodStart)
	close(flooded)
	<-measured

	got := map[int]int64{}
	statuses.Range(func(k, v any) bool { got[k.(int)] = v.(*atomic.Int64).Load(); return true })
	// The one address gets its burst, and one more every 20 s the flood lasts.
	refills := int64(floodTime / (20 * time.Second))
	stored := got[202]
	if got[202]+got[429] != bogus+200 || stored < bogus+applicationBurst || stored > bogus+applicationBurst+refills+1 {
		t.Fatalf("statuses %v: want %d accepted and the rest limited", got, bogus+applicationBurst)
	}
	t.Logf("flood: %d applications in %v (%v)", bogus+200, floodTime.Round(time.Millisecond), got)
	t.Logf("editor's change to viewers' feed: quiet %s; during the flood %s", stats(quietFeed), stats(floodFeed))
	t.Logf("API (edit, public agenda): quiet %s; during the flood %s", stats(quietAPI), stats(floodAPI))

	if total := a.queue(t, "status=unconfirmed").Total; total != stored+1 {
		t.Fatalf("%d unconfirmed, want %d", total, stored+1)
	}
	version := h.version(a.id)
	start := time.Now()
	var cleared map[string]int64
	h.must(200, "POST", a.path("/applications/clear"), a.editor, map[string]any{"since": since}).decode(t, &cleared)
	t.Logf("cleared %d applications in one action in %v", cleared["deleted"], time.Since(start).Round(time.Millisecond))
	if cleared["deleted"] != stored {
		t.Fatalf("cleared %v, want %d", cleared, stored)
	}
	if h.version(a.id) != version {
		t.Fatal("clearing applications changed the agenda's version")
	}
	page := a.queue(t, "")
	if page.Total != 2 || page.Applications[0].ID != keep || page.Applications[1].ID != decided {
		t.Fatalf("after clearing: %+v", page)
	}
	for _, body := range []map[string]any{
		{}, {"since": since, "statuses": []string{"accepted"}}, {"since": since, "statuses": []string{}},
		{"since": since, "until": since.Add(-time.Second)}, {"since": "yesterday"},
	} {
		h.must(400, "POST", a.path("/applications/clear"), a.editor, body)
	}
	h.must(403, "POST", a.path("/applications/clear"), a.stage, map[string]any{"since": since})
}

// applicationBurst is the server's burst of applications per client address.
const applicationBurst = 5

func stats(ds []time.Duration) string {
	if len(ds) == 0 {
		return "no samples"
	}
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return fmt.Sprintf("median %v, max %v (%d samples)", s[len(s)/2].Round(time.Microsecond*100), s[len(s)-1].Round(time.Microsecond*100), len(s))
}
