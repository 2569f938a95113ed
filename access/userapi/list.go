package userapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/web/session"
)

// list is GET /users?q=&role=: the logins within the administrator's reach, by username; q
// matches part of the username, the name or the staff number.
func (h *handlers) list(c *fiber.Ctx) error {
	f := access.UserFilter{Query: strings.Clone(c.Query("q")), Role: access.Role(strings.Clone(c.Query("role")))}
	list, err := h.users.AdminList(c.UserContext(), session.UserOf(c), f)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"items": list})
}
