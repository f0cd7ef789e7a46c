package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/tribune-act/tribune/frontend"
	"github.com/tribune-act/tribune/pkg/agenda"
)

// pageCSP allows only the page's own scripts, styles and connections; images
// may come from https (speakers' photos). The viewer and the overlay may be
// framed (partners' sites, broadcast tools); the speaker page and console not.
const (
	pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; " +
		"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
	noFraming = "; frame-ancestors 'none'"
)

// pages serves the embedded web UI.
type pages struct {
	dist  fs.FS
	built bool
	// shells are the HTML entry points, read once.
	shells map[string][]byte
	// build identifies the build, for the viewer page's ETag.
	build string
	// embed is the widget's script, /embed.js, and embedTag its ETag; nil before a build.
	embed    []byte
	embedTag string
}

func newPages(dist fs.FS, built bool) *pages {
	p := &pages{dist: dist, built: built, shells: map[string][]byte{}}
	h := sha256.New()
	for _, name := range []string{"viewer", "overlay", "speaker", "admin", "join"} {
		b, err := fs.ReadFile(dist, name+".html")
		if err != nil {
			p.built = false
			continue
		}
		p.shells[name] = b
		h.Write(b)
	}
	p.build = hex.EncodeToString(h.Sum(nil))[:12]
	if b, err := fs.ReadFile(dist, "embed.js"); err == nil && p.built {
		sum := sha256.Sum256(b)
		p.embed, p.embedTag = b, `"`+hex.EncodeToString(sum[:])[:16]+`"`
	}
	return p
}

// pageRoutes serves the web UI: /e/{slug}, /e/{slug}/overlay, /e/{slug}/join, /s/{token}, /admin/,
// and the built assets. Without a frontend build every page answers 503.
func (s *Server) pageRoutes(e *echo.Echo) {
	p := newPages(frontend.Dist(), frontend.Built())
	gz := middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 512})
	e.GET("/assets/:file", p.asset, gz)
	e.GET("/flags/:file", p.flag, gz)
	e.GET("/embed.js", p.embedScript, gz)
	e.GET("/e/:slug", s.viewerPage(p), gz)
	e.GET("/e/:slug/overlay", s.overlayPage(p), gz)
	e.GET("/e/:slug/join", s.joinPage(p), gz)
	e.GET("/s/:token", p.speakerPage, gz)
	e.GET("/admin", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/admin/") })
	e.GET("/admin/", p.adminPage, gz)
	// The console's own paths, so that a reload or a shared link opens the same view.
	e.GET("/admin/e/:id", p.adminPage, gz)
	e.GET("/admin/e/:id/:tab", p.adminPage, gz)
}

// asset serves a content-hashed file of the build: it never changes, so it is cached for a year.
func (p *pages) asset(c echo.Context) error {
	name := "assets/" + c.Param("file")
	if !p.built || !fs.ValidPath(name) || strings.Contains(c.Param("file"), "/") {
		return problem(http.StatusNotFound, "not-found", "no such file")
	}
	if _, err := fs.Stat(p.dist, name); err != nil {
		return problem(http.StatusNotFound, "not-found", "no such file")
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeFileFS(c.Response(), c.Request(), p.dist, name)
	return nil
}

// flag serves one country's SVG flag, /flags/{cc}.svg.
func (p *pages) flag(c echo.Context) error {
	file := c.Param("file")
	cc, ok := strings.CutSuffix(file, ".svg")
	if !p.built || !ok || len(cc) != 2 || strings.ToLower(cc) != cc {
		return problem(http.StatusNotFound, "not-found", "no flag for this code; use /flags/{cc}.svg with a lower-case ISO 3166 code")
	}
	if _, err := fs.Stat(p.dist, "flags/"+file); err != nil {
		return problem(http.StatusNotFound, "not-found", "no flag for this code")
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=604800")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin") // the widget shows flags on partners' pages
	// An SVG opened on its own is a document: it may not run scripts.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	http.ServeFileFS(c.Response(), c.Request(), p.dist, "flags/"+file)
	return nil
}

// embedScript serves /embed.js, the widget partners put on their own sites
// (frontend/src/embed). Its address has no content hash, so it is cached for five
// minutes and then revalidated with its ETag. Other origins load it: it may be
// fetched in CORS mode (crossorigin, integrity) and by pages that require CORP.
// The CSP that secureHeaders sets applies to documents only, not to a script.
func (p *pages) embedScript(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	if p.embed == nil {
		h.Set("Cache-Control", "no-store")
		return problem(http.StatusServiceUnavailable, "not-built", "the web UI is not built; run make build")
	}
	h.Set(echo.HeaderContentType, "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("ETag", p.embedTag)
	http.ServeContent(c.Response(), c.Request(), "embed.js", time.Time{}, bytes.NewReader(p.embed))
	return nil
}

// html answers a page with the headers every page gets.
func (p *pages) html(c echo.Context, status int, body []byte, csp, cache string) error {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", cache)
	if !strings.Contains(csp, "frame-ancestors") {
		h.Del("X-Frame-Options") // the viewer and the overlay may be framed
	}
	return c.HTMLBlob(status, body)
}

// unbuilt is the answer of every page before `make build`.
func (p *pages) unbuilt(c echo.Context) error {
	body := []byte(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Tribune: web UI not built</title>` +
		`<h1>The web UI is not built</h1><p>This binary was compiled without the web UI. Run <code>make build</code> ` +
		`(it runs <code>npm ci &amp;&amp; npm run build</code> in <code>frontend/</code> before <code>go build</code>).</p>` +
		`<p>The API under <code>/api/v1/</code> works without it.</p></html>`)
	return p.html(c, http.StatusServiceUnavailable, body, "default-src 'none'", "no-store")
}

func (p *pages) notFound(c echo.Context, what string) error {
	body := []byte(`<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
		`<title>Not found · Tribune</title><h1>Not found</h1><p>` + template.HTMLEscapeString(what) + `</p></html>`)
	return p.html(c, http.StatusNotFound, body, "default-src 'none'", "no-cache")
}

// publicEvent finds the published event of the :slug parameter, or nothing.
func (s *Server) publicEvent(c echo.Context) (agenda.Event, bool, error) {
	e, err := s.store.EventBySlug(c.Request().Context(), c.Param("slug"))
	if errors.Is(err, agenda.ErrNotFound) || (err == nil && !e.Public()) {
		return e, false, nil
	}
	return e, err == nil, err
}

// viewerPage is /e/{slug}: the viewer's shell with the event's title, the public
// agenda embedded as JSON (so the first paint needs no second request), and a
// running order for browsers without JavaScript.
func (s *Server) viewerPage(p *pages) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !p.built {
			return p.unbuilt(c)
		}
		e, ok, err := s.publicEvent(c)
		if err != nil {
			return err
		}
		if !ok {
			return p.notFound(c, "There is no published act at this address.")
		}
		body, version, err := s.hub.PublicAgenda(c.Request().Context(), e.ID)
		if err != nil {
			return err
		}
		tag := `W/"` + strconv.FormatInt(version, 10) + "-" + p.build + `"`
		c.Response().Header().Set("ETag", tag)
		if c.Request().Header.Get("If-None-Match") == tag {
			c.Response().Header().Set("Cache-Control", "no-cache")
			return c.NoContent(http.StatusNotModified)
		}
		page, err := p.viewerHTML(body)
		if err != nil {
			return err
		}
		return p.html(c, http.StatusOK, page, pageCSP, "no-cache")
	}
}

// shellAgenda is the part of the public agenda the server-rendered shell shows.
type shellAgenda struct {
	Event struct {
		Title       string    `json:"title"`
		Description string    `json:"description"`
		StartsAt    time.Time `json:"starts_at"`
		Timezone    string    `json:"timezone"`
		StreamURL   string    `json:"stream_url"`
	} `json:"event"`
	Stages []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"stages"`
	Slots []struct {
		StageID      string    `json:"stage_id"`
		Title        string    `json:"title"`
		PlannedStart time.Time `json:"planned_start"`
		Speakers     []struct {
			SpeakerID string `json:"speaker_id"`
		} `json:"speakers"`
	} `json:"slots"`
	Speakers []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"speakers"`
}

type shellSlot struct {
	Time, Title, People string
}

type shellStage struct {
	Name  string
	Slots []shellSlot
}

var shellTemplate = template.Must(template.New("shell").Parse(`<div id="shell"><header class="top"><div class="wrap">` +
	`<h1>{{.Title}}</h1><p class="when">{{.When}}</p></div></header>` +
	`<noscript><main class="wrap"><p>{{.Description}}</p>` +
	`{{if .Stream}}<p><a href="{{.Stream}}">Watch the stream</a></p>{{end}}` +
	`<h2>Running order</h2><p>Planned times, in {{.Zone}}.</p>` +
	`{{range .Stages}}<h3>{{.Name}}</h3><ol>{{range .Slots}}<li><strong>{{.Time}}</strong> {{.Title}}{{if .People}} — {{.People}}{{end}}</li>{{end}}</ol>{{end}}` +
	`</main></noscript></div>`))

// viewerHTML fills the viewer's shell for one public agenda (JSON).
func (p *pages) viewerHTML(agendaJSON []byte) ([]byte, error) {
	var a shellAgenda
	if err := json.Unmarshal(agendaJSON, &a); err != nil {
		return nil, err
	}
	loc, err := agenda.LoadLocation(a.Event.Timezone)
	if err != nil {
		loc = time.UTC
	}
	names := map[string]string{}
	for _, sp := range a.Speakers {
		names[sp.ID] = sp.Name
	}
	data := struct {
		Title, When, Description, Zone string
		Stream                         string
		Stages                         []shellStage
	}{
		Title: a.Event.Title, Description: a.Event.Description, Zone: loc.String(), Stream: a.Event.StreamURL,
		When: a.Event.StartsAt.In(loc).Format("Mon 2 January 2006, 15:04 MST"),
	}
	for _, st := range a.Stages {
		stage := shellStage{Name: st.Name}
		for _, sl := range a.Slots {
			if sl.StageID != st.ID {
				continue
			}
			var people []string
			for _, sp := range sl.Speakers {
				if n, ok := names[sp.SpeakerID]; ok {
					people = append(people, n)
				}
			}
			stage.Slots = append(stage.Slots, shellSlot{
				Time: sl.PlannedStart.In(loc).Format("15:04"), Title: sl.Title, People: strings.Join(people, ", "),
			})
		}
		data.Stages = append(data.Stages, stage)
	}
	var shell bytes.Buffer
	if err := shellTemplate.Execute(&shell, data); err != nil {
		return nil, err
	}
	head := `<meta name="description" content="` + template.HTMLEscapeString(firstLine(a.Event.Description)) + `">` +
		`<script type="application/json" id="agenda">` + string(scriptSafe(agendaJSON)) + `</script>`
	out := p.shells["viewer"]
	out = bytes.Replace(out, []byte("<title>Tribune</title>"), []byte("<title>"+template.HTMLEscapeString(a.Event.Title)+" · Tribune</title>"), 1)
	out = bytes.Replace(out, []byte("<!--tribune:head-->"), []byte(head), 1)
	out = bytes.Replace(out, []byte("<!--tribune:shell-->"), shell.Bytes(), 1)
	return out, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

// scriptSafe escapes JSON so that it cannot end the <script> element it sits in.
func scriptSafe(b []byte) []byte {
	r := strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`, "\u2028", `\u2028`, "\u2029", `\u2029`)
	return []byte(r.Replace(string(b)))
}

// overlayPage is /e/{slug}/overlay, the broadcast's browser source.
func (s *Server) overlayPage(p *pages) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !p.built {
			return p.unbuilt(c)
		}
		if _, ok, err := s.publicEvent(c); err != nil || !ok {
			if err != nil {
				return err
			}
			return p.notFound(c, "There is no published act at this address.")
		}
		return p.html(c, http.StatusOK, p.shells["overlay"], pageCSP, "no-cache")
	}
}

// joinPage is /e/{slug}/join, the open call's sign-up form. It may carry a
// confirmation token (?confirm=), so it is never cached, never sends its URL as
// a referrer and is not framed (a framed form could be clickjacked).
func (s *Server) joinPage(p *pages) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !p.built {
			return p.unbuilt(c)
		}
		if _, ok, err := s.publicEvent(c); err != nil || !ok {
			if err != nil {
				return err
			}
			return p.notFound(c, "There is no published act at this address.")
		}
		c.Response().Header().Set("Referrer-Policy", "no-referrer")
		return p.html(c, http.StatusOK, p.shells["join"], pageCSP+noFraming, "no-store")
	}
}

// speakerPage is /s/{token}. The token is checked by the API the page calls; the
// page itself is never cached and never sends the URL (with its token) as a referrer.
func (p *pages) speakerPage(c echo.Context) error {
	if !p.built {
		return p.unbuilt(c)
	}
	h := c.Response().Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
	return p.html(c, http.StatusOK, p.shells["speaker"], pageCSP+noFraming, "no-store")
}

// adminPage is the organizer console, a single-page app under /admin/.
func (p *pages) adminPage(c echo.Context) error {
	if !p.built {
		return p.unbuilt(c)
	}
	c.Response().Header().Set("X-Robots-Tag", "noindex")
	return p.html(c, http.StatusOK, p.shells["admin"], pageCSP+noFraming, "no-cache")
}
