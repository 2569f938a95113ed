package citizen

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/internal/problem"
	"haochaping/web/page"
)

// linkView is what the rating page shows.
type linkView struct {
	Token    string
	Case     *evaluation.LinkCase
	Levels   []levelChoice
	MaxChars int
	Expired  bool
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
	v := linkView{Token: token, Case: l, Levels: levelChoices, MaxChars: evaluation.MaxCommentRunes}
	if !l.Open(d.Evaluation.Now()) {
		v.Expired = true
		return d.Pages.Render(c, fiber.StatusGone, "link_expired", page.View{Title: "评价期限已过", Data: v})
	}
	return d.Pages.Render(c, fiber.StatusOK, "rate", page.View{Title: "评价本次服务", Data: v})
}

// rateFields maps the domain's field names to the form's.
var rateFields = map[string]string{
	"level": "level", "reasons": "reasons", "comment": "comment", "callback_phone": "phone",
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
	form := &page.Form{Values: formValues(c, "level", "reasons", "comment", "phone")}
	sub := &evaluation.Submission{
		Channel: evaluation.Mobile, Key: "mobile:" + token, CaseID: l.CaseID, Stage: l.Stage,
		EvaluatorIsApplicant: true,
		Reasons:              form.Values["reasons"],
		Comment:              strings.TrimSpace(form.Value("comment")),
		CallbackPhone:        strings.TrimSpace(form.Value("phone")),
	}
	checkRating(form, sub, l)
	if !form.Failed() {
		_, err = d.Evaluation.Ingest(c.UserContext(), sub)
		if p, ok := problem.As(err); ok && p.Status < 500 {
			if p.Code == "rating_period_over" {
				return c.Redirect("/e/"+token, fiber.StatusSeeOther)
			}
			form.AddProblem(p, rateFields)
		} else if err != nil {
			return err
		}
	}
	if form.Failed() {
		v := linkView{Token: token, Case: l, Levels: levelChoices, MaxChars: evaluation.MaxCommentRunes}
		return d.Pages.Render(c, fiber.StatusUnprocessableEntity, "rate",
			page.View{Title: "评价本次服务（请修改后提交）", Form: form, Data: v})
	}
	return c.Redirect("/e/"+token+"/done", fiber.StatusSeeOther)
}

// checkRating reads the level and checks what a person can be told beside the field, in the
// order of the form; the domain checks again, and its refusals are placed the same way.
func checkRating(form *page.Form, sub *evaluation.Submission, l *evaluation.LinkCase) {
	level, err := strconv.Atoi(form.Value("level"))
	if err != nil || !evaluation.Level(level).Valid() {
		form.Add("level", "请选择一个评价等级")
		return
	}
	sub.Level = evaluation.Level(level)
	if sub.Level.Bad() && len(sub.Reasons) == 0 {
		form.Add("reasons", "选择“不满意”或“非常不满意”时，请至少选择一项原因")
	}
	if n := utf8.RuneCountInString(sub.Comment); n > evaluation.MaxCommentRunes {
		form.Add("comment", "意见建议不能超过 "+strconv.Itoa(evaluation.MaxCommentRunes)+" 字，现在是 "+strconv.Itoa(n)+" 字")
	}
	if l.HasPhone {
		sub.CallbackPhone = ""
	}
}
