// Package upwardapi is the HTTP API of the office's view of the upward report to the provincial
// platform (/api/v1/upward/…): the records the platform refused, the late ones and those still
// pending, the counts, and sending a refused record again. The office (office_admin) and the
// auditors (auditor) read, each within its scope — a district's office its district, the
// city's the city — and only the office resends; everyone else is refused for the role before
// any record is looked at. A record outside the scope answers 404, like one that does not exist.
package upwardapi

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/database"
	"haochaping/internal/problem"
	"haochaping/upward"
	"haochaping/web/session"
)

// PerPage is the length of a page of records.
const PerPage = 50

// Register mounts the API on the /api/v1 group; now is the business clock.
func Register(api fiber.Router, users *access.Users, db *database.DB, now func() time.Time) {
	h := &handlers{db: db, now: now}
	// The checks are on each route, not on a group: a group's middleware would apply to every
	// path under /api/v1 (see ledgerapi.Register).
	in := session.Require(users)
	read, resend := session.RequireRole(access.OfficeAdmin, access.Auditor), session.RequireRole(access.OfficeAdmin)
	api.Get("/upward/status", in, read, h.status)
	api.Get("/upward/records", in, read, h.list)
	api.Post("/upward/records/:id/resend", in, resend, h.resend)
}

type handlers struct {
	db  *database.DB
	now func() time.Time
}

// list is GET /upward/records?state=refused|late|pending&page=N: a page of the records of that
// list within the login's scope, newest problem first (refused by default).
func (h *handlers) list(c *fiber.Ctx) error {
	state := strings.TrimSpace(strings.Clone(c.Query("state", upward.ListRefused)))
	l, err := upward.List(c.UserContext(), h.db, session.UserOf(c).Scope, state, c.QueryInt("page", 1), PerPage, h.now())
	if err != nil {
		return err
	}
	return c.JSON(l)
}

// status is GET /upward/status: the records within the login's scope by state, the late ones,
// and when the oldest pending one was made.
func (h *handlers) status(c *fiber.Ctx) error {
	s, err := upward.Summarise(c.UserContext(), h.db, session.UserOf(c).Scope, h.now())
	if err != nil {
		return err
	}
	return c.JSON(s)
}

// resend is POST /upward/records/{id}/resend: a refused record back to pending, due at once
// (409 not_refused when it is not refused); it answers the record as it now is.
func (h *handlers) resend(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return problem.NotFound("upward_record_not_found", "没有这条上报记录，或不在您的权限范围内")
	}
	scope, now := session.UserOf(c).Scope, h.now()
	if err := upward.ResendIn(c.UserContext(), h.db, scope, id, now); err != nil {
		return err
	}
	r, err := upward.Get(c.UserContext(), h.db, scope, id, now)
	if err != nil {
		return err
	}
	return c.JSON(r)
}
