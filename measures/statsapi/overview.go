package statsapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// overview is GET /stats/overview: every measure of DOMAIN.md with its numerator,
// denominator, target and whether the target is met.
func (h *handlers) overview(c *fiber.Ctx) error {
	q, err := h.measureQuery(c)
	if err != nil {
		return err
	}
	m, err := h.measures.Overview(c.UserContext(), q)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"period": period(q), "filters": filters(c), "measures": m})
}

func filters(c *fiber.Ctx) fiber.Map {
	return fiber.Map{"region": strings.TrimSpace(c.Query("region")), "department": strings.TrimSpace(c.Query("department")),
		"hall": strings.TrimSpace(c.Query("hall")), "channel": c.Query("channel")}
}
