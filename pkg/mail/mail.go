// Package mail writes and sends the e-mail Tribune sends to speakers: invitations and
// reminders, in the speaker's language, with their slot times in their own timezone and
// the event's, and a calendar attachment. It owns the wording and the SMTP delivery.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strings"
	"sync"

	gomail "github.com/wneessen/go-mail"
)

// Security is how the connection to the SMTP server is protected.
const (
	SecurityStartTLS = "starttls" // the default: plain connection upgraded with STARTTLS, which is required
	SecurityTLS      = "tls"      // implicit TLS from the first byte (usually port 465)
	SecurityNone     = "none"     // no TLS: local relays and tests only
)

// ErrDisabled is returned by NewSender when no SMTP host is configured.
var ErrDisabled = errors.New("mail: e-mail is off (no SMTP host)")

// Config is the SMTP configuration; Host == "" means e-mail is off.
type Config struct {
	Host     string
	Port     int // 0: 587 for starttls, 465 for tls, 25 for none
	Username string
	Password string
	From     string // "Tribune <act@example.org>"
	Security string // "starttls" (default), "tls" (implicit), "none" (plain, for local relays and tests)
}

// Enabled says whether e-mail is configured at all.
func (c Config) Enabled() bool { return c.Host != "" }

// Sender delivers notices over SMTP. It is safe for concurrent use; each Send opens its
// own connection.
type Sender struct {
	cfg        Config
	from       *netmail.Address
	fromDomain string
	tlsConfig  *tls.Config // a seam for tests that trust their own certificate
}

// NewSender validates cfg. It returns ErrDisabled when cfg.Host is empty.
func NewSender(cfg Config) (*Sender, error) {
	if cfg.Host == "" {
		return nil, ErrDisabled
	}
	if strings.ContainsAny(cfg.Host, ":/ ") && net.ParseIP(cfg.Host) == nil {
		return nil, fmt.Errorf("mail: host %q must be a bare host name (the port goes in Port)", cfg.Host)
	}
	if cfg.Security == "" {
		cfg.Security = SecurityStartTLS
	}
	defaultPort := map[string]int{SecurityStartTLS: 587, SecurityTLS: 465, SecurityNone: 25}[cfg.Security]
	if defaultPort == 0 {
		return nil, fmt.Errorf("mail: security %q is not one of starttls, tls, none", cfg.Security)
	}
	if cfg.Port == 0 {
		cfg.Port = defaultPort
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("mail: port %d is out of range", cfg.Port)
	}
	if cfg.Password != "" && cfg.Username == "" {
		return nil, errors.New("mail: a password needs a username")
	}
	if cfg.Username != "" && cfg.Security == SecurityNone && !isLoopback(cfg.Host) {
		return nil, fmt.Errorf("mail: refusing to send SMTP credentials unencrypted to %s; use security starttls or tls", cfg.Host)
	}
	if cfg.From == "" {
		return nil, errors.New("mail: no From address")
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: From %q is not an address: %w", cfg.From, err)
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	return &Sender{
		cfg:        cfg,
		from:       from,
		fromDomain: domain,
		tlsConfig:  &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12},
	}, nil
}

// Send renders n and delivers it: a text/plain UTF-8 body and, when the notice has slots,
// a text/calendar attachment "invite.ics". Errors never contain the personal link.
func (s *Sender) Send(ctx context.Context, n Notice) error {
	to, err := netmail.ParseAddress(n.To)
	if err != nil {
		return fmt.Errorf("mail: recipient is not an address: %w", err)
	}
	r, err := Render(n)
	if err != nil {
		return err
	}
	return s.deliver(ctx, to, r, string(n.Kind))
}

// deliver sends a rendered message to one address; what names it in errors.
func (s *Sender) deliver(ctx context.Context, to *netmail.Address, r Rendered, what string) error {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.FromMailAddress(s.from)
	m.ToMailAddress(to)
	m.Subject(r.Subject)
	m.SetMessageIDWithValue(messageID(s.fromDomain))
	m.SetDate()
	m.SetGenHeader(gomail.HeaderContentLang, r.Language)
	// RFC 3834: keeps out-of-office replies away from the sending address.
	m.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	m.SetBodyString(gomail.TypeTextPlain, r.Text)
	if r.ICS != nil {
		err := m.AttachReader("invite.ics", bytes.NewReader(r.ICS),
			gomail.WithFileContentType("text/calendar; charset=utf-8; method=PUBLISH"))
		if err != nil {
			return fmt.Errorf("mail: attach calendar: %w", err)
		}
	}

	client, track, err := s.client()
	if err != nil {
		return err
	}
	if err := client.DialAndSendWithContext(ctx, m); err != nil {
		// go-mail v0.8.1 leaves the connection open when EHLO, STARTTLS or AUTH fails.
		track.close()
		return fmt.Errorf("mail: send %s via %s: %w", what, client.ServerAddr(), err)
	}
	return nil
}

// client builds a go-mail client for one Send. It dials through conns so that Send can
// close a connection that go-mail abandons on a failed handshake.
func (s *Sender) client() (*gomail.Client, *conns, error) {
	track := &conns{}
	dialer := &net.Dialer{}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTLSConfig(s.tlsConfig),
	}
	switch s.cfg.Security {
	case SecurityStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory),
			gomail.WithDialContextFunc(track.dial(dialer.DialContext)))
	case SecurityTLS:
		// TLS from the first byte, by our dialer; go-mail then sees a *tls.Conn and treats the
		// session as encrypted. Opportunistic, because a server on an implicit-TLS port
		// advertises no STARTTLS.
		tlsDialer := &tls.Dialer{NetDialer: dialer, Config: s.tlsConfig}
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic),
			gomail.WithDialContextFunc(track.dial(tlsDialer.DialContext)))
	case SecurityNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS),
			gomail.WithDialContextFunc(track.dial(dialer.DialContext)))
	}
	if s.cfg.Username != "" {
		auth := gomail.SMTPAuthAutoDiscover
		if s.cfg.Security == SecurityNone {
			auth = gomail.SMTPAuthPlainNoEnc // allowed by NewSender for loopback relays only
		}
		opts = append(opts, gomail.WithSMTPAuth(auth),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("mail: smtp client: %w", err)
	}
	return client, track, nil
}

// conns remembers the connections a dial function opened.
type conns struct {
	mu   sync.Mutex
	list []net.Conn
}

func (c *conns) dial(dial gomail.DialContextFunc) gomail.DialContextFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if conn != nil {
			c.mu.Lock()
			c.list = append(c.list, conn)
			c.mu.Unlock()
		}
		return conn, err
	}
}

func (c *conns) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.list {
		_ = conn.Close() // already closed when go-mail got as far as QUIT
	}
	c.list = nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// messageID is random on the sender's own domain, as RFC 5322 suggests, rather than on
// the host name of whatever container runs Tribune.
func messageID(domain string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	if domain == "" {
		domain = "tribune.invalid"
	}
	return hex.EncodeToString(b) + "@" + domain
}
