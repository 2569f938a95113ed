package rectify

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/calendar"
	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
)

// The deadlines of the loop as arithmetic: functions of when the clock started (the bad
// review's arrival, a reassignment, a ruling), the region's settings and the working-day
// calendar — each the end of the N-th working day, Beijing time (calendar.DeadlineAfter). The
// actions here compute every deadline with them, and so does the demo history
// (seeds/demohistory).

// DeadlineDays are a region's working days for the steps: callback_working_days (1);
// rectify_working_days (5), the default rectification deadline and the longest a unit may set
// itself; rectify_max_working_days (15), the longest with an extension the office grants.
type DeadlineDays struct{ Callback, Rectify, Max int }

// deadlineDaysSQL reads a region's settings ($1: the region) for ParseDeadlineDays.
const deadlineDaysSQL = `SELECT COALESCE(region_setting($1, 'callback_working_days'), ''),
	COALESCE(region_setting($1, 'rectify_working_days'), ''), COALESCE(region_setting($1, 'rectify_max_working_days'), '')`

// ParseDeadlineDays reads the settings as region_setting gives them (text, "" when unset): a
// value that is not a whole number of at least 0 counts as the default.
func ParseDeadlineDays(callback, rectify, max string) DeadlineDays {
	return DeadlineDays{Callback: atoiOr(callback, 1), Rectify: atoiOr(rectify, 5), Max: atoiOr(max, 15)}
}

// RegionDeadlineDays are the working days a region gives each step, for pages that tell a
// citizen what happens next.
func (s *Service) RegionDeadlineDays(ctx context.Context, regionID int64) (DeadlineDays, error) {
	var cb, rect, maxDays string
	if err := s.DB.Pool.QueryRow(ctx, deadlineDaysSQL, regionID).Scan(&cb, &rect, &maxDays); err != nil {
		return DeadlineDays{}, fmt.Errorf("read the deadline settings of region %d: %w", regionID, err)
	}
	return ParseDeadlineDays(cb, rect, maxDays), nil
}

// regionDeadlineDays reads the settings of a region.
func regionDeadlineDays(ctx context.Context, tx pgx.Tx, regionID int64) (DeadlineDays, error) {
	var cb, rect, maxDays string
	if err := tx.QueryRow(ctx, deadlineDaysSQL, regionID).Scan(&cb, &rect, &maxDays); err != nil {
		return DeadlineDays{}, fmt.Errorf("read the deadline settings: %w", err)
	}
	return ParseDeadlineDays(cb, rect, maxDays), nil
}

// DispatchDeadlines are the deadlines of a new work order, counted from when the bad review
// arrived (not from when the queue delivered it, so that an outage never lengthens them).
func DispatchDeadlines(cal *calendar.Calendar, received time.Time, d DeadlineDays) Deadlines {
	return Deadlines{Callback: cal.DeadlineAfter(received, d.Callback), Rectify: cal.DeadlineAfter(received, d.Rectify),
		Max: cal.DeadlineAfter(received, d.Max)}
}

// ReassignDeadlines are an order's deadlines once the office reassigned it at `at`: the
// callback starts again from there; a rectification deadline — and a maximum — that would come
// before the new callback's moves to it.
func ReassignDeadlines(cal *calendar.Calendar, at time.Time, d DeadlineDays, cur Deadlines) Deadlines {
	due := cal.DeadlineAfter(at, d.Callback)
	cur.Callback = due
	if due.After(cur.Rectify) {
		cur.Rectify = due
		if due.After(cur.Max) {
			cur.Max = due
		}
	}
	return cur
}

// RejectedAppealDeadlines are an order's deadlines once the office rejected its appeal at `at`:
// the rectification starts again from the ruling, with the region's default working days; the
// maximum moves to it if it comes later.
func RejectedAppealDeadlines(cal *calendar.Calendar, at time.Time, d DeadlineDays, cur Deadlines) Deadlines {
	due := cal.DeadlineAfter(at, d.Rectify)
	cur.Rectify = due
	if due.After(cur.Max) {
		cur.Max = due
	}
	return cur
}

// UnitDeadline is the rectification deadline a unit may set itself when it decides 限期整改:
// `days` working days after the bad review arrived, at most the region's rectify_working_days.
// Beyond it the unit must ask the office for an extension (deadline_needs_extension).
func UnitDeadline(cal *calendar.Calendar, received time.Time, days int, d DeadlineDays, maxDue time.Time) (time.Time, error) {
	limit := d.Rectify
	if days > limit {
		return time.Time{}, problem.Invalid("deadline_needs_extension", "working_days",
			fmt.Sprintf("单位自定的整改期限最长 %d 个工作日；更长的期限须申请延期，由政务服务管理机构批准", limit))
	}
	if days < 1 {
		return time.Time{}, problem.Invalid("invalid_working_days", "working_days", fmt.Sprintf("整改期限须为 1 至 %d 个工作日", limit))
	}
	return DeadlineWithin(cal, received, days, d, maxDue)
}

// DeadlineWithin is the deadline `days` working days after the bad review arrived — what an
// extension asks for — refused beyond the region's rectify_max_working_days, and never after
// the order's maximum (which a rejected appeal may have set from another clock).
func DeadlineWithin(cal *calendar.Calendar, received time.Time, days int, d DeadlineDays, maxDue time.Time) (time.Time, error) {
	limit := d.Max
	if days < 1 || days > limit {
		return time.Time{}, problem.Invalid("invalid_working_days", "working_days", fmt.Sprintf("整改期限须为 1 至 %d 个工作日", limit))
	}
	due := cal.DeadlineAfter(received, days)
	if due.After(maxDue) {
		due = maxDue
	}
	return due, nil
}

// ExtensionDeadline is the deadline an extension of `days` working days from the bad review
// asks for (DeadlineWithin), refused unless it falls on a later day than the current
// rectification deadline (extension_not_longer).
func ExtensionDeadline(cal *calendar.Calendar, received time.Time, days int, d DeadlineDays, cur Deadlines) (time.Time, error) {
	due, err := DeadlineWithin(cal, received, days, d, cur.Max)
	if err != nil {
		return time.Time{}, err
	}
	if !bjtime.Day(due).After(bjtime.Day(cur.Rectify)) {
		return time.Time{}, problem.Invalid("extension_not_longer", "working_days", "延期后的期限须晚于当前期限 "+FormatDue(cur.Rectify))
	}
	return due, nil
}

// StepOpen reports whether a step with a deadline is still owed in a state: the callback while
// the order waits for it (not while it is back with the office to reassign); rectification and
// feedback until fed back, or — for an anonymous review, which cannot be fed back — until
// rectified or explained. An appeal pauses the rectification clock, and so does a return to
// the office. Reminders and overdue marks are for open steps only.
func StepOpen(step string, state State, realName bool) bool {
	if step == StepCallback {
		return state == PendingCallback
	}
	switch state {
	case FedBack, Closed, AppealUpheld, Appealing, Returned:
		return false
	case Rectified, Explained:
		return realName
	}
	return true
}
