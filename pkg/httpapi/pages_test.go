package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"
)

// A build in memory: the shells and one asset, as Vite lays them out.
func fakeDist() fstest.MapFS {
	shell := func(name string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(`<!doctype html><html><head><title>Tribune</title><!--tribune:head--><script type="module" src="/assets/` + name + `-abc.js"></script></head><body><!--tribune:shell--><div id="app"></div></body></html>`)}
	}
	return fstest.MapFS{
		"viewer.html":        shell("viewer"),
		"overlay.html":       shell("overlay"),
		"speaker.html":       shell("speaker"),
		"admin.html":         shell("admin"),
		"join.html":          shell("join"),
		"assets/viewer.js":   &fstest.MapFile{Data: []byte("console.log(1)")},
		"flags/ua.svg":       &fstest.MapFile{Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
		"PLACEHOLDER":        &fstest.MapFile{Data: []byte("placeholder")},
		"assets/nested/a.js": &fstest.MapFile{Data: []byte("1")},
	}
}

func serve(t *testing.T, h echo.HandlerFunc, path string, params ...string) *httptest.ResponseRecorder {
	t.Helper()
	e := echo.New()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	rec := httptest.NewRecorder()
	c := e.NewContext(req, rec)
	var names, values []string
	for i := 0; i+1 < len(params); i += 2 {
		names, values = append(names, params[i]), append(values, params[i+1])
	}
	c.SetParamNames(names...)
	c.SetParamValues(values...)
	if err := h(c); err != nil {
		rec.Code = toProblem(err).Status
	}
	return rec
}

func TestPagesUnbuiltAnswer503(t *testing.T) {
	p := newPages(fstest.MapFS{"PLACEHOLDER": &fstest.MapFile{Data: []byte("x")}}, false)
	for _, h := range []echo.HandlerFunc{p.speakerPage, p.adminPage} {
		rec := serve(t, h, "/s/x")
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "make build") {
			t.Errorf("unbuilt page: %d %q", rec.Code, rec.Body.String())
		}
	}
	if rec := serve(t, p.asset, "/assets/viewer.js", "file", "viewer.js"); rec.Code != http.StatusNotFound {
		t.Errorf("asset without a build: %d", rec.Code)
	}
}

func TestPagesHeaders(t *testing.T) {
	p := newPages(fakeDist(), true)

	rec := serve(t, p.speakerPage, "/s/spk_x", "token", "spk_x")
	h := rec.Header()
	if rec.Code != 200 || !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") ||
		!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("speaker page: %d CSP %q", rec.Code, h.Get("Content-Security-Policy"))
	}
	if h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("speaker page: Cache-Control %q, Referrer-Policy %q", h.Get("Cache-Control"), h.Get("Referrer-Policy"))
	}

	rec = serve(t, p.asset, "/assets/viewer.js", "file", "viewer.js")
	if rec.Code != 200 || rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("asset: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	for _, bad := range []string{"../viewer.html", "nested/", "missing.js", ""} {
		if rec := serve(t, p.asset, "/assets/"+bad, "file", bad); rec.Code != http.StatusNotFound {
			t.Errorf("asset %q: %d, want 404", bad, rec.Code)
		}
	}

	rec = serve(t, p.flag, "/flags/ua.svg", "file", "ua.svg")
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), "image/svg+xml") ||
		!strings.HasPrefix(rec.Header().Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("flag: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Security-Policy"))
	}
	for _, bad := range []string{"UA.svg", "ukr.svg", "ua.png", "..svg", "zz.svg"} {
		if rec := serve(t, p.flag, "/flags/"+bad, "file", bad); rec.Code != http.StatusNotFound {
			t.Errorf("flag %q: %d, want 404", bad, rec.Code)
		}
	}
}

// The viewer's shell embeds the agenda so that nothing in it can close the
// <script> element, and renders the title and running order as escaped text.
func TestViewerShellEscapes(t *testing.T) {
	p := newPages(fakeDist(), true)
	agendaJSON, _ := json.Marshal(map[string]any{
		"event": map[string]any{
			"title": `</script><script>alert(1)</script>`, "description": "<b>bold</b>\nsecond line",
			"starts_at": "2026-03-01T12:00:00Z", "timezone": "Europe/Kyiv", "stream_url": "https://stream.example.org",
		},
		"stages":   []any{map[string]any{"id": "st1", "name": "Main"}},
		"slots":    []any{map[string]any{"stage_id": "st1", "title": "<img src=x onerror=alert(2)>", "planned_start": "2026-03-01T12:00:00Z", "speakers": []any{map[string]any{"speaker_id": "sp1"}}}},
		"speakers": []any{map[string]any{"id": "sp1", "name": "Вера С."}},
	})
	out, err := p.viewerHTML(agendaJSON)
	if err != nil {
		t.Fatal(err)
	}
	page := string(out)
	if strings.Count(page, "</script>") != 2 { // the agenda's and the module's
		t.Errorf("the embedded agenda closes its <script>:\n%s", page)
	}
	for _, want := range []string{
		`<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; · Tribune</title>`,
		`&lt;img src=x onerror=alert(2)&gt;`, "14:00", "Вера С.", `id="agenda"`, `\u003c/script\u003e`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the shell lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "<img src=x") || strings.Contains(page, "<b>bold") {
		t.Errorf("markup from the agenda reached the page as markup:\n%s", page)
	}
	// The embedded JSON still parses to the same agenda.
	start := strings.Index(page, `id="agenda">`) + len(`id="agenda">`)
	end := strings.Index(page[start:], "</script>")
	var back map[string]any
	if err := json.Unmarshal([]byte(page[start:start+end]), &back); err != nil {
		t.Fatalf("embedded agenda: %v", err)
	}
	if back["event"].(map[string]any)["title"] != `</script><script>alert(1)</script>` {
		t.Errorf("embedded title: %v", back["event"])
	}
}
