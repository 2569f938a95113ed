package console_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"haochaping/app/apptest"
	"haochaping/web/browsertest"
)

// TestChangePasswordPage: the header's 修改密码 leads to the page; a wrong current password, a
// common new one and a mistyped repeat are each refused beside their field; a good change
// keeps this browser logged in and logs the other one out; the throttled login says so in
// Chinese. On an office screen and on a phone.
func TestChangePasswordPage(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, consoleNow)
	other := browsertest.Open(t, srv.URL, browsertest.Phone)
	other.Go("/console")
	if status := other.LogIn("zh01", "demo1234"); status != 200 {
		t.Fatalf("the other browser's login: %d", status)
	}

	b := browsertest.Open(t, srv.URL, browsertest.Desktop)
	b.Go("/console")
	if status := b.LogIn("zh01", "demo1234"); status != 200 {
		t.Fatalf("login: %d", status)
	}
	if status := b.Follow(`.staff-who a[href="/console/password"]`); status != 200 || b.URL() != "/console/password" {
		t.Fatalf("修改密码 in the header: %d at %s", status, b.URL())
	}
	b.CheckPage("change password")
	b.Screenshot("console-password")

	fill := func(current, next, confirm string) int64 {
		t.Helper()
		b.Do("fill the change", chromedp.SendKeys(chromedp.ID("current"), current),
			chromedp.SendKeys(chromedp.ID("new"), next), chromedp.SendKeys(chromedp.ID("confirm"), confirm))
		return b.Submit(`form.password-form button[type=submit]`)
	}
	for _, c := range []struct{ current, next, confirm, field, says string }{
		{"wrong-password", "青檀 茶壶 2026", "青檀 茶壶 2026", "current", "当前密码不正确"},
		{"demo1234", "1q2w3e4r5t", "1q2w3e4r5t", "new", "过于常见"},
		{"demo1234", "short", "short", "new", "至少 10 个字符"},
		{"demo1234", "青檀 茶壶 2026", "青檀 茶壶 2025", "confirm", "不一致"},
	} {
		if status := fill(c.current, c.next, c.confirm); status != 422 {
			t.Errorf("%s: %d, want 422", c.says, status)
		}
		if got := b.Text(`.field.has-error:has(#` + c.field + `) .field-error`); !strings.Contains(got, c.says) {
			t.Errorf("beside %s: %q, want %q", c.field, got, c.says)
		}
		if got := b.Text(".error-summary"); !strings.Contains(got, c.says) {
			t.Errorf("the summary: %q, want %q", got, c.says)
		}
	}
	b.CheckPage("change password refused")
	b.Screenshot("console-password-refused")

	if status := fill("demo1234", "青檀 茶壶 2026", "青檀 茶壶 2026"); status != 200 || b.URL() != "/console/password?done=1" {
		t.Fatalf("the change: %d at %s", status, b.URL())
	}
	if got := b.Text(".panel.ok"); !strings.Contains(got, "密码已修改") {
		t.Errorf("after the change: %q", got)
	}
	if b.Go("/console"); b.URL() != "/console" {
		t.Errorf("this browser was logged out by its own change: at %s", b.URL())
	}
	if other.Go("/console"); !strings.HasPrefix(other.URL(), "/login") {
		t.Errorf("the other browser is still logged in: at %s", other.URL())
	}

	// The other browser guesses: the wrong current password above was the account's first
	// failure; four more wrong passwords make five, and the login page says to wait.
	for i := 0; i < 4; i++ {
		other.Go("/login")
		if status := other.LogIn("zh01", "demo1234"); status != 422 {
			t.Fatalf("the old password, try %d: %d, want 422", i+1, status)
		}
	}
	other.Go("/login")
	if status := other.LogIn("zh01", "青檀 茶壶 2026"); status != 429 {
		t.Errorf("the right password on a locked account: %d, want 429", status)
	}
	if got := other.Text(".error-summary"); !strings.Contains(got, "登录失败次数过多") {
		t.Errorf("the locked login says %q", got)
	}
	other.CheckPage("login throttled")
	other.Screenshot("console-login-throttled")
	b.SetScreen(browsertest.Phone)
	b.Go("/console/password")
	b.Screenshot("console-password-done")
}
