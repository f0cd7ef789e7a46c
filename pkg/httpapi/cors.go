package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// The public read routes (the published events, an event's public agenda and
// its feed) may be read by scripts on any site: the embeddable widget runs on
// partners' pages and reads them from there, and so may anyone's. They carry
// public data only and never credentials, so the answer is the wildcard origin,
// without Access-Control-Allow-Credentials: a browser then sends no cookie, and a
// session could not be used from another site even if it did. Nothing else
// (the organizer API, the speaker API, the pages) is opened to other origins.

// publicCORS lets any origin read a public route's answers, errors included,
// and the ETag that makes If-None-Match polling possible.
func publicCORS(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "ETag")
		return next(c)
	}
}

// publicPreflight answers the CORS preflight a browser sends before a cross-origin
// GET that carries If-None-Match (not a "simple" header): GET, with the
// conditional headers, remembered for a day.
func publicPreflight(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET")
	h.Set("Access-Control-Allow-Headers", "Accept, If-None-Match, If-Modified-Since")
	h.Set("Access-Control-Max-Age", "86400")
	h.Set("Allow", "GET, OPTIONS")
	return c.NoContent(http.StatusNoContent)
}
