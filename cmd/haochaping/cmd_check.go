package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"
)

func runCheck(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	window := fs.Duration("window", 5*time.Minute, "how long a bad review may wait for its work order")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	e, a, err := openApp(ctx)
	if err != nil {
		return err
	}
	defer e.Close()
	defer a.Close()
	invariants, err := a.Rectify.Check(ctx, *window)
	if err != nil {
		return err
	}
	broken := 0
	for _, inv := range invariants {
		broken += inv.Broken
	}
	if *asJSON {
		if err := json.NewEncoder(os.Stdout).Encode(map[string]any{"ok": broken == 0, "invariants": invariants}); err != nil {
			return err
		}
	} else {
		for _, inv := range invariants {
			mark := "ok  "
			if inv.Broken > 0 {
				mark = "FAIL"
			}
			fmt.Printf("%s %-33s %s", mark, inv.Name, inv.Rule)
			if inv.Broken > 0 {
				fmt.Printf(" — %d broken, e.g. %v", inv.Broken, inv.Examples)
			}
			fmt.Println()
		}
	}
	if broken > 0 {
		return errors.New("the bad-review loop has broken invariants")
	}
	return nil
}
