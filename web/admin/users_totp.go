package admin

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/web/page"
	"haochaping/web/session"
)

// resetTOTP is POST /admin/users/{username}/totp-reset: the login's second factor is removed
// and its sessions end; it sets up its authenticator again at its next login (the same as POST
// /api/v1/users/{username}/totp-reset).
func (d Deps) resetTOTP(c *fiber.Ctx) error {
	username := strings.Clone(c.Params("username"))
	if _, err := d.Users.AdminResetTOTP(c.UserContext(), session.UserOf(c), username); err != nil {
		return d.refused(c, username, &page.Form{Values: map[string][]string{}}, nil, err)
	}
	return c.Redirect("/admin/users/"+username+"?done=totp-reset", fiber.StatusSeeOther)
}
