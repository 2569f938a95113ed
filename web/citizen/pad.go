package citizen

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/web/page"
)

// The counter pad (评价器) at /pad: a tablet facing the citizen, paired once with its window's
// device (pair.go), so that it holds a device session and nobody types a secret. Idle, it shows
// the window and who serves there; the window's business system asks it to rate a service
// (POST /api/v1/channels/window/prompts), the prompt reaches the page through /pad/events
// (pad_events.go) and the page shows the rating of that service (pad_rate.go); after the
// thank-you, or pad_prompt_seconds untouched, it is idle again (web/assets/static/js/pad.js).

// padIdle is what the idle screen shows.
type padIdle struct {
	Place *evaluation.PadPlace
	// Serving is who serves at the window: the staff member the window's system named last
	// (today), else the window's one member of staff; nil when the window has several and no
	// prompt named one yet — the screen then lists them all (Place.Staff).
	Serving *evaluation.StaffRef
	Live    padLive
}

// padLive is what pad.js needs on every screen of the pad: where the prompts stream from, the
// prompt on screen (its ID), and — on the rating and the thank-you — when to return to idle.
type padLive struct {
	Events  string // the stream, with the prompt the pad is done with
	Current string // the prompt on screen; "" when idle
	Seconds int    // untouched this long, the page goes to Idle; 0: never
	Idle    string
}

// showPad is GET /pad: the rating of the prompt still open (a pad that reloads or reconnects
// is shown it again), else the idle screen. ?after=ID names the prompt the pad is done with
// (rated, timed out), which is not shown again.
func (d Deps) showPad(c *fiber.Ctx) error {
	dev := deviceOf(c)
	after := strings.Clone(c.Query("after"))
	p, _, err := d.Prompts.Pending(c.UserContext(), dev.ID)
	if err != nil {
		return err
	}
	if p != nil && p.ID != after {
		return c.Redirect("/pad/p/"+p.ID, fiber.StatusSeeOther)
	}
	place, err := d.Evaluation.PadPlace(c.UserContext(), *dev.WindowID)
	if err != nil {
		return err
	}
	v := padIdle{Place: place, Live: padLive{Events: padEvents(after)}}
	last, err := d.Prompts.LastStaff(c.UserContext(), dev.ID)
	if err != nil {
		return err
	}
	switch {
	case last != nil:
		v.Serving = last
	case len(place.Staff) == 1:
		v.Serving = &place.Staff[0]
	}
	return d.Pages.Render(c, fiber.StatusOK, "pad_idle", page.View{Title: place.Window + " 评价器", Layout: "screen", Data: v})
}

// padEvents is the address of the prompt stream for a pad done with prompt after.
func padEvents(after string) string {
	if after == "" {
		return "/pad/events"
	}
	return "/pad/events?after=" + after
}
