package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SpeakerToken is the record of a speaker's personal link. The link's token is
// derived from ID with a server secret the database never holds; only its hash
// is stored, for lookup.
type SpeakerToken struct {
	ID        string
	EventID   string
	SpeakerID string
	TokenHash string
	CreatedAt time.Time
}

func (SpeakerToken) TableName() string { return "speaker_tokens" }

// IssueSpeakerToken records a new personal link for a speaker, replacing (and so
// revoking) any earlier one.
func (s *Store) IssueSpeakerToken(ctx context.Context, t SpeakerToken) (SpeakerToken, error) {
	t.CreatedAt = s.now()
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&speakerRow{}).Where("id = ? AND event_id = ?", t.SpeakerID, t.EventID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("store: speaker: %w", agenda.ErrNotFound)
		}
		if err := tx.Where("speaker_id = ?", t.SpeakerID).Delete(&SpeakerToken{}).Error; err != nil {
			return err
		}
		return tx.Create(&t).Error
	})
	if err != nil && !errors.Is(err, agenda.ErrNotFound) {
		err = fmt.Errorf("store: unable to issue speaker token: %w", err)
	}
	return t, err
}

// RevokeSpeakerToken removes a speaker's personal link.
func (s *Store) RevokeSpeakerToken(ctx context.Context, eventID, speakerID string) error {
	res := s.write.WithContext(ctx).Where("event_id = ? AND speaker_id = ?", eventID, speakerID).Delete(&SpeakerToken{})
	if res.Error != nil {
		return fmt.Errorf("store: unable to revoke speaker token: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: speaker token: %w", agenda.ErrNotFound)
	}
	return nil
}

// SpeakerTokenByHash finds the link a token belongs to.
func (s *Store) SpeakerTokenByHash(ctx context.Context, hash string) (SpeakerToken, error) {
	var t SpeakerToken
	err := s.read.WithContext(ctx).Where("token_hash = ?", hash).Take(&t).Error
	return t, notFound(err, "speaker token")
}

// SpeakerTokens lists the event's live personal links, by speaker.
func (s *Store) SpeakerTokens(ctx context.Context, eventID string) (map[string]SpeakerToken, error) {
	var rows []SpeakerToken
	if err := s.read.WithContext(ctx).Where("event_id = ?", eventID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list speaker tokens: %w", err)
	}
	out := make(map[string]SpeakerToken, len(rows))
	for _, r := range rows {
		out[r.SpeakerID] = r
	}
	return out, nil
}

type reminderRow struct {
	EventID   string `gorm:"primaryKey"`
	SpeakerID string `gorm:"primaryKey"`
	SlotID    string `gorm:"primaryKey"`
	Kind      string `gorm:"primaryKey"`
	SentAt    time.Time
}

func (reminderRow) TableName() string { return "reminders" }

// ClaimReminder records that a reminder is being sent; false means it was
// already sent (by this process before a restart, or by another instance).
func (s *Store) ClaimReminder(ctx context.Context, eventID string, r agenda.Reminder) (bool, error) {
	row := reminderRow{EventID: eventID, SpeakerID: r.SpeakerID, SlotID: r.SlotID, Kind: string(r.Kind), SentAt: s.now()}
	res := s.write.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return false, fmt.Errorf("store: unable to record reminder: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ReleaseReminder forgets a claimed reminder that could not be sent, so it is tried again.
func (s *Store) ReleaseReminder(ctx context.Context, eventID string, r agenda.Reminder) error {
	err := s.write.WithContext(ctx).Where("event_id = ? AND speaker_id = ? AND slot_id = ? AND kind = ?",
		eventID, r.SpeakerID, r.SlotID, string(r.Kind)).Delete(&reminderRow{}).Error
	if err != nil {
		return fmt.Errorf("store: unable to release reminder: %w", err)
	}
	return nil
}

// RunningEvents lists the published events that have not ended.
func (s *Store) RunningEvents(ctx context.Context) ([]agenda.Event, error) {
	return s.events(s.read.WithContext(ctx).Where("status = ?", string(agenda.StatusPublished)).Order("starts_at, id"))
}
