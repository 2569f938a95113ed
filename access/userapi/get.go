package userapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/web/session"
)

// get is GET /users/{username}: a login within the administrator's reach.
func (h *handlers) get(c *fiber.Ctx) error {
	user, err := h.users.AdminGet(c.UserContext(), session.UserOf(c), strings.Clone(c.Params("username")))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(user)
}
