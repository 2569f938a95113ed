package staffapi

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
	"haochaping/rectify"
)

// maxQuery is the longest search (q) accepted, in characters: a case number is at most 64.
const maxQuery = 64

// filterOf reads an inbox filter from the query: state (comma-separated), overdue
// (true/false), channel, from and to (YYYY-MM-DD, Beijing days, inclusive), mine (true: only
// those assigned to me), q (a work-order number, case number, ticket or phone), page, per_page.
func filterOf(c *fiber.Ctx) (rectify.Filter, error) {
	var f rectify.Filter
	if v := c.Query("state"); v != "" {
		for _, st := range strings.Split(v, ",") {
			s := rectify.State(strings.TrimSpace(st))
			if !s.Valid() {
				return f, problem.Invalid("invalid_state", "state", "未知的工单状态："+st)
			}
			f.States = append(f.States, s)
		}
	}
	if c.Query("overdue") != "" {
		b, err := queryBool(c, "overdue")
		if err != nil {
			return f, err
		}
		f.Overdue = &b
	}
	f.Channel = strings.Clone(c.Query("channel"))
	if f.Channel != "" && f.Channel != "pc" && f.Channel != "window" && f.Channel != "mobile" && f.Channel != "kiosk" {
		return f, problem.Invalid("invalid_channel", "channel", "渠道须为 pc、window、mobile 或 kiosk")
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := c.Query(name); v != "" {
			d, err := time.Parse("2006-01-02", v)
			if err != nil {
				return f, problem.Invalid("invalid_date", name, "日期须为 YYYY-MM-DD")
			}
			if name == "to" {
				d = d.AddDate(0, 0, 1) // inclusive: up to the end of that day
			}
			*dst = bjtime.StartOfDay(d)
		}
	}
	var err error
	if f.Mine, err = queryBool(c, "mine"); err != nil {
		return f, err
	}
	if f.Query, err = searchQuery(c.Query("q")); err != nil {
		return f, err
	}
	return f, nil
}

// searchQuery checks the search box: at most maxQuery characters, and one line of text. (NUL
// and invalid UTF-8 never reach here: the server refuses them as 400 invalid_text.) A tab or
// a line break is no part of anything searched for.
func searchQuery(q string) (string, error) {
	if utf8.RuneCountInString(q) > maxQuery {
		return "", problem.Invalid("invalid_q", "q", "检索内容不能超过 64 个字符")
	}
	for _, r := range q {
		if r < 0x20 || r == 0x7f {
			return "", problem.Invalid("invalid_q", "q", "检索内容不能含有控制字符")
		}
	}
	return strings.Clone(strings.TrimSpace(q)), nil
}
