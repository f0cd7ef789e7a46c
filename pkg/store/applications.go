package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The open call keeps its settings and applications in tables of its own: an
// application is not part of the agenda until it is accepted, and accepting it
// changes the agenda through the same one-transaction, one-version path as
// every other change.

var (
	// ErrEmailLimit means an e-mail address sent as many applications as it may for now.
	ErrEmailLimit = errors.New("too many applications with this e-mail address; the organizers will review the ones they have")
	// ErrQueueFull means the review queue holds as many unreviewed applications as it may.
	ErrQueueFull = errors.New("the call is receiving too many applications; try again later")
)

type callRow struct {
	EventID        string `gorm:"primaryKey"`
	OpensAt        *time.Time
	ClosesAt       *time.Time
	ConsentVersion string
	ConsentText    string
	Revision       int64
	UpdatedBy      string
	UpdatedAt      time.Time
}

func (callRow) TableName() string { return "calls" }

// Call reads an event's open call; an event whose organizers never set one has
// a closed call with the default consent text.
func (s *Store) Call(ctx context.Context, eventID string) (agenda.Call, error) {
	return readCall(s.read.WithContext(ctx), eventID)
}

func readCall(db *gorm.DB, eventID string) (agenda.Call, error) {
	var r callRow
	err := db.Where("event_id = ?", eventID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return agenda.Call{CallFields: agenda.CallFields{ConsentVersion: agenda.DefaultConsentVersion}}, nil
	}
	if err != nil {
		return agenda.Call{}, fmt.Errorf("store: unable to read call: %w", err)
	}
	return agenda.Call{Revision: r.Revision, CallFields: agenda.CallFields{
		OpensAt: utcPtr(r.OpensAt), ClosesAt: utcPtr(r.ClosesAt), ConsentVersion: r.ConsentVersion, ConsentText: r.ConsentText,
	}}, nil
}

// EditCall changes an event's open call in one transaction; edit sees the call
// as it is and returns an error to change nothing. Each edit raises the call's revision.
func (s *Store) EditCall(ctx context.Context, eventID, actor string, edit func(*agenda.Call) error) (agenda.Call, error) {
	var out agenda.Call
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := notFound(tx.Select("id").Where("id = ?", eventID).Take(&eventRow{}).Error, "event"); err != nil {
			return err
		}
		c, err := readCall(tx, eventID)
		if err != nil {
			return err
		}
		if err := edit(&c); err != nil {
			return err
		}
		if err := c.Validate(); err != nil {
			return err
		}
		c.Revision++
		out = c
		row := callRow{EventID: eventID, OpensAt: utcPtr(c.OpensAt), ClosesAt: utcPtr(c.ClosesAt), ConsentVersion: c.ConsentVersion,
			ConsentText: c.ConsentText, Revision: c.Revision, UpdatedBy: actor, UpdatedAt: s.now()}
		return tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error
	})
	return out, err
}

// Application is one answer to an event's open call and where it stands in review.
// The confirmation token's hash never leaves the store.
type Application struct {
	ID      string `json:"id"`
	EventID string `json:"event_id"`
	agenda.ApplicationFields
	Status agenda.ApplicationStatus `json:"status"`
	// ConfirmedAt is when the applicant confirmed their e-mail address.
	ConfirmedAt *time.Time `json:"confirmed_at"`
	// DuplicateOf is the earliest other application with the same e-mail address,
	// or the same organization (normalized name and country), when it was received.
	DuplicateOf string `json:"duplicate_of"`
	MergedInto  string `json:"merged_into"`
	// What accepting it made or linked in the agenda.
	OrganizationID   string     `json:"organization_id"`
	SpeakerID        string     `json:"speaker_id"`
	SlotID           string     `json:"slot_id"`
	DecisionNote     string     `json:"decision_note"`
	DecidedBy        string     `json:"decided_by"`
	DecidedAt        *time.Time `json:"decided_at"`
	CreatedAt        time.Time  `json:"created_at"`
	ConfirmHash      string     `json:"-"`
	ConfirmExpiresAt *time.Time `json:"-"`
}

type applicationRow struct {
	ID               string
	EventID          string
	Status           string
	OrganizationName string
	NameKey          string
	Country          string
	Kind             string
	Website          string
	ContactName      string
	ContactEmail     string
	EmailKey         string
	Endorse          bool
	ShowPublicly     bool
	WantsSlot        bool
	SpeakerName      string
	SpeakerLanguage  string
	SpeakerTimezone  string
	Note             string
	ConsentVersion   string
	Locale           string
	DuplicateOf      string
	MergedInto       string
	OrganizationID   string
	SpeakerID        string
	SlotID           string
	DecisionNote     string
	DecidedBy        string
	DecidedAt        *time.Time
	ConfirmHash      *string
	ConfirmExpiresAt *time.Time
	ConfirmedAt      *time.Time
	CreatedAt        time.Time
}

func (applicationRow) TableName() string { return "applications" }

func (r applicationRow) domain() Application {
	a := Application{
		ID: r.ID, EventID: r.EventID, Status: agenda.ApplicationStatus(r.Status),
		ApplicationFields: agenda.ApplicationFields{
			OrganizationName: r.OrganizationName, Country: r.Country, Kind: agenda.OrganizationKind(r.Kind), Website: r.Website,
			ContactName: r.ContactName, ContactEmail: r.ContactEmail, Endorse: r.Endorse, ShowPublicly: r.ShowPublicly,
			WantsSlot: r.WantsSlot, SpeakerName: r.SpeakerName, SpeakerLanguage: r.SpeakerLanguage, SpeakerTimezone: r.SpeakerTimezone,
			Note: r.Note, Consent: true, ConsentVersion: r.ConsentVersion, Locale: r.Locale,
		},
		ConfirmedAt: utcPtr(r.ConfirmedAt), DuplicateOf: r.DuplicateOf, MergedInto: r.MergedInto,
		OrganizationID: r.OrganizationID, SpeakerID: r.SpeakerID, SlotID: r.SlotID,
		DecisionNote: r.DecisionNote, DecidedBy: r.DecidedBy, DecidedAt: utcPtr(r.DecidedAt), CreatedAt: r.CreatedAt.UTC(),
		ConfirmExpiresAt: utcPtr(r.ConfirmExpiresAt),
	}
	if r.ConfirmHash != nil {
		a.ConfirmHash = *r.ConfirmHash
	}
	return a
}

func toApplicationRow(a Application) applicationRow {
	r := applicationRow{
		ID: a.ID, EventID: a.EventID, Status: string(a.Status), OrganizationName: a.OrganizationName,
		NameKey: agenda.NormalizeName(a.OrganizationName), Country: a.Country, Kind: string(a.Kind), Website: a.Website,
		ContactName: a.ContactName, ContactEmail: a.ContactEmail, EmailKey: agenda.NormalizeEmail(a.ContactEmail),
		Endorse: a.Endorse, ShowPublicly: a.ShowPublicly, WantsSlot: a.WantsSlot, SpeakerName: a.SpeakerName,
		SpeakerLanguage: a.SpeakerLanguage, SpeakerTimezone: a.SpeakerTimezone, Note: a.Note,
		ConsentVersion: a.ConsentVersion, Locale: a.Locale, DuplicateOf: a.DuplicateOf, MergedInto: a.MergedInto,
		OrganizationID: a.OrganizationID, SpeakerID: a.SpeakerID, SlotID: a.SlotID, DecisionNote: a.DecisionNote,
		DecidedBy: a.DecidedBy, DecidedAt: utcPtr(a.DecidedAt), ConfirmExpiresAt: utcPtr(a.ConfirmExpiresAt),
		ConfirmedAt: utcPtr(a.ConfirmedAt), CreatedAt: a.CreatedAt.UTC(),
	}
	if a.ConfirmHash != "" {
		h := a.ConfirmHash
		r.ConfirmHash = &h
	}
	return r
}

// SubmitLimits bound what the public can put in one event's review queue.
type SubmitLimits struct {
	// PerEmail applications with one address within PerEmailWindow.
	PerEmail       int
	PerEmailWindow time.Duration
	// Open is the most unreviewed (unconfirmed, pending or spam) applications an event holds.
	Open int
}

// openStatuses are the applications nobody has decided on yet, spam included.
var openStatuses = []string{string(agenda.AppUnconfirmed), string(agenda.AppPending), string(agenda.AppSpam)}

// SubmitApplication stores a new application, noting the earliest earlier one it
// duplicates. It refuses with ErrEmailLimit or ErrQueueFull, storing nothing.
func (s *Store) SubmitApplication(ctx context.Context, app Application, lim SubmitLimits) (Application, error) {
	app.CreatedAt = s.now()
	row := toApplicationRow(app)
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		err := tx.Model(&applicationRow{}).Where("event_id = ? AND email_key = ? AND created_at >= ?",
			row.EventID, row.EmailKey, app.CreatedAt.Add(-lim.PerEmailWindow)).Count(&n).Error
		if err != nil {
			return err
		}
		if lim.PerEmail > 0 && n >= int64(lim.PerEmail) {
			return ErrEmailLimit
		}
		if err := tx.Model(&applicationRow{}).Where("event_id = ? AND status IN ?", row.EventID, openStatuses).Count(&n).Error; err != nil {
			return err
		}
		if lim.Open > 0 && n >= int64(lim.Open) {
			return ErrQueueFull
		}
		if row.Status != string(agenda.AppSpam) {
			var dup []applicationRow
			err := tx.Select("id").Where("event_id = ? AND status NOT IN ? AND ((name_key = ? AND country = ?) OR email_key = ?)",
				row.EventID, []string{string(agenda.AppMerged), string(agenda.AppSpam)}, row.NameKey, row.Country, row.EmailKey).
				Order("id").Limit(1).Find(&dup).Error
			if err != nil {
				return err
			}
			if len(dup) > 0 {
				row.DuplicateOf = dup[0].ID
			}
		}
		return tx.Create(&row).Error
	})
	if errors.Is(err, ErrEmailLimit) || errors.Is(err, ErrQueueFull) {
		return Application{}, err
	}
	if err != nil {
		return Application{}, fmt.Errorf("store: unable to store application: %w", err)
	}
	return row.domain(), nil
}

// ApplicationByConfirmHash finds the application an unexpired confirmation
// token belongs to, and its event.
func (s *Store) ApplicationByConfirmHash(ctx context.Context, hash string) (Application, agenda.Event, error) {
	var r applicationRow
	db := s.read.WithContext(ctx)
	err := db.Where("confirm_hash = ? AND confirm_expires_at > ?", hash, s.now()).Take(&r).Error
	if err := notFound(err, "application"); err != nil {
		return Application{}, agenda.Event{}, err
	}
	e, err := eventOf(db, r.EventID)
	return r.domain(), e, err
}

// ConfirmApplication uses a confirmation token, once: the address is confirmed
// and an unconfirmed application moves on to review. A used, expired or unknown
// token is agenda.ErrNotFound.
func (s *Store) ConfirmApplication(ctx context.Context, hash string) (Application, agenda.Event, error) {
	var out Application
	var e agenda.Event
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r applicationRow
		now := s.now()
		err := tx.Where("confirm_hash = ? AND confirm_expires_at > ?", hash, now).Take(&r).Error
		if err := notFound(err, "application"); err != nil {
			return err
		}
		r.ConfirmHash, r.ConfirmExpiresAt, r.ConfirmedAt = nil, nil, &now
		if r.Status == string(agenda.AppUnconfirmed) {
			r.Status = string(agenda.AppPending)
		}
		out = r.domain()
		if e, err = eventOf(tx, r.EventID); err != nil {
			return err
		}
		return saveApplication(tx, r)
	})
	return out, e, err
}

func saveApplication(tx *gorm.DB, r applicationRow) error {
	res := tx.Model(&applicationRow{}).Where("id = ?", r.ID).Select("*").Updates(&r)
	if res.Error != nil {
		return fmt.Errorf("store: unable to save application: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("store: application: %w", agenda.ErrNotFound)
	}
	return nil
}

// ApplicationFilter selects applications of one event. Empty fields select all.
type ApplicationFilter struct {
	Statuses []agenda.ApplicationStatus
	// Countries, when not nil, lists the countries to select (empty: none).
	Countries []string
	Kind      agenda.OrganizationKind
	// After is the id of the last application of the previous page; ids rise with time.
	After string
	Limit int
}

// Applications lists one event's applications, oldest first, and how many match in all.
func (s *Store) Applications(ctx context.Context, eventID string, f ApplicationFilter) ([]Application, int64, error) {
	q := s.read.WithContext(ctx).Model(&applicationRow{}).Where("event_id = ?", eventID)
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", f.Statuses)
	}
	if f.Countries != nil {
		if len(f.Countries) == 0 {
			return []Application{}, 0, nil
		}
		q = q.Where("country IN ?", f.Countries)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", string(f.Kind))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: unable to count applications: %w", err)
	}
	if f.After != "" {
		q = q.Where("id > ?", f.After)
	}
	var rows []applicationRow
	if err := q.Order("id").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: unable to list applications: %w", err)
	}
	out := make([]Application, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, total, nil
}

// Application reads one application of an event.
func (s *Store) Application(ctx context.Context, eventID, id string) (Application, error) {
	r, err := lockApplication(s.read.WithContext(ctx), eventID, id, false)
	return r.domain(), err
}

func lockApplication(db *gorm.DB, eventID, id string, lock bool) (applicationRow, error) {
	var r applicationRow
	if lock {
		db = db.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := notFound(db.Where("event_id = ? AND id = ?", eventID, id).Take(&r).Error, "application")
	return r, err
}

// DecideApplication makes one decision on an application in one transaction:
// decide sees the event's agenda and the application, and may change both. The
// agenda's change, if any, is one version and one change-log row, as with
// Change; the application's new state is written with it, or nothing is.
func (s *Store) DecideApplication(ctx context.Context, eventID, id, actor, summary string,
	decide func(a *agenda.Agenda, app *Application) error) (Application, *agenda.Change, error) {
	var after *agenda.Agenda
	var change *agenda.Change
	var app Application
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		before, err := s.loadAgenda(tx, "id = ?", eventID, true)
		if err != nil {
			return err
		}
		r, err := lockApplication(tx, eventID, id, true)
		if err != nil {
			return err
		}
		app = r.domain()
		after, change, err = s.apply(tx, before, actor, summary, func(a *agenda.Agenda) error { return decide(a, &app) })
		if err != nil {
			return err
		}
		return saveApplication(tx, toApplicationRow(app))
	})
	if err != nil {
		return Application{}, nil, err
	}
	s.committed(after, change)
	return app, change, nil
}

// UpdateApplications changes applications of one event without changing its
// agenda (a decline, a merge) in one transaction; edit gets them, locked, in the
// order of ids (which must differ), and returns an error to change nothing.
func (s *Store) UpdateApplications(ctx context.Context, eventID string, ids []string, edit func(apps []*Application) error) ([]Application, error) {
	var out []Application
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Rows are locked in the order of their ids, so two updates never wait on each other.
		order := slices.Clone(ids)
		slices.Sort(order)
		locked := map[string]*Application{}
		for _, id := range order {
			r, err := lockApplication(tx, eventID, id, true)
			if err != nil {
				return err
			}
			a := r.domain()
			locked[id] = &a
		}
		apps := make([]*Application, len(ids))
		for i, id := range ids {
			apps[i] = locked[id]
		}
		if err := edit(apps); err != nil {
			return err
		}
		out = out[:0]
		for _, a := range apps {
			if err := saveApplication(tx, toApplicationRow(*a)); err != nil {
				return err
			}
			out = append(out, *a)
		}
		return nil
	})
	return out, err
}

// ClearApplications deletes an event's applications in the given statuses that
// arrived from since (until until, when set), in one statement, and returns how many.
func (s *Store) ClearApplications(ctx context.Context, eventID string, statuses []agenda.ApplicationStatus, since time.Time, until *time.Time) (int64, error) {
	var n int64
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		match := func(q *gorm.DB) *gorm.DB {
			q = q.Where("event_id = ? AND status IN ? AND created_at >= ?", eventID, statuses, since.UTC())
			if until != nil {
				q = q.Where("created_at < ?", until.UTC())
			}
			return q
		}
		// Applications that pointed at a deleted one as their duplicate no longer do.
		doomed := match(tx.Model(&applicationRow{}).Select("id"))
		if err := tx.Model(&applicationRow{}).Where("event_id = ? AND duplicate_of IN (?)", eventID, doomed).
			Update("duplicate_of", "").Error; err != nil {
			return err
		}
		res := match(tx).Delete(&applicationRow{})
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to clear applications: %w", err)
	}
	return n, nil
}

// Endorsers lists an event's accepted endorsements that may be named, as the
// public sees them, and counts those that agreed only to be counted. A named
// endorsement shows its organization as the agenda has it now (organizers may
// have corrected it), or as the application gave it when it has none.
func (s *Store) Endorsers(ctx context.Context, eventID string) ([]agenda.Endorser, int, error) {
	var rows []struct {
		ShowPublicly                             bool
		OrganizationName, Kind, Country, Website string
		OrgName, OrgKind, OrgCountry, OrgURL     *string
	}
	err := s.read.WithContext(ctx).Table("applications AS a").
		Select("a.show_publicly, a.organization_name, a.kind, a.country, a.website, "+
			"o.name AS org_name, o.kind AS org_kind, o.country AS org_country, o.url AS org_url").
		Joins("LEFT JOIN organizations AS o ON o.id = a.organization_id AND o.event_id = a.event_id").
		Where("a.event_id = ? AND a.status = ? AND a.endorse = ?", eventID, string(agenda.AppAccepted), true).
		Order("a.id").Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list endorsers: %w", err)
	}
	shown, anonymous := []agenda.Endorser{}, 0
	for _, r := range rows {
		if !r.ShowPublicly {
			anonymous++
			continue
		}
		e := agenda.Endorser{Name: r.OrganizationName, Kind: agenda.OrganizationKind(r.Kind), Country: r.Country, URL: r.Website}
		if r.OrgName != nil {
			e = agenda.Endorser{Name: *r.OrgName, Kind: agenda.OrganizationKind(*r.OrgKind), Country: *r.OrgCountry, URL: *r.OrgURL}
		}
		shown = append(shown, e)
	}
	return shown, anonymous, nil
}

func eventOf(db *gorm.DB, id string) (agenda.Event, error) {
	var r eventRow
	if err := notFound(db.Where("id = ?", id).Take(&r).Error, "event"); err != nil {
		return agenda.Event{}, err
	}
	e, _ := r.domain()
	return e, nil
}
