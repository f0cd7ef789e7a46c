package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/auth"
	"github.com/tribune-act/tribune/pkg/store"
)

// Limits of the open call. The public form is the one unauthenticated way to
// write to the database, so each of these bounds what a flood can do.
const (
	// maxApplicationBytes is the largest application body: the fields' own
	// limits add up to well under it.
	maxApplicationBytes = 16 << 10
	// applicationRate and applicationBurst limit applications per client address.
	applicationRate  = 1.0 / 20
	applicationBurst = 5
	// confirmTTL is how long the link that confirms an applicant's address works.
	confirmTTL = 48 * time.Hour
	// confirmationPrefix starts every confirmation token.
	confirmationPrefix = "apc_"
	// concurrentApplications is how many applications are written at once; the
	// others queue for up to applicationWait. The database has one writer, and
	// the act's own changes must not queue behind a flood.
	concurrentApplications = 2
	applicationWait        = 5 * time.Second
)

// submitLimits are the limits the store enforces per e-mail address and per event.
var submitLimits = store.SubmitLimits{PerEmail: 3, PerEmailWindow: 24 * time.Hour, Open: 5000}

// Confirmations e-mails an applicant the link that confirms their address.
type Confirmations interface {
	ConfirmApplication(ctx context.Context, e agenda.Event, app store.Application, link string, expires time.Time) error
}

// callHandlers serve the open call.
type callHandlers struct {
	*Server
	// received counts applications by what became of them.
	received *prometheus.CounterVec
	// writing holds a place for each application being written.
	writing chan struct{}
}

// applicationRoutes serve the open call: sign-up, review queue, endorsers.
func (s *Server) applicationRoutes(e *echo.Echo) {
	h := callHandlers{Server: s, received: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tribune_applications_received_total",
		Help: "Applications to open calls, by outcome: stored, spam (honeypot), refused_email (per-address limit), refused_full (queue full or busy).",
	}, []string{"outcome"}), writing: make(chan struct{}, concurrentApplications)}
	if err := s.cfg.Registry.Register(h.received); err != nil {
		var already prometheus.AlreadyRegisteredError
		if errors.As(err, &already) {
			h.received = already.ExistingCollector.(*prometheus.CounterVec)
		}
	}

	pub := e.Group("/api/v1/public")
	pub.GET("/events/:slug/call", h.publicCall, publicCORS)
	pub.POST("/events/:slug/applications", h.apply, s.perAddress(applicationRate, applicationBurst))
	pub.GET("/events/:slug/endorsers", h.endorsers, publicCORS)
	confirmLimit := s.perAddress(1, 10)
	pub.GET("/applications/confirm", h.confirmation, confirmLimit)
	pub.POST("/applications/confirm", h.confirm, confirmLimit)

	ev := e.Group("/api/v1/events/:id")
	ev.GET("/call", h.getCall, s.allow(auth.View))
	ev.PATCH("/call", h.patchCall, s.allow(auth.Edit))
	ev.GET("/applications", h.listApplications, s.allow(auth.View))
	ev.POST("/applications/clear", h.clearApplications, s.allow(auth.Edit))
	ev.GET("/applications/:applicationID", h.getApplication, s.allow(auth.View))
	ev.POST("/applications/:applicationID/accept", h.accept, s.allow(auth.Edit))
	ev.POST("/applications/:applicationID/decline", h.decline, s.allow(auth.Edit))
	ev.POST("/applications/:applicationID/merge", h.merge, s.allow(auth.Edit))
}

// PublicCall is what the join page needs to know about the call.
type PublicCall struct {
	Open bool `json:"open"`
	// Reason says why the call is not open; empty when it is.
	Reason         string     `json:"reason"`
	OpensAt        *time.Time `json:"opens_at"`
	ClosesAt       *time.Time `json:"closes_at"`
	ConsentVersion string     `json:"consent_version"`
	ConsentText    string     `json:"consent_text"`
	// EmailConfirmation says whether applicants get a link to confirm their address.
	EmailConfirmation bool                      `json:"email_confirmation"`
	Kinds             []agenda.OrganizationKind `json:"kinds"`
}

func (h callHandlers) publicCall(c echo.Context) error {
	e, err := h.publishedEvent(c)
	if err != nil {
		return err
	}
	call, err := h.store.Call(c.Request().Context(), e.ID)
	if err != nil {
		return err
	}
	open, why := call.OpenAt(h.now())
	return c.JSON(http.StatusOK, PublicCall{
		Open: open, Reason: why, OpensAt: call.OpensAt, ClosesAt: call.ClosesAt, ConsentVersion: call.ConsentVersion,
		ConsentText: call.ConsentText, EmailConfirmation: h.cfg.Confirmations != nil, Kinds: agenda.ApplicationKinds,
	})
}

// honeypot is the form's field that people never see (the form hides it), so
// what fills it is a robot.
const honeypot = "fax"

// applicationReceipt is all the public learns about its application. A robot
// caught by the honeypot gets the same answer as a person.
type applicationReceipt struct {
	ID     string                   `json:"id"`
	Status agenda.ApplicationStatus `json:"status"`
	// Confirmation: "email" (a link is on its way), "failed" (it could not be
	// sent), "none" (e-mail is off; the application waits for review).
	Confirmation string `json:"confirmation"`
}

// apply receives an application to the call: POST /api/v1/public/events/{slug}/applications.
func (h callHandlers) apply(c echo.Context) error {
	e, err := h.publishedEvent(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	call, err := h.store.Call(ctx, e.ID)
	if err != nil {
		return err
	}
	if open, why := call.OpenAt(h.now()); !open {
		return problem(http.StatusConflict, "call-closed", why)
	}
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, maxApplicationBytes)
	body, err := readBody(c)
	if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
		return problem(http.StatusRequestEntityTooLarge, "too-large", fmt.Sprintf("an application is at most %d KiB", maxApplicationBytes>>10))
	}
	if err != nil {
		return err
	}
	var req agenda.ApplicationFields
	extra, err := decodeObject(body, &req, honeypot)
	if err != nil {
		return err
	}
	var fax string
	if raw, ok := extra[honeypot]; ok {
		if err := decodeValue(honeypot, raw, &fax); err != nil {
			return err
		}
	}
	req.Trim()
	if err := req.Validate(); err != nil {
		return err
	}
	if req.ConsentVersion != call.ConsentVersion {
		return badRequest("consent_version", "the consent text has changed (it is now version %q): reload the form and read it again", call.ConsentVersion)
	}
	if !req.WantsSlot {
		req.SpeakerName, req.SpeakerLanguage, req.SpeakerTimezone = "", "", ""
	}
	app := store.Application{ID: store.NewID(), EventID: e.ID, ApplicationFields: req, Status: agenda.AppUnconfirmed}
	spam := fax != ""
	if spam {
		app.Status = agenda.AppSpam
	}
	confirmation, token := "none", ""
	if h.cfg.Confirmations != nil {
		confirmation = "email"
		if !spam {
			t, hash, err := auth.NewToken(confirmationPrefix)
			if err != nil {
				return err
			}
			expires := h.now().Add(confirmTTL)
			token, app.ConfirmHash, app.ConfirmExpiresAt = t, hash, &expires
		}
	}
	select {
	case h.writing <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(applicationWait):
		h.received.WithLabelValues("refused_full").Inc()
		return problem(http.StatusTooManyRequests, "call-busy", store.ErrQueueFull.Error())
	}
	app, err = h.store.SubmitApplication(ctx, app, submitLimits)
	<-h.writing
	switch {
	case errors.Is(err, store.ErrEmailLimit):
		h.received.WithLabelValues("refused_email").Inc()
		return problem(http.StatusTooManyRequests, "rate-limited", err.Error())
	case errors.Is(err, store.ErrQueueFull):
		h.received.WithLabelValues("refused_full").Inc()
		return problem(http.StatusTooManyRequests, "call-busy", err.Error())
	case err != nil:
		return err
	}
	if spam {
		h.received.WithLabelValues("spam").Inc()
	} else {
		h.received.WithLabelValues("stored").Inc()
	}
	if token != "" {
		link := h.publicURL(c, "/e/"+e.Slug+"/join?confirm="+token)
		if err := h.cfg.Confirmations.ConfirmApplication(ctx, e, app, link, *app.ConfirmExpiresAt); err != nil {
			h.log.Warn("application confirmation e-mail failed", "event", e.ID, "application", app.ID, "err", err)
			confirmation = "failed"
		}
	}
	return c.JSON(http.StatusAccepted, applicationReceipt{ID: app.ID, Status: agenda.AppUnconfirmed, Confirmation: confirmation})
}

// confirmationView is what a confirmation link shows: never the contact details.
type confirmationView struct {
	EventSlug        string                   `json:"event_slug"`
	EventTitle       string                   `json:"event_title"`
	OrganizationName string                   `json:"organization_name"`
	Status           agenda.ApplicationStatus `json:"status"`
	ExpiresAt        *time.Time               `json:"expires_at,omitempty"`
}

var errBadConfirmation = problem(http.StatusNotFound, "not-found",
	"this confirmation link is not valid: it was used already, it expired, or it is incomplete")

// confirmation shows what a confirmation link confirms, without using it, so
// that a mail scanner fetching the link confirms nothing.
func (h callHandlers) confirmation(c echo.Context) error {
	token := c.QueryParam("token")
	if !strings.HasPrefix(token, confirmationPrefix) {
		return errBadConfirmation
	}
	app, e, err := h.store.ApplicationByConfirmHash(c.Request().Context(), auth.HashToken(token))
	if errors.Is(err, agenda.ErrNotFound) {
		return errBadConfirmation
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, confirmationView{EventSlug: e.Slug, EventTitle: e.Title, OrganizationName: app.OrganizationName,
		Status: app.Status, ExpiresAt: app.ConfirmExpiresAt})
}

// confirm uses a confirmation link, once: POST {"token"}.
func (h callHandlers) confirm(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var req struct {
		Token string `json:"token"`
	}
	if _, err := decodeObject(body, &req); err != nil {
		return err
	}
	if req.Token == "" {
		return badRequest("token", "is required: the token of the link in the e-mail")
	}
	if !strings.HasPrefix(req.Token, confirmationPrefix) {
		return errBadConfirmation
	}
	app, e, err := h.store.ConfirmApplication(c.Request().Context(), auth.HashToken(req.Token))
	if errors.Is(err, agenda.ErrNotFound) {
		return errBadConfirmation
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, confirmationView{EventSlug: e.Slug, EventTitle: e.Title, OrganizationName: app.OrganizationName, Status: app.Status})
}

// endorsers is the public list of endorsers: accepted endorsements only, and of
// each only what its organization agreed to show.
func (h callHandlers) endorsers(c echo.Context) error {
	e, err := h.publishedEvent(c)
	if err != nil {
		return err
	}
	shown, anonymous, err := h.store.Endorsers(c.Request().Context(), e.ID)
	if err != nil {
		return err
	}
	body, err := json.Marshal(agenda.ListEndorsers(shown, anonymous))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	tag := `"` + hex.EncodeToString(sum[:12]) + `"`
	c.Response().Header().Set("ETag", tag)
	c.Response().Header().Set("Cache-Control", "no-cache")
	if match := c.Request().Header.Get("If-None-Match"); match == tag || match == "W/"+tag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
}

func (h callHandlers) getCall(c echo.Context) error {
	call, err := h.store.Call(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(call.Revision))
	return c.JSON(http.StatusOK, call)
}

// patchCall changes the call's dates or consent text; the fields it names only.
func (h callHandlers) patchCall(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	call, err := h.store.EditCall(c.Request().Context(), c.Param("id"), currentUser(c).Email, func(call *agenda.Call) error {
		f := call.CallFields
		rest, err := decodeObject(body, &f, "revision")
		if err != nil {
			return err
		}
		if err := h.checkRevision(c, rest, *call, call.Revision); err != nil {
			return err
		}
		call.CallFields = f
		return nil
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(call.Revision))
	return c.JSON(http.StatusOK, call)
}

// applicationPage is one page of the review queue.
type applicationPage struct {
	Applications []store.Application `json:"applications"`
	// Total is how many applications match the filter, on every page.
	Total int64 `json:"total"`
	// Next is the after= of the next page; empty on the last.
	Next string `json:"next"`
}

// listApplications is the review queue, oldest first, filtered by status,
// country, UN M.49 region and kind.
func (h callHandlers) listApplications(c echo.Context) error {
	f := store.ApplicationFilter{Limit: 100, After: c.QueryParam("after")}
	if v := c.QueryParam("status"); v != "" {
		for _, st := range strings.Split(v, ",") {
			if !slices.Contains(agenda.ApplicationStatuses, agenda.ApplicationStatus(st)) {
				return badRequest("status", "%q is not a status (unconfirmed, pending, accepted, declined, merged, spam)", st)
			}
			f.Statuses = append(f.Statuses, agenda.ApplicationStatus(st))
		}
	}
	if v := c.QueryParam("country"); v != "" {
		if _, err := agenda.ParseCountry(v); err != nil {
			return badRequest("country", "%q is not an ISO 3166-1 alpha-2 country code (such as UA or BR)", v)
		}
		f.Countries = []string{v}
	}
	if v := c.QueryParam("region"); v != "" {
		r, err := agenda.Region(v)
		if err != nil {
			return badRequest("region", "%q is not a UN M.49 region code (such as 150 for Europe or 419 for Latin America)", v)
		}
		in := agenda.CountriesIn(r)
		if f.Countries != nil {
			in = slices.DeleteFunc(in, func(c string) bool { return c != f.Countries[0] })
		}
		f.Countries = append([]string{}, in...)
	}
	if v := c.QueryParam("kind"); v != "" {
		if !slices.Contains(agenda.ApplicationKinds, agenda.OrganizationKind(v)) {
			return badRequest("kind", "%q is not a kind (party, union, movement, ngo, media, other, personality)", v)
		}
		f.Kind = agenda.OrganizationKind(v)
	}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return badRequest("limit", "must be a number from 1 to 500")
		}
		f.Limit = n
	}
	apps, total, err := h.store.Applications(c.Request().Context(), c.Param("id"), f)
	if err != nil {
		return err
	}
	page := applicationPage{Applications: apps, Total: total}
	if len(apps) == f.Limit {
		page.Next = apps[len(apps)-1].ID
	}
	return c.JSON(http.StatusOK, page)
}

func (h callHandlers) getApplication(c echo.Context) error {
	app, err := h.store.Application(c.Request().Context(), c.Param("id"), c.Param("applicationID"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, app)
}

// optionalBody decodes a JSON object body onto dst; an empty body keeps dst's defaults.
func optionalBody(c echo.Context, dst any) error {
	body, err := readBody(c)
	if err != nil || len(strings.TrimSpace(string(body))) == 0 {
		return err
	}
	_, err = decodeObject(body, dst)
	return err
}

// acceptRequest says what accepting an application does besides accepting it.
type acceptRequest struct {
	// OrganizationID links an organization of the agenda instead of making one.
	OrganizationID string `json:"organization_id"`
	// Speaker makes a speaker from the proposal; by default when a slot was asked for.
	Speaker *bool `json:"speaker"`
	// StageID adds an invited slot placeholder for the speaker on this stage.
	StageID         string `json:"stage_id"`
	SlotTitle       string `json:"slot_title"`
	DurationSeconds int    `json:"duration_seconds"`
	Note            string `json:"note"`
}

func stateConflict(app store.Application, action string) error {
	return problem(http.StatusConflict, "application-state", fmt.Sprintf("an application that is %s cannot be %s", app.Status, action))
}

// accept accepts an application: links or makes its organization and, when
// asked, a speaker and an invited slot placeholder, as one change of the event.
func (h callHandlers) accept(c echo.Context) error {
	var req acceptRequest
	if err := optionalBody(c, &req); err != nil {
		return err
	}
	if err := agenda.ValidateDecisionNote(req.Note); err != nil {
		return err
	}
	if req.DurationSeconds < 0 || req.DurationSeconds > agenda.MaxDurationSeconds {
		return badRequest("duration_seconds", "must be between 1 second and 24 hours (1–%d)", agenda.MaxDurationSeconds)
	}
	actor := currentUser(c).Email
	app, _, err := h.store.DecideApplication(c.Request().Context(), c.Param("id"), c.Param("applicationID"), actor, "application.accept",
		func(a *agenda.Agenda, app *store.Application) error {
			if !app.Status.CanAccept() {
				return stateConflict(*app, "accepted")
			}
			acc := agenda.Acceptance{
				OrganizationID: req.OrganizationID, NewOrganizationID: store.NewID(), StageID: req.StageID,
				SlotTitle: req.SlotTitle, DurationSeconds: req.DurationSeconds, Reference: "application " + app.ID,
			}
			if (req.Speaker == nil && app.WantsSlot) || (req.Speaker != nil && *req.Speaker) {
				acc.SpeakerID = store.NewID()
			}
			if req.StageID != "" {
				acc.SlotID = store.NewID()
			}
			made, err := a.AcceptApplication(app.ApplicationFields, acc)
			if err != nil {
				return err
			}
			now := h.now()
			app.Status, app.DecisionNote, app.DecidedBy, app.DecidedAt = agenda.AppAccepted, req.Note, actor, &now
			app.OrganizationID, app.SpeakerID, app.SlotID = made.OrganizationID, made.SpeakerID, made.SlotID
			return nil
		})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, app)
}

// decline declines an application with a private note, or marks it as spam.
// Declining an accepted one takes it off the endorsers list; what accepting
// it added to the agenda stays, for the organizers to remove.
func (h callHandlers) decline(c echo.Context) error {
	var req struct {
		Note string `json:"note"`
		Spam bool   `json:"spam"`
	}
	if err := optionalBody(c, &req); err != nil {
		return err
	}
	if err := agenda.ValidateDecisionNote(req.Note); err != nil {
		return err
	}
	to := agenda.AppDeclined
	if req.Spam {
		to = agenda.AppSpam
	}
	actor := currentUser(c).Email
	apps, err := h.store.UpdateApplications(c.Request().Context(), c.Param("id"), []string{c.Param("applicationID")}, func(apps []*store.Application) error {
		app := apps[0]
		if !app.Status.CanDecline(to) {
			return stateConflict(*app, string(to))
		}
		now := h.now()
		app.Status, app.DecisionNote, app.DecidedBy, app.DecidedAt = to, req.Note, actor, &now
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apps[0])
}

// merge folds a duplicate into the application it repeats: the duplicate
// leaves the queue; the other keeps its own fields and status.
func (h callHandlers) merge(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var req struct {
		Into string `json:"into"`
		Note string `json:"note"`
	}
	if _, err := decodeObject(body, &req); err != nil {
		return err
	}
	id := c.Param("applicationID")
	switch {
	case req.Into == "":
		return badRequest("into", "is required: the id of the application this one repeats")
	case req.Into == id:
		return badRequest("into", "an application cannot be merged into itself")
	}
	if err := agenda.ValidateDecisionNote(req.Note); err != nil {
		return err
	}
	actor := currentUser(c).Email
	apps, err := h.store.UpdateApplications(c.Request().Context(), c.Param("id"), []string{id, req.Into}, func(apps []*store.Application) error {
		dup, into := apps[0], apps[1]
		if !dup.Status.CanMerge() {
			return stateConflict(*dup, "merged")
		}
		if into.Status == agenda.AppMerged || into.Status == agenda.AppSpam {
			return problem(http.StatusConflict, "application-state",
				fmt.Sprintf("cannot merge into an application that is %s; merge into the one it repeats", into.Status))
		}
		now := h.now()
		dup.Status, dup.MergedInto, dup.DecisionNote, dup.DecidedBy, dup.DecidedAt = agenda.AppMerged, into.ID, req.Note, actor, &now
		return nil
	})
	if errors.Is(err, agenda.ErrNotFound) {
		if _, gerr := h.store.Application(c.Request().Context(), c.Param("id"), id); gerr == nil {
			return badRequest("into", "no application %q in this event", req.Into)
		}
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apps[0])
}

// clearRequest names a flood to clear.
type clearRequest struct {
	Since    *time.Time                 `json:"since"`
	Until    *time.Time                 `json:"until"`
	Statuses []agenda.ApplicationStatus `json:"statuses"`
}

// clearApplications deletes, in one statement, every application in the given
// statuses (unconfirmed and spam by default) received since a time: a flood of
// bogus applications goes in one action. Decided applications are never cleared.
func (h callHandlers) clearApplications(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	req := clearRequest{Statuses: []agenda.ApplicationStatus{agenda.AppUnconfirmed, agenda.AppSpam}}
	if _, err := decodeObject(body, &req); err != nil {
		return err
	}
	if req.Since == nil {
		return badRequest("since", "is required (RFC 3339): applications received from then on are cleared")
	}
	if req.Until != nil && !req.Until.After(*req.Since) {
		return badRequest("until", "must be after since")
	}
	if len(req.Statuses) == 0 {
		return badRequest("statuses", "name at least one of unconfirmed, pending, spam")
	}
	for i, st := range req.Statuses {
		if !slices.Contains(agenda.Clearable, st) {
			return badRequest(fmt.Sprintf("statuses[%d]", i), "only unconfirmed, pending and spam applications can be cleared, not %q", st)
		}
	}
	n, err := h.store.ClearApplications(c.Request().Context(), c.Param("id"), req.Statuses, *req.Since, req.Until)
	if err != nil {
		return err
	}
	h.log.Info("applications cleared", "event", c.Param("id"), "by", currentUser(c).Email, "deleted", n)
	return c.JSON(http.StatusOK, map[string]int64{"deleted": n})
}
