package mail

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// inbox is what a real SMTP server (go-smtp) received.
type inbox struct {
	mu       sync.Mutex
	messages []received
	open     int // sessions whose connection is not closed yet
	rejectTo string
}

type received struct {
	from string
	to   []string
	user string // authenticated user, "" without AUTH
	tls  bool
	data []byte
}

func (in *inbox) NewSession(c *smtp.Conn) (smtp.Session, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.open++
	return &session{in: in, conn: c}, nil
}

func (in *inbox) received() []received {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]received(nil), in.messages...)
}

func (in *inbox) openSessions() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.open
}

type session struct {
	in   *inbox
	conn *smtp.Conn
	user string
	from string
	to   []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != "tribune" || password != "s3cret" {
			return smtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == s.in.rejectTo {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.in.mu.Lock()
	defer s.in.mu.Unlock()
	s.in.messages = append(s.in.messages, received{from: s.from, to: s.to, user: s.user, tls: isTLS, data: b})
	return nil
}

func (s *session) Reset() { s.from, s.to = "", nil }

func (s *session) Logout() error {
	s.in.mu.Lock()
	defer s.in.mu.Unlock()
	s.in.open--
	return nil
}

// serve runs a go-smtp server on 127.0.0.1:0. security is "none" (no TLS at all),
// "starttls" (offers STARTTLS) or "tls" (implicit TLS). It returns the port and, for the
// TLS modes, a pool that trusts the server's certificate.
func serve(t *testing.T, security string) (*inbox, int, *x509.CertPool) {
	t.Helper()
	in := &inbox{}
	srv := smtp.NewServer(in)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var pool *x509.CertPool
	if security != SecurityNone {
		var cfg *tls.Config
		cfg, pool = selfSigned(t)
		if security == SecurityTLS {
			l = tls.NewListener(l, cfg)
		} else {
			srv.TLSConfig = cfg
		}
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return in, l.Addr().(*net.TCPAddr).Port, pool
}

func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

// parsed is a received message taken apart with the standard library only.
type parsed struct {
	header   netmail.Header
	subject  string
	text     string
	textType string
	ics      []byte
	icsType  string
	icsDisp  string
}

func parseMessage(t *testing.T, raw []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not an RFC 5322 message: %v\n%s", err, raw)
	}
	var p parsed
	p.header = msg.Header
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("subject: %v", err)
	}
	var walk func(contentType, cte, disposition string, body io.Reader)
	walk = func(contentType, cte, disposition string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(contentType)
		if err != nil {
			t.Fatalf("content type %q: %v", contentType, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				part, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatalf("multipart: %v", err)
				}
				walk(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"),
					part.Header.Get("Content-Disposition"), part)
			}
		}
		switch strings.ToLower(cte) {
		case "quoted-printable":
			body = quotedprintable.NewReader(body)
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("%s body: %v", mt, err)
		}
		switch mt {
		case "text/plain":
			p.text, p.textType = string(b), contentType
		case "text/calendar":
			p.ics, p.icsType, p.icsDisp = b, contentType, disposition
		default:
			t.Errorf("unexpected part %s", contentType)
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body)
	return p
}

const secretLink = "https://act.example.org/s/spk_0123456789abcdefSECRET"

func berlin(t *testing.T, y int, m time.Month, d, hh, mm int) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(y, m, d, hh, mm, 0, 0, loc)
}

// invitation is a speaker in Manila invited to two slots in Berlin on either side of the
// night (2026-03-29) when Berlin moves from CET to CEST; Manila has no DST.
func invitation(t *testing.T, langs ...string) Notice {
	return Notice{
		Kind: KindInvitation, To: "olena@example.net", SpeakerName: "Olena",
		Languages: langs, SpeakerTimezone: "Asia/Manila",
		EventTitle: "Rally for Peace", EventTimezone: "Europe/Berlin",
		EventURL: "https://act.example.org/e/rally", Link: secretLink, UID: "evt_42",
		Slots: []NoticeSlot{
			{ID: "slot_b", Title: "Closing words", Stage: "Main", Role: agenda.RoleModerator,
				Start: berlin(t, 2026, 3, 29, 19, 0), End: berlin(t, 2026, 3, 29, 19, 30)},
			{ID: "slot_a", Title: "Opening speech", Stage: "Main", Role: agenda.RoleSpeaker,
				Start: berlin(t, 2026, 3, 28, 19, 0), End: berlin(t, 2026, 3, 28, 19, 10)},
		},
		Now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
}

func TestSendInvitationOverRealSMTP(t *testing.T) {
	in, port, _ := serve(t, SecurityNone)
	s, err := NewSender(Config{Host: "127.0.0.1", Port: port, Username: "tribune", Password: "s3cret",
		From: "Tribune <act@example.org>", Security: SecurityNone})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		langs   []string
		subject string
		want    []string // lines of the body
	}{
		{"ukrainian", []string{"uk", "en"}, "Запрошення виступити: «Rally for Peace»", []string{
			"Доброго дня, Olena!",
			"Запрошуємо Вас виступити на заході «Rally for Peace».",
			"Будь ласка, підтвердьте участь або відмовтеся тут:",
			secretLink,
			"Ваші виступи:",
			"• Opening speech — Main (виступ, 10 хв)",
			"  Ваш час (Asia/Manila): нд, 29 бер. 2026 р., 02:00 PST (UTC+08:00)",
			"  Час заходу (Europe/Berlin): сб, 28 бер. 2026 р., 19:00 CET (UTC+01:00)",
			"• Closing words — Main (модерація, 30 хв)",
			"  Ваш час (Asia/Manila): пн, 30 бер. 2026 р., 01:00 PST (UTC+08:00)",
			"  Час заходу (Europe/Berlin): нд, 29 бер. 2026 р., 19:00 CEST (UTC+02:00)",
			"Сторінка заходу: https://act.example.org/e/rally",
		}},
		{"unknown language falls back to English", []string{"zz"}, "Invitation to speak at Rally for Peace", []string{
			"Hello Olena,",
			"You are invited to speak at Rally for Peace.",
			"Please confirm or decline here:",
			secretLink,
			"• Opening speech — Main (speaker, 10 min)",
			"  Your time (Asia/Manila): Sun 29 Mar 2026, 02:00 PST (UTC+08:00)",
			"  Event time (Europe/Berlin): Sat 28 Mar 2026, 19:00 CET (UTC+01:00)",
			"  Event time (Europe/Berlin): Sun 29 Mar 2026, 19:00 CEST (UTC+02:00)",
		}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Send(context.Background(), invitation(t, tc.langs...)); err != nil {
				t.Fatal(err)
			}
			got := in.received()
			if len(got) != i+1 {
				t.Fatalf("server has %d messages, want %d", len(got), i+1)
			}
			r := got[i]
			if r.from != "act@example.org" || len(r.to) != 1 || r.to[0] != "olena@example.net" {
				t.Errorf("envelope from %q to %q", r.from, r.to)
			}
			if r.user != "tribune" {
				t.Errorf("authenticated as %q, want tribune", r.user)
			}
			m := parseMessage(t, r.data)
			if to := m.header.Get("To"); to != "<olena@example.net>" && to != "olena@example.net" {
				t.Errorf("To: %q", to)
			}
			if from, err := m.header.AddressList("From"); err != nil || from[0].Name != "Tribune" || from[0].Address != "act@example.org" {
				t.Errorf("From: %q (%v)", m.header.Get("From"), err)
			}
			if m.subject != tc.subject {
				t.Errorf("Subject = %q, want %q", m.subject, tc.subject)
			}
			if !strings.HasSuffix(m.header.Get("Message-Id"), "@example.org>") || m.header.Get("Date") == "" {
				t.Errorf("Message-Id %q, Date %q", m.header.Get("Message-Id"), m.header.Get("Date"))
			}
			if _, params, _ := mime.ParseMediaType(m.textType); !strings.EqualFold(params["charset"], "utf-8") {
				t.Errorf("body Content-Type %q is not UTF-8", m.textType)
			}
			lines := strings.Split(strings.ReplaceAll(m.text, "\r\n", "\n"), "\n")
			for _, want := range tc.want {
				if !contains(lines, want) {
					t.Errorf("body lacks line %q:\n%s", want, m.text)
				}
			}

			mt, params, err := mime.ParseMediaType(m.icsType)
			if err != nil || mt != "text/calendar" || params["method"] != "PUBLISH" || params["name"] != "invite.ics" {
				t.Errorf("calendar part Content-Type %q", m.icsType)
			}
			if !strings.HasPrefix(m.icsDisp, "attachment") || !strings.Contains(m.icsDisp, `filename="invite.ics"`) {
				t.Errorf("calendar part Content-Disposition %q", m.icsDisp)
			}
			if bytes.Contains(m.ics, []byte("spk_")) {
				t.Errorf("the personal link leaked into the calendar attachment:\n%s", m.ics)
			}
			cal, err := ics.ParseCalendar(bytes.NewReader(m.ics))
			if err != nil {
				t.Fatalf("attachment is not iCalendar: %v\n%s", err, m.ics)
			}
			events := cal.Events()
			if len(events) != 2 {
				t.Fatalf("%d VEVENTs, want 2", len(events))
			}
			if events[0].Id() != "evt_42-slot_a" || events[1].Id() != "evt_42-slot_b" {
				t.Errorf("UIDs %q, %q", events[0].Id(), events[1].Id())
			}
			if !strings.Contains(string(m.ics), "\r\nDTSTART:20260328T180000Z\r\n") ||
				!strings.Contains(string(m.ics), "\r\nDTSTART:20260329T170000Z\r\n") {
				t.Errorf("DTSTART not in UTC:\n%s", m.ics)
			}
		})
	}
}

func contains(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

func TestSendOverTLS(t *testing.T) {
	for _, security := range []string{SecurityStartTLS, SecurityTLS} {
		t.Run(security, func(t *testing.T) {
			in, port, pool := serve(t, security)
			s, err := NewSender(Config{Host: "127.0.0.1", Port: port, Username: "tribune", Password: "s3cret",
				From: "act@example.org", Security: security})
			if err != nil {
				t.Fatal(err)
			}
			s.tlsConfig.RootCAs = pool
			if err := s.Send(context.Background(), invitation(t, "de")); err != nil {
				t.Fatal(err)
			}
			got := in.received()
			if len(got) != 1 || !got[0].tls || got[0].user != "tribune" {
				t.Fatalf("received %+v, want one message over TLS from tribune", got)
			}
			if m := parseMessage(t, got[0].data); m.subject != "Einladung zum Redebeitrag: Rally for Peace" {
				t.Errorf("Subject = %q", m.subject)
			}
		})
	}
}

// The default, starttls, must never fall back to cleartext, and must not leave the
// connection it gave up on open.
func TestSendRefusesServerWithoutStartTLS(t *testing.T) {
	in, port, _ := serve(t, SecurityNone)
	s, err := NewSender(Config{Host: "127.0.0.1", Port: port, Username: "tribune", Password: "s3cret", From: "act@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), invitation(t, "en"))
	if err == nil {
		t.Fatal("sent without STARTTLS")
	}
	if strings.Contains(err.Error(), "spk_") {
		t.Errorf("error leaks the personal link: %v", err)
	}
	if n := len(in.received()); n != 0 {
		t.Errorf("server received %d messages", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for in.openSessions() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the failed connection was left open")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSendErrors(t *testing.T) {
	in, port, _ := serve(t, SecurityNone)
	in.rejectTo = "gone@example.net"
	s, err := NewSender(Config{Host: "localhost", Port: port, From: "act@example.org", Security: SecurityNone})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	rejected := invitation(t, "en")
	rejected.To = "gone@example.net"
	bad := invitation(t, "en")
	bad.To = "not an address"
	badZone := invitation(t, "en")
	badZone.EventTimezone = "Mars/Olympus_Mons"
	for name, n := range map[string]Notice{"rejected recipient": rejected, "bad recipient": bad, "bad timezone": badZone} {
		err := s.Send(ctx, n)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if strings.Contains(err.Error(), "spk_") {
			t.Errorf("%s: error leaks the personal link: %v", name, err)
		}
	}
	if n := len(in.received()); n != 0 {
		t.Errorf("server received %d messages", n)
	}

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Send(canceled, invitation(t, "en")); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: %v", err)
	}
}

func TestNewSender(t *testing.T) {
	ok := Config{Host: "smtp.example.org", From: "Tribune <act@example.org>"}
	with := func(f func(*Config)) Config { c := ok; f(&c); return c }
	bad := map[string]Config{
		"no From":             with(func(c *Config) { c.From = "" }),
		"From not an address": with(func(c *Config) { c.From = "Tribune" }),
		"bad security":        with(func(c *Config) { c.Security = "ssl" }),
		"port out of range":   with(func(c *Config) { c.Port = 70000 }),
		"negative port":       with(func(c *Config) { c.Port = -1 }),
		"port in host":        with(func(c *Config) { c.Host = "smtp.example.org:587" }),
		"password, no user":   with(func(c *Config) { c.Password = "x" }),
		"cleartext password":  with(func(c *Config) { c.Security, c.Username, c.Password = SecurityNone, "u", "p" }),
	}
	for name, cfg := range bad {
		if _, err := NewSender(cfg); err == nil || errors.Is(err, ErrDisabled) {
			t.Errorf("%s: NewSender(%+v) = %v, want a config error", name, cfg, err)
		}
	}
	if _, err := NewSender(with(func(c *Config) { c.Host = "" })); !errors.Is(err, ErrDisabled) {
		t.Errorf("no host: %v, want ErrDisabled", err)
	}
	if (Config{}).Enabled() || !ok.Enabled() {
		t.Error("Enabled")
	}

	ports := map[string]int{"": 587, SecurityStartTLS: 587, SecurityTLS: 465, SecurityNone: 25}
	for security, port := range ports {
		s, err := NewSender(with(func(c *Config) { c.Security = security }))
		if err != nil {
			t.Fatalf("security %q: %v", security, err)
		}
		if s.cfg.Port != port {
			t.Errorf("security %q: port %d, want %d", security, s.cfg.Port, port)
		}
	}
	for _, cfg := range []Config{
		with(func(c *Config) { c.Security, c.Host, c.Username, c.Password = SecurityNone, "127.0.0.1", "u", "p" }),
		with(func(c *Config) { c.Security, c.Host, c.Username = SecurityNone, "::1", "u" }),
		with(func(c *Config) { c.Username, c.Password, c.Port = "u", "p", 2525 }),
	} {
		if _, err := NewSender(cfg); err != nil {
			t.Errorf("NewSender(%+v): %v", cfg, err)
		}
	}
}
