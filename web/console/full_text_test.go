package console_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/evaluation"
	"haochaping/rectify"
	"haochaping/web/browsertest"
)

// TestFullTextShownToTheHandlerOnRequest: the order page shows the comment and the callback's
// facts masked — no phone, ID number or name of the applicant — to the handler and the
// auditor alike; the handler's 显示完整内容 shows them as typed, and that is recorded in the
// timeline and the security audit log; the auditor is offered no such button.
func TestFullTextShownToTheHandlerOnRequest(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, consoleNow)
	ctx := context.Background()
	srv.PushCase(apptest.Case("E2E-PII-0001", consoleNow.Add(-30*time.Minute)))
	comment := "张三说等了一个小时，请回电 138 1234 5678"
	ev, err := srv.App.Evaluation.Ingest(ctx, &evaluation.Submission{Channel: evaluation.Mobile, Key: "mobile:pii", CaseNo: "E2E-PII-0001",
		EvaluatorIsApplicant: true, Level: evaluation.VeryDissatisfied, Reasons: []string{"服务效率"}, Comment: comment})
	if err != nil {
		t.Fatal(err)
	}
	order, _, err := srv.App.Rectify.Dispatch(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	zh01, _ := srv.App.Users.Get(ctx, "zh01")
	facts := "张三反映属实，身份证 370402199001011234，电话 一三八一二三四五六七八"
	reached := true
	if _, err := srv.App.Rectify.Callback(ctx, zh01, order, rectify.CallbackInput{Common: rectify.Common{Method: "phone"},
		Reached: &reached, Facts: facts}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/console/orders/%d", order)
	masked := func(who, text string) {
		t.Helper()
		for _, secret := range []string{apptest.ApplicantName, "138 1234 5678", apptest.ApplicantID, "一三八一二三四五六七八"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s's page shows %q before it is asked for", who, secret)
			}
		}
		if !strings.Contains(text, "张*说等了一个小时") || !strings.Contains(text, "370402********1234") {
			t.Errorf("%s's page lacks the masked copies: %q", who, text)
		}
	}

	auditor := browsertest.Open(t, srv.URL, browsertest.Desktop)
	auditor.Go("/login")
	if status := auditor.LogIn("auditor", "demo1234"); status != 200 {
		t.Fatalf("auditor login: %d", status)
	}
	auditor.Go(path)
	masked("the auditor", auditor.Text("main"))
	if n := browsertest.Eval[int](auditor, `document.querySelectorAll('form[action$="/reveal-text"]').length`); n != 0 {
		t.Error("the auditor is offered the texts in full")
	}

	for _, size := range []browsertest.Screen{browsertest.Desktop, browsertest.Phone} {
		b := browsertest.Open(t, srv.URL, size)
		b.Go("/login")
		if status := b.LogIn("zh01", "demo1234"); status != 200 {
			t.Fatalf("login: %d", status)
		}
		b.Go(path)
		masked("the handler", b.Text("main"))
		b.CheckPage("work order, masked texts")
		b.Screenshot("console-order-masked")
		if status := b.Submit(`form[action$="/reveal-text"] button`); status != 200 {
			t.Fatalf("显示完整内容: %d", status)
		}
		shown := b.Text("main")
		if !strings.Contains(shown, comment) || !strings.Contains(shown, facts) || !strings.Contains(b.Text(".full-shown"), "原文") {
			t.Errorf("the texts in full are not shown: %q", shown)
		}
		b.CheckPage("work order, texts in full")
		b.Screenshot("console-order-full-text")
	}
	if n := env.Count(`SELECT count(*) FROM work_order_events v JOIN users u ON u.id = v.actor_user_id
		WHERE v.work_order_id = $1 AND v.action = 'reveal_text' AND u.username = 'zh01'`, order); n != 2 {
		t.Errorf("%d reveal_text events, want 2", n)
	}
	if n := env.Count(`SELECT count(*) FROM security_audit WHERE kind = 'text_revealed' AND actor = 'zh01'`); n != 2 {
		t.Errorf("%d text_revealed audit rows, want 2", n)
	}
}
