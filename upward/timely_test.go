package upward_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/evaluation"
	"haochaping/internal/testenv"
	"haochaping/upward"
)

// TestTimelyReportRateAcrossATiaoxiuWeek: 及时上报率 counts the ratings the platform acknowledged
// by the end of the 5th working day after the service, on the 调休 calendar — here the 2026
// National Day week: Sunday 20 September and Saturday 10 October are worked, 1–7 October are
// off. Each deadline below is counted by hand from the State Council's arrangement, not by the
// calendar package; a calendar of weekends alone would make 09-19 timely and 09-28 late.
func TestTimelyReportRateAcrossATiaoxiuWeek(t *testing.T) {
	t.Parallel()
	w, srv := newUpwardWorld(t, 0)
	ctx := context.Background()
	raw, err := os.ReadFile("../seeds/upward/shandong.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// A platform that refuses some projects for now (the office resends them later).
	refusing := func(pattern string) *upward.Profile {
		t.Helper()
		p, err := upward.ParseProfile([]byte(strings.ReplaceAll(string(raw), "from: project_no,      required: true, max: 50}",
			"from: project_no,      required: true, max: 50, pattern: \""+pattern+"\"}")))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	lenient := w.sim.Profile
	pad := srv.DemoDevice("demo-window-370400-zh01")
	rate := func(no string, served time.Time) {
		t.Helper()
		w.env.Clock.Set(served)
		srv.PushCase(apptest.Case(no, served))
		w.env.Clock.Set(served.Add(5 * time.Minute))
		if r := srv.Signed(pad, "POST", "/api/v1/channels/window/evaluations", map[string]any{"case_no": no,
			"staff_no": apptest.CityStaff, "level": 5}); r.Status != 201 {
			t.Fatalf("rate %s: %d %s", no, r.Status, r.Body)
		}
	}
	s := w.sender(t, 100)
	s.Acknowledged = evaluation.MarkAcknowledged
	sendAt := func(at time.Time) upward.Sent {
		t.Helper()
		w.env.Clock.Set(at)
		if _, _, err := upward.Enqueue(ctx, w.env.DB, at); err != nil {
			t.Fatal(err)
		}
		sent, err := s.Send(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return sent
	}
	bj := func(month, day, hour int) time.Time { return testenv.Beijing(2026, time.Month(month), day, hour, 0, 0) }

	// The services, each at 10:00 Beijing, with the deadline counted by hand.
	type service struct {
		no       string
		at       time.Time
		deadline string // the last day a report is on time
		timely   bool
	}
	services := []service{
		{"TW-0919", bj(9, 19, 10), "09-24", false},  // Sat off: 20 (worked Sun), 21, 22, 23, 24; sent 09-25
		{"TW-0920", bj(9, 20, 10), "09-25", true},   // the worked Sunday: 21 … 25; sent 09-25
		{"TW-0921", bj(9, 21, 10), "09-28", true},   // 22, 23, 24, 25, 28; sent 09-25
		{"TW-L0922", bj(9, 22, 10), "09-29", false}, // 23, 24, 25, 28, 29; refused, resent 10-10
		{"TW-0928", bj(9, 28, 10), "10-10", true},   // 29, 30, 10-08, 09, 10 (worked Sat); sent 10-10
		{"TW-0929", bj(9, 29, 10), "10-12", true},   // 30, 08, 09, 10, 12; sent 10-10
		{"TW-L0930", bj(9, 30, 10), "10-13", false}, // 08, 09, 10, 12, 13; refused twice, resent 10-14
		{"TW-1002", bj(10, 2, 10), "10-13", true},   // a holiday: 08, 09, 10, 12, 13; sent 10-10
		{"TW-1004", bj(10, 4, 10), "10-13", true},   // a holiday Sunday: the same; sent 10-10
	}
	for _, sv := range services[:4] {
		rate(sv.no, sv.at)
	}
	w.sim.Profile = refusing(`^37TW-[0-9]`)
	if sent := sendAt(bj(9, 25, 12)); sent.Acknowledged != 6 || sent.Refused != 1 {
		t.Fatalf("09-25: %+v, want 3 services and 3 ratings acknowledged, TW-L0922's service refused", sent)
	}
	for _, sv := range services[4:] {
		rate(sv.no, sv.at)
	}
	w.sim.Profile = refusing(`^37TW-([0-9]|L0922)`)
	if n, err := upward.ResendAllRefused(ctx, w.env.DB, bj(10, 10, 20)); err != nil || n != 1 {
		t.Fatalf("resend on 10-10: %d %v", n, err)
	}
	if sent := sendAt(bj(10, 10, 20)); sent.Acknowledged != 10 || sent.Refused != 1 {
		t.Fatalf("10-10: %+v, want TW-L0922 and four more, services and ratings, TW-L0930 refused", sent)
	}
	w.sim.Profile = lenient
	if n, err := upward.ResendAllRefused(ctx, w.env.DB, bj(10, 14, 9)); err != nil || n != 1 {
		t.Fatalf("resend on 10-14: %d %v", n, err)
	}
	if sent := sendAt(bj(10, 14, 9)); sent.Acknowledged != 2 {
		t.Fatalf("10-14: %+v", sent)
	}

	wantTimely := 0
	for _, sv := range services {
		var timely bool
		if err := w.env.DB.Pool.QueryRow(ctx, `SELECT u.timely FROM upward_reports u JOIN evaluations e ON e.id = u.evaluation_id
			JOIN cases c ON c.id = e.case_id WHERE c.case_no = $1`, sv.no).Scan(&timely); err != nil {
			t.Fatalf("%s: %v", sv.no, err)
		}
		if timely != sv.timely {
			t.Errorf("%s (served %s, on time until %s): timely %v, want %v", sv.no, sv.at.Format("01-02"), sv.deadline, timely, sv.timely)
		}
		if sv.timely {
			wantTimely++
		}
	}
	w.env.RollUp(srv.App.Measures)
	office := srv.Login("office", "demo1234")
	r := srv.As(office, "GET", "/api/v1/stats/overview?from=2026-09-19&to=2026-10-04", nil)
	m, _ := r.JSON(t)["measures"].(map[string]any)
	rate6of9, _ := m["timely_report_rate"].(map[string]any)
	if r.Status != 200 || rate6of9["numerator"] != float64(wantTimely) || rate6of9["denominator"] != float64(len(services)) {
		t.Fatalf("及时上报率 %v, want %d / %d (%d %s)", rate6of9, wantTimely, len(services), r.Status, r.Body)
	}
	if want := fmt.Sprint(6.0 / 9); fmt.Sprint(rate6of9["value"]) != want {
		t.Errorf("及时上报率 = %v, want %s", rate6of9["value"], want)
	}
}
