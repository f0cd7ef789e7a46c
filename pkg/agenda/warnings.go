package agenda

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// WarningKind names a problem in the running order that an organizer should look at.
// Warnings never block an edit: a gap, a late pin or a night slot can be intended.
type WarningKind string

const (
	WarnOverlap              WarningKind = "overlap"
	WarnDoubleBooking        WarningKind = "double_booking"
	WarnOutsideWakingHours   WarningKind = "outside_waking_hours"
	WarnPastEventEnd         WarningKind = "past_event_end"
	WarnUnconfirmedNearStart WarningKind = "unconfirmed_near_start"
	WarnDeclined             WarningKind = "declined"
)

// warningOrder is the order of kinds among warnings on the same slot.
var warningOrder = []WarningKind{WarnOverlap, WarnDoubleBooking, WarnOutsideWakingHours, WarnPastEventEnd, WarnUnconfirmedNearStart, WarnDeclined}

// UnconfirmedNotice is how long before the event start a speaker who has not
// answered their invitation becomes a warning.
const UnconfirmedNotice = 48 * time.Hour

// Warning is one problem, in plain English, with the ids it is about.
type Warning struct {
	Kind        WarningKind `json:"kind"`
	Message     string      `json:"message"`
	SlotID      string      `json:"slot_id,omitempty"`
	OtherSlotID string      `json:"other_slot_id,omitempty"`
	SpeakerID   string      `json:"speaker_id,omitempty"`
	StageID     string      `json:"stage_id,omitempty"`
}

// Warnings lists what an organizer should look at in the agenda as of now. The
// agenda must be normalized (slots ordered, planned times computed). Speakers who
// declined are left out of every rule, and assignments of speakers that no longer
// exist are skipped. The result is never nil and is sorted by the slot's planned
// start, then kind, then speaker.
func (a *Agenda) Warnings(now time.Time) []Warning {
	w := warner{
		a:        a,
		eventLoc: time.UTC,
		speakers: make(map[string]*Speaker, len(a.Speakers)),
		stages:   make(map[string]string, len(a.Stages)),
		locs:     map[string]*time.Location{},
		out:      []Warning{},
	}
	if loc, err := LoadLocation(a.Event.Timezone); err == nil {
		w.eventLoc = loc
	}
	for i := range a.Speakers {
		w.speakers[a.Speakers[i].ID] = &a.Speakers[i]
	}
	for _, st := range a.Stages {
		w.stages[st.ID] = st.Name
	}
	w.overlaps()
	w.doubleBookings()
	w.wakingHours()
	w.pastEventEnd()
	w.unconfirmed(now)
	w.declined()

	starts := make(map[string]time.Time, len(a.Slots))
	for _, s := range a.Slots {
		starts[s.ID] = s.PlannedStart
	}
	slices.SortStableFunc(w.out, func(x, y Warning) int {
		return cmp.Or(
			starts[x.SlotID].Compare(starts[y.SlotID]),
			cmp.Compare(slices.Index(warningOrder, x.Kind), slices.Index(warningOrder, y.Kind)),
			cmp.Compare(x.SpeakerID, y.SpeakerID),
			cmp.Compare(x.SlotID, y.SlotID),
			cmp.Compare(x.OtherSlotID, y.OtherSlotID),
			cmp.Compare(x.Message, y.Message),
		)
	})
	return w.out
}

// warner collects the warnings of one agenda.
type warner struct {
	a        *Agenda
	eventLoc *time.Location
	speakers map[string]*Speaker
	stages   map[string]string
	locs     map[string]*time.Location // speaker timezones; nil for an invalid one
	out      []Warning
}

func (w *warner) add(x Warning) { w.out = append(w.out, x) }

// overlaps flags a pinned slot that starts before the slot before it ends.
func (w *warner) overlaps() {
	prev := map[string]*Slot{}
	for i := range w.a.Slots {
		s := &w.a.Slots[i]
		p := prev[s.StageID]
		prev[s.StageID] = s
		if p == nil || s.PinnedStart == nil || !p.PlannedEnd.After(s.PlannedStart) {
			continue
		}
		w.add(Warning{
			Kind: WarnOverlap,
			Message: fmt.Sprintf("%s is pinned at %s (%s) but %s before it runs until %s: they overlap by %s",
				warnSlotLabel(s), warnClock(s.PlannedStart, w.eventLoc), w.eventLoc, warnSlotLabel(p),
				warnClock(p.PlannedEnd, w.eventLoc), warnSpan(p.PlannedEnd.Sub(s.PlannedStart))),
			SlotID:      s.ID,
			OtherSlotID: p.ID,
			StageID:     s.StageID,
		})
	}
}

// doubleBookings flags every pair of slots, on any stage, in which one speaker
// is due at the same time. Intervals are half-open: back to back is fine.
func (w *warner) doubleBookings() {
	bySpeaker := map[string][]*Slot{}
	var order []string
	for i := range w.a.Slots {
		s := &w.a.Slots[i]
		for _, id := range countedSpeakers(s) {
			if w.speakers[id] == nil {
				continue
			}
			if _, ok := bySpeaker[id]; !ok {
				order = append(order, id)
			}
			bySpeaker[id] = append(bySpeaker[id], s)
		}
	}
	for _, id := range order {
		slots := bySpeaker[id]
		for i := range slots {
			for j := i + 1; j < len(slots); j++ {
				x, y := slots[i], slots[j]
				if !(x.PlannedStart.Before(y.PlannedEnd) && y.PlannedStart.Before(x.PlannedEnd)) ||
					!x.PlannedStart.Before(x.PlannedEnd) || !y.PlannedStart.Before(y.PlannedEnd) {
					continue
				}
				if c := x.PlannedStart.Compare(y.PlannedStart); c > 0 || c == 0 && x.ID > y.ID {
					x, y = y, x
				}
				where := ""
				if x.StageID != y.StageID {
					where = fmt.Sprintf(" on %s and %s", w.stages[x.StageID], w.stages[y.StageID])
				}
				w.add(Warning{
					Kind: WarnDoubleBooking,
					Message: fmt.Sprintf("%s is booked in %s (%s–%s) and %s (%s–%s)%s at the same time (%s)",
						w.speakers[id].Name,
						warnSlotLabel(x), warnClock(x.PlannedStart, w.eventLoc), warnClock(x.PlannedEnd, w.eventLoc),
						warnSlotLabel(y), warnClock(y.PlannedStart, w.eventLoc), warnClock(y.PlannedEnd, w.eventLoc),
						where, w.eventLoc),
					SlotID:      x.ID,
					OtherSlotID: y.ID,
					SpeakerID:   id,
				})
			}
		}
	}
}

// wakingHours flags a slot that a speaker would have to give outside the event's
// waking hours in their own timezone.
func (w *warner) wakingHours() {
	win := resolveWakingHours(w.a.Event.WakingHours)
	for i := range w.a.Slots {
		s := &w.a.Slots[i]
		for _, id := range countedSpeakers(s) {
			sp := w.speakers[id]
			if sp == nil {
				continue
			}
			loc := w.location(sp.Timezone)
			if loc == nil {
				continue
			}
			start, end := s.PlannedStart.In(loc), s.PlannedEnd.In(loc)
			startOK, inside := win.contains(start, end)
			if inside {
				continue
			}
			what := fmt.Sprintf("starts at %s", warnClock(start, loc))
			if startOK {
				what = fmt.Sprintf("ends at %s%s", warnClock(end, loc), warnDayNote(civilDays(start, end)))
			}
			w.add(Warning{
				Kind: WarnOutsideWakingHours,
				Message: fmt.Sprintf("%s %s (%s) for %s, outside %s–%s",
					warnSlotLabel(s), what, loc, sp.Name, win.from, win.to),
				SlotID:    s.ID,
				SpeakerID: id,
				StageID:   s.StageID,
			})
		}
	}
}

// pastEventEnd flags a slot planned to end after the event's announced end.
func (w *warner) pastEventEnd() {
	ends := w.a.Event.EndsAt
	if ends == nil {
		return
	}
	for i := range w.a.Slots {
		s := &w.a.Slots[i]
		if !s.PlannedEnd.After(*ends) {
			continue
		}
		w.add(Warning{
			Kind: WarnPastEventEnd,
			Message: fmt.Sprintf("%s ends at %s (%s), %s after the event ends at %s",
				warnSlotLabel(s), warnClock(s.PlannedEnd, w.eventLoc), w.eventLoc,
				warnSpan(s.PlannedEnd.Sub(*ends)), warnClock(*ends, w.eventLoc)),
			SlotID:  s.ID,
			StageID: s.StageID,
		})
	}
}

// unconfirmed flags a speaker who has not answered their invitation, from
// UnconfirmedNotice before the event start until their slot starts.
func (w *warner) unconfirmed(now time.Time) {
	if now.Before(w.a.Event.StartsAt.Add(-UnconfirmedNotice)) {
		return
	}
	for i := range w.a.Slots {
		s := &w.a.Slots[i]
		if !now.Before(s.PlannedStart) {
			continue
		}
		seen := map[string]bool{}
		for _, ss := range s.Speakers {
			sp := w.speakers[ss.SpeakerID]
			if ss.Status != Invited || sp == nil || seen[ss.SpeakerID] {
				continue
			}
			seen[ss.SpeakerID] = true
			w.add(Warning{
				Kind: WarnUnconfirmedNearStart,
				Message: fmt.Sprintf("%s has not confirmed %s, which starts at %s (%s), in %s",
					sp.Name, warnSlotLabel(s), warnClock(s.PlannedStart, w.eventLoc), w.eventLoc,
					warnSpan(s.PlannedStart.Sub(now))),
				SlotID:    s.ID,
				SpeakerID: ss.SpeakerID,
				StageID:   s.StageID,
			})
		}
	}
}

// declined flags a speaker who declined a slot that still lists them, so the
// organizers find a replacement or take them off.
func (w *warner) declined() {
	for i := range w.a.Slots {
		s := &w.a.Slots[i]
		for _, ss := range s.Speakers {
			sp := w.speakers[ss.SpeakerID]
			if ss.Status != Declined || sp == nil {
				continue
			}
			msg := fmt.Sprintf("%s declined %s", sp.Name, warnSlotLabel(s))
			if ss.Note != "" {
				msg += ": “" + ss.Note + "”"
			}
			w.add(Warning{Kind: WarnDeclined, Message: msg, SlotID: s.ID, SpeakerID: ss.SpeakerID, StageID: s.StageID})
		}
	}
}

// location loads a speaker's timezone once; nil when it is missing or invalid.
func (w *warner) location(name string) *time.Location {
	loc, ok := w.locs[name]
	if !ok {
		loc, _ = LoadLocation(name)
		w.locs[name] = loc
	}
	return loc
}

// countedSpeakers are the ids of a slot's speakers who have not declined, each once.
func countedSpeakers(s *Slot) []string {
	var ids []string
	for _, ss := range s.Speakers {
		if ss.Status != Declined && !slices.Contains(ids, ss.SpeakerID) {
			ids = append(ids, ss.SpeakerID)
		}
	}
	return ids
}

// wakingWindow is a local time-of-day window as offsets from midnight. When from
// is after to, the window wraps past midnight (22:00–06:00 is a night owl's
// window); when they are equal it is the whole day.
type wakingWindow struct {
	from, to       string
	fromOff, toOff time.Duration
}

// resolveWakingHours takes each bound from the event, or from DefaultWakingHours
// when the event's is empty or not a valid HH:MM.
func resolveWakingHours(h WakingHours) wakingWindow {
	var win wakingWindow
	var ok bool
	if win.fromOff, ok = parseWakingClock(h.From); ok {
		win.from = h.From
	} else {
		win.from = DefaultWakingHours.From
		win.fromOff, _ = parseWakingClock(win.from)
	}
	if win.toOff, ok = parseWakingClock(h.To); ok {
		win.to = h.To
	} else {
		win.to = DefaultWakingHours.To
		win.toOff, _ = parseWakingClock(win.to)
	}
	return win
}

// parseWakingClock parses "HH:MM" from 00:00 to 24:00.
func parseWakingClock(v string) (time.Duration, bool) {
	if len(v) != 5 || v[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	h := int(v[0]-'0')*10 + int(v[1]-'0')
	m := int(v[3]-'0')*10 + int(v[4]-'0')
	if m > 59 || h > 24 || h == 24 && m != 0 {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, true
}

// contains reports whether the local interval [start, end) lies within one stretch
// of the window, and whether its start alone does. Both times are measured by the
// wall clock from midnight of the start's local day, so a slot that crosses local
// midnight ends after 24:00, and a DST change moves the clock, not the window.
func (win wakingWindow) contains(start, end time.Time) (startOK, inside bool) {
	if win.fromOff == win.toOff {
		return true, true
	}
	s := sinceMidnight(start)
	e := sinceMidnight(end) + time.Duration(civilDays(start, end))*24*time.Hour
	stretches := [][2]time.Duration{{win.fromOff, win.toOff}}
	if win.fromOff > win.toOff {
		stretches = [][2]time.Duration{{win.fromOff - 24*time.Hour, win.toOff}, {win.fromOff, win.toOff + 24*time.Hour}}
	}
	for _, st := range stretches {
		if st[0] <= s && s < st[1] {
			startOK = true
			if e <= st[1] {
				return true, true
			}
		}
	}
	return startOK, false
}

// sinceMidnight is the wall-clock time of day of t in its own location.
func sinceMidnight(t time.Time) time.Duration {
	h, m, s := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second +
		time.Duration(t.Nanosecond())
}

// civilDays counts the calendar days from start's local date to end's local date.
func civilDays(start, end time.Time) int {
	y1, m1, d1 := start.Date()
	y2, m2, d2 := end.Date()
	a := time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)
	b := time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a) / (24 * time.Hour))
}

func warnDayNote(days int) string {
	switch {
	case days == 1:
		return " the next day"
	case days > 1:
		return fmt.Sprintf(" %d days later", days)
	}
	return ""
}

func warnSlotLabel(s *Slot) string {
	if s.Title == "" {
		return fmt.Sprintf("slot %d", s.Position+1)
	}
	return "“" + s.Title + "”"
}

func warnClock(t time.Time, loc *time.Location) string { return t.In(loc).Format("15:04") }

// warnSpan writes a duration the way an organizer says it: "1h 5m", "45s".
func warnSpan(d time.Duration) string {
	d = d.Round(time.Second)
	if d < 0 {
		d = -d
	}
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	var parts []string
	if h > 0 {
		parts = append(parts, fmt.Sprintf("%dh", h))
	}
	if m > 0 {
		parts = append(parts, fmt.Sprintf("%dm", m))
	}
	if s > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%ds", s))
	}
	return strings.Join(parts, " ")
}
