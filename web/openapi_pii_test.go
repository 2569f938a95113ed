package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"haochaping/app/apptest"
)

// fullTextOperation reports whether op is the texts-in-full operation, exercised here.
func fullTextOperation(op *openapi3.Operation) bool { return op.OperationID == "revealFullText" }

// TestFullTextAPIMatchesOpenAPI: POST /api/v1/workorders/{id}/reveal-text answers the handler
// and the unit's head with the comment as typed, never cached, and recorded in the security
// audit log; the office and the auditor 403, another unit 404, no session 401, a bad body 400
// and 422 — each as web/openapi.yaml says.
func TestFullTextAPIMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, openapiNow)
	a := newAPIChecker(t, srv)
	comment := "李四说请回电 139 0000 1111"
	r := srv.Signed(srv.DemoDevice("demo-window-370400-zh01"), "POST", "/api/v1/channels/window/evaluations", map[string]any{
		"ticket_no": "FT01", "staff_no": apptest.CityStaff, "level": 1, "reasons": []string{"服务态度"}, "comment": comment,
		"evaluator": map[string]any{"name": "李四", "phone": "13900001111"},
		"served_at": env.Clock.Now().Add(-time.Hour).Format(time.RFC3339)})
	if r.Status != 201 {
		t.Fatalf("bad review: %d %s", r.Status, r.Body)
	}
	order, _, err := srv.App.Rectify.Dispatch(context.Background(), int64(r.JSON(t)["id"].(float64)))
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/workorders/%d/reveal-text", order)
	zh01, head := srv.Login("zh01", "demo1234"), srv.Login("spj-head", "demo1234")
	office, auditor, ga01 := srv.Login("office", "demo1234"), srv.Login("auditor", "demo1234"), srv.Login("ga01", "demo1234")

	// The order's own view holds the masked copy only.
	if got := a.do(staffCall("the order, masked", zh01, "GET", fmt.Sprintf("/api/v1/workorders/%d", order), nil, 200, "")); strings.Contains(string(got.Body), "13900001111") ||
		strings.Contains(string(got.Body), "0000 1111") || strings.Contains(string(got.Body), "李四") {
		t.Errorf("the order's view holds the comment in clear: %s", got.Body)
	}
	for name, token := range map[string]string{"the handler": zh01, "the unit head": head} {
		got := a.do(staffCall("texts in full to "+name, token, "POST", path, nil, 200, ""))
		if got.Header.Get("Cache-Control") != "no-store" || got.JSON(t)["comment"] != comment {
			t.Errorf("%s: %s (Cache-Control %q)", name, got.Body, got.Header.Get("Cache-Control"))
		}
	}
	a.do(staffCall("with a note", zh01, "POST", path, map[string]any{"method": "phone", "note": "核实回访电话"}, 200, ""))
	a.do(staffCall("to the office", office, "POST", path, nil, 403, "forbidden_action"))
	a.do(staffCall("to the auditor", auditor, "POST", path, nil, 403, "forbidden_action"))
	a.do(staffCall("to another unit", ga01, "POST", path, nil, 404, "work_order_not_found"))
	// The document refuses these requests too.
	for _, c := range []call{
		staffCall("without a session", "", "POST", path, nil, 401, "unauthenticated"),
		staffCall("not JSON", zh01, "POST", path, "{", 400, "invalid_json"),
		staffCall("an unknown method", zh01, "POST", path, map[string]any{"method": "fax"}, 422, "invalid_method"),
	} {
		c.offSpec = true
		a.do(c)
	}

	if n := env.Count(`SELECT count(*) FROM security_audit WHERE kind = 'text_revealed' AND actor IN ('zh01', 'spj-head')`); n != 3 {
		t.Errorf("%d text_revealed audit rows, want 3", n)
	}
	if n := env.Count(`SELECT count(*) FROM work_order_events WHERE work_order_id = $1 AND action = 'reveal_text'`, order); n != 3 {
		t.Errorf("%d reveal_text events, want 3", n)
	}
	a.checkCoverage(fullTextOperation)
	a.logCoverage()
}
