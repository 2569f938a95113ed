package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/rectify"
	"haochaping/web/session"
)

// rectify is POST /workorders/:id/rectify: 整改, with the measures taken.
func (h *handlers) rectify(c *fiber.Ctx) error {
	var in rectify.RectifyInput
	id, err := bind(c, &in)
	if err != nil {
		return err
	}
	d, err := h.svc.Rectify(c.UserContext(), session.UserOf(c), id, in)
	return answer(c, d, err)
}
