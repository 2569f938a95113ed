package measures_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/measures"
)

// place is where a rating was given: a region, department and, in a hall, the hall and window.
type place struct{ region, dept, hall, window any }

// monthData writes a varied month by hand, as the rules would have left it, for the rows
// behind each figure.
type monthData struct {
	*dataset
	places map[string]place
}

func newMonthData(t *testing.T, env *testenv.Env) *monthData {
	m := &monthData{dataset: newDataset(t, env), places: map[string]place{}}
	ctx := context.Background()
	for _, w := range []string{"370400-ZH01", "370400-GA01", "370402-ZH01"} {
		var p place
		var region, dept, hall, window int64
		if err := env.DB.Pool.QueryRow(ctx, `SELECT h.region_id, w.department_id, w.hall_id, w.id
			FROM windows w JOIN halls h ON h.id = w.hall_id WHERE w.code = $1`, w).Scan(&region, &dept, &hall, &window); err != nil {
			t.Fatalf("window %s: %v", w, err)
		}
		p = place{region, dept, hall, window}
		m.places[w] = p
		m.places[w+" kiosk"] = place{region, dept, hall, nil} // a kiosk of the hall: no window
	}
	var region, dept int64
	if err := env.DB.Pool.QueryRow(ctx, `SELECT region_id, id FROM departments WHERE code = 'ZZ-SPJ'`).Scan(&region, &dept); err != nil {
		t.Fatal(err)
	}
	m.places["online"] = place{region, dept, nil, nil} // the portal: no hall
	return m
}

type rating struct {
	at       time.Time
	where    string // a key of places
	channel  string
	level    int
	active   bool
	realName bool
	caseID   int64
}

// caseAt writes a case handled at a place and completed at completed.
func (m *monthData) caseAt(where string, completed time.Time) int64 {
	m.n++
	p := m.places[where]
	var id int64
	if err := m.env.DB.Pool.QueryRow(context.Background(), `
		INSERT INTO cases (case_no, item_id, region_id, department_id, hall_id, window_id, source_channel, applicant_kind,
		                   applicant_name_enc, applicant_name_masked, accepted_at, completed_at, stage)
		VALUES ($1, (SELECT id FROM service_items WHERE code = $2), $3, $4, $5, $6, 'window', 'person', '\x01', '张*', $7, $8, 'complete')
		RETURNING id`, fmt.Sprintf("ROWS-%04d", m.n), apptest.PassportItem, p.region, p.dept, p.hall, p.window,
		completed.Add(-time.Hour), completed).Scan(&id); err != nil {
		m.t.Fatal(err)
	}
	return id
}

// rate writes an evaluation (through q: the pool, or a transaction).
func (m *monthData) rate(q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, r rating) int64 {
	p := m.places[r.where]
	if r.caseID == 0 && p.window == nil {
		r.caseID = m.caseAt(r.where, r.at.Add(-time.Hour)) // away from a window, a rating rates a case
	}
	m.n++
	var caseID, stage, phone, item any
	ticket := any(fmt.Sprintf("R%04d", m.n))
	if r.caseID != 0 {
		caseID, ticket, stage, item = r.caseID, nil, "complete", apptest.PassportItem
	}
	if r.realName {
		phone = []byte{1}
	}
	reasons := []string{}
	if r.level <= 2 {
		reasons = []string{"attitude"}
	}
	var id int64
	// A case's rating has the case's service day, the Beijing day of its completion (migration
	// 00031 holds it there); a ticket's, the day it was rated.
	if err := q.QueryRow(context.Background(), `
		INSERT INTO evaluations (idem_key, channel, case_id, stage, ticket_no, service_day, region_id, department_id, hall_id,
		                         window_id, item_id, level, reasons, reason_kind, active, real_name, evaluator_phone_enc,
		                         evaluator_phone_masked, served_at, rated_at)
		VALUES ($1, $2, $3, $4, $5, COALESCE((SELECT (completed_at AT TIME ZONE 'Asia/Shanghai')::date FROM cases WHERE id = $3),
		        ($6 AT TIME ZONE 'Asia/Shanghai')::date), $7, $8, $9, $10,
		        (SELECT id FROM service_items WHERE code = $11), $12, $13,
		        CASE WHEN cardinality($13::text[]) > 0 THEN 'offline' END, $14, $15, $16,
		        CASE WHEN $15 THEN '138****5678' ELSE '' END, $6, $6)
		RETURNING id`, fmt.Sprintf("rows:%d", m.n), r.channel, caseID, stage, ticket, r.at, p.region, p.dept, p.hall,
		p.window, item, r.level, reasons, r.active, r.realName, phone).Scan(&id); err != nil {
		m.t.Fatal(err)
	}
	return id
}

// report records an evaluation's upward report.
func (m *monthData) report(evaluation int64, timely bool) {
	m.env.Exec(`INSERT INTO upward_reports (evaluation_id, batch_id, timely) VALUES ($1, 'rows-batch', $2)`, evaluation, timely)
}

func TestRowsTotalEqualsTheFigure(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	apptest.Seed(env)
	srv := apptest.Start(env)
	svc := srv.App.Measures
	m := newMonthData(t, env)
	ctx := context.Background()
	pool := env.DB.Pool
	idOf := func(table, code string) int64 {
		var id int64
		if err := pool.QueryRow(ctx, `SELECT id FROM `+table+` WHERE code = $1`, code).Scan(&id); err != nil {
			t.Fatalf("%s %s: %v", table, code, err)
		}
		return id
	}
	city, district := idOf("regions", "370400"), idOf("regions", "370402")
	spj, gaj := idOf("departments", "ZZ-SPJ"), idOf("departments", "ZZ-GAJ")
	cityHall := idOf("halls", apptest.CityHall)

	// November 2026: good ratings on every channel, in the city hall (two units), online and in
	// a district.
	e1 := m.rate(pool, rating{at: at("2026-11-02", "09:00:00"), where: "370400-ZH01", channel: "window", level: 5, active: true, realName: true})
	e2 := m.rate(pool, rating{at: at("2026-11-03", "10:00:00"), where: "370400-ZH01", channel: "window", level: 4, active: true})
	e3 := m.rate(pool, rating{at: at("2026-11-04", "11:00:00"), where: "370400-GA01", channel: "window", level: 5, active: true})
	m.rate(pool, rating{at: at("2026-11-05", "12:00:00"), where: "370400-GA01 kiosk", channel: "kiosk", level: 3, active: true})
	e8 := m.rate(pool, rating{at: at("2026-11-08", "15:00:00"), where: "online", channel: "pc", level: 5, active: true, realName: true})
	m.rate(pool, rating{at: at("2026-11-09", "16:00:00"), where: "370402-ZH01", channel: "mobile", level: 5, active: true, realName: true})
	// Defaults (默认评价) at the end of their rating windows; the one at 市公安局's window is to be
	// superseded by a kiosk's late upload.
	m.rate(pool, rating{at: at("2026-11-06", "23:59:59"), where: "370400-ZH01", channel: "window", level: 5,
		caseID: m.caseAt("370400-ZH01", at("2026-10-30", "10:00:00"))})
	superseded := m.caseAt("370400-GA01", at("2026-10-31", "10:00:00"))
	e6 := m.rate(pool, rating{at: at("2026-11-07", "23:59:59"), where: "370400-GA01", channel: "window", level: 5, caseID: superseded})
	m.rate(pool, rating{at: at("2026-11-10", "23:59:59"), where: "370402-ZH01", channel: "window", level: 5,
		caseID: m.caseAt("370402-ZH01", at("2026-11-03", "10:00:00"))})
	// Bad reviews and their work orders.
	due := func(day string) time.Time { return at(day, "23:59:59") }
	// e10: real-name, rectified on time, fed back, closed.
	e10 := m.rate(pool, rating{at: at("2026-11-10", "10:00:00"), where: "370400-ZH01", channel: "window", level: 1, active: true, realName: true})
	m.workOrder(e10, wo{state: "closed", calledBack: at("2026-11-10", "15:00:00"), rectified: at("2026-11-12", "10:00:00"),
		fedBack: at("2026-11-12", "11:00:00"), done: at("2026-11-12", "12:00:00"), due: due("2026-11-17")})
	// e11: anonymous, rectified late, closed without feedback.
	e11 := m.rate(pool, rating{at: at("2026-11-11", "10:00:00"), where: "370400-ZH01", channel: "window", level: 2, active: true})
	m.workOrder(e11, wo{state: "closed", calledBack: at("2026-11-11", "16:00:00"), rectified: at("2026-11-25", "10:00:00"),
		done: at("2026-11-25", "11:00:00"), due: due("2026-11-18")})
	// e12: real-name, the appeal upheld: it leaves the rates.
	e12 := m.rate(pool, rating{at: at("2026-11-12", "10:00:00"), where: "370400-GA01", channel: "window", level: 1, active: true, realName: true})
	m.workOrder(e12, wo{state: "appeal_upheld", calledBack: at("2026-11-12", "11:00:00"), upheld: true, due: due("2026-11-19")})
	// e13: in the district, real-name, called back and nothing more yet.
	e13 := m.rate(pool, rating{at: at("2026-11-13", "10:00:00"), where: "370402-ZH01", channel: "window", level: 2, active: true, realName: true})
	m.workOrder(e13, wo{state: "verified", calledBack: at("2026-11-13", "11:00:00"), due: due("2026-11-20")})
	// e14: rated at 市审批服务局's window, reassigned to 市公安局, rectified on time and fed back.
	e14 := m.rate(pool, rating{at: at("2026-11-14", "10:00:00"), where: "370400-ZH01", channel: "window", level: 2, active: true, realName: true})
	m.workOrder(e14, wo{state: "fed_back", calledBack: at("2026-11-16", "09:00:00"), rectified: at("2026-11-17", "10:00:00"),
		fedBack: at("2026-11-17", "11:00:00"), due: due("2026-11-20")})
	// e15: anonymous, reassigned to 市公安局, and its appeal upheld there: it leaves 市审批服务局's
	// rates (the department rated), and 市公安局's rectification measures.
	e15 := m.rate(pool, rating{at: at("2026-11-15", "10:00:00"), where: "370400-ZH01", channel: "window", level: 1, active: true})
	m.workOrder(e15, wo{state: "appeal_upheld", calledBack: at("2026-11-16", "10:00:00"), upheld: true, due: due("2026-11-20")})
	env.Exec(`UPDATE work_orders SET department_id = $1 WHERE evaluation_id = ANY($2)`, gaj, []int64{e14, e15})
	// e16: real-name at 市公安局's kiosk, not dispatched yet: counted, without a work order.
	m.rate(pool, rating{at: at("2026-11-16", "10:00:00"), where: "370400-GA01 kiosk", channel: "kiosk", level: 2, active: true, realName: true})
	// The month's last second is in; the next month's first and the last month's last are out.
	m.rate(pool, rating{at: at("2026-11-30", "23:59:59"), where: "370400-ZH01", channel: "window", level: 5, active: true})
	m.rate(pool, rating{at: at("2026-12-01", "00:00:00"), where: "370400-ZH01", channel: "window", level: 5, active: true})
	out := m.rate(pool, rating{at: at("2026-10-31", "23:59:59"), where: "370400-ZH01", channel: "window", level: 1, active: true, realName: true})
	m.workOrder(out, wo{state: "verified", calledBack: at("2026-11-01", "09:00:00"), due: due("2026-11-06")})
	// Upward reports, in time and late; the default to be superseded was reported (late) too.
	for id, timely := range map[int64]bool{e1: true, e2: false, e3: true, e8: true, e10: true, e6: false, out: true} {
		m.report(id, timely)
	}

	rollUp := func() {
		t.Helper()
		env.RollUp(svc)
		if _, err := svc.RollUpRectification(ctx); err != nil {
			t.Fatal(err)
		}
	}
	rollUp()

	nov := measures.Query{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
	cityScope := access.Scope{Kind: access.ScopeRegion, ID: city}
	type slice struct {
		name string
		q    measures.Query
	}
	with := func(f func(*measures.Query)) measures.Query {
		q := nov
		q.Scope = cityScope
		f(&q)
		return q
	}
	cuts := []slice{
		{"the city", with(func(q *measures.Query) {})},
		{"region=370400", with(func(q *measures.Query) { q.RegionID = city })},
		{"a district", with(func(q *measures.Query) { q.RegionID = district })},
		{"市审批服务局", with(func(q *measures.Query) { q.Department = spj })},
		{"市公安局", with(func(q *measures.Query) { q.Department = gaj })},
		{"the window channel", with(func(q *measures.Query) { q.Channel = "window" })},
		{"the kiosk channel", with(func(q *measures.Query) { q.Channel = "kiosk" })},
		{"the city hall", with(func(q *measures.Query) { q.Hall = cityHall })},
		{"市公安局 at its kiosk", with(func(q *measures.Query) { q.Department, q.Channel = gaj, "kiosk" })},
		{"the month's last day", with(func(q *measures.Query) { q.From = q.To })},
		{"the district's office", with(func(q *measures.Query) { q.Scope = access.Scope{Kind: access.ScopeRegion, ID: district} })},
		{"市审批服务局's head", with(func(q *measures.Query) { q.Scope = access.Scope{Kind: access.ScopeDepartment, ID: spj} })},
		{"市公安局's head, asking for 市审批服务局", with(func(q *measures.Query) {
			q.Scope, q.Department = access.Scope{Kind: access.ScopeDepartment, ID: gaj}, spj
		})},
		{"the hall's head", with(func(q *measures.Query) { q.Scope = access.Scope{Kind: access.ScopeHall, ID: cityHall} })},
	}
	// agree checks, for every slice, measure and part, that the rows' total is the figure, and
	// returns the figures of the city.
	agree := func(when string) map[string][2]float64 {
		t.Helper()
		cityFigures := map[string][2]float64{}
		for _, s := range cuts {
			overview, err := svc.Overview(ctx, s.q)
			if err != nil {
				t.Fatal(err)
			}
			for _, measure := range measures.RowMeasures() {
				fig := overview[measure]
				for _, part := range []string{measures.PartNumerator, measures.PartDenominator} {
					want := fig.Denominator
					if part == measures.PartNumerator {
						want = fig.Numerator
					}
					page, err := svc.Rows(ctx, measures.RowsQuery{Query: s.q, Measure: measure, Part: part, PerPage: measures.MaxPerPage})
					if err != nil {
						t.Fatalf("%s: rows of %s %s: %v", when, measure, part, err)
					}
					if float64(page.Total) != want || int64(len(page.Items)) != page.Total {
						t.Errorf("%s, %s: %s %s: %d rows (%d listed), the overview says %v", when, s.name, measure, part,
							page.Total, len(page.Items), want)
					}
				}
				if s.name == "the city" {
					cityFigures[measure] = [2]float64{fig.Numerator, fig.Denominator}
				}
			}
		}
		return cityFigures
	}
	expect := func(when string, got map[string][2]float64, want map[string][2]float64) {
		t.Helper()
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: the city's %s = %v, want %v", when, k, got[k], w)
			}
		}
	}
	expect("after the first rollup", agree("after the first rollup"), map[string][2]float64{
		// 17 ratings in November, 3 of them defaults; e12 and e15 upheld leave the rates.
		"active_rate":                 {12, 15},
		"timely_report_rate":          {4, 17}, // e1, e3, e8, e10
		"callback_rate":               {4, 5},  // e10, e11, e13, e14 of those and e16 (not dispatched)
		"realname_rectification_rate": {2, 4},  // e10, e14 of those and e13, e16
		"ontime_rate":                 {2, 3},  // e10, e14 of those and e11
	})
	// The rule behind 市公安局's 主动评价率: its own five ratings, less its upheld e12; e15, upheld
	// under 市公安局 after its reassignment, is 市审批服务局's rating.
	gajOverview, err := svc.Overview(ctx, cuts[4].q)
	if err != nil {
		t.Fatal(err)
	}
	if a := gajOverview["active_rate"]; a.Numerator != 3 || a.Denominator != 4 {
		t.Errorf("市公安局's active rate %v/%v, want 3/4", a.Numerator, a.Denominator)
	}

	// A kiosk uploads, late, a rating made inside the window of the case a default stood for: the
	// default is superseded. And a new rating arrives. Until the rollup runs, neither the figure
	// nor the rows have them.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE evaluations SET superseded = true WHERE id = $1`, e6); err != nil {
		t.Fatal(err)
	}
	late := m.rate(tx, rating{at: at("2026-11-05", "09:00:00"), where: "370400-GA01 kiosk", channel: "kiosk", level: 4, active: true, caseID: superseded})
	if _, err := tx.Exec(ctx, `INSERT INTO evaluation_supersessions (default_id, evaluation_id, at) VALUES ($1, $2, now())`, e6, late); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	m.rate(pool, rating{at: at("2026-11-20", "10:00:00"), where: "370400-ZH01", channel: "window", level: 5, active: true})
	expect("before the rollup reaches them", agree("before the rollup reaches them"), map[string][2]float64{
		"active_rate": {12, 15}, "timely_report_rate": {4, 17}})
	rollUp()
	expect("after the supersession", agree("after the supersession"), map[string][2]float64{
		"active_rate":        {14, 16}, // the default out, the kiosk's rating and the new one in
		"timely_report_rate": {4, 18},
		"callback_rate":      {4, 5},
	})

	// The rows say what each is, and carry no personal data.
	page, err := svc.Rows(ctx, measures.RowsQuery{Query: with(func(q *measures.Query) {}), Measure: "callback_rate",
		Part: measures.PartDenominator})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]measures.Row{}
	for _, r := range page.Items {
		byID[r.EvaluationID] = r
	}
	if r := byID[e14]; r.WorkOrder == nil || r.WorkOrder.Department.Code != "ZZ-GAJ" || r.Department.Code != "ZZ-SPJ" ||
		r.Window == nil || r.Window.Code != apptest.CityWindow || r.Hall == nil || r.Hall.Code != apptest.CityHall ||
		r.WorkOrder.State != "fed_back" || r.WorkOrder.Number != fmt.Sprintf("ZG-M-%d", e14) {
		t.Errorf("e14's row: %+v %+v", r, r.WorkOrder)
	}
	if len(page.Items) != 5 || page.Kind != "work_orders" || page.Name != "回访率" {
		t.Errorf("callback rows: %d, kind %s, name %s", len(page.Items), page.Kind, page.Name)
	}
	lateRows, err := svc.Rows(ctx, measures.RowsQuery{Query: with(func(q *measures.Query) { q.Channel = "kiosk" }),
		Measure: "active_rate", Part: measures.PartNumerator})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range lateRows.Items {
		if r.EvaluationID == late {
			found = r.CaseNo != nil && r.Item != nil && r.Item.Code == apptest.PassportItem && r.Active && r.Window == nil
		}
		if r.EvaluationID == e6 {
			t.Errorf("the superseded default is listed: %+v", r)
		}
	}
	if !found {
		t.Errorf("the kiosk's late rating is not listed as it is: %+v", lateRows.Items)
	}
	// Pages: three at a time, newest first, every row once.
	seen := map[int64]bool{}
	var last time.Time
	for p := 1; ; p++ {
		pg, err := svc.Rows(ctx, measures.RowsQuery{Query: with(func(q *measures.Query) {}), Measure: "active_rate",
			Part: measures.PartDenominator, Page: p, PerPage: 3})
		if err != nil {
			t.Fatal(err)
		}
		if pg.Total != 16 {
			t.Fatalf("page %d: total %d", p, pg.Total)
		}
		if len(pg.Items) == 0 {
			break
		}
		for _, r := range pg.Items {
			if seen[r.EvaluationID] || (!last.IsZero() && r.RatedAt.After(last)) {
				t.Errorf("page %d: %d out of order or twice", p, r.EvaluationID)
			}
			seen[r.EvaluationID], last = true, r.RatedAt
		}
	}
	if len(seen) != 16 {
		t.Errorf("the pages hold %d rows, want 16", len(seen))
	}
	for _, bad := range []measures.RowsQuery{{Query: nov, Measure: "bad_rate", Part: "numerator"},
		{Query: nov, Measure: "active_rate", Part: "both"}} {
		if _, err := svc.Rows(ctx, bad); err == nil {
			t.Errorf("%s %s: no error", bad.Measure, bad.Part)
		}
	}
}
