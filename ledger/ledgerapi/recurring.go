package ledgerapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
	"haochaping/ledger"
	"haochaping/web/session"
)

// recurring is GET /ledgers/recurring: the recurring problems of the units of the user's
// scope, newest first; status (proposed, accepted, dismissed) narrows them.
func (h *handlers) recurring(c *fiber.Ctx) error {
	status := c.Query("status")
	switch status {
	case "", "proposed", "accepted", "dismissed":
	default:
		return problem.Invalid("invalid_status", "status", "status 须为 proposed、accepted 或 dismissed")
	}
	list, err := h.svc.RecurringProblems(c.UserContext(), session.UserOf(c), status)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*ledger.RecurringProblem{}
	}
	return c.JSON(fiber.Map{"items": list})
}
