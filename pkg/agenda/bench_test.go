package agenda_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// benchSizes are an act's size (60 slots) and a stress size (1000 slots).
var benchSizes = []int{60, 1000}

// benchAgenda builds a running act of n slots on two stages, with 60 speakers
// (one confirmed per slot) from 20 organizations, every public field filled,
// its show a few slots in.
func benchAgenda(b *testing.B, n int) *agenda.Agenda {
	b.Helper()
	start := time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)
	a := &agenda.Agenda{Event: agenda.Event{ID: "ev", EventFields: agenda.EventFields{
		Slug: "act", Title: "Peace now", Description: "An international act against the war.", StartsAt: start,
		Timezone: "Europe/Berlin", Status: agenda.StatusPublished, Languages: []string{"en", "es", "fr", "ru", "ar"},
		StreamURL: "https://stream.example.org/act", WakingHours: agenda.DefaultWakingHours,
	}}}
	countries := []string{"UA", "RU", "BR", "AR", "FR", "DE", "PH", "TN", "IN", "KE"}
	for i := range 20 {
		a.Organizations = append(a.Organizations, agenda.Organization{ID: fmt.Sprintf("org-%d", i), OrganizationFields: agenda.OrganizationFields{
			Name: fmt.Sprintf("Workers and Citizens for Peace %d", i), Country: countries[i%len(countries)], Kind: agenda.OrgUnion,
			URL: fmt.Sprintf("https://org%d.example.org", i),
		}})
	}
	for i := range 60 {
		a.Speakers = append(a.Speakers, agenda.Speaker{ID: fmt.Sprintf("sp-%d", i), SpeakerFields: agenda.SpeakerFields{
			Name: fmt.Sprintf("Speaker Number %d", i), Country: countries[i%len(countries)], OrganizationID: fmt.Sprintf("org-%d", i%20),
			Bio: "Trade unionist and peace activist; organizes solidarity convoys.", PhotoURL: fmt.Sprintf("https://example.org/%d.jpg", i),
			Timezone: "Europe/Kyiv", Languages: []string{"uk", "en"}, ContactEmail: fmt.Sprintf("sp%d@example.org", i),
			HidePhoto: i%7 == 3,
		}})
	}
	for i := range 2 {
		a.Stages = append(a.Stages, agenda.Stage{ID: fmt.Sprintf("stage-%d", i), StageFields: agenda.StageFields{Name: fmt.Sprintf("Stage %d", i+1)}, Position: i})
	}
	for i := range n {
		a.Slots = append(a.Slots, agenda.Slot{
			ID: fmt.Sprintf("slot-%04d", i), StageID: fmt.Sprintf("stage-%d", i%2), Position: i / 2,
			SlotFields: agenda.SlotFields{
				Kind: agenda.KindSpeech, Title: fmt.Sprintf("Speech %d: no to the war", i+1),
				Description:     "Greetings from the movement and a call for a ceasefire now.",
				DurationSeconds: 300 + 60*(i%6), Language: "en",
				Interpretation: []agenda.Interpretation{{Language: "es", URL: "https://stream.example.org/act/es"}},
			},
			Speakers: []agenda.SlotSpeaker{{SpeakerID: fmt.Sprintf("sp-%d", i%60), Role: agenda.RoleSpeaker, Status: agenda.Confirmed}},
		})
	}
	a.Normalize()
	now := start.Add(time.Minute)
	if err := a.Start("stage-0", "", now); err != nil {
		b.Fatal(err)
	}
	for range 3 {
		now = now.Add(7 * time.Minute)
		if err := a.Next("stage-0", now); err != nil {
			b.Fatal(err)
		}
	}
	return a
}

// BenchmarkPublicAgendaJSON is the public agenda's encoding: what a GET or a
// snapshot costs when nothing is cached, and what each change re-encodes.
func BenchmarkPublicAgendaJSON(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("slots=%d", n), func(b *testing.B) {
			a := benchAgenda(b, n)
			b.ReportAllocs()
			var size int
			for b.Loop() {
				out, err := json.Marshal(a.PublicView())
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
			b.ReportMetric(float64(size), "json-bytes")
		})
	}
}

// BenchmarkOrganizerAgendaJSON is the organizers' view, encoded with each change too.
func BenchmarkOrganizerAgendaJSON(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("slots=%d", n), func(b *testing.B) {
			a := benchAgenda(b, n)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := json.Marshal(a.OrganizerView()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLiveView is the live projection of every slot (DESIGN invariant 3).
func BenchmarkLiveView(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("slots=%d", n), func(b *testing.B) {
			a := benchAgenda(b, n)
			b.ReportAllocs()
			for b.Loop() {
				if v := a.LiveView(); len(v.Slots) != n {
					b.Fatalf("%d projections, want %d", len(v.Slots), n)
				}
			}
		})
	}
}

// BenchmarkWarnings is the organizers' warnings, computed with each change.
func BenchmarkWarnings(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("slots=%d", n), func(b *testing.B) {
			a := benchAgenda(b, n)
			now := a.Event.StartsAt.Add(30 * time.Minute)
			b.ReportAllocs()
			for b.Loop() {
				a.Warnings(now)
			}
		})
	}
}

// BenchmarkDiff is the delta of one slot's new title, public and organizer:
// the before and after views and their comparison, as each change computes them.
func BenchmarkDiff(b *testing.B) {
	views := map[string]func(*agenda.Agenda) agenda.View{
		"public":    (*agenda.Agenda).PublicView,
		"organizer": (*agenda.Agenda).OrganizerView,
	}
	for _, view := range []string{"public", "organizer"} {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("view=%s/slots=%d", view, n), func(b *testing.B) {
				before := benchAgenda(b, n)
				after := before.Clone()
				if err := after.UpdateSlot(after.Slots[n/2].ID, agenda.SlotFields{
					Kind: agenda.KindSpeech, Title: "A new title", DurationSeconds: after.Slots[n/2].DurationSeconds,
				}); err != nil {
					b.Fatal(err)
				}
				after.Normalize()
				of := views[view]
				b.ReportAllocs()
				for b.Loop() {
					d, err := agenda.Diff(of(before), of(&after))
					if err != nil {
						b.Fatal(err)
					}
					if d.Empty() {
						b.Fatal("no change")
					}
				}
			})
		}
	}
}
