package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/rectify"
	"haochaping/web/session"
)

// reassign is POST /workorders/:id/reassign: the office gives the order to another unit or person.
func (h *handlers) reassign(c *fiber.Ctx) error {
	var in rectify.ReassignInput
	id, err := bind(c, &in)
	if err != nil {
		return err
	}
	d, err := h.svc.Reassign(c.UserContext(), session.UserOf(c), id, in)
	return answer(c, d, err)
}
