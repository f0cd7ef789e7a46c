package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/store"
)

// collection describes one kind of agenda object (T) and its editable fields (F),
// so stages, slots, speakers and organizations share one set of handlers.
type collection[T, F any] struct {
	name     string
	list     func(a *agenda.Agenda) []T
	find     func(a *agenda.Agenda, id string) (*T, error)
	fields   func(t *T) F
	revision func(t *T) int64
	// defaults are the fields of a new object before the request body applies.
	defaults F
	// placement lists what a new object's place in a running order may be given by:
	// "position", and "stage_id" for slots.
	placement []string
	create    func(a *agenda.Agenda, id string, at placement, f F) error
	update    func(a *agenda.Agenda, id string, f F) error
	remove    func(a *agenda.Agenda, id string) error
}

// placement is where a new object goes in a running order.
type placement struct {
	StageID  string
	Position *int
}

var stages = collection[agenda.Stage, agenda.StageFields]{
	name:      "stage",
	list:      func(a *agenda.Agenda) []agenda.Stage { return a.Stages },
	find:      (*agenda.Agenda).Stage,
	fields:    func(t *agenda.Stage) agenda.StageFields { return t.StageFields },
	revision:  func(t *agenda.Stage) int64 { return t.Revision },
	placement: []string{"position"},
	create: func(a *agenda.Agenda, id string, at placement, f agenda.StageFields) error {
		return a.AddStage(id, f, at.Position)
	},
	update: (*agenda.Agenda).UpdateStage,
	remove: (*agenda.Agenda).DeleteStage,
}

var slots = collection[agenda.Slot, agenda.SlotFields]{
	name:      "slot",
	list:      func(a *agenda.Agenda) []agenda.Slot { return a.Slots },
	find:      (*agenda.Agenda).Slot,
	fields:    func(t *agenda.Slot) agenda.SlotFields { return t.SlotFields },
	revision:  func(t *agenda.Slot) int64 { return t.Revision },
	defaults:  agenda.SlotFields{Kind: agenda.KindSpeech, Interpretation: []agenda.Interpretation{}},
	placement: []string{"stage_id", "position"},
	create: func(a *agenda.Agenda, id string, at placement, f agenda.SlotFields) error {
		return a.AddSlot(id, at.StageID, at.Position, f)
	},
	update: (*agenda.Agenda).UpdateSlot,
	remove: (*agenda.Agenda).DeleteSlot,
}

var speakers = collection[agenda.Speaker, agenda.SpeakerFields]{
	name:     "speaker",
	list:     func(a *agenda.Agenda) []agenda.Speaker { return a.Speakers },
	find:     (*agenda.Agenda).Speaker,
	fields:   func(t *agenda.Speaker) agenda.SpeakerFields { return t.SpeakerFields },
	revision: func(t *agenda.Speaker) int64 { return t.Revision },
	defaults: agenda.SpeakerFields{Languages: []string{}},
	create: func(a *agenda.Agenda, id string, _ placement, f agenda.SpeakerFields) error {
		return a.AddSpeaker(id, f)
	},
	update: (*agenda.Agenda).UpdateSpeaker,
	remove: (*agenda.Agenda).DeleteSpeaker,
}

var organizations = collection[agenda.Organization, agenda.OrganizationFields]{
	name:     "organization",
	list:     func(a *agenda.Agenda) []agenda.Organization { return a.Organizations },
	find:     (*agenda.Agenda).Organization,
	fields:   func(t *agenda.Organization) agenda.OrganizationFields { return t.OrganizationFields },
	revision: func(t *agenda.Organization) int64 { return t.Revision },
	defaults: agenda.OrganizationFields{Kind: agenda.OrgOther},
	create: func(a *agenda.Agenda, id string, _ placement, f agenda.OrganizationFields) error {
		return a.AddOrganization(id, f)
	},
	update: (*agenda.Agenda).UpdateOrganization,
	remove: (*agenda.Agenda).DeleteOrganization,
}

type collectionHandlers[T, F any] struct {
	s   *Server
	col collection[T, F]
}

func (h collectionHandlers[T, F]) list(c echo.Context) error {
	a, err := h.s.store.Agenda(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	items := h.col.list(a)
	if items == nil {
		items = []T{}
	}
	return c.JSON(http.StatusOK, items)
}

func (h collectionHandlers[T, F]) get(c echo.Context) error {
	a, err := h.s.store.Agenda(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return h.col.respond(c, http.StatusOK, a, c.Param("objectID"))
}

// respond answers with the object id as it is in a, with its ETag.
func (col collection[T, F]) respond(c echo.Context, status int, a *agenda.Agenda, id string) error {
	obj, err := col.find(a, id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(col.revision(obj)))
	return c.JSON(status, obj)
}

func (h collectionHandlers[T, F]) create(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	f := h.col.defaults
	rest, err := decodeObject(body, &f, h.col.placement...)
	if err != nil {
		return err
	}
	var at placement
	if raw, ok := rest["stage_id"]; ok {
		if err := decodeValue("stage_id", raw, &at.StageID); err != nil {
			return err
		}
	}
	if raw, ok := rest["position"]; ok {
		if err := decodeValue("position", raw, &at.Position); err != nil {
			return err
		}
	}
	id := store.NewID()
	a, _, err := h.s.change(c, h.col.name+".create", func(a *agenda.Agenda) error {
		return h.col.create(a, id, at, f)
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", c.Request().URL.Path+"/"+id)
	return h.col.respond(c, http.StatusCreated, a, id)
}

func (h collectionHandlers[T, F]) patch(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	id := c.Param("objectID")
	a, _, err := h.s.change(c, h.col.name+".update", func(a *agenda.Agenda) error {
		cur, err := h.col.find(a, id)
		if err != nil {
			return err
		}
		f := h.col.fields(cur)
		rest, err := decodeObject(body, &f, "revision")
		if err != nil {
			return err
		}
		if err := h.s.checkRevision(c, rest, *cur, h.col.revision(cur)); err != nil {
			return err
		}
		return h.col.update(a, id, f)
	})
	if err != nil {
		return err
	}
	return h.col.respond(c, http.StatusOK, a, id)
}

func (h collectionHandlers[T, F]) delete(c echo.Context) error {
	id := c.Param("objectID")
	_, _, err := h.s.change(c, h.col.name+".delete", func(a *agenda.Agenda) error {
		cur, err := h.col.find(a, id)
		if err != nil {
			return err
		}
		if err := h.s.checkRevision(c, nil, *cur, h.col.revision(cur)); err != nil {
			return err
		}
		return h.col.remove(a, id)
	})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// checkRevision refuses an edit based on a stale revision, carrying the current object.
func (s *Server) checkRevision(c echo.Context, extra map[string]json.RawMessage, current any, revision int64) error {
	expected, err := expectedRevision(c, extra)
	if err != nil {
		return err
	}
	if err := agenda.CheckRevision(revision, expected); err != nil {
		return &staleError{current: current, err: err}
	}
	return nil
}
