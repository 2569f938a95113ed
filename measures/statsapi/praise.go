package statsapi

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
)

// praiseFlags is GET /stats/praise-flags?since=YYYY-MM-DD: the 刷好评 flags for the office —
// bursts of top ratings from one device, staff member or phone (the phone by its keyed hash
// only) — since that day (default: 30 days ago).
func (h *handlers) praiseFlags(c *fiber.Ctx) error {
	since := bjtime.StartOfDay(bjtime.Day(h.svc.Now()).AddDate(0, 0, -30))
	if v := c.Query("since"); v != "" {
		d, err := time.Parse("2006-01-02", v)
		if err != nil {
			return problem.Invalid("invalid_date", "since", "日期须为 YYYY-MM-DD")
		}
		since = bjtime.StartOfDay(d)
	}
	flags, err := h.svc.PraiseFlags(c.UserContext(), scopeOf(c), since)
	if err != nil {
		return err
	}
	if flags == nil {
		flags = []evaluation.PraiseFlag{}
	}
	return c.JSON(fiber.Map{"items": flags})
}
