package citizen

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/web/page"
)

// home is GET /: what a citizen who finds the site needs — where to rate, what becomes of a
// bad review, and where the results are published. Rating itself always starts from a case
// (the receipt's link, the pad, the kiosk, the portal), never from a number typed here, so
// that nobody rates a service that was not theirs.
func (d Deps) home(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	c.Set(fiber.HeaderVary, "Cookie")
	return d.Pages.Render(c, fiber.StatusOK, "home", page.View{Title: "政务服务好差评"})
}
