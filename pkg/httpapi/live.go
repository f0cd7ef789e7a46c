package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/live"
)

// liveRequest is the body of a live action; each action reads what it needs.
type liveRequest struct {
	StageID string `json:"stage_id"`
	SlotID  string `json:"slot_id"`
	Seconds int    `json:"seconds"`
}

// liveActions are the stage manager's controls, each one change of the agenda's live state.
var liveActions = map[string]func(a *agenda.Agenda, r liveRequest, now timeNow) error{
	"start":  func(a *agenda.Agenda, r liveRequest, now timeNow) error { return a.Start(r.StageID, r.SlotID, now()) },
	"next":   func(a *agenda.Agenda, r liveRequest, now timeNow) error { return a.Next(r.StageID, now()) },
	"extend": func(a *agenda.Agenda, r liveRequest, now timeNow) error { return a.Extend(r.StageID, r.Seconds, now()) },
	"skip":   func(a *agenda.Agenda, r liveRequest, now timeNow) error { return a.Skip(r.SlotID, now()) },
	"back":   func(a *agenda.Agenda, r liveRequest, now timeNow) error { return a.Back(r.StageID, now()) },
	"pause":  func(a *agenda.Agenda, r liveRequest, now timeNow) error { return a.Pause(r.StageID, now()) },
	"resume": func(a *agenda.Agenda, r liveRequest, now timeNow) error { return a.Resume(r.StageID, now()) },
	"end":    func(a *agenda.Agenda, r liveRequest, now timeNow) error { return a.End(r.StageID, now()) },
}

type timeNow = func() time.Time

// liveAction runs one of the stage manager's controls and answers with the live view.
func (s *Server) liveAction(c echo.Context) error {
	act, ok := liveActions[c.Param("action")]
	if !ok {
		return problem(http.StatusNotFound, "not-found", "no live action "+strconv.Quote(c.Param("action"))+
			"; the actions are start, next, extend, skip, back, pause, resume, end and message")
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var req liveRequest
	if len(body) > 0 {
		if _, err := decodeObject(body, &req); err != nil {
			return err
		}
	}
	a, _, err := s.change(c, "live."+c.Param("action"), func(a *agenda.Agenda) error {
		return act(a, req, s.now)
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"version": a.Event.Version, "live": a.LiveView()})
}

// stageMessage sends a short message to the green room of the current or next
// speakers, or of a slot's. It is private and never reaches the public feed.
func (s *Server) stageMessage(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var req struct {
		To      string `json:"to"`
		Text    string `json:"text"`
		StageID string `json:"stage_id"`
	}
	if _, err := decodeObject(body, &req); err != nil {
		return err
	}
	_, ch, err := s.change(c, "live.message", func(a *agenda.Agenda) error {
		return a.SendMessage(req.StageID, req.To, req.Text, s.now())
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"version": ch.Version, "messages": ch.Private.Messages})
}

// publicFeed is the viewers' websocket feed.
func (s *Server) publicFeed(c echo.Context) error {
	e, err := s.publishedEvent(c)
	if err != nil {
		return err
	}
	return s.feed(c, e.ID, live.Public, "", func(*http.Request) bool { return true })
}

// organizerFeed keeps organizers' consoles in step: every field, warnings and
// stage messages. Browsers may open it only from the public origin.
func (s *Server) organizerFeed(c echo.Context) error {
	return s.feed(c, c.Param("id"), live.Organizer, "", s.sameOrigin)
}

// feed upgrades to a websocket and serves a subscription. ?since=N resumes.
func (s *Server) feed(c echo.Context, eventID string, view live.View, speakerID string, checkOrigin func(*http.Request) bool) error {
	since, err := parseSince(c.QueryParam("since"))
	if err != nil {
		return err
	}
	if !websocketRequest(c.Request()) {
		c.Response().Header().Set("Upgrade", "websocket")
		return problem(http.StatusUpgradeRequired, "upgrade-required", "this is a websocket feed: connect with a websocket client")
	}
	if !checkOrigin(c.Request()) {
		return problem(http.StatusForbidden, "forbidden", "websocket connections to this feed are accepted only from the public origin")
	}
	sub, err := s.hub.Subscribe(c.Request().Context(), eventID, view, speakerID, since)
	if err != nil {
		return err
	}
	up := s.upgrader
	up.CheckOrigin = func(*http.Request) bool { return true } // checked above, with a problem body
	conn, err := live.Upgrade(&up, c.Response(), c.Request(), nil)
	if err != nil {
		sub.Close()
		return nil // the upgrader has answered
	}
	sub.Start(conn, s.cfg.Done)
	return nil
}

// parseSince reads ?since=N: -1 (a snapshot) when absent, else a version ≥ 0.
func parseSince(raw string) (int64, error) {
	if raw == "" {
		return -1, nil
	}
	v, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || v < 0 {
		return 0, badRequest("since", "must be a version: a whole number, 0 or more")
	}
	return v, nil
}

func websocketRequest(r *http.Request) bool {
	return headerHas(r.Header, "Connection", "upgrade") && headerHas(r.Header, "Upgrade", "websocket")
}

func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, part := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}

// sameOrigin accepts requests without an Origin (not from a browser), from the
// configured public origin, or from the host the request was sent to.
func (s *Server) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if s.cfg.PublicOrigin != "" && origin == s.cfg.PublicOrigin {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}
