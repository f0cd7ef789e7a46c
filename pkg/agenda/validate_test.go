package agenda_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// fieldsOf returns the sorted fields named by a *agenda.ValidationError, nil for a nil
// error, and fails the test for any other kind of error.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *agenda.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *agenda.ValidationError", err, err)
	}
	if len(ve.Errors) == 0 {
		t.Fatalf("ValidationError with no field errors: %v", err)
	}
	out := make([]string, 0, len(ve.Errors))
	for _, fe := range ve.Errors {
		if fe.Message == "" {
			t.Errorf("field %q has an empty message", fe.Field)
		}
		out = append(out, fe.Field)
	}
	slices.Sort(out)
	return out
}

// checkFields compares the fields an error names with want (nil: the input is valid).
func checkFields(t *testing.T, err error, want ...string) {
	t.Helper()
	got := fieldsOf(t, err)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("fields in error = %q, want %q (error: %v)", got, want, err)
	}
}

// Names in many scripts, all of them valid public names.
var multiScriptNames = []string{
	"Олена Шевченко",          // Cyrillic
	"ليلى عبد الله",           // Arabic
	"प्रिया शर्मा",            // Devanagari
	"王小明",                     // CJK (Han)
	"김민준",                     // Hangul
	"たなか ゆき",                  // Hiragana
	"Γιώργος Παπαδόπουλος",    // Greek
	"אורי כהן",                // Hebrew
	"François Müller-Ødegård", // Latin with accents
	"Nguyễn Thị Ánh",          // Vietnamese
	"Ngũgĩ wa Thiong'o",
}

const (
	cyr = "ж" // 2 bytes in UTF-8, 1 character
	cjk = "語" // 3 bytes in UTF-8, 1 character
)

var (
	invalidUTF8 = "ab\xff\xfecd"
	pinned      = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
)

func validEventFields() agenda.EventFields {
	end := time.Date(2026, 5, 1, 20, 0, 0, 0, time.UTC)
	return agenda.EventFields{
		Slug:        "may-day-2026",
		Title:       "International May Day rally",
		Description: "Speakers from\nmany countries.\r\n\tWelcome.",
		StartsAt:    time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC),
		EndsAt:      &end,
		Timezone:    "Europe/Kyiv",
		Status:      agenda.StatusDraft,
		Languages:   []string{"en", "uk", "pt-BR"},
		StreamURL:   "https://stream.example.org/live",
		WakingHours: agenda.DefaultWakingHours,
	}
}

func validStageFields() agenda.StageFields { return agenda.StageFields{Name: "Main stage"} }

func validSlotFields() agenda.SlotFields {
	return agenda.SlotFields{
		Kind:            agenda.KindSpeech,
		Title:           "Opening speech",
		Description:     "Line one\nline two",
		DurationSeconds: 600,
		Language:        "en",
		Interpretation:  []agenda.Interpretation{{Language: "es", URL: "https://example.org/es"}},
	}
}

func validSpeakerFields() agenda.SpeakerFields {
	return agenda.SpeakerFields{
		Name:         "Олена Шевченко",
		Country:      "UA",
		Bio:          "Trade unionist.\nLives in Kyiv.",
		PhotoURL:     "https://example.org/olena.jpg",
		Timezone:     "Europe/Kyiv",
		Languages:    []string{"uk", "en"},
		ContactEmail: "olena@example.org",
		Notes:        "Call before\nthe event.",
	}
}

func validOrganizationFields() agenda.OrganizationFields {
	return agenda.OrganizationFields{Name: "Federation of Unions", Country: "UA", Kind: agenda.OrgUnion, URL: "http://unions.example.org"}
}

func TestEventFieldsValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(f *agenda.EventFields)
		fields []string // fields the error names; none: valid
	}{
		{name: "valid", edit: func(*agenda.EventFields) {}},
		{name: "no ends_at", edit: func(f *agenda.EventFields) { f.EndsAt = nil }},
		{name: "published", edit: func(f *agenda.EventFields) { f.Status = agenda.StatusPublished }},
		{name: "ended", edit: func(f *agenda.EventFields) { f.Status = agenda.StatusEnded }},
		{name: "no languages", edit: func(f *agenda.EventFields) { f.Languages = nil }},
		{name: "no stream url", edit: func(f *agenda.EventFields) { f.StreamURL = "" }},
		{name: "http stream url", edit: func(f *agenda.EventFields) { f.StreamURL = "http://example.org/live" }},
		{name: "no waking hours", edit: func(f *agenda.EventFields) { f.WakingHours = agenda.WakingHours{} }},
		{name: "waking hours to 24:00", edit: func(f *agenda.EventFields) { f.WakingHours = agenda.WakingHours{From: "00:00", To: "24:00"} }},
		{name: "waking hours 06:30-22:59", edit: func(f *agenda.EventFields) { f.WakingHours = agenda.WakingHours{From: "06:30", To: "22:59"} }},
		{name: "title in Cyrillic", edit: func(f *agenda.EventFields) { f.Title = "Міжнародний мітинг солідарності" }},
		{name: "title in Arabic", edit: func(f *agenda.EventFields) { f.Title = "تجمع التضامن الدولي" }},
		{name: "title in Devanagari", edit: func(f *agenda.EventFields) {
			f.Title = "अंतरराष्ट्रीय एकजुटता रैली"
		}},
		{name: "title in CJK", edit: func(f *agenda.EventFields) { f.Title = "国际团结集会" }},
		{name: "title of 200 Cyrillic characters", edit: func(f *agenda.EventFields) { f.Title = strings.Repeat(cyr, 200) }},
		{name: "title of 200 CJK characters", edit: func(f *agenda.EventFields) { f.Title = strings.Repeat(cjk, 200) }},
		{name: "description of 10000 Cyrillic characters", edit: func(f *agenda.EventFields) { f.Description = strings.Repeat(cyr, 10000) }},
		{name: "slug of 2 characters", edit: func(f *agenda.EventFields) { f.Slug = "a1" }},
		{name: "slug of 63 characters", edit: func(f *agenda.EventFields) { f.Slug = "a" + strings.Repeat("-", 62) }},
		{name: "slug starting with a digit", edit: func(f *agenda.EventFields) { f.Slug = "2026-may-day" }},

		{name: "no slug", edit: func(f *agenda.EventFields) { f.Slug = "" }, fields: []string{"slug"}},
		{name: "slug of 1 character", edit: func(f *agenda.EventFields) { f.Slug = "a" }, fields: []string{"slug"}},
		{name: "slug of 64 characters", edit: func(f *agenda.EventFields) { f.Slug = strings.Repeat("a", 64) }, fields: []string{"slug"}},
		{name: "slug with upper case", edit: func(f *agenda.EventFields) { f.Slug = "May-day" }, fields: []string{"slug"}},
		{name: "slug starting with a hyphen", edit: func(f *agenda.EventFields) { f.Slug = "-may" }, fields: []string{"slug"}},
		{name: "slug with underscore", edit: func(f *agenda.EventFields) { f.Slug = "may_day" }, fields: []string{"slug"}},
		{name: "slug with space", edit: func(f *agenda.EventFields) { f.Slug = "may day" }, fields: []string{"slug"}},
		{name: "slug with slash", edit: func(f *agenda.EventFields) { f.Slug = "may/day" }, fields: []string{"slug"}},
		{name: "slug with non-ASCII letter", edit: func(f *agenda.EventFields) { f.Slug = "mítin" }, fields: []string{"slug"}},
		{name: "slug with trailing newline", edit: func(f *agenda.EventFields) { f.Slug = "may-day\n" }, fields: []string{"slug"}},
		{name: "no title", edit: func(f *agenda.EventFields) { f.Title = "" }, fields: []string{"title"}},
		{name: "blank title", edit: func(f *agenda.EventFields) { f.Title = "   " }, fields: []string{"title"}},
		{name: "title of 201 Cyrillic characters", edit: func(f *agenda.EventFields) { f.Title = strings.Repeat(cyr, 201) }, fields: []string{"title"}},
		{name: "title of 201 CJK characters", edit: func(f *agenda.EventFields) { f.Title = strings.Repeat(cjk, 201) }, fields: []string{"title"}},
		{name: "title with newline", edit: func(f *agenda.EventFields) { f.Title = "May\nDay" }, fields: []string{"title"}},
		{name: "title with tab", edit: func(f *agenda.EventFields) { f.Title = "May\tDay" }, fields: []string{"title"}},
		{name: "title with NUL", edit: func(f *agenda.EventFields) { f.Title = "May\x00Day" }, fields: []string{"title"}},
		{name: "title with escape", edit: func(f *agenda.EventFields) { f.Title = "May\x1b[31mDay" }, fields: []string{"title"}},
		{name: "title with C1 control", edit: func(f *agenda.EventFields) { f.Title = "May\u0085Day" }, fields: []string{"title"}},
		{name: "title with DEL", edit: func(f *agenda.EventFields) { f.Title = "May\x7fDay" }, fields: []string{"title"}},
		{name: "title not UTF-8", edit: func(f *agenda.EventFields) { f.Title = invalidUTF8 }, fields: []string{"title"}},
		{name: "description not UTF-8", edit: func(f *agenda.EventFields) { f.Description = invalidUTF8 }, fields: []string{"description"}},
		{name: "description with NUL", edit: func(f *agenda.EventFields) { f.Description = "a\x00b" }, fields: []string{"description"}},
		{name: "description with bell", edit: func(f *agenda.EventFields) { f.Description = "a\x07b" }, fields: []string{"description"}},
		{name: "description of 10001 characters", edit: func(f *agenda.EventFields) { f.Description = strings.Repeat(cyr, 10001) }, fields: []string{"description"}},
		{name: "no starts_at", edit: func(f *agenda.EventFields) { f.StartsAt = time.Time{}; f.EndsAt = nil }, fields: []string{"starts_at"}},
		{name: "ends_at before starts_at", edit: func(f *agenda.EventFields) { e := f.StartsAt.Add(-time.Minute); f.EndsAt = &e }, fields: []string{"ends_at"}},
		{name: "ends_at equal to starts_at", edit: func(f *agenda.EventFields) { e := f.StartsAt; f.EndsAt = &e }, fields: []string{"ends_at"}},
		{name: "no timezone", edit: func(f *agenda.EventFields) { f.Timezone = "" }, fields: []string{"timezone"}},
		{name: "timezone Local", edit: func(f *agenda.EventFields) { f.Timezone = "Local" }, fields: []string{"timezone"}},
		{name: "timezone Mars/Base", edit: func(f *agenda.EventFields) { f.Timezone = "Mars/Base" }, fields: []string{"timezone"}},
		{name: "timezone in wrong case", edit: func(f *agenda.EventFields) { f.Timezone = "europe/kyiv" }, fields: []string{"timezone"}},
		{name: "no status", edit: func(f *agenda.EventFields) { f.Status = "" }, fields: []string{"status"}},
		{name: "unknown status", edit: func(f *agenda.EventFields) { f.Status = "live" }, fields: []string{"status"}},
		{name: "language english", edit: func(f *agenda.EventFields) { f.Languages = []string{"en", "english"} }, fields: []string{"languages[1]"}},
		{name: "language x", edit: func(f *agenda.EventFields) { f.Languages = []string{"x"} }, fields: []string{"languages[0]"}},
		{name: "empty language in list", edit: func(f *agenda.EventFields) { f.Languages = []string{"en", "fr", ""} }, fields: []string{"languages[2]"}},
		{name: "51 languages", edit: func(f *agenda.EventFields) { f.Languages = slices.Repeat([]string{"en"}, 51) }, fields: []string{"languages"}},
		{name: "stream url javascript:", edit: func(f *agenda.EventFields) { f.StreamURL = "javascript:alert(1)" }, fields: []string{"stream_url"}},
		{name: "stream url data:", edit: func(f *agenda.EventFields) { f.StreamURL = "data:text/html,x" }, fields: []string{"stream_url"}},
		{name: "stream url scheme-relative", edit: func(f *agenda.EventFields) { f.StreamURL = "//example.org" }, fields: []string{"stream_url"}},
		{name: "stream url ftp", edit: func(f *agenda.EventFields) { f.StreamURL = "ftp://x" }, fields: []string{"stream_url"}},
		{name: "stream url relative path", edit: func(f *agenda.EventFields) { f.StreamURL = "/live" }, fields: []string{"stream_url"}},
		{name: "stream url without host", edit: func(f *agenda.EventFields) { f.StreamURL = "https://" }, fields: []string{"stream_url"}},
		{name: "waking from 24:30", edit: func(f *agenda.EventFields) { f.WakingHours.From = "24:30" }, fields: []string{"waking_hours.from"}},
		{name: "waking from 7:00", edit: func(f *agenda.EventFields) { f.WakingHours.From = "7:00" }, fields: []string{"waking_hours.from"}},
		{name: "waking to 25:00", edit: func(f *agenda.EventFields) { f.WakingHours.To = "25:00" }, fields: []string{"waking_hours.to"}},
		{name: "waking to 23:60", edit: func(f *agenda.EventFields) { f.WakingHours.To = "23:60" }, fields: []string{"waking_hours.to"}},
		{name: "waking to 23:00:00", edit: func(f *agenda.EventFields) { f.WakingHours.To = "23:00:00" }, fields: []string{"waking_hours.to"}},
		{name: "waking both wrong", edit: func(f *agenda.EventFields) { f.WakingHours = agenda.WakingHours{From: "7am", To: "11pm"} }, fields: []string{"waking_hours.from", "waking_hours.to"}},
		{
			name: "every error at once",
			edit: func(f *agenda.EventFields) {
				*f = agenda.EventFields{
					Slug: "Bad Slug", Title: "", Description: "a\x00", Timezone: "Local", Status: "live",
					Languages: []string{"english", "en", "x"}, StreamURL: "javascript:alert(1)",
					WakingHours: agenda.WakingHours{From: "7:00", To: "24:30"},
				}
			},
			fields: []string{
				"slug", "title", "description", "starts_at", "timezone", "status",
				"languages[0]", "languages[2]", "stream_url", "waking_hours.from", "waking_hours.to",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validEventFields()
			tt.edit(&f)
			checkFields(t, f.Validate(), tt.fields...)
		})
	}
}

func TestEventFieldsValidateLanguages(t *testing.T) {
	for _, lang := range []string{"en", "pt-BR", "zh-Hant", "sr-Latn", "uk", "ar", "hi", "es-419", "yue"} {
		t.Run(lang, func(t *testing.T) {
			f := validEventFields()
			f.Languages = []string{lang}
			checkFields(t, f.Validate())
		})
	}
}

func TestEventFieldsValidateTimezones(t *testing.T) {
	for _, tz := range []string{"Europe/Kyiv", "UTC", "America/Sao_Paulo", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham"} {
		t.Run(tz, func(t *testing.T) {
			f := validEventFields()
			f.Timezone = tz
			checkFields(t, f.Validate())
		})
	}
}

func TestStageFieldsValidate(t *testing.T) {
	tests := []struct {
		name   string
		stage  string
		fields []string
	}{
		{name: "latin", stage: "Main stage"},
		{name: "100 Cyrillic characters", stage: strings.Repeat(cyr, 100)},
		{name: "100 CJK characters", stage: strings.Repeat(cjk, 100)},
		{name: "empty", stage: "", fields: []string{"name"}},
		{name: "blank", stage: " \u3000 ", fields: []string{"name"}},
		{name: "101 Cyrillic characters", stage: strings.Repeat(cyr, 101), fields: []string{"name"}},
		{name: "newline", stage: "Main\nstage", fields: []string{"name"}},
		{name: "carriage return", stage: "Main\rstage", fields: []string{"name"}},
		{name: "invalid UTF-8", stage: invalidUTF8, fields: []string{"name"}},
	}
	for _, name := range multiScriptNames {
		tests = append(tests, struct {
			name   string
			stage  string
			fields []string
		}{name: "script " + name, stage: name})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFields(t, agenda.StageFields{Name: tt.stage}.Validate(), tt.fields...)
		})
	}
}

func TestSlotFieldsValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(f *agenda.SlotFields)
		fields []string
	}{
		{name: "valid", edit: func(*agenda.SlotFields) {}},
		{name: "duration 1 second", edit: func(f *agenda.SlotFields) { f.DurationSeconds = 1 }},
		{name: "duration 86400 seconds", edit: func(f *agenda.SlotFields) { f.DurationSeconds = 86400 }},
		{name: "pinned start", edit: func(f *agenda.SlotFields) { p := pinned; f.PinnedStart = &p }},
		{name: "no language", edit: func(f *agenda.SlotFields) { f.Language = "" }},
		{name: "language pt-BR", edit: func(f *agenda.SlotFields) { f.Language = "pt-BR" }},
		{name: "language zh-Hant", edit: func(f *agenda.SlotFields) { f.Language = "zh-Hant" }},
		{name: "language sr-Latn", edit: func(f *agenda.SlotFields) { f.Language = "sr-Latn" }},
		{name: "no interpretation", edit: func(f *agenda.SlotFields) { f.Interpretation = nil }},
		{name: "title in Devanagari", edit: func(f *agenda.SlotFields) { f.Title = "उद्घाटन भाषण" }},
		{name: "title in Arabic", edit: func(f *agenda.SlotFields) { f.Title = "كلمة الافتتاح" }},
		{name: "title of 200 Cyrillic characters", edit: func(f *agenda.SlotFields) { f.Title = strings.Repeat(cyr, 200) }},
		{name: "description with newlines and tabs", edit: func(f *agenda.SlotFields) { f.Description = "a\n\tb\r\nc" }},

		{name: "duration 0", edit: func(f *agenda.SlotFields) { f.DurationSeconds = 0 }, fields: []string{"duration_seconds"}},
		{name: "duration negative", edit: func(f *agenda.SlotFields) { f.DurationSeconds = -60 }, fields: []string{"duration_seconds"}},
		{name: "duration 86401 seconds", edit: func(f *agenda.SlotFields) { f.DurationSeconds = 86401 }, fields: []string{"duration_seconds"}},
		{name: "no kind", edit: func(f *agenda.SlotFields) { f.Kind = "" }, fields: []string{"kind"}},
		{name: "unknown kind", edit: func(f *agenda.SlotFields) { f.Kind = "dance" }, fields: []string{"kind"}},
		{name: "no title", edit: func(f *agenda.SlotFields) { f.Title = "" }, fields: []string{"title"}},
		{name: "title of 201 Cyrillic characters", edit: func(f *agenda.SlotFields) { f.Title = strings.Repeat(cyr, 201) }, fields: []string{"title"}},
		{name: "title with newline", edit: func(f *agenda.SlotFields) { f.Title = "a\nb" }, fields: []string{"title"}},
		{name: "title not UTF-8", edit: func(f *agenda.SlotFields) { f.Title = invalidUTF8 }, fields: []string{"title"}},
		{name: "description with NUL", edit: func(f *agenda.SlotFields) { f.Description = "a\x00b" }, fields: []string{"description"}},
		{name: "description not UTF-8", edit: func(f *agenda.SlotFields) { f.Description = invalidUTF8 }, fields: []string{"description"}},
		{name: "language english", edit: func(f *agenda.SlotFields) { f.Language = "english" }, fields: []string{"language"}},
		{name: "language x", edit: func(f *agenda.SlotFields) { f.Language = "x" }, fields: []string{"language"}},
		{name: "interpretation without language", edit: func(f *agenda.SlotFields) { f.Interpretation[0].Language = "" }, fields: []string{"interpretation[0].language"}},
		{name: "interpretation without url", edit: func(f *agenda.SlotFields) { f.Interpretation[0].URL = "" }, fields: []string{"interpretation[0].url"}},
		{name: "interpretation url javascript:", edit: func(f *agenda.SlotFields) { f.Interpretation[0].URL = "javascript:alert(1)" }, fields: []string{"interpretation[0].url"}},
		{name: "interpretation url data:", edit: func(f *agenda.SlotFields) { f.Interpretation[0].URL = "data:text/html,x" }, fields: []string{"interpretation[0].url"}},
		{name: "interpretation url scheme-relative", edit: func(f *agenda.SlotFields) { f.Interpretation[0].URL = "//example.org" }, fields: []string{"interpretation[0].url"}},
		{name: "interpretation url ftp", edit: func(f *agenda.SlotFields) { f.Interpretation[0].URL = "ftp://x" }, fields: []string{"interpretation[0].url"}},
		{
			name: "second interpretation wrong",
			edit: func(f *agenda.SlotFields) {
				f.Interpretation = append(f.Interpretation, agenda.Interpretation{Language: "x", URL: "ftp://x"})
			},
			fields: []string{"interpretation[1].language", "interpretation[1].url"},
		},
		{
			name:   "51 interpretation channels",
			edit:   func(f *agenda.SlotFields) { f.Interpretation = slices.Repeat(f.Interpretation, 51) },
			fields: []string{"interpretation"},
		},
		{
			name: "every error at once",
			edit: func(f *agenda.SlotFields) {
				*f = agenda.SlotFields{Kind: "dance", Title: "", Description: invalidUTF8, DurationSeconds: 0, Language: "english",
					Interpretation: []agenda.Interpretation{{Language: "", URL: ""}}}
			},
			fields: []string{"kind", "title", "description", "duration_seconds", "language", "interpretation[0].language", "interpretation[0].url"},
		},
	}
	for _, kind := range []agenda.SlotKind{agenda.KindSpeech, agenda.KindPanel, agenda.KindVideo, agenda.KindMusic, agenda.KindModeration, agenda.KindBreak, agenda.KindOther} {
		tests = append(tests, struct {
			name   string
			edit   func(f *agenda.SlotFields)
			fields []string
		}{name: "kind " + string(kind), edit: func(f *agenda.SlotFields) { f.Kind = kind }})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validSlotFields()
			tt.edit(&f)
			checkFields(t, f.Validate(), tt.fields...)
		})
	}
}

func TestSpeakerFieldsValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(f *agenda.SpeakerFields)
		fields []string
	}{
		{name: "valid", edit: func(*agenda.SpeakerFields) {}},
		{name: "name only", edit: func(f *agenda.SpeakerFields) { *f = agenda.SpeakerFields{Name: "Ana"} }},
		{name: "no timezone (optional)", edit: func(f *agenda.SpeakerFields) { f.Timezone = "" }},
		{name: "no country (optional)", edit: func(f *agenda.SpeakerFields) { f.Country = "" }},
		{name: "country BR", edit: func(f *agenda.SpeakerFields) { f.Country = "BR" }},
		{name: "country IN", edit: func(f *agenda.SpeakerFields) { f.Country = "IN" }},
		{name: "timezone America/Sao_Paulo", edit: func(f *agenda.SpeakerFields) { f.Timezone = "America/Sao_Paulo" }},
		{name: "languages pt-BR zh-Hant sr-Latn", edit: func(f *agenda.SpeakerFields) { f.Languages = []string{"pt-BR", "zh-Hant", "sr-Latn"} }},
		{name: "name of 200 Cyrillic characters", edit: func(f *agenda.SpeakerFields) { f.Name = strings.Repeat(cyr, 200) }},
		{name: "bio of 5000 CJK characters", edit: func(f *agenda.SpeakerFields) { f.Bio = strings.Repeat(cjk, 5000) }},
		{name: "bio with newlines", edit: func(f *agenda.SpeakerFields) { f.Bio = "one\ntwo\r\nthree\tfour" }},
		{name: "notes with newlines", edit: func(f *agenda.SpeakerFields) { f.Notes = "one\ntwo\r\nthree" }},
		{name: "no e-mail", edit: func(f *agenda.SpeakerFields) { f.ContactEmail = "" }},
		{name: "e-mail with plus and subdomain", edit: func(f *agenda.SpeakerFields) { f.ContactEmail = "o.s+rally@mail.example.org" }},
		{name: "all hidden", edit: func(f *agenda.SpeakerFields) { f.HideCountry, f.HideOrganization, f.HidePhoto = true, true, true }},

		{name: "no name", edit: func(f *agenda.SpeakerFields) { f.Name = "" }, fields: []string{"name"}},
		{name: "blank name", edit: func(f *agenda.SpeakerFields) { f.Name = " \t " }, fields: []string{"name"}},
		{name: "name of 201 Cyrillic characters", edit: func(f *agenda.SpeakerFields) { f.Name = strings.Repeat(cyr, 201) }, fields: []string{"name"}},
		{name: "name with newline", edit: func(f *agenda.SpeakerFields) { f.Name = "Olena\nShevchenko" }, fields: []string{"name"}},
		{name: "name with NUL", edit: func(f *agenda.SpeakerFields) { f.Name = "Olena\x00" }, fields: []string{"name"}},
		{name: "name not UTF-8", edit: func(f *agenda.SpeakerFields) { f.Name = invalidUTF8 }, fields: []string{"name"}},
		{name: "country lower case ua", edit: func(f *agenda.SpeakerFields) { f.Country = "ua" }, fields: []string{"country"}},
		{name: "country mixed case Ua", edit: func(f *agenda.SpeakerFields) { f.Country = "Ua" }, fields: []string{"country"}},
		{name: "country XX", edit: func(f *agenda.SpeakerFields) { f.Country = "XX" }, fields: []string{"country"}},
		{name: "country EU", edit: func(f *agenda.SpeakerFields) { f.Country = "EU" }, fields: []string{"country"}},
		{name: "country ZZ", edit: func(f *agenda.SpeakerFields) { f.Country = "ZZ" }, fields: []string{"country"}},
		{name: "country 419", edit: func(f *agenda.SpeakerFields) { f.Country = "419" }, fields: []string{"country"}},
		{name: "country UKR (alpha-3)", edit: func(f *agenda.SpeakerFields) { f.Country = "UKR" }, fields: []string{"country"}},
		{name: "country name", edit: func(f *agenda.SpeakerFields) { f.Country = "Ukraine" }, fields: []string{"country"}},
		{name: "bio of 5001 characters", edit: func(f *agenda.SpeakerFields) { f.Bio = strings.Repeat(cyr, 5001) }, fields: []string{"bio"}},
		{name: "bio with NUL", edit: func(f *agenda.SpeakerFields) { f.Bio = "a\x00" }, fields: []string{"bio"}},
		{name: "bio not UTF-8", edit: func(f *agenda.SpeakerFields) { f.Bio = invalidUTF8 }, fields: []string{"bio"}},
		{name: "photo url javascript:", edit: func(f *agenda.SpeakerFields) { f.PhotoURL = "javascript:alert(1)" }, fields: []string{"photo_url"}},
		{name: "photo url data:", edit: func(f *agenda.SpeakerFields) { f.PhotoURL = "data:text/html,x" }, fields: []string{"photo_url"}},
		{name: "photo url scheme-relative", edit: func(f *agenda.SpeakerFields) { f.PhotoURL = "//example.org" }, fields: []string{"photo_url"}},
		{name: "photo url ftp", edit: func(f *agenda.SpeakerFields) { f.PhotoURL = "ftp://x" }, fields: []string{"photo_url"}},
		{name: "timezone Local", edit: func(f *agenda.SpeakerFields) { f.Timezone = "Local" }, fields: []string{"timezone"}},
		{name: "timezone Mars/Base", edit: func(f *agenda.SpeakerFields) { f.Timezone = "Mars/Base" }, fields: []string{"timezone"}},
		{name: "language english", edit: func(f *agenda.SpeakerFields) { f.Languages = []string{"english"} }, fields: []string{"languages[0]"}},
		{name: "language x", edit: func(f *agenda.SpeakerFields) { f.Languages = []string{"uk", "x"} }, fields: []string{"languages[1]"}},
		{name: "empty language in list", edit: func(f *agenda.SpeakerFields) { f.Languages = []string{""} }, fields: []string{"languages[0]"}},
		{name: "e-mail without at", edit: func(f *agenda.SpeakerFields) { f.ContactEmail = "olena.example.org" }, fields: []string{"contact_email"}},
		{name: "e-mail with display name", edit: func(f *agenda.SpeakerFields) { f.ContactEmail = "Olena <olena@example.org>" }, fields: []string{"contact_email"}},
		{name: "e-mail with spaces", edit: func(f *agenda.SpeakerFields) { f.ContactEmail = " olena@example.org" }, fields: []string{"contact_email"}},
		{name: "two e-mails", edit: func(f *agenda.SpeakerFields) { f.ContactEmail = "a@example.org, b@example.org" }, fields: []string{"contact_email"}},
		{name: "e-mail too long", edit: func(f *agenda.SpeakerFields) {
			f.ContactEmail = strings.Repeat("a", 64) + "@" + strings.Repeat("b", 190) + ".org"
		}, fields: []string{"contact_email"}},
		{name: "notes with NUL", edit: func(f *agenda.SpeakerFields) { f.Notes = "a\x00" }, fields: []string{"notes"}},
		{name: "notes not UTF-8", edit: func(f *agenda.SpeakerFields) { f.Notes = invalidUTF8 }, fields: []string{"notes"}},
		{name: "notes of 10001 characters", edit: func(f *agenda.SpeakerFields) { f.Notes = strings.Repeat(cjk, 10001) }, fields: []string{"notes"}},
		{
			name: "every error at once",
			edit: func(f *agenda.SpeakerFields) {
				*f = agenda.SpeakerFields{Name: "", Country: "EU", Bio: "\x00", PhotoURL: "javascript:alert(1)", Timezone: "Local",
					Languages: []string{"en", "x"}, ContactEmail: "nope", Notes: invalidUTF8}
			},
			fields: []string{"name", "country", "bio", "photo_url", "timezone", "languages[1]", "contact_email", "notes"},
		},
	}
	for _, name := range multiScriptNames {
		tests = append(tests, struct {
			name   string
			edit   func(f *agenda.SpeakerFields)
			fields []string
		}{name: "name " + name, edit: func(f *agenda.SpeakerFields) { f.Name = name }})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validSpeakerFields()
			tt.edit(&f)
			checkFields(t, f.Validate(), tt.fields...)
		})
	}
}

func TestOrganizationFieldsValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(f *agenda.OrganizationFields)
		fields []string
	}{
		{name: "valid", edit: func(*agenda.OrganizationFields) {}},
		{name: "no country, no url", edit: func(f *agenda.OrganizationFields) { f.Country, f.URL = "", "" }},
		{name: "https url", edit: func(f *agenda.OrganizationFields) { f.URL = "https://example.org/path?q=1#x" }},
		{name: "name of 200 Cyrillic characters", edit: func(f *agenda.OrganizationFields) { f.Name = strings.Repeat(cyr, 200) }},
		{name: "name in Arabic", edit: func(f *agenda.OrganizationFields) { f.Name = "الاتحاد العام التونسي للشغل" }},
		{name: "name in CJK", edit: func(f *agenda.OrganizationFields) { f.Name = "全国労働組合総連合" }},
		{name: "name in Devanagari", edit: func(f *agenda.OrganizationFields) { f.Name = "भारतीय मज़दूर संघ" }},
		{name: "name in Cyrillic", edit: func(f *agenda.OrganizationFields) { f.Name = "Федерація профспілок України" }},

		{name: "no name", edit: func(f *agenda.OrganizationFields) { f.Name = "" }, fields: []string{"name"}},
		{name: "name of 201 Cyrillic characters", edit: func(f *agenda.OrganizationFields) { f.Name = strings.Repeat(cyr, 201) }, fields: []string{"name"}},
		{name: "name with newline", edit: func(f *agenda.OrganizationFields) { f.Name = "a\nb" }, fields: []string{"name"}},
		{name: "name not UTF-8", edit: func(f *agenda.OrganizationFields) { f.Name = invalidUTF8 }, fields: []string{"name"}},
		{name: "country lower case ua", edit: func(f *agenda.OrganizationFields) { f.Country = "ua" }, fields: []string{"country"}},
		{name: "country XX", edit: func(f *agenda.OrganizationFields) { f.Country = "XX" }, fields: []string{"country"}},
		{name: "country EU", edit: func(f *agenda.OrganizationFields) { f.Country = "EU" }, fields: []string{"country"}},
		{name: "country 419", edit: func(f *agenda.OrganizationFields) { f.Country = "419" }, fields: []string{"country"}},
		{name: "no kind", edit: func(f *agenda.OrganizationFields) { f.Kind = "" }, fields: []string{"kind"}},
		{name: "unknown kind", edit: func(f *agenda.OrganizationFields) { f.Kind = "church" }, fields: []string{"kind"}},
		{name: "url javascript:", edit: func(f *agenda.OrganizationFields) { f.URL = "javascript:alert(1)" }, fields: []string{"url"}},
		{name: "url data:", edit: func(f *agenda.OrganizationFields) { f.URL = "data:text/html,x" }, fields: []string{"url"}},
		{name: "url scheme-relative", edit: func(f *agenda.OrganizationFields) { f.URL = "//example.org" }, fields: []string{"url"}},
		{name: "url ftp", edit: func(f *agenda.OrganizationFields) { f.URL = "ftp://x" }, fields: []string{"url"}},
		{name: "url too long", edit: func(f *agenda.OrganizationFields) { f.URL = "https://example.org/" + strings.Repeat("a", 2000) }, fields: []string{"url"}},
		{
			name: "every error at once",
			edit: func(f *agenda.OrganizationFields) {
				*f = agenda.OrganizationFields{Country: "XX", Kind: "church", URL: "ftp://x"}
			},
			fields: []string{"name", "country", "kind", "url"},
		},
	}
	for _, kind := range []agenda.OrganizationKind{agenda.OrgParty, agenda.OrgUnion, agenda.OrgMovement, agenda.OrgNGO, agenda.OrgMedia, agenda.OrgOther} {
		tests = append(tests, struct {
			name   string
			edit   func(f *agenda.OrganizationFields)
			fields []string
		}{name: "kind " + string(kind), edit: func(f *agenda.OrganizationFields) { f.Kind = kind }})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validOrganizationFields()
			tt.edit(&f)
			checkFields(t, f.Validate(), tt.fields...)
		})
	}
}

func TestValidationErrorMessage(t *testing.T) {
	err := agenda.SlotFields{Kind: agenda.KindSpeech, DurationSeconds: 0}.Validate()
	var ve *agenda.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v is not a *agenda.ValidationError", err)
	}
	msg := err.Error()
	for _, fe := range ve.Errors {
		if !strings.Contains(msg, fe.Field+": "+fe.Message) {
			t.Errorf("Error() = %q does not mention %q", msg, fe.Field+": "+fe.Message)
		}
	}
	single := agenda.Invalid("position", "must be %d or more", 0)
	if len(single.Errors) != 1 || single.Errors[0] != (agenda.FieldError{Field: "position", Message: "must be 0 or more"}) {
		t.Errorf("Invalid() = %+v", single.Errors)
	}
}
