package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/rectify"
	"haochaping/web/session"
)

// revealPhone is POST /workorders/:id/reveal-phone: the evaluator's phone for the handler's
// callback; the disclosure is recorded in the timeline.
func (h *handlers) revealPhone(c *fiber.Ctx) error {
	var in rectify.Common
	id, err := bind(c, &in)
	if err != nil {
		return err
	}
	phone, err := h.svc.RevealPhone(c.UserContext(), session.UserOf(c), id, in)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"phone": phone})
}
