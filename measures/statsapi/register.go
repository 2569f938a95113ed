// Package statsapi is the HTTP API of the measures (/api/v1/stats/…): the overview the office
// is judged by, its trend, the rows behind each figure, and the monthly rankings. The office and auditors see what their
// scope covers; a unit head sees their unit; window staff have no statistics.
package statsapi

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/evaluation"
	"haochaping/internal/bjtime"
	"haochaping/internal/database"
	"haochaping/internal/problem"
	"haochaping/measures"
	"haochaping/web/session"
)

// Register mounts the statistics routes on the /api/v1 group: the measures and rankings of m,
// and the 刷好评 flags of ev.
func Register(api fiber.Router, users *access.Users, db *database.DB, m *measures.Service, ev *evaluation.Service) {
	h := &handlers{measures: m, svc: ev, db: db}
	in := []fiber.Handler{session.Require(users), measuresReader}
	api.Get("/stats/overview", append(in, h.overview)...)
	api.Get("/stats/trend", append(in, h.trend)...)
	api.Get("/stats/rows", append(in, h.rows)...)
	api.Get("/stats/rankings", append(in, h.rankings)...)
	api.Get("/stats/praise-flags", session.Require(users), session.RequireRole(access.OfficeAdmin, access.Auditor), h.praiseFlags)
}

type handlers struct {
	measures *measures.Service
	svc      *evaluation.Service
	db       *database.DB
}

// measuresReader admits the users who may read measures (access.User.Measures); window staff
// get 403.
func measuresReader(c *fiber.Ctx) error {
	if _, ok := session.UserOf(c).Measures(); !ok {
		return problem.Forbidden("forbidden_role", "窗口工作人员不能查看单位统计")
	}
	return c.Next()
}

// scopeOf is the part of the city the user's measures cover.
func scopeOf(c *fiber.Ctx) access.Scope {
	scope, _ := session.UserOf(c).Measures()
	return scope
}

// measureQuery is ParseQuery for the API's handlers.
func (h *handlers) measureQuery(c *fiber.Ctx) (measures.Query, error) {
	return ParseQuery(c, h.measures, h.db)
}

// ParseQuery reads from, to (YYYY-MM-DD, Beijing days, both included; default: this month
// to today), region, department and hall (codes) and channel, and adds the user's scope: the
// API's and the office dashboard's one reading of a measures filter.
func ParseQuery(c *fiber.Ctx, m *measures.Service, db *database.DB) (measures.Query, error) {
	h := &handlers{measures: m, db: db}
	q := measures.Query{Scope: scopeOf(c), Channel: c.Query("channel")}
	today := bjtime.Day(h.measures.Now())
	q.To, q.From = today, today.AddDate(0, 0, 1-today.Day())
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if v := c.Query(p.name); v != "" {
			d, err := time.Parse("2006-01-02", v)
			if err != nil {
				return q, problem.Invalid("invalid_date", p.name, "日期须为 YYYY-MM-DD")
			}
			*p.dst = d
		}
	}
	if q.To.Before(q.From) {
		return q, problem.Invalid("invalid_period", "to", "结束日期早于开始日期")
	}
	if q.To.Sub(q.From) > 366*24*time.Hour*3 {
		return q, problem.Invalid("invalid_period", "from", "统计区间最长三年")
	}
	if q.Channel != "" && !evaluation.Channel(q.Channel).Valid() {
		return q, problem.Invalid("invalid_channel", "channel", "渠道须为 pc、window、mobile 或 kiosk")
	}
	var err error
	if q.RegionID, err = h.lookup(c.UserContext(), "regions", c.Query("region"), "region"); err != nil {
		return q, err
	}
	if q.Department, err = h.lookup(c.UserContext(), "departments", c.Query("department"), "department"); err != nil {
		return q, err
	}
	if q.Hall, err = h.lookup(c.UserContext(), "halls", c.Query("hall"), "hall"); err != nil {
		return q, err
	}
	return q, nil
}

// lookup turns a code into an id; an unknown code is refused, naming the parameter.
func (h *handlers) lookup(ctx context.Context, table, code, param string) (int64, error) {
	if code = strings.TrimSpace(code); code == "" {
		return 0, nil
	}
	var id int64
	// table is one of the constants above, never user input.
	if err := h.db.Pool.QueryRow(ctx, `SELECT COALESCE((SELECT id FROM `+table+` WHERE code = $1), 0)`, code).Scan(&id); err != nil {
		return 0, err
	}
	if id == 0 {
		return 0, problem.Invalid("unknown_"+param, param, "编码不存在："+code)
	}
	return id, nil
}

// period is echoed in every answer, so that a number is never read without its period.
func period(q measures.Query) fiber.Map {
	return fiber.Map{"from": q.From.Format("2006-01-02"), "to": q.To.Format("2006-01-02")}
}
