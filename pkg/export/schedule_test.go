package export_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/demo"
	"github.com/tribune-act/tribune/pkg/export"
)

// formats holds the c3voc XSD and JSON Schema (copied from shared/formats).
const formats = "testdata/formats"

var links = export.Links{Origin: "https://act.example.org", ScheduleURL: "https://act.example.org/e/x/schedule.xml", StreamURL: "https://stream.example.org/live"}

func idGen() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("id-%04d", n) }
}

// edgeAct is an act that stresses the formats: names in many scripts, markup
// characters in titles, an empty stage, a slot across midnight UTC, two days, a
// speaker who hides everything, slots that must not be exported.
func edgeAct(t *testing.T, tz string) *agenda.Agenda {
	t.Helper()
	id := idGen()
	start := time.Date(2026, 12, 5, 21, 0, 0, 0, time.UTC)
	a := &agenda.Agenda{Event: agenda.Event{ID: id(), Version: 7, EventFields: agenda.EventFields{
		Slug: "no-war", Title: `Peace & <bread>: "now" isn't 'later'`, Description: "Line one\nline two",
		StartsAt: start, Timezone: tz, Status: agenda.StatusPublished, Languages: []string{"en"},
		StreamURL: "https://stream.example.org/live",
	}}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	stages := map[string]string{}
	for i, name := range []string{`Main «stage» & <co>`, "Empty stage", "Сцена 2", "Main «stage» & <co>"} {
		stages[fmt.Sprint(i)] = id()
		must(a.AddStage(stages[fmt.Sprint(i)], agenda.StageFields{Name: name}, nil))
	}
	org := id()
	must(a.AddOrganization(org, agenda.OrganizationFields{Name: "Тихое сопротивление", Country: "RU", Kind: agenda.OrgMovement}))
	names := []string{
		"Олена Коваль", "محمد الأحمد", "李小龙", "हिन्दी नाम", `Ñandú O'Brien "Jr" & <Co>`, "עברית שם",
		"ქართველი", "Ἀθηνᾶ", "김민준", "ชื่อไทย", "😀 Emoji",
	}
	var speakers []string
	for _, n := range names {
		sid := id()
		speakers = append(speakers, sid)
		must(a.AddSpeaker(sid, agenda.SpeakerFields{Name: n, Country: "UA", Bio: "Bio of " + n, PhotoURL: "https://example.org/p.jpg", Languages: []string{"en"}}))
	}
	hidden := id()
	must(a.AddSpeaker(hidden, agenda.SpeakerFields{
		Name: "Вера С.", Country: "RU", OrganizationID: org, PhotoURL: "https://example.org/secret.jpg",
		ContactEmail: "vera@example.org", Notes: "AT RISK", HideCountry: true, HideOrganization: true, HidePhoto: true,
	}))
	unconfirmed := id()
	must(a.AddSpeaker(unconfirmed, agenda.SpeakerFields{Name: "Not Yet Confirmed"}))

	slot := func(stage string, f agenda.SlotFields, people ...agenda.SpeakerAssignment) string {
		t.Helper()
		sid := id()
		if f.Kind == "" {
			f.Kind = agenda.KindSpeech
		}
		must(a.AddSlot(sid, stages[stage], nil, f))
		if len(people) > 0 {
			must(a.SetSlotSpeakers(sid, people))
			for _, p := range people {
				if p.SpeakerID != unconfirmed {
					must(a.Answer(sid, p.SpeakerID, agenda.Confirmed, ""))
				}
			}
		}
		return sid
	}
	as := func(ids ...string) []agenda.SpeakerAssignment {
		var out []agenda.SpeakerAssignment
		for _, s := range ids {
			out = append(out, agenda.SpeakerAssignment{SpeakerID: s, Role: agenda.RoleSpeaker})
		}
		return out
	}
	pin := func(t time.Time) *time.Time { return &t }
	slot("0", agenda.SlotFields{Kind: agenda.KindModeration, Title: `Opening: "Bread & <peace>" isn't 'later'`, DurationSeconds: 600,
		Description: "Tabs\tand\nnew lines & <b>markup</b>", Language: "en",
		Interpretation: []agenda.Interpretation{{Language: "es", URL: "https://stream.example.org/es?a=1&b=2"}}}, as(speakers[0], speakers[1])...)
	slot("0", agenda.SlotFields{Title: "Голоса мира — أصوات السلام — 和平之声", DurationSeconds: 455, Language: "ru"}, as(speakers[2], speakers[3], speakers[4], hidden)...)
	slot("0", agenda.SlotFields{Title: "Only invited: not exported", DurationSeconds: 300}, as(unconfirmed)...)
	slot("0", agenda.SlotFields{Title: "Across midnight UTC", DurationSeconds: 1800, PinnedStart: pin(time.Date(2026, 12, 5, 23, 50, 0, 0, time.UTC))}, as(speakers[5])...)
	slot("0", agenda.SlotFields{Kind: agenda.KindBreak, Title: "Break", DurationSeconds: 900})
	slot("2", agenda.SlotFields{Title: "Second day", DurationSeconds: 3600, PinnedStart: pin(time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC))}, as(speakers[6], speakers[7], speakers[8])...)
	slot("2", agenda.SlotFields{Kind: agenda.KindMusic, Title: "Songs ☮ & more", DurationSeconds: 1200}, as(speakers[9], speakers[10])...)
	slot("3", agenda.SlotFields{Kind: agenda.KindPanel, Title: "Same stage name, other stage", DurationSeconds: 1200}, append(as(speakers[0]), agenda.SpeakerAssignment{SpeakerID: unconfirmed, Role: agenda.RoleSpeaker})...)
	a.Normalize()
	return a
}

func demoAct() *agenda.Agenda {
	a := demo.Act(time.Now().UTC(), idGen())
	a.Event.Version = 3
	return &a
}

func TestScheduleChoosesSlotsAndTimes(t *testing.T) {
	a := edgeAct(t, "UTC")
	s, err := export.NewSchedule(a)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, sl := range s.Slots {
		titles = append(titles, sl.Title)
		if strings.Contains(sl.Title, "not exported") {
			t.Errorf("a slot with only an unconfirmed speaker is exported")
		}
		for _, p := range sl.Speakers {
			if p.Name == "Not Yet Confirmed" {
				t.Errorf("an unconfirmed speaker is named in %q", sl.Title)
			}
			if p.Name == "Вера С." && (p.Organization != "" || p.Country != "" || p.PhotoURL != "") {
				t.Errorf("hide flags not applied: %+v", p)
			}
		}
	}
	if len(s.Slots) != 7 {
		t.Errorf("%d slots exported, want 7: %q", len(s.Slots), titles)
	}
	if len(s.Days) != 2 || len(s.Days[0].Slots) != 5 || len(s.Days[1].Slots) != 2 {
		t.Errorf("days = %+v", s.Days)
	}
	if s.Stages[0].Name == s.Stages[3].Name {
		t.Errorf("stage names not made unique: %q", s.Stages[0].Name)
	}
	seen := map[int]bool{}
	for _, sl := range s.Slots {
		if seen[sl.Number] || sl.Number < 1 {
			t.Errorf("number %d repeated or not positive", sl.Number)
		}
		seen[sl.Number] = true
	}
	again, _ := export.NewSchedule(a)
	for i := range s.Slots {
		if again.Slots[i].GUID != s.Slots[i].GUID || again.Slots[i].Number != s.Slots[i].Number {
			t.Errorf("ids not stable")
		}
	}

	// Live: the first slot started 5 minutes late; the next slots move, the skipped one leaves.
	first := a.StageSlots(a.Stages[0].ID)
	if err := a.Start(a.Stages[0].ID, first[0].ID, first[0].PlannedStart.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := a.Skip(first[4].ID, first[0].PlannedStart.Add(6*time.Minute)); err != nil {
		t.Fatal(err)
	}
	live, _ := export.NewSchedule(a)
	if !live.Live {
		t.Fatal("not live")
	}
	for _, sl := range live.Slots {
		if sl.ID == first[4].ID {
			t.Errorf("a skipped slot is exported")
		}
		if sl.ID == first[1].ID && !sl.Start.Equal(first[1].PlannedStart.Add(5*time.Minute)) {
			t.Errorf("second slot starts %v, want the projection %v", sl.Start, first[1].PlannedStart.Add(5*time.Minute))
		}
	}
}

func TestXMLValidAgainstXSD(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xmllint is missing (apt-get install libxml2-utils)")
		}
		t.Skip("xmllint is missing (apt-get install libxml2-utils)")
	}
	for name, a := range acts(t) {
		t.Run(name, func(t *testing.T) {
			s, err := export.NewSchedule(a)
			if err != nil {
				t.Fatal(err)
			}
			b, err := export.XML(s, links)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "schedule.xml")
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join(formats, "schedule.xml.xsd"), path).CombinedOutput()
			if err != nil {
				t.Fatalf("xmllint: %v\n%s\n%s", err, out, b)
			}
			checkXMLRoundTrip(t, b, s)
		})
	}
}

// checkXMLRoundTrip reads the XML back: titles and names survive escaping.
func checkXMLRoundTrip(t *testing.T, b []byte, s *export.Schedule) {
	t.Helper()
	var doc struct {
		Days []struct {
			Rooms []struct {
				Name   string `xml:"name,attr"`
				Events []struct {
					GUID    string   `xml:"guid,attr"`
					Title   string   `xml:"title"`
					Persons []string `xml:"persons>person"`
				} `xml:"event"`
			} `xml:"room"`
		} `xml:"day"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	byGUID := map[string]export.Slot{}
	for _, sl := range s.Slots {
		byGUID[sl.GUID] = sl
	}
	n := 0
	for _, d := range doc.Days {
		if len(d.Rooms) != len(s.Stages) {
			t.Errorf("a day has %d rooms, want every stage (%d)", len(d.Rooms), len(s.Stages))
		}
		for _, r := range d.Rooms {
			for _, e := range r.Events {
				n++
				sl := byGUID[e.GUID]
				if e.Title != sl.Title || strings.Join(e.Persons, "|") != strings.Join(sl.SpeakerNames(), "|") {
					t.Errorf("read back %q %q, want %q %q", e.Title, e.Persons, sl.Title, sl.SpeakerNames())
				}
			}
		}
	}
	if n != len(s.Slots) {
		t.Errorf("%d events in the XML, want %d", n, len(s.Slots))
	}
}

var c3vocSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	return c.Compile(filepath.Join(formats, "schedule.schema.json"))
})

func acts(t *testing.T) map[string]*agenda.Agenda {
	out := map[string]*agenda.Agenda{"demo": demoAct()}
	for _, tz := range []string{"UTC", "Asia/Tokyo", "America/Argentina/Buenos_Aires", "Etc/GMT+3"} {
		out["edge "+tz] = edgeAct(t, tz)
	}
	live := edgeAct(t, "Europe/Berlin")
	first := live.StageSlots(live.Stages[0].ID)
	if err := live.Start(live.Stages[0].ID, first[0].ID, first[0].PlannedStart.Add(7*time.Minute)); err != nil {
		t.Fatal(err)
	}
	out["edge live"] = live
	return out
}

func TestJSONValidAgainstSchema(t *testing.T) {
	sch, err := c3vocSchema()
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range acts(t) {
		t.Run(name, func(t *testing.T) {
			s, err := export.NewSchedule(a)
			if err != nil {
				t.Fatal(err)
			}
			b, err := export.JSON(s, links)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(doc); err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			// Same ids as the XML.
			x, _ := export.XML(s, links)
			var parsed struct {
				Schedule struct {
					Conference struct {
						Days []struct {
							Rooms map[string][]struct {
								GUID string `json:"guid"`
								ID   int    `json:"id"`
							} `json:"rooms"`
						} `json:"days"`
					} `json:"conference"`
				} `json:"schedule"`
			}
			if err := json.Unmarshal(b, &parsed); err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, d := range parsed.Schedule.Conference.Days {
				for _, evs := range d.Rooms {
					for _, e := range evs {
						n++
						if !bytes.Contains(x, []byte(fmt.Sprintf(`guid="%s" id="%d"`, e.GUID, e.ID))) {
							t.Errorf("event %s/%d of the JSON is not in the XML", e.GUID, e.ID)
						}
					}
				}
			}
			if n != len(s.Slots) {
				t.Errorf("%d events in the JSON, want %d", n, len(s.Slots))
			}
		})
	}
}

func TestCalendarOfSchedule(t *testing.T) {
	a := edgeAct(t, "Asia/Tokyo")
	s, err := export.NewSchedule(a)
	if err != nil {
		t.Fatal(err)
	}
	events := export.CalendarEvents(s, links)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	stamps := export.Restamp(events, nil, 7, at)
	cal, err := ics.ParseCalendar(bytes.NewReader(export.Calendar(s.Event.Title, events)))
	if err != nil {
		t.Fatal(err)
	}
	if len(cal.Events()) != len(s.Slots) || len(stamps) != len(s.Slots) {
		t.Fatalf("%d VEVENTs, %d stamps, want %d", len(cal.Events()), len(stamps), len(s.Slots))
	}
	for i, ev := range cal.Events() {
		sl := s.Slots[i]
		if ev.Id() != sl.ID+"@act.example.org" {
			t.Errorf("UID %q", ev.Id())
		}
		start, _ := ev.GetStartAt()
		end, _ := ev.GetEndAt()
		if !start.Equal(sl.Start) || !end.Equal(sl.End) {
			t.Errorf("%s: %v–%v, want %v–%v", sl.Title, start, end, sl.Start, sl.End)
		}
		summary := ev.GetProperty(ics.ComponentPropertySummary).Value
		if !strings.HasPrefix(summary, sl.Title) {
			t.Errorf("SUMMARY %q does not start with %q", summary, sl.Title)
		}
		for _, n := range sl.SpeakerNames() {
			if !strings.Contains(summary, n) {
				t.Errorf("SUMMARY %q lacks %q", summary, n)
			}
		}
		if seq := ev.GetProperty(ics.ComponentPropertySequence).Value; seq != "7" {
			t.Errorf("SEQUENCE %s, want 7", seq)
		}
	}

	// The same content keeps its stamp; a changed slot gets the new version.
	events = export.CalendarEvents(s, links)
	if again := export.Restamp(events, stamps, 9, at.Add(time.Hour)); len(again) != 0 {
		t.Errorf("unchanged events restamped: %v", again)
	}
	events[2].Summary += " (changed)"
	again := export.Restamp(events, stamps, 9, at.Add(time.Hour))
	if len(again) != 1 || again[events[2].UID].Sequence != 9 || events[2].Sequence != 9 || events[1].Sequence != 7 {
		t.Errorf("restamp after one change: %v", again)
	}
}
