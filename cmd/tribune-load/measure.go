package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// rssKB reads a process's resident memory (VmRSS) from /proc; 0 when unknown.
func rssKB(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

// scrape reads a Prometheus text exposition and sums each metric over its labels.
func scrape(ctx context.Context, url string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, res.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		sp := strings.LastIndexByte(line, ' ')
		if sp < 0 {
			continue
		}
		name := line[:sp]
		if i := strings.IndexByte(name, '{'); i >= 0 {
			name = name[:i]
		}
		v, err := strconv.ParseFloat(line[sp+1:], 64)
		if err == nil {
			out[name] += v
		}
	}
	return out, sc.Err()
}

// getResult is a GET throughput measurement.
type getResult struct {
	URL         string  `json:"url"`
	Tool        string  `json:"tool"` // "wrk" or "go" (the built-in loop)
	Command     string  `json:"command"`
	Bytes       int     `json:"bytes"`
	Seconds     int     `json:"seconds"`
	Connections int     `json:"connections"`
	PerSecond   float64 `json:"requests_per_second"`
	Errors      int64   `json:"errors"`
}

var wrkRate = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
var wrkErrors = regexp.MustCompile(`Non-2xx or 3xx responses:\s+([0-9]+)`)

// measureGET loads url with GETs for seconds over conns connections, with wrk
// when it is installed, else with a loop of Go HTTP clients.
func measureGET(ctx context.Context, url string, seconds, conns int) (*getResult, error) {
	body, err := fetch(ctx, url)
	if err != nil {
		return nil, err
	}
	r := &getResult{URL: url, Bytes: len(body), Seconds: seconds, Connections: conns}
	if wrk, err := exec.LookPath("wrk"); err == nil {
		threads := runtime.NumCPU()
		args := []string{"-t" + strconv.Itoa(threads), "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(seconds) + "s", url}
		r.Tool, r.Command = "wrk", "wrk "+strings.Join(args, " ")
		out, err := exec.CommandContext(ctx, wrk, args...).CombinedOutput()
		if err != nil && ctx.Err() == nil {
			out, err = exec.CommandContext(ctx, wrk, args...).CombinedOutput() // once more: wrk was killed, say
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %s", r.Command, err, out)
		}
		m := wrkRate.FindSubmatch(out)
		if m == nil {
			return nil, fmt.Errorf("%s: no Requests/sec in %q", r.Command, out)
		}
		r.PerSecond, _ = strconv.ParseFloat(string(m[1]), 64)
		if m := wrkErrors.FindSubmatch(out); m != nil {
			r.Errors, _ = strconv.ParseInt(string(m[1]), 10, 64)
		}
		return r, nil
	}
	r.Tool, r.Command = "go", fmt.Sprintf("built-in: %d Go HTTP clients with keep-alive for %ds (wrk not found)", conns, seconds)
	client := newHTTPClient(conns, nil)
	var ok, bad atomic.Int64
	ctx, cancel := context.WithTimeout(ctx, time.Duration(seconds)*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				res, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						bad.Add(1)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					ok.Add(1)
				} else {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	r.PerSecond = float64(ok.Load()) / time.Since(start).Seconds()
	r.Errors = bad.Load()
	return r, nil
}

func fetch(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return b, err
}

// machine describes where a run happened.
type machine struct {
	CPUs      int    `json:"cpus"`
	CPU       string `json:"cpu"`
	MemoryMB  int64  `json:"memory_mb"`
	Kernel    string `json:"kernel"`
	OS        string `json:"os"`
	Go        string `json:"go"`
	FileLimit uint64 `json:"file_limit"`
	// LoadBefore and LoadAfter are /proc/loadavg at the start and the end:
	// anything else running on the machine shows here.
	LoadBefore string `json:"load_before"`
	LoadAfter  string `json:"load_after"`
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func describeMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "model name"); ok {
				m.CPU = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			m.MemoryMB = kb / 1024
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, line := range bytes.Split(b, []byte("\n")) {
			if rest, ok := bytes.CutPrefix(line, []byte("PRETTY_NAME=")); ok {
				m.OS = strings.Trim(string(rest), `"`)
			}
		}
	}
	m.FileLimit = fileLimit()
	m.LoadBefore = loadAverage()
	return m
}
