package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/problem"
)

// Report is what a unit reported on an entry in a round.
type Report struct {
	ID         int64     `json:"id"`
	RoundID    int64     `json:"round_id"`
	RoundTitle string    `json:"round_title"`
	EntryID    int64     `json:"entry_id"`
	Department string    `json:"department"` // code
	Progress   string    `json:"progress"`   // 进展情况 / 工作进展
	Measures   string    `json:"measures"`   // 具体措施
	Issues     string    `json:"issues"`     // 需协调问题
	Completed  bool      `json:"completed"`
	Source     string    `json:"source"` // api or excel
	ReportedAt time.Time `json:"reported_at"`
}

// reportColumns are read by scanReport from ledger_reports r joined with ledger_rounds rd
// (both may be NULL: no report yet).
const reportColumns = `r.id, r.round_id, rd.title, r.entry_id, (SELECT code FROM departments WHERE id = r.department_id),
	r.progress, r.measures, r.issues, r.completed, r.source, r.reported_at`

// scanReport scans the leading columns into lead, then a report, nil when there is none.
func scanReport(row pgx.Row, lead ...any) (*Report, error) {
	var id, roundID, entryID *int64
	var title, dept, progress, measures, issues, source *string
	var completed *bool
	var at *time.Time
	dest := append(lead, &id, &roundID, &title, &entryID, &dept, &progress, &measures, &issues, &completed, &source, &at)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	if id == nil {
		return nil, nil
	}
	return &Report{ID: *id, RoundID: *roundID, RoundTitle: *title, EntryID: *entryID, Department: *dept,
		Progress: *progress, Measures: *measures, Issues: *issues, Completed: *completed, Source: *source, ReportedAt: *at}, nil
}

// ReportInput is a unit's report on an entry.
type ReportInput struct {
	EntryID        int64  `json:"entry_id"`
	DepartmentCode string `json:"department_code"` // the unit reporting: required for an office reporting for a unit
	Progress       string `json:"progress"`
	Measures       string `json:"measures"`
	Issues         string `json:"issues"`
	Completed      bool   `json:"completed"`
}

// Report records a unit's report on an entry in the open round. A unit reports for itself (the
// department of its login); an office may report for a unit of its scope (a sheet sent by
// mail). The unit must be answerable for the entry. The entry's status follows the report at
// once (the job recomputes every entry as the days pass).
func (s *Service) Report(ctx context.Context, actor *access.User, in ReportInput, source string) (*Report, error) {
	if !MayReport(actor) {
		return nil, errMayNotReport
	}
	var rep *Report
	err := pgx.BeginFunc(ctx, s.DB.Pool, func(tx pgx.Tx) error {
		pred, arg := visibleEntry(actor, 2)
		var seen bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.id = $1 AND `+pred+`)`, in.EntryID, arg).Scan(&seen); err != nil {
			return err
		}
		if !seen {
			return errEntryNotFound
		}
		dept, err := s.reportingUnit(ctx, tx, actor, in.DepartmentCode)
		if err != nil {
			return err
		}
		var assigned bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ledger_assignments WHERE entry_id = $1 AND department_id = $2)`,
			in.EntryID, dept).Scan(&assigned); err != nil {
			return err
		}
		if !assigned {
			return problem.NotFound("not_assigned", "该单位不是此台账条目的责任单位")
		}
		// The text is read once the unit is known to answer for the entry.
		if err := checkReportText(&in); err != nil {
			return err
		}
		round, err := currentRound(ctx, tx)
		if err != nil {
			return err
		}
		var userID *int64
		if actor.ID != 0 {
			userID = &actor.ID
		}
		masked, sealed := s.sealReportText(in)
		rep, err = scanReport(tx.QueryRow(ctx, `
			WITH r AS (
				INSERT INTO ledger_reports (round_id, entry_id, department_id, progress, measures, issues, completed, source, reported_by, reported_at, text_enc)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *)
			SELECT `+reportColumns+` FROM r JOIN ledger_rounds rd ON rd.id = r.round_id`,
			round.ID, in.EntryID, dept, masked.Progress, masked.Measures, masked.Issues, in.Completed, source, userID, s.now(), sealed))
		if err != nil {
			return err
		}
		_, err = s.updateStatus(ctx, tx, &in.EntryID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// checkReportText trims the report's texts and refuses an empty or overlong one.
func checkReportText(in *ReportInput) error {
	in.Progress, in.Measures, in.Issues = strings.TrimSpace(in.Progress), strings.TrimSpace(in.Measures), strings.TrimSpace(in.Issues)
	if in.Progress == "" && in.Measures == "" && in.Issues == "" && !in.Completed {
		return problem.Invalid("report_empty", "progress", "请填写进展情况、具体措施或需协调问题")
	}
	for field, v := range map[string]string{"progress": in.Progress, "measures": in.Measures, "issues": in.Issues} {
		if utf8.RuneCountInString(v) > 4000 {
			return problem.Invalid("text_too_long", field, "内容不得超过 4000 字")
		}
	}
	return nil
}

// MayReport reports whether the user files ledger reports: the head of a unit (a department's
// scope) for that unit, or the office for the units of its scope. A hall's head answers for no
// unit's ledger: the hall is not a 责任单位.
func MayReport(u *access.User) bool {
	return u.Role == access.OfficeAdmin || u.Role == access.UnitHead && u.Scope.Kind == access.ScopeDepartment
}

var errMayNotReport = problem.Forbidden("forbidden_role", "台账进展由责任单位负责人填报（或由管理机构代报）")

// reportingUnit is the department a report is made for: a unit's head reports for its own
// unit only; the office for any unit of its scope.
func (s *Service) reportingUnit(ctx context.Context, tx pgx.Tx, actor *access.User, code string) (int64, error) {
	if actor.Role == access.UnitHead {
		if code != "" && code != actor.Scope.Code {
			return 0, problem.Forbidden("department_out_of_scope", "不能代其他单位填报")
		}
		return actor.Scope.ID, nil
	}
	if code == "" {
		if actor.Scope.Kind != access.ScopeDepartment {
			return 0, problem.Invalid("department_required", "department_code", "请指定填报单位")
		}
		return actor.Scope.ID, nil
	}
	var dept int64
	err := tx.QueryRow(ctx, `SELECT id FROM departments WHERE code = $1`, code).Scan(&dept)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, problem.Invalid("department_not_found", "department_code", "单位编码不存在："+code)
	}
	if err != nil {
		return 0, err
	}
	pred, arg := unitVisible(actor, "$1", 2)
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT `+pred, dept, arg).Scan(&ok); err != nil {
		return 0, err
	}
	if !ok {
		return 0, problem.Forbidden("department_out_of_scope", "不能代其他单位填报")
	}
	return dept, nil
}

// History returns every report on an entry, newest first, of the units in the actor's scope.
func (s *Service) History(ctx context.Context, actor *access.User, entryID int64) ([]Report, error) {
	if _, err := s.Entry(ctx, actor, entryID); err != nil {
		return nil, err
	}
	pred, arg := unitVisible(actor, "r.department_id", 2)
	rows, err := s.DB.Pool.Query(ctx, `SELECT `+reportColumns+` FROM ledger_reports r JOIN ledger_rounds rd ON rd.id = r.round_id
		WHERE r.entry_id = $1 AND `+pred+` ORDER BY r.id DESC`, entryID, arg)
	if err != nil {
		return nil, fmt.Errorf("ledger history: %w", err)
	}
	defer rows.Close()
	out := []Report{}
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("ledger history: %w", err)
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}
