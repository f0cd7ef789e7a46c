package httpapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/tribune-act/tribune/pkg/agenda"
)

func (s *Server) listEvents(c echo.Context) error {
	events, err := s.store.Events(c.Request().Context(), currentUser(c))
	if err != nil {
		return err
	}
	if events == nil {
		events = []agenda.Event{}
	}
	return c.JSON(http.StatusOK, events)
}

func (s *Server) createEvent(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	f := agenda.EventFields{Status: agenda.StatusDraft, Timezone: "UTC", Languages: []string{}, WakingHours: agenda.DefaultWakingHours}
	if _, err := decodeObject(body, &f); err != nil {
		return err
	}
	a, err := s.store.CreateEvent(c.Request().Context(), currentUser(c).ID, f)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/events/"+a.Event.ID)
	c.Response().Header().Set("ETag", etag(a.Event.Revision))
	return c.JSON(http.StatusCreated, a.Event)
}

func (s *Server) getEvent(c echo.Context) error {
	a, err := s.store.Agenda(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(a.Event.Revision))
	return c.JSON(http.StatusOK, a.Event)
}

func (s *Server) patchEvent(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	a, _, err := s.change(c, "event.update", func(a *agenda.Agenda) error {
		f := a.Event.EventFields
		rest, err := decodeObject(body, &f, "revision")
		if err != nil {
			return err
		}
		if err := s.checkRevision(c, rest, a.Event, a.Event.Revision); err != nil {
			return err
		}
		return a.UpdateEvent(f)
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(a.Event.Revision))
	return c.JSON(http.StatusOK, a.Event)
}

func (s *Server) deleteEvent(c echo.Context) error {
	expected, err := expectedRevision(c, nil)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.store.DeleteEvent(ctx, c.Param("id"), expected); errors.Is(err, agenda.ErrStale) {
		a, lerr := s.store.Agenda(ctx, c.Param("id"))
		if lerr != nil {
			return lerr
		}
		return &staleError{current: a.Event, err: err}
	} else if err != nil {
		return err
	}
	s.hub.Close(c.Param("id"))
	return c.NoContent(http.StatusNoContent)
}

// organizerAgenda is the whole agenda with private fields, for the console.
func (s *Server) organizerAgenda(c echo.Context) error {
	a, err := s.store.Agenda(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(a.Event.Version))
	return c.JSON(http.StatusOK, a.OrganizerView())
}

func (s *Server) warnings(c echo.Context) error {
	a, err := s.store.Agenda(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	w := a.Warnings(s.now())
	if w == nil {
		w = []agenda.Warning{}
	}
	return c.JSON(http.StatusOK, map[string]any{"version": a.Event.Version, "warnings": w})
}

func (s *Server) balance(c echo.Context) error {
	a, err := s.store.Agenda(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"version": a.Event.Version, "balance": a.Balance()})
}

// changes is the event's history: every change after ?since=N, oldest first.
func (s *Server) changes(c echo.Context) error {
	since, err := intParam(c, "since", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	limit, err := intParam(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	list, err := s.store.Changes(c.Request().Context(), c.Param("id"), since, int(limit))
	if err != nil {
		return err
	}
	type entry struct {
		Version int64        `json:"version"`
		At      string       `json:"at"`
		Actor   string       `json:"actor"`
		Summary string       `json:"summary"`
		Delta   agenda.Delta `json:"delta"`
	}
	out := make([]entry, len(list))
	for i, ch := range list {
		out[i] = entry{Version: ch.Version, At: ch.At.Format("2006-01-02T15:04:05Z07:00"), Actor: ch.Actor, Summary: ch.Summary, Delta: ch.Private}
	}
	return c.JSON(http.StatusOK, map[string]any{"changes": out})
}

func intParam(c echo.Context, name string, def, min, max int64) (int64, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return def, nil
	}
	v, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || v < min || v > max {
		return 0, badRequest(name, "must be a whole number from %d to %d", min, max)
	}
	return v, nil
}

func (s *Server) moveSlot(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var req struct {
		StageID  string `json:"stage_id"`
		Position *int   `json:"position"`
	}
	rest, err := decodeObject(body, &req, "revision")
	if err != nil {
		return err
	}
	if req.StageID == "" {
		return badRequest("stage_id", "is required")
	}
	if req.Position == nil {
		return badRequest("position", "is required")
	}
	id := c.Param("objectID")
	a, _, err := s.change(c, "slot.move", func(a *agenda.Agenda) error {
		cur, err := a.Slot(id)
		if err != nil {
			return err
		}
		if err := s.checkRevision(c, rest, *cur, cur.Revision); err != nil {
			return err
		}
		return a.MoveSlot(id, req.StageID, *req.Position)
	})
	if err != nil {
		return err
	}
	return slots.respond(c, http.StatusOK, a, id)
}

func (s *Server) setSlotSpeakers(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var list []agenda.SpeakerAssignment
	if err := decodeValue("", body, &list); err != nil {
		return err
	}
	if list == nil {
		return badRequest("", "the body must be a JSON array of {\"speaker_id\", \"role\"}")
	}
	id := c.Param("objectID")
	a, _, err := s.change(c, "slot.speakers", func(a *agenda.Agenda) error {
		cur, err := a.Slot(id)
		if err != nil {
			return err
		}
		if err := s.checkRevision(c, nil, *cur, cur.Revision); err != nil {
			return err
		}
		return a.SetSlotSpeakers(id, list)
	})
	if err != nil {
		return err
	}
	return slots.respond(c, http.StatusOK, a, id)
}
