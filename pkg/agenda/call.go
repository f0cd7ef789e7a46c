package agenda

import (
	"cmp"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// The open call: organizations and personalities answer it, endorse the act and
// ask to send a speaker. This file holds its rules: what an application must
// say, how its status may move, what accepting one does to the agenda, and what
// the public list of endorsers shows.

// KindPersonality is an application from a person rather than an organization.
// Accepting it creates no organization unless the organizers link one.
const KindPersonality OrganizationKind = "personality"

// ApplicationKinds are the kinds an applicant may choose.
var ApplicationKinds = []OrganizationKind{OrgParty, OrgUnion, OrgMovement, OrgNGO, OrgMedia, OrgOther, KindPersonality}

// ApplicationStatus is where an application stands in the review queue.
type ApplicationStatus string

const (
	// AppUnconfirmed: received, its e-mail address not (yet) confirmed. Without
	// e-mail, applications wait for review in this state.
	AppUnconfirmed ApplicationStatus = "unconfirmed"
	// AppPending: the address is confirmed; waiting for review.
	AppPending  ApplicationStatus = "pending"
	AppAccepted ApplicationStatus = "accepted"
	AppDeclined ApplicationStatus = "declined"
	// AppMerged: a duplicate, folded into another application.
	AppMerged ApplicationStatus = "merged"
	// AppSpam: caught by the honeypot, or marked by organizers.
	AppSpam ApplicationStatus = "spam"
)

// ApplicationStatuses lists every status.
var ApplicationStatuses = []ApplicationStatus{AppUnconfirmed, AppPending, AppAccepted, AppDeclined, AppMerged, AppSpam}

// Undecided reports whether an application still waits for review.
func (s ApplicationStatus) Undecided() bool { return s == AppUnconfirmed || s == AppPending }

// CanAccept reports whether an application in this status may be accepted:
// one waiting for review, or one declined or marked as spam by mistake.
func (s ApplicationStatus) CanAccept() bool {
	return s.Undecided() || s == AppDeclined || s == AppSpam
}

// CanDecline reports whether an application in this status may be declined
// (or marked as spam): any but a merged one or one already in that state.
func (s ApplicationStatus) CanDecline(to ApplicationStatus) bool {
	return s != AppMerged && s != to
}

// CanMerge reports whether an application in this status may be folded into another.
func (s ApplicationStatus) CanMerge() bool {
	return s.Undecided() || s == AppDeclined || s == AppSpam
}

// Clearable lists the statuses a flood can be cleared from: nothing anyone decided on.
var Clearable = []ApplicationStatus{AppUnconfirmed, AppPending, AppSpam}

// ApplicationFields are what an applicant sends.
type ApplicationFields struct {
	// OrganizationName is the organization's name, or the person's for a personality.
	OrganizationName string           `json:"organization_name"`
	Country          string           `json:"country"`
	Kind             OrganizationKind `json:"kind"`
	Website          string           `json:"website"`
	// ContactName, ContactEmail and Note are private: they never reach a public surface.
	ContactName  string `json:"contact_name"`
	ContactEmail string `json:"contact_email"`
	Endorse      bool   `json:"endorse"`
	// ShowPublicly is the consent to be named in the public list of endorsers
	// (name, kind, country, website). Without it an endorsement is only counted.
	ShowPublicly    bool   `json:"show_publicly"`
	WantsSlot       bool   `json:"wants_slot"`
	SpeakerName     string `json:"speaker_name"`
	SpeakerLanguage string `json:"speaker_language"`
	SpeakerTimezone string `json:"speaker_timezone"`
	Note            string `json:"note"`
	Consent         bool   `json:"consent"`
	ConsentVersion  string `json:"consent_version"`
	// Locale is the language the form was filled in, for the confirmation e-mail.
	Locale string `json:"locale"`
}

// Validate checks an application as the public sends it.
func (f ApplicationFields) Validate() error {
	var c checker
	c.text("organization_name", f.OrganizationName, 2, 200, false)
	if f.Country == "" {
		c.add("country", "is required (an ISO 3166-1 alpha-2 country code such as UA or BR)")
	}
	c.country("country", f.Country)
	kinds := make([]string, len(ApplicationKinds))
	for i, k := range ApplicationKinds {
		kinds[i] = string(k)
	}
	c.oneOf("kind", string(f.Kind), kinds...)
	c.webURL("website", f.Website)
	c.text("contact_name", f.ContactName, 1, 200, false)
	if f.ContactEmail == "" {
		c.add("contact_email", "is required")
	} else if a, err := mail.ParseAddress(f.ContactEmail); err != nil || a.Address != f.ContactEmail || len(f.ContactEmail) > 254 {
		c.add("contact_email", "must be an e-mail address such as name@example.org")
	}
	if !f.Endorse && !f.WantsSlot {
		c.add("endorse", "endorse the call, ask for a speaking slot, or both")
	}
	if f.WantsSlot {
		c.text("speaker_name", f.SpeakerName, 1, 200, false)
		c.languageTag("speaker_language", f.SpeakerLanguage, true)
		c.timezone("speaker_timezone", f.SpeakerTimezone, false)
	} else {
		c.text("speaker_name", f.SpeakerName, 0, 200, false)
		c.languageTag("speaker_language", f.SpeakerLanguage, false)
		c.timezone("speaker_timezone", f.SpeakerTimezone, false)
	}
	c.text("note", f.Note, 0, 2000, true)
	if !f.Consent {
		c.add("consent", "must be true: the application is stored and reviewed only with consent")
	}
	c.text("consent_version", f.ConsentVersion, 1, 50, false)
	c.languageTag("locale", f.Locale, false)
	return c.err()
}

// NormalizeName is the key under which two spellings of one organization's name
// meet: case, accents, punctuation and spacing are ignored, so "Confédération
// Générale du Travail" and "confederation generale du travail." are the same.
func NormalizeName(name string) string {
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	s, _, err := transform.String(t, name)
	if err != nil {
		s = name
	}
	s = cases.Fold().String(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NormalizeEmail is the key under which two spellings of one address meet.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Call is the open call's settings: when it takes applications, and which
// version of the consent text applicants agree to.
type Call struct {
	CallFields
	Revision int64 `json:"revision"`
}

// CallFields are the call's editable fields. The call is open from OpensAt
// (none: not open) until ClosesAt (none: until further notice).
type CallFields struct {
	OpensAt  *time.Time `json:"opens_at"`
	ClosesAt *time.Time `json:"closes_at"`
	// ConsentVersion names the consent text; an applicant must send the current one.
	ConsentVersion string `json:"consent_version"`
	// ConsentText is the organizers' own consent text; empty: the page's default.
	ConsentText string `json:"consent_text"`
}

// DefaultConsentVersion is the version of the page's default consent text.
const DefaultConsentVersion = "1"

// Validate checks the call's fields.
func (f CallFields) Validate() error {
	var c checker
	if f.OpensAt != nil && f.ClosesAt != nil && !f.ClosesAt.After(*f.OpensAt) {
		c.add("closes_at", "must be after opens_at")
	}
	if f.ClosesAt != nil && f.OpensAt == nil {
		c.add("opens_at", "is required when closes_at is set")
	}
	c.text("consent_version", f.ConsentVersion, 1, 50, false)
	c.text("consent_text", f.ConsentText, 0, 10000, true)
	return c.err()
}

// OpenAt reports whether the call takes applications at t, and if not, why.
func (f CallFields) OpenAt(t time.Time) (bool, string) {
	switch {
	case f.OpensAt == nil:
		return false, "the call for this act is not open"
	case t.Before(*f.OpensAt):
		return false, "the call for this act opens at " + f.OpensAt.UTC().Format(time.RFC3339)
	case f.ClosesAt != nil && !t.Before(*f.ClosesAt):
		return false, "the call for this act closed at " + f.ClosesAt.UTC().Format(time.RFC3339)
	}
	return true, ""
}

// Acceptance says what accepting an application does to the agenda.
type Acceptance struct {
	// OrganizationID links an organization of the agenda. Empty: one with the same
	// normalized name and country is linked, or a new one is made with NewOrganizationID
	// (none for a personality).
	OrganizationID    string
	NewOrganizationID string
	// SpeakerID, when set, makes a speaker with this id from the proposal.
	SpeakerID string
	// SlotID and StageID, when set, add an invited slot placeholder for the speaker
	// at the end of the stage's running order.
	SlotID, StageID string
	SlotTitle       string
	DurationSeconds int
	// Reference says where the speaker came from, in their private notes.
	Reference string
}

// Accepted is what an acceptance made or linked.
type Accepted struct {
	OrganizationID, SpeakerID, SlotID string
}

// DefaultPlaceholderSeconds is the length of a slot placeholder: five minutes.
const DefaultPlaceholderSeconds = 300

// AcceptApplication links or adds the application's organization and, when asked,
// a speaker from its proposal and an invited slot placeholder, all in one edit.
func (a *Agenda) AcceptApplication(f ApplicationFields, acc Acceptance) (Accepted, error) {
	var out Accepted
	var c checker
	switch {
	case acc.OrganizationID != "":
		if _, err := a.Organization(acc.OrganizationID); err != nil {
			c.add("organization_id", "no organization %q in this event", acc.OrganizationID)
		}
		out.OrganizationID = acc.OrganizationID
	case f.Kind != KindPersonality:
		key := NormalizeName(f.OrganizationName)
		for _, o := range a.Organizations {
			if NormalizeName(o.Name) == key && o.Country == f.Country {
				out.OrganizationID = o.ID
				break
			}
		}
	}
	if acc.SpeakerID != "" && strings.TrimSpace(f.SpeakerName) == "" && f.Kind != KindPersonality {
		c.add("speaker", "the application proposes no speaker")
	}
	if acc.StageID != "" {
		if acc.SpeakerID == "" {
			c.add("stage_id", "a slot placeholder needs a speaker (speaker: true)")
		}
		if _, err := a.Stage(acc.StageID); err != nil {
			c.add("stage_id", "no stage %q in this event", acc.StageID)
		}
	}
	if err := c.err(); err != nil {
		return out, err
	}
	if out.OrganizationID == "" && f.Kind != KindPersonality {
		out.OrganizationID = acc.NewOrganizationID
		if err := a.AddOrganization(out.OrganizationID, OrganizationFields{
			Name: strings.TrimSpace(f.OrganizationName), Country: f.Country, Kind: f.Kind, URL: f.Website,
		}); err != nil {
			return out, err
		}
	}
	if acc.SpeakerID == "" {
		return out, nil
	}
	name := strings.TrimSpace(f.SpeakerName)
	if name == "" {
		name = strings.TrimSpace(f.OrganizationName) // a personality speaks for themselves
	}
	sp := SpeakerFields{
		Name: name, Country: f.Country, OrganizationID: out.OrganizationID, Timezone: f.SpeakerTimezone,
		Languages: []string{}, ContactEmail: f.ContactEmail,
		Notes: strings.TrimSpace(fmt.Sprintf("From the open call (%s), contact: %s.\n%s", acc.Reference, f.ContactName, f.Note)),
	}
	if f.SpeakerLanguage != "" {
		sp.Languages = []string{f.SpeakerLanguage}
	}
	if err := a.AddSpeaker(acc.SpeakerID, sp); err != nil {
		return out, err
	}
	out.SpeakerID = acc.SpeakerID
	if acc.StageID == "" {
		return out, nil
	}
	title := strings.TrimSpace(acc.SlotTitle)
	if title == "" {
		title = strings.TrimSpace(f.OrganizationName)
	}
	seconds := acc.DurationSeconds
	if seconds == 0 {
		seconds = DefaultPlaceholderSeconds
	}
	if err := a.AddSlot(acc.SlotID, acc.StageID, nil, SlotFields{
		Kind: KindSpeech, Title: title, DurationSeconds: seconds, Language: f.SpeakerLanguage, Interpretation: []Interpretation{},
	}); err != nil {
		return out, err
	}
	if err := a.SetSlotSpeakers(acc.SlotID, []SpeakerAssignment{{SpeakerID: acc.SpeakerID, Role: RoleSpeaker}}); err != nil {
		return out, err
	}
	out.SlotID = acc.SlotID
	return out, nil
}

// Region parses a UN M.49 region code such as 150 (Europe) or 419 (Latin America).
func Region(code string) (language.Region, error) {
	r, err := language.ParseRegion(code)
	if err != nil || r.IsCountry() || r.String() != code {
		return language.Region{}, fmt.Errorf("agenda: %q is not a UN M.49 region code", code)
	}
	return r, nil
}

// CountriesIn lists the ISO country codes a UN M.49 region contains, from CLDR.
func CountriesIn(region language.Region) []string {
	var out []string
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			if c, err := ParseCountry(code); err == nil && region.Contains(c) {
				out = append(out, code)
			}
		}
	}
	return out
}

// Endorser is one endorsement as the public sees it: only what the endorser
// agreed to show.
type Endorser struct {
	Name    string           `json:"name"`
	Kind    OrganizationKind `json:"kind"`
	Country string           `json:"country"`
	URL     string           `json:"url"`
}

// EndorserCount is how many endorsers one country or region has.
type EndorserCount struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// EndorsersByCountry is one country's named endorsers.
type EndorsersByCountry struct {
	EndorserCount
	Endorsers []Endorser `json:"endorsers"`
}

// Endorsers is the public list of endorsers of an act.
type Endorsers struct {
	// Total counts every accepted endorsement; Anonymous those that agreed only
	// to be counted. Anonymous ones are in no country or region, so that the
	// country of an endorser who asked not to be named is not given away.
	Total      int                  `json:"total"`
	Anonymous  int                  `json:"anonymous"`
	Countries  []EndorsersByCountry `json:"countries"`
	Continents []EndorserCount      `json:"continents"`
	Regions    []EndorserCount      `json:"regions"`
}

// ListEndorsers groups endorsements by country, most endorsers first, and
// counts them by UN M.49 continent and region. shown lists named endorsers;
// anonymous is how many others agreed only to be counted.
func ListEndorsers(shown []Endorser, anonymous int) Endorsers {
	names := display.English.Regions()
	out := Endorsers{Total: len(shown) + anonymous, Anonymous: anonymous,
		Countries: []EndorsersByCountry{}, Continents: []EndorserCount{}, Regions: []EndorserCount{}}
	byCountry := map[string]*EndorsersByCountry{}
	continents, regions := map[string]*EndorserCount{}, map[string]*EndorserCount{}
	count := func(m map[string]*EndorserCount, r language.Region) {
		e := m[r.String()]
		if e == nil {
			e = &EndorserCount{Key: r.String(), Name: names.Name(r)}
			m[r.String()] = e
		}
		e.Count++
	}
	for _, e := range shown {
		country, err := ParseCountry(e.Country)
		g := byCountry[e.Country]
		if g == nil {
			g = &EndorsersByCountry{EndorserCount: EndorserCount{Key: e.Country, Name: "Unknown"}, Endorsers: []Endorser{}}
			if err == nil {
				g.Name = names.Name(country)
			}
			byCountry[e.Country] = g
		}
		g.Count++
		g.Endorsers = append(g.Endorsers, e)
		if err != nil {
			continue
		}
		for _, r := range balanceContinents {
			if r.Contains(country) {
				count(continents, r)
				break
			}
		}
		for _, r := range balanceRegions {
			if r.Contains(country) {
				count(regions, r)
			}
		}
	}
	for _, g := range byCountry {
		slices.SortFunc(g.Endorsers, func(x, y Endorser) int { return cmp.Compare(NormalizeName(x.Name), NormalizeName(y.Name)) })
		out.Countries = append(out.Countries, *g)
	}
	slices.SortFunc(out.Countries, func(x, y EndorsersByCountry) int {
		return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Key, y.Key))
	})
	for _, list := range []struct {
		m   map[string]*EndorserCount
		out *[]EndorserCount
	}{{continents, &out.Continents}, {regions, &out.Regions}} {
		for _, e := range list.m {
			*list.out = append(*list.out, *e)
		}
		slices.SortFunc(*list.out, func(x, y EndorserCount) int {
			return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Key, y.Key))
		})
	}
	return out
}

// ValidateDecisionNote checks the organizers' private note on a decision.
func ValidateDecisionNote(note string) error {
	var c checker
	c.text("note", note, 0, 2000, true)
	return c.err()
}

// Trim removes the spaces a form leaves around single-line fields.
func (f *ApplicationFields) Trim() {
	for _, p := range []*string{&f.OrganizationName, &f.Country, &f.Website, &f.ContactName, &f.ContactEmail,
		&f.SpeakerName, &f.SpeakerLanguage, &f.SpeakerTimezone, &f.ConsentVersion, &f.Locale} {
		*p = strings.TrimSpace(*p)
	}
}
