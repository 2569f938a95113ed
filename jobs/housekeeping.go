package jobs

import "context"

// Housekeeping forgets what is too old to matter: signatures past their replay window,
// expired sessions, and the job runs of more than thirty days ago.
func Housekeeping(signatures interface {
	PruneSignatures(context.Context) error
}, sessions interface {
	PruneSessions(context.Context) (int64, error)
}, s *Scheduler) Job {
	return Job{Name: "housekeeping", Schedule: "0 17 * * * *", Summary: "清理过期签名、会话和三十天前的任务记录",
		Run: func(ctx context.Context) (int64, error) {
			if err := signatures.PruneSignatures(ctx); err != nil {
				return 0, err
			}
			n, err := sessions.PruneSessions(ctx)
			if err != nil {
				return n, err
			}
			k, err := s.PruneRuns(ctx, 30)
			return n + k, err
		}}
}
