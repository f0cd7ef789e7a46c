// Package demo builds the demo act that `tribune serve --demo` seeds.
package demo

import (
	"fmt"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// Everything below is fictional: the organizations, the people and the war. URLs
// point at example.org and example.net, which never resolve to a real site.

// org is one organization of the demo, named by a key that speakers refer to.
type org struct {
	key string
	agenda.OrganizationFields
}

var orgs = []org{
	{"peace-wave", agenda.OrganizationFields{Name: "Peace Wave Radio", Country: "GB", Kind: agenda.OrgMedia, URL: "https://peacewave.example.org"}},
	{"ua-peace", agenda.OrganizationFields{Name: "Рух «Мир знизу»", Country: "UA", Kind: agenda.OrgMovement, URL: "https://mir-znyzu.example.org"}},
	{"ru-underground", agenda.OrganizationFields{Name: "Тихое сопротивление", Country: "RU", Kind: agenda.OrgMovement, URL: "https://tikhoe.example.net"}},
	{"br-union", agenda.OrganizationFields{Name: "Confederação dos Trabalhadores Unidos", Country: "BR", Kind: agenda.OrgUnion, URL: "https://ctu.example.org"}},
	{"ar-party", agenda.OrganizationFields{Name: "Partido del Trabajo y la Paz", Country: "AR", Kind: agenda.OrgParty, URL: "https://trabajoypaz.example.org"}},
	{"fr-rail", agenda.OrganizationFields{Name: "Union syndicale des cheminots", Country: "FR", Kind: agenda.OrgUnion, URL: "https://cheminots.example.org"}},
	{"de-peace", agenda.OrganizationFields{Name: "Friedensnetz Emscher-Lippe", Country: "DE", Kind: agenda.OrgMovement, URL: "https://friedensnetz.example.org"}},
	{"ph-workers", agenda.OrganizationFields{Name: "Kilusang Manggagawa para sa Kapayapaan", Country: "PH", Kind: agenda.OrgMovement, URL: "https://kmk.example.org"}},
	{"tn-union", agenda.OrganizationFields{Name: "نقابة عمال الصحة المتحدة", Country: "TN", Kind: agenda.OrgUnion, URL: "https://niqaba.example.org"}},
	{"in-forum", agenda.OrganizationFields{Name: "शांति और न्याय मंच", Country: "IN", Kind: agenda.OrgMovement, URL: "https://shanti-manch.example.org"}},
	{"ke-youth", agenda.OrganizationFields{Name: "East Africa Youth for Peace", Country: "KE", Kind: agenda.OrgNGO, URL: "https://eayp.example.org"}},
	{"nz-peace", agenda.OrganizationFields{Name: "Rongomau Peace Collective", Country: "NZ", Kind: agenda.OrgMovement, URL: "https://rongomau.example.net"}},
	{"jp-citizens", agenda.OrganizationFields{Name: "平和をつくる市民連絡会", Country: "JP", Kind: agenda.OrgMovement, URL: "https://heiwa.example.org"}},
	{"gr-docks", agenda.OrganizationFields{Name: "Ένωση Λιμενεργατών Αιγαίου", Country: "GR", Kind: agenda.OrgUnion, URL: "https://limeni.example.org"}},
	{"mx-radio", agenda.OrganizationFields{Name: "Radio Frontera Libre", Country: "MX", Kind: agenda.OrgMedia, URL: "https://fronteralibre.example.net"}},
	{"pl-union", agenda.OrganizationFields{Name: "Związek Pracowników Transportu", Country: "PL", Kind: agenda.OrgUnion, URL: "https://zpt.example.org"}},
	{"women-peace", agenda.OrganizationFields{Name: "Women Weaving Peace International", Country: "TR", Kind: agenda.OrgNGO, URL: "https://womenweaving.example.org"}},
	{"cl-party", agenda.OrganizationFields{Name: "Partido de los Pueblos por la Paz", Country: "CL", Kind: agenda.OrgParty, URL: "https://pueblosporlapaz.example.net"}},
}

// person is one speaker of the demo; org is the key of their organization, if any.
type person struct {
	key, org string
	agenda.SpeakerFields
}

var people = []person{
	{"ellen", "peace-wave", agenda.SpeakerFields{
		Name: "Ellen Carter", Country: "GB", Timezone: "Europe/London", Languages: []string{"en", "fr"},
		Bio:   "Radio presenter and host of the main stage.",
		Notes: "Hosts the main stage from the London studio; has the running order on paper as a fallback.",
	}},
	{"olena", "ua-peace", agenda.SpeakerFields{
		Name: "Олена Коваленко", Country: "UA", Timezone: "Europe/Kyiv", Languages: []string{"uk", "en"},
		Bio:   "Teacher and volunteer coordinator of a civilian aid network.",
		Notes: "Connection may drop during air-raid alerts; keep a recorded backup ready.",
	}},
	{"vera", "ru-underground", agenda.SpeakerFields{
		Name: "Вера С.", Country: "RU", Timezone: "Europe/Moscow", Languages: []string{"ru"},
		Bio: "Anti-war activist speaking from inside Russia under a public name.",
		Notes: "AT RISK. \"Вера С.\" is a public display name; her real name is known to two organizers only. " +
			"She lives in Russia: her organization and photo must never appear on any public surface. " +
			"Pre-recorded message only, no live link. The mailbox is a pseudonymous one; contact through the coordinator.",
		HideOrganization: true, HidePhoto: true,
	}},
	{"mariana", "br-union", agenda.SpeakerFields{
		Name: "Mariana Souza Lima", Country: "BR", Timezone: "America/Sao_Paulo", Languages: []string{"pt", "es"},
		Bio: "Metalworker and international secretary of her union confederation.",
	}},
	{"carlos", "ar-party", agenda.SpeakerFields{
		Name: "Carlos Benítez", Country: "AR", Timezone: "America/Argentina/Buenos_Aires", Languages: []string{"es"},
		Bio: "Member of the national committee of his party.",
	}},
	{"lucia", "women-peace", agenda.SpeakerFields{
		Name: "Lucía Fernández Ortega", Country: "ES", Timezone: "Europe/Madrid", Languages: []string{"es", "ca", "en"},
		Bio: "Lawyer working on the rights of refugees and conscientious objectors.",
	}},
	{"amelie", "fr-rail", agenda.SpeakerFields{
		Name: "Amélie Durand", Country: "FR", Timezone: "Europe/Paris", Languages: []string{"fr", "en"},
		Bio: "Train driver and union delegate.",
	}},
	{"jonas", "de-peace", agenda.SpeakerFields{
		Name: "Jonas Weber", Country: "DE", Timezone: "Europe/Berlin", Languages: []string{"de", "en"},
		Bio:   "Organizer of the Easter peace marches in his region.",
		Notes: "Prefers to speak German; interpretation booked.",
	}},
	{"mariaclara", "ph-workers", agenda.SpeakerFields{
		Name: "Maria Clara Dela Cruz", Country: "PH", Timezone: "Asia/Manila", Languages: []string{"tl", "en"},
		Bio: "Youth organizer among factory workers in Metro Manila.",
	}},
	{"samia", "tn-union", agenda.SpeakerFields{
		Name: "سامية بن علي", Country: "TN", Timezone: "Africa/Tunis", Languages: []string{"ar", "fr"},
		Bio: "Nurse and regional secretary of her union federation.",
	}},
	{"ahmad", "", agenda.SpeakerFields{
		Name: "أحمد الخطيب", Country: "JO", Timezone: "Asia/Amman", Languages: []string{"ar", "en"},
		Bio:   "Poet and writer.",
		Notes: "Will read one of his poems at the end of his speech.",
	}},
	{"priya", "in-forum", agenda.SpeakerFields{
		Name: "प्रिया शर्मा", Country: "IN", Timezone: "Asia/Kolkata", Languages: []string{"hi", "en"},
		Bio: "Historian and convener of a national peace forum.",
	}},
	{"rajesh", "in-forum", agenda.SpeakerFields{
		Name: "राजेश वर्मा", Country: "IN", Timezone: "Asia/Kolkata", Languages: []string{"hi"},
		Bio:   "Farmer and village council member.",
		Notes: "Needs Hindi–English interpretation; has not answered yet, call on Thursday.",
	}},
	{"grace", "ke-youth", agenda.SpeakerFields{
		Name: "Grace Wanjiru", Country: "KE", Timezone: "Africa/Nairobi", Languages: []string{"sw", "en"},
		Bio: "Student leader and climate and peace campaigner.",
	}},
	{"thabo", "", agenda.SpeakerFields{
		Name: "Thabo Mokoena", Country: "ZA", Timezone: "Africa/Johannesburg", Languages: []string{"zu", "en"},
		Bio:   "Mineworker and shop steward.",
		Notes: "Invited through the union's international office; waiting for an answer.",
	}},
	{"aroha", "nz-peace", agenda.SpeakerFields{
		Name: "Aroha Ngata", Country: "NZ", Timezone: "Pacific/Auckland", Languages: []string{"mi", "en"},
		Bio:   "Community organizer and peace educator.",
		Notes: "Speaks very early in the morning her time; thank her for that.",
	}},
	{"yumi", "jp-citizens", agenda.SpeakerFields{
		Name: "佐藤 由美", Country: "JP", Timezone: "Asia/Tokyo", Languages: []string{"ja", "en"},
		Bio: "Daughter of a survivor, she campaigns against nuclear weapons.",
	}},
	{"minjun", "", agenda.SpeakerFields{
		Name: "김민준", Country: "KR", Timezone: "Asia/Seoul", Languages: []string{"ko", "en"},
		Bio: "Conscientious objector and writer.",
	}},
	{"nikos", "gr-docks", agenda.SpeakerFields{
		Name: "Νίκος Παπαδόπουλος", Country: "GR", Timezone: "Europe/Athens", Languages: []string{"el", "en"},
		Bio: "Dockworker who refused to load weapons shipments.",
	}},
	{"sofia", "mx-radio", agenda.SpeakerFields{
		Name: "Sofía Ramírez", Country: "MX", Timezone: "America/Mexico_City", Languages: []string{"es", "en"},
		Bio: "Journalist and director of a community radio station.",
	}},
	{"miguel", "cl-party", agenda.SpeakerFields{
		Name: "Miguel Ángel Torres", Country: "CL", Timezone: "America/Santiago", Languages: []string{"es", "en"},
		Bio: "Host of the second stage and youth secretary of his party.",
	}},
	{"tomasz", "pl-union", agenda.SpeakerFields{
		Name: "Tomasz Nowak", Country: "PL", Timezone: "Europe/Warsaw", Languages: []string{"pl", "en", "ru"},
		Bio: "Railway union leader who coordinates solidarity convoys.",
	}},
	{"ayse", "women-peace", agenda.SpeakerFields{
		Name: "Ayşe Demir", Country: "TR", Timezone: "Europe/Istanbul", Languages: []string{"tr", "en"},
		Bio: "Sociologist and co-founder of a women's peace network.",
	}},
	{"fatima", "women-peace", agenda.SpeakerFields{
		Name: "فاطمة الزهراء الإدريسي", Country: "MA", Timezone: "Africa/Casablanca", Languages: []string{"ar", "fr"},
		Bio: "Human rights defender and feminist activist.",
	}},
	{"jeanbaptiste", "", agenda.SpeakerFields{
		Name: "Jean-Baptiste Mbala", Country: "CD", Timezone: "Africa/Kinshasa", Languages: []string{"fr", "ln"},
		Bio:   "Priest and mediator in community peace talks.",
		Notes: "Declined this time; ask him again for the next act.",
	}},
	{"taras", "ua-peace", agenda.SpeakerFields{
		Name: "Тарас Бондаренко", Country: "UA", Timezone: "Europe/Kyiv", Languages: []string{"uk", "en", "pl"},
		Bio: "Student and volunteer at a shelter for displaced families.",
	}},
	{"isabela", "br-union", agenda.SpeakerFields{
		Name: "Isabela Rocha", Country: "BR", Timezone: "America/Sao_Paulo", Languages: []string{"pt"},
		Bio:   "Secondary school student and youth delegate.",
		Notes: "Under 18: a parent's consent is needed before she is confirmed.",
	}},
	{"joana", "", agenda.SpeakerFields{
		Name: "Joana Pereira", Country: "PT", Timezone: "Europe/Lisbon", Languages: []string{"pt", "en", "es"},
		Bio: "Freelance war correspondent.",
	}},
	{"rania", "", agenda.SpeakerFields{
		Name: "رانيا حداد", Country: "LB", Timezone: "Asia/Beirut", Languages: []string{"ar", "en", "fr"},
		Bio: "Photojournalist and press freedom advocate.",
	}},
	{"emma", "", agenda.SpeakerFields{
		Name: "Emma Lindqvist", Country: "SE", Timezone: "Europe/Stockholm", Languages: []string{"sv", "en"},
		Bio:   "Researcher on disarmament and arms exports.",
		Notes: "Invitation sent by e-mail; reminder due.",
	}},
	{"kalyna", "", agenda.SpeakerFields{
		Name: "Ансамбль «Калина»", Country: "UA", Timezone: "Europe/Kyiv", Languages: []string{"uk"},
		Bio:   "Folk choir of refugees and their neighbours.",
		Notes: "Pre-recorded performance; the file is on the stage manager's laptop.",
	}},
}

// act is one speaker's place in a slot of the demo.
type act struct {
	who    string
	role   agenda.Role
	status agenda.Invitation
	note   string
}

func confirmed(who string) act {
	return act{who: who, role: agenda.RoleSpeaker, status: agenda.Confirmed}
}

func invited(who string) act {
	return act{who: who, role: agenda.RoleSpeaker, status: agenda.Invited}
}

func moderator(who string) act {
	return act{who: who, role: agenda.RoleModerator, status: agenda.Confirmed}
}

// item is one slot of the demo. pinnedAfter, when set, pins the slot's start at that
// offset from the event start.
type item struct {
	kind        agenda.SlotKind
	title, desc string
	minutes     int
	language    string
	interpret   []string
	pinnedAfter time.Duration
	acts        []act
}

var stages = []struct {
	name  string
	items []item
}{
	{"Main stage", []item{
		{kind: agenda.KindModeration, title: "Opening of the act", minutes: 5, language: "en", interpret: []string{"es", "fr", "ru", "ar"},
			desc: "Welcome, the rules of the act and a minute of silence for the victims of the war.", acts: []act{moderator("ellen")}},
		{kind: agenda.KindSpeech, title: "A message from Kyiv", minutes: 8, language: "uk", interpret: []string{"en", "es", "fr"},
			acts: []act{confirmed("olena")}},
		{kind: agenda.KindSpeech, title: "Workers of the South say no to war", minutes: 8, language: "pt", interpret: []string{"en", "es"},
			acts: []act{confirmed("mariana")}},
		{kind: agenda.KindSpeech, title: "No trains for the war", minutes: 7, language: "fr", interpret: []string{"en", "es"},
			acts: []act{confirmed("amelie")}},
		{kind: agenda.KindVideo, title: "A voice from inside Russia", minutes: 6, language: "ru", interpret: []string{"en", "fr"},
			desc: "A recorded message from an activist who cannot speak under her own name.", acts: []act{confirmed("vera")}},
		{kind: agenda.KindPanel, title: "Workers against war: unions across borders", minutes: 25, language: "en", interpret: []string{"es", "fr", "ru", "ar"},
			desc: "How dockworkers, railway workers and miners refuse to serve the war machine.",
			acts: []act{moderator("tomasz"), confirmed("nikos"), confirmed("samia"), invited("thabo")}},
		{kind: agenda.KindMusic, title: "Music break: songs for peace", minutes: 6,
			desc: "Ансамбль «Калина» sings three folk songs.", acts: []act{confirmed("kalyna")}},
		{kind: agenda.KindSpeech, title: "Peace and justice from South Asia", minutes: 8, language: "hi", interpret: []string{"en"},
			acts: []act{confirmed("priya")}},
		{kind: agenda.KindSpeech, title: "Bread, not bombs", minutes: 7, language: "es", interpret: []string{"en", "fr"},
			acts: []act{confirmed("carlos")}},
		{kind: agenda.KindSpeech, title: "Young Africa for peace", minutes: 6, language: "en", interpret: []string{"es", "fr"},
			acts: []act{confirmed("grace")}},
		{kind: agenda.KindSpeech, title: "Disarm now", minutes: 7, language: "de", interpret: []string{"en", "es"},
			acts: []act{confirmed("jonas")}},
		{kind: agenda.KindBreak, title: "Short break", minutes: 10, desc: "The stream shows messages of solidarity sent by viewers."},
		{kind: agenda.KindSpeech, title: "Words against the war", minutes: 8, language: "ar", interpret: []string{"en", "fr"},
			acts: []act{confirmed("ahmad")}},
		{kind: agenda.KindPanel, title: "Women building peace", minutes: 30, language: "en", interpret: []string{"es", "fr", "ar"},
			desc: "Women who work for peace on three continents compare their experience.",
			acts: []act{moderator("ayse"), confirmed("lucia"), confirmed("fatima"), confirmed("yumi")}},
		{kind: agenda.KindSpeech, title: "Greetings from Aotearoa", minutes: 5, language: "en", interpret: []string{"es"},
			acts: []act{confirmed("aroha")}},
		{kind: agenda.KindSpeech, title: "Mediation, not escalation", minutes: 8, language: "fr", interpret: []string{"en"},
			acts: []act{{who: "jeanbaptiste", role: agenda.RoleSpeaker, status: agenda.Declined,
				note: "I am sorry, I will be travelling to a mediation that day and will have no connection. I suggest a colleague from our commission."}}},
		{kind: agenda.KindSpeech, title: "The right to refuse", minutes: 6, language: "ko", interpret: []string{"en"},
			acts: []act{confirmed("minjun")}},
		{kind: agenda.KindVideo, title: "Messages from around the world", minutes: 10,
			desc: "Short video greetings sent by peace groups from over thirty countries."},
		{kind: agenda.KindModeration, title: "Closing and call to action", minutes: 10, language: "en", interpret: []string{"es", "fr", "ru", "ar"},
			desc: "The joint declaration and the next days of action.", acts: []act{moderator("ellen")}},
	}},
	{"Second stage", []item{
		{kind: agenda.KindModeration, title: "The second stage opens", minutes: 5, language: "es", interpret: []string{"en"},
			acts: []act{moderator("miguel")}},
		{kind: agenda.KindPanel, title: "Youth against militarism", minutes: 25, language: "en", interpret: []string{"es", "ru"},
			desc: "Students and young workers on conscription, recruitment and resistance.",
			acts: []act{moderator("miguel"), confirmed("mariaclara"), confirmed("taras"), invited("isabela")}},
		{kind: agenda.KindSpeech, title: "Voices of the villages", minutes: 5, language: "hi", interpret: []string{"en"},
			acts: []act{invited("rajesh")}},
		{kind: agenda.KindPanel, title: "Reporting the truth in wartime", minutes: 30, language: "en", interpret: []string{"es", "ar"},
			pinnedAfter: 75 * time.Minute,
			desc:        "Journalists on censorship, propaganda and the safety of reporters.",
			acts:        []act{moderator("sofia"), confirmed("joana"), confirmed("rania")}},
		{kind: agenda.KindSpeech, title: "Where the weapons come from", minutes: 8, language: "en", interpret: []string{"es", "fr"},
			acts: []act{invited("emma")}},
		{kind: agenda.KindMusic, title: "Music: songs of peace from the Andes", minutes: 8,
			desc: "A recorded set by a community choir."},
		{kind: agenda.KindModeration, title: "Closing of the second stage", minutes: 5, language: "es", interpret: []string{"en"},
			acts: []act{moderator("miguel")}},
	}},
}

// Act returns the demo act as it should look at time now: a published event with
// slug "demo", running now (it started 20 minutes before now). newID returns a fresh unique id each call.
func Act(now time.Time, newID func() string) agenda.Agenda {
	start := now.Add(-20 * time.Minute).Truncate(time.Minute).UTC()
	end := start.Add(4 * time.Hour)

	var a agenda.Agenda
	a.Event = agenda.Event{
		ID: newID(),
		EventFields: agenda.EventFields{
			Slug:  "demo",
			Title: "Peace now: an international act against the war",
			Description: "Speakers from parties, unions, social movements and civil society on five continents " +
				"raise their voices together against the war: for a ceasefire, for the protection of civilians, " +
				"for the right to refuse to fight, and for solidarity across borders.\n\n" +
				"This is a demo act: every person and organization in it is fictional.",
			StartsAt:    start,
			EndsAt:      &end,
			Timezone:    "Europe/Berlin",
			Status:      agenda.StatusPublished,
			Languages:   []string{"en", "es", "fr", "ru", "ar"},
			StreamURL:   "https://stream.example.org/demo",
			WakingHours: agenda.DefaultWakingHours,
		},
		CreatedAt: now.UTC(),
	}

	orgIDs := make(map[string]string, len(orgs))
	for _, o := range orgs {
		id := newID()
		orgIDs[o.key] = id
		a.Organizations = append(a.Organizations, agenda.Organization{ID: id, OrganizationFields: o.OrganizationFields})
	}

	speakerIDs := make(map[string]string, len(people))
	for i, p := range people {
		id := newID()
		speakerIDs[p.key] = id
		f := p.SpeakerFields
		f.OrganizationID = orgIDs[p.org]
		f.PhotoURL = fmt.Sprintf("https://example.org/photos/%d.jpg", i+1)
		f.ContactEmail = p.key + "@example.org"
		f.Languages = append([]string(nil), p.Languages...)
		a.Speakers = append(a.Speakers, agenda.Speaker{ID: id, SpeakerFields: f})
	}

	for sp, st := range stages {
		stageID := newID()
		a.Stages = append(a.Stages, agenda.Stage{ID: stageID, StageFields: agenda.StageFields{Name: st.name}, Position: sp})
		for pos, it := range st.items {
			s := agenda.Slot{
				ID:       newID(),
				StageID:  stageID,
				Position: pos,
				SlotFields: agenda.SlotFields{
					Kind:            it.kind,
					Title:           it.title,
					Description:     it.desc,
					DurationSeconds: it.minutes * 60,
					Language:        it.language,
				},
				Speakers: []agenda.SlotSpeaker{},
			}
			if it.pinnedAfter > 0 {
				pinned := start.Add(it.pinnedAfter)
				s.PinnedStart = &pinned
			}
			for _, lang := range it.interpret {
				s.Interpretation = append(s.Interpretation, agenda.Interpretation{
					Language: lang,
					URL:      "https://stream.example.org/demo/interpretation/" + lang,
				})
			}
			for _, ac := range it.acts {
				s.Speakers = append(s.Speakers, agenda.SlotSpeaker{
					SpeakerID: speakerIDs[ac.who], Role: ac.role, Status: ac.status, Note: ac.note,
				})
			}
			a.Slots = append(a.Slots, s)
		}
	}

	a.Normalize()

	// The show is running: it started a minute late and some speakers ran over,
	// so a newcomer sees a live act with a real delay.
	for _, st := range a.Stages {
		run(&a, st.ID, now)
	}
	return a
}

// run plays a stage's show from its first slot up to now, through the same live
// actions a stage manager uses.
func run(a *agenda.Agenda, stageID string, now time.Time) {
	slots := a.StageSlots(stageID)
	if len(slots) == 0 || slots[0].PlannedStart.After(now) {
		return
	}
	t := slots[0].PlannedStart.Add(time.Minute)
	if t.After(now) {
		t = now
	}
	_ = a.Start(stageID, slots[0].ID, t)
	overruns := []time.Duration{40 * time.Second, 2 * time.Minute, 0, 90 * time.Second, 30 * time.Second}
	for i := 0; ; i++ {
		cur := a.LiveView()
		var end time.Time
		for _, p := range cur.Slots {
			if p.Status == agenda.SlotCurrent {
				end = p.ProjectedEnd.Add(overruns[i%len(overruns)])
			}
		}
		if end.IsZero() || end.After(now) {
			return
		}
		_ = a.Next(stageID, end)
	}
}
