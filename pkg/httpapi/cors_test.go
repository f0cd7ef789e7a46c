package httpapi_test

import (
	"testing"
)

// Scripts on other sites may read the public API (the widget on partners'
// pages does), with no credentials; the organizer API stays closed to them.
func TestPublicReadsAllowAnyOrigin(t *testing.T) {
	a := newAct(t)
	h := a.h
	const partner = "Origin"
	for _, path := range []string{"/api/v1/public/events", "/api/v1/public/events/peace", "/api/v1/public/events/no-such-act",
		"/api/v1/public/events/peace/call", "/api/v1/public/events/peace/endorsers",
		"/e/peace/schedule.ics", "/e/peace/schedule.xml", "/e/peace/schedule.json"} {
		r := h.do("GET", path, "", nil, partner, "https://partner.example.net")
		if got := r.header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("GET %s (%d): Access-Control-Allow-Origin %q, want *", path, r.status, got)
		}
		if got := r.header.Get("Access-Control-Allow-Credentials"); got != "" {
			t.Errorf("GET %s: Access-Control-Allow-Credentials %q, want none", path, got)
		}
	}
	r := h.must(200, "GET", "/api/v1/public/events/peace", "", nil, partner, "https://partner.example.net")
	if got := r.header.Get("Access-Control-Expose-Headers"); got != "ETag" {
		t.Errorf("Access-Control-Expose-Headers %q, want ETag", got)
	}
	r = h.must(304, "GET", "/api/v1/public/events/peace", "", nil, partner, "https://partner.example.net", "If-None-Match", r.header.Get("ETag"))
	if r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("304 without Access-Control-Allow-Origin")
	}

	// The preflight a browser sends before a GET with If-None-Match.
	for _, path := range []string{"/api/v1/public/events", "/api/v1/public/events/peace"} {
		r := h.must(204, "OPTIONS", path, "", nil, partner, "https://partner.example.net",
			"Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "if-none-match")
		hd := r.header
		if hd.Get("Access-Control-Allow-Origin") != "*" || hd.Get("Access-Control-Allow-Methods") != "GET" ||
			hd.Get("Access-Control-Allow-Headers") != "Accept, If-None-Match, If-Modified-Since" || hd.Get("Access-Control-Max-Age") == "" {
			t.Errorf("OPTIONS %s: %v", path, hd)
		}
	}

	// Nothing else is opened to other sites.
	for _, c := range []struct{ method, path, token string }{
		{"GET", "/api/v1/events", a.owner},
		{"GET", a.path("/agenda"), a.owner},
		{"GET", "/api/v1/session", ""},
	} {
		r := h.do(c.method, c.path, c.token, nil, partner, "https://partner.example.net")
		if got := r.header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("%s %s: Access-Control-Allow-Origin %q, want none", c.method, c.path, got)
		}
	}
}
