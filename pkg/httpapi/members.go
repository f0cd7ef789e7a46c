package httpapi

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tribune-act/tribune/pkg/agenda"
)

func (s *Server) listMembers(c echo.Context) error {
	members, err := s.store.Members(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, members)
}

// addMember gives an existing user a role in the event (or changes their role).
func (s *Server) addMember(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var req struct {
		Email string            `json:"email"`
		Role  agenda.MemberRole `json:"role"`
	}
	if _, err := decodeObject(body, &req); err != nil {
		return err
	}
	if !agenda.ValidMemberRole(req.Role) {
		return badRequest("role", "must be one of owner, editor, stage")
	}
	ctx := c.Request().Context()
	u, err := s.store.UserByEmail(ctx, req.Email)
	if errors.Is(err, agenda.ErrNotFound) {
		return badRequest("email", "no user with this e-mail; create one with `tribune user create`")
	}
	if err != nil {
		return err
	}
	created, err := s.store.SetMember(ctx, c.Param("id"), u.ID, req.Role)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, agenda.Member{EventID: c.Param("id"), UserID: u.ID, Email: u.Email, Role: req.Role})
}

func (s *Server) removeMember(c echo.Context) error {
	if err := s.store.RemoveMember(c.Request().Context(), c.Param("id"), c.Param("userID")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
