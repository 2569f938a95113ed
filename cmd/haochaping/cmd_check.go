package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"haochaping/app"
	"haochaping/evaluation"
	"haochaping/internal/database"
	"haochaping/jobs"
	"haochaping/loadgen"
	"haochaping/rectify"
)

const checkUsage = `usage: haochaping check [--window 5m] [--acks FILE] [--settle 3m] [--json]

Checks the invariants of the bad-review loop (件件有回访、件件有整改、件件有记录: every bad review
one work order, …) and that no job ran twice for one tick. With --acks (the file of
"haochaping loadgen --acks"), also that every acknowledged rating is stored exactly once, and
reports sent / acknowledged / stored / lost / duplicated. --settle first waits, up to its
duration, until the outbox is drained and every bad review has its work order. Exits 1 when
anything is broken, lost or duplicated.`

// checkReport is what check found; the JSON of --json.
type checkReport struct {
	OK             bool                 `json:"ok"`
	Invariants     []rectify.Invariant  `json:"invariants"`
	JobTicks       int                  `json:"job_ticks"`
	DuplicateTicks []jobs.DuplicateTick `json:"duplicate_ticks"`
	Backlog        rectify.Backlog      `json:"backlog"`
	Acks           *evaluation.AckCheck `json:"acks,omitempty"`
	Load           *loadgen.Summary     `json:"load,omitempty"` // what the load said it sent
	Figures        *faultFigures        `json:"figures,omitempty"`
	Problems       []string             `json:"problems"`
}

// faultFigures are the figures of a fault run.
type faultFigures struct {
	Sent           int `json:"sent"`         // ratings sent, repeats too; -1: the acks file has no summary (the load was interrupted)
	Acknowledged   int `json:"acknowledged"` // answers that acknowledged a rating, repeats too
	Ratings        int `json:"ratings"`      // distinct ratings (case and stage) acknowledged: what stored, lost and duplicated count
	Stored         int `json:"stored"`
	Lost           int `json:"lost"`
	Duplicated     int `json:"duplicated"`
	BadReviews     int `json:"bad_reviews"`
	WorkOrders     int `json:"work_orders"`
	DuplicateTicks int `json:"duplicate_ticks"`
}

func runCheck(ctx context.Context, args []string) error {
	return checkCommand(ctx, args, os.Stdout, os.Stderr)
}

func checkCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, checkUsage+"\n\nflags:"); fs.PrintDefaults() }
	window := fs.Duration("window", 5*time.Minute, "how long a bad review may wait for its work order")
	acksFile := fs.String("acks", "", "the acknowledged ratings of a load (haochaping loadgen --acks)")
	settle := fs.Duration("settle", 0, "first wait up to this long for the outbox to drain and every bad review's work order")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	var acks []loadgen.Ack
	var summary *loadgen.Summary
	if *acksFile != "" {
		var err error
		if acks, summary, err = loadgen.ReadAcks(*acksFile); err != nil {
			return err
		}
	}
	e, a, err := openApp(ctx)
	if err != nil {
		return err
	}
	defer e.Close()
	defer a.Close()
	if *settle > 0 {
		if err := awaitBacklog(ctx, a, *settle, stderr); err != nil {
			return err
		}
	}
	r, err := check(ctx, a, e.DB, *window, acks, summary, *acksFile != "")
	if err != nil {
		return err
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(r); err != nil {
			return err
		}
	} else {
		printCheck(stdout, r)
	}
	if !r.OK {
		return errors.New("the check failed")
	}
	return nil
}

// check runs every check and judges the report.
func check(ctx context.Context, a *app.App, db *database.DB, window time.Duration, acks []loadgen.Ack, summary *loadgen.Summary, withAcks bool) (*checkReport, error) {
	r := &checkReport{Problems: []string{}, Load: summary}
	var err error
	if r.Invariants, err = a.Rectify.Check(ctx, window); err != nil {
		return nil, err
	}
	if r.DuplicateTicks, r.JobTicks, err = a.Scheduler().DuplicateTicks(ctx); err != nil {
		return nil, err
	}
	if r.Backlog, err = a.Rectify.Backlog(ctx); err != nil {
		return nil, err
	}
	for _, inv := range r.Invariants {
		if inv.Broken > 0 {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: %d broken", inv.Name, inv.Broken))
		}
	}
	if n := len(r.DuplicateTicks); n > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("%d job ticks ran more than once", n))
	}
	if withAcks {
		// Ratings of a case are proven by their case and stage; ratings of a visit by its
		// ticket (loadgen --tickets) have neither, and are proven by their key.
		var rated []evaluation.AckedRating
		var tickets []loadgen.Ack
		for _, ack := range acks {
			if ack.CaseNo == "" {
				tickets = append(tickets, ack)
				continue
			}
			rated = append(rated, evaluation.AckedRating{CaseNo: ack.CaseNo, Stage: evaluation.Stage(ack.Stage), ID: ack.ID})
		}
		if r.Acks, err = a.Evaluation.CheckAcknowledged(ctx, rated); err != nil {
			return nil, err
		}
		if err := checkTicketAcks(ctx, db, tickets, r.Acks); err != nil {
			return nil, err
		}
		f := &faultFigures{Sent: -1, Acknowledged: r.Acks.Answers, Ratings: r.Acks.Acknowledged, Stored: r.Acks.Stored, Lost: r.Acks.Lost,
			Duplicated: r.Acks.Duplicated, BadReviews: r.Backlog.BadReviews, WorkOrders: r.Backlog.WorkOrders,
			DuplicateTicks: len(r.DuplicateTicks)}
		if summary != nil {
			f.Sent = summary.Sent
		}
		r.Figures = f
		if f.Lost > 0 {
			r.Problems = append(r.Problems, fmt.Sprintf("%d acknowledged ratings lost", f.Lost))
		}
		if f.Duplicated > 0 {
			r.Problems = append(r.Problems, fmt.Sprintf("%d acknowledged ratings stored or answered more than once", f.Duplicated))
		}
	}
	r.OK = len(r.Problems) == 0
	return r, nil
}

// awaitBacklog polls until the relay and the dispatcher have caught up, or until wait passes
// (then the check runs anyway, and says what is missing).
func awaitBacklog(ctx context.Context, a *app.App, wait time.Duration, stderr io.Writer) error {
	deadline := time.Now().Add(wait)
	for {
		b, err := a.Rectify.Backlog(ctx)
		if err != nil {
			return err
		}
		if b.Done() {
			fmt.Fprintf(stderr, "check: the loop has caught up: %d bad reviews, %d work orders\n", b.BadReviews, b.WorkOrders)
			return nil
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(stderr, "check: after %v still %d outbox rows unsent, %d bad reviews without a work order\n",
				wait, b.Unpublished, b.WithoutWorkOrder)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func printCheck(w io.Writer, r *checkReport) {
	for _, inv := range r.Invariants {
		mark := "ok  "
		if inv.Broken > 0 {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s %-33s %s", mark, inv.Name, inv.Rule)
		if inv.Broken > 0 {
			fmt.Fprintf(w, " — %d broken, e.g. %v", inv.Broken, inv.Examples)
		}
		fmt.Fprintln(w)
	}
	mark := "ok  "
	if len(r.DuplicateTicks) > 0 {
		mark = "FAIL"
	}
	fmt.Fprintf(w, "%s %-33s 每个定时任务每个时点只运行一次（%d 个时点）", mark, "job_tick_twice", r.JobTicks)
	if n := len(r.DuplicateTicks); n > 0 {
		fmt.Fprintf(w, " — %d ran twice, e.g. %s at %s", n, r.DuplicateTicks[0].Job, r.DuplicateTicks[0].Tick.Format(time.RFC3339))
	}
	fmt.Fprintln(w)
	if r.Acks != nil {
		mark = "ok  "
		if r.Acks.Lost > 0 || r.Acks.Duplicated > 0 {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s %-33s 每条已确认的评价都已保存且只保存一次\n", mark, "acknowledged_stored_once")
		for _, e := range r.Acks.LostExamples {
			fmt.Fprintf(w, "     lost: %s\n", e)
		}
		for _, e := range r.Acks.DuplicatedExamples {
			fmt.Fprintf(w, "     duplicated: %s\n", e)
		}
	}
	if f := r.Figures; f != nil {
		sent := fmt.Sprint(f.Sent)
		if f.Sent < 0 {
			sent = "unknown"
		}
		fmt.Fprintf(w, "sent=%s acknowledged=%d ratings=%d stored=%d lost=%d duplicated=%d bad_reviews=%d work_orders=%d duplicate_ticks=%d\n",
			sent, f.Acknowledged, f.Ratings, f.Stored, f.Lost, f.Duplicated, f.BadReviews, f.WorkOrders, f.DuplicateTicks)
	}
}
