package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
	"gorm.io/gorm"
)

// User is an organizer account. Admin users have power over every event.
type User struct {
	ID           string
	Email        string
	PasswordHash string
	Admin        bool
	CreatedAt    time.Time
}

func (User) TableName() string { return "users" }

type apiTokenRow struct {
	ID        string
	UserID    string
	Name      string
	TokenHash string
	CreatedAt time.Time
}

func (apiTokenRow) TableName() string { return "api_tokens" }

type memberRow struct {
	EventID string `gorm:"primaryKey"`
	UserID  string `gorm:"primaryKey"`
	Role    string
}

func (memberRow) TableName() string { return "members" }

// CreateUser adds an organizer account; the e-mail is kept lower-cased.
func (s *Store) CreateUser(ctx context.Context, email, passwordHash string, admin bool) (User, error) {
	u := User{ID: NewID(), Email: strings.ToLower(strings.TrimSpace(email)), PasswordHash: passwordHash, Admin: admin, CreatedAt: s.now()}
	if err := s.write.WithContext(ctx).Create(&u).Error; err != nil {
		if uniqueViolation(err) {
			return User{}, fmt.Errorf("store: user %s exists: %w", u.Email, ErrConflict)
		}
		return User{}, fmt.Errorf("store: unable to create user: %w", err)
	}
	return u, nil
}

// UserByEmail finds a user by e-mail.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	err := s.read.WithContext(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&u).Error
	return u, notFound(err, "user")
}

// CreateAPIToken stores the hash of a new personal API token.
func (s *Store) CreateAPIToken(ctx context.Context, userID, name, tokenHash string) error {
	t := apiTokenRow{ID: NewID(), UserID: userID, Name: name, TokenHash: tokenHash, CreatedAt: s.now()}
	if err := s.write.WithContext(ctx).Create(&t).Error; err != nil {
		return fmt.Errorf("store: unable to create token: %w", err)
	}
	return nil
}

// UserByTokenHash finds the user a personal API token belongs to.
func (s *Store) UserByTokenHash(ctx context.Context, tokenHash string) (User, error) {
	var u User
	err := s.read.WithContext(ctx).
		Joins("JOIN api_tokens ON api_tokens.user_id = users.id").
		Where("api_tokens.token_hash = ?", tokenHash).Take(&u).Error
	return u, notFound(err, "token")
}

// MaxEvents is the most events one instance holds.
const MaxEvents = 10000

// CreateEvent creates an event whose first owner is ownerID, as the event's first change.
func (s *Store) CreateEvent(ctx context.Context, ownerID string, f agenda.EventFields) (*agenda.Agenda, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	id := NewID()
	var after *agenda.Agenda
	var change *agenda.Change
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&eventRow{}).Count(&n).Error; err != nil {
			return err
		}
		if n >= MaxEvents {
			return fmt.Errorf("store: this instance holds at most %d events: %w", MaxEvents, ErrConflict)
		}
		blank := &agenda.Agenda{Event: agenda.Event{ID: id, CreatedAt: s.now()}}
		var err error
		after, change, err = s.apply(tx, blank, ownerID, "event.create", func(a *agenda.Agenda) error {
			return a.UpdateEvent(f)
		})
		if err != nil {
			return err
		}
		return tx.Create(&memberRow{EventID: id, UserID: ownerID, Role: string(agenda.MemberOwner)}).Error
	})
	if err != nil {
		return nil, err
	}
	s.committed(after, change)
	return after, nil
}

// DeleteEvent removes an event and everything in it. With an expected revision,
// it refuses (agenda.ErrStale) when the event's fields changed since.
func (s *Store) DeleteEvent(ctx context.Context, id string, expectedRevision *int64) error {
	return s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ev eventRow
		if err := notFound(tx.Where("id = ?", id).Take(&ev).Error, "event"); err != nil {
			return err
		}
		if err := agenda.CheckRevision(ev.Revision, expectedRevision); err != nil {
			return err
		}
		if err := tx.Where("id = ?", id).Delete(&eventRow{}).Error; err != nil {
			return fmt.Errorf("store: unable to delete event: %w", err)
		}
		return nil
	})
}

// Events lists the events a user is a member of, or every event for an admin.
func (s *Store) Events(ctx context.Context, u User) ([]agenda.Event, error) {
	q := s.read.WithContext(ctx).Order("starts_at, id")
	if !u.Admin {
		q = q.Where("id IN (SELECT event_id FROM members WHERE user_id = ?)", u.ID)
	}
	return s.events(q)
}

// PublishedEvents lists the events the public may see.
func (s *Store) PublishedEvents(ctx context.Context) ([]agenda.Event, error) {
	return s.events(s.read.WithContext(ctx).Where("status IN ?", []string{string(agenda.StatusPublished), string(agenda.StatusEnded)}).Order("starts_at, id"))
}

func (s *Store) events(q *gorm.DB) ([]agenda.Event, error) {
	var rows []eventRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list events: %w", err)
	}
	out := make([]agenda.Event, len(rows))
	for i, r := range rows {
		out[i], _ = r.domain()
	}
	return out, nil
}

// Role returns a user's role in an event, or ErrNotFound when they have none.
func (s *Store) Role(ctx context.Context, eventID, userID string) (agenda.MemberRole, error) {
	var m memberRow
	err := s.read.WithContext(ctx).Where("event_id = ? AND user_id = ?", eventID, userID).Take(&m).Error
	return agenda.MemberRole(m.Role), notFound(err, "member")
}

// Members lists an event's members.
func (s *Store) Members(ctx context.Context, eventID string) ([]agenda.Member, error) {
	var out []agenda.Member
	err := s.read.WithContext(ctx).Table("members").
		Select("members.event_id, members.user_id, users.email, members.role").
		Joins("JOIN users ON users.id = members.user_id").
		Where("members.event_id = ?", eventID).Order("users.email").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list members: %w", err)
	}
	return nonNil(out), nil
}

// SetMember gives a user a role in an event, or changes the role they have;
// created says which. The last owner keeps their role.
func (s *Store) SetMember(ctx context.Context, eventID, userID string, role agenda.MemberRole) (created bool, err error) {
	err = s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var m memberRow
		err := tx.Where("event_id = ? AND user_id = ?", eventID, userID).Take(&m).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			created = true
			return tx.Create(&memberRow{EventID: eventID, UserID: userID, Role: string(role)}).Error
		}
		if err != nil {
			return err
		}
		if m.Role == string(agenda.MemberOwner) && role != agenda.MemberOwner {
			if err := s.keepAnOwner(tx, eventID); err != nil {
				return err
			}
		}
		return tx.Model(&memberRow{}).Where("event_id = ? AND user_id = ?", eventID, userID).Update("role", role).Error
	})
	if err != nil && !errors.Is(err, ErrConflict) {
		err = fmt.Errorf("store: unable to set member: %w", err)
	}
	return created, err
}

// keepAnOwner refuses a change that would leave the event without an owner.
func (s *Store) keepAnOwner(tx *gorm.DB, eventID string) error {
	var owners int64
	if err := tx.Model(&memberRow{}).Where("event_id = ? AND role = ?", eventID, agenda.MemberOwner).Count(&owners).Error; err != nil {
		return err
	}
	if owners <= 1 {
		return fmt.Errorf("store: the event's last owner must stay an owner: %w", ErrConflict)
	}
	return nil
}

// RemoveMember takes a user's role in an event away. The last owner stays.
func (s *Store) RemoveMember(ctx context.Context, eventID, userID string) error {
	return s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var m memberRow
		if err := notFound(tx.Where("event_id = ? AND user_id = ?", eventID, userID).Take(&m).Error, "member"); err != nil {
			return err
		}
		if m.Role == string(agenda.MemberOwner) {
			if err := s.keepAnOwner(tx, eventID); err != nil {
				return err
			}
		}
		return tx.Where("event_id = ? AND user_id = ?", eventID, userID).Delete(&memberRow{}).Error
	})
}

// Changes returns the event's change log after version since, oldest first, at most limit rows.
func (s *Store) Changes(ctx context.Context, eventID string, since int64, limit int) ([]agenda.Change, error) {
	var rows []changeRow
	err := s.read.WithContext(ctx).Where("event_id = ? AND version > ?", eventID, since).
		Order("version").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to read changes: %w", err)
	}
	out := make([]agenda.Change, len(rows))
	for i, r := range rows {
		out[i] = agenda.Change{EventID: r.EventID, Version: r.Version, At: r.At.UTC(), Actor: r.Actor, Summary: r.Summary, Public: r.Public, Private: r.Private}
	}
	return out, nil
}

func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("store: %s: %w", what, agenda.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: unable to read %s: %w", what, err)
	}
	return nil
}

// SetPassword replaces a user's password hash.
func (s *Store) SetPassword(ctx context.Context, userID, hash string) error {
	res := s.write.WithContext(ctx).Model(&User{}).Where("id = ?", userID).Update("password_hash", hash)
	if res.Error != nil {
		return fmt.Errorf("store: unable to set password: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: user: %w", agenda.ErrNotFound)
	}
	return nil
}

// EventBySlug reads an event's own fields by slug, without its agenda.
func (s *Store) EventBySlug(ctx context.Context, slug string) (agenda.Event, error) {
	return s.event(ctx, "slug = ?", slug)
}

// Event reads an event's own fields by id, without its agenda.
func (s *Store) Event(ctx context.Context, id string) (agenda.Event, error) {
	return s.event(ctx, "id = ?", id)
}

func (s *Store) event(ctx context.Context, where string, arg any) (agenda.Event, error) {
	var r eventRow
	if err := notFound(s.read.WithContext(ctx).Where(where, arg).Take(&r).Error, "event"); err != nil {
		return agenda.Event{}, err
	}
	e, _ := r.domain()
	return e, nil
}
