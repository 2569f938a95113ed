package admin

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/web/page"
	"haochaping/web/session"
)

// The organisation's pages: the halls of the administrator's scope, each with its windows and
// their staff, and the forms to add and edit a hall (organisation_hall.go), a window
// (organisation_window.go) and a staff member (organisation_staff.go). Every form asks the
// evaluation service, which holds it to the administrator's scope as it holds the API.

// registerOrganisation mounts the pages of the halls, windows and staff.
func (d Deps) registerOrganisation(r fiber.Router, route routeFunc) {
	r.Get("/admin/organisation", route(d.showOrganisation)...)
	r.Get("/admin/organisation/halls/new", route(d.showNewHall)...)
	r.Post("/admin/organisation/halls", route(d.createHall)...)
	r.Get("/admin/organisation/halls/:code/edit", route(d.showEditHall)...)
	r.Post("/admin/organisation/halls/:code", route(d.updateHall)...)
	r.Get("/admin/organisation/windows/new", route(d.showNewWindow)...)
	r.Post("/admin/organisation/windows", route(d.createWindow)...)
	r.Get("/admin/organisation/windows/:code/edit", route(d.showEditWindow)...)
	r.Post("/admin/organisation/windows/:code", route(d.updateWindow)...)
	r.Get("/admin/organisation/staff/new", route(d.showNewStaff)...)
	r.Post("/admin/organisation/staff", route(d.createStaff)...)
	r.Get("/admin/organisation/staff/:staff_no/edit", route(d.showEditStaff)...)
	r.Post("/admin/organisation/staff/:staff_no", route(d.updateStaff)...)
}

// organisationView is the organisation page.
type organisationView struct {
	Scope   string
	Saved   string // what was just saved, from the redirect after a form
	Org     *evaluation.Organisation
	Windows int
	Staff   int
}

// savedWhat names the records the forms save, for the confirmation after the redirect.
var savedWhat = map[string]string{"hall": "大厅", "window": "窗口", "staff": "工作人员"}

// showOrganisation is GET /admin/organisation[?saved=hall|window|staff&code=CODE].
func (d Deps) showOrganisation(c *fiber.Ctx) error {
	u := session.UserOf(c)
	org, err := d.Evaluation.Organisation(c.UserContext(), u)
	if err != nil {
		return err
	}
	v := organisationView{Scope: u.Scope.Name, Org: org, Staff: len(org.Unplaced)}
	if what, ok := savedWhat[c.Query("saved")]; ok {
		v.Saved = fmt.Sprintf("已保存%s“%s”。", what, strings.Clone(c.Query("code")))
	}
	for _, h := range org.Halls {
		v.Windows += len(h.Windows)
		for _, w := range h.Windows {
			v.Staff += len(w.Staff)
		}
	}
	return d.Pages.Render(c, fiber.StatusOK, "admin_org", page.View{Title: "机构管理", Layout: "wide", Data: v})
}

// savedRedirect sends the browser back to the organisation page, at the record saved.
func savedRedirect(c *fiber.Ctx, what, code, anchor string) error {
	return c.Redirect(fmt.Sprintf("/admin/organisation?saved=%s&code=%s#%s", what, urlQuery(code), anchor), fiber.StatusSeeOther)
}
