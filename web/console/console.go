// Package console is the staff's pages (工作台): login, the inbox of work orders, a work order
// with the actions its state and the user's role allow. Every handler asks the domain
// (rectify, access) exactly what the API would, so a page shows and does no more than the
// user's bearer token could.
package console

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/evaluation"
	"haochaping/internal/live"
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
	Live       *live.Bus // nil: the notification count is read at each page load only
}

// Register mounts the console on r; mw are the page marker and the CSRF check.
func Register(r fiber.Router, mw []fiber.Handler, d Deps) {
	route := func(h ...fiber.Handler) []fiber.Handler { return append(append([]fiber.Handler{}, mw...), h...) }
	staff := []fiber.Handler{session.Page(d.Users), d.markStaff}
	r.Get("/login", route(d.showLogin)...)
	r.Post("/login", route(d.login)...)
	r.Post("/logout", route(d.logout)...)
	r.Get("/console", route(append(staff, d.showInbox)...)...)
	r.Get("/console/orders/:id", route(append(staff, d.showOrder)...)...)
	r.Get("/console/notifications", route(append(staff, d.showNotifications)...)...)
	r.Post("/console/notifications/:id/read", route(append(staff, d.readNotification)...)...)
	r.Get("/console/events", route(append(staff, d.eventStream)...)...)
	r.Post("/console/orders/:id/:action", route(append(staff, d.act)...)...)
}

// markStaff puts who is logged in, and how many messages wait, into the page's header.
func (d Deps) markStaff(c *fiber.Ctx) error {
	u := session.UserOf(c)
	unread, err := unreadCount(c.UserContext(), d.Rectify, u)
	if err != nil {
		return err
	}
	page.SetStaff(c, &page.Staff{Name: u.DisplayName, Role: u.RoleLabel, Expires: session.ExpiresOf(c), Unread: unread})
	return c.Next()
}
