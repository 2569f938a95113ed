package main

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"haochaping/internal/app"
)

// runServe serves the HTTP API.
func runServe(ctx context.Context, args []string) error { return run(ctx, true, false) }

// runWorker runs the outbox relay, the queue's tasks and the background sweeps.
func runWorker(ctx context.Context, args []string) error { return run(ctx, false, true) }

// runAll runs every part of the system in one process.
func runAll(ctx context.Context, args []string) error { return run(ctx, true, true) }

func run(ctx context.Context, serveHTTP, work bool) error {
	e, err := newEnv()
	if err != nil {
		return err
	}
	defer e.close()
	if err := e.openDB(ctx); err != nil {
		return err
	}
	if err := e.migrate(ctx); err != nil {
		return err
	}
	if err := e.openKeys(); err != nil {
		return err
	}
	if err := e.openRedis(); err != nil {
		return err
	}
	a := app.New(e.cfg, e.db, e.keys, e.rdb, e.log)
	defer a.Close() // after the server and worker stopped: every acknowledged rating is committed

	var wg sync.WaitGroup
	failed := make(chan error, 2)
	stopCtx, stop := context.WithCancel(ctx)
	defer stop()
	if work {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.RunWorker(stopCtx); err != nil {
				failed <- fmt.Errorf("worker: %w", err)
			}
		}()
		e.log.Info("haochaping worker running", "schema", e.db.Schema, "queues", e.cfg.QueuePrefix)
	}
	if serveHTTP {
		ln, err := net.Listen("tcp", e.cfg.Addr)
		if err != nil {
			stop()
			wg.Wait()
			return fmt.Errorf("listen on %s: %w", e.cfg.Addr, err)
		}
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := a.HTTP.Listener(ln); err != nil {
				failed <- fmt.Errorf("HTTP server: %w", err)
			}
		}()
		go func() {
			defer wg.Done()
			<-stopCtx.Done()
			if err := a.HTTP.ShutdownWithTimeout(20 * time.Second); err != nil {
				e.log.Warn("HTTP shutdown", "err", err)
			}
		}()
		go every(stopCtx, time.Minute, func(ctx context.Context) error {
			if err := a.Auth.PruneSignatures(ctx); err != nil {
				return err
			}
			_, err := a.Users.PruneSessions(ctx)
			return err
		}, e)
		e.log.Info("haochaping serving", "addr", "http://"+ln.Addr().String(), "schema", e.db.Schema, "demo", e.cfg.Demo)
	}

	var result error
	select {
	case <-ctx.Done():
		e.log.Info("shutting down: finishing the requests and tasks in flight")
	case result = <-failed:
	}
	stop()
	wg.Wait()
	e.log.Info("stopped")
	return result
}

// every runs f at each tick until ctx ends, logging its errors.
func every(ctx context.Context, d time.Duration, f func(context.Context) error, e *env) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := f(ctx); err != nil && ctx.Err() == nil {
				e.log.Warn("periodic task failed", "err", err)
			}
		}
	}
}
