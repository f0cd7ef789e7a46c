package browsertest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/quotedprintable"
	netmail "net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/auth"
	"github.com/tribune-act/tribune/pkg/httpapi"
	"github.com/tribune-act/tribune/pkg/mail/mailtest"
	"github.com/tribune-act/tribune/pkg/notify"
)

// withMail wires the server's e-mail to a real SMTP server of the test.
func withMail(t *testing.T) (*mailtest.Server, func(*httpapi.Config)) {
	t.Helper()
	box := mailtest.Start(t)
	keys, err := auth.NewSpeakerKeys(secret)
	if err != nil {
		t.Fatal(err)
	}
	n := notify.New(nil, box.Sender(t), keys, "http://127.0.0.1", agenda.ReminderPolicy{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return box, func(c *httpapi.Config) { c.Confirmations = n; c.Invitations = n }
}

var confirmPattern = regexp.MustCompile(`confirm=(apc_[A-Za-z0-9_-]+)`)

// confirmToken waits for the n-th e-mail and returns the confirmation token in it.
func confirmToken(t *testing.T, box *mailtest.Server, n int, to string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(box.Received()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("e-mail %d never came (%d received)", n, len(box.Received()))
		}
		time.Sleep(50 * time.Millisecond)
	}
	m := box.Received()[n-1]
	if len(m.To) != 1 || m.To[0] != to {
		t.Fatalf("e-mail %d went to %v, want %s", n, m.To, to)
	}
	msg, err := netmail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(msg.Body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	got := confirmPattern.FindStringSubmatch(string(text))
	if got == nil {
		t.Fatalf("no confirmation link in:\n%s", text)
	}
	return got[1]
}

// openCall opens the demo act's call an hour ago, until closes (nil: no end).
func (s *server) openCall(closes *time.Time) {
	s.t.Helper()
	s.api("PATCH", "/api/v1/events/"+s.event+"/call", map[string]any{
		"opens_at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "closes_at": closes,
	}, nil)
}

// setFields fills the join form's fields by name, as typing and choosing would.
func setFields(t *testing.T, ctx context.Context, fields map[string]string) {
	t.Helper()
	for name, v := range fields {
		js := fmt.Sprintf(`(el => {
			if (!el) return false;
			const proto = el.tagName === "SELECT" ? HTMLSelectElement.prototype : el.tagName === "TEXTAREA" ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
			Object.getOwnPropertyDescriptor(proto, "value").set.call(el, %q);
			el.dispatchEvent(new Event("input", {bubbles: true}));
			el.dispatchEvent(new Event("change", {bubbles: true}));
			return true })(document.querySelector('form.join [name=%q]'))`, v, name)
		if !eval[bool](t, ctx, js) {
			t.Fatalf("the form has no field %q", name)
		}
	}
}

// tick sets a checkbox of the join form by clicking it.
func tick(t *testing.T, ctx context.Context, name string, on bool) {
	t.Helper()
	sel := `form.join input[name=` + name + `]`
	if eval[bool](t, ctx, `document.querySelector("`+sel+`").checked`) != on {
		do(t, ctx, "clicking "+name, chromedp.Click(chromedp.CSS(sel)))
	}
	waitFor(t, ctx, time.Second, name+" is set", fmt.Sprintf(`document.querySelector("%s").checked === %v`, sel, on))
}

// acceptInConsole accepts the application of org in the console's open call
// tab, with a speaker and an invited slot on stageID when it is not empty.
func acceptInConsole(t *testing.T, ctx context.Context, s *server, org, stageID string) {
	t.Helper()
	card := fmt.Sprintf(`[...document.querySelectorAll(".apps .app")].find(li => li.querySelector(".orgname").textContent === %q)`, org)
	do(t, ctx, "opening the open call tab", chromedp.Navigate(s.URL+"/admin/e/"+s.event+"/call"), chromedp.WaitVisible(`.apps`))
	waitFor(t, ctx, 5*time.Second, "the queue lists "+org, card+` !== undefined`)
	eval[bool](t, ctx, `(li => { [...li.querySelectorAll("button")].find(b => b.textContent.startsWith("Accept")).click(); return true })(`+card+`)`)
	waitFor(t, ctx, 2*time.Second, "the accept form opens", card+`.querySelector("form.decision") !== null`)
	if stageID != "" {
		eval[bool](t, ctx, fmt.Sprintf(`(sel => { sel.value = %q; sel.dispatchEvent(new Event("change", {bubbles: true})); return true })(%s.querySelector("select[name=stage_id]"))`, stageID, card))
		waitFor(t, ctx, time.Second, "the slot fields show", card+`.querySelector("input[name=slot_title]") !== null`)
	}
	eval[bool](t, ctx, card+`.querySelector("form.decision button[type=submit]").click() || true`)
	waitFor(t, ctx, 5*time.Second, org+" leaves the queue", card+` === undefined`)
}

// Organizations answer the call in Spanish and in Ukrainian, confirm their
// addresses from the e-mail, an organizer accepts them in the console, and the
// viewer page lists them as endorsers; a server-side error shows at its field;
// a call that closes while the form is open says so.
func TestJoinInTwoLanguages(t *testing.T) {
	requireBrowser(t)
	box, mail := withMail(t)
	s := startServerWith(t, mail)
	s.openCall(nil)
	ctx := browser(t)

	// Spanish.
	do(t, ctx, "opening the join page in Spanish", chromedp.Navigate(s.URL+"/e/demo/join?lang=es"), chromedp.WaitVisible(`form.join`))
	if got := eval[string](t, ctx, `document.querySelector("h1").textContent`); got != "Adherir al acto o pedir la palabra" {
		t.Errorf("the Spanish title is %q", got)
	}
	axe(t, ctx, "the join page")
	if eval[bool](t, ctx, `(el => { el.focus(); return document.activeElement === el })(document.querySelector("input[name=fax]"))`) {
		t.Error("the honeypot can take the focus")
	}
	if r := eval[[]float64](t, ctx, `(r => [r.x, r.width])(document.querySelector("input[name=fax]").getBoundingClientRect())`); r[0]+r[1] > 0 {
		t.Errorf("the honeypot is on screen at x=%v", r[0])
	}
	// A client-side hint first: nothing filled in.
	do(t, ctx, "sending an empty form", chromedp.Click(chromedp.CSS(`form.join button[type=submit]`)))
	waitFor(t, ctx, 2*time.Second, "the hints show", `document.querySelector('[data-field=organization_name] .field-error')?.textContent === "Este campo es obligatorio."`)

	const esOrg = "Confederación Sindical Española por la Paz"
	setFields(t, ctx, map[string]string{
		"organization_name": esOrg, "country": "ES", "kind": "union", "contact_name": "Lucía Pérez",
		"website": "javascript:window.__xss=1", "note": "Podemos traducir al portugués.",
	})
	do(t, ctx, "typing the e-mail address", chromedp.SendKeys(chromedp.CSS(`form.join input[name=contact_email]`), "lucia@sindicato.example.es"))
	tick(t, ctx, "consent", true)
	// The server refuses the website: its message shows next to the field.
	do(t, ctx, "sending", chromedp.Click(chromedp.CSS(`form.join button[type=submit]`)))
	waitFor(t, ctx, 3*time.Second, "the server's error shows at the website",
		`document.querySelector('[data-field=website] .field-error')?.textContent.startsWith("Escriba una dirección web")`)
	if n := eval[int](t, ctx, `document.querySelectorAll(".field-error").length`); n != 1 {
		t.Errorf("%d field errors show, want only the website's", n)
	}
	if eval[bool](t, ctx, `window.__xss !== undefined`) {
		t.Fatal("the javascript: URL ran")
	}
	screenshots(t, ctx, "join-error", phone)
	setFields(t, ctx, map[string]string{"website": "https://sindicato.example.es/paz"})
	do(t, ctx, "sending again", chromedp.Click(chromedp.CSS(`form.join button[type=submit]`)))
	waitFor(t, ctx, 3*time.Second, "the Spanish thanks", `document.querySelector(".thanks h2")?.textContent === "¡Gracias!" && document.querySelector(".thanks").textContent.includes("lucia@sindicato.example.es")`)
	screenshots(t, ctx, "join-thanks", phone)

	// The link in the e-mail: it shows what it confirms, and confirms on the button only.
	token := confirmToken(t, box, 1, "lucia@sindicato.example.es")
	do(t, ctx, "opening the confirmation link", chromedp.Navigate(s.URL+"/e/demo/join?lang=es&confirm="+token), chromedp.WaitVisible(`.confirm button.primary`))
	if got := eval[string](t, ctx, `document.querySelector(".confirm p").textContent`); !strings.Contains(got, esOrg) {
		t.Errorf("the confirmation page says %q", got)
	}
	axe(t, ctx, "the confirmation page")
	do(t, ctx, "confirming", chromedp.Click(chromedp.CSS(`.confirm button.primary`)))
	waitFor(t, ctx, 3*time.Second, "the address is confirmed", `document.querySelector(".confirm .ok")?.textContent.startsWith("Gracias: la dirección está confirmada")`)

	// Ukrainian, asking for a speaking slot.
	const ukOrg = "Київська спілка за мир"
	do(t, ctx, "opening the join page in Ukrainian", chromedp.Navigate(s.URL+"/e/demo/join?lang=uk"), chromedp.WaitVisible(`form.join`))
	if got := eval[string](t, ctx, `document.documentElement.lang + " " + document.querySelector("h1").textContent`); got != "uk Підтримати акцію або попросити слово" {
		t.Errorf("the Ukrainian page: %q", got)
	}
	if got := eval[string](t, ctx, `document.querySelector("select[name=country] option[value=UA]").textContent`); got != "Україна" {
		t.Errorf("Ukraine is called %q in Ukrainian", got)
	}
	setFields(t, ctx, map[string]string{
		"organization_name": ukOrg, "country": "UA", "kind": "movement", "contact_name": "Олена Коваленко",
		"contact_email": "olena@myr.example.org", "website": "https://myr.example.org",
	})
	tick(t, ctx, "wants_slot", true)
	setFields(t, ctx, map[string]string{"speaker_name": "Олена К.", "speaker_language": "uk", "speaker_timezone": "Europe/Paris"})
	tick(t, ctx, "consent", true)
	if got := eval[string](t, ctx, `document.querySelector("select[name=speaker_timezone]").value`); got != "Europe/Paris" {
		t.Errorf("the speaker's time zone is %q", got)
	}
	axe(t, ctx, "the join page with a speaker")
	screenshots(t, ctx, "join-uk")
	do(t, ctx, "sending", chromedp.Click(chromedp.CSS(`form.join button[type=submit]`)))
	waitFor(t, ctx, 3*time.Second, "the Ukrainian thanks", `document.querySelector(".thanks h2")?.textContent === "Дякуємо!"`)
	token = confirmToken(t, box, 2, "olena@myr.example.org")
	do(t, ctx, "confirming in Ukrainian", chromedp.Navigate(s.URL+"/e/demo/join?lang=uk&confirm="+token), chromedp.WaitVisible(`.confirm button.primary`),
		chromedp.Click(chromedp.CSS(`.confirm button.primary`)))
	waitFor(t, ctx, 3*time.Second, "the Ukrainian address is confirmed", `document.querySelector(".confirm .ok") !== null`)

	// The organizer accepts both in the console; the Ukrainian one with a speaker and a slot.
	signIn(t, ctx, s)
	main := s.agenda().Stages[0]
	acceptInConsole(t, ctx, s, esOrg, "")
	axe(t, ctx, "the console's open call")
	screenshots(t, ctx, "console-call", desktop)
	acceptInConsole(t, ctx, s, ukOrg, main.ID)
	a := s.agenda()
	var org agenda.Organization
	for _, o := range a.Organizations {
		if o.Name == ukOrg {
			org = o
		}
	}
	if org.ID == "" {
		t.Fatalf("accepting made no organization %q", ukOrg)
	}
	sp := speakerByName(t, a, "Олена К.")
	if sp.OrganizationID != org.ID || sp.Country != "UA" {
		t.Errorf("the new speaker: %+v", sp)
	}
	invited := false
	for _, sl := range a.StageSlots(main.ID) {
		for _, ss := range sl.Speakers {
			invited = invited || (ss.SpeakerID == sp.ID && ss.Status == agenda.Invited)
		}
	}
	if !invited {
		t.Error("no invited slot for the new speaker on the main stage")
	}

	// The viewer lists the endorsers by country.
	do(t, ctx, "opening the viewer", chromedp.Navigate(s.URL+"/e/demo"), chromedp.WaitVisible(`.endorsers`))
	waitFor(t, ctx, 3*time.Second, "the viewer lists both endorsers", fmt.Sprintf(
		`(e => e.textContent.includes(%q) && e.textContent.includes(%q) && e.querySelectorAll(".country").length === 2)(document.querySelector(".endorsers"))`, esOrg, ukOrg))
	axe(t, ctx, "the viewer with endorsers")
	if eval[string](t, ctx, `document.querySelector(".joinlink a").getAttribute("href")`) != "/e/demo/join" {
		t.Error("the viewer has no link to the open call")
	}

	// The call closes while someone fills the form: they are told, and nothing is stored.
	do(t, ctx, "opening the join page in Spanish", chromedp.Navigate(s.URL+"/e/demo/join?lang=es"), chromedp.WaitVisible(`form.join`))
	setFields(t, ctx, map[string]string{"organization_name": "Tarde", "country": "AR", "kind": "ngo", "contact_name": "Ana", "contact_email": "ana@example.org"})
	tick(t, ctx, "consent", true)
	closes := time.Now().Add(-time.Second).UTC()
	s.openCall(&closes)
	do(t, ctx, "sending after the close", chromedp.Click(chromedp.CSS(`form.join button[type=submit]`)))
	waitFor(t, ctx, 3*time.Second, "the page says the call closed", `document.querySelector(".notice")?.textContent === "La convocatoria se cerró entretanto; la solicitud no se envió." && document.querySelector(".closed")?.textContent.startsWith("La convocatoria cerró el")`)
	do(t, ctx, "opening the closed call in Ukrainian", chromedp.Navigate(s.URL+"/e/demo/join?lang=uk"), chromedp.WaitVisible(`.closed`))
	if got := eval[string](t, ctx, `document.querySelector(".closed").textContent`); !strings.HasPrefix(got, "Прийом заявок завершився") {
		t.Errorf("the closed call says %q", got)
	}
	if eval[bool](t, ctx, `document.querySelector("form.join") !== null`) {
		t.Error("a closed call still shows its form")
	}
	axe(t, ctx, "the closed call")
}
