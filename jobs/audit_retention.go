package jobs

import (
	"context"
	"errors"
)

// AuditRetention removes the security audit log's rows past their retention (at least 180
// days, the setting audit_retention_days), from the oldest end. The same daily run keeps the
// monthly partitions of evaluations made twelve months ahead (evaluation.EnsurePartitions,
// migration 00031): upkeep of the schema's own tables, each independent of the other.
func AuditRetention(log interface {
	Retire(context.Context) (int64, error)
}, partitions interface {
	EnsurePartitions(context.Context) (int64, error)
}) Job {
	return Job{Name: "audit_retention", Schedule: "0 40 3 * * *",
		Summary: "安全审计日志：删除超过保留期限（至少 180 天）的记录；评价表按月分区：预建未来十二个月",
		Run: func(ctx context.Context) (int64, error) {
			made, perr := partitions.EnsurePartitions(ctx)
			n, rerr := log.Retire(ctx)
			return n + made, errors.Join(rerr, perr)
		}}
}
