package browsertest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A speaker's green room says "you are next" once the stage manager brings the
// slot before theirs on stage, and "you are on stage" at their turn.
func TestSpeakerGreenRoomYouAreNext(t *testing.T) {
	requireBrowser(t)
	s := startServer(t)
	ctx := browser(t)

	a := s.agenda()
	priya := speakerByName(t, a, "प्रिया शर्मा")
	mine := slotByTitle(t, a, "Peace and justice from South Asia")
	before := slotByTitle(t, a, "Music break: songs for peace") // the slot just before hers
	var inv struct {
		URL string `json:"url"`
	}
	s.api("POST", "/api/v1/events/"+s.event+"/speakers/"+priya.ID+"/invitation", nil, &inv)
	link := s.URL + inv.URL[strings.Index(inv.URL, "/s/"):]

	do(t, ctx, "opening the speaker page", chromedp.Navigate(link), chromedp.WaitVisible(".green .count"))
	waitFor(t, ctx, 3*time.Second, "the green room counts down to her slot",
		`document.querySelector(".green").classList.contains("is-startsIn") && document.querySelector(".green .count").textContent.includes("Peace and justice from South Asia")`)
	if eval[bool](t, ctx, `document.querySelector(".green .big") !== null`) {
		t.Errorf("the green room says %q before her slot is next", eval[string](t, ctx, `document.querySelector(".green .big").textContent`))
	}

	// The stage manager jumps to the slot before hers: she is next.
	s.api("POST", "/api/v1/events/"+s.event+"/live/start", map[string]string{"stage_id": mine.StageID, "slot_id": before.ID}, nil)
	took := waitFor(t, ctx, 2*time.Second, "the green room says she is next",
		`document.querySelector(".green").classList.contains("is-youAreNext") && document.querySelector(".green .big")?.textContent === "You are next!"`)
	t.Logf("\"you are next\" showed %s after the live action", took.Round(time.Millisecond))
	if got := eval[string](t, ctx, `document.querySelector(".green .count").textContent`); !strings.HasPrefix(got, mine.Title+": Starts in ") {
		t.Errorf("the countdown to her turn reads %q", got)
	}
	first := eval[string](t, ctx, `document.querySelector(".green .count").textContent`)
	waitFor(t, ctx, 3*time.Second, "the countdown moves", fmt.Sprintf(`document.querySelector(".green .count").textContent !== %q`, first))
	axe(t, ctx, "the speaker page, next")
	screenshots(t, ctx, "speaker-next", phone)

	// Her turn.
	s.api("POST", "/api/v1/events/"+s.event+"/live/next", map[string]string{"stage_id": mine.StageID}, nil)
	waitFor(t, ctx, 2*time.Second, "the green room says she is on stage",
		`document.querySelector(".green").classList.contains("is-onStage") && document.querySelector(".green .big")?.textContent === "You are on stage now"`)
}
