package export

import (
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/tribune-act/tribune/pkg/agenda"
	"golang.org/x/text/unicode/norm"
)

// namespace makes Tribune's name-based UUIDs (RFC 9562 v5) its own: a guid is the same
// for the same slot, stage or speaker id in every export, on every instance, after restarts.
var namespace = uuid.MustParse("578b1429-1a83-4270-927a-48d1bd58738f")

// dayChangeHour is the local hour at which one day of the schedule ends and the next
// begins, as in frab: a show that runs past midnight stays on its day.
const dayChangeHour = 4

// Schedule is what every export is made of: the public agenda at one version, reduced
// to the slots a calendar or a conference app should show, with times and stable ids.
type Schedule struct {
	Version  int64
	Event    agenda.PublicEvent
	Location *time.Location
	// Live is true while a stage runs or is paused: slot times are then projected.
	Live   bool
	Stages []Stage
	// Slots are ordered by start, then by stage.
	Slots []Slot
	// Days are the local days that have slots (the event's first day when none has),
	// each from 04:00 to 04:00 local time.
	Days []Day
}

// Stage is a room of the frab format.
type Stage struct {
	ID   string
	GUID string
	// Name is the stage's name, made unique in the schedule (the c3voc JSON keys rooms by name).
	Name string
}

// Slot is one exported slot, with its public speakers and the times to show: the
// projection while the act is live, planned otherwise.
type Slot struct {
	ID     string
	GUID   string
	Number int // a positive number derived from the id, unique in the event
	Stage  Stage
	Kind   agenda.SlotKind
	Title  string
	// Description is the slot's public description.
	Description    string
	Language       string
	Interpretation []agenda.Interpretation
	Start, End     time.Time
	Speakers       []Person
}

// Person is a confirmed speaker of a slot, with public fields only (hide flags applied).
type Person struct {
	ID           string
	GUID         string
	Number       int
	Name         string
	Role         agenda.Role
	Bio          string
	PhotoURL     string
	Country      string
	Organization string
}

// Day is one local day of the schedule.
type Day struct {
	Index      int
	Date       time.Time // local midnight of the day
	Start, End time.Time
	Slots      []*Slot
}

// Duration is the slot's length as shown.
func (s Slot) Duration() time.Duration { return s.End.Sub(s.Start) }

// Exported reports whether a slot appears in the exports: not skipped (left out of
// the projection), and with at least one confirmed speaker or with no speaker at all.
// A slot whose every speaker is still invited (or declined) is not announced yet.
func Exported(s agenda.Slot, p *agenda.SlotProjection) bool {
	if p != nil && p.Status == agenda.SlotSkipped {
		return false
	}
	if len(s.Speakers) == 0 {
		return true
	}
	for _, sp := range s.Speakers {
		if sp.Status == agenda.Confirmed {
			return true
		}
	}
	return false
}

// NewSchedule builds the schedule from the agenda's public view: every name, title
// and photo in it comes from there, so hide flags and unconfirmed speakers are
// handled in one place. The private agenda is read only to decide which slots show.
func NewSchedule(a *agenda.Agenda) (*Schedule, error) {
	view := a.PublicView()
	event, ok1 := view.Event.(agenda.PublicEvent)
	stages, ok2 := view.Stages.([]agenda.PublicStage)
	slots, ok3 := view.Slots.([]agenda.PublicSlot)
	speakers, ok4 := view.Speakers.([]agenda.PublicSpeaker)
	orgs, ok5 := view.Organizations.([]agenda.PublicOrganization)
	live, ok6 := view.Live.(agenda.LiveView)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return nil, fmt.Errorf("export: the public view has an unexpected shape")
	}
	loc, err := agenda.LoadLocation(event.Timezone)
	if err != nil {
		loc = time.UTC
	}
	s := &Schedule{Version: view.Version, Event: event, Location: loc}
	for _, st := range live.Stages {
		if st.State == agenda.LiveRunning || st.State == agenda.LivePaused {
			s.Live = true
		}
	}

	seen := map[string]int{}
	stageByID := map[string]Stage{}
	for _, st := range stages {
		name := strings.TrimSpace(st.Name)
		if seen[name]++; seen[name] > 1 {
			name = fmt.Sprintf("%s (%d)", name, seen[name])
		}
		stage := Stage{ID: st.ID, GUID: GUID("stage", st.ID), Name: name}
		s.Stages = append(s.Stages, stage)
		stageByID[st.ID] = stage
	}

	orgName := map[string]string{}
	for _, o := range orgs {
		orgName[o.ID] = o.Name
	}
	speakerNumbers := numbers(idsOf(a.Speakers, func(sp agenda.Speaker) string { return sp.ID }))
	people := map[string]Person{}
	for _, sp := range speakers {
		people[sp.ID] = Person{
			ID: sp.ID, GUID: GUID("speaker", sp.ID), Number: speakerNumbers[sp.ID], Name: sp.Name,
			Bio: sp.Bio, PhotoURL: sp.PhotoURL, Country: sp.Country, Organization: orgName[sp.OrganizationID],
		}
	}

	projection := map[string]*agenda.SlotProjection{}
	for i := range live.Slots {
		projection[live.Slots[i].SlotID] = &live.Slots[i]
	}
	private := map[string]agenda.Slot{}
	for _, sl := range a.Slots {
		private[sl.ID] = sl
	}
	// Numbers are assigned over every slot, shown or not, so that a slot
	// appearing or disappearing never renumbers another.
	slotNumbers := numbers(idsOf(a.Slots, func(sl agenda.Slot) string { return sl.ID }))
	stagePos := map[string]int{}
	for i, st := range stages {
		stagePos[st.ID] = i
	}
	for _, ps := range slots {
		p := projection[ps.ID]
		if !Exported(private[ps.ID], p) {
			continue
		}
		sl := Slot{
			ID: ps.ID, GUID: GUID("slot", ps.ID), Number: slotNumbers[ps.ID], Stage: stageByID[ps.StageID],
			Kind: ps.Kind, Title: ps.Title, Description: ps.Description, Language: ps.Language,
			Interpretation: ps.Interpretation, Start: ps.PlannedStart, End: ps.PlannedEnd,
		}
		if p != nil {
			sl.Start, sl.End = p.ProjectedStart, p.ProjectedEnd
		}
		sl.Start, sl.End = sl.Start.UTC(), sl.End.UTC()
		for _, who := range ps.Speakers {
			person, ok := people[who.SpeakerID]
			if !ok {
				continue
			}
			person.Role = who.Role
			sl.Speakers = append(sl.Speakers, person)
		}
		s.Slots = append(s.Slots, sl)
	}
	sort.SliceStable(s.Slots, func(i, j int) bool {
		a, b := s.Slots[i], s.Slots[j]
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		return stagePos[a.Stage.ID] < stagePos[b.Stage.ID]
	})
	s.Days = s.days()
	return s, nil
}

// days groups the slots by local day, a day running from 04:00 to 04:00.
func (s *Schedule) days() []Day {
	dayOf := func(t time.Time) time.Time {
		l := t.In(s.Location)
		if l.Hour() < dayChangeHour {
			l = l.AddDate(0, 0, -1)
		}
		return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, s.Location)
	}
	var days []Day
	for i := range s.Slots {
		d := dayOf(s.Slots[i].Start)
		if len(days) == 0 || !days[len(days)-1].Date.Equal(d) {
			days = append(days, Day{Date: d})
		}
		days[len(days)-1].Slots = append(days[len(days)-1].Slots, &s.Slots[i])
	}
	if len(days) == 0 {
		days = append(days, Day{Date: dayOf(s.Event.StartsAt)})
	}
	for i := range days {
		d := &days[i]
		d.Index = i + 1
		y, m, day := d.Date.Date()
		d.Start = time.Date(y, m, day, dayChangeHour, 0, 0, 0, s.Location)
		d.End = time.Date(y, m, day+1, dayChangeHour, 0, 0, 0, s.Location)
	}
	return days
}

// GUID is the stable UUID of an object of a kind ("slot", "stage", "speaker") with an id.
func GUID(kind, id string) string {
	return uuid.NewSHA1(namespace, []byte(kind+":"+id)).String()
}

func idsOf[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

// numbers gives each id a number from 100000 to 2^31-1 derived from its hash, the
// same in every export; the rare collision goes to the next free number, in id order.
func numbers(ids []string) map[string]int {
	const lo, span = 100000, 1<<31 - 1 - 100000
	ids = slices.Clone(ids)
	slices.Sort(ids)
	out := make(map[string]int, len(ids))
	taken := make(map[int]bool, len(ids))
	for _, id := range ids {
		h := fnv.New32a()
		h.Write([]byte(id))
		n := lo + int(h.Sum32()%span)
		for taken[n] {
			n = lo + (n-lo+1)%span
		}
		taken[n] = true
		out[id] = n
	}
	return out
}

// Acronym is the event's slug as the c3voc formats want it: a–z, 0–9 and _, at least
// four characters.
func (s *Schedule) Acronym() string {
	a := strings.ReplaceAll(s.Event.Slug, "-", "_")
	for len(a) < 4 {
		a += "_"
	}
	return a
}

// Slug is a slot's frab slug: the acronym, the slot's number and its title in ASCII.
func (s *Schedule) Slug(sl Slot) string {
	slug := fmt.Sprintf("%s-%d", s.Acronym(), sl.Number)
	if t := asciiSlug(sl.Title, 48); t != "" {
		slug += "-" + t
	}
	return slug
}

// asciiSlug keeps the letters and digits of s that have an ASCII form (accents
// dropped), lower-cased, joined by single hyphens, at most max bytes.
func asciiSlug(s string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(strings.ToLower(s)) {
		if b.Len() >= max {
			break
		}
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
			// a combining accent of the letter before
		default:
			dash = true
		}
	}
	return strings.Trim(b.String()[:min(b.Len(), max)], "-")
}

// SpeakerNames lists the slot's speakers' public names.
func (sl Slot) SpeakerNames() []string {
	names := make([]string, len(sl.Speakers))
	for i, p := range sl.Speakers {
		names[i] = p.Name
	}
	return names
}

// SlotURL is the address of a slot on the event's public page.
func SlotURL(origin, eventSlug, slotID string) string {
	return strings.TrimRight(origin, "/") + "/e/" + eventSlug + "#slot-" + slotID
}

// EventURL is the event's public page.
func EventURL(origin, eventSlug string) string {
	return strings.TrimRight(origin, "/") + "/e/" + eventSlug
}
