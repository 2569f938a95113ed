package measures_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
	"haochaping/internal/testenv"
	"haochaping/measures"
)

// rkNow is the business time of the rankings and praise tests: a month that began on a
// Sunday (2026-11-01), so that the last month and this month are both in view.
var rkNow = testenv.Beijing(2026, 11, 25, 10, 0, 0)

// rkService seeds the test's schema and returns a service on it, its clock at rkNow.
func rkService(t *testing.T) (*testenv.Env, *measures.Service) {
	t.Helper()
	env := testenv.New(t)
	env.Clock.Set(rkNow)
	apptest.Seed(env)
	svc := &measures.Service{DB: env.DB, Now: env.Clock.Now}
	return env, svc
}

var rkSeq atomic.Int64

// rkRate inserts n active evaluations at level, rated at `at`, at the window (by its code) and
// by its first staff member (<window>-1).
func rkRate(env *testenv.Env, window string, level, n int, at time.Time) {
	env.T.Helper()
	tag := fmt.Sprintf("RK%d", rkSeq.Add(1))
	before := env.Count(`SELECT count(*) FROM evaluations`)
	env.Exec(`
		INSERT INTO evaluations (idem_key, channel, ticket_no, service_day, region_id, department_id, hall_id, window_id,
		                         staff_id, level, reasons, reason_kind, active, real_name, served_at, rated_at)
		SELECT 'test:' || $1 || '-' || g, 'window', $1 || '-' || g, ($2::timestamptz AT TIME ZONE 'Asia/Shanghai')::date,
		       h.region_id, w.department_id, w.hall_id, w.id, (SELECT s.id FROM staff s WHERE s.staff_no = w.code || '-1'),
		       $3::smallint, CASE WHEN $3::smallint <= 2 THEN ARRAY['attitude'] ELSE ARRAY[]::text[] END,
		       CASE WHEN $3::smallint <= 2 THEN 'offline' END, true, false,
		       $2::timestamptz - interval '10 minutes', $2::timestamptz
		FROM windows w JOIN halls h ON h.id = w.hall_id, generate_series(1, $4::integer) g
		WHERE w.code = $5`, tag, at, level, n, window)
	if got := env.Count(`SELECT count(*) FROM evaluations`) - before; got != n {
		env.T.Fatalf("rated %d at %s, want %d", got, window, n)
	}
}

// rkRollUp rolls up until every evaluation is in the rollups: a transaction of another test
// on the same server may hold the horizon back for a moment.
func rkRollUp(t *testing.T, env *testenv.Env, svc *measures.Service) {
	t.Helper()
	testenv.Eventually(t, 30*time.Second, "every evaluation rolled up", func() bool {
		if _, err := svc.RollUp(context.Background()); err != nil {
			t.Fatal(err)
		}
		return env.Count(`SELECT COALESCE(sum(total), 0) FROM rollup_evaluations`) == env.Count(`SELECT count(*) FROM evaluations`)
	})
}

func rkID(env *testenv.Env, table, col, code string) int64 {
	env.T.Helper()
	return int64(env.Count(`SELECT id FROM `+table+` WHERE `+col+` = $1`, code))
}

// rkSeedMonths rates February and March 2026 (see TestRankings).
func rkSeedMonths(t *testing.T, env *testenv.Env, svc *measures.Service) {
	t.Helper()
	feb := time.Date(2026, 2, 10, 10, 0, 0, 0, bjtime.Location)
	mar := time.Date(2026, 3, 10, 10, 0, 0, 0, bjtime.Location)
	// February, city hall: BB01 last (8.0), ZZ-SPJ last among the city's departments.
	rkRate(env, "370400-ZH01", 5, 30, feb)
	rkRate(env, "370400-GA01", 5, 30, feb)
	rkRate(env, "370400-BB01", 4, 30, feb)
	// March, city hall.
	rkRate(env, "370400-ZH01", 5, 30, mar) // 10.000, good 1
	rkRate(env, "370400-DD01", 5, 30, mar) // 10.000, good 1: tie with ZH01, the id decides
	rkRate(env, "370400-GA01", 5, 22, mar) // 9.467 (ZZ-GAJ)
	rkRate(env, "370400-GA01", 4, 8, mar)
	rkRate(env, "370400-ZH02", 5, 20, mar) // 9.333
	rkRate(env, "370400-ZH02", 4, 10, mar)
	rkRate(env, "370400-ZH03", 5, 15, mar) // 9.000, good 1
	rkRate(env, "370400-ZH03", 4, 15, mar)
	rkRate(env, "370400-BB01", 5, 24, mar) // 9.000, good 0.8: last, and last in February too
	rkRate(env, "370400-BB01", 3, 5, mar)
	rkRate(env, "370400-BB01", 1, 1, mar)
	// TB01: 29 in March (the last at 23:30 on the 31st, Beijing) and one on 1 April at 00:30.
	rkRate(env, "370400-TB01", 5, 28, mar)
	rkRate(env, "370400-TB01", 5, 1, time.Date(2026, 3, 31, 23, 30, 0, 0, bjtime.Location))
	rkRate(env, "370400-TB01", 5, 1, time.Date(2026, 4, 1, 0, 30, 0, 0, bjtime.Location))
	// 市中区: one window alone in its ranking, however bad.
	rkRate(env, "370402-ZH01", 1, 30, mar)
	// 薛城区: two windows tied: neither is last.
	rkRate(env, "370403-ZH01", 5, 30, mar)
	rkRate(env, "370403-ZH02", 5, 30, mar)
	rkRollUp(t, env, svc)
}

func rkCodes(rs []measures.Ranking) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

func TestRankingsOrderCutBottomAndFlag(t *testing.T) {
	t.Parallel()
	env, svc := rkService(t)
	ctx := context.Background()
	rkSeedMonths(t, env, svc)
	city := rkID(env, "regions", "code", "370400")
	march := time.Date(2026, 3, 1, 0, 0, 0, 0, bjtime.Location)

	// March first, without February: BB01 is last but not yet flagged.
	n, err := svc.ComputeRankings(ctx, time.Date(2026, 3, 31, 23, 59, 0, 0, bjtime.Location))
	if err != nil {
		t.Fatal(err)
	}
	// departments: city 2, 370402 1, 370403 1; windows and staff: city 6, 370402 1, 370403 2.
	if n != 22 {
		t.Fatalf("March rows = %d, want 22", n)
	}
	if got := env.Count(`SELECT count(*) FROM rankings WHERE flagged`); got != 0 {
		t.Fatalf("%d flagged without a February", got)
	}
	// February, then March again: replaced, not added to, and now flagged.
	if n, err := svc.ComputeRankings(ctx, time.Date(2026, 2, 1, 0, 0, 0, 0, bjtime.Location)); err != nil || n != 8 {
		t.Fatalf("February rows = %d, %v; want 8", n, err)
	}
	if n, err := svc.ComputeRankings(ctx, march); err != nil || n != 22 {
		t.Fatalf("March again = %d, %v; want 22", n, err)
	}
	if got := env.Count(`SELECT count(*) FROM rankings WHERE month = '2026-03-01'`); got != 22 {
		t.Fatalf("March rows stored = %d, want 22", got)
	}

	windows, err := svc.Rankings(ctx, measures.RankingQuery{Month: march, Kind: measures.RankWindow, RegionID: city,
		Scope: access.Scope{Kind: access.ScopeRegion, ID: city}})
	if err != nil {
		t.Fatal(err)
	}
	first, second := "370400-ZH01", "370400-DD01"
	if rkID(env, "windows", "code", second) < rkID(env, "windows", "code", first) {
		first, second = second, first
	}
	want := []string{first, second, "370400-GA01", "370400-ZH02", "370400-ZH03", "370400-BB01", "370402-ZH01", "370403-ZH01", "370403-ZH02"}
	if got := rkCodes(windows); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("windows = %v, want %v", got, want)
	}
	for i, r := range windows[:6] {
		if r.Rank != i+1 || r.OfTotal != 6 || r.RegionCode != "370400" || r.Month != "2026-03" {
			t.Errorf("%s: rank %d of %d in %s (%s), want %d of 6 in 370400", r.Code, r.Rank, r.OfTotal, r.RegionCode, r.Month, i+1)
		}
		if wantBottom := r.Code == "370400-BB01"; r.Bottom != wantBottom || r.Flagged != wantBottom {
			t.Errorf("%s: bottom %v flagged %v, want %v", r.Code, r.Bottom, r.Flagged, wantBottom)
		}
	}
	bb := windows[5]
	if bb.Evaluations != 30 || bb.Satisfaction != 9 || bb.GoodRate != 0.8 || bb.BadRate != 0.0333 || bb.ActiveRate != 1 || bb.Name == "" {
		t.Errorf("BB01 = %+v", bb)
	}
	if ga := windows[2]; ga.Satisfaction != 9.467 || ga.GoodRate != 1 || ga.BadRate != 0 {
		t.Errorf("GA01 = %+v", ga)
	}
	// Alone in its ranking: first and not last, however bad. All tied: nobody last.
	for _, r := range windows[6:] {
		if r.Bottom || r.Flagged || r.Rank > r.OfTotal || (r.RegionCode == "370402") != (r.OfTotal == 1) {
			t.Errorf("%s: %+v", r.Code, r)
		}
	}
	// TB01 has 29 ratings in March (the one of 1 April is April's): below the minimum of 30.
	for _, r := range windows {
		if r.Code == "370400-TB01" {
			t.Fatalf("TB01 ranked with %d evaluations", r.Evaluations)
		}
	}

	// Staff: the same order, by staff number; the staff member at BB01 flagged too.
	staff, err := svc.Rankings(ctx, measures.RankingQuery{Month: march, Kind: measures.RankStaff, RegionID: city,
		Scope: access.Scope{Kind: access.ScopeRegion, ID: city}})
	if err != nil {
		t.Fatal(err)
	}
	if len(staff) != 9 || staff[5].Code != "370400-BB01-1" || !staff[5].Flagged || staff[5].Name == "" || staff[5].OfTotal != 6 {
		t.Fatalf("staff = %+v", staff)
	}

	// Departments among the city's: 市审批服务局 (9.553) first, 市公安局 (9.467) last — but
	// first in February, so not flagged; the district's departments each alone.
	depts, err := svc.Rankings(ctx, measures.RankingQuery{Month: march, Kind: measures.RankDepartment,
		Scope: access.Scope{Kind: access.ScopeRegion, ID: city}})
	if err != nil {
		t.Fatal(err)
	}
	if got := rkCodes(depts); fmt.Sprint(got) != "[ZZ-SPJ ZZ-GAJ 370402-SPJ 370403-SPJ]" {
		t.Fatalf("departments = %v", got)
	}
	if d := depts[1]; !d.Bottom || d.Flagged || d.Rank != 2 || d.OfTotal != 2 || d.Evaluations != 30 {
		t.Errorf("ZZ-GAJ = %+v", d)
	}
	if d := depts[0]; d.Bottom || d.Evaluations != 179 || d.Satisfaction != 9.553 {
		t.Errorf("ZZ-SPJ = %+v (TB01's 29 count for its department)", d)
	}
	if got := env.Count(`SELECT count(*) FROM rankings WHERE month = '2026-02-01' AND kind = 'department' AND bottom
		AND subject_id = $1`, rkID(env, "departments", "code", "ZZ-SPJ")); got != 1 {
		t.Errorf("ZZ-SPJ was not last in February")
	}

	// The region's own minimum (settings) lets TB01 in with its 29 March ratings.
	env.Exec(`INSERT INTO settings (region_id, key, value) VALUES ($1, 'ranking_min_evaluations', '29')`, city)
	if n, err := svc.ComputeRankings(ctx, march); err != nil || n != 24 {
		t.Fatalf("with a minimum of 29: %d rows, %v; want 24", n, err)
	}
	windows, err = svc.Rankings(ctx, measures.RankingQuery{Month: march, Kind: measures.RankWindow, RegionID: city,
		Scope: access.Scope{Kind: access.ScopeRegion, ID: city}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range windows {
		if r.Code == "370400-TB01" {
			found = r.Evaluations == 29 && r.OfTotal == 7
		}
		if r.Code == "370400-BB01" && (r.Rank != 7 || !r.Flagged) {
			t.Errorf("BB01 after the cut changed: %+v", r)
		}
	}
	if !found {
		t.Fatalf("TB01 not ranked with 29 evaluations of 7: %v", rkCodes(windows))
	}
}

func TestRankingsScope(t *testing.T) {
	t.Parallel()
	env, svc := rkService(t)
	ctx := context.Background()
	rkSeedMonths(t, env, svc)
	march := time.Date(2026, 3, 15, 12, 0, 0, 0, bjtime.Location)
	if _, err := svc.ComputeRankings(ctx, march); err != nil {
		t.Fatal(err)
	}
	gaj := rkID(env, "departments", "code", "ZZ-GAJ")
	spj := rkID(env, "departments", "code", "ZZ-SPJ")
	hall := rkID(env, "halls", "code", "370400-ZWFW")
	city := rkID(env, "regions", "code", "370400")
	district := rkID(env, "regions", "code", "370402")
	cases := []struct {
		name  string
		q     measures.RankingQuery
		codes string
	}{
		{"department scope: its ranking, its window, its staff", measures.RankingQuery{Scope: access.Scope{Kind: access.ScopeDepartment, ID: gaj}},
			"[ZZ-GAJ 370400-GA01 370400-GA01-1]"},
		{"hall scope: windows and staff of the hall, no department", measures.RankingQuery{Kind: measures.RankWindow,
			Scope: access.Scope{Kind: access.ScopeHall, ID: hall}}, "6 windows"},
		{"district scope", measures.RankingQuery{Scope: access.Scope{Kind: access.ScopeRegion, ID: district}},
			"[370402-SPJ 370402-ZH01 370402-ZH01-1]"},
		{"district filter inside the city scope", measures.RankingQuery{RegionID: district, Kind: measures.RankStaff,
			Scope: access.Scope{Kind: access.ScopeRegion, ID: city}}, "[370402-ZH01-1]"},
		{"department filter outside the department scope", measures.RankingQuery{Department: spj,
			Scope: access.Scope{Kind: access.ScopeDepartment, ID: gaj}}, "[]"},
		{"district scope asks for the city", measures.RankingQuery{RegionID: city,
			Scope: access.Scope{Kind: access.ScopeRegion, ID: district}}, "[370402-SPJ 370402-ZH01 370402-ZH01-1]"},
		{"no scope sees nothing", measures.RankingQuery{}, "[]"},
		{"another month", measures.RankingQuery{Month: time.Date(2026, 4, 1, 0, 0, 0, 0, bjtime.Location),
			Scope: access.Scope{Kind: access.ScopeRegion, ID: city}}, "[]"},
	}
	for _, c := range cases {
		if c.q.Month.IsZero() && c.name != "no scope sees nothing" {
			c.q.Month = march
		}
		got, err := svc.Rankings(ctx, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		codes := fmt.Sprint(rkCodes(got))
		if len(got) == 0 {
			codes = "[]"
		}
		if c.codes == "6 windows" {
			if len(got) != 6 {
				t.Errorf("%s: %s", c.name, codes)
			}
			for _, r := range got {
				if r.HallID == nil || *r.HallID != hall {
					t.Errorf("%s: %+v", c.name, r)
				}
			}
			continue
		}
		if codes != c.codes {
			t.Errorf("%s: %s, want %s", c.name, codes, c.codes)
		}
	}
	// A hall's scope sees its windows and staff, never a department's ranking.
	all, err := svc.Rankings(ctx, measures.RankingQuery{Month: march, Scope: access.Scope{Kind: access.ScopeHall, ID: hall}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		if r.Kind == measures.RankDepartment {
			t.Errorf("hall scope sees department %s", r.Code)
		}
	}
	if len(all) != 12 {
		t.Errorf("hall scope: %d rows, want 12", len(all))
	}
	if _, err := svc.Rankings(ctx, measures.RankingQuery{Kind: "hall", Scope: access.Scope{Kind: access.ScopeRegion, ID: city}}); err == nil {
		t.Fatal("kind hall accepted")
	} else if p, ok := problem.As(err); !ok || p.Code != "invalid_kind" {
		t.Fatalf("kind hall: %v", err)
	}
}
