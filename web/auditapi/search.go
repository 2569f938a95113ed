// Package auditapi is the HTTP API of the security audit log: GET /audit, for the city's
// auditors and office administrators.
package auditapi

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/audit"
	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
	"haochaping/web/session"
)

// Register mounts GET /audit on the /api/v1 group.
func Register(api fiber.Router, users *access.Users, log *audit.Log) {
	api.Get("/audit", session.Require(users), CityOversight(log), search(log))
}

// CityOversight admits the auditors and office administrators of the whole city: the log is
// the system's, not a region's.
func CityOversight(log *audit.Log) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := session.UserOf(c)
		if !u.HasRole(access.Auditor, access.OfficeAdmin) || u.Scope.Kind != access.ScopeRegion {
			return problem.Forbidden("forbidden_role", "安全审计日志仅供市级监督人员和管理员查阅")
		}
		var top bool
		if err := log.DB.Pool.QueryRow(c.UserContext(), `SELECT parent_id IS NULL FROM regions WHERE id = $1`, u.Scope.ID).Scan(&top); err != nil {
			return err
		}
		if !top {
			return problem.Forbidden("forbidden_role", "安全审计日志仅供市级监督人员和管理员查阅")
		}
		return c.Next()
	}
}

// search is GET /audit?kind&actor&address&from&to&page&per_page: the events, newest first.
func search(log *audit.Log) fiber.Handler {
	return func(c *fiber.Ctx) error {
		q, err := ParseQuery(c)
		if err != nil {
			return err
		}
		p, err := log.Search(c.UserContext(), q)
		if err != nil {
			return err
		}
		return c.JSON(p)
	}
}

// ParseQuery reads a search of the log from the request's query: from and to are RFC 3339
// instants or YYYY-MM-DD Beijing days (to: the whole day).
func ParseQuery(c *fiber.Ctx) (audit.Query, error) {
	q := audit.Query{Kind: strings.Clone(strings.TrimSpace(c.Query("kind"))), Actor: strings.Clone(strings.TrimSpace(c.Query("actor"))),
		Address: strings.Clone(strings.TrimSpace(c.Query("address"))), Page: c.QueryInt("page", 1), PerPage: c.QueryInt("per_page", 50)}
	if q.Kind != "" {
		if _, ok := audit.KindNames[q.Kind]; !ok {
			return q, problem.Invalid("invalid_kind", "kind", "没有这种审计事件")
		}
	}
	var err error
	if q.From, err = instant(c.Query("from"), "from", false); err != nil {
		return q, err
	}
	if q.To, err = instant(c.Query("to"), "to", true); err != nil {
		return q, err
	}
	return q, nil
}

func instant(v, field string, endOfDay bool) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation("2006-01-02", v, bjtime.Location)
	if err != nil {
		return time.Time{}, problem.Invalid("invalid_date", field, field+" 须为 YYYY-MM-DD 或 RFC 3339 时间")
	}
	if endOfDay {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}
