package httpapi

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/auth"
	"github.com/tribune-act/tribune/pkg/store"
	"golang.org/x/time/rate"
)

// SessionCookie is the name of the organizer's session cookie.
const SessionCookie = "tribune_session"

// sessionLifetime is how long a browser session lasts.
const sessionLifetime = 12 * time.Hour

const csrfHeader = "X-CSRF-Token"

// sessionBody is what the session endpoints answer.
type sessionBody struct {
	User struct {
		Email string `json:"email"`
		Admin bool   `json:"admin"`
	} `json:"user"`
	CSRFToken string `json:"csrf_token"`
}

func newSessionBody(u store.User, csrf string) sessionBody {
	var b sessionBody
	b.User.Email, b.User.Admin, b.CSRFToken = u.Email, u.Admin, csrf
	return b
}

// accountLimits throttles login attempts per account, whatever address they come from.
type accountLimits struct {
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

func (l *accountLimits) allow(email string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limiters == nil || len(l.limiters) > 100000 {
		l.limiters = map[string]*rate.Limiter{}
	}
	lim, ok := l.limiters[email]
	if !ok {
		// Five tries at once, then one every 12 seconds.
		lim = rate.NewLimiter(rate.Every(12*time.Second), 5)
		l.limiters[email] = lim
	}
	return lim.Allow()
}

// login checks a password and starts a new session (a new token every time, so a
// session fixed before login is worthless). The work is the same whether or not
// the account exists.
func (s *Server) login(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if _, err := decodeObject(body, &req); err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if !s.accounts.allow(email) {
		return problem(http.StatusTooManyRequests, "rate-limited", "too many attempts for this account; wait a minute")
	}
	ctx := c.Request().Context()
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, agenda.ErrNotFound) {
		return err
	}
	hash := u.PasswordHash
	if hash == "" {
		hash = s.dummyHash
	}
	if !auth.CheckPassword(hash, req.Password) || u.ID == "" {
		return problem(http.StatusUnauthorized, "unauthorized", "wrong e-mail or password")
	}
	token, tokenHash, err := auth.NewToken("")
	if err != nil {
		return err
	}
	csrf, _, err := auth.NewToken("")
	if err != nil {
		return err
	}
	if old, err := c.Cookie(SessionCookie); err == nil {
		_ = s.store.DeleteSession(ctx, auth.HashToken(old.Value))
	}
	if err := s.store.CreateSession(ctx, store.Session{
		TokenHash: tokenHash, UserID: u.ID, CSRFToken: csrf, ExpiresAt: s.now().Add(sessionLifetime),
	}); err != nil {
		return err
	}
	c.SetCookie(s.sessionCookie(c, token, int(sessionLifetime/time.Second)))
	return c.JSON(http.StatusOK, newSessionBody(u, csrf))
}

func (s *Server) sessionCookie(c echo.Context, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: SessionCookie, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: c.IsTLS() || strings.HasPrefix(s.cfg.PublicOrigin, "https://"),
	}
}

// getSession tells the console who is logged in, and its CSRF token.
func (s *Server) getSession(c echo.Context) error {
	sess, u, err := s.cookieSession(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newSessionBody(u, sess.CSRFToken))
}

// logout destroys the session.
func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(SessionCookie); err == nil {
		if err := s.store.DeleteSession(c.Request().Context(), auth.HashToken(ck.Value)); err != nil {
			return err
		}
	}
	c.SetCookie(s.sessionCookie(c, "", -1))
	return c.NoContent(http.StatusNoContent)
}

// cookieSession is the request's live session, or 401.
func (s *Server) cookieSession(c echo.Context) (store.Session, store.User, error) {
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="tribune"`)
	ck, err := c.Cookie(SessionCookie)
	if err != nil || ck.Value == "" {
		return store.Session{}, store.User{}, problem(http.StatusUnauthorized, "unauthorized", "log in, or send Authorization: Bearer <token>")
	}
	sess, u, err := s.store.SessionUser(c.Request().Context(), auth.HashToken(ck.Value))
	if errors.Is(err, agenda.ErrNotFound) {
		return store.Session{}, store.User{}, problem(http.StatusUnauthorized, "unauthorized", "the session has ended; log in again")
	}
	return sess, u, err
}

// checkCSRF requires the session's CSRF token on every unsafe cookie-authenticated request.
func checkCSRF(c echo.Context, sess store.Session) error {
	switch c.Request().Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	got := c.Request().Header.Get(csrfHeader)
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRFToken)) != 1 {
		return problem(http.StatusForbidden, "csrf", "send the session's CSRF token in the "+csrfHeader+" header")
	}
	return nil
}
