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
	api.Post("/ledgers/entries/:id/reports", in, h.report)
	api.Get("/ledgers/rounds", in, h.rounds)
	api.Post("/ledgers/rounds", in, h.openRound)
	api.Get("/ledgers/rounds/current/missing", in, h.missingNow)
	api.Get("/ledgers/rounds/:id/missing", in, h.missing)
	api.Post("/ledgers/rounds/:id/close", in, h.closeRound)
	api.Get("/ledgers/export", in, h.export)
	api.Post("/ledgers/import", in, h.importLedger)
	api.Get("/ledgers/rectification", in, h.rectification)
	api.Get("/ledgers/recurring", in, h.recurring)
	api.Post("/ledgers/recurring/propose", in, office, h.propose)
	api.Post("/ledgers/recurring/:id/accept", in, h.accept)
	api.Post("/ledgers/recurring/:id/dismiss", in, h.dismiss)
}

type handlers struct {
	svc *ledger.Service
}
