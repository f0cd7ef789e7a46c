package mail

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/language"

	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/export"
)

// Kind says which message a Notice is.
type Kind string

const (
	KindInvitation         Kind = "invitation"
	KindReminderUnanswered Kind = "reminder_unanswered"
	KindReminderUpcoming   Kind = "reminder_upcoming"
)

// NoticeSlot is one of the speaker's slots as the message shows it.
type NoticeSlot struct {
	// ID is the slot's stable id; it makes the calendar UID, so a later notice updates the
	// same calendar entry. When empty, the slot's position in the notice is used.
	ID         string
	Title      string
	Stage      string
	Start, End time.Time
	Role       agenda.Role
}

// Notice is everything a message to one speaker says.
type Notice struct {
	Kind        Kind
	To          string
	SpeakerName string
	// Languages are the speaker's BCP 47 languages, in preference order.
	Languages []string
	// SpeakerTimezone is IANA; "" (or an unknown zone) shows only the event's timezone.
	SpeakerTimezone string
	EventTitle      string
	EventTimezone   string
	// EventURL is the public page of the act.
	EventURL string
	// Link is the speaker's personal page. It is a secret: it goes into the message text
	// only, never into a log, an error or the calendar attachment (calendars get shared).
	Link  string
	Slots []NoticeSlot
	// UID prefixes the calendar UIDs, e.g. the event id.
	UID string
	// Now is when the notice is rendered ("starts in …", DTSTAMP); zero means time.Now().
	Now time.Time
}

// Rendered is a message ready to send.
type Rendered struct {
	Subject  string
	Text     string
	Language string // the BCP 47 tag of the language used, e.g. "uk"
	ICS      []byte // nil when the notice has no slots
}

// Render builds the message in the best language we have for the speaker, with every slot
// time in the speaker's timezone and the event's, and a calendar with one VEVENT per slot.
func Render(n Notice) (Rendered, error) {
	switch n.Kind {
	case KindInvitation, KindReminderUnanswered, KindReminderUpcoming:
	default:
		return Rendered{}, fmt.Errorf("mail: unknown notice kind %q", n.Kind)
	}
	if n.Link == "" {
		return Rendered{}, errors.New("mail: notice has no personal link")
	}
	eventLoc, err := time.LoadLocation(n.EventTimezone)
	if n.EventTimezone == "" || err != nil {
		return Rendered{}, fmt.Errorf("mail: event timezone %q is not an IANA timezone", n.EventTimezone)
	}
	// The speaker's zone is optional data: a bad one should not cost them their invitation.
	var speakerLoc *time.Location
	if n.SpeakerTimezone != "" && n.SpeakerTimezone != n.EventTimezone {
		if loc, err := time.LoadLocation(n.SpeakerTimezone); err == nil {
			speakerLoc = loc
		}
	}
	slots := slices.Clone(n.Slots)
	slices.SortStableFunc(slots, func(a, b NoticeSlot) int { return a.Start.Compare(b.Start) })
	for i, s := range slots {
		if s.Start.IsZero() || !s.End.After(s.Start) {
			return Rendered{}, fmt.Errorf("mail: slot %d has no valid start and end", i)
		}
	}
	if n.Kind == KindReminderUpcoming && len(slots) == 0 {
		return Rendered{}, errors.New("mail: an upcoming-slot reminder needs a slot")
	}
	now := n.Now
	if now.IsZero() {
		now = time.Now()
	}

	lang := Language(n.Languages)
	t := translations[lang]
	event := oneLine(n.EventTitle)

	var subject string
	var b strings.Builder
	line := func(s string) { b.WriteString(s); b.WriteByte('\n') }

	if name := oneLine(n.SpeakerName); name != "" {
		line(fmt.Sprintf(t.greeting, name))
	} else {
		line(t.greetingNoName)
	}
	line("")
	switch n.Kind {
	case KindInvitation:
		subject = fmt.Sprintf(t.invitationSubject, event)
		line(fmt.Sprintf(t.invitationIntro, event))
		line(t.answerPrompt)
	case KindReminderUnanswered:
		subject = fmt.Sprintf(t.unansweredSubject, event)
		line(fmt.Sprintf(t.unansweredIntro, event))
		line(t.answerPrompt)
	case KindReminderUpcoming:
		in := t.duration(slots[0].Start.Sub(now))
		subject = fmt.Sprintf(t.upcomingSubject, event, in)
		line(fmt.Sprintf(t.upcomingIntro, event, in))
		line("")
		line(t.pagePrompt)
	}
	line(n.Link)
	line(t.privateLink)

	if len(slots) > 0 {
		line("")
		line(t.slotsHeading[min(len(slots)-1, 1)])
		for _, s := range slots {
			line("")
			head := oneLine(s.Title)
			if stage := oneLine(s.Stage); stage != "" {
				if head != "" {
					head += " — "
				}
				head += stage
			}
			details := t.duration(s.End.Sub(s.Start))
			if role, ok := t.roles[s.Role]; ok {
				details = role + t.sep() + details
			}
			line("• " + strings.TrimSpace(head+" ("+details+")"))
			if speakerLoc != nil {
				line("  " + t.yourTime + " (" + speakerLoc.String() + "): " + t.dateTime(s.Start.In(speakerLoc)))
			}
			line("  " + t.eventTime + " (" + eventLoc.String() + "): " + t.dateTime(s.Start.In(eventLoc)))
		}
	}
	if u := oneLine(n.EventURL); u != "" {
		line("")
		line(t.eventPage + " " + u)
	}
	if event != "" {
		line("")
		line("— " + event)
	}

	r := Rendered{Subject: subject, Text: b.String(), Language: lang}
	if len(slots) > 0 {
		r.ICS = calendar(n, slots, t, now)
	}
	return r, nil
}

// Language picks the supported language that best serves a speaker who reads langs, in
// order of preference; English when nothing fits.
func Language(langs []string) string {
	var want []language.Tag
	for _, l := range langs {
		if tag, err := language.Parse(l); err == nil {
			want = append(want, tag)
		}
	}
	_, i, conf := matcher.Match(want...)
	if conf == language.No {
		return "en"
	}
	base, _ := supported[i].Base()
	return base.String()
}

// calendar is the .ics attachment. It carries the public event page, not the personal link.
func calendar(n Notice, slots []NoticeSlot, t *texts, now time.Time) []byte {
	events := make([]export.CalendarEvent, 0, len(slots))
	for i, s := range slots {
		id := s.ID
		if id == "" {
			id = "slot" + strconv.Itoa(i)
		}
		summary := oneLine(s.Title)
		if summary == "" {
			summary = oneLine(n.EventTitle)
		} else if ev := oneLine(n.EventTitle); ev != "" {
			summary = ev + ": " + summary
		}
		var desc []string
		if s.Stage != "" {
			desc = append(desc, t.stage+": "+oneLine(s.Stage))
		}
		if role, ok := t.roles[s.Role]; ok {
			desc = append(desc, t.role+": "+role)
		}
		if n.EventURL != "" {
			desc = append(desc, oneLine(n.EventURL))
		}
		events = append(events, export.CalendarEvent{
			UID:          n.UID + "-" + id,
			Start:        s.Start,
			End:          s.End,
			Summary:      summary,
			Description:  strings.Join(desc, "\n"),
			URL:          n.EventURL,
			Location:     s.Stage,
			LastModified: now,
		})
	}
	return export.Calendar(n.EventTitle, events)
}

// dateTime formats an instant in its location: "Sat 5 Dec 2026, 19:00 CET (UTC+01:00)".
// A zone whose only abbreviation is numeric ("+08") shows the offset alone.
func (t *texts) dateTime(at time.Time) string {
	s := fmt.Sprintf(t.dateTimeLayout, t.weekdays[at.Weekday()], at.Day(), t.months[at.Month()-1], at.Year(), at.Format("15:04"))
	if abbr := at.Format("MST"); abbr != "" && abbr[0] != '+' && abbr[0] != '-' {
		s += " " + abbr
	}
	return s + " (UTC" + at.Format("-07:00") + ")"
}

func (t *texts) sep() string {
	if t.comma == "" {
		return ", "
	}
	return t.comma
}

// duration is compact, "1 h 30 min", so no language needs plural forms. It rounds to the
// minute and never says less than one minute.
func (t *texts) duration(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	m = max(m, 1)
	days, hours, mins := m/(24*60), m/60%24, m%60
	var parts []string
	if days > 0 {
		parts = append(parts, strconv.Itoa(days)+" "+t.days)
	}
	if hours > 0 {
		parts = append(parts, strconv.Itoa(hours)+" "+t.hours)
	}
	if mins > 0 && days == 0 {
		parts = append(parts, strconv.Itoa(mins)+" "+t.minutes)
	}
	return strings.Join(parts, " ")
}

// oneLine keeps user-supplied text on one line: a subject or a bullet must not be split
// (or have headers injected) by a newline in a title or a name.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}
