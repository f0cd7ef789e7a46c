package export

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// Generator names the software in the frab and c3voc documents.
const Generator = "tribune"

// Links says where a schedule lives: Origin is the public scheme://host of the
// instance, ScheduleURL the address of the document itself (optional).
type Links struct {
	Origin      string
	ScheduleURL string
	// StreamURL, when set, is linked from every slot as the live stream.
	StreamURL string
}

const (
	localDate = "2006-01-02"
	localTime = "15:04"
)

// frab XML, as schedule.xml.xsd has it.

type xmlSchedule struct {
	XMLName    xml.Name      `xml:"schedule"`
	Generator  xmlGenerator  `xml:"generator"`
	URL        string        `xml:"url,omitempty"`
	Version    string        `xml:"version"`
	Conference xmlConference `xml:"conference"`
	Days       []xmlDay      `xml:"day"`
}

type xmlGenerator struct {
	Name string `xml:"name,attr"`
}

type xmlConference struct {
	Title            string `xml:"title"`
	Acronym          string `xml:"acronym"`
	Start            string `xml:"start"`
	End              string `xml:"end"`
	Days             int    `xml:"days"`
	TimeslotDuration string `xml:"timeslot_duration"`
	BaseURL          string `xml:"base_url"`
	URL              string `xml:"url"`
	TimeZoneName     string `xml:"time_zone_name"`
}

type xmlDay struct {
	Index int       `xml:"index,attr"`
	Date  string    `xml:"date,attr"`
	Start string    `xml:"start,attr"`
	End   string    `xml:"end,attr"`
	Rooms []xmlRoom `xml:"room"`
}

type xmlRoom struct {
	Name   string     `xml:"name,attr"`
	GUID   string     `xml:"guid,attr"`
	Events []xmlEvent `xml:"event"`
}

type xmlEvent struct {
	GUID        string      `xml:"guid,attr"`
	ID          int         `xml:"id,attr"`
	Room        string      `xml:"room"`
	Title       string      `xml:"title"`
	Type        string      `xml:"type"`
	Date        string      `xml:"date"`
	Start       string      `xml:"start"`
	Duration    string      `xml:"duration"`
	Abstract    string      `xml:"abstract"`
	Slug        string      `xml:"slug"`
	Track       string      `xml:"track"`
	Persons     []xmlPerson `xml:"persons>person"`
	Language    string      `xml:"language,omitempty"`
	Description string      `xml:"description"`
	Links       []xmlLink   `xml:"links>link"`
	URL         string      `xml:"url"`
}

type xmlPerson struct {
	ID   int    `xml:"id,attr"`
	GUID string `xml:"guid,attr"`
	Name string `xml:",chardata"`
}

type xmlLink struct {
	Href  string `xml:"href,attr"`
	Type  string `xml:"type,attr,omitempty"`
	Title string `xml:",chardata"`
}

// XML renders the schedule as frab / c3voc schedule XML.
func XML(s *Schedule, l Links) ([]byte, error) {
	doc := xmlSchedule{
		Generator: xmlGenerator{Name: Generator},
		URL:       l.ScheduleURL,
		Version:   strconv.FormatInt(s.Version, 10),
		Conference: xmlConference{
			Title: s.Event.Title, Acronym: s.Acronym(),
			Start: s.Days[0].Date.Format(localDate), End: s.Days[len(s.Days)-1].Date.Format(localDate),
			Days: len(s.Days), TimeslotDuration: "00:05",
			BaseURL: strings.TrimRight(l.Origin, "/") + "/", URL: EventURL(l.Origin, s.Event.Slug),
			TimeZoneName: s.Location.String(),
		},
	}
	for _, d := range s.Days {
		xd := xmlDay{Index: d.Index, Date: d.Date.Format(localDate), Start: d.Start.Format(time.RFC3339), End: d.End.Format(time.RFC3339)}
		for _, st := range s.Stages {
			room := xmlRoom{Name: st.Name, GUID: st.GUID}
			for _, sl := range d.Slots {
				if sl.Stage.ID != st.ID {
					continue
				}
				ev := xmlEvent{
					GUID: sl.GUID, ID: sl.Number, Room: st.Name, Title: xmlText(sl.Title), Type: string(sl.Kind),
					Date: sl.Start.In(s.Location).Format(time.RFC3339), Start: sl.Start.In(s.Location).Format(localTime),
					Duration: clock(sl.Duration(), true), Abstract: xmlText(sl.Description), Slug: s.Slug(*sl),
					Track: track(sl.Kind), Language: sl.Language, Description: xmlText(personsText(*sl)),
					URL: SlotURL(l.Origin, s.Event.Slug, sl.ID), Persons: []xmlPerson{}, Links: []xmlLink{},
				}
				for _, p := range sl.Speakers {
					ev.Persons = append(ev.Persons, xmlPerson{ID: p.Number, GUID: p.GUID, Name: xmlText(p.Name)})
				}
				for _, ln := range links(*sl, l) {
					ev.Links = append(ev.Links, xmlLink{Href: ln.URL, Type: ln.Type, Title: xmlText(ln.Title)})
				}
				room.Events = append(room.Events, ev)
			}
			xd.Rooms = append(xd.Rooms, room)
		}
		doc.Days = append(doc.Days, xd)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("export: schedule.xml: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// xmlText drops the characters XML 1.0 cannot carry at all (agenda validation
// refuses control characters in titles, but descriptions are multi-line).
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r != 0xFFFE && r != 0xFFFF && r != utf8.RuneError) {
			return r
		}
		return -1
	}, s)
}

// c3voc JSON, as schedule.schema.json has it.

// SchemaURL is the c3voc schedule JSON Schema the JSON export declares.
const SchemaURL = "https://c3voc.de/schedule/schema.json"

type jsonDocument struct {
	Schema    string        `json:"$schema"`
	Generator jsonGenerator `json:"generator"`
	Schedule  jsonSchedule  `json:"schedule"`
}

type jsonGenerator struct {
	Name string `json:"name"`
}

type jsonSchedule struct {
	Version    string         `json:"version"`
	BaseURL    string         `json:"base_url"`
	URL        string         `json:"url,omitempty"`
	Conference jsonConference `json:"conference"`
}

type jsonConference struct {
	Acronym          string     `json:"acronym"`
	Title            string     `json:"title"`
	Description      string     `json:"description"`
	Start            string     `json:"start"`
	End              string     `json:"end"`
	DaysCount        int        `json:"daysCount"`
	TimeslotDuration string     `json:"timeslot_duration"`
	TimeZoneName     string     `json:"time_zone_name,omitempty"`
	URL              string     `json:"url"`
	Rooms            []jsonRoom `json:"rooms"`
	Days             []jsonDay  `json:"days"`
}

type jsonRoom struct {
	Name string `json:"name"`
	GUID string `json:"guid"`
	Type string `json:"type"`
}

type jsonDay struct {
	Index    int                    `json:"index"`
	Date     string                 `json:"date"`
	DayStart string                 `json:"day_start"`
	DayEnd   string                 `json:"day_end"`
	Rooms    map[string][]jsonEvent `json:"rooms"`
}

type jsonEvent struct {
	GUID        string       `json:"guid"`
	ID          int          `json:"id"`
	Date        string       `json:"date"`
	Start       string       `json:"start"`
	End         string       `json:"end"`
	Duration    string       `json:"duration"`
	Room        string       `json:"room"`
	Slug        string       `json:"slug"`
	URL         string       `json:"url"`
	Title       string       `json:"title"`
	Subtitle    string       `json:"subtitle"`
	Track       *string      `json:"track"`
	Type        string       `json:"type"`
	Language    *string      `json:"language"`
	Abstract    string       `json:"abstract"`
	Description string       `json:"description"`
	Persons     []jsonPerson `json:"persons"`
	Links       []Link       `json:"links"`
}

// jsonPerson is a person in pretalx's shape (name, not the deprecated public_name):
// the schema's Person is oneOf frab's and pretalx's, so it must be exactly one of them.
type jsonPerson struct {
	GUID      string  `json:"guid"`
	ID        int     `json:"id"`
	Name      string  `json:"name"`
	Biography *string `json:"biography"`
	Avatar    *string `json:"avatar"`
}

// Link is a reference from a slot: an interpretation channel or the live stream.
type Link struct {
	Type  string `json:"type"`
	URL   string `json:"url"`
	Title string `json:"title"`
}

// timezonePattern is the schema's own (unanchored alternation included); a zone it
// refuses, such as Etc/GMT+3, is left out of the JSON.
var timezonePattern = regexp.MustCompile(`^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$`)

// JSON renders the schedule as c3voc schedule JSON, with the same ids as XML.
func JSON(s *Schedule, l Links) ([]byte, error) {
	conf := jsonConference{
		Acronym: s.Acronym(), Title: s.Event.Title, Description: s.Event.Description,
		Start: s.Days[0].Date.Format(localDate), End: s.Days[len(s.Days)-1].Date.Format(localDate),
		DaysCount: len(s.Days), TimeslotDuration: "00:05", URL: EventURL(l.Origin, s.Event.Slug),
		Rooms: []jsonRoom{}, Days: []jsonDay{},
	}
	if tz := s.Location.String(); timezonePattern.MatchString(tz) {
		conf.TimeZoneName = tz
	}
	for _, st := range s.Stages {
		conf.Rooms = append(conf.Rooms, jsonRoom{Name: st.Name, GUID: st.GUID, Type: "online"})
	}
	for _, d := range s.Days {
		jd := jsonDay{
			Index: d.Index, Date: d.Date.Format(localDate), DayStart: d.Start.Format(time.RFC3339),
			DayEnd: d.End.Format(time.RFC3339), Rooms: map[string][]jsonEvent{},
		}
		for _, st := range s.Stages {
			jd.Rooms[st.Name] = []jsonEvent{}
		}
		for _, sl := range d.Slots {
			tr := track(sl.Kind)
			ev := jsonEvent{
				GUID: sl.GUID, ID: sl.Number, Date: sl.Start.In(s.Location).Format(time.RFC3339),
				Start: sl.Start.In(s.Location).Format(localTime), End: sl.End.In(s.Location).Format(time.RFC3339),
				Duration: clock(sl.Duration(), false), Room: sl.Stage.Name, Slug: s.Slug(*sl),
				URL: SlotURL(l.Origin, s.Event.Slug, sl.ID), Title: sl.Title, Track: &tr, Type: string(sl.Kind),
				Abstract: sl.Description, Description: personsText(*sl), Persons: []jsonPerson{}, Links: links(*sl, l),
			}
			if sl.Language != "" {
				ev.Language = &sl.Language
			}
			for _, p := range sl.Speakers {
				jp := jsonPerson{GUID: p.GUID, ID: p.Number, Name: p.Name}
				if p.Bio != "" {
					jp.Biography = &p.Bio
				}
				if p.PhotoURL != "" {
					jp.Avatar = &p.PhotoURL
				}
				ev.Persons = append(ev.Persons, jp)
			}
			jd.Rooms[sl.Stage.Name] = append(jd.Rooms[sl.Stage.Name], ev)
		}
		conf.Days = append(conf.Days, jd)
	}
	doc := jsonDocument{
		Schema: SchemaURL, Generator: jsonGenerator{Name: Generator},
		Schedule: jsonSchedule{
			Version: strconv.FormatInt(s.Version, 10), BaseURL: strings.TrimRight(l.Origin, "/") + "/",
			URL: l.ScheduleURL, Conference: conf,
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("export: schedule.json: %w", err)
	}
	return append(b, '\n'), nil
}

// clock writes a duration as HH:MM, or HH:MM:SS when seconds are allowed and
// there are some; without seconds it is rounded to the nearest minute.
func clock(d time.Duration, seconds bool) string {
	total := int(d / time.Second)
	if total < 0 {
		total = 0
	}
	if !seconds {
		total = (total + 30) / 60 * 60
	}
	h, m, sec := total/3600, total/60%60, total%60
	if h > 99 {
		h, m, sec = 99, 59, 0
	}
	if seconds && sec != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", h, m, sec)
	}
	return fmt.Sprintf("%02d:%02d", h, m)
}

// track groups slots by kind: "Speech", "Panel", "Music"…
func track(k agenda.SlotKind) string {
	s := string(k)
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// personsText is the description of a slot beyond its abstract: who speaks, for
// whom (organization and country, unless the speaker hides them), and in which languages.
func personsText(sl Slot) string {
	var lines []string
	for _, p := range sl.Speakers {
		line := p.Name
		var from []string
		if p.Organization != "" {
			from = append(from, p.Organization)
		}
		if p.Country != "" {
			from = append(from, p.Country)
		}
		if len(from) > 0 {
			line += " — " + strings.Join(from, ", ")
		}
		if p.Role == agenda.RoleModerator {
			line += " (moderator)"
		}
		lines = append(lines, line)
	}
	if sl.Language != "" || len(sl.Interpretation) > 0 {
		line := "Language: " + sl.Language
		if sl.Language == "" {
			line = "Language: —"
		}
		if len(sl.Interpretation) > 0 {
			var langs []string
			for _, in := range sl.Interpretation {
				langs = append(langs, in.Language)
			}
			line += "; interpretation: " + strings.Join(langs, ", ")
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// links are the slot's interpretation channels and the event's live stream.
func links(sl Slot, l Links) []Link {
	out := []Link{}
	if l.StreamURL != "" {
		out = append(out, Link{Type: "media", URL: l.StreamURL, Title: "Live stream"})
	}
	for _, in := range sl.Interpretation {
		out = append(out, Link{Type: "media", URL: in.URL, Title: "Interpretation: " + in.Language})
	}
	return out
}
