package window_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"haochaping/channels"
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

func TestWindowValidationErrorsWriteNothing(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Seed()
	srv := env.Start()
	pad := srv.AddDevice("window", testenv.CityWindow, "")
	recent := time.Now().Add(-time.Hour).Format(time.RFC3339)
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
		{"no ticket", map[string]any{"level": 5, "served_at": recent}, 422, "ticket_required", "ticket_no"},
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
		{"served in the future", map[string]any{"ticket_no": "A1", "level": 5, "served_at": time.Now().Add(time.Hour).Format(time.RFC3339)}, 422, "invalid_time", "served_at"},
		{"served 8 days ago", map[string]any{"ticket_no": "A1", "level": 5, "served_at": time.Now().AddDate(0, 0, -9).Format(time.RFC3339)}, 422, "rating_period_over", "rated_at"},
		{"unknown staff", map[string]any{"ticket_no": "A1", "staff_no": "nobody", "level": 5, "served_at": recent}, 422, "staff_not_found", "staff_no"},
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
	env := testenv.New(t)
	env.Seed()
	srv := env.Start()
	pad := srv.AddDevice("window", testenv.CityWindow, "")
	body := []byte(`{"ticket_no":"C050","level":1,"reasons":["服务效率"],"served_at":"` +
		time.Now().Add(-time.Hour).Format(time.RFC3339) + `"}`)
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
