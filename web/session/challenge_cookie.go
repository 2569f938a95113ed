package session

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
)

// ChallengeCookieName carries, between the password and the second factor on the pages, the
// login challenge (access.LoginChallenge): it is no session and opens no page but the second
// step's (/console/login/totp, /console/totp/setup).
const ChallengeCookieName = "haochaping_login"

// SetChallengeCookie gives the browser the challenge for as long as it lasts. By Max-Age, not
// an instant: the challenge runs on the business clock, which need not be the browser's.
func SetChallengeCookie(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{Name: ChallengeCookieName, Value: token, Path: "/console", MaxAge: int(access.ChallengeTTL.Seconds()),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
}

// ClearChallengeCookie takes the challenge back once spent.
func ClearChallengeCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: ChallengeCookieName, Value: "", Path: "/console", Expires: time.Unix(0, 0),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
}
