package statsapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

// TestRowsFollowTheScope: each login lists the rows behind its own figures — the city's office
// and auditor all, the district's office its district's, a unit head the unit's — and the total
// is the overview's figure.
func TestRowsFollowTheScope(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 20, 10, 0, 0))
	ctx := context.Background()
	now := env.Clock.Now()
	n := 0
	rate := func(pad apptest.Device, level int, evaluator bool) {
		t.Helper()
		n++
		body := map[string]any{"ticket_no": fmt.Sprintf("S%03d", n), "level": level, "served_at": now.Add(-time.Hour).Format(time.RFC3339)}
		if level <= 2 {
			body["reasons"] = []string{"服务态度"}
		}
		if evaluator {
			body["evaluator"] = map[string]any{"name": "李四", "phone": "13900001111"}
		}
		r := srv.Signed(pad, "POST", "/api/v1/channels/window/evaluations", body)
		if r.Status != 201 {
			t.Fatalf("rating: %d %s", r.Status, r.Body)
		}
		if level <= 2 {
			var id int64
			if err := env.DB.Pool.QueryRow(ctx, `SELECT max(id) FROM evaluations`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if _, _, err := srv.App.Rectify.Dispatch(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	spj, gaj, szq := srv.DemoDevice("demo-window-370400-zh01"), srv.DemoDevice("demo-window-370400-ga01"), srv.DemoDevice("demo-window-370402-zh01")
	rate(spj, 5, false)
	rate(spj, 1, true)
	rate(gaj, 5, false)
	rate(gaj, 4, false)
	rate(szq, 5, false)
	rate(szq, 2, true)
	env.RollUp(srv.App.Measures)
	if _, err := srv.App.Measures.RollUpRectification(ctx); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		login, prefix   string // the departments' codes begin with prefix
		ratings, badOne float64
	}{
		{"office", "", 6, 2}, {"auditor", "", 6, 2}, {"szq-office", "370402-", 2, 1},
		{"spj-head", "ZZ-SPJ", 2, 1}, {"gaj-head", "ZZ-GAJ", 2, 0}, {"hall-head", "ZZ-", 4, 1},
	} {
		token := srv.Login(c.login, "demo1234")
		overview := srv.As(token, "GET", "/api/v1/stats/overview", nil).JSON(t)["measures"].(map[string]any)
		for _, measure := range []string{"active_rate", "callback_rate", "realname_rectification_rate", "ontime_rate", "timely_report_rate"} {
			for _, part := range []string{"numerator", "denominator"} {
				r := srv.As(token, "GET", "/api/v1/stats/rows?measure="+measure+"&part="+part, nil)
				if r.Status != 200 {
					t.Fatalf("%s: rows of %s %s: %d %s", c.login, measure, part, r.Status, r.Body)
				}
				if s := string(r.Body); strings.Contains(s, "1111") || strings.Contains(s, "李") {
					t.Errorf("%s: the rows show the evaluator: %s", c.login, s)
				}
				page := r.JSON(t)
				if want := overview[measure].(map[string]any)[part]; page["total"] != want {
					t.Errorf("%s: %s %s: %v rows, the overview says %v", c.login, measure, part, page["total"], want)
				}
				for _, it := range page["items"].([]any) {
					it := it.(map[string]any)
					code := it["department"].(map[string]any)["code"].(string)
					if wo, ok := it["work_order"].(map[string]any); ok && measure != "active_rate" && measure != "timely_report_rate" {
						code = wo["department"].(map[string]any)["code"].(string)
					}
					if !strings.HasPrefix(code, c.prefix) {
						t.Errorf("%s: a row of %s outside the scope: %v", c.login, code, it)
					}
				}
			}
		}
		if d := overview["active_rate"].(map[string]any)["denominator"]; d != c.ratings {
			t.Errorf("%s: %v ratings, want %v", c.login, d, c.ratings)
		}
		if d := overview["callback_rate"].(map[string]any)["denominator"]; d != c.badOne {
			t.Errorf("%s: %v bad reviews, want %v", c.login, d, c.badOne)
		}
	}
	// A district's rows asked for by the city's office; another unit's by a unit head: nothing.
	office := srv.Login("office", "demo1234")
	if r := srv.As(office, "GET", "/api/v1/stats/rows?measure=active_rate&part=denominator&region=370402", nil); r.JSON(t)["total"] != 2.0 {
		t.Errorf("the district, for the city's office: %s", r.Body)
	}
	if r := srv.As(srv.Login("gaj-head", "demo1234"), "GET", "/api/v1/stats/rows?measure=active_rate&part=denominator&department=ZZ-SPJ", nil); r.JSON(t)["total"] != 0.0 {
		t.Errorf("another unit's rows, for a unit head: %s", r.Body)
	}
	if r := srv.As(srv.Login("zh01", "demo1234"), "GET", "/api/v1/stats/rows?measure=active_rate&part=denominator", nil); r.Status != 403 {
		t.Errorf("window staff: %d", r.Status)
	}
	for q, code := range map[string]string{"measure=bad_rate&part=numerator": "invalid_measure", "measure=active_rate": "invalid_part",
		"measure=active_rate&part=numerator&per_page=500": "invalid_per_page", "measure=active_rate&part=numerator&page=0": "invalid_page",
		"measure=active_rate&part=numerator&hall=NOPE": "unknown_hall", "measure=active_rate&part=numerator&from=2026-11-31": "invalid_date"} {
		if r := srv.As(office, "GET", "/api/v1/stats/rows?"+q, nil); r.Status != 422 || r.Code(t) != code {
			t.Errorf("%s: %d %s, want %s", q, r.Status, r.Body, code)
		}
	}
}
