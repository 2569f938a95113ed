package orgapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/internal/jsonbody"
	"haochaping/web/session"
)

// createStaff is POST /org/staff: a new staff member of a department of the scope, at a
// window of the scope or none (409 staff_no_taken).
func (h *handlers) createStaff(c *fiber.Ctx) error {
	var in evaluation.StaffInput
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	m, err := h.svc.CreateStaff(c.UserContext(), session.UserOf(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(m)
}
