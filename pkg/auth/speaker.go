package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// SpeakerTokenPrefix starts every speaker's personal token.
const SpeakerTokenPrefix = "spk_"

// SpeakerKeys derives speakers' personal tokens from a server secret: the token
// of a link is HMAC-SHA256(secret, link id), 256 bits. The database keeps the
// link id and the token's hash, so it alone can neither show nor forge a link,
// while the server can put the same link in every e-mail to the speaker.
type SpeakerKeys struct {
	secret []byte
}

// NewSpeakerKeys takes the server secret (at least 32 bytes).
func NewSpeakerKeys(secret []byte) (SpeakerKeys, error) {
	if len(secret) < 32 {
		return SpeakerKeys{}, errors.New("auth: the server secret must have at least 32 bytes")
	}
	return SpeakerKeys{secret: secret}, nil
}

// Token returns the personal token of link id.
func (k SpeakerKeys) Token(id string) string {
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte("tribune speaker link\x00" + id))
	return SpeakerTokenPrefix + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Set reports whether the keys have a secret.
func (k SpeakerKeys) Set() bool { return len(k.secret) > 0 }
