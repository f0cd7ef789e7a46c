package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-act/tribune/pkg/auth"
)

// loginAs creates a user with a password; returns their e-mail.
func (h *harness) passwordUser(email, password string) {
	h.t.Helper()
	hash, err := auth.HashPassword(password)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.store.CreateUser(context.Background(), email, hash, false); err != nil {
		h.t.Fatal(err)
	}
}

// cookieOf returns the session cookie a response set.
func cookieOf(t *testing.T, r *response) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "tribune_session" {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", r.header)
	return nil
}

func TestSessionLogin(t *testing.T) {
	h := newHarness(t)
	h.passwordUser("ana@example.org", "correct horse battery")
	h.must(401, "POST", "/api/v1/session", "", map[string]string{"email": "ana@example.org", "password": "wrong password!"})
	h.must(401, "POST", "/api/v1/session", "", map[string]string{"email": "nobody@example.org", "password": "correct horse battery"})
	h.must(400, "POST", "/api/v1/session", "", map[string]any{"email": "ana@example.org", "pass": "x"})
	h.must(401, "GET", "/api/v1/session", "", nil)

	r := h.must(200, "POST", "/api/v1/session", "", map[string]string{"email": "Ana@Example.org", "password": "correct horse battery"})
	ck := cookieOf(t, r)
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || !ck.Secure || ck.Path != "/" {
		t.Fatalf("cookie flags %+v", ck)
	}
	csrf := r.field(t, "csrf_token")
	cookie := "tribune_session=" + ck.Value
	h.must(200, "GET", "/api/v1/session", "", nil, "Cookie", cookie)
	h.must(200, "GET", "/api/v1/events", "", nil, "Cookie", cookie)
	event := map[string]any{"slug": "act", "title": "Act", "starts_at": "2026-12-05T17:00:00Z", "timezone": "UTC"}
	// Unsafe methods need the CSRF token, and nothing happens without it.
	h.must(403, "POST", "/api/v1/events", "", event, "Cookie", cookie)
	h.must(403, "POST", "/api/v1/events", "", event, "Cookie", cookie, "X-CSRF-Token", "forged")
	var list []any
	h.must(200, "GET", "/api/v1/events", "", nil, "Cookie", cookie).decode(t, &list)
	if len(list) != 0 {
		t.Fatal("an event was created without the CSRF token")
	}
	id := h.must(201, "POST", "/api/v1/events", "", event, "Cookie", cookie, "X-CSRF-Token", csrf).field(t, "id")
	// The organizer feed opens with the cookie from the same origin.
	f, res, err := h.openFeed("/api/v1/events/"+id+"/live", http.Header{"Cookie": {cookie}, "Origin": {h.srv.URL}}, true)
	if err != nil {
		t.Fatalf("feed with cookie: %v %v", res, err)
	}
	if _, err := f.next(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	// Logging in again rotates the session; logging out ends it.
	r2 := h.must(200, "POST", "/api/v1/session", "", map[string]string{"email": "ana@example.org", "password": "correct horse battery"}, "Cookie", cookie)
	h.must(401, "GET", "/api/v1/session", "", nil, "Cookie", cookie)
	cookie2 := "tribune_session=" + cookieOf(t, r2).Value
	out := h.must(204, "DELETE", "/api/v1/session", "", nil, "Cookie", cookie2)
	if c := cookieOf(t, out); c.MaxAge >= 0 {
		t.Fatalf("logout did not clear the cookie: %+v", c)
	}
	h.must(401, "GET", "/api/v1/session", "", nil, "Cookie", cookie2)
	h.must(401, "GET", "/api/v1/events", "", nil, "Cookie", cookie2)
}

func TestLoginIsRateLimitedPerAccount(t *testing.T) {
	h := newHarness(t)
	h.passwordUser("ana@example.org", "correct horse battery")
	limited := false
	for i := range 8 {
		r := h.do("POST", "/api/v1/session", "", map[string]string{"email": "ana@example.org", "password": "guess " + strings.Repeat("x", i)})
		limited = limited || r.status == 429
	}
	if !limited {
		t.Fatal("eight wrong passwords in a row were never rate-limited")
	}
}
