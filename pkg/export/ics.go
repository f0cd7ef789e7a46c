// Package export renders the agenda in formats other software reads: iCalendar, and the
// c3voc schedule XML and JSON that conference apps consume.
package export

import (
	"strings"
	"time"
	"unicode"

	ics "github.com/arran4/golang-ical"
)

// ProductID is the PRODID of every calendar Tribune writes.
const ProductID = "-//Tribune//Tribune//EN"

// CalendarEvent is one VEVENT. Zero LastModified and empty strings are left out.
type CalendarEvent struct {
	UID          string
	Start, End   time.Time
	Summary      string
	Description  string
	URL          string
	Location     string
	LastModified time.Time
	Sequence     int
}

// Calendar renders events as an RFC 5545 VCALENDAR: CRLF line ends, lines folded at 75
// octets without splitting a UTF-8 sequence, TEXT values escaped, times in UTC.
// DTSTAMP is the event's LastModified, or now when that is zero, so an export that passes
// LastModified is byte-for-byte stable.
func Calendar(name string, events []CalendarEvent) []byte {
	cal := ics.NewCalendarFor("Tribune")
	cal.SetProductId(ProductID)
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.MethodPublish)
	if name = singleLine(name); name != "" {
		cal.SetName(name) // NAME (RFC 7986) and X-WR-CALNAME, which older clients read
	}
	now := time.Now()
	for _, e := range events {
		ev := cal.AddEvent(singleLine(e.UID))
		stamp := e.LastModified
		if stamp.IsZero() {
			stamp = now
		}
		ev.SetDtStampTime(stamp)
		ev.SetStartAt(e.Start)
		ev.SetEndAt(e.End)
		if e.Sequence > 0 {
			ev.SetSequence(e.Sequence)
		}
		if !e.LastModified.IsZero() {
			ev.SetLastModifiedAt(e.LastModified)
		}
		if s := singleLine(e.Summary); s != "" {
			ev.SetSummary(s)
		}
		if s := text(e.Description); s != "" {
			ev.SetDescription(s)
		}
		if s := singleLine(e.Location); s != "" {
			ev.SetLocation(s)
		}
		if s := singleLine(e.URL); s != "" {
			ev.SetURL(s)
		}
	}
	return []byte(cal.Serialize(ics.WithNewLineWindows))
}

// text normalizes a TEXT value: the library escapes \n but would pass a bare CR or other
// control characters through, which RFC 5545 forbids and which would break the line.
func text(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// singleLine is text for values that must stay on one line (summary, location, URI).
func singleLine(s string) string {
	return strings.Join(strings.Fields(text(s)), " ")
}
