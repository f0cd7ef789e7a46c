package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// targetVerdict is one row of issue 8's table of targets.
type targetVerdict struct {
	What    string `json:"what"`
	Tribune string `json:"tribune"`
	Floor   string `json:"floor"`
	Ratio   string `json:"ratio,omitempty"`
	Target  string `json:"target"`
	// Met is nil for rows that only inform.
	Met *bool `json:"met,omitempty"`
}

func yes(b bool) *bool { return &b }

// held is how many viewers received every change of every phase.
func held(r *targetResult) int {
	n := r.Viewers
	for _, p := range []*phase{r.Delivery, r.Patch} {
		if p != nil {
			n = min(n, p.Held)
		}
	}
	return n
}

func anomalies(r *targetResult) (lost, outOfOrder, reconnects, slow int64) {
	for _, p := range []*phase{r.Delivery, r.Patch} {
		if p != nil {
			lost += p.Lost
			outOfOrder += p.OutOfOrder
			reconnects += p.Reconnects
			slow += p.SlowDrops
		}
	}
	return
}

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func verdicts(cfg benchConfig, t, f *targetResult) []targetVerdict {
	var out []targetVerdict
	tl, to, tr, ts := anomalies(t)
	fl, fo, fr, fs := anomalies(f)
	out = append(out, targetVerdict{
		What:    "viewers held, receiving every change",
		Tribune: fmt.Sprintf("%d / %d", held(t), t.Viewers), Floor: fmt.Sprintf("%d / %d", held(f), f.Viewers),
		Target: fmt.Sprintf("%d, all receiving every change", cfg.Load.Viewers),
		Met:    yes(held(t) == cfg.Load.Viewers && tl == 0 && to == 0),
	})
	out = append(out, targetVerdict{
		What:    "messages lost / out of order",
		Tribune: fmt.Sprintf("%d / %d", tl, to), Floor: fmt.Sprintf("%d / %d", fl, fo),
		Target: "0 / 0", Met: yes(tl == 0 && to == 0),
	})
	out = append(out, targetVerdict{
		What:    "reconnects (of which slow, 4008)",
		Tribune: fmt.Sprintf("%d (%d)", tr, ts), Floor: fmt.Sprintf("%d (%d)", fr, fs), Target: "–",
	})
	if t.Delivery != nil && f.Delivery != nil {
		for _, from := range []string{"request", "acknowledgement"} {
			tc, fc := t.Delivery.PerChange, f.Delivery.PerChange
			td, fd := t.Delivery.Delivery, f.Delivery.Delivery
			if from == "acknowledgement" {
				tc, fc = t.Delivery.PerChangeAck, f.Delivery.PerChangeAck
				td, fd = t.Delivery.DeliveryAck, f.Delivery.DeliveryAck
			}
			out = append(out, targetVerdict{
				What:    fmt.Sprintf("delivery of one change to %d viewers, p99, median change (ms, from %s)", cfg.Load.Viewers, from),
				Tribune: fmt.Sprintf("%.1f", tc.Median), Floor: fmt.Sprintf("%.1f", fc.Median), Ratio: ratio(tc.Median, fc.Median),
				Target: "≤ 1.5 × the floor's", Met: yes(fc.Median > 0 && tc.Median <= 1.5*fc.Median),
			})
			out = append(out, targetVerdict{
				What:    "  same, worst change; all receipts p50 / p90 / p99 / max (ms)",
				Tribune: fmt.Sprintf("%.1f; %.1f / %.1f / %.1f / %.1f", tc.Max, td.P50, td.P90, td.P99, td.Max),
				Floor:   fmt.Sprintf("%.1f; %.1f / %.1f / %.1f / %.1f", fc.Max, fd.P50, fd.P90, fd.P99, fd.Max),
				Ratio:   ratio(td.P99, fd.P99), Target: "–",
			})
		}
	}
	if t.Memory.RSSPerViewerKB > 0 {
		out = append(out, targetVerdict{
			What:    "server memory per idle viewer (RSS, KB)",
			Tribune: fmt.Sprintf("%.1f", t.Memory.RSSPerViewerKB), Floor: fmt.Sprintf("%.1f", f.Memory.RSSPerViewerKB),
			Ratio: ratio(t.Memory.RSSPerViewerKB, f.Memory.RSSPerViewerKB), Target: "≤ 16 KB", Met: yes(t.Memory.RSSPerViewerKB <= 16),
		})
		out = append(out, targetVerdict{
			What:    "  Go heap + stacks per viewer (KB); goroutines per viewer",
			Tribune: fmt.Sprintf("%.1f + %.1f; %.1f", t.Memory.HeapPerViewerKB, t.Memory.StackPerViewerKB, t.Memory.GoroutinesPerViewer),
			Floor:   fmt.Sprintf("%.1f + %.1f; %.1f", f.Memory.HeapPerViewerKB, f.Memory.StackPerViewerKB, f.Memory.GoroutinesPerViewer),
			Target:  "–",
		})
	}
	if t.Get != nil && f.Get != nil {
		out = append(out, targetVerdict{
			What:    fmt.Sprintf("GET public agenda (%d slots, %d bytes), requests/s [%s]", cfg.Slots, t.Get.Bytes, t.Get.Tool),
			Tribune: fmt.Sprintf("%.0f", t.Get.PerSecond), Floor: fmt.Sprintf("%.0f", f.Get.PerSecond),
			Ratio: ratio(t.Get.PerSecond, f.Get.PerSecond), Target: "≥ 0.7 × a bare echo handler, same bytes",
			Met: yes(t.Get.PerSecond >= 0.7*f.Get.PerSecond),
		})
	}
	if p := t.PatchAlone; p != nil {
		out = append(out, targetVerdict{
			What:    fmt.Sprintf("PATCH of a slot at %.0f changes/s, no viewers (baseline), p99 (ms)", cfg.Load.PatchRate),
			Tribune: fmt.Sprintf("%.1f (p50 %.1f, %.1f/s)", p.Request.P99, p.Request.P50, p.Achieved), Floor: "–", Target: "–",
		})
	}
	if t.PatchOther != nil {
		p := t.PatchOther
		out = append(out, targetVerdict{
			What:    fmt.Sprintf("PATCH of a slot at %.0f changes/s, %d viewers connected to another event, p99 (ms)", cfg.Load.PatchRate, cfg.Load.Viewers),
			Tribune: fmt.Sprintf("%.1f (p50 %.1f, %.1f/s)", p.Request.P99, p.Request.P50, p.Achieved), Floor: "–",
			Target: "≤ 20 ms", Met: yes(p.Request.P99 <= 20 && p.Errors == 0),
		})
	}
	if t.Patch != nil && f.Patch != nil {
		out = append(out, targetVerdict{
			What:    fmt.Sprintf("PATCH of a slot at %.0f changes/s, the %d viewers watching it, p99 (ms)", cfg.Load.PatchRate, cfg.Load.Viewers),
			Tribune: fmt.Sprintf("%.1f (p50 %.1f, %.1f/s)", t.Patch.Request.P99, t.Patch.Request.P50, t.Patch.Achieved),
			Floor:   fmt.Sprintf("%.1f (POST, %.1f/s)", f.Patch.Request.P99, f.Patch.Achieved),
			Target:  "≤ 20 ms", Met: yes(t.Patch.Request.P99 <= 20 && t.Patch.Errors == 0),
		})
		out = append(out, targetVerdict{
			What:    "  delivery of those changes, p50 / p99 (ms, from request)",
			Tribune: fmt.Sprintf("%.0f / %.0f", t.Patch.Delivery.P50, t.Patch.Delivery.P99),
			Floor:   fmt.Sprintf("%.0f / %.0f", f.Patch.Delivery.P50, f.Patch.Delivery.P99),
			Ratio:   ratio(t.Patch.Delivery.P99, f.Patch.Delivery.P99), Target: "–",
		})
	}
	return out
}

func printBench(w io.Writer, r *benchResult) {
	m := r.Machine
	fmt.Fprintf(w, "\nTribune against the floor, same run — %s\n", r.Date)
	fmt.Fprintf(w, "machine: %d CPUs (%s), %d MB, %s, Linux %s, %s; open files %d; load average before %s, after %s\n",
		m.CPUs, m.CPU, m.MemoryMB, m.OS, m.Kernel, m.Go, m.FileLimit, m.LoadBefore, m.LoadAfter)
	l := r.Config.Load
	fmt.Fprintf(w, "load: %d viewers (first connection: %s), %d changes at %.0f/s, then %.0f changes/s for %.0fs.\n"+
		"Delivery latency is measured to each viewer's receipt from the start of each change's request (commit included),\n"+
		"and from its acknowledgement (the API's answer; a receipt before the answer counts as 0).\n\n",
		l.Viewers, l.First, l.Changes, l.ChangeRate, l.PatchRate, l.PatchSeconds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "what\ttribune\tfloor\tratio\ttarget\tmet")
	for _, v := range r.Targets {
		met := ""
		if v.Met != nil {
			met = map[bool]string{true: "yes", false: "NO"}[*v.Met]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.What, v.Tribune, v.Floor, v.Ratio, v.Target, met)
	}
	tw.Flush()
	for _, t := range []*targetResult{r.Tribune, r.Floor} {
		if t != nil && t.Get != nil {
			var rates []string
			for _, g := range t.GetRounds {
				rates = append(rates, fmt.Sprintf("%.0f", g.PerSecond))
			}
			fmt.Fprintf(w, "%s GET, median of rounds %s: %s\n", t.Target, strings.Join(rates, ", "), t.Get.Command)
		}
	}
	printCost(w, r.Cost)
}

// printCost prints the cost table: one grid per measure, slots down, viewers across.
func printCost(w io.Writer, cells []costCell) {
	if len(cells) == 0 {
		return
	}
	var slots, viewers []int
	at := map[[2]int]costCell{}
	for _, c := range cells {
		if !slices.Contains(slots, c.Slots) {
			slots = append(slots, c.Slots)
		}
		if !slices.Contains(viewers, c.Viewers) {
			viewers = append(viewers, c.Viewers)
		}
		at[[2]int{c.Slots, c.Viewers}] = c
	}
	grid := func(title string, f func(costCell) string) {
		fmt.Fprintf(w, "\n%s\n", title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		head := []string{"slots \\ viewers"}
		for _, v := range viewers {
			head = append(head, fmt.Sprint(v))
		}
		fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
		for _, s := range slots {
			row := []string{fmt.Sprint(s)}
			for _, v := range viewers {
				c, ok := at[[2]int{s, v}]
				if !ok {
					row = append(row, "–")
					continue
				}
				row = append(row, f(c))
			}
			fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
		}
		tw.Flush()
	}
	grid("Cost of a change, Tribune: broadcast time per change, ms (tribune_live_broadcast_seconds: encoding + queueing to every viewer)",
		func(c costCell) string { return fmt.Sprintf("%.2f", c.BroadcastMs) })
	grid("Delivery p99, ms, from request / from acknowledgement",
		func(c costCell) string { return fmt.Sprintf("%.1f / %.1f", c.Delivery.P99, c.DeliveryAck.P99) })
	grid("PATCH p50, ms (the organizer's whole request; the fan-out to viewers runs after its commit)",
		func(c costCell) string { return fmt.Sprintf("%.1f", c.Request.P50) })
	grid("lost / out of order",
		func(c costCell) string { return fmt.Sprintf("%d / %d", c.Lost, c.OutOfOrder) })
}

// printTarget prints one server's results (tribune-load run).
func printTarget(w io.Writer, r *targetResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\n%s\t\n", r.Target)
	fmt.Fprintf(tw, "viewers connected\t%d / %d in %.1fs (%d dial errors)\n", r.Connected, r.Viewers, r.RampSeconds, r.DialErrors)
	if r.Memory.RSSPerViewerKB > 0 {
		fmt.Fprintf(tw, "server RSS\t%d → %d KB: %.1f KB per idle viewer\n", r.Memory.RSSBeforeKB, r.Memory.RSSAfterKB, r.Memory.RSSPerViewerKB)
	} else {
		fmt.Fprintf(tw, "server RSS\tnot measured (pass -pid of a local server)\n")
	}
	for _, p := range []*phase{r.PatchAlone, r.Delivery, r.PatchOther, r.Patch} {
		if p == nil {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d changes at %.1f/s (asked %.1f), %d failed\n", p.Name, p.Changes, p.Achieved, p.Rate, p.Errors)
		fmt.Fprintf(tw, "  delivery, from request (ms)\tp50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n", p.Delivery.P50, p.Delivery.P90, p.Delivery.P99, p.Delivery.Max)
		fmt.Fprintf(tw, "  delivery, from acknowledgement (ms)\tp50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n", p.DeliveryAck.P50, p.DeliveryAck.P90, p.DeliveryAck.P99, p.DeliveryAck.Max)
		fmt.Fprintf(tw, "  request to acknowledgement (ms)\tp50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n", p.Request.P50, p.Request.P90, p.Request.P99, p.Request.Max)
		fmt.Fprintf(tw, "  viewers held / lost / out of order / reconnects (slow)\t%d / %d / %d / %d (%d)\n", p.Held, p.Lost, p.OutOfOrder, p.Reconnects, p.SlowDrops)
		if p.err != nil {
			fmt.Fprintf(tw, "  first failure\t%v\n", p.err)
		}
	}
	if r.Get != nil {
		fmt.Fprintf(tw, "GET %s\t%.0f requests/s, %d bytes (%s)\n", r.Get.URL, r.Get.PerSecond, r.Get.Bytes, r.Get.Command)
	}
	tw.Flush()
}
