package console_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"haochaping/app/apptest"
	"haochaping/web/browsertest"
)

// TestReturnAndReassignFromThePage: the clerk sends back an order that is not the unit's (a
// reason is required, and said so beside the field); the office finds it waiting and gives it
// to another clerk from the order's page.
func TestReturnAndReassignFromThePage(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, consoleNow)
	id := srv.BadReview("RA01", "")
	order := fmt.Sprintf("/console/orders/%d", id)

	clerk := browsertest.Open(t, srv.URL, browsertest.Desktop)
	clerk.Go(order)
	clerk.LogIn("zh01", "demo1234")
	clerk.Do("open the return form", chromedp.Click(chromedp.CSS(`details:has(form[action$="/return"]) > summary`)))
	if status := clerk.Submit(`form[action$="/return"] button`); status != 422 || !strings.Contains(clerk.Text(".field.has-error"), "退回原因") {
		t.Errorf("a return without a reason: %d %q", status, clerk.Text(".field.has-error"))
	}
	clerk.Do("give the reason", chromedp.SendKeys(chromedp.ID("return-reason"), "该事项由市公安局办理"))
	if status := clerk.Submit(`form[action$="/return"] button`); status != 200 || !strings.Contains(clerk.Text("h1"), "已退回") {
		t.Fatalf("return: %d %q", status, clerk.Text("h1"))
	}

	office := browsertest.Open(t, srv.URL, browsertest.Desktop)
	office.Go(order)
	office.LogIn("office", "demo1234")
	if status := office.Submit(`form[action$="/reassign"] button`); status != 422 || !strings.Contains(office.Text(".error-summary"), "请指定") {
		t.Errorf("a reassignment to nobody: %d %q", status, office.Text(".error-summary"))
	}
	office.Do("name the clerk", chromedp.SendKeys(chromedp.ID("reassign-staff_no"), "370400-ZH02-1"))
	if status := office.Submit(`form[action$="/reassign"] button`); status != 200 || !strings.Contains(office.Text("h1"), "待回访") {
		t.Fatalf("reassign: %d %q", status, office.Text("h1"))
	}
	if got := office.Text(".order-page"); !strings.Contains(got, "370400-ZH02-1") || !strings.Contains(got, "重新分派") {
		t.Errorf("after the reassignment the order says %q", got)
	}
	office.CheckPage("a reassigned order")
}
