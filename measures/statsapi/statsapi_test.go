package statsapi_test

import (
	"testing"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

func TestOverviewRolesAndShape(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	// Half a minute before Beijing midnight, on the last day of a month (15:59:30 UTC).
	env.Clock.Set(testenv.Beijing(2026, 11, 30, 23, 59, 30))
	apptest.Seed(env)
	srv := apptest.Start(env)
	pad := srv.DemoDevice("demo-window-370400-zh01")
	for i, level := range []int{5, 5, 4, 1} {
		body := map[string]any{"ticket_no": "S" + string(rune('0'+i)), "level": level, "served_at": "2026-11-30 23:00:00"}
		if level <= 2 {
			body["reasons"] = []string{"服务态度"}
		}
		if r := srv.Signed(pad, "POST", "/api/v1/channels/window/evaluations", body); r.Status != 201 {
			t.Fatalf("rating: %d %s", r.Status, r.Body)
		}
	}
	env.RollUp(srv.App.Measures)
	today := "2026-11-30"
	office := srv.Login("office", "demo1234")
	r := srv.As(office, "GET", "/api/v1/stats/overview?from="+today+"&to="+today, nil)
	if r.Status != 200 {
		t.Fatalf("overview: %d %s", r.Status, r.Body)
	}
	m := r.JSON(t)["measures"].(map[string]any)
	for _, k := range []string{"active_rate", "evaluation_rate", "good_rate", "bad_rate", "satisfaction", "callback_rate",
		"rectification_rate", "record_rate", "realname_rectification_rate", "ontime_rate", "timely_report_rate"} {
		mm, ok := m[k].(map[string]any)
		if !ok {
			t.Fatalf("measure %s missing: %s", k, r.Body)
		}
		for _, f := range []string{"numerator", "denominator", "value", "target", "met"} {
			if _, ok := mm[f]; !ok {
				t.Errorf("measure %s has no %s", k, f)
			}
		}
	}
	if g := m["good_rate"].(map[string]any); g["numerator"] != 3.0 || g["denominator"] != 4.0 {
		t.Fatalf("good rate: %v", g)
	}
	// A unit head sees their unit; another unit's head sees none of it; window staff see nothing.
	if r := srv.As(srv.Login("spj-head", "demo1234"), "GET", "/api/v1/stats/overview?from="+today+"&to="+today, nil); r.JSON(t)["measures"].(map[string]any)["active_rate"].(map[string]any)["denominator"] != 4.0 {
		t.Errorf("the unit's head: %s", r.Body)
	}
	if r := srv.As(srv.Login("gaj-head", "demo1234"), "GET", "/api/v1/stats/overview?from="+today+"&to="+today, nil); r.JSON(t)["measures"].(map[string]any)["active_rate"].(map[string]any)["denominator"] != 0.0 {
		t.Errorf("another unit's head: %s", r.Body)
	}
	if r := srv.As(srv.Login("zh01", "demo1234"), "GET", "/api/v1/stats/overview", nil); r.Status != 403 {
		t.Errorf("window staff: %d", r.Status)
	}
	for q, code := range map[string]string{"from=yesterday": "invalid_date", "channel=fax": "invalid_channel",
		"region=999999": "unknown_region", "from=2026-11-10&to=2026-11-01": "invalid_period"} {
		if r := srv.As(office, "GET", "/api/v1/stats/overview?"+q, nil); r.Status != 422 || r.Code(t) != code {
			t.Errorf("%s: %d %s", q, r.Status, r.Body)
		}
	}
	// The default period is this Beijing month to today: November until midnight, then December.
	activeCount := func(query string) any {
		t.Helper()
		r := srv.As(office, "GET", "/api/v1/stats/overview"+query, nil)
		if r.Status != 200 {
			t.Fatalf("overview%s: %d %s", query, r.Status, r.Body)
		}
		m := r.JSON(t)
		return m["measures"].(map[string]any)["active_rate"].(map[string]any)["denominator"]
	}
	if n := activeCount(""); n != 4.0 {
		t.Errorf("this month before midnight: %v evaluations, want 4", n)
	}
	env.Clock.Set(testenv.Beijing(2026, 12, 1, 0, 0, 30)) // half a minute after midnight
	if n := activeCount(""); n != 0.0 {
		t.Errorf("this month after midnight: %v evaluations, want 0 (a new month)", n)
	}
	if n := activeCount("?from=2026-11-30&to=2026-11-30"); n != 4.0 {
		t.Errorf("the day before, after midnight: %v evaluations, want 4", n)
	}
	if r := srv.Signed(pad, "POST", "/api/v1/channels/window/evaluations", map[string]any{"ticket_no": "S9", "level": 5,
		"served_at": "2026-12-01 00:00:10"}); r.Status != 201 {
		t.Fatalf("rating after midnight: %d %s", r.Status, r.Body)
	}
	env.RollUp(srv.App.Measures)
	if n := activeCount(""); n != 1.0 {
		t.Errorf("this month, with one rating after midnight: %v, want 1", n)
	}
	if n := activeCount("?from=2026-11-30&to=2026-11-30"); n != 4.0 {
		t.Errorf("the last day of November, with one rating after midnight: %v, want 4", n)
	}
	if r := srv.As(office, "GET", "/api/v1/stats/trend?by=week", nil); r.Status != 200 {
		t.Errorf("trend: %d %s", r.Status, r.Body)
	}
	if r := srv.As(office, "GET", "/api/v1/stats/trend?by=year", nil); r.Status != 422 {
		t.Errorf("trend by year: %d", r.Status)
	}
	if r := srv.As(office, "GET", "/api/v1/stats/rankings?kind=window", nil); r.Status != 200 {
		t.Errorf("rankings: %d %s", r.Status, r.Body)
	}
}
