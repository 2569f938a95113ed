package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"haochaping/internal/bjtime"
	"haochaping/internal/config"
	"haochaping/seeds/demohistory"
)

func runDemo(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "receipt" {
		return runDemoReceipt(ctx, args[1:], os.Stdout)
	}
	return demoCommand(ctx, args, os.Stdout, os.Stderr)
}

const demoUsage = `usage: haochaping demo --evaluations N --days D [--seed S] [--end YYYY-MM-DD] [--force] [--quiet]
                       [--check-references] [--chunk C]

Loads a made-up history of ratings over D days ending today (or --end): cases, N evaluations on
the four channels, and the bad-review loop — outbox, work orders in every state, their timelines
and notifications — through COPY, with a progress bar on stderr; then runs the rollups, so that
the dashboard shows it at once, and prints a summary. The same seed gives the same history.

The citizens are made up, but their names and phones are encrypted like real ones: it runs only
in demo mode (HAOCHAPING_DEMO=1) unless --force, and needs the organisation seeded first
(haochaping seed). --force also loads beside a demo history already there.

A superuser's load skips the foreign-key triggers (session_replication_role = replica): every
reference comes from the organisation it read or from IDs it reserved, and the checks would
cost three times the COPY. --check-references keeps them.`

// demoOptions are the flags of `demo`.
type demoOptions struct {
	Evaluations int
	Days        int
	Seed        int64
	End         time.Time // zero: today
	Force       bool
	IfAbsent    bool
	Quiet       bool // no progress bar
	Chunk       int
	Checked     bool // keep the triggers: PostgreSQL checks every reference
}

// demoCommand is the `demo` command with its output streams, so that a test can run it.
func demoCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseDemoFlags(args, stderr)
	if err != nil {
		return err
	}
	// Refused before anything is opened: the settings alone say whether this is a demo.
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if err := demoAllowed(cfg, o.Force); err != nil {
		return err
	}
	e, err := open(ctx, needs{Keys: true})
	if err != nil {
		return err
	}
	defer e.Close()
	return loadDemo(ctx, e, o, stdout, stderr)
}

func parseDemoFlags(args []string, stderr io.Writer) (demoOptions, error) {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, demoUsage); fs.PrintDefaults() }
	var o demoOptions
	var end string
	fs.IntVar(&o.Evaluations, "evaluations", 0, "evaluations to load (required), at most 100,000,000")
	fs.IntVar(&o.Days, "days", 0, "days of history, ending with --end (required)")
	fs.Int64Var(&o.Seed, "seed", 1, "seed of the history")
	fs.StringVar(&end, "end", "", "the last day, YYYY-MM-DD (Beijing); default today")
	fs.BoolVar(&o.Force, "force", false, "run even when demo mode is off, or beside another demo history")
	fs.BoolVar(&o.Quiet, "quiet", false, "no progress bar")
	fs.BoolVar(&o.IfAbsent, "if-absent", false, "do nothing when a demo history is already there (make run)")
	fs.IntVar(&o.Chunk, "chunk", 50_000, "evaluations per transaction of each COPY stream")
	fs.BoolVar(&o.Checked, "check-references", false, "keep the triggers on: PostgreSQL checks every foreign key (about three times slower)")
	if err := fs.Parse(args); err != nil {
		return o, errUsage
	}
	problem := ""
	switch {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case o.Evaluations < 1 || o.Evaluations > demohistory.MaxEvaluations:
		problem = fmt.Sprintf("--evaluations must be between 1 and %d", demohistory.MaxEvaluations)
	case o.Days < 1 || o.Days > demohistory.MaxDays:
		problem = fmt.Sprintf("--days must be between 1 and %d", demohistory.MaxDays)
	case o.Chunk < 1:
		problem = "--chunk must be ≥ 1"
	}
	if problem == "" && end != "" {
		t, err := time.Parse(time.DateOnly, end)
		switch {
		case err != nil:
			problem = fmt.Sprintf("--end %q is not a date YYYY-MM-DD", end)
		case t.After(bjtime.Day(time.Now())):
			problem = fmt.Sprintf("--end %s is in the future", end)
		}
		o.End = t
	}
	if problem != "" {
		fmt.Fprintf(stderr, "demo: %s\n\n", problem)
		fs.Usage()
		return o, errUsage
	}
	return o, nil
}

// errDemoOff refuses to write made-up citizens into a database that is not a demo's.
var errDemoOff = errors.New("demo mode is off: this writes made-up citizens into the database; " +
	"set HAOCHAPING_DEMO=1 (a demo deployment) or pass --force")

func demoAllowed(cfg *config.Config, force bool) error {
	if !cfg.Demo && !force {
		return errDemoOff
	}
	return nil
}

// loadDemo loads the history into the database of e (opened, migrated, with its keys) and
// prints the summary.
func loadDemo(ctx context.Context, e *env, o demoOptions, stdout, stderr io.Writer) error {
	var progress io.Writer = stderr
	if o.Quiet {
		progress = nil
	}
	db, release, err := e.OwnerDB(ctx)
	if err != nil {
		return err
	}
	defer release()
	l := &demohistory.Loader{DB: db, Keys: e.Keys, Log: e.Log}
	sum, err := l.Load(ctx, demohistory.Options{
		Evaluations: o.Evaluations, Days: o.Days, Seed: o.Seed, End: o.End, RatingDays: e.Cfg.EvaluationWindowDays,
		ChunkSize: o.Chunk, AllowExisting: o.Force, CheckReferences: o.Checked, Progress: progress,
	})
	if errors.Is(err, demohistory.ErrExists) && o.IfAbsent {
		fmt.Fprintln(stdout, "a demo history is already loaded: nothing to do")
		return nil
	}
	if sum != nil {
		sum.Print(stdout)
	}
	return err
}
