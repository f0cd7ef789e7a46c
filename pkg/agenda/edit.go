package agenda

import (
	"errors"
	"fmt"
	"slices"
)

// The edits below are the only ways an agenda changes. Each validates its input
// against the whole agenda, changes nothing when it fails, and leaves the agenda
// normalized when it succeeds.

// Limits on the size of one event, so no request can grow it without bound.
const (
	MaxStages        = 50
	MaxSlots         = 2000
	MaxSpeakers      = 5000
	MaxOrganizations = 5000
)

func atMost(field string, n, limit int) error {
	if n >= limit {
		return Invalid(field, "an event has at most %d %s", limit, field)
	}
	return nil
}

// UpdateEvent replaces the event's editable fields.
func (a *Agenda) UpdateEvent(f EventFields) error {
	if err := f.Validate(); err != nil {
		return err
	}
	a.Event.EventFields = f
	a.Normalize()
	return nil
}

// Stage returns the stage with the given id.
func (a *Agenda) Stage(id string) (*Stage, error) {
	for i := range a.Stages {
		if a.Stages[i].ID == id {
			return &a.Stages[i], nil
		}
	}
	return nil, fmt.Errorf("agenda: stage %q: %w", id, ErrNotFound)
}

// Slot returns the slot with the given id.
func (a *Agenda) Slot(id string) (*Slot, error) {
	for i := range a.Slots {
		if a.Slots[i].ID == id {
			return &a.Slots[i], nil
		}
	}
	return nil, fmt.Errorf("agenda: slot %q: %w", id, ErrNotFound)
}

// Speaker returns the speaker with the given id.
func (a *Agenda) Speaker(id string) (*Speaker, error) {
	for i := range a.Speakers {
		if a.Speakers[i].ID == id {
			return &a.Speakers[i], nil
		}
	}
	return nil, fmt.Errorf("agenda: speaker %q: %w", id, ErrNotFound)
}

// Organization returns the organization with the given id.
func (a *Agenda) Organization(id string) (*Organization, error) {
	for i := range a.Organizations {
		if a.Organizations[i].ID == id {
			return &a.Organizations[i], nil
		}
	}
	return nil, fmt.Errorf("agenda: organization %q: %w", id, ErrNotFound)
}

// AddStage appends a stage, or inserts it at position when one is given.
func (a *Agenda) AddStage(id string, f StageFields, position *int) error {
	if err := atMost("stages", len(a.Stages), MaxStages); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	p := insertAt(position, len(a.Stages))
	for i := range a.Stages {
		if a.Stages[i].Position >= p {
			a.Stages[i].Position++
		}
	}
	a.Stages = append(a.Stages, Stage{ID: id, StageFields: f, Position: p})
	a.Normalize()
	return nil
}

// UpdateStage replaces a stage's editable fields.
func (a *Agenda) UpdateStage(id string, f StageFields) error {
	st, err := a.Stage(id)
	if err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	st.StageFields = f
	a.Normalize()
	return nil
}

// DeleteStage removes a stage and the slots in its running order.
func (a *Agenda) DeleteStage(id string) error {
	if _, err := a.Stage(id); err != nil {
		return err
	}
	a.Stages = slices.DeleteFunc(a.Stages, func(s Stage) bool { return s.ID == id })
	a.Slots = slices.DeleteFunc(a.Slots, func(s Slot) bool { return s.StageID == id })
	a.Normalize()
	return nil
}

// AddSlot appends a slot to a stage's running order, or inserts it at position.
func (a *Agenda) AddSlot(id, stageID string, position *int, f SlotFields) error {
	if err := atMost("slots", len(a.Slots), MaxSlots); err != nil {
		return err
	}
	c := checker{}
	if _, err := a.Stage(stageID); err != nil {
		c.add("stage_id", "no stage %q in this event", stageID)
	}
	if err := f.Validate(); err != nil {
		c.errs = append(c.errs, err.(*ValidationError).Errors...)
	}
	if err := c.err(); err != nil {
		return err
	}
	a.Slots = append(a.Slots, Slot{ID: id, SlotFields: f, Speakers: []SlotSpeaker{}})
	a.place(&a.Slots[len(a.Slots)-1], stageID, position)
	a.Normalize()
	return nil
}

// place puts slot s at position in stage's running order, shifting the slots at and after it.
func (a *Agenda) place(s *Slot, stageID string, position *int) {
	others := 0
	for i := range a.Slots {
		if a.Slots[i].StageID == stageID && a.Slots[i].ID != s.ID {
			others++
		}
	}
	p := insertAt(position, others)
	for i := range a.Slots {
		o := &a.Slots[i]
		if o.StageID == stageID && o.ID != s.ID && o.Position >= p {
			o.Position++
		}
	}
	s.StageID, s.Position = stageID, p
}

func insertAt(position *int, n int) int {
	if position == nil || *position > n {
		return n
	}
	return max(*position, 0)
}

// UpdateSlot replaces a slot's editable fields.
func (a *Agenda) UpdateSlot(id string, f SlotFields) error {
	s, err := a.Slot(id)
	if err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	s.SlotFields = f
	a.Normalize()
	return nil
}

// MoveSlot moves a slot to position in a stage's running order (the same stage or another).
func (a *Agenda) MoveSlot(id, stageID string, position int) error {
	s, err := a.Slot(id)
	if err != nil {
		return err
	}
	if _, err := a.Stage(stageID); err != nil {
		return Invalid("stage_id", "no stage %q in this event", stageID)
	}
	if position < 0 {
		return Invalid("position", "must be 0 or more")
	}
	// Renumber the target running order with the slot at its new place; the
	// stage it left closes its gap when normalized.
	var order []*Slot
	for _, o := range a.StageSlots(stageID) {
		if o.ID != id {
			order = append(order, o)
		}
	}
	p := min(position, len(order))
	order = append(order[:p], append([]*Slot{s}, order[p:]...)...)
	for i, o := range order {
		o.StageID, o.Position = stageID, i
	}
	a.Normalize()
	return nil
}

// DeleteSlot removes a slot.
func (a *Agenda) DeleteSlot(id string) error {
	if _, err := a.Slot(id); err != nil {
		return err
	}
	a.Slots = slices.DeleteFunc(a.Slots, func(s Slot) bool { return s.ID == id })
	a.Normalize()
	return nil
}

// SpeakerAssignment is one entry of a slot's speaker list as organizers set it.
type SpeakerAssignment struct {
	SpeakerID string `json:"speaker_id"`
	Role      Role   `json:"role"`
}

// SetSlotSpeakers replaces a slot's speakers. A speaker already on the slot keeps
// their answer; a new one is invited.
func (a *Agenda) SetSlotSpeakers(id string, list []SpeakerAssignment) error {
	s, err := a.Slot(id)
	if err != nil {
		return err
	}
	var c checker
	if len(list) > 50 {
		c.add("speakers", "a slot has at most 50 speakers")
	}
	seen := map[string]bool{}
	next := make([]SlotSpeaker, 0, len(list))
	for i, as := range list {
		field := fmt.Sprintf("[%d]", i)
		if _, err := a.Speaker(as.SpeakerID); err != nil {
			c.add(field+".speaker_id", "no speaker %q in this event", as.SpeakerID)
			continue
		}
		if seen[as.SpeakerID] {
			c.add(field+".speaker_id", "speaker %q is listed twice", as.SpeakerID)
			continue
		}
		seen[as.SpeakerID] = true
		if as.Role == "" {
			as.Role = RoleSpeaker
		}
		if as.Role != RoleSpeaker && as.Role != RoleModerator {
			c.add(field+".role", "must be one of speaker, moderator")
			continue
		}
		ss := SlotSpeaker{SpeakerID: as.SpeakerID, Role: as.Role, Status: Invited}
		for _, old := range s.Speakers {
			if old.SpeakerID == as.SpeakerID {
				ss.Status, ss.Note = old.Status, old.Note
			}
		}
		next = append(next, ss)
	}
	if err := c.err(); err != nil {
		return err
	}
	s.Speakers = next
	return nil
}

// Answer records a speaker's answer to the invitation for one slot.
func (a *Agenda) Answer(slotID, speakerID string, answer Invitation, note string) error {
	s, err := a.Slot(slotID)
	if err != nil {
		return err
	}
	var c checker
	c.oneOf("status", string(answer), string(Invited), string(Confirmed), string(Declined))
	c.text("note", note, 0, 2000, true)
	if err := c.err(); err != nil {
		return err
	}
	for i := range s.Speakers {
		if s.Speakers[i].SpeakerID == speakerID {
			s.Speakers[i].Status, s.Speakers[i].Note = answer, note
			return nil
		}
	}
	return fmt.Errorf("agenda: speaker %q in slot %q: %w", speakerID, slotID, ErrNotFound)
}

// AddSpeaker adds a speaker to the event.
func (a *Agenda) AddSpeaker(id string, f SpeakerFields) error {
	if err := atMost("speakers", len(a.Speakers), MaxSpeakers); err != nil {
		return err
	}
	if err := a.checkSpeaker(f); err != nil {
		return err
	}
	a.Speakers = append(a.Speakers, Speaker{ID: id, SpeakerFields: f})
	a.Normalize()
	return nil
}

// UpdateSpeaker replaces a speaker's editable fields.
func (a *Agenda) UpdateSpeaker(id string, f SpeakerFields) error {
	sp, err := a.Speaker(id)
	if err != nil {
		return err
	}
	if err := a.checkSpeaker(f); err != nil {
		return err
	}
	sp.SpeakerFields = f
	a.Normalize()
	return nil
}

func (a *Agenda) checkSpeaker(f SpeakerFields) error {
	err := f.Validate()
	if f.OrganizationID == "" {
		return err
	}
	if _, oerr := a.Organization(f.OrganizationID); oerr != nil {
		ve, _ := err.(*ValidationError)
		if ve == nil {
			ve = &ValidationError{}
		}
		ve.Errors = append(ve.Errors, FieldError{Field: "organization_id", Message: fmt.Sprintf("no organization %q in this event", f.OrganizationID)})
		return ve
	}
	return err
}

// DeleteSpeaker removes a speaker and takes them off every slot.
func (a *Agenda) DeleteSpeaker(id string) error {
	if _, err := a.Speaker(id); err != nil {
		return err
	}
	a.Speakers = slices.DeleteFunc(a.Speakers, func(s Speaker) bool { return s.ID == id })
	for i := range a.Slots {
		a.Slots[i].Speakers = slices.DeleteFunc(a.Slots[i].Speakers, func(s SlotSpeaker) bool { return s.SpeakerID == id })
	}
	return nil
}

// AddOrganization adds an organization to the event.
func (a *Agenda) AddOrganization(id string, f OrganizationFields) error {
	if err := atMost("organizations", len(a.Organizations), MaxOrganizations); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	a.Organizations = append(a.Organizations, Organization{ID: id, OrganizationFields: f})
	a.Normalize()
	return nil
}

// UpdateOrganization replaces an organization's editable fields.
func (a *Agenda) UpdateOrganization(id string, f OrganizationFields) error {
	o, err := a.Organization(id)
	if err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	o.OrganizationFields = f
	a.Normalize()
	return nil
}

// DeleteOrganization removes an organization; its speakers keep speaking, without it.
func (a *Agenda) DeleteOrganization(id string) error {
	if _, err := a.Organization(id); err != nil {
		return err
	}
	a.Organizations = slices.DeleteFunc(a.Organizations, func(o Organization) bool { return o.ID == id })
	for i := range a.Speakers {
		if a.Speakers[i].OrganizationID == id {
			a.Speakers[i].OrganizationID = ""
		}
	}
	return nil
}

// Clone returns a deep copy, so an edit can be tried and compared with the original.
func (a Agenda) Clone() Agenda {
	c := a
	c.Event.Languages = slices.Clone(a.Event.Languages)
	c.Event.EndsAt = clonePtr(a.Event.EndsAt)
	c.Stages = slices.Clone(a.Stages)
	c.Slots = slices.Clone(a.Slots)
	for i := range c.Slots {
		c.Slots[i].PinnedStart = clonePtr(a.Slots[i].PinnedStart)
		c.Slots[i].Interpretation = slices.Clone(a.Slots[i].Interpretation)
		c.Slots[i].Speakers = slices.Clone(a.Slots[i].Speakers)
	}
	c.Speakers = slices.Clone(a.Speakers)
	for i := range c.Speakers {
		c.Speakers[i].Languages = slices.Clone(a.Speakers[i].Languages)
	}
	c.Organizations = slices.Clone(a.Organizations)
	c.Live = a.Live.clone()
	c.Outbox = nil
	return c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// ErrStale means an edit was based on an older revision of the object than the
// current one; the edit is refused rather than silently overwriting (DESIGN invariant 7).
var ErrStale = errors.New("stale revision")

// CheckRevision refuses an edit based on a revision other than the current one.
// A nil expected revision means the client did not say, and the edit goes through.
func CheckRevision(current int64, expected *int64) error {
	if expected != nil && *expected != current {
		return fmt.Errorf("agenda: edit based on revision %d, current is %d: %w", *expected, current, ErrStale)
	}
	return nil
}
