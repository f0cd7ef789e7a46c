package agenda_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// shareRow is a Share without the float, for exact comparison.
type shareRow struct {
	Key, Name                string
	Slots, Seconds, Speakers int
}

func shareRows(shares []agenda.Share) []shareRow {
	out := make([]shareRow, len(shares))
	for i, s := range shares {
		out[i] = shareRow{s.Key, s.Name, s.Slots, s.Seconds, s.Speakers}
	}
	return out
}

func TestBalance(t *testing.T) {
	// A 100 s panel of three (one more declined) and a 61 s duo: 34+33+33 and 31+30.
	// Olena (UA) speaks in both, so Ukraine has 2 slots and 1 speaker.
	a := newRally("2026-05-01T10:00:00Z", "UTC").stage("main").stage("side").
		org("union", "Dockers' Union").org("party", "Left Party").
		speaker("olena", "Olena", "UA", "Europe/Kyiv", "union").
		speaker("joao", "João", "BR", "America/Sao_Paulo", "party").
		speaker("ade", "Adé", "NG", "Africa/Lagos", "union").
		speaker("anon", "Anonymous", "", "", "gone").
		speaker("no", "Declines", "FR", "Europe/Paris", "party").
		slot("panel", "main", 100*time.Second,
			heldBy("olena", agenda.Confirmed), heldBy("joao", agenda.Invited),
			heldBy("no", agenda.Declined), heldBy("ade", agenda.Confirmed)).
		slot("break", "main", 10*time.Minute).
		slot("all-declined", "main", time.Minute, heldBy("no", agenda.Declined)).
		slot("ghost", "main", time.Minute, heldBy("nobody", agenda.Confirmed)).
		slot("duo", "side", 61*time.Second, heldBy("anon", agenda.Confirmed), heldBy("olena", agenda.Confirmed)).
		build()

	b := a.Balance()
	if b.TotalSeconds != 161 {
		t.Errorf("total %d s, want 161", b.TotalSeconds)
	}
	tests := []struct {
		name   string
		got    []agenda.Share
		want   []shareRow
		sumOne bool
	}{
		{
			name: "countries",
			got:  b.Countries,
			want: []shareRow{
				{"UA", "Ukraine", 2, 64, 1},
				{"BR", "Brazil", 1, 33, 1},
				{"NG", "Nigeria", 1, 33, 1},
				{"", "Unknown", 1, 31, 1},
			},
			sumOne: true,
		},
		{
			name: "continents",
			got:  b.Continents,
			want: []shareRow{
				{"150", "Europe", 2, 64, 1},
				{"002", "Africa", 1, 33, 1},
				{"019", "Americas", 1, 33, 1},
				{"", "Unknown", 1, 31, 1},
			},
			sumOne: true,
		},
		{
			// Latin America and South America, Sub-Saharan and Western Africa nest.
			name: "regions",
			got:  b.Regions,
			want: []shareRow{
				{"151", "Eastern Europe", 2, 64, 1},
				{"005", "South America", 1, 33, 1},
				{"011", "Western Africa", 1, 33, 1},
				{"202", "Sub-Saharan Africa", 1, 33, 1},
				{"419", "Latin America", 1, 33, 1},
				{"", "Unknown", 1, 31, 1},
			},
		},
		{
			name: "organizations",
			got:  b.Organizations,
			want: []shareRow{
				{"union", "Dockers' Union", 2, 97, 2},
				{"party", "Left Party", 1, 33, 1},
				{"", "Unknown", 1, 31, 1},
			},
			sumOne: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := shareRows(tt.got)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d rows %v, want %d %v", len(got), got, len(tt.want), tt.want)
			}
			sum := 0.0
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("row %d: got %+v, want %+v", i, got[i], tt.want[i])
				}
				if want := float64(tt.want[i].Seconds) / 161; math.Abs(tt.got[i].Share-want) > 1e-12 {
					t.Errorf("row %d share %v, want %v", i, tt.got[i].Share, want)
				}
				sum += tt.got[i].Share
			}
			if tt.sumOne && math.Abs(sum-1) > 1e-9 {
				t.Errorf("shares add up to %v, want 1", sum)
			}
		})
	}
}

func TestBalanceSplit(t *testing.T) {
	tests := []struct {
		name     string
		seconds  int
		speakers int
		want     []int // seconds per speaker, in the slot's order
	}{
		{"one speaker", 600, 1, []int{600}},
		{"even split", 600, 3, []int{200, 200, 200}},
		{"remainder to the first", 601, 3, []int{201, 200, 200}},
		{"two left over", 602, 3, []int{201, 201, 200}},
		{"more speakers than seconds", 2, 3, []int{1, 1, 0}},
		{"one second each", 7, 7, []int{1, 1, 1, 1, 1, 1, 1}},
	}
	countries := []string{"AR", "BE", "CL", "DK", "EG", "FI", "GH"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRally("2026-05-01T10:00:00Z", "UTC").stage("main")
			var opts []slotOption
			for i := 0; i < tt.speakers; i++ {
				r.speaker(countries[i], countries[i], countries[i], "UTC", "")
				opts = append(opts, heldBy(countries[i], agenda.Confirmed))
			}
			r.slot("panel", "main", time.Duration(tt.seconds)*time.Second, opts...)
			b := r.build().Balance()
			if b.TotalSeconds != tt.seconds {
				t.Errorf("total %d, want %d", b.TotalSeconds, tt.seconds)
			}
			got := map[string]int{}
			for _, s := range b.Countries {
				got[s.Key] = s.Seconds
			}
			for i, want := range tt.want {
				if got[countries[i]] != want {
					t.Errorf("speaker %d (%s) got %d s, want %d", i, countries[i], got[countries[i]], want)
				}
			}
		})
	}
}

func TestBalanceContainment(t *testing.T) {
	tests := []struct {
		country   string
		continent string
		regions   []string
	}{
		{"UA", "150", []string{"151"}},
		{"BR", "019", []string{"005", "419"}},
		{"MX", "019", []string{"013", "419"}},
		{"US", "019", []string{"021"}},
		{"NG", "002", []string{"011", "202"}},
		{"EG", "002", []string{"015"}},
		{"IN", "142", []string{"034"}},
		{"FJ", "009", []string{"054"}},
	}
	for _, tt := range tests {
		t.Run(tt.country, func(t *testing.T) {
			b := newRally("2026-05-01T10:00:00Z", "UTC").stage("main").
				speaker("s", "S", tt.country, "UTC", "").
				slot("a", "main", time.Minute, heldBy("s", agenda.Confirmed)).
				build().Balance()
			if len(b.Continents) != 1 || b.Continents[0].Key != tt.continent {
				t.Errorf("continents %+v, want only %s", b.Continents, tt.continent)
			}
			var regions []string
			for _, r := range b.Regions {
				regions = append(regions, r.Key)
			}
			if len(regions) != len(tt.regions) {
				t.Fatalf("regions %v, want %v", regions, tt.regions)
			}
			for i := range regions {
				if regions[i] != tt.regions[i] {
					t.Errorf("regions %v, want %v", regions, tt.regions)
				}
			}
		})
	}
}

func TestBalanceEmpty(t *testing.T) {
	b := newRally("2026-05-01T10:00:00Z", "UTC").stage("main").slot("music", "main", time.Hour).build().Balance()
	got, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"total_seconds":0,"countries":[],"continents":[],"regions":[],"organizations":[]}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
