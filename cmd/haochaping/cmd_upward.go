package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"haochaping/upward"
)

const upwardUsage = `usage: haochaping upward status | upward resend ID… | upward resend --refused

status   the report to the provincial platform: records pending, acknowledged and refused, and
         the refused ones with the platform's reason
resend   send refused records again, once the cause is fixed (named by id, or all of them)`

func runUpward(ctx context.Context, args []string) error {
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
			fmt.Printf("  refused #%d %s (assessNumber %d): %s\n", r.ID, r.ProjectNo, r.AssessNumber, r.Refusal)
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
