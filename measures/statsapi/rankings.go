package statsapi

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
	"haochaping/measures"
)

// rankings is GET /stats/rankings?month=YYYY-MM&kind=department|window|staff&region=&department=:
// the month's rankings (default: last month), with the bottom of each and those at the bottom
// two months running flagged.
func (h *handlers) rankings(c *fiber.Ctx) error {
	q := measures.RankingQuery{Kind: c.Query("kind"), Scope: scopeOf(c)}
	if v := c.Query("month"); v != "" {
		m, err := time.Parse("2006-01", v)
		if err != nil {
			return problem.Invalid("invalid_month", "month", "月份须为 YYYY-MM")
		}
		q.Month = m
	}
	if q.Kind != "" && q.Kind != "department" && q.Kind != "window" && q.Kind != "staff" {
		return problem.Invalid("invalid_kind", "kind", "kind 须为 department、window 或 staff")
	}
	var err error
	if q.RegionID, err = h.lookup(c.UserContext(), "regions", c.Query("region"), "region"); err != nil {
		return err
	}
	if q.Department, err = h.lookup(c.UserContext(), "departments", c.Query("department"), "department"); err != nil {
		return err
	}
	list, err := h.measures.Rankings(c.UserContext(), q)
	if err != nil {
		return err
	}
	if list == nil {
		list = []measures.Ranking{}
	}
	return c.JSON(fiber.Map{"items": list})
}
