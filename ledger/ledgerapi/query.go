package ledgerapi

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
)

// param reads a positive integer path parameter.
func param(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, problem.NotFound("not_found", "不存在")
	}
	return id, nil
}

// day reads a YYYY-MM-DD date (a Beijing calendar day, as midnight UTC of that date); empty:
// the zero time. field names the parameter or body field at fault.
func day(v, field string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse("2006-01-02", v)
	if err != nil {
		return time.Time{}, problem.Invalid("invalid_date", field, "日期须为 YYYY-MM-DD")
	}
	return d, nil
}

// period reads two dates, the second not before the first.
func period(from, to, fromField, toField string) (time.Time, time.Time, error) {
	f, err := day(from, fromField)
	if err != nil {
		return f, f, err
	}
	t, err := day(to, toField)
	if err != nil {
		return f, t, err
	}
	if !f.IsZero() && !t.IsZero() && t.Before(f) {
		return f, t, problem.Invalid("invalid_period", toField, "结束日期早于开始日期")
	}
	return f, t, nil
}

// queryBool reads a true/false query parameter; absent: false.
func queryBool(c *fiber.Ctx, name string) (bool, error) {
	v := c.Query(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, problem.Invalid("invalid_"+name, name, name+" 须为 true 或 false")
	}
	return b, nil
}

// department turns a department code into its id; empty: 0. An unknown code is refused,
// naming the parameter.
func (h *handlers) department(ctx context.Context, code, field string) (int64, error) {
	if code = strings.TrimSpace(code); code == "" {
		return 0, nil
	}
	var id int64
	if err := h.svc.DB.Pool.QueryRow(ctx, `SELECT COALESCE((SELECT id FROM departments WHERE code = $1), 0)`, code).Scan(&id); err != nil {
		return 0, err
	}
	if id == 0 {
		return 0, problem.Invalid("unknown_department", field, "单位编码不存在："+code)
	}
	return id, nil
}
