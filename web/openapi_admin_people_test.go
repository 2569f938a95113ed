package web_test

import (
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"haochaping/app/apptest"
)

// adminPeopleOperations are the operations of the administration of logins and devices; the
// pairing code, older, is exercised by TestResponsesMatchOpenAPI too.
var adminPeopleOperations = []string{"listUsers", "createUser", "getUser", "disableUser", "enableUser", "setUserPassword",
	"setUserRole", "listDevices", "createDevice", "disableDevice", "enableDevice"}

func adminPeopleOperation(op *openapi3.Operation) bool {
	return slices.Contains(adminPeopleOperations, op.OperationID)
}

// TestAdminPeopleAPIMatchesOpenAPI exercises the administration of logins and devices — every
// operation, its success and its refusals: 403 for window staff and auditors, a district office
// that neither sees nor hands out what is above it, 422 for bad input — validating each request
// and answer against the document.
func TestAdminPeopleAPIMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, openapiNow)
	a := newAPIChecker(t, srv)
	office := srv.Login("office", "demo1234")
	district := srv.Login("szq-office", "demo1234")
	clerk := srv.Login("zh01", "demo1234")
	auditor := srv.Login("auditor", "demo1234")
	offSpec := func(c call) call { c.offSpec = true; return c }
	do := func(c call) map[string]any {
		t.Helper()
		r := a.do(c)
		if r.Status != c.status || r.Status >= 300 {
			return map[string]any{}
		}
		return r.JSON(t)
	}
	usernames := func(m map[string]any) []string {
		var out []string
		items, _ := m["items"].([]any)
		for _, it := range items {
			out = append(out, it.(map[string]any)["username"].(string))
		}
		return out
	}

	// Without a session, and with a role that administers nothing.
	newUser := map[string]any{"username": "zh09", "role": "auditor", "scope": "region:370400"}
	newRole := map[string]any{"role": "auditor", "scope": "region:370400"}
	newKiosk := map[string]any{"channel": "kiosk", "hall": "370400-ZWFW"}
	for _, op := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/v1/users", nil}, {"POST", "/api/v1/users", newUser}, {"GET", "/api/v1/users/zh01", nil},
		{"POST", "/api/v1/users/zh01/disable", nil}, {"POST", "/api/v1/users/zh01/enable", nil},
		{"POST", "/api/v1/users/zh01/password", nil}, {"PUT", "/api/v1/users/zh01/role", newRole},
		{"GET", "/api/v1/devices", nil}, {"POST", "/api/v1/devices", newKiosk},
		{"POST", "/api/v1/devices/demo-kiosk-370400/disable", nil}, {"POST", "/api/v1/devices/demo-kiosk-370400/enable", nil},
	} {
		a.do(offSpec(staffCall("without a session", "", op.method, op.path, op.body, 401, "unauthenticated")))
		a.do(staffCall("as window staff", clerk, op.method, op.path, op.body, 403, "forbidden_role"))
		a.do(staffCall("as an auditor", auditor, op.method, op.path, op.body, 403, "forbidden_role"))
	}

	// Users: the city office sees the city's logins, a district office only its district's.
	all := usernames(do(staffCall("users", office, "GET", "/api/v1/users", nil, 200, "")))
	for _, want := range []string{"office", "szq-office", "zh01", "auditor"} {
		if !slices.Contains(all, want) {
			t.Errorf("the city office's list lacks %s: %v", want, all)
		}
	}
	if got := usernames(do(staffCall("users of the district", district, "GET", "/api/v1/users", nil, 200, ""))); !slices.Equal(got, []string{"szq-office"}) {
		t.Errorf("the district office lists %v", got)
	}
	if got := usernames(do(staffCall("search", office, "GET", "/api/v1/users?q=zh0&role=window_staff", nil, 200, ""))); !slices.Equal(got, []string{"zh01"}) {
		t.Errorf("search zh0 among window staff: %v", got)
	}
	a.do(staffCall("unknown role", office, "GET", "/api/v1/users?role=boss", nil, 422, "invalid_role"))
	got := do(staffCall("user", office, "GET", "/api/v1/users/zh01", nil, 200, ""))
	if got["role"] != "window_staff" || got["staff_no"] != "370400-ZH01-1" {
		t.Errorf("zh01: %v", got)
	}
	if _, leaked := got["password_hash"]; leaked {
		t.Error("a password hash in the answer")
	}
	a.do(staffCall("user out of reach", district, "GET", "/api/v1/users/zh01", nil, 404, "user_not_found"))
	a.do(staffCall("no such user", office, "GET", "/api/v1/users/nobody", nil, 404, "user_not_found"))

	made := do(staffCall("create with a generated password", office, "POST", "/api/v1/users",
		map[string]any{"username": "zh03", "role": "window_staff", "scope": "department:ZZ-SPJ", "staff_no": "370400-ZH03-1"}, 201, ""))
	password, _ := made["password"].(string)
	if len(password) < 12 || made["display_name"] == "" {
		t.Fatalf("created: %v", made)
	}
	srv.Login("zh03", password)
	typed := do(staffCall("create with a typed password", district, "POST", "/api/v1/users",
		map[string]any{"username": "szq-auditor", "password": "s3cret-pass", "role": "auditor", "scope": "region:370402"}, 201, ""))
	if _, given := typed["password"]; given {
		t.Errorf("a typed password answered back: %v", typed)
	}
	a.do(staffCall("create above the district", district, "POST", "/api/v1/users",
		map[string]any{"username": "szq-up", "role": "office_admin", "scope": "region:370400"}, 403, "scope_out_of_reach"))
	a.do(staffCall("create a taken username", office, "POST", "/api/v1/users",
		map[string]any{"username": "ZH01", "role": "auditor", "scope": "region:370400"}, 409, "username_taken"))
	a.do(staffCall("create without staff", office, "POST", "/api/v1/users",
		map[string]any{"username": "zh04", "role": "window_staff", "scope": "department:ZZ-SPJ"}, 422, "staff_required"))
	a.do(staffCall("create with a bad scope", office, "POST", "/api/v1/users",
		map[string]any{"username": "zh04", "role": "auditor", "scope": "city"}, 422, "invalid_scope"))
	a.do(offSpec(staffCall("create not JSON", office, "POST", "/api/v1/users", "{", 400, "invalid_json")))

	if r := do(staffCall("password typed", office, "POST", "/api/v1/users/zh03/password", map[string]any{"password": "new-pass-123"}, 200, "")); r["password"] != nil {
		t.Errorf("a typed password answered back: %v", r)
	}
	if r := do(staffCall("password generated", office, "POST", "/api/v1/users/zh03/password", nil, 200, "")); r["password"] == nil {
		t.Errorf("no generated password: %v", r)
	}
	a.do(staffCall("password too short", office, "POST", "/api/v1/users/zh03/password", map[string]any{"password": "short"}, 422, "weak_password"))
	a.do(staffCall("password out of reach", district, "POST", "/api/v1/users/zh03/password", nil, 404, "user_not_found"))

	moved := do(staffCall("role", office, "PUT", "/api/v1/users/zh03/role",
		map[string]any{"role": "unit_head", "scope": "hall:370400-ZWFW", "staff_no": "370400-ZH03-1"}, 200, ""))
	if moved["role"] != "unit_head" {
		t.Errorf("after the new role: %v", moved)
	}
	a.do(staffCall("role taken staff", office, "PUT", "/api/v1/users/zh03/role",
		map[string]any{"role": "window_staff", "scope": "department:ZZ-SPJ", "staff_no": "370400-ZH01-1"}, 409, "staff_taken"))
	a.do(staffCall("role unknown", office, "PUT", "/api/v1/users/zh03/role", map[string]any{"role": "boss", "scope": "region:370400"}, 422, "invalid_role"))
	a.do(staffCall("own role", office, "PUT", "/api/v1/users/office/role", map[string]any{"role": "auditor", "scope": "region:370400"}, 403, "cannot_change_own_role"))
	a.do(staffCall("role out of reach", district, "PUT", "/api/v1/users/zh03/role", map[string]any{"role": "auditor", "scope": "region:370402"}, 404, "user_not_found"))

	if r := do(staffCall("disable", office, "POST", "/api/v1/users/zh03/disable", nil, 200, "")); r["active"] != false {
		t.Errorf("disabled: %v", r)
	}
	if r := do(staffCall("enable", office, "POST", "/api/v1/users/zh03/enable", nil, 200, "")); r["active"] != true {
		t.Errorf("enabled: %v", r)
	}
	a.do(staffCall("disable self", office, "POST", "/api/v1/users/office/disable", nil, 409, "cannot_disable_self"))
	a.do(staffCall("disable out of reach", district, "POST", "/api/v1/users/zh01/disable", nil, 404, "user_not_found"))
	a.do(staffCall("enable out of reach", district, "POST", "/api/v1/users/zh01/enable", nil, 404, "user_not_found"))

	// Devices.
	ids := func(m map[string]any) []string {
		var out []string
		items, _ := m["items"].([]any)
		for _, it := range items {
			out = append(out, it.(map[string]any)["id"].(string))
		}
		return out
	}
	pad := do(staffCall("register a pad", office, "POST", "/api/v1/devices",
		map[string]any{"channel": "window", "window": "370400-ZH02", "name": "综合受理2号窗口评价器"}, 201, ""))
	padID, _ := pad["id"].(string)
	if pad["secret"] == nil || pad["hall"] != "370400-ZWFW" || padID == "" {
		t.Fatalf("registered: %v", pad)
	}
	do(staffCall("register a kiosk", district, "POST", "/api/v1/devices",
		map[string]any{"channel": "kiosk", "hall": "370402-ZWFW", "id": "szq-kiosk-9"}, 201, ""))
	a.do(staffCall("register in the city from the district", district, "POST", "/api/v1/devices",
		map[string]any{"channel": "window", "window": "370400-ZH02"}, 403, "place_out_of_reach"))
	a.do(staffCall("register a backend", office, "POST", "/api/v1/devices", map[string]any{"channel": "system"}, 422, "invalid_channel"))
	a.do(staffCall("register without a window", office, "POST", "/api/v1/devices", map[string]any{"channel": "window"}, 422, "window_required"))
	a.do(staffCall("register a taken ID", office, "POST", "/api/v1/devices",
		map[string]any{"channel": "kiosk", "hall": "370402-ZWFW", "id": "szq-kiosk-9"}, 409, "device_id_taken"))
	a.do(offSpec(staffCall("register not JSON", office, "POST", "/api/v1/devices", "[", 400, "invalid_json")))

	city := ids(do(staffCall("devices", office, "GET", "/api/v1/devices", nil, 200, "")))
	if !slices.Contains(city, padID) || !slices.Contains(city, "szq-kiosk-9") || slices.Contains(city, "demo-system") {
		t.Errorf("the city's devices: %v", city)
	}
	szq := ids(do(staffCall("devices of the district", district, "GET", "/api/v1/devices", nil, 200, "")))
	if slices.Contains(szq, padID) || !slices.Contains(szq, "szq-kiosk-9") {
		t.Errorf("the district's devices: %v", szq)
	}
	if r := do(staffCall("disable a device", office, "POST", "/api/v1/devices/"+padID+"/disable", nil, 200, "")); r["enabled"] != false {
		t.Errorf("disabled: %v", r)
	}
	a.do(staffCall("pairing code of a disabled device", office, "POST", "/api/v1/devices/"+padID+"/pairing-code", nil, 409, "device_disabled"))
	if r := do(staffCall("enable a device", office, "POST", "/api/v1/devices/"+padID+"/enable", nil, 200, "")); r["enabled"] != true {
		t.Errorf("enabled: %v", r)
	}
	a.do(staffCall("disable a city device from the district", district, "POST", "/api/v1/devices/"+padID+"/disable", nil, 404, "device_not_found"))
	a.do(staffCall("enable a city device from the district", district, "POST", "/api/v1/devices/"+padID+"/enable", nil, 404, "device_not_found"))
	a.do(staffCall("pairing code of a city device from the district", district, "POST", "/api/v1/devices/"+padID+"/pairing-code", nil, 404, "device_not_found"))
	a.do(staffCall("pairing code", office, "POST", "/api/v1/devices/"+padID+"/pairing-code", nil, 201, ""))

	a.checkCoverage(adminPeopleOperation)
	a.logCoverage()
}
