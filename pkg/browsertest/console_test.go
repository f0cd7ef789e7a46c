package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// signIn opens the console and signs in with the organizer's password.
func signIn(t *testing.T, ctx context.Context, s *server) {
	t.Helper()
	do(t, ctx, "opening the console", chromedp.Navigate(s.URL+"/admin/"), chromedp.WaitVisible(`input[name=email]`))
	axe(t, ctx, "the console's sign-in")
	do(t, ctx, "signing in",
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), organizerEmail),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), organizerPassword),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(`.events a`))
}

// stageOrder is the titles of the running order shown in the console.
const consoleOrder = `[...document.querySelectorAll(".slots .slotrow .title")].map(e => e.textContent)`

// viewerOrder is the titles of the main stage's running order on the viewer.
const viewerOrder = `[...document.querySelectorAll(".order .slot .title")].map(e => e.firstChild.textContent)`

// An organizer signs in, moves a slot with the keyboard and by drag, and a
// viewer sees the new order; a speaker's confirmation shows in the console live.
func TestConsoleReorderAndLiveConfirmation(t *testing.T) {
	requireBrowser(t)
	s := startServer(t)
	ctx := browser(t)
	signIn(t, ctx, s)
	axe(t, ctx, "the console's event list")
	do(t, ctx, "opening the event", chromedp.Click(chromedp.CSS(`.events a`)), chromedp.WaitVisible(`.slots .slotrow`))
	axe(t, ctx, "the console's running order")
	screenshots(t, ctx, "console-order")

	viewer := tab(t, ctx)
	do(t, viewer, "opening the viewer", chromedp.Navigate(s.URL+"/e/demo"), chromedp.WaitVisible(".order"))

	before := eval[[]string](t, ctx, consoleOrder)
	if len(before) < 5 {
		t.Fatalf("the console shows %d slots", len(before))
	}

	// Keyboard: focus the fourth slot's handle and press ↑: it becomes third.
	do(t, ctx, "moving a slot up with the keyboard",
		chromedp.Focus(chromedp.CSS(`.slots .slotrow:nth-child(4) .handle`)),
		chromedp.KeyEvent(kb.ArrowUp))
	want := append([]string{}, before...)
	want[2], want[3] = want[3], want[2]
	waitFor(t, ctx, 3*time.Second, "the console shows the keyboard move", fmt.Sprintf(`JSON.stringify(%s) === %q`, consoleOrder, jsonList(want)))
	if got := eval[string](t, ctx, `document.activeElement.closest(".slotrow").querySelector(".title").textContent`); got != want[2] {
		t.Errorf("focus after the keyboard move is on %q, want the moved slot %q", got, want[2])
	}
	waitFor(t, viewer, 2*time.Second, "the viewer shows the keyboard move", fmt.Sprintf(`JSON.stringify(%s.slice(0, %d)) === %q`, viewerOrder, len(want), jsonList(want)))
	checkStored(t, s, want)

	// Drag: the sixth slot's handle onto the second row.
	from := eval[[]float64](t, ctx, `(r => [r.x + r.width/2, r.y + r.height/2])(document.querySelector(".slots .slotrow:nth-child(6) .handle").getBoundingClientRect())`)
	to := eval[[]float64](t, ctx, `(r => [r.x + r.width/2, r.y + r.height/4])(document.querySelector(".slots .slotrow:nth-child(2)").getBoundingClientRect())`)
	do(t, ctx, "dragging a slot", chromedp.DragAndDropXY(from[0], from[1], to[0], to[1], 15))
	moved := want[5]
	want = append(want[:5:5], want[6:]...)
	want = append(want[:1], append([]string{moved}, want[1:]...)...)
	waitFor(t, ctx, 3*time.Second, "the console shows the drag", fmt.Sprintf(`JSON.stringify(%s) === %q`, consoleOrder, jsonList(want)))
	waitFor(t, viewer, 2*time.Second, "the viewer shows the drag", fmt.Sprintf(`JSON.stringify(%s.slice(0, %d)) === %q`, viewerOrder, len(want), jsonList(want)))
	checkStored(t, s, want)

	// Editing a duration moves the planned times of the slots after it at once.
	thirdStart := eval[string](t, ctx, `document.querySelector(".slots .slotrow:nth-child(3) .when strong").textContent`)
	eval[bool](t, ctx, `(el => { el.value = "45"; el.dispatchEvent(new Event("input", {bubbles: true})); return true })(document.querySelector(".slots .slotrow:nth-child(2) .dur input"))`)
	waitFor(t, ctx, time.Second, "planned times follow the edit", fmt.Sprintf(`document.querySelector(".slots .slotrow:nth-child(3) .when strong").textContent !== %q`, thirdStart))
	eval[bool](t, ctx, `document.querySelector(".slots .slotrow:nth-child(2) .dur input").dispatchEvent(new Event("change", {bubbles: true}))`)
	waitFor(t, ctx, 3*time.Second, "the duration is saved", `document.querySelector(".slots .slotrow:nth-child(2) .dur input").value === "45"`)

	// A stale edit: someone else changes the slot while this organizer types.
	third := slotByTitle(t, s.agenda(), want[2])
	eval[bool](t, ctx, `(el => { el.value = "20"; el.dispatchEvent(new Event("input", {bubbles: true})); return true })(document.querySelector(".slots .slotrow:nth-child(3) .dur input"))`)
	s.api("PATCH", "/api/v1/events/"+s.event+"/slots/"+third.ID, map[string]any{"title": "Renamed by a colleague"}, nil,
		"If-Match", fmt.Sprintf("%q", fmt.Sprint(third.Revision)))
	waitFor(t, ctx, 2*time.Second, "the colleague's edit appears live", `document.querySelector(".slots .slotrow:nth-child(3) .title").textContent === "Renamed by a colleague"`)
	eval[bool](t, ctx, `document.querySelector(".slots .slotrow:nth-child(3) .dur input").dispatchEvent(new Event("change", {bubbles: true}))`)
	waitFor(t, ctx, 3*time.Second, "the stale edit shows the other version", `(document.querySelector(".conflict") || {}).textContent?.includes("Renamed by a colleague")`)
	if got := slotByTitle(t, s.agenda(), "Renamed by a colleague"); got.DurationSeconds != third.DurationSeconds {
		t.Errorf("the stale edit overwrote the slot: %d s", got.DurationSeconds)
	}
	screenshots(t, ctx, "console-conflict", desktop)
	do(t, ctx, "applying the edit on top", chromedp.Click(chromedp.Search(`//button[text()="Apply mine on top of theirs"]`)))
	waitFor(t, ctx, 3*time.Second, "the edit is applied on top", `document.querySelector(".conflict") === null && document.querySelector(".slots .slotrow:nth-child(3) .dur input").value === "20"`)
	if got := slotByTitle(t, s.agenda(), "Renamed by a colleague"); got.DurationSeconds != 1200 {
		t.Errorf("after applying on top: %d s, want 1200", got.DurationSeconds)
	}

	// A speaker confirms from their link: the confirmation board shows it live.
	a := s.agenda()
	thabo := speakerByName(t, a, "Thabo Mokoena")
	panel := slotByTitle(t, a, "Workers against war: unions across borders")
	do(t, ctx, "opening the confirmations", chromedp.Click(chromedp.Search(`//nav//a[text()="Confirmations"]`)),
		chromedp.WaitVisible(`.board tr[data-speaker="`+thabo.ID+`"]`))
	axe(t, ctx, "the console's confirmation board")
	var inv struct {
		URL string `json:"url"`
	}
	s.api("POST", "/api/v1/events/"+s.event+"/speakers/"+thabo.ID+"/invitation", nil, &inv)
	speaker := tab(t, ctx)
	do(t, speaker, "opening the speaker page", chromedp.Navigate(s.URL+inv.URL[strings.Index(inv.URL, "/s/"):]),
		chromedp.WaitVisible(`[data-slot="`+panel.ID+`"] button.primary`),
		chromedp.Click(chromedp.CSS(`[data-slot="`+panel.ID+`"] button.primary`)))
	took := waitFor(t, ctx, 2*time.Second, "the console shows the confirmation",
		`document.querySelector('.board tr[data-speaker="`+thabo.ID+`"] .chip').textContent === "confirmed"`)
	t.Logf("the console showed the speaker's confirmation %s after the click", took.Round(time.Millisecond))
	screenshots(t, ctx, "console-board")

	// The live console, and a message to the green room.
	do(t, ctx, "opening the live console", chromedp.Click(chromedp.Search(`//nav//a[text()="Live"]`)), chromedp.WaitVisible(`.timer`))
	axe(t, ctx, "the live console")
	screenshots(t, ctx, "console-live")
	do(t, ctx, "pressing next", chromedp.Click(chromedp.Search(`//button[text()="Next"]`)))
	waitFor(t, ctx, 3*time.Second, "the live console shows the next slot", `document.querySelector(".big-now .title") !== null`)
}

func jsonList(xs []string) string {
	var b strings.Builder
	b.WriteString("[")
	for i, x := range xs {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%q", x)
	}
	b.WriteString("]")
	return b.String()
}

// checkStored compares the stored running order of the first stage with want.
func checkStored(t *testing.T, s *server, want []string) {
	t.Helper()
	a := s.agenda()
	var got []string
	for _, sl := range a.StageSlots(a.Stages[0].ID) {
		got = append(got, sl.Title)
	}
	if jsonList(got) != jsonList(want) {
		t.Errorf("stored order:\n %v\nwant\n %v", got, want)
	}
}
