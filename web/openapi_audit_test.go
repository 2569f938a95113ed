package web_test

import (
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"haochaping/app/apptest"
)

// auditOperation is an operation of the security audit log's API (TestAuditAPIMatchesOpenAPI).
func auditOperation(op *openapi3.Operation) bool { return slices.Contains(op.Tags, "audit") }

// TestAuditAPIMatchesOpenAPI: the city's auditor and office read the log, filtered; a
// district's office and window staff are refused; a bad filter is 422 — each answer as the
// document says.
func TestAuditAPIMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, openapiNow)
	a := newAPIChecker(t, srv)
	auditor := srv.Login("auditor", "demo1234")
	office := srv.Login("office", "demo1234")
	szq := srv.Login("szq-office", "demo1234")
	zh01 := srv.Login("zh01", "demo1234")
	srv.As(zh01, "GET", "/api/v1/stats/overview", nil) // a refusal, on record
	page := a.do(staffCall("the log", auditor, "GET", "/api/v1/audit", nil, 200, "")).JSON(t)
	if items, _ := page["items"].([]any); len(items) < 4 { // four logins and the refusal
		t.Errorf("the log: %v", page)
	}
	refused := a.do(staffCall("the refusals", office, "GET", "/api/v1/audit?kind=forbidden&actor=zh01", nil, 200, "")).JSON(t)
	if refused["total"] != 1.0 {
		t.Errorf("zh01's refusals: %v", refused)
	}
	a.do(staffCall("a district's office", szq, "GET", "/api/v1/audit", nil, 403, "forbidden_role"))
	a.do(staffCall("window staff", zh01, "GET", "/api/v1/audit", nil, 403, "forbidden_role"))
	unknown := staffCall("an unknown kind", auditor, "GET", "/api/v1/audit?kind=nope", nil, 422, "invalid_kind")
	unknown.offSpec = true // the document's enum refuses it before the server does
	a.do(unknown)
	a.do(staffCall("a bad date", auditor, "GET", "/api/v1/audit?from=yesterday", nil, 422, "invalid_date"))
	c := staffCall("without a session", "", "GET", "/api/v1/audit", nil, 401, "unauthenticated")
	c.offSpec = true
	a.do(c)
}
