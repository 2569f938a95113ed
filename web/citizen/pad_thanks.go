package citizen

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/web/page"
)

// padThanksSeconds is how long the pad's thank-you stays before the pad is idle again.
const padThanksSeconds = 10

// padThanksView is the pad's thank-you.
type padThanksView struct {
	Level        evaluation.Level // 0 for a repeat: its content is not shown
	Duplicate    bool
	Callback     bool // a bad review that will be called back
	CallbackDays int
	Live         padLive
}

// showPadThanks is GET /pad/p/{id}/done: the thank-you after a rating on the pad, saying what
// happens next, then back to idle. The level comes in the query from padRate's redirect: it is
// the citizen's own, just given on this screen.
func (d Deps) showPadThanks(c *fiber.Ctx) error {
	p, err := d.openPrompt(c)
	if err != nil {
		return err
	}
	if p == nil {
		return c.Redirect("/pad", fiber.StatusSeeOther)
	}
	idle := "/pad?after=" + p.ID
	v := padThanksView{Duplicate: c.Query("dup") == "1", Callback: c.Query("callback") == "1",
		Live: padLive{Events: padEvents(p.ID), Current: p.ID, Seconds: padThanksSeconds, Idle: idle}}
	if !v.Duplicate {
		n, _ := strconv.Atoi(c.Query("level"))
		if v.Level = evaluation.Level(n); !v.Level.Valid() {
			return c.Redirect(idle, fiber.StatusSeeOther)
		}
		if v.Level.Bad() {
			days, err := d.Rectify.RegionDeadlineDays(c.UserContext(), p.RegionID)
			if err != nil {
				return err
			}
			v.CallbackDays = days.Callback
		}
	}
	return d.Pages.Render(c, fiber.StatusOK, "pad_thanks", page.View{Title: "感谢您的评价", Layout: "screen", Data: v})
}
