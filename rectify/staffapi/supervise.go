package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/rectify"
	"haochaping/web/session"
)

// supervise is POST /workorders/:id/supervise: 督办 by the office.
func (h *handlers) supervise(c *fiber.Ctx) error {
	var in rectify.Common
	id, err := bind(c, &in)
	if err != nil {
		return err
	}
	d, err := h.svc.Supervise(c.UserContext(), session.UserOf(c), id, in)
	return answer(c, d, err)
}
