package auth

import (
	"strings"
	"testing"

	"github.com/tribune-act/tribune/pkg/agenda"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$") {
		t.Fatalf("hash %q", h)
	}
	if !CheckPassword(h, "correct horse battery") || CheckPassword(h, "correct horse batterY") || CheckPassword("garbage", "x") {
		t.Fatal("password check is wrong")
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("salt not random")
	}
}

func TestPasswordStrength(t *testing.T) {
	for pw, ok := range map[string]bool{"short": false, "Password123": false, "correct horse battery": true, "пароль-очень-длинный": true} {
		if err := CheckPasswordStrength(pw); (err == nil) != ok {
			t.Errorf("%q: err=%v", pw, err)
		}
	}
}

func TestToken(t *testing.T) {
	tok, hash, err := NewToken("trb_")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "trb_") || len(tok) < 40 || HashToken(tok) != hash {
		t.Fatalf("token %q hash %q", tok, hash)
	}
}

func TestPolicy(t *testing.T) {
	cases := []struct {
		role  agenda.MemberRole
		admin bool
		act   Action
		want  bool
	}{
		{agenda.MemberOwner, false, Own, true},
		{agenda.MemberEditor, false, Own, false},
		{agenda.MemberEditor, false, Edit, true},
		{agenda.MemberStage, false, Edit, false},
		{agenda.MemberStage, false, RunLive, true},
		{agenda.MemberStage, false, View, true},
		{"", false, View, false},
		{"", true, Own, true},
	}
	for _, c := range cases {
		if got := Allows(c.role, c.admin, c.act); got != c.want {
			t.Errorf("Allows(%q, %v, %v) = %v", c.role, c.admin, c.act, got)
		}
	}
}

func TestSpeakerKeys(t *testing.T) {
	if _, err := NewSpeakerKeys([]byte("short")); err == nil {
		t.Fatal("a short secret was accepted")
	}
	k, _ := NewSpeakerKeys([]byte(strings.Repeat("s", 32)))
	k2, _ := NewSpeakerKeys([]byte(strings.Repeat("t", 32)))
	a, b := k.Token("link-1"), k.Token("link-2")
	if a == b || a != k.Token("link-1") || a == k2.Token("link-1") || !strings.HasPrefix(a, SpeakerTokenPrefix) || len(a) < 40 {
		t.Fatalf("tokens %q %q", a, b)
	}
}
