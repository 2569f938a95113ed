package jobs

import (
	"context"
	"time"

	"haochaping/access"
	"haochaping/internal/bjtime"
)

// RecurringProblems proposes, from the bad reviews of the last 30 Beijing days up to
// yesterday, the problems that recur (same item, unit and reason) for the rectification ledger.
func RecurringProblems(ledger interface {
	ProposeRecurring(ctx context.Context, scope *access.Scope, from, to time.Time) (int64, error)
}, now func() time.Time) Job {
	return Job{Name: "recurring_problems", Schedule: "0 30 2 * * *", Summary: "差评分析：近30日同一事项、单位、评价指标的集中差评，提请列入整改台账",
		Run: func(ctx context.Context) (int64, error) {
			today := bjtime.Day(now())
			return ledger.ProposeRecurring(ctx, nil, today.AddDate(0, 0, -30), today.AddDate(0, 0, -1))
		}}
}
