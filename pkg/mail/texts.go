package mail

import (
	"golang.org/x/text/language"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// texts is one language's wording. Verbs are indexed (%[1]s) so a translation can reorder
// them. Counted nouns are avoided (compact units, one/many headings) so no language needs
// plural rules beyond "one or more".
type texts struct {
	greeting, greetingNoName string // %[1]s: speaker name

	invitationSubject, invitationIntro string // %[1]s: event
	unansweredSubject, unansweredIntro string // %[1]s: event
	upcomingSubject, upcomingIntro     string // %[1]s: event, %[2]s: duration
	answerPrompt                       string // followed by the link
	pagePrompt                         string // followed by the link (upcoming reminder)
	privateLink                        string
	slotsHeading                       [2]string // one slot, several slots
	yourTime, eventTime                string    // followed by " (Zone/Name): time"
	roles                              map[agenda.Role]string
	eventPage                          string
	stage, role                        string // labels in the calendar entry

	weekdays [7]string  // Sunday first, as time.Weekday
	months   [12]string // January first
	// dateTimeLayout lays out %[1]s weekday, %[2]d day, %[3]s month, %[4]d year, %[5]s "15:04".
	dateTimeLayout       string
	days, hours, minutes string // compact units: "2 h 30 min"
	comma                string // between a role and a duration; ", " when empty
}

// supported lists the languages we have, English first: the Matcher's fallback.
var supported = []language.Tag{
	language.English, language.Spanish, language.French, language.German,
	language.Portuguese, language.Russian, language.Ukrainian, language.Arabic,
}

var matcher = language.NewMatcher(supported)

// translations is keyed by the base tags in supported.
var translations = map[string]*texts{
	"en": {
		greeting:          "Hello %[1]s,",
		greetingNoName:    "Hello,",
		invitationSubject: "Invitation to speak at %[1]s",
		invitationIntro:   "You are invited to speak at %[1]s.",
		unansweredSubject: "Reminder: please answer the invitation to %[1]s",
		unansweredIntro:   "We have not yet had your answer to the invitation to speak at %[1]s.",
		upcomingSubject:   "%[1]s: your slot starts in %[2]s",
		upcomingIntro:     "Your slot at %[1]s starts in %[2]s.",
		answerPrompt:      "Please confirm or decline here:",
		pagePrompt:        "Your personal page (green room, messages from the stage):",
		privateLink:       "This link is personal: please do not share it.",
		slotsHeading:      [2]string{"Your slot:", "Your slots:"},
		yourTime:          "Your time",
		eventTime:         "Event time",
		roles:             map[agenda.Role]string{agenda.RoleSpeaker: "speaker", agenda.RoleModerator: "moderator"},
		eventPage:         "Event page:",
		stage:             "Stage",
		role:              "Role",
		weekdays:          [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
		months:            [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		dateTimeLayout:    "%[1]s %[2]d %[3]s %[4]d, %[5]s",
		days:              "d", hours: "h", minutes: "min",
	},
	"es": {
		greeting:          "Hola, %[1]s:",
		greetingNoName:    "Hola:",
		invitationSubject: "Invitación a intervenir en %[1]s",
		invitationIntro:   "Le invitamos a intervenir en %[1]s.",
		unansweredSubject: "Recordatorio: responda a la invitación a %[1]s",
		unansweredIntro:   "Aún no hemos recibido su respuesta a la invitación a intervenir en %[1]s.",
		upcomingSubject:   "%[1]s: su intervención empieza dentro de %[2]s",
		upcomingIntro:     "Su intervención en %[1]s empieza dentro de %[2]s.",
		answerPrompt:      "Por favor, confirme o rechace aquí:",
		pagePrompt:        "Su página personal (sala de espera, mensajes del escenario):",
		privateLink:       "Este enlace es personal: por favor, no lo comparta.",
		slotsHeading:      [2]string{"Su intervención:", "Sus intervenciones:"},
		yourTime:          "Su hora",
		eventTime:         "Hora del acto",
		roles:             map[agenda.Role]string{agenda.RoleSpeaker: "intervención", agenda.RoleModerator: "moderación"},
		eventPage:         "Página del acto:",
		stage:             "Escenario",
		role:              "Función",
		weekdays:          [7]string{"dom", "lun", "mar", "mié", "jue", "vie", "sáb"},
		months:            [12]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"},
		dateTimeLayout:    "%[1]s, %[2]d %[3]s %[4]d, %[5]s",
		days:              "d", hours: "h", minutes: "min",
	},
	"fr": {
		greeting:          "Bonjour %[1]s,",
		greetingNoName:    "Bonjour,",
		invitationSubject: "Invitation à prendre la parole : %[1]s",
		invitationIntro:   "Vous êtes invité·e à prendre la parole lors de %[1]s.",
		unansweredSubject: "Rappel : merci de répondre à l’invitation (%[1]s)",
		unansweredIntro:   "Nous n’avons pas encore reçu votre réponse à l’invitation à prendre la parole lors de %[1]s.",
		upcomingSubject:   "%[1]s : votre intervention commence dans %[2]s",
		upcomingIntro:     "Votre intervention lors de %[1]s commence dans %[2]s.",
		answerPrompt:      "Merci de confirmer ou de décliner ici :",
		pagePrompt:        "Votre page personnelle (salle d’attente, messages de la régie) :",
		privateLink:       "Ce lien est personnel : merci de ne pas le partager.",
		slotsHeading:      [2]string{"Votre intervention :", "Vos interventions :"},
		yourTime:          "Votre heure",
		eventTime:         "Heure de l’événement",
		roles:             map[agenda.Role]string{agenda.RoleSpeaker: "intervention", agenda.RoleModerator: "animation"},
		eventPage:         "Page de l’événement :",
		stage:             "Scène",
		role:              "Rôle",
		weekdays:          [7]string{"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."},
		months:            [12]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."},
		dateTimeLayout:    "%[1]s %[2]d %[3]s %[4]d, %[5]s",
		days:              "j", hours: "h", minutes: "min",
	},
	"de": {
		greeting:          "Hallo %[1]s,",
		greetingNoName:    "Hallo,",
		invitationSubject: "Einladung zum Redebeitrag: %[1]s",
		invitationIntro:   "Sie sind eingeladen, bei %[1]s zu sprechen.",
		unansweredSubject: "Erinnerung: Bitte antworten Sie auf die Einladung zu %[1]s",
		unansweredIntro:   "Wir haben noch keine Antwort auf unsere Einladung, bei %[1]s zu sprechen.",
		upcomingSubject:   "%[1]s: Ihr Beitrag beginnt in %[2]s",
		upcomingIntro:     "Ihr Beitrag bei %[1]s beginnt in %[2]s.",
		answerPrompt:      "Bitte sagen Sie hier zu oder ab:",
		pagePrompt:        "Ihre persönliche Seite (Green Room, Nachrichten von der Bühne):",
		privateLink:       "Dieser Link ist persönlich: Bitte geben Sie ihn nicht weiter.",
		slotsHeading:      [2]string{"Ihr Beitrag:", "Ihre Beiträge:"},
		yourTime:          "Ihre Zeit",
		eventTime:         "Zeit der Veranstaltung",
		roles:             map[agenda.Role]string{agenda.RoleSpeaker: "Rede", agenda.RoleModerator: "Moderation"},
		eventPage:         "Seite der Veranstaltung:",
		stage:             "Bühne",
		role:              "Rolle",
		weekdays:          [7]string{"So.", "Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa."},
		months:            [12]string{"Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."},
		dateTimeLayout:    "%[1]s, %[2]d. %[3]s %[4]d, %[5]s",
		days:              "T.", hours: "Std.", minutes: "Min.",
	},
	"pt": {
		greeting:          "Olá, %[1]s,",
		greetingNoName:    "Olá,",
		invitationSubject: "Convite para intervir em %[1]s",
		invitationIntro:   "Está convidado/a a intervir em %[1]s.",
		unansweredSubject: "Lembrete: responda ao convite para %[1]s",
		unansweredIntro:   "Ainda não recebemos a sua resposta ao convite para intervir em %[1]s.",
		upcomingSubject:   "%[1]s: a sua intervenção começa dentro de %[2]s",
		upcomingIntro:     "A sua intervenção em %[1]s começa dentro de %[2]s.",
		answerPrompt:      "Por favor, confirme ou recuse aqui:",
		pagePrompt:        "A sua página pessoal (sala de espera, mensagens do palco):",
		privateLink:       "Este link é pessoal: por favor, não o divulgue.",
		slotsHeading:      [2]string{"A sua intervenção:", "As suas intervenções:"},
		yourTime:          "A sua hora",
		eventTime:         "Hora do evento",
		roles:             map[agenda.Role]string{agenda.RoleSpeaker: "intervenção", agenda.RoleModerator: "moderação"},
		eventPage:         "Página do evento:",
		stage:             "Palco",
		role:              "Papel",
		weekdays:          [7]string{"dom.", "seg.", "ter.", "qua.", "qui.", "sex.", "sáb."},
		months:            [12]string{"jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.", "nov.", "dez."},
		dateTimeLayout:    "%[1]s, %[2]d %[3]s %[4]d, %[5]s",
		days:              "d", hours: "h", minutes: "min",
	},
	"ru": {
		greeting:          "Здравствуйте, %[1]s!",
		greetingNoName:    "Здравствуйте!",
		invitationSubject: "Приглашение выступить: «%[1]s»",
		invitationIntro:   "Приглашаем Вас выступить на мероприятии «%[1]s».",
		unansweredSubject: "Напоминание: ждём Вашего ответа на приглашение («%[1]s»)",
		unansweredIntro:   "Мы ещё не получили Вашего ответа на приглашение выступить на мероприятии «%[1]s».",
		upcomingSubject:   "«%[1]s»: Ваше выступление начнётся через %[2]s",
		upcomingIntro:     "Ваше выступление на мероприятии «%[1]s» начнётся через %[2]s.",
		answerPrompt:      "Пожалуйста, подтвердите участие или откажитесь здесь:",
		pagePrompt:        "Ваша личная страница (комната ожидания, сообщения со сцены):",
		privateLink:       "Это личная ссылка, не передавайте её никому.",
		slotsHeading:      [2]string{"Ваше выступление:", "Ваши выступления:"},
		yourTime:          "Ваше время",
		eventTime:         "Время мероприятия",
		roles:             map[agenda.Role]string{agenda.RoleSpeaker: "выступление", agenda.RoleModerator: "модерация"},
		eventPage:         "Страница мероприятия:",
		stage:             "Сцена",
		role:              "Роль",
		weekdays:          [7]string{"вс", "пн", "вт", "ср", "чт", "пт", "сб"},
		months:            [12]string{"янв.", "февр.", "мар.", "апр.", "мая", "июн.", "июл.", "авг.", "сент.", "окт.", "нояб.", "дек."},
		dateTimeLayout:    "%[1]s, %[2]d %[3]s %[4]d г., %[5]s",
		days:              "дн.", hours: "ч", minutes: "мин",
	},
	"uk": {
		greeting:          "Доброго дня, %[1]s!",
		greetingNoName:    "Доброго дня!",
		invitationSubject: "Запрошення виступити: «%[1]s»",
		invitationIntro:   "Запрошуємо Вас виступити на заході «%[1]s».",
		unansweredSubject: "Нагадування: чекаємо на Вашу відповідь на запрошення («%[1]s»)",
		unansweredIntro:   "Ми ще не отримали Вашої відповіді на запрошення виступити на заході «%[1]s».",
		upcomingSubject:   "«%[1]s»: Ваш виступ почнеться через %[2]s",
		upcomingIntro:     "Ваш виступ на заході «%[1]s» почнеться через %[2]s.",
		answerPrompt:      "Будь ласка, підтвердьте участь або відмовтеся тут:",
		pagePrompt:        "Ваша особиста сторінка (кімната очікування, повідомлення зі сцени):",
		privateLink:       "Це особисте посилання, не передавайте його нікому.",
		slotsHeading:      [2]string{"Ваш виступ:", "Ваші виступи:"},
		yourTime:          "Ваш час",
		eventTime:         "Час заходу",
		roles:             map[agenda.Role]string{agenda.RoleSpeaker: "виступ", agenda.RoleModerator: "модерація"},
		eventPage:         "Сторінка заходу:",
		stage:             "Сцена",
		role:              "Роль",
		weekdays:          [7]string{"нд", "пн", "вт", "ср", "чт", "пт", "сб"},
		months:            [12]string{"січ.", "лют.", "бер.", "квіт.", "трав.", "черв.", "лип.", "серп.", "вер.", "жовт.", "лист.", "груд."},
		dateTimeLayout:    "%[1]s, %[2]d %[3]s %[4]d р., %[5]s",
		days:              "дн.", hours: "год", minutes: "хв",
	},
	"ar": {
		greeting:          "مرحبًا %[1]s،",
		greetingNoName:    "مرحبًا،",
		invitationSubject: "دعوة للتحدث في %[1]s",
		invitationIntro:   "ندعوك للتحدث في %[1]s.",
		unansweredSubject: "تذكير: يُرجى الرد على الدعوة إلى %[1]s",
		unansweredIntro:   "لم نتلقَّ ردك بعد على دعوة التحدث في %[1]s.",
		upcomingSubject:   "%[1]s: تبدأ مداخلتك بعد %[2]s",
		upcomingIntro:     "تبدأ مداخلتك في %[1]s بعد %[2]s.",
		answerPrompt:      "يُرجى التأكيد أو الاعتذار من هنا:",
		pagePrompt:        "صفحتك الشخصية (غرفة الانتظار ورسائل المنصة):",
		privateLink:       "هذا الرابط شخصي، يُرجى عدم مشاركته.",
		slotsHeading:      [2]string{"مداخلتك:", "مداخلاتك:"},
		yourTime:          "توقيتك",
		eventTime:         "توقيت الفعالية",
		roles:             map[agenda.Role]string{agenda.RoleSpeaker: "كلمة", agenda.RoleModerator: "إدارة الجلسة"},
		eventPage:         "صفحة الفعالية:",
		stage:             "المنصة",
		role:              "الدور",
		weekdays:          [7]string{"الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"},
		months:            [12]string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"},
		dateTimeLayout:    "%[1]s، %[2]d %[3]s %[4]d، %[5]s",
		days:              "يوم", hours: "س", minutes: "د",
		comma: "، ",
	},
}
