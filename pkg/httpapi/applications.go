package httpapi

import "github.com/labstack/echo/v4"

// applicationRoutes serve the open call: sign-up, review queue, endorsers.
func (s *Server) applicationRoutes(e *echo.Echo) {}
