package ledgerapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/internal/auth"
)

// dismiss is POST /ledgers/recurring/:id/dismiss (office only): sets a proposed problem aside.
func (h *handlers) dismiss(c *fiber.Ctx) error {
	id, err := param(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.DismissRecurring(c.UserContext(), auth.UserOf(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
