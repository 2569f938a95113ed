package admin_test

import (
	"context"
	"strings"
	"testing"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/web/browsertest"
)

// TestOfficeResetsSecondFactor: the auditor has a second factor and a session; the city office
// sees 已设置 on the auditor's page and resets it with 重置双因素认证: the page says so, the
// auditor's session ends, and its next login opens without a code (demo mode: not required).
func TestOfficeResetsSecondFactor(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, adminNow)
	ctx := context.Background()
	users := srv.App.Users
	// Enrolling is the login page's when a second factor is required (demo mode does not):
	// here through the domain, as that page does, with a store that requires it.
	enrolling := &access.Users{DB: env.DB, Keys: env.Keys, Now: env.Clock.Now, TOTPRequired: true}
	start, err := enrolling.StartLogin(ctx, "", "auditor", "demo1234")
	if err != nil {
		t.Fatal(err)
	}
	e, err := enrolling.EnrollmentOf(ctx, start.Challenge)
	if err != nil {
		t.Fatal(err)
	}
	done, _, err := enrolling.CompleteEnrollment(ctx, "", start.Challenge, access.TOTPCode(e.Secret, env.Clock.Now()))
	if err != nil {
		t.Fatal(err)
	}

	office := browsertest.Open(t, srv.URL, browsertest.Desktop)
	office.Go("/admin/users/auditor")
	if status := office.LogIn("office", "demo1234"); status != 200 || office.URL() != "/admin/users/auditor" {
		t.Fatalf("office login: %d at %s", status, office.URL())
	}
	if got := office.Text("#user-totp"); got != "已设置" {
		t.Errorf("the auditor's second factor: %q, want 已设置", got)
	}
	shoot(t, office, "", "admin-user-totp")
	if status := office.Submit(`#reset-totp`); status != 200 || office.URL() != "/admin/users/auditor?done=totp-reset" {
		t.Fatalf("the reset: %d at %s", status, office.URL())
	}
	if got := office.Text("[role=status]"); !strings.Contains(got, "双因素认证已重置") {
		t.Errorf("after the reset: %q", got)
	}
	if got := office.Text("#user-totp"); got != "未设置" {
		t.Errorf("after the reset the page says %q", got)
	}
	if _, err := users.Authenticate(ctx, done.Token); err == nil {
		t.Error("the auditor's session outlived the reset")
	}
	if n := env.Count(`SELECT count(*) FROM security_audit WHERE kind = 'totp_reset' AND actor = 'office' AND path = '/admin/users/auditor/totp-reset'`); n != 1 {
		t.Errorf("%d totp_reset events in the audit log, want 1", n)
	}
	srv.Login("auditor", "demo1234") // not required, no longer enrolled: the password alone
}
