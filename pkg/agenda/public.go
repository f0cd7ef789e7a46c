package agenda

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// View is the shape of an agenda on the wire: the public agenda of DESIGN.md
// (PublicView) or the organizer's, which has every field (OrganizerView).
type View struct {
	Version       int64 `json:"version"`
	Event         any   `json:"event"`
	Stages        any   `json:"stages"`
	Slots         any   `json:"slots"`
	Speakers      any   `json:"speakers"`
	Organizations any   `json:"organizations"`
	Live          any   `json:"live"`
}

// PublicEvent is the event as viewers see it.
type PublicEvent struct {
	ID          string      `json:"id"`
	Slug        string      `json:"slug"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	StartsAt    time.Time   `json:"starts_at"`
	EndsAt      *time.Time  `json:"ends_at"`
	Timezone    string      `json:"timezone"`
	Status      EventStatus `json:"status"`
	Languages   []string    `json:"languages"`
	StreamURL   string      `json:"stream_url"`
}

// PublicStage is a stage as viewers see it.
type PublicStage struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Position int    `json:"position"`
}

// PublicSlotSpeaker is a confirmed speaker's place in a slot.
type PublicSlotSpeaker struct {
	SpeakerID string `json:"speaker_id"`
	Role      Role   `json:"role"`
}

// PublicSlot is a slot as viewers see it: only confirmed speakers are named.
type PublicSlot struct {
	ID              string              `json:"id"`
	StageID         string              `json:"stage_id"`
	Position        int                 `json:"position"`
	Kind            SlotKind            `json:"kind"`
	Title           string              `json:"title"`
	Description     string              `json:"description"`
	DurationSeconds int                 `json:"duration_seconds"`
	PinnedStart     *time.Time          `json:"pinned_start"`
	PlannedStart    time.Time           `json:"planned_start"`
	PlannedEnd      time.Time           `json:"planned_end"`
	Language        string              `json:"language"`
	Interpretation  []Interpretation    `json:"interpretation"`
	Speakers        []PublicSlotSpeaker `json:"speakers"`
}

// PublicSpeaker is a speaker as viewers see them. Hidden fields are absent, not empty.
type PublicSpeaker struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Country        string   `json:"country,omitempty"`
	OrganizationID string   `json:"organization_id,omitempty"`
	Bio            string   `json:"bio"`
	PhotoURL       string   `json:"photo_url,omitempty"`
	Languages      []string `json:"languages"`
}

// PublicOrganization is an organization as viewers see it.
type PublicOrganization struct {
	ID      string           `json:"id"`
	Name    string           `json:"name"`
	Country string           `json:"country"`
	Kind    OrganizationKind `json:"kind"`
	URL     string           `json:"url"`
}

// PublicView is the public agenda: published fields only. Only confirmed speakers
// appear, hide flags are applied, and an organization appears only through a
// speaker who shows it, so nothing on a public surface unmasks a speaker at risk.
func (a *Agenda) PublicView() View {
	pub := publicParts(a)
	return View{
		Version: a.Event.Version,
		Event: PublicEvent{
			ID: a.Event.ID, Slug: a.Event.Slug, Title: a.Event.Title, Description: a.Event.Description,
			StartsAt: a.Event.StartsAt, EndsAt: a.Event.EndsAt, Timezone: a.Event.Timezone,
			Status: a.Event.Status, Languages: nonNil(a.Event.Languages), StreamURL: a.Event.StreamURL,
		},
		Stages: pub.stages, Slots: pub.slots, Speakers: pub.speakers, Organizations: pub.orgs,
		Live: a.LiveView(),
	}
}

type publicCollections struct {
	stages   []PublicStage
	slots    []PublicSlot
	speakers []PublicSpeaker
	orgs     []PublicOrganization
}

func publicParts(a *Agenda) publicCollections {
	p := publicCollections{
		stages: make([]PublicStage, 0, len(a.Stages)), slots: make([]PublicSlot, 0, len(a.Slots)),
		speakers: []PublicSpeaker{}, orgs: []PublicOrganization{},
	}
	for _, st := range a.Stages {
		p.stages = append(p.stages, PublicStage{ID: st.ID, Name: st.Name, Position: st.Position})
	}
	onStage := map[string]bool{}
	for _, s := range a.Slots {
		ps := PublicSlot{
			ID: s.ID, StageID: s.StageID, Position: s.Position, Kind: s.Kind, Title: s.Title,
			Description: s.Description, DurationSeconds: s.DurationSeconds, PinnedStart: s.PinnedStart,
			PlannedStart: s.PlannedStart, PlannedEnd: s.PlannedEnd, Language: s.Language,
			Interpretation: nonNil(s.Interpretation), Speakers: []PublicSlotSpeaker{},
		}
		for _, sp := range s.Speakers {
			if sp.Status == Confirmed {
				ps.Speakers = append(ps.Speakers, PublicSlotSpeaker{SpeakerID: sp.SpeakerID, Role: sp.Role})
				onStage[sp.SpeakerID] = true
			}
		}
		p.slots = append(p.slots, ps)
	}
	shown := map[string]bool{}
	for _, sp := range a.Speakers {
		if !onStage[sp.ID] {
			continue
		}
		ps := PublicSpeaker{ID: sp.ID, Name: sp.Name, Bio: sp.Bio, Languages: nonNil(sp.Languages)}
		if !sp.HideCountry {
			ps.Country = sp.Country
		}
		if !sp.HideOrganization && sp.OrganizationID != "" {
			ps.OrganizationID = sp.OrganizationID
			shown[sp.OrganizationID] = true
		}
		if !sp.HidePhoto {
			ps.PhotoURL = sp.PhotoURL
		}
		p.speakers = append(p.speakers, ps)
	}
	for _, o := range a.Organizations {
		if shown[o.ID] {
			p.orgs = append(p.orgs, PublicOrganization{ID: o.ID, Name: o.Name, Country: o.Country, Kind: o.Kind, URL: o.URL})
		}
	}
	return p
}

// OrganizerView is the agenda with every field, for the organizers of the event.
func (a *Agenda) OrganizerView() View {
	return View{
		Version: a.Event.Version, Event: a.Event,
		Stages: nonNil(a.Stages), Slots: nonNil(a.Slots), Speakers: nonNil(a.Speakers),
		Organizations: nonNil(a.Organizations), Live: a.LiveView(),
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Delta is the body of one change as a feed sends it (DESIGN.md, websocket feed):
// whole objects to insert or replace by id, ids to delete, and the event and live
// objects when they changed.
type Delta struct {
	Upsert map[string][]json.RawMessage `json:"upsert,omitempty"`
	Delete map[string][]string          `json:"delete,omitempty"`
	Event  json.RawMessage              `json:"event,omitempty"`
	Live   json.RawMessage              `json:"live,omitempty"`
	// Messages are stage messages to speakers: only ever in a private delta.
	Messages []StageMessage `json:"messages,omitempty"`
}

// Empty reports whether the delta changes nothing.
func (d Delta) Empty() bool {
	return len(d.Upsert) == 0 && len(d.Delete) == 0 && d.Event == nil && d.Live == nil && len(d.Messages) == 0
}

// Diff returns the delta that turns view before into view after. Objects are
// compared as values first and by their encoding only where the values differ,
// so a delta holds exactly what a client would see change, and a change costs
// the encoding of what it changed, not of the whole agenda.
func Diff(before, after View) (Delta, error) {
	d := Delta{}
	var err error
	if d.Event, err = changed(before.Event, after.Event); err != nil {
		return d, err
	}
	if d.Live, err = changed(before.Live, after.Live); err != nil {
		return d, err
	}
	for _, c := range []struct {
		name          string
		before, after any
	}{
		{"stages", before.Stages, after.Stages},
		{"slots", before.Slots, after.Slots},
		{"speakers", before.Speakers, after.Speakers},
		{"organizations", before.Organizations, after.Organizations},
	} {
		if err := diffCollection(&d, c.name, c.before, c.after); err != nil {
			return d, err
		}
	}
	return d, nil
}

// changed returns the encoding of after when a client would see it differ
// from before, or nil. Equal values encode equally, so only values that differ
// are encoded (two times at one instant in two locations differ as values, not
// as JSON).
func changed(before, after any) (json.RawMessage, error) {
	if reflect.DeepEqual(before, after) {
		return nil, nil
	}
	a, err := json.Marshal(after)
	if err != nil {
		return nil, err
	}
	if before == nil {
		return a, nil
	}
	b, err := json.Marshal(before)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(a, b) {
		return nil, nil
	}
	return a, nil
}

// diffCollection compares two collections of objects that have an "id" (slices
// of structs with a string ID field).
func diffCollection(d *Delta, name string, before, after any) error {
	bs, err := byID(before)
	if err != nil {
		return err
	}
	as, err := byID(after)
	if err != nil {
		return err
	}
	old := make(map[string]reflect.Value, bs.Len())
	for i := range bs.Len() {
		old[bs.Index(i).FieldByIndex(idField).String()] = bs.Index(i)
	}
	seen := make(map[string]bool, as.Len())
	for i := range as.Len() {
		item := as.Index(i)
		id := item.FieldByIndex(idField).String()
		seen[id] = true
		var prev any
		if p, ok := old[id]; ok {
			prev = p.Addr().Interface() // a pointer: compared and encoded as the object, not copied
		}
		raw, err := changed(prev, item.Addr().Interface())
		if err != nil {
			return fmt.Errorf("agenda: diff: %w", err)
		}
		if raw != nil {
			if d.Upsert == nil {
				d.Upsert = map[string][]json.RawMessage{}
			}
			d.Upsert[name] = append(d.Upsert[name], raw)
		}
	}
	for i := range bs.Len() {
		if id := bs.Index(i).FieldByIndex(idField).String(); !seen[id] {
			if d.Delete == nil {
				d.Delete = map[string][]string{}
			}
			d.Delete[name] = append(d.Delete[name], id)
		}
	}
	return nil
}

// idField is where every object of a view keeps its id: its first field.
var idField = []int{0}

// byID checks that a collection is a slice of structs whose first field is a
// string named ID, and returns it.
func byID(collection any) (reflect.Value, error) {
	v := reflect.ValueOf(collection)
	if v.Kind() != reflect.Slice || v.Type().Elem().Kind() != reflect.Struct {
		return v, fmt.Errorf("agenda: diff: %T is not a collection", collection)
	}
	if f := v.Type().Elem().Field(0); f.Name != "ID" || f.Type.Kind() != reflect.String {
		return v, fmt.Errorf("agenda: diff: %s has no string ID first", v.Type().Elem())
	}
	return v, nil
}

// Change is one committed change to an event: its version, who made it, and the
// deltas that bring a public or an organizer's copy of the agenda from the
// previous version to this one.
type Change struct {
	EventID string    `json:"event_id"`
	Version int64     `json:"version"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Summary string    `json:"summary"`
	Public  Delta     `json:"public"`
	Private Delta     `json:"private"`
}
