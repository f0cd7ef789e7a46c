package agenda_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// warningKey is how a test names a warning: "kind slot other speaker".
func warningKey(w agenda.Warning) string {
	return strings.Join([]string{string(w.Kind), w.SlotID, w.OtherSlotID, w.SpeakerID}, " ")
}

func TestWarnings(t *testing.T) {
	const start = "2026-05-01T10:00:00Z"
	day := func() *rally {
		return newRally(start, "Europe/Berlin").stage("main").stage("side").
			speaker("maria", "Maria Santos", "PH", "UTC", "")
	}
	farAway := rallyTime(start).Add(-30 * 24 * time.Hour)
	tests := []struct {
		name     string
		r        *rally
		now      time.Time
		want     []string          // warning keys in order
		messages map[string]string // warning key → exact message
	}{
		{
			name: "a clean running order",
			r: day().
				slot("a", "main", 30*time.Minute, heldBy("maria", agenda.Confirmed)).
				slot("b", "main", 30*time.Minute, pinnedAt("2026-05-01T11:00:00Z")),
			now: farAway,
		},
		{
			name: "pinned slot overlapping the one before",
			r: day().
				slot("a", "main", time.Hour).
				slot("b", "main", 10*time.Minute, pinnedAt("2026-05-01T10:30:00Z")),
			now:  farAway,
			want: []string{"overlap b a "},
			messages: map[string]string{
				"overlap b a ": "“b” is pinned at 12:30 (Europe/Berlin) but “a” before it runs until 13:00: they overlap by 30m",
			},
		},
		{
			name: "pins back to back or with a gap do not overlap",
			r: day().
				slot("a", "main", time.Hour).
				slot("b", "main", 10*time.Minute, pinnedAt("2026-05-01T11:00:00Z")).
				slot("c", "main", 10*time.Minute, pinnedAt("2026-05-01T12:00:00Z")),
			now: farAway,
		},
		{
			name: "speaker on two stages at once",
			r: day().
				slot("a", "main", 30*time.Minute, heldBy("maria", agenda.Confirmed)).
				slot("x", "side", 15*time.Minute).
				slot("y", "side", 30*time.Minute, heldBy("maria", agenda.Confirmed)),
			now:  farAway,
			want: []string{"double_booking a y maria"},
			messages: map[string]string{
				"double_booking a y maria": "Maria Santos is booked in “a” (12:00–12:30) and “y” (12:15–12:45) on main and side at the same time (Europe/Berlin)",
			},
		},
		{
			name: "back to back on two stages and a missing speaker are fine; a declined booking is only a declined warning",
			r: day().
				slot("a", "main", 30*time.Minute, heldBy("maria", agenda.Confirmed), heldBy("ghost", agenda.Confirmed)).
				slot("fill", "side", 30*time.Minute, heldBy("ghost", agenda.Confirmed)).
				slot("x", "side", 30*time.Minute, heldBy("maria", agenda.Confirmed)).
				slot("b", "main", 30*time.Minute, heldBy("maria", agenda.Declined)),
			now:  farAway,
			want: []string{"declined b  maria"},
		},
		{
			name: "three overlapping slots give one warning per pair",
			r: day().
				slot("a", "main", time.Hour, heldBy("maria", agenda.Confirmed)).
				slot("b", "main", time.Hour, heldBy("maria", agenda.Confirmed), pinnedAt("2026-05-01T10:20:00Z")).
				slot("x", "side", time.Hour, heldBy("maria", agenda.Invited)),
			now: farAway,
			want: []string{
				"double_booking a b maria", "double_booking a x maria", "double_booking x b maria",
				"overlap b a ",
			},
		},
		{
			name: "night in the speaker's timezone",
			r: newRally("2026-05-01T19:10:00Z", "UTC").stage("main").
				speaker("maria", "Maria Santos", "PH", "Asia/Manila", "").
				slot("a", "main", 20*time.Minute, heldBy("maria", agenda.Confirmed)),
			now:  farAway,
			want: []string{"outside_waking_hours a  maria"},
			messages: map[string]string{
				"outside_waking_hours a  maria": "“a” starts at 03:10 (Asia/Manila) for Maria Santos, outside 07:00–23:00",
			},
		},
		{
			name: "declined, without a timezone or with an invalid one: no waking-hours warning",
			r: newRally("2026-05-01T19:10:00Z", "UTC").stage("main").
				speaker("maria", "Maria Santos", "PH", "Asia/Manila", "").
				speaker("nobody", "No Zone", "DE", "", "").
				speaker("bad", "Bad Zone", "DE", "Mars/Olympus", "").
				speaker("local", "Local Zone", "DE", "Local", "").
				slot("a", "main", 20*time.Minute, heldBy("maria", agenda.Declined), heldBy("nobody", agenda.Confirmed),
					heldBy("bad", agenda.Confirmed), heldBy("local", agenda.Confirmed)),
			now:  farAway,
			want: []string{"declined a  maria"},
		},
		{
			name: "crossing local midnight is outside even a window up to 24:00",
			r: newRally("2026-05-01T14:00:00Z", "UTC").waking("06:00", "24:00").stage("main").
				speaker("kenji", "Kenji Sato", "JP", "Asia/Tokyo", "").
				slot("a", "main", time.Hour, heldBy("kenji", agenda.Confirmed)).                                   // 23:00–24:00 JST
				slot("c", "main", time.Hour, heldBy("kenji", agenda.Confirmed), pinnedAt("2026-05-02T14:30:00Z")), // 23:30–00:30 JST
			now:  farAway,
			want: []string{"outside_waking_hours c  kenji"},
			messages: map[string]string{
				"outside_waking_hours c  kenji": "“c” ends at 00:30 the next day (Asia/Tokyo) for Kenji Sato, outside 06:00–24:00",
			},
		},
		{
			name: "a slot running past local midnight",
			r: newRally("2026-05-01T14:30:00Z", "UTC").stage("main").
				speaker("kenji", "Kenji Sato", "JP", "Asia/Tokyo", "").
				slot("a", "main", time.Hour, heldBy("kenji", agenda.Confirmed)), // 23:30–00:30 JST
			now:  farAway,
			want: []string{"outside_waking_hours a  kenji"},
			messages: map[string]string{
				"outside_waking_hours a  kenji": "“a” starts at 23:30 (Asia/Tokyo) for Kenji Sato, outside 07:00–23:00",
			},
		},
		{
			name: "ending after the window",
			r: newRally("2026-05-01T14:00:00Z", "UTC").waking("06:00", "24:00").stage("main").
				speaker("kenji", "Kenji Sato", "JP", "Asia/Tokyo", "").
				slot("a", "main", 90*time.Minute, heldBy("kenji", agenda.Confirmed)), // 23:00–00:30 JST
			now:  farAway,
			want: []string{"outside_waking_hours a  kenji"},
			messages: map[string]string{
				"outside_waking_hours a  kenji": "“a” ends at 00:30 the next day (Asia/Tokyo) for Kenji Sato, outside 06:00–24:00",
			},
		},
		{
			// Berlin moves from CET (+01:00) to CEST (+02:00) on 2026-03-29: 05:30 UTC
			// is 06:30 the day before and 07:30 the day of the change.
			name: "DST start in Berlin",
			r: newRally("2026-03-28T05:30:00Z", "UTC").stage("main").
				speaker("anna", "Anna Weber", "DE", "Europe/Berlin", "").
				slot("before", "main", 30*time.Minute, heldBy("anna", agenda.Confirmed)).
				slot("after", "main", 30*time.Minute, heldBy("anna", agenda.Confirmed), pinnedAt("2026-03-29T05:30:00Z")),
			now:  farAway,
			want: []string{"outside_waking_hours before  anna"},
			messages: map[string]string{
				"outside_waking_hours before  anna": "“before” starts at 06:30 (Europe/Berlin) for Anna Weber, outside 07:00–23:00",
			},
		},
		{
			// New York moves from EDT (-04:00) to EST (-05:00) on 2026-11-01: 11:30 UTC
			// is 07:30 the day before and 06:30 after.
			name: "DST end in New York",
			r: newRally("2026-10-31T11:30:00Z", "UTC").stage("main").
				speaker("joe", "Joe Hill", "US", "America/New_York", "").
				slot("before", "main", 30*time.Minute, heldBy("joe", agenda.Confirmed)).
				slot("after", "main", 30*time.Minute, heldBy("joe", agenda.Confirmed), pinnedAt("2026-11-01T11:30:00Z")),
			now:  farAway,
			want: []string{"outside_waking_hours after  joe"},
			messages: map[string]string{
				"outside_waking_hours after  joe": "“after” starts at 06:30 (America/New_York) for Joe Hill, outside 07:00–23:00",
			},
		},
		{
			name: "half-hour offset in Kolkata",
			r: newRally("2026-05-01T01:15:00Z", "UTC").stage("main").
				speaker("asha", "Asha Rao", "IN", "Asia/Kolkata", "").
				slot("early", "main", 15*time.Minute, heldBy("asha", agenda.Confirmed)).                                  // 06:45–07:00 IST
				slot("on-time", "main", time.Hour, heldBy("asha", agenda.Confirmed)).                                     // 07:00–08:00 IST
				slot("last", "main", 30*time.Minute, heldBy("asha", agenda.Confirmed), pinnedAt("2026-05-01T17:00:00Z")). // 22:30–23:00 IST
				slot("late", "main", 31*time.Minute, heldBy("asha", agenda.Confirmed), pinnedAt("2026-05-02T17:00:00Z")), // 22:30–23:01 IST
			now: farAway,
			want: []string{
				"outside_waking_hours early  asha", "outside_waking_hours late  asha",
			},
			messages: map[string]string{
				"outside_waking_hours early  asha": "“early” starts at 06:45 (Asia/Kolkata) for Asha Rao, outside 07:00–23:00",
				"outside_waking_hours late  asha":  "“late” ends at 23:01 (Asia/Kolkata) for Asha Rao, outside 07:00–23:00",
			},
		},
		{
			name: "night owl window wraps past midnight",
			r: newRally("2026-01-10T22:00:00Z", "UTC").waking("22:00", "06:00").stage("main").
				speaker("ada", "Ada Byron", "GB", "Europe/London", "").
				slot("late", "main", 90*time.Minute, heldBy("ada", agenda.Confirmed)).                                     // 22:00–23:30
				slot("midnight", "main", time.Hour, heldBy("ada", agenda.Confirmed)).                                      // 23:30–00:30
				slot("small-hours", "main", time.Hour, heldBy("ada", agenda.Confirmed), pinnedAt("2026-01-11T04:00:00Z")). // 04:00–05:00
				slot("dawn", "main", time.Hour, heldBy("ada", agenda.Confirmed), pinnedAt("2026-01-11T05:30:00Z")).        // 05:30–06:30
				slot("noon", "main", 30*time.Minute, heldBy("ada", agenda.Confirmed), pinnedAt("2026-01-11T12:00:00Z")),   // 12:00–12:30
			now:  farAway,
			want: []string{"outside_waking_hours dawn  ada", "outside_waking_hours noon  ada"},
			messages: map[string]string{
				"outside_waking_hours dawn  ada": "“dawn” ends at 06:30 (Europe/London) for Ada Byron, outside 22:00–06:00",
				"outside_waking_hours noon  ada": "“noon” starts at 12:00 (Europe/London) for Ada Byron, outside 22:00–06:00",
			},
		},
		{
			name: "an empty bound falls back to the default",
			r: newRally("2026-05-01T06:30:00Z", "UTC").waking("06:00", "").stage("main").
				speaker("joe", "Joe Hill", "GB", "UTC", "").
				slot("a", "main", 30*time.Minute, heldBy("joe", agenda.Confirmed)).
				slot("b", "main", 30*time.Minute, heldBy("joe", agenda.Confirmed), pinnedAt("2026-05-01T22:45:00Z")),
			now:  farAway,
			want: []string{"outside_waking_hours b  joe"},
			messages: map[string]string{
				"outside_waking_hours b  joe": "“b” ends at 23:15 (UTC) for Joe Hill, outside 06:00–23:00",
			},
		},
		{
			name: "past the event end",
			r: day().endsAt("2026-05-01T11:00:00Z").
				slot("a", "main", 30*time.Minute).
				slot("b", "main", 30*time.Minute).
				slot("c", "main", 10*time.Minute),
			now:  farAway,
			want: []string{"past_event_end c  "},
			messages: map[string]string{
				"past_event_end c  ": "“c” ends at 13:10 (Europe/Berlin), 10m after the event ends at 13:00",
			},
		},
		{
			name: "unconfirmed more than 48 hours before the start",
			r: day().
				slot("a", "main", 30*time.Minute, heldBy("maria", agenda.Invited)),
			now: rallyTime(start).Add(-48*time.Hour - time.Second),
		},
		{
			name: "unconfirmed exactly 48 hours before the start",
			r: day().speaker("joe", "Joe Hill", "US", "UTC", "").
				slot("a", "main", 30*time.Minute, heldBy("maria", agenda.Invited), heldBy("joe", agenda.Confirmed)).
				slot("b", "main", 30*time.Minute, heldBy("joe", agenda.Invited), heldBy("maria", agenda.Declined)),
			now:  rallyTime(start).Add(-48 * time.Hour),
			want: []string{"unconfirmed_near_start a  maria", "unconfirmed_near_start b  joe", "declined b  maria"},
			messages: map[string]string{
				"unconfirmed_near_start a  maria": "Maria Santos has not confirmed “a”, which starts at 12:00 (Europe/Berlin), in 48h",
				"unconfirmed_near_start b  joe":   "Joe Hill has not confirmed “b”, which starts at 12:30 (Europe/Berlin), in 48h 30m",
			},
		},
		{
			name: "unconfirmed after the start only until the slot starts",
			r: day().
				slot("a", "main", 30*time.Minute, heldBy("maria", agenda.Invited)).
				slot("b", "main", 30*time.Minute, heldBy("maria", agenda.Invited), heldBy("maria", agenda.Invited)).
				slot("c", "main", 30*time.Minute, heldBy("ghost", agenda.Invited)),
			now:  rallyTime(start).Add(30 * time.Minute),
			want: []string{},
		},
		{
			name: "unconfirmed after the start with the slot still to come",
			r: day().
				slot("a", "main", 30*time.Minute, heldBy("maria", agenda.Invited)).
				slot("b", "main", 30*time.Minute, heldBy("maria", agenda.Invited), heldBy("maria", agenda.Invited)),
			now:  rallyTime(start).Add(29 * time.Minute),
			want: []string{"unconfirmed_near_start b  maria"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.r.build().Warnings(tt.now)
			if got == nil {
				t.Fatal("Warnings returned nil, want an empty list")
			}
			keys := make([]string, len(got))
			for i, w := range got {
				keys[i] = warningKey(w)
				if w.Message == "" {
					t.Errorf("%s: empty message", keys[i])
				}
				if want, ok := tt.messages[keys[i]]; ok && w.Message != want {
					t.Errorf("%s:\n got message %q\nwant message %q", keys[i], w.Message, want)
				}
			}
			if fmt.Sprint(keys) != fmt.Sprint(tt.want) {
				t.Errorf("warnings\n got %q\nwant %q", keys, tt.want)
			}
		})
	}
}

func TestWarningsJSON(t *testing.T) {
	a := newRally("2026-05-01T10:00:00Z", "UTC").stage("main").
		slot("a", "main", time.Hour).
		slot("b", "main", time.Minute, pinnedAt("2026-05-01T10:30:00Z")).build()
	b, err := json.Marshal(a.Warnings(time.Time{}))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"kind":"overlap","message":"“b” is pinned at 10:30 (UTC) but “a” before it runs until 11:00: they overlap by 30m","slot_id":"b","other_slot_id":"a","stage_id":"main"}]`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	empty, _ := json.Marshal(newRally("2026-05-01T10:00:00Z", "UTC").build().Warnings(time.Time{}))
	if string(empty) != "[]" {
		t.Errorf("no warnings encode as %s, want []", empty)
	}
}
