package jobs

import "context"

// Rollups adds the new evaluations to the rollups the measures read, and recounts 评价率's
// cases of the days that changed.
func Rollups(m interface {
	RollUp(context.Context) (int64, error)
	RecountCases(context.Context) (int64, error)
}) Job {
	return Job{Name: "rollups", Schedule: "*/30 * * * * *", Summary: "评价汇总（按日×区划×部门×大厅×窗口×人员×渠道×事项，增量）和评价率",
		Run: func(ctx context.Context) (int64, error) {
			n, err := m.RollUp(ctx)
			if err != nil {
				return n, err
			}
			k, err := m.RecountCases(ctx)
			return n + k, err
		}}
}
