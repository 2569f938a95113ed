package jobs

import (
	"context"
	"time"

	"haochaping/internal/bjtime"
)

// Rankings ranks departments, windows and staff for last month and this month so far, and
// flags those at the bottom two months running.
func Rankings(m interface {
	ComputeRankings(ctx context.Context, month time.Time) (int64, error)
}, now func() time.Time) Job {
	return Job{Name: "rankings", Schedule: "0 10 1 * * *", Summary: "按部门、窗口、人员月度排名，连续两月末位标记",
		Run: func(ctx context.Context) (int64, error) {
			// Last month first (this month's flags read it), then this month so far. Months are
			// Beijing months: start from the first day, so that 31 March minus a month is
			// February, not 3 March.
			this := bjtime.Day(now())
			this = this.AddDate(0, 0, 1-this.Day())
			n, err := m.ComputeRankings(ctx, this.AddDate(0, -1, 0))
			if err != nil {
				return n, err
			}
			k, err := m.ComputeRankings(ctx, this)
			return n + k, err
		}}
}
