package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"
)

// servePprof answers Go's profiles on HAOCHAPING_PPROF, beside the server, for measuring the hot
// path (docs/PERFORMANCE.md). A profile shows memory — requests, keys — so the address must be
// loopback: the profiles are for the machine's operator, never the network.
func servePprof(ctx context.Context, e *env, wg *sync.WaitGroup, failed chan<- error) error {
	addr := e.Cfg.PprofAddr
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("HAOCHAPING_PPROF=%q: want a loopback address such as 127.0.0.1:6060", addr)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("pprof: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			failed <- fmt.Errorf("pprof: %w", err)
		}
	}()
	go func() {
		defer wg.Done()
		<-ctx.Done()
		_ = srv.Close() // a profile being taken has nothing to finish
	}()
	e.Log.Info("profiles served", "addr", "http://"+ln.Addr().String()+"/debug/pprof/")
	return nil
}
