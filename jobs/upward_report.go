package jobs

import "context"

// UpwardReport sends the evaluations not yet reported to the provincial platform (上报), in
// batches, and counts 及时上报率.
func UpwardReport(up interface {
	ReportUpward(context.Context) (int64, error)
}) Job {
	return Job{Name: "upward_report", Schedule: "0 */5 * * * *", Summary: "评价数据上报省平台（批量、重试），及时上报率",
		Run: up.ReportUpward}
}
