package ledger

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

// Kind is which ledger an entry belongs to.
type Kind string

// The kinds of ledger entry.
const (
	Work          Kind = "work"          // Annex 1: 工作台账
	Problems      Kind = "problem"       // Annex 2: 问题整改台账
	Rectification Kind = "rectification" // recurring problems accepted into the 差评整改台账
)

// Entry is a row of a ledger.
type Entry struct {
	ID          int64      `json:"id"`
	Kind        Kind       `json:"kind"`
	No          int        `json:"no"`
	Focus       string     `json:"focus,omitempty"`      // 重点工作
	Level1      string     `json:"level1,omitempty"`     // 一级指标
	Level2      string     `json:"level2,omitempty"`     // 二级指标
	Level3      string     `json:"level3,omitempty"`     // 三级指标
	Assessment  string     `json:"assessment,omitempty"` // 评估要点
	Title       string     `json:"title"`                // 任务目标 / 存在问题
	Requirement string     `json:"requirement,omitempty"`
	UnitNames   []string   `json:"unit_names"` // 责任单位 as the plan writes them
	LeadNames   []string   `json:"lead_names"` // 牵头部门
	Remarks     string     `json:"remarks"`
	Due         *string    `json:"due"` // YYYY-MM-DD, the last deadline
	Ongoing     bool       `json:"ongoing"`
	Status      Status     `json:"status"`
	StatusName  string     `json:"status_name"`
	Deadlines   []Deadline `json:"deadlines"`
	Units       []Unit     `json:"units,omitempty"` // with their latest reports, in a detail
}

// Unit is a unit answerable for an entry, with its latest report.
type Unit struct {
	DepartmentID int64   `json:"department_id"`
	Code         string  `json:"code"`
	Name         string  `json:"name"`
	Lead         bool    `json:"lead"`
	Latest       *Report `json:"latest_report,omitempty"`
}

// Filter selects ledger entries.
type Filter struct {
	Kind       Kind
	Status     Status
	Department int64     // entries this unit answers for; 0: all in scope
	DueFrom    time.Time // entries due on or after (Beijing day); zero: any
	DueTo      time.Time // entries due on or before; zero: any
}

const entryColumns = `e.id, e.kind, e.no, e.focus, e.level1, e.level2, e.level3, e.assessment, e.title, e.requirement,
	e.unit_names, e.lead_names, e.remarks, to_char(e.due, 'YYYY-MM-DD'), e.ongoing, e.status`

func scanEntry(row pgx.Row) (*Entry, error) {
	var e Entry
	if err := row.Scan(&e.ID, &e.Kind, &e.No, &e.Focus, &e.Level1, &e.Level2, &e.Level3, &e.Assessment, &e.Title,
		&e.Requirement, &e.UnitNames, &e.LeadNames, &e.Remarks, &e.Due, &e.Ongoing, &e.Status); err != nil {
		return nil, err
	}
	e.StatusName = e.Status.Name()
	e.Deadlines = []Deadline{}
	return &e, nil
}

// Entries lists the entries the actor may see (a unit: those it answers for; an office: those
// of the units in its scope), in ledger order, with their deadlines.
func (s *Service) Entries(ctx context.Context, actor *access.User, f Filter) ([]*Entry, error) {
	pred, arg := visibleEntry(actor, 1)
	where := []string{pred}
	args := []any{arg}
	add := func(clause string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(clause, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Kind != "" {
		add("e.kind = ?", string(f.Kind))
	}
	if f.Status != "" {
		add("e.status = ?", string(f.Status))
	}
	if f.Department != 0 {
		add("EXISTS (SELECT 1 FROM ledger_assignments x WHERE x.entry_id = e.id AND x.department_id = ?)", f.Department)
	}
	if !f.DueFrom.IsZero() {
		add("e.due >= ?::date", f.DueFrom)
	}
	if !f.DueTo.IsZero() {
		add("e.due <= ?::date", f.DueTo)
	}
	rows, err := s.DB.Pool.Query(ctx, `SELECT `+entryColumns+` FROM ledger_entries e WHERE `+strings.Join(where, " AND ")+`
		ORDER BY CASE e.kind WHEN 'work' THEN 1 WHEN 'problem' THEN 2 ELSE 3 END, e.no`, args...)
	if err != nil {
		return nil, fmt.Errorf("ledger entries: %w", err)
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Entry, error) { return scanEntry(r) })
	if err != nil {
		return nil, fmt.Errorf("ledger entries: %w", err)
	}
	return entries, s.attachDeadlines(ctx, entries)
}

func (s *Service) attachDeadlines(ctx context.Context, entries []*Entry) error {
	if len(entries) == 0 {
		return nil
	}
	byID := make(map[int64]*Entry, len(entries))
	ids := make([]int64, len(entries))
	for i, e := range entries {
		byID[e.ID], ids[i] = e, e.ID
	}
	rows, err := s.DB.Pool.Query(ctx, `SELECT entry_id, text, due, ongoing FROM ledger_deadlines
		WHERE entry_id = ANY($1) ORDER BY entry_id, seq`, ids)
	if err != nil {
		return fmt.Errorf("ledger deadlines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var d Deadline
		if err := rows.Scan(&id, &d.Text, &d.Due, &d.Ongoing); err != nil {
			return fmt.Errorf("ledger deadlines: %w", err)
		}
		byID[id].Deadlines = append(byID[id].Deadlines, d)
	}
	return rows.Err()
}

var errEntryNotFound = problem.NotFound("ledger_entry_not_found", "台账条目不存在或不在您的权限范围内")

// Entry returns one entry the actor may see, with its units (those in the actor's scope) and
// their latest reports.
func (s *Service) Entry(ctx context.Context, actor *access.User, id int64) (*Entry, error) {
	pred, arg := visibleEntry(actor, 2)
	e, err := scanEntry(s.DB.Pool.QueryRow(ctx, `SELECT `+entryColumns+` FROM ledger_entries e WHERE e.id = $1 AND `+pred, id, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errEntryNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("ledger entry %d: %w", id, err)
	}
	if err := s.attachDeadlines(ctx, []*Entry{e}); err != nil {
		return nil, err
	}
	upred, uarg := unitVisible(actor, "a.department_id", 2)
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT a.department_id, d.code, d.name, a.lead, `+reportColumns+`
		FROM ledger_assignments a JOIN departments d ON d.id = a.department_id
		LEFT JOIN LATERAL (SELECT * FROM ledger_reports r WHERE r.entry_id = a.entry_id AND r.department_id = a.department_id
		                   ORDER BY r.id DESC LIMIT 1) r ON true
		LEFT JOIN ledger_rounds rd ON rd.id = r.round_id
		WHERE a.entry_id = $1 AND `+upred+`
		ORDER BY a.lead DESC, d.code`, id, uarg)
	if err != nil {
		return nil, fmt.Errorf("ledger entry units: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u Unit
		rep, err := scanReport(rows, &u.DepartmentID, &u.Code, &u.Name, &u.Lead)
		if err != nil {
			return nil, fmt.Errorf("ledger entry units: %w", err)
		}
		u.Latest = rep
		e.Units = append(e.Units, u)
	}
	return e, rows.Err()
}
