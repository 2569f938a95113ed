package admin

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/web/page"
	"haochaping/web/session"
)

// staffFormView is the form of a staff member: a new one (StaffNo empty) or an edit.
type staffFormView struct {
	StaffNo     string
	Departments []optionGroup
	Windows     []optionGroup
}

var staffFields = []string{"staff_no", "name", "department", "window", "is_head", "active"}

// showNewStaff is GET /admin/organisation/staff/new[?window=CODE]: at that window, of the
// department that answers for it, unless changed.
func (d Deps) showNewStaff(c *fiber.Ctx) error {
	form := &page.Form{Values: map[string][]string{}}
	if code := strings.Clone(c.Query("window")); code != "" {
		if w, err := d.Evaluation.Window(c.UserContext(), session.UserOf(c), code); err == nil {
			form.Values["window"] = []string{w.Code}
			form.Values["department"] = []string{w.Department.Code}
		}
	}
	return d.renderStaff(c, fiber.StatusOK, "", form)
}

// showEditStaff is GET /admin/organisation/staff/{staff_no}/edit.
func (d Deps) showEditStaff(c *fiber.Ctx) error {
	m, err := d.Evaluation.StaffMember(c.UserContext(), session.UserOf(c), pathParam(c, "staff_no"))
	if err != nil {
		return err
	}
	form := &page.Form{Values: map[string][]string{"name": {m.Name}, "department": {m.Department.Code}}}
	if m.Window != nil {
		form.Values["window"] = []string{m.Window.Code}
	}
	if m.IsHead {
		form.Values["is_head"] = []string{"yes"}
	}
	if m.Active {
		form.Values["active"] = []string{"yes"}
	}
	return d.renderStaff(c, fiber.StatusOK, m.StaffNo, form)
}

// createStaff is POST /admin/organisation/staff.
func (d Deps) createStaff(c *fiber.Ctx) error {
	form := &page.Form{Values: page.FormValues(c, staffFields...)}
	in := staffInput(form)
	in.Active = nil // a new staff member is active
	m, err := d.Evaluation.CreateStaff(c.UserContext(), session.UserOf(c), in)
	if err != nil {
		if refuse(form, err, staffFields, "staff_no") {
			return d.renderStaff(c, fiber.StatusUnprocessableEntity, "", form)
		}
		return err
	}
	return savedRedirect(c, "staff", m.StaffNo, staffAnchor(m))
}

// updateStaff is POST /admin/organisation/staff/{staff_no}: the edit form always carries the
// active box, so an unticked one deactivates.
func (d Deps) updateStaff(c *fiber.Ctx) error {
	no := pathParam(c, "staff_no")
	form := &page.Form{Values: page.FormValues(c, staffFields...)}
	m, err := d.Evaluation.UpdateStaff(c.UserContext(), session.UserOf(c), no, staffInput(form))
	if err != nil {
		if refuse(form, err, staffFields, "") {
			return d.renderStaff(c, fiber.StatusUnprocessableEntity, no, form)
		}
		return err
	}
	return savedRedirect(c, "staff", m.StaffNo, staffAnchor(m))
}

// staffAnchor is where the organisation page shows a staff member: their window's row, or the
// list of staff at no window.
func staffAnchor(m *evaluation.OrgStaff) string {
	if m.Window != nil {
		return "window-" + m.Window.Code
	}
	return "unplaced"
}

func staffInput(f *page.Form) evaluation.StaffInput {
	active := f.Has("active", "yes")
	return evaluation.StaffInput{StaffNo: f.Value("staff_no"), Name: f.Value("name"), Department: f.Value("department"),
		Window: f.Value("window"), IsHead: f.Has("is_head", "yes"), Active: &active}
}

func (d Deps) renderStaff(c *fiber.Ctx, status int, staffNo string, form *page.Form) error {
	ctx, u := c.UserContext(), session.UserOf(c)
	depts, err := d.Evaluation.Departments(ctx, u)
	if err != nil {
		return err
	}
	windows, err := d.Evaluation.Windows(ctx, u, "")
	if err != nil {
		return err
	}
	title := "添加工作人员"
	if staffNo != "" {
		title = "修改工作人员 " + staffNo
	}
	if form.Failed() {
		title += "（请修改后重新提交）"
	}
	return d.Pages.Render(c, status, "admin_org_staff", page.View{Title: title, Layout: "wide", Form: form,
		Data: staffFormView{StaffNo: staffNo, Departments: departmentGroups(depts), Windows: windowGroups(windows)}})
}
