package ledgerapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/internal/auth"
)

// closeRound is POST /ledgers/rounds/:id/close (office only): ends a round; a closed round
// stays as it was.
func (h *handlers) closeRound(c *fiber.Ctx) error {
	id, err := param(c, "id")
	if err != nil {
		return err
	}
	r, err := h.svc.CloseRound(c.UserContext(), auth.UserOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(r)
}
