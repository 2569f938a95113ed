package citizen

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
	"haochaping/rectify"
	"haochaping/web/page"
)

// rateVerdict is POST /e/{token}/verdict: the evaluator's verdict on the rectification of their
// bad review. Recorded, the browser is sent to the page that says what it did, so that
// reloading submits nothing; given already (a second tap, the form posted again from the
// history), that page says it was recorded before; no choice, the progress page comes back
// with the message beside the question. A link whose order is not (or no longer) waiting for a
// verdict goes back to its progress, which says where the order stands.
func (d Deps) rateVerdict(c *fiber.Ctx) error {
	token, l, err := d.openBadReview(c)
	if err != nil || l == nil {
		return err
	}
	form := &page.Form{Values: page.FormValues(c, "verdict")}
	v := rectify.Verdict(form.Value("verdict"))
	if !v.Valid() {
		form.Add("verdict", "请选择满意、基本满意或不满意")
		return d.showProgress(c, token, l, form)
	}
	_, err = d.Rectify.EvaluatorVerdict(c.UserContext(), l.Rated.ID, v)
	if p, ok := problem.As(err); ok && p.Status == fiber.StatusConflict {
		if p.Code == "verdict_given" {
			return d.showVerdict(c, token, l, true)
		}
		return c.Redirect("/e/"+token, fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/e/"+token+"/verdict", fiber.StatusSeeOther)
}
