package admin

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/web/page"
	"haochaping/web/session"
)

// windowFormView is the form of a window: a new one (Code empty) or an edit.
type windowFormView struct {
	Code        string
	Halls       []optionGroup
	Departments []optionGroup
	Kinds       []optionGroup
}

var windowFields = []string{"code", "name", "hall", "department", "kind"}

// showNewWindow is GET /admin/organisation/windows/new[?hall=CODE].
func (d Deps) showNewWindow(c *fiber.Ctx) error {
	form := &page.Form{Values: map[string][]string{"hall": {strings.Clone(c.Query("hall"))}}}
	return d.renderWindow(c, fiber.StatusOK, "", form)
}

// showEditWindow is GET /admin/organisation/windows/{code}/edit.
func (d Deps) showEditWindow(c *fiber.Ctx) error {
	w, err := d.Evaluation.Window(c.UserContext(), session.UserOf(c), pathParam(c, "code"))
	if err != nil {
		return err
	}
	form := &page.Form{Values: map[string][]string{"name": {w.Name}, "hall": {w.Hall.Code},
		"department": {w.Department.Code}, "kind": {w.Kind}}}
	return d.renderWindow(c, fiber.StatusOK, w.Code, form)
}

// createWindow is POST /admin/organisation/windows.
func (d Deps) createWindow(c *fiber.Ctx) error {
	form := &page.Form{Values: page.FormValues(c, windowFields...)}
	w, err := d.Evaluation.CreateWindow(c.UserContext(), session.UserOf(c), windowInput(form))
	if err != nil {
		if refuse(form, err, windowFields, "code") {
			return d.renderWindow(c, fiber.StatusUnprocessableEntity, "", form)
		}
		return err
	}
	return savedRedirect(c, "window", w.Code, "window-"+w.Code)
}

// updateWindow is POST /admin/organisation/windows/{code}.
func (d Deps) updateWindow(c *fiber.Ctx) error {
	code := pathParam(c, "code")
	form := &page.Form{Values: page.FormValues(c, windowFields...)}
	w, err := d.Evaluation.UpdateWindow(c.UserContext(), session.UserOf(c), code, windowInput(form))
	if err != nil {
		if refuse(form, err, windowFields, "") {
			return d.renderWindow(c, fiber.StatusUnprocessableEntity, code, form)
		}
		return err
	}
	return savedRedirect(c, "window", w.Code, "window-"+w.Code)
}

func windowInput(f *page.Form) evaluation.WindowInput {
	return evaluation.WindowInput{Code: f.Value("code"), Name: f.Value("name"), Hall: f.Value("hall"),
		Department: f.Value("department"), Kind: f.Value("kind")}
}

func (d Deps) renderWindow(c *fiber.Ctx, status int, code string, form *page.Form) error {
	ctx, u := c.UserContext(), session.UserOf(c)
	halls, err := d.Evaluation.Halls(ctx, u)
	if err != nil {
		return err
	}
	depts, err := d.Evaluation.Departments(ctx, u)
	if err != nil {
		return err
	}
	title := "添加窗口"
	if code != "" {
		title = "修改窗口 " + code
	}
	if form.Failed() {
		title += "（请修改后重新提交）"
	}
	return d.Pages.Render(c, status, "admin_org_window", page.View{Title: title, Layout: "wide", Form: form,
		Data: windowFormView{Code: code, Halls: hallGroups(halls), Departments: departmentGroups(depts),
			Kinds: choiceGroups(evaluation.WindowKinds)}})
}
