package mail

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

func TestRenderEveryKindInEveryLanguage(t *testing.T) {
	// The English wording, so a language that silently fell back to it is caught.
	english := map[Kind]string{}
	for _, kind := range []Kind{KindInvitation, KindReminderUnanswered, KindReminderUpcoming} {
		n := invitation(t, "en")
		n.Kind = kind
		r, err := Render(n)
		if err != nil {
			t.Fatal(err)
		}
		english[kind] = r.Subject
	}
	// The event time of the first slot, 2026-03-28 19:00 CET, in each language.
	eventTime := map[string]string{
		"en": "Event time (Europe/Berlin): Sat 28 Mar 2026, 19:00 CET (UTC+01:00)",
		"es": "Hora del acto (Europe/Berlin): sáb, 28 mar 2026, 19:00 CET (UTC+01:00)",
		"fr": "Heure de l’événement (Europe/Berlin): sam. 28 mars 2026, 19:00 CET (UTC+01:00)",
		"de": "Zeit der Veranstaltung (Europe/Berlin): Sa., 28. März 2026, 19:00 CET (UTC+01:00)",
		"pt": "Hora do evento (Europe/Berlin): sáb., 28 mar. 2026, 19:00 CET (UTC+01:00)",
		"ru": "Время мероприятия (Europe/Berlin): сб, 28 мар. 2026 г., 19:00 CET (UTC+01:00)",
		"uk": "Час заходу (Europe/Berlin): сб, 28 бер. 2026 р., 19:00 CET (UTC+01:00)",
		"ar": "توقيت الفعالية (Europe/Berlin): السبت، 28 مارس 2026، 19:00 CET (UTC+01:00)",
	}
	subjects := map[string]map[Kind]string{
		"en": {
			KindInvitation:         "Invitation to speak at Rally for Peace",
			KindReminderUnanswered: "Reminder: please answer the invitation to Rally for Peace",
			KindReminderUpcoming:   "Rally for Peace: your slot starts in 2 h 30 min",
		},
		"ru": {
			KindInvitation:         "Приглашение выступить: «Rally for Peace»",
			KindReminderUnanswered: "Напоминание: ждём Вашего ответа на приглашение («Rally for Peace»)",
			KindReminderUpcoming:   "«Rally for Peace»: Ваше выступление начнётся через 2 ч 30 мин",
		},
		"de": {KindReminderUpcoming: "Rally for Peace: Ihr Beitrag beginnt in 2 Std. 30 Min."},
	}
	if len(eventTime) != len(supported) || len(translations) != len(supported) {
		t.Fatalf("%d supported languages, %d translations, %d cases", len(supported), len(translations), len(eventTime))
	}
	for lang, wantTime := range eventTime {
		for _, kind := range []Kind{KindInvitation, KindReminderUnanswered, KindReminderUpcoming} {
			t.Run(lang+"/"+string(kind), func(t *testing.T) {
				n := invitation(t, lang)
				n.Kind = kind
				n.Now = n.Slots[1].Start.Add(-150 * time.Minute) // the earlier slot starts in 2 h 30 min
				r, err := Render(n)
				if err != nil {
					t.Fatal(err)
				}
				if r.Language != lang {
					t.Errorf("Language = %q, want %q", r.Language, lang)
				}
				if want, ok := subjects[lang][kind]; ok && r.Subject != want {
					t.Errorf("Subject = %q, want %q", r.Subject, want)
				}
				if lang != "en" && r.Subject == english[kind] {
					t.Errorf("Subject is the English one: %q", r.Subject)
				}
				if !strings.Contains(r.Subject, "Rally for Peace") || strings.ContainsAny(r.Subject, "\r\n") {
					t.Errorf("Subject = %q", r.Subject)
				}
				for _, want := range []string{"Olena", n.Link, "  " + wantTime, "https://act.example.org/e/rally", "Opening speech — Main", "(UTC+08:00)"} {
					if !strings.Contains(r.Text, want) {
						t.Errorf("Text lacks %q:\n%s", want, r.Text)
					}
				}
				if strings.Contains(r.Text+r.Subject, "%!") {
					t.Errorf("a format verb went wrong:\n%s\n%s", r.Subject, r.Text)
				}
				if kind == KindReminderUpcoming && !strings.Contains(r.Subject+r.Text, "2 "+translations[lang].hours+" 30 "+translations[lang].minutes) {
					t.Errorf("upcoming reminder does not say 2 h 30 min:\n%s\n%s", r.Subject, r.Text)
				}
				cal, err := ics.ParseCalendar(bytes.NewReader(r.ICS))
				if err != nil {
					t.Fatalf("ICS: %v", err)
				}
				if got := len(cal.Events()); got != len(n.Slots) {
					t.Errorf("%d VEVENTs for %d slots", got, len(n.Slots))
				}
				if bytes.Contains(r.ICS, []byte(n.Link)) {
					t.Error("the personal link is in the calendar")
				}
			})
		}
	}
}

func TestLanguage(t *testing.T) {
	cases := []struct {
		langs []string
		want  string
	}{
		{[]string{"uk", "en"}, "uk"},
		{[]string{"en", "uk"}, "en"},
		{[]string{"zz"}, "en"},
		{nil, "en"},
		{[]string{"not a tag!", "fr"}, "fr"},
		{[]string{"pt-BR"}, "pt"},
		{[]string{"es-419"}, "es"},
		{[]string{"de-AT", "fr"}, "de"},
		{[]string{"ar-EG"}, "ar"},
		{[]string{"nl", "de"}, "de"},
		{[]string{"ru-UA"}, "ru"},
	}
	for _, tc := range cases {
		if got := Language(tc.langs); got != tc.want {
			t.Errorf("Language(%q) = %q, want %q", tc.langs, got, tc.want)
		}
	}
}

func TestRenderTimes(t *testing.T) {
	en := translations["en"]
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	at := time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC)
	for zone, want := range map[string]string{
		"Europe/Berlin":     "Sat 5 Dec 2026, 19:00 CET (UTC+01:00)",
		"America/New_York":  "Sat 5 Dec 2026, 13:00 EST (UTC-05:00)",
		"Asia/Kolkata":      "Sat 5 Dec 2026, 23:30 IST (UTC+05:30)",
		"America/Sao_Paulo": "Sat 5 Dec 2026, 15:00 (UTC-03:00)", // tzdata abbreviation is "-03"
		"Asia/Manila":       "Sun 6 Dec 2026, 02:00 PST (UTC+08:00)",
		"UTC":               "Sat 5 Dec 2026, 18:00 UTC (UTC+00:00)",
	} {
		if got := en.dateTime(at.In(load(zone))); got != want {
			t.Errorf("%s: %q, want %q", zone, got, want)
		}
	}
	// Summer time in New York: same wall clock, other abbreviation and offset.
	if got, want := en.dateTime(time.Date(2026, 7, 4, 17, 0, 0, 0, time.UTC).In(load("America/New_York"))), "Sat 4 Jul 2026, 13:00 EDT (UTC-04:00)"; got != want {
		t.Errorf("%q, want %q", got, want)
	}

	for d, want := range map[time.Duration]string{
		0:                               "1 min",
		-time.Hour:                      "1 min",
		10 * time.Minute:                "10 min",
		59*time.Minute + 40*time.Second: "1 h",
		90 * time.Minute:                "1 h 30 min",
		24 * time.Hour:                  "1 d",
		26*time.Hour + 5*time.Minute:    "1 d 2 h",
	} {
		if got := en.duration(d); got != want {
			t.Errorf("duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestRenderSpeakerTimezone(t *testing.T) {
	for _, zone := range []string{"", "Europe/Berlin", "Not/AZone"} {
		n := invitation(t, "en")
		n.SpeakerTimezone = zone
		r, err := Render(n)
		if err != nil {
			t.Fatalf("speaker timezone %q: %v", zone, err)
		}
		if strings.Contains(r.Text, "Your time") {
			t.Errorf("speaker timezone %q: a second time line is shown:\n%s", zone, r.Text)
		}
		if strings.Count(r.Text, "Event time (Europe/Berlin)") != 2 {
			t.Errorf("speaker timezone %q: want the event time of both slots:\n%s", zone, r.Text)
		}
	}
}

func TestRenderRefusesBadNotices(t *testing.T) {
	cases := map[string]func(*Notice){
		"unknown kind":        func(n *Notice) { n.Kind = "newsletter" },
		"no kind":             func(n *Notice) { n.Kind = "" },
		"no link":             func(n *Notice) { n.Link = "" },
		"no event timezone":   func(n *Notice) { n.EventTimezone = "" },
		"bad event timezone":  func(n *Notice) { n.EventTimezone = "Europe/Atlantis" },
		"upcoming, no slots":  func(n *Notice) { n.Kind, n.Slots = KindReminderUpcoming, nil },
		"slot ends too early": func(n *Notice) { n.Slots[0].End = n.Slots[0].Start },
		"slot without start":  func(n *Notice) { n.Slots[0].Start = time.Time{} },
	}
	for name, breakIt := range cases {
		n := invitation(t, "en")
		breakIt(&n)
		_, err := Render(n)
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if strings.Contains(err.Error(), "spk_") {
			t.Errorf("%s: error leaks the link: %v", name, err)
		}
	}
}

func TestRenderEdgeCases(t *testing.T) {
	n := invitation(t, "en")
	n.EventTitle = "Rally\r\nBcc: victim@example.com"
	n.SpeakerName = ""
	n.Slots = []NoticeSlot{{Title: "", Stage: "", Role: "", Start: n.Slots[0].Start, End: n.Slots[0].End}}
	r, err := Render(n)
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Invitation to speak at Rally Bcc: victim@example.com" {
		t.Errorf("Subject = %q: a newline in the title must not start a header", r.Subject)
	}
	for _, want := range []string{"Hello,\n", "Your slot:\n", "• (30 min)\n"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("Text lacks %q:\n%s", want, r.Text)
		}
	}
	if !bytes.Contains(r.ICS, []byte("\r\nUID:evt_42-slot0\r\n")) {
		t.Errorf("a slot without id gets its position as UID:\n%s", r.ICS)
	}

	// An unanswered reminder may have no slots left to show: no attachment then.
	n = invitation(t, "fr")
	n.Kind, n.Slots = KindReminderUnanswered, nil
	if r, err = Render(n); err != nil || r.ICS != nil {
		t.Errorf("no slots: ICS %q, err %v", r.ICS, err)
	}
}
