package console_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/web/browsertest"
	"haochaping/web/page"
)

// consoleNow is the business time of these tests: a Tuesday morning in Beijing.
var consoleNow = testenv.Beijing(2026, 12, 1, 10, 0, 0)

// rateBad has a citizen rate the case 非常不满意 from the receipt's link on a phone.
func rateBad(t *testing.T, srv *apptest.Server, caseNo string) string {
	t.Helper()
	raw, _ := srv.PushCase(apptest.Case(caseNo, consoleNow.Add(-30*time.Minute)))["evaluation_url"].(string)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	phone := browsertest.Open(t, srv.URL, browsertest.Phone)
	phone.Go(u.Path)
	phone.Do("rate 非常不满意 with a reason", chromedp.Click(chromedp.CSS(`label[for=level-1]`)),
		chromedp.WaitVisible(chromedp.ID("reasons")), chromedp.Click(chromedp.CSS(`label[for=reason-0]`)),
		chromedp.SendKeys(chromedp.ID("comment"), "等了一个小时"))
	if status := phone.Submit(`button[type=submit]`); status != 200 {
		t.Fatalf("rating: %d", status)
	}
	return u.Path
}

// TestHandlerWorksTheOrderInTheConsole: a citizen's 1 star → the handler logs in, finds it at
// the top of the inbox, shows the phone (recorded), calls back, decides, rectifies, feeds
// back and closes, each through the page's forms; a refused form says why beside its field.
func TestHandlerWorksTheOrderInTheConsole(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, consoleNow)
	srv.RunWorker()
	link := rateBad(t, srv, "E2E-CON-0001")
	testenv.Eventually(t, 15*time.Second, "the bad review has its work order", func() bool {
		return env.Count(`SELECT count(*) FROM work_orders`) == 1
	})

	b := browsertest.Open(t, srv.URL, browsertest.Desktop)
	b.Go("/console")
	if !strings.HasPrefix(b.URL(), "/login?next=") {
		t.Fatalf("an anonymous browser at /console is at %s, want the login page", b.URL())
	}
	if status := b.LogIn("zh01", "wrong-password"); status != 422 {
		t.Errorf("a wrong password: %d, want 422", status)
	}
	if got := b.Text(".error-summary"); !strings.Contains(got, "用户名或密码不正确") {
		t.Errorf("a wrong password says %q", got)
	}
	b.CheckPage("login refused")
	b.Screenshot("console-login-refused")
	if status := b.LogIn("zh01", "demo1234"); status != 200 || b.URL() != "/console" {
		t.Fatalf("login: %d at %s", status, b.URL())
	}
	if got := b.Text(".staff-who"); !strings.Contains(got, "登录有效至") {
		t.Errorf("the header does not say when the session ends: %q", got)
	}
	first := b.Text(".orders li:first-child")
	if !strings.Contains(first, "普通护照签发") || !strings.Contains(first, "待回访") || !strings.Contains(first, "E2E-CON-0001") {
		t.Errorf("the top of the inbox: %q", first)
	}
	b.CheckPage("inbox")
	b.Screenshot("console-inbox")

	// The office supervises the order: the handler's open page counts the message at once.
	b.WaitFor("the live count of the dispatch message", `document.documentElement.dataset.unread === '1'`, 10*time.Second)
	office := srv.Login("office", "demo1234")
	id := env.Count(`SELECT id FROM work_orders`)
	if r := srv.As(office, "POST", fmt.Sprintf("/api/v1/workorders/%d/supervise", id), map[string]any{"note": "请今天回访"}); r.Status != 200 {
		t.Fatalf("supervise: %d %s", r.Status, r.Body)
	}
	b.WaitFor("the live count after 督办", `document.documentElement.dataset.unread === '2' && document.getElementById('unread-count').textContent === '2'`, 5*time.Second)
	b.Follow(`a[href="/console/notifications"]`)
	if got := b.Text(".messages"); !strings.Contains(got, "督办") {
		t.Errorf("the messages: %q", got)
	}
	b.CheckPage("messages")
	b.Screenshot("console-messages")
	b.Submit(`.messages li:first-child form button`)
	if got := b.Text("h1 .count"); got != "1 条未读" {
		t.Errorf("after reading one: %q", got)
	}
	// Found from what a citizen reads out: the case number, or the evaluator's phone.
	for _, q := range []string{"E2E-CON-0001", apptest.ApplicantTel, "138 1234 5678"} {
		b.Go("/console?q=" + url.QueryEscape(q))
		if got := b.Text(".orders"); !strings.Contains(got, "E2E-CON-0001") {
			t.Errorf("searching %q finds %q", q, got)
		}
	}
	b.Go("/console?q=NOPE-0000")
	if got := b.Text("main"); !strings.Contains(got, "没有符合条件的工单") {
		t.Errorf("a search that finds nothing says %q", got)
	}
	b.Go("/console")
	if got := strings.Join(strings.Fields(b.Text(".state-counts")), " "); !strings.Contains(got, "待回访 1") {
		t.Errorf("the counts per state: %q", got)
	}
	b.Go("/console")

	if status := b.Follow(`.orders li:first-child a`); status != 200 {
		t.Fatalf("the order page: %d", status)
	}
	if got := b.Text("#review-title + p"); !strings.Contains(got, "非常不满意") {
		t.Errorf("the order page's review: %q", got)
	}
	if strings.Contains(b.Text("main"), apptest.ApplicantTel) {
		t.Error("the phone shows before it is asked for")
	}
	b.CheckPage("work order, pending callback")
	b.Screenshot("console-order")
	if status := b.Submit(`form[action$="/reveal-phone"] button`); status != 200 {
		t.Fatalf("show phone: %d", status)
	}
	if got := b.Text(".phone-shown"); got != apptest.ApplicantTel {
		t.Errorf("the phone shown: %q", got)
	}

	// A callback without its facts is refused beside the field, the rest kept.
	b.Do("callback without facts", chromedp.SetValue(chromedp.ID("callback-method"), "phone"), chromedp.SetValue(chromedp.ID("callback-reached"), "yes"))
	if status := b.Submit(`form[action$="/callback"] button`); status != 422 {
		t.Errorf("a callback without facts: %d, want 422", status)
	}
	if got := b.Text("#callback-facts"); got != "" {
		t.Errorf("facts %q", got)
	}
	if browsertest.Eval[string](b, `document.getElementById('callback-method').value`) != "phone" {
		t.Error("the refused form lost its method")
	}
	b.CheckPage("work order, refused callback")
	b.Screenshot("console-order-refused")

	// A photo of the rectified counter, and a file that only claims to be one.
	photo := filepath.Join(t.TempDir(), "窗口照片.png")
	fake := filepath.Join(t.TempDir(), "not-a-photo.png")
	if err := os.WriteFile(photo, pngBytes(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fake, []byte("MZ this is not an image"), 0o600); err != nil {
		t.Fatal(err)
	}
	refusedPhoto := false
	steps := []struct {
		form string
		fill []chromedp.Action[chromedp.Void]
	}{
		{"callback", []chromedp.Action[chromedp.Void]{chromedp.SetValue(chromedp.ID("callback-method"), "phone"),
			chromedp.SetValue(chromedp.ID("callback-reached"), "yes"), chromedp.SendKeys(chromedp.ID("callback-facts"), "评价人反映等候时间长，经查属实")}},
		{"decide", []chromedp.Action[chromedp.Void]{chromedp.SetValue(chromedp.ID("decide-decision"), "now")}},
		{"rectify", []chromedp.Action[chromedp.Void]{chromedp.SendKeys(chromedp.ID("rectify-measures"), "高峰时段增开一个综合窗口"),
			chromedp.SetUploadFiles(chromedp.ID("rectify-files"), []string{photo})}},
		{"feedback", []chromedp.Action[chromedp.Void]{chromedp.SetValue(chromedp.ID("feedback-method"), "phone")}},
		{"close", nil},
	}
	for _, s := range steps {
		if s.form == "close" {
			// The citizen rates the fix on their link, as their own answer.
			citizen := browsertest.Open(t, srv.URL, browsertest.Phone)
			citizen.Go(link)
			citizen.Do("满意", chromedp.Click(chromedp.CSS(`label[for=verdict-satisfied]`)))
			if status := citizen.Submit(`.verdict-form button[type=submit]`); status != 200 {
				t.Fatalf("the citizen's verdict: %d", status)
			}
			b.Go(b.URL())
		}
		if s.form == "rectify" && !refusedPhoto {
			refusedPhoto = true
			b.Do("a file that is not a photo", chromedp.SendKeys(chromedp.ID("rectify-measures"), "增开窗口"),
				chromedp.SetUploadFiles(chromedp.ID("rectify-files"), []string{fake}))
			if status := b.Submit(`form[action$="/rectify"] button`); status != 422 {
				t.Errorf("a fake photo: %d, want 422", status)
			}
			if got := b.Text(".error-summary"); !strings.Contains(got, "附件须为 JPG、PNG 照片或 PDF 文件") {
				t.Errorf("a fake photo says %q", got)
			}
		}
		if len(s.fill) > 0 {
			b.Do("fill "+s.form, s.fill...)
		}
		if status := b.Submit(`form[action$="/` + s.form + `"] button`); status != 200 {
			t.Fatalf("%s: %d (%s)", s.form, status, b.Text("main"))
		}
		if got := b.Text("[role=status]"); !strings.Contains(got, "已") {
			t.Errorf("after %s: %q", s.form, got)
		}
	}
	if n := env.Count(`SELECT count(*) FROM attachments WHERE content_type = 'image/png' AND name = '窗口照片.png'`); n != 1 {
		t.Errorf("%d photos stored, want 1 (and not the fake)", n)
	}
	if href := browsertest.Eval[string](b, `document.querySelector('.timeline a.attachment').getAttribute('href')`); !strings.HasPrefix(href, "/console/attachments/") {
		t.Errorf("the timeline's link to the photo: %q", href)
	} else if kind := browsertest.Eval[string](b, `fetch(`+"`"+`${location.origin}`+"`"+`+document.querySelector('.timeline a.attachment').getAttribute('href')).then(r => r.status + ' ' + r.headers.get('content-type'))`); kind != "200 image/png" {
		t.Errorf("the photo answers %q", kind)
	}
	if got := b.Text("h1 .state"); got != "已办结" {
		t.Errorf("the order is %q at the end", got)
	}
	b.CheckPage("work order, closed")
	b.Screenshot("console-order-closed")
	if n := env.Count(`SELECT count(*) FROM work_order_events v JOIN work_orders w ON w.id = v.work_order_id
		WHERE w.state = 'closed' AND v.action IN ('reveal_phone', 'callback', 'decide_now', 'rectify', 'feedback', 'close')`); n != 6 {
		t.Errorf("%d of the six steps in the timeline", n)
	}

	if n := env.Count(`SELECT count(*) FROM work_orders WHERE evaluator_verdict = 'satisfied' AND state = 'closed'`); n != 1 {
		t.Error("the order is not closed with the citizen's own 满意")
	}

	// The office's dashboard: the unit's 实名差评整改率 is 100 %, its figures are the API's, and
	// its drill-down lists the order.
	env.RollUp(srv.App.Measures)
	if _, err := srv.App.Measures.RollUpRectification(t.Context()); err != nil {
		t.Fatal(err)
	}
	filters := "from=2026-12-01&to=2026-12-01&department=ZZ-GAJ"
	desk := browsertest.Open(t, srv.URL, browsertest.Desktop)
	desk.Go("/office?" + filters)
	desk.LogIn("office", "demo1234")
	if got := desk.Text("#card-realname_rectification_rate .figure"); got != "100.0%" {
		t.Errorf("the unit's 实名差评整改率 card: %q", got)
	}
	api := srv.As(srv.Login("office", "demo1234"), "GET", "/api/v1/stats/overview?"+filters, nil).JSON(t)
	figures, _ := api["measures"].(map[string]any)
	for _, key := range []string{"active_rate", "realname_rectification_rate", "callback_rate", "ontime_rate", "timely_report_rate"} {
		m, _ := figures[key].(map[string]any)
		want := fmt.Sprintf("%v / %v", m["numerator"], m["denominator"])
		got := browsertest.Eval[string](desk, `(p => p.dataset.num + ' / ' + p.dataset.den)(document.querySelector('#card-`+key+` .parts'))`)
		if got != want {
			t.Errorf("%s on the dashboard %q, the API's %q", key, got, want)
		}
		num, _ := m["numerator"].(float64)
		den, _ := m["denominator"].(float64)
		if shown, want := strings.Join(strings.Fields(desk.Text("#card-"+key+" .parts")), ""), page.Thousands(int64(num))+"："; !strings.HasPrefix(shown, want) ||
			!strings.Contains(shown, "/"+page.Thousands(int64(den))) {
			t.Errorf("%s shows %q, the API's %v / %v", key, shown, num, den)
		}
	}
	// The trend's table is the API's trend, bucket by bucket.
	trend := srv.As(srv.Login("office", "demo1234"), "GET", "/api/v1/stats/trend?by=day&"+filters, nil).JSON(t)
	var want []string
	series, _ := trend["series"].([]any)
	for _, p := range series {
		p, _ := p.(map[string]any)
		ms, _ := p["measures"].(map[string]any)
		active, _ := ms["active_rate"].(map[string]any)
		total, _ := ms["total_evaluations"].(map[string]any)
		num, _ := active["numerator"].(float64)
		den, _ := active["denominator"].(float64)
		n, _ := total["numerator"].(float64)
		want = append(want, fmt.Sprintf("%v %s %s", p["period"], page.Percent(int64(num), int64(den)), page.Thousands(int64(n))))
	}
	shown := browsertest.Eval[[]string](desk, `[...document.querySelectorAll('#trend-title ~ details tbody tr')].map(r => [...r.cells].map(c => c.textContent.trim()).join(' '))`)
	if strings.Join(shown, "; ") != strings.Join(want, "; ") || len(want) == 0 {
		t.Errorf("the trend on the dashboard %q, the API's %q", shown, want)
	}
	desk.CheckPage("dashboard")
	desk.Screenshot("office-dashboard")
	desk.Follow(`#card-realname_rectification_rate .parts a`)
	if got := desk.Text("main"); !strings.Contains(got, "ZG20261201000001") {
		t.Errorf("the drill-down of 实名差评整改率: %q", got)
	}
	desk.CheckPage("drill-down")
	desk.Screenshot("office-rows")

	phone := browsertest.Open(t, srv.URL, browsertest.Phone)
	phone.Go("/login")
	phone.LogIn("zh01", "demo1234")
	phone.CheckPage("inbox on a phone")
	phone.Screenshot("console-inbox")
	phone.Follow(`a[href="/console?"], .orders li:first-child a`)
	phone.CheckPage("work order on a phone")
	phone.Screenshot("console-order")

	b.Submit(`form[action="/logout"] button`)
	if b.Go("/console"); !strings.HasPrefix(b.URL(), "/login") {
		t.Errorf("after logout /console is at %s", b.URL())
	}
}

// pngBytes is a small real PNG: a photo as far as the upload check can tell.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{200, 30, 30, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
