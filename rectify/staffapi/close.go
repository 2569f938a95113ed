package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/rectify"
	"haochaping/web/session"
)

// close is POST /workorders/:id/close: 办结.
func (h *handlers) close(c *fiber.Ctx) error {
	var in rectify.Common
	id, err := bind(c, &in)
	if err != nil {
		return err
	}
	d, err := h.svc.Close(c.UserContext(), session.UserOf(c), id, in)
	return answer(c, d, err)
}
