package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/tribune-act/tribune/pkg/agenda"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Agenda loads an event's whole agenda at its current version.
func (s *Store) Agenda(ctx context.Context, eventID string) (*agenda.Agenda, error) {
	return s.loadAgenda(s.read.WithContext(ctx), "id = ?", eventID, false)
}

// AgendaBySlug loads an event's whole agenda by its slug.
func (s *Store) AgendaBySlug(ctx context.Context, slug string) (*agenda.Agenda, error) {
	return s.loadAgenda(s.read.WithContext(ctx), "slug = ?", slug, false)
}

// loadAgenda reads the event's row (locked for update when lock is set) and,
// unless the cache holds the agenda at that row's version, the rest of it.
func (s *Store) loadAgenda(db *gorm.DB, where string, arg any, lock bool) (*agenda.Agenda, error) {
	var ev eventRow
	q := db
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Where(where, arg).Take(&ev).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, fmt.Errorf("store: event: %w", agenda.ErrNotFound)
		}
		return nil, fmt.Errorf("store: unable to load event: %w", err)
	}
	if a := s.agendas.get(ev.ID, ev.Version); a != nil {
		return a, nil
	}
	a := &agenda.Agenda{}
	a.Event, a.Live = ev.domain()
	var (
		stages   []stageRow
		slots    []slotRow
		slotSpks []slotSpeakerRow
		speakers []speakerRow
		orgs     []organizationRow
	)
	for _, load := range []struct {
		dest  any
		order string
	}{
		{&stages, "position"}, {&slots, "position"}, {&slotSpks, "slot_id, position"},
		{&speakers, "id"}, {&orgs, "id"},
	} {
		if err := db.Where("event_id = ?", ev.ID).Order(load.order).Find(load.dest).Error; err != nil {
			return nil, fmt.Errorf("store: unable to load agenda: %w", err)
		}
	}
	for _, r := range stages {
		a.Stages = append(a.Stages, agenda.Stage{ID: r.ID, StageFields: agenda.StageFields{Name: r.Name}, Position: r.Position, Revision: r.Revision})
	}
	bySlot := map[string][]agenda.SlotSpeaker{}
	for _, r := range slotSpks {
		bySlot[r.SlotID] = append(bySlot[r.SlotID], agenda.SlotSpeaker{
			SpeakerID: r.SpeakerID, Role: agenda.Role(r.Role), Status: agenda.Invitation(r.Status), Note: r.Note,
		})
	}
	for _, r := range slots {
		a.Slots = append(a.Slots, agenda.Slot{
			ID: r.ID, StageID: r.StageID, Position: r.Position,
			SlotFields: agenda.SlotFields{
				Kind: agenda.SlotKind(r.Kind), Title: r.Title, Description: r.Description,
				DurationSeconds: r.DurationSeconds, PinnedStart: utcPtr(r.PinnedStart),
				Language: r.Language, Interpretation: nonNil(r.Interpretation),
			},
			Speakers: nonNil(bySlot[r.ID]), Revision: r.Revision,
		})
	}
	for _, r := range speakers {
		a.Speakers = append(a.Speakers, agenda.Speaker{ID: r.ID, Revision: r.Revision, SpeakerFields: agenda.SpeakerFields{
			Name: r.Name, Country: r.Country, OrganizationID: r.OrganizationID, Bio: r.Bio, PhotoURL: r.PhotoURL,
			Timezone: r.Timezone, Languages: nonNil(r.Languages), ContactEmail: r.ContactEmail, Notes: r.Notes,
			HideCountry: r.HideCountry, HideOrganization: r.HideOrganization, HidePhoto: r.HidePhoto,
		}})
	}
	for _, r := range orgs {
		a.Organizations = append(a.Organizations, agenda.Organization{ID: r.ID, Revision: r.Revision, OrganizationFields: agenda.OrganizationFields{
			Name: r.Name, Country: r.Country, Kind: agenda.OrganizationKind(r.Kind), URL: r.URL,
		}})
	}
	a.Normalize()
	return a, nil
}

// Edit changes an agenda in place; returning an error commits nothing.
type Edit func(a *agenda.Agenda) error

// Change applies edit to the event's current agenda in one transaction: the
// version rises by one and one change-log row is written, or nothing happens
// (DESIGN invariant 4). An edit that changes nothing commits nothing and returns
// a nil change. After the commit, the change is handed to the OnCommit hook.
func (s *Store) Change(ctx context.Context, eventID, actor, summary string, edit Edit) (*agenda.Agenda, *agenda.Change, error) {
	var after *agenda.Agenda
	var change *agenda.Change
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		before, err := s.loadAgenda(tx, "id = ?", eventID, true)
		if err != nil {
			return err
		}
		after, change, err = s.apply(tx, before, actor, summary, edit)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	s.committed(after, change)
	return after, change, nil
}

// OnCommit adds functions that receive every committed change, after its
// transaction commits, in the order they were added. Two changes may arrive out of
// order; receivers order by version. Receivers must not block.
func (s *Store) OnCommit(fs ...func(*agenda.Agenda, agenda.Change)) {
	prev := s.onCommit
	s.onCommit = func(a *agenda.Agenda, c agenda.Change) {
		if prev != nil {
			prev(a, c)
		}
		for _, f := range fs {
			f(a, c)
		}
	}
}

func (s *Store) committed(a *agenda.Agenda, c *agenda.Change) {
	if c == nil {
		return
	}
	s.agendas.put(a)
	if s.onCommit != nil {
		s.onCommit(a, *c)
	}
}

// apply runs edit on a copy of before and writes what changed.
func (s *Store) apply(tx *gorm.DB, before *agenda.Agenda, actor, summary string, edit Edit) (*agenda.Agenda, *agenda.Change, error) {
	a := before.Clone()
	after := &a
	if err := edit(after); err != nil {
		return nil, nil, err
	}
	after.Normalize()
	version := before.Event.Version + 1
	stampRevisions(before, after, version)
	// The views are functions of the agenda, so an agenda that did not change
	// (revisions included: stamped only on real changes) changes no view.
	if reflect.DeepEqual(before, after) {
		return before, nil, nil
	}
	after.Event.Version = version
	var err error
	change := &agenda.Change{EventID: after.Event.ID, Version: version, At: s.now(), Actor: actor, Summary: summary}
	if change.Public, err = agenda.Diff(before.PublicView(), after.PublicView()); err != nil {
		return nil, nil, fmt.Errorf("store: %w", err)
	}
	if change.Private, err = agenda.Diff(before.OrganizerView(), after.OrganizerView()); err != nil {
		return nil, nil, fmt.Errorf("store: %w", err)
	}
	change.Private.Messages, after.Outbox = after.Outbox, nil
	if err := persist(tx, before, after); err != nil {
		return nil, nil, err
	}
	row := changeRow{
		EventID: change.EventID, Version: change.Version, At: change.At, Actor: actor, Summary: summary,
		Public: change.Public, Private: change.Private,
	}
	if err := tx.Create(&row).Error; err != nil {
		return nil, nil, fmt.Errorf("store: unable to log change: %w", err)
	}
	if s.postgres {
		// Delivered to every instance's listener when, and only if, the transaction commits.
		if err := tx.Exec("SELECT pg_notify(?, ?)", NotifyChannel, fmt.Sprintf("%s:%d", change.EventID, change.Version)).Error; err != nil {
			return nil, nil, fmt.Errorf("store: unable to notify: %w", err)
		}
	}
	return after, change, nil
}

// stampRevisions gives every object whose fields the edit changed the new version
// as its revision. A shift of position alone (a slot inserted above) is not an
// edit of the object and does not make other editors' copies stale.
func stampRevisions(before, after *agenda.Agenda, version int64) {
	if !reflect.DeepEqual(before.Event.EventFields, after.Event.EventFields) {
		after.Event.Revision = version
	}
	if !reflect.DeepEqual(before.Live, after.Live) {
		after.Live.Revision = version
	}
	stamp(before.Stages, after.Stages, func(s *agenda.Stage) (string, *int64, any) {
		return s.ID, &s.Revision, s.StageFields
	}, version)
	stamp(before.Slots, after.Slots, func(s *agenda.Slot) (string, *int64, any) {
		return s.ID, &s.Revision, struct {
			agenda.SlotFields
			Stage    string
			Speakers []agenda.SlotSpeaker
		}{s.SlotFields, s.StageID, s.Speakers}
	}, version)
	stamp(before.Speakers, after.Speakers, func(s *agenda.Speaker) (string, *int64, any) {
		return s.ID, &s.Revision, s.SpeakerFields
	}, version)
	stamp(before.Organizations, after.Organizations, func(o *agenda.Organization) (string, *int64, any) {
		return o.ID, &o.Revision, o.OrganizationFields
	}, version)
}

func stamp[T any](before, after []T, parts func(*T) (id string, rev *int64, fields any), version int64) {
	old := make(map[string]any, len(before))
	for i := range before {
		id, _, f := parts(&before[i])
		old[id] = f
	}
	for i := range after {
		id, rev, f := parts(&after[i])
		if prev, ok := old[id]; !ok || !reflect.DeepEqual(prev, f) {
			*rev = version
		}
	}
}

// persist writes the rows that differ between before and after.
func persist(tx *gorm.DB, before, after *agenda.Agenda) error {
	eventID := after.Event.ID
	ev := toEventRow(after.Event, after.Live)
	var err error
	if before.Event.Version == 0 {
		err = tx.Create(&ev).Error
	} else {
		res := tx.Model(&eventRow{}).Where("id = ? AND version = ?", eventID, before.Event.Version).Select("*").Updates(&ev)
		err = res.Error
		if err == nil && res.RowsAffected != 1 {
			err = fmt.Errorf("store: event %s changed concurrently: %w", eventID, ErrConflict)
		}
	}
	if uniqueViolation(err) {
		return agenda.Invalid("slug", "%q is taken by another event", after.Event.Slug)
	}
	if err != nil {
		return fmt.Errorf("store: unable to save event: %w", err)
	}
	b, a := rowsOf(before), rowsOf(after)
	// Parents are written before their children and deleted after them, so
	// foreign keys hold at every statement.
	steps := []func() error{
		func() error { return upsert(tx, b.orgs, a.orgs) },
		func() error { return upsert(tx, b.stages, a.stages) },
		func() error { return upsert(tx, b.speakers, a.speakers) },
		func() error { return upsert(tx, b.slots, a.slots) },
		func() error { return remove(tx, b.slotSpeakers, a.slotSpeakers) },
		func() error { return upsert(tx, b.slotSpeakers, a.slotSpeakers) },
		func() error { return remove(tx, b.slots, a.slots) },
		func() error { return remove(tx, b.speakers, a.speakers) },
		func() error { return remove(tx, b.stages, a.stages) },
		func() error { return remove(tx, b.orgs, a.orgs) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("store: unable to save agenda: %w", err)
		}
	}
	return nil
}

// keyed is a row with a primary key that can be matched across two versions.
type keyed interface {
	key() string
	where() (string, []any)
}

func (r organizationRow) key() string            { return r.ID }
func (r organizationRow) where() (string, []any) { return "id = ?", []any{r.ID} }
func (r stageRow) key() string                   { return r.ID }
func (r stageRow) where() (string, []any)        { return "id = ?", []any{r.ID} }
func (r speakerRow) key() string                 { return r.ID }
func (r speakerRow) where() (string, []any)      { return "id = ?", []any{r.ID} }
func (r slotRow) key() string                    { return r.ID }
func (r slotRow) where() (string, []any)         { return "id = ?", []any{r.ID} }
func (r slotSpeakerRow) key() string             { return r.SlotID + "/" + r.SpeakerID }
func (r slotSpeakerRow) where() (string, []any) {
	return "slot_id = ? AND speaker_id = ?", []any{r.SlotID, r.SpeakerID}
}

// upsert writes the rows of after that are new or differ from before.
func upsert[R keyed](tx *gorm.DB, before, after []R) error {
	old := make(map[string]R, len(before))
	for _, r := range before {
		old[r.key()] = r
	}
	var write []R
	for _, r := range after {
		if prev, ok := old[r.key()]; !ok || !reflect.DeepEqual(prev, r) {
			write = append(write, r)
		}
	}
	if len(write) == 0 {
		return nil
	}
	return tx.Clauses(clause.OnConflict{UpdateAll: true}).CreateInBatches(&write, 100).Error
}

// remove deletes the rows of before that after no longer has.
func remove[R keyed](tx *gorm.DB, before, after []R) error {
	keep := make(map[string]bool, len(after))
	for _, r := range after {
		keep[r.key()] = true
	}
	for _, r := range before {
		if keep[r.key()] {
			continue
		}
		q, args := r.where()
		var zero R
		if err := tx.Where(q, args...).Delete(&zero).Error; err != nil {
			return err
		}
	}
	return nil
}

type agendaRows struct {
	orgs         []organizationRow
	stages       []stageRow
	speakers     []speakerRow
	slots        []slotRow
	slotSpeakers []slotSpeakerRow
}

func rowsOf(a *agenda.Agenda) agendaRows {
	id := a.Event.ID
	var r agendaRows
	for _, o := range a.Organizations {
		r.orgs = append(r.orgs, organizationRow{ID: o.ID, EventID: id, Name: o.Name, Country: o.Country, Kind: string(o.Kind), URL: o.URL, Revision: o.Revision})
	}
	for _, st := range a.Stages {
		r.stages = append(r.stages, stageRow{ID: st.ID, EventID: id, Name: st.Name, Position: st.Position, Revision: st.Revision})
	}
	for _, sp := range a.Speakers {
		r.speakers = append(r.speakers, speakerRow{
			ID: sp.ID, EventID: id, Name: sp.Name, Country: sp.Country, OrganizationID: sp.OrganizationID,
			Bio: sp.Bio, PhotoURL: sp.PhotoURL, Timezone: sp.Timezone, Languages: nonNil(sp.Languages),
			ContactEmail: sp.ContactEmail, Notes: sp.Notes, HideCountry: sp.HideCountry,
			HideOrganization: sp.HideOrganization, HidePhoto: sp.HidePhoto, Revision: sp.Revision,
		})
	}
	for _, s := range a.Slots {
		r.slots = append(r.slots, slotRow{
			ID: s.ID, EventID: id, StageID: s.StageID, Position: s.Position, Kind: string(s.Kind), Title: s.Title,
			Description: s.Description, DurationSeconds: s.DurationSeconds, PinnedStart: utcPtr(s.PinnedStart),
			Language: s.Language, Interpretation: nonNil(s.Interpretation), Revision: s.Revision,
		})
		for i, ss := range s.Speakers {
			r.slotSpeakers = append(r.slotSpeakers, slotSpeakerRow{
				SlotID: s.ID, SpeakerID: ss.SpeakerID, EventID: id, Position: i, Role: string(ss.Role), Status: string(ss.Status), Note: ss.Note,
			})
		}
	}
	return r
}
