package jobs

import "context"

// EvaluationPartitions keeps the monthly partitions of evaluations made twelve months ahead
// (evaluation.Service.EnsurePartitions, migration 00031), and moves into its month any rating
// that waited in the DEFAULT partition. Daily, at night: making a month locks the table for an
// instant.
func EvaluationPartitions(partitions interface {
	EnsurePartitions(context.Context) (int64, error)
}) Job {
	return Job{Name: "evaluation_partitions", Schedule: "0 50 3 * * *", Summary: "评价表按月分区：预建未来十二个月的分区",
		Run: partitions.EnsurePartitions}
}
