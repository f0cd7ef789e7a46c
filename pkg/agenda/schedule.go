package agenda

import (
	"sort"
	"time"
)

// Normalize puts the agenda in its canonical form after any edit: stages ordered
// and numbered 0..n-1, each stage's slots ordered and numbered 0..n-1, speakers and
// organizations in creation order, and every slot's planned times computed.
func (a *Agenda) Normalize() {
	sort.SliceStable(a.Stages, func(i, j int) bool { return a.Stages[i].Position < a.Stages[j].Position })
	stageIndex := make(map[string]int, len(a.Stages))
	for i := range a.Stages {
		a.Stages[i].Position = i
		stageIndex[a.Stages[i].ID] = i
	}
	sort.SliceStable(a.Slots, func(i, j int) bool {
		si, sj := stageIndex[a.Slots[i].StageID], stageIndex[a.Slots[j].StageID]
		if si != sj {
			return si < sj
		}
		return a.Slots[i].Position < a.Slots[j].Position
	})
	sort.SliceStable(a.Speakers, func(i, j int) bool { return a.Speakers[i].ID < a.Speakers[j].ID })
	sort.SliceStable(a.Organizations, func(i, j int) bool { return a.Organizations[i].ID < a.Organizations[j].ID })
	a.plan()
	a.pruneLive()
	// Lists are never null on the wire, whatever a client sent.
	a.Event.Languages = nonNil(a.Event.Languages)
	for i := range a.Slots {
		a.Slots[i].Interpretation = nonNil(a.Slots[i].Interpretation)
		a.Slots[i].Speakers = nonNil(a.Slots[i].Speakers)
	}
	for i := range a.Speakers {
		a.Speakers[i].Languages = nonNil(a.Speakers[i].Languages)
	}
}

// plan computes planned times (DESIGN invariant 2): a slot starts at its pinned
// start if it has one, else when the slot before it on its stage ends (the event
// start for the first). Slots must already be ordered by stage and position.
func (a *Agenda) plan() {
	var stage string
	var end time.Time
	pos := 0
	for i := range a.Slots {
		s := &a.Slots[i]
		if i == 0 || s.StageID != stage {
			stage, end, pos = s.StageID, a.Event.StartsAt, 0
		}
		s.Position = pos
		pos++
		start := end
		if s.PinnedStart != nil {
			start = *s.PinnedStart
		}
		s.PlannedStart = start.UTC()
		s.PlannedEnd = start.Add(s.Duration()).UTC()
		end = s.PlannedEnd
	}
}

// StageSlots returns the slots of one stage in running order (indexes into a.Slots).
func (a *Agenda) StageSlots(stageID string) []*Slot {
	var out []*Slot
	for i := range a.Slots {
		if a.Slots[i].StageID == stageID {
			out = append(out, &a.Slots[i])
		}
	}
	return out
}
