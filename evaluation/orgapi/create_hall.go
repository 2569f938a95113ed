package orgapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/internal/jsonbody"
	"haochaping/web/session"
)

// createHall is POST /org/halls: a new hall in a region of the scope (409 hall_code_taken).
func (h *handlers) createHall(c *fiber.Ctx) error {
	var in evaluation.HallInput
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	hall, err := h.svc.CreateHall(c.UserContext(), session.UserOf(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(hall)
}
