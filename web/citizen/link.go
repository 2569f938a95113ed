package citizen

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
)

// showLink is GET /e/{token}: the rating form, or — the link used — the rating given and what
// became of it, or — the period over — a plain word that it is.
func (d Deps) showLink(c *fiber.Ctx) error {
	token := strings.Clone(c.Params("token"))
	l, err := d.Evaluation.OpenLink(c.UserContext(), token)
	if err != nil {
		return err
	}
	if l.Rated != nil {
		return d.showRated(c, token, l)
	}
	return d.showRateForm(c, rateView{Case: l, Action: "/e/" + token, AskPhone: !l.HasPhone}, nil)
}

// rateLink is POST /e/{token}: the rating. Refused, the form comes back with each message
// beside its field; accepted (or already given: a second tap is the same rating), the browser
// is sent to the thank-you, so that reloading it submits nothing.
func (d Deps) rateLink(c *fiber.Ctx) error {
	token := strings.Clone(c.Params("token"))
	l, err := d.Evaluation.OpenLink(c.UserContext(), token)
	if err != nil {
		return err
	}
	if l.Rated != nil {
		return c.Redirect("/e/"+token, fiber.StatusSeeOther)
	}
	form, in := readRating(c, !l.HasPhone)
	sub := &evaluation.Submission{
		Channel: evaluation.Mobile, Key: "mobile:" + token, CaseID: l.CaseID, Stage: l.Stage,
		EvaluatorIsApplicant: true, CallbackPhone: in.Phone,
	}
	in.Rating.Apply(sub)
	return d.submitRating(c, rateView{Case: l, Action: "/e/" + token, AskPhone: !l.HasPhone}, form, sub)
}
