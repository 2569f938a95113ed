package jobs

import "context"

// Overdue marks the steps of work orders whose deadline passed undone and escalates them to
// the unit heads and the office — what the queue's deadline checks missed.
func Overdue(loop interface {
	SweepOverdue(ctx context.Context, id int64) (int, error)
}) Job {
	return Job{Name: "overdue", Schedule: "0 * * * * *", Summary: "标记逾期的工单环节并上报单位负责人和管理机构",
		Run: func(ctx context.Context) (int64, error) { n, err := loop.SweepOverdue(ctx, 0); return int64(n), err }}
}
