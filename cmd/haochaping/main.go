// Command haochaping is the 好差评 system: one binary for the HTTP API, the workers, the
// scheduler and the administration commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"haochaping/internal/problem"
)

type command struct {
	summary string
	run     func(ctx context.Context, args []string) error
}

var commands = map[string]command{
	"all":      {"run everything in one process: migrate, serve the API, run the worker and the scheduler", runAll},
	"serve":    {"migrate, then serve the HTTP API", runServe},
	"worker":   {"migrate, then run the outbox relay, the dispatcher, reminders and webhooks", runWorker},
	"cron":     {"migrate, then run the jobs scheduler alone (one run per tick across instances)", runCron},
	"jobs":     {"the scheduled jobs: jobs list | jobs run NAME", runJobs},
	"migrate":  {"apply the database migrations", runMigrate},
	"seed":     {"load the organisation, items, reasons and settings (and demo data in demo mode)", runSeed},
	"user":     {"add, list, enable and disable staff logins: user add|list|enable|disable", runUser},
	"device":   {"register, list, enable and disable devices: device add|list|enable|disable", runDevice},
	"ledger":   {"the ledgers in Excel and the reporting rounds: ledger export|import|round open|list|missing", runLedger},
	"calendar": {"working days: calendar workdays FROM N | calendar is-workday DATE", runCalendar},
	"bench":    {"benchmarks: bench dispatch [--reviews N] [--rate R] … | bench measures [--evaluations N] …", runBench},
	"demo":     {"load a made-up history for the dashboard and benchmarks: demo --evaluations N --days D [--seed S] [--end YYYY-MM-DD] | demo receipt (a case to rate from a phone)", runDemo},
	"check":    {"check the invariants of the bad-review loop (and with --acks a load's ratings); exits 1 when one is broken", runCheck},
	"loadgen":  {"signed realistic traffic against a server: loadgen --url URL [--rate R | --concurrency C] --duration D [--acks FILE] …", runLoadgen},
	"audit":    {"the security audit log: audit verify (its hash chain; exits 1 when broken)", runAudit},
	"upward":   {"the report to the provincial platform: upward status | upward resend ID…|--refused | upward simulate", runUpward},
	"keys":     {"the data keys: keys rotate [--batch N] (re-seal everything under the current key, resumable) | keys status", runKeys},
	"pii":      {"personal data in free text: pii seal-text (mask and seal what was stored in clear before)", runPII},
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: haochaping <command> [options]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(os.Stderr, "\nSettings come from the environment (DATABASE_URL, REDIS_URL, HAOCHAPING_*); see README.md.")
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		os.Exit(2)
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "haochaping: unknown command %q\n\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := cmd.run(ctx, os.Args[2:]); err != nil {
		if p, ok := problem.As(err); ok {
			fmt.Fprintf(os.Stderr, "haochaping %s: %s (%s)\n", os.Args[1], p.Message, p.Code)
		} else if !errors.Is(err, errUsage) {
			fmt.Fprintf(os.Stderr, "haochaping %s: %v\n", os.Args[1], err)
		}
		os.Exit(1)
	}
}

// errUsage is returned after a subcommand printed its own usage.
var errUsage = errors.New("usage")
