package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"

	"haochaping/app"
)

const keysUsage = `usage: haochaping keys rotate [--batch N] | keys status

  rotate  re-seals every sealed value (names, phones, ID numbers, device secrets, free text in
          full) under HAOCHAPING_DATA_KEY and recomputes the keyed hashes (phone and ID
          indexes), opening what older keys sealed with HAOCHAPING_DATA_KEY_PREVIOUS. Progress
          on stderr, per table. Safe to kill and run again: each value names its key, so a
          rerun takes only what is still under an old one; a finished rotation changes nothing.
  status  how many sealed values each table holds under each key id ("current" marks the key
          of HAOCHAPING_DATA_KEY; "v1": sealed before keys had ids).`

func runKeys(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "rotate" && args[0] != "status") {
		fmt.Fprintln(os.Stderr, keysUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	batch := fs.Int("batch", 500, "rows a transaction")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	e, err := open(ctx, needs{Keys: true})
	if err != nil {
		return err
	}
	defer e.Close()
	if args[0] == "rotate" {
		fmt.Fprintf(os.Stderr, "keys rotate: to key %08x\n", e.Keys.CurrentID())
		if err := app.RotateKeys(ctx, e.DB, e.Keys, *batch, os.Stderr); err != nil {
			return err
		}
		fmt.Println("every sealed value is under the current key; HAOCHAPING_DATA_KEY_PREVIOUS may now be removed")
		return nil
	}
	counts, err := app.KeyStatus(ctx, e.DB, e.Keys)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tCOLUMN\tKEY\tVALUES")
	for _, c := range counts {
		key := c.KeyID
		if c.Current {
			key += " (current)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", c.Table, c.Column, key, c.Values)
	}
	return tw.Flush()
}

func runPII(ctx context.Context, args []string) error {
	if len(args) != 1 || args[0] != "seal-text" {
		fmt.Fprintln(os.Stderr, `usage: haochaping pii seal-text

Masks the free text written in clear before it was stored masked (comments, ledger reports,
work-order reasons and notices) and seals the originals. Safe to kill and run again. The
timeline's events written before are append-only: they stay, masked whenever read.`)
		return errUsage
	}
	e, a, err := openApp(ctx)
	if err != nil {
		return err
	}
	defer e.Close()
	defer a.Close()
	if err := a.SealFreeText(ctx, os.Stderr); err != nil {
		return err
	}
	fmt.Println("free text sealed and masked")
	return nil
}
