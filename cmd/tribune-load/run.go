package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"
)

const usage = `Usage: tribune-load <command> [flags]

Commands:
  bench   start Tribune (-tribune bin/tribune, on a fresh SQLite database) and the floor,
          run the same load against each, print issue 8's targets and the cost table
  run     load a running Tribune (-url, -token) or floor (-floor): an operator's check before an act
  floor   serve the floor: a minimal gorilla/websocket broadcast server (-addr)
  report  print the table of a run saved with bench -json: tribune-load report FILE

Run "tribune-load <command> -h" for a command's flags.
`

// run is the whole program.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[1] {
	case "bench":
		err = benchCommand(ctx, args[2:], stdout, stderr)
	case "run":
		err = runCommand(ctx, args[2:], stdout, stderr)
	case "floor":
		err = floorCommand(ctx, args[2:], stdout, stderr)
	case "report":
		err = reportCommand(args[2:], stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "tribune-load: unknown command %q\n\n%s", args[1], usage)
		return 2
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintln(stderr, "tribune-load:", err)
		return 1
	}
	return 0
}

// loadFlags registers the scenario's flags, with defaults from c.
func loadFlags(fs *flag.FlagSet, c *loadConfig) {
	fs.IntVar(&c.Viewers, "viewers", c.Viewers, "viewer websockets to open")
	fs.IntVar(&c.Ramp, "ramp", c.Ramp, "viewers connecting per second, at most")
	fs.StringVar(&c.First, "first", c.First, "how a viewer first connects: since (resumes from the current version, as the viewer page does) or snapshot")
	fs.IntVar(&c.Changes, "changes", c.Changes, "changes made one at a time, at -rate (the delivery phase)")
	fs.Float64Var(&c.ChangeRate, "rate", c.ChangeRate, "changes per second in the delivery phase")
	fs.Float64Var(&c.PatchRate, "patch-rate", c.PatchRate, "changes per second in the PATCH phase (0: no PATCH phase)")
	fs.Float64Var(&c.PatchSeconds, "patch-seconds", c.PatchSeconds, "length of the PATCH phase, in seconds")
	fs.DurationVar(&c.Settle, "settle", c.Settle, "wait after the viewers connected before reading the server's memory")
	fs.IntVar(&c.GetSeconds, "get-seconds", c.GetSeconds, "seconds of GET load on the agenda, with wrk if installed (0: none)")
	fs.IntVar(&c.GetConns, "get-connections", c.GetConns, "connections of the GET load")
}

func checkLoad(c loadConfig) error {
	switch {
	case c.First != "since" && c.First != "snapshot":
		return fmt.Errorf("-first must be since or snapshot, not %q", c.First)
	case c.Viewers < 0 || c.Ramp <= 0 || c.Changes < 0 || c.ChangeRate <= 0 || c.PatchRate < 0 || c.PatchSeconds < 0:
		return errors.New("-viewers, -changes, -patch-rate and -patch-seconds must be 0 or more; -ramp and -rate more than 0")
	}
	return nil
}

func newProgressFor(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return newProgress(w, ok && term.IsTerminal(int(f.Fd())))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func benchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := benchConfig{
		Tribune: "bin/tribune", Slots: 60, CostChanges: 10, CostRate: 2, GetRounds: 3,
		Load: loadConfig{Viewers: 10000, Ramp: 2000, First: "since", Changes: 30, ChangeRate: 2, PatchRate: 50, PatchSeconds: 10,
			Settle: 5 * time.Second, GetSeconds: 10, GetConns: 64},
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Tribune, "tribune", cfg.Tribune, "the tribune binary to start")
	fs.IntVar(&cfg.Slots, "slots", cfg.Slots, "slots of the event the scenario runs on")
	loadFlags(fs, &cfg.Load)
	costViewers := fs.String("cost-viewers", "1000,5000,10000", "audience sizes of the cost table (empty: no cost table)")
	costSlots := fs.String("cost-slots", "10,100,1000", "event sizes of the cost table, in slots")
	fs.IntVar(&cfg.CostChanges, "cost-changes", cfg.CostChanges, "changes per cell of the cost table")
	fs.Float64Var(&cfg.CostRate, "cost-rate", cfg.CostRate, "changes per second in the cost table")
	fs.IntVar(&cfg.GetRounds, "get-rounds", cfg.GetRounds, "rounds of GET load, alternating Tribune and the floor (the median counts)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the temporary directory (database, server logs)")
	jsonOut := fs.Bool("json", false, "print the results as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if cfg.CostViewers, err = intList(*costViewers); err != nil {
		return fmt.Errorf("-cost-viewers: %w", err)
	}
	if cfg.CostSlots, err = intList(*costSlots); err != nil {
		return fmt.Errorf("-cost-slots: %w", err)
	}
	if len(cfg.CostViewers) == 0 {
		cfg.CostSlots = nil
	}
	if err := checkLoad(cfg.Load); err != nil {
		return err
	}
	most := cfg.Load.Viewers
	for _, n := range cfg.CostViewers {
		most = max(most, n)
	}
	raiseFileLimit(most+256, stderr)
	prog := newProgressFor(stderr)
	res, err := bench(ctx, cfg, prog)
	prog.close()
	if res != nil {
		if *jsonOut {
			if err := writeJSON(stdout, res); err != nil {
				return err
			}
		} else {
			printBench(stdout, res)
		}
	}
	return err
}

func intList(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// runConfig is what `tribune-load run` loads.
type runConfig struct {
	URL, Floor, Token, Slug string
	Slots                   int
	Keep                    bool
	PID                     int
	Load                    loadConfig
}

func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := runConfig{Slots: 60, Load: loadConfig{Viewers: 1000, Ramp: 1000, First: "since", Changes: 30, ChangeRate: 2,
		PatchRate: 0, PatchSeconds: 10, Settle: 3 * time.Second, GetSeconds: 0, GetConns: 64}}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.URL, "url", "", "Tribune's base URL, e.g. http://127.0.0.1:8080")
	fs.StringVar(&cfg.Floor, "floor", "", "load a floor (tribune-load floor) at this base URL instead of Tribune")
	fs.StringVar(&cfg.Token, "token", os.Getenv("TRIBUNE_TOKEN"), "an organizer's API token, trb_… (default $TRIBUNE_TOKEN)")
	fs.StringVar(&cfg.Slug, "slug", "", "load this published event (the title of its first slot changes, and is restored at the end); "+
		"default: a new event of -slots slots, deleted at the end")
	fs.IntVar(&cfg.Slots, "slots", cfg.Slots, "slots of the event the tool creates")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the event the tool created")
	fs.IntVar(&cfg.PID, "pid", 0, "the server's process id, to read its memory from /proc (same machine only)")
	loadFlags(fs, &cfg.Load)
	jsonOut := fs.Bool("json", false, "print the results as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkLoad(cfg.Load); err != nil {
		return err
	}
	if (cfg.URL == "") == (cfg.Floor == "") {
		return errors.New("give -url (Tribune) or -floor")
	}
	if cfg.URL != "" && cfg.Token == "" {
		return errors.New("-token (or TRIBUNE_TOKEN) is needed to make changes: `tribune token create --email E` prints one")
	}
	raiseFileLimit(cfg.Load.Viewers+256, stderr)
	prog := newProgressFor(stderr)
	res, err := runLoad(ctx, cfg, prog)
	prog.close()
	if err != nil {
		return err
	}
	if *jsonOut {
		return writeJSON(stdout, res)
	}
	printTarget(stdout, res)
	return nil
}

// runLoad runs the scenario against the server cfg names.
func runLoad(ctx context.Context, cfg runConfig, prog *progress) (*targetResult, error) {
	tag := strconv.FormatInt(time.Now().UnixMilli()%1e6, 36)
	if cfg.Floor != "" {
		base := strings.TrimRight(cfg.Floor, "/")
		return runTarget(ctx, &target{
			name: "floor", feed: wsURL(base, "/live"), get: base + "/agenda", metrics: base + "/metrics", pid: cfg.PID,
			changes: &floorChanges{base: base, client: newHTTPClient(64, nil), tag: tag},
		}, cfg.Load, prog)
	}
	api := newAPIClient(cfg.URL, cfg.Token)
	var ev *loadEvent
	if cfg.Slug != "" {
		var pub struct {
			Event struct {
				ID string `json:"id"`
			} `json:"event"`
			Slots []struct {
				ID    string `json:"id"`
				Title string `json:"title"`
			} `json:"slots"`
		}
		if err := api.do(ctx, http.MethodGet, "/api/v1/public/events/"+cfg.Slug, nil, &pub); err != nil {
			return nil, err
		}
		if len(pub.Slots) == 0 {
			return nil, fmt.Errorf("event %s has no slot to change", cfg.Slug)
		}
		ev = &loadEvent{ID: pub.Event.ID, Slug: cfg.Slug, Slots: []string{pub.Slots[0].ID}}
		title := pub.Slots[0].Title
		defer func() {
			err := api.do(context.Background(), http.MethodPatch, "/api/v1/events/"+ev.ID+"/slots/"+ev.Slots[0], map[string]string{"title": title}, nil)
			if err != nil {
				prog.logf("restoring the title of slot %s: %v", ev.Slots[0], err)
			}
		}()
	} else {
		slug := "load-" + tag
		stop := prog.watch(func() string { return fmt.Sprintf("creating event %s of %d slots", slug, cfg.Slots) })
		var err error
		ev, err = createLoadEvent(ctx, api, slug, cfg.Slots, nil)
		stop()
		if err != nil {
			return nil, err
		}
		prog.logf("created event %s (%s): %d slots", slug, ev.ID, cfg.Slots)
		if !cfg.Keep {
			defer func() {
				if err := api.do(context.Background(), http.MethodDelete, "/api/v1/events/"+ev.ID, nil, nil); err != nil {
					prog.logf("deleting event %s: %v", slug, err)
				}
			}()
		}
	}
	base := strings.TrimRight(cfg.URL, "/")
	return runTarget(ctx, &target{
		name: "tribune", feed: wsURL(base, "/api/v1/public/events/"+ev.Slug+"/live"), get: base + "/api/v1/public/events/" + ev.Slug,
		metrics: base + "/metrics", pid: cfg.PID, changes: &slotTitles{api: api, eventID: ev.ID, slots: ev.Slots, tag: tag},
	}, cfg.Load, prog)
}

// reportCommand prints the table of a bench run saved as JSON.
func reportCommand(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: tribune-load report FILE (the output of bench -json)")
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	var res benchResult
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	printBench(stdout, &res)
	return nil
}

func floorCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9090", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raiseFileLimit(0, stderr)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: newFloor().handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "floor listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	return nil
}
