package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"haochaping/app"
	"haochaping/bench"
)

const rawUsage = `usage: haochaping bench raw [--duration 15s] [--concurrency 32] [--keep]

The naive database rate: window ratings (20 % bad, each bad one with its outbox row) written
straight into PostgreSQL, one transaction per rating, from --concurrency clients, in a schema
of its own. Its last line, throughput=<n>/s p50=<ms> p99=<ms>, compares with loadgen's.`

// benchRaw is `haochaping bench raw`.
func benchRaw(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench raw", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o bench.RawOptions
	fs.DurationVar(&o.Duration, "duration", 15*time.Second, "how long to send")
	fs.IntVar(&o.Concurrency, "concurrency", 32, "clients, each with its connection")
	fs.BoolVar(&o.Keep, "keep", false, "keep the run's schema")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || o.Duration <= 0 || o.Concurrency < 1 {
		fmt.Fprintln(stderr, rawUsage)
		return errUsage
	}
	o.Progress = stderr
	e, err := app.NewEnv()
	if err != nil {
		return err
	}
	report, err := bench.Raw(ctx, e, o)
	if err != nil {
		return err
	}
	if err := bench.PrintRaw(stdout, report); err != nil {
		return err
	}
	if report.Result.Failed() > 0 {
		return fmt.Errorf("%d ratings failed", report.Result.Failed())
	}
	return nil
}
