package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"
)

// /embed.js is a script other sites load: JavaScript, a short cache revalidated
// with its ETag, and nothing that keeps another origin from using it.
func TestEmbedScript(t *testing.T) {
	dist := fakeDist()
	dist["embed.js"] = &fstest.MapFile{Data: []byte(`(function(){console.log("widget")})();`)}
	p := newPages(dist, true)
	get := func(headers ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/embed.js", nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		rec := httptest.NewRecorder()
		if err := p.embedScript(echo.New().NewContext(req, rec)); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	rec := get("Origin", "https://partner.example.net")
	h := rec.Header()
	if rec.Code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/javascript") || !strings.Contains(rec.Body.String(), "widget") {
		t.Fatalf("embed.js: %d %q %q", rec.Code, h.Get("Content-Type"), rec.Body.String())
	}
	if h.Get("Cache-Control") != "public, max-age=300" || h.Get("ETag") == "" {
		t.Errorf("embed.js caching: Cache-Control %q, ETag %q", h.Get("Cache-Control"), h.Get("ETag"))
	}
	if h.Get("Cross-Origin-Resource-Policy") != "cross-origin" || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("embed.js cross-origin headers: CORP %q, ACAO %q", h.Get("Cross-Origin-Resource-Policy"), h.Get("Access-Control-Allow-Origin"))
	}
	if again := get("If-None-Match", h.Get("ETag")); again.Code != http.StatusNotModified {
		t.Errorf("embed.js with its ETag: %d, want 304", again.Code)
	}

	unbuilt := newPages(fstest.MapFS{"PLACEHOLDER": &fstest.MapFile{Data: []byte("x")}}, false)
	if rec := serve(t, unbuilt.embedScript, "/embed.js"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("embed.js without a build: %d, want 503", rec.Code)
	}
}
