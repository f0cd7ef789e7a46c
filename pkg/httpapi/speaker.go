package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/auth"
	"github.com/tribune-act/tribune/pkg/live"
	"github.com/tribune-act/tribune/pkg/store"
)

const speakerKey = "tribune.speaker"

// speakerSession is who a speaker token opens: one speaker in one event.
type speakerSession struct {
	eventID, speakerID string
}

// authenticateSpeaker requires a speaker's personal token (Authorization: Bearer spk_…).
func (s *Server) authenticateSpeaker(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token := bearerToken(c.Request(), auth.SpeakerTokenPrefix)
		denied := problem(http.StatusUnauthorized, "unauthorized",
			"this speaker link is not valid: it may have been replaced, revoked or expired; ask the organizers for a new one")
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="tribune-speaker"`)
		if !strings.HasPrefix(token, auth.SpeakerTokenPrefix) {
			return denied
		}
		ctx := c.Request().Context()
		t, err := s.store.SpeakerTokenByHash(ctx, auth.HashToken(token))
		if errors.Is(err, agenda.ErrNotFound) {
			return denied
		}
		if err != nil {
			return err
		}
		e, err := s.store.Event(ctx, t.EventID)
		if err != nil {
			return err
		}
		if s.now().After(e.LinkExpiry()) {
			return denied
		}
		c.Set(speakerKey, speakerSession{eventID: t.EventID, speakerID: t.SpeakerID})
		return next(c)
	}
}

func currentSpeaker(c echo.Context) speakerSession {
	sp, _ := c.Get(speakerKey).(speakerSession)
	return sp
}

// speakerChange commits one change a speaker makes to their own event.
func (s *Server) speakerChange(c echo.Context, summary string, edit store.Edit) (*agenda.Agenda, error) {
	sp := currentSpeaker(c)
	a, _, err := s.store.Change(c.Request().Context(), sp.eventID, "speaker:"+sp.speakerID, summary, edit)
	return a, err
}

// SpeakerProfile is what a speaker sees and edits of themselves: everything but
// the organizers' private notes.
type SpeakerProfile struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Country          string   `json:"country"`
	OrganizationID   string   `json:"organization_id"`
	Bio              string   `json:"bio"`
	PhotoURL         string   `json:"photo_url"`
	Timezone         string   `json:"timezone"`
	Languages        []string `json:"languages"`
	ContactEmail     string   `json:"contact_email"`
	HideCountry      bool     `json:"hide_country"`
	HideOrganization bool     `json:"hide_organization"`
	HidePhoto        bool     `json:"hide_photo"`
	Revision         int64    `json:"revision"`
}

func profileOf(sp *agenda.Speaker) SpeakerProfile {
	return SpeakerProfile{
		ID: sp.ID, Name: sp.Name, Country: sp.Country, OrganizationID: sp.OrganizationID, Bio: sp.Bio,
		PhotoURL: sp.PhotoURL, Timezone: sp.Timezone, Languages: sp.Languages, ContactEmail: sp.ContactEmail,
		HideCountry: sp.HideCountry, HideOrganization: sp.HideOrganization, HidePhoto: sp.HidePhoto, Revision: sp.Revision,
	}
}

// SpeakerSlot is one of the speaker's slots: its public fields, the speaker's
// part and answer, the projected times, and the other confirmed speakers.
type SpeakerSlot struct {
	agenda.PublicSlot
	StageName      string                 `json:"stage_name"`
	Role           agenda.Role            `json:"role"`
	Status         agenda.Invitation      `json:"status"`
	Note           string                 `json:"note"`
	LiveStatus     agenda.SlotStatus      `json:"live_status"`
	ProjectedStart time.Time              `json:"projected_start"`
	ProjectedEnd   time.Time              `json:"projected_end"`
	CoSpeakers     []agenda.PublicSpeaker `json:"co_speakers"`
}

// speakerView is GET /api/v1/speaker.
func (s *Server) speakerView(c echo.Context) error {
	sp := currentSpeaker(c)
	a, err := s.store.Agenda(c.Request().Context(), sp.eventID)
	if err != nil {
		return err
	}
	return s.respondSpeaker(c, a)
}

func (s *Server) respondSpeaker(c echo.Context, a *agenda.Agenda) error {
	sp := currentSpeaker(c)
	me, err := a.Speaker(sp.speakerID)
	if err != nil {
		return err
	}
	pub := a.PublicView()
	publicSlots := map[string]agenda.PublicSlot{}
	for _, ps := range pub.Slots.([]agenda.PublicSlot) {
		publicSlots[ps.ID] = ps
	}
	publicSpeakers := map[string]agenda.PublicSpeaker{}
	for _, ps := range pub.Speakers.([]agenda.PublicSpeaker) {
		publicSpeakers[ps.ID] = ps
	}
	projection := map[string]agenda.SlotProjection{}
	live := a.LiveView()
	for _, p := range live.Slots {
		projection[p.SlotID] = p
	}
	slots := []SpeakerSlot{}
	for _, slot := range a.Slots {
		for _, ss := range slot.Speakers {
			if ss.SpeakerID != me.ID {
				continue
			}
			stage, _ := a.Stage(slot.StageID)
			p := projection[slot.ID]
			out := SpeakerSlot{
				PublicSlot: publicSlots[slot.ID], StageName: stage.Name, Role: ss.Role, Status: ss.Status, Note: ss.Note,
				LiveStatus: p.Status, ProjectedStart: p.ProjectedStart, ProjectedEnd: p.ProjectedEnd,
				CoSpeakers: []agenda.PublicSpeaker{},
			}
			for _, other := range slot.Speakers {
				if co, ok := publicSpeakers[other.SpeakerID]; ok && other.SpeakerID != me.ID {
					out.CoSpeakers = append(out.CoSpeakers, co)
				}
			}
			slots = append(slots, out)
		}
	}
	c.Response().Header().Set("ETag", etag(me.Revision))
	return c.JSON(http.StatusOK, map[string]any{
		"version": a.Event.Version, "speaker": profileOf(me), "event": pub.Event, "slots": slots, "live": live,
	})
}

// answer records the speaker's confirmation or refusal of one of their slots.
func (s *Server) answer(status agenda.Invitation) echo.HandlerFunc {
	return func(c echo.Context) error {
		body, err := readBody(c)
		if err != nil {
			return err
		}
		var req struct {
			Note string `json:"note"`
		}
		if len(body) > 0 {
			if _, err := decodeObject(body, &req); err != nil {
				return err
			}
		}
		sp := currentSpeaker(c)
		a, err := s.speakerChange(c, "speaker."+string(status), func(a *agenda.Agenda) error {
			return a.Answer(c.Param("slotID"), sp.speakerID, status, req.Note)
		})
		if err != nil {
			return err
		}
		return s.respondSpeaker(c, a)
	}
}

// speakerProfileFields are the fields a speaker may change about themselves.
type speakerProfileFields struct {
	Name             string   `json:"name"`
	Bio              string   `json:"bio"`
	PhotoURL         string   `json:"photo_url"`
	Timezone         string   `json:"timezone"`
	Languages        []string `json:"languages"`
	HideCountry      bool     `json:"hide_country"`
	HideOrganization bool     `json:"hide_organization"`
	HidePhoto        bool     `json:"hide_photo"`
}

// patchProfile lets a speaker edit their public profile and hide flags.
func (s *Server) patchProfile(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	sp := currentSpeaker(c)
	a, err := s.speakerChange(c, "speaker.profile", func(a *agenda.Agenda) error {
		me, err := a.Speaker(sp.speakerID)
		if err != nil {
			return err
		}
		f := speakerProfileFields{
			Name: me.Name, Bio: me.Bio, PhotoURL: me.PhotoURL, Timezone: me.Timezone, Languages: me.Languages,
			HideCountry: me.HideCountry, HideOrganization: me.HideOrganization, HidePhoto: me.HidePhoto,
		}
		rest, err := decodeObject(body, &f, "revision")
		if err != nil {
			return err
		}
		if err := s.checkRevision(c, rest, profileOf(me), me.Revision); err != nil {
			return err
		}
		next := me.SpeakerFields
		next.Name, next.Bio, next.PhotoURL, next.Timezone, next.Languages = f.Name, f.Bio, f.PhotoURL, f.Timezone, f.Languages
		next.HideCountry, next.HideOrganization, next.HidePhoto = f.HideCountry, f.HideOrganization, f.HidePhoto
		return a.UpdateSpeaker(sp.speakerID, next)
	})
	if err != nil {
		return err
	}
	return s.respondSpeaker(c, a)
}

// greenRoom is the speaker's websocket feed: public changes and their stage messages.
func (s *Server) greenRoom(c echo.Context) error {
	sp := currentSpeaker(c)
	return s.feed(c, sp.eventID, live.Speaker, sp.speakerID, func(*http.Request) bool { return true })
}

// Invitations e-mails speakers their personal link; nil when e-mail is off.
type Invitations interface {
	Invite(ctx context.Context, a *agenda.Agenda, speakerID, link string) error
}

// invite gives a speaker a new personal link (revoking the old one), and
// e-mails it when e-mail is on and the speaker has an address.
func (s *Server) invite(c echo.Context) error {
	ctx := c.Request().Context()
	a, err := s.store.Agenda(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	speaker, err := a.Speaker(c.Param("objectID"))
	if err != nil {
		return err
	}
	id := store.NewID()
	token := s.cfg.Keys.Token(id)
	if _, err := s.store.IssueSpeakerToken(ctx, store.SpeakerToken{
		ID: id, EventID: a.Event.ID, SpeakerID: speaker.ID, TokenHash: auth.HashToken(token),
	}); err != nil {
		return err
	}
	link := s.publicURL(c, "/s/"+token)
	email := "off"
	switch {
	case s.cfg.Invitations == nil:
	case speaker.ContactEmail == "":
		email = "no address"
	default:
		email = "sent"
		if err := s.cfg.Invitations.Invite(ctx, a, speaker.ID, link); err != nil {
			s.log.Warn("invitation e-mail failed", "event", a.Event.ID, "speaker", speaker.ID, "err", err)
			email = "failed"
		}
	}
	return c.JSON(http.StatusCreated, map[string]any{
		"speaker_id": speaker.ID, "token": token, "url": link, "expires_at": a.Event.LinkExpiry(), "email": email,
	})
}

func (s *Server) revokeInvitation(c echo.Context) error {
	if err := s.store.RevokeSpeakerToken(c.Request().Context(), c.Param("id"), c.Param("objectID")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// publicURL makes an absolute URL on the public origin (or the request's own).
func (s *Server) publicURL(c echo.Context, path string) string {
	if s.cfg.PublicOrigin != "" {
		return strings.TrimRight(s.cfg.PublicOrigin, "/") + path
	}
	return c.Scheme() + "://" + c.Request().Host + path
}
