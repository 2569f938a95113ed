package access_test

import (
	"context"
	"testing"

	"haochaping/access"
	"haochaping/internal/testenv"
)

// TestLoginWhileRedisIsDown: the failed-login counts live in Redis; while it is down a login
// cannot be counted, so it is refused with 503 login_unavailable — in words, for the page — and
// not let through uncounted, nor answered 500 (issue 12 review: it was a 500). Back up, the
// same login works.
func TestLoginWhileRedisIsDown(t *testing.T) {
	t.Parallel()
	env, users := setup(t)
	create(t, users, access.NewUser{Username: "down-office", Password: "a-long-enough-pass", Role: access.OfficeAdmin,
		ScopeKind: "region", ScopeCode: "370400"})
	rdb := testenv.StartRedis(t)
	users.Throttle = &access.LoginThrottle{Redis: rdb.Client(), Prefix: env.Prefix, Now: env.Clock.Now}
	ctx := context.Background()

	rdb.Stop()
	for _, password := range []string{"a-long-enough-pass", "a-wrong-password"} {
		_, _, _, err := users.LoginFrom(ctx, "192.0.2.7", "down-office", password)
		if p := wantProblem(t, err, 503, "login_unavailable"); p.Message == "" {
			t.Errorf("no words for the page: %+v", p)
		}
	}

	rdb.Start()
	if _, _, _, err := users.LoginFrom(ctx, "192.0.2.7", "down-office", "a-long-enough-pass"); err != nil {
		t.Fatalf("Redis back: %v", err)
	}
}
