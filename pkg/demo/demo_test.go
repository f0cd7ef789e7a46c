package demo

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/language"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// counter returns an id generator that yields prefix-1, prefix-2, ...
func counter(prefix string) func() string {
	n := 0
	return func() string {
		n++
		return fmt.Sprintf("%s-%d", prefix, n)
	}
}

var testNow = time.Date(2026, 12, 5, 18, 42, 17, 0, time.UTC)

func demoAct(t *testing.T) agenda.Agenda {
	t.Helper()
	return Act(testNow, counter("id"))
}

func TestEverythingValidates(t *testing.T) {
	a := demoAct(t)
	if err := a.Event.EventFields.Validate(); err != nil {
		t.Errorf("event: %v", err)
	}
	for _, st := range a.Stages {
		if err := st.StageFields.Validate(); err != nil {
			t.Errorf("stage %q: %v", st.Name, err)
		}
	}
	for _, s := range a.Slots {
		if err := s.SlotFields.Validate(); err != nil {
			t.Errorf("slot %q: %v", s.Title, err)
		}
	}
	for _, sp := range a.Speakers {
		if err := sp.SpeakerFields.Validate(); err != nil {
			t.Errorf("speaker %q: %v", sp.Name, err)
		}
	}
	for _, o := range a.Organizations {
		if err := o.OrganizationFields.Validate(); err != nil {
			t.Errorf("organization %q: %v", o.Name, err)
		}
	}
}

func TestReferencesResolve(t *testing.T) {
	a := demoAct(t)
	for _, sp := range a.Speakers {
		if sp.OrganizationID == "" {
			continue
		}
		if _, err := a.Organization(sp.OrganizationID); err != nil {
			t.Errorf("speaker %q: %v", sp.Name, err)
		}
	}
	for _, s := range a.Slots {
		if _, err := a.Stage(s.StageID); err != nil {
			t.Errorf("slot %q: %v", s.Title, err)
		}
		seen := map[string]bool{}
		for _, ss := range s.Speakers {
			if _, err := a.Speaker(ss.SpeakerID); err != nil {
				t.Errorf("slot %q: %v", s.Title, err)
			}
			if seen[ss.SpeakerID] {
				t.Errorf("slot %q lists speaker %q twice", s.Title, ss.SpeakerID)
			}
			seen[ss.SpeakerID] = true
		}
	}
}

func TestEvent(t *testing.T) {
	a := demoAct(t)
	e := a.Event
	wantStart := time.Date(2026, 12, 5, 18, 22, 0, 0, time.UTC)
	tests := []struct {
		name string
		ok   bool
	}{
		{"slug is demo", e.Slug == "demo"},
		{"published", e.Status == agenda.StatusPublished},
		{"starts 20 minutes ago, to the minute", e.StartsAt.Equal(wantStart)},
		{"ends 4 hours after the start", e.EndsAt != nil && e.EndsAt.Equal(wantStart.Add(4*time.Hour))},
		{"timezone", e.Timezone == "Europe/Berlin"},
		{"languages", slices.Equal(e.Languages, []string{"en", "es", "fr", "ru", "ar"})},
		{"stream", e.StreamURL == "https://stream.example.org/demo"},
		{"waking hours", e.WakingHours == agenda.DefaultWakingHours},
		{"has a title", e.Title != ""},
		{"has a description", e.Description != ""},
	}
	for _, tt := range tests {
		if !tt.ok {
			t.Errorf("event: %s: got %+v", tt.name, e.EventFields)
		}
	}
}

func TestCounts(t *testing.T) {
	a := demoAct(t)
	countries := map[string]bool{}
	for _, sp := range a.Speakers {
		countries[sp.Country] = true
	}
	tests := []struct {
		name     string
		got, min int
	}{
		{"speakers", len(a.Speakers), 24},
		{"distinct speaker countries", len(countries), 12},
		{"organizations", len(a.Organizations), 10},
	}
	for _, tt := range tests {
		if tt.got < tt.min {
			t.Errorf("%s: got %d, want at least %d", tt.name, tt.got, tt.min)
		}
	}
	if len(a.Stages) != 2 {
		t.Errorf("stages: got %d, want 2", len(a.Stages))
	}
}

func TestContinents(t *testing.T) {
	continents := []struct {
		name, code string
	}{
		{"Africa", "002"}, {"Americas", "019"}, {"Asia", "142"}, {"Europe", "150"}, {"Oceania", "009"},
	}
	a := demoAct(t)
	found := map[string]bool{}
	for _, sp := range a.Speakers {
		r := language.MustParseRegion(sp.Country)
		for _, c := range continents {
			if language.MustParseRegion(c.code).Contains(r) {
				found[c.name] = true
			}
		}
	}
	if len(found) < 4 {
		t.Errorf("speakers come from %d continents (%v), want at least 4", len(found), found)
	}
}

func TestSpeakerDetails(t *testing.T) {
	a := demoAct(t)
	withOrg, withNotes := 0, 0
	for _, sp := range a.Speakers {
		if sp.Country == "" || sp.Bio == "" || sp.Timezone == "" || len(sp.Languages) == 0 {
			t.Errorf("speaker %q lacks country, bio, timezone or languages", sp.Name)
		}
		if !strings.HasPrefix(sp.PhotoURL, "https://example.org/photos/") {
			t.Errorf("speaker %q: photo %q", sp.Name, sp.PhotoURL)
		}
		if !strings.HasSuffix(sp.ContactEmail, "@example.org") {
			t.Errorf("speaker %q: contact %q", sp.Name, sp.ContactEmail)
		}
		if sp.OrganizationID != "" {
			withOrg++
		}
		if sp.Notes != "" {
			withNotes++
		}
	}
	if withOrg*2 <= len(a.Speakers) {
		t.Errorf("%d of %d speakers have an organization, want most", withOrg, len(a.Speakers))
	}
	if withNotes == 0 {
		t.Error("no speaker has private notes")
	}
	for _, o := range a.Organizations {
		if !strings.Contains(o.URL, ".example.org") && !strings.Contains(o.URL, ".example.net") {
			t.Errorf("organization %q: URL %q is not on example.org or example.net", o.Name, o.URL)
		}
	}
}

func TestSlotMix(t *testing.T) {
	a := demoAct(t)
	kinds := map[agenda.SlotKind]bool{}
	statuses := map[agenda.Invitation]bool{}
	pinned, interpreted := 0, 0
	for _, s := range a.Slots {
		kinds[s.Kind] = true
		if s.PinnedStart != nil {
			pinned++
		}
		if len(s.Interpretation) > 0 {
			interpreted++
		}
		for _, ss := range s.Speakers {
			statuses[ss.Status] = true
			if ss.Status == agenda.Declined && ss.Note == "" {
				t.Errorf("slot %q: a declined speaker has no note", s.Title)
			}
		}
	}
	for _, k := range []agenda.SlotKind{agenda.KindSpeech, agenda.KindPanel, agenda.KindVideo, agenda.KindMusic, agenda.KindModeration, agenda.KindBreak} {
		if !kinds[k] {
			t.Errorf("no slot of kind %q", k)
		}
	}
	for _, st := range []agenda.Invitation{agenda.Confirmed, agenda.Invited, agenda.Declined} {
		if !statuses[st] {
			t.Errorf("no slot speaker with status %q", st)
		}
	}
	if pinned < 1 {
		t.Error("no slot has a pinned start")
	}
	if interpreted == 0 {
		t.Error("no slot has interpretation")
	}
}

func TestPanels(t *testing.T) {
	a := demoAct(t)
	for _, s := range a.Slots {
		if s.Kind != agenda.KindPanel {
			continue
		}
		moderators, speakers := 0, 0
		for _, ss := range s.Speakers {
			if ss.Role == agenda.RoleModerator {
				moderators++
			} else {
				speakers++
			}
		}
		if moderators != 1 || speakers < 2 || speakers > 4 {
			t.Errorf("panel %q: %d moderators and %d speakers, want 1 and 2–4", s.Title, moderators, speakers)
		}
		if d := s.Duration(); d < 20*time.Minute || d > 30*time.Minute {
			t.Errorf("panel %q lasts %v", s.Title, d)
		}
	}
}

func TestRunningOrder(t *testing.T) {
	a := demoAct(t)
	for _, st := range a.Stages {
		slots := a.StageSlots(st.ID)
		if len(slots) == 0 {
			t.Errorf("stage %q has no slots", st.Name)
			continue
		}
		for i, s := range slots {
			if s.Position != i {
				t.Errorf("stage %q: slot %q at position %d, want %d", st.Name, s.Title, s.Position, i)
			}
			if s.PlannedStart.Before(a.Event.StartsAt) || s.PlannedEnd.After(*a.Event.EndsAt) {
				t.Errorf("stage %q: slot %q (%v–%v) is outside the event", st.Name, s.Title, s.PlannedStart, s.PlannedEnd)
			}
			if i > 0 && s.PinnedStart != nil && !s.PlannedStart.After(slots[i-1].PlannedEnd) {
				t.Errorf("stage %q: pinned slot %q has no gap before it", st.Name, s.Title)
			}
		}
	}
	for _, w := range a.Warnings(testNow) {
		switch w.Kind {
		case agenda.WarnOverlap, agenda.WarnDoubleBooking, agenda.WarnPastEventEnd:
			t.Errorf("warning: %s", w.Message)
		}
	}
}

func TestSpeakerAtRisk(t *testing.T) {
	a := demoAct(t)
	for _, sp := range a.Speakers {
		if sp.HideOrganization && sp.HidePhoto && sp.OrganizationID != "" && sp.PhotoURL != "" && sp.Notes != "" {
			for _, ps := range a.PublicView().Speakers.([]agenda.PublicSpeaker) {
				if ps.ID == sp.ID && (ps.OrganizationID != "" || ps.PhotoURL != "") {
					t.Errorf("public view shows the organization or photo of %q", sp.Name)
				}
			}
			return
		}
	}
	t.Error("no speaker at risk with a hidden organization and photo")
}

func TestScripts(t *testing.T) {
	scripts := []struct {
		name  string
		table *unicode.RangeTable
	}{
		{"Cyrillic", unicode.Cyrillic}, {"Latin", unicode.Latin}, {"Arabic", unicode.Arabic}, {"Devanagari", unicode.Devanagari},
	}
	a := demoAct(t)
	for _, sc := range scripts {
		t.Run(sc.name, func(t *testing.T) {
			for _, sp := range a.Speakers {
				for _, r := range sp.Name {
					if unicode.Is(sc.table, r) {
						return
					}
				}
			}
			t.Errorf("no speaker name in %s script", sc.name)
		})
	}
}

func TestLive(t *testing.T) {
	tests := []struct {
		name string
		now  time.Time
	}{
		{"on the minute", time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC)},
		{"mid-minute", testNow},
		{"just before the minute", time.Date(2026, 3, 1, 9, 59, 59, 999_999_999, time.UTC)},
		{"non-UTC now", time.Date(2026, 6, 1, 21, 7, 30, 0, time.FixedZone("UTC+3", 3*60*60))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Act(tt.now, counter("x"))
			v := a.LiveView()
			if v.State != agenda.LiveRunning || v.CurrentSlotID == nil {
				t.Fatalf("live state %q, want running", v.State)
			}
			cur, err := a.Slot(*v.CurrentSlotID)
			if err != nil {
				t.Fatalf("current slot: %v", err)
			}
			if cur.StageID != a.Stages[0].ID {
				t.Errorf("current slot %q is not on the main stage", cur.Title)
			}
			// Now falls within the current slot as projected, and the show runs late.
			for _, p := range a.Project(tt.now).Slots {
				if p.SlotID == cur.ID && (tt.now.Before(p.ProjectedStart) || tt.now.After(p.ProjectedEnd)) {
					t.Errorf("current slot %q (%v–%v) does not contain now %v", cur.Title, p.ProjectedStart, p.ProjectedEnd, tt.now)
				}
			}
			if v.DelaySeconds <= 0 {
				t.Errorf("delay %d, want the demo to run late", v.DelaySeconds)
			}
		})
	}
}

func TestIDsUnique(t *testing.T) {
	a := demoAct(t)
	ids := []string{a.Event.ID}
	for _, st := range a.Stages {
		ids = append(ids, st.ID)
	}
	for _, s := range a.Slots {
		ids = append(ids, s.ID)
	}
	for _, sp := range a.Speakers {
		ids = append(ids, sp.ID)
	}
	for _, o := range a.Organizations {
		ids = append(ids, o.ID)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" {
			t.Error("empty id")
		}
		if seen[id] {
			t.Errorf("id %q used twice", id)
		}
		seen[id] = true
	}
}

func TestDeterministic(t *testing.T) {
	a := Act(testNow, counter("a"))
	b := Act(testNow, counter("other"))
	// content names a's parts in running order; speakers and organizations are
	// ordered by id, so they are compared as sorted sets.
	content := func(x agenda.Agenda) []string {
		out := []string{x.Event.Title, x.Event.StartsAt.String()}
		for _, st := range x.Stages {
			out = append(out, "stage "+st.Name)
		}
		for _, s := range x.Slots {
			out = append(out, fmt.Sprintf("slot %s %v %d", s.Title, s.PlannedStart, len(s.Speakers)))
		}
		var names []string
		for _, sp := range x.Speakers {
			names = append(names, "speaker "+sp.Name)
		}
		for _, o := range x.Organizations {
			names = append(names, "organization "+o.Name)
		}
		slices.Sort(names)
		cur, _ := x.Slot(*x.LiveView().CurrentSlotID)
		return append(append(out, names...), "current "+cur.Title)
	}
	if ca, cb := content(a), content(b); !slices.Equal(ca, cb) {
		t.Errorf("two calls differ:\n%q\n%q", ca, cb)
	}
}
