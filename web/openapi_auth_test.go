package web_test

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"haochaping/app/apptest"
)

// authHardeningOperation selects the operations TestAuthAPIMatchesOpenAPI covers (the login
// itself is TestResponsesMatchOpenAPI's too).
func authHardeningOperation(op *openapi3.Operation) bool { return op.OperationID == "changePassword" }

// TestAuthAPIMatchesOpenAPI: the login's throttling (429 login_throttled) and the change of
// one's own password (204; 401 wrong current password or no session; 422 policy and missing
// fields) answer as web/openapi.yaml says.
func TestAuthAPIMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, openapiNow)
	a := newAPIChecker(t, srv)
	login := func(name, username, password string, status int, code string) *apptest.Response {
		t.Helper()
		return a.do(call{name: name, method: "POST", path: "/api/v1/auth/login",
			body: map[string]any{"username": username, "password": password}, status: status, code: code})
	}
	for i := 0; i < 5; i++ {
		login("wrong password", "auditor", "wrong-password", 401, "invalid_credentials")
	}
	if r := login("locked", "auditor", "demo1234", 429, "login_throttled"); r.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}

	office := srv.Login("office", "demo1234")
	other := srv.Login("office", "demo1234")
	change := func(name, token string, body any, status int, code string) {
		t.Helper()
		a.do(staffCall(name, token, "POST", "/api/v1/auth/password", body, status, code))
	}
	change("an ended session", "not-a-session", map[string]any{"current": "demo1234", "new": "青檀-茶壶-2026"}, 401, "unauthenticated")
	change("wrong current", office, map[string]any{"current": "wrong-password", "new": "青檀-茶壶-2026"}, 401, "wrong_password")
	change("too short", office, map[string]any{"current": "demo1234", "new": "short"}, 422, "weak_password")
	change("common", office, map[string]any{"current": "demo1234", "new": "1q2w3e4r5t"}, 422, "weak_password")
	change("the username", office, map[string]any{"current": "demo1234", "new": "office-2026-ok"}, 422, "weak_password")
	offSpec := func(name string, body any, status int, code string) { // the document refuses these too
		c := staffCall(name, office, "POST", "/api/v1/auth/password", body, status, code)
		c.offSpec = true
		a.do(c)
	}
	offSpec("no new", map[string]any{"current": "demo1234"}, 422, "new_required")
	offSpec("no current", map[string]any{"new": "青檀-茶壶-2026"}, 422, "current_required")
	offSpec("not JSON", "{", 400, "invalid_json")
	change("changed", office, map[string]any{"current": "demo1234", "new": "青檀-茶壶-2026"}, 204, "")
	a.do(staffCall("this session lives on", office, "GET", "/api/v1/auth/me", nil, 200, ""))
	a.do(staffCall("the other session is ended", other, "GET", "/api/v1/auth/me", nil, 401, "unauthenticated"))
	login("the old password", "office", "demo1234", 401, "invalid_credentials")
	login("the new password", "office", "青檀-茶壶-2026", 200, "")

	a.checkCoverage(authHardeningOperation)
	a.logCoverage()
}
