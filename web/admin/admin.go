// Package admin is the office's administration pages (/admin): the staff logins (users), the
// pads and kiosks (devices) with their pairing codes, the organisation (halls, windows, staff)
// and the settings of each region. Only an office administrator reaches them, and each sees
// and changes only what its region's scope covers — the same checks as the API, because every
// handler asks the same domain service.
package admin

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/channels"
	"haochaping/evaluation"
	"haochaping/internal/database"
	"haochaping/internal/problem"
	"haochaping/web/page"
	"haochaping/web/session"
)

// Deps are what the administration pages use.
type Deps struct {
	Pages      *page.Renderer
	Users      *access.Users
	Devices    *channels.Devices
	DB         *database.DB
	Evaluation *evaluation.Service
	// Staff is the console's middleware that puts who is logged in into the page's header.
	Staff fiber.Handler
	Now   func() time.Time
	// WallClock is the machine's time, which pairing codes and device sessions are checked
	// against when a pad enters its code at /pair (web/citizen/pair.go); nil: time.Now.
	WallClock func() time.Time
}

// routeFunc wraps a handler with the page middleware and the office-only check.
type routeFunc func(h fiber.Handler) []fiber.Handler

// Register mounts the administration pages on r; mw are the page marker and the CSRF check.
func Register(r fiber.Router, mw []fiber.Handler, d Deps) {
	route := func(h fiber.Handler) []fiber.Handler {
		return append(append([]fiber.Handler{}, mw...), session.Page(d.Users), d.Staff, officeOnly, h) // a fresh slice each
	}
	r.Get("/admin", route(d.showIndex)...)
	d.registerUsers(r, route)
	d.registerDevices(r, route)
	d.registerOrganisation(r, route)
	d.registerSettings(r, route)
}

// officeOnly admits the office administrators: the units and auditors administer nothing.
func officeOnly(c *fiber.Ctx) error {
	if !session.UserOf(c).HasRole(access.OfficeAdmin) {
		return problem.Forbidden("forbidden_role", "只有政务服务管理机构的管理员可以进行系统管理。")
	}
	return c.Next()
}

// showIndex is GET /admin: the sections of the administration.
func (d Deps) showIndex(c *fiber.Ctx) error {
	u := session.UserOf(c)
	return d.Pages.Render(c, fiber.StatusOK, "admin_index", page.View{Title: "系统管理", Layout: "wide", Data: u.Scope})
}
