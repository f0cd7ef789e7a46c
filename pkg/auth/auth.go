// Package auth owns who may do what: password hashing, personal API tokens, and
// the permission policy of organizer roles.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tribune-act/tribune/pkg/agenda"
	"golang.org/x/crypto/argon2"
)

// argon2id parameters (RFC 9106's second recommendation, with less memory so a
// small server can take a burst of logins).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

var commonPasswords = map[string]bool{
	"password123": true, "1234567890": true, "qwertyuiop": true, "password1234": true,
	"12345678910": true, "iloveyou123": true, "letmein1234": true, "administrator": true,
	"0123456789": true, "1111111111": true, "passwordpassword": true, "qwerty12345": true,
}

// CheckPasswordStrength refuses short and common passwords.
func CheckPasswordStrength(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return fmt.Errorf("auth: the password must have at least %d characters", MinPasswordLength)
	}
	if commonPasswords[strings.ToLower(pw)] {
		return errors.New("auth: the password is too common")
	}
	return nil
}

// HashPassword returns an encoded argon2id hash of pw with a fresh salt.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches the encoded hash, in constant time.
func CheckPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// APITokenPrefix starts every personal API token.
const APITokenPrefix = "trb_"

// NewToken returns a new random token (256 bits) with a readable prefix, and the
// hash under which it is stored. The token itself is shown once and never stored.
func NewToken(prefix string) (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is how tokens are stored and looked up: SHA-256 is enough for a
// 256-bit random secret, and lets the lookup be an index seek.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Action is something an organizer may be allowed to do in an event.
type Action int

const (
	// View the event's full agenda, warnings, balance and history.
	View Action = iota
	// Run the show: live controls and stage messages.
	RunLive
	// Edit the agenda, speakers and organizations.
	Edit
	// Manage the event itself: members, deletion.
	Own
)

func (a Action) String() string {
	return [...]string{"view", "run the live show of", "edit", "own"}[a]
}

// Allows is the permission policy: owner ⊇ editor ⊇ stage ⊇ view; instance admins may do anything.
func Allows(role agenda.MemberRole, admin bool, act Action) bool {
	if admin {
		return true
	}
	switch role {
	case agenda.MemberOwner:
		return true
	case agenda.MemberEditor:
		return act <= Edit
	case agenda.MemberStage:
		return act <= RunLive
	}
	return false
}
