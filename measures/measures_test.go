package measures_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/measures"
	"haochaping/rectify"
)

var bj = time.FixedZone("CST", 8*3600)

func at(day, clock string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", day+" "+clock, bj)
	if err != nil {
		panic(err)
	}
	return t
}

// dataset writes rows by hand, as the rules would have left them, so that every measure has
// an answer known in advance.
type dataset struct {
	t                          *testing.T
	env                        *testenv.Env
	region, dept, hall, window int64
	n                          int
}

func newDataset(t *testing.T, env *testenv.Env) *dataset {
	d := &dataset{t: t, env: env}
	err := env.DB.Pool.QueryRow(context.Background(), `SELECT w.id, w.hall_id, w.department_id, h.region_id
		FROM windows w JOIN halls h ON h.id = w.hall_id WHERE w.code = $1`, apptest.CityWindow).Scan(&d.window, &d.hall, &d.dept, &d.region)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// caseDone writes a case completed at completed and returns its id.
func (d *dataset) caseDone(completed time.Time) int64 {
	d.n++
	var id int64
	err := d.env.DB.Pool.QueryRow(context.Background(), `
		INSERT INTO cases (case_no, item_id, region_id, department_id, hall_id, window_id, source_channel, applicant_kind,
		                   applicant_name_enc, applicant_name_masked, accepted_at, completed_at, stage)
		VALUES ($1, (SELECT id FROM service_items WHERE code = $2), $3, $4, $5, $6, 'window', 'person', '\x01', '张*', $7, $8, 'complete')
		RETURNING id`, fmt.Sprintf("MEASURE-%04d", d.n), apptest.PassportItem, d.region, d.dept, d.hall, d.window,
		completed.Add(-time.Hour), completed).Scan(&id)
	if err != nil {
		d.t.Fatal(err)
	}
	return id
}

type ev struct {
	rated    time.Time
	level    int
	active   bool
	realName bool
	channel  string
	caseID   int64
}

func (d *dataset) evaluation(e ev) int64 {
	d.n++
	if e.channel == "" {
		e.channel = "window"
	}
	var caseID, phone any
	ticket := any(fmt.Sprintf("M%04d", d.n))
	stage := any(nil)
	if e.caseID != 0 {
		caseID, ticket, stage = e.caseID, nil, "complete"
	}
	if e.realName {
		phone = []byte{1}
	}
	reasons := []string{}
	if e.level <= 2 {
		reasons = []string{"attitude"}
	}
	var id int64
	// A case's rating has the case's service day, the Beijing day of its completion (migration
	// 00031 holds it there); a ticket's, the day it was rated.
	err := d.env.DB.Pool.QueryRow(context.Background(), `
		INSERT INTO evaluations (idem_key, channel, case_id, stage, ticket_no, service_day, region_id, department_id, hall_id,
		                         window_id, level, reasons, reason_kind, active, real_name, evaluator_phone_enc, served_at, rated_at)
		VALUES ($1, $2, $3, $4, $5, COALESCE((SELECT (completed_at AT TIME ZONE 'Asia/Shanghai')::date FROM cases WHERE id = $3),
		        ($6 AT TIME ZONE 'Asia/Shanghai')::date), $7, $8, $9, $10, $11, $12,
		        CASE WHEN cardinality($12::text[]) > 0 THEN 'offline' END, $13, $14, $15, $6, $6)
		RETURNING id`, fmt.Sprintf("measure:%d", d.n), e.channel, caseID, stage, ticket, e.rated, d.region, d.dept, d.hall,
		d.window, e.level, reasons, e.active, e.realName, phone).Scan(&id)
	if err != nil {
		d.t.Fatal(err)
	}
	return id
}

// workOrder writes the work order of a bad review in a given condition.
type wo struct {
	state                                string
	calledBack, rectified, fedBack, done time.Time
	due                                  time.Time
	upheld                               bool
}

func (d *dataset) workOrder(evaluation int64, w wo) {
	nz := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t
	}
	var outcome any
	if w.upheld {
		outcome = "upheld"
	}
	received := time.Time{}
	if err := d.env.DB.Pool.QueryRow(context.Background(), `SELECT created_at FROM evaluations WHERE id = $1`, evaluation).Scan(&received); err != nil {
		d.t.Fatal(err)
	}
	d.env.Exec(`
		INSERT INTO work_orders (number, evaluation_id, state, channel, real_name, region_id, department_id, hall_id, window_id,
		                         callback_due, rectify_due, max_rectify_due, received_at, called_back_at, rectified_at,
		                         fed_back_at, closed_at, appeal_outcome, created_at)
		SELECT 'ZG-M-' || e.id, e.id, $2, e.channel, e.real_name, e.region_id, e.department_id, e.hall_id, e.window_id,
		       $3, $3, $3, e.rated_at, $4, $5, $6, $7, $8, e.rated_at
		FROM evaluations e WHERE e.id = $1`, evaluation, w.state, w.due, nz(w.calledBack), nz(w.rectified), nz(w.fedBack), nz(w.done), outcome)
}

func TestMeasuresOnAHandBuiltDataset(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	apptest.Seed(env)
	srv := apptest.Start(env)
	svc, rc := srv.App.Measures, srv.App.Measures
	d := newDataset(t, env)

	// Cases completed in the period: three, one rated actively, one by default, one not yet.
	c1, c2, c3 := d.caseDone(at("2026-11-10", "09:00:00")), d.caseDone(at("2026-11-11", "10:00:00")), d.caseDone(at("2026-11-12", "23:59:59"))
	_ = c2
	d.caseDone(at("2026-11-13", "00:00:00")) // the next day, Beijing: outside

	// 2026-11-10 (Tuesday), from its first second.
	d.evaluation(ev{rated: at("2026-11-10", "00:00:00"), level: 5, active: true, realName: true, caseID: c1})
	d.evaluation(ev{rated: at("2026-11-10", "12:00:00"), level: 4, active: true})
	d.evaluation(ev{rated: at("2026-11-10", "23:59:59"), level: 3, active: false, caseID: c3}) // a default, at level 3
	e4 := d.evaluation(ev{rated: at("2026-11-10", "10:00:00"), level: 1, active: true, realName: true})
	e5 := d.evaluation(ev{rated: at("2026-11-10", "11:00:00"), level: 2, active: true})
	// 2026-11-11.
	e6 := d.evaluation(ev{rated: at("2026-11-11", "09:00:00"), level: 2, active: true, realName: true})
	e7 := d.evaluation(ev{rated: at("2026-11-11", "09:30:00"), level: 1, active: true, realName: true})
	d.evaluation(ev{rated: at("2026-11-11", "16:00:00"), level: 5, active: false})
	d.evaluation(ev{rated: at("2026-11-11", "17:00:00"), level: 5, active: true, realName: true, channel: "pc"})
	// 2026-11-12, to its last second.
	d.evaluation(ev{rated: at("2026-11-12", "23:59:59"), level: 4, active: true})
	// Outside the period by one second on each side (midnight, Beijing time).
	d.evaluation(ev{rated: at("2026-11-09", "23:59:59"), level: 1, active: true, realName: true})
	d.evaluation(ev{rated: at("2026-11-13", "00:00:00"), level: 5, active: true})

	due := at("2026-11-17", "23:59:59")
	// e4: real-name, called back, rectified in 2 working days (Tue → Thu), fed back, closed.
	d.workOrder(e4, wo{state: "closed", calledBack: at("2026-11-10", "15:00:00"), rectified: at("2026-11-12", "10:00:00"),
		fedBack: at("2026-11-12", "11:00:00"), done: at("2026-11-12", "12:00:00"), due: due})
	// e5: anonymous, called back (verified), rectified late — 10 working days — and closed without feedback.
	d.workOrder(e5, wo{state: "closed", calledBack: at("2026-11-10", "16:00:00"), rectified: at("2026-11-24", "10:00:00"),
		done: at("2026-11-24", "11:00:00"), due: due})
	// e6: real-name, the appeal upheld: it leaves the rates.
	d.workOrder(e6, wo{state: "appeal_upheld", calledBack: at("2026-11-11", "10:00:00"), upheld: true, due: due})
	// e7: real-name, called back, nothing more yet.
	d.workOrder(e7, wo{state: "verified", calledBack: at("2026-11-11", "11:00:00"), due: due})

	ctx := context.Background()
	env.RollUp(svc)
	for name, run := range map[string]func(context.Context) (int64, error){
		"cases": svc.RecountCases, "rectification": rc.RollUpRectification} {
		if _, err := run(ctx); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	city := access.Scope{Kind: "region", ID: d.region}
	q := measures.Query{From: time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 12, 0, 0, 0, 0, time.UTC), Scope: city}
	m, err := svc.Overview(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		num, den float64
		met      *bool
	}{
		"total_evaluations":           {10, 1, nil}, // every rating given, the upheld appeal included
		"active_rate":                 {7, 9, yes},  // defaults count in totals, never as active; e6 (upheld) leaves the rates
		"evaluation_rate":             {2, 3, nil},  // cases completed in the period, rated (actively or by default)
		"good_rate":                   {5, 9, nil},  // level ≥ 4, defaults included
		"bad_rate":                    {3, 9, nil},  // level ≤ 2: e4, e5, e7, not the upheld e6
		"satisfaction":                {55, 9, nil}, // 10+8+6+0+3+0+10+10+8: e6's 3 taken out
		"callback_rate":               {3, 3, yes},  // e4, e5, e7; e6 upheld leaves the rates
		"rectification_rate":          {2, 3, no},   // e4, e5
		"record_rate":                 {2, 3, no},   // e4 (fed back), e5 (anonymous: no feedback owed)
		"realname_rectification_rate": {1, 2, no},   // e4 of the real-name e4, e7
		"ontime_rate":                 {1, 2, nil},  // e4 by the deadline, e5 after it
		"avg_rectification_workdays":  {12, 2, nil}, // 2 + 10 working days
		"timely_report_rate":          {0, 10, no},  // nothing reported yet
	}
	for name, w := range want {
		got, ok := m[name]
		if !ok {
			t.Errorf("measure %s missing", name)
			continue
		}
		if got.Numerator != w.num || got.Denominator != w.den {
			t.Errorf("%s = %v/%v, want %v/%v", name, got.Numerator, got.Denominator, w.num, w.den)
		}
		if (w.met == nil) != (got.Met == nil) || (w.met != nil && *w.met != *got.Met) {
			t.Errorf("%s met = %v, want %v", name, deref(got.Met), deref(w.met))
		}
	}
	if v := *m["satisfaction"].Value; math.Abs(v-55.0/9) > 1e-9 {
		t.Errorf("satisfaction %v, want 55/9", v)
	}
	if *m["active_rate"].Target != 0.7 || *m["realname_rectification_rate"].Target != 1 {
		t.Errorf("targets: %v %v", *m["active_rate"].Target, *m["realname_rectification_rate"].Target)
	}

	// Filters: a channel, and a district that has nothing.
	q.Channel = "pc"
	if m, _ := svc.Overview(ctx, q); m["total_evaluations"].Numerator != 1 || m["active_rate"].Numerator != 1 {
		t.Errorf("pc only: %v", m["total_evaluations"])
	}
	// The channel mix: each channel's count is its overview's 总评价量, in one query.
	mix, err := svc.ChannelMix(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range []string{"pc", "window", "mobile", "kiosk"} {
		cq := q
		cq.Channel = ch
		m, _ := svc.Overview(ctx, cq)
		if float64(mix[ch]) != m["total_evaluations"].Numerator {
			t.Errorf("channel mix %s: %d, the overview counts %v", ch, mix[ch], m["total_evaluations"].Numerator)
		}
	}
	if mix["pc"] != 1 {
		t.Errorf("channel mix: %v, want pc 1", mix)
	}
	q.Channel = ""
	var district int64
	_ = env.DB.Pool.QueryRow(ctx, `SELECT id FROM regions WHERE code = '370402'`).Scan(&district)
	q.RegionID = district
	if m, _ := svc.Overview(ctx, q); m["total_evaluations"].Numerator != 0 || m["active_rate"].Value != nil || m["active_rate"].Met != nil {
		t.Errorf("a district without data: %+v", m["active_rate"])
	}
	// A single day: the boundaries hold at midnight, Beijing time.
	q.RegionID, q.From, q.To = 0, time.Date(2026, 11, 12, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 12, 0, 0, 0, 0, time.UTC)
	if m, _ := svc.Overview(ctx, q); m["total_evaluations"].Numerator != 1 {
		t.Errorf("2026-11-12 alone: %v evaluations, want 1", m["total_evaluations"].Numerator)
	}
	// Trend by day.
	q.From = time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC)
	q.To = time.Date(2026, 11, 13, 0, 0, 0, 0, time.UTC)
	points, err := svc.Trend(ctx, q, "day")
	if err != nil {
		t.Fatal(err)
	}
	perDay := map[string]float64{}
	for _, p := range points {
		perDay[p.Period] = p.Measures["total_evaluations"].Numerator
	}
	if perDay["2026-11-09"] != 1 || perDay["2026-11-10"] != 5 || perDay["2026-11-11"] != 4 || perDay["2026-11-12"] != 1 || perDay["2026-11-13"] != 1 {
		t.Errorf("per day: %v", perDay)
	}
	// A scope excludes the rest in the SQL: another unit sees nothing of these.
	var police int64
	_ = env.DB.Pool.QueryRow(ctx, `SELECT id FROM departments WHERE code = 'ZZ-GAJ'`).Scan(&police)
	q.Scope = access.Scope{Kind: "department", ID: police}
	if m, _ := svc.Overview(ctx, q); m["total_evaluations"].Numerator != 0 {
		t.Errorf("another unit's scope sees %v", m["total_evaluations"].Numerator)
	}
	_ = rectify.Closed
}

var (
	yesV, noV = true, false
	yes, no   = &yesV, &noV
)

func deref(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

func TestRollUpCountsLateCommitsOnce(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	apptest.Seed(env)
	svc := &measures.Service{DB: env.DB, Now: env.Clock.Now}
	d := newDataset(t, env)
	ctx := context.Background()

	// A transaction writes an evaluation and stays open; another writes one and commits.
	late, err := env.DB.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer late.Rollback(ctx)
	if _, err := late.Exec(ctx, `
		INSERT INTO evaluations (idem_key, channel, ticket_no, service_day, region_id, department_id, hall_id, window_id,
		                         level, active, real_name, served_at, rated_at)
		VALUES ('late', 'window', 'L1', '2026-11-20', $1, $2, $3, $4, 5, true, false, '2026-11-20T10:00:00+08:00', '2026-11-20T10:00:00+08:00')`,
		d.region, d.dept, d.hall, d.window); err != nil {
		t.Fatal(err)
	}
	d.evaluation(ev{rated: at("2026-11-20", "11:00:00"), level: 4, active: true})

	// The committed row came after the open transaction began: it waits behind it, not lost.
	if n, err := svc.RollUp(ctx); err != nil || n != 0 {
		t.Fatalf("first rollup added %d, %v; want 0 while an older transaction is open", n, err)
	}
	if err := late.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	env.RollUp(svc) // as many runs as it takes for both rows (other tests' transactions may hold it back)
	if n, err := svc.RollUp(ctx); err != nil || n != 0 {
		t.Fatalf("another rollup added %d, %v; want nothing new", n, err)
	}
	if got := env.Count(`SELECT sum(total) FROM rollup_evaluations`); got != 2 {
		t.Fatalf("rollup holds %d evaluations, want 2", got)
	}
	if got := env.Count(`SELECT sum(total) FROM rollup_units`); got != 2 {
		t.Fatalf("unit rollup holds %d evaluations, want 2", got)
	}
}
