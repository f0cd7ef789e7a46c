package httpapi_test

import (
	"context"
	"testing"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// confirm records a speaker's confirmation straight through the store.
func confirm(t *testing.T, h *harness, eventID, slotID, speakerID string) {
	t.Helper()
	_, _, err := h.store.Change(context.Background(), eventID, "speaker", "slot.confirm", func(a *agenda.Agenda) error {
		return a.Answer(slotID, speakerID, agenda.Confirmed, "")
	})
	if err != nil {
		t.Fatal(err)
	}
}
