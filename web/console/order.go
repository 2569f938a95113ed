package console

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/problem"
	"haochaping/measures"
	"haochaping/rectify"
	"haochaping/web/page"
	"haochaping/web/session"
)

// orderView is a work order's page: the bad review, where it stands, its timeline, and the
// forms of the actions its state and the user's role allow — only those.
type orderView struct {
	*rectify.Detail
	Actions  map[string]bool // the forms shown, by the path of their POST
	Open     string          // the form to show open: the one that was refused
	Script   string          // the region's callback script, filled in for this order
	ScriptID int64
	Phone    string // the evaluator's phone, on the answer to "show phone" only
	// Full: the texts in full, on the answer to "显示完整内容" only (shown in place of the
	// masked copies).
	Full    *rectify.FullTexts
	Reasons []string // the bad review's reasons by name
	Done    string   // what was just recorded
	// Departments are the units of the office's scope, for the reassign form.
	Departments []measures.Unit
}

// showOrder is GET /console/orders/{id}.
func (d Deps) showOrder(c *fiber.Ctx) error {
	id, err := orderID(c)
	if err != nil {
		return err
	}
	return d.renderOrder(c, id, fiber.StatusOK, orderView{Done: doneMessages[c.Query("done")]}, nil)
}

// renderOrder shows order id with v's extras (a refused form, a phone shown) filled in.
func (d Deps) renderOrder(c *fiber.Ctx, id int64, status int, v orderView, form *page.Form) error {
	u := session.UserOf(c)
	detail, err := d.Rectify.Detail(c.UserContext(), u, id)
	if err != nil {
		return err
	}
	v.Detail = detail
	set, err := d.Evaluation.Reasons(c.UserContext())
	if err != nil {
		return err
	}
	v.Reasons = set.Names(detail.Evaluation.Reasons)
	v.Actions = allowedForms(u, detail.WorkOrder)
	if u.May(access.Handle) && hasFullText(detail) {
		v.Actions["reveal-text"] = true
	}
	if v.Full != nil {
		showFullTexts(detail, v.Full)
	}
	if v.Actions["reassign"] {
		if v.Departments, _, err = d.Measures.Units(c.UserContext(), 0, u.Scope); err != nil {
			return err
		}
	}
	if v.Actions["callback"] {
		if err := d.fillScript(c, u, &v); err != nil {
			return err
		}
	}
	return d.Pages.Render(c, status, "console_order", page.View{Title: "工单 " + detail.Number, Layout: "wide", Form: form, Data: v})
}

// fillScript puts the first active callback script of the order's region, filled in, above
// the callback form; an order without one simply shows none.
func (d Deps) fillScript(c *fiber.Ctx, u *access.User, v *orderView) error {
	scripts, err := d.Rectify.Scripts(c.UserContext(), u)
	if err != nil {
		return err
	}
	for _, s := range scripts {
		if !s.Active {
			continue
		}
		text, err := d.Rectify.RenderScript(c.UserContext(), u, v.ID, s.ID)
		if p, ok := problem.As(err); ok && p.Status == fiber.StatusNotFound {
			continue // a script of another region
		}
		if err != nil {
			return err
		}
		v.Script, v.ScriptID = text, s.ID
		return nil
	}
	return nil
}

// allowedForms are the actions user may take on w now: the state machine's and the role's
// answer (rectify.Next, access.User.May), so that the page offers nothing the API would refuse
// for its state or role.
func allowedForms(u *access.User, w *rectify.WorkOrder) map[string]bool {
	can := func(a rectify.Action) bool {
		_, err := rectify.Next(a, w.State, w.RealName)
		return err == nil
	}
	out := map[string]bool{}
	if u.May(access.Handle) {
		out["callback"] = can(rectify.Callback)
		out["decide"] = can(rectify.DecideNow)
		out["rectify"] = can(rectify.Rectify)
		out["feedback"] = can(rectify.Feedback)
		out["close"] = can(rectify.Close)
		out["extension"] = can(rectify.RequestExtension) && w.Deadlines.ExtensionRequested == nil
		out["reveal-phone"] = can(rectify.RevealPhone) && w.RealName
		out["return"] = can(rectify.Return)
	}
	if u.May(access.Rule) {
		out["appeal-ruling"] = can(rectify.RuleUpheld)
		out["extension-ruling"] = can(rectify.GrantExtension) && w.Deadlines.ExtensionRequested != nil
		out["supervise"] = can(rectify.Supervise)
		out["reassign"] = can(rectify.Reassign)
	}
	return out
}

// hasFullText: something on the order is shown masked and has its original sealed.
func hasFullText(d *rectify.Detail) bool {
	if d.Evaluation.HasFullComment {
		return true
	}
	for _, e := range d.Timeline {
		if e.HasFullText {
			return true
		}
	}
	return false
}

// showFullTexts puts the texts in full in place of the masked copies.
func showFullTexts(d *rectify.Detail, full *rectify.FullTexts) {
	if full.Comment != "" {
		d.Evaluation.Comment = full.Comment
	}
	for i, e := range d.Timeline {
		t, ok := full.Events[e.ID]
		if !ok {
			continue
		}
		if t.Note != "" {
			d.Timeline[i].Note = t.Note
		}
		for k, v := range t.Data {
			d.Timeline[i].Data[k] = v
		}
	}
}

func orderID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, problem.NotFound("work_order_not_found", "工单不存在")
	}
	return id, nil
}
