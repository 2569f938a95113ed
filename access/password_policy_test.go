package access_test

import (
	"context"
	"strings"
	"testing"

	"haochaping/access"
)

// TestPasswordPolicy: at least 10 characters, at most 72 bytes, not a common password (the list
// shipped in the binary, in any letter case), not containing the username; for new logins and
// for an administrator's reset alike. A demo login (published password) is exempt only while
// demo logins are accepted.
func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	_, users := setup(t)
	ctx := context.Background()
	office := create(t, users, access.NewUser{Username: "t-policy-office", Password: "s3cret-pass", Role: access.OfficeAdmin,
		ScopeKind: "region", ScopeCode: "370400"})
	for _, c := range []struct{ password, code string }{
		{"s3cret-pa", "weak_password"},                 // 9 characters
		{"密码密码密码密码密", "weak_password"},                 // 9 characters, 27 bytes
		{strings.Repeat("密", 25), "password_too_long"}, // 75 bytes
		{"1234567890", "weak_password"},                // common
		{"QwertyUiop", "weak_password"},                // common, whatever the case
		{"Password123", "weak_password"},               // common
		{"t-policy-user-2026", "weak_password"},        // the username inside
	} {
		_, err := users.Create(ctx, access.NewUser{Username: "t-policy-user", Password: c.password,
			Role: access.Auditor, ScopeKind: "region", ScopeCode: "370400"})
		wantProblem(t, err, 422, c.code)
		_, err = users.AdminResetPassword(ctx, office, "t-policy-office", c.password)
		if c.password == "t-policy-user-2026" {
			continue // another user's name is no concern of this login's
		}
		wantProblem(t, err, 422, c.code)
	}
	if _, err := users.AdminResetPassword(ctx, office, "t-policy-office", "T-Policy-Office!"); err == nil {
		t.Error("a reset to the login's own username (other case) was accepted")
	}
	create(t, users, access.NewUser{Username: "t-policy-ok", Password: "陶瓷 茶壶 2026", Role: access.Auditor,
		ScopeKind: "region", ScopeCode: "370400"})

	// Demo logins keep their published passwords while demo logins are accepted, not after.
	create(t, users, access.NewUser{Username: "t-policy-demo", Password: "demo1234", Role: access.Auditor,
		ScopeKind: "region", ScopeCode: "370400", Demo: true})
	prod := *users
	prod.RefuseDemo = true
	_, err := prod.Create(ctx, access.NewUser{Username: "t-policy-demo2", Password: "demo1234", Role: access.Auditor,
		ScopeKind: "region", ScopeCode: "370400", Demo: true})
	wantProblem(t, err, 422, "weak_password")
}
