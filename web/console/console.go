// Package console is the staff's pages (工作台): login, the inbox of work orders, a work order
// with the actions its state and the user's role allow. Every handler asks the domain
// (rectify, access) exactly what the API would, so a page shows and does no more than the
// user's bearer token could.
package console

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/evaluation"
	"haochaping/rectify"
	"haochaping/web/page"
	"haochaping/web/session"
)

// Deps are what the console's pages use.
type Deps struct {
	Pages      *page.Renderer
	Users      *access.Users
	Rectify    *rectify.Service
	Evaluation *evaluation.Service
}

// Register mounts the console on r; mw are the page marker and the CSRF check.
func Register(r fiber.Router, mw []fiber.Handler, d Deps) {
	route := func(h ...fiber.Handler) []fiber.Handler { return append(append([]fiber.Handler{}, mw...), h...) }
	staff := []fiber.Handler{session.Page(d.Users), markStaff}
	r.Get("/login", route(d.showLogin)...)
	r.Post("/login", route(d.login)...)
	r.Post("/logout", route(d.logout)...)
	r.Get("/console", route(append(staff, d.showInbox)...)...)
	r.Get("/console/orders/:id", route(append(staff, d.showOrder)...)...)
	r.Post("/console/orders/:id/:action", route(append(staff, d.act)...)...)
}

// markStaff puts who is logged in into the page's header.
func markStaff(c *fiber.Ctx) error {
	u := session.UserOf(c)
	page.SetStaff(c, &page.Staff{Name: u.DisplayName, Role: u.RoleLabel, Expires: session.ExpiresOf(c)})
	return c.Next()
}
