package jobs

import "context"

// DefaultEvaluations records a default evaluation (默认评价) for every completed case whose
// rating window closed unrated (evaluation.Service.DefaultEvaluations).
func DefaultEvaluations(ev interface {
	DefaultEvaluations(context.Context) (int64, error)
}) Job {
	return Job{Name: "default_evaluations", Schedule: "0 */10 * * * *", Summary: "逾期未评价的已办结办件记默认评价",
		Run: ev.DefaultEvaluations}
}
