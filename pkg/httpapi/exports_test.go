package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/tribune-act/tribune/pkg/export"
	"github.com/tribune-act/tribune/schema"
)

// addSlot adds a slot with the act's speaker, confirmed, and returns its id.
func (a *act) addSlot(t *testing.T, title string, seconds int) string {
	t.Helper()
	id := a.h.must(201, "POST", a.path("/slots"), a.editor, map[string]any{
		"stage_id": a.stageID, "kind": "speech", "title": title, "duration_seconds": seconds,
	}).field(t, "id")
	a.h.must(200, "PUT", a.path("/slots/"+id+"/speakers"), a.editor, []map[string]string{{"speaker_id": a.speakerID, "role": "speaker"}})
	confirm(t, a.h, a.id, id, a.speakerID)
	return id
}

// calendar fetches schedule.ics and returns its VEVENTs by UID.
func (a *act) calendar(t *testing.T) map[string]*ics.VEvent {
	t.Helper()
	r := a.h.must(200, "GET", "/e/peace/schedule.ics", "", nil)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Fatalf("Content-Type %q", ct)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("%v\n%s", err, r.body)
	}
	out := map[string]*ics.VEvent{}
	for _, ev := range cal.Events() {
		out[ev.Id()] = ev
	}
	return out
}

func sequence(t *testing.T, ev *ics.VEvent) int {
	t.Helper()
	if ev == nil {
		t.Fatal("no such VEVENT")
	}
	n, err := strconv.Atoi(ev.GetProperty(ics.ComponentPropertySequence).Value)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestScheduleExportsArePublicAndCacheable(t *testing.T) {
	a := newAct(t)
	h := a.h
	confirm(t, h, a.id, a.slotID, a.speakerID)
	a.addSlot(t, `Bread & <peace>: "now"`, 420)
	// A slot whose only speaker has not confirmed is not announced.
	other := h.must(201, "POST", a.path("/slots"), a.editor, map[string]any{"stage_id": a.stageID, "title": "Unconfirmed", "duration_seconds": 300}).field(t, "id")
	h.must(200, "PUT", a.path("/slots/"+other+"/speakers"), a.editor, []map[string]string{{"speaker_id": a.speakerID, "role": "speaker"}})
	// The speaker hides their organization: it must not appear anywhere.
	h.must(200, "PATCH", a.path("/speakers/"+a.speakerID), a.editor, map[string]any{"hide_organization": true})

	for _, path := range []string{"/e/peace/schedule.ics", "/e/peace/schedule.xml", "/e/peace/schedule.json"} {
		t.Run(path, func(t *testing.T) {
			r := h.must(200, "GET", path, "", nil)
			tag, modified := r.header.Get("ETag"), r.header.Get("Last-Modified")
			if tag != fmt.Sprintf(`"%d"`, h.version(a.id)) || modified == "" {
				t.Fatalf("ETag %q Last-Modified %q", tag, modified)
			}
			if _, err := http.ParseTime(modified); err != nil {
				t.Fatalf("Last-Modified %q: %v", modified, err)
			}
			for _, private := range []string{"olena@example.org", "call before", "Union of Teachers", "Unconfirmed"} {
				if bytes.Contains(r.body, []byte(private)) {
					t.Errorf("%s leaks %q", path, private)
				}
			}
			if !bytes.Contains(r.body, []byte("Олена Коваль")) {
				t.Errorf("%s does not name the confirmed speaker", path)
			}
			h.must(304, "GET", path, "", nil, "If-None-Match", tag)
			h.must(304, "GET", path, "", nil, "If-Modified-Since", modified)
			h.must(200, "GET", path, "", nil, "If-None-Match", `"1"`)
			h.must(200, "GET", path, "", nil, "If-Modified-Since", "Mon, 02 Jan 2006 15:04:05 GMT")
			h.must(404, "GET", strings.Replace(path, "peace", "other", 1), "", nil) // a draft
			h.must(404, "GET", strings.Replace(path, "peace", "nope", 1), "", nil)
		})
	}
	var doc struct {
		Schedule struct {
			Conference struct {
				Days []struct {
					Rooms map[string][]struct {
						GUID  string `json:"guid"`
						Title string `json:"title"`
					} `json:"rooms"`
				} `json:"days"`
			} `json:"conference"`
		} `json:"schedule"`
	}
	h.must(200, "GET", "/e/peace/schedule.json", "", nil).decode(t, &doc)
	events := doc.Schedule.Conference.Days[0].Rooms["Main stage"]
	if len(events) != 2 || events[0].GUID != export.GUID("slot", a.slotID) || events[1].Title != `Bread & <peace>: "now"` {
		t.Fatalf("events %+v", events)
	}
}

func TestCalendarSequenceRisesWhenASlotChanges(t *testing.T) {
	a := newAct(t)
	h := a.h
	confirm(t, h, a.id, a.slotID, a.speakerID)
	second := a.addSlot(t, "Second", 600)
	third := a.addSlot(t, "Third", 600)
	uid := func(slot string) string { return slot + "@act.example.org" }

	before := a.calendar(t)
	if len(before) != 3 {
		t.Fatalf("%d VEVENTs, want 3", len(before))
	}
	// Exporting again changes nothing.
	again := a.calendar(t)
	for id, ev := range before {
		if sequence(t, again[id]) != sequence(t, ev) {
			t.Errorf("SEQUENCE of %s moved without a change", id)
		}
	}

	// An edit of the second slot raises its SEQUENCE, keeps its UID, and leaves the first alone.
	h.must(200, "PATCH", a.path("/slots/"+second), a.editor, map[string]any{"title": "Second, renamed"})
	after := a.calendar(t)
	if len(after) != 3 {
		t.Fatalf("%d VEVENTs after the edit", len(after))
	}
	if sequence(t, after[uid(second)]) <= sequence(t, before[uid(second)]) {
		t.Errorf("SEQUENCE of the edited slot did not rise: %d → %d", sequence(t, before[uid(second)]), sequence(t, after[uid(second)]))
	}
	if got := after[uid(second)].GetProperty(ics.ComponentPropertySummary).Value; got != "Second, renamed — Олена Коваль" {
		t.Errorf("SUMMARY %q", got)
	}
	if sequence(t, after[uid(a.slotID)]) != sequence(t, before[uid(a.slotID)]) {
		t.Errorf("SEQUENCE of an untouched slot moved")
	}

	// Lengthening the second slot moves the third: its times and SEQUENCE change.
	h.must(200, "PATCH", a.path("/slots/"+second), a.editor, map[string]any{"duration_seconds": 900})
	moved := a.calendar(t)
	s0, _ := after[uid(third)].GetStartAt()
	s1, _ := moved[uid(third)].GetStartAt()
	if !s1.Equal(s0.Add(5*time.Minute)) || sequence(t, moved[uid(third)]) <= sequence(t, after[uid(third)]) {
		t.Errorf("third slot: start %v → %v, SEQUENCE %d → %d", s0, s1, sequence(t, after[uid(third)]), sequence(t, moved[uid(third)]))
	}

	// Live: starting the show now projects every slot to now; their SEQUENCEs rise,
	// and a later action that moves them back never lowers one.
	h.must(200, "POST", a.path("/live/start"), a.stage, nil)
	live := a.calendar(t)
	for id, ev := range live {
		if sequence(t, ev) <= sequence(t, moved[id]) {
			t.Errorf("%s: SEQUENCE %d → %d after the show started", id, sequence(t, moved[id]), sequence(t, ev))
		}
	}
	s2, _ := live[uid(third)].GetStartAt()
	if s2.Equal(s1) {
		t.Errorf("third slot keeps its planned start %v while live", s1)
	}
	h.must(200, "POST", a.path("/live/back"), a.stage, nil)
	back := a.calendar(t)
	for id, ev := range back {
		if sequence(t, ev) < sequence(t, live[id]) {
			t.Errorf("%s: SEQUENCE went down, %d → %d", id, sequence(t, live[id]), sequence(t, ev))
		}
	}
}

// speakersCSV is a speaker import of n rows; rows in bad get one mistake each.
func speakersCSV(n int, bad map[int]string, sep string, bom bool) []byte {
	var b strings.Builder
	if bom {
		b.WriteString("\uFEFF")
	}
	b.WriteString(strings.Join([]string{"Name", "country", "organization", "timezone", "languages", "contact_email", "photo_url", "hide_photo", "bio"}, sep) + "\r\n")
	scripts := []string{"Олена", "محمد", "李", "हिन्दी", "Ñandú", "עברית", "ქართ", "Ἀθηνᾶ"}
	for i := range n {
		cells := []string{
			fmt.Sprintf("%s Speaker %d", scripts[i%len(scripts)], i), "UA", "Union of Teachers", "Europe/Kyiv", "uk en",
			fmt.Sprintf("speaker%d@example.org", i), "", "no", `"A bio with a ` + sep + ` and a ""quote"""`,
		}
		switch bad[i] {
		case "country":
			cells[1] = "XX"
		case "email":
			cells[5] = "not an e-mail"
		case "name":
			cells[0] = ""
		case "timezone":
			cells[3] = "Mars/Olympus"
		case "languages":
			cells[4] = "uk 123"
		case "photo":
			cells[6] = "javascript:alert(1)"
		case "bool":
			cells[7] = "perhaps"
		}
		b.WriteString(strings.Join(cells, sep) + "\r\n")
	}
	return []byte(b.String())
}

type importReply struct {
	export.ImportReport
	Confirmed bool  `json:"confirmed"`
	Version   int64 `json:"version"`
}

func TestSpeakerImportReportsBadRowsAndCommitsOnce(t *testing.T) {
	a := newAct(t)
	h := a.h
	bad := map[int]string{3: "country", 17: "email", 42: "name", 99: "timezone", 120: "languages", 150: "photo", 199: "bool"}
	file := speakersCSV(200, bad, ",", false)
	csv := []string{"Content-Type", "text/csv"}

	var rep importReply
	a.unchanged(t, func() {
		h.must(200, "POST", a.path("/import/speakers"), a.editor, file, csv...).decode(t, &rep)
	})
	if rep.Confirmed || rep.Rows != 200 || rep.Created != 193 {
		t.Fatalf("dry run: %+v", rep)
	}
	lines := map[int]string{}
	for _, p := range rep.Problems {
		lines[p.Line] = p.Column
	}
	for row, col := range bad {
		want := map[string]string{"email": "contact_email", "photo": "photo_url", "bool": "hide_photo"}[col]
		if want == "" {
			want = col
		}
		if got, ok := lines[row+2]; !ok || got != want {
			t.Errorf("row %d (line %d): problem in column %q, want %q", row, row+2, got, want)
		}
	}
	if len(lines) != 7 || len(rep.Problems) != 7 {
		t.Fatalf("problems on %d lines (%d problems), want exactly 7: %+v", len(lines), len(rep.Problems), rep.Problems)
	}

	// Confirming a file with problems imports nothing.
	a.unchanged(t, func() {
		r := h.must(422, "POST", a.path("/import/speakers?confirm=true"), a.editor, file, csv...)
		var p struct {
			Type   string              `json:"type"`
			Report export.ImportReport `json:"report"`
		}
		r.decode(t, &p)
		if p.Type != "/problems/import-problems" || len(p.Report.Problems) != 7 {
			t.Fatalf("422: %s", r.body)
		}
	})

	// The fixed file, saved the other way (with a BOM, separated by ';'), imports
	// all 200 in one change, after a clean dry run whose version it confirms.
	fixed := speakersCSV(200, nil, ";", true)
	h.must(200, "POST", a.path("/import/speakers"), a.editor, fixed, csv...).decode(t, &rep)
	if len(rep.Problems) != 0 || rep.Created != 200 {
		t.Fatalf("dry run of the fixed file: %+v", rep)
	}
	before := h.version(a.id)
	h.must(412, "POST", a.path("/import/speakers?confirm=true"), a.editor, fixed, "Content-Type", "text/csv", "If-Match", fmt.Sprintf(`"%d"`, before-1))
	h.must(200, "POST", a.path("/import/speakers?confirm=true"), a.editor, fixed, "Content-Type", "text/csv", "If-Match", fmt.Sprintf(`"%d"`, before)).decode(t, &rep)
	if !rep.Confirmed || rep.Created != 200 || rep.Version != before+1 || h.version(a.id) != before+1 {
		t.Fatalf("import: %+v, version %d → %d", rep, before, h.version(a.id))
	}
	var list []map[string]any
	h.must(200, "GET", a.path("/speakers"), a.editor, nil).decode(t, &list)
	if len(list) != 201 {
		t.Fatalf("%d speakers, want 201", len(list))
	}
	var changes struct {
		Changes []struct {
			Version int64  `json:"version"`
			Summary string `json:"summary"`
		} `json:"changes"`
	}
	r := h.must(200, "GET", a.path(fmt.Sprintf("/changes?since=%d", before)), a.editor, nil)
	r.decode(t, &changes)
	if len(changes.Changes) != 1 || changes.Changes[0].Summary != "speakers.import" {
		t.Fatalf("changes after the import: %s", r.body)
	}
	// Everyone named "Union of Teachers" joined the existing organization.
	for _, sp := range list {
		if sp["organization_id"] != a.orgID {
			t.Fatalf("speaker %v is not in the existing organization", sp["name"])
		}
	}
}

func TestCSVExportsRoundTripAndNeutraliseFormulas(t *testing.T) {
	a := newAct(t)
	h := a.h
	h.must(200, "PATCH", a.path("/speakers/"+a.speakerID), a.editor, map[string]any{"bio": "=HYPERLINK(\"http://evil.example\")", "notes": "+1 555; -call @noon"})
	r := h.must(200, "GET", a.path("/export/speakers.csv"), a.stage, nil)
	if !bytes.HasPrefix(r.body, []byte("\uFEFFid,name,")) || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("speakers.csv: %q %q", r.header.Get("Content-Type"), r.body)
	}
	if !bytes.Contains(r.body, []byte(`"'=HYPERLINK(""http://evil.example"")"`)) || !bytes.Contains(r.body, []byte(`'+1 555; -call @noon`)) {
		t.Fatalf("formulas not neutralised:\n%s", r.body)
	}
	if !strings.Contains(r.header.Get("Content-Disposition"), `filename="peace-speakers.csv"`) {
		t.Errorf("Content-Disposition %q", r.header.Get("Content-Disposition"))
	}
	// Exported and imported back, the file changes nothing.
	var rep importReply
	a.unchanged(t, func() {
		h.must(200, "POST", a.path("/import/speakers?confirm=true"), a.editor, r.body, "Content-Type", "text/csv").decode(t, &rep)
	})
	if len(rep.Problems) != 0 || rep.Updated != 1 || rep.Created != 0 {
		t.Fatalf("round trip: %+v", rep)
	}
	var sp map[string]any
	h.must(200, "GET", a.path("/speakers/"+a.speakerID), a.editor, nil).decode(t, &sp)
	if sp["bio"] != "=HYPERLINK(\"http://evil.example\")" || sp["notes"] != "+1 555; -call @noon" {
		t.Fatalf("round trip changed the speaker: %v", sp)
	}

	order := h.must(200, "GET", a.path("/export/running-order.csv"), a.editor, nil)
	if !bytes.Contains(order.body, []byte("Main stage,1,"+a.slotID+",speech,Opening,")) || !bytes.Contains(order.body, []byte("Олена Коваль [speaker, invited]")) {
		t.Fatalf("running-order.csv:\n%s", order.body)
	}
	orgs := h.must(200, "GET", a.path("/export/organizations.csv"), a.editor, nil)
	var orep importReply
	h.must(200, "POST", a.path("/import/organizations"), a.editor, append(orgs.body, []byte(",New Union;x,de,UNION,https://new.example.org\r\n")...), "Content-Type", "text/csv").decode(t, &orep)
	if orep.Updated != 1 || orep.Created != 1 || len(orep.Problems) != 0 {
		t.Fatalf("organizations: %+v", orep)
	}

	// Who may do what.
	h.must(403, "POST", a.path("/import/speakers"), a.stage, speakersCSV(1, nil, ",", false), "Content-Type", "text/csv")
	h.must(403, "GET", a.path("/export/speakers.csv"), a.outsider, nil)
	h.must(401, "GET", a.path("/export/running-order.csv"), "", nil)
	h.must(415, "POST", a.path("/import/speakers"), a.editor, "{}", "Content-Type", "application/json")
	h.must(400, "POST", a.path("/import/speakers?confirm=maybe"), a.editor, "name\nX\n", "Content-Type", "text/csv")
	// A header with an unknown column is a problem of line 1.
	h.must(200, "POST", a.path("/import/speakers"), a.editor, "name,contry\nX,UA\n", "Content-Type", "text/csv").decode(t, &rep)
	if len(rep.Problems) != 1 || rep.Problems[0].Line != 1 || rep.Problems[0].Column != "contry" {
		t.Fatalf("unknown column: %+v", rep.Problems)
	}
}

func TestSpecIsServed(t *testing.T) {
	h := newHarness(t)
	r := h.must(200, "GET", "/api/v1/openapi.yaml", "", nil)
	file, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.body, file) || !bytes.Equal(schema.OpenAPI, file) {
		t.Fatal("the served spec is not schema/openapi.yaml")
	}
	page := h.must(200, "GET", "/api/v1/docs", "", nil)
	for _, want := range []string{"<h1>Tribune REST API", "/api/v1/events/{id}/webhooks", "Import speakers from CSV", "/e/{slug}/schedule.ics"} {
		if !bytes.Contains(page.body, []byte(want)) {
			t.Errorf("the docs page lacks %q", want)
		}
	}
	var s map[string]any
	if err := json.Unmarshal(h.must(200, "GET", "/api/v1/schemas/feed-change.schema.json", "", nil).body, &s); err != nil {
		t.Fatal(err)
	}
	h.must(404, "GET", "/api/v1/schemas/openapi.yaml", "", nil)
}
