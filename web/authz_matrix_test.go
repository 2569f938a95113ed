package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"haochaping/access"
	"haochaping/app/apptest"
)

// The staff of the matrix: each role, with its own and another unit's or region's scope.
var matrixUsers = []string{"zh01", "ga01", "spj-head", "gaj-head", "hall-head", "office", "szq-office", "auditor"}

// Groups of the matrix's users, by what the rules give them on the test's objects (all in
// 市审批服务局 at the city's hall, handled by zh01).
var (
	everyone  = matrixUsers
	handlers  = []string{"zh01", "spj-head", "hall-head"} // see the order and carry the unit's steps
	seers     = []string{"zh01", "spj-head", "hall-head", "office", "auditor"}
	readers   = []string{"spj-head", "gaj-head", "hall-head", "office", "szq-office", "auditor"} // read measures
	offices   = []string{"office", "szq-office"}                                                 // administer their region
	cityOnly  = []string{"office"}                                                               // the city's objects, or the city's office alone
	reporters = []string{"spj-head", "gaj-head", "office", "szq-office"}
	nobody    = []string{}
)

// TestAuthorisationMatrix: every API route the router serves, for every role with its own and
// another scope, is refused (403, or 404 when the object is not theirs to see) to whom the
// rules refuse it and not refused to whom they allow it; without a session it is 401. The
// table is checked against the router, so a new route that nobody put in it fails this test:
// no endpoint can be forgotten.
func TestAuthorisationMatrix(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, openapiNow)
	srv.RunWorker()
	order := srv.BadReview("MX01", "13900001111")
	tokens := map[string]string{}
	for _, u := range matrixUsers {
		tokens[u] = srv.Login(u, "demo1234")
	}
	office := tokens["office"]
	script := srv.As(office, "POST", "/api/v1/callback-scripts", map[string]any{"title": "话术", "body": "您好，{{evaluator}}。"}).JSON(t)["id"]
	target := srv.As(office, "POST", "/api/v1/users", map[string]any{"username": "mx-target", "password": "Target-pass-2026",
		"role": "window_staff", "scope": "department:ZZ-SPJ", "staff_no": "370400-ZH02-2"})
	if target.Status != 201 {
		t.Fatalf("the target login: %d %s", target.Status, target.Body)
	}
	dev := srv.As(office, "POST", "/api/v1/devices", map[string]any{"channel": "window", "window": "370400-ZH03", "name": "矩阵"}).JSON(t)["id"]
	if _, err := srv.App.Ledger.OpenRound(t.Context(), mustUser(t, srv, "office"), "矩阵轮次", env.Clock.Now().Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// An entry of 市审批服务局 alone (the plan's tasks are every unit's).
	entry := env.Count(`WITH e AS (INSERT INTO ledger_entries (kind, no, title, unit_names, due)
		VALUES ('rectification', 900, '矩阵条目', ARRAY['市审批服务局'], '2026-12-31') RETURNING id),
		a AS (INSERT INTO ledger_assignments (entry_id, department_id, lead) SELECT e.id, d.id, true FROM e, departments d WHERE d.code = 'ZZ-SPJ')
		SELECT id FROM e`)
	round := env.Count(`SELECT id FROM ledger_rounds ORDER BY id DESC LIMIT 1`)
	note := env.Count(`SELECT id FROM notifications WHERE audience = 'handler' ORDER BY id LIMIT 1`)
	// The bad review's upward record, refused by the platform: the city's office may resend it.
	refused := upwardRecord(t, env, srv.EvaluationOf(order), "37MX01", "refused", "taskCode: 必填项缺失 (task_code)", 1)
	params := map[string]string{
		"workorder": fmt.Sprint(order), "script": fmt.Sprint(script), "note": fmt.Sprint(note), "device": fmt.Sprint(dev),
		"username": "mx-target", "entry": fmt.Sprint(entry), "round": fmt.Sprint(round), "recurring": "999999",
		"upward": fmt.Sprint(refused), "hall": "370400-ZWFW", "window": "370400-ZH01", "staff": "370400-ZH01-2", "region": "370400", "key": "pad_prompt_seconds",
	}

	// rule: who passes (the others are refused), and whether a pass may still be 404 (an
	// object that does not exist, or a question the route answers with "not found").
	type rule struct {
		path    string   // with :name for params
		allowed []string // may act
		loose   bool     // a pass may be 404
	}
	rules := map[string]rule{
		"POST /api/v1/auth/logout":                     {"", everyone, false},
		"POST /api/v1/auth/password":                   {"", everyone, false},
		"GET /api/v1/auth/me":                          {"", everyone, false},
		"GET /api/v1/workorders":                       {"", everyone, false},
		"GET /api/v1/workorders/counts":                {"", everyone, false},
		"GET /api/v1/workorders/:id":                   {"/api/v1/workorders/:workorder", seers, false},
		"POST /api/v1/workorders/:id/callback":         {"/api/v1/workorders/:workorder/callback", handlers, false},
		"POST /api/v1/workorders/:id/decide":           {"/api/v1/workorders/:workorder/decide", handlers, false},
		"POST /api/v1/workorders/:id/rectify":          {"/api/v1/workorders/:workorder/rectify", handlers, false},
		"POST /api/v1/workorders/:id/feedback":         {"/api/v1/workorders/:workorder/feedback", handlers, false},
		"POST /api/v1/workorders/:id/close":            {"/api/v1/workorders/:workorder/close", handlers, false},
		"POST /api/v1/workorders/:id/return":           {"/api/v1/workorders/:workorder/return", handlers, false},
		"POST /api/v1/workorders/:id/extension":        {"/api/v1/workorders/:workorder/extension", handlers, false},
		"POST /api/v1/workorders/:id/reveal-phone":     {"/api/v1/workorders/:workorder/reveal-phone", handlers, false},
		"POST /api/v1/workorders/:id/reveal-text":      {"/api/v1/workorders/:workorder/reveal-text", handlers, false},
		"POST /api/v1/workorders/:id/extension/ruling": {"/api/v1/workorders/:workorder/extension/ruling", cityOnly, false},
		"POST /api/v1/workorders/:id/appeal/ruling":    {"/api/v1/workorders/:workorder/appeal/ruling", cityOnly, false},
		"POST /api/v1/workorders/:id/reassign":         {"/api/v1/workorders/:workorder/reassign", cityOnly, false},
		"POST /api/v1/workorders/:id/supervise":        {"/api/v1/workorders/:workorder/supervise", cityOnly, false},
		"GET /api/v1/workorders/:id/scripts/:script":   {"/api/v1/workorders/:workorder/scripts/:script", seers, false},
		"GET /api/v1/callback-scripts":                 {"", everyone, false},
		"POST /api/v1/callback-scripts":                {"", offices, false},
		"PUT /api/v1/callback-scripts/:script":         {"/api/v1/callback-scripts/:script", offices, true},
		"GET /api/v1/notifications":                    {"", everyone, false},
		"POST /api/v1/notifications/:id/read":          {"/api/v1/notifications/:note/read", []string{"zh01"}, false},
		"GET /api/v1/stats/overview":                   {"", readers, false},
		"GET /api/v1/stats/trend":                      {"", readers, false},
		"GET /api/v1/stats/rows":                       {"", readers, false},
		"GET /api/v1/stats/rankings":                   {"", readers, false},
		"GET /api/v1/stats/praise-flags":               {"", []string{"office", "szq-office", "auditor"}, false},
		"POST /api/v1/devices/:id/pairing-code":        {"/api/v1/devices/:device/pairing-code", cityOnly, false},
		"GET /api/v1/devices":                          {"", offices, false},
		"POST /api/v1/devices":                         {"", offices, false},
		"POST /api/v1/devices/:id/disable":             {"/api/v1/devices/:device/disable", cityOnly, false},
		"POST /api/v1/devices/:id/enable":              {"/api/v1/devices/:device/enable", cityOnly, false},
		"GET /api/v1/users":                            {"", offices, false},
		"POST /api/v1/users":                           {"", offices, false},
		"GET /api/v1/users/:username":                  {"/api/v1/users/:username", cityOnly, false},
		"POST /api/v1/users/:username/disable":         {"/api/v1/users/:username/disable", cityOnly, false},
		"POST /api/v1/users/:username/enable":          {"/api/v1/users/:username/enable", cityOnly, false},
		"POST /api/v1/users/:username/password":        {"/api/v1/users/:username/password", cityOnly, false},
		"PUT /api/v1/users/:username/role":             {"/api/v1/users/:username/role", cityOnly, false},
		"POST /api/v1/users/:username/totp-reset":      {"/api/v1/users/:username/totp-reset", cityOnly, false},
		"GET /api/v1/ledgers/entries":                  {"", everyone, false},
		"GET /api/v1/ledgers/entries/:id":              {"/api/v1/ledgers/entries/:entry", []string{"zh01", "spj-head", "hall-head", "office", "auditor"}, false},
		"GET /api/v1/ledgers/entries/:id/reports":      {"/api/v1/ledgers/entries/:entry/reports", []string{"zh01", "spj-head", "hall-head", "office", "auditor"}, false},
		"POST /api/v1/ledgers/entries/:id/reports":     {"/api/v1/ledgers/entries/:entry/reports", []string{"spj-head", "office"}, false},
		"GET /api/v1/ledgers/rounds":                   {"", everyone, false},
		"POST /api/v1/ledgers/rounds":                  {"", cityOnly, false},
		"GET /api/v1/ledgers/rounds/current/missing":   {"", everyone, false},
		"GET /api/v1/ledgers/rounds/:id/missing":       {"/api/v1/ledgers/rounds/:round/missing", everyone, false},
		"POST /api/v1/ledgers/rounds/:id/close":        {"/api/v1/ledgers/rounds/999999/close", cityOnly, true},
		"GET /api/v1/ledgers/export":                   {"/api/v1/ledgers/export?kind=work", everyone, false},
		"POST /api/v1/ledgers/import":                  {"", reporters, false},
		"GET /api/v1/ledgers/rectification":            {"", everyone, false},
		"GET /api/v1/ledgers/recurring":                {"", everyone, false},
		"POST /api/v1/ledgers/recurring/propose":       {"", offices, false},
		"POST /api/v1/ledgers/recurring/:id/accept":    {"/api/v1/ledgers/recurring/:recurring/accept", offices, true},
		"POST /api/v1/ledgers/recurring/:id/dismiss":   {"/api/v1/ledgers/recurring/:recurring/dismiss", offices, true},
		"GET /api/v1/org/halls":                        {"", offices, false},
		"POST /api/v1/org/halls":                       {"", offices, false},
		"PUT /api/v1/org/halls/:code":                  {"/api/v1/org/halls/:hall", cityOnly, false},
		"GET /api/v1/org/windows":                      {"", offices, false},
		"POST /api/v1/org/windows":                     {"", offices, false},
		"PUT /api/v1/org/windows/:code":                {"/api/v1/org/windows/:window", cityOnly, false},
		"GET /api/v1/org/staff":                        {"", offices, false},
		"POST /api/v1/org/staff":                       {"", offices, false},
		"PUT /api/v1/org/staff/:staff_no":              {"/api/v1/org/staff/:staff", cityOnly, false},
		"GET /api/v1/org/departments":                  {"", offices, false},
		"GET /api/v1/audit":                            {"", []string{"office", "auditor"}, false},
		"GET /api/v1/settings":                         {"/api/v1/settings?region=370400", cityOnly, false},
		"PUT /api/v1/settings/:region/:key":            {"/api/v1/settings/:region/:key", cityOnly, false},
		"DELETE /api/v1/settings/:region/:key":         {"/api/v1/settings/:region/:key", cityOnly, false},
		"GET /api/v1/upward/status":                    {"", []string{"office", "szq-office", "auditor"}, false},
		"GET /api/v1/upward/records":                   {"", []string{"office", "szq-office", "auditor"}, false},
		"POST /api/v1/upward/records/:id/resend":       {"/api/v1/upward/records/:upward/resend", cityOnly, false},
	}
	// Routes without a staff session: public, or signed by a device (channels/auth_test.go).
	unsessioned := map[string]bool{}
	for _, route := range []string{"GET /healthz", "GET /readyz", "GET /metrics", "GET /api/openapi.yaml", "POST /api/v1/auth/login", "POST /api/v1/auth/totp",
		"GET /api/v1/reasons", "GET /e/:token/qr.png", "POST /api/v1/cases", "POST /api/v1/channels/window/evaluations",
		"POST /api/v1/channels/window/prompts", "POST /api/v1/channels/kiosk/evaluations", "POST /api/v1/channels/mobile/evaluations",
		"POST /api/v1/channels/pc/evaluations"} {
		unsessioned[route] = true
	}
	served := map[string]bool{}
	for _, rt := range srv.App.HTTP.GetRoutes(true) {
		if rt.Method == http.MethodHead || isPage(rt) {
			continue
		}
		key := rt.Method + " " + rt.Path
		served[key] = true
		if _, ok := rules[key]; !ok && !unsessioned[key] {
			t.Errorf("%s is served but not in the authorisation matrix: add who may call it", key)
		}
	}
	var keys []string
	for k := range rules {
		if !served[k] {
			t.Errorf("the matrix lists %s, which the router does not serve", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	param := regexp.MustCompile(`:([a-z_]+)`)
	for _, key := range keys {
		rl := rules[key]
		method, path, _ := strings.Cut(key, " ")
		if rl.path != "" {
			path = rl.path
		}
		path = param.ReplaceAllStringFunc(path, func(m string) string { return params[m[1:]] })
		call := func(token string) *apptest.Response {
			h := http.Header{}
			h.Set("Content-Type", "application/json")
			if token != "" {
				h.Set("Authorization", "Bearer "+token)
			}
			var body []byte
			if method != http.MethodGet {
				body = []byte(`{}`)
			}
			return srv.Raw(method, path, body, h)
		}
		if r := call(""); r.Status != 401 {
			t.Errorf("%s %s without a session: %d, want 401", method, path, r.Status)
		}
		for _, u := range matrixUsers {
			if key == "POST /api/v1/auth/logout" || key == "POST /api/v1/auth/password" {
				continue // would end the token the other rows use, or count a failed login; TestAuthAPIMatchesOpenAPI covers them
			}
			r := call(tokens[u])
			refused := r.Status == 403 || (r.Status == 404 && !rl.loose)
			if r.Status == 401 {
				t.Fatalf("%s %s as %s: 401 — the matrix's session ended (%s)", method, path, u, r.Body)
			}
			if slices.Contains(rl.allowed, u) == refused {
				t.Errorf("%s %s as %s: %d %s — want %s", method, path, u, r.Status, truncate(r.Body, 160),
					map[bool]string{true: "not refused", false: "refused (403 or 404)"}[slices.Contains(rl.allowed, u)])
			}
			if !slices.Contains(rl.allowed, u) && r.Status != 403 && r.Status != 404 {
				t.Errorf("%s %s as %s: %d, want 403 or 404", method, path, u, r.Status)
			}
		}
	}
}

func mustUser(t *testing.T, srv *apptest.Server, name string) *access.User {
	t.Helper()
	u, err := srv.App.Users.Get(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
