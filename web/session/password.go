package session

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/jsonbody"
	"haochaping/internal/problem"
)

// PasswordChange is the body of POST /auth/password.
type PasswordChange struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// changePassword is POST /auth/password (after Require): the user's own password, checked
// against the current one; the user's other sessions end, this one stays. 204 No Content.
func changePassword(users *access.Users) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req PasswordChange
		if err := jsonbody.Decode(c.Body(), &req); err != nil {
			return err
		}
		if req.Current == "" {
			return problem.Invalid("current_required", "current", "请输入当前密码")
		}
		if req.New == "" {
			return problem.Invalid("new_required", "new", "请输入新密码")
		}
		err := users.ChangePassword(c.UserContext(), strings.Clone(c.IP()), UserOf(c), tokenFrom(c), req.Current, req.New)
		if err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}
