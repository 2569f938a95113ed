package evaluation

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/problem"
)

// The office's administration of the organisation and the settings (org_admin.go,
// settings_admin.go) is held to the administrator's scope: a region and every region below it
// (region_descendants). What lies outside it is not found, as everywhere in the system —
// except the city-wide default of the settings, which only an administrator of the top region
// may change, and which every administrator knows exists.

// adminRegion is the region an office administrator administers, with the regions below it.
func adminRegion(u *access.User) (int64, error) {
	if u == nil || !u.HasRole(access.OfficeAdmin) {
		return 0, problem.Forbidden("forbidden_role", "只有政务服务管理机构的管理员可以管理机构和参数")
	}
	if u.Scope.Kind != access.ScopeRegion || u.Scope.ID == 0 {
		return 0, problem.Forbidden("forbidden_scope", "管理机构和参数须使用区划范围的管理员账号")
	}
	return u.Scope.ID, nil
}

// OrgRef names a region, department, hall or window by its code and name.
type OrgRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// OrgRegion is a region an administrator reaches.
type OrgRegion struct {
	ID       int64  `json:"-"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Level    string `json:"level"`
	ParentID *int64 `json:"-"`
	Depth    int    `json:"depth"` // 0: the administrator's own region, 1: a region below it …
}

// Regions are the regions in the administrator's scope: its own first, then those below it,
// each after its parent.
func (s *Service) Regions(ctx context.Context, u *access.User) ([]OrgRegion, error) {
	root, err := adminRegion(u)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Pool.Query(ctx, `
		WITH RECURSIVE down (id, depth, path) AS (
		    SELECT id, 0, code FROM regions WHERE id = $1
		    UNION ALL
		    SELECT r.id, down.depth + 1, down.path || '/' || r.code FROM regions r JOIN down ON r.parent_id = down.id
		)
		SELECT r.id, r.code, r.name, r.level, r.parent_id, down.depth
		FROM down JOIN regions r ON r.id = down.id
		ORDER BY down.path`, root)
	if err != nil {
		return nil, fmt.Errorf("regions in scope: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (OrgRegion, error) {
		var r OrgRegion
		err := row.Scan(&r.ID, &r.Code, &r.Name, &r.Level, &r.ParentID, &r.Depth)
		return r, err
	})
}

// regionInScope finds a region of the administrator's scope by its code; field names the
// input that named it. A region outside the scope is refused as if it did not exist.
func (s *Service) regionInScope(ctx context.Context, root int64, code, field string) (*OrgRegion, error) {
	r := &OrgRegion{Code: strings.TrimSpace(code)}
	if r.Code == "" {
		return nil, problem.Invalid("region_required", field, "请选择区划")
	}
	err := s.db.Pool.QueryRow(ctx, `SELECT id, name, level, parent_id FROM regions
		WHERE code = $1 AND id IN (SELECT region_descendants($2))`, r.Code, root).Scan(&r.ID, &r.Name, &r.Level, &r.ParentID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.Invalid("unknown_region", field, fmt.Sprintf("区划“%.32s”不存在或不在您的管理范围内", r.Code))
	}
	if err != nil {
		return nil, fmt.Errorf("region %q: %w", r.Code, err)
	}
	return r, nil
}

// The patterns of the codes, as the CHECK constraints of migrations/00001_organisation.sql.
var (
	orgCodePattern    = regexp.MustCompile(`^[0-9A-Za-z_-]{2,32}$`) // halls, departments, staff numbers
	windowCodePattern = regexp.MustCompile(`^[0-9A-Za-z_-]{2,40}$`)
)

// refusal gathers the fields at fault of one input, so that a form shows every message at
// once: the first one gives the answer its code and message.
type refusal struct{ p *problem.Error }

func (r *refusal) add(code, field, msg string) {
	if r.p == nil {
		r.p = problem.Invalid(code, field, msg)
		return
	}
	r.p = r.p.WithField(field, msg)
}

func (r *refusal) err() error {
	if r.p == nil {
		return nil
	}
	return r.p
}

// checkCode refuses a code that breaks its pattern; label is the field's Chinese name.
func (r *refusal) checkCode(pattern *regexp.Regexp, v, field, label string, maxLen int) {
	switch {
	case v == "":
		r.add("invalid_code", field, "请填写"+label)
	case !pattern.MatchString(v):
		r.add("invalid_code", field, fmt.Sprintf("%s须为 2 至 %d 位字母、数字、“-”或“_”", label, maxLen))
	}
}

// checkName refuses an empty or overlong name.
func (r *refusal) checkName(v, field, label string, maxRunes int) {
	switch {
	case v == "":
		r.add("invalid_name", field, "请填写"+label)
	case utf8.RuneCountInString(v) > maxRunes:
		r.add("invalid_name", field, fmt.Sprintf("%s不能超过 %d 个字", label, maxRunes))
	}
}

// Choice is one allowed value of a field, with its Chinese name.
type Choice struct {
	Value string `json:"value"`
	Name  string `json:"name"`
}

// nameOf is the Chinese name of v among choices ("" when it is none of them).
func nameOf(choices []Choice, v string) string {
	for _, c := range choices {
		if c.Value == v {
			return c.Name
		}
	}
	return ""
}
