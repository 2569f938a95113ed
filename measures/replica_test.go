package measures_test

import (
	"bytes"
	"context"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/internal/database"
	"haochaping/internal/testenv"
	"haochaping/measures"
)

// replicaDataset writes a month of ratings on the primary — enough for the department to be
// ranked — and counts them into the rollups and rankings there, as the jobs do.
func replicaDataset(t *testing.T, env *testenv.Env) (*measures.Service, measures.Query, measures.RankingQuery) {
	t.Helper()
	apptest.Seed(env)
	d := newDataset(t, env)
	channels := []string{"window", "pc", "mobile", "kiosk"}
	for i := 0; i < measures.DefaultRankingMinEvaluations+6; i++ {
		day := "2026-11-" + twoDigits(1+i%28)
		d.evaluation(ev{rated: at(day, "10:00:00"), level: 1 + i%5, active: i%3 != 0, realName: i%4 == 0, channel: channels[i%4]})
	}
	primary := &measures.Service{DB: env.DB, Now: env.Clock.Now}
	ctx := context.Background()
	env.RollUp(primary)
	if _, err := primary.RecountCases(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := primary.RollUpRectification(ctx); err != nil {
		t.Fatal(err)
	}
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if n, err := primary.ComputeRankings(ctx, month); err != nil || n == 0 {
		t.Fatalf("rankings of November: %d rows, %v", n, err)
	}
	city := access.Scope{Kind: "region", ID: d.region}
	q := measures.Query{From: month, To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Scope: city}
	return primary, q, measures.RankingQuery{Month: month, Kind: measures.RankDepartment, Scope: city}
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// dashboardFigures are what the office dashboard reads through the measures: the cards, the
// trend, the channel mix, the department ranking and the rows behind a card.
type dashboardFigures struct {
	Overview map[string]measures.Measure
	Trend    []measures.TrendPoint
	Mix      map[string]int64
	Rankings []measures.Ranking
	Rows     measures.RowsPage
	Regions  []measures.Region
}

func figuresOf(t *testing.T, svc *measures.Service, q measures.Query, rq measures.RankingQuery) dashboardFigures {
	t.Helper()
	ctx := context.Background()
	var f dashboardFigures
	var err error
	if f.Overview, err = svc.Overview(ctx, q); err != nil {
		t.Fatalf("overview: %v", err)
	}
	if f.Trend, err = svc.Trend(ctx, q, "day"); err != nil {
		t.Fatalf("trend: %v", err)
	}
	if f.Mix, err = svc.ChannelMix(ctx, q); err != nil {
		t.Fatalf("channel mix: %v", err)
	}
	if f.Rankings, err = svc.Rankings(ctx, rq); err != nil {
		t.Fatalf("rankings: %v", err)
	}
	if f.Rows, err = svc.Rows(ctx, measures.RowsQuery{Query: q, Measure: "active_rate", Part: measures.PartNumerator, Page: 1, PerPage: 10}); err != nil {
		t.Fatalf("rows: %v", err)
	}
	if f.Regions, err = svc.Regions(ctx); err != nil {
		t.Fatalf("regions: %v", err)
	}
	return f
}

func TestDashboardMeasuresReadOnTheReplicaEqualThePrimarys(t *testing.T) {
	replicaURL := testenv.RequireReplica(t)
	t.Parallel()
	env := testenv.New(t)
	primary, q, rq := replicaDataset(t, env)
	ctx := context.Background()
	replicaURL = env.ReplicaURL(replicaURL) // the test's schema, once the replica has replayed it
	replica, err := database.OpenReplica(replicaURL, env.DB, env.Log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(replica.Close)
	reports := primary.OnReplica(replica)

	want := figuresOf(t, primary, q, rq)
	if want.Overview["total_evaluations"].Numerator != float64(measures.DefaultRankingMinEvaluations+6) || len(want.Rankings) == 0 || want.Rows.Total == 0 {
		t.Fatalf("the primary's figures are not the dataset's: total %v, %d rankings, %d rows",
			want.Overview["total_evaluations"].Numerator, len(want.Rankings), want.Rows.Total)
	}
	got := figuresOf(t, reports, q, rq)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the replica's figures differ from the primary's:\nreplica: %+v\nprimary: %+v", got, want)
	}

	// Where they were read: the pool the measures read through is a server in recovery, the
	// replica, and the dashboard says so.
	inRecovery, err := replica.InRecovery(ctx)
	if err != nil || !inRecovery {
		t.Fatalf("pg_is_in_recovery() on the measures' pool = %v, %v; want true (the replica)", inRecovery, err)
	}
	src, err := reports.ReadSource(ctx)
	if err != nil || !src.Replica || src.Fallback {
		t.Fatalf("read source = %+v, %v; want the replica", src, err)
	}
	var primaryInRecovery bool
	if err := env.DB.Pool.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&primaryInRecovery); err != nil || primaryInRecovery {
		t.Fatalf("pg_is_in_recovery() on the primary = %v, %v; want false", primaryInRecovery, err)
	}
}

// syncBuffer is a log's output that the test reads while the code writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestDashboardMeasuresFallBackToThePrimaryWhenTheReplicaIsUnreachable(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	primary, q, rq := replicaDataset(t, env)
	ctx := context.Background()

	var logged syncBuffer
	replica, err := database.OpenReplica(testenv.UnreachableURL(t, env.Cfg.DatabaseURL), env.DB, slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(replica.Close)
	reports := primary.OnReplica(replica)

	want := figuresOf(t, primary, q, rq)
	// Twice: the first read finds the replica down, the second goes to the primary at once.
	for i := 0; i < 2; i++ {
		if got := figuresOf(t, reports, q, rq); !reflect.DeepEqual(got, want) {
			t.Fatalf("read %d with the replica down differs from the primary's:\ngot:  %+v\nwant: %+v", i+1, got, want)
		}
	}
	// Said once; and tried once: within ReplicaRetry the reads go straight to the primary
	// (a further try would log "still unreachable").
	if n, again := strings.Count(logged.String(), "replica unreachable"), strings.Count(logged.String(), "still unreachable"); n != 1 || again != 0 {
		t.Fatalf("the outage was logged %d times and retried %d times, want once and never:\n%s", n, again, logged.String())
	}
	inRecovery, err := replica.InRecovery(ctx)
	if err != nil || inRecovery {
		t.Fatalf("pg_is_in_recovery() on the measures' pool = %v, %v; want false (the primary)", inRecovery, err)
	}
	src, err := reports.ReadSource(ctx)
	if err != nil || src.Replica || !src.Fallback {
		t.Fatalf("read source = %+v, %v; want the primary, as a fallback", src, err)
	}
}
