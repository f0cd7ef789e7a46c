package agenda

import "time"

// ReminderKind says why a speaker is reminded.
type ReminderKind string

const (
	// RemindUnanswered: the speaker has not answered the invitation.
	RemindUnanswered ReminderKind = "reminder_unanswered"
	// RemindUpcoming: the speaker's confirmed slot starts soon.
	RemindUpcoming ReminderKind = "reminder_upcoming"
)

// Reminder is one e-mail a speaker is due.
type Reminder struct {
	Kind      ReminderKind
	SpeakerID string
	SlotID    string
}

// ReminderPolicy says when speakers are reminded.
type ReminderPolicy struct {
	// UnansweredAfter is how long after the invitation an unanswered speaker is reminded.
	UnansweredAfter time.Duration
	// UpcomingBefore is how long before their slot a confirmed speaker is reminded.
	UpcomingBefore time.Duration
}

// DueReminders lists the reminders due at now: invited speakers who have not
// answered UnansweredAfter their invitation (invitedAt, by speaker), and
// confirmed speakers within UpcomingBefore of their slot's projected start.
// Declined speakers, skipped, done and running slots, and slots already past
// are never reminded. Whether one was already sent is the caller's record.
func (a *Agenda) DueReminders(now time.Time, invitedAt map[string]time.Time, p ReminderPolicy) []Reminder {
	var out []Reminder
	projected := map[string]SlotProjection{}
	for _, sp := range a.LiveView().Slots {
		projected[sp.SlotID] = sp
	}
	for _, s := range a.Slots {
		pr := projected[s.ID]
		if pr.Status != SlotPending || !now.Before(pr.ProjectedStart) {
			continue
		}
		for _, ss := range s.Speakers {
			switch ss.Status {
			case Invited:
				if at, ok := invitedAt[ss.SpeakerID]; ok && p.UnansweredAfter > 0 && !now.Before(at.Add(p.UnansweredAfter)) {
					out = append(out, Reminder{Kind: RemindUnanswered, SpeakerID: ss.SpeakerID, SlotID: s.ID})
				}
			case Confirmed:
				if p.UpcomingBefore > 0 && !now.Before(pr.ProjectedStart.Add(-p.UpcomingBefore)) {
					out = append(out, Reminder{Kind: RemindUpcoming, SpeakerID: ss.SpeakerID, SlotID: s.ID})
				}
			}
		}
	}
	return out
}
