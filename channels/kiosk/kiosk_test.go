package kiosk_test

import (
	"testing"
	"time"

	"haochaping/internal/testenv"
)

const path = "/api/v1/channels/kiosk/evaluations"

func TestKioskOfflineBatch(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Seed()
	srv := env.Start()
	kiosk := srv.DemoDevice("demo-kiosk-370400")
	// Served six days ago, rated five days ago while the kiosk was offline, uploaded now: the
	// original time counts, so the rating is inside the 7-day window.
	served := time.Now().AddDate(0, 0, -6)
	srv.PushCase(testenv.Case("ZZ-KIOSK-1", served))
	srv.PushCase(testenv.Case("ZZ-KIOSK-2", served))
	ratedAt := served.Add(24 * time.Hour).Format(time.RFC3339)
	batch := map[string]any{"records": []any{
		map[string]any{"seq": 101, "case_no": "ZZ-KIOSK-1", "level": 5, "rated_at": ratedAt},
		map[string]any{"seq": 102, "case_no": "ZZ-KIOSK-2", "level": 2, "reasons": []string{"办事环境"}, "rated_at": ratedAt},
		map[string]any{"seq": 103, "case_no": "ZZ-UNKNOWN", "level": 5, "rated_at": ratedAt},
		map[string]any{"case_no": "ZZ-KIOSK-2", "level": 5, "rated_at": ratedAt},
		map[string]any{"seq": 105, "case_no": "ZZ-KIOSK-1", "level": 9, "rated_at": ratedAt},
		map[string]any{"seq": 106, "case_no": "ZZ-KIOSK-1", "level": 5, "rated_at": "last tuesday"},
	}}
	r := srv.Signed(kiosk, "POST", path, batch)
	if r.Status != 200 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	ans := r.JSON(t)
	results := ans["results"].([]any)
	want := []struct{ status, code string }{{"created", ""}, {"created", ""}, {"rejected", "case_not_found"},
		{"rejected", "seq_required"}, {"rejected", "invalid_level"}, {"rejected", "invalid_time"}}
	for i, w := range want {
		res := results[i].(map[string]any)
		if res["status"] != w.status || (w.code != "" && res["code"] != w.code) {
			t.Errorf("record %d: %v, want %s %s", i, res, w.status, w.code)
		}
	}
	if results[3].(map[string]any)["seq"] != nil || results[5].(map[string]any)["seq"] != 106.0 {
		t.Fatalf("sequence numbers of refused records: %v, %v", results[3], results[5])
	}
	if ans["accepted"] != 2.0 || ans["rejected"] != 4.0 {
		t.Fatalf("answer: %s", r.Body)
	}
	var storedRatedAt time.Time
	if err := env.DB.Pool.QueryRow(t.Context(), `SELECT rated_at FROM evaluations WHERE channel = 'kiosk' AND level = 5`).Scan(&storedRatedAt); err != nil {
		t.Fatal(err)
	}
	if storedRatedAt.Unix() != served.Add(24*time.Hour).Unix() {
		t.Fatalf("rated_at stored as %v, want the kiosk's original time", storedRatedAt)
	}

	// The kiosk did not get the answer and uploads the same buffer again, signed afresh
	// (the same signature would be a replay): nothing new.
	r = srv.SignedAt(kiosk, time.Now().Unix()-1, "POST", path, batch)
	ans = r.JSON(t)
	if r.Status != 200 || ans["duplicates"] != 2.0 || ans["accepted"] != 0.0 {
		t.Fatalf("re-upload: %d %s", r.Status, r.Body)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations`); n != 2 {
		t.Fatalf("evaluations = %d, want 2", n)
	}
	if n := env.Count(`SELECT count(*) FROM outbox`); n != 1 {
		t.Fatalf("outbox rows = %d, want 1", n)
	}
}

func TestKioskRefusesWholeUploads(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Seed()
	srv := env.Start()
	kiosk := srv.DemoDevice("demo-kiosk-370400")
	many := make([]any, 501)
	for i := range many {
		many[i] = map[string]any{"seq": i, "case_no": "ZZ-X", "level": 5, "rated_at": time.Now().Format(time.RFC3339)}
	}
	for name, c := range map[string]struct {
		body any
		code string
	}{
		"empty":    {map[string]any{"records": []any{}}, "records_required"},
		"too many": {map[string]any{"records": many}, "too_many_records"},
		"not JSON": {"records", "invalid_json"},
	} {
		r := srv.Signed(kiosk, "POST", path, c.body)
		if r.Status/100 != 4 || r.Code(t) != c.code {
			t.Errorf("%s: %d %s, want %s", name, r.Status, r.Body, c.code)
		}
	}
}
