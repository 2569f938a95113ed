package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/channels"
)

// TestSecurityEventsAreOnRecord: a refused and an accepted login, a refusal for the role, a
// forged device signature, a phone shown, an export, a user created and a record sent to the
// provincial platform again each leave one row in the security audit log, with who and from
// where — never a password — and the chain verifies.
func TestSecurityEventsAreOnRecord(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, openapiNow)
	kinds := func() string {
		var out []string
		rows, err := env.DB.Pool.Query(t.Context(), `SELECT kind || ':' || actor || ':' || code FROM security_audit ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			out = append(out, s)
		}
		return strings.Join(out, " ")
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if r := srv.Raw("POST", "/api/v1/auth/login", []byte(`{"username":"office","password":"wrong-password"}`), h); r.Status != 401 {
		t.Fatalf("a wrong password: %d", r.Status)
	}
	office := srv.Login("office", "demo1234")
	zh01 := srv.Login("zh01", "demo1234")
	if r := srv.As(zh01, "GET", "/api/v1/stats/overview", nil); r.Status != 403 {
		t.Fatalf("window staff reading statistics: %d", r.Status)
	}
	forged := http.Header{"Content-Type": {"application/json"}}
	forged.Set(channels.HeaderDeviceID, "demo-system")
	forged.Set(channels.HeaderTimestamp, fmt.Sprint(time.Now().Unix()))
	forged.Set(channels.HeaderSignature, strings.Repeat("0", 64))
	if r := srv.Raw("POST", "/api/v1/cases", []byte(`{}`), forged); r.Status != 401 {
		t.Fatalf("a forged signature: %d %s", r.Status, r.Body)
	}
	order := srv.BadReview("AU01", "13900001111")
	if r := srv.As(zh01, "POST", fmt.Sprintf("/api/v1/workorders/%d/reveal-phone", order), map[string]any{}); r.Status != 200 {
		t.Fatalf("reveal phone: %d %s", r.Status, r.Body)
	}
	if r := srv.As(office, "GET", "/api/v1/ledgers/export?kind=work", nil); r.Status != 200 {
		t.Fatalf("export: %d", r.Status)
	}
	if r := srv.As(office, "POST", "/api/v1/users", map[string]any{"username": "au-new", "password": "Audit-pass-2026",
		"role": "window_staff", "scope": "department:ZZ-SPJ", "staff_no": "370400-ZH02-2"}); r.Status != 201 {
		t.Fatalf("create user: %d %s", r.Status, r.Body)
	}
	refused := upwardRecord(t, env, srv.EvaluationOf(order), "37AU01", "refused", "taskCode: 必填项缺失 (task_code)", 1)
	if r := srv.As(office, "POST", fmt.Sprintf("/api/v1/upward/records/%d/resend", refused), nil); r.Status != 200 {
		t.Fatalf("resend upward: %d %s", r.Status, r.Body)
	}
	got := kinds()
	for _, want := range []string{"login_refused:office:", "login_ok:office:", "login_ok:zh01:", "forbidden:zh01:forbidden_role",
		"signature_refused:device:demo-system:signature_invalid", "phone_revealed:zh01:", "export:office:", "user_changed:office:",
		"upward_resent:office:"} {
		if !strings.Contains(got, want) {
			t.Errorf("the audit log lacks %s: %s", want, got)
		}
	}
	if n := env.Count(`SELECT count(*) FROM security_audit WHERE detail::text LIKE '%pass%' OR detail::text LIKE '%13900001111%'`); n != 0 {
		t.Errorf("%d audit rows hold a password or a phone", n)
	}
	if n := env.Count(`SELECT count(*) FROM security_audit WHERE address = ''`); n != 0 {
		t.Errorf("%d audit rows without the client's address", n)
	}
	rep, err := srv.App.Audit.Verify(t.Context(), nil)
	if err != nil || !rep.OK() {
		t.Errorf("the chain: %+v %v", rep, err)
	}
}
