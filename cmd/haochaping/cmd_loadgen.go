package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"haochaping/channels"
	"haochaping/loadgen"
)

const loadgenUsage = `usage: haochaping loadgen --url http://127.0.0.1:PORT[,http://127.0.0.1:PORT2…] [--rate R | --concurrency C] --duration D
                         [--tickets] [--bad 0.2] [--repeat 0.02] [--acks FILE] [--failures FILE] [--seed S] [--devices FILE]

Sends signed, realistic traffic to a running server over HTTP: the business system pushes each
case (POST /api/v1/cases), then it is rated in the demo history's channel mix — window pads 45 %,
phones from the receipt's QR code 25 %, the portal 20 %, kiosks 10 % in uploads of 2–10 records —
with --bad of the ratings bad and --repeat of the requests a repeat of a rating already
acknowledged (the same request again, or the same case on the portal), which must be answered
with the original's id. With --tickets every request is instead one window rating of a visit by
its queue ticket (一次一评), no case pushed: the rows bench raw writes, to compare the two. Open
loop with --rate (rating requests started per second, whether or
not the earlier ones were answered), closed loop with --concurrency alone. Several servers in
--url, comma-separated (API processes of one system, with no balancer in front), are sent
each attempt in turn.

A request that gets no answer, a 5xx or a 429 is retried like a device does: the same body and
idempotency key, signed anew, for up to --retry-for. Only an answer that names the evaluation
counts as acknowledged; each is a JSON line of --acks, for "haochaping check --acks".

The devices are the demo devices of the city hall (its pads and kiosk) and the demo backends
(demo-mobile, demo-pc, demo-system). Their secrets are made when a demo-mode server is seeded
(HAOCHAPING_DEMO=1 "haochaping seed"), and a demo-mode server alone accepts them. loadgen reads
them from --devices (the output of "haochaping device list --demo --json"), or else from the
database itself, as "device list --demo" does (DATABASE_URL, HAOCHAPING_DATA_KEY, HAOCHAPING_DEMO=1).
For a load that the rate limits do not cut, start the server with HAOCHAPING_RATE_PER_DEVICE=0
and HAOCHAPING_RATE_PER_ADDRESS=0.

It prints sent, acknowledged, refused by status, no answer, and ends with the line
throughput=<acknowledged ratings>/s p50=<ms> p99=<ms>.`

func runLoadgen(ctx context.Context, args []string) error {
	return loadgenCommand(ctx, args, os.Stdout, os.Stderr)
}

func loadgenCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, loadgenUsage+"\n\nflags:"); fs.PrintDefaults() }
	o := loadgen.Options{Mix: loadgen.DefaultMix}
	var devicesFile, failuresFile string
	var seed int64
	quiet := fs.Bool("quiet", false, "no progress line")
	fs.StringVar(&o.URL, "url", "", "the server (required), e.g. http://127.0.0.1:8080; several, comma-separated, take the attempts in turn")
	fs.Float64Var(&o.Rate, "rate", 0, "rating requests started per second, open loop; 0: closed loop at --concurrency")
	fs.IntVar(&o.Concurrency, "concurrency", 0, "requests in flight: the closed loop's clients (default 8), the open loop's most (default 256)")
	fs.DurationVar(&o.Duration, "duration", time.Minute, "how long requests are started")
	fs.IntVar(&o.Requests, "requests", 0, "stop after this many rating requests too; 0: no bound but --duration")
	fs.BoolVar(&o.Tickets, "tickets", false, "window ratings alone, each of a visit by its queue ticket (一次一评), with no case pushed: one request per rating, as bench raw writes")
	fs.Float64Var(&o.Bad, "bad", 0.2, "the share of bad ratings (level 1 or 2, with a reason)")
	fs.Float64Var(&o.Repeat, "repeat", 0.02, "the share of requests that repeat an acknowledged rating")
	fs.Int64Var(&seed, "seed", 1, "the seed of the draws (channel, level, repeats)")
	fs.DurationVar(&o.RetryFor, "retry-for", 2*time.Minute, "how long one request is retried through an outage")
	fs.StringVar(&o.Acks, "acks", "", "write every acknowledged rating to this file, one JSON line each")
	fs.StringVar(&failuresFile, "failures", "", "write every failed attempt (no answer, 5xx) with its time to this file")
	fs.StringVar(&devicesFile, "devices", "", `the demo devices with their secrets ("haochaping device list --demo --json"); default: read from the database`)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	switch {
	case fs.NArg() > 0 || o.URL == "":
		fmt.Fprintln(stderr, "loadgen: --url is required, and no arguments")
		fs.Usage()
		return errUsage
	case !validURLs(o.URL):
		fmt.Fprintln(stderr, "loadgen: --url wants http://HOST:PORT, or several comma-separated")
		fs.Usage()
		return errUsage
	case o.Rate < 0 || o.Concurrency < 0 || o.Duration <= 0 || o.Requests < 0:
		fmt.Fprintln(stderr, "loadgen: --rate and --concurrency must be ≥ 0, --duration > 0")
		fs.Usage()
		return errUsage
	}
	if o.Concurrency == 0 {
		o.Concurrency = 8
		if o.Rate > 0 {
			o.Concurrency = 256 // open loop: enough in flight that the clients never hold the rate back
		}
	}
	o.Seed = uint64(seed)
	if !*quiet {
		o.Progress = stderr
	}
	devices, err := loadDevices(ctx, devicesFile)
	if err != nil {
		return err
	}
	fleet, err := loadgen.NewFleet(devices)
	if err != nil {
		return err
	}
	if failuresFile != "" {
		f, err := os.Create(failuresFile)
		if err != nil {
			return fmt.Errorf("create failures file: %w", err)
		}
		defer f.Close()
		o.Failures = f
	}
	report, err := loadgen.Run(ctx, o, fleet)
	if report != nil {
		if perr := loadgen.Print(stdout, report); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}

func validURLs(list string) bool {
	_, err := loadgen.ParseURLs(list)
	return err == nil
}

// loadDevices reads the demo devices from the file, or from the database in demo mode.
func loadDevices(ctx context.Context, file string) ([]loadgen.Device, error) {
	if file != "" {
		return loadgen.ReadDevices(file)
	}
	e, err := open(ctx, needs{Keys: true})
	if err != nil {
		return nil, err
	}
	defer e.Close()
	if !e.Cfg.Demo {
		return nil, fmt.Errorf("the demo devices' secrets are readable only in demo mode (HAOCHAPING_DEMO=1); or give --devices")
	}
	list, err := (&channels.Devices{DB: e.DB, Keys: e.Keys}).List(ctx, true, true)
	if err != nil {
		return nil, err
	}
	out := make([]loadgen.Device, 0, len(list))
	for _, d := range list {
		out = append(out, loadgen.Device{ID: d.ID, Channel: d.Channel, WindowCode: d.WindowCode, HallCode: d.HallCode,
			Enabled: d.Enabled, Secret: d.Secret})
	}
	return out, nil
}
