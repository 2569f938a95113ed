package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/problem"
)

// Round is a reporting round (the plan's: 9/17, 9/24, 9/30).
type Round struct {
	ID       int64      `json:"id"`
	Title    string     `json:"title"`
	DueAt    time.Time  `json:"due_at"`
	OpenedAt time.Time  `json:"opened_at"`
	ClosedAt *time.Time `json:"closed_at,omitempty"`
}

const roundColumns = `id, title, due_at, opened_at, closed_at`

func scanRound(row pgx.Row) (*Round, error) {
	var r Round
	if err := row.Scan(&r.ID, &r.Title, &r.DueAt, &r.OpenedAt, &r.ClosedAt); err != nil {
		return nil, err
	}
	return &r, nil
}

var errNoRound = problem.Conflict("no_open_round", "当前没有开放的填报轮次，请等待政务服务管理机构发起")

func currentRound(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (*Round, error) {
	r, err := scanRound(q.QueryRow(ctx, `SELECT `+roundColumns+` FROM ledger_rounds WHERE closed_at IS NULL ORDER BY id DESC LIMIT 1`))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoRound
	}
	return r, err
}

// CurrentRound returns the open round.
func (s *Service) CurrentRound(ctx context.Context) (*Round, error) {
	return currentRound(ctx, s.DB.Pool)
}

// OpenRound opens a reporting round, closing the one still open: one round at a time.
func (s *Service) OpenRound(ctx context.Context, actor *access.User, title string, due time.Time) (*Round, error) {
	if err := s.requireCityOffice(ctx, actor); err != nil {
		return nil, err
	}
	title = strings.TrimSpace(title)
	if title == "" || len([]rune(title)) > 100 {
		return nil, problem.Invalid("invalid_title", "title", "轮次名称须为 1 至 100 字")
	}
	if !due.After(s.now()) {
		return nil, problem.Invalid("invalid_due", "due_at", "截止时间须晚于现在")
	}
	var r *Round
	err := pgx.BeginFunc(ctx, s.DB.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.DB.LockKey("ledger_round")); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE ledger_rounds SET closed_at = $1 WHERE closed_at IS NULL`, s.now()); err != nil {
			return err
		}
		var openedBy *int64 // none for the operator's command line
		if actor.ID != 0 {
			openedBy = &actor.ID
		}
		var err error
		r, err = scanRound(tx.QueryRow(ctx, `INSERT INTO ledger_rounds (title, due_at, opened_by, opened_at) VALUES ($1, $2, $3, $4)
			RETURNING `+roundColumns, title, due, openedBy, s.now()))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open round: %w", err)
	}
	return r, nil
}

// CloseRound closes a round.
func (s *Service) CloseRound(ctx context.Context, actor *access.User, id int64) (*Round, error) {
	if err := s.requireCityOffice(ctx, actor); err != nil {
		return nil, err
	}
	r, err := scanRound(s.DB.Pool.QueryRow(ctx, `UPDATE ledger_rounds SET closed_at = COALESCE(closed_at, $2) WHERE id = $1
		RETURNING `+roundColumns, id, s.now()))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.NotFound("round_not_found", "填报轮次不存在")
	}
	return r, err
}

// requireCityOffice: rounds are the city's (the plan's ledgers are the city's), so only the
// office whose scope is the whole city opens and closes them.
func (s *Service) requireCityOffice(ctx context.Context, actor *access.User) error {
	city, err := s.IsCityOffice(ctx, actor)
	if err != nil {
		return err
	}
	if !city {
		return problem.Forbidden("forbidden_role", "只有市政务服务管理机构可以发起或结束填报轮次")
	}
	return nil
}

// IsCityOffice reports whether the actor is an administrator of the office whose scope is the
// whole city: the one that opens and closes the rounds.
func (s *Service) IsCityOffice(ctx context.Context, actor *access.User) (bool, error) {
	if actor.Role != access.OfficeAdmin || actor.Scope.Kind != access.ScopeRegion {
		return false, nil
	}
	var top bool
	if err := s.DB.Pool.QueryRow(ctx, `SELECT parent_id IS NULL FROM regions WHERE id = $1`, actor.Scope.ID).Scan(&top); err != nil {
		return false, fmt.Errorf("office scope: %w", err)
	}
	return top, nil
}

// Rounds lists the rounds, newest first.
func (s *Service) Rounds(ctx context.Context) ([]*Round, error) {
	rows, err := s.DB.Pool.Query(ctx, `SELECT `+roundColumns+` FROM ledger_rounds ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("rounds: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Round, error) { return scanRound(r) })
}

// Missing is a unit that has not reported on some of its entries in a round.
type Missing struct {
	DepartmentID int64      `json:"department_id"`
	Code         string     `json:"code"`
	Name         string     `json:"name"`
	Entries      int        `json:"entries"`  // it answers for
	Reported     int        `json:"reported"` // it reported on in the round
	MissingNos   []EntryRef `json:"missing"`  // the entries not reported on
}

// EntryRef names an entry by its ledger and number.
type EntryRef struct {
	Kind Kind `json:"kind"`
	No   int  `json:"no"`
}

// MissingReporters lists, for a round (0: the open one), the units of the actor's scope that
// have not reported on every entry they answer for, with what is missing. Entries already
// completed need no more reports; units that reported on everything are not listed.
func (s *Service) MissingReporters(ctx context.Context, actor *access.User, roundID int64) (*Round, []Missing, error) {
	var r *Round
	var err error
	if roundID == 0 {
		r, err = s.CurrentRound(ctx)
	} else {
		r, err = scanRound(s.DB.Pool.QueryRow(ctx, `SELECT `+roundColumns+` FROM ledger_rounds WHERE id = $1`, roundID))
		if errors.Is(err, pgx.ErrNoRows) {
			err = problem.NotFound("round_not_found", "填报轮次不存在")
		}
	}
	if err != nil {
		return nil, nil, err
	}
	pred, arg := unitVisible(actor, "a.department_id", 2)
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT a.department_id, d.code, d.name, e.kind, e.no,
		       EXISTS (SELECT 1 FROM ledger_reports x WHERE x.round_id = $1 AND x.entry_id = a.entry_id AND x.department_id = a.department_id)
		FROM ledger_assignments a JOIN departments d ON d.id = a.department_id JOIN ledger_entries e ON e.id = a.entry_id
		WHERE `+pred+` AND e.status <> 'completed'
		ORDER BY d.code, CASE e.kind WHEN 'work' THEN 1 WHEN 'problem' THEN 2 ELSE 3 END, e.no`, r.ID, arg)
	if err != nil {
		return nil, nil, fmt.Errorf("missing reporters: %w", err)
	}
	defer rows.Close()
	var out []Missing
	for rows.Next() {
		var dept int64
		var code, name string
		var kind Kind
		var no int
		var reported bool
		if err := rows.Scan(&dept, &code, &name, &kind, &no, &reported); err != nil {
			return nil, nil, fmt.Errorf("missing reporters: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].DepartmentID != dept {
			out = append(out, Missing{DepartmentID: dept, Code: code, Name: name, MissingNos: []EntryRef{}})
		}
		m := &out[len(out)-1]
		m.Entries++
		if reported {
			m.Reported++
		} else {
			m.MissingNos = append(m.MissingNos, EntryRef{Kind: kind, No: no})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	kept := out[:0]
	for _, m := range out {
		if m.Reported < m.Entries {
			kept = append(kept, m)
		}
	}
	return r, kept, nil
}
