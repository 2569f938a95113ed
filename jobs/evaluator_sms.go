package jobs

import "context"

// EvaluatorSMS hands over again every text message to an evaluator that was not sent a minute
// after it was queued, and whose task was lost or dead-lettered (rectify.ResendSMS).
func EvaluatorSMS(loop interface {
	ResendSMS(context.Context) (int, error)
}) Job {
	return Job{Name: "evaluator_sms", Schedule: "15,45 * * * * *", Summary: "短信补发：未发出的评价人短信重新交给队列",
		Run: func(ctx context.Context) (int64, error) { n, err := loop.ResendSMS(ctx); return int64(n), err }}
}
