package httpapi

import "github.com/labstack/echo/v4"

// exportRoutes serves the agenda in other formats: schedule.ics, .xml, .json, CSV.
func (s *Server) exportRoutes(e *echo.Echo) {}
