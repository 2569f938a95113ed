package web_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/web/session"
)

// secondFactorOperation selects the operations of the second factor, which
// TestTOTPAPIMatchesOpenAPI covers (with the login's answers of a login that has one).
func secondFactorOperation(op *openapi3.Operation) bool {
	return slices.Contains([]string{"loginSecondFactor", "resetUserTOTP"}, op.OperationID)
}

// TestTOTPAPIMatchesOpenAPI: with a second factor required, the API's login of an office or
// auditor login answers the challenge (or 403 totp_enrollment_required before enrollment), POST
// /auth/totp completes it with a code once (replays, wrong codes, ended challenges refused; wrong
// codes locking the account like wrong passwords), and an office administrator resets a login's
// second factor within its reach (403 for others, 404 beyond the reach) — each as
// web/openapi.yaml says.
func TestTOTPAPIMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Set(openapiNow)
	apptest.Seed(env)
	env.Cfg.TOTPRequired = true
	srv := apptest.Start(env)
	a := newAPIChecker(t, srv)
	users := srv.App.Users
	ctx := context.Background()

	login := func(name, username string, status int, code string) *apptest.Response {
		t.Helper()
		return a.do(call{name: name, method: "POST", path: "/api/v1/auth/login",
			body: map[string]any{"username": username, "password": "demo1234"}, status: status, code: code})
	}
	second := func(name string, body any, status int, code string) *apptest.Response {
		t.Helper()
		return a.do(call{name: name, method: "POST", path: "/api/v1/auth/totp", body: body, status: status, code: code})
	}
	login("must enroll first", "auditor", 403, "totp_enrollment_required")
	if r := login("a clerk is not asked", "zh01", 200, ""); r.JSON(t)["token"] == nil {
		t.Fatalf("the clerk's login: %s", r.Body)
	}

	// Enrollment is the login page's (TestTOTPEnrollAndLogIn); here through the domain.
	secrets := map[string]string{}
	for _, u := range []string{"auditor", "office", "szq-office"} {
		r, err := users.StartLogin(ctx, "", u, "demo1234")
		if err != nil {
			t.Fatal(err)
		}
		e, err := users.EnrollmentOf(ctx, r.Challenge)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := users.CompleteEnrollment(ctx, "", r.Challenge, access.TOTPCode(e.Secret, env.Clock.Now())); err != nil {
			t.Fatal(err)
		}
		secrets[u] = e.Secret
	}
	enrolledAt := env.Clock.Now()
	env.Clock.Advance(30 * time.Second)
	challenge := func(username string) string {
		t.Helper()
		r := login("password step of "+username, username, 200, "").JSON(t)
		ch, _ := r["challenge"].(string)
		if r["second_factor"] != "totp" || ch == "" || r["token"] != nil {
			t.Fatalf("the password step of an enrolled login: %v", r)
		}
		return ch
	}
	ch := challenge("auditor")
	second("no such challenge", map[string]any{"challenge": "not-a-challenge", "code": "123456"}, 401, "challenge_invalid")
	second("no code", map[string]any{"challenge": ch, "code": ""}, 422, "code_required")
	offSpec := func(name string, body any, status int, code string) {
		t.Helper()
		a.do(call{name: name, method: "POST", path: "/api/v1/auth/totp", body: body, status: status, code: code, offSpec: true})
	}
	offSpec("no challenge", map[string]any{"code": "123456"}, 422, "challenge_required")
	offSpec("not JSON", "{", 400, "invalid_json")
	second("the enrollment's code again", map[string]any{"challenge": ch, "code": access.TOTPCode(secrets["auditor"], enrolledAt)}, 401, "totp_replayed")
	second("a wrong code", map[string]any{"challenge": ch, "code": "000000"}, 401, "totp_invalid")
	r := second("the next step's code", map[string]any{"challenge": ch, "code": access.TOTPCode(secrets["auditor"], env.Clock.Now())}, 200, "")
	auditor, _ := r.JSON(t)["token"].(string)
	if !slices.ContainsFunc(r.Header.Values("Set-Cookie"), func(c string) bool { return strings.HasPrefix(c, session.CookieName+"=") }) {
		t.Error("the second step set no session cookie")
	}
	a.do(staffCall("the auditor's session", auditor, "GET", "/api/v1/auth/me", nil, 200, ""))
	second("the challenge once spent", map[string]any{"challenge": ch, "code": access.TOTPCode(secrets["auditor"], env.Clock.Now())}, 401, "challenge_invalid")

	// The administrators' sessions, through the domain (their codes are of this step).
	token := func(username string) string {
		t.Helper()
		r, err := users.StartLogin(ctx, "", username, "demo1234")
		if err != nil {
			t.Fatal(err)
		}
		done, err := users.CompleteLogin(ctx, "", r.Challenge, access.TOTPCode(secrets[username], env.Clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		return done.Token
	}
	office, district, clerk := token("office"), token("szq-office"), srv.Login("zh01", "demo1234")
	reset := func(name, tok, username string, status int, code string) *apptest.Response {
		t.Helper()
		return a.do(staffCall(name, tok, "POST", "/api/v1/users/"+username+"/totp-reset", nil, status, code))
	}
	noSession := staffCall("no session", "", "POST", "/api/v1/users/auditor/totp-reset", nil, 401, "unauthenticated")
	noSession.offSpec = true // the document requires the credentials too
	a.do(noSession)
	reset("a clerk", clerk, "auditor", 403, "forbidden_role")
	reset("beyond the district's reach", district, "auditor", 404, "user_not_found")
	reset("no such login", office, "nobody-here", 404, "user_not_found")
	a.do(call{name: "by cookie without the CSRF token", method: "POST", path: "/api/v1/users/auditor/totp-reset",
		header: http.Header{"Cookie": {session.CookieName + "=" + office}}, status: 403, code: "csrf_failed"})
	if u := reset("reset", office, "auditor", 200, "").JSON(t); u["username"] != "auditor" || u["totp_enrolled"] != false {
		t.Errorf("the reset login: %v", u)
	}
	a.do(staffCall("the reset login's session ended", auditor, "GET", "/api/v1/auth/me", nil, 401, "unauthenticated"))
	login("enroll again after the reset", "auditor", 403, "totp_enrollment_required")

	// Wrong codes lock the account as wrong passwords do.
	ch = challenge("office")
	for i := 0; i < 5; i++ {
		second("a wrong code of the office", map[string]any{"challenge": ch, "code": "00000" + string(rune('1'+i))}, 401, "totp_invalid")
	}
	env.Clock.Advance(30 * time.Second)
	if r := second("locked", map[string]any{"challenge": ch, "code": access.TOTPCode(secrets["office"], env.Clock.Now())}, 429, "login_throttled"); r.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}

	a.checkCoverage(func(op *openapi3.Operation) bool { return secondFactorOperation(op) || op.OperationID == "login" })
	a.logCoverage()
}
