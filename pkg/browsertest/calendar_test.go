package browsertest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/chromedp/chromedp"
)

// The viewer's per-slot "add to calendar" makes one slot's .ics in the browser:
// RFC 5545 lines (CRLF, folded at 75 octets, TEXT escaped), times in UTC, and the
// UID and times that schedule.ics gives the same slot.
func TestViewerAddSlotToCalendar(t *testing.T) {
	requireBrowser(t)
	s := startServer(t)
	ctx := browser(t)

	// A title that needs escaping and folding, in several scripts.
	const title = `Peace, bread; land \ freedom — Мир, хлеб, земля — سلام، خبز — 平和とパン — Paz, pão e terra`
	slot := slotByTitle(t, s.agenda(), "Peace and justice from South Asia")
	s.api("PATCH", "/api/v1/events/"+s.event+"/slots/"+slot.ID, map[string]any{"title": title, "description": "Line one,\nline two; with \\ backslash"}, nil,
		"If-Match", strconv.Quote(strconv.FormatInt(slot.Revision, 10)))
	a := s.agenda()

	sel := `[data-slot="` + slot.ID + `"] a.cal`
	do(t, ctx, "opening the viewer", chromedp.Navigate(s.URL+"/e/demo"), chromedp.WaitVisible(sel))
	// Keep the browser from saving a file: the link's href is what the test reads.
	eval[bool](t, ctx, `addEventListener("click", (e) => { if (e.target.closest("a.cal")) e.preventDefault() }, true), true`)
	do(t, ctx, "clicking add to calendar", chromedp.ScrollIntoView(sel), chromedp.Click(sel))
	href := eval[string](t, ctx, `document.querySelector('`+sel+`').href`)
	data, ok := strings.CutPrefix(href, "data:text/calendar;charset=utf-8,")
	if !ok {
		t.Fatalf("the link is %q, want a data: URL of a calendar", href)
	}
	body, err := url.PathUnescape(data)
	if err != nil {
		t.Fatal(err)
	}
	if name := eval[string](t, ctx, `document.querySelector('`+sel+`').getAttribute("download")`); !strings.HasSuffix(name, ".ics") {
		t.Errorf("download name %q", name)
	}

	if !strings.HasSuffix(body, "\r\n") || strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") {
		t.Errorf("lines do not all end in CRLF:\n%q", body)
	}
	folded := false
	for _, line := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("a line of %d octets (at most 75): %q", len(line), line)
		}
		folded = folded || strings.HasPrefix(line, " ")
	}
	if !folded {
		t.Errorf("the long title was not folded:\n%s", body)
	}

	cal, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing the slot's .ics: %v\n%s", err, body)
	}
	if n := len(cal.Events()); n != 1 {
		t.Fatalf("%d events in the slot's .ics, want 1", n)
	}
	ev := cal.Events()[0]
	prop := func(p ics.ComponentProperty) string {
		if v := ev.GetProperty(p); v != nil {
			return v.Value
		}
		return ""
	}
	if got, want := prop(ics.ComponentPropertyUniqueId), slot.ID+"@127.0.0.1"; got != want {
		t.Errorf("UID %q, want %q", got, want)
	}
	if got, want := prop(ics.ComponentPropertySummary), title+" — प्रिया शर्मा"; got != want {
		t.Errorf("SUMMARY %q, want %q", got, want)
	}
	if got := prop(ics.ComponentPropertyDescription); !strings.HasPrefix(got, "Line one,\nline two; with \\ backslash\n\nप्रिया शर्मा — शांति और न्याय मंच") {
		t.Errorf("DESCRIPTION %q", got)
	}
	if got := prop(ics.ComponentPropertySequence); got != strconv.FormatInt(a.Event.Version, 10) {
		t.Errorf("SEQUENCE %s, want the event's version %d", got, a.Event.Version)
	}
	for _, p := range []ics.ComponentProperty{ics.ComponentPropertyDtStart, ics.ComponentPropertyDtEnd, ics.ComponentPropertyDtstamp} {
		if v := prop(p); !strings.HasSuffix(v, "Z") || len(v) != len("20060102T150405Z") {
			t.Errorf("%s %q is not a UTC date-time", p, v)
		}
	}
	if got := prop(ics.ComponentPropertyUrl); got != s.URL+"/e/demo#slot-"+slot.ID {
		t.Errorf("URL %q", got)
	}

	// The same UID and times as the whole schedule's calendar says now.
	res, err := http.Get(s.URL + "/e/demo/schedule.ics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	whole, err := ics.ParseCalendar(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	start, _ := ev.GetStartAt()
	end, _ := ev.GetEndAt()
	found := false
	for _, e := range whole.Events() {
		if e.Id() != prop(ics.ComponentPropertyUniqueId) {
			continue
		}
		found = true
		ws, _ := e.GetStartAt()
		we, _ := e.GetEndAt()
		if !ws.Equal(start) || !we.Equal(end) {
			t.Errorf("the slot's .ics says %s–%s, schedule.ics says %s–%s",
				start.Format(time.RFC3339), end.Format(time.RFC3339), ws.Format(time.RFC3339), we.Format(time.RFC3339))
		}
	}
	if !found {
		t.Errorf("schedule.ics has no event with UID %s", prop(ics.ComponentPropertyUniqueId))
	}
}
