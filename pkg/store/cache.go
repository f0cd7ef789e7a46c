package store

import (
	"sync"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// agendaCacheSize is how many events' agendas the cache keeps: the events
// being changed now, which an act has few of.
const agendaCacheSize = 64

// agendaCache keeps the last committed agenda of recently changed events, so
// that a change, or a read, at the current version does not load every row
// again. An entry serves only the version it holds, and the event's row, read
// first (and locked in a change), says which version is current: a change
// another instance committed is never hidden by it.
type agendaCache struct {
	mu      sync.Mutex
	entries map[string]*agenda.Agenda
	order   []string // event ids, oldest entry first
}

// get returns a copy of the event's agenda at version, or nil.
func (c *agendaCache) get(eventID string, version int64) *agenda.Agenda {
	c.mu.Lock()
	a := c.entries[eventID]
	c.mu.Unlock()
	if a == nil || a.Event.Version != version {
		return nil
	}
	cp := a.Clone()
	return &cp
}

// put keeps a copy of a committed agenda, forgetting the oldest entry when full.
func (c *agendaCache) put(a *agenda.Agenda) {
	cp := a.Clone()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]*agenda.Agenda{}
	}
	id := a.Event.ID
	if _, ok := c.entries[id]; !ok {
		c.order = append(c.order, id)
		if len(c.order) > agendaCacheSize {
			delete(c.entries, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.entries[id] = &cp
}
