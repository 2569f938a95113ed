package jobs

import "context"

// OutboxReconcile sends again every bad review whose work order did not appear a minute after
// it was handed to the queue, and whose task was lost, orphaned or dead-lettered.
func OutboxReconcile(loop interface {
	Reconcile(context.Context) (int, error)
}) Job {
	return Job{Name: "outbox_reconcile", Schedule: "*/30 * * * * *", Summary: "发件箱补发：一分钟内未生成工单的差评重新派发",
		Run: func(ctx context.Context) (int64, error) { n, err := loop.Reconcile(ctx); return int64(n), err }}
}
