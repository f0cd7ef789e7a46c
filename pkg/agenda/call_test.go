package agenda

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func validApplication() ApplicationFields {
	return ApplicationFields{
		OrganizationName: "Sindicato de Docentes", Country: "AR", Kind: OrgUnion, Website: "https://docentes.example.org",
		ContactName: "Lucía Fernández", ContactEmail: "lucia@example.org", Endorse: true, ShowPublicly: true,
		WantsSlot: true, SpeakerName: "Marta Gómez", SpeakerLanguage: "es", SpeakerTimezone: "America/Argentina/Buenos_Aires",
		Consent: true, ConsentVersion: "1", Locale: "es",
	}
}

func TestApplicationValidation(t *testing.T) {
	if err := validApplication().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		change func(*ApplicationFields)
		field  string
	}{
		{func(f *ApplicationFields) { f.OrganizationName = " x " }, "organization_name"},
		{func(f *ApplicationFields) { f.Country = "" }, "country"},
		{func(f *ApplicationFields) { f.Country = "EU" }, "country"},
		{func(f *ApplicationFields) { f.Kind = "church" }, "kind"},
		{func(f *ApplicationFields) { f.Website = "ftp://example.org" }, "website"},
		{func(f *ApplicationFields) { f.ContactName = "" }, "contact_name"},
		{func(f *ApplicationFields) { f.ContactEmail = "a@b@c" }, "contact_email"},
		{func(f *ApplicationFields) { f.Endorse, f.WantsSlot = false, false }, "endorse"},
		{func(f *ApplicationFields) { f.SpeakerName = "" }, "speaker_name"},
		{func(f *ApplicationFields) { f.SpeakerLanguage = "" }, "speaker_language"},
		{func(f *ApplicationFields) { f.SpeakerTimezone = "Europe/Atlantis" }, "speaker_timezone"},
		{func(f *ApplicationFields) { f.Note = strings.Repeat("n", 2001) }, "note"},
		{func(f *ApplicationFields) { f.Consent = false }, "consent"},
		{func(f *ApplicationFields) { f.ConsentVersion = "" }, "consent_version"},
		{func(f *ApplicationFields) { f.Locale = "not a tag" }, "locale"},
	} {
		f := validApplication()
		c.change(&f)
		var ve *ValidationError
		if err := f.Validate(); !errors.As(err, &ve) || ve.Errors[0].Field != c.field {
			t.Errorf("%s: %v", c.field, err)
		}
	}
	// Without a slot, the proposed speaker is optional; a personality is a kind.
	f := validApplication()
	f.WantsSlot, f.SpeakerName, f.SpeakerLanguage, f.SpeakerTimezone, f.Kind = false, "", "", "", KindPersonality
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestNormalizeName(t *testing.T) {
	same := [][2]string{
		{"Confédération Générale du Travail", "confederation generale du travail."},
		{"Union of Teachers", "  UNION  of teachers "},
		{"Straße-Bündnis", "STRASSE BUNDNIS"},
		{"Профсоюз учителей", "профсоюз  учителей!"},
		{"ＣＧＴ", "cgt"},
	}
	for _, p := range same {
		if NormalizeName(p[0]) != NormalizeName(p[1]) {
			t.Errorf("%q and %q differ: %q, %q", p[0], p[1], NormalizeName(p[0]), NormalizeName(p[1]))
		}
	}
	if NormalizeName("CGT") == NormalizeName("CGIL") || NormalizeName("Профсоюз") == NormalizeName("Profsoyuz") {
		t.Error("different names meet")
	}
}

func TestCallOpenAt(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	opens, closes := now.Add(-time.Hour), now.Add(time.Hour)
	for _, c := range []struct {
		f    CallFields
		open bool
		why  string
	}{
		{CallFields{}, false, "not open"},
		{CallFields{OpensAt: &closes}, false, "opens at 2026-11-01T13:00:00Z"},
		{CallFields{OpensAt: &opens}, true, ""},
		{CallFields{OpensAt: &opens, ClosesAt: &closes}, true, ""},
		{CallFields{OpensAt: &opens, ClosesAt: &now}, false, "closed at 2026-11-01T12:00:00Z"},
	} {
		if open, why := c.f.OpenAt(now); open != c.open || !strings.Contains(why, c.why) {
			t.Errorf("%+v: %v %q", c.f, open, why)
		}
	}
	if err := (CallFields{ClosesAt: &closes, ConsentVersion: "1"}).Validate(); err == nil {
		t.Error("a close without an opening")
	}
	if err := (CallFields{OpensAt: &closes, ClosesAt: &opens, ConsentVersion: "1"}).Validate(); err == nil {
		t.Error("closing before opening")
	}
}

func TestApplicationStatuses(t *testing.T) {
	for _, s := range ApplicationStatuses {
		if s.CanAccept() != (s != AppAccepted && s != AppMerged) {
			t.Errorf("%s: CanAccept %v", s, s.CanAccept())
		}
		if s.CanMerge() != (s != AppAccepted && s != AppMerged) {
			t.Errorf("%s: CanMerge %v", s, s.CanMerge())
		}
		if s.CanDecline(AppDeclined) != (s != AppMerged && s != AppDeclined) {
			t.Errorf("%s: CanDecline %v", s, s.CanDecline(AppDeclined))
		}
	}
	for _, s := range Clearable {
		if !s.Undecided() && s != AppSpam {
			t.Errorf("%s is clearable", s)
		}
	}
}

func TestAcceptApplication(t *testing.T) {
	a := &Agenda{Event: Event{ID: "e", EventFields: EventFields{StartsAt: time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC), Timezone: "UTC"}}}
	if err := a.AddStage("main", StageFields{Name: "Main"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.AddOrganization("cgt", OrganizationFields{Name: "Confédération générale du travail", Country: "FR", Kind: OrgUnion}); err != nil {
		t.Fatal(err)
	}
	f := validApplication()

	// A new organization, a speaker and a slot placeholder.
	got, err := a.AcceptApplication(f, Acceptance{NewOrganizationID: "o1", SpeakerID: "s1", SlotID: "x1", StageID: "main", Reference: "application 1"})
	if err != nil {
		t.Fatal(err)
	}
	if got != (Accepted{OrganizationID: "o1", SpeakerID: "s1", SlotID: "x1"}) {
		t.Fatalf("accepted %+v", got)
	}
	sp, _ := a.Speaker("s1")
	slot, _ := a.Slot("x1")
	if sp.OrganizationID != "o1" || sp.ContactEmail != f.ContactEmail || !strings.Contains(sp.Notes, "application 1") ||
		slot.DurationSeconds != DefaultPlaceholderSeconds || slot.Speakers[0].Status != Invited || slot.Title != f.OrganizationName {
		t.Fatalf("speaker %+v slot %+v", sp, slot)
	}

	// The same organization, spelled otherwise, is linked and not made twice.
	f2 := validApplication()
	f2.OrganizationName, f2.Country, f2.WantsSlot = "CONFEDERATION GENERALE DU TRAVAIL", "FR", false
	n := len(a.Organizations)
	if got, err := a.AcceptApplication(f2, Acceptance{NewOrganizationID: "o2"}); err != nil || got.OrganizationID != "cgt" || len(a.Organizations) != n {
		t.Fatalf("linked %+v %v", got, err)
	}
	// In another country it is another organization.
	f2.Country = "BE"
	if got, err := a.AcceptApplication(f2, Acceptance{NewOrganizationID: "o3"}); err != nil || got.OrganizationID != "o3" {
		t.Fatalf("made %+v %v", got, err)
	}
	// A personality makes no organization, and speaks under their own name.
	p := validApplication()
	p.Kind, p.OrganizationName, p.SpeakerName = KindPersonality, "Noam Example", ""
	if got, err := a.AcceptApplication(p, Acceptance{NewOrganizationID: "o4", SpeakerID: "s4"}); err != nil || got.OrganizationID != "" {
		t.Fatalf("personality %+v %v", got, err)
	}
	if sp, _ := a.Speaker("s4"); sp.Name != "Noam Example" {
		t.Fatalf("personality's speaker %+v", sp)
	}

	// Refusals change nothing.
	before := a.Clone()
	for _, acc := range []Acceptance{
		{OrganizationID: "nope", NewOrganizationID: "o5"},
		{NewOrganizationID: "o5", StageID: "main", SlotID: "x5"},
		{NewOrganizationID: "o5", SpeakerID: "s5", SlotID: "x5", StageID: "nope"},
	} {
		c := a.Clone()
		if _, err := c.AcceptApplication(f, acc); err == nil {
			t.Errorf("%+v accepted", acc)
		}
	}
	noSpeaker := validApplication()
	noSpeaker.WantsSlot, noSpeaker.SpeakerName = false, ""
	c := a.Clone()
	if _, err := c.AcceptApplication(noSpeaker, Acceptance{NewOrganizationID: "o6", SpeakerID: "s6"}); err == nil {
		t.Error("a speaker made from no proposal")
	}
	if len(a.Organizations) != len(before.Organizations) || len(a.Speakers) != len(before.Speakers) {
		t.Fatal("a refused acceptance changed the agenda")
	}
}

func TestRegionsAndEndorsers(t *testing.T) {
	europe, err := Region("150")
	if err != nil {
		t.Fatal(err)
	}
	in := CountriesIn(europe)
	for _, c := range []string{"FR", "UA", "RU", "IS"} {
		if !slices.Contains(in, c) {
			t.Errorf("Europe lacks %s", c)
		}
	}
	if slices.Contains(in, "BR") || slices.Contains(in, "IN") {
		t.Errorf("Europe holds %v", in)
	}
	for _, bad := range []string{"FR", "999", "", "europe"} {
		if _, err := Region(bad); err == nil {
			t.Errorf("%q is a region", bad)
		}
	}

	e := ListEndorsers([]Endorser{
		{Name: "b union", Kind: OrgUnion, Country: "FR"}, {Name: "A party", Kind: OrgParty, Country: "FR"},
		{Name: "Sindicato", Kind: OrgUnion, Country: "AR"}, {Name: "Somewhere", Kind: OrgOther, Country: ""},
	}, 2)
	if e.Total != 6 || e.Anonymous != 2 || len(e.Countries) != 3 {
		t.Fatalf("%+v", e)
	}
	fr := e.Countries[0]
	if fr.Key != "FR" || fr.Name != "France" || fr.Count != 2 || fr.Endorsers[0].Name != "A party" {
		t.Fatalf("France %+v", fr)
	}
	count := func(list []EndorserCount, key string) int {
		for _, c := range list {
			if c.Key == key {
				return c.Count
			}
		}
		return 0
	}
	if count(e.Continents, "150") != 2 || count(e.Continents, "019") != 1 || count(e.Regions, "155") != 2 ||
		count(e.Regions, "419") != 1 || count(e.Regions, "005") != 1 {
		t.Fatalf("continents %+v regions %+v", e.Continents, e.Regions)
	}
	if empty := ListEndorsers(nil, 0); empty.Countries == nil || empty.Continents == nil || empty.Regions == nil {
		t.Fatal("nil lists")
	}
}
