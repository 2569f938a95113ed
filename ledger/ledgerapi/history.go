package ledgerapi

import (
	"haochaping/web/session"

	"github.com/gofiber/fiber/v2"
)

// history is GET /ledgers/entries/:id/reports: every report on an entry by the units of the
// user's scope, newest first.
func (h *handlers) history(c *fiber.Ctx) error {
	id, err := param(c, "id")
	if err != nil {
		return err
	}
	list, err := h.svc.History(c.UserContext(), session.UserOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list})
}
