package demohistory_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/calendar"
	"haochaping/internal/testenv"
	"haochaping/rectify"
	"haochaping/seeds/demohistory"
	"haochaping/upward"
)

// end is a fixed last day, so that the calendar (weekends, holidays) under the history is the
// same whenever the tests run.
var end = time.Date(2025, 11, 21, 0, 0, 0, 0, time.UTC)

func load(t *testing.T, env *testenv.Env, o demohistory.Options) *demohistory.Summary {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if o.End.IsZero() {
		o.End = end
	}
	var progress bytes.Buffer
	o.Progress = &progress
	sum, err := (&demohistory.Loader{DB: env.Owner, Keys: env.Keys, Log: env.Log}).Load(ctx, o)
	if err != nil {
		t.Fatalf("load: %v\nprogress:\n%s", err, progress.String())
	}
	if !strings.Contains(progress.String(), "evaluations") {
		t.Errorf("no progress was drawn: %q", progress.String())
	}
	return sum
}

// TestLoad loads 20,000 evaluations over 30 days and checks that the history tells the story
// and keeps every rule of the system.
func TestLoad(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	apptest.Seed(env)
	const n = 20_000
	sum := load(t, env, demohistory.Options{Evaluations: n, Days: 30, Seed: 7, ChunkSize: 4_000})
	var out bytes.Buffer
	sum.Print(&out)
	t.Logf("summary:\n%s", out.String())

	t.Run("counts", func(t *testing.T) {
		if got := env.Count(`SELECT count(*) FROM evaluations`); got != n || sum.Evaluations != n {
			t.Errorf("%d evaluations in the table, %d in the summary; want %d", got, sum.Evaluations, n)
		}
		for table, want := range map[string]int64{"cases": sum.Cases, "work_orders": sum.WorkOrders, "outbox": sum.Outbox,
			"work_order_events": sum.Events, "notifications": sum.Notifications} {
			if got := env.Count(`SELECT count(*) FROM ` + table); int64(got) != want {
				t.Errorf("%s: %d rows, the summary says %d", table, got, want)
			}
		}
		if got := env.Count(`SELECT count(*) FROM evaluations WHERE NOT (idem_key LIKE 'demo:%')`); got != 0 {
			t.Errorf("%d evaluations without the demo: prefix", got)
		}
		if got := env.Count(`SELECT count(*) FROM cases WHERE NOT (case_no LIKE 'DEMO-%')`); got != 0 {
			t.Errorf("%d cases without the DEMO- prefix", got)
		}
		// The history's months were made before its rows came: none waits in DEFAULT.
		if got := env.Count(`SELECT count(*) FROM evaluations_default`); got != 0 {
			t.Errorf("%d evaluations in the DEFAULT partition, want each in its month's", got)
		}
		// One transaction a chunk: the txid column kept its default.
		if got := env.Count(`SELECT count(DISTINCT txid) FROM evaluations`); got < n/4_000 {
			t.Errorf("%d distinct txids, want one per chunk (%d)", got, n/4_000)
		}
		from, to := end.AddDate(0, 0, -29), end.AddDate(0, 0, 1)
		if got := env.Count(`SELECT count(*) FROM evaluations WHERE rated_at < $1::date::timestamp AT TIME ZONE 'Asia/Shanghai'
			OR rated_at >= $2::date::timestamp AT TIME ZONE 'Asia/Shanghai'`, from, to); got != 0 {
			t.Errorf("%d evaluations rated outside the 30 days", got)
		}
	})

	t.Run("channel mix", func(t *testing.T) {
		want := map[string]float64{"window": 0.45, "mobile": 0.25, "pc": 0.20, "kiosk": 0.10}
		rows, err := env.DB.Pool.Query(context.Background(), `SELECT channel, count(*) FROM evaluations GROUP BY channel`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var ch string
			var c int
			if err := rows.Scan(&ch, &c); err != nil {
				t.Fatal(err)
			}
			if share := float64(c) / n; math.Abs(share-want[ch]) > 0.03 {
				t.Errorf("channel %s: %.3f of evaluations, want %.2f ± 0.03", ch, share, want[ch])
			}
		}
	})

	t.Run("the report to the provincial platform ran all along", func(t *testing.T) {
		reported := env.Count(`SELECT count(*) FROM upward_reports`)
		if int64(reported) != sum.Reported || reported < n*9/10 {
			t.Fatalf("%d evaluations reported, the summary says %d; want most of %d", reported, sum.Reported, n)
		}
		// One in 53 nine days late, the rest within a day: on time but for about 2 %.
		if timely := env.Count(`SELECT count(*) FROM upward_reports WHERE timely`); float64(timely)/float64(reported) < 0.96 ||
			float64(timely)/float64(reported) > 0.995 {
			t.Errorf("%d of %d reported on time, want about 98 %%", timely, reported)
		}
		if got := env.Count(`SELECT count(*) FROM upward_records WHERE state <> 'acknowledged'`); got != 0 {
			t.Errorf("%d records of the history not acknowledged", got)
		}
		// The next run finds only the evaluations of the last day (and the late ones of the last nine), and sends nothing again.
		added, changed, err := upward.Enqueue(context.Background(), env.DB, end)
		if err != nil || changed != 0 || added > int64(n/10) {
			t.Errorf("the first run after the history: %d added, %d to send again (%v)", added, changed, err)
		}
	})

	t.Run("every bad review has one dispatched work order", func(t *testing.T) {
		bad := env.Count(`SELECT count(*) FROM evaluations WHERE bad`)
		if bad == 0 {
			t.Fatal("no bad reviews")
		}
		if got := env.Count(`SELECT count(*) FROM evaluations e WHERE e.bad AND (
			(SELECT count(*) FROM work_orders w WHERE w.evaluation_id = e.id) <> 1 OR
			(SELECT count(*) FROM outbox o WHERE o.evaluation_id = e.id AND o.published_at IS NOT NULL
			 AND o.dispatched_at IS NOT NULL AND o.topic = 'bad_review') <> 1)`); got != 0 {
			t.Errorf("%d of %d bad reviews lack exactly one work order and one dispatched outbox row", got, bad)
		}
		if got := env.Count(`SELECT count(*) FROM work_orders w JOIN evaluations e ON e.id = w.evaluation_id WHERE NOT e.bad`); got != 0 {
			t.Errorf("%d work orders for reviews that are not bad", got)
		}
		active := env.Count(`SELECT count(*) FROM evaluations WHERE active`)
		if share := float64(bad) / float64(active); share < 0.02 || share > 0.045 {
			t.Errorf("bad reviews are %.3f of active ratings, want 2–4%%", share)
		}
		if got := env.Count(`SELECT count(*) FROM evaluations WHERE bad AND cardinality(reasons) = 0`); got != 0 {
			t.Errorf("%d bad reviews without a reason", got)
		}
	})

	t.Run("every state of the loop", func(t *testing.T) {
		for _, st := range []rectify.State{rectify.PendingCallback, rectify.Verified, rectify.RectifyingNow,
			rectify.RectifyingDeadline, rectify.Explained, rectify.Appealing, rectify.AppealUpheld, rectify.Rectified,
			rectify.FedBack, rectify.Closed, rectify.Returned} {
			if env.Count(`SELECT count(*) FROM work_orders WHERE state = $1`, string(st)) == 0 {
				t.Errorf("no work order in state %s", st)
			}
		}
		if env.Count(`SELECT count(*) FROM work_orders WHERE callback_overdue`) == 0 ||
			env.Count(`SELECT count(*) FROM work_orders WHERE rectify_overdue`) == 0 {
			t.Error("no overdue work orders")
		}
		closed := env.Count(`SELECT count(*) FROM work_orders WHERE state = 'closed'`)
		if all := env.Count(`SELECT count(*) FROM work_orders`); float64(closed) < 0.6*float64(all) {
			t.Errorf("%d of %d work orders closed: the old ones should mostly be", closed, all)
		}
	})

	t.Run("the loop's invariants hold", func(t *testing.T) {
		rc := &rectify.Service{DB: env.DB, Calendar: calendar.Default(), Log: env.Log}
		invariants, err := rc.Check(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range invariants {
			if inv.Broken > 0 {
				t.Errorf("%s (%s): %d broken, e.g. %v", inv.Name, inv.Rule, inv.Broken, inv.Examples)
			}
		}
	})

	t.Run("every step passes rectify's transition checks", func(t *testing.T) {
		checkTimelines(t, env)
	})

	t.Run("work orders are consistent with their state and timeline", func(t *testing.T) {
		checks := map[string]string{
			"received is the review's arrival": `SELECT count(*) FROM work_orders w JOIN evaluations e ON e.id = w.evaluation_id
				WHERE w.received_at <> e.created_at OR w.channel <> e.channel OR w.real_name <> e.real_name`,
			"deadlines from the arrival (1, 5 and 15 working days)": `SELECT count(*) FROM work_orders w
				JOIN calendar_days r ON r.day = (w.received_at AT TIME ZONE 'Asia/Shanghai')::date
				JOIN calendar_days m ON m.day = (w.max_rectify_due AT TIME ZONE 'Asia/Shanghai')::date
				WHERE m.seq - r.seq < 15 OR w.max_rectify_due < w.rectify_due`,
			"number format": `SELECT count(*) FROM work_orders WHERE number !~ '^ZG[0-9]{8}[0-9]{6,}$'
				OR substr(number, 3, 8) <> to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD')`,
			"called back iff past pending": `SELECT count(*) FROM work_orders WHERE (called_back_at IS NULL) <>
				(state IN ('pending_callback', 'returned'))`,
			"decided iff decided": `SELECT count(*) FROM work_orders WHERE (decided_at IS NULL) <> (decision IS NULL)`,
			"rectified or explained": `SELECT count(*) FROM work_orders WHERE (rectified_at IS NOT NULL) <>
				(state IN ('rectified', 'explained', 'fed_back') OR (state = 'closed' AND appeal_outcome IS DISTINCT FROM 'upheld'))`,
			"fed back only real-name": `SELECT count(*) FROM work_orders WHERE fed_back_at IS NOT NULL AND NOT real_name`,
			"closed has closed_at":    `SELECT count(*) FROM work_orders WHERE (closed_at IS NOT NULL) <> (state = 'closed')`,
			"appeal outcome":          `SELECT count(*) FROM work_orders WHERE (state = 'appeal_upheld') AND appeal_outcome IS DISTINCT FROM 'upheld'`,
			"steps in order": `SELECT count(*) FROM work_orders WHERE called_back_at < received_at OR decided_at < called_back_at
				OR rectified_at < decided_at OR fed_back_at < rectified_at OR closed_at < COALESCE(fed_back_at, rectified_at, decided_at)
				OR updated_at < created_at OR created_at < received_at`,
			"state matches the last moving event": `SELECT count(*) FROM work_orders w WHERE w.state <> (SELECT v.to_state
				FROM work_order_events v WHERE v.work_order_id = w.id ORDER BY v.id DESC LIMIT 1)`,
			"events chain their states": `SELECT count(*) FROM (SELECT from_state, lag(to_state) OVER (PARTITION BY work_order_id
				ORDER BY id) AS prev, at, lag(at) OVER (PARTITION BY work_order_id ORDER BY id) AS prev_at
				FROM work_order_events) x WHERE prev IS NOT NULL AND (from_state IS DISTINCT FROM prev OR at < prev_at)`,
			"first event is the dispatch": `SELECT count(*) FROM work_orders w WHERE (SELECT v.action FROM work_order_events v
				WHERE v.work_order_id = w.id ORDER BY v.id LIMIT 1) <> 'dispatched'`,
			"overdue is recorded": `SELECT count(*) FROM work_orders w WHERE (w.callback_overdue OR w.rectify_overdue)
				AND NOT EXISTS (SELECT 1 FROM work_order_events v WHERE v.work_order_id = w.id AND v.action = 'overdue')`,
			"staff act, the system sweeps": `SELECT count(*) FROM work_order_events WHERE actor_name = ''
				OR (action IN ('dispatched', 'remind', 'overdue', 'escalate')) <> (actor_name = '系统')`,
			"nothing after the end": `SELECT count(*) FROM work_order_events WHERE at >= '2025-11-22 00:00+08'`,
		}
		for name, sql := range checks {
			if got := env.Count(sql); got != 0 {
				t.Errorf("%s: %d rows break it", name, got)
			}
		}
	})

	t.Run("evaluations look like the system's", func(t *testing.T) {
		checks := map[string]string{
			"defaults": `SELECT count(*) FROM evaluations WHERE NOT active AND (level <> 5 OR real_name OR case_id IS NULL
				OR rated_at <> ((service_day + 8)::timestamp AT TIME ZONE 'Asia/Shanghai') - interval '1 microsecond'
				OR evaluator_name_enc IS NOT NULL OR reason_set_version IS NOT NULL OR device_id IS NOT NULL)`,
			"active within the window": `SELECT count(*) FROM evaluations WHERE active AND (rated_at < served_at
				OR rated_at >= ((service_day + 8)::timestamp AT TIME ZONE 'Asia/Shanghai'))`,
			"service day": `SELECT count(*) FROM evaluations WHERE service_day <> (served_at AT TIME ZONE 'Asia/Shanghai')::date`,
			"real name iff phone": `SELECT count(*) FROM evaluations WHERE real_name <> (evaluator_phone_enc IS NOT NULL)
				OR (evaluator_phone_enc IS NULL) <> (evaluator_phone_index IS NULL)`,
			"attributed like the case": `SELECT count(*) FROM evaluations e JOIN cases c ON c.id = e.case_id
				WHERE e.stage <> 'complete' OR e.served_at <> c.completed_at OR e.region_id <> c.region_id
				OR e.department_id <> c.department_id OR e.hall_id IS DISTINCT FROM c.hall_id
				OR e.window_id IS DISTINCT FROM c.window_id OR e.staff_id IS DISTINCT FROM c.staff_id OR e.item_id <> c.item_id
				OR e.channel <> c.source_channel`,
			"evaluator is the applicant": `SELECT count(*) FROM evaluations e JOIN cases c ON c.id = e.case_id
				WHERE e.real_name AND e.evaluator_phone_index <> c.applicant_phone_index`,
			"reasons of the channel's set": `SELECT count(*) FROM evaluations e, unnest(e.reasons) AS u(rc)
				WHERE NOT EXISTS (SELECT 1 FROM reasons r WHERE r.version = e.reason_set_version AND r.code = u.rc
				AND r.kind = CASE WHEN e.channel IN ('pc', 'mobile') THEN 'online' ELSE 'offline' END)`,
			"tickets only at windows": `SELECT count(*) FROM evaluations WHERE case_id IS NULL AND (channel <> 'window'
				OR ticket_no IS NULL OR NOT active)`,
			"working hours at the halls": `SELECT count(*) FROM evaluations WHERE channel = 'window'
				AND ((served_at AT TIME ZONE 'Asia/Shanghai')::time < '09:00' OR (served_at AT TIME ZONE 'Asia/Shanghai')::time > '17:30')`,
			"case times": `SELECT count(*) FROM cases WHERE accepted_at > completed_at OR created_at > updated_at
				OR stage <> 'complete'`,
		}
		for name, sql := range checks {
			if got := env.Count(sql); got != 0 {
				t.Errorf("%s: %d rows break it", name, got)
			}
		}
		var masked string
		var sealed []byte
		if err := env.DB.Pool.QueryRow(context.Background(), `SELECT evaluator_phone_masked, evaluator_phone_enc
			FROM evaluations WHERE real_name LIMIT 1`).Scan(&masked, &sealed); err != nil {
			t.Fatal(err)
		}
		phone, err := env.Keys.Open(sealed)
		if err != nil || len(phone) != 11 || masked != phone[:3]+"****"+phone[7:] {
			t.Errorf("a phone opens to %q (%v), masked %q", phone, err, masked)
		}
		if env.Count(`SELECT count(*) FROM evaluations WHERE real_name AND channel = 'window'`)*3 >
			env.Count(`SELECT count(*) FROM evaluations WHERE active AND channel = 'window'`) {
			t.Error("too many real-name ratings at windows")
		}
		online := env.Count(`SELECT count(*) FROM evaluations WHERE active AND channel <> 'window'`)
		if share := float64(env.Count(`SELECT count(*) FROM evaluations WHERE real_name AND channel <> 'window'`)) / float64(online); share < 0.5 || share > 0.7 {
			t.Errorf("real-name share online and at kiosks %.2f, want about 0.6", share)
		}
	})

	t.Run("foreign keys hold", func(t *testing.T) {
		// The load may skip the foreign-key triggers (a superuser's session_replication_role):
		// check every single-column reference of the schema by hand.
		rows, err := env.DB.Pool.Query(context.Background(), `
			SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname
			FROM pg_constraint c
			JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
			JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
			WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace AND cardinality(c.conkey) = 1`)
		if err != nil {
			t.Fatal(err)
		}
		type fk struct{ table, column, ref, refColumn string }
		var fks []fk
		for rows.Next() {
			var f fk
			if err := rows.Scan(&f.table, &f.column, &f.ref, &f.refColumn); err != nil {
				t.Fatal(err)
			}
			fks = append(fks, f)
		}
		rows.Close()
		if len(fks) < 20 {
			t.Fatalf("found only %d foreign keys", len(fks))
		}
		for _, f := range fks {
			if got := env.Count(`SELECT count(*) FROM ` + f.table + ` t WHERE t.` + f.column + ` IS NOT NULL AND NOT EXISTS
				(SELECT 1 FROM ` + f.ref + ` r WHERE r.` + f.refColumn + ` = t.` + f.column + `)`); got != 0 {
				t.Errorf("%s.%s → %s.%s: %d rows refer to nothing", f.table, f.column, f.ref, f.refColumn, got)
			}
		}
		// The references to evaluations are constraint triggers since migration 00031 (the load
		// skips them as it skips the keys), and so is the service day of a case's rating.
		rows, err = env.DB.Pool.Query(context.Background(), `
			SELECT t.tgrelid::regclass::text, replace(encode(t.tgargs, 'escape'), '\000', '')
			FROM pg_trigger t WHERE t.tgfoid = 'evaluation_exists'::regproc`)
		if err != nil {
			t.Fatal(err)
		}
		var refs []fk
		for rows.Next() {
			var f fk
			if err := rows.Scan(&f.table, &f.column); err != nil {
				t.Fatal(err)
			}
			refs = append(refs, f)
		}
		rows.Close()
		if len(refs) != 6 {
			t.Fatalf("found %d references to evaluations, want 6", len(refs))
		}
		for _, f := range refs {
			if got := env.Count(`SELECT count(*) FROM ` + f.table + ` t WHERE t.` + f.column + ` IS NOT NULL AND NOT EXISTS
				(SELECT 1 FROM evaluations r WHERE r.id = t.` + f.column + `)`); got != 0 {
				t.Errorf("%s.%s → evaluations.id: %d rows refer to nothing", f.table, f.column, got)
			}
		}
		if got := env.Count(`SELECT count(*) FROM evaluations e JOIN cases c ON c.id = e.case_id WHERE NOT e.superseded
			AND e.service_day IS DISTINCT FROM (CASE e.stage WHEN 'accept' THEN c.accepted_at ELSE c.completed_at END AT TIME ZONE 'Asia/Shanghai')::date`); got != 0 {
			t.Errorf("%d ratings of a case have another service day than the case's", got)
		}
	})

	t.Run("rollups count everything", func(t *testing.T) {
		if !sum.RolledUp {
			t.Error("the summary says the rollup did not count everything")
		}
		if got := env.Count(`SELECT COALESCE(sum(total), 0) FROM rollup_units`); got != n {
			t.Errorf("rollup_units counts %d evaluations, want %d", got, n)
		}
		if got := env.Count(`SELECT COALESCE(sum(total), 0) FROM rollup_evaluations`); got != n {
			t.Errorf("rollup_evaluations counts %d evaluations, want %d", got, n)
		}
		if got, want := env.Count(`SELECT COALESCE(sum(completed), 0) FROM rollup_cases`), env.Count(`SELECT count(*) FROM cases`); got != want {
			t.Errorf("rollup_cases counts %d completed cases, want %d", got, want)
		}
		if got, want := env.Count(`SELECT COALESCE(sum(bad + upheld), 0) FROM rollup_rectification`),
			env.Count(`SELECT count(*) FROM evaluations WHERE bad`); got != want {
			t.Errorf("rollup_rectification counts %d bad reviews, want %d", got, want)
		}
		if env.Count(`SELECT count(*) FROM rankings WHERE bottom`) == 0 || env.Count(`SELECT count(*) FROM rankings WHERE flagged`) == 0 {
			t.Error("the rankings have no bottom or no flagged unit")
		}
	})

	t.Run("two districts below the active target", func(t *testing.T) {
		rows, err := env.DB.Pool.Query(context.Background(), `
			SELECT r.code, sum(u.active)::float8 / sum(u.total) FROM rollup_units u JOIN regions r ON r.id = u.region_id
			GROUP BY r.code ORDER BY r.code`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var below []string
		regions := 0
		for rows.Next() {
			var code string
			var share float64
			if err := rows.Scan(&code, &share); err != nil {
				t.Fatal(err)
			}
			regions++
			switch {
			case share < 0.50 || share > 0.90:
				t.Errorf("region %s: active share %.3f, out of the story's range", code, share)
			case share < 0.70:
				below = append(below, code)
			case share < 0.71:
				t.Errorf("region %s: active share %.3f, too close to the target to tell", code, share)
			}
		}
		if strings.Join(below, ",") != "370404,370406" || regions != 8 {
			t.Errorf("regions below 70%%: %v of %d, want 370404 and 370406 of 8", below, regions)
		}
	})
}

// TestDeterministic loads histories into three schemas: the same seed gives the same history
// (with the foreign keys checked or not), another seed another.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	type result struct {
		sum     *demohistory.Summary
		figures string
	}
	run := func(seed int64, checked bool) result {
		env := testenv.New(t)
		apptest.Seed(env)
		sum := load(t, env, demohistory.Options{Evaluations: 3_000, Days: 12, Seed: seed, ChunkSize: 1_000, CheckReferences: checked})
		if sum.ForeignKeysChecked != checked {
			t.Errorf("foreign keys checked: %v, want %v", sum.ForeignKeysChecked, checked)
		}
		var figures string
		if err := env.DB.Pool.QueryRow(context.Background(), `SELECT concat_ws(' | ',
			(SELECT string_agg(channel || ':' || n, ',' ORDER BY channel) FROM (SELECT channel, count(*) n FROM evaluations GROUP BY 1) x),
			(SELECT string_agg(level || ':' || n, ',' ORDER BY level) FROM (SELECT level, count(*) n FROM evaluations GROUP BY 1) x),
			(SELECT string_agg(state || ':' || n, ',' ORDER BY state) FROM (SELECT state, count(*) n FROM work_orders GROUP BY 1) x),
			(SELECT count(*) FROM cases), (SELECT count(*) FROM work_order_events), (SELECT count(*) FROM notifications),
			(SELECT sum(extract(epoch FROM rated_at)::bigint % 100000) FROM evaluations),
			(SELECT string_agg(reasons::text, ',' ORDER BY idem_key) FROM (SELECT reasons, regexp_replace(idem_key, '[0-9]+$', '') || (id - (SELECT min(id) FROM evaluations)) AS idem_key FROM evaluations WHERE bad) x))`).
			Scan(&figures); err != nil {
			t.Fatal(err)
		}
		return result{sum, figures}
	}
	// The second load keeps the triggers on: the streams then wait for each other's commits, and
	// PostgreSQL checks every reference; the history is the same.
	a, b, c := run(11, false), run(11, true), run(12, false)
	if a.figures != b.figures {
		t.Errorf("the same seed gave different histories:\n%s\n%s", a.figures, b.figures)
	}
	var pa, pb bytes.Buffer
	a.sum.Print(&pa)
	b.sum.ForeignKeysChecked = false
	b.sum.Print(&pb)
	if cut(pa.String()) != cut(pb.String()) {
		t.Errorf("the same seed gave different summaries:\n%s\n%s", pa.String(), pb.String())
	}
	if a.figures == c.figures {
		t.Error("another seed gave the same history")
	}
}

// cut drops the timings line of a printed summary.
func cut(s string) string {
	if i := strings.Index(s, "\ntime:"); i >= 0 {
		return s[:i]
	}
	return s
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := testenv.New(t)
	l := &demohistory.Loader{DB: env.Owner, Keys: env.Keys, Log: env.Log}
	if _, err := l.Load(ctx, demohistory.Options{Evaluations: 100, Days: 5, End: end}); !errors.Is(err, demohistory.ErrNotSeeded) {
		t.Errorf("unseeded schema: %v, want ErrNotSeeded", err)
	}
	for _, o := range []demohistory.Options{
		{Evaluations: 0, Days: 5},
		{Evaluations: 100, Days: 0},
		{Evaluations: 100, Days: 5, End: time.Now().AddDate(0, 0, 3)},
		{Evaluations: 100, Days: 4000},
	} {
		if _, err := l.Load(ctx, o); err == nil {
			t.Errorf("%+v: loaded", o)
		}
	}
	apptest.Seed(env)
	load(t, env, demohistory.Options{Evaluations: 200, Days: 5, Seed: 1})
	if _, err := l.Load(ctx, demohistory.Options{Evaluations: 200, Days: 5, End: end}); !errors.Is(err, demohistory.ErrExists) {
		t.Errorf("second load: %v, want ErrExists", err)
	}
	sum := load(t, env, demohistory.Options{Evaluations: 200, Days: 5, Seed: 2, AllowExisting: true})
	if got := env.Count(`SELECT count(*) FROM evaluations`); got != 400 || sum.Evaluations != 200 {
		t.Errorf("two loads: %d evaluations, the second %d", got, sum.Evaluations)
	}
}
