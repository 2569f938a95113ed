package main

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"
)

// The parts of the system a process runs.
type parts struct{ http, worker, cron bool }

// runServe serves the HTTP API.
func runServe(ctx context.Context, args []string) error { return run(ctx, parts{http: true}) }

// runWorker runs the outbox relay and the queue's tasks.
func runWorker(ctx context.Context, args []string) error { return run(ctx, parts{worker: true}) }

// runCron runs the jobs scheduler alone.
func runCron(ctx context.Context, args []string) error { return run(ctx, parts{cron: true}) }

// runAll runs every part of the system in one process.
func runAll(ctx context.Context, args []string) error {
	return run(ctx, parts{http: true, worker: true, cron: true})
}

func run(ctx context.Context, p parts) error {
	e, a, err := openApp(ctx)
	if err != nil {
		return err
	}
	defer e.Close()
	defer a.Close() // after the server and worker stopped: every acknowledged rating is committed

	var wg sync.WaitGroup
	failed := make(chan error, 3)
	stopCtx, stop := context.WithCancel(ctx)
	defer stop()
	if p.cron {
		s := a.Scheduler()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Run(stopCtx); err != nil {
				failed <- fmt.Errorf("scheduler: %w", err)
			}
		}()
		e.Log.Info("haochaping scheduler running", "jobs", len(s.Jobs()))
	}
	if p.worker {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.RunWorker(stopCtx); err != nil {
				failed <- fmt.Errorf("worker: %w", err)
			}
		}()
		e.Log.Info("haochaping worker running", "schema", e.DB.Schema, "queues", e.Cfg.QueuePrefix)
	}
	if p.http {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.DB.ListenRefData(stopCtx, e.Log) // the hot path's caches forget what another instance changed
		}()
		ln, err := net.Listen("tcp", e.Cfg.Addr)
		if err != nil {
			stop()
			wg.Wait()
			return fmt.Errorf("listen on %s: %w", e.Cfg.Addr, err)
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
				e.Log.Warn("HTTP shutdown", "err", err)
			}
		}()
		e.Log.Info("haochaping serving", "addr", "http://"+ln.Addr().String(), "schema", e.DB.Schema, "demo", e.Cfg.Demo)
		if err := serveUpwardSimulator(stopCtx, e, a, &wg, failed); err != nil {
			stop()
			wg.Wait()
			return err
		}
		if err := servePprof(stopCtx, e, &wg, failed); err != nil {
			stop()
			wg.Wait()
			return err
		}
	}

	var result error
	select {
	case <-ctx.Done():
		e.Log.Info("shutting down: finishing the requests and tasks in flight")
	case result = <-failed:
	}
	stop()
	wg.Wait()
	e.Log.Info("stopped")
	return result
}
