package app

import (
	"context"
	"sync"
	"time"
)

// RunWorker runs the background side of the loop until ctx ends: the outbox relay, the queue's
// task server (dispatch, deadlines, webhooks), the reconciler that re-sends what is left
// behind, and the overdue sweep. It returns once the tasks in hand are finished or handed back.
func (a *App) RunWorker(ctx context.Context) error {
	srv := a.Queue.Server(a.cfg.Concurrency, a.log)
	if err := srv.Start(a.Rectify.Handler()); err != nil {
		return err
	}
	var wg sync.WaitGroup
	run := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	run(func() { _ = a.Rectify.RunRelay(ctx) })
	run(func() {
		every(ctx, a.ReconcileEvery, func(ctx context.Context) error { _, err := a.Rectify.Reconcile(ctx); return err }, a)
	})
	run(func() {
		every(ctx, a.OverdueEvery, func(ctx context.Context) error { _, err := a.Rectify.SweepOverdue(ctx, 0); return err }, a)
	})
	<-ctx.Done()
	srv.Shutdown()
	wg.Wait()
	return nil
}

// every runs f at each tick until ctx ends, logging its errors.
func every(ctx context.Context, d time.Duration, f func(context.Context) error, a *App) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := f(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("periodic task failed", "err", err)
			}
		}
	}
}
