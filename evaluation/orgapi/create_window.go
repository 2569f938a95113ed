package orgapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/internal/jsonbody"
	"haochaping/web/session"
)

// createWindow is POST /org/windows: a new window in a hall of the scope, answered for by a
// department of the scope (409 window_code_taken).
func (h *handlers) createWindow(c *fiber.Ctx) error {
	var in evaluation.WindowInput
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	w, err := h.svc.CreateWindow(c.UserContext(), session.UserOf(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(w)
}
