package userapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/jsonbody"
	"haochaping/web/session"
)

// roleInput is the body of PUT /users/{username}/role.
type roleInput struct {
	Role    string `json:"role"`
	Scope   string `json:"scope"` // department:CODE, hall:CODE or region:CODE
	StaffNo string `json:"staff_no"`
}

// role is PUT /users/{username}/role: a new role, scope and staff member, by the rules of
// creation; the login's sessions end when anything changed, so the new rights apply. An
// administrator cannot change its own.
func (h *handlers) role(c *fiber.Ctx) error {
	var in roleInput
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	user, err := h.users.AdminAssign(c.UserContext(), session.UserOf(c), strings.Clone(c.Params("username")),
		access.Assignment{Role: access.Role(in.Role), Scope: in.Scope, StaffNo: in.StaffNo})
	if err != nil {
		return err
	}
	return c.JSON(user)
}
