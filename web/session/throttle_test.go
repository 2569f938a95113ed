package session_test

import (
	"strconv"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

var throttleNow = testenv.Beijing(2026, 12, 1, 10, 0, 0)

// TestLoginThrottle: twenty wrong passwords for one account lock it (the right password is
// refused with 429 login_throttled and Retry-After), another account from the same address still
// logs in until the address's own limit, and once the lockout has passed (the test's clock) the
// right password works again; a failure after a lockout locks for twice as long.
func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, throttleNow)
	login := func(username, password string) *apptest.Response {
		t.Helper()
		return srv.Raw("POST", "/api/v1/auth/login",
			[]byte(`{"username":"`+username+`","password":"`+password+`"}`), nil)
	}
	for i := 1; i <= 20; i++ {
		r := login("office", "wrong-password-"+strconv.Itoa(i))
		want := 401
		if i > 5 {
			want = 429 // the sixth attempt finds the account locked
		}
		if r.Status != want {
			t.Fatalf("wrong password %d: %d %s, want %d", i, r.Status, r.Body, want)
		}
	}
	r := login("office", "demo1234")
	if r.Status != 429 || r.Code(t) != "login_throttled" {
		t.Fatalf("the right password while locked: %d %s, want 429 login_throttled", r.Status, r.Body)
	}
	retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || retry < 1 || retry > 60 {
		t.Errorf("Retry-After %q, want 1…60 seconds", r.Header.Get("Retry-After"))
	}

	// The address has 21 refusals against it (limit 30): another account still gets in.
	if r := login("auditor", "demo1234"); r.Status != 200 {
		t.Fatalf("another account from the same address: %d %s", r.Status, r.Body)
	}

	// The lockout passes; one more wrong password locks the account again, for twice as long.
	srv.Clock.Advance(61 * time.Second)
	if r := login("office", "wrong-password-again"); r.Status != 401 {
		t.Fatalf("a wrong password after the lockout: %d %s, want 401", r.Status, r.Body)
	}
	r = login("office", "demo1234")
	if retry, _ := strconv.Atoi(r.Header.Get("Retry-After")); r.Status != 429 || retry <= 60 || retry > 120 {
		t.Fatalf("the second lockout: %d Retry-After %q, want 429 with 61…120 seconds", r.Status, r.Header.Get("Retry-After"))
	}

	// That one passes too: the right password works, and the account's count starts over.
	srv.Clock.Advance(121 * time.Second)
	if r := login("office", "demo1234"); r.Status != 200 {
		t.Fatalf("the right password after the lockout: %d %s", r.Status, r.Body)
	}

	// Spread over other accounts, the address reaches its own limit: then even a right
	// password from it is refused.
	for i := 24; i <= 30; i++ { // 23 refusals so far
		if r := login("nobody-"+strconv.Itoa(i), "wrong-password"); r.Status != 401 {
			t.Fatalf("wrong password %d for an unknown user: %d %s", i, r.Status, r.Body)
		}
	}
	if r := login("auditor", "demo1234"); r.Status != 429 || r.Code(t) != "login_throttled" {
		t.Fatalf("a right password from a locked address: %d %s, want 429", r.Status, r.Body)
	}
}
