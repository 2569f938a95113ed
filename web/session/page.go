package session

import (
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/problem"
)

type expiresKey struct{}

// Page is Require for the staff's pages: the session comes from the cookie only, and a
// browser without a live one is sent to the login page, which brings it back here after.
func Page(users *access.Users) fiber.Handler {
	return func(c *fiber.Ctx) error {
		user, expires, err := users.Session(c.UserContext(), c.Cookies(CookieName))
		if p, ok := problem.As(err); ok && p.Status == fiber.StatusUnauthorized {
			next := string(c.Request().URI().RequestURI())
			return c.Redirect("/login?next="+url.QueryEscape(next), fiber.StatusSeeOther)
		}
		if err != nil {
			return err
		}
		c.Locals(userKey{}, user)
		c.Locals(expiresKey{}, expires)
		return c.Next()
	}
}

// ExpiresOf is when the session Page admitted ends.
func ExpiresOf(c *fiber.Ctx) time.Time {
	t, _ := c.Locals(expiresKey{}).(time.Time)
	return t
}

// SafeNext is where a login may send the browser: a path of this site, never another host
// ("//evil", "https://…", "/\\evil" are refused); else fallback.
func SafeNext(next, fallback string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return fallback
	}
	return next
}
