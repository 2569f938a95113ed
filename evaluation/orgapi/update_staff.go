package orgapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/internal/jsonbody"
	"haochaping/web/session"
)

// updateStaff is PUT /org/staff/{staff_no}: name, department, window (a move, or none), head,
// and active — a staff member leaves by being deactivated, never deleted.
func (h *handlers) updateStaff(c *fiber.Ctx) error {
	var in evaluation.StaffInput
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	m, err := h.svc.UpdateStaff(c.UserContext(), session.UserOf(c), param(c, "staff_no"), in)
	if err != nil {
		return err
	}
	return c.JSON(m)
}
