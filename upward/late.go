package upward

import "strconv"

// 及时上报率 counts an evaluation as reported on time when the platform acknowledged its record
// by the end of the 5th working day after the service, Beijing time, on the 调休 calendar — for
// a default evaluation, after it was recorded (evaluation.MarkAcknowledged, which marks it).
// The office's view of the report (deadletters.go) shows which records are late, or will be:
// it reckons the same deadline in SQL, from calendar_days (package calendar writes it from the
// same calendar), so that a filtered, paged list and its counts need not read every record.

// TimelyWorkdays is the 及时上报 limit in working days (evaluation.timelyWorkdays).
const TimelyWorkdays = 5

// deadlineJoins join what the deadline of an upward record u of an evaluation e is reckoned
// from: the Beijing day it counts from (c0) and the 5th working day after it (c5, the working
// day whose running count is c0's plus TimelyWorkdays). Only the evaluation's own record
// (assess_number 1) counts in 及时上报率, so only it has a deadline.
var deadlineJoins = `
LEFT JOIN calendar_days c0 ON u.assess_number = 1
     AND c0.day = ((CASE WHEN e.active THEN e.served_at ELSE e.created_at END) AT TIME ZONE 'Asia/Shanghai')::date
LEFT JOIN calendar_days c5 ON c5.workday AND c5.seq = c0.seq + ` + strconv.Itoa(TimelyWorkdays)

// dueEnd is the instant just after the deadline — the Beijing midnight that ends c5's day —
// or NULL without one. calendar.DeadlineAfter's deadline is the nanosecond before it.
const dueEnd = `(((c5.day + 1)::timestamp) AT TIME ZONE 'Asia/Shanghai')`

// lateSQL is whether the record is late at now (nowArg, the query's placeholder of it):
// acknowledged first after its deadline, or not yet acknowledged and the deadline passed.
func lateSQL(nowArg string) string {
	return `(` + dueEnd + ` IS NOT NULL AND COALESCE(u.first_acknowledged_at, ` + nowArg + `::timestamptz) >= ` + dueEnd + `)`
}
