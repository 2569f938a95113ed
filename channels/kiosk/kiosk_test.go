package kiosk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

const path = "/api/v1/channels/kiosk/evaluations"

func TestKioskOfflineBatch(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	kiosk := srv.DemoDevice("demo-kiosk-370400")
	// Served five days ago, rated two days ago while the kiosk was offline, uploaded now: the
	// original time counts, so the rating is inside the 7-day window.
	served := testenv.Beijing(2026, 11, 20, 10, 0, 0)
	srv.PushCase(apptest.Case("ZZ-KIOSK-1", served))
	srv.PushCase(apptest.Case("ZZ-KIOSK-2", served))
	elsewhere := apptest.Case("ZZ-KIOSK-SZQ", served) // handled at 市中区's hall, not this kiosk's
	elsewhere["hall_code"], elsewhere["window_code"], elsewhere["staff_no"] = "370402-ZWFW", "370402-ZH01", "370402-ZH01-1"
	srv.PushCase(elsewhere)
	srv.PushCase(apptest.Case("ZZ-KIOSK-3", served))
	rated := testenv.Beijing(2026, 11, 23, 16, 20, 0)
	ratedAt := rated.Format(time.RFC3339)
	batch := map[string]any{"records": []any{
		map[string]any{"seq": 101, "case_no": "ZZ-KIOSK-1", "level": 5, "rated_at": ratedAt},
		map[string]any{"seq": 102, "case_no": "ZZ-KIOSK-2", "level": 2, "reasons": []string{"办事环境"}, "rated_at": ratedAt},
		map[string]any{"seq": 103, "case_no": "ZZ-UNKNOWN", "level": 5, "rated_at": ratedAt},
		map[string]any{"case_no": "ZZ-KIOSK-2", "level": 5, "rated_at": ratedAt},
		map[string]any{"seq": 105, "case_no": "ZZ-KIOSK-1", "level": 9, "rated_at": ratedAt},
		map[string]any{"seq": 106, "case_no": "ZZ-KIOSK-1", "level": 5, "rated_at": "last tuesday"},
		map[string]any{"seq": 107, "case_no": "ZZ-KIOSK-SZQ", "level": 1, "reasons": []string{"服务态度"}, "rated_at": ratedAt},
		// Rated four days ago: later than the three days an offline record may take to arrive.
		map[string]any{"seq": 108, "case_no": "ZZ-KIOSK-3", "level": 4, "rated_at": "2026-11-21 09:00:00"},
	}}
	r := srv.Signed(kiosk, "POST", path, batch)
	if r.Status != 200 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	ans := r.JSON(t)
	results := ans["results"].([]any)
	want := []struct{ status, code string }{{"created", ""}, {"created", ""}, {"rejected", "case_not_found"},
		{"rejected", "seq_required"}, {"rejected", "invalid_level"}, {"rejected", "invalid_time"},
		{"rejected", "case_not_in_hall"}, {"rejected", "offline_record_too_late"}}
	for i, w := range want {
		res := results[i].(map[string]any)
		if res["status"] != w.status || (w.code != "" && res["code"] != w.code) {
			t.Errorf("record %d: %v, want %s %s", i, res, w.status, w.code)
		}
	}
	if results[3].(map[string]any)["seq"] != nil || results[5].(map[string]any)["seq"] != 106.0 {
		t.Fatalf("sequence numbers of refused records: %v, %v", results[3], results[5])
	}
	if ans["accepted"] != 2.0 || ans["rejected"] != 6.0 {
		t.Fatalf("answer: %s", r.Body)
	}
	var storedRatedAt time.Time
	if err := env.DB.Pool.QueryRow(t.Context(), `SELECT rated_at FROM evaluations WHERE channel = 'kiosk' AND level = 5`).Scan(&storedRatedAt); err != nil {
		t.Fatal(err)
	}
	if !storedRatedAt.Equal(rated) {
		t.Fatalf("rated_at stored as %v, want the kiosk's original time %v", storedRatedAt, rated)
	}

	// The kiosk did not get the answer and uploads the same buffer again, signed afresh
	// (the same signature would be a replay): nothing new, and the duplicates say only which.
	r = srv.Signed(kiosk, "POST", path, batch)
	ans = r.JSON(t)
	if r.Status != 200 || ans["duplicates"] != 2.0 || ans["accepted"] != 0.0 {
		t.Fatalf("re-upload: %d %s", r.Status, r.Body)
	}
	for _, res := range ans["results"].([]any)[:2] {
		if m := res.(map[string]any); m["status"] != "duplicate" || m["id"] == nil || m["evaluation"] != nil {
			t.Errorf("a duplicate carries its content: %v", m)
		}
	}
	if n := env.Count(`SELECT count(*) FROM evaluations`); n != 2 {
		t.Fatalf("evaluations = %d, want 2", n)
	}
	if n := env.Count(`SELECT count(*) FROM outbox`); n != 1 {
		t.Fatalf("outbox rows = %d, want 1", n)
	}
}

// TestKioskDuplicateShowsNoOtherChannelsRating: a case rated on the mobile channel, rated again
// at the kiosk, is answered with the id of the original — not its level, reasons or comment.
func TestKioskDuplicateShowsNoOtherChannelsRating(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	link := srv.PushCase(apptest.Case("ZZ-KIOSK-DUP", env.Clock.Now().Add(-time.Hour)))["evaluation_url"].(string)
	r := srv.Signed(srv.DemoDevice("demo-mobile"), "POST", "/api/v1/channels/mobile/evaluations", map[string]any{
		"token": link[strings.LastIndex(link, "/")+1:], "level": 1, "reasons": []string{"服务态度"}, "comment": "私人意见：窗口人员推诿"})
	if r.Status != 201 {
		t.Fatalf("mobile rating: %d %s", r.Status, r.Body)
	}
	original := r.JSON(t)["id"]
	r = srv.Signed(srv.DemoDevice("demo-kiosk-370400"), "POST", path, map[string]any{"records": []any{
		map[string]any{"seq": 1, "case_no": "ZZ-KIOSK-DUP", "level": 5, "rated_at": env.Clock.Now().Format(time.RFC3339)}}})
	res := r.JSON(t)["results"].([]any)[0].(map[string]any)
	if r.Status != 200 || res["status"] != "duplicate" || res["id"] != original {
		t.Fatalf("kiosk rating of a rated case: %d %s", r.Status, r.Body)
	}
	for _, leak := range []string{"私人意见", "attitude", "服务态度", `"level"`} {
		if strings.Contains(string(r.Body), leak) {
			t.Errorf("the duplicate answer shows %s: %s", leak, r.Body)
		}
	}
}

// TestKioskRecordAfterTheDefaultReplacesIt: a bad review rated on an offline kiosk a minute
// before its window closed (Beijing midnight) and uploaded after the default job recorded a 5
// replaces the default: counted once, as active; one work order; the replacement recorded;
// `check` clean — and a record rated after the window is refused, not taken for a repeat.
func TestKioskRecordAfterTheDefaultReplacesIt(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 20, 10, 0, 0))
	ctx := context.Background()
	ev := srv.App.Evaluation
	completed := testenv.Beijing(2026, 11, 20, 9, 0, 0) // its 7-day window ends at 11-28 00:00 Beijing
	srv.PushCase(apptest.Case("ZZ-LATE-BAD", completed))
	srv.PushCase(apptest.Case("ZZ-LATE-AFTER", completed))

	env.Clock.Set(testenv.Beijing(2026, 11, 28, 0, 10, 0)) // just after midnight: the window has closed
	if n, err := ev.DefaultEvaluations(ctx); err != nil || n != 2 {
		t.Fatalf("defaults: %d, %v", n, err)
	}
	env.RollUp(srv.App.Measures)
	day := func(d string) (total, active, bad int) {
		t.Helper()
		if err := env.DB.Pool.QueryRow(ctx, `SELECT COALESCE(sum(total), 0), COALESCE(sum(active), 0), COALESCE(sum(bad), 0)
			FROM rollup_units WHERE day = $1::date`, d).Scan(&total, &active, &bad); err != nil {
			t.Fatal(err)
		}
		return
	}
	if total, active, _ := day("2026-11-27"); total != 2 || active != 0 {
		t.Fatalf("before the upload, the window's last day counts %d evaluations, %d active; want the 2 defaults", total, active)
	}

	env.Clock.Set(testenv.Beijing(2026, 11, 28, 0, 20, 0))
	kiosk := srv.DemoDevice("demo-kiosk-370400")
	r := srv.Signed(kiosk, "POST", path, map[string]any{"records": []any{
		map[string]any{"seq": 7, "case_no": "ZZ-LATE-BAD", "level": 1, "reasons": []string{"服务效率"}, "comment": "等了一个小时",
			"rated_at": testenv.Beijing(2026, 11, 27, 23, 59, 0).Format(time.RFC3339)},
		map[string]any{"seq": 8, "case_no": "ZZ-LATE-AFTER", "level": 2, "reasons": []string{"服务态度"},
			"rated_at": testenv.Beijing(2026, 11, 28, 0, 0, 1).Format(time.RFC3339)},
	}})
	results := r.JSON(t)["results"].([]any)
	if r.Status != 200 || results[0].(map[string]any)["status"] != "created" {
		t.Fatalf("the record rated before midnight: %d %s", r.Status, r.Body)
	}
	if res := results[1].(map[string]any); res["status"] != "rejected" || res["code"] != "rating_period_over" {
		t.Fatalf("the record rated after midnight: %v", res)
	}
	bad := int64(results[0].(map[string]any)["id"].(float64))
	if n := env.Count(`SELECT count(*) FROM evaluations e JOIN cases c ON c.id = e.case_id
		WHERE c.case_no = 'ZZ-LATE-BAD' AND NOT e.superseded`); n != 1 {
		t.Fatalf("evaluations in force for the case: %d, want 1", n)
	}
	if n := env.Count(`SELECT count(*) FROM evaluation_supersessions s JOIN evaluations d ON d.id = s.default_id
		WHERE s.evaluation_id = $1 AND d.superseded AND NOT d.active AND d.level = 5`, bad); n != 1 {
		t.Fatalf("recorded supersessions of the default: %d, want 1", n)
	}
	// The worker turns it into exactly one work order.
	srv.RunWorker()
	testenv.Eventually(t, 10*time.Second, "the bad review has its work order", func() bool {
		return env.Count(`SELECT count(*) FROM work_orders WHERE evaluation_id = $1`, bad) == 1
	})
	if n := env.Count(`SELECT count(*) FROM work_orders`); n != 1 {
		t.Fatalf("work orders = %d, want 1", n)
	}
	// Counted once, as active, on the day it was rated.
	env.RollUp(srv.App.Measures)
	if total, active, badN := day("2026-11-27"); total != 2 || active != 1 || badN != 1 {
		t.Fatalf("the window's last day counts %d evaluations, %d active, %d bad; want 2, 1, 1", total, active, badN)
	}
	// A re-upload of the record is its repeat; the defaults job does not bring the 5 back.
	r = srv.Signed(kiosk, "POST", path, map[string]any{"records": []any{
		map[string]any{"seq": 7, "case_no": "ZZ-LATE-BAD", "level": 1, "reasons": []string{"服务效率"},
			"rated_at": testenv.Beijing(2026, 11, 27, 23, 59, 0).Format(time.RFC3339)}}})
	if res := r.JSON(t)["results"].([]any)[0].(map[string]any); res["status"] != "duplicate" || int64(res["id"].(float64)) != bad {
		t.Fatalf("re-upload: %s", r.Body)
	}
	if n, err := ev.DefaultEvaluations(ctx); err != nil || n != 0 {
		t.Fatalf("defaults again: %d, %v", n, err)
	}
	checkClean := func() bool {
		t.Helper()
		invs, err := srv.App.Rectify.Check(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		clean := true
		for _, inv := range invs {
			if inv.Name == "bad_review_hidden_behind_default" || inv.Broken > 0 {
				t.Logf("check %s: %d broken %v", inv.Name, inv.Broken, inv.Examples)
			}
			clean = clean && inv.Broken == 0
		}
		return clean
	}
	if !checkClean() {
		t.Fatal("check finds the loop broken")
	}
	// The invariant is not vacuous: a supersession without its record breaks it.
	env.Exec(`DELETE FROM evaluation_supersessions`)
	if checkClean() {
		t.Fatal("check misses a default marked replaced without the rating that replaced it")
	}
}
