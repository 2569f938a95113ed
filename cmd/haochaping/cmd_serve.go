package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"haochaping/internal/app"
)

func runServe(ctx context.Context, args []string) error { return serve(ctx) }

// runAll runs every part of the system in one process.
func runAll(ctx context.Context, args []string) error { return serve(ctx) }

func serve(ctx context.Context) error {
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

	ln, err := net.Listen("tcp", e.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", e.cfg.Addr, err)
	}
	go every(ctx, time.Minute, func(ctx context.Context) error { return a.Auth.PruneSignatures(ctx) }, e)

	served := make(chan error, 1)
	go func() { served <- a.HTTP.Listener(ln) }()
	e.log.Info("haochaping serving", "addr", "http://"+ln.Addr().String(), "schema", e.db.Schema, "demo", e.cfg.Demo)

	select {
	case err := <-served:
		a.Close()
		return fmt.Errorf("HTTP server: %w", err)
	case <-ctx.Done():
	}
	e.log.Info("shutting down: finishing the requests in flight")
	if err := a.HTTP.ShutdownWithTimeout(20 * time.Second); err != nil {
		e.log.Warn("HTTP shutdown", "err", err)
	}
	a.Close() // every acknowledged rating is committed before the process ends
	e.log.Info("stopped")
	return nil
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
