package ledgerapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/ledger"
)

// rounds is GET /ledgers/rounds: every reporting round, newest first.
func (h *handlers) rounds(c *fiber.Ctx) error {
	list, err := h.svc.Rounds(c.UserContext())
	if err != nil {
		return err
	}
	if list == nil {
		list = []*ledger.Round{}
	}
	return c.JSON(fiber.Map{"items": list})
}
