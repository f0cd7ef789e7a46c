package httpapi

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tribune-act/tribune/pkg/agenda"
)

func (s *Server) publicEvents(c echo.Context) error {
	events, err := s.store.PublishedEvents(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]agenda.PublicEvent, 0, len(events))
	for _, e := range events {
		a := agenda.Agenda{Event: e}
		out = append(out, a.PublicView().Event.(agenda.PublicEvent))
	}
	return c.JSON(http.StatusOK, out)
}

// publishedEvent finds a published event by slug.
func (s *Server) publishedEvent(c echo.Context) (agenda.Event, error) {
	e, err := s.store.EventBySlug(c.Request().Context(), c.Param("slug"))
	if err == nil && !e.Public() {
		err = agenda.ErrNotFound
	}
	if errors.Is(err, agenda.ErrNotFound) {
		return e, problem(http.StatusNotFound, "not-found", "no published event with this slug")
	}
	return e, err
}

// publicAgenda is the public agenda of DESIGN.md; its ETag is the event's version.
// Its bytes are the ones the feed's snapshot carries at that version.
func (s *Server) publicAgenda(c echo.Context) error {
	body, version, err := s.hub.PublicAgendaBySlug(c.Request().Context(), c.Param("slug"))
	if errors.Is(err, agenda.ErrNotFound) {
		return problem(http.StatusNotFound, "not-found", "no published event with this slug")
	}
	if err != nil {
		return err
	}
	tag := etag(version)
	h := c.Response().Header()
	h.Set("ETag", tag)
	h.Set("Cache-Control", "no-cache")
	if match := c.Request().Header.Get("If-None-Match"); match == tag || match == "W/"+tag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
}
