package admin

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/web/page"
	"haochaping/web/session"
)

// registerUsers mounts the pages of the staff logins.
func (d Deps) registerUsers(r fiber.Router, route routeFunc) {
	r.Get("/admin/users", route(d.showUsers)...)
	r.Get("/admin/users/new", route(d.showNewUser)...) // before /admin/users/:username
	r.Post("/admin/users", route(d.createUser)...)
	r.Get("/admin/users/:username", route(d.showUser)...)
	r.Post("/admin/users/:username/role", route(d.assignUser)...)
	r.Post("/admin/users/:username/password", route(d.resetPassword)...)
	r.Post("/admin/users/:username/disable", route(d.disableUser)...)
	r.Post("/admin/users/:username/enable", route(d.enableUser)...)
	r.Post("/admin/users/:username/totp-reset", route(d.resetTOTP)...)
}

// usersView is the list of logins: the search, its result and the roles to filter by.
type usersView struct {
	Query string
	Role  string
	Roles []access.Role
	Users []*access.User
	Reach access.Scope
}

// showUsers is GET /admin/users?q=&role=: the logins within the administrator's reach.
func (d Deps) showUsers(c *fiber.Ctx) error {
	u := session.UserOf(c)
	v := usersView{Query: strings.TrimSpace(strings.Clone(c.Query("q"))), Role: strings.Clone(c.Query("role")),
		Roles: access.Roles, Reach: u.Scope}
	if !access.Role(v.Role).Valid() {
		v.Role = ""
	}
	list, err := d.Users.AdminList(c.UserContext(), u, access.UserFilter{Query: v.Query, Role: access.Role(v.Role)})
	if err != nil {
		return err
	}
	v.Users = list
	return d.Pages.Render(c, fiber.StatusOK, "admin_users", page.View{Title: "用户管理", Layout: "wide", Data: v})
}
