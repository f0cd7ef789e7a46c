package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/store"
	"github.com/tribune-act/tribune/pkg/store/storetest"
)

func applicationFor(eventID, name, country, email string) store.Application {
	return store.Application{ID: store.NewID(), EventID: eventID, Status: agenda.AppUnconfirmed, ApplicationFields: agenda.ApplicationFields{
		OrganizationName: name, Country: country, Kind: agenda.OrgUnion, ContactName: "Contact", ContactEmail: email,
		Endorse: true, ShowPublicly: true, Consent: true, ConsentVersion: "1",
	}}
}

func TestApplicationsStore(t *testing.T) { storetest.Each(t, testApplicationsStore) }

func testApplicationsStore(t *testing.T, s *store.Store) {
	ctx := context.Background()
	u, a := newEvent(t, s)
	id := a.Event.ID

	// The call: closed until set; each edit raises its revision; invalid edits change nothing.
	call, err := s.Call(ctx, id)
	if err != nil || call.OpensAt != nil || call.ConsentVersion != "1" || call.Revision != 0 {
		t.Fatalf("default call %+v %v", call, err)
	}
	opens := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	call, err = s.EditCall(ctx, id, u.Email, func(c *agenda.Call) error { c.OpensAt = &opens; return nil })
	if err != nil || call.Revision != 1 {
		t.Fatalf("edited call %+v %v", call, err)
	}
	if _, err := s.EditCall(ctx, id, u.Email, func(c *agenda.Call) error { c.ConsentVersion = ""; return nil }); err == nil {
		t.Fatal("an invalid call was saved")
	}
	if call, _ = s.Call(ctx, id); call.Revision != 1 || !call.OpensAt.Equal(opens) {
		t.Fatalf("call after a refused edit %+v", call)
	}
	if _, err := s.EditCall(ctx, "nope", u.Email, func(*agenda.Call) error { return nil }); !errors.Is(err, agenda.ErrNotFound) {
		t.Fatalf("call of no event: %v", err)
	}

	// Limits per e-mail address and per queue; duplicates are noted.
	lim := store.SubmitLimits{PerEmail: 2, PerEmailWindow: time.Hour, Open: 4}
	first, err := s.SubmitApplication(ctx, applicationFor(id, "Union of Teachers", "UA", "a@example.org"), lim)
	if err != nil || first.DuplicateOf != "" {
		t.Fatalf("first %+v %v", first, err)
	}
	again, err := s.SubmitApplication(ctx, applicationFor(id, "UNION OF TEACHERS!", "UA", "b@example.org"), lim)
	if err != nil || again.DuplicateOf != first.ID {
		t.Fatalf("again %+v %v", again, err)
	}
	if _, err := s.SubmitApplication(ctx, applicationFor(id, "Other", "PL", "A@Example.org"), lim); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SubmitApplication(ctx, applicationFor(id, "Third", "PL", "a@example.org"), lim); !errors.Is(err, store.ErrEmailLimit) {
		t.Fatalf("third from one address: %v", err)
	}
	spam := applicationFor(id, "Union of Teachers", "UA", "bot@example.org")
	spam.Status = agenda.AppSpam
	if spam, err = s.SubmitApplication(ctx, spam, lim); err != nil || spam.DuplicateOf != "" {
		t.Fatalf("spam %+v %v", spam, err)
	}
	if _, err := s.SubmitApplication(ctx, applicationFor(id, "Fifth", "PL", "e@example.org"), lim); !errors.Is(err, store.ErrQueueFull) {
		t.Fatalf("a full queue: %v", err)
	}
	if _, total, _ := s.Applications(ctx, id, store.ApplicationFilter{Limit: 10}); total != 4 {
		t.Fatalf("%d stored, want 4", total)
	}

	// A confirmation token works once, and not after it expires.
	expires := time.Now().UTC().Add(time.Hour)
	withToken := applicationFor(id, "Confirmed", "DE", "c@example.org")
	withToken.ConfirmHash, withToken.ConfirmExpiresAt = "hash-1", &expires
	expired := applicationFor(id, "Expired", "DE", "d@example.org")
	past := time.Now().UTC().Add(-time.Minute)
	expired.ConfirmHash, expired.ConfirmExpiresAt = "hash-2", &past
	for _, app := range []store.Application{withToken, expired} {
		if _, err := s.SubmitApplication(ctx, app, store.SubmitLimits{}); err != nil {
			t.Fatal(err)
		}
	}
	if got, e, err := s.ApplicationByConfirmHash(ctx, "hash-1"); err != nil || got.ID != withToken.ID || e.Slug != "act" {
		t.Fatalf("by hash %+v %v", got, err)
	}
	got, _, err := s.ConfirmApplication(ctx, "hash-1")
	if err != nil || got.Status != agenda.AppPending || got.ConfirmedAt == nil || got.ConfirmHash != "" {
		t.Fatalf("confirmed %+v %v", got, err)
	}
	for _, hash := range []string{"hash-1", "hash-2", "nope"} {
		if _, _, err := s.ConfirmApplication(ctx, hash); !errors.Is(err, agenda.ErrNotFound) {
			t.Errorf("%s: %v", hash, err)
		}
	}

	// A decision that fails changes neither the agenda nor the application.
	v := a.Event.Version
	_, _, err = s.DecideApplication(ctx, id, first.ID, u.Email, "application.accept", func(ag *agenda.Agenda, app *store.Application) error {
		app.Status = agenda.AppAccepted
		if err := ag.AddOrganization("o1", agenda.OrganizationFields{Name: "Union of Teachers", Country: "UA", Kind: agenda.OrgUnion}); err != nil {
			return err
		}
		return errors.New("changed my mind")
	})
	if err == nil {
		t.Fatal("a failed decision succeeded")
	}
	if ag, _ := s.Agenda(ctx, id); ag.Event.Version != v || len(ag.Organizations) != 0 {
		t.Fatalf("a failed decision changed the agenda: %+v", ag)
	}
	if app, _ := s.Application(ctx, id, first.ID); app.Status != agenda.AppUnconfirmed {
		t.Fatalf("a failed decision changed the application: %+v", app)
	}
	// One that succeeds is one version.
	var changes []int64
	s.OnCommit(func(_ *agenda.Agenda, c agenda.Change) { changes = append(changes, c.Version) })
	app, change, err := s.DecideApplication(ctx, id, first.ID, u.Email, "application.accept", func(ag *agenda.Agenda, app *store.Application) error {
		made, err := ag.AcceptApplication(app.ApplicationFields, agenda.Acceptance{NewOrganizationID: store.NewID()})
		app.Status, app.OrganizationID = agenda.AppAccepted, made.OrganizationID
		return err
	})
	if err != nil || change == nil || change.Version != v+1 || fmt.Sprint(changes) != fmt.Sprint([]int64{v + 1}) || app.Status != agenda.AppAccepted {
		t.Fatalf("decision %+v %+v %v (published %v)", app, change, err, changes)
	}
	// Endorsers follow the agenda's organization.
	if _, _, err := s.Change(ctx, id, u.Email, "organization.update", func(ag *agenda.Agenda) error {
		return ag.UpdateOrganization(app.OrganizationID, agenda.OrganizationFields{Name: "Teachers' Union", Country: "UA", Kind: agenda.OrgUnion})
	}); err != nil {
		t.Fatal(err)
	}
	shown, anonymous, err := s.Endorsers(ctx, id)
	if err != nil || anonymous != 0 || len(shown) != 1 || shown[0].Name != "Teachers' Union" {
		t.Fatalf("endorsers %+v %d %v", shown, anonymous, err)
	}

	// Declines and merges lock and save several applications at once.
	apps, err := s.UpdateApplications(ctx, id, []string{again.ID, first.ID}, func(apps []*store.Application) error {
		if apps[0].ID != again.ID || apps[1].ID != first.ID {
			t.Errorf("order %s %s", apps[0].ID, apps[1].ID)
		}
		apps[0].Status, apps[0].MergedInto = agenda.AppMerged, apps[1].ID
		return nil
	})
	if err != nil || apps[0].Status != agenda.AppMerged {
		t.Fatalf("merge %+v %v", apps, err)
	}
	if _, err := s.UpdateApplications(ctx, id, []string{again.ID, "nope"}, func([]*store.Application) error { return nil }); !errors.Is(err, agenda.ErrNotFound) {
		t.Fatalf("update of a missing application: %v", err)
	}

	// Clearing takes only the statuses and times asked for, and unlinks duplicates.
	since := time.Now().UTC().Add(-time.Hour)
	n, err := s.ClearApplications(ctx, id, []agenda.ApplicationStatus{agenda.AppUnconfirmed, agenda.AppSpam}, since, nil)
	if err != nil || n != 3 { // "Other", spam, "Expired"
		t.Fatalf("cleared %d %v", n, err)
	}
	list, total, err := s.Applications(ctx, id, store.ApplicationFilter{Limit: 10})
	if err != nil || total != 3 {
		t.Fatalf("left %+v %v", list, err)
	}
	for _, app := range list {
		if app.Status == agenda.AppUnconfirmed || app.Status == agenda.AppSpam {
			t.Errorf("left %+v", app)
		}
	}
	if n, _ := s.ClearApplications(ctx, id, []agenda.ApplicationStatus{agenda.AppPending}, time.Now().UTC().Add(time.Hour), nil); n != 0 {
		t.Fatalf("cleared %d from the future", n)
	}
	// Deleting the event deletes its call and applications.
	if err := s.DeleteEvent(ctx, id, nil); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := s.Applications(ctx, id, store.ApplicationFilter{Limit: 10}); total != 0 {
		t.Fatalf("%d applications outlive their event", total)
	}
}
