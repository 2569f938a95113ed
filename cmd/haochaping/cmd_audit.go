package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"haochaping/internal/audit"
)

// errChainBroken makes `audit verify` exit 1.
var errChainBroken = errors.New("the security audit log's chain is broken")

func runAudit(ctx context.Context, args []string) error {
	if len(args) != 1 || args[0] != "verify" {
		fmt.Fprintln(os.Stderr, "usage: haochaping audit verify\n\nChecks the security audit log's hash chain from its oldest row kept; exits 1 at the first row changed, removed or inserted.")
		return errUsage
	}
	e, err := open(ctx, needs{})
	if err != nil {
		return err
	}
	defer e.Close()
	log := &audit.Log{DB: e.DB}
	rep, err := log.Verify(ctx, func(done int64) { fmt.Fprintf(os.Stderr, "\r%d rows checked", done) })
	if err != nil {
		return err
	}
	if rep.Rows == 0 {
		fmt.Println("the security audit log is empty")
		return nil
	}
	if !rep.OK() {
		fmt.Printf("BROKEN at row %d: %s (rows %d…%d, %d checked)\n", rep.BrokenAt, rep.Reason, rep.FirstID, rep.LastID, rep.Rows)
		return errChainBroken
	}
	fmt.Printf("ok: %d rows, %d…%d, the chain holds\n", rep.Rows, rep.FirstID, rep.LastID)
	return nil
}
