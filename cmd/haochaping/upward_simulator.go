package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"haochaping/app"
	"haochaping/upward"
)

// serveUpwardSimulator runs the provincial platform simulator beside the server, in demo mode,
// when HAOCHAPING_UPWARD_SIMULATOR names an address: the demo's upward report then goes
// somewhere real, and 及时上报率 counts what it acknowledged.
func serveUpwardSimulator(ctx context.Context, e *env, a *app.App, wg *sync.WaitGroup, failed chan<- error) error {
	addr := e.Cfg.Upward.Simulator
	if addr == "" {
		return nil
	}
	sim := a.UpwardSimulator()
	if sim == nil {
		e.Log.Warn("HAOCHAPING_UPWARD_SIMULATOR is set, but the simulator runs only in demo mode with HAOCHAPING_UPWARD_PROFILE")
		return nil
	}
	return runSimulator(ctx, e.Log, sim, addr, e.Cfg.Upward.Profile, wg, failed)
}

// runSimulator serves sim on addr until ctx ends.
func runSimulator(ctx context.Context, log *slog.Logger, sim *upward.Simulator, addr, profile string, wg *sync.WaitGroup, failed chan<- error) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("upward simulator: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			failed <- fmt.Errorf("upward simulator: %w", err)
		}
	}()
	go func() {
		defer wg.Done()
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info("provincial platform simulator running", "addr", "http://"+ln.Addr().String(), "profile", profile,
		"controls", "POST /_sim/down?for=30m, POST /_sim/up, GET /_sim/status")
	return nil
}
