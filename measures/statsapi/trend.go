package statsapi

import "github.com/gofiber/fiber/v2"

// trend is GET /stats/trend?by=day|week|month: the measures per bucket.
func (h *handlers) trend(c *fiber.Ctx) error {
	q, err := h.measureQuery(c)
	if err != nil {
		return err
	}
	by := c.Query("by", "day")
	points, err := h.measures.Trend(c.UserContext(), q, by)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"period": period(q), "filters": filters(c), "by": by, "series": points})
}
