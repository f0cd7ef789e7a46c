package export

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
)

// lines splits a calendar on CRLF and fails on a bare LF or CR.
func lines(t *testing.T, b []byte) []string {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Fatalf("calendar does not end with CRLF")
	}
	ls := strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n")
	for i, l := range ls {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, l)
		}
	}
	return ls
}

// unfold joins continuation lines as RFC 5545 §3.1 says.
func unfold(ls []string) []string {
	var out []string
	for _, l := range ls {
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			out[len(out)-1] += l[1:]
			continue
		}
		out = append(out, l)
	}
	return out
}

func property(t *testing.T, ls []string, name string) string {
	t.Helper()
	for _, l := range unfold(ls) {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return v
		}
	}
	t.Fatalf("no %s line in:\n%s", name, strings.Join(ls, "\n"))
	return ""
}

func parse(t *testing.T, b []byte) *ics.Calendar {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("library cannot parse our calendar: %v\n%s", err, b)
	}
	return cal
}

func TestCalendarFoldsMultiByteTextOnRuneBoundaries(t *testing.T) {
	summaries := map[string]string{
		"cyrillic": strings.Repeat("Нет войне! Свободу политзаключённым ", 6),
		"arabic":   strings.Repeat("لا للحرب، نعم للسلام والعدالة ", 8),
		// No spaces: the folder cannot fall back to a word boundary.
		"unbroken": strings.Repeat("ЖЖЖЖЖЖЖЖЖЖ", 20) + strings.Repeat("😀", 30),
	}
	for name, summary := range summaries {
		t.Run(name, func(t *testing.T) {
			b := Calendar("Акция", []CalendarEvent{{
				UID: "ev-1", Summary: summary,
				Start: time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 5, 18, 10, 0, 0, time.UTC),
			}})
			ls := lines(t, b)
			folded := 0
			for i, l := range ls {
				if len(l) > 75 {
					t.Errorf("line %d is %d octets: %q", i+1, len(l), l)
				}
				if !utf8.ValidString(l) {
					t.Errorf("line %d splits a UTF-8 sequence: %q", i+1, l)
				}
				if strings.HasPrefix(l, " ") {
					folded++
				}
			}
			if folded == 0 {
				t.Fatalf("a %d-octet summary was not folded", len(summary))
			}
			if got := ics.FromText(property(t, ls, "SUMMARY")); got != strings.TrimSpace(summary) {
				t.Errorf("unfolded SUMMARY = %q, want %q", got, strings.TrimSpace(summary))
			}
			ev := parse(t, b).Events()[0]
			if got := ev.GetProperty(ics.ComponentPropertySummary).Value; got != strings.TrimSpace(summary) {
				t.Errorf("parsed SUMMARY = %q, want %q", got, strings.TrimSpace(summary))
			}
		})
	}
}

func TestCalendarEscapesText(t *testing.T) {
	desc := "Stage: Main; role: speaker, moderator\nC:\\path\r\nlast line\rreally\x00"
	b := Calendar("Rally, 2026; Berlin", []CalendarEvent{{
		UID: "ev-1-slot-2", Summary: "Peace, bread; land \\ now\nplease", Description: desc, Location: "Main, stage",
		URL:   "https://act.example.org/e/rally?lang=en;x=1",
		Start: time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 5, 18, 10, 0, 0, time.UTC),
	}})
	ls := lines(t, b)
	for name, want := range map[string]string{
		"SUMMARY":      `Peace\, bread\; land \\ now please`,
		"DESCRIPTION":  `Stage: Main\; role: speaker\, moderator\nC:\\path\nlast line\nreally`,
		"LOCATION":     `Main\, stage`,
		"URL":          "https://act.example.org/e/rally?lang=en;x=1", // a URI, not TEXT: not escaped
		"X-WR-CALNAME": `Rally\, 2026\; Berlin`,
	} {
		if got := property(t, ls, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	ev := parse(t, b).Events()[0]
	if got, want := ev.GetProperty(ics.ComponentPropertyDescription).Value, "Stage: Main; role: speaker, moderator\nC:\\path\nlast line\nreally"; got != want {
		t.Errorf("parsed DESCRIPTION = %q, want %q", got, want)
	}
}

func TestCalendarStructureAndUTCTimes(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	modified := time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC)
	events := []CalendarEvent{
		{UID: "ev-1-a", Summary: "Opening", Start: time.Date(2026, 3, 28, 19, 0, 0, 0, berlin), End: time.Date(2026, 3, 28, 19, 10, 0, 0, berlin), LastModified: modified, Sequence: 3},
		{UID: "ev-1-b", Summary: "After the clocks change", Start: time.Date(2026, 3, 29, 19, 0, 0, 0, berlin), End: time.Date(2026, 3, 29, 19, 30, 0, 0, berlin), LastModified: modified},
	}
	b := Calendar("Rally", events)
	ls := lines(t, b)
	if ls[0] != "BEGIN:VCALENDAR" || ls[len(ls)-1] != "END:VCALENDAR" {
		t.Fatalf("not a VCALENDAR:\n%s", b)
	}
	for _, want := range []string{"VERSION:2.0", "PRODID:-//Tribune//Tribune//EN", "METHOD:PUBLISH", "CALSCALE:GREGORIAN"} {
		if !strings.Contains(string(b), "\r\n"+want+"\r\n") {
			t.Errorf("missing %q", want)
		}
	}
	if n := strings.Count(string(b), "BEGIN:VEVENT\r\n"); n != 2 {
		t.Errorf("%d VEVENTs, want 2", n)
	}
	// 19:00 CET is 18:00Z; 19:00 CEST the next day is 17:00Z.
	for _, want := range []string{
		"DTSTART:20260328T180000Z", "DTEND:20260328T181000Z",
		"DTSTART:20260329T170000Z", "DTEND:20260329T173000Z",
		"DTSTAMP:20261130T091500Z", "LAST-MODIFIED:20261130T091500Z", "SEQUENCE:3",
	} {
		if !strings.Contains(string(b), "\r\n"+want+"\r\n") {
			t.Errorf("missing %q in\n%s", want, b)
		}
	}
	if again := Calendar("Rally", events); !bytes.Equal(again, b) {
		t.Errorf("same input, different output: an export with LastModified must be stable")
	}

	cal := parse(t, b)
	if got := len(cal.Events()); got != 2 {
		t.Fatalf("parsed %d events, want 2", got)
	}
	for i, ev := range cal.Events() {
		if ev.Id() != events[i].UID {
			t.Errorf("event %d UID = %q, want %q", i, ev.Id(), events[i].UID)
		}
		start, err := ev.GetStartAt()
		if err != nil || !start.Equal(events[i].Start) {
			t.Errorf("event %d start = %v (%v), want %v", i, start, err, events[i].Start)
		}
		end, err := ev.GetEndAt()
		if err != nil || !end.Equal(events[i].End) {
			t.Errorf("event %d end = %v (%v), want %v", i, end, err, events[i].End)
		}
	}
}

func TestCalendarWithoutOptionalFields(t *testing.T) {
	b := Calendar("", []CalendarEvent{{UID: "x", Start: time.Unix(0, 0), End: time.Unix(60, 0)}})
	for _, absent := range []string{"DESCRIPTION", "LOCATION", "URL", "LAST-MODIFIED", "SEQUENCE", "X-WR-CALNAME", "SUMMARY"} {
		if strings.Contains(string(b), "\r\n"+absent+":") {
			t.Errorf("empty %s was written:\n%s", absent, b)
		}
	}
	if !strings.Contains(string(b), "\r\nDTSTAMP:") {
		t.Errorf("DTSTAMP is required by RFC 5545:\n%s", b)
	}
	parse(t, b)
}
