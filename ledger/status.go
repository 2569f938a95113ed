package ledger

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// Status is where a ledger entry stands.
type Status string

// The statuses of a ledger entry.
const (
	NotStarted Status = "not_started" // 未开始: nothing reported, the date not passed
	InProgress Status = "in_progress" // 推进中: reported, not done, the date not passed
	Completed  Status = "completed"   // 已完成: every unit answerable reports its part done
	Overdue    Status = "overdue"     // 逾期: the date passed, not done
	Ongoing    Status = "ongoing"     // 持续推进: the date passed, the plan says the work goes on, and it is reported on
)

var statusNames = map[Status]string{NotStarted: "未开始", InProgress: "推进中", Completed: "已完成", Overdue: "逾期", Ongoing: "持续推进"}

// Name is the status's Chinese name, as the ledgers print it.
func (s Status) Name() string { return statusNames[s] }

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := statusNames[s]; return ok }

// StatusFromName reads a status from its code or its Chinese name.
func StatusFromName(v string) (Status, bool) {
	for s, name := range statusNames {
		if v == string(s) || v == name {
			return s, true
		}
	}
	return "", false
}

// UpdateStatus recomputes the status of every ledger entry from its deadline and the units'
// latest reports, on today's Beijing date: completed when every unit answerable has reported
// its part done; past its date, ongoing (持续推进) when the plan says the work goes on and it is
// reported on, else overdue; before it, in progress once reported, else not started. It returns
// how many entries changed status.
func (s *Service) UpdateStatus(ctx context.Context) (int64, error) {
	return s.updateStatus(ctx, s.DB.Pool, nil)
}

// updateStatus is UpdateStatus over every entry, or over one (a report just made: its page
// shows the new status at once rather than at the job's next run).
func (s *Service) updateStatus(ctx context.Context, q interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, entry *int64) (int64, error) {
	tag, err := q.Exec(ctx, `
WITH latest AS (
    SELECT DISTINCT ON (r.entry_id, r.department_id) r.entry_id, r.department_id, r.completed
    FROM ledger_reports r WHERE ($3::bigint IS NULL OR r.entry_id = $3)
    ORDER BY r.entry_id, r.department_id, r.id DESC
), facts AS (
    SELECT e.id,
           bool_and(l.completed IS TRUE) AS completed,
           bool_or(l.entry_id IS NOT NULL) AS reported,
           e.due IS NOT NULL AND e.due < $1::date AS past_due,
           e.ongoing
    FROM ledger_entries e
    JOIN ledger_assignments a ON a.entry_id = e.id
    LEFT JOIN latest l ON l.entry_id = a.entry_id AND l.department_id = a.department_id
    WHERE ($3::bigint IS NULL OR e.id = $3)
    GROUP BY e.id
), computed AS (
    SELECT id, CASE
        WHEN completed THEN 'completed'
        WHEN past_due AND ongoing AND reported THEN 'ongoing'
        WHEN past_due THEN 'overdue'
        WHEN reported THEN 'in_progress'
        ELSE 'not_started' END AS status
    FROM facts
)
UPDATE ledger_entries e SET status = c.status, status_at = $2
FROM computed c WHERE c.id = e.id AND e.status <> c.status`, s.today(), s.now(), entry)
	if err != nil {
		return 0, fmt.Errorf("ledger status: %w", err)
	}
	return tag.RowsAffected(), nil
}
