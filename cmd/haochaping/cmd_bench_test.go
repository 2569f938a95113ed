package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/bench"
	"haochaping/internal/config"
)

// TestBenchDispatch runs a short benchmark through the command's function: every bad review
// is answered 201 and dispatched once, the invariants hold, and the schema is gone afterwards.
func TestBenchDispatch(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	err := benchCommand(ctx, []string{"dispatch", "--reviews", "200", "--rate", "0", "--clients", "8", "--json"}, &out, &errOut)
	if err != nil {
		t.Fatalf("bench dispatch: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	var r bench.DispatchReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("the report is not JSON: %v\n%s", err, out.String())
	}
	if r.Ingest.Sent != 200 || r.Ingest.Created != 200 || len(r.Ingest.Statuses) != 0 || r.Ingest.NoAnswer != 0 {
		t.Errorf("ingest: %+v", r.Ingest)
	}
	if r.Dispatch.BadReviews != 200 || r.Dispatch.WorkOrders != 200 {
		t.Errorf("dispatched %d work orders for %d bad reviews, want 200 for 200", r.Dispatch.WorkOrders, r.Dispatch.BadReviews)
	}
	if !r.InvariantsHold || !r.OK || len(r.Problems) != 0 || len(r.Invariants) == 0 {
		t.Errorf("invariants hold %v, ok %v, problems %v, invariants %+v", r.InvariantsHold, r.OK, r.Problems, r.Invariants)
	}
	d := r.Dispatch
	if !(d.P50ms > 0 && d.P50ms <= d.P90ms && d.P90ms <= d.P99ms && d.P99ms <= d.Maxms) {
		t.Errorf("latencies out of order: %+v", d)
	}
	if r.Ingest.HTTPP50ms <= 0 || r.Ingest.Throughput <= 0 || r.Machine.CPUs < 1 || r.Machine.PostgreSQL == "" {
		t.Errorf("figures missing: ingest %+v machine %+v", r.Ingest, r.Machine)
	}
	if r.Goal.Tested != true || r.SchemaKept || !strings.HasPrefix(r.Schema, "bench_") {
		t.Errorf("goal %+v, schema %s kept %v", r.Goal, r.Schema, r.SchemaKept)
	}
	if schemaExists(t, r.Schema) {
		t.Errorf("schema %s was not dropped", r.Schema)
	}
}

func schemaExists(t *testing.T, schema string) bool {
	t.Helper()
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	return exists
}

func TestBenchUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		nil,
		{"ingest"},
		{"dispatch", "--rate", "-1"},
		{"dispatch", "--clients", "0"},
		{"dispatch", "--reviews", "many"},
		{"dispatch", "extra"},
	} {
		var out, errOut bytes.Buffer
		err := benchCommand(context.Background(), args, &out, &errOut)
		if !errors.Is(err, errUsage) || !strings.Contains(errOut.String(), "usage: haochaping bench dispatch") || out.Len() != 0 {
			t.Errorf("bench %q: error %v, stderr %q, stdout %q", args, err, errOut.String(), out.String())
		}
	}
}

// TestBenchRaw runs the naive baseline for two seconds: every rating committed (none failed),
// the last line in loadgen's form, the schema dropped; a bad flag is refused.
func TestBenchRaw(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if err := benchCommand(context.Background(), []string{"raw", "--duration", "2s", "--concurrency", "4"}, &out, &errOut); err != nil {
		t.Fatalf("bench raw: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var throughput, p50, p99 float64
	if n, err := fmt.Sscanf(lines[len(lines)-1], "throughput=%f/s p50=%f p99=%f", &throughput, &p50, &p99); n != 3 || err != nil ||
		throughput <= 0 || p50 <= 0 || p99 < p50 {
		t.Fatalf("the last line %q: %v", lines[len(lines)-1], err)
	}
	var committed, failed int
	var schema string
	for _, l := range lines {
		if strings.HasPrefix(l, "ratings committed") {
			fmt.Sscanf(l, "ratings committed %d, failed %d", &committed, &failed)
		}
		if i := strings.Index(l, "schema "); i >= 0 {
			schema = strings.TrimSpace(l[i+len("schema "):])
		}
	}
	if committed == 0 || failed != 0 {
		t.Errorf("committed %d, failed %d", committed, failed)
	}
	if !strings.HasPrefix(schema, "bench_") || schemaExists(t, schema) {
		t.Errorf("schema %q not dropped", schema)
	}
	if err := benchCommand(context.Background(), []string{"raw", "--concurrency", "0"}, &out, &errOut); !errors.Is(err, errUsage) {
		t.Errorf("--concurrency 0: %v", err)
	}
}
