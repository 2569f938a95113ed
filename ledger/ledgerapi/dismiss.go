package ledgerapi

import (
	"haochaping/web/session"

	"github.com/gofiber/fiber/v2"
)

// dismiss is POST /ledgers/recurring/:id/dismiss (office only): sets a proposed problem aside.
func (h *handlers) dismiss(c *fiber.Ctx) error {
	id, err := param(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.DismissRecurring(c.UserContext(), session.UserOf(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
