package httpapi

import (
	"github.com/labstack/echo/v4"
	"github.com/tribune-act/tribune/pkg/auth"
)

// routes registers every route, grouped, with the permission named at the route.
func (s *Server) routes(e *echo.Echo) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics())

	pub := e.Group("/api/v1/public")
	pub.GET("/events", s.publicEvents)
	pub.GET("/events/:slug", s.publicAgenda)
	pub.GET("/events/:slug/live", s.publicFeed)

	// Authentication is per route, not on the group, so that an unknown path is 404, not 401.
	api := e.Group("/api/v1")
	api.GET("/events", s.listEvents, s.authenticate)
	api.POST("/events", s.createEvent, s.authenticate)

	ev := api.Group("/events/:id")
	ev.GET("", s.getEvent, s.allow(auth.View))
	ev.PATCH("", s.patchEvent, s.allow(auth.Edit))
	ev.DELETE("", s.deleteEvent, s.allow(auth.Own))
	ev.GET("/agenda", s.organizerAgenda, s.allow(auth.View))
	ev.GET("/warnings", s.warnings, s.allow(auth.View))
	ev.GET("/balance", s.balance, s.allow(auth.View))
	ev.GET("/changes", s.changes, s.allow(auth.View))
	ev.GET("/live", s.organizerFeed, s.allow(auth.View))
	ev.POST("/live/message", s.stageMessage, s.allow(auth.RunLive))
	ev.POST("/live/:action", s.liveAction, s.allow(auth.RunLive))

	registerCollection(s, ev, "/stages", stages)
	registerCollection(s, ev, "/slots", slots)
	registerCollection(s, ev, "/speakers", speakers)
	registerCollection(s, ev, "/organizations", organizations)
	ev.POST("/slots/:objectID/move", s.moveSlot, s.allow(auth.Edit))
	ev.PUT("/slots/:objectID/speakers", s.setSlotSpeakers, s.allow(auth.Edit))

	ev.GET("/members", s.listMembers, s.allow(auth.Own))
	ev.POST("/members", s.addMember, s.allow(auth.Own))
	ev.DELETE("/members/:userID", s.removeMember, s.allow(auth.Own))
}

// registerCollection gives one kind of agenda object its five routes: list and
// read for every member; create, edit and delete for editors.
func registerCollection[T, F any](s *Server, g *echo.Group, path string, col collection[T, F]) {
	h := collectionHandlers[T, F]{s: s, col: col}
	g.GET(path, h.list, s.allow(auth.View))
	g.POST(path, h.create, s.allow(auth.Edit))
	g.GET(path+"/:objectID", h.get, s.allow(auth.View))
	g.PATCH(path+"/:objectID", h.patch, s.allow(auth.Edit))
	g.DELETE(path+"/:objectID", h.delete, s.allow(auth.Edit))
}
