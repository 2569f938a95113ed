package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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

// TestTicketLoadThenCheck: ratings of visits by their queue ticket have no case and stage, so
// check proves them by their key — a clean ticket load passes, an acknowledgement of a key never
// stored, or naming another evaluation than the one kept, fails it.
func TestTicketLoadThenCheck(t *testing.T) {
	t.Parallel()
	c, env := newCLI(t, true)
	env.Cfg.RatePerDevice, env.Cfg.RatePerAddress = 0, 0
	apptest.Seed(env)
	srv := apptest.Start(env)
	srv.RunWorker()
	acks := filepath.Join(t.TempDir(), "acks.jsonl")

	out, err := c.run("loadgen", "--url", srv.URL, "--tickets", "--concurrency", "3", "--requests", "40", "--duration", "1m",
		"--repeat", "0.1", "--acks", acks, "--quiet")
	if err != nil || !strings.Contains(out, "no answer     0") || !strings.Contains(out, "refused       0") {
		t.Fatalf("loadgen: %v\n%s", err, out)
	}
	stored := env.Count(`SELECT count(*) FROM evaluations WHERE ticket_no IS NOT NULL`)
	out, err = c.run("check", "--acks", acks, "--settle", "30s", "--window", "0s")
	want := fmt.Sprintf("ratings=%d stored=%d lost=0 duplicated=0", stored, stored)
	if err != nil || !strings.Contains(out, want) {
		t.Fatalf("check after a clean ticket load, want %q: %v\n%s", want, err, out)
	}

	raw, err := os.ReadFile(acks)
	if err != nil {
		t.Fatal(err)
	}
	var some int64
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT min(id) FROM evaluations`).Scan(&some); err != nil {
		t.Fatal(err)
	}
	for name, line := range map[string]string{
		"a key never stored": `{"kind":"ack","key":"window:x:h:never","channel":"window","id":987654321,"status":"created"}`,
		"another evaluation": fmt.Sprintf(`{"kind":"ack","key":%q,"channel":"window","id":%d,"status":"created"}`, firstKey(t, raw), some+100000),
	} {
		forged := filepath.Join(t.TempDir(), "forged.jsonl")
		if err := os.WriteFile(forged, append([]byte(line+"\n"), raw...), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := c.run("check", "--acks", forged)
		if err == nil || !(strings.Contains(out, "lost=1") || strings.Contains(out, "duplicated=1")) {
			t.Fatalf("%s passed the check: %v\n%s", name, err, out)
		}
	}
}

// firstKey is the idempotency key of the first acknowledgement in an acks file.
func firstKey(t *testing.T, raw []byte) string {
	t.Helper()
	var a struct {
		Key string `json:"key"`
	}
	if err := json.Unmarshal(raw[:bytes.IndexByte(raw, '\n')], &a); err != nil || a.Key == "" {
		t.Fatalf("first ack %q: %v", raw[:bytes.IndexByte(raw, '\n')], err)
	}
	return a.Key
}
