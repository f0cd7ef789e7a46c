package notify

import (
	"context"
	"errors"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/mail"
	"github.com/tribune-act/tribune/pkg/store"
)

// applicationMailer sends the confirmation request of the open call (*mail.Sender does).
type applicationMailer interface {
	SendApplication(ctx context.Context, n mail.ApplicationNotice) error
}

// ConfirmApplication e-mails an applicant the link that confirms their address,
// in the language they filled the form in.
func (n *Notifier) ConfirmApplication(ctx context.Context, e agenda.Event, app store.Application, link string, expires time.Time) error {
	m, ok := n.mailer.(applicationMailer)
	if !ok {
		return errors.New("notify: this mailer cannot send application confirmations")
	}
	var langs []string
	for _, l := range []string{app.Locale, app.SpeakerLanguage} {
		if l != "" {
			langs = append(langs, l)
		}
	}
	return m.SendApplication(ctx, mail.ApplicationNotice{
		To: app.ContactEmail, ContactName: app.ContactName, Organization: app.OrganizationName, Languages: langs,
		EventTitle: e.Title, EventTimezone: e.Timezone, EventURL: n.origin + "/e/" + e.Slug, Link: link, Expires: expires,
	})
}
