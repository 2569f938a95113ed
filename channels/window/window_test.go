package window_test

import (
	"testing"
	"time"

	"haochaping/internal/testenv"
)

const path = "/api/v1/channels/window/evaluations"

func TestWindowHappyPath(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Seed()
	srv := env.Start()
	pad := srv.AddDevice("window", testenv.CityWindow, "")
	served := time.Now().Add(-10 * time.Minute)

	r := srv.Signed(pad, "POST", path, map[string]any{
		"ticket_no": "A017", "staff_no": testenv.CityStaff, "level": 2,
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
		  AND e.reasons = '{attitude}' AND e.active AND NOT e.real_name`, testenv.CityWindow, testenv.CityStaff); n != 1 {
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
