// Package ledgerapi is the HTTP API of the ledgers (/api/v1/ledgers/…): the work and problem
// ledgers of the plan and the rectification ledger's entries, the progress units report on
// them round by round, the rectification ledger of bad reviews, and the recurring problems
// the office takes into it; and the ledgers as Excel workbooks, to download and to send back
// filled in. One handler a file. Every route needs a logged-in user; what each user may see
// (a unit the entries it answers for, the office those of its scope, auditors everything in
// scope, read-only) is enforced by the ledger package in its SQL.
package ledgerapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/problem"
	"haochaping/ledger"
	"haochaping/web/session"
)

// Register mounts the ledger API on the /api/v1 group.
func Register(api fiber.Router, users *access.Users, svc *ledger.Service) {
	h := &handlers{svc: svc}
	// The login check is on each route, not on a group: a group's middleware would apply to
	// every path under /api/v1, answering 401 for unknown routes and for public ones.
	in := session.Require(users)
	// The service checks the office's own actions (rounds, accepting and dismissing recurring
	// problems) itself; proposing recurring problems it leaves to the caller.
	office := session.RequireRole(access.OfficeAdmin)
	api.Get("/ledgers/entries", in, h.entries)
	api.Get("/ledgers/entries/:id", in, h.entry)
	api.Get("/ledgers/entries/:id/reports", in, h.history)
	api.Post("/ledgers/entries/:id/reports", in, reporters, h.report)
	api.Get("/ledgers/rounds", in, h.rounds)
	api.Post("/ledgers/rounds", in, h.cityOffice, h.openRound)
	api.Get("/ledgers/rounds/current/missing", in, h.missingNow)
	api.Get("/ledgers/rounds/:id/missing", in, h.missing)
	api.Post("/ledgers/rounds/:id/close", in, h.cityOffice, h.closeRound)
	api.Get("/ledgers/export", in, h.export)
	api.Post("/ledgers/import", in, reporters, h.importLedger)
	api.Get("/ledgers/rectification", in, h.rectification)
	api.Get("/ledgers/recurring", in, h.recurring)
	api.Post("/ledgers/recurring/propose", in, office, h.propose)
	api.Post("/ledgers/recurring/:id/accept", in, office, h.accept)
	api.Post("/ledgers/recurring/:id/dismiss", in, office, h.dismiss)
}

// reporters admits who files ledger reports (ledger.MayReport) before the body is read: a
// refusal for the role never depends on what the request carries.
func reporters(c *fiber.Ctx) error {
	if !ledger.MayReport(session.UserOf(c)) {
		return problem.Forbidden("forbidden_role", "台账进展由责任单位负责人填报（或由管理机构代报）")
	}
	return c.Next()
}

// cityOffice admits the city's office, which alone opens and closes rounds, before the body is read.
func (h *handlers) cityOffice(c *fiber.Ctx) error {
	city, err := h.svc.IsCityOffice(c.UserContext(), session.UserOf(c))
	if err != nil {
		return err
	}
	if !city {
		return problem.Forbidden("forbidden_role", "只有市政务服务管理机构可以发起或结束填报轮次")
	}
	return c.Next()
}

type handlers struct {
	svc *ledger.Service
}
