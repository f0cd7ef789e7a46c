// Package agenda is Tribune's domain: the act, its stages, slots, speakers and
// organizations, and the rules computed from them (running-order times, live
// projection, warnings, balance). It is pure: no I/O, no HTTP, no database.
package agenda

import (
	"errors"
	"time"
)

// ErrNotFound is returned when an object does not exist (or is not visible to the caller).
var ErrNotFound = errors.New("not found")

// EventStatus is the publication state of an event.
type EventStatus string

const (
	StatusDraft     EventStatus = "draft"
	StatusPublished EventStatus = "published"
	StatusEnded     EventStatus = "ended"
)

// SlotKind says what happens in a slot.
type SlotKind string

const (
	KindSpeech     SlotKind = "speech"
	KindPanel      SlotKind = "panel"
	KindVideo      SlotKind = "video"
	KindMusic      SlotKind = "music"
	KindModeration SlotKind = "moderation"
	KindBreak      SlotKind = "break"
	KindOther      SlotKind = "other"
)

// Role is a speaker's part in a slot.
type Role string

const (
	RoleSpeaker   Role = "speaker"
	RoleModerator Role = "moderator"
)

// Invitation is a speaker's answer for one slot.
type Invitation string

const (
	Invited   Invitation = "invited"
	Confirmed Invitation = "confirmed"
	Declined  Invitation = "declined"
)

// OrganizationKind classifies an organization.
type OrganizationKind string

const (
	OrgParty    OrganizationKind = "party"
	OrgUnion    OrganizationKind = "union"
	OrgMovement OrganizationKind = "movement"
	OrgNGO      OrganizationKind = "ngo"
	OrgMedia    OrganizationKind = "media"
	OrgOther    OrganizationKind = "other"
)

// MemberRole is an organizer's power over one event, from most to least.
type MemberRole string

const (
	MemberOwner  MemberRole = "owner"
	MemberEditor MemberRole = "editor"
	MemberStage  MemberRole = "stage"
)

// Event is the act itself. Version counts committed changes (DESIGN invariant 4);
// Revision is the version at which the event's own fields last changed.
type Event struct {
	ID string `json:"id"`
	EventFields
	Version   int64     `json:"version"`
	Revision  int64     `json:"revision"`
	CreatedAt time.Time `json:"created_at"`
}

// EventFields are the event's editable fields.
type EventFields struct {
	Slug        string      `json:"slug"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	StartsAt    time.Time   `json:"starts_at"`
	EndsAt      *time.Time  `json:"ends_at"`
	Timezone    string      `json:"timezone"`
	Status      EventStatus `json:"status"`
	Languages   []string    `json:"languages"`
	StreamURL   string      `json:"stream_url"`
	WakingHours WakingHours `json:"waking_hours"`
}

// WakingHours is the local time-of-day window, in the speaker's own timezone, in
// which a speaker may reasonably be asked to speak: "07:00" to "23:00" by default.
type WakingHours struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// DefaultWakingHours is 07:00–23:00.
var DefaultWakingHours = WakingHours{From: "07:00", To: "23:00"}

// Stage is one stream of the act with its own running order.
type Stage struct {
	ID string `json:"id"`
	StageFields
	Position int   `json:"position"`
	Revision int64 `json:"revision"`
}

// StageFields are the stage's editable fields.
type StageFields struct {
	Name string `json:"name"`
}

// Interpretation is a channel where the slot can be followed in another language.
type Interpretation struct {
	Language string `json:"language"`
	URL      string `json:"url"`
}

// SlotSpeaker is one speaker's place in a slot and their answer to the invitation.
type SlotSpeaker struct {
	SpeakerID string     `json:"speaker_id"`
	Role      Role       `json:"role"`
	Status    Invitation `json:"status"`
	Note      string     `json:"note"`
}

// Slot is one item of a stage's running order. PlannedStart and PlannedEnd are
// computed (DESIGN invariant 2), never stored.
type Slot struct {
	ID       string `json:"id"`
	StageID  string `json:"stage_id"`
	Position int    `json:"position"`
	SlotFields
	Speakers     []SlotSpeaker `json:"speakers"`
	PlannedStart time.Time     `json:"planned_start"`
	PlannedEnd   time.Time     `json:"planned_end"`
	Revision     int64         `json:"revision"`
}

// SlotFields are the slot's editable fields.
type SlotFields struct {
	Kind            SlotKind         `json:"kind"`
	Title           string           `json:"title"`
	Description     string           `json:"description"`
	DurationSeconds int              `json:"duration_seconds"`
	PinnedStart     *time.Time       `json:"pinned_start"`
	Language        string           `json:"language"`
	Interpretation  []Interpretation `json:"interpretation"`
}

// Duration is the slot's planned length.
func (s Slot) Duration() time.Duration { return time.Duration(s.DurationSeconds) * time.Second }

// Speaker is a person who speaks in the act. Name is the public name; ContactEmail,
// Notes and whatever the Hide* flags cover never reach a public surface.
type Speaker struct {
	ID string `json:"id"`
	SpeakerFields
	Revision int64 `json:"revision"`
}

// SpeakerFields are the speaker's editable fields.
type SpeakerFields struct {
	Name             string   `json:"name"`
	Country          string   `json:"country"`
	OrganizationID   string   `json:"organization_id"`
	Bio              string   `json:"bio"`
	PhotoURL         string   `json:"photo_url"`
	Timezone         string   `json:"timezone"`
	Languages        []string `json:"languages"`
	ContactEmail     string   `json:"contact_email"`
	Notes            string   `json:"notes"`
	HideCountry      bool     `json:"hide_country"`
	HideOrganization bool     `json:"hide_organization"`
	HidePhoto        bool     `json:"hide_photo"`
}

// Organization is a party, union, movement or other body that speakers come from.
type Organization struct {
	ID string `json:"id"`
	OrganizationFields
	Revision int64 `json:"revision"`
}

// OrganizationFields are the organization's editable fields.
type OrganizationFields struct {
	Name    string           `json:"name"`
	Country string           `json:"country"`
	Kind    OrganizationKind `json:"kind"`
	URL     string           `json:"url"`
}

// Member gives a user power over one event.
type Member struct {
	EventID string     `json:"event_id"`
	UserID  string     `json:"user_id"`
	Email   string     `json:"email"`
	Role    MemberRole `json:"role"`
}

// Agenda is everything that makes up one event at one version: the unit that
// changes commit against and that feeds, exports and pages are built from.
type Agenda struct {
	Event         Event
	Stages        []Stage
	Slots         []Slot
	Speakers      []Speaker
	Organizations []Organization
	Live          Live
	// Outbox holds the stage messages sent by the change being made; the store
	// moves them into that change's private delta. They are not agenda state.
	Outbox []StageMessage
}

// LiveState is where the show is.
type LiveState string

const (
	LiveIdle    LiveState = "idle"
	LiveRunning LiveState = "running"
	LivePaused  LiveState = "paused"
	LiveEnded   LiveState = "ended"
)

// Public reports whether the public may see the event: published, or ended.
func (e Event) Public() bool { return e.Status == StatusPublished || e.Status == StatusEnded }

// LinkGrace is how long after the act a speaker's personal link keeps working.
const LinkGrace = 24 * time.Hour

// LinkExpiry is when speakers' personal links stop working: a day after the act
// ends (or a day after its first day, when it has no end).
func (e Event) LinkExpiry() time.Time {
	end := e.StartsAt.Add(24 * time.Hour)
	if e.EndsAt != nil {
		end = *e.EndsAt
	}
	return end.Add(LinkGrace)
}
