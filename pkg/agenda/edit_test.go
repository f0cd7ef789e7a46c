package agenda_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// editRally is the agenda the edit tests start from: stage main runs a (10 min),
// b (20), c (30), d (40) from 10:00 UTC; stage side runs x (15), y (25), z (35).
func editRally() *agenda.Agenda {
	return newRally("2026-05-01T10:00:00Z", "Europe/Kyiv").stage("main").stage("side").
		slot("a", "main", 10*time.Minute, heldBy("s1", agenda.Confirmed)).
		slot("b", "main", 20*time.Minute, heldBy("s1", agenda.Declined), heldBy("s2", agenda.Invited)).
		slot("c", "main", 30*time.Minute).
		slot("d", "main", 40*time.Minute, heldBy("s3", agenda.Confirmed)).
		slot("x", "side", 15*time.Minute, heldBy("s2", agenda.Confirmed)).
		slot("y", "side", 25*time.Minute).
		slot("z", "side", 35*time.Minute).
		speaker("s1", "Олена Шевченко", "UA", "Europe/Kyiv", "o1").
		speaker("s2", "ليلى عبد الله", "TN", "Africa/Tunis", "o1").
		speaker("s3", "王小明", "TW", "Asia/Taipei", "o2").
		org("o1", "Federation").
		org("o2", "Movement").
		build()
}

func ptr[T any](v T) *T { return &v }

// stageOrder returns the ids of a stage's slots in running order.
func stageOrder(a *agenda.Agenda, stageID string) []string {
	var out []string
	for _, s := range a.StageSlots(stageID) {
		out = append(out, s.ID)
	}
	return out
}

func stageIDs(a *agenda.Agenda) []string {
	var out []string
	for _, st := range a.Stages {
		out = append(out, st.ID)
	}
	return out
}

// checkNormal checks the agenda's canonical form: stages numbered 0..n-1 in
// order, each stage's slots numbered 0..n-1 and planned back to back (or from
// their pin), and every slot on an existing stage.
func checkNormal(t *testing.T, a *agenda.Agenda) {
	t.Helper()
	stages := map[string]bool{}
	for i, st := range a.Stages {
		if st.Position != i {
			t.Errorf("stage %s at index %d has position %d", st.ID, i, st.Position)
		}
		stages[st.ID] = true
	}
	for _, s := range a.Slots {
		if !stages[s.StageID] {
			t.Errorf("slot %s is on unknown stage %q", s.ID, s.StageID)
		}
	}
	for _, st := range a.Stages {
		end := a.Event.StartsAt
		for i, s := range a.StageSlots(st.ID) {
			if s.Position != i {
				t.Errorf("slot %s is number %d on stage %s but has position %d", s.ID, i, st.ID, s.Position)
			}
			start := end
			if s.PinnedStart != nil {
				start = *s.PinnedStart
			}
			if !s.PlannedStart.Equal(start) || !s.PlannedEnd.Equal(start.Add(s.Duration())) {
				t.Errorf("slot %s planned %s–%s, want %s–%s", s.ID,
					s.PlannedStart.Format("15:04"), s.PlannedEnd.Format("15:04"),
					start.UTC().Format("15:04"), start.Add(s.Duration()).UTC().Format("15:04"))
			}
			end = s.PlannedEnd
		}
	}
}

// checkUnchanged fails when a differs from the copy taken before a failed edit.
func checkUnchanged(t *testing.T, before agenda.Agenda, a *agenda.Agenda) {
	t.Helper()
	if !reflect.DeepEqual(before, *a) {
		t.Errorf("failed edit changed the agenda:\nbefore %+v\nafter  %+v", before, *a)
	}
}

func wantFieldError(t *testing.T, err error, fields ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("edit succeeded, want a validation error on %q", fields)
	}
	checkFields(t, err, fields...)
}

func wantNotFound(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("error = %v, want one wrapping agenda.ErrNotFound", err)
	}
}

func TestAddStage(t *testing.T) {
	tests := []struct {
		name     string
		position *int
		want     []string
	}{
		{name: "append without position", want: []string{"main", "side", "new"}},
		{name: "first", position: ptr(0), want: []string{"new", "main", "side"}},
		{name: "between", position: ptr(1), want: []string{"main", "new", "side"}},
		{name: "at the end", position: ptr(2), want: []string{"main", "side", "new"}},
		{name: "beyond the end", position: ptr(99), want: []string{"main", "side", "new"}},
		{name: "negative is first", position: ptr(-3), want: []string{"new", "main", "side"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := editRally()
			if err := a.AddStage("new", agenda.StageFields{Name: "Сцена 2"}, tt.position); err != nil {
				t.Fatal(err)
			}
			if got := stageIDs(a); !slices.Equal(got, tt.want) {
				t.Errorf("stages = %v, want %v", got, tt.want)
			}
			st, err := a.Stage("new")
			if err != nil {
				t.Fatal(err)
			}
			if st.Name != "Сцена 2" {
				t.Errorf("name = %q", st.Name)
			}
			if got := stageOrder(a, "main"); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
				t.Errorf("main running order = %v", got)
			}
			checkNormal(t, a)
		})
	}
}

func TestAddStageInvalid(t *testing.T) {
	a := editRally()
	before := a.Clone()
	wantFieldError(t, a.AddStage("new", agenda.StageFields{Name: ""}, ptr(0)), "name")
	checkUnchanged(t, before, a)
}

func TestAddSlot(t *testing.T) {
	tests := []struct {
		name      string
		stage     string
		position  *int
		want      []string
		wantStart string // the new slot's planned start, 15:04 UTC
	}{
		{name: "append without position", stage: "main", want: []string{"a", "b", "c", "d", "n"}, wantStart: "11:40"},
		{name: "first", stage: "main", position: ptr(0), want: []string{"n", "a", "b", "c", "d"}, wantStart: "10:00"},
		{name: "between", stage: "main", position: ptr(2), want: []string{"a", "b", "n", "c", "d"}, wantStart: "10:30"},
		{name: "last by position", stage: "main", position: ptr(4), want: []string{"a", "b", "c", "d", "n"}, wantStart: "11:40"},
		{name: "beyond the end", stage: "main", position: ptr(40), want: []string{"a", "b", "c", "d", "n"}, wantStart: "11:40"},
		{name: "negative is first", stage: "main", position: ptr(-1), want: []string{"n", "a", "b", "c", "d"}, wantStart: "10:00"},
		{name: "other stage", stage: "side", position: ptr(1), want: []string{"x", "n", "y", "z"}, wantStart: "10:15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := editRally()
			f := validSlotFields()
			f.DurationSeconds = 5 * 60
			if err := a.AddSlot("n", tt.stage, tt.position, f); err != nil {
				t.Fatal(err)
			}
			if got := stageOrder(a, tt.stage); !slices.Equal(got, tt.want) {
				t.Errorf("%s running order = %v, want %v", tt.stage, got, tt.want)
			}
			other := map[string]string{"main": "side", "side": "main"}[tt.stage]
			wantOther := map[string][]string{"main": {"a", "b", "c", "d"}, "side": {"x", "y", "z"}}[other]
			if got := stageOrder(a, other); !slices.Equal(got, wantOther) {
				t.Errorf("%s running order = %v, want %v", other, got, wantOther)
			}
			s, err := a.Slot("n")
			if err != nil {
				t.Fatal(err)
			}
			if got := s.PlannedStart.Format("15:04"); got != tt.wantStart {
				t.Errorf("planned start = %s, want %s", got, tt.wantStart)
			}
			if s.Speakers == nil || len(s.Speakers) != 0 {
				t.Errorf("new slot speakers = %#v, want an empty list", s.Speakers)
			}
			if s.Title != f.Title || s.StageID != tt.stage {
				t.Errorf("slot = %+v", s)
			}
			checkNormal(t, a)
		})
	}
}

func TestAddSlotInvalid(t *testing.T) {
	tests := []struct {
		name   string
		stage  string
		edit   func(f *agenda.SlotFields)
		fields []string
	}{
		{name: "unknown stage", stage: "nope", edit: func(*agenda.SlotFields) {}, fields: []string{"stage_id"}},
		{name: "bad fields", stage: "main", edit: func(f *agenda.SlotFields) { f.DurationSeconds = 0 }, fields: []string{"duration_seconds"}},
		{
			name: "unknown stage and bad fields together", stage: "nope",
			edit:   func(f *agenda.SlotFields) { f.DurationSeconds, f.Title = 86401, "" },
			fields: []string{"stage_id", "duration_seconds", "title"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := editRally()
			before := a.Clone()
			f := validSlotFields()
			tt.edit(&f)
			wantFieldError(t, a.AddSlot("n", tt.stage, ptr(0), f), tt.fields...)
			checkUnchanged(t, before, a)
		})
	}
}

func TestMoveSlot(t *testing.T) {
	tests := []struct {
		name      string
		slot      string
		stage     string
		position  int
		main      []string
		side      []string
		wantStart string // the moved slot's planned start, 15:04 UTC
	}{
		{name: "main: last to first", slot: "d", stage: "main", position: 0, main: []string{"d", "a", "b", "c"}, side: []string{"x", "y", "z"}, wantStart: "10:00"},
		{name: "main: first to last", slot: "a", stage: "main", position: 3, main: []string{"b", "c", "d", "a"}, side: []string{"x", "y", "z"}, wantStart: "11:30"},
		{name: "main: first to beyond the end", slot: "a", stage: "main", position: 9, main: []string{"b", "c", "d", "a"}, side: []string{"x", "y", "z"}, wantStart: "11:30"},
		{name: "main: same place", slot: "b", stage: "main", position: 1, main: []string{"a", "b", "c", "d"}, side: []string{"x", "y", "z"}, wantStart: "10:10"},
		{name: "main: second to first", slot: "b", stage: "main", position: 0, main: []string{"b", "a", "c", "d"}, side: []string{"x", "y", "z"}, wantStart: "10:00"},
		{name: "main: second to third", slot: "b", stage: "main", position: 2, main: []string{"a", "c", "b", "d"}, side: []string{"x", "y", "z"}, wantStart: "10:40"},
		{name: "main: third to second", slot: "c", stage: "main", position: 1, main: []string{"a", "c", "b", "d"}, side: []string{"x", "y", "z"}, wantStart: "10:10"},
		{name: "main: last to second", slot: "d", stage: "main", position: 1, main: []string{"a", "d", "b", "c"}, side: []string{"x", "y", "z"}, wantStart: "10:10"},
		{name: "side: last to first", slot: "z", stage: "side", position: 0, main: []string{"a", "b", "c", "d"}, side: []string{"z", "x", "y"}, wantStart: "10:00"},
		{name: "side: last to second", slot: "z", stage: "side", position: 1, main: []string{"a", "b", "c", "d"}, side: []string{"x", "z", "y"}, wantStart: "10:15"},
		{name: "side: first to second", slot: "x", stage: "side", position: 1, main: []string{"a", "b", "c", "d"}, side: []string{"y", "x", "z"}, wantStart: "10:25"},
		{name: "main to side, first", slot: "a", stage: "side", position: 0, main: []string{"b", "c", "d"}, side: []string{"a", "x", "y", "z"}, wantStart: "10:00"},
		{name: "main to side, middle", slot: "c", stage: "side", position: 2, main: []string{"a", "b", "d"}, side: []string{"x", "y", "c", "z"}, wantStart: "10:40"},
		{name: "main to side, end", slot: "d", stage: "side", position: 3, main: []string{"a", "b", "c"}, side: []string{"x", "y", "z", "d"}, wantStart: "11:15"},
		{name: "side to main, first", slot: "y", stage: "main", position: 0, main: []string{"y", "a", "b", "c", "d"}, side: []string{"x", "z"}, wantStart: "10:00"},
		{name: "side to main, end", slot: "x", stage: "main", position: 4, main: []string{"a", "b", "c", "d", "x"}, side: []string{"y", "z"}, wantStart: "11:40"},
		{name: "side to main, middle", slot: "x", stage: "main", position: 1, main: []string{"a", "x", "b", "c", "d"}, side: []string{"y", "z"}, wantStart: "10:10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := editRally()
			if err := a.MoveSlot(tt.slot, tt.stage, tt.position); err != nil {
				t.Fatal(err)
			}
			if got := stageOrder(a, "main"); !slices.Equal(got, tt.main) {
				t.Errorf("main running order = %v, want %v", got, tt.main)
			}
			if got := stageOrder(a, "side"); !slices.Equal(got, tt.side) {
				t.Errorf("side running order = %v, want %v", got, tt.side)
			}
			s, err := a.Slot(tt.slot)
			if err != nil {
				t.Fatal(err)
			}
			if s.StageID != tt.stage {
				t.Errorf("stage = %q, want %q", s.StageID, tt.stage)
			}
			if got := s.PlannedStart.Format("15:04"); got != tt.wantStart {
				t.Errorf("planned start = %s, want %s", got, tt.wantStart)
			}
			if len(a.Slots) != 7 {
				t.Errorf("%d slots, want 7", len(a.Slots))
			}
			checkNormal(t, a)
		})
	}
}

func TestMoveSlotKeepsSlot(t *testing.T) {
	a := editRally()
	want := *mustSlot(t, a, "b")
	if err := a.MoveSlot("b", "side", 0); err != nil {
		t.Fatal(err)
	}
	got := *mustSlot(t, a, "b")
	if !reflect.DeepEqual(got.SlotFields, want.SlotFields) || !reflect.DeepEqual(got.Speakers, want.Speakers) {
		t.Errorf("moved slot changed: %+v, was %+v", got, want)
	}
}

func mustSlot(t *testing.T, a *agenda.Agenda, id string) *agenda.Slot {
	t.Helper()
	s, err := a.Slot(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMoveSlotInvalid(t *testing.T) {
	tests := []struct {
		name     string
		slot     string
		stage    string
		position int
		notFound bool
		field    string
	}{
		{name: "unknown slot", slot: "nope", stage: "main", notFound: true},
		{name: "unknown stage", slot: "a", stage: "nope", field: "stage_id"},
		{name: "negative position", slot: "a", stage: "side", position: -1, field: "position"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := editRally()
			before := a.Clone()
			err := a.MoveSlot(tt.slot, tt.stage, tt.position)
			if tt.notFound {
				wantNotFound(t, err)
			} else {
				wantFieldError(t, err, tt.field)
			}
			checkUnchanged(t, before, a)
		})
	}
}

func TestDeleteStage(t *testing.T) {
	tests := []struct {
		name       string
		stage      string
		wantStages []string
		wantSlots  []string
	}{
		{name: "first", stage: "main", wantStages: []string{"side"}, wantSlots: []string{"x", "y", "z"}},
		{name: "last", stage: "side", wantStages: []string{"main"}, wantSlots: []string{"a", "b", "c", "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := editRally()
			if err := a.DeleteStage(tt.stage); err != nil {
				t.Fatal(err)
			}
			if got := stageIDs(a); !slices.Equal(got, tt.wantStages) {
				t.Errorf("stages = %v, want %v", got, tt.wantStages)
			}
			var slots []string
			for _, s := range a.Slots {
				slots = append(slots, s.ID)
			}
			if !slices.Equal(slots, tt.wantSlots) {
				t.Errorf("slots = %v, want %v", slots, tt.wantSlots)
			}
			if len(a.Speakers) != 3 {
				t.Errorf("%d speakers left, want all 3", len(a.Speakers))
			}
			checkNormal(t, a)
		})
	}
	t.Run("unknown", func(t *testing.T) {
		a := editRally()
		before := a.Clone()
		wantNotFound(t, a.DeleteStage("nope"))
		checkUnchanged(t, before, a)
	})
	t.Run("middle of three", func(t *testing.T) {
		a := editRally()
		if err := a.AddStage("third", agenda.StageFields{Name: "Third"}, nil); err != nil {
			t.Fatal(err)
		}
		if err := a.DeleteStage("side"); err != nil {
			t.Fatal(err)
		}
		if got := stageIDs(a); !slices.Equal(got, []string{"main", "third"}) {
			t.Errorf("stages = %v", got)
		}
		checkNormal(t, a)
	})
}

func TestDeleteSlot(t *testing.T) {
	a := editRally()
	if err := a.DeleteSlot("b"); err != nil {
		t.Fatal(err)
	}
	if got := stageOrder(a, "main"); !slices.Equal(got, []string{"a", "c", "d"}) {
		t.Errorf("main running order = %v", got)
	}
	if got := mustSlot(t, a, "c").PlannedStart.Format("15:04"); got != "10:10" {
		t.Errorf("c planned start = %s, want 10:10", got)
	}
	checkNormal(t, a)
	before := a.Clone()
	wantNotFound(t, a.DeleteSlot("b"))
	checkUnchanged(t, before, a)
}

func slotSpeakerIDs(s *agenda.Slot) []string {
	var out []string
	for _, sp := range s.Speakers {
		out = append(out, sp.SpeakerID)
	}
	return out
}

func TestDeleteSpeaker(t *testing.T) {
	a := editRally()
	if err := a.DeleteSpeaker("s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Speaker("s1"); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("speaker s1 still there: %v", err)
	}
	want := map[string][]string{"a": nil, "b": {"s2"}, "c": nil, "d": {"s3"}, "x": {"s2"}, "y": nil, "z": nil}
	for id, w := range want {
		if got := slotSpeakerIDs(mustSlot(t, a, id)); !slices.Equal(got, w) {
			t.Errorf("slot %s speakers = %v, want %v", id, got, w)
		}
	}
	if b := mustSlot(t, a, "b"); len(b.Speakers) == 1 && b.Speakers[0].Status != agenda.Invited {
		t.Errorf("s2's answer on b changed to %q", b.Speakers[0].Status)
	}
	if len(a.Speakers) != 2 {
		t.Errorf("%d speakers, want 2", len(a.Speakers))
	}
	before := a.Clone()
	wantNotFound(t, a.DeleteSpeaker("s1"))
	checkUnchanged(t, before, a)
}

func TestDeleteOrganization(t *testing.T) {
	a := editRally()
	if err := a.DeleteOrganization("o1"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Organization("o1"); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("organization o1 still there: %v", err)
	}
	want := map[string]string{"s1": "", "s2": "", "s3": "o2"}
	for id, w := range want {
		sp, err := a.Speaker(id)
		if err != nil {
			t.Fatal(err)
		}
		if sp.OrganizationID != w {
			t.Errorf("speaker %s organization_id = %q, want %q", id, sp.OrganizationID, w)
		}
	}
	before := a.Clone()
	wantNotFound(t, a.DeleteOrganization("o1"))
	checkUnchanged(t, before, a)
}

func TestSetSlotSpeakers(t *testing.T) {
	tests := []struct {
		name string
		slot string
		list []agenda.SpeakerAssignment
		want []agenda.SlotSpeaker
	}{
		{
			name: "keep answers, invite newcomers",
			slot: "b",
			list: []agenda.SpeakerAssignment{{SpeakerID: "s3", Role: agenda.RoleModerator}, {SpeakerID: "s2"}, {SpeakerID: "s1", Role: agenda.RoleSpeaker}},
			want: []agenda.SlotSpeaker{
				{SpeakerID: "s3", Role: agenda.RoleModerator, Status: agenda.Invited},
				{SpeakerID: "s2", Role: agenda.RoleSpeaker, Status: agenda.Invited, Note: "maybe"},
				{SpeakerID: "s1", Role: agenda.RoleSpeaker, Status: agenda.Declined, Note: "sorry"},
			},
		},
		{
			name: "role change keeps the answer",
			slot: "a",
			list: []agenda.SpeakerAssignment{{SpeakerID: "s1", Role: agenda.RoleModerator}},
			want: []agenda.SlotSpeaker{{SpeakerID: "s1", Role: agenda.RoleModerator, Status: agenda.Confirmed, Note: "yes"}},
		},
		{
			name: "drop a speaker",
			slot: "b",
			list: []agenda.SpeakerAssignment{{SpeakerID: "s2"}},
			want: []agenda.SlotSpeaker{{SpeakerID: "s2", Role: agenda.RoleSpeaker, Status: agenda.Invited, Note: "maybe"}},
		},
		{name: "empty list", slot: "b", list: nil, want: []agenda.SlotSpeaker{}},
		{
			name: "slot with no speakers yet",
			slot: "c",
			list: []agenda.SpeakerAssignment{{SpeakerID: "s1"}, {SpeakerID: "s2", Role: agenda.RoleModerator}},
			want: []agenda.SlotSpeaker{
				{SpeakerID: "s1", Role: agenda.RoleSpeaker, Status: agenda.Invited},
				{SpeakerID: "s2", Role: agenda.RoleModerator, Status: agenda.Invited},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := editRally()
			mustAnswer(t, a, "a", "s1", agenda.Confirmed, "yes")
			mustAnswer(t, a, "b", "s1", agenda.Declined, "sorry")
			mustAnswer(t, a, "b", "s2", agenda.Invited, "maybe")
			if err := a.SetSlotSpeakers(tt.slot, tt.list); err != nil {
				t.Fatal(err)
			}
			if got := mustSlot(t, a, tt.slot).Speakers; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("speakers = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func mustAnswer(t *testing.T, a *agenda.Agenda, slot, speaker string, answer agenda.Invitation, note string) {
	t.Helper()
	if err := a.Answer(slot, speaker, answer, note); err != nil {
		t.Fatal(err)
	}
}

func TestSetSlotSpeakersInvalid(t *testing.T) {
	many := make([]agenda.SpeakerAssignment, 0, 51)
	for range 17 {
		many = append(many, agenda.SpeakerAssignment{SpeakerID: "s1"}, agenda.SpeakerAssignment{SpeakerID: "s2"}, agenda.SpeakerAssignment{SpeakerID: "s3"})
	}
	tests := []struct {
		name   string
		list   []agenda.SpeakerAssignment
		fields []string
	}{
		{name: "duplicate", list: []agenda.SpeakerAssignment{{SpeakerID: "s1"}, {SpeakerID: "s1", Role: agenda.RoleModerator}}, fields: []string{"[1].speaker_id"}},
		{name: "unknown speaker", list: []agenda.SpeakerAssignment{{SpeakerID: "s2"}, {SpeakerID: "ghost"}}, fields: []string{"[1].speaker_id"}},
		{name: "empty speaker id", list: []agenda.SpeakerAssignment{{SpeakerID: ""}}, fields: []string{"[0].speaker_id"}},
		{name: "bad role", list: []agenda.SpeakerAssignment{{SpeakerID: "s1", Role: "host"}}, fields: []string{"[0].role"}},
		{
			name:   "several errors at once",
			list:   []agenda.SpeakerAssignment{{SpeakerID: "ghost"}, {SpeakerID: "s1", Role: "host"}, {SpeakerID: "s2"}, {SpeakerID: "s2"}},
			fields: []string{"[0].speaker_id", "[1].role", "[3].speaker_id"},
		},
		{name: "more than 50", list: many, fields: append([]string{"speakers"}, dupFields(3, 51)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := editRally()
			before := a.Clone()
			wantFieldError(t, a.SetSlotSpeakers("b", tt.list), tt.fields...)
			checkUnchanged(t, before, a)
		})
	}
	t.Run("unknown slot", func(t *testing.T) {
		a := editRally()
		before := a.Clone()
		wantNotFound(t, a.SetSlotSpeakers("nope", []agenda.SpeakerAssignment{{SpeakerID: "s1"}}))
		checkUnchanged(t, before, a)
	})
}

// dupFields names "[i].speaker_id" for i in from..to-1.
func dupFields(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("[%d].speaker_id", i))
	}
	return out
}

func TestAnswer(t *testing.T) {
	tests := []struct {
		name    string
		slot    string
		speaker string
		answer  agenda.Invitation
		note    string
	}{
		{name: "confirm with a note", slot: "b", speaker: "s2", answer: agenda.Confirmed, note: "Буду.\nДякую!"},
		{name: "decline", slot: "a", speaker: "s1", answer: agenda.Declined, note: ""},
		{name: "back to invited", slot: "d", speaker: "s3", answer: agenda.Invited, note: "不确定"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := editRally()
			if err := a.Answer(tt.slot, tt.speaker, tt.answer, tt.note); err != nil {
				t.Fatal(err)
			}
			for _, sp := range mustSlot(t, a, tt.slot).Speakers {
				if sp.SpeakerID == tt.speaker && (sp.Status != tt.answer || sp.Note != tt.note) {
					t.Errorf("answer = %q %q, want %q %q", sp.Status, sp.Note, tt.answer, tt.note)
				}
			}
		})
	}
}

func TestAnswerInvalid(t *testing.T) {
	tests := []struct {
		name     string
		slot     string
		speaker  string
		answer   agenda.Invitation
		note     string
		notFound bool
		fields   []string
	}{
		{name: "unknown answer", slot: "b", speaker: "s2", answer: "maybe", fields: []string{"status"}},
		{name: "empty answer", slot: "b", speaker: "s2", answer: "", fields: []string{"status"}},
		{name: "note with control character", slot: "b", speaker: "s2", answer: agenda.Confirmed, note: "a\x00", fields: []string{"note"}},
		{name: "note too long", slot: "b", speaker: "s2", answer: agenda.Confirmed, note: strings.Repeat(cyr, 2001), fields: []string{"note"}},
		{name: "answer and note", slot: "b", speaker: "s2", answer: "yes", note: invalidUTF8, fields: []string{"status", "note"}},
		{name: "unknown slot", slot: "nope", speaker: "s2", answer: agenda.Confirmed, notFound: true},
		{name: "speaker not on the slot", slot: "c", speaker: "s2", answer: agenda.Confirmed, notFound: true},
		{name: "unknown speaker", slot: "b", speaker: "ghost", answer: agenda.Confirmed, notFound: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := editRally()
			before := a.Clone()
			err := a.Answer(tt.slot, tt.speaker, tt.answer, tt.note)
			if tt.notFound {
				wantNotFound(t, err)
			} else {
				wantFieldError(t, err, tt.fields...)
			}
			checkUnchanged(t, before, a)
		})
	}
}

func TestUpdates(t *testing.T) {
	t.Run("event: new start replans every slot", func(t *testing.T) {
		a := editRally()
		f := validEventFields()
		f.StartsAt = rallyTime("2026-05-01T12:00:00Z")
		f.EndsAt = nil
		if err := a.UpdateEvent(f); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a.Event.EventFields, f) {
			t.Errorf("event fields = %+v, want %+v", a.Event.EventFields, f)
		}
		if got := mustSlot(t, a, "b").PlannedStart.Format("15:04"); got != "12:10" {
			t.Errorf("b planned start = %s, want 12:10", got)
		}
		checkNormal(t, a)
	})
	t.Run("stage", func(t *testing.T) {
		a := editRally()
		if err := a.UpdateStage("side", agenda.StageFields{Name: "المنصة الثانية"}); err != nil {
			t.Fatal(err)
		}
		st, _ := a.Stage("side")
		if st.Name != "المنصة الثانية" || st.Position != 1 {
			t.Errorf("stage = %+v", st)
		}
	})
	t.Run("slot: longer duration replans later slots", func(t *testing.T) {
		a := editRally()
		f := validSlotFields()
		f.DurationSeconds = 3600
		if err := a.UpdateSlot("a", f); err != nil {
			t.Fatal(err)
		}
		if got := mustSlot(t, a, "b").PlannedStart.Format("15:04"); got != "11:00" {
			t.Errorf("b planned start = %s, want 11:00", got)
		}
		if got := mustSlot(t, a, "a").Speakers; len(got) != 1 || got[0].SpeakerID != "s1" {
			t.Errorf("a speakers = %+v, want them kept", got)
		}
		checkNormal(t, a)
	})
	t.Run("slot: pin", func(t *testing.T) {
		a := editRally()
		f := validSlotFields()
		f.DurationSeconds = 20 * 60
		f.PinnedStart = ptr(rallyTime("2026-05-01T10:45:00Z"))
		if err := a.UpdateSlot("b", f); err != nil {
			t.Fatal(err)
		}
		if got := mustSlot(t, a, "c").PlannedStart.Format("15:04"); got != "11:05" {
			t.Errorf("c planned start = %s, want 11:05", got)
		}
		checkNormal(t, a)
	})
	t.Run("speaker", func(t *testing.T) {
		a := editRally()
		f := validSpeakerFields()
		f.OrganizationID = "o2"
		if err := a.UpdateSpeaker("s1", f); err != nil {
			t.Fatal(err)
		}
		sp, _ := a.Speaker("s1")
		if !reflect.DeepEqual(sp.SpeakerFields, f) {
			t.Errorf("speaker = %+v, want %+v", sp.SpeakerFields, f)
		}
	})
	t.Run("organization", func(t *testing.T) {
		a := editRally()
		f := validOrganizationFields()
		if err := a.UpdateOrganization("o2", f); err != nil {
			t.Fatal(err)
		}
		o, _ := a.Organization("o2")
		if o.OrganizationFields != f {
			t.Errorf("organization = %+v, want %+v", o.OrganizationFields, f)
		}
	})
	t.Run("add speaker and organization", func(t *testing.T) {
		a := editRally()
		if err := a.AddOrganization("o0", validOrganizationFields()); err != nil {
			t.Fatal(err)
		}
		f := validSpeakerFields()
		f.OrganizationID = "o0"
		if err := a.AddSpeaker("s0", f); err != nil {
			t.Fatal(err)
		}
		if a.Speakers[0].ID != "s0" || a.Organizations[0].ID != "o0" {
			t.Errorf("speakers and organizations not in id order: %s, %s", a.Speakers[0].ID, a.Organizations[0].ID)
		}
	})
}

func TestFailedEditLeavesAgendaUnchanged(t *testing.T) {
	badSpeaker := validSpeakerFields()
	badSpeaker.Country = "XX"
	tests := []struct {
		name     string
		edit     func(a *agenda.Agenda) error
		notFound bool
		fields   []string
	}{
		{name: "UpdateEvent invalid", edit: func(a *agenda.Agenda) error { f := validEventFields(); f.Timezone = "Local"; return a.UpdateEvent(f) }, fields: []string{"timezone"}},
		{name: "UpdateStage unknown", edit: func(a *agenda.Agenda) error { return a.UpdateStage("nope", validStageFields()) }, notFound: true},
		{name: "UpdateStage invalid", edit: func(a *agenda.Agenda) error { return a.UpdateStage("main", agenda.StageFields{}) }, fields: []string{"name"}},
		{name: "UpdateSlot unknown", edit: func(a *agenda.Agenda) error { return a.UpdateSlot("nope", validSlotFields()) }, notFound: true},
		{name: "UpdateSlot invalid", edit: func(a *agenda.Agenda) error {
			f := validSlotFields()
			f.DurationSeconds = 0
			return a.UpdateSlot("a", f)
		}, fields: []string{"duration_seconds"}},
		{name: "UpdateSpeaker unknown", edit: func(a *agenda.Agenda) error { return a.UpdateSpeaker("nope", validSpeakerFields()) }, notFound: true},
		{name: "UpdateSpeaker invalid", edit: func(a *agenda.Agenda) error { return a.UpdateSpeaker("s1", badSpeaker) }, fields: []string{"country"}},
		{
			name: "UpdateSpeaker unknown organization",
			edit: func(a *agenda.Agenda) error {
				f := validSpeakerFields()
				f.OrganizationID = "o9"
				return a.UpdateSpeaker("s1", f)
			},
			fields: []string{"organization_id"},
		},
		{
			name: "AddSpeaker invalid and unknown organization",
			edit: func(a *agenda.Agenda) error {
				f := badSpeaker
				f.OrganizationID = "o9"
				return a.AddSpeaker("s9", f)
			},
			fields: []string{"country", "organization_id"},
		},
		{name: "UpdateOrganization unknown", edit: func(a *agenda.Agenda) error { return a.UpdateOrganization("nope", validOrganizationFields()) }, notFound: true},
		{name: "UpdateOrganization invalid", edit: func(a *agenda.Agenda) error {
			return a.UpdateOrganization("o1", agenda.OrganizationFields{Name: "x", Kind: "club"})
		}, fields: []string{"kind"}},
		{name: "AddOrganization invalid", edit: func(a *agenda.Agenda) error { return a.AddOrganization("o9", agenda.OrganizationFields{}) }, fields: []string{"name", "kind"}},
		{name: "AddStage invalid", edit: func(a *agenda.Agenda) error { return a.AddStage("s", agenda.StageFields{Name: "a\nb"}, nil) }, fields: []string{"name"}},
		{name: "AddSlot unknown stage", edit: func(a *agenda.Agenda) error { return a.AddSlot("n", "nope", nil, validSlotFields()) }, fields: []string{"stage_id"}},
		{name: "MoveSlot unknown stage", edit: func(a *agenda.Agenda) error { return a.MoveSlot("a", "nope", 0) }, fields: []string{"stage_id"}},
		{name: "MoveSlot unknown slot", edit: func(a *agenda.Agenda) error { return a.MoveSlot("nope", "main", 0) }, notFound: true},
		{name: "DeleteStage unknown", edit: func(a *agenda.Agenda) error { return a.DeleteStage("nope") }, notFound: true},
		{name: "DeleteSlot unknown", edit: func(a *agenda.Agenda) error { return a.DeleteSlot("nope") }, notFound: true},
		{name: "DeleteSpeaker unknown", edit: func(a *agenda.Agenda) error { return a.DeleteSpeaker("nope") }, notFound: true},
		{name: "DeleteOrganization unknown", edit: func(a *agenda.Agenda) error { return a.DeleteOrganization("nope") }, notFound: true},
		{
			name: "SetSlotSpeakers duplicate",
			edit: func(a *agenda.Agenda) error {
				return a.SetSlotSpeakers("b", []agenda.SpeakerAssignment{{SpeakerID: "s3"}, {SpeakerID: "s3"}})
			},
			fields: []string{"[1].speaker_id"},
		},
		{name: "Answer speaker not on slot", edit: func(a *agenda.Agenda) error { return a.Answer("c", "s1", agenda.Confirmed, "") }, notFound: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := editRally()
			before := a.Clone()
			err := tt.edit(a)
			if tt.notFound {
				wantNotFound(t, err)
			} else {
				wantFieldError(t, err, tt.fields...)
			}
			checkUnchanged(t, before, a)
		})
	}
}

// cloneRally is editRally with every pointer and nested slice set.
func cloneRally() *agenda.Agenda {
	a := editRally()
	a.Event.Languages = []string{"en", "uk"}
	a.Event.EndsAt = ptr(rallyTime("2026-05-01T20:00:00Z"))
	a.Slots[0].PinnedStart = ptr(rallyTime("2026-05-01T10:00:00Z"))
	a.Slots[0].Interpretation = []agenda.Interpretation{{Language: "uk", URL: "https://example.org/uk"}}
	a.Speakers[0].Languages = []string{"uk", "en"}
	a.Live = agenda.Live{
		Stages:   []agenda.StageRun{{StageID: "main", State: agenda.LiveRunning, CurrentSlotID: "a"}},
		Runs:     []agenda.SlotRun{{SlotID: "a", Start: ptr(rallyTime("2026-05-01T10:02:00Z")), PausedAt: ptr(rallyTime("2026-05-01T10:05:00Z"))}},
		AsOf:     ptr(rallyTime("2026-05-01T10:05:00Z")),
		Revision: 3,
	}
	return a
}

func TestCloneIsDeep(t *testing.T) {
	mutations := []struct {
		name string
		edit func(c *agenda.Agenda)
	}{
		{name: "event languages", edit: func(c *agenda.Agenda) { c.Event.Languages[0] = "fr" }},
		{name: "event ends_at", edit: func(c *agenda.Agenda) { *c.Event.EndsAt = c.Event.EndsAt.Add(time.Hour) }},
		{name: "event title", edit: func(c *agenda.Agenda) { c.Event.Title = "Other" }},
		{name: "stage", edit: func(c *agenda.Agenda) { c.Stages[0].Name = "Other"; c.Stages[1].Position = 7 }},
		{name: "slot fields", edit: func(c *agenda.Agenda) { c.Slots[1].Title = "Other"; c.Slots[1].DurationSeconds = 1 }},
		{name: "slot pinned start", edit: func(c *agenda.Agenda) { *c.Slots[0].PinnedStart = c.Slots[0].PinnedStart.Add(time.Hour) }},
		{name: "slot interpretation", edit: func(c *agenda.Agenda) { c.Slots[0].Interpretation[0].URL = "https://evil.example" }},
		{name: "slot speakers", edit: func(c *agenda.Agenda) {
			c.Slots[1].Speakers[0].Status = agenda.Confirmed
			c.Slots[1].Speakers[1].Note = "x"
		}},
		{name: "slot speakers append", edit: func(c *agenda.Agenda) {
			c.Slots[1].Speakers = append(c.Slots[1].Speakers[:1], agenda.SlotSpeaker{SpeakerID: "s3"})
		}},
		{name: "speaker languages", edit: func(c *agenda.Agenda) { c.Speakers[0].Languages[1] = "de" }},
		{name: "speaker fields", edit: func(c *agenda.Agenda) { c.Speakers[0].Notes = "secret"; c.Speakers[0].HideCountry = true }},
		{name: "organization", edit: func(c *agenda.Agenda) { c.Organizations[0].Name = "Other" }},
		{name: "live stage run", edit: func(c *agenda.Agenda) { c.Live.Stages[0].State = agenda.LivePaused }},
		{name: "live slot run", edit: func(c *agenda.Agenda) { *c.Live.Runs[0].Start = c.Live.Runs[0].Start.Add(time.Hour) }},
		{name: "live paused at", edit: func(c *agenda.Agenda) { *c.Live.Runs[0].PausedAt = c.Live.Runs[0].PausedAt.Add(time.Hour) }},
		{name: "live as of", edit: func(c *agenda.Agenda) { *c.Live.AsOf = c.Live.AsOf.Add(time.Hour) }},
		{name: "edits on the clone", edit: func(c *agenda.Agenda) {
			_ = c.MoveSlot("a", "side", 0)
			_ = c.DeleteSpeaker("s2")
			_ = c.DeleteOrganization("o1")
			_ = c.Answer("a", "s1", agenda.Declined, "no")
		}},
	}
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			a := cloneRally()
			c := a.Clone()
			if !reflect.DeepEqual(c, *a) {
				t.Fatal("clone differs from the original")
			}
			m.edit(&c)
			if reflect.DeepEqual(c, *a) {
				t.Fatal("mutation did not change the clone")
			}
			checkUnchanged(t, *cloneRally(), a)
		})
	}
}

func TestCheckRevision(t *testing.T) {
	tests := []struct {
		name     string
		current  int64
		expected *int64
		stale    bool
	}{
		{name: "not said", current: 5, expected: nil},
		{name: "not said, new object", current: 0, expected: nil},
		{name: "same", current: 5, expected: ptr(int64(5))},
		{name: "same zero", current: 0, expected: ptr(int64(0))},
		{name: "older", current: 5, expected: ptr(int64(4)), stale: true},
		{name: "newer", current: 5, expected: ptr(int64(6)), stale: true},
		{name: "zero against current", current: 5, expected: ptr(int64(0)), stale: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := agenda.CheckRevision(tt.current, tt.expected)
			if tt.stale {
				if !errors.Is(err, agenda.ErrStale) {
					t.Errorf("error = %v, want one wrapping agenda.ErrStale", err)
				}
				if errors.Is(err, agenda.ErrNotFound) {
					t.Errorf("stale error %v also wraps ErrNotFound", err)
				}
			} else if err != nil {
				t.Errorf("error = %v, want nil", err)
			}
		})
	}
}

func TestEventSizeLimits(t *testing.T) {
	var a agenda.Agenda
	a.Event.StartsAt = time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)
	for i := range agenda.MaxStages {
		if err := a.AddStage(fmt.Sprint("st", i), agenda.StageFields{Name: "S"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	var ve *agenda.ValidationError
	if err := a.AddStage("one-too-many", agenda.StageFields{Name: "S"}, nil); !errors.As(err, &ve) || ve.Errors[0].Field != "stages" {
		t.Fatalf("stage %d: %v", agenda.MaxStages+1, err)
	}
	for i := range agenda.MaxSlots {
		if err := a.AddSlot(fmt.Sprint("s", i), "st0", nil, agenda.SlotFields{Kind: agenda.KindSpeech, Title: "x", DurationSeconds: 60}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.AddSlot("one-too-many", "st0", nil, agenda.SlotFields{Kind: agenda.KindSpeech, Title: "x", DurationSeconds: 60}); !errors.As(err, &ve) || ve.Errors[0].Field != "slots" {
		t.Fatalf("slot %d: %v", agenda.MaxSlots+1, err)
	}
}
