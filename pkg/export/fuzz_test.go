package export

import (
	"testing"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// FuzzImportSpeakers: any file gives a report — rows and problems with a line —
// never a panic; a file with no problems imports speakers that all validate.
func FuzzImportSpeakers(f *testing.F) {
	for _, seed := range []string{
		"name,country,organization,email\nОлена Коваль,UA,Union,olena@example.org\n",
		"\ufeffname;country\nAna;BR\n=cmd|' /C calc'!A0;AR\n",
		"name,country\n\"unterminated,UA\n",
		"name\n" + "x\n",
		"", "\xff\xfe\x00n", "name,name\nA,B\n",
	} {
		f.Add([]byte(seed))
	}
	n := 0
	newID := func() string { n++; return "id" + string(rune('a'+n%26)) + time.Now().Format("150405.000000000") }
	f.Fuzz(func(t *testing.T, data []byte) {
		a := &agenda.Agenda{}
		a.Event.StartsAt = time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)
		rep := ImportSpeakers(a, data, newID)
		if rep.Rows > MaxImportRows {
			t.Fatalf("%d rows taken", rep.Rows)
		}
		if len(rep.Problems) == 0 {
			for _, sp := range a.Speakers {
				if err := sp.Validate(); err != nil {
					t.Fatalf("imported an invalid speaker %+v: %v", sp, err)
				}
			}
		}
	})
}
