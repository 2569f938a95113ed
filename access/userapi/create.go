package userapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/jsonbody"
	"haochaping/web/session"
)

// createInput is the body of POST /users.
type createInput struct {
	Username    string `json:"username"`
	Password    string `json:"password"` // empty: generated, and answered once
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	Scope       string `json:"scope"` // department:CODE, hall:CODE or region:CODE
	StaffNo     string `json:"staff_no"`
}

// withPassword is a login as answered to the administrator who just gave it a generated password.
type withPassword struct {
	*access.User
	Password string `json:"password,omitempty"`
}

// create is POST /users: a login within the administrator's reach.
func (h *handlers) create(c *fiber.Ctx) error {
	var in createInput
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	kind, code, err := access.ParseScope(in.Scope)
	if err != nil {
		return err
	}
	user, generated, err := h.users.AdminCreate(c.UserContext(), session.UserOf(c), access.NewUser{
		Username: in.Username, Password: in.Password, DisplayName: in.DisplayName, Role: access.Role(in.Role),
		ScopeKind: kind, ScopeCode: code, StaffNo: in.StaffNo,
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(withPassword{User: user, Password: generated})
}
