package orgapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/internal/jsonbody"
	"haochaping/web/session"
)

// updateWindow is PUT /org/windows/{code}: the window's name, hall, department and kind.
func (h *handlers) updateWindow(c *fiber.Ctx) error {
	var in evaluation.WindowInput
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	w, err := h.svc.UpdateWindow(c.UserContext(), session.UserOf(c), param(c, "code"), in)
	if err != nil {
		return err
	}
	return c.JSON(w)
}
