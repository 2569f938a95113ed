package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"haochaping/internal/bjtime"
)

func runJobs(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "run") || (args[0] == "run" && len(args) != 2) {
		fmt.Fprintln(os.Stderr, "usage: haochaping jobs list [--json] | haochaping jobs run NAME")
		return errUsage
	}
	e, a, err := openApp(ctx)
	if err != nil {
		return err
	}
	defer e.Close()
	defer a.Close()
	s := a.Scheduler()
	if args[0] == "run" {
		r, err := s.RunNow(ctx, args[1])
		if r != nil {
			fmt.Printf("%s: %s, %d rows, %v\n", r.Job, r.Outcome, r.Rows, r.Duration().Round(time.Millisecond))
		}
		return err
	}
	last, err := s.LastRuns(ctx)
	if err != nil {
		return err
	}
	if len(args) > 1 && args[1] == "--json" {
		type row struct {
			Name     string `json:"name"`
			Schedule string `json:"schedule"`
			Summary  string `json:"summary"`
			LastRun  any    `json:"last_run"`
		}
		var out []row
		for _, j := range s.Jobs() {
			out = append(out, row{j.Name, j.Schedule, j.Summary, last[j.Name]})
		}
		return json.NewEncoder(os.Stdout).Encode(out)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "JOB\tSCHEDULE (Asia/Shanghai)\tLAST RUN\tOUTCOME\tROWS\tTOOK\tSUMMARY")
	for _, j := range s.Jobs() {
		r := last[j.Name]
		if r == nil {
			fmt.Fprintf(w, "%s\t%s\tnever\t\t\t\t%s\n", j.Name, j.Schedule, j.Summary)
			continue
		}
		outcome := r.Outcome
		if r.Error != "" {
			outcome += ": " + r.Error
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%v\t%s\n", j.Name, j.Schedule,
			r.StartedAt.In(bjtime.Location).Format("2006-01-02 15:04:05"), outcome, r.Rows, r.Duration().Round(time.Millisecond), j.Summary)
	}
	return w.Flush()
}
