package office_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/calendar"
	"haochaping/internal/testenv"
	"haochaping/web/browsertest"
	"haochaping/web/page"
	"haochaping/web/session"
)

// upwardNow is the business time of the tests of /office/upward: a Tuesday morning in Beijing.
var upwardNow = testenv.Beijing(2026, 12, 1, 10, 0, 0)

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

// upwardWorld is the city with the records of the tests: three refused (the city's, 市中区's and
// 薛城区's), two late (one acknowledged after its deadline, one still pending past it), one on
// time.
type upwardWorld struct {
	env                                                          *testenv.Env
	srv                                                          *apptest.Server
	cityRefused, districtRefused, otherRefused, ackLate, pending int64
	ackDeadline, pendingDeadline                                 time.Time
}

func newUpwardWorld(t *testing.T) *upwardWorld {
	t.Helper()
	env, srv := apptest.Serve(t, upwardNow)
	w := &upwardWorld{env: env, srv: srv}
	w.cityRefused = upwardRecord(t, env, srv.EvaluationOf(srv.BadReview("UW01", "13900001111")), "37UW01", "refused",
		"taskCode: 格式不符: 370400-000105010000", 1)
	w.districtRefused = upwardRecord(t, env, srv.DistrictRating("370402", "UW02", 1), "37UW02", "refused", "deptCode: 必填项缺失 (dept_code)", 1)
	w.otherRefused = upwardRecord(t, env, srv.DistrictRating("370403", "UW06", 2), "37UW06", "refused", "proDepart: 超过 100 个字符", 1)
	// Served on Friday 20 November, acknowledged on Monday the 30th: after Friday the 27th.
	served := testenv.Beijing(2026, 11, 20, 10, 0, 0)
	ev := srv.EvaluationOf(srv.BadReview("UW03", ""))
	env.Exec(`UPDATE evaluations SET served_at = $2 WHERE id = $1`, ev, served)
	w.ackLate = upwardRecord(t, env, ev, "37UW03", "acknowledged", "", 1)
	env.Exec(`UPDATE upward_records SET first_acknowledged_at = $2, acknowledged_at = $2 WHERE id = $1`, w.ackLate, testenv.Beijing(2026, 11, 30, 9, 0, 0))
	w.ackDeadline = calendar.Default().DeadlineAfter(served, 5)
	// Served on Wednesday the 18th and still not through: the platform is down.
	served = testenv.Beijing(2026, 11, 18, 15, 0, 0)
	ev = srv.EvaluationOf(srv.BadReview("UW04", ""))
	env.Exec(`UPDATE evaluations SET served_at = $2 WHERE id = $1`, ev, served)
	w.pending = upwardRecord(t, env, ev, "37UW04", "pending", "", 9)
	env.Exec(`UPDATE upward_records SET last_error = $2, next_attempt_at = $3 WHERE id = $1`, w.pending,
		`upward: the platform answered 503 Service Unavailable: {"code":"503","message":"平台维护中"}`, upwardNow.Add(time.Hour))
	w.pendingDeadline = calendar.Default().DeadlineAfter(served, 5)
	upwardRecord(t, env, srv.EvaluationOf(srv.BadReview("UW05", "")), "37UW05", "acknowledged", "", 1)
	return w
}

func (w *upwardWorld) state(t *testing.T, id int64) string {
	t.Helper()
	var s string
	if err := w.env.DB.Pool.QueryRow(t.Context(), `SELECT state FROM upward_records WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestOfficeResendsRefusedRecords: the city's office opens 省平台上报 and sees every refused
// record of the city with the platform's reason in plain Chinese, presses 重新上报 on one — which is pending
// afterwards, the page saying it was queued — then 全部重新上报, after which the list says
// there is none; the late list shows the record acknowledged after its deadline and the one
// still pending past it, each with its deadline; the dashboard's panel counts what the API
// counts. On a phone and on the desktop.
func TestOfficeResendsRefusedRecords(t *testing.T) {
	t.Parallel()
	w := newUpwardWorld(t)
	t.Run("phone", func(t *testing.T) {
		phone := browsertest.Open(t, w.srv.URL, browsertest.Phone)
		phone.Go("/office/upward")
		phone.LogIn("office", "demo1234")
		if got := phone.Text("#upward-records"); !strings.Contains(got, "37UW01") || !strings.Contains(got, "事项编码格式不符合平台要求") {
			t.Errorf("the refused on a phone: %q", got)
		}
		phone.CheckPage("省平台上报 on a phone")
		phone.Screenshot("office-upward")
	})

	b := browsertest.Open(t, w.srv.URL, browsertest.Desktop)
	b.Go("/office/upward")
	b.LogIn("office", "demo1234")
	if got := b.URL(); got != "/office/upward" {
		t.Fatalf("after the login: %s", got)
	}
	list := b.Text("#upward-records")
	for _, want := range []string{"37UW01", "事项编码格式不符合平台要求（370400-000105010000）", "市审批服务局", "窗口评价器",
		"37UW02", "缺少部门编码", "被退回"} {
		if !strings.Contains(list, want) {
			t.Errorf("the refused list lacks %q: %q", want, list)
		}
	}
	if strings.Contains(list, "13900001111") || strings.Contains(list, "139****1111") || strings.Contains(list, "李") {
		t.Errorf("the list shows the evaluator: %q", list)
	}
	if got := b.Text("#upward-refused .figure"); got != "3" || !strings.Contains(list, "37UW06") {
		t.Errorf("被退回 %q, want 3 with 薛城区's", got)
	}
	b.CheckPage("省平台上报")
	b.Screenshot("office-upward")

	if status := b.Submit(fmt.Sprintf("#upward-%d button.resend", w.cityRefused)); status != 200 {
		t.Fatalf("重新上报: %d", status)
	}
	if got := b.Text("#upward-done"); !strings.Contains(got, "已重新上报") || !strings.Contains(got, "待上报") {
		t.Errorf("after 重新上报 the page says %q", got)
	}
	if s := w.state(t, w.cityRefused); s != "pending" {
		t.Errorf("the record resent is %s, want pending", s)
	}
	if got := b.Text("#upward-records"); strings.Contains(got, "37UW01") || !strings.Contains(got, "37UW02") {
		t.Errorf("the refused after one was resent: %q", got)
	}

	b.Follow(`nav.tabs a[href="/office/upward?state=late"]`)
	late := b.Text("#upward-records")
	for _, want := range []string{"37UW03", page.DateTime(w.ackDeadline), "接收于 2026年11月30日 09:00", "37UW04", page.DateTime(w.pendingDeadline),
		"省平台未接收本批数据（503：平台维护中）", "逾期"} {
		if !strings.Contains(late, want) {
			t.Errorf("the late list lacks %q: %q", want, late)
		}
	}
	if strings.Contains(late, "37UW05") || strings.Contains(late, "37UW01") {
		t.Errorf("the late list shows a record on time: %q", late)
	}
	if n := browsertest.Eval[int](b, `document.querySelectorAll('#upward-records tr.late-row').length`); n != 2 {
		t.Errorf("%d rows marked late, want 2", n)
	}
	b.CheckPage("省平台上报: 逾期")
	b.Screenshot("office-upward-late")

	// The dashboard's panel: the API's counts, each a link to its list.
	b.Go("/office")
	api := w.srv.As(w.srv.Login("office", "demo1234"), "GET", "/api/v1/upward/status", nil).JSON(t)
	for key, sel := range map[string]string{"refused": "#upward-panel-refused", "late": "#upward-panel-late", "pending": "#upward-panel-pending"} {
		got := browsertest.Eval[string](b, `document.querySelector('`+sel+` strong').dataset.count`)
		if want := fmt.Sprint(api[key]); got != want {
			t.Errorf("the panel's %s: %s, the API's %s", key, got, want)
		}
		if href := browsertest.Eval[string](b, `document.querySelector('`+sel+`').getAttribute('href')`); href != "/office/upward?state="+key {
			t.Errorf("the panel's %s links to %s", key, href)
		}
	}
	if api["refused"] != 2.0 || api["late"] != 2.0 || api["pending"] != 2.0 {
		t.Errorf("the API's counts: %v", api)
	}
	if got := b.Text("#upward-panel"); !strings.Contains(got, "37UW02") || !strings.Contains(got, "缺少部门编码") {
		t.Errorf("the panel names the refused: %q", got)
	}
	b.CheckPage("dashboard with 省平台上报")
	b.Screenshot("office-dashboard-upward")

	b.Follow("#upward-panel-refused")
	if status := b.Submit("#resend-all"); status != 200 {
		t.Fatalf("全部重新上报: %d", status)
	}
	if got := b.Text("#upward-done"); !strings.Contains(got, "2 条被退回的记录已改为待上报") {
		t.Errorf("after 全部重新上报 the page says %q", got)
	}
	if a, b := w.state(t, w.districtRefused), w.state(t, w.otherRefused); a != "pending" || b != "pending" {
		t.Errorf("the districts' records after 全部重新上报: %s, %s", a, b)
	}
	if got := b.Text("#upward-empty"); got != "没有被退回的记录。" {
		t.Errorf("the empty list says %q", got)
	}
	if n := w.env.Count(`SELECT count(*) FROM security_audit WHERE kind = 'upward_resent' AND actor = 'office'`); n != 2 {
		t.Errorf("%d resends of the office on the security audit log, want 2", n)
	}
}

// TestUpwardPageByRole: the auditor reads the page and is offered no button — and a resend
// posted by hand is refused; a district's office sees its district's record and not the city's
// or another district's, cannot resend them, and its 全部重新上报 leaves them alone; a unit head
// is refused.
func TestUpwardPageByRole(t *testing.T) {
	t.Parallel()
	w := newUpwardWorld(t)
	// post sends a resend from the page open now, with its CSRF token, and answers the status.
	post := func(b *browsertest.Browser, path string) int {
		return browsertest.Eval[int](b, `fetch('`+path+`', {method: 'POST', redirect: 'manual', headers: {'Content-Type': 'application/x-www-form-urlencoded'},
			body: new URLSearchParams({_csrf: document.querySelector('input[name=_csrf]').value})}).then(r => r.status)`)
	}
	cityResend := fmt.Sprintf("/office/upward/records/%d/resend", w.cityRefused)

	auditor := browsertest.Open(t, w.srv.URL, browsertest.Desktop)
	auditor.Go("/office/upward")
	auditor.LogIn("auditor", "demo1234")
	if got := auditor.Text("#upward-records"); !strings.Contains(got, "37UW01") || !strings.Contains(got, "37UW02") {
		t.Errorf("the auditor's list: %q", got)
	}
	if n := browsertest.Eval[int](auditor, `document.querySelectorAll('form[action^="/office/upward/"], button.resend, #resend-all').length`); n != 0 {
		t.Errorf("the auditor is offered %d resend controls", n)
	}
	auditor.CheckPage("省平台上报 for the auditor")
	if status := post(auditor, cityResend); status != 403 {
		t.Errorf("the auditor's resend: %d, want 403", status)
	}
	if status := post(auditor, "/office/upward/resend-all"); status != 403 {
		t.Errorf("the auditor's 全部重新上报: %d, want 403", status)
	}
	if s := w.state(t, w.cityRefused); s != "refused" {
		t.Errorf("after the auditor's posts the record is %s", s)
	}

	szq := browsertest.Open(t, w.srv.URL, browsertest.Desktop)
	szq.Go("/office/upward")
	szq.LogIn("szq-office", "demo1234")
	if got := szq.Text("#upward-records"); !strings.Contains(got, "37UW02") || strings.Contains(got, "37UW01") || strings.Contains(got, "37UW06") {
		t.Errorf("the district's list: %q", got)
	}
	if got := szq.Text("#upward-refused .figure"); got != "1" {
		t.Errorf("the district's 被退回: %q", got)
	}
	szq.Go("/office/upward?state=late")
	if got := szq.Text("#upward-empty"); !strings.Contains(got, "没有逾期的记录") {
		t.Errorf("the district's late list: %q", got)
	}
	szq.Go("/office/upward")
	if status := post(szq, cityResend); status != 404 {
		t.Errorf("the district resends the city's record: %d, want 404", status)
	}
	if status := post(szq, fmt.Sprintf("/office/upward/records/%d/resend", w.otherRefused)); status != 404 {
		t.Errorf("市中区 resends 薛城区's record: %d, want 404", status)
	}
	if status := szq.Submit("#resend-all"); status != 200 {
		t.Fatalf("the district's 全部重新上报: %d", status)
	}
	if a, b, c := w.state(t, w.districtRefused), w.state(t, w.cityRefused), w.state(t, w.otherRefused); a != "pending" || b != "refused" || c != "refused" {
		t.Errorf("after 市中区's 全部重新上报: its record %s, the city's %s, 薛城区's %s", a, b, c)
	}

	h := http.Header{"Accept": {"text/html"}, "Cookie": {session.CookieName + "=" + w.srv.Login("spj-head", "demo1234")}}
	if r := w.srv.Raw("GET", "/office/upward", nil, h); r.Status != 403 {
		t.Errorf("a unit head at /office/upward: %d, want 403", r.Status)
	}
}
