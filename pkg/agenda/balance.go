package agenda

import (
	"cmp"
	"slices"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Share is one country's, region's or organization's part of the planned speaking time.
type Share struct {
	Key      string  `json:"key"`      // ISO country code, M.49 region code or organization id; "" for unknown
	Name     string  `json:"name"`     // English display name; "Unknown" for ""
	Slots    int     `json:"slots"`    // slots in which this key has at least one counted speaker
	Seconds  int     `json:"seconds"`  // planned speaking seconds
	Speakers int     `json:"speakers"` // distinct speakers
	Share    float64 `json:"share"`    // Seconds / total seconds, 0 when the total is 0
}

// Balance is who gets the floor: planned speaking time by country, UN M.49
// continent and sub-region, and organization. It is for organizers only, so it
// uses speakers' real countries and organizations whatever they hide in public.
type Balance struct {
	TotalSeconds int     `json:"total_seconds"`
	Countries    []Share `json:"countries"`
	Continents   []Share `json:"continents"`
	// Regions holds M.49 sub-regions and, where M.49 has them, the intermediate
	// regions inside them (South America inside Latin America, Western Africa
	// inside Sub-Saharan Africa). A country counts in each, so these shares can
	// add up to more than 1; every other list adds up to 1.
	Regions       []Share `json:"regions"`
	Organizations []Share `json:"organizations"`
}

// UN M.49 continents, sub-regions and intermediate regions. Which country lies in
// which comes from CLDR through golang.org/x/text/language, not from a table here.
var (
	balanceContinents = parseRegions("002", "019", "142", "150", "009")
	balanceRegions    = parseRegions(
		"015", "202", "011", "014", "017", "018", // Africa
		"419", "005", "013", "029", "021", // Americas
		"143", "030", "034", "035", "145", // Asia
		"151", "154", "039", "155", // Europe
		"053", "054", "057", "061", // Oceania
	)
)

func parseRegions(codes ...string) []language.Region {
	out := make([]language.Region, len(codes))
	for i, c := range codes {
		out[i] = language.MustParseRegion(c)
	}
	return out
}

// Balance splits each slot's planned duration evenly among its speakers who have
// not declined (the first ones get the leftover seconds, so the parts add up to
// the duration) and totals the parts by country, continent, region and
// organization. Slots without such speakers, and speakers who no longer exist,
// count for nothing.
func (a *Agenda) Balance() Balance {
	speakers := make(map[string]*Speaker, len(a.Speakers))
	for i := range a.Speakers {
		speakers[a.Speakers[i].ID] = &a.Speakers[i]
	}
	orgs := make(map[string]string, len(a.Organizations))
	for _, o := range a.Organizations {
		orgs[o.ID] = o.Name
	}
	regionNames := display.English.Regions()
	countries, continents, regions, organizations := balanceTally{}, balanceTally{}, balanceTally{}, balanceTally{}
	total := 0
	for i := range a.Slots {
		s := &a.Slots[i]
		var ids []string
		for _, id := range countedSpeakers(s) {
			if speakers[id] != nil {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			continue
		}
		d := max(s.DurationSeconds, 0)
		each, rest := d/len(ids), d%len(ids)
		for k, id := range ids {
			secs := each
			if k < rest {
				secs++
			}
			total += secs
			sp := speakers[id]

			country, err := ParseCountry(sp.Country)
			if err != nil {
				countries.add("", "", s.ID, id, secs)
				continents.add("", "", s.ID, id, secs)
				regions.add("", "", s.ID, id, secs)
			} else {
				country = country.Canonicalize()
				countries.add(country.String(), regionNames.Name(country), s.ID, id, secs)
				addContainers(continents, balanceContinents, country, regionNames, s.ID, id, secs, true)
				addContainers(regions, balanceRegions, country, regionNames, s.ID, id, secs, false)
			}

			if name, ok := orgs[sp.OrganizationID]; ok && sp.OrganizationID != "" {
				organizations.add(sp.OrganizationID, name, s.ID, id, secs)
			} else {
				organizations.add("", "", s.ID, id, secs)
			}
		}
	}
	return Balance{
		TotalSeconds:  total,
		Countries:     countries.shares(total),
		Continents:    continents.shares(total),
		Regions:       regions.shares(total),
		Organizations: organizations.shares(total),
	}
}

// addContainers adds the seconds to every listed region that contains the
// country (only the first when first is set), or to "" when none does.
func addContainers(t balanceTally, containers []language.Region, country language.Region, names display.Namer, slotID, speakerID string, secs int, first bool) {
	found := false
	for _, r := range containers {
		if r.Contains(country) {
			t.add(r.String(), names.Name(r), slotID, speakerID, secs)
			found = true
			if first {
				break
			}
		}
	}
	if !found {
		t.add("", "", slotID, speakerID, secs)
	}
}

// balanceTally accumulates one list of shares by key.
type balanceTally map[string]*balanceTallyEntry

type balanceTallyEntry struct {
	name     string
	seconds  int
	slots    map[string]bool
	speakers map[string]bool
}

func (t balanceTally) add(key, name, slotID, speakerID string, secs int) {
	e := t[key]
	if e == nil {
		if key == "" {
			name = "Unknown"
		}
		e = &balanceTallyEntry{name: name, slots: map[string]bool{}, speakers: map[string]bool{}}
		t[key] = e
	}
	e.seconds += secs
	e.slots[slotID] = true
	e.speakers[speakerID] = true
}

// shares lists the balanceTally by seconds, most first, then by key; never nil.
func (t balanceTally) shares(total int) []Share {
	out := make([]Share, 0, len(t))
	for key, e := range t {
		sh := Share{Key: key, Name: e.name, Slots: len(e.slots), Seconds: e.seconds, Speakers: len(e.speakers)}
		if total > 0 {
			sh.Share = float64(e.seconds) / float64(total)
		}
		out = append(out, sh)
	}
	slices.SortFunc(out, func(x, y Share) int {
		return cmp.Or(cmp.Compare(y.Seconds, x.Seconds), cmp.Compare(x.Key, y.Key))
	})
	return out
}
