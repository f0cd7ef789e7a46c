package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// CalendarStamp is what schedule.ics last said of one VEVENT: a fingerprint of its
// content, and the SEQUENCE and LAST-MODIFIED it carried.
type CalendarStamp struct {
	UID         string
	Fingerprint string
	Sequence    int64
	ModifiedAt  time.Time
}

type calendarStampRow struct {
	EventID     string
	UID         string `gorm:"column:uid"`
	Fingerprint string
	Sequence    int64
	ModifiedAt  time.Time
}

func (calendarStampRow) TableName() string { return "calendar_stamps" }

// CalendarStamps returns the stamps of an event's VEVENTs, by UID.
func (s *Store) CalendarStamps(ctx context.Context, eventID string) (map[string]CalendarStamp, error) {
	var rows []calendarStampRow
	if err := s.read.WithContext(ctx).Where("event_id = ?", eventID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to read calendar stamps: %w", err)
	}
	out := make(map[string]CalendarStamp, len(rows))
	for _, r := range rows {
		out[r.UID] = CalendarStamp{UID: r.UID, Fingerprint: r.Fingerprint, Sequence: r.Sequence, ModifiedAt: r.ModifiedAt.UTC()}
	}
	return out, nil
}

// SaveCalendarStamps remembers new stamps. A stamp replaces the one stored only if
// its sequence is higher, so that a slower export of an older version never lowers it.
func (s *Store) SaveCalendarStamps(ctx context.Context, eventID string, stamps []CalendarStamp) error {
	if len(stamps) == 0 {
		return nil
	}
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, st := range stamps {
			err := tx.Exec(`INSERT INTO calendar_stamps (event_id, uid, fingerprint, sequence, modified_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (event_id, uid) DO UPDATE SET fingerprint = excluded.fingerprint,
					sequence = excluded.sequence, modified_at = excluded.modified_at
				WHERE calendar_stamps.sequence < excluded.sequence`,
				eventID, st.UID, st.Fingerprint, st.Sequence, st.ModifiedAt.UTC()).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to save calendar stamps: %w", err)
	}
	return nil
}

// ChangeTime is when the event's change at version was committed (the event's
// creation for version 0 or a version the log no longer has).
func (s *Store) ChangeTime(ctx context.Context, eventID string, version int64) (time.Time, error) {
	var rows []changeRow
	err := s.read.WithContext(ctx).Select("at").Where("event_id = ? AND version = ?", eventID, version).Limit(1).Find(&rows).Error
	if err != nil {
		return time.Time{}, fmt.Errorf("store: unable to read the change log: %w", err)
	}
	if len(rows) == 1 {
		return rows[0].At.UTC(), nil
	}
	var ev eventRow
	if err := notFound(s.read.WithContext(ctx).Select("created_at").Where("id = ?", eventID).Take(&ev).Error, "event"); err != nil {
		return time.Time{}, err
	}
	return ev.CreatedAt.UTC(), nil
}
