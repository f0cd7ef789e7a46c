package httpapi

import (
	"testing"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// FuzzDecodeAndValidate: any request body decodes to a field error or to
// fields that validate or not — never a panic, and an error always names a field.
func FuzzDecodeAndValidate(f *testing.F) {
	for _, seed := range []string{
		`{"title":"Opening","duration_seconds":300,"kind":"speech"}`,
		`{"title":"<script>alert(1)</script>","language":"pt-BR","interpretation":[{"language":"en","url":"https://x.example.org"}]}`,
		`{"pinned_start":"2026-12-05T18:00:00Z","duration_seconds":-5}`,
		`{"Title":"case"}`, `{"title":null}`, `[]`, `{`, `{"interpretation":[{"language":1}]}`,
		`{"title":"` + "\u202e" + `x","description":"=cmd|' /C calc'!A0"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		f := agenda.SlotFields{Kind: agenda.KindSpeech}
		if _, err := decodeObject(body, &f, "stage_id", "position"); err != nil {
			p := toProblem(err)
			if p.Status != 400 {
				t.Fatalf("decode error maps to %d: %v", p.Status, err)
			}
			return
		}
		if err := f.Validate(); err != nil {
			if p := toProblem(err); p.Status != 400 || p.Field == "" {
				t.Fatalf("validation error without a field: %+v", p)
			}
		}
	})
}

// FuzzSince: the feed's since parameter is a version ≥ 0, absent (-1), or a 400.
func FuzzSince(f *testing.F) {
	for _, seed := range []string{"", "0", "17", "-1", "abc", "9223372036854775807", "9223372036854775808", "1e3", " 1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := parseSince(raw)
		switch {
		case err != nil:
			if toProblem(err).Status != 400 {
				t.Fatalf("%q: %v", raw, err)
			}
		case raw == "" && v != -1, raw != "" && v < 0:
			t.Fatalf("%q gave %d", raw, v)
		}
	})
}
