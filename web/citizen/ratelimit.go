package citizen

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
)

// limitAddress takes the request from its client address's budget (Deps.Limiter). Past it, a
// person gets the error page (429, in words, with Retry-After); a script that asked for JSON
// — kiosk.js uploading its buffer, which keeps the records for the next try — gets the problem
// as JSON.
func (d Deps) limitAddress(c *fiber.Ctx) error {
	err := d.Limiter.Address(c.UserContext(), c.IP())
	if err == nil {
		return c.Next()
	}
	p, ok := problem.As(err)
	if ok && wantsJSON(c) {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(p.RetryAfter.Seconds())))
		return kioskProblem(c, p)
	}
	return err
}

func wantsJSON(c *fiber.Ctx) bool {
	accept := c.Get(fiber.HeaderAccept)
	return strings.Contains(accept, fiber.MIMEApplicationJSON) && !strings.Contains(accept, fiber.MIMETextHTML)
}
