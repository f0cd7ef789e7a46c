package agenda_test

import (
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
)

func TestPlannedTimes(t *testing.T) {
	const start = "2026-05-01T10:00:00Z"
	tests := []struct {
		name string
		r    *rally
		want map[string][2]string // slot id → planned start, planned end (15:04 UTC on 2026-05-01)
	}{
		{
			name: "no pins",
			r: newRally(start, "UTC").stage("main").
				slot("a", "main", 20*time.Minute).
				slot("b", "main", 10*time.Minute).
				slot("c", "main", 30*time.Minute),
			want: map[string][2]string{"a": {"10:00", "10:20"}, "b": {"10:20", "10:30"}, "c": {"10:30", "11:00"}},
		},
		{
			name: "pin with a gap",
			r: newRally(start, "UTC").stage("main").
				slot("a", "main", 20*time.Minute).
				slot("b", "main", 10*time.Minute, pinnedAt("2026-05-01T11:00:00Z")).
				slot("c", "main", 15*time.Minute),
			want: map[string][2]string{"a": {"10:00", "10:20"}, "b": {"11:00", "11:10"}, "c": {"11:10", "11:25"}},
		},
		{
			name: "pin that overlaps",
			r: newRally(start, "UTC").stage("main").
				slot("a", "main", time.Hour).
				slot("b", "main", 10*time.Minute, pinnedAt("2026-05-01T10:30:00Z")).
				slot("c", "main", 5*time.Minute),
			want: map[string][2]string{"a": {"10:00", "11:00"}, "b": {"10:30", "10:40"}, "c": {"10:40", "10:45"}},
		},
		{
			name: "two stages run independently",
			r: newRally(start, "UTC").stage("main").stage("side").
				slot("x", "side", 45*time.Minute).
				slot("a", "main", 30*time.Minute).
				slot("y", "side", 15*time.Minute).
				slot("b", "main", 30*time.Minute),
			want: map[string][2]string{
				"a": {"10:00", "10:30"}, "b": {"10:30", "11:00"},
				"x": {"10:00", "10:45"}, "y": {"10:45", "11:00"},
			},
		},
		{
			name: "first slot pinned before the event start",
			r: newRally(start, "UTC").stage("main").
				slot("a", "main", 20*time.Minute, pinnedAt("2026-05-01T09:30:00Z")).
				slot("b", "main", 10*time.Minute),
			want: map[string][2]string{"a": {"09:30", "09:50"}, "b": {"09:50", "10:00"}},
		},
		{
			name: "first slot pinned after the event start",
			r: newRally(start, "UTC").stage("main").
				slot("a", "main", 20*time.Minute, pinnedAt("2026-05-01T10:15:00+02:00")).
				slot("b", "main", 10*time.Minute),
			want: map[string][2]string{"a": {"08:15", "08:35"}, "b": {"08:35", "08:45"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.r.build()
			if len(a.Slots) != len(tt.want) {
				t.Fatalf("got %d slots, want %d", len(a.Slots), len(tt.want))
			}
			for _, s := range a.Slots {
				got := [2]string{s.PlannedStart.Format("15:04"), s.PlannedEnd.Format("15:04")}
				if got != tt.want[s.ID] {
					t.Errorf("slot %s planned %v, want %v", s.ID, got, tt.want[s.ID])
				}
				if s.PlannedStart.Location() != time.UTC || s.PlannedEnd.Location() != time.UTC {
					t.Errorf("slot %s planned times not in UTC: %v, %v", s.ID, s.PlannedStart, s.PlannedEnd)
				}
			}
			for _, st := range a.Stages {
				for i, s := range a.StageSlots(st.ID) {
					if s.Position != i {
						t.Errorf("stage %s slot %s at position %d, want %d", st.ID, s.ID, s.Position, i)
					}
				}
			}
		})
	}
}

// FuzzRunningOrder builds a random agenda of one or two stages and up to 30 slots
// from the input, in a random input order with random (possibly equal) positions,
// and checks the running-order invariants after Normalize.
//
// Input layout: byte 0 picks one or two stages (bit 0) and the stages' input
// order (bit 1); then 6 bytes per slot: stage (bit 0), position, duration (2
// bytes, big endian, plus a third bit from the stage byte), pin flag and pin
// offset in minutes from the event start (signed).
func FuzzRunningOrder(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte{0, 0, 0, 0x04, 0xb0, 0, 0, 0, 1, 0x02, 0x58, 0, 0})
	f.Add([]byte{1, 0, 0, 0x0e, 0x10, 0, 0, 1, 0, 0x07, 0x08, 1, 30, 0, 1, 0x03, 0x84, 1, 0xf0})
	f.Add([]byte{3, 1, 5, 0xff, 0xff, 1, 0x80, 0, 5, 0x00, 0x01, 0, 0, 3, 5, 0x51, 0x80, 1, 0x7f})
	f.Add(make([]byte, 1+6*30))

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		eventStart := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
		a := agenda.Agenda{}
		a.Event.StartsAt = eventStart
		stages := []string{"main"}
		if data[0]&1 == 1 {
			stages = append(stages, "side")
		}
		for i, id := range stages {
			st := agenda.Stage{ID: id, Position: i}
			st.Name = id
			a.Stages = append(a.Stages, st)
		}
		if data[0]&2 != 0 && len(a.Stages) == 2 {
			a.Stages[0], a.Stages[1] = a.Stages[1], a.Stages[0]
			a.Stages[0].Position, a.Stages[1].Position = 1, 0
		}
		inputPos := map[string]int{}
		dur := map[string]int{}
		data = data[1:]
		for n := 0; len(data) >= 6 && n < 30; n++ {
			b := data[:6]
			data = data[6:]
			id := fmt.Sprintf("s%02d", n)
			s := agenda.Slot{ID: id, StageID: stages[int(b[0]&1)%len(stages)], Position: int(b[1])}
			s.DurationSeconds = (int(binary.BigEndian.Uint16(b[2:4]))|int(b[0]&2)<<15)%agenda.MaxDurationSeconds + 1
			if b[4]&1 == 1 {
				pin := eventStart.Add(time.Duration(int8(b[5])) * 7 * time.Minute)
				s.PinnedStart = &pin
			}
			inputPos[id], dur[id] = s.Position, s.DurationSeconds
			a.Slots = append(a.Slots, s)
		}

		a.Normalize()

		if len(a.Slots) != len(inputPos) {
			t.Fatalf("got %d slots, want %d", len(a.Slots), len(inputPos))
		}
		for i, st := range a.Stages {
			if st.Position != i {
				t.Fatalf("stage %s at position %d, want %d", st.ID, st.Position, i)
			}
		}
		for _, st := range a.Stages {
			slots := a.StageSlots(st.ID)
			pinned := false
			for i, s := range slots {
				if s.Position != i {
					t.Fatalf("stage %s: slot %s at position %d, want %d", st.ID, s.ID, s.Position, i)
				}
				if i > 0 && inputPos[slots[i-1].ID] > inputPos[s.ID] {
					t.Fatalf("slot %s (position %d) ordered after %s (position %d)",
						s.ID, inputPos[s.ID], slots[i-1].ID, inputPos[slots[i-1].ID])
				}
				if got := s.PlannedEnd.Sub(s.PlannedStart); got != time.Duration(dur[s.ID])*time.Second {
					t.Fatalf("slot %s lasts %v, want %ds", s.ID, got, dur[s.ID])
				}
				if s.PinnedStart != nil {
					pinned = true
					if !s.PlannedStart.Equal(*s.PinnedStart) {
						t.Fatalf("pinned slot %s planned at %v, want %v", s.ID, s.PlannedStart, *s.PinnedStart)
					}
					continue
				}
				want := eventStart
				if i > 0 {
					want = slots[i-1].PlannedEnd
				}
				if !s.PlannedStart.Equal(want) {
					t.Fatalf("unpinned slot %s planned at %v, want %v", s.ID, s.PlannedStart, want)
				}
			}
			if pinned {
				continue
			}
			for i := 1; i < len(slots); i++ {
				if slots[i].PlannedStart.Before(slots[i-1].PlannedStart) {
					t.Fatalf("stage %s without pins goes backwards at %s", st.ID, slots[i].ID)
				}
				if !slots[i].PlannedStart.Equal(slots[i-1].PlannedEnd) {
					t.Fatalf("stage %s without pins: %s does not start when %s ends", st.ID, slots[i].ID, slots[i-1].ID)
				}
			}
		}
	})
}
