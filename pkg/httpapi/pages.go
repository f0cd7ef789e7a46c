package httpapi

import "github.com/labstack/echo/v4"

// pageRoutes serves the web UI: /e/{slug}, /e/{slug}/overlay, /s/{token}, /admin/.
func (s *Server) pageRoutes(e *echo.Echo) {}
