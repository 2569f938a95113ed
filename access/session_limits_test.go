package access_test

import (
	"context"
	"crypto/sha256"
	"testing"

	"haochaping/access"
)

// TestIdleSession: a session unused for longer than SessionIdle ends, though its absolute
// expiry is hours away; one used within it lives on, and its use moves last_seen_at.
func TestIdleSession(t *testing.T) {
	t.Parallel()
	env, users := setup(t)
	ctx := context.Background()
	create(t, users, access.NewUser{Username: "t-idle", Password: "s3cret-pass", Role: access.Auditor,
		ScopeKind: "region", ScopeCode: "370400"})
	idle, _, _, err := users.Login(ctx, "t-idle", "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	busy, _, _, err := users.Login(ctx, "t-idle", "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	hash := func(token string) []byte { h := sha256.Sum256([]byte(token)); return h[:] }
	env.Exec(`UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE token_hash = $1`, hash(idle))
	env.Exec(`UPDATE sessions SET last_seen_at = now() - interval '29 minutes' WHERE token_hash = $1`, hash(busy))
	_, err = users.Authenticate(ctx, idle)
	wantProblem(t, err, 401, "unauthenticated")
	if _, err := users.Authenticate(ctx, busy); err != nil {
		t.Fatalf("a session used 29 minutes ago: %v", err)
	}
	if n := env.Count(`SELECT count(*) FROM sessions WHERE token_hash = $1 AND last_seen_at > now() - interval '1 minute'`, hash(busy)); n != 1 {
		t.Errorf("using the session did not move its last_seen_at")
	}
	if n, err := users.PruneSessions(ctx); err != nil || n != 1 {
		t.Errorf("pruned %d (%v), want the idle session", n, err)
	}

	short := *users
	short.SessionIdle = 10 * 60e9 // ten minutes
	env.Exec(`UPDATE sessions SET last_seen_at = now() - interval '11 minutes' WHERE token_hash = $1`, hash(busy))
	_, err = short.Authenticate(ctx, busy)
	wantProblem(t, err, 401, "unauthenticated")
}

// TestSessionCap: a login beyond MaxSessions closes the user's oldest session; other users'
// sessions are untouched.
func TestSessionCap(t *testing.T) {
	t.Parallel()
	env, users := setup(t)
	ctx := context.Background()
	capped := *users
	capped.MaxSessions = 3
	u := create(t, users, access.NewUser{Username: "t-many", Password: "s3cret-pass", Role: access.Auditor,
		ScopeKind: "region", ScopeCode: "370400"})
	create(t, users, access.NewUser{Username: "t-bystander", Password: "s3cret-pass", Role: access.Auditor,
		ScopeKind: "region", ScopeCode: "370400"})
	bystander, _, _, err := capped.Login(ctx, "t-bystander", "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for i := 0; i < 5; i++ {
		tok, _, _, err := capped.Login(ctx, "t-many", "s3cret-pass")
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	for i, tok := range tokens {
		_, err := capped.Authenticate(ctx, tok)
		if i < 2 {
			wantProblem(t, err, 401, "unauthenticated")
		} else if err != nil {
			t.Errorf("session %d of 5 (cap 3): %v", i+1, err)
		}
	}
	if n := env.Count(`SELECT count(*) FROM sessions WHERE user_id = $1`, u.ID); n != 3 {
		t.Errorf("%d sessions, want 3", n)
	}
	if _, err := capped.Authenticate(ctx, bystander); err != nil {
		t.Errorf("another user's session: %v", err)
	}
}
