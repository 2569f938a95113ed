package staffapi_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"haochaping/internal/testenv"
)

// orderAt posts a bad review from a pad and dispatches it; it returns the work order's id.
func orderAt(t *testing.T, srv *testenv.Server, padID, ticket string) int64 {
	t.Helper()
	r := srv.Signed(srv.DemoDevice(padID), "POST", "/api/v1/channels/window/evaluations", map[string]any{
		"ticket_no": ticket, "level": 1, "reasons": []string{"服务态度"}, "served_at": time.Now().Add(-time.Hour).Format(time.RFC3339),
		"evaluator": map[string]any{"name": "王五", "phone": "13700002222"}})
	if r.Status != 201 {
		t.Fatalf("bad review: %d %s", r.Status, r.Body)
	}
	id, _, err := srv.App.Rectify.Dispatch(context.Background(), int64(r.JSON(t)["id"].(float64)))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestRoleScopeMatrix: staff of one unit can neither list, read nor act on another unit's
// order; the office acts within its region; auditors read and never act.
func TestRoleScopeMatrix(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Seed()
	srv := env.Start()
	city := orderAt(t, srv, "demo-window-370400-zh01", "M001")     // 市审批服务局, city hall
	district := orderAt(t, srv, "demo-window-370402-zh01", "M002") // 市中区行政审批服务局, 市中区 hall
	police := orderAt(t, srv, "demo-window-370400-ga01", "M003")   // 市公安局 window at the city hall

	type expect struct {
		sees   []int64 // what the list shows
		reads  []int64 // what GET answers 200 for (the rest 404)
		unitOK bool    // may take unit actions (callback) on what it reads
		office bool    // may take office actions (supervise) on what it reads
	}
	all := []int64{city, district, police}
	users := map[string]expect{
		"zh01":       {sees: []int64{city}, reads: []int64{city}, unitOK: true},
		"spj-head":   {sees: []int64{city}, reads: []int64{city}, unitOK: true},
		"ga01":       {sees: []int64{police}, reads: []int64{police}, unitOK: true},
		"gaj-head":   {sees: []int64{police}, reads: []int64{police}, unitOK: true},
		"hall-head":  {sees: []int64{city, police}, reads: []int64{city, police}, unitOK: true},
		"office":     {sees: all, reads: all, office: true},
		"szq-office": {sees: []int64{district}, reads: []int64{district}, office: true},
		"auditor":    {sees: all, reads: all},
	}
	for name, want := range users {
		tok := srv.Login(name, "demo1234")
		r := srv.As(tok, "GET", "/api/v1/workorders?per_page=100", nil)
		if r.Status != 200 {
			t.Fatalf("%s lists: %d %s", name, r.Status, r.Body)
		}
		var listed []int64
		for _, it := range r.JSON(t)["items"].([]any) {
			listed = append(listed, int64(it.(map[string]any)["id"].(float64)))
		}
		if fmt.Sprint(sorted(listed)) != fmt.Sprint(sorted(want.sees)) {
			t.Errorf("%s lists %v, want %v", name, listed, want.sees)
		}
		for _, id := range all {
			readable := slices.Contains(want.reads, id)
			r := srv.As(tok, "GET", fmt.Sprintf("/api/v1/workorders/%d", id), nil)
			if (readable && r.Status != 200) || (!readable && r.Status != 404) {
				t.Errorf("%s reads order %d: %d", name, id, r.Status)
			}
			// A unit action: allowed for unit roles in scope; 404 out of scope; 403 for others.
			act := srv.As(tok, "POST", fmt.Sprintf("/api/v1/workorders/%d/supervise", id), map[string]any{"note": "督办"})
			switch {
			case !want.office:
				if act.Status != 403 {
					t.Errorf("%s supervises order %d: %d, want 403", name, id, act.Status)
				}
			case readable && act.Status != 200:
				t.Errorf("%s supervises order %d in scope: %d %s", name, id, act.Status, act.Body)
			case !readable && act.Status != 404:
				t.Errorf("%s supervises order %d out of scope: %d, want 404", name, id, act.Status)
			}
			if !want.unitOK {
				if r := srv.As(tok, "POST", fmt.Sprintf("/api/v1/workorders/%d/return", id), map[string]any{"reason": "x"}); r.Status != 403 {
					t.Errorf("%s (not a unit) returns order %d: %d, want 403", name, id, r.Status)
				}
			} else if !readable {
				if r := srv.As(tok, "POST", fmt.Sprintf("/api/v1/workorders/%d/return", id), map[string]any{"reason": "x"}); r.Status != 404 {
					t.Errorf("%s returns another unit's order %d: %d, want 404", name, id, r.Status)
				}
			}
		}
	}
	// Unit actions in scope do work (on a fresh order each, since the first one moves it).
	for name, pad := range map[string]string{"zh01": "demo-window-370400-zh01", "ga01": "demo-window-370400-ga01"} {
		id := orderAt(t, srv, pad, "N-"+name)
		r := srv.As(srv.Login(name, "demo1234"), "POST", fmt.Sprintf("/api/v1/workorders/%d/callback", id),
			map[string]any{"method": "phone", "reached": true, "facts": "已核实"})
		if r.Status != 200 || r.JSON(t)["state"] != "verified" {
			t.Errorf("%s calls back its own order: %d %s", name, r.Status, r.Body)
		}
	}
	// No token, no inbox.
	if r := srv.Raw("GET", "/api/v1/workorders", nil, nil); r.Status != 401 {
		t.Errorf("without a token: %d", r.Status)
	}
}

func sorted(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}
