package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/rectify"
	"haochaping/web/session"
)

// returnOrder is POST /workorders/:id/return: 退回 to the office for reassignment.
func (h *handlers) returnOrder(c *fiber.Ctx) error {
	var in rectify.ReturnInput
	id, err := bind(c, &in)
	if err != nil {
		return err
	}
	d, err := h.svc.Return(c.UserContext(), session.UserOf(c), id, in)
	return answer(c, d, err)
}
