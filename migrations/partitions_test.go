package migrations_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"

	"haochaping/app/apptest"
	"haochaping/internal/bjtime"
	"haochaping/internal/testenv"
)

// windowRating inserts, as the owner, a window visit rated on day (Beijing), and returns its id.
func windowRating(t *testing.T, env *testenv.Env, key string, day time.Time) int64 {
	t.Helper()
	served := bjtime.StartOfDay(day).Add(10 * time.Hour)
	var id int64
	if err := env.Owner.Pool.QueryRow(context.Background(), `
		INSERT INTO evaluations (idem_key, channel, ticket_no, service_day, region_id, department_id, hall_id, window_id,
		                         level, active, real_name, served_at, rated_at)
		SELECT $1, 'window', 'T' || left(md5($1), 20), $2::date, h.region_id, w.department_id, w.hall_id, w.id, 5, true, false, $3, $3
		FROM windows w JOIN halls h ON h.id = w.hall_id WHERE w.code = $4
		RETURNING id`, key, day, served, apptest.CityWindow).Scan(&id); err != nil {
		t.Fatalf("insert rating %s of %s: %v", key, day.Format("2006-01-02"), err)
	}
	return id
}

func partitionOf(t *testing.T, env *testenv.Env, id int64) string {
	t.Helper()
	var part string
	if err := env.Owner.Pool.QueryRow(context.Background(), `SELECT tableoid::regclass::text FROM evaluations WHERE id = $1`, id).Scan(&part); err != nil {
		t.Fatal(err)
	}
	return part
}

// refused runs sql as the owner and checks PostgreSQL refused it with SQLSTATE code.
func refused(t *testing.T, env *testenv.Env, code, what, sql string, args ...any) {
	t.Helper()
	_, err := env.Owner.Pool.Exec(context.Background(), sql, args...)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != code {
		t.Errorf("%s: %v, want refused with SQLSTATE %s", what, err, code)
		return
	}
	t.Logf("%s: refused: %s", what, pe.Message)
}

// TestEvaluationsArePartitionedByMonth: evaluations is partitioned by range of service_day, one
// partition a month from this month to 12 ahead and a DEFAULT; a row lands in its month's
// partition, a row of a month not made yet in DEFAULT, and ensure_evaluation_partitions — which
// the application's role may call — makes that month and moves the row there, keeping its id.
func TestEvaluationsArePartitionedByMonth(t *testing.T) {
	t.Parallel()
	env, _ := apptest.Serve(t, time.Now())
	ctx := context.Background()
	var strategy, key string
	if err := env.Owner.Pool.QueryRow(ctx, `SELECT p.partstrat::text, pg_get_partkeydef(p.partrelid) FROM pg_partitioned_table p
		WHERE p.partrelid = 'evaluations'::regclass`).Scan(&strategy, &key); err != nil {
		t.Fatalf("evaluations is not partitioned: %v", err)
	}
	if strategy != "r" || key != "RANGE (service_day)" {
		t.Fatalf("partitioned by %s %s, want RANGE (service_day)", strategy, key)
	}
	parts := map[string]string{}
	rows, err := env.Owner.Pool.Query(ctx, `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'evaluations'::regclass`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, bound string
		if err := rows.Scan(&name, &bound); err != nil {
			t.Fatal(err)
		}
		parts[name] = bound
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if parts["evaluations_default"] != "DEFAULT" {
		t.Errorf("no DEFAULT partition: %v", parts)
	}
	partition := func(m time.Time) string { return fmt.Sprintf("evaluations_y%04dm%02d", m.Year(), m.Month()) }
	today := bjtime.Day(time.Now())
	month := today.AddDate(0, 0, 1-today.Day())
	if _, ok := parts[partition(month.AddDate(0, 12, 0))]; !ok {
		// The migration counted its months from the database's clock as it ran; a month's turn
		// in Beijing since then moves this clock's month on, not the migration's.
		month = month.AddDate(0, -1, 0)
	}
	for i := 0; i <= 12; i++ {
		m := month.AddDate(0, i, 0)
		name := partition(m)
		want := fmt.Sprintf("FOR VALUES FROM ('%s') TO ('%s')", m.Format("2006-01-02"), m.AddDate(0, 1, 0).Format("2006-01-02"))
		if parts[name] != want {
			t.Errorf("partition %s: %q, want %q", name, parts[name], want)
		}
	}

	// Rows land in their month.
	next := month.AddDate(0, 1, 14)
	for _, day := range []time.Time{today, next} {
		id := windowRating(t, env, "part:"+day.Format("20060102"), day)
		if got, want := partitionOf(t, env, id), fmt.Sprintf("evaluations_y%04dm%02d", day.Year(), day.Month()); got != want {
			t.Errorf("rating of %s is in %s, want %s", day.Format("2006-01-02"), got, want)
		}
	}

	// A month not made lands in DEFAULT (no insert fails), and is moved out by the next run.
	old := bjtime.Date(2001, 2, 3)
	id := windowRating(t, env, "part:old", old)
	if got := partitionOf(t, env, id); got != "evaluations_default" {
		t.Fatalf("rating of 2001-02-03 is in %s, want evaluations_default", got)
	}
	env.Exec(`INSERT INTO outbox (topic, evaluation_id) VALUES ('bad_review', $1)`, id)
	ensure := func() (made int, err error) { // as the application's role
		err = env.DB.Pool.QueryRow(ctx, `SELECT ensure_evaluation_partitions($1::date)`, today.AddDate(0, 12, 0)).Scan(&made)
		return made, err
	}
	made, err := ensure()
	if err != nil {
		t.Fatalf("the application's role runs ensure_evaluation_partitions: %v", err)
	}
	if made != 1 {
		t.Errorf("ensure_evaluation_partitions made %d partitions, want 1 (2001-02)", made)
	}
	if got := partitionOf(t, env, id); got != "evaluations_y2001m02" {
		t.Errorf("after ensure, the rating of 2001-02-03 is in %s, want evaluations_y2001m02", got)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations_default`); n != 0 {
		t.Errorf("DEFAULT still holds %d rows", n)
	}
	// The moved row is the same evaluation, and the partition has every trigger back.
	refused(t, env, "23001", "delete of the moved row", `DELETE FROM evaluations WHERE id = $1`, id)
	var enabled int
	if err := env.Owner.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_trigger WHERE tgrelid = 'evaluations_y2001m02'::regclass
		AND tgname IN ('evaluations_case_stage_day', 'evaluations_immutable_id') AND tgenabled = 'O'`).Scan(&enabled); err != nil || enabled != 2 {
		t.Errorf("the new partition's triggers: %d enabled, %v; want 2", enabled, err)
	}
	if made, err := ensure(); err != nil || made != 0 {
		t.Errorf("a second run: made %d, %v; want 0", made, err)
	}
	// The new ids go on after the old ones.
	if next := windowRating(t, env, "part:after", today); next <= id {
		t.Errorf("new id %d not after %d", next, id)
	}
}

// TestOneEvaluationPerCaseAndStage: the unique key holds the service day, and the trigger holds
// the day to the case's: a second evaluation of a case and stage is refused whatever day it
// claims, and a first one claiming another day than the case's is refused too.
func TestOneEvaluationPerCaseAndStage(t *testing.T) {
	t.Parallel()
	now := time.Now()
	env, srv := apptest.Serve(t, now)
	completed := now.Add(-2 * time.Hour)
	srv.PushCase(apptest.Case("PART-CASE", completed))
	day := bjtime.Day(completed)
	insert := `INSERT INTO evaluations (idem_key, channel, case_id, stage, service_day, region_id, department_id, level, active, real_name, served_at, rated_at)
		SELECT $1, 'pc', c.id, 'complete', $2::date, c.region_id, c.department_id, 5, true, false, c.completed_at, c.completed_at
		FROM cases c WHERE c.case_no = 'PART-CASE'`
	refused(t, env, "23514", "a first rating claiming another day than the case's", insert, "part:wrong-day", day.AddDate(0, 0, -40))
	env.Exec(insert, "part:first", day)
	refused(t, env, "23505", "a second rating of the case and stage on its day", insert, "part:second", day)
	refused(t, env, "23514", "a second rating claiming another service day", insert, "part:second-other", day.AddDate(0, 1, 0))
	// Its system corrects the case's completion to another day: the standing rating still counts.
	env.Exec(`UPDATE cases SET completed_at = completed_at + interval '35 days' WHERE case_no = 'PART-CASE'`)
	refused(t, env, "23505", "a second rating on the case's corrected day", insert, "part:corrected", bjtime.Day(completed.Add(35*24*time.Hour)))
	if n := env.Count(`SELECT count(*) FROM evaluations e JOIN cases c ON c.id = e.case_id WHERE c.case_no = 'PART-CASE'`); n != 1 {
		t.Errorf("%d evaluations of the case, want 1", n)
	}
	// Updates of other columns of the standing row are not held to the corrected day.
	env.Exec(`UPDATE evaluations SET comment = 'x' WHERE idem_key = 'part:first'`)
}

// TestEvaluationReferencesAndDeletes: the constraint triggers that replaced the foreign keys to
// evaluations(id) refuse a reference to no evaluation, on insert and on update; evaluations
// refuses DELETE, TRUNCATE and an update of id, so a reference once checked holds.
func TestEvaluationReferencesAndDeletes(t *testing.T) {
	t.Parallel()
	env, _ := apptest.Serve(t, time.Now())
	id := windowRating(t, env, "ref:1", bjtime.Day(time.Now()))
	missing := id + 1_000_000
	for _, c := range []struct{ what, sql string }{
		{"outbox", `INSERT INTO outbox (topic, evaluation_id) VALUES ('bad_review', $1)`},
		{"upward_reports", `INSERT INTO upward_reports (evaluation_id, batch_id, timely) VALUES ($1, 'b', true)`},
		{"upward_records", `INSERT INTO upward_records (evaluation_id, assess_number, project_no) VALUES ($1::bigint, 1, 'p-' || $1::text)`},
		{"evaluation_supersessions.default_id", `INSERT INTO evaluation_supersessions (default_id, evaluation_id, at) VALUES ($1, ` + fmt.Sprint(id) + `, now())`},
		{"evaluation_supersessions.evaluation_id", `INSERT INTO evaluation_supersessions (default_id, evaluation_id, at) VALUES (` + fmt.Sprint(id) + `, $1, now())`},
	} {
		refused(t, env, "23503", c.what+" naming no evaluation", c.sql, missing)
	}
	env.Exec(`INSERT INTO outbox (topic, evaluation_id) VALUES ('bad_review', $1)`, id)
	refused(t, env, "23503", "outbox updated to no evaluation", `UPDATE outbox SET evaluation_id = $1`, missing)
	refused(t, env, "23001", "delete of an evaluation", `DELETE FROM evaluations WHERE id = $1`, id)
	refused(t, env, "23001", "update of an evaluation's id", `UPDATE evaluations SET id = $1 WHERE id = $2`, missing, id)
	refused(t, env, "23001", "truncate of evaluations", `TRUNCATE evaluations CASCADE`)
	// The work order's reference, through the dispatcher's own path, is checked the same way.
	var trigs int
	if err := env.Owner.Pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_trigger
		WHERE tgname = 'work_orders_evaluation_id_fkey' AND tgrelid = 'work_orders'::regclass AND tgconstraint <> 0`).Scan(&trigs); err != nil || trigs != 1 {
		t.Errorf("work_orders' constraint trigger: %d, %v", trigs, err)
	}
	if n := env.Count(`SELECT count(*) FROM pg_constraint WHERE confrelid = 'evaluations'::regclass`); n != 0 {
		t.Errorf("%d foreign keys still reference evaluations", n)
	}
}

// TestPartitionMigrationDownAndUp: the migration's copy both ways keeps every row, its id and
// its references, and the identity goes on after them.
func TestPartitionMigrationDownAndUp(t *testing.T) {
	t.Parallel()
	env, _ := apptest.Serve(t, time.Now())
	ctx := context.Background()
	today := bjtime.Day(time.Now())
	a := windowRating(t, env, "mig:a", today)
	b := windowRating(t, env, "mig:b", bjtime.Date(2003, 3, 3)) // in DEFAULT
	env.Exec(`INSERT INTO outbox (topic, evaluation_id) VALUES ('bad_review', $1)`, b)
	sqlDB, err := env.Owner.Gorm.DB()
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	// Down to the version before the partitions, past any migration since.
	if _, err := p.DownTo(ctx, 30); err != nil {
		t.Fatalf("down to 30: %v", err)
	}
	if v, err := p.GetDBVersion(ctx); err != nil || v != 30 {
		t.Fatalf("after down, version %d (%v), want 30", v, err)
	}
	var kind string
	if err := env.Owner.Pool.QueryRow(ctx, `SELECT relkind::text FROM pg_class WHERE oid = 'evaluations'::regclass`).Scan(&kind); err != nil || kind != "r" {
		t.Fatalf("after down, evaluations is %q (%v), want a plain table", kind, err)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations WHERE id IN ($1, $2)`, a, b); n != 2 {
		t.Fatalf("after down: %d of the 2 rows", n)
	}
	refused(t, env, "23503", "after down, the foreign key is back", `INSERT INTO outbox (topic, evaluation_id) VALUES ('bad_review', $1)`, b+1_000_000)
	c := windowRating(t, env, "mig:c", today)
	if c <= b || c <= a {
		t.Errorf("after down, new id %d not after %d, %d", c, a, b)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations WHERE id IN ($1, $2, $3)`, a, b, c); n != 3 {
		t.Fatalf("after up: %d of the 3 rows", n)
	}
	if got := partitionOf(t, env, b); got != "evaluations_y2003m03" {
		t.Errorf("after up, the 2003 row is in %s, want its own month", got)
	}
	if got := partitionOf(t, env, a); !strings.HasPrefix(got, "evaluations_y") {
		t.Errorf("after up, today's row is in %s", got)
	}
	if d := windowRating(t, env, "mig:d", today); d <= c {
		t.Errorf("after up, new id %d not after %d", d, c)
	}
	refused(t, env, "23503", "after up, the reference trigger is back", `INSERT INTO outbox (topic, evaluation_id) VALUES ('bad_review', $1)`, b+1_000_000)
}
