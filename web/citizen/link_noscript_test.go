package citizen_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"haochaping/app/apptest"
	"haochaping/web/browsertest"
)

// TestReceiptLinkWithoutJavaScript: with scripts off, the phone's page still rates — the
// reasons appear for a bad level (CSS alone), a missing reason is refused beside its field, and
// the rating is stored once.
func TestReceiptLinkWithoutJavaScript(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, linkNow)
	path := linkPath(t, srv.PushCase(apptest.Case("E2E-LINK-0009", linkNow.Add(-time.Hour))))
	b := browsertest.Open(t, srv.URL, browsertest.Phone)
	b.NoScript()
	if status := b.Go(path); status != 200 {
		t.Fatalf("GET %s: %d", path, status)
	}
	b.Do("choose 不满意", chromedp.Click(chromedp.CSS(`label[for=level-2]`)), chromedp.WaitVisible(chromedp.ID("reasons")))
	if status := b.Submit(`button[type=submit]`); status != 422 {
		t.Fatalf("a bad level without a reason: %d, want 422", status)
	}
	if got := b.Text("#reasons .field-error"); !strings.Contains(got, "请至少选择一项原因") {
		t.Errorf("message beside the reasons %q", got)
	}
	// (No CheckPage here: axe runs on timers, which a page without scripts never fires; the
	// same page is checked with scripts on by the other tests.)
	b.Do("choose a reason", chromedp.Click(chromedp.CSS(`label[for=reason-0]`)))
	if status := b.Submit(`button[type=submit]`); status != 200 {
		t.Fatalf("submit: %d", status)
	}
	if got := b.Text("h1"); !strings.Contains(got, "感谢您的评价") {
		t.Fatalf("after submitting: %q", got)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations e JOIN cases c ON c.id = e.case_id
		WHERE c.case_no = 'E2E-LINK-0009' AND e.level = 2 AND e.channel = 'mobile'`); n != 1 {
		t.Errorf("%d evaluations of the case, want the one 不满意", n)
	}
}
