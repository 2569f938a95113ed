package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"haochaping/app/apptest"
)

// TestLoadgenThenCheck runs the two commands as the fault run does: loadgen against a server
// (its demo devices' secrets read from the database in demo mode), then check --acks, which
// passes; then a forged acknowledgement of a rating never stored, and a job tick run twice,
// each of which must fail the check.
func TestLoadgenThenCheck(t *testing.T) {
	t.Parallel()
	c, env := newCLI(t, true)
	env.Cfg.RatePerDevice, env.Cfg.RatePerAddress = 0, 0
	apptest.Seed(env)
	srv := apptest.Start(env)
	srv.RunWorker()
	acks := filepath.Join(t.TempDir(), "acks.jsonl")

	out, err := c.run("loadgen", "--url", srv.URL, "--concurrency", "3", "--requests", "60", "--duration", "1m",
		"--repeat", "0.1", "--acks", acks, "--quiet")
	if err != nil {
		t.Fatalf("loadgen: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(lines[len(lines)-1], "throughput=") || !strings.Contains(out, "no answer     0") || !strings.Contains(out, "refused       0") {
		t.Fatalf("loadgen output:\n%s", out)
	}

	out, err = c.run("check", "--acks", acks, "--settle", "30s", "--window", "0s")
	if err != nil || !strings.Contains(out, "lost=0 duplicated=0") || !strings.Contains(out, "duplicate_ticks=0") {
		t.Fatalf("check after a clean load: %v\n%s", err, out)
	}

	forged := filepath.Join(t.TempDir(), "forged.jsonl")
	raw, err := os.ReadFile(acks)
	if err != nil {
		t.Fatal(err)
	}
	raw = append([]byte(`{"kind":"ack","key":"window:x:h:never","channel":"window","case_no":"NEVER-STORED","stage":"complete","id":987654321,"status":"created"}`+"\n"), raw...)
	if err := os.WriteFile(forged, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := c.run("check", "--acks", forged, "--json"); err == nil || !strings.Contains(out, `"lost":1`) {
		t.Fatalf("a lost rating passed the check: %v\n%s", err, out)
	}

	env.Exec(`ALTER TABLE job_runs DROP CONSTRAINT job_runs_job_tick_key`)
	env.Exec(`INSERT INTO job_runs (job, tick, instance, outcome) VALUES ('rollups', '2026-11-25T02:00:30Z', 'a:1', 'ok'), ('rollups', '2026-11-25T02:00:30Z', 'b:2', 'ok')`)
	if out, err := c.run("check", "--acks", acks); err == nil || !strings.Contains(out, "duplicate_ticks=1") || !strings.Contains(out, "FAIL job_tick_twice") {
		t.Fatalf("a tick run twice passed the check: %v\n%s", err, out)
	}
}
