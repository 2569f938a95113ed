package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/rectify"
	"haochaping/web/session"
)

// callback is POST /workorders/:id/callback: 回访核实.
func (h *handlers) callback(c *fiber.Ctx) error {
	var in rectify.CallbackInput
	id, err := bind(c, &in)
	if err != nil {
		return err
	}
	d, err := h.svc.Callback(c.UserContext(), session.UserOf(c), id, in)
	return answer(c, d, err)
}
