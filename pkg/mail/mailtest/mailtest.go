// Package mailtest runs a real SMTP server (go-smtp) on the loopback for
// tests, and keeps every message it receives.
package mailtest

import (
	"io"
	"net"
	"slices"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/tribune-act/tribune/pkg/mail"
)

// Message is one e-mail as received.
type Message struct {
	To   []string
	Data string
}

// Server is a plain SMTP server (no TLS, no AUTH) on 127.0.0.1.
type Server struct {
	Port int
	mu   sync.Mutex
	mail []Message
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Port = l.Addr().(*net.TCPAddr).Port
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Sender returns a mail.Sender that sends to this server.
func (s *Server) Sender(t testing.TB) *mail.Sender {
	t.Helper()
	sender, err := mail.NewSender(mail.Config{Host: "127.0.0.1", Port: s.Port, From: "Tribune <act@example.org>", Security: mail.SecurityNone})
	if err != nil {
		t.Fatal(err)
	}
	return sender
}

// Received returns the messages so far, oldest first.
func (s *Server) Received() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.mail)
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }

type session struct {
	s  *Server
	to []string
}

func (x *session) Mail(string, *smtp.MailOptions) error { return nil }
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}
func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	x.s.mu.Lock()
	x.s.mail = append(x.s.mail, Message{To: x.to, Data: string(b)})
	x.s.mu.Unlock()
	return err
}
func (x *session) Reset()        { x.to = nil }
func (x *session) Logout() error { return nil }
