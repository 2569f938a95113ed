package ledgerapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/internal/auth"
)

// entry is GET /ledgers/entries/:id: an entry with its deadlines and the units answerable for
// it (those of the user's scope), each with its latest report.
func (h *handlers) entry(c *fiber.Ctx) error {
	id, err := param(c, "id")
	if err != nil {
		return err
	}
	e, err := h.svc.Entry(c.UserContext(), auth.UserOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(e)
}
