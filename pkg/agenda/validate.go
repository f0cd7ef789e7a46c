package agenda

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// FieldError says what is wrong with one field of the input.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists every problem found in one input; the input changed nothing.
type ValidationError struct {
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = fe.Field + ": " + fe.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Invalid is a ValidationError about a single field.
func Invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Errors: []FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

// checker collects field errors.
type checker struct{ errs []FieldError }

func (c *checker) add(field, format string, args ...any) {
	c.errs = append(c.errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return &ValidationError{Errors: c.errs}
}

// text checks a free-text field in any script: valid UTF-8, no control characters
// (newlines and tabs allowed when multiline), and between min and max characters.
func (c *checker) text(field, v string, min, max int, multiline bool) {
	if !utf8.ValidString(v) {
		c.add(field, "must be valid UTF-8")
		return
	}
	for _, r := range v {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r')) {
			c.add(field, "must not contain control characters")
			return
		}
	}
	n := utf8.RuneCountInString(strings.TrimSpace(v))
	switch {
	case n < min && min == 1:
		c.add(field, "is required")
	case n < min:
		c.add(field, "must have at least %d characters", min)
	case utf8.RuneCountInString(v) > max:
		c.add(field, "must have at most %d characters", max)
	}
}

// webURL checks an optional absolute http(s) URL; other schemes (javascript:, data:) are refused.
func (c *checker) webURL(field, v string) {
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(v) > 2000 {
		c.add(field, "must be an absolute http or https URL")
	}
}

func (c *checker) timezone(field, v string, required bool) {
	if v == "" {
		if required {
			c.add(field, "is required (an IANA timezone such as Europe/Paris)")
		}
		return
	}
	if _, err := LoadLocation(v); err != nil {
		c.add(field, "%q is not an IANA timezone (such as Europe/Paris)", v)
	}
}

func (c *checker) languageTag(field, v string, required bool) {
	if v == "" {
		if required {
			c.add(field, "is required (a BCP 47 language tag such as en or pt-BR)")
		}
		return
	}
	if _, err := ParseLanguage(v); err != nil {
		c.add(field, "%q is not a BCP 47 language tag (such as en or pt-BR)", v)
	}
}

func (c *checker) languages(field string, vs []string) {
	if len(vs) > 50 {
		c.add(field, "must list at most 50 languages")
	}
	for i, v := range vs {
		c.languageTag(fmt.Sprintf("%s[%d]", field, i), v, true)
	}
}

func (c *checker) country(field, v string) {
	if v == "" {
		return
	}
	if _, err := ParseCountry(v); err != nil {
		c.add(field, "%q is not an ISO 3166-1 alpha-2 country code (such as UA or BR)", v)
	}
}

func (c *checker) oneOf(field, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	c.add(field, "must be one of %s", strings.Join(allowed, ", "))
}

// LoadLocation loads an IANA timezone; "Local" and "" are refused because they
// mean different things on different machines.
func LoadLocation(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("agenda: %q is not an IANA timezone", name)
	}
	return time.LoadLocation(name)
}

// ParseLanguage parses a BCP 47 language tag.
func ParseLanguage(v string) (language.Tag, error) {
	if len(v) > 35 {
		return language.Und, fmt.Errorf("agenda: language tag too long")
	}
	t, err := language.Parse(v)
	if err != nil || t == language.Und {
		return language.Und, fmt.Errorf("agenda: %q is not a language tag", v)
	}
	return t, nil
}

// ParseCountry parses an ISO 3166-1 alpha-2 country code.
func ParseCountry(v string) (language.Region, error) {
	if len(v) != 2 {
		return language.Region{}, fmt.Errorf("agenda: %q is not a country code", v)
	}
	r, err := language.ParseRegion(v)
	if err != nil || !r.IsCountry() || r.String() != v {
		return language.Region{}, fmt.Errorf("agenda: %q is not a country code", v)
	}
	return r, nil
}

var (
	slugPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)
	clockPattern = regexp.MustCompile(`^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$`)
)

// MaxDurationSeconds is the longest a slot may last: 24 hours.
const MaxDurationSeconds = 24 * 60 * 60

// Validate checks the event's fields.
func (f EventFields) Validate() error {
	var c checker
	if !slugPattern.MatchString(f.Slug) {
		c.add("slug", "must be 2–63 characters of a–z, 0–9 and -, starting with a letter or digit")
	}
	c.text("title", f.Title, 1, 200, false)
	c.text("description", f.Description, 0, 10000, true)
	if f.StartsAt.IsZero() {
		c.add("starts_at", "is required (RFC 3339, such as 2026-12-05T18:00:00Z)")
	}
	if f.EndsAt != nil && !f.EndsAt.After(f.StartsAt) {
		c.add("ends_at", "must be after starts_at")
	}
	c.timezone("timezone", f.Timezone, true)
	c.oneOf("status", string(f.Status), string(StatusDraft), string(StatusPublished), string(StatusEnded))
	c.languages("languages", f.Languages)
	c.webURL("stream_url", f.StreamURL)
	for field, v := range map[string]string{"waking_hours.from": f.WakingHours.From, "waking_hours.to": f.WakingHours.To} {
		if v != "" && !clockPattern.MatchString(v) {
			c.add(field, "must be a time of day as HH:MM")
		}
	}
	return c.err()
}

// Validate checks the stage's fields.
func (f StageFields) Validate() error {
	var c checker
	c.text("name", f.Name, 1, 100, false)
	return c.err()
}

// Validate checks the slot's fields.
func (f SlotFields) Validate() error {
	var c checker
	c.oneOf("kind", string(f.Kind), string(KindSpeech), string(KindPanel), string(KindVideo),
		string(KindMusic), string(KindModeration), string(KindBreak), string(KindOther))
	c.text("title", f.Title, 1, 200, false)
	c.text("description", f.Description, 0, 10000, true)
	if f.DurationSeconds < 1 || f.DurationSeconds > MaxDurationSeconds {
		c.add("duration_seconds", "must be between 1 second and 24 hours (1–%d)", MaxDurationSeconds)
	}
	c.languageTag("language", f.Language, false)
	if len(f.Interpretation) > 50 {
		c.add("interpretation", "must list at most 50 channels")
	}
	for i, ch := range f.Interpretation {
		c.languageTag(fmt.Sprintf("interpretation[%d].language", i), ch.Language, true)
		if ch.URL == "" {
			c.add(fmt.Sprintf("interpretation[%d].url", i), "is required")
		}
		c.webURL(fmt.Sprintf("interpretation[%d].url", i), ch.URL)
	}
	return c.err()
}

// Validate checks the speaker's fields.
func (f SpeakerFields) Validate() error {
	var c checker
	c.text("name", f.Name, 1, 200, false)
	c.country("country", f.Country)
	c.text("bio", f.Bio, 0, 5000, true)
	c.webURL("photo_url", f.PhotoURL)
	c.timezone("timezone", f.Timezone, false)
	c.languages("languages", f.Languages)
	if f.ContactEmail != "" {
		if a, err := mail.ParseAddress(f.ContactEmail); err != nil || a.Address != f.ContactEmail || len(f.ContactEmail) > 254 {
			c.add("contact_email", "must be an e-mail address such as name@example.org")
		}
	}
	c.text("notes", f.Notes, 0, 10000, true)
	return c.err()
}

// Validate checks the organization's fields.
func (f OrganizationFields) Validate() error {
	var c checker
	c.text("name", f.Name, 1, 200, false)
	c.country("country", f.Country)
	c.oneOf("kind", string(f.Kind), string(OrgParty), string(OrgUnion), string(OrgMovement),
		string(OrgNGO), string(OrgMedia), string(OrgOther))
	c.webURL("url", f.URL)
	return c.err()
}

// ValidMemberRole reports whether r is a member role.
func ValidMemberRole(r MemberRole) bool {
	return r == MemberOwner || r == MemberEditor || r == MemberStage
}
