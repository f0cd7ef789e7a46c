// Package browsertest drives Tribune's web UI in a real headless Chromium
// (Debian's, at /usr/bin/chromium) against a real server on a real SQLite file:
// the viewer, the overlay, the speaker page and the organizer console.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/tribune-act/tribune/pkg/agenda"
)

// A viewer sees an API change within 2 s without reloading, the countdown
// moves, and after the server restarts the page reconnects and catches up.
func TestViewerLiveAndReconnect(t *testing.T) {
	requireBrowser(t)
	s := startServer(t)
	ctx := browser(t)

	do(t, ctx, "opening the viewer", chromedp.Navigate(s.URL+"/e/demo"), chromedp.WaitVisible(".nownext .count"))
	// A marker that a reload would wipe out.
	eval[bool](t, ctx, `window.__noReload = true`)

	first := eval[string](t, ctx, `document.querySelector(".nownext .now .count").textContent`)
	waitFor(t, ctx, 3*time.Second, "the countdown moves",
		fmt.Sprintf(`document.querySelector(".nownext .now .count").textContent !== %q`, first))

	// An edit through the API reaches the open page.
	a := s.agenda()
	slot := slotByTitle(t, a, "Bread, not bombs")
	s.api("PATCH", "/api/v1/events/"+s.event+"/slots/"+slot.ID, map[string]any{"title": "Bread and peace, not bombs"}, nil,
		"If-Match", strconv.Quote(strconv.FormatInt(slot.Revision, 10)))
	took := waitFor(t, ctx, 2*time.Second, "the viewer shows the edited title",
		`document.body.innerText.includes("Bread and peace, not bombs")`)
	t.Logf("an API edit showed on the viewer in %s", took.Round(time.Millisecond))

	axe(t, ctx, "the viewer")
	screenshots(t, ctx, "viewer")

	// The server goes away: the page says it is reconnecting.
	s.stop()
	waitFor(t, ctx, 5*time.Second, "the viewer shows that it is reconnecting",
		`document.querySelector(".conn").textContent.includes("reconnecting")`)
	screenshots(t, ctx, "viewer-reconnecting", phone)

	// A change while it is down, then a restart on the same address and database.
	s.start()
	s.change("rename while the viewer was away", func(a *agenda.Agenda) error {
		for i := range a.Slots {
			if a.Slots[i].Title == "Disarm now" {
				a.Slots[i].Title = "Disarm now, everywhere"
			}
		}
		return nil
	})
	waitFor(t, ctx, 15*time.Second, "the viewer catches up after the restart",
		`document.body.innerText.includes("Disarm now, everywhere") && document.querySelector(".conn").textContent === ""`)
	if !eval[bool](t, ctx, `window.__noReload === true`) {
		t.Error("the page reloaded; it should have reconnected in place")
	}
}

// The overlay shows the current speaker's name, and the next one after `next`.
func TestOverlayFollowsNext(t *testing.T) {
	requireBrowser(t)
	s := startServer(t)
	ctx := browser(t)

	a := s.agenda()
	main := a.Stages[0]
	view := a.LiveView()
	var current string
	for _, st := range view.Stages {
		if st.StageID == main.ID && st.CurrentSlotID != nil {
			current = *st.CurrentSlotID
		}
	}
	if current == "" {
		t.Fatal("the demo act has nothing on the main stage")
	}
	do(t, ctx, "opening the overlay",
		chromedp.EmulateViewport(1920, 1080),
		chromedp.Navigate(s.URL+"/e/demo/overlay?next=1&clock=1&stage="+main.ID),
		chromedp.WaitVisible(".lower .name"))
	if got := eval[string](t, ctx, `document.querySelector(".lower").dataset.slot`); got != current {
		t.Fatalf("the overlay shows slot %s, the current one is %s", got, current)
	}
	if bg := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`); bg != "rgba(0, 0, 0, 0)" {
		t.Errorf("the overlay's background is %s, want transparent", bg)
	}

	var res struct {
		Live agenda.LiveView `json:"live"`
	}
	s.api("POST", "/api/v1/events/"+s.event+"/live/next", map[string]string{"stage_id": main.ID}, &res)
	var next string
	for _, st := range res.Live.Stages {
		if st.StageID == main.ID && st.CurrentSlotID != nil {
			next = *st.CurrentSlotID
		}
	}
	a = s.agenda()
	var want string
	for _, sl := range a.Slots {
		if sl.ID != next {
			continue
		}
		// One confirmed speaker shows by name; a panel, or a slot without speakers, by its title.
		var names []string
		for _, sp := range sl.Speakers {
			if sp.Status == agenda.Confirmed {
				who, _ := a.Speaker(sp.SpeakerID)
				names = append(names, who.Name)
			}
		}
		want = sl.Title
		if len(names) == 1 {
			want = names[0]
		}
	}
	took := waitFor(t, ctx, 2*time.Second, "the overlay shows the next speaker",
		fmt.Sprintf(`(document.querySelector(".lower .name") || {}).textContent === %q`, want))
	t.Logf("the overlay showed %q %s after next", want, took.Round(time.Millisecond))
	screenshots(t, ctx, "overlay", [2]int64{1920, 1080})
}

// A speaker confirms from their link; a bio with markup is text, not code.
func TestSpeakerConfirmsAndBioIsText(t *testing.T) {
	requireBrowser(t)
	s := startServer(t)
	ctx := browser(t)

	a := s.agenda()
	thabo := speakerByName(t, a, "Thabo Mokoena") // invited to the unions panel, not yet answered
	panel := slotByTitle(t, a, "Workers against war: unions across borders")
	var inv struct {
		URL string `json:"url"`
	}
	s.api("POST", "/api/v1/events/"+s.event+"/speakers/"+thabo.ID+"/invitation", nil, &inv)
	link := s.URL + inv.URL[strings.Index(inv.URL, "/s/"):]

	do(t, ctx, "opening the speaker page", chromedp.Navigate(link), chromedp.WaitVisible(`[data-slot="`+panel.ID+`"]`))
	if got := eval[string](t, ctx, `document.querySelector('[data-slot="`+panel.ID+`"] .status').textContent`); got != "Waiting for your answer" {
		t.Errorf("status before answering: %q", got)
	}
	axe(t, ctx, "the speaker page")
	screenshots(t, ctx, "speaker")

	do(t, ctx, "confirming", chromedp.Click(chromedp.CSS(`[data-slot="`+panel.ID+`"] button.primary`)))
	waitFor(t, ctx, 3*time.Second, "the page shows the confirmation",
		`document.querySelector('[data-slot="`+panel.ID+`"] .status').textContent === "Confirmed"`)
	for _, sp := range slotByTitle(t, s.agenda(), panel.Title).Speakers {
		if sp.SpeakerID == thabo.ID && sp.Status != agenda.Confirmed {
			t.Errorf("stored status %s, want confirmed", sp.Status)
		}
	}

	// The stage manager's message reaches the green room.
	s.api("POST", "/api/v1/events/"+s.event+"/live/message", map[string]string{"stage_id": panel.StageID, "to": panel.ID, "text": "Get ready: 2 minutes"}, nil)
	waitFor(t, ctx, 2*time.Second, "the green room shows the stage message", `document.querySelector(".green .message")?.textContent.includes("Get ready: 2 minutes")`)

	// The speaker writes markup into their bio; every page shows it as text.
	const bio = `<script>window.__xss = 1</script><img src="x" onerror="window.__xss = 2">I mean it`
	eval[bool](t, ctx, `(el => { el.value = ""; el.dispatchEvent(new Event("input", {bubbles: true})); return true })(document.querySelector(".profile textarea"))`)
	do(t, ctx, "editing the bio",
		chromedp.SendKeys(chromedp.CSS(`.profile textarea`), bio),
		chromedp.Click(chromedp.CSS(`.profile button[type=submit]`)))
	waitFor(t, ctx, 3*time.Second, "the profile is saved", `document.querySelector(".profile .ok") !== null`)
	if got := eval[string](t, ctx, `document.querySelector(".profile textarea").value`); got != bio {
		t.Errorf("bio in the form after saving: %q", got)
	}

	viewer := tab(t, ctx)
	do(t, viewer, "opening the viewer", chromedp.Navigate(s.URL+"/e/demo"), chromedp.WaitVisible(".order"))
	eval[bool](t, viewer, `document.querySelectorAll("details").forEach(d => d.open = true), true`)
	waitFor(t, viewer, 2*time.Second, "the bio shows as text", `document.body.innerText.includes('<script>window.__xss = 1</script><img src="x" onerror="window.__xss = 2">I mean it')`)
	if eval[bool](t, viewer, `window.__xss !== undefined || document.querySelector('.order img[src="x"], .order script') !== null`) {
		t.Error("markup in a bio became elements on the viewer")
	}
	if eval[bool](t, ctx, `window.__xss !== undefined`) {
		t.Error("markup in a bio ran on the speaker page")
	}
}

// The speaker page explains an invalid link instead of failing silently.
func TestSpeakerPageWithBadLink(t *testing.T) {
	requireBrowser(t)
	s := startServer(t)
	ctx := browser(t)
	do(t, ctx, "opening a bad link", chromedp.Navigate(s.URL+"/s/spk_not-a-real-token"), chromedp.WaitVisible(".error"))
	if got := eval[string](t, ctx, `document.querySelector(".error").textContent`); !strings.Contains(got, "ask the organizers") {
		t.Errorf("bad link message: %q", got)
	}
}

// The viewer in another language and right to left, and unpublished events are 404.
func TestViewerLanguagesAndNotFound(t *testing.T) {
	requireBrowser(t)
	s := startServer(t)
	ctx := browser(t)
	for _, c := range []struct{ lang, dir, text string }{
		{"uk", "ltr", "Програма"}, {"ru", "ltr", "Программа"}, {"es", "ltr", "Orden del acto"},
		{"pt", "ltr", "Programação"}, {"fr", "ltr", "Déroulé"}, {"ar", "rtl", "البرنامج"},
	} {
		do(t, ctx, "opening the viewer in "+c.lang, chromedp.Navigate(s.URL+"/e/demo?lang="+c.lang), chromedp.WaitVisible("#order-h"))
		if got := eval[string](t, ctx, `document.documentElement.lang + " " + document.documentElement.dir + " " + document.querySelector("#order-h").textContent`); !strings.HasPrefix(got, c.lang+" "+c.dir+" "+c.text) {
			t.Errorf("?lang=%s: got %q", c.lang, got)
		}
	}
	screenshots(t, ctx, "viewer-ar", phone)

	res, err := chromedp.RunResponse(ctx, chromedp.Navigate(s.URL+"/e/no-such-act"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 404 {
		t.Errorf("unknown slug: status %d, want 404", res.Status)
	}
}

// The viewer's first render of a 60-slot agenda under Chromium's "Slow 3G"
// (2 s round trips, 50 kB/s), and the bytes its first load transfers.
func TestViewerSlow3G(t *testing.T) {
	requireBrowser(t)
	s := startServer(t)
	ctx := browser(t)
	s.change("grow the act to 60 slots", func(a *agenda.Agenda) error {
		main := a.Stages[0].ID
		for i := len(a.Slots); i < 60; i++ {
			a.Slots = append(a.Slots, agenda.Slot{
				ID: fmt.Sprintf("extra-%02d", i), StageID: main, Position: 1000 + i,
				SlotFields: agenda.SlotFields{Kind: agenda.KindSpeech, Title: fmt.Sprintf("Greetings %d", i), DurationSeconds: 300, Language: "en"},
				Speakers:   []agenda.SlotSpeaker{{SpeakerID: a.Speakers[i%len(a.Speakers)].ID, Role: agenda.RoleSpeaker, Status: agenda.Confirmed}},
			})
		}
		a.Normalize()
		return nil
	})
	if n := len(s.agenda().Slots); n != 60 {
		t.Fatalf("%d slots, want 60", n)
	}
	slow3G := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Latency: 2000, DownloadThroughput: 50000, UploadThroughput: 50000}},
		})
		return err
	})
	do(t, ctx, "throttling", chromedp.Navigate("about:blank"), slow3G)
	start := time.Now()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(c, chromedp.Navigate(s.URL+"/e/demo"), chromedp.WaitVisible(".nownext .count")); err != nil {
		t.Fatalf("first render under Slow 3G: %v", err)
	}
	rendered := time.Since(start)
	type entry struct {
		Name string  `json:"name"`
		Body float64 `json:"body"`
	}
	entries := eval[[]entry](t, ctx, `[performance.getEntriesByType("navigation")[0], ...performance.getEntriesByType("resource")]
		.map(e => ({name: e.name, body: e.encodedBodySize}))`)
	var total float64
	var parts []string
	for _, e := range entries {
		if strings.Contains(e.Name, "/flags/") || strings.Contains(e.Name, "/live") {
			continue
		}
		total += e.Body
		parts = append(parts, fmt.Sprintf("%s %.1f KB", e.Name[strings.LastIndex(e.Name, "/")+1:], e.Body/1024))
	}
	report := fmt.Sprintf("viewer, 60 slots, Slow 3G (2000 ms, 50 kB/s): first render with countdown in %s; first load %.1f KB on the wire (%s)\n",
		rendered.Round(10*time.Millisecond), total/1024, strings.Join(parts, ", "))
	t.Log(report)
	_ = os.WriteFile(filepath.Join(screenshotDir(t), "viewer-slow3g.txt"), []byte(report), 0o644)
	if total > 60*1024 {
		t.Errorf("the viewer's first load is %.1f KB gzipped, over the 60 KB budget", total/1024)
	}
	if rendered > 20*time.Second {
		t.Errorf("first render under Slow 3G took %s", rendered)
	}
}
