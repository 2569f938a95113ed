package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"haochaping/bench"
)

func runBench(ctx context.Context, args []string) error {
	return benchCommand(ctx, args, os.Stdout, os.Stderr)
}

const benchUsage = `usage: haochaping bench dispatch [--reviews 10000] [--rate 200] [--clients 32] [--wait 2m] [--json] [--keep]

Sends bad reviews through the window pads' endpoint of an in-process system (HTTP server and
worker, as "haochaping all" runs them) working in a schema of its own, bench_<unix time>, and
reports the time from each bad review's commit to its work order, and the throughput.`

// benchCommand is the `bench` command with its output streams, so that a test can run it.
func benchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "measures" {
		o, err := parseMeasuresFlags(args[1:], stderr)
		if err != nil {
			return err
		}
		report, err := bench.Measures(ctx, o, stderr)
		if report != nil {
			if perr := bench.PrintMeasures(stdout, report, o.JSON); perr != nil && err == nil {
				err = perr
			}
		}
		return err
	}
	if len(args) > 0 && args[0] == "raw" {
		return benchRaw(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "dispatch" {
		fmt.Fprintln(stderr, benchUsage+"\n\n"+measuresUsage+"\n\n"+rawUsage)
		return errUsage
	}
	o, err := parseBenchFlags(args[1:], stderr)
	if err != nil {
		return err
	}
	report, err := bench.Dispatch(ctx, o, stderr)
	if report != nil {
		if perr := bench.PrintDispatch(stdout, report, o.JSON); perr != nil && err == nil {
			err = perr
		}
	}
	if err != nil {
		return err
	}
	if !report.OK {
		return fmt.Errorf("the run failed: %s", strings.Join(report.Problems, "; "))
	}
	return nil
}

func parseBenchFlags(args []string, stderr io.Writer) (bench.DispatchOptions, error) {
	fs := flag.NewFlagSet("bench dispatch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, benchUsage); fs.PrintDefaults() }
	var o bench.DispatchOptions
	fs.IntVar(&o.Reviews, "reviews", 10000, "bad reviews to send")
	fs.Float64Var(&o.Rate, "rate", bench.GoalRate, "bad reviews per second, open loop; 0: as fast as the clients allow")
	fs.IntVar(&o.Clients, "clients", 32, "requests in flight at most (HTTP keep-alive connections)")
	fs.DurationVar(&o.Wait, "wait", 2*time.Minute, "how long to wait for the last work orders after sending")
	fs.BoolVar(&o.JSON, "json", false, "print the report as JSON")
	fs.BoolVar(&o.Keep, "keep", false, "keep the schema and the queues instead of dropping them")
	if err := fs.Parse(args); err != nil {
		return o, errUsage
	}
	if fs.NArg() > 0 || o.Reviews < 1 || o.Rate < 0 || o.Clients < 1 || o.Wait <= 0 {
		fmt.Fprintln(stderr, "bench dispatch: --reviews and --clients must be ≥ 1, --rate ≥ 0, --wait > 0, and no arguments")
		fs.Usage()
		return o, errUsage
	}
	return o, nil
}
