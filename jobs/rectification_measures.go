package jobs

import "context"

// RectificationMeasures recounts 回访率, 整改率, 记录率, 实名差评整改率, 按时整改率 and 平均整改时长
// for the days on which a bad review or its work order changed.
func RectificationMeasures(m interface {
	RollUpRectification(context.Context) (int64, error)
}) Job {
	return Job{Name: "rectification_measures", Schedule: "0 */2 * * * *", Summary: "回访率、整改率、记录率、实名差评整改率、按时整改率、平均整改时长",
		Run: m.RollUpRectification}
}
