package admin

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/problem"
	"haochaping/web/page"
	"haochaping/web/session"
)

// userView is a login's page: its role and scope to change, its password to reset, and the
// switch to disable or enable it.
type userView struct {
	User     *access.User
	Self     bool // the administrator's own login: no disabling, no role change
	Roles    []access.Role
	Scopes   []access.ScopeChoice
	Done     string // what was just done (after the redirect)
	Password string // a generated password, shown this once
}

// doneUserMessages say what was just done.
var doneUserMessages = map[string]string{
	"created": "账号已新建。", "role": "角色和范围已更改，该账号需重新登录。", "password": "密码已重置，该账号需用新密码重新登录。",
	"disable": "账号已停用，其登录已失效。", "enable": "账号已启用。",
	"totp-reset": "双因素认证已重置，该账号的登录已失效；下次登录时需重新设置验证器。",
}

// DoneMessage is what the page says was just done.
func (v userView) DoneMessage() string { return doneUserMessages[v.Done] }

// showUser is GET /admin/users/{username}.
func (d Deps) showUser(c *fiber.Ctx) error {
	return d.renderUser(c, fiber.StatusOK, strings.Clone(c.Params("username")), userView{Done: strings.Clone(c.Query("done"))}, nil)
}

// renderUser renders a login's page; a login outside the reach is not found (404).
func (d Deps) renderUser(c *fiber.Ctx, status int, username string, v userView, form *page.Form) error {
	admin := session.UserOf(c)
	user, err := d.Users.AdminGet(c.UserContext(), admin, username)
	if err != nil {
		return err
	}
	if v.Scopes, err = d.Users.ScopesInReach(c.UserContext(), admin); err != nil {
		return err
	}
	v.User, v.Self, v.Roles = user, user.ID == admin.ID, access.Roles
	if form == nil {
		form = &page.Form{Values: map[string][]string{}}
	}
	// The role form shows the login as it is, unless it was the one refused.
	for k, v := range map[string]string{"role": string(user.Role), "scope": user.Scope.String(), "staff_no": user.StaffNo} {
		if _, given := form.Values[k]; !given {
			form.Values[k] = []string{v}
		}
	}
	title := "用户 " + user.Username
	if form.Failed() {
		title += "（请修改后重新提交）"
	}
	return d.Pages.Render(c, status, "admin_users_edit", page.View{Title: title, Layout: "wide", Form: form, Data: v})
}

// refused re-renders the login's page with a refused form's messages beside its fields; other
// errors (404 among them) are the error page.
func (d Deps) refused(c *fiber.Ctx, username string, form *page.Form, fields []string, err error) error {
	p, ok := problem.As(err)
	if !ok || p.Status >= 500 || p.Status == fiber.StatusNotFound {
		return err
	}
	form.AddProblem(p, fieldsByName(fields))
	form.Values["password"] = nil
	return d.renderUser(c, fiber.StatusUnprocessableEntity, username, userView{}, form)
}

// assignUser is POST /admin/users/{username}/role: a new role, scope and staff member.
func (d Deps) assignUser(c *fiber.Ctx) error {
	username := strings.Clone(c.Params("username"))
	fields := []string{"role", "scope", "staff_no"}
	form := &page.Form{Values: page.FormValues(c, fields...)}
	_, err := d.Users.AdminAssign(c.UserContext(), session.UserOf(c), username,
		access.Assignment{Role: access.Role(form.Value("role")), Scope: form.Value("scope"), StaffNo: form.Value("staff_no")})
	if err != nil {
		return d.refused(c, username, form, fields, err)
	}
	return c.Redirect("/admin/users/"+username+"?done=role", fiber.StatusSeeOther)
}

// resetPassword is POST /admin/users/{username}/password: the typed password, or a generated
// one shown once on the page that answers (never in a URL).
func (d Deps) resetPassword(c *fiber.Ctx) error {
	username := strings.Clone(c.Params("username"))
	form := &page.Form{Values: page.FormValues(c, "password")}
	generated, err := d.Users.AdminResetPassword(c.UserContext(), session.UserOf(c), username, form.Value("password"))
	if err != nil {
		return d.refused(c, username, form, []string{"password"}, err)
	}
	if generated == "" {
		return c.Redirect("/admin/users/"+username+"?done=password", fiber.StatusSeeOther)
	}
	return d.renderUser(c, fiber.StatusOK, username, userView{Done: "password", Password: generated}, nil)
}

// disableUser is POST /admin/users/{username}/disable.
func (d Deps) disableUser(c *fiber.Ctx) error { return d.setUserActive(c, false) }

// enableUser is POST /admin/users/{username}/enable.
func (d Deps) enableUser(c *fiber.Ctx) error { return d.setUserActive(c, true) }

func (d Deps) setUserActive(c *fiber.Ctx, active bool) error {
	username := strings.Clone(c.Params("username"))
	if _, err := d.Users.AdminSetActive(c.UserContext(), session.UserOf(c), username, active); err != nil {
		return d.refused(c, username, &page.Form{Values: map[string][]string{}}, nil, err)
	}
	done := "disable"
	if active {
		done = "enable"
	}
	return c.Redirect("/admin/users/"+username+"?done="+done, fiber.StatusSeeOther)
}
