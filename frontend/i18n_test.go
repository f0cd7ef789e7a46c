package frontend

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Every catalog of the public pages has exactly the keys of the English one, no
// empty text, and the same {placeholders}.
func TestCatalogsComplete(t *testing.T) {
	read := func(path string) map[string]string {
		t.Helper()
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return m
	}
	en := read("src/i18n/en.json")
	files, _ := filepath.Glob("src/i18n/*.json")
	langs := []string{}
	for _, f := range files {
		lang := strings.TrimSuffix(filepath.Base(f), ".json")
		langs = append(langs, lang)
		cat := read(f)
		for k, v := range en {
			got, ok := cat[k]
			switch {
			case !ok:
				t.Errorf("%s: missing key %q", f, k)
			case strings.TrimSpace(got) == "":
				t.Errorf("%s: empty text for %q", f, k)
			case !slices.Equal(placeholders(v), placeholders(got)):
				t.Errorf("%s: %q has placeholders %v, English has %v", f, k, placeholders(got), placeholders(v))
			}
		}
		for k := range cat {
			if _, ok := en[k]; !ok {
				t.Errorf("%s: key %q is not in en.json", f, k)
			}
		}
	}
	for _, want := range []string{"en", "es", "pt", "fr", "uk", "ru"} {
		if !slices.Contains(langs, want) {
			t.Errorf("no catalog for %s", want)
		}
	}
}

func placeholders(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		out = append(out, s[i:i+j+1])
		s = s[i+j+1:]
	}
	slices.Sort(out)
	return out
}
