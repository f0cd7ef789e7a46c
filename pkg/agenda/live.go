package agenda

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrLiveState means a live action is not possible in the show's current state
// (next while nothing runs, resume while not paused…).
var ErrLiveState = errors.New("not possible in the current live state")

// Live is the show as the stage managers run it: where each stage is, and what
// really happened to each slot. The projection (LiveView) is computed from it.
type Live struct {
	Stages []StageRun `json:"stages"`
	Runs   []SlotRun  `json:"runs"`
	// AsOf is when the stage manager last acted; the projection is computed for this instant.
	AsOf     *time.Time `json:"as_of"`
	Revision int64      `json:"revision"`
}

// StageRun is where one stage's show is.
type StageRun struct {
	StageID       string    `json:"stage_id"`
	State         LiveState `json:"state"`
	CurrentSlotID string    `json:"current_slot_id"`
}

// SlotRun is what really happened to a slot: when it started and ended, the
// time the stage manager added or took away, the time it stood paused, or that it was skipped.
type SlotRun struct {
	SlotID        string     `json:"slot_id"`
	Start         *time.Time `json:"start"`
	End           *time.Time `json:"end"`
	ExtendSeconds int        `json:"extend_seconds"`
	PausedSeconds int        `json:"paused_seconds"`
	PausedAt      *time.Time `json:"paused_at"`
	Skipped       bool       `json:"skipped"`
}

func (l Live) clone() Live {
	c := l
	c.Stages = slices.Clone(l.Stages)
	c.Runs = slices.Clone(l.Runs)
	for i := range c.Runs {
		c.Runs[i].Start = clonePtr(l.Runs[i].Start)
		c.Runs[i].End = clonePtr(l.Runs[i].End)
		c.Runs[i].PausedAt = clonePtr(l.Runs[i].PausedAt)
	}
	c.AsOf = clonePtr(l.AsOf)
	return c
}

// stageRun returns the run of a stage, creating an idle one.
func (a *Agenda) stageRun(stageID string) *StageRun {
	for i := range a.Live.Stages {
		if a.Live.Stages[i].StageID == stageID {
			return &a.Live.Stages[i]
		}
	}
	a.Live.Stages = append(a.Live.Stages, StageRun{StageID: stageID, State: LiveIdle})
	return &a.Live.Stages[len(a.Live.Stages)-1]
}

func (a *Agenda) slotRun(slotID string) *SlotRun {
	for i := range a.Live.Runs {
		if a.Live.Runs[i].SlotID == slotID {
			return &a.Live.Runs[i]
		}
	}
	return nil
}

// pruneLive forgets live state of stages and slots that no longer exist, and a
// current slot that left its stage.
func (a *Agenda) pruneLive() {
	slotStage := map[string]string{}
	for _, s := range a.Slots {
		slotStage[s.ID] = s.StageID
	}
	a.Live.Runs = slices.DeleteFunc(a.Live.Runs, func(r SlotRun) bool { _, ok := slotStage[r.SlotID]; return !ok })
	a.Live.Stages = slices.DeleteFunc(a.Live.Stages, func(st StageRun) bool { _, err := a.Stage(st.StageID); return err != nil })
	for i := range a.Live.Stages {
		st := &a.Live.Stages[i]
		if st.CurrentSlotID != "" && slotStage[st.CurrentSlotID] != st.StageID {
			a.Live.Runs = slices.DeleteFunc(a.Live.Runs, func(r SlotRun) bool { return r.SlotID == st.CurrentSlotID && r.End == nil })
			st.CurrentSlotID, st.State = "", LiveIdle
		}
	}
}

// LiveStage picks the stage a live action without one applies to: the stage of
// slotID when given, else the first stage that runs or is paused, else the first stage.
func (a *Agenda) LiveStage(stageID, slotID string) (string, error) {
	if slotID != "" {
		s, err := a.Slot(slotID)
		if err != nil {
			return "", Invalid("slot_id", "no slot %q in this event", slotID)
		}
		if stageID != "" && stageID != s.StageID {
			return "", Invalid("slot_id", "the slot is not on stage %q", stageID)
		}
		return s.StageID, nil
	}
	if stageID != "" {
		if _, err := a.Stage(stageID); err != nil {
			return "", Invalid("stage_id", "no stage %q in this event", stageID)
		}
		return stageID, nil
	}
	for _, st := range a.Stages {
		if r := a.stageRun(st.ID); r.State == LiveRunning || r.State == LivePaused {
			return st.ID, nil
		}
	}
	if len(a.Stages) == 0 {
		return "", fmt.Errorf("agenda: the event has no stage: %w", ErrLiveState)
	}
	return a.Stages[0].ID, nil
}

// liveRun is the run of the stage a live action applies to (see LiveStage).
func (a *Agenda) liveRun(stageID string) (*StageRun, error) {
	stage, err := a.LiveStage(stageID, "")
	if err != nil {
		return nil, err
	}
	return a.stageRun(stage), nil
}

func liveErr(format string, args ...any) error {
	return fmt.Errorf("agenda: "+format+": %w", append(args, ErrLiveState)...)
}

// finish ends the current slot of a stage at now.
func (a *Agenda) finish(st *StageRun, now time.Time) {
	if st.CurrentSlotID == "" {
		return
	}
	if r := a.slotRun(st.CurrentSlotID); r != nil {
		if r.PausedAt != nil {
			r.PausedSeconds += int(now.Sub(*r.PausedAt) / time.Second)
			r.PausedAt = nil
		}
		end := now
		r.End = &end
	}
	st.CurrentSlotID = ""
}

// begin makes slotID the stage's current slot, started at now.
func (a *Agenda) begin(st *StageRun, slotID string, now time.Time) {
	a.Live.Runs = slices.DeleteFunc(a.Live.Runs, func(r SlotRun) bool { return r.SlotID == slotID })
	start := now
	a.Live.Runs = append(a.Live.Runs, SlotRun{SlotID: slotID, Start: &start})
	st.CurrentSlotID, st.State = slotID, LiveRunning
}

// pending reports whether a slot has neither run nor been skipped.
func (a *Agenda) pending(slotID string) bool {
	return a.slotRun(slotID) == nil
}

// nextPending returns the first pending slot of the stage after slot `after`
// ("" for from the start).
func (a *Agenda) nextPending(stageID, after string) string {
	seen := after == ""
	for _, s := range a.StageSlots(stageID) {
		if seen && a.pending(s.ID) {
			return s.ID
		}
		if s.ID == after {
			seen = true
		}
	}
	return ""
}

func (a *Agenda) touch(now time.Time) {
	t := now.UTC()
	a.Live.AsOf = &t
}

// Start starts a slot (by default the stage's first pending slot) at now,
// ending the one that runs. A done or skipped slot may be started again.
func (a *Agenda) Start(stageID, slotID string, now time.Time) error {
	stage, err := a.LiveStage(stageID, slotID)
	if err != nil {
		return err
	}
	st := a.stageRun(stage)
	if slotID == "" {
		if slotID = a.nextPending(stage, st.CurrentSlotID); slotID == "" {
			return liveErr("no slot left to start on this stage")
		}
	}
	if slotID == st.CurrentSlotID {
		return liveErr("the slot is already on stage")
	}
	a.finish(st, now)
	a.begin(st, slotID, now)
	a.touch(now)
	return nil
}

// Next ends the current slot and starts the next pending one; after the last, the stage has ended.
func (a *Agenda) Next(stageID string, now time.Time) error {
	st, err := a.liveRun(stageID)
	if err != nil {
		return err
	}
	if st.State != LiveRunning && st.State != LivePaused {
		return liveErr("nothing is on stage; use start")
	}
	cur := st.CurrentSlotID
	a.finish(st, now)
	if next := a.nextPending(st.StageID, cur); next != "" {
		a.begin(st, next, now)
	} else {
		st.State = LiveEnded
	}
	a.touch(now)
	return nil
}

// Extend gives the current slot more time (or less, with negative seconds).
func (a *Agenda) Extend(stageID string, seconds int, now time.Time) error {
	st, err := a.liveRun(stageID)
	if err != nil {
		return err
	}
	if st.State != LiveRunning && st.State != LivePaused {
		return liveErr("nothing is on stage to extend")
	}
	if seconds == 0 || seconds > MaxDurationSeconds || seconds < -MaxDurationSeconds {
		return Invalid("seconds", "must be a non-zero number of seconds, at most 24 hours either way")
	}
	slot, err := a.Slot(st.CurrentSlotID)
	if err != nil {
		return err
	}
	r := a.slotRun(slot.ID)
	if total := slot.DurationSeconds + r.ExtendSeconds + seconds; total < 1 || total > 2*MaxDurationSeconds {
		return Invalid("seconds", "would make the slot last %d seconds", total)
	}
	r.ExtendSeconds += seconds
	a.touch(now)
	return nil
}

// Skip takes a pending slot out of the show.
func (a *Agenda) Skip(slotID string, now time.Time) error {
	if slotID == "" {
		return Invalid("slot_id", "is required")
	}
	stage, err := a.LiveStage("", slotID)
	if err != nil {
		return err
	}
	if a.stageRun(stage).CurrentSlotID == slotID {
		return liveErr("the slot is on stage; use next")
	}
	if !a.pending(slotID) {
		return liveErr("the slot has already run or been skipped")
	}
	a.Live.Runs = append(a.Live.Runs, SlotRun{SlotID: slotID, Skipped: true})
	a.touch(now)
	return nil
}

// Back undoes a next pressed too early: the current slot is pending again and
// the slot before it is back on stage, with its original start.
func (a *Agenda) Back(stageID string, now time.Time) error {
	st, err := a.liveRun(stageID)
	if err != nil {
		return err
	}
	// The slot that ran last: the latest end, and on a tie the later in the running order.
	var last string
	var lastEnd time.Time
	for _, s := range a.StageSlots(st.StageID) {
		if r := a.slotRun(s.ID); r != nil && r.End != nil && !r.Skipped && (last == "" || !r.End.Before(lastEnd)) {
			last, lastEnd = s.ID, *r.End
		}
	}
	if st.CurrentSlotID == "" && last == "" {
		return liveErr("nothing has run on this stage")
	}
	if st.CurrentSlotID != "" {
		cur := st.CurrentSlotID
		a.Live.Runs = slices.DeleteFunc(a.Live.Runs, func(r SlotRun) bool { return r.SlotID == cur })
		st.CurrentSlotID, st.State = "", LiveIdle
	}
	if last != "" {
		a.slotRun(last).End = nil
		st.CurrentSlotID, st.State = last, LiveRunning
	}
	a.touch(now)
	return nil
}

// Pause stops the clock of the current slot.
func (a *Agenda) Pause(stageID string, now time.Time) error {
	st, err := a.liveRun(stageID)
	if err != nil {
		return err
	}
	if st.State != LiveRunning {
		return liveErr("only a running show can pause")
	}
	t := now.UTC()
	a.slotRun(st.CurrentSlotID).PausedAt = &t
	st.State = LivePaused
	a.touch(now)
	return nil
}

// Resume restarts the clock; the pause pushes the current slot's end and everything after it.
func (a *Agenda) Resume(stageID string, now time.Time) error {
	st, err := a.liveRun(stageID)
	if err != nil {
		return err
	}
	if st.State != LivePaused {
		return liveErr("the show is not paused")
	}
	r := a.slotRun(st.CurrentSlotID)
	r.PausedSeconds += int(now.Sub(*r.PausedAt) / time.Second)
	r.PausedAt = nil
	st.State = LiveRunning
	a.touch(now)
	return nil
}

// End ends the show on a stage: the current slot ends now and nothing else runs.
func (a *Agenda) End(stageID string, now time.Time) error {
	st, err := a.liveRun(stageID)
	if err != nil {
		return err
	}
	if st.State == LiveEnded {
		return liveErr("the show has already ended")
	}
	a.finish(st, now)
	st.State = LiveEnded
	a.touch(now)
	return nil
}

// LiveView is the live object of the public agenda and the feeds: the show's
// state, what is on stage, the delay, and the projected times of every slot,
// computed for the instant ServerTime. While a slot runs past CurrentEnd,
// clients push every later slot themselves with the same rule (invariant 3),
// counting from their own clock; the server does not send a change per second.
type LiveView struct {
	State         LiveState        `json:"state"`
	CurrentSlotID *string          `json:"current_slot_id"`
	ActualStart   *time.Time       `json:"actual_start"`
	DelaySeconds  int              `json:"delay_seconds"`
	ServerTime    *time.Time       `json:"server_time"`
	Stages        []StageLiveView  `json:"stages"`
	Slots         []SlotProjection `json:"slots"`
}

// StageLiveView is one stage's part of the live view.
type StageLiveView struct {
	StageID       string     `json:"stage_id"`
	State         LiveState  `json:"state"`
	CurrentSlotID *string    `json:"current_slot_id"`
	ActualStart   *time.Time `json:"actual_start"`
	CurrentEnd    *time.Time `json:"current_end"`
	PausedAt      *time.Time `json:"paused_at"`
	DelaySeconds  int        `json:"delay_seconds"`
}

// SlotStatus is where a slot stands in the show.
type SlotStatus string

const (
	SlotPending SlotStatus = "pending"
	SlotCurrent SlotStatus = "current"
	SlotDone    SlotStatus = "done"
	SlotSkipped SlotStatus = "skipped"
)

// SlotProjection is a slot's actual (done, current) or projected (pending) times.
type SlotProjection struct {
	SlotID         string     `json:"slot_id"`
	Status         SlotStatus `json:"status"`
	ProjectedStart time.Time  `json:"projected_start"`
	ProjectedEnd   time.Time  `json:"projected_end"`
	DelaySeconds   int        `json:"delay_seconds"`
}

// LiveView projects the show (DESIGN invariant 3) for the instant of the last
// live action. Before any action, every slot is pending at its planned time.
func (a *Agenda) LiveView() LiveView {
	asOf := a.Event.StartsAt
	if a.Live.AsOf != nil {
		asOf = *a.Live.AsOf
	}
	return a.Project(asOf)
}

// Project computes the live view at instant now: a done slot keeps its actual
// times; the current slot ends at its start plus its duration, extension and
// pauses, or at now if it runs over; each later slot starts at max(its pinned
// start, the projected end of the slot before it); skipped slots leave the chain.
func (a *Agenda) Project(now time.Time) LiveView {
	now = now.UTC()
	v := LiveView{State: LiveIdle, Stages: []StageLiveView{}, Slots: make([]SlotProjection, 0, len(a.Slots))}
	if a.Live.AsOf != nil {
		v.ServerTime = &now
	}
	var primary *StageLiveView
	for _, stage := range a.Stages {
		run := StageRun{StageID: stage.ID, State: LiveIdle}
		for _, r := range a.Live.Stages {
			if r.StageID == stage.ID {
				run = r
			}
		}
		sv := StageLiveView{StageID: stage.ID, State: run.State}
		var prevEnd *time.Time
		seenCurrent, delaySet := false, false
		for _, s := range a.StageSlots(stage.ID) {
			p := SlotProjection{SlotID: s.ID, Status: SlotPending, ProjectedStart: s.PlannedStart, ProjectedEnd: s.PlannedEnd}
			r := a.slotRun(s.ID)
			switch {
			case r != nil && r.Skipped:
				p.Status = SlotSkipped
			case s.ID == run.CurrentSlotID && r != nil && r.Start != nil:
				p.Status = SlotCurrent
				p.ProjectedStart = *r.Start
				end := r.Start.Add(s.Duration() + time.Duration(r.ExtendSeconds+r.PausedSeconds)*time.Second)
				if r.PausedAt != nil {
					end = end.Add(now.Sub(*r.PausedAt))
				}
				sv.ActualStart, sv.CurrentEnd, sv.PausedAt = r.Start, ptr(end.UTC()), r.PausedAt
				sv.CurrentSlotID = ptr(s.ID)
				if end.Before(now) {
					end = now
				}
				p.ProjectedEnd = end
			case r != nil && r.Start != nil && r.End != nil:
				p.Status, p.ProjectedStart, p.ProjectedEnd = SlotDone, *r.Start, *r.End
			case run.State == LiveEnded:
				p.Status = SlotSkipped
			default:
				if seenCurrent {
					start := *prevEnd
					if s.PinnedStart != nil && s.PinnedStart.After(start) {
						start = *s.PinnedStart
					}
					p.ProjectedStart, p.ProjectedEnd = start, start.Add(s.Duration())
				}
				if seenCurrent && !delaySet {
					sv.DelaySeconds = int(p.ProjectedStart.Sub(s.PlannedStart) / time.Second)
					delaySet = true
				}
			}
			if p.Status != SlotSkipped {
				p.DelaySeconds = int(p.ProjectedStart.Sub(s.PlannedStart) / time.Second)
				end := p.ProjectedEnd
				prevEnd = &end
			}
			p.ProjectedStart, p.ProjectedEnd = p.ProjectedStart.UTC(), p.ProjectedEnd.UTC()
			v.Slots = append(v.Slots, p)
			if p.Status == SlotCurrent {
				// Until a later slot says otherwise, the delay is the current slot's overrun.
				sv.DelaySeconds = int(p.ProjectedEnd.Sub(s.PlannedEnd) / time.Second)
				seenCurrent = true
			}
		}
		v.Stages = append(v.Stages, sv)
		last := &v.Stages[len(v.Stages)-1]
		if primary == nil && (sv.State == LiveRunning || sv.State == LivePaused) {
			primary = last
		}
	}
	if primary == nil {
		for i := range v.Stages {
			if v.Stages[i].State != LiveIdle {
				primary = &v.Stages[i]
				break
			}
		}
	}
	if primary != nil {
		v.State, v.CurrentSlotID, v.ActualStart, v.DelaySeconds = primary.State, primary.CurrentSlotID, primary.ActualStart, primary.DelaySeconds
	}
	return v
}

func ptr[T any](v T) *T { return &v }

// StageMessage is a short message from the stage manager to the speakers of one
// slot, shown in their green room. It is private: never on a public surface.
type StageMessage struct {
	SlotID     string    `json:"slot_id"`
	SpeakerIDs []string  `json:"speaker_ids"`
	Text       string    `json:"text"`
	At         time.Time `json:"at"`
}

// SendMessage addresses text to the speakers of the current slot, the next one,
// or a slot by id, on the given stage (or the one that runs).
func (a *Agenda) SendMessage(stageID, to, text string, now time.Time) error {
	var c checker
	c.text("text", text, 1, 280, true)
	if err := c.err(); err != nil {
		return err
	}
	st, err := a.liveRun(stageID)
	if err != nil {
		return err
	}
	slotID := to
	switch to {
	case "current":
		if slotID = st.CurrentSlotID; slotID == "" {
			return liveErr("nothing is on stage")
		}
	case "next":
		if slotID = a.nextPending(st.StageID, st.CurrentSlotID); slotID == "" {
			return liveErr("no slot is next")
		}
	case "":
		return Invalid("to", "is required: current, next or a slot id")
	}
	slot, err := a.Slot(slotID)
	if err != nil {
		return Invalid("to", "must be current, next or the id of a slot in this event")
	}
	m := StageMessage{SlotID: slot.ID, SpeakerIDs: []string{}, Text: text, At: now.UTC()}
	for _, sp := range slot.Speakers {
		if sp.Status != Declined {
			m.SpeakerIDs = append(m.SpeakerIDs, sp.SpeakerID)
		}
	}
	a.Outbox = append(a.Outbox, m)
	return nil
}
