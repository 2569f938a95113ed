package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/web/page"
	"haochaping/web/session"
)

// upwardOperation is an operation of the office's view of the upward report
// (TestUpwardAPIMatchesOpenAPI).
func upwardOperation(op *openapi3.Operation) bool { return slices.Contains(op.Tags, "upward") }

// upwardRecord inserts an upward record of an evaluation (its own, assess_number 1) as the
// sender would have left it, made and last due at the test's clock. (The test's SQL: upward_records is
// package upward's to write.)
func upwardRecord(t *testing.T, env *testenv.Env, evaluationID int64, projectNo, state, refusal string, attempts int) int64 {
	t.Helper()
	now := env.Clock.Now()
	var ack *time.Time
	if state == "acknowledged" {
		ack = &now
	}
	return int64(env.Count(`INSERT INTO upward_records
		(evaluation_id, assess_number, project_no, state, refusal, attempts, next_attempt_at, first_acknowledged_at, acknowledged_at, created_at)
		VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $7, $6) RETURNING id`, evaluationID, projectNo, state, refusal, attempts, now, ack))
}

// TestUpwardAPIMatchesOpenAPI: the city's office, a district's office and the auditor read the
// records the platform refused, the late and the pending, each within its scope, and the
// counts; only the office resends, and only a refused record of its scope; a cookie's resend
// needs the CSRF token; the resent record is pending afterwards and the act is on the security
// audit log — each answer as the document says.
func TestUpwardAPIMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, openapiNow)
	a := newAPIChecker(t, srv)
	office, szq, auditor := srv.Login("office", "demo1234"), srv.Login("szq-office", "demo1234"), srv.Login("auditor", "demo1234")
	head, zh01 := srv.Login("spj-head", "demo1234"), srv.Login("zh01", "demo1234")

	refused := upwardRecord(t, env, srv.EvaluationOf(srv.BadReview("UP01", "13900001111")), "37UP01", "refused", "taskCode: 格式不符: 370400-000105010000", 1)
	acked := upwardRecord(t, env, srv.EvaluationOf(srv.BadReview("UP02", "")), "37UP02", "acknowledged", "", 1)
	// Served 10 days ago and still not acknowledged: late (and failing).
	lateEv := srv.EvaluationOf(srv.BadReview("UP03", ""))
	env.Exec(`UPDATE evaluations SET served_at = $2 WHERE id = $1`, lateEv, openapiNow.AddDate(0, 0, -10))
	late := upwardRecord(t, env, lateEv, "37UP03", "pending", "", 4)
	env.Exec(`UPDATE upward_records SET last_error = '平台未返回该记录的结果' WHERE id = $1`, late)
	theirs := upwardRecord(t, env, srv.DistrictRating("370402", "UP04", 1), "37UP04", "refused", "平台拒收", 1)

	st := a.do(staffCall("the city's counts", office, "GET", "/api/v1/upward/status", nil, 200, "")).JSON(t)
	if st["refused"] != 2.0 || st["late"] != 1.0 || st["pending"] != 1.0 || st["failing"] != 1.0 || st["acknowledged"] != 1.0 || st["oldest_pending"] == nil {
		t.Errorf("the city's counts: %v", st)
	}
	if st := a.do(staffCall("a district's counts", szq, "GET", "/api/v1/upward/status", nil, 200, "")).JSON(t); st["refused"] != 1.0 || st["late"] != 0.0 {
		t.Errorf("the district's counts: %v", st)
	}
	a.do(staffCall("the auditor's counts", auditor, "GET", "/api/v1/upward/status", nil, 200, ""))
	a.do(staffCall("a unit head's counts", head, "GET", "/api/v1/upward/status", nil, 403, "forbidden_role"))

	ids := func(r map[string]any) []string {
		var out []string
		items, _ := r["items"].([]any)
		for _, it := range items {
			out = append(out, fmt.Sprint(it.(map[string]any)["id"]))
		}
		return out
	}
	list := a.do(staffCall("the refused", office, "GET", "/api/v1/upward/records", nil, 200, "")).JSON(t)
	if got := ids(list); strings.Join(got, ",") != fmt.Sprintf("%d,%d", theirs, refused) || list["total"] != 2.0 {
		t.Errorf("the city's refused: %v", list)
	}
	if first, _ := list["items"].([]any); len(first) == 2 {
		r := first[1].(map[string]any)
		if r["reason"] != "事项编码格式不符合平台要求（370400-000105010000）" || r["department"] != "市审批服务局" || r["late"] != false || r["deadline"] == nil {
			t.Errorf("a refused record: %v", r)
		}
	}
	if strings.Contains(string(a.do(staffCall("the refused, again", office, "GET", "/api/v1/upward/records?state=refused&page=1", nil, 200, "")).Body), "1111") {
		t.Error("the list carries the evaluator's phone")
	}
	lateList := a.do(staffCall("the late", auditor, "GET", "/api/v1/upward/records?state=late", nil, 200, "")).JSON(t)
	if got := ids(lateList); len(got) != 1 || got[0] != fmt.Sprint(late) {
		t.Errorf("the late: %v", lateList)
	} else if r := lateList["items"].([]any)[0].(map[string]any); r["late"] != true || r["reason"] != "平台未返回该记录的结果" || r["first_acknowledged_at"] != nil {
		t.Errorf("the late record: %v", r)
	}
	if got := ids(a.do(staffCall("the pending", office, "GET", "/api/v1/upward/records?state=pending", nil, 200, "")).JSON(t)); len(got) != 1 {
		t.Errorf("the pending: %v", got)
	}
	if got := ids(a.do(staffCall("a district's refused", szq, "GET", "/api/v1/upward/records", nil, 200, "")).JSON(t)); len(got) != 1 || got[0] != fmt.Sprint(theirs) {
		t.Errorf("the district's refused: %v, want only %d", got, theirs)
	}
	unknown := staffCall("an unknown list", office, "GET", "/api/v1/upward/records?state=nope", nil, 422, "invalid_state")
	unknown.offSpec = true // the document's enum refuses it before the server does
	a.do(unknown)
	a.do(staffCall("window staff", zh01, "GET", "/api/v1/upward/records", nil, 403, "forbidden_role"))
	anonymous := staffCall("without a session", "", "GET", "/api/v1/upward/records", nil, 401, "unauthenticated")
	anonymous.offSpec = true
	a.do(anonymous)

	resend := func(id int64) string { return fmt.Sprintf("/api/v1/upward/records/%d/resend", id) }
	a.do(staffCall("the auditor resends", auditor, "POST", resend(refused), nil, 403, "forbidden_role"))
	a.do(staffCall("a district resends the city's", szq, "POST", resend(refused), nil, 404, "upward_record_not_found"))
	a.do(staffCall("resend an acknowledged record", office, "POST", resend(acked), nil, 409, "not_refused"))
	a.do(staffCall("resend no record", office, "POST", resend(999999), nil, 404, "upward_record_not_found"))
	a.do(call{name: "resend by cookie without the CSRF token", method: "POST", path: resend(refused), status: 403, code: "csrf_failed",
		header: http.Header{"Cookie": {session.CookieName + "=" + office}}})
	if n := env.Count(`SELECT count(*) FROM upward_records WHERE state = 'refused'`); n != 2 {
		t.Fatalf("after the refusals %d refused, want 2", n)
	}
	r := a.do(staffCall("resend", office, "POST", resend(refused), nil, 200, "")).JSON(t)
	if r["state"] != "pending" || r["attempts"] != 0.0 || r["next_attempt_at"] == nil {
		t.Errorf("the resent record: %v", r)
	}
	if n := env.Count(`SELECT count(*) FROM upward_records WHERE id = $1 AND state = 'pending'`, refused); n != 1 {
		t.Error("the resent record is not pending")
	}
	a.do(staffCall("resend it again", office, "POST", resend(refused), nil, 409, "not_refused"))
	a.do(call{name: "resend by cookie with the CSRF token", method: "POST", path: resend(theirs), status: 200,
		header: http.Header{"Cookie": {session.CookieName + "=" + szq + "; " + page.CSRFCookie + "=tok-up"}, page.CSRFHeader: {"tok-up"}}})
	if n := env.Count(`SELECT count(*) FROM security_audit WHERE kind = 'upward_resent' AND actor IN ('office', 'szq-office') AND status = 200`); n != 2 {
		t.Errorf("%d resends on the security audit log, want 2", n)
	}
	if n := env.Count(`SELECT count(*) FROM security_audit WHERE kind = 'upward_resent'`); n != 2 {
		t.Errorf("%d upward_resent events: a refused resend is on the log as a resend", n)
	}
	a.checkCoverage(upwardOperation)
	a.logCoverage()
}
