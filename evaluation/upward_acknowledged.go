package evaluation

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/calendar"
)

// MarkAcknowledged records in upward_reports, in tx (the upward sender's, which holds the
// records' locks), that the provincial platform acknowledged these evaluations at `at`: the
// count of 及时上报率, which the rollups take from here. On time means acknowledged by the end of
// the 5th working day after the service, Beijing time, on the 调休 calendar (a default: after
// it was recorded, as markReported says). An evaluation already marked keeps its first mark:
// a rectification sent again later does not make a late report timely, nor a timely one late.
func MarkAcknowledged(ctx context.Context, tx pgx.Tx, ids []int64, at time.Time, message string) error {
	ats := make([]time.Time, len(ids))
	for i := range ats {
		ats[i] = at
	}
	return MarkAcknowledgedEach(ctx, tx, ids, ats, message)
}

// MarkAcknowledgedEach is MarkAcknowledged with an acknowledgement time per evaluation (ats[i]
// for ids[i]): the demo history's report, written in one go (upward.SeedHistory).
func MarkAcknowledgedEach(ctx context.Context, tx pgx.Tx, ids []int64, ats []time.Time, message string) error {
	for from := 0; from < len(ids); from += acknowledgedChunk {
		to := min(from+acknowledgedChunk, len(ids))
		if err := markAcknowledgedChunk(ctx, tx, ids[from:to], ats[from:to], message); err != nil {
			return err
		}
	}
	return nil
}

// acknowledgedChunk is how many evaluations one statement names. The planner copies an array
// of ids into the plan of every monthly partition it probes: the demo history's 2 million ids
// in one array took its backend past 12 GB while planning, 10 million past the machine's memory.
// (TestLoad's 20,000 evaluations go in two chunks.)
const acknowledgedChunk = 10_000

func markAcknowledgedChunk(ctx context.Context, tx pgx.Tx, ids []int64, ats []time.Time, message string) error {
	when := make(map[int64]time.Time, len(ids))
	for i, id := range ids {
		when[id] = ats[i]
	}
	rows, err := tx.Query(ctx, `SELECT e.id, e.active, e.served_at, e.created_at FROM evaluations e
		WHERE e.id = ANY($1::bigint[]) AND NOT EXISTS (SELECT 1 FROM upward_reports u WHERE u.evaluation_id = e.id)`, ids)
	if err != nil {
		return fmt.Errorf("upward acknowledged: %w", err)
	}
	cal := calendar.Default()
	var marked []int64
	var timely []bool
	var at []time.Time
	for rows.Next() {
		var id int64
		var active bool
		var served, recorded time.Time
		if err := rows.Scan(&id, &active, &served, &recorded); err != nil {
			rows.Close()
			return fmt.Errorf("upward acknowledged: %w", err)
		}
		from := served
		if !active {
			from = recorded
		}
		marked, at = append(marked, id), append(at, when[id])
		timely = append(timely, !when[id].After(cal.DeadlineAfter(from, timelyWorkdays)))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("upward acknowledged: %w", err)
	}
	if _, err := tx.Exec(ctx, markEachReportedSQL, marked, message, at, timely); err != nil {
		return fmt.Errorf("upward acknowledged: %w", err)
	}
	return nil
}

// markEachReportedSQL is markReportedSQL with a time per evaluation.
const markEachReportedSQL = `
INSERT INTO upward_reports (evaluation_id, batch_id, reported_at, timely)
SELECT b.id, $2, b.at, b.timely FROM unnest($1::bigint[], $3::timestamptz[], $4::boolean[]) AS b(id, at, timely)
ON CONFLICT (evaluation_id) DO NOTHING`
