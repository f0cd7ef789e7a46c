package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"unicode"

	"github.com/labstack/echo/v4"
	"github.com/tribune-act/tribune/pkg/store"
)

// maxWebhooks bounds the webhooks of one event.
const maxWebhooks = 20

// webhookRequest registers a webhook.
type webhookRequest struct {
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

// createdWebhook is a new webhook with its secret, shown this once.
type createdWebhook struct {
	store.Webhook
	Secret string `json:"secret"`
}

func (s *Server) createWebhook(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var req webhookRequest
	if _, err := decodeObject(body, &req); err != nil {
		return err
	}
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(req.URL) > 2000 {
		return badRequest("url", "must be an absolute http or https URL")
	}
	if req.Secret == "" {
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		req.Secret = "whsec_" + hex.EncodeToString(b)
	} else if n := len(req.Secret); n < 16 || n > 200 || !printable(req.Secret) {
		return badRequest("secret", "must be 16 to 200 printable characters (or left out, and one is made)")
	}
	ctx := c.Request().Context()
	existing, err := s.store.Webhooks(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if len(existing) >= maxWebhooks {
		return problem(http.StatusConflict, "conflict", fmt.Sprintf("an event has at most %d webhooks", maxWebhooks))
	}
	w, err := s.store.CreateWebhook(ctx, store.Webhook{
		ID: store.NewID(), EventID: c.Param("id"), URL: req.URL, Secret: req.Secret, CreatedBy: currentUser(c).Email,
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", c.Request().URL.Path+"/"+w.ID)
	return c.JSON(http.StatusCreated, createdWebhook{Webhook: w, Secret: w.Secret})
}

func printable(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func (s *Server) listWebhooks(c echo.Context) error {
	hooks, err := s.store.Webhooks(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if hooks == nil {
		hooks = []store.Webhook{}
	}
	return c.JSON(http.StatusOK, hooks)
}

func (s *Server) getWebhook(c echo.Context) error {
	w, err := s.store.Webhook(c.Request().Context(), c.Param("id"), c.Param("webhookID"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

func (s *Server) deleteWebhook(c echo.Context) error {
	if err := s.store.DeleteWebhook(c.Request().Context(), c.Param("id"), c.Param("webhookID")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// webhookDeliveries is the webhook's delivery log, newest attempt first.
func (s *Server) webhookDeliveries(c echo.Context) error {
	limit := 50
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return badRequest("limit", "must be a number from 1 to 200")
		}
		limit = n
	}
	ctx := c.Request().Context()
	w, err := s.store.Webhook(ctx, c.Param("id"), c.Param("webhookID"))
	if err != nil {
		return err
	}
	log, err := s.store.WebhookDeliveries(ctx, w.ID, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, log)
}
