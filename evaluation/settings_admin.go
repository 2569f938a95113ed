package evaluation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/problem"
)

// The settings of each region as the office administers them: for a region, each setting's
// value in force and where it comes from — the region's own row, the nearest ancestor's, the
// city-wide default (the row without region), or, where no row holds one, the value the code
// falls back to — the same order as region_setting(). An administrator sets and clears the
// values of the regions of its scope; only one whose scope is the top region (the city) may
// change the city-wide default, which every region inherits. Each change is appended to
// settings_changes with who made it and when.

// DefaultRegionCode names the city-wide default in place of a region code.
const DefaultRegionCode = "default"

// Where a value in force comes from.
const (
	SourceOwn       = "own"       // 本地区: the region's own row
	SourceInherited = "inherited" // an ancestor's row
	SourceDefault   = "default"   // 全市默认: the row without region
	SourceBuiltin   = "builtin"   // no row: the code's own fallback
)

// SettingChange is the last change of a region's own value of a setting.
type SettingChange struct {
	By  string    `json:"by"` // the administrator's username
	At  time.Time `json:"at"`
	Old *string   `json:"old"` // null: the region had no value of its own
	New *string   `json:"new"` // null: cleared
}

// EffectiveSetting is a setting of a region as in force.
type EffectiveSetting struct {
	*SettingKey
	Rule       string         `json:"rule"`
	Value      string         `json:"value"`
	Label      string         `json:"label"`       // the value as people read it
	Source     string         `json:"source"`      // own, inherited, default, builtin
	SourceName string         `json:"source_name"` // 本地区, the ancestor's name, 全市默认, 系统默认
	From       *OrgRef        `json:"from"`        // the region whose row holds the value; null: the default or builtin
	Changed    *SettingChange `json:"changed"`     // the last change of this region's own value, if any
}

// RegionSettings are the settings of a region — or of the city-wide default — as in force.
type RegionSettings struct {
	Region OrgRef             `json:"region"` // code "default", name 全市默认, for the city-wide default
	Items  []EffectiveSetting `json:"items"`
	// MayEditDefault: the administrator may change the city-wide default (its scope is the top region).
	MayEditDefault bool `json:"-"`
}

// settingsTarget is the region whose settings are read or changed: nil id for the default.
type settingsTarget struct {
	id  *int64
	ref OrgRef
}

// settingsRegion resolves a region code of the scope, or "default". A region outside the
// scope is not found (404), as everywhere; the default is changed only by an administrator of
// the top region (403 forbidden_default, checked by the writes).
func (s *Service) settingsRegion(ctx context.Context, u *access.User, code string) (settingsTarget, bool, error) {
	root, err := adminRegion(u)
	if err != nil {
		return settingsTarget{}, false, err
	}
	var top bool
	if err := s.db.Pool.QueryRow(ctx, `SELECT parent_id IS NULL FROM regions WHERE id = $1`, root).Scan(&top); err != nil {
		return settingsTarget{}, false, fmt.Errorf("the administrator's region: %w", err)
	}
	code = strings.TrimSpace(code)
	if code == "" {
		code = u.Scope.Code
	}
	if code == DefaultRegionCode {
		return settingsTarget{ref: OrgRef{Code: DefaultRegionCode, Name: "全市默认"}}, top, nil
	}
	var id int64
	t := settingsTarget{ref: OrgRef{Code: code}}
	err = s.db.Pool.QueryRow(ctx, `SELECT id, name FROM regions WHERE code = $1 AND id IN (SELECT region_descendants($2))`,
		code, root).Scan(&id, &t.ref.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, top, problem.NotFound("region_not_found", fmt.Sprintf("区划“%.32s”不存在或不在您的管理范围内", code))
	}
	if err != nil {
		return t, top, fmt.Errorf("region %q: %w", code, err)
	}
	t.id = &id
	return t, top, nil
}

// Settings are the settings of the region of code ("" the administrator's own, "default" the
// city-wide default), each with its value in force and its source, in the order of SettingKeys.
func (s *Service) Settings(ctx context.Context, u *access.User, code string) (*RegionSettings, error) {
	t, top, err := s.settingsRegion(ctx, u, code)
	if err != nil {
		return nil, err
	}
	items, err := s.effectiveSettings(ctx, s.db.Pool, t)
	if err != nil {
		return nil, err
	}
	return &RegionSettings{Region: t.ref, Items: items, MayEditDefault: top}, nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// effectiveSettingsSQL: per key, the row nearest the region ($1; NULL: the default alone) —
// its own (depth 0), an ancestor's, or the default (depth NULL), as region_setting() orders
// them — with the name of the region whose row it is.
const effectiveSettingsSQL = `
WITH RECURSIVE up (id, depth) AS (
    SELECT $1::bigint, 0 WHERE $1::bigint IS NOT NULL
    UNION ALL
    SELECT r.parent_id, up.depth + 1 FROM regions r JOIN up ON r.id = up.id WHERE r.parent_id IS NOT NULL
)
SELECT DISTINCT ON (s.key) s.key, s.value, up.depth, COALESCE(rg.code, ''), COALESCE(rg.name, '')
FROM settings s LEFT JOIN up ON up.id = s.region_id LEFT JOIN regions rg ON rg.id = s.region_id
WHERE s.region_id IS NULL OR up.id IS NOT NULL
ORDER BY s.key, up.depth NULLS LAST`

// lastChangesSQL: per key, the last change of the own value of the region $1 (NULL: the default).
const lastChangesSQL = `
SELECT DISTINCT ON (key) key, username, changed_at, old_value, new_value
FROM settings_changes WHERE region_id IS NOT DISTINCT FROM $1::bigint
ORDER BY key, changed_at DESC, id DESC`

func (s *Service) effectiveSettings(ctx context.Context, q querier, t settingsTarget) ([]EffectiveSetting, error) {
	type found struct {
		value      string
		depth      *int
		code, name string
	}
	rows, err := q.Query(ctx, effectiveSettingsSQL, t.id)
	if err != nil {
		return nil, fmt.Errorf("settings in force: %w", err)
	}
	byKey := map[string]found{}
	var key string
	var f found
	var depth *int
	if _, err := pgx.ForEachRow(rows, []any{&key, &f.value, &depth, &f.code, &f.name}, func() error {
		f.depth = nil
		if depth != nil {
			d := *depth
			f.depth = &d
		}
		byKey[key] = f
		return nil
	}); err != nil {
		return nil, fmt.Errorf("settings in force: %w", err)
	}
	rows, err = q.Query(ctx, lastChangesSQL, t.id)
	if err != nil {
		return nil, fmt.Errorf("settings changes: %w", err)
	}
	changes := map[string]*SettingChange{}
	var by string
	var at time.Time
	var oldV, newV *string
	if _, err := pgx.ForEachRow(rows, []any{&key, &by, &at, &oldV, &newV}, func() error {
		changes[key] = &SettingChange{By: by, At: at, Old: cloneString(oldV), New: cloneString(newV)}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("settings changes: %w", err)
	}
	out := make([]EffectiveSetting, len(SettingKeys))
	for i := range SettingKeys {
		k := &SettingKeys[i]
		e := EffectiveSetting{SettingKey: k, Rule: k.Rule(), Value: k.Builtin, Source: SourceBuiltin, SourceName: "系统默认",
			Changed: changes[k.Key]}
		if f, ok := byKey[k.Key]; ok {
			e.Value = f.value
			switch {
			case f.depth == nil:
				e.Source, e.SourceName = SourceDefault, "全市默认"
			case *f.depth == 0:
				e.Source, e.SourceName, e.From = SourceOwn, "本地区", &OrgRef{Code: f.code, Name: f.name}
			default:
				e.Source, e.SourceName, e.From = SourceInherited, f.name, &OrgRef{Code: f.code, Name: f.name}
			}
		}
		e.Label = k.Label(e.Value)
		out[i] = e
	}
	return out, nil
}

// SetSetting sets the region's own value of key (region "default": the city-wide default).
// Refusals: 404 unknown_setting, region_not_found; 403 forbidden_default; 422
// invalid_setting_value (out of range, not a value of the setting) and rectify_days_over_max.
func (s *Service) SetSetting(ctx context.Context, u *access.User, region, key, value string) (*EffectiveSetting, error) {
	k, t, err := s.writableSetting(ctx, u, region, key)
	if err != nil {
		return nil, err
	}
	v, err := k.Normalize(value)
	if err != nil {
		return nil, err
	}
	return s.changeSetting(ctx, u, t, k, &v)
}

// ClearSetting removes the region's own value of key, so that it inherits again (region
// "default": the city-wide default, so that the code's fallback applies). Clearing a value the
// region does not have changes nothing and answers the same.
func (s *Service) ClearSetting(ctx context.Context, u *access.User, region, key string) (*EffectiveSetting, error) {
	k, t, err := s.writableSetting(ctx, u, region, key)
	if err != nil {
		return nil, err
	}
	return s.changeSetting(ctx, u, t, k, nil)
}

// writableSetting is the setting and the region's row the user may change: a known key, a
// region in reach, and the city-wide default only for the top region's office.
func (s *Service) writableSetting(ctx context.Context, u *access.User, region, key string) (*SettingKey, settingsTarget, error) {
	k, err := SettingKeyOf(key)
	if err != nil {
		return nil, settingsTarget{}, err
	}
	t, top, err := s.settingsRegion(ctx, u, region)
	if err != nil {
		return nil, t, err
	}
	if t.id == nil && !top {
		return nil, t, forbiddenDefault()
	}
	return k, t, nil
}

func forbiddenDefault() error {
	return problem.Forbidden("forbidden_default", "全市默认参数只能由市级政务服务管理机构修改；请选择您管理的区划")
}

// changeSetting writes (v nil: deletes) the region's own row of k and records the change, in
// one transaction, after checking the pair of deadlines that must stay in order.
func (s *Service) changeSetting(ctx context.Context, u *access.User, t settingsTarget, k *SettingKey, v *string) (*EffectiveSetting, error) {
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		var old *string
		err := tx.QueryRow(ctx, `SELECT value FROM settings WHERE region_id IS NOT DISTINCT FROM $1::bigint AND key = $2 FOR UPDATE`,
			t.id, k.Key).Scan(&old)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("read setting %s: %w", k.Key, err)
		}
		if v == nil {
			_, err = tx.Exec(ctx, `DELETE FROM settings WHERE region_id IS NOT DISTINCT FROM $1::bigint AND key = $2`, t.id, k.Key)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO settings (region_id, key, value) VALUES ($1, $2, $3)
				ON CONFLICT ((COALESCE(region_id, 0)), key) DO UPDATE SET value = EXCLUDED.value`, t.id, k.Key, *v)
		}
		if err != nil {
			return fmt.Errorf("write setting %s: %w", k.Key, err)
		}
		items, err := s.effectiveSettings(ctx, tx, t)
		if err != nil {
			return err
		}
		if err := checkDeadlineOrder(items); err != nil {
			return err
		}
		if !sameValue(old, v) {
			if _, err := tx.Exec(ctx, `INSERT INTO settings_changes (region_id, key, old_value, new_value, changed_by, username, changed_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.id, k.Key, old, v, u.ID, u.Username, s.Now()); err != nil {
				return fmt.Errorf("record the change of setting %s: %w", k.Key, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Read again after the commit so that the answer carries the change just recorded.
	items, err := s.effectiveSettings(ctx, s.db.Pool, t)
	if err != nil {
		return nil, err
	}
	for i := range items {
		if items[i].Key == k.Key {
			return &items[i], nil
		}
	}
	return nil, fmt.Errorf("setting %s: not among the settings read", k.Key)
}

// checkDeadlineOrder refuses a region whose default rectification deadline would exceed the
// longest one with an extension (rectify/decide.go and extension.go assume it does not). Only
// the region changed is checked: a region below it with values of its own keeps them.
func checkDeadlineOrder(items []EffectiveSetting) error {
	var rect, maxDays int
	for _, e := range items {
		switch e.Key {
		case "rectify_working_days":
			rect, _ = strconv.Atoi(e.Value)
		case "rectify_max_working_days":
			maxDays, _ = strconv.Atoi(e.Value)
		}
	}
	if rect > 0 && maxDays > 0 && rect > maxDays {
		return problem.Invalid("rectify_days_over_max", "value",
			fmt.Sprintf("整改反馈时限（%d 个工作日）不能超过延期后最长时限（%d 个工作日）", rect, maxDays))
	}
	return nil
}

func cloneString(p *string) *string {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func sameValue(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
