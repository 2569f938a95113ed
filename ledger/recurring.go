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

// RecurringProblem is a problem the bad reviews keep naming: one reason, one item, one unit,
// at least a threshold of times in a period (企业群众反映强烈的问题).
type RecurringProblem struct {
	ID         int64      `json:"id"`
	PeriodFrom string     `json:"period_from"`
	PeriodTo   string     `json:"period_to"`
	Reason     string     `json:"reason"` // the reason's code
	ReasonName string     `json:"reason_name"`
	ItemCode   string     `json:"item_code,omitempty"`
	ItemName   string     `json:"item_name,omitempty"`
	Department string     `json:"department"` // code
	DeptName   string     `json:"department_name"`
	BadReviews int        `json:"bad_reviews"`
	Status     string     `json:"status"` // proposed, accepted, dismissed
	EntryID    *int64     `json:"entry_id,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	DecidedAt  *time.Time `json:"decided_at,omitempty"`
}

// DefaultRecurringThreshold is how many bad reviews naming the same reason for the same item
// and unit in a period make a recurring problem (settings key recurring_problem_threshold).
const DefaultRecurringThreshold = 5

// ProposeRecurring finds the recurring problems of a period (Beijing days, both included) of
// the units in scope (nil: the whole city — the daily job) and proposes those not already
// proposed, accepted or dismissed for a period that overlaps this one: the job looks at the
// last 30 days every day, and one problem must not come back every day. Upheld appeals do
// not count. It returns how many it proposed.
func (s *Service) ProposeRecurring(ctx context.Context, scope *access.Scope, from, to time.Time) (int64, error) {
	inScope, arg := "true", any(nil)
	if scope != nil {
		inScope, arg = scope.SQL("u", 5)
		inScope = `EXISTS (SELECT 1 FROM ` + unitsInScope + ` u WHERE u.department_id = g.department_id AND ` + inScope + `)`
	}
	tag, err := s.DB.Pool.Exec(ctx, `
		WITH bad AS (
		    SELECT e.id, unnest(e.reasons) AS reason, e.item_id, COALESCE(w.department_id, e.department_id) AS department_id,
		           e.region_id
		    FROM evaluations e LEFT JOIN work_orders w ON w.evaluation_id = e.id
		    WHERE e.bad AND e.active AND w.appeal_outcome IS DISTINCT FROM 'upheld'
		      AND e.rated_at >= $1::date::timestamp AT TIME ZONE 'Asia/Shanghai'
		      AND e.rated_at < ($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'
		)
		, g AS (
		    SELECT reason, item_id, department_id, count(*) AS n, array_agg(id ORDER BY id) AS ids
		    FROM bad
		    GROUP BY reason, item_id, department_id
		    HAVING count(*) >= COALESCE(NULLIF(region_setting(min(region_id), 'recurring_problem_threshold'), '')::int, $3)
		)
		INSERT INTO recurring_problems (period_from, period_to, reason, item_id, department_id, bad_reviews, evaluation_ids, created_at)
		SELECT $1::date, $2::date, g.reason, g.item_id, g.department_id, g.n, g.ids, $4::timestamptz
		FROM g
		WHERE `+inScope+`
		  AND NOT EXISTS (SELECT 1 FROM recurring_problems p
		                  WHERE p.reason = g.reason AND p.item_id IS NOT DISTINCT FROM g.item_id
		                    AND p.department_id = g.department_id
		                    AND p.period_from <= $2::date AND p.period_to >= $1::date)
		ON CONFLICT DO NOTHING`, append([]any{from, to, DefaultRecurringThreshold, s.now()}, scopeArgs(scope, arg)...)...)
	if err != nil {
		return 0, fmt.Errorf("propose recurring problems: %w", err)
	}
	return tag.RowsAffected(), nil
}

func scopeArgs(scope *access.Scope, arg any) []any {
	if scope == nil {
		return nil
	}
	return []any{arg}
}

// recurringColumns name the reason as the reviews' reason set does: one code may read 服务效率
// at a window and 办事效率 online.
const recurringColumns = `p.id, to_char(p.period_from, 'YYYY-MM-DD'), to_char(p.period_to, 'YYYY-MM-DD'), p.reason,
	COALESCE((SELECT r.name FROM evaluations e JOIN reasons r ON r.version = e.reason_set_version AND r.code = p.reason
	          AND r.kind = e.reason_kind
	          WHERE e.id = p.evaluation_ids[1]), p.reason),
	COALESCE(i.code, ''), COALESCE(i.name, ''), d.code, d.name, p.bad_reviews, p.status, p.entry_id, p.created_at, p.decided_at`

func scanRecurring(row pgx.Row) (*RecurringProblem, error) {
	var p RecurringProblem
	err := row.Scan(&p.ID, &p.PeriodFrom, &p.PeriodTo, &p.Reason, &p.ReasonName, &p.ItemCode, &p.ItemName, &p.Department,
		&p.DeptName, &p.BadReviews, &p.Status, &p.EntryID, &p.CreatedAt, &p.DecidedAt)
	return &p, err
}

// RecurringProblems lists the recurring problems of the units in the actor's scope; status
// empty: all.
func (s *Service) RecurringProblems(ctx context.Context, actor *access.User, status string) ([]*RecurringProblem, error) {
	pred, arg := unitVisible(actor, "p.department_id", 1)
	rows, err := s.DB.Pool.Query(ctx, `SELECT `+recurringColumns+` FROM recurring_problems p
		JOIN departments d ON d.id = p.department_id LEFT JOIN service_items i ON i.id = p.item_id
		WHERE `+pred+` AND ($2 = '' OR p.status = $2) ORDER BY p.id DESC`, arg, status)
	if err != nil {
		return nil, fmt.Errorf("recurring problems: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*RecurringProblem, error) { return scanRecurring(r) })
}

// AcceptInput accepts a recurring problem into the rectification ledger.
type AcceptInput struct {
	DepartmentCode string `json:"department_code"` // the unit answerable (default: the one the reviews name)
	Due            string `json:"due"`             // YYYY-MM-DD
	Note           string `json:"note"`
}

// AcceptRecurring makes a recurring problem an entry of the rectification ledger, with a
// responsible unit and a deadline. Office only.
func (s *Service) AcceptRecurring(ctx context.Context, actor *access.User, id int64, in AcceptInput) (*Entry, error) {
	if actor.Role != access.OfficeAdmin {
		return nil, problem.Forbidden("forbidden_role", "只有政务服务管理机构可以将问题列入整改台账")
	}
	if utf8.RuneCountInString(in.Note) > 2000 {
		return nil, problem.Invalid("note_too_long", "note", "备注不得超过 2000 字")
	}
	due, err := time.Parse("2006-01-02", strings.TrimSpace(in.Due))
	if err != nil {
		return nil, problem.Invalid("invalid_due", "due", "整改期限须为 YYYY-MM-DD")
	}
	if due.Before(s.today()) {
		return nil, problem.Invalid("invalid_due", "due", "整改期限不能早于今天")
	}
	var entryID int64
	err = pgx.BeginFunc(ctx, s.DB.Pool, func(tx pgx.Tx) error {
		pred, arg := unitVisible(actor, "p.department_id", 2)
		p, err := scanRecurring(tx.QueryRow(ctx, `SELECT `+recurringColumns+` FROM recurring_problems p
			JOIN departments d ON d.id = p.department_id LEFT JOIN service_items i ON i.id = p.item_id
			WHERE p.id = $1 AND `+pred+` FOR UPDATE OF p`, id, arg))
		if errors.Is(err, pgx.ErrNoRows) {
			return problem.NotFound("recurring_problem_not_found", "问题不存在或不在您的权限范围内")
		}
		if err != nil {
			return err
		}
		if p.Status != "proposed" {
			return problem.Conflict("already_decided", "该问题已处理")
		}
		code := in.DepartmentCode
		if code == "" {
			code = p.Department
		}
		var dept int64
		var deptName string
		err = tx.QueryRow(ctx, `SELECT id, name FROM departments WHERE code = $1`, code).Scan(&dept, &deptName)
		if errors.Is(err, pgx.ErrNoRows) {
			return problem.Invalid("department_not_found", "department_code", "单位编码不存在："+code)
		}
		if err != nil {
			return err
		}
		upred, uarg := unitVisible(actor, "$1", 2)
		var visible bool
		if err := tx.QueryRow(ctx, `SELECT `+upred, dept, uarg).Scan(&visible); err != nil {
			return err
		}
		if !visible {
			return problem.Invalid("department_out_of_scope", "department_code", "不能将问题交给管辖范围之外的单位")
		}
		// Entry numbers are max + 1: one acceptance at a time.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.DB.LockKey("ledger_rectification_no")); err != nil {
			return err
		}
		what := p.ItemName
		if what == "" {
			what = "窗口服务"
		}
		title := fmt.Sprintf("%s：“%s”差评集中（%s 至 %s 共 %d 条）", what, p.ReasonName, p.PeriodFrom, p.PeriodTo, p.BadReviews)
		if err := tx.QueryRow(ctx, `
			INSERT INTO ledger_entries (kind, no, title, requirement, unit_names, remarks, due)
			VALUES ('rectification', (SELECT COALESCE(max(no), 0) + 1 FROM ledger_entries WHERE kind = 'rectification'),
			        $1, $2, ARRAY[$3], $4, $5)
			RETURNING id`, title, "针对差评反映的问题查找原因、制定措施、限期整改，并反馈评价人。", deptName,
			strings.TrimSpace(in.Note), due).Scan(&entryID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ledger_deadlines (entry_id, seq, text, due, ongoing) VALUES ($1, 1, $2, $3, false)`,
			entryID, due.Format("2006年1月2日")+"前完成", due); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ledger_assignments (entry_id, department_id, lead) VALUES ($1, $2, true)`, entryID, dept); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE recurring_problems SET status = 'accepted', entry_id = $2, decided_at = $4, decided_by = $3
			WHERE id = $1`, id, entryID, actor.ID, s.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Entry(ctx, actor, entryID)
}

// DismissRecurring sets a proposed problem aside. Office only.
func (s *Service) DismissRecurring(ctx context.Context, actor *access.User, id int64) error {
	if actor.Role != access.OfficeAdmin {
		return problem.Forbidden("forbidden_role", "只有政务服务管理机构可以处理问题")
	}
	pred, arg := unitVisible(actor, "p.department_id", 2)
	var status string
	err := s.DB.Pool.QueryRow(ctx, `
		WITH found AS (SELECT p.id, p.status FROM recurring_problems p WHERE p.id = $1 AND `+pred+` FOR UPDATE),
		     done AS (UPDATE recurring_problems p SET status = 'dismissed', decided_at = $4, decided_by = $3
		              FROM found WHERE p.id = found.id AND found.status = 'proposed')
		SELECT status FROM found`, id, arg, actor.ID, s.now()).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return problem.NotFound("recurring_problem_not_found", "问题不存在或不在您的权限范围内")
	}
	if err != nil {
		return fmt.Errorf("dismiss: %w", err)
	}
	if status != "proposed" {
		return problem.Conflict("already_decided", "该问题已处理")
	}
	return nil
}
