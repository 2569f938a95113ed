package staffapi

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
	"haochaping/rectify"
	"haochaping/web/session"
)

// list is GET /workorders: the inbox, overdue first. Query: state (comma-separated), overdue
// (true/false), channel, from and to (YYYY-MM-DD, Beijing days, inclusive), mine (true: only
// those assigned to me), page, per_page.
func (h *handlers) list(c *fiber.Ctx) error {
	var f rectify.Filter
	if v := c.Query("state"); v != "" {
		for _, st := range strings.Split(v, ",") {
			s := rectify.State(strings.TrimSpace(st))
			if !s.Valid() {
				return problem.Invalid("invalid_state", "state", "未知的工单状态："+st)
			}
			f.States = append(f.States, s)
		}
	}
	if c.Query("overdue") != "" {
		b, err := queryBool(c, "overdue")
		if err != nil {
			return err
		}
		f.Overdue = &b
	}
	f.Channel = c.Query("channel")
	if f.Channel != "" && f.Channel != "pc" && f.Channel != "window" && f.Channel != "mobile" && f.Channel != "kiosk" {
		return problem.Invalid("invalid_channel", "channel", "渠道须为 pc、window、mobile 或 kiosk")
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := c.Query(name); v != "" {
			d, err := time.Parse("2006-01-02", v)
			if err != nil {
				return problem.Invalid("invalid_date", name, "日期须为 YYYY-MM-DD")
			}
			if name == "to" {
				d = d.AddDate(0, 0, 1) // inclusive: up to the end of that day
			}
			*dst = bjtime.StartOfDay(d)
		}
	}
	var err error
	if f.Mine, err = queryBool(c, "mine"); err != nil {
		return err
	}
	if f.Page, err = queryInt(c, "page", 1, 1, 1_000_000); err != nil {
		return err
	}
	if f.PerPage, err = queryInt(c, "per_page", 20, 1, 100); err != nil {
		return err
	}
	page, err := h.svc.List(c.UserContext(), session.UserOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(page)
}
