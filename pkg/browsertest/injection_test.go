package browsertest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/tribune-act/tribune/pkg/agenda"
)

// payload is stored in every text field: markup that would run a script if a
// page put it in the document as HTML, and template braces a template engine
// would evaluate. Each field starts with a CSV formula prefix as well.
const payload = `<script>window.__xss=1</script><img src=x onerror="window.__xss=1"> {{7*7}} ${7*7}`

// formulaPrefixes start the fields, so that the CSV exports must neutralise each.
var formulaPrefixes = []string{"=1+1 ", "+1 ", "-1 ", "@SUM(1) "}

// inert is the check each page must pass: no script of the payload ran, no
// element of it was made, and its text shows literally (in the widget's shadow
// root too).
const inert = `(() => {
	const roots = [document, ...[...document.querySelectorAll("*")].filter(e => e.shadowRoot).map(e => e.shadowRoot)];
	const text = roots.map(r => (r.body || r).textContent).join(" ");
	return JSON.stringify({
		xss: window.__xss !== undefined,
		img: roots.some(r => r.querySelector('img[src="x"]') !== null),
		script: [...document.querySelectorAll("script")].some(s => s.type !== "application/json" && s.textContent.includes("__xss")),
		literal: text.includes("{{7*7}}") && text.includes("${7*7}") && text.includes('<img src=x onerror="window.__xss=1">') && text.includes("<script>window.__xss=1</script>"),
		evaluated: /(^|[^{])49/.test(text) && !text.includes("{{7*7}}"),
	});
})()`

type inertness struct {
	XSS       bool `json:"xss"`
	Img       bool `json:"img"`
	Script    bool `json:"script"`
	Literal   bool `json:"literal"`
	Evaluated bool `json:"evaluated"`
}

// Stored payloads in every text field are inert on every page, escaped in
// every export, and neutralised in the CSV exports; the API refuses
// javascript: URLs.
func TestInjectionIsInert(t *testing.T) {
	requireBrowser(t)
	s := startServer(t)
	s.openCall(nil)
	ev := "/api/v1/events/" + s.event
	a := s.agenda()
	field := func(i int) string { return formulaPrefixes[i%len(formulaPrefixes)] + payload }
	ifMatch := func(rev int64) []string { return []string{"If-Match", strconv.Quote(strconv.FormatInt(rev, 10))} }

	// The API refuses a javascript: URL wherever it takes a URL.
	for _, c := range []struct{ path, field string }{
		{ev, "stream_url"},
		{ev + "/speakers/" + a.Speakers[0].ID, "photo_url"},
	} {
		status, body := s.raw("PATCH", c.path, map[string]any{c.field: "javascript:window.__xss=1"}, s.token)
		if status != 400 || !strings.Contains(body, `"field":"`+c.field+`"`) {
			t.Errorf("PATCH %s with a javascript: URL: %d %s", c.field, status, body)
		}
	}

	// Every text field of the agenda, through the API.
	main := a.Stages[0]
	var current agenda.Slot
	for _, st := range a.LiveView().Stages {
		if st.StageID == main.ID && st.CurrentSlotID != nil {
			if sl, err := a.Slot(*st.CurrentSlotID); err == nil {
				current = *sl
			}
		}
	}
	var speaker agenda.Speaker
	for _, ss := range current.Speakers {
		if ss.Status == agenda.Confirmed {
			if sp, err := a.Speaker(ss.SpeakerID); err == nil {
				speaker = *sp
			}
			break
		}
	}
	if speaker.ID == "" {
		t.Fatal("no confirmed speaker on the main stage now")
	}
	org := a.Organizations[0]
	s.api("PATCH", ev, map[string]any{"title": field(2), "description": field(1) + "\n\n" + field(0)}, nil, ifMatch(a.Event.Revision)...)
	s.api("PATCH", ev+"/stages/"+main.ID, map[string]any{"name": field(0)}, nil, ifMatch(main.Revision)...)
	s.api("PATCH", ev+"/slots/"+current.ID, map[string]any{"title": field(0), "description": field(3)}, nil, ifMatch(current.Revision)...)
	s.api("PATCH", ev+"/organizations/"+org.ID, map[string]any{"name": field(3)}, nil, ifMatch(org.Revision)...)
	s.api("PATCH", ev+"/speakers/"+speaker.ID, map[string]any{
		"name": field(1), "bio": field(2), "organization_id": org.ID, "hide_organization": false, "hide_country": false,
	}, nil, ifMatch(speaker.Revision)...)

	// An application: a javascript: website is refused, the rest is stored, and accepted.
	app := map[string]any{
		"organization_name": field(3), "country": "UA", "kind": "movement", "website": "javascript:window.__xss=1",
		"contact_name": field(0), "contact_email": "xss@example.org", "endorse": true, "show_publicly": true,
		"wants_slot": true, "speaker_name": field(1), "speaker_language": "uk", "note": field(2),
		"consent": true, "consent_version": "1", "locale": "en",
	}
	if status, body := s.raw("POST", "/api/v1/public/events/demo/applications", app, ""); status != 400 || !strings.Contains(body, `"field":"website"`) {
		t.Fatalf("an application with a javascript: website: %d %s", status, body)
	}
	app["website"] = "https://example.org/?q=<script>"
	status, body := s.raw("POST", "/api/v1/public/events/demo/applications", app, "")
	if status != 202 {
		t.Fatalf("application: %d %s", status, body)
	}
	var receipt struct{ ID string }
	if err := json.Unmarshal([]byte(body), &receipt); err != nil {
		t.Fatal(err)
	}
	s.api("POST", ev+"/applications/"+receipt.ID+"/accept", map[string]any{"speaker": true, "stage_id": main.ID, "slot_title": field(2)}, nil)
	// A second one waits in the queue, so that the console shows its private fields.
	app["contact_email"], app["organization_name"] = "xss2@example.org", field(0)+" 2"
	if status, body := s.raw("POST", "/api/v1/public/events/demo/applications", app, ""); status != 202 {
		t.Fatalf("second application: %d %s", status, body)
	}

	var inv struct {
		URL string `json:"url"`
	}
	s.api("POST", ev+"/speakers/"+speaker.ID+"/invitation", nil, &inv)

	ctx := browser(t)
	var dialogs atomic.Int32
	if err := chromedp.Listen(ctx, func(e any) {
		if _, ok := e.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	check := func(name, url, ready string, then ...func()) {
		t.Helper()
		do(t, ctx, "opening "+name, chromedp.Navigate(url))
		waitFor(t, ctx, 10*time.Second, name+" shows the payload", `(`+inert+`).includes('"literal":true')`)
		for _, f := range then {
			f()
		}
		time.Sleep(300 * time.Millisecond) // an onerror handler would have run by now
		if ready != "" {
			waitFor(t, ctx, 5*time.Second, name+" is ready", ready)
		}
		var got inertness
		if err := json.Unmarshal([]byte(eval[string](t, ctx, inert)), &got); err != nil {
			t.Fatal(err)
		}
		if got.XSS || got.Img || got.Script || !got.Literal || got.Evaluated || dialogs.Load() > 0 {
			t.Errorf("%s: %+v, dialogs %d", name, got, dialogs.Load())
		}
	}

	check("the viewer", s.URL+"/e/demo", `document.querySelector(".endorsers") !== null`)
	check("the overlay", s.URL+"/e/demo/overlay?next=1&clock=1&stage="+main.ID, "")
	// The stage manager's message reaches the green room (and the live console) over the feeds.
	check("the speaker page", s.URL+inv.URL[strings.Index(inv.URL, "/s/"):], `document.querySelector(".message")?.textContent.includes("{{7*7}}")`, func() {
		waitFor(t, ctx, 5*time.Second, "the green room listens", `document.querySelector(".green") !== null`)
		time.Sleep(500 * time.Millisecond)
		s.api("POST", ev+"/live/message", map[string]any{"to": "current", "text": field(0)}, nil)
	})
	check("the join page", s.URL+"/e/demo/join", `document.querySelector(".endorsers .country") !== null`)
	p := startPartner(t, s)
	check("the widget on a partner's page", p.url+"/", "")

	signIn(t, ctx, s)
	for _, tab := range []string{"order", "live", "speakers", "organizations", "board", "call", "warnings", "balance", "history", "members", "settings"} {
		ready := ""
		switch tab {
		case "call":
			ready = `document.querySelectorAll(".apps .app").length > 0`
		case "history":
			ready = `document.querySelector("main").textContent.length > 100`
		}
		check("the console's "+tab+" tab", s.URL+"/admin/e/"+s.event+"/"+tab, ready)
	}
	if eval[string](t, ctx, `document.title`) == "" {
		t.Error("the console has no title")
	}

	// The exports: XML that parses, an iCalendar that is well formed, JSON that
	// is valid, each with the payload as text.
	xmlBody := s.get("/e/demo/schedule.xml")
	dec := xml.NewDecoder(bytes.NewReader(xmlBody))
	var chars strings.Builder
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("schedule.xml does not parse: %v", err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			chars.Write(cd)
		}
		if se, ok := tok.(xml.StartElement); ok && (se.Name.Local == "script" || se.Name.Local == "img") {
			t.Errorf("schedule.xml has a <%s> element", se.Name.Local)
		}
	}
	if !strings.Contains(chars.String(), payload) {
		t.Error("schedule.xml does not carry the payload as text")
	}
	checkICS(t, s.get("/e/demo/schedule.ics"))
	jsonBody := s.get("/e/demo/schedule.json")
	if !json.Valid(jsonBody) || !strings.Contains(string(jsonBody), `\u003cscript\u003e`) && !strings.Contains(string(jsonBody), `<script>`) {
		t.Error("schedule.json is not valid JSON with the payload")
	}

	// CSV: no cell starts like a formula; the payloads' prefixes are quoted.
	seen := map[string]bool{}
	for _, name := range []string{"running-order", "speakers", "organizations"} {
		raw := s.getAuth(ev + "/export/" + name + ".csv")
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\uFEFF"))))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s.csv: %v", name, err)
		}
		for _, row := range rows {
			for _, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("%s.csv: a cell starts like a formula: %q", name, cell)
				}
				for _, pre := range formulaPrefixes {
					if strings.HasPrefix(cell, "'"+pre) {
						seen[pre] = true
					}
				}
			}
		}
	}
	for _, pre := range formulaPrefixes {
		if !seen[pre] {
			t.Errorf("no CSV cell carries the neutralised prefix %q", pre)
		}
	}
}

// checkICS checks an iCalendar file's structure (RFC 5545): CRLF lines of at
// most 75 octets, properties NAME[;params]:value, balanced BEGIN/END, and text
// values whose commas, semicolons and newlines are escaped.
func checkICS(t *testing.T, body []byte) {
	t.Helper()
	s := string(body)
	if strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") {
		t.Fatal("schedule.ics has a bare line feed")
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("schedule.ics: a line of %d octets", len(l))
		}
		if strings.HasPrefix(l, " ") && len(lines) > 0 {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	var stack []string
	found := false
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok || name == "" || strings.ContainsAny(strings.Split(name, ";")[0], " <>\"") {
			t.Fatalf("schedule.ics: not a property: %q", l)
		}
		switch name {
		case "BEGIN":
			stack = append(stack, value)
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != value {
				t.Fatalf("schedule.ics: END:%s does not close %v", value, stack)
			}
			stack = stack[:len(stack)-1]
		}
		if strings.HasPrefix(name, "SUMMARY") || strings.HasPrefix(name, "DESCRIPTION") {
			if strings.Contains(value, payload) {
				found = true
			}
			if unescaped := strings.NewReplacer(`\\`, "", `\,`, "", `\;`, "", `\n`, "", `\N`, "").Replace(value); strings.ContainsAny(unescaped, ",;") {
				t.Errorf("schedule.ics: an unescaped , or ; in %q", value)
			}
		}
	}
	if len(stack) != 0 {
		t.Errorf("schedule.ics: unclosed %v", stack)
	}
	if !found {
		t.Error("schedule.ics does not carry the payload in a SUMMARY or DESCRIPTION")
	}
}

// raw sends a JSON request (with the API token when token is set) and returns the status and body.
func (s *server) raw(method, path string, body any, token string) (int, string) {
	s.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		s.t.Fatal(err)
	}
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(b))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

// get reads a public URL; getAuth an organizer's, with the API token.
func (s *server) get(path string) []byte { return s.fetch(path, "") }

func (s *server) getAuth(path string) []byte { return s.fetch(path, s.token) }

func (s *server) fetch(path, token string) []byte {
	s.t.Helper()
	req, err := http.NewRequest("GET", s.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		s.t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	return b
}
