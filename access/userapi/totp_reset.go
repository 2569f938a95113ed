package userapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/web/session"
)

// totpReset is POST /users/{username}/totp-reset: the login's second factor (secret, recovery
// codes) is removed and its sessions end; it enrolls again at its next login. Answers the login.
func (h *handlers) totpReset(c *fiber.Ctx) error {
	user, err := h.users.AdminResetTOTP(c.UserContext(), session.UserOf(c), strings.Clone(c.Params("username")))
	if err != nil {
		return err
	}
	return c.JSON(user)
}
