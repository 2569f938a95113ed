package citizen

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/rectify"
	"haochaping/web/page"
)

// progressView is the page of a link whose rating was bad: the rating, what became of it
// (rectify.Progress: the steps, the unit's measures masked), and — once the unit has fed back
// — the question whether the fix satisfies them.
type progressView struct {
	Token    string
	Case     *evaluation.LinkCase
	Rating   *evaluation.Evaluation
	Reasons  []string
	Progress *rectify.Progress // nil: the bad review is still on its way to the unit
	Verdicts []verdictChoice
}

// verdictChoice is one answer of the verdict form, drawn like the rating's levels: a face and
// its name, the colour a hint.
type verdictChoice struct {
	Value rectify.Verdict
	Name  string
	Level int // the face and colour of the rating level it reads like
}

var verdictChoices = []verdictChoice{
	{rectify.Satisfied, rectify.Satisfied.Name(), 4},
	{rectify.BasicallySatisfied, rectify.BasicallySatisfied.Name(), 3},
	{rectify.Dissatisfied, rectify.Dissatisfied.Name(), 2},
}

// showProgress answers a used link whose rating was bad with its progress; form carries a
// refused verdict back (422).
func (d Deps) showProgress(c *fiber.Ctx, token string, l *evaluation.LinkCase, form *page.Form) error {
	p, err := d.Rectify.Progress(c.UserContext(), l.Rated.ID)
	if err != nil {
		return err
	}
	v := progressView{Token: token, Case: l, Rating: l.Rated, Reasons: l.ReasonNames(l.Rated.Reasons), Progress: p,
		Verdicts: verdictChoices}
	status, title := fiber.StatusOK, "差评处理进度"
	if form.Failed() {
		status, title = fiber.StatusUnprocessableEntity, "差评处理进度（请修改后提交）"
	}
	return d.Pages.Render(c, status, "progress", page.View{Title: title, Form: form, Data: v})
}
