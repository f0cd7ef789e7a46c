// Package live fans committed changes out to websocket subscribers: one topic
// per event, changes in version order, each message encoded once per broadcast,
// a bounded queue per subscriber, and resume from a window of recent changes or
// the change log (DESIGN invariants 4–6).
package live

import (
	"encoding/json"
	"time"

	"github.com/gorilla/websocket"
	"github.com/tribune-act/tribune/pkg/agenda"
)

// View is what a subscriber may see.
type View int

const (
	// Public is the viewers' feed: the public agenda and its changes.
	Public View = iota
	// Organizer is the console's feed: every field, warnings and stage messages.
	Organizer
	// Speaker is a green room: the public feed plus stage messages to that speaker.
	Speaker
)

// changeMessage is {"type":"change",…} of DESIGN.md's websocket feed.
type changeMessage struct {
	Type       string    `json:"type"`
	Version    int64     `json:"version"`
	ServerTime time.Time `json:"server_time"`
	agenda.Delta
	// Warnings, when present, replace the organizer's list (an empty list clears it).
	Warnings *[]agenda.Warning `json:"warnings,omitempty"`
}

// snapshotMessage is {"type":"snapshot",…}: the agenda at one version.
type snapshotMessage struct {
	Type       string           `json:"type"`
	Version    int64            `json:"version"`
	ServerTime time.Time        `json:"server_time"`
	Agenda     json.RawMessage  `json:"agenda"`
	Warnings   []agenda.Warning `json:"warnings,omitempty"`
}

func prepare(v any) (*websocket.PreparedMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return websocket.NewPreparedMessage(websocket.TextMessage, b)
}

// frame is one change, encoded once for each view.
type frame struct {
	version   int64
	made      time.Time // when the hub began encoding it (zero for one read back from the log)
	public    *websocket.PreparedMessage
	organizer *websocket.PreparedMessage
	change    agenda.Change
	// greenRoom holds, per addressed speaker, the public change plus their messages.
	greenRoom map[string]*websocket.PreparedMessage
}

// newFrame encodes a change. warnings may be nil (a change replayed from the log).
func newFrame(c agenda.Change, warnings []agenda.Warning, now time.Time) (*frame, error) {
	f := &frame{version: c.Version, change: c}
	var err error
	if f.public, err = prepare(changeMessage{Type: "change", Version: c.Version, ServerTime: now, Delta: publicOnly(c.Public)}); err != nil {
		return nil, err
	}
	org := changeMessage{Type: "change", Version: c.Version, ServerTime: now, Delta: c.Private}
	if warnings != nil {
		org.Warnings = &warnings
	}
	if f.organizer, err = prepare(org); err != nil {
		return nil, err
	}
	for _, m := range c.Private.Messages {
		for _, sp := range m.SpeakerIDs {
			if f.greenRoom == nil {
				f.greenRoom = map[string]*websocket.PreparedMessage{}
			}
			if _, done := f.greenRoom[sp]; done {
				continue
			}
			d := publicOnly(c.Public)
			d.Messages = messagesTo(c.Private.Messages, sp)
			if f.greenRoom[sp], err = prepare(changeMessage{Type: "change", Version: c.Version, ServerTime: now, Delta: d}); err != nil {
				return nil, err
			}
		}
	}
	return f, nil
}

// publicOnly guarantees that no stage message rides on a public delta.
func publicOnly(d agenda.Delta) agenda.Delta {
	d.Messages = nil
	return d
}

func messagesTo(all []agenda.StageMessage, speakerID string) []agenda.StageMessage {
	var out []agenda.StageMessage
	for _, m := range all {
		for _, id := range m.SpeakerIDs {
			if id == speakerID {
				out = append(out, m)
			}
		}
	}
	return out
}

// message returns the encoding of the frame for a subscriber.
func (f *frame) message(view View, speakerID string) *websocket.PreparedMessage {
	switch view {
	case Organizer:
		return f.organizer
	case Speaker:
		if pm, ok := f.greenRoom[speakerID]; ok {
			return pm
		}
	}
	return f.public
}
