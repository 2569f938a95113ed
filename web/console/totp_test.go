package console_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/web/browsertest"
)

// TestTOTPEnrollAndLogIn: with a second factor required, the auditor's password leads to the
// enrollment page (QR code and the secret in groups of four); a wrong first code is refused
// beside the field, the right one shows ten recovery codes once, and then the dashboard opens.
// After logging out, the password leads to the code page: the enrollment's code again is a
// replay, refused beside the field; the next step's code logs in. A window clerk is not asked.
// On an office screen and on a phone.
func TestTOTPEnrollAndLogIn(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Set(consoleNow)
	apptest.Seed(env)
	env.Cfg.TOTPRequired = true
	srv := apptest.Start(env)

	b := browsertest.Open(t, srv.URL, browsertest.Desktop)
	b.Go("/office")
	if status := b.LogIn("auditor", "demo1234"); status != 200 || !strings.HasPrefix(b.URL(), "/console/totp/setup?next=") {
		t.Fatalf("the auditor's password: %d at %s, want the enrollment page", status, b.URL())
	}
	if b.Go("/console"); !strings.HasPrefix(b.URL(), "/login") {
		t.Fatalf("the password alone opened the console: at %s", b.URL())
	}
	b.Go("/console/totp/setup?next=" + url.QueryEscape("/office"))
	if !browsertest.Eval[bool](b, `document.querySelector('img.totp-qr').complete && document.querySelector('img.totp-qr').naturalWidth > 100`) {
		t.Error("the QR code did not load")
	}
	secret := strings.ReplaceAll(b.Text("#totp-secret"), " ", "")
	if len(secret) != 32 || strings.Count(b.Text("#totp-secret"), " ") != 7 {
		t.Fatalf("the secret on the page: %q, want 32 base32 characters in groups of four", b.Text("#totp-secret"))
	}
	b.CheckPage("totp setup")
	b.Screenshot("totp-setup")
	b.SetScreen(browsertest.Phone)
	b.CheckPage("totp setup on a phone")
	b.Screenshot("totp-setup")
	b.SetScreen(browsertest.Desktop)

	enter := func(code, button string) int64 {
		t.Helper()
		b.Do("type the code", chromedp.SendKeys(chromedp.ID("code"), code))
		return b.Submit(button)
	}
	if status := enter("000001", `form.totp-form button[type=submit]`); status != 422 {
		t.Fatalf("a wrong first code: %d, want 422", status)
	}
	if got := b.Text(`.field.has-error:has(#code) .field-error`); !strings.Contains(got, "验证码不正确") {
		t.Errorf("beside the code: %q", got)
	}
	if got := b.Text(".error-summary"); !strings.Contains(got, "验证码不正确") {
		t.Errorf("the summary: %q", got)
	}
	if s := strings.ReplaceAll(b.Text("#totp-secret"), " ", ""); s != secret {
		t.Fatalf("a refused code changed the secret: %q, was %q", s, secret)
	}
	first := access.TOTPCode(secret, srv.Clock.Now())
	if status := enter(first, `form.totp-form button[type=submit]`); status != 200 {
		t.Fatalf("the first code: %d", status)
	}
	if n := browsertest.Eval[int](b, `document.querySelectorAll('#recovery-codes li').length`); n != access.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown, want %d", n, access.RecoveryCodeCount)
	}
	b.CheckPage("recovery codes")
	b.Screenshot("totp-recovery-codes")
	b.SetScreen(browsertest.Phone)
	b.Screenshot("totp-recovery-codes")
	b.SetScreen(browsertest.Desktop)
	if status := b.Follow("#recovery-continue"); status != 200 || b.URL() != "/office" {
		t.Fatalf("after the recovery codes: %d at %s, want the dashboard", status, b.URL())
	}
	b.Go("/console/security")
	if got := b.Text("#totp-status"); !strings.Contains(got, "已设置") || b.Text("#recovery-left") != "10 个" {
		t.Errorf("the security page: %q, %q", got, b.Text("#recovery-left"))
	}
	b.CheckPage("security")
	b.Screenshot("totp-security")

	// Logged out and in again: the code page.
	b.Submit(`.staff-who form button[type=submit]`)
	b.Go("/office")
	if status := b.LogIn("auditor", "demo1234"); status != 200 || !strings.HasPrefix(b.URL(), "/console/login/totp?next=") {
		t.Fatalf("the password of an enrolled login: %d at %s, want the code page", status, b.URL())
	}
	if got := browsertest.Eval[string](b, `[document.getElementById('code').inputMode, document.getElementById('code').autocomplete].join(' ')`); got != "numeric one-time-code" {
		t.Errorf("the code's input: %q", got)
	}
	b.SetScreen(browsertest.Phone)
	b.CheckPage("totp login on a phone")
	b.Screenshot("totp-login")
	b.SetScreen(browsertest.Desktop)
	b.CheckPage("totp login")
	b.Do("type the enrollment's code again", chromedp.SendKeys(chromedp.ID("code"), first))
	b.Screenshot("totp-login")
	if status := b.Submit(`form.totp-form button[type=submit]`); status != 422 {
		t.Fatalf("the enrollment's code again: %d, want 422", status)
	}
	if got := b.Text(`.field.has-error:has(#code) .field-error`); !strings.Contains(got, "已使用过") {
		t.Errorf("beside the replayed code: %q", got)
	}
	b.Screenshot("totp-login-replayed")
	srv.Clock.Advance(30 * time.Second)
	if status := enter(access.TOTPCode(secret, srv.Clock.Now()), `form.totp-form button[type=submit]`); status != 200 || b.URL() != "/office" {
		t.Fatalf("the next step's code: %d at %s", status, b.URL())
	}
	for kind, want := range map[string]int{"totp_enrolled": 1, "totp_refused": 2, "login_pending": 2, "login_ok": 1} {
		if n := env.Count(`SELECT count(*) FROM security_audit WHERE kind = $1 AND actor = 'auditor'`, kind); n != want {
			t.Errorf("%d %s in the audit log, want %d", n, kind, want)
		}
	}

	// The QR code is bound to an enrollment's challenge.
	if r := srv.Raw("GET", "/console/totp/setup/qr.png", nil, nil); r.Status == 200 {
		t.Errorf("the QR code without a challenge: %d", r.Status)
	}

	// A window clerk logs in with the password alone.
	clerk := browsertest.Open(t, srv.URL, browsertest.Phone)
	clerk.Go("/console")
	if status := clerk.LogIn("zh01", "demo1234"); status != 200 || clerk.URL() != "/console" {
		t.Fatalf("the clerk's login: %d at %s", status, clerk.URL())
	}
}
