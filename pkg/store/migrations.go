package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// migrations is the ordered schema history. Each runs once, in its own
// transaction, and is recorded in schema_migrations. Never edit one that has
// shipped: append a new one. {{ts}} is a timestamp column type.
var migrations = []string{
	// 1: users, tokens, events and their agenda, members, the change log.
	`CREATE TABLE users (
		id TEXT PRIMARY KEY,
		email TEXT NOT NULL UNIQUE,
		password_hash TEXT NOT NULL,
		admin BOOLEAN NOT NULL DEFAULT FALSE,
		created_at {{ts}} NOT NULL
	);
	CREATE TABLE api_tokens (
		id TEXT PRIMARY KEY,
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		name TEXT NOT NULL,
		token_hash TEXT NOT NULL UNIQUE,
		created_at {{ts}} NOT NULL
	);
	CREATE TABLE events (
		id TEXT PRIMARY KEY,
		slug TEXT NOT NULL UNIQUE,
		title TEXT NOT NULL,
		description TEXT NOT NULL,
		starts_at {{ts}} NOT NULL,
		ends_at {{ts}},
		timezone TEXT NOT NULL,
		status TEXT NOT NULL,
		languages TEXT NOT NULL,
		stream_url TEXT NOT NULL,
		waking_hours TEXT NOT NULL,
		live TEXT NOT NULL,
		version BIGINT NOT NULL,
		revision BIGINT NOT NULL,
		created_at {{ts}} NOT NULL
	);
	CREATE TABLE members (
		event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		role TEXT NOT NULL,
		PRIMARY KEY (event_id, user_id)
	);
	CREATE TABLE stages (
		id TEXT PRIMARY KEY,
		event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		name TEXT NOT NULL,
		position INTEGER NOT NULL,
		revision BIGINT NOT NULL
	);
	CREATE INDEX stages_event ON stages(event_id);
	CREATE TABLE organizations (
		id TEXT PRIMARY KEY,
		event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		name TEXT NOT NULL,
		country TEXT NOT NULL,
		kind TEXT NOT NULL,
		url TEXT NOT NULL,
		revision BIGINT NOT NULL
	);
	CREATE INDEX organizations_event ON organizations(event_id);
	CREATE TABLE speakers (
		id TEXT PRIMARY KEY,
		event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		name TEXT NOT NULL,
		country TEXT NOT NULL,
		organization_id TEXT NOT NULL,
		bio TEXT NOT NULL,
		photo_url TEXT NOT NULL,
		timezone TEXT NOT NULL,
		languages TEXT NOT NULL,
		contact_email TEXT NOT NULL,
		notes TEXT NOT NULL,
		hide_country BOOLEAN NOT NULL,
		hide_organization BOOLEAN NOT NULL,
		hide_photo BOOLEAN NOT NULL,
		revision BIGINT NOT NULL
	);
	CREATE INDEX speakers_event ON speakers(event_id);
	CREATE TABLE slots (
		id TEXT PRIMARY KEY,
		event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		stage_id TEXT NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
		position INTEGER NOT NULL,
		kind TEXT NOT NULL,
		title TEXT NOT NULL,
		description TEXT NOT NULL,
		duration_seconds INTEGER NOT NULL,
		pinned_start {{ts}},
		language TEXT NOT NULL,
		interpretation TEXT NOT NULL,
		revision BIGINT NOT NULL
	);
	CREATE INDEX slots_event ON slots(event_id);
	CREATE TABLE slot_speakers (
		slot_id TEXT NOT NULL REFERENCES slots(id) ON DELETE CASCADE,
		speaker_id TEXT NOT NULL REFERENCES speakers(id) ON DELETE CASCADE,
		event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		position INTEGER NOT NULL,
		role TEXT NOT NULL,
		status TEXT NOT NULL,
		note TEXT NOT NULL,
		PRIMARY KEY (slot_id, speaker_id)
	);
	CREATE INDEX slot_speakers_event ON slot_speakers(event_id);
	CREATE TABLE changes (
		event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		version BIGINT NOT NULL,
		at {{ts}} NOT NULL,
		actor TEXT NOT NULL,
		summary TEXT NOT NULL,
		public TEXT NOT NULL,
		private TEXT NOT NULL,
		PRIMARY KEY (event_id, version)
	);`,
	// 2: speakers' personal links and the reminders sent to them.
	`CREATE TABLE speaker_tokens (
		id TEXT PRIMARY KEY,
		event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		speaker_id TEXT NOT NULL REFERENCES speakers(id) ON DELETE CASCADE,
		token_hash TEXT NOT NULL UNIQUE,
		created_at {{ts}} NOT NULL
	);
	CREATE INDEX speaker_tokens_speaker ON speaker_tokens(speaker_id);
	CREATE TABLE reminders (
		event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		speaker_id TEXT NOT NULL REFERENCES speakers(id) ON DELETE CASCADE,
		slot_id TEXT NOT NULL REFERENCES slots(id) ON DELETE CASCADE,
		kind TEXT NOT NULL,
		sent_at {{ts}} NOT NULL,
		PRIMARY KEY (event_id, speaker_id, slot_id, kind)
	);`,
	// 3: browser sessions of organizers.
	`CREATE TABLE sessions (
		token_hash TEXT PRIMARY KEY,
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		csrf_token TEXT NOT NULL,
		created_at {{ts}} NOT NULL,
		expires_at {{ts}} NOT NULL
	);
	CREATE INDEX sessions_user ON sessions(user_id);`,
	// 4: webhooks, their delivery log, and what schedule.ics last said of each slot.
	`CREATE TABLE webhooks (
		id TEXT PRIMARY KEY,
		event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		url TEXT NOT NULL,
		secret TEXT NOT NULL,
		created_by TEXT NOT NULL,
		created_at {{ts}} NOT NULL,
		delivered_version BIGINT NOT NULL,
		lease_owner TEXT NOT NULL DEFAULT '',
		lease_until {{ts}}
	);
	CREATE INDEX webhooks_event ON webhooks(event_id);
	CREATE TABLE webhook_deliveries (
		id TEXT PRIMARY KEY,
		webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
		version BIGINT NOT NULL,
		attempt INTEGER NOT NULL,
		at {{ts}} NOT NULL,
		status_code INTEGER NOT NULL,
		error TEXT NOT NULL,
		duration_ms BIGINT NOT NULL
	);
	CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, id);
	CREATE TABLE calendar_stamps (
		event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		uid TEXT NOT NULL,
		fingerprint TEXT NOT NULL,
		sequence BIGINT NOT NULL,
		modified_at {{ts}} NOT NULL,
		PRIMARY KEY (event_id, uid)
	);`,
	// 5: the open call: its settings per event, and the applications it receives.
	`CREATE TABLE calls (
		event_id TEXT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
		opens_at {{ts}},
		closes_at {{ts}},
		consent_version TEXT NOT NULL,
		consent_text TEXT NOT NULL,
		revision BIGINT NOT NULL,
		updated_by TEXT NOT NULL,
		updated_at {{ts}} NOT NULL
	);
	CREATE TABLE applications (
		id TEXT PRIMARY KEY,
		event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
		status TEXT NOT NULL,
		organization_name TEXT NOT NULL,
		name_key TEXT NOT NULL,
		country TEXT NOT NULL,
		kind TEXT NOT NULL,
		website TEXT NOT NULL,
		contact_name TEXT NOT NULL,
		contact_email TEXT NOT NULL,
		email_key TEXT NOT NULL,
		endorse BOOLEAN NOT NULL,
		show_publicly BOOLEAN NOT NULL,
		wants_slot BOOLEAN NOT NULL,
		speaker_name TEXT NOT NULL,
		speaker_language TEXT NOT NULL,
		speaker_timezone TEXT NOT NULL,
		note TEXT NOT NULL,
		consent_version TEXT NOT NULL,
		locale TEXT NOT NULL,
		duplicate_of TEXT NOT NULL,
		merged_into TEXT NOT NULL,
		organization_id TEXT NOT NULL,
		speaker_id TEXT NOT NULL,
		slot_id TEXT NOT NULL,
		decision_note TEXT NOT NULL,
		decided_by TEXT NOT NULL,
		decided_at {{ts}},
		confirm_hash TEXT,
		confirm_expires_at {{ts}},
		confirmed_at {{ts}},
		created_at {{ts}} NOT NULL
	);
	CREATE INDEX applications_event_status ON applications(event_id, status);
	CREATE INDEX applications_event_email ON applications(event_id, email_key);
	CREATE INDEX applications_event_name ON applications(event_id, name_key, country);
	CREATE UNIQUE INDEX applications_confirm ON applications(confirm_hash);`,
}

// Migrate brings the schema up to date and returns the schema version.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	db := s.write.WithContext(ctx)
	if err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at ` + s.timestampType() + ` NOT NULL)`).Error; err != nil {
		return 0, fmt.Errorf("store: unable to create schema_migrations: %w", err)
	}
	for i, m := range migrations {
		version := i + 1
		err := db.Transaction(func(tx *gorm.DB) error {
			if s.postgres {
				// Several instances may start at once; one migrates, the others wait.
				if err := tx.Exec(`SELECT pg_advisory_xact_lock(7236410)`).Error; err != nil {
					return err
				}
			}
			var n int64
			if err := tx.Raw(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range strings.Split(strings.ReplaceAll(m, "{{ts}}", s.timestampType()), ";") {
				if strings.TrimSpace(stmt) == "" {
					continue
				}
				if err := tx.Exec(stmt).Error; err != nil {
					return err
				}
			}
			return tx.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, version, s.now()).Error
		})
		if err != nil {
			return 0, fmt.Errorf("store: migration %d: %w", version, err)
		}
	}
	return len(migrations), nil
}

func (s *Store) timestampType() string {
	if s.postgres {
		return "TIMESTAMPTZ"
	}
	return "TIMESTAMP"
}
