package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/config"
	"haochaping/internal/testenv"
	"haochaping/seeds/demohistory"
)

func TestDemoFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		nil,
		{"--days", "30"},
		{"--evaluations", "1000"},
		{"--evaluations", "0", "--days", "30"},
		{"--evaluations", "many", "--days", "30"},
		{"--evaluations", "1000", "--days", "0"},
		{"--evaluations", "1000", "--days", "99999"},
		{"--evaluations", "1000000000", "--days", "30"},
		{"--evaluations", "1000", "--days", "30", "--end", "21/11/2025"},
		{"--evaluations", "1000", "--days", "30", "--end", time.Now().AddDate(0, 0, 3).Format(time.DateOnly)},
		{"--evaluations", "1000", "--days", "30", "--seed", "x"},
		{"--evaluations", "1000", "--days", "30", "--chunk", "0"},
		{"--evaluations", "1000", "--days", "30", "extra"},
		{"--unknown"},
	} {
		var out, errOut bytes.Buffer
		err := demoCommand(context.Background(), args, &out, &errOut)
		if !errors.Is(err, errUsage) || !strings.Contains(errOut.String(), "usage: haochaping demo") || out.Len() != 0 {
			t.Errorf("demo %q: error %v, stderr %q, stdout %q", args, err, errOut.String(), out.String())
		}
	}
	o, err := parseDemoFlags([]string{"--evaluations", "20000", "--days", "30", "--seed", "7", "--end", "2025-11-21", "--force",
		"--check-references"}, &bytes.Buffer{})
	if err != nil || o.Evaluations != 20000 || o.Days != 30 || o.Seed != 7 || !o.Force || !o.Checked ||
		!o.End.Equal(time.Date(2025, 11, 21, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("flags: %+v, %v", o, err)
	}
}

// TestDemoRefusesOutsideDemoMode: made-up citizens go only into a demo deployment, unless forced.
func TestDemoRefusesOutsideDemoMode(t *testing.T) {
	t.Parallel()
	if err := demoAllowed(&config.Config{}, false); !errors.Is(err, errDemoOff) {
		t.Errorf("demo mode off: %v, want errDemoOff", err)
	}
	if err := demoAllowed(&config.Config{}, true); err != nil {
		t.Errorf("demo mode off, forced: %v", err)
	}
	if err := demoAllowed(&config.Config{Demo: true}, false); err != nil {
		t.Errorf("demo mode on: %v", err)
	}
}

// TestDemoRun loads a small history through the command: it needs the seeded organisation,
// prints the summary, and refuses a second history unless forced.
func TestDemoRun(t *testing.T) {
	t.Parallel()
	te := testenv.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e := &env{Cfg: te.Cfg, Log: te.Log, DB: te.DB, Keys: te.Keys} // testenv closes the database
	run := func(o demoOptions) (string, string, error) {
		var out, errOut bytes.Buffer
		err := loadDemo(ctx, e, o, &out, &errOut)
		return out.String(), errOut.String(), err
	}
	o := demoOptions{Evaluations: 2_000, Days: 10, Seed: 5, End: time.Date(2025, 11, 21, 0, 0, 0, 0, time.UTC), Chunk: 500}
	if _, _, err := run(o); !errors.Is(err, demohistory.ErrNotSeeded) || !strings.Contains(err.Error(), "haochaping seed") {
		t.Errorf("unseeded: %v, want a hint to run `haochaping seed`", err)
	}
	apptest.Seed(te)
	out, progress, err := run(o)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, progress)
	}
	for _, want := range []string{"2,000 evaluations over 10 days", "evaluations by channel", "active share by region",
		"work orders by state", "evaluations/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("the summary lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(progress, "2,000/2,000 evaluations") {
		t.Errorf("the progress bar did not finish: %q", progress)
	}
	if got := te.Count(`SELECT count(*) FROM evaluations`); got != 2_000 {
		t.Errorf("%d evaluations loaded, want 2000", got)
	}
	if _, _, err := run(o); !errors.Is(err, demohistory.ErrExists) {
		t.Errorf("second history: %v, want ErrExists", err)
	}
	o.Force, o.Quiet = true, true
	if _, progress, err := run(o); err != nil || progress != "" {
		t.Errorf("forced second history, quiet: %v, progress %q", err, progress)
	}
}

// TestDemoReceipt: the demo receipt's link opens the rating page of a case just completed.
func TestDemoReceipt(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, testenv.Beijing(2026, 12, 1, 10, 0, 0))
	var out bytes.Buffer
	if err := demoReceipt(t.Context(), srv.App.Evaluation, &out); err != nil {
		t.Fatal(err)
	}
	_, link, ok := strings.Cut(out.String(), "评价链接: ")
	link, _, _ = strings.Cut(link, "\n")
	if !ok || !strings.HasPrefix(link, srv.URL+"/e/") {
		t.Fatalf("demo receipt printed %q", out.String())
	}
	if r := srv.Raw("GET", strings.TrimPrefix(link, srv.URL), nil, nil); r.Status != 200 || !strings.Contains(string(r.Body), "普通护照签发") {
		t.Errorf("GET %s: %d", link, r.Status)
	}
}
