package citizen

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"haochaping/channels"
	"haochaping/evaluation"
	"haochaping/internal/problem"
	"haochaping/web/page"
)

// The rating form, as the receipt link's page and the portal's page both show it: the same
// form for the same rating, whatever brought the citizen.

// rateView is what the rating form shows.
type rateView struct {
	Case     *evaluation.LinkCase
	Action   string            // where the form posts
	Hidden   map[string]string // fields sent back as they are (the portal's ticket)
	AskPhone bool              // the case names no phone: ask for one for the callback
	Levels   []levelChoice
	MaxChars int

	// The pad shows the same form on its own screen (pad_rate.go): Page names its template
	// ("" the phone's "rate"), Layout the page's layout, Pad what it shows besides.
	Page   string
	Layout string
	Pad    *padRating
	// Rated says where an accepted rating (or its duplicate) leads, after what the page does
	// with it; nil: the thank-you of the case's link. Lapsed is where the browser goes when the
	// rating period is over; "": the case's link.
	Rated  func(ctx context.Context, e *evaluation.Evaluation) (string, error)
	Lapsed string
}

// levelChoice is one of the five choices, in the order people read them: 非常满意 first.
type levelChoice struct {
	Value int
	Name  string
}

var levelChoices = func() []levelChoice {
	var l []levelChoice
	for v := evaluation.VerySatisfied; v >= evaluation.VeryDissatisfied; v-- {
		l = append(l, levelChoice{int(v), v.Name()})
	}
	return l
}()

// showRateForm answers the form, or — the rating period over — the page that says so.
func (d Deps) showRateForm(c *fiber.Ctx, v rateView, form *page.Form) error {
	v.Levels, v.MaxChars = levelChoices, evaluation.MaxCommentRunes
	name := v.Page
	if name == "" {
		name = "rate"
	}
	if form.Failed() {
		return d.Pages.Render(c, fiber.StatusUnprocessableEntity, name, page.View{Title: "评价本次服务（请修改后提交）", Layout: v.Layout, Form: form, Data: v})
	}
	if !v.Case.Open(d.Evaluation.Now()) {
		if v.Lapsed != "" {
			return c.Redirect(v.Lapsed, fiber.StatusSeeOther)
		}
		return d.Pages.Render(c, fiber.StatusGone, "link_expired", page.View{Title: "评价期限已过", Data: v})
	}
	return d.Pages.Render(c, fiber.StatusOK, name, page.View{Title: "评价本次服务", Layout: v.Layout, Data: v})
}

// ratingInput is what the form posted.
type ratingInput struct {
	channels.Rating
	Phone string
}

// readRating reads the posted form and checks what a person can be told beside the field, in
// the order of the form; the domain checks again, and its refusals are placed the same way.
func readRating(c *fiber.Ctx, askPhone bool) (*page.Form, ratingInput) {
	form := &page.Form{Values: page.FormValues(c, "level", "reasons", "comment", "phone")}
	in := ratingInput{Rating: channels.Rating{Reasons: form.Values["reasons"], Comment: strings.TrimSpace(form.Value("comment"))}}
	if askPhone {
		in.Phone = strings.TrimSpace(form.Value("phone"))
	}
	level, err := strconv.Atoi(form.Value("level"))
	if err != nil || !evaluation.Level(level).Valid() {
		form.Add("level", "请选择一个评价等级")
		return form, in
	}
	in.Level = level
	if evaluation.Level(level).Bad() && len(in.Reasons) == 0 {
		form.Add("reasons", "选择“不满意”或“非常不满意”时，请至少选择一项原因")
	}
	if n := utf8.RuneCountInString(in.Comment); n > evaluation.MaxCommentRunes {
		form.Add("comment", "意见建议不能超过 "+strconv.Itoa(evaluation.MaxCommentRunes)+" 字，现在是 "+strconv.Itoa(n)+" 字")
	}
	return form, in
}

// rateFields maps the domain's field names to the form's.
var rateFields = map[string]string{
	"level": "level", "reasons": "reasons", "comment": "comment", "callback_phone": "phone",
}

// submitRating stores a checked rating and sends the browser to the thank-you of the case's
// link; a refusal comes back on the form. The period ending meanwhile shows its page.
func (d Deps) submitRating(c *fiber.Ctx, v rateView, form *page.Form, sub *evaluation.Submission) error {
	var e *evaluation.Evaluation
	if !form.Failed() {
		var err error
		e, err = d.Evaluation.Ingest(c.UserContext(), sub)
		if p, ok := problem.As(err); ok && p.Status < 500 {
			if p.Code == "rating_period_over" {
				if v.Lapsed != "" {
					return c.Redirect(v.Lapsed, fiber.StatusSeeOther)
				}
				return c.Redirect("/e/"+v.Case.Token, fiber.StatusSeeOther)
			}
			form.AddProblem(p, rateFields)
		} else if err != nil {
			return err
		}
	}
	if form.Failed() {
		return d.showRateForm(c, v, form)
	}
	if v.Rated != nil {
		next, err := v.Rated(c.UserContext(), e)
		if err != nil {
			return err
		}
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	return c.Redirect("/e/"+v.Case.Token+"/done", fiber.StatusSeeOther)
}
