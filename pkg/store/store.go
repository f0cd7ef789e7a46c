// Package store keeps Tribune's data with gorm: a SQLite file by default, or
// PostgreSQL. It owns the migrations, the one-transaction-per-change rule and the
// versioned change log (DESIGN invariants 4 and 7).
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/tribune-act/tribune/pkg/agenda"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// NotifyChannel is the PostgreSQL channel on which every committed change is
// announced as "<event id>:<version>" (the data itself stays in the change log).
const NotifyChannel = "tribune_changes"

// ErrConflict means the change collides with existing data (a taken slug or e-mail).
var ErrConflict = errors.New("conflict")

// Store is the database. Writes go through one connection on SQLite (so write
// transactions never upgrade from a read and fail with SQLITE_BUSY_SNAPSHOT);
// reads use a pool.
type Store struct {
	write    *gorm.DB
	read     *gorm.DB
	postgres bool
	now      func() time.Time
	onCommit func(*agenda.Agenda, agenda.Change)
	agendas  agendaCache
}

// Open connects to dsn: a SQLite file path (or file: URI), or a postgres:// URL.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg := &gorm.Config{Logger: logger.Discard, NowFunc: func() time.Time { return time.Now().UTC() }}
	s := &Store{now: func() time.Time { return time.Now().UTC() }}
	if IsPostgres(dsn) {
		db, err := gorm.Open(postgres.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("store: unable to open postgres: %w", err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		sqlDB.SetMaxOpenConns(20)
		s.write, s.read, s.postgres = db, db, true
	} else {
		write, err := openSQLite(dsn, "immediate", 1, cfg)
		if err != nil {
			return nil, err
		}
		read, err := openSQLite(dsn, "deferred", 8, cfg)
		if err != nil {
			return nil, err
		}
		s.write, s.read = write, read
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// IsPostgres reports whether dsn names a PostgreSQL database rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openSQLite opens a pool on one SQLite file. busy_timeout comes first so that the
// pragmas after it wait for a lock instead of failing; then WAL, NORMAL sync
// (durable at each WAL checkpoint and safe against corruption) and foreign keys.
func openSQLite(path, txlock string, conns int, cfg *gorm.Config) (*gorm.DB, error) {
	path = strings.TrimPrefix(path, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	q := url.Values{}
	q.Add("_busy_timeout", "10000")
	q.Add("_journal_mode", "WAL")
	q.Add("_synchronous", "NORMAL")
	q.Add("_foreign_keys", "on")
	q.Add("_txlock", txlock)
	db, err := gorm.Open(sqlite.Open("file:"+path+"?"+q.Encode()), cfg)
	if err != nil {
		return nil, fmt.Errorf("store: unable to open %s: %w", path, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	sqlDB.SetMaxOpenConns(conns)
	sqlDB.SetMaxIdleConns(conns)
	sqlDB.SetConnMaxLifetime(0)
	return db, nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	for _, db := range []*gorm.DB{s.write, s.read} {
		sqlDB, err := db.DB()
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := sqlDB.PingContext(ctx); err != nil {
			return fmt.Errorf("store: database unreachable: %w", err)
		}
	}
	return nil
}

// Close closes every connection.
func (s *Store) Close() {
	for _, db := range []*gorm.DB{s.write, s.read} {
		if db == nil {
			continue
		}
		if sqlDB, err := db.DB(); err == nil {
			if err := sqlDB.Close(); err != nil {
				slog.Warn("store: close", "err", err)
			}
		}
	}
}

// NewID returns a new stable id: a UUIDv7, ordered by creation time.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// uniqueViolation reports whether err is a unique-constraint failure on either database.
func uniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}

// Backup writes a consistent copy of a SQLite database to path while the server
// runs (VACUUM INTO). PostgreSQL has its own tools (pg_dump).
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.postgres {
		return errors.New("store: back up PostgreSQL with pg_dump")
	}
	if err := s.write.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		return fmt.Errorf("store: unable to back up to %s: %w", path, err)
	}
	return nil
}
