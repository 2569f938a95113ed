package userapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/jsonbody"
	"haochaping/web/session"
)

// passwordInput is the body of POST /users/{username}/password.
type passwordInput struct {
	Password string `json:"password"` // empty: generated, and answered once
}

// password is POST /users/{username}/password: a new password, typed by the administrator or
// generated; the login's sessions end. An empty body means a generated one.
func (h *handlers) password(c *fiber.Ctx) error {
	var in passwordInput
	if len(strings.TrimSpace(string(c.Body()))) > 0 {
		if err := jsonbody.Decode(c.Body(), &in); err != nil {
			return err
		}
	}
	generated, err := h.users.AdminResetPassword(c.UserContext(), session.UserOf(c), strings.Clone(c.Params("username")), in.Password)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(passwordAnswer{Password: generated})
}

// passwordAnswer says the password was set; it carries the password only when generated.
type passwordAnswer struct {
	Password string `json:"password,omitempty"`
}
