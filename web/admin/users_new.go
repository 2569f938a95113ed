package admin

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/problem"
	"haochaping/web/page"
	"haochaping/web/session"
)

// userFields are the fields of the new login's form, by the names the domain's refusals use.
var userFields = []string{"username", "display_name", "role", "scope", "staff_no", "password"}

// userFormView is the form of a new login: the roles and the scopes it may give.
type userFormView struct {
	Roles  []access.Role
	Scopes []access.ScopeChoice
}

func (d Deps) userFormView(c *fiber.Ctx) (userFormView, error) {
	scopes, err := d.Users.ScopesInReach(c.UserContext(), session.UserOf(c))
	return userFormView{Roles: access.Roles, Scopes: scopes}, err
}

// showNewUser is GET /admin/users/new: the form of a new login.
func (d Deps) showNewUser(c *fiber.Ctx) error {
	v, err := d.userFormView(c)
	if err != nil {
		return err
	}
	return d.Pages.Render(c, fiber.StatusOK, "admin_users_new", page.View{Title: "新建用户", Layout: "wide", Data: v})
}

// createdView is the page after a login was created: a generated password, shown this once.
type createdView struct {
	User     *access.User
	Password string
}

// createUser is POST /admin/users: the login, then its page — with the generated password, if
// any, shown this once (never in a URL) — or the form again with the refusal beside its field.
func (d Deps) createUser(c *fiber.Ctx) error {
	form := &page.Form{Values: page.FormValues(c, userFields...)}
	nu := access.NewUser{Username: form.Value("username"), Password: form.Value("password"), DisplayName: form.Value("display_name"),
		Role: access.Role(form.Value("role")), StaffNo: form.Value("staff_no")}
	if form.Value("role") == "" {
		form.Add("role", "请选择角色")
	}
	var err error
	if form.Value("scope") == "" {
		form.Add("scope", "请选择范围")
	} else if nu.ScopeKind, nu.ScopeCode, err = access.ParseScope(form.Value("scope")); err != nil {
		p, _ := problem.As(err)
		form.AddProblem(p, fieldsByName(userFields))
		err = nil
	}
	var user *access.User
	var generated string
	if !form.Failed() {
		user, generated, err = d.Users.AdminCreate(c.UserContext(), session.UserOf(c), nu)
		if p, ok := problem.As(err); ok && p.Status < 500 {
			form.AddProblem(p, fieldsByName(userFields))
			err = nil
		}
	}
	if err != nil {
		return err
	}
	if form.Failed() {
		form.Values["password"] = nil // never sent back
		v, verr := d.userFormView(c)
		if verr != nil {
			return verr
		}
		return d.Pages.Render(c, fiber.StatusUnprocessableEntity, "admin_users_new", page.View{Title: "新建用户（请修改后重新提交）",
			Layout: "wide", Form: form, Data: v})
	}
	if generated == "" {
		return c.Redirect("/admin/users/"+user.Username+"?done=created", fiber.StatusSeeOther)
	}
	return d.renderUser(c, fiber.StatusCreated, user.Username, userView{Done: "created", Password: generated}, nil)
}

// fieldsByName maps each field to itself: the form's ids are the domain's field names.
func fieldsByName(names []string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = n
	}
	return m
}
