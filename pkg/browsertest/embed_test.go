package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/tribune-act/tribune/pkg/agenda"
)

// hostile is a partner's style sheet that tries everything a site's CSS does to
// what it contains: global selectors, !important, the host element itself,
// custom properties, the root font size.
const hostile = `
html { font-size: 40px; }
:root { --bg: red; --fg: red; --accent: lime; --line: red; }
* { color: rgb(255, 0, 0) !important; font-family: "Comic Sans MS", serif !important; letter-spacing: 3px; text-transform: uppercase; line-height: 3; }
p, li, ol, section, header, footer, div, span, a, time, img { margin: 30px; padding: 25px; border: 6px dashed blue; font-size: 31px; font-weight: 100; background: yellow; text-align: right; }
.card, .title, .count, .label, .w, .now, .next { display: none !important; }
tribune-schedule { font: italic 30px serif !important; color: red !important; direction: rtl; word-spacing: 20px; }
`

// partner is another site (another origin: another host and port) with the widget on its page.
type partner struct {
	*httptest.Server
	url string // http://localhost:port, not the 127.0.0.1 of the Tribune server
}

// startPartner serves a page in French that embeds the widget of the demo act
// under a strict CSP: scripts, connections and images only from Tribune, styles
// only from the partner itself (no inline styles, no inline scripts).
func startPartner(t *testing.T, s *server) *partner {
	t.Helper()
	tribuneWS := "ws://" + s.addr
	mux := http.NewServeMux()
	mux.HandleFunc("/hostile.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		_, _ = w.Write([]byte(hostile))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		connect := s.URL + " " + tribuneWS
		if q.Has("nows") {
			connect = s.URL // no websocket: the widget must fall back to polling
		}
		w.Header().Set("Content-Security-Policy", fmt.Sprintf(
			"default-src 'none'; script-src %s; connect-src %s; img-src %s; style-src 'self'", s.URL, connect, s.URL))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		link := ""
		if q.Has("hostile") {
			link = `<link rel="stylesheet" href="/hostile.css">`
		}
		fmt.Fprintf(w, `<!doctype html><html lang="fr-CA"><head><meta charset="utf-8"><title>Un site partenaire</title>%s</head>
<body><h1>Solidarité</h1><p class="title" id="probe-title">Texte du partenaire</p>
<script src="%s/embed.js" data-event="demo"></script>
<ol><li class="is-current" id="probe-li">Notre liste</li></ol><p class="count" id="probe-count">42</p></body></html>`, link, s.URL)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	return &partner{Server: srv, url: "http://localhost:" + port}
}

// inWidget evaluates an expression with root bound to the widget's shadow root.
func inWidget(expr string) string {
	return `(() => { const host = document.querySelector("tribune-schedule"); const root = host && host.shadowRoot; if (!root) return null; return ` + expr + `; })()`
}

// widgetLook is the computed style of the widget's parts, to compare with and
// without the partner's hostile style sheet.
const widgetLook = `(() => {
	const root = document.querySelector("tribune-schedule").shadowRoot;
	const props = ["color", "background-color", "font-family", "font-size", "font-weight", "font-style", "letter-spacing",
		"word-spacing", "line-height", "text-transform", "text-align", "direction", "display", "padding-top", "margin-top",
		"border-top-width", "border-top-style", "border-top-color"];
	const out = {};
	for (const sel of [".w", ".hd .ev", ".card.now", ".card.now .title", ".card.now .count", ".card.now .label", ".card.next",
		".order li", ".order time", ".ft"]) {
		const el = root.querySelector(sel);
		if (!el) { out[sel] = "missing"; continue; }
		const cs = getComputedStyle(el);
		out[sel] = props.map((p) => p + ": " + cs.getPropertyValue(p)).join("; ");
	}
	return JSON.stringify(out);
})()`

// A partner's page on another origin embeds the widget: it shows the slot on
// stage in the page's language and the reader's time zone, follows an API change
// within 2 s, and the partner's styles do not change its look, nor its styles
// the partner's page, under a CSP that allows no inline script or style.
func TestEmbedWidgetOnPartnerSite(t *testing.T) {
	requireBrowser(t)
	s := startServer(t)
	p := startPartner(t, s)
	ctx := browser(t)
	const zone = "Asia/Manila"
	manila, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "emulating a reader in Manila", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone})
		return err
	}))

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
	cur := slotByTitle(t, a, titleOf(a, current))

	// The plain page first: its look, then the same page with the hostile style sheet.
	do(t, ctx, "opening the partner's page", chromedp.Navigate(p.url+"/"))
	waitFor(t, ctx, 10*time.Second, "the widget shows the slot on stage",
		inWidget(fmt.Sprintf(`root.querySelector(".card.now") && root.querySelector(".card.now").dataset.slot === %q`, current)))
	if got := eval[string](t, ctx, inWidget(`root.querySelector(".card.now .title").textContent`)); got != cur.Title {
		t.Errorf("the widget's current slot: %q, want %q", got, cur.Title)
	}
	waitFor(t, ctx, 5*time.Second, "the widget follows the websocket feed", inWidget(`root.querySelector(".w").dataset.state === "live"`))

	// The page's language (fr-CA: French), the reader's time zone, from the same catalogs.
	fr := catalog(t, "fr")
	if got := eval[string](t, ctx, inWidget(`root.querySelector(".card.next .label").textContent`)); !strings.HasPrefix(got, fr["upNext"]) {
		t.Errorf("the up-next label %q is not French (%q)", got, fr["upNext"])
	}
	if got := eval[string](t, ctx, inWidget(`root.querySelector(".w").lang`)); got != "fr" {
		t.Errorf("the widget's language: %q, want fr", got)
	}
	if got := eval[string](t, ctx, `document.documentElement.lang`); got != "fr-CA" {
		t.Errorf("the widget changed the page's language to %q", got)
	}
	var first agenda.SlotProjection
	for _, pr := range view.Slots {
		if pr.SlotID == a.StageSlots(main.ID)[0].ID {
			first = pr
		}
	}
	want := first.ProjectedStart.In(manila).Format("15:04")
	if got := eval[string](t, ctx, inWidget(`root.querySelector(".order li time").textContent`)); got != want {
		t.Errorf("the first slot starts at %q in the widget, want %q (%s)", got, want, zone)
	}
	if got := eval[string](t, ctx, inWidget(`root.querySelector(".ft").textContent`)); !strings.Contains(got, zone) {
		t.Errorf("the widget's footer does not name the reader's zone: %q", got)
	}

	// The widget's styles stay in its shadow root.
	type probe struct {
		Sheets, Adopted       int
		Title, Count, Li      string
		TitleColor, BodyColor string
	}
	probes := `({
		sheets: document.styleSheets.length, adopted: document.adoptedStyleSheets.length,
		title: getComputedStyle(document.getElementById("probe-title")).fontWeight,
		count: getComputedStyle(document.getElementById("probe-count")).fontVariantNumeric,
		li: getComputedStyle(document.getElementById("probe-li")).borderInlineStartWidth,
		titleColor: getComputedStyle(document.getElementById("probe-title")).color,
		bodyColor: getComputedStyle(document.body).color,
	})`
	got := eval[probe](t, ctx, probes)
	if got.Sheets != 0 || got.Adopted != 0 || got.Title != "400" || got.Count != "normal" || got.Li != "0px" || got.TitleColor != "rgb(0, 0, 0)" {
		t.Errorf("the widget's styles reached the partner's page: %+v", got)
	}
	plain := eval[string](t, ctx, widgetLook)
	if strings.Contains(plain, "missing") {
		t.Fatalf("the widget lacks a part: %s", plain)
	}
	screenshots(t, ctx, "embed")

	// The partner's hostile styles do not reach into the widget.
	do(t, ctx, "opening the partner's page with its hostile styles", chromedp.Navigate(p.url+"/?hostile=1"))
	waitFor(t, ctx, 10*time.Second, "the widget renders under hostile styles",
		inWidget(`root.querySelector(".card.now .count") !== null && root.querySelector(".order li") !== null`))
	if got := eval[string](t, ctx, `getComputedStyle(document.getElementById("probe-title")).color`); got != "rgb(255, 0, 0)" {
		t.Fatalf("the hostile style sheet did not apply to the partner's own page (color %s)", got)
	}
	if hostileLook := eval[string](t, ctx, widgetLook); hostileLook != plain {
		var a, b map[string]string
		_ = json.Unmarshal([]byte(plain), &a)
		_ = json.Unmarshal([]byte(hostileLook), &b)
		for k := range a {
			if a[k] != b[k] {
				t.Errorf("the partner's styles changed the widget's %s:\n  plain:   %s\n  hostile: %s", k, a[k], b[k])
			}
		}
	}
	screenshots(t, ctx, "embed-hostile", desktop)

	// An API change reaches the widget within 2 s.
	cur = slotByTitle(t, s.agenda(), cur.Title)
	s.api("PATCH", "/api/v1/events/"+s.event+"/slots/"+cur.ID, map[string]any{"title": "Peace now, said from a partner's page"}, nil,
		"If-Match", strconv.Quote(strconv.FormatInt(cur.Revision, 10)))
	took := waitFor(t, ctx, 2*time.Second, "the widget shows the edited title",
		inWidget(`root.querySelector(".card.now .title").textContent === "Peace now, said from a partner's page"`))
	t.Logf("an API edit showed in the widget on another origin in %s", took.Round(time.Millisecond))

	// The stage manager's next: the widget's "now" moves to the slot that was next.
	next := eval[string](t, ctx, inWidget(`root.querySelector(".card.next").dataset.slot`))
	s.api("POST", "/api/v1/events/"+s.event+"/live/next", map[string]string{"stage_id": main.ID}, nil)
	took = waitFor(t, ctx, 2*time.Second, "the widget shows the next slot on stage",
		inWidget(fmt.Sprintf(`root.querySelector(".card.now").dataset.slot === %q`, next)))
	t.Logf("next showed in the widget in %s", took.Round(time.Millisecond))

	// Where the partner's CSP lets no websocket through, the widget polls the
	// public agenda cross-origin (a CORS GET with If-None-Match, after a preflight).
	do(t, ctx, "opening the partner's page without websockets", chromedp.Navigate(p.url+"/?nows=1"))
	waitFor(t, ctx, 15*time.Second, "the widget shows the slot on stage by polling",
		inWidget(fmt.Sprintf(`root.querySelector(".card.now") && root.querySelector(".card.now").dataset.slot === %q`, next)))
}

// titleOf is the title of the slot with the given id.
func titleOf(a *agenda.Agenda, id string) string {
	for _, s := range a.Slots {
		if s.ID == id {
			return s.Title
		}
	}
	return ""
}

// catalog reads one of the public pages' language catalogs.
func catalog(t *testing.T, lang string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "frontend", "src", "i18n", lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
