package orgapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/web/session"
)

// windows is GET /org/windows?hall=CODE: the windows of the halls in scope, or of one.
func (h *handlers) windows(c *fiber.Ctx) error {
	list, err := h.svc.Windows(c.UserContext(), session.UserOf(c), query(c, "hall"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": nonNil(list)})
}
