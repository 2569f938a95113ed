package measures_test

import (
	"context"
	"testing"
	"time"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/measures"
)

// The overview reads a period's whole months from the monthly rollups and its other days from
// the daily ones. Its counts must be those of the daily rollups summed day by day (the trend by
// day reads the daily rollups alone), for periods with no, one and two whole months, and stay so
// after each writer changes days already rolled up: a new rating, a rectification, a case
// completed without a rating.
func TestWholeMonthsComeFromTheMonthlyRollups(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	apptest.Seed(env)
	env.Clock.Set(at("2026-12-02", "10:00:00"))
	svc := &measures.Service{DB: env.DB, Now: env.Clock.Now}
	d := newDataset(t, env)
	ctx := context.Background()

	c1, c2 := d.caseDone(at("2026-10-01", "09:00:00")), d.caseDone(at("2026-10-31", "23:00:00"))
	d.caseDone(at("2026-11-15", "09:00:00"))
	d.evaluation(ev{rated: at("2026-09-30", "23:59:59"), level: 5, active: true})
	d.evaluation(ev{rated: at("2026-10-01", "00:00:00"), level: 4, active: true, caseID: c1})
	bad := d.evaluation(ev{rated: at("2026-10-15", "10:00:00"), level: 1, active: true, realName: true})
	d.evaluation(ev{rated: at("2026-10-31", "23:59:59"), level: 3, active: false, caseID: c2})
	d.evaluation(ev{rated: at("2026-11-01", "00:00:00"), level: 2, active: true})
	d.evaluation(ev{rated: at("2026-11-20", "12:00:00"), level: 5, active: true, channel: "pc"})
	d.evaluation(ev{rated: at("2026-12-01", "08:00:00"), level: 4, active: true})
	due := at("2026-10-22", "23:59:59")
	d.workOrder(bad, wo{state: "verified", calledBack: at("2026-10-15", "15:00:00"), due: due})

	rollUpAll := func() {
		t.Helper()
		env.RollUp(svc)
		if _, err := svc.RecountCases(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RollUpRectification(ctx); err != nil {
			t.Fatal(err)
		}
	}
	day := func(s string) time.Time { v, _ := time.Parse("2006-01-02", s); return v }
	periods := []struct{ name, from, to string }{
		{"two whole months and a day on each side", "2026-09-30", "2026-12-01"},
		{"one whole month", "2026-10-01", "2026-10-31"},
		{"no whole month", "2026-10-02", "2026-11-30"},
		{"a month and its next day", "2026-11-01", "2026-12-01"},
	}
	agree := func(stage string) {
		t.Helper()
		for _, p := range periods {
			q := measures.Query{From: day(p.from), To: day(p.to), Scope: access.Scope{Kind: "region", ID: d.region}}
			over, err := svc.Overview(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			points, err := svc.Trend(ctx, q, "day")
			if err != nil {
				t.Fatal(err)
			}
			for name, m := range over {
				var num, den float64
				for _, pt := range points {
					num, den = num+pt.Measures[name].Numerator, den+pt.Measures[name].Denominator
				}
				if name == "total_evaluations" {
					den = m.Denominator // a count: its denominator is 1 in every bucket
				}
				if m.Numerator != num || m.Denominator != den {
					t.Errorf("%s, %s: %s = %v/%v from the monthly rollups, %v/%v from the days", stage, p.name, name,
						m.Numerator, m.Denominator, num, den)
				}
			}
			byMonth, err := svc.Trend(ctx, q, "month")
			if err != nil {
				t.Fatal(err)
			}
			var months float64
			for _, pt := range byMonth {
				months += pt.Measures["total_evaluations"].Numerator
			}
			if months != over["total_evaluations"].Numerator {
				t.Errorf("%s, %s: the trend by month counts %v, the overview %v", stage, p.name, months, over["total_evaluations"].Numerator)
			}
		}
		for _, table := range []string{"rollup_units", "rollup_cases", "rollup_rectification"} {
			if n := env.Count(`SELECT count(*) FROM ` + table + `_monthly`); n == 0 {
				t.Errorf("%s: %s_monthly is empty", stage, table)
			}
		}
	}

	rollUpAll()
	agree("rolled up")
	if got := env.Count(`SELECT sum(total) FROM rollup_units_monthly WHERE day = '2026-10-01'`); got != 3 {
		t.Errorf("October's monthly row counts %d evaluations, want 3", got)
	}

	// Changes to months already rolled up: a late rating of October, the bad review rectified,
	// a case of November completed with no rating.
	d.evaluation(ev{rated: at("2026-10-20", "09:00:00"), level: 5, active: true})
	env.Exec(`UPDATE work_orders SET rectified_at = $2, updated_at = $3 WHERE evaluation_id = $1`,
		bad, at("2026-10-20", "10:00:00"), env.Clock.Now())
	d.caseDone(at("2026-11-16", "09:00:00"))
	env.Clock.Advance(time.Minute)
	rollUpAll()
	agree("after changes")
	q := measures.Query{From: day("2026-10-01"), To: day("2026-10-31"), Scope: access.Scope{Kind: "region", ID: d.region}}
	over, err := svc.Overview(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if got := over["rectification_rate"]; got.Numerator != 1 || got.Denominator != 1 {
		t.Errorf("October's rectification rate %v/%v, want 1/1 once rectified", got.Numerator, got.Denominator)
	}
	if got := over["total_evaluations"].Numerator; got != 4 {
		t.Errorf("October counts %v evaluations, want 4 with the late one", got)
	}
	nov := measures.Query{From: day("2026-11-01"), To: day("2026-11-30"), Scope: access.Scope{Kind: "region", ID: d.region}}
	if m, err := svc.Overview(ctx, nov); err != nil || m["evaluation_rate"].Denominator != 2 {
		t.Errorf("November's completed cases %v (%v), want 2", m["evaluation_rate"].Denominator, err)
	}
}
