package store

import (
	"context"
	"fmt"
	"time"
)

// Session is an organizer's browser session. The cookie carries a random token;
// the database keeps its hash.
type Session struct {
	TokenHash string
	UserID    string
	CSRFToken string `gorm:"column:csrf_token"`
	CreatedAt time.Time
	ExpiresAt time.Time
}

func (Session) TableName() string { return "sessions" }

// CreateSession records a new session.
func (s *Store) CreateSession(ctx context.Context, sess Session) error {
	sess.CreatedAt = s.now()
	if err := s.write.WithContext(ctx).Create(&sess).Error; err != nil {
		return fmt.Errorf("store: unable to create session: %w", err)
	}
	return nil
}

// SessionUser finds a live session and its user.
func (s *Store) SessionUser(ctx context.Context, tokenHash string) (Session, User, error) {
	var sess Session
	err := s.read.WithContext(ctx).Where("token_hash = ? AND expires_at > ?", tokenHash, s.now()).Take(&sess).Error
	if err := notFound(err, "session"); err != nil {
		return Session{}, User{}, err
	}
	var u User
	err = s.read.WithContext(ctx).Where("id = ?", sess.UserID).Take(&u).Error
	return sess, u, notFound(err, "user")
}

// DeleteSession ends a session (and, in passing, every expired one).
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	err := s.write.WithContext(ctx).Where("token_hash = ? OR expires_at <= ?", tokenHash, s.now()).Delete(&Session{}).Error
	if err != nil {
		return fmt.Errorf("store: unable to delete session: %w", err)
	}
	return nil
}
