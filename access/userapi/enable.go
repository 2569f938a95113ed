package userapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/web/session"
)

// enable is POST /users/{username}/enable: the login may log in again.
func (h *handlers) enable(c *fiber.Ctx) error {
	user, err := h.users.AdminSetActive(c.UserContext(), session.UserOf(c), strings.Clone(c.Params("username")), true)
	if err != nil {
		return err
	}
	return c.JSON(user)
}
