package upward

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/database"
	"haochaping/internal/problem"
)

// The office's view of the report (the 省平台上报 page, upward/upwardapi): the records that need
// it — refused by the platform, late for 及时上报率, still waiting to go — and sending the
// refused ones again once their cause is fixed. Everything is held to a login's scope by the
// evaluation each record reports (access.Scope.SQL, inside the SQL), and carries nothing of
// the evaluator or the applicant: not their names, phones or ID numbers, not even masked.

// The lists of the office's view.
const (
	ListRefused = "refused" // the platform (or our own check) refused it: the office's to resend
	ListLate    = "late"    // acknowledged after its deadline, or not yet and the deadline passed
	ListPending = "pending" // waiting to be sent, or sent again after a failure
)

// Lists are the lists, in the order the page offers them.
var Lists = []string{ListRefused, ListLate, ListPending}

// Listed is one record as the office sees it.
type Listed struct {
	ID           int64  `json:"id"`
	ProjectNo    string `json:"project_no"`
	AssessNumber int16  `json:"assess_number"`
	State        string `json:"state"`
	// Refusal is the platform's reason (refused); LastError why the last attempt failed.
	Refusal   string `json:"refusal"`
	LastError string `json:"last_error"`
	// Reason is the refusal, or for a record not refused the last failure, in plain Chinese.
	Reason        string     `json:"reason"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at"` // when a pending record is due; nil otherwise
	Channel       string     `json:"channel"`         // the evaluation's channel: pc, window, mobile, kiosk
	Department    string     `json:"department"`
	Region        string     `json:"region"`
	ServedAt      time.Time  `json:"served_at"`
	RatedAt       time.Time  `json:"rated_at"`
	// Default: a default evaluation (默认评价), whose deadline counts from when it was recorded.
	Default bool `json:"default"`
	// Deadline is the end of the 5th working day (Beijing time) after the service, by which
	// 及时上报率 wants the record acknowledged; nil for a record 及时上报率 does not count (other
	// than the evaluation's own, assess_number 1) or a day outside calendar_days.
	Deadline            *time.Time `json:"deadline"`
	FirstAcknowledgedAt *time.Time `json:"first_acknowledged_at"`
	Late                bool       `json:"late"`
}

// Listing is one page of a list.
type Listing struct {
	State   string   `json:"state"`
	Items   []Listed `json:"items"`
	Total   int      `json:"total"`
	Page    int      `json:"page"`
	PerPage int      `json:"per_page"`
}

// Summary is the state of the report within a scope.
type Summary struct {
	Pending      int64      `json:"pending"`
	Failing      int64      `json:"failing"` // pending after at least one failed attempt
	Acknowledged int64      `json:"acknowledged"`
	Refused      int64      `json:"refused"`
	Late         int64      `json:"late"`
	Oldest       *time.Time `json:"oldest_pending"` // when the oldest pending record was made
}

// The refusals of the office's view (the HTTP status goes with them).
var (
	errNoSuchRecord = problem.NotFound("upward_record_not_found", "没有这条上报记录，或不在您的权限范围内")
	errNotRefused   = problem.Conflict("not_refused", "这条记录没有被省平台退回，无需重新上报")
	errNoSuchList   = problem.Invalid("invalid_state", "state", "state 须为 refused（被退回）、late（逾期）或 pending（待上报）")
)

// listedSQL reads the records of the office's view: $1 is now, $2 the scope's argument.
func listedSQL(scopePred string) string {
	return `
SELECT u.id, u.project_no, u.assess_number, u.state, u.refusal, u.last_error, u.attempts,
       CASE WHEN u.state = 'pending' THEN u.next_attempt_at END, e.channel, d.name, g.name,
       e.served_at, e.rated_at, NOT e.active, ` + dueEnd + `, u.first_acknowledged_at, ` + lateSQL("$1") + `
FROM upward_records u
JOIN evaluations e ON e.id = u.evaluation_id
JOIN departments d ON d.id = e.department_id
JOIN regions g ON g.id = e.region_id` + deadlineJoins + `
WHERE ` + scopePred
}

// listFilter is the condition and the order of a list.
func listFilter(state string) (where, order string, err error) {
	switch state {
	case ListRefused:
		// next_attempt_at is when it was last due, so when it was last sent and refused.
		return `u.state = 'refused'`, `u.next_attempt_at DESC, u.id DESC`, nil
	case ListLate:
		return lateSQL("$1"), dueEnd + ` DESC, u.id DESC`, nil
	case ListPending:
		return `u.state = 'pending'`, `u.attempts > 0 DESC, u.created_at DESC, u.id DESC`, nil
	}
	return "", "", errNoSuchList
}

// List is a page (from 1) of the records of a list within scope, newest problem first: the
// refused by when they were refused, the late by their deadline, the pending failing ones
// first, then by when they were made. now decides what is late.
func List(ctx context.Context, db *database.DB, scope access.Scope, state string, page, perPage int, now time.Time) (*Listing, error) {
	where, order, err := listFilter(state)
	if err != nil {
		return nil, err
	}
	page, perPage = max(1, page), min(max(1, perPage), 500)
	pred, arg := scope.SQL("e", 2)
	l := &Listing{State: state, Items: []Listed{}, Page: page, PerPage: perPage}
	// $1 (now) is typed even where the list's condition does not use it (refused, pending).
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM upward_records u JOIN evaluations e ON e.id = u.evaluation_id`+
		deadlineJoins+` WHERE `+pred+` AND `+where+` AND $1::timestamptz IS NOT NULL`, now, arg).Scan(&l.Total); err != nil {
		return nil, fmt.Errorf("upward: count the %s: %w", state, err)
	}
	rows, err := db.Pool.Query(ctx, listedSQL(pred)+` AND `+where+` ORDER BY `+order+` LIMIT $3 OFFSET $4`,
		now, arg, perPage, (page-1)*perPage)
	if err != nil {
		return nil, fmt.Errorf("upward: list the %s: %w", state, err)
	}
	if l.Items, err = collectListed(rows); err != nil {
		return nil, fmt.Errorf("upward: list the %s: %w", state, err)
	}
	return l, nil
}

// Get is one record within scope (404 upward_record_not_found outside it).
func Get(ctx context.Context, db *database.DB, scope access.Scope, id int64, now time.Time) (*Listed, error) {
	pred, arg := scope.SQL("e", 2)
	rows, err := db.Pool.Query(ctx, listedSQL(pred)+` AND u.id = $3`, now, arg, id)
	if err != nil {
		return nil, fmt.Errorf("upward: read record %d: %w", id, err)
	}
	items, err := collectListed(rows)
	if err != nil {
		return nil, fmt.Errorf("upward: read record %d: %w", id, err)
	}
	if len(items) == 0 {
		return nil, errNoSuchRecord
	}
	return &items[0], nil
}

func collectListed(rows pgx.Rows) ([]Listed, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Listed, error) {
		var r Listed
		var due *time.Time
		err := row.Scan(&r.ID, &r.ProjectNo, &r.AssessNumber, &r.State, &r.Refusal, &r.LastError, &r.Attempts,
			&r.NextAttemptAt, &r.Channel, &r.Department, &r.Region, &r.ServedAt, &r.RatedAt, &r.Default, &due,
			&r.FirstAcknowledgedAt, &r.Late)
		if due != nil {
			d := due.Add(-time.Nanosecond) // calendar.DeadlineAfter's: the last instant of the day
			r.Deadline = &d
		}
		r.Refusal = Scrub(r.Refusal)
		r.LastError = Scrub(r.LastError)
		if r.State == "refused" {
			r.Reason = Explain(r.Refusal)
		} else if r.LastError != "" {
			r.Reason = Explain(r.LastError)
		}
		return r, err
	})
}

// Summarise counts the records within scope by state, the late ones at now, and finds when
// the oldest pending one was made.
func Summarise(ctx context.Context, db *database.DB, scope access.Scope, now time.Time) (*Summary, error) {
	pred, arg := scope.SQL("e", 2)
	var s Summary
	err := db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE u.state = 'pending'), count(*) FILTER (WHERE u.state = 'pending' AND u.attempts > 0),
			count(*) FILTER (WHERE u.state = 'acknowledged'), count(*) FILTER (WHERE u.state = 'refused'),
			count(*) FILTER (WHERE `+lateSQL("$1")+`), min(u.created_at) FILTER (WHERE u.state = 'pending')
		FROM upward_records u JOIN evaluations e ON e.id = u.evaluation_id`+deadlineJoins+`
		WHERE `+pred, now, arg).Scan(&s.Pending, &s.Failing, &s.Acknowledged, &s.Refused, &s.Late, &s.Oldest)
	if err != nil {
		return nil, fmt.Errorf("upward: summarise: %w", err)
	}
	return &s, nil
}

// ResendIn sends a refused record within scope again, as Resend does: 404
// upward_record_not_found outside the scope, 409 not_refused when it is not refused (never
// was, or someone sent it again first).
func ResendIn(ctx context.Context, db *database.DB, scope access.Scope, id int64, now time.Time) error {
	pred, arg := scope.SQL("e", 3)
	var state string
	err := db.Pool.QueryRow(ctx, `
		WITH resent AS (
		    UPDATE upward_records u SET state = 'pending', attempts = 0, next_attempt_at = $2
		    FROM evaluations e
		    WHERE u.id = $1 AND e.id = u.evaluation_id AND u.state = 'refused' AND `+pred+`
		    RETURNING u.id
		)
		SELECT CASE WHEN EXISTS (SELECT 1 FROM resent) THEN 'resent' ELSE u.state END
		FROM upward_records u JOIN evaluations e ON e.id = u.evaluation_id
		WHERE u.id = $1 AND `+pred, id, now, arg).Scan(&state)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return errNoSuchRecord
	case err != nil:
		return fmt.Errorf("upward: resend %d: %w", id, err)
	case state != "resent":
		return errNotRefused
	}
	return nil
}

// ResendAllIn sends every refused record within scope again, and says how many.
func ResendAllIn(ctx context.Context, db *database.DB, scope access.Scope, now time.Time) (int64, error) {
	pred, arg := scope.SQL("e", 2)
	return resendAll(ctx, db, now, pred, arg)
}

// resendAll sends again every refused record whose evaluation matches pred ($2 its argument).
func resendAll(ctx context.Context, db *database.DB, now time.Time, pred string, arg any) (int64, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE upward_records u SET state = 'pending', attempts = 0, next_attempt_at = $1
		FROM evaluations e WHERE e.id = u.evaluation_id AND u.state = 'refused' AND `+pred, now, arg)
	if err != nil {
		return 0, fmt.Errorf("upward: resend the refused: %w", err)
	}
	return tag.RowsAffected(), nil
}
