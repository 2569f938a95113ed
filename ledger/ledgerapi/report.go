package ledgerapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/internal/jsonbody"
	"haochaping/ledger"
	"haochaping/web/session"
)

// report is POST /ledgers/entries/:id/reports: a unit's report on the entry in the open round
// — progress, measures, issues, completed — for the unit of the login, or, by the office, for
// the unit named by department_code.
func (h *handlers) report(c *fiber.Ctx) error {
	id, err := param(c, "id")
	if err != nil {
		return err
	}
	var in ledger.ReportInput
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	in.EntryID = id // the path names the entry, whatever the body says
	rep, err := h.svc.Report(c.UserContext(), session.UserOf(c), in, "api")
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(rep)
}
