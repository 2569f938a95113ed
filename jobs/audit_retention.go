package jobs

import "context"

// AuditRetention removes the security audit log's rows past their retention (at least 180
// days, the setting audit_retention_days), from the oldest end.
func AuditRetention(log interface {
	Retire(context.Context) (int64, error)
}) Job {
	return Job{Name: "audit_retention", Schedule: "0 40 3 * * *", Summary: "安全审计日志：删除超过保留期限（至少 180 天）的记录",
		Run: log.Retire}
}
