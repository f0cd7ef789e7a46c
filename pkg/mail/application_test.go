package mail

import (
	"strings"
	"testing"
	"time"
)

func applicationNotice(lang string) ApplicationNotice {
	return ApplicationNotice{
		To: "lucia@example.org", ContactName: "Lucía", Organization: "Sindicato\r\nBcc: x@example.org", Languages: []string{lang},
		EventTitle: "Peace now", EventTimezone: "Europe/Berlin", EventURL: "https://act.example.org/e/peace",
		Link: "https://act.example.org/e/peace/join?confirm=apc_secret", Expires: time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC),
	}
}

// TestRenderApplicationInEveryLanguage: every language of the speakers' e-mail
// has the confirmation request, with the link, the expiry in the event's
// timezone, and user text kept on one line.
func TestRenderApplicationInEveryLanguage(t *testing.T) {
	english, err := RenderApplication(applicationNotice("en"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range supported {
		lang := tag.String()
		if _, ok := applicationTranslations[lang]; !ok {
			t.Errorf("no confirmation request in %s", lang)
			continue
		}
		r, err := RenderApplication(applicationNotice(lang))
		if err != nil {
			t.Fatal(err)
		}
		if r.Language != lang || (lang != "en" && r.Subject == english.Subject) {
			t.Errorf("%s: rendered in %s: %q", lang, r.Language, r.Subject)
		}
		if !strings.Contains(r.Text, "join?confirm=apc_secret") || !strings.Contains(r.Text, "13:00") ||
			!strings.Contains(r.Text, "Sindicato Bcc: x@example.org") || strings.ContainsAny(r.Subject, "\r\n") {
			t.Errorf("%s:\n%s\n%s", lang, r.Subject, r.Text)
		}
	}
	if _, err := RenderApplication(ApplicationNotice{EventTimezone: "UTC"}); err == nil {
		t.Error("a notice without a link rendered")
	}
}
