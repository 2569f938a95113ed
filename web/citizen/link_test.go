package citizen_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/web/browsertest"
)

// linkNow is the business time of these tests: a Tuesday morning in Beijing.
var linkNow = testenv.Beijing(2026, 12, 1, 10, 0, 0)

// linkPath is the path of a case's evaluation link, as the receipt prints it.
func linkPath(t testing.TB, pushed map[string]any) string {
	t.Helper()
	raw, _ := pushed["evaluation_url"].(string)
	u, err := url.Parse(raw)
	if err != nil || !strings.HasPrefix(u.Path, "/e/") {
		t.Fatalf("evaluation_url %q", raw)
	}
	return u.Path
}

// TestReceiptLinkBadReviewMakesOneWorkOrder: a case pushed through the API, its link opened on
// a phone, 非常不满意 with a reason and a comment full of markup, submitted twice — one
// evaluation, one work order, and the comment shown back as text.
func TestReceiptLinkBadReviewMakesOneWorkOrder(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, linkNow)
	srv.RunWorker()
	path := linkPath(t, srv.PushCase(apptest.Case("E2E-LINK-0001", linkNow.Add(-30*time.Minute))))

	b := browsertest.Open(t, srv.URL, browsertest.Phone)
	if status := b.Go(path); status != 200 {
		t.Fatalf("GET %s: %d", path, status)
	}
	if got := b.Text("h1"); !strings.Contains(got, "请您评价本次办结服务") {
		t.Errorf("heading %q", got)
	}
	if got := b.Text(".case-card"); !strings.Contains(got, "普通护照签发") || !strings.Contains(got, "综合受理1号窗口") {
		t.Errorf("the case card does not say what is rated: %q", got)
	}
	// Reasons are hidden until a bad level is chosen; no level is preselected.
	if Eval(b, `getComputedStyle(document.getElementById('reasons')).display`) != "none" {
		t.Error("the reasons show before a bad level is chosen")
	}
	if Eval(b, `document.querySelectorAll('input[name=level]:checked').length`) != "0" {
		t.Error("a level is preselected")
	}
	b.CheckPage("rating page")
	b.Screenshot("rate")

	comment := `<script>window.__pwned=1</script><b>态度</b> & "差"`
	b.Do("choose 非常不满意 and a reason",
		chromedp.Click(chromedp.CSS(`label[for=level-1]`)),
		chromedp.WaitVisible(chromedp.ID("reasons")),
		chromedp.Click(chromedp.CSS(`label[for=reason-0]`)),
		chromedp.SendKeys(chromedp.ID("comment"), comment),
	)
	if got := b.Text("#comment-count"); !strings.Contains(got, "已输入") {
		t.Errorf("the comment counter says %q", got)
	}
	b.Screenshot("rate-bad")
	if status := b.Submit(`button[type=submit]`); status != 200 {
		t.Fatalf("submit: %d", status)
	}
	if got := b.Text("h1"); !strings.Contains(got, "感谢您的评价") {
		t.Fatalf("after submitting: %q", got)
	}
	if got := b.Text("main"); !strings.Contains(got, "1 个工作日内电话回访") {
		t.Errorf("the thank-you does not say what happens next: %q", got)
	}
	b.CheckPage("thank-you page")
	b.Screenshot("thanks")

	// A second submission (back, submit again) is the same rating.
	b.Go(path)
	if got := b.Text("h1"); !strings.Contains(got, "您已评价") {
		t.Errorf("the used link shows %q", got)
	}
	if got := b.Text(".quote"); got != comment {
		t.Errorf("the comment shows as %q, want the text %q", got, comment)
	}
	if Eval(b, `String(document.querySelectorAll('.quote b, .quote script').length) + String(window.__pwned || 0)`) != "00" {
		t.Error("the comment's markup became elements")
	}
	b.CheckPage("used link")
	b.Screenshot("rated")

	testenv.Eventually(t, 15*time.Second, "the bad review has its work order", func() bool {
		return env.Count(`SELECT count(*) FROM work_orders w JOIN evaluations e ON e.id = w.evaluation_id
			JOIN cases c ON c.id = e.case_id WHERE c.case_no = 'E2E-LINK-0001'`) == 1
	})
	if n := env.Count(`SELECT count(*) FROM evaluations e JOIN cases c ON c.id = e.case_id WHERE c.case_no = 'E2E-LINK-0001'`); n != 1 {
		t.Errorf("%d evaluations of the case, want 1", n)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations e JOIN cases c ON c.id = e.case_id
		WHERE c.case_no = 'E2E-LINK-0001' AND e.level = 1 AND e.active AND e.real_name AND e.channel = 'mobile' AND cardinality(e.reasons) = 1`); n != 1 {
		t.Error("the evaluation is not the active, real-name 非常不满意 with one reason that was submitted")
	}
}

// TestReceiptLinkRefusalsSayWhy: a bad level with no reason comes back with the message beside
// the field and in the summary; a bad link, an expired one, each say so in words.
func TestReceiptLinkRefusalsSayWhy(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, linkNow)
	c := apptest.Case("E2E-LINK-0002", linkNow.Add(-time.Hour))
	delete(c["applicant"].(map[string]any), "phone")
	path := linkPath(t, srv.PushCase(c))

	b := browsertest.Open(t, srv.URL, browsertest.Phone)
	b.Go(path)
	b.Do("choose 不满意 without a reason", chromedp.Click(chromedp.CSS(`label[for=level-2]`)))
	if status := b.Submit(`button[type=submit]`); status != 422 {
		t.Fatalf("a bad level without a reason: %d, want 422", status)
	}
	if got := b.Text(".error-summary"); !strings.Contains(got, "请至少选择一项原因") {
		t.Errorf("error summary %q", got)
	}
	if got := b.Text("#reasons .field-error"); !strings.Contains(got, "请至少选择一项原因") {
		t.Errorf("message beside the reasons %q", got)
	}
	if Eval(b, `document.querySelector('#level-2').checked`) != "true" {
		t.Error("the level chosen was lost")
	}
	if Eval(b, `document.querySelector('#phone') !== null`) != "true" {
		t.Error("no phone field for a case without a phone")
	}
	b.CheckPage("refused rating")
	b.Screenshot("rate-error")

	b.Do("type a bad phone", chromedp.Click(chromedp.CSS(`label[for=reason-0]`)), chromedp.SendKeys(chromedp.ID("phone"), "12ab"))
	if status := b.Submit(`button[type=submit]`); status != 422 {
		t.Fatalf("a bad phone: %d, want 422", status)
	}
	if got := b.Text(".error-summary"); !strings.Contains(got, "号码格式不正确") {
		t.Errorf("error summary for the phone %q", got)
	}

	if status := b.Go("/e/not-a-real-token"); status != 404 {
		t.Errorf("a bad link: %d, want 404", status)
	}
	if got := b.Text("main"); !strings.Contains(got, "评价二维码无效") {
		t.Errorf("a bad link says %q", got)
	}
	b.CheckPage("bad link")
	b.Screenshot("link-invalid")

	srv.Clock.Set(linkNow.AddDate(0, 0, 30))
	if status := b.Go(path); status != 410 {
		t.Errorf("an expired link: %d, want 410", status)
	}
	if got := b.Text("main"); !strings.Contains(got, "评价期限已过") || !strings.Contains(got, "现在已不能评价") {
		t.Errorf("an expired link says %q", got)
	}
	b.CheckPage("expired link")
	b.Screenshot("link-expired")
}

// TestReceiptLinkLargeTextAndWeight: the large-text switch on the first screen enlarges the
// text (≥ 18px, ≥ 22px in the mode) and is remembered; the page on a phone weighs at most
// 100 KB.
func TestReceiptLinkLargeTextAndWeight(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, linkNow)
	path := linkPath(t, srv.PushCase(apptest.Case("E2E-LINK-0003", linkNow.Add(-time.Hour))))

	b := browsertest.Open(t, srv.URL, browsertest.Phone)
	b.Go(path)
	w := b.Weigh()
	t.Logf("mobile rating page, first load: %d bytes in %d requests, first contentful paint %.0f ms, DOMContentLoaded %.0f ms, load %.0f ms",
		w.Bytes, w.Requests, w.PaintMS, w.DOMDoneMS, w.LoadMS)
	if w.Bytes > 100*1024 || w.Bytes <= 0 {
		t.Errorf("the page weighs %d bytes, want at most 100 KB", w.Bytes)
	}
	// How fast it renders is measured by BenchmarkMobilePageLoad, not asserted here.
	if px := Eval(b, `getComputedStyle(document.body).fontSize`); px != "18px" {
		t.Errorf("body text %s, want 18px", px)
	}
	b.Follow(`.text-size`)
	if b.URL() != path {
		t.Errorf("the switch went to %s, want back to %s", b.URL(), path)
	}
	if px := Eval(b, `getComputedStyle(document.body).fontSize`); px != "22px" {
		t.Errorf("large body text %s, want 22px", px)
	}
	if px := browsertest.Eval[float64](b, `parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)`); px < 30 {
		t.Errorf("large heading %.0fpx, want at least 30px", px)
	}
	if h := Eval(b, `String(document.querySelector('.level label').getBoundingClientRect().height >= 60)`); h != "true" {
		t.Error("a level's target is under 60px high in the large mode")
	}
	b.CheckPage("rating page, large text")
	b.Screenshot("rate-large")
	b.Go(path)
	if Eval(b, `String(document.documentElement.classList.contains('large'))`) != "true" {
		t.Error("the large mode is not remembered")
	}
}

// Eval is a script's value as text.
func Eval(b *browsertest.Browser, expr string) string {
	return browsertest.Eval[string](b, "String("+expr+")")
}
