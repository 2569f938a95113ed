package office_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/web/browsertest"
	"haochaping/web/session"
)

// TestPagesByRole: each staff page — the console, the dashboard, the ledgers, one's own
// figures, the administration — is refused, or shows nothing of it, to the roles and scopes
// that may not see it: the pages ask the domain what the API asks.
func TestPagesByRole(t *testing.T) {
	t.Parallel()
	now := testenv.Beijing(2026, 12, 1, 10, 0, 0)
	env, srv := apptest.Serve(t, now)
	pad := srv.DemoDevice("demo-window-370400-zh01")
	r := srv.Signed(pad, "POST", "/api/v1/channels/window/evaluations", map[string]any{"ticket_no": "R001", "staff_no": apptest.CityStaff,
		"level": 1, "reasons": []string{"服务态度"}, "served_at": now.Add(-time.Hour).Format(time.RFC3339),
		"evaluator": map[string]any{"name": "李四", "phone": "13900001111"}})
	if r.Status != 201 {
		t.Fatalf("bad review: %d %s", r.Status, r.Body)
	}
	wo, _, err := srv.App.Rectify.Dispatch(t.Context(), int64(r.JSON(t)["id"].(float64)))
	if err != nil {
		t.Fatal(err)
	}
	var orderNo string
	if err := env.DB.Pool.QueryRow(t.Context(), `SELECT number FROM work_orders WHERE id = $1`, wo).Scan(&orderNo); err != nil {
		t.Fatal(err)
	}
	order := fmt.Sprintf("/console/orders/%d", wo)
	get := func(user, path string) (int, string) {
		t.Helper()
		h := http.Header{}
		h.Set("Accept", "text/html")
		if user != "" {
			h.Set("Cookie", session.CookieName+"="+srv.Login(user, "demo1234"))
		}
		resp := srv.Raw("GET", path, nil, h)
		return resp.Status, string(resp.Body)
	}
	for _, c := range []struct {
		user, path string
		status     int
		shows      bool // the order's number is on the page
	}{
		{"", "/console", 303, false},
		{"", "/office", 303, false},
		{"", order, 303, false},
		{"zh01", "/console", 200, true},     // the handler
		{"zh01", order, 200, true},          //
		{"zh01", "/office", 403, false},     // window staff read no statistics
		{"ga01", "/console", 200, false},    // another unit's clerk: an inbox without it
		{"ga01", order, 404, false},         // and no such order
		{"spj-head", "/console", 200, true}, // the head of the handler's unit
		{"gaj-head", "/console", 200, false},
		{"gaj-head", order, 404, false},
		{"office", "/console", 200, true},
		{"office", "/office", 200, false},
		{"szq-office", "/console", 200, false}, // a district's office: not the city hall's order
		{"szq-office", order, 404, false},
		{"auditor", order, 200, true}, // reads, and is offered no action
		{"auditor", "/office", 200, false},
		// The ledgers: the rectification ledger lists the order to those who see the order.
		{"", "/ledgers/work", 303, false},
		{"zh01", "/ledgers/rectification", 200, true},
		{"ga01", "/ledgers/rectification", 200, false},
		{"gaj-head", "/ledgers/rectification", 200, false},
		{"szq-office", "/ledgers/rectification", 200, false},
		{"auditor", "/ledgers/rectification", 200, true},
		{"office", "/ledgers/rectification", 200, true},
		// One's own figures: for staff; the office and auditors have the dashboard.
		{"", "/console/figures", 303, false},
		{"zh01", "/console/figures", 200, false},
		{"spj-head", "/console/figures", 200, false},
		{"office", "/console/figures", 404, false},
		{"auditor", "/console/figures", 404, false},
		// One's own password: every staff login.
		{"", "/console/password", 303, false},
		{"zh01", "/console/password", 200, false},
		{"auditor", "/console/password", 200, false},
		// The administration: the office's administrators only.
		{"", "/admin", 303, false},
		{"zh01", "/admin", 403, false},
		{"spj-head", "/admin", 403, false},
		{"auditor", "/admin", 403, false},
		{"office", "/admin", 200, false},
		{"szq-office", "/admin", 200, false},
	} {
		status, body := get(c.user, c.path)
		if c.status == 303 { // sent to the login page (the client follows the redirect)
			if status != 200 || !strings.Contains(body, "工作人员登录") {
				t.Errorf("anonymous GET %s: %d, not the login page", c.path, status)
			}
			continue
		}
		if status != c.status {
			t.Errorf("%s GET %s: %d, want %d", c.user, c.path, status, c.status)
			continue
		}
		if status == 200 && strings.Contains(body, orderNo) != c.shows {
			t.Errorf("%s GET %s: shows the order %v, want %v", c.user, c.path, !c.shows, c.shows)
		}
		if c.user == "auditor" && c.path == order && strings.Contains(body, `action="/console/orders/`) {
			t.Errorf("the auditor is offered an action on the order")
		}
	}
	// Who is offered which ledger form: rounds are the city office's; reports are units' heads'
	// and the office's; accepting a recurring problem is the office's.
	for _, c := range []struct {
		user, path, form string
		offered          bool
	}{
		{"office", "/ledgers/rounds", `action="/ledgers/rounds"`, true},
		{"szq-office", "/ledgers/rounds", `action="/ledgers/rounds"`, false},
		{"spj-head", "/ledgers/rounds", `action="/ledgers/rounds"`, false},
		{"auditor", "/ledgers/recurring", `action="/ledgers/recurring/propose"`, false},
		{"office", "/ledgers/recurring", `action="/ledgers/recurring/propose"`, true},
		{"zh01", "/ledgers/import", `action="/ledgers/import"`, false},
		{"spj-head", "/ledgers/import", `action="/ledgers/import"`, true},
	} {
		status, body := get(c.user, c.path)
		if status != 200 || strings.Contains(body, c.form) != c.offered {
			t.Errorf("%s GET %s: %d, offers %s: %v, want %v", c.user, c.path, status, c.form, !c.offered, c.offered)
		}
	}
	// A district office's dashboard offers only its district.
	_, body := get("szq-office", "/office")
	if strings.Contains(body, `value="370400"`) || !strings.Contains(body, `value="370402"`) {
		t.Error("the district office's dashboard offers another region")
	}
}

// TestAuditLogPage: the city's auditor reads the security audit log on a page — the office's
// own login is on it — filtered by kind; a district's office and a clerk are refused.
func TestAuditLogPage(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, testenv.Beijing(2026, 12, 1, 10, 0, 0))
	srv.Login("office", "demo1234")
	b := browsertest.Open(t, srv.URL, browsertest.Desktop)
	b.Go("/office")
	b.LogIn("auditor", "demo1234")
	if status := b.Follow(`a[href="/office/audit"]`); status != 200 {
		t.Fatalf("the audit log page: %d", status)
	}
	if got := b.Text("#audit-events"); !strings.Contains(got, "登录成功") || !strings.Contains(got, "office") {
		t.Errorf("the audit log: %q", got)
	}
	b.Go("/office/audit?kind=login_ok&actor=office")
	if got := b.Text("h1 .count"); !strings.Contains(got, "共 1 条") {
		t.Errorf("filtered: %q", got)
	}
	b.CheckPage("audit log")
	b.Screenshot("office-audit")
	for _, user := range []string{"szq-office", "zh01"} {
		h := http.Header{}
		h.Set("Accept", "text/html")
		h.Set("Cookie", session.CookieName+"="+srv.Login(user, "demo1234"))
		if r := srv.Raw("GET", "/office/audit", nil, h); r.Status != 403 {
			t.Errorf("%s at /office/audit: %d, want 403", user, r.Status)
		}
	}
}
