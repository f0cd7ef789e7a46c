package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/auth"
	"github.com/tribune-act/tribune/pkg/export"
	"github.com/tribune-act/tribune/pkg/store"
)

// exportRoutes serves the agenda in other formats: the public schedule.ics, .xml and
// .json; CSV exports and imports for organizers; webhooks; and the API's own spec.
func (s *Server) exportRoutes(e *echo.Echo) {
	e.GET("/e/:slug/schedule.ics", s.schedule(scheduleICS), publicCORS)
	e.GET("/e/:slug/schedule.xml", s.schedule(scheduleXML), publicCORS)
	e.GET("/e/:slug/schedule.json", s.schedule(scheduleJSON), publicCORS)

	ev := e.Group("/api/v1/events/:id")
	ev.GET("/export/running-order.csv", s.exportCSV("running-order", export.RunningOrderCSV), s.allow(auth.View))
	ev.GET("/export/speakers.csv", s.exportCSV("speakers", export.SpeakersCSV), s.allow(auth.View))
	ev.GET("/export/organizations.csv", s.exportCSV("organizations", export.OrganizationsCSV), s.allow(auth.View))
	ev.POST("/import/speakers", s.importCSV("speakers", export.ImportSpeakers), s.allow(auth.Edit))
	ev.POST("/import/organizations", s.importCSV("organizations", export.ImportOrganizations), s.allow(auth.Edit))

	ev.GET("/webhooks", s.listWebhooks, s.allow(auth.Edit))
	ev.POST("/webhooks", s.createWebhook, s.allow(auth.Edit))
	ev.GET("/webhooks/:webhookID", s.getWebhook, s.allow(auth.Edit))
	ev.DELETE("/webhooks/:webhookID", s.deleteWebhook, s.allow(auth.Edit))
	ev.GET("/webhooks/:webhookID/deliveries", s.webhookDeliveries, s.allow(auth.Edit))

	s.docsRoutes(e)
}

type scheduleFormat int

const (
	scheduleICS scheduleFormat = iota
	scheduleXML
	scheduleJSON
)

// origin is the public scheme://host: the configured one, or the request's.
func (s *Server) origin(c echo.Context) string {
	if s.cfg.PublicOrigin != "" {
		return strings.TrimRight(s.cfg.PublicOrigin, "/")
	}
	return c.Scheme() + "://" + c.Request().Host
}

// schedule serves a published event's schedule in one format. Each is built from
// the public agenda at one version, so the version is the ETag and the time of
// that version's change is Last-Modified; both answer 304.
func (s *Server) schedule(format scheduleFormat) echo.HandlerFunc {
	return func(c echo.Context) error {
		ev, err := s.publishedEvent(c)
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		modified, err := s.store.ChangeTime(ctx, ev.ID, ev.Version)
		if err != nil {
			return err
		}
		if notModified(c, ev.Version, modified) {
			return c.NoContent(http.StatusNotModified)
		}
		a, err := s.store.Agenda(ctx, ev.ID)
		if err != nil {
			return err
		}
		if a.Event.Version != ev.Version {
			if modified, err = s.store.ChangeTime(ctx, ev.ID, a.Event.Version); err != nil {
				return err
			}
		}
		sched, err := export.NewSchedule(a)
		if err != nil {
			return err
		}
		links := export.Links{Origin: s.origin(c), ScheduleURL: s.origin(c) + c.Request().URL.Path, StreamURL: a.Event.StreamURL}
		var body []byte
		var contentType string
		switch format {
		case scheduleICS:
			contentType = "text/calendar; charset=utf-8"
			body, err = s.calendar(c, sched, links, modified)
		case scheduleXML:
			contentType = "application/xml; charset=utf-8"
			body, err = export.XML(sched, links)
		case scheduleJSON:
			contentType = echo.MIMEApplicationJSON
			body, err = export.JSON(sched, links)
		}
		if err != nil {
			return err
		}
		cacheHeaders(c, a.Event.Version, modified)
		return c.Blob(http.StatusOK, contentType, body)
	}
}

// calendar renders schedule.ics. Each VEVENT's SEQUENCE is the version at which
// what it says last changed, remembered across exports (export.Restamp).
func (s *Server) calendar(c echo.Context, sched *export.Schedule, links export.Links, modified time.Time) ([]byte, error) {
	ctx := c.Request().Context()
	events := export.CalendarEvents(sched, links)
	stored, err := s.store.CalendarStamps(ctx, sched.Event.ID)
	if err != nil {
		return nil, err
	}
	known := make(map[string]export.Stamp, len(stored))
	for uid, st := range stored {
		known[uid] = export.Stamp{Fingerprint: st.Fingerprint, Sequence: st.Sequence, Modified: st.ModifiedAt}
	}
	changed := export.Restamp(events, known, sched.Version, modified)
	save := make([]store.CalendarStamp, 0, len(changed))
	for uid, st := range changed {
		save = append(save, store.CalendarStamp{UID: uid, Fingerprint: st.Fingerprint, Sequence: st.Sequence, ModifiedAt: st.Modified})
	}
	// A stamp not saved would let a later export repeat an older SEQUENCE: fail instead.
	if err := s.store.SaveCalendarStamps(ctx, sched.Event.ID, save); err != nil {
		return nil, err
	}
	return export.Calendar(sched.Event.Title, events), nil
}

// cacheHeaders sets the validators of a representation of the event at version.
func cacheHeaders(c echo.Context, version int64, modified time.Time) {
	h := c.Response().Header()
	h.Set("ETag", etag(version))
	h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	h.Set("Cache-Control", "no-cache")
}

// notModified sets the validators and reports whether the client's copy is
// current: If-None-Match when sent (RFC 9110 §13.2.2), else If-Modified-Since.
func notModified(c echo.Context, version int64, modified time.Time) bool {
	req := c.Request()
	fresh := false
	if inm := req.Header.Get("If-None-Match"); inm != "" {
		tag := etag(version)
		for _, t := range strings.Split(inm, ",") {
			if t = strings.TrimSpace(t); t == "*" || t == tag || t == "W/"+tag {
				fresh = true
			}
		}
	} else if ims, err := http.ParseTime(req.Header.Get("If-Modified-Since")); err == nil {
		fresh = !modified.Truncate(time.Second).After(ims)
	}
	if fresh {
		cacheHeaders(c, version, modified)
	}
	return fresh
}

// exportCSV serves one CSV export of the event for its organizers.
func (s *Server) exportCSV(name string, render func(*agenda.Agenda) []byte) echo.HandlerFunc {
	return func(c echo.Context) error {
		a, err := s.store.Agenda(c.Request().Context(), c.Param("id"))
		if err != nil {
			return err
		}
		h := c.Response().Header()
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.csv"`, a.Event.Slug, name))
		h.Set("ETag", etag(a.Event.Version))
		h.Set("Cache-Control", "private, no-cache")
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", render(a))
	}
}

// importResult is the answer to an import: the report, whether it was applied,
// and the event's version (after the import when it was applied; send it back as
// If-Match with the confirmation to import only if nothing changed since the dry run).
type importResult struct {
	export.ImportReport
	Confirmed bool  `json:"confirmed"`
	Version   int64 `json:"version"`
}

// importProblems is the 422 of a confirmed import whose file has problems.
type importProblems struct {
	Problem
	Report export.ImportReport `json:"report"`
}

var errImportProblems = errors.New("the file has problems")

// importCSV imports speakers or organizations from a CSV body. Without
// ?confirm=true it is a dry run: the report of what would change and of every
// problem, and nothing changes. Confirmed, the whole file is one change, or
// nothing when any row has a problem.
func (s *Server) importCSV(kind string, run func(*agenda.Agenda, []byte, func() string) export.ImportReport) echo.HandlerFunc {
	return func(c echo.Context) error {
		if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" {
			mt, _, _ := mime.ParseMediaType(ct)
			switch mt {
			case "text/csv", "application/csv", "text/plain", "application/vnd.ms-excel", "application/octet-stream":
			default:
				return problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "send the file as text/csv")
			}
		}
		var confirm bool
		switch c.QueryParam("confirm") {
		case "", "false", "0", "no":
		case "true", "1", "yes":
			confirm = true
		default:
			return badRequest("confirm", "must be true (import) or false (dry run)")
		}
		body, err := io.ReadAll(c.Request().Body)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return echo.ErrStatusRequestEntityTooLarge
			}
			var he *echo.HTTPError
			if errors.As(err, &he) {
				return he
			}
			return badRequest("", "unable to read the body: %v", err)
		}
		expected, err := expectedRevision(c, nil)
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		if !confirm {
			a, err := s.store.Agenda(ctx, c.Param("id"))
			if err != nil {
				return err
			}
			work := a.Clone()
			rep := run(&work, body, store.NewID)
			return c.JSON(http.StatusOK, importResult{ImportReport: rep, Version: a.Event.Version})
		}
		var rep export.ImportReport
		var version int64
		after, _, err := s.change(c, kind+".import", func(a *agenda.Agenda) error {
			if err := agenda.CheckRevision(a.Event.Version, expected); err != nil {
				return err
			}
			version = a.Event.Version
			if rep = run(a, body, store.NewID); len(rep.Problems) > 0 {
				return errImportProblems
			}
			return nil
		})
		if errors.Is(err, errImportProblems) {
			p := importProblems{
				Problem: *problem(http.StatusUnprocessableEntity, "import-problems",
					fmt.Sprintf("%d problems in the file; nothing was imported", len(rep.Problems))),
				Report: rep,
			}
			c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
			return c.JSON(http.StatusUnprocessableEntity, p)
		}
		if err != nil {
			return err
		}
		if after != nil {
			version = after.Event.Version
		}
		return c.JSON(http.StatusOK, importResult{ImportReport: rep, Confirmed: true, Version: version})
	}
}
