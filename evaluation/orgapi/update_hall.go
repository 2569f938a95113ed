package orgapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/internal/jsonbody"
	"haochaping/web/session"
)

// updateHall is PUT /org/halls/{code}: the hall's name, level, address and region; its code
// stays (devices and ratings point at the hall).
func (h *handlers) updateHall(c *fiber.Ctx) error {
	var in evaluation.HallInput
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	hall, err := h.svc.UpdateHall(c.UserContext(), session.UserOf(c), param(c, "code"), in)
	if err != nil {
		return err
	}
	return c.JSON(hall)
}
