package rectify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
)

// Script is a callback script (回访话术) the office maintains. Its body may name
// {{evaluator}}, {{item}}, {{date}} and {{number}}, filled in for the work order at hand.
type Script struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ScriptInput creates or changes a script.
type ScriptInput struct {
	Title  string `json:"title"`
	Body   string `json:"body"`
	Active *bool  `json:"active"`
}

// placeholders are the names a script may use; any other {{…}} is refused, so that a script
// cannot be saved that would show a raw placeholder to a citizen.
var placeholders = []string{"evaluator", "item", "date", "number"}

func (in *ScriptInput) check() error {
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(in.Body)
	if in.Title == "" || utf8.RuneCountInString(in.Title) > 100 {
		return problem.Invalid("invalid_title", "title", "标题须为 1 至 100 字")
	}
	if in.Body == "" || utf8.RuneCountInString(in.Body) > 2000 {
		return problem.Invalid("invalid_body", "body", "话术内容须为 1 至 2000 字")
	}
	rest := in.Body
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			return nil
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			return problem.Invalid("invalid_placeholder", "body", "话术中的 {{ 没有对应的 }}")
		}
		name := strings.TrimSpace(rest[i+2 : i+j])
		known := false
		for _, p := range placeholders {
			known = known || p == name
		}
		if !known {
			return problem.Invalid("invalid_placeholder", "body", "未知的占位符 {{"+name+"}}：可用 {{evaluator}}、{{item}}、{{date}}、{{number}}")
		}
		rest = rest[i+j+2:]
	}
}

func requireOffice(actor *access.User) error {
	if actor.Role != access.OfficeAdmin {
		return problem.Forbidden("forbidden_role", "只有政务服务管理机构可以维护回访话术")
	}
	return nil
}

// regionOfScope is the SQL of the region a user belongs to ($1 scope kind, $2 scope id).
const regionOfScope = `(SELECT CASE $1::text
	WHEN 'department' THEN (SELECT region_id FROM departments WHERE id = $2)
	WHEN 'hall' THEN (SELECT region_id FROM halls WHERE id = $2)
	ELSE $2::bigint END)`

// visibleScripts: the scripts of the user's region and the regions above it; for an office
// ($3), also those of the regions below it, which it may edit.
const visibleScripts = `(region_id IN (SELECT region_ancestors(` + regionOfScope + `))
	OR ($3::bool AND region_id IN (SELECT region_descendants(` + regionOfScope + `))))`

// scriptsOfOrder: the active scripts that apply to a work order of region $1 — its region's and
// those of the regions above — whoever handles it (a clerk may handle another unit's order).
const scriptsOfOrder = `(active AND region_id IN (SELECT region_ancestors($1)))`

// Scripts lists the scripts the actor may use: handlers see the active ones of their region
// and above; an office also sees the inactive ones, and those of the regions below it.
func (s *Service) Scripts(ctx context.Context, actor *access.User) ([]Script, error) {
	office := actor.Role == access.OfficeAdmin
	rows, err := s.DB.Pool.Query(ctx, `SELECT id, title, body, active, created_at, updated_at FROM callback_scripts
		WHERE `+visibleScripts+` AND (active OR $3) ORDER BY id`, actor.Scope.Kind, actor.Scope.ID, office)
	if err != nil {
		return nil, fmt.Errorf("list scripts: %w", err)
	}
	defer rows.Close()
	out := []Script{}
	for rows.Next() {
		var sc Script
		if err := rows.Scan(&sc.ID, &sc.Title, &sc.Body, &sc.Active, &sc.CreatedAt, &sc.UpdatedAt); err != nil {
			return nil, fmt.Errorf("list scripts: %w", err)
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// SaveScript creates a script (id 0) or changes one.
func (s *Service) SaveScript(ctx context.Context, actor *access.User, id int64, in ScriptInput) (*Script, error) {
	if err := requireOffice(actor); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	db := s.DB.Gorm.WithContext(ctx)
	var region int64
	if err := db.Raw(`SELECT `+regionOfScope, actor.Scope.Kind, actor.Scope.ID).Scan(&region).Error; err != nil {
		return nil, fmt.Errorf("save script: %w", err)
	}
	rec := scriptRecord{ID: id}
	if id == 0 {
		rec = scriptRecord{Title: in.Title, Body: in.Body, Active: in.Active == nil || *in.Active, RegionID: region,
			CreatedAt: s.now(), UpdatedAt: s.now()}
		if err := db.Create(&rec).Error; err != nil {
			return nil, fmt.Errorf("save script: %w", err)
		}
		return rec.script(), nil
	}
	// An office edits the scripts of its region and those below it; active stays as it is
	// unless given.
	set := map[string]any{"title": in.Title, "body": in.Body, "updated_at": s.now()}
	if in.Active != nil {
		set["active"] = *in.Active
	}
	res := db.Model(&rec).Where("region_id IN (SELECT region_descendants(?))", region).Updates(set)
	if res.Error != nil {
		return nil, fmt.Errorf("save script: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, problem.NotFound("script_not_found", "回访话术不存在")
	}
	if err := db.First(&rec, id).Error; err != nil {
		return nil, fmt.Errorf("save script: %w", err)
	}
	return rec.script(), nil
}

// scriptRecord is a row of callback_scripts: a record, written through its gorm model.
type scriptRecord struct {
	ID        int64 `gorm:"primaryKey"`
	Title     string
	Body      string
	Active    bool
	RegionID  int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (scriptRecord) TableName() string { return "callback_scripts" }

func (r *scriptRecord) script() *Script {
	return &Script{ID: r.ID, Title: r.Title, Body: r.Body, Active: r.Active, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// RenderScript fills a script in for a work order the actor may see: the evaluator masked,
// the item, the date of the rating and the work order's number.
func (s *Service) RenderScript(ctx context.Context, actor *access.User, workOrderID, scriptID int64) (string, error) {
	d, err := s.Detail(ctx, actor, workOrderID)
	if err != nil {
		return "", err
	}
	var body string
	err = s.DB.Pool.QueryRow(ctx, `SELECT body FROM callback_scripts WHERE id = $2 AND `+scriptsOfOrder,
		d.RegionID, scriptID).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", problem.NotFound("script_not_found", "回访话术不存在或已停用")
	}
	if err != nil {
		return "", fmt.Errorf("load script: %w", err)
	}
	evaluator := d.Evaluation.Evaluator
	if evaluator == "" {
		evaluator = "群众"
	}
	item := d.Evaluation.Item
	if item == "" {
		item = "政务服务"
	}
	r := strings.NewReplacer(
		"{{evaluator}}", evaluator, "{{ evaluator }}", evaluator,
		"{{item}}", item, "{{ item }}", item,
		"{{date}}", d.Evaluation.RatedAt.In(bjtime.Location).Format("1月2日"), "{{ date }}", d.Evaluation.RatedAt.In(bjtime.Location).Format("1月2日"),
		"{{number}}", d.Number, "{{ number }}", d.Number,
	)
	return r.Replace(body), nil
}
