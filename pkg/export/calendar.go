package export

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"time"
)

// CalendarEvents turns the schedule's slots into VEVENTs. The UID is the slot's id at
// the instance's host, so it never changes; SEQUENCE and LAST-MODIFIED are left for
// Restamp, which needs what earlier exports said.
func CalendarEvents(s *Schedule, l Links) []CalendarEvent {
	host := "tribune"
	if u, err := url.Parse(l.Origin); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	out := make([]CalendarEvent, 0, len(s.Slots))
	for _, sl := range s.Slots {
		summary := sl.Title
		if names := sl.SpeakerNames(); len(names) > 0 {
			summary += " — " + strings.Join(names, ", ")
		}
		var desc []string
		for _, part := range []string{sl.Description, personsText(sl)} {
			if strings.TrimSpace(part) != "" {
				desc = append(desc, part)
			}
		}
		if l.StreamURL != "" {
			desc = append(desc, "Live stream: "+l.StreamURL)
		}
		out = append(out, CalendarEvent{
			UID: sl.ID + "@" + host, Start: sl.Start, End: sl.End, Summary: summary,
			Description: strings.Join(desc, "\n\n"), URL: SlotURL(l.Origin, s.Event.Slug, sl.ID),
			Location: sl.Stage.Name + " · " + s.Event.Title,
		})
	}
	return out
}

// Stamp is what an export remembers of one VEVENT: a fingerprint of what it said,
// and the SEQUENCE and LAST-MODIFIED it said it with.
type Stamp struct {
	Fingerprint string
	Sequence    int64
	Modified    time.Time
}

// Fingerprint digests everything a calendar client shows of an event.
func Fingerprint(e CalendarEvent) string {
	h := sha256.New()
	for _, part := range []string{
		e.UID, e.Start.UTC().Format(time.RFC3339), e.End.UTC().Format(time.RFC3339),
		e.Summary, e.Description, e.URL, e.Location,
	} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Restamp gives each event its SEQUENCE and LAST-MODIFIED. An event that reads as
// the stamp known for its UID says keeps that stamp; any other (changed, or never
// exported) gets the event's current version as SEQUENCE and that version's time.
// Versions only rise, so a SEQUENCE never goes down, whatever changed the event:
// its own fields, a speaker's name, or the live projection moving its times.
// Restamp returns the stamps to remember.
func Restamp(events []CalendarEvent, known map[string]Stamp, version int64, at time.Time) map[string]Stamp {
	changed := map[string]Stamp{}
	for i := range events {
		e := &events[i]
		fp := Fingerprint(*e)
		st, ok := known[e.UID]
		if !ok || st.Fingerprint != fp {
			st = Stamp{Fingerprint: fp, Sequence: version, Modified: at.UTC().Truncate(time.Second)}
			changed[e.UID] = st
		}
		e.Sequence, e.LastModified = int(st.Sequence), st.Modified
	}
	return changed
}
