package app

import (
	"context"
	"sync"

	"github.com/hibiken/asynq"
)

// RunWorker runs the background side of the loop until ctx ends: the outbox relay and the
// queue's task servers (dispatch; deadlines and webhooks). The sweeps — re-sending what was
// left behind, marking overdue steps — are jobs of the scheduler. It returns once the tasks in
// hand are finished or handed back.
func (a *App) RunWorker(ctx context.Context) error {
	handler := a.Rectify.Handler()
	dispatch := a.Queue.DispatchServer(a.cfg.DispatchConcurrency, a.log)
	if err := dispatch.Start(handler); err != nil {
		return err
	}
	others := a.Queue.Server(a.cfg.Concurrency, a.log)
	if err := others.Start(handler); err != nil {
		dispatch.Shutdown()
		return err
	}
	relayDone := make(chan struct{})
	go func() {
		defer close(relayDone)
		_ = a.Rectify.RunRelay(ctx)
	}()
	<-ctx.Done()
	var wg sync.WaitGroup
	for _, srv := range []*asynq.Server{dispatch, others} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv.Shutdown()
		}()
	}
	wg.Wait()
	<-relayDone
	return nil
}
