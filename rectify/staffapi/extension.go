package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/rectify"
	"haochaping/web/session"
)

// requestExtension is POST /workorders/:id/extension: the unit asks for a longer deadline.
func (h *handlers) requestExtension(c *fiber.Ctx) error {
	var in rectify.ExtensionInput
	id, err := bind(c, &in)
	if err != nil {
		return err
	}
	d, err := h.svc.RequestExtension(c.UserContext(), session.UserOf(c), id, in)
	return answer(c, d, err)
}
