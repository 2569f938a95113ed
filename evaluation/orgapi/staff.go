package orgapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/web/session"
)

// staff is GET /org/staff?window=CODE&department=CODE: the staff in scope, active or not.
func (h *handlers) staff(c *fiber.Ctx) error {
	list, err := h.svc.StaffMembers(c.UserContext(), session.UserOf(c),
		evaluation.StaffFilter{Window: query(c, "window"), Department: query(c, "department")})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": nonNil(list)})
}
