package console

import (
	"math"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
	"haochaping/web/page"
	"haochaping/web/session"
)

// refusalStatus is the status a refused login step is shown with: 429 with Retry-After while
// the account or the address is throttled, else 422.
func refusalStatus(c *fiber.Ctx, err error) int {
	if p, ok := problem.As(err); ok && p.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(p.RetryAfter.Seconds()))))
		return fiber.StatusTooManyRequests
	}
	return fiber.StatusUnprocessableEntity
}

// refuseCode shows a refused second-factor code beside its field (code or recovery) and marks
// it for the security audit log as username's.
func refuseCode(c *fiber.Ctx, form *page.Form, p *problem.Error, err error, username, field string) int {
	session.MarkAudit(c, "totp_refused", username)
	form.AddProblem(p, map[string]string{"code": field})
	return refusalStatus(c, err)
}
