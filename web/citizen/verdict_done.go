package citizen

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/rectify"
	"haochaping/web/page"
)

// verdictView says what the evaluator's verdict did.
type verdictView struct {
	Token    string
	Case     *evaluation.LinkCase
	Progress *rectify.Progress
	Again    bool // they submitted once more: the first answer stands
	Reopened bool // their 不满意 sent the order back to rectification
	Final    bool // a 不满意 after the one reopening: recorded, the office told
}

// showVerdictDone is GET /e/{token}/verdict: the thank-you after the verdict. Without one, the
// link's page.
func (d Deps) showVerdictDone(c *fiber.Ctx) error {
	token, l, err := d.openBadReview(c)
	if err != nil || l == nil {
		return err
	}
	return d.showVerdict(c, token, l, false)
}

// openBadReview opens the link of the request for what follows its bad review; a link not
// rated, or rated well, has nothing to follow: it is sent to its own page (l nil).
func (d Deps) openBadReview(c *fiber.Ctx) (token string, l *evaluation.LinkCase, err error) {
	token = strings.Clone(c.Params("token"))
	l, err = d.Evaluation.OpenLink(c.UserContext(), token)
	if err != nil {
		return "", nil, err
	}
	if l.Rated == nil || !l.Rated.Bad {
		return token, nil, c.Redirect("/e/"+token, fiber.StatusSeeOther)
	}
	return token, l, nil
}

// showVerdict renders the verdict recorded on the order of l's bad review, read back from the
// order (the page is the same after a reload, or for a second submission).
func (d Deps) showVerdict(c *fiber.Ctx, token string, l *evaluation.LinkCase, again bool) error {
	p, err := d.Rectify.Progress(c.UserContext(), l.Rated.ID)
	if err != nil {
		return err
	}
	if p == nil || p.Verdict.Given == "" {
		return c.Redirect("/e/"+token, fiber.StatusSeeOther)
	}
	v := verdictView{Token: token, Case: l, Progress: p, Again: again}
	if p.Verdict.Given == rectify.Dissatisfied {
		v.Reopened = p.State == rectify.RectifyingDeadline || p.State == rectify.RectifyingNow
		v.Final = !v.Reopened && p.Verdict.Reopened >= rectify.MaxReopens
	}
	title := "感谢您评价整改结果"
	if again {
		title = "您已评价过整改结果"
	}
	return d.Pages.Render(c, fiber.StatusOK, "progress_verdict", page.View{Title: title, Data: v})
}
