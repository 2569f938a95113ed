package page

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// The large-text (适老) mode is a cookie, so that it is remembered and works without script.
const largeCookie = "hcp_large"

// LargeText reports whether the visitor chose large text.
func LargeText(c *fiber.Ctx) bool { return c.Cookies(largeCookie) == "1" }

// RegisterTextSize mounts GET /text-size?large=1|0&back=PATH: it sets the mode and goes back.
// A GET that only sets a display preference, like a language switch.
func RegisterTextSize(r fiber.Router, secure bool) {
	r.Get("/text-size", func(c *fiber.Ctx) error {
		v := "0"
		if c.Query("large") == "1" {
			v = "1"
		}
		c.Cookie(&fiber.Cookie{
			Name: largeCookie, Value: v, Path: "/", Expires: time.Now().AddDate(1, 0, 0),
			HTTPOnly: true, Secure: secure, SameSite: fiber.CookieSameSiteLaxMode,
		})
		return c.Redirect(safeReturn(c.Query("back")), fiber.StatusSeeOther)
	})
}
