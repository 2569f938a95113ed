package ledgerapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/ledger"
	"haochaping/web/session"
)

// missingNow is GET /ledgers/rounds/current/missing: the units of the user's scope that have
// not reported on everything they answer for in the open round.
func (h *handlers) missingNow(c *fiber.Ctx) error {
	return h.answerMissing(c, 0)
}

// missing is GET /ledgers/rounds/:id/missing: the same for a given round.
func (h *handlers) missing(c *fiber.Ctx) error {
	id, err := param(c, "id")
	if err != nil {
		return err
	}
	return h.answerMissing(c, id)
}

func (h *handlers) answerMissing(c *fiber.Ctx, roundID int64) error {
	r, list, err := h.svc.MissingReporters(c.UserContext(), session.UserOf(c), roundID)
	if err != nil {
		return err
	}
	if list == nil {
		list = []ledger.Missing{}
	}
	return c.JSON(fiber.Map{"round": r, "items": list})
}
