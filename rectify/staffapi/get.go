package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/internal/auth"
)

// get is GET /workorders/:id: a work order with its timeline.
func (h *handlers) get(c *fiber.Ctx) error {
	id, err := param(c, "id")
	if err != nil {
		return err
	}
	d, err := h.svc.Detail(c.UserContext(), auth.UserOf(c), id)
	return answer(c, d, err)
}
