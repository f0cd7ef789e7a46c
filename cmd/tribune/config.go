package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// setting is one configuration value. Each is declared once here, with its
// documentation; flags, TRIBUNE_* environment variables and the optional file
// share its name, and `tribune config` prints the documented example in configs/.
type setting struct {
	name    string // flag name; the variable is TRIBUNE_ + upper-cased name with _ for -
	def     string
	usage   string
	boolean bool // a switch: --demo alone means true
}

var settings = []setting{
	{"addr", "127.0.0.1:8080", "address to listen on, host:port", false},
	{"db", "tribune.db", "database: a SQLite file path, or a postgres:// URL", false},
	{"demo", "false", "seed the demo act (slug demo) and the demo organizer at start-up", true},
	{"log-level", "info", "log level: debug, info, warn or error", false},
	{"secret", "", "server secret (at least 32 characters) that speakers' personal links are derived from; on SQLite, when empty, one is generated and kept in the file <db>.secret; required with PostgreSQL, the same on every instance", false},
	{"smtp-host", "", "SMTP server for e-mail to speakers (invitations, reminders); empty: no e-mail, the console shows the links", false},
	{"smtp-port", "587", "SMTP port", false},
	{"smtp-username", "", "SMTP user name", false},
	{"smtp-password", "", "SMTP password", false},
	{"smtp-from", "", "sender of e-mail to speakers, such as Tribune <act@example.org>", false},
	{"smtp-security", "starttls", "starttls, tls (implicit TLS, port 465) or none (a local relay)", false},
	{"remind-unanswered-after", "72h", "remind an invited speaker who has not answered this long after the invitation (0 for never)", false},
	{"remind-before", "2h", "remind a confirmed speaker this long before their slot (0 for never)", false},
	{"trusted-proxies", "", "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For names the client (rate limits are per client address); empty: the connection's address", false},
	{"public-origin", "", "the scheme://host[:port] browsers reach Tribune at; authenticated websocket feeds accept only this origin or the request's own host", false},
	{"debug-addr", "", "address of a second listener serving Go's profiler at /debug/pprof/, for measuring a loaded server; keep it on loopback; empty: none", false},
}

func (s setting) env() string {
	return "TRIBUNE_" + strings.ToUpper(strings.ReplaceAll(s.name, "-", "_"))
}

// config is the resolved configuration: flag > environment > file > default.
type config map[string]string

// commandFlags is a command's flag set: the shared settings it names plus
// --config, and whatever flags of its own the command adds before parse.
type commandFlags struct {
	*flag.FlagSet
	file   *string
	values map[string]*flagValue
}

func newCommandFlags(cmd string, getenv func(string) string, stderr io.Writer, names ...string) *commandFlags {
	fs := flag.NewFlagSet("tribune "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &commandFlags{FlagSet: fs, values: map[string]*flagValue{}}
	c.file = fs.String("config", getenv("TRIBUNE_CONFIG"), "optional configuration file of TRIBUNE_*=value lines (TRIBUNE_CONFIG)")
	for _, s := range settings {
		for _, n := range names {
			if n == s.name {
				c.values[s.name] = &flagValue{boolean: s.boolean}
				fs.Var(c.values[s.name], s.name, fmt.Sprintf("%s (%s, default %q)", s.usage, s.env(), s.def))
			}
		}
	}
	return c
}

// parse parses args and resolves every setting: flag > environment > file > default.
func (c *commandFlags) parse(args []string, getenv func(string) string) (config, error) {
	if err := c.Parse(args); err != nil {
		return nil, err
	}
	if c.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", c.Arg(0))
	}
	fromFile := map[string]string{}
	if *c.file != "" {
		var err error
		if fromFile, err = readConfigFile(*c.file); err != nil {
			return nil, err
		}
	}
	cfg := config{}
	for _, s := range settings {
		v := s.def
		if f, ok := fromFile[s.env()]; ok {
			v = f
		}
		if e := getenv(s.env()); e != "" {
			v = e
		}
		if p := c.values[s.name]; p != nil && p.set {
			v = p.value
		}
		cfg[s.name] = v
	}
	return cfg, nil
}

func readConfigFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || !known(k) {
			return nil, fmt.Errorf("config: %s:%d: expected TRIBUNE_NAME=value with a known name", path, n)
		}
		out[k] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return out, sc.Err()
}

func known(env string) bool {
	for _, s := range settings {
		if s.env() == env {
			return true
		}
	}
	return false
}

// exampleConfig is the documented example file, generated from the declarations.
func exampleConfig() string {
	var b strings.Builder
	b.WriteString("# Tribune configuration: TRIBUNE_NAME=value lines, read with --config FILE or\n")
	b.WriteString("# TRIBUNE_CONFIG=FILE. Environment variables override the file; flags override both.\n")
	b.WriteString("# Generated by `tribune config`; every value shown is the default.\n")
	for _, s := range settings {
		fmt.Fprintf(&b, "\n# %s (flag --%s)\n%s=%s\n", s.usage, s.name, s.env(), s.def)
	}
	return b.String()
}

// flagValue records whether a flag was given, so an explicit flag wins over the environment.
type flagValue struct {
	value   string
	set     bool
	boolean bool
}

func (f *flagValue) String() string { return f.value }

func (f *flagValue) Set(v string) error {
	if f.boolean && v != "true" && v != "false" {
		return fmt.Errorf("must be true or false")
	}
	f.value, f.set = v, true
	return nil
}

func (f *flagValue) IsBoolFlag() bool { return f.boolean }

// enabled reads a boolean setting.
func (c config) enabled(name string) bool { return c[name] == "true" || c[name] == "1" }
