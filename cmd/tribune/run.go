package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the binary knows every IANA timezone, even on a bare image

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/tribune-act/tribune/pkg/agenda"
	"github.com/tribune-act/tribune/pkg/auth"
	"github.com/tribune-act/tribune/pkg/demo"
	"github.com/tribune-act/tribune/pkg/httpapi"
	"github.com/tribune-act/tribune/pkg/live"
	"github.com/tribune-act/tribune/pkg/mail"
	"github.com/tribune-act/tribune/pkg/notify"
	"github.com/tribune-act/tribune/pkg/store"
	"github.com/tribune-act/tribune/pkg/webhook"
	"golang.org/x/term"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

const usage = `Usage: tribune <command> [flags]

Commands:
  serve [--addr 127.0.0.1:8080] [--db PATH|postgres://…] [--demo]   run the server
  migrate [--db …]                                                    bring the database schema up to date
  user create --email E [--admin]                                     add an organizer (password from TRIBUNE_PASSWORD or a prompt)
  token create --email E [--name N]                                   print a new personal API token, once
  backup --to FILE [--db …]                                           write a consistent copy of a SQLite database while it serves
  config                                                              print the documented example configuration
  version                                                             print the version

Every flag can also be set as TRIBUNE_<NAME> or in a --config file (see configs/).
`

// run is the whole program: it parses the command line and wires the parts.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[1], args[2:]; {
	case cmd == "serve":
		err = serve(ctx, rest, os.Getenv, stdout, stderr)
	case cmd == "migrate":
		err = migrate(ctx, rest, stdout, stderr)
	case cmd == "user" && len(rest) > 0 && rest[0] == "create":
		err = createUser(ctx, rest[1:], stdin, stdout, stderr)
	case cmd == "token" && len(rest) > 0 && rest[0] == "create":
		err = createToken(ctx, rest[1:], stdout, stderr)
	case cmd == "backup":
		err = backup(ctx, rest, stdout, stderr)
	case cmd == "config":
		fmt.Fprint(stdout, exampleConfig())
	case cmd == "version":
		fmt.Fprintln(stdout, "tribune", buildVersion())
	case cmd == "help" || cmd == "-h" || cmd == "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "tribune: unknown command %q\n\n%s", strings.Join(args[1:min(len(args), 3)], " "), usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "tribune:", err)
		return 1
	}
	return 0
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return "dev-" + s.Value[:min(12, len(s.Value))]
			}
		}
	}
	return "dev"
}

// openStore opens and migrates the configured database.
func openStore(ctx context.Context, cfg config) (*store.Store, error) {
	st, err := store.Open(ctx, cfg["db"])
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log-level: %w", err)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := newCommandFlags("serve", getenv, stderr, "addr", "db", "demo", "log-level", "public-origin", "secret",
		"smtp-host", "smtp-port", "smtp-username", "smtp-password", "smtp-from", "smtp-security",
		"remind-unanswered-after", "remind-before", "trusted-proxies", "debug-addr").parse(args, getenv)
	if err != nil {
		return err
	}
	log, err := newLogger(stderr, cfg["log-level"])
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if cfg.enabled("demo") {
		if err := seedDemo(ctx, st, stdout, cfg["addr"]); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", cfg["addr"])
	if err != nil {
		return err
	}
	keys, err := speakerKeys(cfg)
	if err != nil {
		return err
	}
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	hub := live.NewHub(st, live.DefaultOptions, log, live.NewMetrics(registry))
	hooks := webhook.New(st, webhook.Options{}, log)
	st.OnCommit(hub.Publish, hooks.Notify)
	hooksCtx, stopHooks := context.WithCancel(ctx)
	hooksDone := make(chan struct{})
	go func() { hooks.Run(hooksCtx); close(hooksDone) }() // webhooks are delivered off the request path
	defer func() { stopHooks(); <-hooksDone }()           // before the store closes
	if store.IsPostgres(cfg["db"]) {
		// Other instances' changes arrive through PostgreSQL LISTEN/NOTIFY.
		bus := &live.PostgresBus{DSN: cfg["db"], Channel: store.NotifyChannel, Hub: hub, Log: log}
		go bus.Run(ctx)
	}
	done := make(chan struct{})
	proxies, err := parseNets(cfg["trusted-proxies"])
	if err != nil {
		return fmt.Errorf("trusted-proxies: %w", err)
	}
	apiCfg := httpapi.Config{PublicOrigin: cfg["public-origin"], Registry: registry, Done: done, Keys: keys, TrustedProxies: proxies}
	if cfg["smtp-host"] != "" {
		notifier, err := newNotifier(cfg, st, keys, log)
		if err != nil {
			return err
		}
		apiCfg.Invitations = notifier
		apiCfg.Confirmations = notifier
		go notifier.Run(ctx, time.Minute)
	}
	srv := &http.Server{
		Handler:           httpapi.New(st, hub, log, apiCfg),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	if addr := cfg["debug-addr"]; addr != "" {
		dl, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("debug-addr: %w", err)
		}
		defer dl.Close()
		go func() { _ = http.Serve(dl, profiler()) }()
		log.Info("profiler serving", "addr", dl.Addr().String()+"/debug/pprof/")
	}
	log.Info("tribune serving", "addr", ln.Addr().String(), "db", redactDSN(cfg["db"]), "version", buildVersion())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	close(done) // feeds close with "going away"; clients reconnect elsewhere with since
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	hub.Drain(shutdown) // the close frames leave before the process does
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newNotifier sets up e-mail to speakers from the smtp-* and remind-* settings.
func newNotifier(cfg config, st *store.Store, keys auth.SpeakerKeys, log *slog.Logger) (*notify.Notifier, error) {
	port, err := strconv.Atoi(cfg["smtp-port"])
	if err != nil {
		return nil, fmt.Errorf("smtp-port: %w", err)
	}
	sender, err := mail.NewSender(mail.Config{
		Host: cfg["smtp-host"], Port: port, Username: cfg["smtp-username"], Password: cfg["smtp-password"],
		From: cfg["smtp-from"], Security: cfg["smtp-security"],
	})
	if err != nil {
		return nil, err
	}
	var policy agenda.ReminderPolicy
	if policy.UnansweredAfter, err = time.ParseDuration(cfg["remind-unanswered-after"]); err != nil {
		return nil, fmt.Errorf("remind-unanswered-after: %w", err)
	}
	if policy.UpcomingBefore, err = time.ParseDuration(cfg["remind-before"]); err != nil {
		return nil, fmt.Errorf("remind-before: %w", err)
	}
	origin := cfg["public-origin"]
	if origin == "" {
		origin = "http://" + cfg["addr"]
	}
	return notify.New(st, sender, keys, origin, policy, log), nil
}

// speakerKeys loads the server secret that speakers' links derive from: the
// configured one, or on SQLite a random one kept in a file beside the database.
func speakerKeys(cfg config) (auth.SpeakerKeys, error) {
	if secret := cfg["secret"]; secret != "" {
		return auth.NewSpeakerKeys([]byte(secret))
	}
	if store.IsPostgres(cfg["db"]) {
		return auth.SpeakerKeys{}, errors.New("with PostgreSQL, set TRIBUNE_SECRET (the same on every instance)")
	}
	path := cfg["db"] + ".secret"
	secret, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return auth.SpeakerKeys{}, err
		}
		secret = []byte(hex.EncodeToString(b))
		err = os.WriteFile(path, secret, 0o600)
	}
	if err != nil {
		return auth.SpeakerKeys{}, fmt.Errorf("secret: %w", err)
	}
	return auth.NewSpeakerKeys(bytes.TrimSpace(secret))
}

// parseNets reads "10.0.0.5, 192.168.0.0/16" as networks; a bare address is a /32 (or /128).
func parseNets(list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			ip := net.ParseIP(item)
			if ip == nil {
				return nil, fmt.Errorf("%q is not an address", item)
			}
			bits := 128
			if ip.To4() != nil {
				bits = 32
			}
			item = fmt.Sprintf("%s/%d", item, bits)
		}
		_, n, err := net.ParseCIDR(item)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func redactDSN(dsn string) string {
	if i := strings.Index(dsn, "@"); i > 0 && strings.Contains(dsn, "://") {
		return dsn[:strings.Index(dsn, "://")+3] + "…" + dsn[i:]
	}
	return dsn
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := newCommandFlags("migrate", os.Getenv, stderr, "db").parse(args, os.Getenv)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg["db"])
	if err != nil {
		return err
	}
	defer st.Close()
	v, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema at version %d\n", v)
	return nil
}

func backup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newCommandFlags("backup", os.Getenv, stderr, "db")
	to := fs.String("to", "", "the file to write (must not exist)")
	cfg, err := fs.parse(args, os.Getenv)
	if err != nil {
		return err
	}
	if *to == "" {
		return errors.New("--to is required")
	}
	if _, err := os.Stat(*to); err == nil {
		return fmt.Errorf("%s exists; choose a new file", *to)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, *to); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up to %s\n", *to)
	return nil
}

func createUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newCommandFlags("user create", os.Getenv, stderr, "db")
	email := fs.String("email", "", "the user's e-mail (required)")
	admin := fs.Bool("admin", false, "make the user an instance admin, with power over every event")
	cfg, err := fs.parse(args, os.Getenv)
	if err != nil {
		return err
	}
	if *email == "" {
		return errors.New("--email is required")
	}
	pw := os.Getenv("TRIBUNE_PASSWORD")
	if pw == "" {
		if pw, err = promptPassword(stdin, stderr); err != nil {
			return err
		}
	}
	if err := auth.CheckPasswordStrength(pw); err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.CreateUser(ctx, *email, hash, *admin)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created user %s (admin: %v)\n", u.Email, u.Admin)
	return nil
}

func createToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newCommandFlags("token create", os.Getenv, stderr, "db")
	email := fs.String("email", "", "the e-mail of the user the token acts for (required)")
	name := fs.String("name", "cli", "a name to recognize the token by")
	cfg, err := fs.parse(args, os.Getenv)
	if err != nil {
		return err
	}
	if *email == "" {
		return errors.New("--email is required")
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.UserByEmail(ctx, *email)
	if errors.Is(err, agenda.ErrNotFound) {
		return fmt.Errorf("no user %s: create one with `tribune user create --email %s`", *email, *email)
	}
	if err != nil {
		return err
	}
	token, hash, err := auth.NewToken(auth.APITokenPrefix)
	if err != nil {
		return err
	}
	if err := st.CreateAPIToken(ctx, u.ID, *name, hash); err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	return nil
}

func promptPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	fmt.Fprint(stderr, "Password: ")
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password: set TRIBUNE_PASSWORD or type one at the prompt")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// seedDemo creates the demo organizer and, once, the demo act.
func seedDemo(ctx context.Context, st *store.Store, stdout io.Writer, addr string) error {
	const email = "organizer@example.org"
	token, _, err := auth.NewToken("")
	if err != nil {
		return err
	}
	password := token[:20]
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u, err := st.UserByEmail(ctx, email)
	if errors.Is(err, agenda.ErrNotFound) {
		u, err = st.CreateUser(ctx, email, hash, false)
	} else if err == nil {
		err = st.SetPassword(ctx, u.ID, hash)
	}
	if err != nil {
		return err
	}
	apiToken, tokenHash, err := auth.NewToken(auth.APITokenPrefix)
	if err != nil {
		return err
	}
	if err := st.CreateAPIToken(ctx, u.ID, "demo", tokenHash); err != nil {
		return err
	}
	if _, err := st.AgendaBySlug(ctx, "demo"); errors.Is(err, agenda.ErrNotFound) {
		act := demo.Act(time.Now().UTC(), store.NewID)
		created, err := st.CreateEvent(ctx, u.ID, act.Event.EventFields)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		_, _, err = st.Change(ctx, created.Event.ID, email, "demo.seed", func(a *agenda.Agenda) error {
			a.Stages, a.Slots, a.Speakers, a.Organizations, a.Live = act.Stages, act.Slots, act.Speakers, act.Organizations, act.Live
			return nil
		})
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Demo act: http://%s/api/v1/public/events/demo\nDemo organizer: %s  password: %s\nAPI token: %s\n", addr, email, password, apiToken)
	return nil
}

// profiler serves Go's profiles, on a listener of its own (never the public one).
func profiler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
