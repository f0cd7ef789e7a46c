package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"sync"
	"time"
)

// loadEvent is an event the tool made for a run: published, its speakers
// confirmed, its show running on the first stage.
type loadEvent struct {
	ID    string
	Slug  string
	Slots []string // slot ids
}

// Content that makes the agenda look like an act's: every public field filled.
var (
	loadCountries = []string{"UA", "RU", "BR", "AR", "FR", "DE", "PH", "TN", "IN", "KE", "NZ", "JP", "GR", "MX", "PL", "TR", "CL", "GB", "ZA", "US"}
	loadZones     = []string{"Europe/Kyiv", "Europe/Moscow", "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "Europe/Paris", "Europe/Berlin", "Asia/Manila", "Africa/Tunis", "Asia/Kolkata", "Africa/Nairobi", "Pacific/Auckland", "Asia/Tokyo", "Europe/Athens", "America/Mexico_City", "Europe/Warsaw", "Europe/Istanbul", "America/Santiago", "Europe/London", "Africa/Johannesburg", "America/New_York"}
	loadLanguages = []string{"en", "es", "fr", "ru", "ar", "pt", "de"}
	loadKinds     = []string{"party", "union", "movement", "ngo", "media"}
)

// withSpeakers is how many slots of an event get a confirmed speaker. Each
// assignment and confirmation is a change, and a change to a big event is slow
// (see docs/performance.md): beyond it, slots have no speaker.
const withSpeakers = 100

// createLoadEvent builds an event of n slots through the organizer API, the way
// organizers would: organizations, speakers, stages, slots, speakers on slots,
// invitations and confirmations, publication, and the start of the show.
// status, when not nil, is told what is being done.
func createLoadEvent(ctx context.Context, api *apiClient, slug string, n int, status func(string)) (*loadEvent, error) {
	if status == nil {
		status = func(string) {}
	}
	start := time.Now().UTC().Add(-10 * time.Minute).Truncate(time.Second)
	var ev struct {
		ID string `json:"id"`
	}
	err := api.do(ctx, http.MethodPost, "/api/v1/events", map[string]any{
		"slug": slug, "title": fmt.Sprintf("Load test: %d slots", n),
		"description": "An act the load tool made to measure the live feed. Speakers from many countries, " +
			"organizations and movements, one after another, with interpretation into several languages.",
		"starts_at": start, "timezone": "Europe/Berlin", "languages": []string{"en", "es", "fr", "ru", "ar"},
		"stream_url": "https://stream.example.org/" + slug,
	}, &ev)
	if err != nil {
		return nil, err
	}
	base := "/api/v1/events/" + ev.ID
	nOrgs, nSpeakers, nStages := clamp(n/3, 3, 20), clamp(n, 1, 60), 1
	if n >= 20 {
		nStages = 2
	}
	stages := make([]string, nStages)
	for i := range stages {
		var st struct {
			ID string `json:"id"`
		}
		if err := api.do(ctx, http.MethodPost, base+"/stages", map[string]any{"name": fmt.Sprintf("Stage %d", i+1)}, &st); err != nil {
			return nil, err
		}
		stages[i] = st.ID
	}
	orgs := make([]string, nOrgs)
	err = parallel(ctx, nOrgs, 4, func(i int) error {
		var o struct {
			ID string `json:"id"`
		}
		err := api.do(ctx, http.MethodPost, base+"/organizations", map[string]any{
			"name": fmt.Sprintf("Workers and Citizens for Peace %d", i+1), "country": loadCountries[i%len(loadCountries)],
			"kind": loadKinds[i%len(loadKinds)], "url": fmt.Sprintf("https://org%d.example.org", i+1),
		}, &o)
		orgs[i] = o.ID
		return err
	})
	if err != nil {
		return nil, err
	}
	speakers := make([]string, nSpeakers)
	err = parallel(ctx, nSpeakers, 4, func(i int) error {
		var sp struct {
			ID string `json:"id"`
		}
		err := api.do(ctx, http.MethodPost, base+"/speakers", map[string]any{
			"name": fmt.Sprintf("Speaker Number %d", i+1), "country": loadCountries[i%len(loadCountries)],
			"organization_id": orgs[i%nOrgs],
			"bio": "Trade unionist and peace activist; has organized solidarity convoys and strikes against " +
				"arms shipments, and speaks for the right to refuse to fight.",
			"photo_url": fmt.Sprintf("https://example.org/photos/%d.jpg", i+1), "timezone": loadZones[i%len(loadZones)],
			"languages":     []string{loadLanguages[i%len(loadLanguages)], "en"},
			"contact_email": fmt.Sprintf("speaker%d@example.org", i+1), "hide_photo": i%7 == 3,
		}, &sp)
		speakers[i] = sp.ID
		return err
	})
	if err != nil {
		return nil, err
	}
	// Slots are created in order, so positions follow the numbers.
	slots := make([]string, n)
	for i := range slots {
		status(fmt.Sprintf("slot %d/%d", i+1, n))
		lang := loadLanguages[i%len(loadLanguages)]
		interp := []map[string]string{}
		for _, l := range []string{"en", "es"} {
			if l != lang {
				interp = append(interp, map[string]string{"language": l, "url": "https://stream.example.org/" + slug + "/" + l})
			}
		}
		var sl struct {
			ID string `json:"id"`
		}
		err := api.do(ctx, http.MethodPost, base+"/slots", map[string]any{
			"stage_id": stages[i%nStages], "kind": "speech", "title": fmt.Sprintf("Speech %d: no to the war", i+1),
			"description":      "Greetings from the movement, a report on the campaign at home, and a call for a ceasefire now.",
			"duration_seconds": 300 + 60*(i%6), "language": lang, "interpretation": interp,
		}, &sl)
		if err != nil {
			return nil, err
		}
		slots[i] = sl.ID
	}
	held := min(n, withSpeakers)
	status(fmt.Sprintf("speakers on %d slots", held))
	err = parallel(ctx, held, 4, func(i int) error {
		return api.do(ctx, http.MethodPut, base+"/slots/"+slots[i]+"/speakers",
			[]map[string]string{{"speaker_id": speakers[i%nSpeakers], "role": "speaker"}}, nil)
	})
	if err != nil {
		return nil, err
	}
	links := make([]string, nSpeakers)
	err = parallel(ctx, nSpeakers, 4, func(i int) error {
		var inv struct {
			Token string `json:"token"`
		}
		err := api.do(ctx, http.MethodPost, base+"/speakers/"+speakers[i]+"/invitation", nil, &inv)
		links[i] = inv.Token
		return err
	})
	if err != nil {
		return nil, err
	}
	sources := newSourceClients(api.base)
	status(fmt.Sprintf("%d confirmations", held))
	err = parallel(ctx, held, 4, func(i int) error {
		return confirm(ctx, sources.client(i/10), api.base, links[i%nSpeakers], slots[i])
	})
	if err != nil {
		return nil, err
	}
	if err := api.do(ctx, http.MethodPatch, base, map[string]any{"status": "published"}, nil); err != nil {
		return nil, err
	}
	if err := api.do(ctx, http.MethodPost, base+"/live/start", map[string]any{}, nil); err != nil {
		return nil, err
	}
	return &loadEvent{ID: ev.ID, Slug: slug, Slots: slots}, nil
}

// confirm answers a speaker's invitation for a slot with their personal token.
// The speaker API is rate-limited per client address: a refused request waits.
func confirm(ctx context.Context, client *http.Client, base, token, slotID string) error {
	for try := 0; ; try++ {
		err := doJSON(ctx, client, http.MethodPost, base+"/api/v1/speaker/slots/"+slotID+"/confirm", token, map[string]string{"note": ""}, nil)
		var ae *apiError
		if !errors.As(err, &ae) || ae.status != http.StatusTooManyRequests || try == 120 {
			return err
		}
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// sourceClients spread requests over local addresses 127.0.0.2–251 when the
// server is on the IPv4 loopback of a Linux machine (where all of 127/8 is
// local), so that the speaker API's limit per address does not make setting up
// a thousand confirmations take minutes.
type sourceClients struct {
	loopback bool
	mu       sync.Mutex
	clients  map[int]*http.Client
}

func newSourceClients(base string) *sourceClients {
	return &sourceClients{loopback: runtime.GOOS == "linux" && loopbackV4(base), clients: map[int]*http.Client{}}
}

func (s *sourceClients) client(i int) *http.Client {
	if !s.loopback {
		i = -1
	} else {
		i %= 250
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[i]
	if !ok {
		var from net.IP
		if i >= 0 {
			from = net.IPv4(127, 0, 0, byte(2+i))
		}
		c = newHTTPClient(4, from)
		s.clients[i] = c
	}
	return c
}

// parallel runs f(0) … f(n-1) on up to workers goroutines and returns the first error.
func parallel(ctx context.Context, n, workers int, f func(i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					cancel(err)
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }
