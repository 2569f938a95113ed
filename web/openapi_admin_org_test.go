package web_test

import (
	"net/url"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"haochaping/app/apptest"
	"haochaping/evaluation"
)

// adminOrgOperation reports whether op belongs to the administration of the organisation and
// the settings (tags organisation and settings).
func adminOrgOperation(op *openapi3.Operation) bool {
	return slices.Contains(op.Tags, "organisation") || slices.Contains(op.Tags, "settings")
}

// TestAdminOrgAPIMatchesOpenAPI exercises every operation of the organisation and settings API
// — its success and its refusals — validating each request and answer against the document:
// 401 without a session, 403 for window staff and auditors, 市中区's office held to its district
// (404 for what lies outside it, 422 for an input naming it, 403 for the city-wide default),
// 422 bad input and 409 a code taken.
func TestAdminOrgAPIMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, openapiNow)
	a := newAPIChecker(t, srv)
	office := srv.Login("office", "demo1234")
	szq := srv.Login("szq-office", "demo1234")
	zh01 := srv.Login("zh01", "demo1234")
	auditor := srv.Login("auditor", "demo1234")
	items := func(m map[string]any) []any { l, _ := m["items"].([]any); return l }
	offSpec := func(c call) call { c.offSpec = true; return c }
	const (
		halls       = "/api/v1/org/halls"
		windows     = "/api/v1/org/windows"
		staff       = "/api/v1/org/staff"
		departments = "/api/v1/org/departments"
		settings    = "/api/v1/settings"
	)
	hall := map[string]any{"code": "370402-BM01", "name": "中心街便民服务中心", "level": "town", "address": "中心街 1 号", "region": "370402"}
	window := map[string]any{"code": "370402-BM01-ZH01", "name": "综合受理窗口", "hall": "370402-BM01", "department": "370402-SPJ", "kind": "comprehensive"}
	member := map[string]any{"staff_no": "SZQ-0001", "name": "王小明", "department": "370402-SPJ", "window": "370402-BM01-ZH01"}
	value := map[string]any{"value": "90"}

	// Without a session, 401; window staff and auditors administer nothing: 403.
	for _, op := range []struct {
		method, path string
		body         any
	}{
		{"GET", halls, nil}, {"POST", halls, hall}, {"PUT", halls + "/370402-ZWFW", hall},
		{"GET", windows, nil}, {"POST", windows, window}, {"PUT", windows + "/370402-ZH01", window},
		{"GET", staff, nil}, {"POST", staff, member}, {"PUT", staff + "/370402-ZH01-1", member},
		{"GET", departments, nil}, {"GET", settings, nil},
		{"PUT", settings + "/370402/pad_prompt_seconds", value}, {"DELETE", settings + "/370402/pad_prompt_seconds", nil},
	} {
		a.do(offSpec(staffCall("without a session", "", op.method, op.path, op.body, 401, "unauthenticated")))
		a.do(staffCall("as window staff", zh01, op.method, op.path, op.body, 403, "forbidden_role"))
		a.do(staffCall("as an auditor", auditor, op.method, op.path, op.body, 403, "forbidden_role"))
	}

	// Halls: the city sees all eight, 市中区 its own.
	if l := items(do(t, a, staffCall("the city's halls", office, "GET", halls, nil, 200, ""))); len(l) != 8 {
		t.Errorf("the city sees %d halls, want 8", len(l))
	}
	if l := items(do(t, a, staffCall("市中区's halls", szq, "GET", halls, nil, 200, ""))); len(l) != 1 {
		t.Errorf("市中区 sees %d halls, want 1", len(l))
	}
	a.do(staffCall("a hall of bad fields", szq, "POST", halls,
		map[string]any{"code": "中心街", "name": " ", "level": "street", "region": "370402"}, 422, "invalid_code"))
	a.do(staffCall("a hall in 薛城区 from 市中区", szq, "POST", halls,
		map[string]any{"code": "370403-BM01", "name": "薛城便民中心", "level": "town", "region": "370403"}, 422, "unknown_region"))
	a.do(offSpec(staffCall("a hall without a name", szq, "POST", halls, map[string]any{"code": "370402-BM02", "level": "town", "region": "370402"}, 422, "invalid_name")))
	a.do(offSpec(staffCall("a hall not JSON", szq, "POST", halls, "{", 400, "invalid_json")))
	a.do(staffCall("a hall of 市中区", szq, "POST", halls, hall, 201, ""))
	a.do(staffCall("the same code again", office, "POST", halls, hall, 409, "hall_code_taken"))
	a.do(staffCall("edit the hall", szq, "PUT", halls+"/370402-BM01",
		map[string]any{"name": "中心街街道便民服务中心", "level": "town", "address": "中心街 2 号", "region": "370402"}, 200, ""))
	a.do(staffCall("edit the city's hall from 市中区", szq, "PUT", halls+"/370400-ZWFW",
		map[string]any{"name": "x", "level": "city", "region": "370400"}, 404, "hall_not_found"))
	a.do(staffCall("edit with a bad level", szq, "PUT", halls+"/370402-BM01",
		map[string]any{"name": "x", "level": "province", "region": "370402"}, 422, "invalid_level"))

	// Windows.
	a.do(staffCall("a window in the city's hall from 市中区", szq, "POST", windows,
		map[string]any{"code": "370402-X01", "name": "窗口", "hall": "370400-ZWFW", "department": "370402-SPJ", "kind": "specialised"}, 422, "unknown_hall"))
	a.do(staffCall("a window of no kind", szq, "POST", windows,
		map[string]any{"code": "370402-X01", "name": "窗口", "hall": "370402-BM01", "department": "370402-SPJ", "kind": "vip"}, 422, "invalid_kind"))
	a.do(staffCall("a window", szq, "POST", windows, window, 201, ""))
	a.do(staffCall("the same window again", szq, "POST", windows, window, 409, "window_code_taken"))
	if l := items(do(t, a, staffCall("the new hall's windows", szq, "GET", windows+"?hall=370402-BM01", nil, 200, ""))); len(l) != 1 {
		t.Errorf("the new hall has %d windows, want 1", len(l))
	}
	a.do(staffCall("the city hall's windows from 市中区", szq, "GET", windows+"?hall=370400-ZWFW", nil, 404, "hall_not_found"))
	a.do(staffCall("rename the window", szq, "PUT", windows+"/370402-BM01-ZH01",
		map[string]any{"name": "综合受理1号窗口", "hall": "370402-BM01", "department": "370402-SPJ", "kind": "comprehensive"}, 200, ""))
	a.do(staffCall("edit a city window from 市中区", szq, "PUT", windows+"/370400-ZH01",
		map[string]any{"name": "x", "hall": "370402-BM01", "department": "370402-SPJ", "kind": "comprehensive"}, 404, "window_not_found"))
	a.do(staffCall("move a window to a department of the city", szq, "PUT", windows+"/370402-BM01-ZH01",
		map[string]any{"name": "x", "hall": "370402-BM01", "department": "ZZ-SPJ", "kind": "comprehensive"}, 422, "unknown_department"))

	// Staff and departments.
	a.do(staffCall("a staff member", szq, "POST", staff, member, 201, ""))
	a.do(staffCall("the same staff number again", office, "POST", staff, member, 409, "staff_no_taken"))
	a.do(staffCall("a staff member of bad fields", szq, "POST", staff,
		map[string]any{"staff_no": "王", "name": "", "department": "370402-SPJ", "window": "370400-ZH01"}, 422, "invalid_code"))
	if l := items(do(t, a, staffCall("the window's staff", szq, "GET", staff+"?window=370402-BM01-ZH01", nil, 200, ""))); len(l) != 1 {
		t.Errorf("the new window has %d staff, want 1", len(l))
	}
	a.do(staffCall("a city department's staff from 市中区", szq, "GET", staff+"?department=ZZ-SPJ", nil, 404, "department_not_found"))
	a.do(staffCall("a city window's staff from 市中区", szq, "GET", staff+"?window=370400-ZH01", nil, 404, "window_not_found"))
	m := do(t, a, staffCall("deactivate and take off the window", szq, "PUT", staff+"/SZQ-0001",
		map[string]any{"name": "王小明", "department": "370402-SPJ", "window": "", "active": false}, 200, ""))
	if m["active"] != false || m["window"] != nil {
		t.Errorf("after deactivating: %v", m)
	}
	a.do(staffCall("edit the city's staff from 市中区", szq, "PUT", staff+"/370400-ZH01-1",
		map[string]any{"name": "x", "department": "370402-SPJ"}, 404, "staff_not_found"))
	a.do(staffCall("edit with an unknown window", szq, "PUT", staff+"/SZQ-0001",
		map[string]any{"name": "王小明", "department": "370402-SPJ", "window": "NOPE-01"}, 422, "unknown_window"))
	if l := items(do(t, a, staffCall("市中区's departments", szq, "GET", departments, nil, 200, ""))); len(l) == 0 {
		t.Errorf("市中区 has no departments")
	}

	// Settings: 市中区's own value, then cleared; the city's default only from the city.
	rs := do(t, a, staffCall("市中区's settings", szq, "GET", settings, nil, 200, ""))
	if r, _ := rs["region"].(map[string]any); r["code"] != "370402" || len(items(rs)) != len(evaluation.SettingKeys) {
		t.Errorf("市中区's settings: %v", rs)
	}
	a.do(staffCall("the city-wide default", office, "GET", settings+"?region=default", nil, 200, ""))
	a.do(staffCall("the city's settings from 市中区", szq, "GET", settings+"?region=370400", nil, 404, "region_not_found"))
	e := do(t, a, staffCall("set pad_prompt_seconds", szq, "PUT", settings+"/370402/pad_prompt_seconds", value, 200, ""))
	if e["value"] != "90" || e["source"] != "own" || e["changed"] == nil {
		t.Errorf("after setting: %v", e)
	}
	a.do(staffCall("-5 seconds", szq, "PUT", settings+"/370402/pad_prompt_seconds", map[string]any{"value": "-5"}, 422, "invalid_setting_value"))
	a.do(staffCall("rectification beyond the maximum", szq, "PUT", settings+"/370402/rectify_working_days", map[string]any{"value": "20"}, 422, "rectify_days_over_max"))
	a.do(offSpec(staffCall("a value not a string", szq, "PUT", settings+"/370402/pad_prompt_seconds", map[string]any{"value": 90}, 400, "invalid_json")))
	a.do(staffCall("an unknown setting", szq, "PUT", settings+"/370402/no_such_key", value, 404, "unknown_setting"))
	a.do(staffCall("薛城区 from 市中区", szq, "PUT", settings+"/370403/pad_prompt_seconds", value, 404, "region_not_found"))
	a.do(staffCall("the default from 市中区", szq, "PUT", settings+"/default/pad_prompt_seconds", value, 403, "forbidden_default"))
	a.do(staffCall("the default from the city", office, "PUT", settings+"/default/kiosk_idle_seconds", map[string]any{"value": "90"}, 200, ""))
	e = do(t, a, staffCall("clear pad_prompt_seconds", szq, "DELETE", settings+"/370402/pad_prompt_seconds", nil, 200, ""))
	if e["value"] != "120" || e["source"] != "default" {
		t.Errorf("after clearing: %v", e)
	}
	a.do(staffCall("clear an unknown setting", szq, "DELETE", settings+"/370402/no_such_key", nil, 404, "unknown_setting"))
	a.do(staffCall("clear the default from 市中区", szq, "DELETE", settings+"/default/kiosk_idle_seconds", nil, 403, "forbidden_default"))
	a.do(staffCall("clear in the city from 市中区", szq, "DELETE", settings+"/"+url.PathEscape("370400")+"/kiosk_idle_seconds", nil, 404, "region_not_found"))

	a.checkCoverage(adminOrgOperation)
	a.logCoverage()
}
