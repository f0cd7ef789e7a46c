package agenda_test

import (
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// rally builds a small agenda for tests: stages, then slots in running order on
// each stage, speakers and organizations.
type rally struct{ a agenda.Agenda }

// newRally starts an event at start (RFC 3339) in the event timezone tz.
func newRally(start, tz string) *rally {
	r := &rally{}
	r.a.Event.ID = "ev"
	r.a.Event.Slug = "rally"
	r.a.Event.Title = "Rally"
	r.a.Event.StartsAt = rallyTime(start)
	r.a.Event.Timezone = tz
	return r
}

// rallyTime parses an RFC 3339 instant or panics.
func rallyTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func (r *rally) endsAt(s string) *rally {
	t := rallyTime(s)
	r.a.Event.EndsAt = &t
	return r
}

func (r *rally) waking(from, to string) *rally {
	r.a.Event.WakingHours = agenda.WakingHours{From: from, To: to}
	return r
}

func (r *rally) stage(id string) *rally {
	st := agenda.Stage{ID: id, Position: len(r.a.Stages)}
	st.Name = id
	r.a.Stages = append(r.a.Stages, st)
	return r
}

// slotOption sets something on a slot being added.
type slotOption func(*agenda.Slot)

// pinnedAt pins the slot's start to an RFC 3339 instant.
func pinnedAt(s string) slotOption {
	return func(sl *agenda.Slot) {
		t := rallyTime(s)
		sl.PinnedStart = &t
	}
}

// heldBy assigns a speaker with an answer to the invitation.
func heldBy(speakerID string, status agenda.Invitation) slotOption {
	return func(sl *agenda.Slot) {
		sl.Speakers = append(sl.Speakers, agenda.SlotSpeaker{SpeakerID: speakerID, Role: agenda.RoleSpeaker, Status: status})
	}
}

// slot adds a slot titled id at the end of the stage's running order.
func (r *rally) slot(id, stageID string, d time.Duration, opts ...slotOption) *rally {
	n := 0
	for _, s := range r.a.Slots {
		if s.StageID == stageID {
			n++
		}
	}
	s := agenda.Slot{ID: id, StageID: stageID, Position: n}
	s.Kind = agenda.KindSpeech
	s.Title = id
	s.DurationSeconds = int(d / time.Second)
	for _, o := range opts {
		o(&s)
	}
	r.a.Slots = append(r.a.Slots, s)
	return r
}

func (r *rally) speaker(id, name, country, tz, orgID string) *rally {
	sp := agenda.Speaker{ID: id}
	sp.Name, sp.Country, sp.Timezone, sp.OrganizationID = name, country, tz, orgID
	r.a.Speakers = append(r.a.Speakers, sp)
	return r
}

func (r *rally) org(id, name string) *rally {
	o := agenda.Organization{ID: id}
	o.Name = name
	r.a.Organizations = append(r.a.Organizations, o)
	return r
}

// build normalizes the agenda and returns it.
func (r *rally) build() *agenda.Agenda {
	r.a.Normalize()
	return &r.a
}
