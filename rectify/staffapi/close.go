package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/internal/auth"
	"haochaping/rectify"
)

// close is POST /workorders/:id/close: 办结.
func (h *handlers) close(c *fiber.Ctx) error {
	var in rectify.Common
	id, err := bind(c, &in)
	if err != nil {
		return err
	}
	d, err := h.svc.Close(c.UserContext(), auth.UserOf(c), id, in)
	return answer(c, d, err)
}
