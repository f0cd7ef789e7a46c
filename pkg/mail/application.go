package mail

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"
)

// ApplicationNotice asks someone who answered an act's open call to confirm their
// e-mail address.
type ApplicationNotice struct {
	To          string
	ContactName string
	// Organization is the applying organization's name (or the person's).
	Organization string
	// Languages are BCP 47 tags, in preference order: the form's language first.
	Languages     []string
	EventTitle    string
	EventTimezone string
	EventURL      string
	// Link confirms the address, once. It is a secret: it goes into the text only.
	Link    string
	Expires time.Time
}

// applicationTexts is one language's wording of the confirmation request.
type applicationTexts struct {
	subject string // %[1]s: event
	intro   string // %[1]s: organization, %[2]s: event
	prompt  string // followed by the link
	expires string // %[1]s: date and time
	ignore  string
}

// applicationTranslations is keyed like translations, and has the same languages.
var applicationTranslations = map[string]applicationTexts{
	"en": {
		subject: "Please confirm your application to %[1]s",
		intro:   "We have received the application of %[1]s to %[2]s.",
		prompt:  "Please confirm your e-mail address here:",
		expires: "This link works once, until %[1]s.",
		ignore:  "If you did not apply, please ignore this message.",
	},
	"es": {
		subject: "Confirme su solicitud para %[1]s",
		intro:   "Hemos recibido la solicitud de %[1]s para %[2]s.",
		prompt:  "Por favor, confirme su dirección de correo electrónico aquí:",
		expires: "Este enlace funciona una sola vez. Caduca: %[1]s.",
		ignore:  "Si usted no envió esta solicitud, ignore este mensaje.",
	},
	"fr": {
		subject: "Confirmez votre demande pour %[1]s",
		intro:   "Nous avons reçu la demande de %[1]s pour %[2]s.",
		prompt:  "Veuillez confirmer votre adresse e-mail ici :",
		expires: "Ce lien ne fonctionne qu’une fois. Il expire : %[1]s.",
		ignore:  "Si vous n’avez rien demandé, ignorez ce message.",
	},
	"de": {
		subject: "Bitte bestätigen Sie Ihre Anmeldung zu %[1]s",
		intro:   "Wir haben die Anmeldung von %[1]s zu %[2]s erhalten.",
		prompt:  "Bitte bestätigen Sie Ihre E-Mail-Adresse hier:",
		expires: "Der Link funktioniert nur einmal. Gültig bis: %[1]s.",
		ignore:  "Wenn Sie sich nicht angemeldet haben, ignorieren Sie diese Nachricht bitte.",
	},
	"pt": {
		subject: "Confirme a sua candidatura a %[1]s",
		intro:   "Recebemos a candidatura de %[1]s a %[2]s.",
		prompt:  "Confirme o seu endereço de e-mail aqui:",
		expires: "Este link só funciona uma vez. Expira em: %[1]s.",
		ignore:  "Se não se candidatou, ignore esta mensagem.",
	},
	"ru": {
		subject: "Подтвердите заявку: %[1]s",
		intro:   "Мы получили заявку от %[1]s (%[2]s).",
		prompt:  "Пожалуйста, подтвердите адрес электронной почты по ссылке:",
		expires: "Ссылка действует один раз, до %[1]s.",
		ignore:  "Если вы не подавали заявку, просто проигнорируйте это письмо.",
	},
	"uk": {
		subject: "Підтвердьте заявку: %[1]s",
		intro:   "Ми отримали заявку від %[1]s (%[2]s).",
		prompt:  "Будь ласка, підтвердьте адресу електронної пошти за посиланням:",
		expires: "Посилання діє один раз, до %[1]s.",
		ignore:  "Якщо ви не подавали заявку, просто проігноруйте цей лист.",
	},
	"ar": {
		subject: "يرجى تأكيد طلبك: %[1]s",
		intro:   "تلقّينا طلب %[1]s (%[2]s).",
		prompt:  "يرجى تأكيد عنوان بريدك الإلكتروني من هنا:",
		expires: "يعمل هذا الرابط مرة واحدة فقط، حتى %[1]s.",
		ignore:  "إذا لم تقدّم هذا الطلب، فتجاهل هذه الرسالة.",
	},
}

// RenderApplication builds the confirmation request in the best language we
// have for the applicant, with the expiry in the event's timezone.
func RenderApplication(n ApplicationNotice) (Rendered, error) {
	if n.Link == "" {
		return Rendered{}, errors.New("mail: application notice has no link")
	}
	loc, err := time.LoadLocation(n.EventTimezone)
	if n.EventTimezone == "" || err != nil {
		return Rendered{}, fmt.Errorf("mail: event timezone %q is not an IANA timezone", n.EventTimezone)
	}
	lang := Language(n.Languages)
	t, at := translations[lang], applicationTranslations[lang]
	event, org := oneLine(n.EventTitle), oneLine(n.Organization)

	var b strings.Builder
	line := func(s string) { b.WriteString(s); b.WriteByte('\n') }
	if name := oneLine(n.ContactName); name != "" {
		line(fmt.Sprintf(t.greeting, name))
	} else {
		line(t.greetingNoName)
	}
	line("")
	line(fmt.Sprintf(at.intro, org, event))
	line(at.prompt)
	line(n.Link)
	line(fmt.Sprintf(at.expires, t.dateTime(n.Expires.In(loc))))
	line("")
	line(at.ignore)
	if u := oneLine(n.EventURL); u != "" {
		line("")
		line(t.eventPage + " " + u)
	}
	if event != "" {
		line("")
		line("— " + event)
	}
	return Rendered{Subject: fmt.Sprintf(at.subject, event), Text: b.String(), Language: lang}, nil
}

// SendApplication renders and delivers a confirmation request. Errors never
// contain the link.
func (s *Sender) SendApplication(ctx context.Context, n ApplicationNotice) error {
	to, err := netmail.ParseAddress(n.To)
	if err != nil {
		return fmt.Errorf("mail: recipient is not an address: %w", err)
	}
	r, err := RenderApplication(n)
	if err != nil {
		return err
	}
	return s.deliver(ctx, to, r, "application confirmation")
}
