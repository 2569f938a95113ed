package console_test

import (
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/web/browsertest"
)

// TestStaffSeeTheirOwnFigures: a clerk sees the month's ratings, bad reviews, their work
// orders and last month's rank; the unit's head sees the unit's and each clerk's; the office
// has the dashboard instead.
func TestStaffSeeTheirOwnFigures(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, consoleNow)
	rate := func(device, staffNo, ticket string, level int) int64 {
		t.Helper()
		body := map[string]any{"ticket_no": ticket, "staff_no": staffNo, "level": level,
			"served_at": env.Clock.Now().Add(-time.Hour).Format(time.RFC3339)}
		if level <= 2 {
			body["reasons"] = []string{"服务态度"}
		}
		r := srv.Signed(srv.DemoDevice(device), "POST", "/api/v1/channels/window/evaluations", body)
		if r.Status != 201 {
			t.Fatalf("rating %s: %d %s", ticket, r.Status, r.Body)
		}
		return int64(r.JSON(t)["id"].(float64))
	}
	// November: the clerk of 综合受理1号窗口 well rated, the one of the police's window badly.
	env.Clock.Set(testenv.Beijing(2026, 11, 20, 10, 0, 0))
	rate("demo-window-370400-zh01", apptest.CityStaff, "N1", 5)
	rate("demo-window-370400-zh01", apptest.CityStaff, "N2", 5)
	rate("demo-window-370400-ga01", "370400-GA01-1", "N3", 2)
	// This month so far: two good ratings and one bad, dispatched.
	env.Clock.Set(consoleNow)
	rate("demo-window-370400-zh01", apptest.CityStaff, "D1", 5)
	rate("demo-window-370400-zh01", apptest.CityStaff, "D2", 4)
	bad := rate("demo-window-370400-zh01", apptest.CityStaff, "D3", 1)
	if _, _, err := srv.App.Rectify.Dispatch(t.Context(), bad); err != nil {
		t.Fatal(err)
	}
	env.RollUp(srv.App.Measures)
	env.Exec(`INSERT INTO settings (region_id, key, value) SELECT id, 'ranking_min_evaluations', '1' FROM regions WHERE code = '370400'`)
	if _, err := srv.App.Measures.ComputeRankings(t.Context(), testenv.Beijing(2026, 11, 1, 0, 0, 0)); err != nil {
		t.Fatal(err)
	}

	clerk := browsertest.Open(t, srv.URL, browsertest.Phone)
	clerk.Go("/console/figures")
	clerk.LogIn("zh01", "demo1234")
	for sel, want := range map[string]string{
		"#my-evaluations": "3", "#my-good": "2", "#my-bad": "1", "#my-rectified": "0 / 1", "#my-rank": "第 1 名",
	} {
		if got := clerk.Text(sel + " .figure"); got != want {
			t.Errorf("the clerk's %s: %q, want %q", sel, got, want)
		}
	}
	if got := clerk.Text("#my-rank .target"); !strings.Contains(got, "共 2 名") {
		t.Errorf("the clerk's rank says %q", got)
	}
	if got := clerk.Text("main"); strings.Contains(got, "本单位工作人员") {
		t.Error("a clerk sees the unit's staff")
	}
	clerk.CheckPage("a clerk's own figures")
	clerk.Screenshot("console-figures")

	head := browsertest.Open(t, srv.URL, browsertest.Desktop)
	head.Go("/console/figures")
	head.LogIn("spj-head", "demo1234")
	row := head.Text("#unit-staff")
	if !strings.Contains(row, apptest.CityStaff) || !strings.Contains(row, "第 1 / 2 名") {
		t.Errorf("the unit's staff: %q", row)
	}
	if got := head.Text("#unit-bad .figure"); got != "1" {
		t.Errorf("the unit's bad reviews: %q", got)
	}
	head.CheckPage("a unit head's figures")
	head.Screenshot("console-figures-unit")

	// The police's clerk was last, of two: 末位, said on their own page.
	other := browsertest.Open(t, srv.URL, browsertest.Desktop)
	other.Go("/console/figures")
	other.LogIn("ga01", "demo1234")
	if got := other.Text("#my-rank .target"); !strings.Contains(got, "末位") {
		t.Errorf("the last clerk's rank says %q", got)
	}
	office := browsertest.Open(t, srv.URL, browsertest.Desktop)
	office.Go("/console/figures")
	if status := office.LogIn("office", "demo1234"); status != 404 {
		t.Errorf("the office's own figures: %d, want 404 (it has the dashboard)", status)
	}
}
