package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/web/session"
)

// counts is GET /workorders/counts: how many orders of the inbox are in each state, and how
// many are overdue now, under the same filters as the list but its states and page.
func (h *handlers) counts(c *fiber.Ctx) error {
	f, err := filterOf(c)
	if err != nil {
		return err
	}
	counts, err := h.svc.Count(c.UserContext(), session.UserOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(counts)
}
