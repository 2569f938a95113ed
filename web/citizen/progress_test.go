package citizen_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/rectify"
	"haochaping/web/browsertest"
)

// TestProgressAndVerdictOnThePhone: 非常不满意 from the receipt's link; the unit calls back,
// rectifies — its measures naming a phone number — and feeds back, as staff would; the link,
// reloaded, shows the steps with their times and the measures with the number masked, and asks
// whether the fix satisfies; 不满意 sends the order back to rectification, and the form posted
// again says it was recorded already.
func TestProgressAndVerdictOnThePhone(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, linkNow)
	srv.RunWorker()
	ctx := context.Background()
	path := linkPath(t, srv.PushCase(apptest.Case("E2E-PROG-0001", linkNow.Add(-30*time.Minute))))

	b := browsertest.Open(t, srv.URL, browsertest.Phone)
	b.Go(path)
	b.Do("choose 非常不满意 and a reason",
		chromedp.Click(chromedp.CSS(`label[for=level-1]`)),
		chromedp.WaitVisible(chromedp.ID("reasons")),
		chromedp.Click(chromedp.CSS(`label[for=reason-0]`)),
	)
	if status := b.Submit(`button[type=submit]`); status != 200 {
		t.Fatalf("rate: %d", status)
	}

	var id int64
	testenv.Eventually(t, 15*time.Second, "the bad review has its work order", func() bool {
		err := env.DB.Pool.QueryRow(ctx, `SELECT w.id FROM work_orders w JOIN evaluations e ON e.id = w.evaluation_id
			JOIN cases c ON c.id = e.case_id WHERE c.case_no = 'E2E-PROG-0001'`).Scan(&id)
		return err == nil
	})
	// Before the unit acts: the page says a callback is awaited, and asks nothing.
	b.Go(path)
	if got := b.Text(".steps .current"); !strings.Contains(got, "待回访") {
		t.Errorf("the step awaited first reads %q", got)
	}
	if Eval(b, `document.querySelector('.verdict-form') === null`) != "true" {
		t.Error("the verdict is asked for before the unit fed back")
	}

	// The unit, as staff would, an hour apart each.
	staff, err := srv.App.Users.Get(ctx, "zh01")
	if err != nil {
		t.Fatal(err)
	}
	svc := srv.App.Rectify
	step := func(what string, f func() error) {
		t.Helper()
		srv.Clock.Set(srv.Clock.Now().Add(time.Hour))
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	reached := true
	step("callback", func() error {
		_, err := svc.Callback(ctx, staff, id, rectify.CallbackInput{Common: rectify.Common{Method: "phone"}, Reached: &reached, Facts: "窗口排队时间过长属实"})
		return err
	})
	step("decide", func() error {
		_, err := svc.Decide(ctx, staff, id, rectify.DecideInput{Decision: "now"})
		return err
	})
	b.Go(path)
	if got := b.Text(".status"); got != "整改中" {
		t.Errorf("the status while rectifying reads %q, want 整改中", got)
	}
	measures := "增设两个综合受理窗口，高峰时段加派导办人员。如有问题请联系值班长13912345678。"
	step("rectify", func() error {
		_, err := svc.Rectify(ctx, staff, id, rectify.RectifyInput{Measures: measures})
		return err
	})
	step("feedback", func() error {
		_, err := svc.Feedback(ctx, staff, id, rectify.FeedbackInput{Common: rectify.Common{Method: "phone"}})
		return err
	})
	srv.Clock.Set(srv.Clock.Now().Add(time.Hour))

	if status := b.Go(path); status != 200 {
		t.Fatalf("the link after feedback: %d", status)
	}
	steps := b.Text(".steps")
	for _, want := range []string{"已回访", "处理方式：立行立改", "已整改", "已反馈", "2026年12月1日 11:", "增设两个综合受理窗口", "139****5678"} {
		if !strings.Contains(steps, want) {
			t.Errorf("the steps do not show %q:\n%s", want, steps)
		}
	}
	if strings.Contains(b.Text("main"), "13912345678") {
		t.Error("the page shows the phone number of the measures in clear")
	}
	if got := b.Text(".verdict-form legend"); !strings.Contains(got, "您对整改结果满意吗") {
		t.Errorf("the verdict question reads %q", got)
	}
	if n := Eval(b, `document.querySelectorAll('.verdict-form input[name=verdict]:checked').length`); n != "0" {
		t.Error("a verdict is preselected")
	}
	if ok := Eval(b, `[...document.querySelectorAll('.verdict-form .level label')].every(l => l.getBoundingClientRect().height >= 44)`); ok != "true" {
		t.Error("a verdict's target is under 44px high")
	}
	w := b.Weigh()
	t.Logf("progress page with the verdict form: %d bytes in %d requests, first contentful paint %.0f ms, load %.0f ms",
		w.Bytes, w.Requests, w.PaintMS, w.LoadMS)
	if w.Bytes > 100*1024 {
		t.Errorf("the progress page weighs %d bytes, want at most 100 KB", w.Bytes)
	}
	b.CheckPage("progress page")
	b.Screenshot("progress")

	// No choice: the message beside the question, and in the summary.
	if status := b.Submit(`.verdict-form button[type=submit]`); status != 422 {
		t.Fatalf("a verdict without a choice: %d, want 422", status)
	}
	if got := b.Text("#verdict .field-error"); !strings.Contains(got, "请选择满意、基本满意或不满意") {
		t.Errorf("message beside the question %q", got)
	}
	if got := b.Text(".error-summary"); !strings.Contains(got, "请选择") {
		t.Errorf("error summary %q", got)
	}

	b.Do("choose 不满意", chromedp.Click(chromedp.CSS(`label[for=verdict-dissatisfied]`)))
	token := Eval(b, `document.querySelector('.verdict-form input[name=_csrf]').value`)
	if status := b.Submit(`.verdict-form button[type=submit]`); status != 200 {
		t.Fatalf("submit the verdict: %d", status)
	}
	if got := b.Text("h1"); !strings.Contains(got, "感谢您评价整改结果") {
		t.Errorf("after the verdict: %q", got)
	}
	if got := b.Text("main"); !strings.Contains(got, "不满意") || !strings.Contains(got, "重新整改") {
		t.Errorf("the verdict page does not say the order went back: %q", got)
	}
	b.CheckPage("verdict page")
	b.Screenshot("verdict")

	if n := env.Count(`SELECT count(*) FROM work_orders WHERE id = $1 AND state = 'rectifying_deadline'
		AND evaluator_verdict = 'dissatisfied' AND reopened_count = 1`, id); n != 1 {
		t.Error("the order is not back in rectification with the evaluator's 不满意")
	}
	if n := env.Count(`SELECT count(*) FROM work_order_events WHERE work_order_id = $1 AND action = 'evaluator_verdict'
		AND actor_user_id IS NULL AND actor_name = '评价人'`, id); n != 1 {
		t.Error("the verdict is not in the timeline as the evaluator's")
	}

	// The office's rectification ledger shows the evaluator's answer as theirs.
	office := srv.Login("office", "demo1234")
	ledger := srv.As(office, "GET", "/api/v1/ledgers/rectification", nil)
	if ledger.Status != 200 || !strings.Contains(string(ledger.Body), `"evaluator_verdict":"dissatisfied"`) {
		t.Errorf("the rectification ledger: %d %s", ledger.Status, ledger.Body)
	}

	// The same form posted once more (a second tap that got through, the history): recorded
	// already, nothing changes.
	again := browsertest.Eval[string](b, `fetch(`+jsString(path+"/verdict")+`, {method: 'POST', body: new URLSearchParams({_csrf: `+jsString(token)+`, verdict: 'dissatisfied'})}).then(r => r.text())`)
	if !strings.Contains(again, "您已评价过整改结果") {
		t.Errorf("a second submission answers:\n%s", again)
	}
	if n := env.Count(`SELECT count(*) FROM work_order_events WHERE work_order_id = $1 AND action IN ('evaluator_verdict', 'reopen')`, id); n != 2 {
		t.Errorf("%d verdict and reopen events after a second submission, want 2", n)
	}

	// The link now shows the order back in rectification, with the evaluator's answer, and
	// asks nothing until the unit feeds back again.
	b.Go(path)
	if got := b.Text(".status"); got != "整改中" {
		t.Errorf("the status after 不满意 reads %q", got)
	}
	if got := b.Text(".steps"); !strings.Contains(got, "退回重新整改") {
		t.Errorf("the steps do not show the reopening:\n%s", got)
	}
	if Eval(b, `document.querySelector('.verdict-form') === null`) != "true" {
		t.Error("the verdict is asked for again before a new feedback")
	}
	b.CheckPage("progress after the verdict")
	b.Screenshot("progress-reopened")
}

// jsString quotes s for a script (the tests' own values: no quotes or backslashes in them).
func jsString(s string) string { return "'" + s + "'" }
