package measures

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// The monthly rollups (migration 00030) hold each month's sum of the daily rows. Whoever
// changes daily rows rewrites the months they fall in, in the same transaction; rewriting a
// month costs one pass over its daily rows, which is what a month's overview would cost anyway.

const refreshUnitsMonthsSQL = `
INSERT INTO rollup_units_monthly (day, region_id, department_id, hall_id, channel, total, active, real_name, good, bad,
    bad_real_name, score_sum, reported, reported_timely)
SELECT date_trunc('month', day)::date, region_id, department_id, hall_id, channel, sum(total), sum(active), sum(real_name),
       sum(good), sum(bad), sum(bad_real_name), sum(score_sum), sum(reported), sum(reported_timely)
FROM rollup_units
WHERE day >= (SELECT min(m) FROM unnest($1::date[]) m) AND day < (SELECT max(m) FROM unnest($1::date[]) m) + interval '1 month'
  AND date_trunc('month', day)::date = ANY($1::date[])
GROUP BY 1, 2, 3, 4, 5`

const refreshCasesMonthsSQL = `
INSERT INTO rollup_cases_monthly (day, region_id, department_id, hall_id, channel, completed, evaluated)
SELECT date_trunc('month', day)::date, region_id, department_id, hall_id, channel, sum(completed), sum(evaluated)
FROM rollup_cases
WHERE day >= (SELECT min(m) FROM unnest($1::date[]) m) AND day < (SELECT max(m) FROM unnest($1::date[]) m) + interval '1 month'
  AND date_trunc('month', day)::date = ANY($1::date[])
GROUP BY 1, 2, 3, 4, 5`

const refreshRectificationMonthsSQL = `
INSERT INTO rollup_rectification_monthly (day, region_id, department_id, hall_id, channel, bad, bad_real_name, upheld,
    called_back, rectified, recorded, real_name_done, on_time, duration_workdays_sum, upheld_score_sum, upheld_active)
SELECT date_trunc('month', day)::date, region_id, department_id, hall_id, channel, sum(bad), sum(bad_real_name), sum(upheld),
       sum(called_back), sum(rectified), sum(recorded), sum(real_name_done), sum(on_time), sum(duration_workdays_sum),
       sum(upheld_score_sum), sum(upheld_active)
FROM rollup_rectification
WHERE day >= (SELECT min(m) FROM unnest($1::date[]) m) AND day < (SELECT max(m) FROM unnest($1::date[]) m) + interval '1 month'
  AND date_trunc('month', day)::date = ANY($1::date[])
GROUP BY 1, 2, 3, 4, 5`

// refreshMonths rewrites the monthly rows of the months the given days fall in: it deletes
// them (del) and sums the daily rows again (sum, one of the statements above), in one round trip.
// A month left without daily rows ends empty.
func refreshMonths(ctx context.Context, tx pgx.Tx, del, sum string, days []time.Time) error {
	months := monthsOf(days)
	if len(months) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	b.Queue(del, months)
	b.Queue(sum, months)
	res := tx.SendBatch(ctx, b)
	for range 2 {
		if _, err := res.Exec(); err != nil {
			res.Close()
			return fmt.Errorf("monthly rollup: %w", err)
		}
	}
	if err := res.Close(); err != nil {
		return fmt.Errorf("monthly rollup: %w", err)
	}
	return nil
}

func refreshUnitsMonths(ctx context.Context, tx pgx.Tx, days []time.Time) error {
	return refreshMonths(ctx, tx, `DELETE FROM rollup_units_monthly WHERE day = ANY($1::date[])`, refreshUnitsMonthsSQL, days)
}

func refreshCasesMonths(ctx context.Context, tx pgx.Tx, days []time.Time) error {
	return refreshMonths(ctx, tx, `DELETE FROM rollup_cases_monthly WHERE day = ANY($1::date[])`, refreshCasesMonthsSQL, days)
}

func refreshRectificationMonths(ctx context.Context, tx pgx.Tx, days []time.Time) error {
	return refreshMonths(ctx, tx, `DELETE FROM rollup_rectification_monthly WHERE day = ANY($1::date[])`, refreshRectificationMonthsSQL, days)
}

// monthsOf is the first day of each month the days fall in, once each, in order.
func monthsOf(days []time.Time) []time.Time {
	var out []time.Time
	for _, d := range days {
		m := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
		if !slices.ContainsFunc(out, m.Equal) {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// wholeMonths is the run of whole calendar months inside [from, to] (both days included), as
// [first, end): the part of a period the monthly rollups answer. first == end when there is none.
func wholeMonths(from, to time.Time) (first, end time.Time) {
	first = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	if from.Day() != 1 {
		first = first.AddDate(0, 1, 0)
	}
	next := to.AddDate(0, 0, 1)
	end = time.Date(next.Year(), next.Month(), 1, 0, 0, 0, 0, time.UTC)
	if !end.After(first) {
		return first, first
	}
	return first, end
}

// monthsAndDays are the FROM sources of the three rollups for the query's period: its whole
// months from the monthly rollups, its other days from the daily ones. The filters of where()
// apply to both, as their columns are the same (migration 00030: LIKE the daily table). args
// are where()'s; the months' bounds are added to them.
func (q Query) monthsAndDays(args []any) (units, cases, rect string, _ []any) {
	first, end := wholeMonths(q.From, q.To)
	a, b := "$"+strconv.Itoa(len(args)+1), "$"+strconv.Itoa(len(args)+2)
	args = append(args, first, end)
	// The days before and after the months are two branches, not one with an OR: each is then
	// an index range bounded by the period, where "day < a OR day >= b" scanned the whole period
	// of daily rows and filtered them.
	source := func(monthly, daily string) string {
		return "(SELECT * FROM " + daily + " WHERE day < " + a +
			" UNION ALL SELECT * FROM " + monthly + " WHERE day >= " + a + " AND day < " + b +
			" UNION ALL SELECT * FROM " + daily + " WHERE day >= " + b + ")"
	}
	return source("rollup_units_monthly", "rollup_units"), source("rollup_cases_monthly", "rollup_cases"),
		source("rollup_rectification_monthly", "rollup_rectification"), args
}
