package orgapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/web/session"
)

// departments is GET /org/departments: the departments of the regions in scope, for the forms
// of windows and staff.
func (h *handlers) departments(c *fiber.Ctx) error {
	list, err := h.svc.Departments(c.UserContext(), session.UserOf(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": nonNil(list)})
}
