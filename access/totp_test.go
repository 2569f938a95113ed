package access_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"haochaping/access"
	"haochaping/internal/testenv"
)

var totpNow = testenv.Beijing(2026, 12, 1, 10, 0, 0) // on a 30-second step

// totpUsers is the user store with a second factor required, on the test's clock at totpNow.
func totpUsers(t *testing.T) (*testenv.Env, *access.Users) {
	t.Helper()
	env, users := setup(t)
	env.Clock.Set(totpNow)
	users.TOTPRequired = true
	return env, users
}

// enroll takes a login of username through its enrollment and returns the secret and the
// recovery codes.
func enroll(t *testing.T, users *access.Users, username string) (string, []string) {
	t.Helper()
	ctx := context.Background()
	r, err := users.StartLogin(ctx, "", username, "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	if r.SecondFactor != access.SecondFactorEnroll || r.Token != "" || r.Challenge == "" {
		t.Fatalf("password step of a login without TOTP: %+v", r)
	}
	e, err := users.EnrollmentOf(ctx, r.Challenge)
	if err != nil {
		t.Fatal(err)
	}
	done, codes, err := users.CompleteEnrollment(ctx, "", r.Challenge, access.TOTPCode(e.Secret, users.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if done.Token == "" || !done.User.TOTPEnrolled || len(codes) != access.RecoveryCodeCount {
		t.Fatalf("enrollment: %+v, %d recovery codes", done, len(codes))
	}
	return e.Secret, codes
}

// secondStep logs username in with its password and then code.
func secondStep(t *testing.T, users *access.Users, username, code string) (*access.LoginResult, error) {
	t.Helper()
	r, err := users.StartLogin(context.Background(), "", username, "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	if r.SecondFactor != access.SecondFactorCode || r.Token != "" {
		t.Fatalf("password step of an enrolled login: %+v", r)
	}
	return users.CompleteLogin(context.Background(), "", r.Challenge, code)
}

// TestTOTPEnrollmentAndVerify: an auditor with TOTP required gets no session for a password,
// enrolls with the first code (the secret sealed in its row), and then logs in with a code of
// the clock's step or one either side; a code is taken once (its step or an earlier one is a
// replay); an old code is refused; the challenge expires after five minutes.
func TestTOTPEnrollmentAndVerify(t *testing.T) {
	t.Parallel()
	env, users := totpUsers(t)
	ctx := context.Background()
	create(t, users, access.NewUser{Username: "t-aud", Password: "s3cret-pass", Role: access.Auditor,
		ScopeKind: "region", ScopeCode: "370400"})
	if _, _, _, err := users.Login(ctx, "t-aud", "s3cret-pass"); err == nil {
		t.Fatal("Login opened a session for a login that must enroll")
	} else {
		wantProblem(t, err, 401, "totp_required")
	}
	// A wrong first code does not enroll.
	r, err := users.StartLogin(ctx, "", "t-aud", "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = users.CompleteEnrollment(ctx, "", r.Challenge, "000000")
	wantProblem(t, err, 401, "totp_invalid")
	if n := env.Count(`SELECT count(*) FROM user_totp`); n != 0 {
		t.Fatalf("a wrong first code enrolled: %d rows", n)
	}

	secret, _ := enroll(t, users, "t-aud")
	var sealed []byte
	if err := env.DB.Pool.QueryRow(ctx, `SELECT secret_sealed FROM user_totp t JOIN users u ON u.id = t.user_id
		WHERE u.username = 't-aud'`).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte(secret)) || bytes.Contains(bytes.ToLower(sealed), []byte(strings.ToLower(secret))) {
		t.Fatal("the TOTP secret is stored in clear")
	}
	if opened, err := env.Keys.Open(sealed); err != nil || opened != secret {
		t.Fatalf("the sealed secret opens to %q, %v", opened, err)
	}
	if n := env.Count(`SELECT count(*) FROM login_challenges`); n != 0 {
		t.Fatalf("the enrollment's challenge is left: %d", n)
	}

	// The enrollment's code was of this step: it is not taken again.
	_, err = secondStep(t, users, "t-aud", access.TOTPCode(secret, totpNow))
	wantProblem(t, err, 401, "totp_replayed")
	_, err = secondStep(t, users, "t-aud", "123456")
	wantProblem(t, err, 401, "totp_invalid")

	// The next step's code (the phone 30 s ahead) works, once; then this step's is a replay.
	next := access.TOTPCode(secret, totpNow.Add(30*time.Second))
	done, err := secondStep(t, users, "t-aud", next)
	if err != nil {
		t.Fatalf("the next step's code: %v", err)
	}
	if u, err := users.Authenticate(ctx, done.Token); err != nil || u.Username != "t-aud" {
		t.Fatalf("the session after the second step: %v %v", u, err)
	}
	_, err = secondStep(t, users, "t-aud", next)
	wantProblem(t, err, 401, "totp_replayed")

	// Two minutes on: the code of one step back (the phone 30 s behind) works; two steps back not.
	env.Clock.Advance(2 * time.Minute)
	_, err = secondStep(t, users, "t-aud", access.TOTPCode(secret, env.Clock.Now().Add(-60*time.Second)))
	wantProblem(t, err, 401, "totp_invalid")
	if _, err := secondStep(t, users, "t-aud", access.TOTPCode(secret, env.Clock.Now().Add(-30*time.Second))); err != nil {
		t.Fatalf("the previous step's code: %v", err)
	}

	// A challenge lasts five minutes.
	r, err = users.StartLogin(ctx, "", "t-aud", "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(access.ChallengeTTL + time.Second)
	_, err = users.CompleteLogin(ctx, "", r.Challenge, access.TOTPCode(secret, env.Clock.Now()))
	wantProblem(t, err, 401, "challenge_invalid")
	_, err = users.CompleteLogin(ctx, "", "not-a-challenge", "123456")
	wantProblem(t, err, 401, "challenge_invalid")

	// A window clerk is never asked.
	create(t, users, access.NewUser{Username: "t-clerk", Password: "s3cret-pass", Role: access.WindowStaff,
		ScopeKind: "department", ScopeCode: "ZZ-GAJ", StaffNo: "370400-GA01-2"})
	if r, err := users.StartLogin(ctx, "", "t-clerk", "s3cret-pass"); err != nil || r.Token == "" || r.SecondFactor != "" {
		t.Fatalf("a clerk's login: %+v %v", r, err)
	}
}

// TestTOTPRecoveryCodes: a recovery code stands in for a code once; the codes are stored only
// as hashes; new codes need a current code and void the old ones.
func TestTOTPRecoveryCodes(t *testing.T) {
	t.Parallel()
	env, users := totpUsers(t)
	ctx := context.Background()
	create(t, users, access.NewUser{Username: "t-office", Password: "s3cret-pass", Role: access.OfficeAdmin,
		ScopeKind: "region", ScopeCode: "370400"})
	secret, codes := enroll(t, users, "t-office")
	for _, c := range codes {
		if n := env.Count(`SELECT count(*) FROM totp_recovery_codes WHERE position($1::bytea IN code_hash) > 0`,
			[]byte(strings.ReplaceAll(c, "-", ""))); n != 0 {
			t.Fatalf("recovery code %s stored in clear", c)
		}
	}
	done, err := secondStep(t, users, "t-office", codes[0])
	if err != nil || !done.RecoveryUsed || done.Token == "" {
		t.Fatalf("a recovery code: %+v %v", done, err)
	}
	_, err = secondStep(t, users, "t-office", codes[0])
	wantProblem(t, err, 401, "totp_invalid")
	// Typed in capitals without the dash, it is the same code.
	if _, err := secondStep(t, users, "t-office", strings.ToUpper(strings.ReplaceAll(codes[1], "-", ""))); err != nil {
		t.Fatalf("a recovery code typed in capitals: %v", err)
	}
	user := done.User
	st, err := users.SecondFactorStatus(ctx, user)
	if err != nil || !st.Enrolled || st.RecoveryLeft != access.RecoveryCodeCount-2 || !st.Required {
		t.Fatalf("status: %+v %v", st, err)
	}

	// New codes: a recovery code will not do, a current code will.
	_, err = users.RegenerateRecoveryCodes(ctx, "", user, codes[2])
	wantProblem(t, err, 401, "totp_invalid")
	env.Clock.Advance(30 * time.Second)
	fresh, err := users.RegenerateRecoveryCodes(ctx, "", user, access.TOTPCode(secret, env.Clock.Now()))
	if err != nil || len(fresh) != access.RecoveryCodeCount {
		t.Fatalf("regenerate: %d codes, %v", len(fresh), err)
	}
	_, err = secondStep(t, users, "t-office", codes[2])
	wantProblem(t, err, 401, "totp_invalid")
	if _, err := secondStep(t, users, "t-office", fresh[0]); err != nil {
		t.Fatalf("a new recovery code: %v", err)
	}
}

// TestTOTPReset: an office administrator resets the second factor of a login within its reach:
// the login's sessions end and it enrolls again; a district's administrator cannot reach a city
// login (404).
func TestTOTPReset(t *testing.T) {
	t.Parallel()
	env, users := totpUsers(t)
	ctx := context.Background()
	create(t, users, access.NewUser{Username: "t-aud", Password: "s3cret-pass", Role: access.Auditor,
		ScopeKind: "region", ScopeCode: "370400"})
	admin := create(t, users, access.NewUser{Username: "t-city", Password: "s3cret-pass", Role: access.OfficeAdmin,
		ScopeKind: "region", ScopeCode: "370400"})
	district := create(t, users, access.NewUser{Username: "t-district", Password: "s3cret-pass", Role: access.OfficeAdmin,
		ScopeKind: "region", ScopeCode: "370402"})
	secret, _ := enroll(t, users, "t-aud")
	env.Clock.Advance(30 * time.Second)
	done, err := secondStep(t, users, "t-aud", access.TOTPCode(secret, env.Clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = users.AdminResetTOTP(ctx, district, "t-aud")
	wantProblem(t, err, 404, "user_not_found")
	reset, err := users.AdminResetTOTP(ctx, admin, "t-aud")
	if err != nil || reset.TOTPEnrolled {
		t.Fatalf("reset: %+v %v", reset, err)
	}
	_, err = users.Authenticate(ctx, done.Token)
	wantProblem(t, err, 401, "unauthenticated")
	for _, table := range []string{"user_totp", "totp_recovery_codes", "login_challenges"} {
		if n := env.Count(`SELECT count(*) FROM ` + table); n != 0 {
			t.Errorf("%s after the reset: %d rows", table, n)
		}
	}
	if r, err := users.StartLogin(ctx, "", "t-aud", "s3cret-pass"); err != nil || r.SecondFactor != access.SecondFactorEnroll {
		t.Fatalf("the login after a reset: %+v %v", r, err)
	}
	// The command line's reset needs no administrator.
	enroll(t, users, "t-city")
	if reset, err := users.ResetTOTP(ctx, "t-city"); err != nil || reset.TOTPEnrolled {
		t.Fatalf("the operator's reset: %+v %v", reset, err)
	}
	_, err = users.ResetTOTP(ctx, "nobody-here")
	wantProblem(t, err, 404, "user_not_found")
	// Without the requirement (demo mode) an unenrolled auditor logs in with the password.
	users.TOTPRequired = false
	if r, err := users.StartLogin(ctx, "", "t-aud", "s3cret-pass"); err != nil || r.Token == "" {
		t.Fatalf("not required, not enrolled: %+v %v", r, err)
	}
}

// TestTOTPWrongCodesThrottled: wrong codes count like wrong passwords: five lock the account,
// and then even the right code is refused with 429.
func TestTOTPWrongCodesThrottled(t *testing.T) {
	t.Parallel()
	env, users := totpUsers(t)
	users.Throttle = &access.LoginThrottle{Redis: env.Redis, Prefix: env.Prefix, Now: env.Clock.Now}
	ctx := context.Background()
	create(t, users, access.NewUser{Username: "t-aud", Password: "s3cret-pass", Role: access.Auditor,
		ScopeKind: "region", ScopeCode: "370400"})
	secret, _ := enroll(t, users, "t-aud")
	r, err := users.StartLogin(ctx, "198.51.100.7", "t-aud", "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		_, err := users.CompleteLogin(ctx, "198.51.100.7", r.Challenge, "99999"+string(rune('0'+i)))
		wantProblem(t, err, 401, "totp_invalid")
	}
	env.Clock.Advance(30 * time.Second)
	_, err = users.CompleteLogin(ctx, "198.51.100.7", r.Challenge, access.TOTPCode(secret, env.Clock.Now()))
	wantProblem(t, err, 429, "login_throttled")
	if _, ok := access.RetryAfter(err); !ok {
		t.Fatal("no Retry-After for a throttled second step")
	}
}
