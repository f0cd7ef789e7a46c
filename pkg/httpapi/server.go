// Package httpapi serves Tribune over HTTP with echo: the organizer API, the
// public API, the error mapping and the middleware. Handlers stay thin: decode,
// authorize, call the store, encode.
package httpapi

import (
	"crypto/rand"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/tribune-act/tribune/pkg/auth"
	"github.com/tribune-act/tribune/pkg/live"
	"github.com/tribune-act/tribune/pkg/store"
)

// MaxBodyBytes is the largest request body accepted.
const MaxBodyBytes = 1 << 20

// Config is what the HTTP layer needs besides the store and the hub.
type Config struct {
	// PublicOrigin is the scheme://host[:port] browsers use; authenticated feeds
	// accept websocket upgrades only from it (or from the request's own host).
	PublicOrigin string
	// Registry collects the Prometheus metrics served at /metrics.
	Registry *prometheus.Registry
	// Done closes when the server shuts down, so feeds close with "going away".
	Done <-chan struct{}
	// Keys derive speakers' personal tokens.
	Keys auth.SpeakerKeys
	// Invitations e-mails speakers their link; nil when e-mail is off.
	Invitations Invitations
	// Confirmations e-mails applicants to the open call the link that confirms
	// their address; nil when e-mail is off (applications then wait unconfirmed).
	Confirmations Confirmations
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is believed;
	// without any, the client address is the connection's.
	TrustedProxies []*net.IPNet
	// SpeakerRate limits speaker API requests per client address (per second; burst 4×).
	SpeakerRate float64
}

// Server holds what the handlers need.
type Server struct {
	store    *store.Store
	hub      *live.Hub
	log      *slog.Logger
	cfg      Config
	now      func() time.Time
	upgrader websocket.Upgrader
	accounts accountLimits
	// dummyHash is checked when a login names no account, so both cost the same.
	dummyHash string
}

// New returns the HTTP handler of Tribune.
func New(st *store.Store, hub *live.Hub, log *slog.Logger, cfg Config) *echo.Echo {
	s := &Server{store: st, hub: hub, log: log, cfg: cfg, now: func() time.Time { return time.Now().UTC() }}
	s.upgrader = websocket.Upgrader{
		ReadBufferSize: 512, WriteBufferSize: 4096, WriteBufferPool: &sync.Pool{},
		HandshakeTimeout: 10 * time.Second,
		// A browser passes its token as a second subprotocol; the server answers "tribune".
		Subprotocols: []string{"tribune"},
	}
	if cfg.Registry == nil {
		s.cfg.Registry = prometheus.NewRegistry()
	}
	if !cfg.Keys.Set() {
		// Without a configured secret, links last as long as this process.
		secret := make([]byte, 32)
		_, _ = rand.Read(secret)
		s.cfg.Keys, _ = auth.NewSpeakerKeys(secret)
		log.Warn("no server secret configured: speakers' links stop working when the server restarts")
	}
	s.dummyHash, _ = auth.HashPassword("no such account")
	if cfg.SpeakerRate == 0 {
		s.cfg.SpeakerRate = 5
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(log)
	// The client address is the connection's: X-Forwarded-For is trusted only
	// when a trusted proxy is configured (not yet), unlike echo's default.
	e.IPExtractor = echo.ExtractIPDirect()
	if len(cfg.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range cfg.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	e.Use(middleware.Recover())
	e.Use(secureHeaders)
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

// secureHeaders sets what every response carries. The API's CSP forbids
// everything; pages set their own stricter-than-default policy over it.
func secureHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		return next(c)
	}
}

func (s *Server) metrics() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{}))
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
