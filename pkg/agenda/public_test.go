package agenda_test

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// Private values of pubRally: none of them may appear in the public view.
const (
	secretEmail    = "olena.private@example.org"
	secretNotes    = "Lives at a safe house; phone only"
	secretTZ       = "Asia/Yerevan" // s1's own timezone, different from the event's
	hiddenCountry  = "BY"           // s2 hides it
	hiddenPhoto    = "https://example.org/hidden-face.jpg"
	hiddenOrgName  = "Underground Union"  // o2, only through s2 who hides it
	invitedName    = "Invited Person"     // s3
	invitedOrgName = "Org Of The Invited" // o3, only through s3
	declinedName   = "Declined Person"    // s4
	declinedOrg    = "Org Of The Declined"
	idleName       = "Unassigned Person" // s5, on no slot
	idleOrg        = "Org Of The Unassigned"
	lonelyOrg      = "Org Without Speakers" // o6
)

// pubRally: main runs a [s1 confirmed, s3 invited], b [s4 declined, s6 confirmed
// moderator], c, d [s1 confirmed]; side runs x [s2 confirmed], y. s1 and s6 show
// organization o1; s2 hides everything; s5 is on no slot; o6 has no speaker.
func pubRally() *agenda.Agenda {
	a := newRally("2026-05-01T10:00:00Z", "Europe/Kyiv").stage("main").stage("side").
		slot("a", "main", 10*time.Minute, heldBy("s1", agenda.Confirmed), heldBy("s3", agenda.Invited)).
		slot("b", "main", 20*time.Minute, heldBy("s4", agenda.Declined), heldBy("s6", agenda.Confirmed)).
		slot("c", "main", 30*time.Minute).
		slot("d", "main", 40*time.Minute, heldBy("s1", agenda.Confirmed)).
		slot("x", "side", 15*time.Minute, heldBy("s2", agenda.Confirmed)).
		slot("y", "side", 25*time.Minute).
		speaker("s1", "Олена Шевченко", "UA", secretTZ, "o1").
		speaker("s2", "Анонім", hiddenCountry, "Europe/Minsk", "o2").
		speaker("s3", invitedName, "IR", "Asia/Tehran", "o3").
		speaker("s4", declinedName, "TR", "Europe/Istanbul", "o4").
		speaker("s5", idleName, "CL", "America/Santiago", "o5").
		speaker("s6", "王小明", "TW", "Asia/Taipei", "o1").
		org("o1", "Federation").
		org("o2", hiddenOrgName).
		org("o3", invitedOrgName).
		org("o4", declinedOrg).
		org("o5", idleOrg).
		org("o6", lonelyOrg).
		build()
	a.Event.Status = agenda.StatusPublished
	a.Event.Languages = []string{"en", "uk"}
	a.Event.WakingHours = agenda.WakingHours{From: "08:00", To: "22:00"}
	a.Slots[1].Speakers[1].Role = agenda.RoleModerator
	a.Slots[1].Speakers[1].Note = "secret note of s6"
	s1 := speakerOf(a, "s1")
	s1.ContactEmail, s1.Notes = secretEmail, secretNotes
	s1.PhotoURL, s1.Bio, s1.Languages = "https://example.org/olena.jpg", "Trade unionist.", []string{"uk", "en"}
	s2 := speakerOf(a, "s2")
	s2.HideCountry, s2.HideOrganization, s2.HidePhoto = true, true, true
	s2.PhotoURL = hiddenPhoto
	return a
}

func speakerOf(a *agenda.Agenda, id string) *agenda.Speaker {
	sp, err := a.Speaker(id)
	if err != nil {
		panic(err)
	}
	return sp
}

// publicJSON encodes the public view and decodes it into generic maps.
func publicJSON(t *testing.T, a *agenda.Agenda) (string, map[string]any) {
	t.Helper()
	raw, err := json.Marshal(a.PublicView())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return string(raw), m
}

func keysOf(v any) []string {
	m, _ := v.(map[string]any)
	return slices.Sorted(maps.Keys(m))
}

func sorted(s ...string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// objects returns the objects of a collection in a decoded view, by id.
func objects(t *testing.T, view map[string]any, collection string) map[string]map[string]any {
	t.Helper()
	list, ok := view[collection].([]any)
	if !ok {
		t.Fatalf("%s = %#v, want a JSON array", collection, view[collection])
	}
	out := map[string]map[string]any{}
	for _, it := range list {
		obj := it.(map[string]any)
		out[obj["id"].(string)] = obj
	}
	return out
}

func TestPublicViewTopLevelKeys(t *testing.T) {
	for name, a := range map[string]*agenda.Agenda{"rally": pubRally(), "empty agenda": {}} {
		t.Run(name, func(t *testing.T) {
			_, m := publicJSON(t, a)
			want := sorted("version", "event", "stages", "slots", "speakers", "organizations", "live")
			if got := keysOf(m); !slices.Equal(got, want) {
				t.Errorf("public view keys = %v, want %v", got, want)
			}
			for _, c := range []string{"stages", "slots", "speakers", "organizations"} {
				if _, ok := m[c].([]any); !ok {
					t.Errorf("%s = %#v, want an array (never null)", c, m[c])
				}
			}
		})
	}
}

func TestPublicViewLeaksNothingPrivate(t *testing.T) {
	raw, _ := publicJSON(t, pubRally())
	for _, secret := range []string{
		secretEmail, secretNotes, secretTZ, hiddenPhoto, hiddenOrgName, invitedName, invitedOrgName,
		declinedName, declinedOrg, idleName, idleOrg, lonelyOrg, "secret note of s6",
		`"` + hiddenCountry + `"`, "contact_email", "notes", "hide_", "waking_hours", `"o2"`, `"o3"`,
		`"s3"`, `"s4"`, `"s5"`, `"invited"`, `"declined"`, `"confirmed"`,
	} {
		if strings.Contains(raw, secret) {
			t.Errorf("public view contains %q:\n%s", secret, raw)
		}
	}
}

func TestPublicViewShape(t *testing.T) {
	_, m := publicJSON(t, pubRally())
	event := m["event"].(map[string]any)
	wantEvent := sorted("id", "slug", "title", "description", "starts_at", "ends_at", "timezone", "status", "languages", "stream_url")
	if got := keysOf(event); !slices.Equal(got, wantEvent) {
		t.Errorf("event keys = %v, want %v", got, wantEvent)
	}
	if event["timezone"] != "Europe/Kyiv" {
		t.Errorf("event timezone = %v, want the event's own (public) timezone", event["timezone"])
	}
	if got := keysOf(objects(t, m, "stages")["main"]); !slices.Equal(got, sorted("id", "name", "position")) {
		t.Errorf("stage keys = %v", got)
	}
	slots := objects(t, m, "slots")
	if got := slices.Sorted(maps.Keys(slots)); !slices.Equal(got, sorted("a", "b", "c", "d", "x", "y")) {
		t.Errorf("slots = %v, want every slot", got)
	}
	wantSlot := sorted("id", "stage_id", "position", "kind", "title", "description", "duration_seconds", "pinned_start",
		"planned_start", "planned_end", "language", "interpretation", "speakers")
	if got := keysOf(slots["a"]); !slices.Equal(got, wantSlot) {
		t.Errorf("slot keys = %v, want %v", got, wantSlot)
	}
	for _, s := range slots {
		for _, sp := range s["speakers"].([]any) {
			if got := keysOf(sp); !slices.Equal(got, sorted("speaker_id", "role")) {
				t.Errorf("slot speaker keys = %v, want speaker_id and role only", got)
			}
		}
	}
	wantSlotSpeakers := map[string][]string{"a": {"s1"}, "b": {"s6"}, "c": nil, "d": {"s1"}, "x": {"s2"}, "y": nil}
	for id, want := range wantSlotSpeakers {
		var got []string
		for _, sp := range slots[id]["speakers"].([]any) {
			got = append(got, sp.(map[string]any)["speaker_id"].(string))
		}
		if !slices.Equal(got, want) {
			t.Errorf("slot %s public speakers = %v, want %v", id, got, want)
		}
	}
	if role := slots["b"]["speakers"].([]any)[0].(map[string]any)["role"]; role != "moderator" {
		t.Errorf("s6's role on b = %v, want moderator", role)
	}
}

func TestPublicViewSpeakers(t *testing.T) {
	_, m := publicJSON(t, pubRally())
	speakers := objects(t, m, "speakers")
	if got := slices.Sorted(maps.Keys(speakers)); !slices.Equal(got, []string{"s1", "s2", "s6"}) {
		t.Errorf("public speakers = %v, want only the confirmed s1, s2, s6", got)
	}
	tests := []struct {
		id   string
		keys []string
		want map[string]any
	}{
		{
			id:   "s1",
			keys: sorted("id", "name", "country", "organization_id", "bio", "photo_url", "languages"),
			want: map[string]any{"name": "Олена Шевченко", "country": "UA", "organization_id": "o1", "photo_url": "https://example.org/olena.jpg", "bio": "Trade unionist."},
		},
		{id: "s2", keys: sorted("id", "name", "bio", "languages"), want: map[string]any{"name": "Анонім"}},
		{id: "s6", keys: sorted("id", "name", "country", "organization_id", "bio", "languages"), want: map[string]any{"country": "TW", "organization_id": "o1"}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			sp := speakers[tt.id]
			if got := keysOf(sp); !slices.Equal(got, tt.keys) {
				t.Errorf("keys = %v, want %v", got, tt.keys)
			}
			for k, v := range tt.want {
				if sp[k] != v {
					t.Errorf("%s = %#v, want %#v", k, sp[k], v)
				}
			}
			if _, ok := sp["languages"].([]any); !ok {
				t.Errorf("languages = %#v, want an array", sp["languages"])
			}
		})
	}
	orgs := objects(t, m, "organizations")
	if got := slices.Sorted(maps.Keys(orgs)); !slices.Equal(got, []string{"o1"}) {
		t.Errorf("public organizations = %v, want only o1", got)
	}
	if got := keysOf(orgs["o1"]); !slices.Equal(got, sorted("id", "name", "country", "kind", "url")) {
		t.Errorf("organization keys = %v", got)
	}
}

// TestPublicViewVisibility checks one speaker at a time: when they and their
// organization are public.
func TestPublicViewVisibility(t *testing.T) {
	tests := []struct {
		name                              string
		statuses                          []agenda.Invitation // the speaker's answers on slots a, b…
		hideCountry, hideOrg, hidePhoto   bool
		wantSpeaker                       bool
		wantCountry, wantOrgID, wantPhoto bool
		wantOrg                           bool
	}{
		{name: "confirmed, nothing hidden", statuses: []agenda.Invitation{agenda.Confirmed}, wantSpeaker: true, wantCountry: true, wantOrgID: true, wantPhoto: true, wantOrg: true},
		{name: "invited", statuses: []agenda.Invitation{agenda.Invited}},
		{name: "declined", statuses: []agenda.Invitation{agenda.Declined}},
		{name: "on no slot", statuses: nil},
		{name: "invited and declined", statuses: []agenda.Invitation{agenda.Invited, agenda.Declined}},
		{name: "declined once, confirmed once", statuses: []agenda.Invitation{agenda.Declined, agenda.Confirmed}, wantSpeaker: true, wantCountry: true, wantOrgID: true, wantPhoto: true, wantOrg: true},
		{name: "country hidden", statuses: []agenda.Invitation{agenda.Confirmed}, hideCountry: true, wantSpeaker: true, wantOrgID: true, wantPhoto: true, wantOrg: true},
		{name: "organization hidden", statuses: []agenda.Invitation{agenda.Confirmed}, hideOrg: true, wantSpeaker: true, wantCountry: true, wantPhoto: true},
		{name: "photo hidden", statuses: []agenda.Invitation{agenda.Confirmed}, hidePhoto: true, wantSpeaker: true, wantCountry: true, wantOrgID: true, wantOrg: true},
		{name: "everything hidden", statuses: []agenda.Invitation{agenda.Confirmed}, hideCountry: true, hideOrg: true, hidePhoto: true, wantSpeaker: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRally("2026-05-01T10:00:00Z", "UTC").stage("main").
				speaker("sp", "Ana", "PE", "America/Lima", "org").org("org", "Sindicato")
			for i, st := range tt.statuses {
				r.slot(string(rune('a'+i)), "main", 10*time.Minute, heldBy("sp", st))
			}
			a := r.build()
			sp := speakerOf(a, "sp")
			sp.PhotoURL, sp.ContactEmail, sp.Notes = "https://example.org/ana.jpg", "ana@example.org", "private"
			sp.HideCountry, sp.HideOrganization, sp.HidePhoto = tt.hideCountry, tt.hideOrg, tt.hidePhoto

			raw, m := publicJSON(t, a)
			speakers := objects(t, m, "speakers")
			got, ok := speakers["sp"]
			if ok != tt.wantSpeaker {
				t.Fatalf("speaker public = %v, want %v", ok, tt.wantSpeaker)
			}
			if !ok {
				if strings.Contains(raw, `"sp"`) || strings.Contains(raw, "Ana") {
					t.Errorf("hidden speaker appears in the public view: %s", raw)
				}
			} else {
				for key, want := range map[string]bool{"country": tt.wantCountry, "organization_id": tt.wantOrgID, "photo_url": tt.wantPhoto} {
					if _, has := got[key]; has != want {
						t.Errorf("%s present = %v, want %v", key, has, want)
					}
				}
			}
			if _, has := objects(t, m, "organizations")["org"]; has != tt.wantOrg {
				t.Errorf("organization public = %v, want %v", has, tt.wantOrg)
			}
			if !tt.wantOrg && strings.Contains(raw, "Sindicato") {
				t.Errorf("organization name in the public view: %s", raw)
			}
			for _, secret := range []string{"ana@example.org", "private", "America/Lima"} {
				if strings.Contains(raw, secret) {
					t.Errorf("public view contains %q", secret)
				}
			}
		})
	}
}

// ids returns the ids of the objects of a delta's upsert for one collection.
func upsertIDs(t *testing.T, d agenda.Delta, collection string) []string {
	t.Helper()
	var out []string
	for _, raw := range d.Upsert[collection] {
		var obj struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil {
			t.Fatal(err)
		}
		out = append(out, obj.ID)
	}
	return out
}

func TestDiff(t *testing.T) {
	type want struct {
		upsert map[string][]string
		delete map[string][]string
		event  bool
		live   bool
	}
	tests := []struct {
		name              string
		edit              func(t *testing.T, a *agenda.Agenda)
		public, organizer want
	}{
		{
			name: "nothing",
			edit: func(*testing.T, *agenda.Agenda) {},
		},
		{
			name: "only notes",
			edit: func(t *testing.T, a *agenda.Agenda) {
				f := speakerOf(a, "s1").SpeakerFields
				f.Notes = "new private notes"
				must(t, a.UpdateSpeaker("s1", f))
			},
			organizer: want{upsert: map[string][]string{"speakers": {"s1"}}},
		},
		{
			name: "only private speaker fields",
			edit: func(t *testing.T, a *agenda.Agenda) {
				f := speakerOf(a, "s2").SpeakerFields
				f.ContactEmail, f.Timezone, f.Country, f.PhotoURL = "new@example.org", "Europe/Vilnius", "LT", "https://example.org/other.jpg"
				must(t, a.UpdateSpeaker("s2", f))
			},
			organizer: want{upsert: map[string][]string{"speakers": {"s2"}}},
		},
		{
			name: "only an unpublished speaker",
			edit: func(t *testing.T, a *agenda.Agenda) {
				f := speakerOf(a, "s3").SpeakerFields
				f.Name = "Renamed"
				must(t, a.UpdateSpeaker("s3", f))
			},
			organizer: want{upsert: map[string][]string{"speakers": {"s3"}}},
		},
		{
			name: "only waking hours",
			edit: func(t *testing.T, a *agenda.Agenda) {
				a.Event.WakingHours = agenda.WakingHours{From: "06:00", To: "23:00"}
			},
			organizer: want{event: true},
		},
		{
			name: "only a slot speaker's note",
			edit: func(t *testing.T, a *agenda.Agenda) {
				must(t, a.Answer("b", "s6", agenda.Confirmed, "changed note"))
			},
			organizer: want{upsert: map[string][]string{"slots": {"b"}}},
		},
		{
			name: "stage renamed",
			edit: func(t *testing.T, a *agenda.Agenda) {
				must(t, a.UpdateStage("side", agenda.StageFields{Name: "Друга сцена"}))
			},
			public:    want{upsert: map[string][]string{"stages": {"side"}}},
			organizer: want{upsert: map[string][]string{"stages": {"side"}}},
		},
		{
			name: "slot retitled",
			edit: func(t *testing.T, a *agenda.Agenda) {
				f := mustSlot(t, a, "c").SlotFields
				f.Title = "Новий заголовок"
				must(t, a.UpdateSlot("c", f))
			},
			public:    want{upsert: map[string][]string{"slots": {"c"}}},
			organizer: want{upsert: map[string][]string{"slots": {"c"}}},
		},
		{
			name: "longer slot shifts the later ones",
			edit: func(t *testing.T, a *agenda.Agenda) {
				f := mustSlot(t, a, "b").SlotFields
				f.DurationSeconds += 300
				must(t, a.UpdateSlot("b", f))
			},
			public:    want{upsert: map[string][]string{"slots": {"b", "c", "d"}}, live: true},
			organizer: want{upsert: map[string][]string{"slots": {"b", "c", "d"}}, live: true},
		},
		{
			name: "slot deleted",
			edit: func(t *testing.T, a *agenda.Agenda) { must(t, a.DeleteSlot("c")) },
			public: want{
				upsert: map[string][]string{"slots": {"d"}}, delete: map[string][]string{"slots": {"c"}}, live: true,
			},
			organizer: want{
				upsert: map[string][]string{"slots": {"d"}}, delete: map[string][]string{"slots": {"c"}}, live: true,
			},
		},
		{
			name: "stage deleted takes its slots and its only speaker",
			edit: func(t *testing.T, a *agenda.Agenda) { must(t, a.DeleteStage("side")) },
			public: want{
				delete: map[string][]string{"stages": {"side"}, "slots": {"x", "y"}, "speakers": {"s2"}}, live: true,
			},
			organizer: want{delete: map[string][]string{"stages": {"side"}, "slots": {"x", "y"}}, live: true},
		},
		{
			name: "slot added",
			edit: func(t *testing.T, a *agenda.Agenda) {
				f := validSlotFields()
				f.Interpretation = nil
				must(t, a.AddSlot("n", "side", nil, f))
			},
			public:    want{upsert: map[string][]string{"slots": {"n"}}, live: true},
			organizer: want{upsert: map[string][]string{"slots": {"n"}}, live: true},
		},
		{
			name: "invited speaker confirms and brings their organization",
			edit: func(t *testing.T, a *agenda.Agenda) { must(t, a.Answer("a", "s3", agenda.Confirmed, "")) },
			public: want{upsert: map[string][]string{
				"slots": {"a"}, "speakers": {"s3"}, "organizations": {"o3"},
			}},
			organizer: want{upsert: map[string][]string{"slots": {"a"}}},
		},
		{
			name: "confirmed speaker declines everything",
			edit: func(t *testing.T, a *agenda.Agenda) { must(t, a.Answer("x", "s2", agenda.Declined, "")) },
			public: want{
				upsert: map[string][]string{"slots": {"x"}}, delete: map[string][]string{"speakers": {"s2"}},
			},
			organizer: want{upsert: map[string][]string{"slots": {"x"}}},
		},
		{
			name: "speaker hides their organization",
			edit: func(t *testing.T, a *agenda.Agenda) {
				for _, id := range []string{"s1", "s6"} {
					f := speakerOf(a, id).SpeakerFields
					f.HideOrganization = true
					must(t, a.UpdateSpeaker(id, f))
				}
			},
			public: want{
				upsert: map[string][]string{"speakers": {"s1", "s6"}}, delete: map[string][]string{"organizations": {"o1"}},
			},
			organizer: want{upsert: map[string][]string{"speakers": {"s1", "s6"}}},
		},
		{
			name: "speaker deleted",
			edit: func(t *testing.T, a *agenda.Agenda) { must(t, a.DeleteSpeaker("s6")) },
			public: want{
				upsert: map[string][]string{"slots": {"b"}}, delete: map[string][]string{"speakers": {"s6"}},
			},
			organizer: want{
				upsert: map[string][]string{"slots": {"b"}}, delete: map[string][]string{"speakers": {"s6"}},
			},
		},
		{
			name: "hidden organization deleted",
			edit: func(t *testing.T, a *agenda.Agenda) { must(t, a.DeleteOrganization("o2")) },
			organizer: want{
				upsert: map[string][]string{"speakers": {"s2"}}, delete: map[string][]string{"organizations": {"o2"}},
			},
		},
		{
			name: "event retitled",
			edit: func(t *testing.T, a *agenda.Agenda) {
				f := a.Event.EventFields
				f.Title = "Мітинг"
				must(t, a.UpdateEvent(f))
			},
			public:    want{event: true},
			organizer: want{event: true},
		},
		{
			name: "event starts later",
			edit: func(t *testing.T, a *agenda.Agenda) {
				f := a.Event.EventFields
				f.StartsAt = f.StartsAt.Add(time.Hour)
				must(t, a.UpdateEvent(f))
			},
			public:    want{event: true, live: true, upsert: map[string][]string{"slots": {"a", "b", "c", "d", "x", "y"}}},
			organizer: want{event: true, live: true, upsert: map[string][]string{"slots": {"a", "b", "c", "d", "x", "y"}}},
		},
		{
			name: "show starts",
			edit: func(t *testing.T, a *agenda.Agenda) {
				must(t, a.Start("main", "", rallyTime("2026-05-01T10:03:00Z")))
			},
			public:    want{live: true},
			organizer: want{live: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := pubRally()
			after := before.Clone()
			tt.edit(t, &after)
			after.Normalize()
			for _, v := range []struct {
				name          string
				before, after agenda.View
				want          want
			}{
				{"public", before.PublicView(), after.PublicView(), tt.public},
				{"organizer", before.OrganizerView(), after.OrganizerView(), tt.organizer},
			} {
				d, err := agenda.Diff(v.before, v.after)
				if err != nil {
					t.Fatalf("%s: %v", v.name, err)
				}
				empty := len(v.want.upsert) == 0 && len(v.want.delete) == 0 && !v.want.event && !v.want.live
				if d.Empty() != empty {
					t.Errorf("%s: Empty() = %v, want %v (delta %s)", v.name, d.Empty(), empty, deltaJSON(d))
				}
				gotUpsert := map[string][]string{}
				for c := range d.Upsert {
					gotUpsert[c] = upsertIDs(t, d, c)
				}
				if !equalIDs(gotUpsert, v.want.upsert) {
					t.Errorf("%s: upsert = %v, want %v", v.name, gotUpsert, v.want.upsert)
				}
				if !equalIDs(d.Delete, v.want.delete) {
					t.Errorf("%s: delete = %v, want %v", v.name, d.Delete, v.want.delete)
				}
				if (d.Event != nil) != v.want.event {
					t.Errorf("%s: event in delta = %v, want %v", v.name, d.Event != nil, v.want.event)
				}
				if (d.Live != nil) != v.want.live {
					t.Errorf("%s: live in delta = %v, want %v", v.name, d.Live != nil, v.want.live)
				}
				checkUpsertsAreAfterObjects(t, v.name, d, v.after)
				if v.want.event {
					wantEvent, _ := json.Marshal(v.after.Event)
					if string(d.Event) != string(wantEvent) {
						t.Errorf("%s: delta event = %s, want %s", v.name, d.Event, wantEvent)
					}
				}
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func equalIDs(got, want map[string][]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, w := range want {
		if !slices.Equal(sorted(got[k]...), sorted(w...)) {
			return false
		}
	}
	return true
}

func deltaJSON(d agenda.Delta) string {
	raw, _ := json.Marshal(d)
	return string(raw)
}

// checkUpsertsAreAfterObjects checks that each upserted object is the object of
// the after view, whole.
func checkUpsertsAreAfterObjects(t *testing.T, view string, d agenda.Delta, after agenda.View) {
	t.Helper()
	raw, err := json.Marshal(after)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for c, items := range d.Upsert {
		var list []json.RawMessage
		if err := json.Unmarshal(m[c], &list); err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if !slices.ContainsFunc(list, func(o json.RawMessage) bool { return string(o) == string(it) }) {
				t.Errorf("%s: upserted %s %s is not an object of the after view", view, c, it)
			}
		}
	}
}

func TestDiffOfIdenticalViewsIsEmpty(t *testing.T) {
	for name, a := range map[string]*agenda.Agenda{"rally": pubRally(), "empty agenda": {}} {
		t.Run(name, func(t *testing.T) {
			for _, pair := range [][2]agenda.View{
				{a.PublicView(), a.PublicView()},
				{a.OrganizerView(), a.OrganizerView()},
			} {
				d, err := agenda.Diff(pair[0], pair[1])
				if err != nil {
					t.Fatal(err)
				}
				if !d.Empty() {
					t.Errorf("delta of identical views = %s, want empty", deltaJSON(d))
				}
				if got := deltaJSON(d); got != "{}" {
					t.Errorf("empty delta encodes as %s, want {}", got)
				}
			}
		})
	}
}

func TestDeltaEmpty(t *testing.T) {
	tests := []struct {
		name string
		d    agenda.Delta
		want bool
	}{
		{name: "zero", d: agenda.Delta{}, want: true},
		{name: "empty maps", d: agenda.Delta{Upsert: map[string][]json.RawMessage{}, Delete: map[string][]string{}}, want: true},
		{name: "upsert", d: agenda.Delta{Upsert: map[string][]json.RawMessage{"slots": {json.RawMessage(`{"id":"a"}`)}}}},
		{name: "delete", d: agenda.Delta{Delete: map[string][]string{"slots": {"a"}}}},
		{name: "event", d: agenda.Delta{Event: json.RawMessage(`{}`)}},
		{name: "live", d: agenda.Delta{Live: json.RawMessage(`{}`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.Empty(); got != tt.want {
				t.Errorf("Empty() = %v, want %v", got, tt.want)
			}
		})
	}
}
