package window_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/channels"
	"haochaping/internal/testenv"
)

const path = "/api/v1/channels/window/evaluations"

func TestWindowHappyPath(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	pad := srv.AddDevice("window", apptest.CityWindow, "")
	served := env.Clock.Now().Add(-10 * time.Minute)

	r := srv.Signed(pad, "POST", path, map[string]any{
		"ticket_no": "A017", "staff_no": apptest.CityStaff, "level": 2,
		"reasons": []string{"服务态度"}, "comment": "等了很久", "served_at": served.Format(time.RFC3339),
	})
	if r.Status != 201 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	got := r.JSON(t)
	if got["status"] != "created" || got["id"] == nil || got["bad"] != true || got["active"] != true {
		t.Fatalf("answer: %s", r.Body)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations e JOIN windows w ON w.id = e.window_id
		JOIN staff s ON s.id = e.staff_id
		WHERE w.code = $1 AND s.staff_no = $2 AND e.ticket_no = 'A017' AND e.channel = 'window'
		  AND e.reasons = '{attitude}' AND e.active AND NOT e.real_name`, apptest.CityWindow, apptest.CityStaff); n != 1 {
		t.Fatalf("stored rows matching = %d, want 1", n)
	}
	if n := env.Count(`SELECT count(*) FROM outbox WHERE evaluation_id = $1`, int64(got["id"].(float64))); n != 1 {
		t.Fatalf("outbox rows = %d, want 1 for a bad review", n)
	}

	// The same ticket again is the same evaluation.
	again := srv.Signed(pad, "POST", path, map[string]any{
		"ticket_no": "A017", "level": 5, "served_at": served.Format(time.RFC3339),
	})
	if again.Status != 200 || again.JSON(t)["id"] != got["id"] || again.JSON(t)["status"] != "duplicate" {
		t.Fatalf("repeat: %d %s", again.Status, again.Body)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations`); n != 1 {
		t.Fatalf("evaluations = %d after a repeat, want 1", n)
	}
}

func TestWindowValidationErrorsWriteNothing(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	pad := srv.AddDevice("window", apptest.CityWindow, "")
	elsewhere := apptest.Case("ZZ-WIN-ELSEWHERE", env.Clock.Now().Add(-time.Hour))
	elsewhere["window_code"], elsewhere["staff_no"] = "370400-ZH02", "370400-ZH02-1"
	srv.PushCase(elsewhere)
	recent := env.Clock.Now().Add(-time.Hour).Format(time.RFC3339)
	long := make([]rune, 501)
	for i := range long {
		long[i] = '好'
	}
	cases := []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"not JSON", "level=5", 400, "invalid_json", ""},
		{"empty body", "", 400, "invalid_json", ""},
		{"trailing garbage", `{"ticket_no":"A1","level":5,"served_at":"` + recent + `"} x`, 400, "invalid_json", ""},
		{"level as text", map[string]any{"ticket_no": "A1", "level": "5", "served_at": recent}, 400, "invalid_json", "level"},
		{"no ticket nor case", map[string]any{"level": 5, "served_at": recent}, 422, "ticket_required", "ticket_no"},
		{"bad ticket", map[string]any{"ticket_no": "A 1;--", "level": 5, "served_at": recent}, 422, "invalid_ticket", "ticket_no"},
		{"no served_at", map[string]any{"ticket_no": "A1", "level": 5}, 422, "served_at_required", "served_at"},
		{"unreadable time", map[string]any{"ticket_no": "A1", "level": 5, "served_at": "yesterday"}, 400, "invalid_time", ""},
		{"level missing", map[string]any{"ticket_no": "A1", "served_at": recent}, 422, "invalid_level", "level"},
		{"level 0", map[string]any{"ticket_no": "A1", "level": 0, "served_at": recent}, 422, "invalid_level", "level"},
		{"level 6", map[string]any{"ticket_no": "A1", "level": 6, "served_at": recent}, 422, "invalid_level", "level"},
		{"bad review without reason", map[string]any{"ticket_no": "A1", "level": 2, "served_at": recent}, 422, "reasons_required", "reasons"},
		{"very bad without reason", map[string]any{"ticket_no": "A1", "level": 1, "reasons": []string{}, "served_at": recent}, 422, "reasons_required", "reasons"},
		{"unknown reason", map[string]any{"ticket_no": "A1", "level": 2, "reasons": []string{"太热"}, "served_at": recent}, 422, "invalid_reason", "reasons"},
		{"online reason offline", map[string]any{"ticket_no": "A1", "level": 2, "reasons": []string{"平台操作性"}, "served_at": recent}, 422, "invalid_reason", "reasons"},
		{"comment of 501", map[string]any{"ticket_no": "A1", "level": 4, "comment": string(long), "served_at": recent}, 422, "comment_too_long", "comment"},
		{"served in the future", map[string]any{"ticket_no": "A1", "level": 5, "served_at": env.Clock.Now().Add(time.Hour).Format(time.RFC3339)}, 422, "invalid_time", "served_at"},
		// The window of a visit on 11-17 closed at the end of 11-24, Beijing time.
		{"served 8 days ago", map[string]any{"ticket_no": "A1", "level": 5, "served_at": "2026-11-17 18:00:00"}, 422, "rating_period_over", "rated_at"},
		{"unknown staff", map[string]any{"ticket_no": "A1", "staff_no": "nobody", "level": 5, "served_at": recent}, 422, "staff_not_found", "staff_no"},
		{"staff of another window", map[string]any{"ticket_no": "A1", "staff_no": "370400-ZH02-1", "level": 5, "served_at": recent}, 422, "staff_not_at_window", "staff_no"},
		{"a police officer at a 审批局 window", map[string]any{"ticket_no": "A1", "staff_no": "370400-GA01-1", "level": 1, "reasons": []string{"服务态度"}, "served_at": recent}, 422, "staff_not_at_window", "staff_no"},
		{"a case of another window", map[string]any{"case_no": "ZZ-WIN-ELSEWHERE", "level": 5}, 422, "case_not_at_window", "case_no"},
		{"bad evaluator phone", map[string]any{"ticket_no": "A1", "level": 5, "served_at": recent, "evaluator": map[string]any{"phone": "call me"}}, 422, "invalid_phone", "evaluator.phone"},
	}
	for _, c := range cases {
		r := srv.Signed(pad, "POST", path, c.body)
		got := r.JSON(t)
		if r.Status != c.status || got["code"] != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.Status, r.Body, c.status, c.code)
			continue
		}
		if msg, _ := got["message"].(string); msg == "" {
			t.Errorf("%s: no message", c.name)
		}
		if c.field != "" {
			fields, _ := got["fields"].(map[string]any)
			if _, ok := fields[c.field]; !ok {
				t.Errorf("%s: fields %v do not name %s", c.name, got["fields"], c.field)
			}
		}
	}
	if n := env.Count(`SELECT count(*) FROM evaluations`); n != 0 {
		t.Fatalf("refused ratings wrote %d evaluations", n)
	}
	// A comment of exactly 500 characters is accepted.
	r := srv.Signed(pad, "POST", path, map[string]any{"ticket_no": "A500", "level": 4, "comment": string(long[:500]), "served_at": recent})
	if r.Status != 201 {
		t.Fatalf("500-character comment: %d %s", r.Status, r.Body)
	}
}

func TestWindowConcurrentIdenticalRequests(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	pad := srv.AddDevice("window", apptest.CityWindow, "")
	body := []byte(`{"ticket_no":"C050","level":1,"reasons":["服务效率"],"served_at":"` +
		env.Clock.Now().Add(-time.Hour).Format(time.RFC3339) + `"}`)
	const n = 50
	now := time.Now().Unix()
	statuses := make([]int, n)
	ids := make([]any, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The same body, each request signed afresh (an identical signature is a replay).
			ts := now - int64(i)
			req, _ := http.NewRequest("POST", srv.URL+path, bytes.NewReader(body))
			req.Header.Set(channels.HeaderDeviceID, pad.ID)
			req.Header.Set(channels.HeaderTimestamp, strconv.FormatInt(ts, 10))
			req.Header.Set(channels.HeaderSignature, channels.Sign(pad.Secret, ts, "POST", path, body))
			<-start
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			var m map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&m)
			statuses[i], ids[i] = resp.StatusCode, m["id"]
		}()
	}
	close(start)
	wg.Wait()
	created := 0
	for i := range n {
		switch statuses[i] {
		case 201:
			created++
		case 200:
		default:
			t.Fatalf("request %d: status %d", i, statuses[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("request %d answered id %v, another %v", i, ids[i], ids[0])
		}
	}
	if created != 1 {
		t.Fatalf("%d requests answered 201, want 1", created)
	}
	if got := env.Count(`SELECT count(*) FROM evaluations`); got != 1 {
		t.Fatalf("evaluations = %d, want 1", got)
	}
	if got := env.Count(`SELECT count(*) FROM outbox`); got != 1 {
		t.Fatalf("outbox rows = %d, want 1", got)
	}
}

// TestPadStaffOfItsHallWhereTheRegionAllows: with pad_scope "hall" for the city, a pad may
// name the staff of any window of its hall — still not of another hall.
func TestPadStaffOfItsHallWhereTheRegionAllows(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Set(testenv.Beijing(2026, 11, 25, 10, 0, 0))
	apptest.Seed(env)
	env.Exec(`INSERT INTO settings (region_id, key, value) SELECT id, 'pad_scope', 'hall' FROM regions WHERE code = '370400'`)
	srv := apptest.Start(env)
	pad := srv.DemoDevice("demo-window-370400-zh01")
	served := env.Clock.Now().Add(-time.Hour).Format(time.RFC3339)
	if r := srv.Signed(pad, "POST", path, map[string]any{"ticket_no": "H1", "staff_no": "370400-ZH02-1", "level": 5, "served_at": served}); r.Status != 201 {
		t.Fatalf("staff of another window of the hall: %d %s", r.Status, r.Body)
	}
	if r := srv.Signed(pad, "POST", path, map[string]any{"ticket_no": "H2", "staff_no": "370402-ZH01-1", "level": 5, "served_at": served}); r.Status != 422 || r.Code(t) != "staff_not_at_window" {
		t.Fatalf("staff of another hall: %d %s", r.Status, r.Body)
	}
}

// TestPadRatesTheCase: a pad whose window's system names the case rates that case — its one
// evaluation: no default follows, and the case's ticket is not rated a second time.
func TestPadRatesTheCase(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 9, 30, 0))
	pad := srv.DemoDevice("demo-window-370400-zh01")
	srv.PushCase(apptest.Case("ZZ-PAD-1", env.Clock.Now().Add(-10*time.Minute)))
	r := srv.Signed(pad, "POST", path, map[string]any{"case_no": "ZZ-PAD-1", "ticket_no": "A031", "staff_no": apptest.CityStaff,
		"level": 2, "reasons": []string{"服务效率"}})
	if r.Status != 201 {
		t.Fatalf("the pad rates the case: %d %s", r.Status, r.Body)
	}
	e := r.JSON(t)
	if e["case_no"] != "ZZ-PAD-1" || e["stage"] != "complete" || e["channel"] != "window" || e["real_name"] != true || e["evaluator"] != "张*" {
		t.Fatalf("answer: %s", r.Body)
	}
	// The visit's ticket, rated again by ticket alone, is the same evaluation.
	again := srv.Signed(pad, "POST", path, map[string]any{"ticket_no": "A031", "level": 5, "served_at": env.Clock.Now().Add(-20 * time.Minute).Format(time.RFC3339)})
	if again.Status != 200 || again.JSON(t)["id"] != e["id"] {
		t.Fatalf("the ticket again: %d %s", again.Status, again.Body)
	}
	// After the window, the defaults job has nothing to do for it.
	env.Clock.Set(testenv.Beijing(2026, 12, 3, 0, 5, 0))
	if n, err := srv.App.Evaluation.DefaultEvaluations(context.Background()); err != nil || n != 0 {
		t.Fatalf("defaults after the window: %d, %v", n, err)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations`); n != 1 {
		t.Fatalf("evaluations = %d, want 1", n)
	}
}

// TestPadCountsOnceForTheDay is 总评价量 and 评价率 for a day with both kinds of pad rating,
// computed by hand: three cases completed at the window on 11-25 — two rated at the pad by
// case, one never rated — and two visits without a case rated by ticket.
//
//	总评价量 = 2 case ratings + 2 ticket ratings + 1 default (the unrated case, after its window) = 5
//	主动评价率 = 4 active / 5 = 0.8
//	评价率 = evaluated cases / completed cases: 2/3 before the default, 3/3 after
//
// Had the pad rated the two cases by their tickets, each would have had a default as well:
// 7 evaluations for 5 services.
func TestPadCountsOnceForTheDay(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 9, 0, 0))
	pad := srv.DemoDevice("demo-window-370400-zh01")
	for i, no := range []string{"ZZ-DAY-1", "ZZ-DAY-2", "ZZ-DAY-3"} {
		srv.PushCase(apptest.Case(no, testenv.Beijing(2026, 11, 25, 8, 10*i, 0)))
	}
	for _, body := range []map[string]any{
		{"case_no": "ZZ-DAY-1", "level": 5},
		{"case_no": "ZZ-DAY-2", "level": 2, "reasons": []string{"服务态度"}},
		{"ticket_no": "B001", "level": 4, "served_at": "2026-11-25 08:40:00"},
		{"ticket_no": "B002", "level": 5, "served_at": "2026-11-25 08:50:00"},
	} {
		if r := srv.Signed(pad, "POST", path, body); r.Status != 201 {
			t.Fatalf("rating %v: %d %s", body, r.Status, r.Body)
		}
	}
	office := srv.Login("office", "demo1234")
	overview := func() map[string]any {
		t.Helper()
		env.RollUp(srv.App.Measures)
		if _, err := srv.App.Measures.RecountCases(context.Background()); err != nil {
			t.Fatal(err)
		}
		r := srv.As(office, "GET", "/api/v1/stats/overview?from=2026-11-25&to=2026-12-02&region=370400", nil)
		if r.Status != 200 {
			t.Fatalf("overview: %d %s", r.Status, r.Body)
		}
		return r.JSON(t)["measures"].(map[string]any)
	}
	is := func(m map[string]any, name string, num, den float64) {
		t.Helper()
		x := m[name].(map[string]any)
		if x["numerator"] != num || x["denominator"] != den {
			t.Errorf("%s = %v / %v, want %v / %v", name, x["numerator"], x["denominator"], num, den)
		}
	}
	m := overview()
	is(m, "evaluation_rate", 2, 3)
	is(m, "active_rate", 4, 4)

	env.Clock.Set(testenv.Beijing(2026, 12, 3, 0, 5, 0)) // every window of 11-25 has closed
	if n, err := srv.App.Evaluation.DefaultEvaluations(context.Background()); err != nil || n != 1 {
		t.Fatalf("defaults: %d, %v; want 1, for ZZ-DAY-3", n, err)
	}
	m = overview()
	if total := m["total_evaluations"].(map[string]any)["value"]; total != 5.0 {
		t.Errorf("总评价量 = %v, want 5", total)
	}
	is(m, "active_rate", 4, 5)
	is(m, "evaluation_rate", 3, 3)
	if v := m["active_rate"].(map[string]any)["value"]; v != 0.8 {
		t.Errorf("主动评价率 = %v, want 0.8", v)
	}
}
