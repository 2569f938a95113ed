package citizen

import (
	"context"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/channels/window"
	"haochaping/evaluation"
)

// padRating is what the pad's rating screen shows besides the form: who served, and how long
// it stays untouched.
type padRating struct {
	Prompt *window.Prompt
	Live   padLive
}

// openPrompt is the prompt of the path's ID sent to this pad, while a rating of it is
// accepted; nil otherwise (lapsed, or another pad's).
func (d Deps) openPrompt(c *fiber.Ctx) (*window.Prompt, error) {
	return d.Prompts.Prompt(c.UserContext(), deviceOf(c).ID, strings.Clone(c.Params("id")))
}

// padRateView is the rating form of prompt p on the pad's screen.
func (d Deps) padRateView(p *window.Prompt) rateView {
	idle := "/pad?after=" + p.ID
	return rateView{
		Case:   promptCase(p),
		Action: "/pad/p/" + p.ID,
		Page:   "pad_rate", Layout: "screen",
		Pad:    &padRating{Prompt: p, Live: padLive{Events: padEvents(p.ID), Current: p.ID, Seconds: p.Seconds, Idle: idle}},
		Lapsed: idle,
		Rated: func(ctx context.Context, e *evaluation.Evaluation) (string, error) {
			// Rated: a pad that reloads or reconnects is not shown it again.
			if err := d.Prompts.Done(ctx, p.DeviceID, p.ID); err != nil {
				return "", err
			}
			done := "/pad/p/" + p.ID + "/done?"
			if e.Status == evaluation.Duplicate {
				return done + "dup=1", nil
			}
			done += "level=" + strconv.Itoa(int(e.Level))
			if e.RealName {
				done += "&callback=1"
			}
			return done, nil
		},
	}
}

// promptCase is what the form shows of the service the prompt names.
func promptCase(p *window.Prompt) *evaluation.LinkCase {
	return &evaluation.LinkCase{
		CaseNo: p.CaseNo, Stage: evaluation.Stage(p.Stage), ItemName: p.ItemName, Department: p.Department,
		Hall: p.Hall, Window: p.Window, ServedAt: p.ServedAt, Deadline: p.Deadline, Reasons: p.Reasons,
		RegionID: p.RegionID,
	}
}

// showPadRate is GET /pad/p/{id}: the rating of the prompt, on the pad that was sent it. A
// prompt no longer open sends the pad back to idle.
func (d Deps) showPadRate(c *fiber.Ctx) error {
	p, err := d.openPrompt(c)
	if err != nil {
		return err
	}
	if p == nil {
		return c.Redirect("/pad", fiber.StatusSeeOther)
	}
	return d.showRateForm(c, d.padRateView(p), nil)
}

// padRate is POST /pad/p/{id}: the citizen's rating of the prompt's service, through the
// evaluation service under the window channel's idempotency key (window.Prompt.Submission):
// the case's one evaluation, so a second tap, or the same case rated at the window's API, is a
// duplicate. A prompt that lapsed long ago (window.RatingHold) takes no rating: back to idle.
func (d Deps) padRate(c *fiber.Ctx) error {
	p, err := d.openPrompt(c)
	if err != nil {
		return err
	}
	if p == nil {
		return c.Redirect("/pad", fiber.StatusSeeOther)
	}
	form, in := readRating(c, false)
	return d.submitRating(c, d.padRateView(p), form, p.Submission(in.Level, in.Reasons, in.Comment))
}
