package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/auth"
	"golang.org/x/time/rate"
)

// routes registers every route, grouped, with the permission named at the route.
func (s *Server) routes(e *echo.Echo) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics())

	// Public reads may come from scripts on any site (the widget on partners' pages): cors.go.
	pub := e.Group("/api/v1/public")
	pub.GET("/events", s.publicEvents, publicCORS)
	pub.GET("/events/:slug", s.publicAgenda, publicCORS)
	pub.GET("/events/:slug/live", s.publicFeed, publicCORS)
	pub.OPTIONS("/events", publicPreflight)
	pub.OPTIONS("/events/:slug", publicPreflight)

	// Authentication is per route, not on the group, so that an unknown path is 404, not 401.
	api := e.Group("/api/v1")
	api.POST("/session", s.login, s.perAddress(1, 10))
	api.GET("/session", s.getSession)
	api.DELETE("/session", s.logout)
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

	ev.POST("/speakers/:objectID/invitation", s.invite, s.allow(auth.Edit))
	ev.DELETE("/speakers/:objectID/invitation", s.revokeInvitation, s.allow(auth.Edit))

	ev.GET("/members", s.listMembers, s.allow(auth.Own))
	ev.POST("/members", s.addMember, s.allow(auth.Own))
	ev.DELETE("/members/:userID", s.removeMember, s.allow(auth.Own))

	s.speakerRoutes(e)
	s.exportRoutes(e)
	s.applicationRoutes(e)
	s.pageRoutes(e)
}

// speakerRoutes are a speaker's own API, opened by their personal token and
// rate-limited per client address, so tokens cannot be guessed at speed.
func (s *Server) speakerRoutes(e *echo.Echo) {
	limit := s.perAddress(s.cfg.SpeakerRate, int(4*s.cfg.SpeakerRate))
	sp := e.Group("/api/v1/speaker")
	sp.GET("", s.speakerView, limit, s.authenticateSpeaker)
	sp.PATCH("/profile", s.patchProfile, limit, s.authenticateSpeaker)
	sp.POST("/slots/:slotID/confirm", s.answer(agenda.Confirmed), limit, s.authenticateSpeaker)
	sp.POST("/slots/:slotID/decline", s.answer(agenda.Declined), limit, s.authenticateSpeaker)
	sp.GET("/live", s.greenRoom, limit, s.authenticateSpeaker)
}

// perAddress limits requests per client address: perSecond, with a burst.
func (s *Server) perAddress(perSecond float64, burst int) echo.MiddlewareFunc {
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(perSecond), Burst: burst, ExpiresIn: 5 * time.Minute,
		}),
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			return problem(http.StatusTooManyRequests, "rate-limited", "too many requests from this address; wait a moment")
		},
		ErrorHandler: func(c echo.Context, err error) error { return err },
	})
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
