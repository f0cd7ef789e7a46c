// Package httpapi serves Tribune over HTTP with echo: the organizer API, the
// public API, the error mapping and the middleware. Handlers stay thin: decode,
// authorize, call the store, encode.
package httpapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/tribune-act/tribune/pkg/store"
)

// MaxBodyBytes is the largest request body accepted.
const MaxBodyBytes = 1 << 20

// Server holds what the handlers need.
type Server struct {
	store *store.Store
	log   *slog.Logger
	now   func() time.Time
}

// New returns the HTTP handler of Tribune.
func New(st *store.Store, log *slog.Logger) *echo.Echo {
	s := &Server{store: st, log: log, now: func() time.Time { return time.Now().UTC() }}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(log)
	// The client address is the connection's: X-Forwarded-For is trusted only
	// when a trusted proxy is configured (not yet), unlike echo's default.
	e.IPExtractor = echo.ExtractIPDirect()
	e.Use(middleware.Recover())
	e.Use(middleware.BodyLimit("1M"))
	e.Use(s.accessLog)
	s.routes(e)
	return e
}

func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			status = toProblem(err).Status
		}
		s.log.Debug("http", "method", c.Request().Method, "path", c.Path(), "status", status, "ms", time.Since(start).Milliseconds())
		return err
	}
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(c echo.Context) error {
	if err := s.store.Ping(c.Request().Context()); err != nil {
		return problem(http.StatusServiceUnavailable, "not-ready", "the database is unreachable")
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
