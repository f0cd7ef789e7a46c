// Package notify tells speakers by e-mail: the invitation with their personal
// link, and the reminders that fall due (each sent once, recorded in the store).
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/auth"
	"github.com/tribune-act/tribune/pkg/mail"
	"github.com/tribune-act/tribune/pkg/store"
)

// Mailer sends one notice.
type Mailer interface {
	Send(ctx context.Context, n mail.Notice) error
}

// Notifier sends speakers their invitations and reminders.
type Notifier struct {
	store  *store.Store
	mailer Mailer
	keys   auth.SpeakerKeys
	origin string
	policy agenda.ReminderPolicy
	log    *slog.Logger
}

// New returns a notifier. origin is the public scheme://host the links point to.
func New(st *store.Store, mailer Mailer, keys auth.SpeakerKeys, origin string, policy agenda.ReminderPolicy, log *slog.Logger) *Notifier {
	return &Notifier{store: st, mailer: mailer, keys: keys, origin: strings.TrimRight(origin, "/"), policy: policy, log: log}
}

// Invite e-mails a speaker their personal link with every slot they hold.
func (n *Notifier) Invite(ctx context.Context, a *agenda.Agenda, speakerID, link string) error {
	var slots []string
	for _, s := range a.Slots {
		for _, ss := range s.Speakers {
			if ss.SpeakerID == speakerID && ss.Status != agenda.Declined {
				slots = append(slots, s.ID)
			}
		}
	}
	notice, err := n.notice(a, speakerID, mail.KindInvitation, slots, link)
	if err != nil {
		return err
	}
	return n.mailer.Send(ctx, notice)
}

// Tick sends every reminder due at now that was not sent before, and returns how many it sent.
func (n *Notifier) Tick(ctx context.Context, now time.Time) (int, error) {
	events, err := n.store.RunningEvents(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, e := range events {
		k, err := n.remind(ctx, e.ID, now)
		sent += k
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

func (n *Notifier) remind(ctx context.Context, eventID string, now time.Time) (int, error) {
	a, err := n.store.Agenda(ctx, eventID)
	if err != nil {
		return 0, err
	}
	links, err := n.store.SpeakerTokens(ctx, eventID)
	if err != nil {
		return 0, err
	}
	invitedAt := make(map[string]time.Time, len(links))
	for id, t := range links {
		invitedAt[id] = t.CreatedAt
	}
	sent := 0
	for _, r := range a.DueReminders(now, invitedAt, n.policy) {
		link, ok := links[r.SpeakerID]
		sp, err := a.Speaker(r.SpeakerID)
		if !ok || err != nil || sp.ContactEmail == "" {
			continue // no way to reach them; the console shows the warnings
		}
		claimed, err := n.store.ClaimReminder(ctx, eventID, r)
		if err != nil {
			return sent, err
		}
		if !claimed {
			continue
		}
		notice, err := n.notice(a, r.SpeakerID, mail.Kind(r.Kind), []string{r.SlotID}, n.origin+"/s/"+n.keys.Token(link.ID))
		if err == nil {
			err = n.mailer.Send(ctx, notice)
		}
		if err != nil {
			n.log.Warn("reminder not sent; will retry", "event", eventID, "speaker", r.SpeakerID, "kind", r.Kind, "err", err)
			if rerr := n.store.ReleaseReminder(ctx, eventID, r); rerr != nil {
				return sent, rerr
			}
			continue
		}
		sent++
	}
	return sent, nil
}

// Run sends due reminders every interval until ctx ends.
func (n *Notifier) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := n.Tick(ctx, time.Now().UTC()); err != nil && ctx.Err() == nil {
			n.log.Error("reminders", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// notice describes slots of a speaker's for an e-mail, with projected times.
func (n *Notifier) notice(a *agenda.Agenda, speakerID string, kind mail.Kind, slotIDs []string, link string) (mail.Notice, error) {
	sp, err := a.Speaker(speakerID)
	if err != nil {
		return mail.Notice{}, err
	}
	projected := map[string]agenda.SlotProjection{}
	for _, p := range a.LiveView().Slots {
		projected[p.SlotID] = p
	}
	out := mail.Notice{
		Kind: kind, To: sp.ContactEmail, SpeakerName: sp.Name, Languages: sp.Languages, SpeakerTimezone: sp.Timezone,
		EventTitle: a.Event.Title, EventTimezone: a.Event.Timezone, EventURL: n.origin + "/e/" + a.Event.Slug,
		Link: link, UID: a.Event.ID,
	}
	for _, id := range slotIDs {
		s, err := a.Slot(id)
		if err != nil {
			return mail.Notice{}, fmt.Errorf("notify: %w", err)
		}
		stage, _ := a.Stage(s.StageID)
		role := agenda.RoleSpeaker
		for _, ss := range s.Speakers {
			if ss.SpeakerID == speakerID {
				role = ss.Role
			}
		}
		p := projected[id]
		out.Slots = append(out.Slots, mail.NoticeSlot{ID: s.ID, Title: s.Title, Stage: stage.Name, Start: p.ProjectedStart, End: p.ProjectedEnd, Role: role})
	}
	return out, nil
}
