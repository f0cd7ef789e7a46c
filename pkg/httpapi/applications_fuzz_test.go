package httpapi

import (
	"testing"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// FuzzApplication: any body sent to the public form decodes to a field error,
// or to an application that validates or names what is wrong — never a panic —
// and a valid one has consent and keys to find its duplicates by.
func FuzzApplication(f *testing.F) {
	for _, seed := range []string{
		`{"organization_name":"Sindicato de Docentes","country":"AR","kind":"union","contact_name":"Lucía","contact_email":"l@example.org","endorse":true,"consent":true,"consent_version":"1"}`,
		`{"organization_name":"Noam","country":"US","kind":"personality","contact_name":"N","contact_email":"n@example.org","wants_slot":true,"speaker_name":"N","speaker_language":"en","speaker_timezone":"America/New_York","consent":true,"consent_version":"1","fax":""}`,
		`{"fax":"+1 555","endorse":"yes"}`, `{"fax":1}`, `{"country":"ar"}`, `{"contact_email":"a <b@c.d>"}`,
		`{"organization_name":"` + "\u202e\u0000" + `x"}`, `[]`, `null`, `{`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var app agenda.ApplicationFields
		extra, err := decodeObject(body, &app, honeypot)
		if err == nil {
			var fax string
			if raw, ok := extra[honeypot]; ok {
				err = decodeValue(honeypot, raw, &fax)
			}
		}
		if err != nil {
			if p := toProblem(err); p.Status != 400 {
				t.Fatalf("decode error maps to %d: %v", p.Status, err)
			}
			return
		}
		app.Trim()
		if err := app.Validate(); err != nil {
			if p := toProblem(err); p.Status != 400 || p.Field == "" {
				t.Fatalf("validation error without a field: %+v", p)
			}
			return
		}
		if !app.Consent || agenda.NormalizeEmail(app.ContactEmail) == "" {
			t.Fatalf("valid without consent or address: %+v", app)
		}
		_ = agenda.NormalizeName(app.OrganizationName)
	})
}
