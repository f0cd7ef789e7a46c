package store

import (
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// Rows as stored. The domain types stay free of persistence concerns; these map
// them to columns, with lists kept as JSON text.

type eventRow struct {
	ID          string
	Slug        string
	Title       string
	Description string
	StartsAt    time.Time
	EndsAt      *time.Time
	Timezone    string
	Status      string
	Languages   []string           `gorm:"serializer:json"`
	StreamURL   string             `gorm:"column:stream_url"`
	WakingHours agenda.WakingHours `gorm:"serializer:json"`
	Live        agenda.Live        `gorm:"serializer:json"`
	Version     int64
	Revision    int64
	CreatedAt   time.Time
}

func (eventRow) TableName() string { return "events" }

func (r eventRow) domain() (agenda.Event, agenda.Live) {
	return agenda.Event{
		ID: r.ID,
		EventFields: agenda.EventFields{
			Slug: r.Slug, Title: r.Title, Description: r.Description, StartsAt: r.StartsAt.UTC(),
			EndsAt: utcPtr(r.EndsAt), Timezone: r.Timezone, Status: agenda.EventStatus(r.Status),
			Languages: r.Languages, StreamURL: r.StreamURL, WakingHours: r.WakingHours,
		},
		Version: r.Version, Revision: r.Revision, CreatedAt: r.CreatedAt.UTC(),
	}, r.Live
}

func toEventRow(e agenda.Event, live agenda.Live) eventRow {
	return eventRow{
		ID: e.ID, Slug: e.Slug, Title: e.Title, Description: e.Description, StartsAt: e.StartsAt.UTC(),
		EndsAt: utcPtr(e.EndsAt), Timezone: e.Timezone, Status: string(e.Status), Languages: nonNil(e.Languages),
		StreamURL: e.StreamURL, WakingHours: e.WakingHours, Live: live, Version: e.Version,
		Revision: e.Revision, CreatedAt: e.CreatedAt.UTC(),
	}
}

type stageRow struct {
	ID       string
	EventID  string
	Name     string
	Position int
	Revision int64
}

func (stageRow) TableName() string { return "stages" }

type slotRow struct {
	ID              string
	EventID         string
	StageID         string
	Position        int
	Kind            string
	Title           string
	Description     string
	DurationSeconds int
	PinnedStart     *time.Time
	Language        string
	Interpretation  []agenda.Interpretation `gorm:"serializer:json"`
	Revision        int64
}

func (slotRow) TableName() string { return "slots" }

type slotSpeakerRow struct {
	SlotID    string `gorm:"primaryKey"`
	SpeakerID string `gorm:"primaryKey"`
	EventID   string
	Position  int
	Role      string
	Status    string
	Note      string
}

func (slotSpeakerRow) TableName() string { return "slot_speakers" }

type speakerRow struct {
	ID               string
	EventID          string
	Name             string
	Country          string
	OrganizationID   string
	Bio              string
	PhotoURL         string `gorm:"column:photo_url"`
	Timezone         string
	Languages        []string `gorm:"serializer:json"`
	ContactEmail     string
	Notes            string
	HideCountry      bool
	HideOrganization bool
	HidePhoto        bool
	Revision         int64
}

func (speakerRow) TableName() string { return "speakers" }

type organizationRow struct {
	ID       string
	EventID  string
	Name     string
	Country  string
	Kind     string
	URL      string `gorm:"column:url"`
	Revision int64
}

func (organizationRow) TableName() string { return "organizations" }

type changeRow struct {
	EventID string `gorm:"primaryKey"`
	Version int64  `gorm:"primaryKey;autoIncrement:false"`
	At      time.Time
	Actor   string
	Summary string
	Public  agenda.Delta `gorm:"serializer:json"`
	Private agenda.Delta `gorm:"serializer:json"`
}

func (changeRow) TableName() string { return "changes" }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
