package admin_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"haochaping/app/apptest"
	"haochaping/web/browsertest"
)

// shoot checks the page open in b and takes its screenshot at the desktop's and the phone's size.
func shoot(t *testing.T, b *browsertest.Browser, path, name string) {
	t.Helper()
	for _, s := range []browsertest.Screen{browsertest.Desktop, browsertest.Phone} {
		b.SetScreen(s)
		if path != "" {
			b.Go(path)
		}
		b.CheckPage(name + " on " + s.Name)
		b.Screenshot(name)
	}
	b.SetScreen(browsertest.Desktop)
}

// TestOfficeAdministersPeopleAndDevices: the city office creates a window staff login for a
// staff member of the seeded organisation, who logs in; it resets the password (the old one is
// refused, the open session ends) and disables the login (its session is refused); it
// registers a pad on a window, makes a pairing code that a pad's browser pairs with at
// /pair?for=pad, and disables the pad, whose session is refused at once.
func TestOfficeAdministersPeopleAndDevices(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, adminNow)
	office := browsertest.Open(t, srv.URL, browsertest.Desktop)
	office.Go("/admin/users")
	if status := office.LogIn("office", "demo1234"); status != 200 || office.URL() != "/admin/users" {
		t.Fatalf("office login: %d at %s", status, office.URL())
	}
	if got := office.Text("table"); !strings.Contains(got, "zh01") || !strings.Contains(got, "窗口工作人员") || !strings.Contains(got, "市中区") {
		t.Errorf("the users list: %q", got)
	}
	shoot(t, office, "/admin/users", "admin-users")
	office.Go("/admin/users?q=370400-ZH01")
	if got := office.Text("tbody"); !strings.Contains(got, "zh01") || strings.Contains(got, "auditor") {
		t.Errorf("searching a staff number: %q", got)
	}

	// A new login, refused first for want of its staff member.
	office.Go("/admin/users/new")
	office.Do("fill the new login", chromedp.SendKeys(chromedp.ID("username"), "zh03"),
		chromedp.SetValue(chromedp.ID("role"), "window_staff"), chromedp.SetValue(chromedp.ID("scope"), "department:ZZ-SPJ"),
		chromedp.SendKeys(chromedp.ID("password"), "first-pass-1"))
	if status := office.Submit(`.admin-form button[type=submit]`); status != 422 {
		t.Fatalf("a window staff login without staff: %d, want 422", status)
	}
	if got := strings.TrimSpace(office.Text(".field.has-error .field-error")); !strings.Contains(got, "工号") || !strings.Contains(office.Text(".error-summary"), got) {
		t.Errorf("the message beside the field %q, the summary %q", got, office.Text(".error-summary"))
	}
	if v := browsertest.Eval[string](office, `document.getElementById('scope').value`); v != "department:ZZ-SPJ" {
		t.Errorf("the refused form lost its scope: %q", v)
	}
	shoot(t, office, "", "admin-users-new-refused")
	office.Do("name the staff member", chromedp.SendKeys(chromedp.ID("staff_no"), "370400-ZH03-1"),
		chromedp.SendKeys(chromedp.ID("password"), "first-pass-1"))
	if status := office.Submit(`.admin-form button[type=submit]`); status != 200 || office.URL() != "/admin/users/zh03?done=created" {
		t.Fatalf("create: %d at %s", status, office.URL())
	}

	clerk := browsertest.Open(t, srv.URL, browsertest.Desktop)
	clerk.Go("/console")
	if status := clerk.LogIn("zh03", "first-pass-1"); status != 200 || clerk.URL() != "/console" {
		t.Fatalf("the new login: %d at %s", status, clerk.URL())
	}

	// A new password: the open session ends, the old password is refused.
	office.Do("type a new password", chromedp.SendKeys(chromedp.CSS(`form[action$="/password"] input[name=password]`), "second-pass-2"))
	if status := office.Submit(`form[action$="/password"] button`); status != 200 || !strings.Contains(office.Text("[role=status]"), "密码已重置") {
		t.Fatalf("reset: %d at %s", status, office.URL())
	}
	if clerk.Go("/console"); !strings.HasPrefix(clerk.URL(), "/login") {
		t.Errorf("after the reset the clerk's session is at %s", clerk.URL())
	}
	if status := clerk.LogIn("zh03", "first-pass-1"); status != 422 {
		t.Errorf("the old password: %d, want 422", status)
	}
	clerk.Go("/login?next=/console")
	if status := clerk.LogIn("zh03", "second-pass-2"); status != 200 || clerk.URL() != "/console" {
		t.Fatalf("the new password: %d at %s", status, clerk.URL())
	}

	// Disabled: the open session is refused.
	if status := office.Submit(`#disable-user`); status != 200 || office.Text("#user-status") != "已停用" {
		t.Fatalf("disable: %d, %q", status, office.Text("#user-status"))
	}
	if clerk.Go("/console"); !strings.HasPrefix(clerk.URL(), "/login") {
		t.Errorf("after disabling the clerk's session is at %s", clerk.URL())
	}
	shoot(t, office, "", "admin-user")

	// A pad on a window, paired by a code from its page.
	office.Go("/admin/devices/new")
	office.Do("fill the new pad", chromedp.Click(chromedp.CSS(`input[name=channel][value=window]`)),
		chromedp.SetValue(chromedp.ID("window"), "370400-ZH02"), chromedp.SendKeys(chromedp.ID("name"), "综合受理2号窗口评价器"))
	if status := office.Submit(`.admin-form button[type=submit]`); status != 201 {
		t.Fatalf("register a pad: %d", status)
	}
	if secret := office.Text("#device-secret"); len(secret) < 32 {
		t.Errorf("the secret shown: %q", secret)
	}
	padID := strings.TrimSpace(office.Text("h1 .count"))
	shoot(t, office, "/admin/devices", "admin-devices")
	if got := office.Text("tbody"); !strings.Contains(got, padID) || !strings.Contains(got, "窗口评价器") {
		t.Errorf("the devices list: %q", got)
	}
	office.Go("/admin/devices/" + padID)
	if status := office.Submit(`#make-pairing-code`); status != 200 {
		t.Fatalf("pairing code: %d", status)
	}
	code := office.Text("#pairing-code")
	if len(strings.ReplaceAll(code, "-", "")) != 10 || !strings.Contains(office.Text(".pairing"), "/pair?for=pad") ||
		!strings.Contains(office.Text("#pairing-expires"), "年") {
		t.Errorf("the pairing code %q: %q", code, office.Text(".pairing"))
	}
	office.CheckPage("pairing code")
	office.Screenshot("admin-devices-pairing")

	pad := browsertest.Open(t, srv.URL, browsertest.Pad)
	pad.Go("/pair?for=pad")
	pad.Do("type the code", chromedp.SendKeys(chromedp.ID("code"), code))
	if status := pad.Submit(`button[type=submit]`); status != 200 || pad.URL() != "/pad" {
		t.Fatalf("pairing: %d at %s", status, pad.URL())
	}
	if n := env.Count(`SELECT count(*) FROM device_sessions WHERE device_id = $1 AND revoked_at IS NULL`, padID); n != 1 {
		t.Errorf("%d live sessions of the pad", n)
	}

	// The code page on a phone (a fresh code: the first is used), then the pad disabled.
	office.SetScreen(browsertest.Phone)
	office.Go("/admin/devices/" + padID)
	office.Submit(`#make-pairing-code`)
	office.CheckPage("pairing code on a phone")
	office.Screenshot("admin-devices-pairing")
	office.SetScreen(browsertest.Desktop)
	office.Go("/admin/devices/" + padID)
	if status := office.Submit(`#disable-device`); status != 200 || office.Text("#device-status") != "已停用" {
		t.Fatalf("disable the pad: %d %q", status, office.Text("#device-status"))
	}
	if pad.Go("/pad"); !strings.HasPrefix(pad.URL(), "/pair") {
		t.Errorf("the disabled pad's browser is at %s, want the pairing form", pad.URL())
	}
}
