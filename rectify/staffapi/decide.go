package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/rectify"
	"haochaping/web/session"
)

// decide is POST /workorders/:id/decide: now (立行立改), deadline (限期整改), explain (解释说明) or appeal (申诉).
func (h *handlers) decide(c *fiber.Ctx) error {
	var in rectify.DecideInput
	id, err := bind(c, &in)
	if err != nil {
		return err
	}
	d, err := h.svc.Decide(c.UserContext(), session.UserOf(c), id, in)
	return answer(c, d, err)
}
