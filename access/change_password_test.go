package access_test

import (
	"context"
	"testing"

	"haochaping/access"
)

// TestChangePassword: the current password is checked (401 wrong_password), the new one meets
// the policy (422), and a change ends the user's other sessions but not the one making it.
func TestChangePassword(t *testing.T) {
	t.Parallel()
	_, users := setup(t)
	ctx := context.Background()
	create(t, users, access.NewUser{Username: "t-changer", Password: "s3cret-pass", Role: access.Auditor,
		ScopeKind: "region", ScopeCode: "370400"})
	here, user, _, err := users.Login(ctx, "t-changer", "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	elsewhere, _, _, err := users.Login(ctx, "t-changer", "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	wantProblem(t, users.ChangePassword(ctx, "", user, here, "not-the-password", "brand-new-pass-2026"), 401, "wrong_password")
	wantProblem(t, users.ChangePassword(ctx, "", user, here, "s3cret-pass", "short"), 422, "weak_password")
	wantProblem(t, users.ChangePassword(ctx, "", user, here, "s3cret-pass", "password123"), 422, "weak_password")
	wantProblem(t, users.ChangePassword(ctx, "", user, here, "s3cret-pass", "s3cret-pass"), 422, "weak_password")
	if _, err := users.Authenticate(ctx, elsewhere); err != nil {
		t.Fatalf("a refused change ended a session: %v", err)
	}

	if err := users.ChangePassword(ctx, "", user, here, "s3cret-pass", "brand-new-pass-2026"); err != nil {
		t.Fatalf("change: %v", err)
	}
	if _, err := users.Authenticate(ctx, here); err != nil {
		t.Errorf("the session that changed the password ended: %v", err)
	}
	_, err = users.Authenticate(ctx, elsewhere)
	wantProblem(t, err, 401, "unauthenticated")
	_, _, _, err = users.Login(ctx, "t-changer", "s3cret-pass")
	wantProblem(t, err, 401, "invalid_credentials")
	if _, _, _, err := users.Login(ctx, "t-changer", "brand-new-pass-2026"); err != nil {
		t.Errorf("the new password: %v", err)
	}
}
