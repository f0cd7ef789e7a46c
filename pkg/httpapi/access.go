package httpapi

import (
	"errors"
	"github.com/gorilla/websocket"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/auth"
	"github.com/tribune-act/tribune/pkg/store"
)

const userKey = "tribune.user"

// bearerToken is the token a request carries: Authorization: Bearer <token>, or
// for a websocket opened by a browser (which cannot set that header) the
// subprotocol that starts with prefix: new WebSocket(url, ["tribune", token]).
func bearerToken(r *http.Request, prefix string) string {
	if token, ok := strings.CutPrefix(r.Header.Get(echo.HeaderAuthorization), "Bearer "); ok {
		return token
	}
	for _, p := range websocket.Subprotocols(r) {
		if strings.HasPrefix(p, prefix) {
			return p
		}
	}
	return ""
}

// authenticate requires an organizer: a personal API token (Authorization:
// Bearer <token>), or the browser's session cookie with its CSRF token on unsafe methods.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token := bearerToken(c.Request(), auth.APITokenPrefix)
		if token == "" {
			if _, err := c.Cookie(SessionCookie); err == nil {
				sess, u, err := s.cookieSession(c)
				if err != nil {
					return err
				}
				if err := checkCSRF(c, sess); err != nil {
					return err
				}
				c.Set(userKey, u)
				return next(c)
			}
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="tribune"`)
			return problem(http.StatusUnauthorized, "unauthorized", "log in, or send Authorization: Bearer <token> with a personal API token (tribune token create)")
		}
		u, err := s.store.UserByTokenHash(c.Request().Context(), auth.HashToken(token))
		if errors.Is(err, agenda.ErrNotFound) {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="tribune", error="invalid_token"`)
			return problem(http.StatusUnauthorized, "unauthorized", "the token is not valid")
		}
		if err != nil {
			return err
		}
		c.Set(userKey, u)
		return next(c)
	}
}

func currentUser(c echo.Context) store.User {
	u, _ := c.Get(userKey).(store.User)
	return u
}

// allow authenticates the user and requires that they may do act in the event
// named by the :id parameter. A user with no role in an existing event gets 403;
// a missing event is 404.
func (s *Server) allow(act auth.Action) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return s.authenticate(func(c echo.Context) error {
			u := currentUser(c)
			ctx := c.Request().Context()
			role, err := s.store.Role(ctx, c.Param("id"), u.ID)
			if err != nil && !errors.Is(err, agenda.ErrNotFound) {
				return err
			}
			if auth.Allows(role, u.Admin, act) {
				if role == "" {
					// An admin still gets 404 for an event that does not exist.
					if _, err := s.store.Agenda(ctx, c.Param("id")); err != nil {
						return err
					}
				}
				return next(c)
			}
			if role == "" {
				if _, err := s.store.Agenda(ctx, c.Param("id")); err != nil {
					return err
				}
			}
			return problem(http.StatusForbidden, "forbidden", "you may not "+act.String()+" this event")
		})
	}
}

// change commits one edit of the event named by :id, made by the current user.
func (s *Server) change(c echo.Context, summary string, edit store.Edit) (*agenda.Agenda, *agenda.Change, error) {
	a, ch, err := s.store.Change(c.Request().Context(), c.Param("id"), currentUser(c).Email, summary, edit)
	if err != nil {
		return nil, nil, err
	}
	return a, ch, nil
}
