// Package orgapi is the HTTP API of the office's administration of the organisation and the
// settings per region (/api/v1/org/…, /api/v1/settings…): the halls, windows and staff of the
// administrator's scope, the departments its forms offer, and each region's settings with
// where their values come from. One handler a file. Every route needs a session of an office
// administrator; the evaluation service holds each one to its scope (a district's office
// reaches only its district), answering what lies outside it as not found.
package orgapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/evaluation"
	"haochaping/web/session"
)

// Register mounts the organisation and settings API on the /api/v1 group.
func Register(api fiber.Router, users *access.Users, svc *evaluation.Service) {
	h := &handlers{svc: svc}
	// The checks are on each route, not on a group: a group's middleware would apply to every
	// path under /api/v1 (see ledgerapi.Register).
	in, office := session.Require(users), session.RequireRole(access.OfficeAdmin)
	api.Get("/org/halls", in, office, h.halls)
	api.Post("/org/halls", in, office, h.createHall)
	api.Put("/org/halls/:code", in, office, h.updateHall)
	api.Get("/org/windows", in, office, h.windows)
	api.Post("/org/windows", in, office, h.createWindow)
	api.Put("/org/windows/:code", in, office, h.updateWindow)
	api.Get("/org/staff", in, office, h.staff)
	api.Post("/org/staff", in, office, h.createStaff)
	api.Put("/org/staff/:staff_no", in, office, h.updateStaff)
	api.Get("/org/departments", in, office, h.departments)
	api.Get("/settings", in, office, h.settings)
	api.Put("/settings/:region/:key", in, office, h.setSetting)
	api.Delete("/settings/:region/:key", in, office, h.clearSetting)
}

type handlers struct {
	svc *evaluation.Service
}

// param is a path parameter, copied: fiber's strings do not outlive the handler.
func param(c *fiber.Ctx, name string) string { return strings.Clone(c.Params(name)) }

// query is a query parameter, trimmed and copied.
func query(c *fiber.Ctx, name string) string { return strings.TrimSpace(strings.Clone(c.Query(name))) }
