package admin

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/web/page"
	"haochaping/web/session"
)

// hallFormView is the form of a hall: a new one (Code empty) or an edit.
type hallFormView struct {
	Code    string
	Levels  []optionGroup
	Regions []optionGroup
}

var hallFields = []string{"code", "name", "level", "address", "region"}

// showNewHall is GET /admin/organisation/halls/new.
func (d Deps) showNewHall(c *fiber.Ctx) error {
	u := session.UserOf(c)
	form := &page.Form{Values: map[string][]string{"region": {u.Scope.Code}}}
	return d.renderHall(c, fiber.StatusOK, "", form)
}

// showEditHall is GET /admin/organisation/halls/{code}/edit.
func (d Deps) showEditHall(c *fiber.Ctx) error {
	h, err := d.Evaluation.Hall(c.UserContext(), session.UserOf(c), pathParam(c, "code"))
	if err != nil {
		return err
	}
	form := &page.Form{Values: map[string][]string{"name": {h.Name}, "level": {h.Level}, "address": {h.Address},
		"region": {h.Region.Code}}}
	return d.renderHall(c, fiber.StatusOK, h.Code, form)
}

// createHall is POST /admin/organisation/halls.
func (d Deps) createHall(c *fiber.Ctx) error {
	form := &page.Form{Values: page.FormValues(c, hallFields...)}
	h, err := d.Evaluation.CreateHall(c.UserContext(), session.UserOf(c), hallInput(form))
	if err != nil {
		if refuse(form, err, hallFields, "code") {
			return d.renderHall(c, fiber.StatusUnprocessableEntity, "", form)
		}
		return err
	}
	return savedRedirect(c, "hall", h.Code, "hall-"+h.Code)
}

// updateHall is POST /admin/organisation/halls/{code}.
func (d Deps) updateHall(c *fiber.Ctx) error {
	code := pathParam(c, "code")
	form := &page.Form{Values: page.FormValues(c, hallFields...)}
	h, err := d.Evaluation.UpdateHall(c.UserContext(), session.UserOf(c), code, hallInput(form))
	if err != nil {
		if refuse(form, err, hallFields, "") {
			return d.renderHall(c, fiber.StatusUnprocessableEntity, code, form)
		}
		return err
	}
	return savedRedirect(c, "hall", h.Code, "hall-"+h.Code)
}

func hallInput(f *page.Form) evaluation.HallInput {
	return evaluation.HallInput{Code: f.Value("code"), Name: f.Value("name"), Level: f.Value("level"),
		Address: f.Value("address"), Region: f.Value("region")}
}

func (d Deps) renderHall(c *fiber.Ctx, status int, code string, form *page.Form) error {
	regions, err := d.Evaluation.Regions(c.UserContext(), session.UserOf(c))
	if err != nil {
		return err
	}
	title := "添加大厅"
	if code != "" {
		title = "修改大厅 " + code
	}
	if form.Failed() {
		title += "（请修改后重新提交）"
	}
	return d.Pages.Render(c, status, "admin_org_hall", page.View{Title: title, Layout: "wide", Form: form,
		Data: hallFormView{Code: code, Levels: choiceGroups(evaluation.HallLevels), Regions: regionGroups(regions)}})
}
