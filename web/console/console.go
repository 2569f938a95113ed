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
	"haochaping/measures"
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
	Measures   *measures.Service
}

// Register mounts the console on r; mw are the page marker and the CSRF check.
func Register(r fiber.Router, mw []fiber.Handler, d Deps) {
	route := func(h ...fiber.Handler) []fiber.Handler { return append(append([]fiber.Handler{}, mw...), h...) }
	staff := func(h fiber.Handler) []fiber.Handler { return route(session.Page(d.Users), d.MarkStaff, h) }
	r.Get("/login", route(d.showLogin)...)
	r.Post("/login", route(d.login)...)
	r.Post("/logout", route(d.logout)...)
	// The second step of a login: the challenge cookie, not a session, admits these.
	r.Get("/console/login/totp", route(d.showTOTPLogin)...)
	r.Post("/console/login/totp", route(d.totpLogin)...)
	r.Get("/console/totp/setup", route(d.showTOTPSetup)...)
	r.Get("/console/totp/setup/qr.png", route(d.totpQRCode)...)
	r.Post("/console/totp/setup", route(d.totpSetup)...)
	r.Get("/console/security", staff(d.showSecurity)...)
	r.Post("/console/security/recovery-codes", staff(d.regenerateRecoveryCodes)...)
	r.Get("/console", staff(d.showInbox)...)
	r.Get("/console/orders/:id", staff(d.showOrder)...)
	r.Get("/console/notifications", staff(d.showNotifications)...)
	r.Get("/console/figures", staff(d.showFigures)...)
	r.Get("/console/password", staff(d.showPassword)...)
	r.Post("/console/password", staff(d.changePassword)...)
	r.Post("/console/notifications/:id/read", staff(d.readNotification)...)
	r.Get("/console/events", staff(d.eventStream)...)
	r.Post("/console/orders/:id/:action", staff(d.act)...)
	r.Get("/console/attachments/:id", staff(d.showAttachment)...)
}

// MarkStaff puts who is logged in, and how many messages wait, into the page's header: for
// every staff page (the console's, the office's), after session.Page.
func (d Deps) MarkStaff(c *fiber.Ctx) error {
	u := session.UserOf(c)
	unread, err := unreadCount(c.UserContext(), d.Rectify, u)
	if err != nil {
		return err
	}
	_, dashboard := u.Measures()
	page.SetStaff(c, &page.Staff{Name: u.DisplayName, Role: u.RoleLabel, Expires: session.ExpiresOf(c), Unread: unread, Dashboard: dashboard,
		Admin: u.HasRole(access.OfficeAdmin), Figures: u.StaffID != nil})
	return c.Next()
}
