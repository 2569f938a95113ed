package ledgerapi

import (
	"haochaping/web/session"

	"github.com/gofiber/fiber/v2"
)

// closeRound is POST /ledgers/rounds/:id/close (office only): ends a round; a closed round
// stays as it was.
func (h *handlers) closeRound(c *fiber.Ctx) error {
	id, err := param(c, "id")
	if err != nil {
		return err
	}
	r, err := h.svc.CloseRound(c.UserContext(), session.UserOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(r)
}
