package session

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/problem"
)

// CookieName is the cookie that carries the session token for the pages.
const CookieName = "haochaping_session"

type userKey struct{}

// tokenFrom reads the session token: "Authorization: Bearer <token>", else the cookie.
func tokenFrom(c *fiber.Ctx) string {
	if tok := bearer(c); tok != "" {
		return tok
	}
	return c.Cookies(CookieName)
}

// Require is middleware that admits only requests with a live session, and keeps the user
// for UserOf. Refusals are 401 unauthenticated.
func Require(users *access.Users) fiber.Handler {
	return func(c *fiber.Ctx) error {
		user, err := users.Authenticate(c.UserContext(), tokenFrom(c))
		if err != nil {
			return err
		}
		if err := checkCookieWrite(c); err != nil {
			return err
		}
		c.Locals(userKey{}, user)
		return c.Next()
	}
}

// UserOf returns the user Require admitted; nil when none.
func UserOf(c *fiber.Ctx) *access.User {
	user, _ := c.Locals(userKey{}).(*access.User)
	return user
}

// RequireRole is middleware, after Require, that admits only users with one of roles;
// others get 403 forbidden_role.
func RequireRole(roles ...access.Role) fiber.Handler {
	labels := make([]string, len(roles))
	for i, r := range roles {
		labels[i] = r.Label()
	}
	need := strings.Join(labels, "或")
	return func(c *fiber.Ctx) error {
		user := UserOf(c)
		if user == nil {
			return problem.Unauthorized("unauthenticated", "请先登录")
		}
		if !user.HasRole(roles...) {
			return problem.Forbidden("forbidden_role", "当前账号的角色（"+user.Role.Label()+"）无权执行此操作，需要"+need)
		}
		return c.Next()
	}
}
