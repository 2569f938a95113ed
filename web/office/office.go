// Package office is the office's dashboard (/office): the measures the office is judged by,
// each with the rows behind it, their trend, the channel mix, the rankings, the overdue
// orders, the appeals and extensions waiting, the 刷好评 flags, and the report to the
// provincial platform (/office/upward: the records it refused, the late, the pending). It reads what the
// statistics API reads (measures, statsapi.ParseQuery), so every figure on it is the API's.
package office

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/evaluation"
	"haochaping/internal/audit"
	"haochaping/internal/database"
	"haochaping/internal/problem"
	"haochaping/measures"
	"haochaping/rectify"
	"haochaping/web/auditapi"
	"haochaping/web/page"
	"haochaping/web/session"
)

// Deps are what the dashboard uses.
type Deps struct {
	Pages      *page.Renderer
	Users      *access.Users
	DB         *database.DB
	Measures   *measures.Service
	Rectify    *rectify.Service
	Evaluation *evaluation.Service
	// Staff is the console's middleware that puts who is logged in into the page's header.
	Staff fiber.Handler
	Audit *audit.Log       // the security audit log, for /office/audit (nil: no such page)
	Now   func() time.Time // the business clock: what is late on /office/upward
}

// Register mounts the dashboard on r; mw are the page marker and the CSRF check.
func Register(r fiber.Router, mw []fiber.Handler, d Deps) {
	route := func(h fiber.Handler) []fiber.Handler {
		return append(append([]fiber.Handler{}, mw...), session.Page(d.Users), d.Staff, readers, h) // a fresh slice each: no shared backing array
	}
	r.Get("/office", route(d.showDashboard)...)
	r.Get("/office/rows", route(d.showRows)...)
	if d.Audit != nil {
		r.Get("/office/audit", append(route(auditapi.CityOversight(d.Audit)), d.showAudit)...)
	}
	r.Get("/office/upward", append(route(upwardReaders), d.showUpward)...)
	r.Post("/office/upward/records/:id/resend", append(route(upwardResenders), d.resendUpward)...)
	r.Post("/office/upward/resend-all", append(route(upwardResenders), d.resendAllUpward)...)
}

// readers admits who may read measures (access.User.Measures): the office, auditors, unit
// heads; window staff see their own work in the console instead.
func readers(c *fiber.Ctx) error {
	if _, ok := session.UserOf(c).Measures(); !ok {
		return problem.Forbidden("forbidden_role", "窗口工作人员不能查看统计，请在工单页面查看自己的工作。")
	}
	return c.Next()
}
