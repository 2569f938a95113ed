package app

import (
	"context"
)

// RunWorker runs the background side of the loop until ctx ends: the outbox relay and the
// queue's task server (dispatch, deadlines, webhooks). The sweeps — re-sending what was left
// behind, marking overdue steps — are jobs of the scheduler. It returns once the tasks in hand
// are finished or handed back.
func (a *App) RunWorker(ctx context.Context) error {
	srv := a.Queue.Server(a.cfg.Concurrency, a.log)
	if err := srv.Start(a.Rectify.Handler()); err != nil {
		return err
	}
	relayDone := make(chan struct{})
	go func() {
		defer close(relayDone)
		_ = a.Rectify.RunRelay(ctx)
	}()
	<-ctx.Done()
	srv.Shutdown()
	<-relayDone
	return nil
}
