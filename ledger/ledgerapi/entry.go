package ledgerapi

import (
	"haochaping/web/session"

	"github.com/gofiber/fiber/v2"
)

// entry is GET /ledgers/entries/:id: an entry with its deadlines and the units answerable for
// it (those of the user's scope), each with its latest report.
func (h *handlers) entry(c *fiber.Ctx) error {
	id, err := param(c, "id")
	if err != nil {
		return err
	}
	e, err := h.svc.Entry(c.UserContext(), session.UserOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(e)
}
