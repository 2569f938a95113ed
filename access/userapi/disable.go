package userapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/web/session"
)

// disable is POST /users/{username}/disable: the login is refused from now on and its sessions
// end at once. An administrator cannot disable itself.
func (h *handlers) disable(c *fiber.Ctx) error {
	user, err := h.users.AdminSetActive(c.UserContext(), session.UserOf(c), strings.Clone(c.Params("username")), false)
	if err != nil {
		return err
	}
	return c.JSON(user)
}
