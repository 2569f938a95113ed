package staffapi

import (
	"haochaping/web/session"

	"github.com/gofiber/fiber/v2"
)

// get is GET /workorders/:id: a work order with its timeline.
func (h *handlers) get(c *fiber.Ctx) error {
	id, err := param(c, "id")
	if err != nil {
		return err
	}
	d, err := h.svc.Detail(c.UserContext(), session.UserOf(c), id)
	return answer(c, d, err)
}
