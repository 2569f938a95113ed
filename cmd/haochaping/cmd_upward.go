package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"sync"

	"haochaping/app"
	"haochaping/upward"
)

const upwardUsage = `usage: haochaping upward status | upward resend ID… | upward resend --refused
       haochaping upward simulate [--listen ADDR] [--refuse RATE]

status    the report to the provincial platform: records pending, acknowledged and refused, and
          the refused ones with the platform's reason
resend    send refused records again, once the cause is fixed (named by id, or all of them)
simulate  run the provincial platform simulator (demo mode): it checks each message against
          the profile of HAOCHAPING_UPWARD_PROFILE, refuses RATE of good records at random
          (default 0.02) and goes down on POST /_sim/down?for=30m until POST /_sim/up;
          ADDR defaults to HAOCHAPING_UPWARD_SIMULATOR, else 127.0.0.1:18090`

func runUpward(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "simulate" {
		return runUpwardSimulate(ctx, args[1:])
	}
	if len(args) == 0 || (args[0] != "status" && args[0] != "resend") || (args[0] == "resend" && len(args) < 2) {
		fmt.Fprintln(os.Stderr, upwardUsage)
		return errUsage
	}
	e, err := open(ctx, needs{})
	if err != nil {
		return err
	}
	defer e.Close()
	if args[0] == "status" {
		s, err := upward.ReadStatus(ctx, e.DB, 50)
		if err != nil {
			return err
		}
		fmt.Printf("pending %d (failing %d)  acknowledged %d  refused %d\n", s.Pending, s.Failing, s.Acknowledged, s.Refused)
		for _, r := range s.RefusedRecords {
			what := fmt.Sprintf("assessNumber %d", r.AssessNumber)
			if r.AssessNumber == 0 {
				what = "办件 service record"
			}
			fmt.Printf("  refused #%d %s (%s): %s\n", r.ID, r.ProjectNo, what, r.Refusal)
		}
		return nil
	}
	if args[1] == "--refused" {
		n, err := upward.ResendAllRefused(ctx, e.DB, e.Cfg.Now())
		if err != nil {
			return err
		}
		fmt.Printf("%d refused records to send again\n", n)
		return nil
	}
	for _, a := range args[1:] {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			fmt.Fprintf(os.Stderr, "haochaping upward resend: %q is not a record id\n", a)
			return errUsage
		}
		if err := upward.Resend(ctx, e.DB, id, e.Cfg.Now()); err != nil {
			return err
		}
		fmt.Printf("record %d to send again\n", id)
	}
	return nil
}

// runUpwardSimulate is `haochaping upward simulate`: the simulator alone, until SIGTERM.
func runUpwardSimulate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("upward simulate", flag.ContinueOnError)
	listen := fs.String("listen", "", "address to listen on")
	refuse := fs.Float64("refuse", 0.02, "share of good records refused at random (平台繁忙)")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *refuse < 0 || *refuse >= 1 {
		fmt.Fprintln(os.Stderr, upwardUsage)
		return errUsage
	}
	e, err := app.NewEnv()
	if err != nil {
		return err
	}
	sim, err := app.NewUpwardSimulator(e.Cfg, *refuse)
	if err != nil {
		return err
	}
	addr := *listen
	if addr == "" {
		addr = e.Cfg.Upward.Simulator
	}
	if addr == "" {
		addr = "127.0.0.1:18090"
	}
	var wg sync.WaitGroup
	failed := make(chan error, 1)
	if err := runSimulator(ctx, e.Log, sim, addr, e.Cfg.Upward.Profile, &wg, failed); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		wg.Wait()
		return nil
	case err := <-failed:
		return err
	}
}
