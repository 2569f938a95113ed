package session_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/internal/problem"
	"haochaping/web/page"
	"haochaping/web/session"
)

// Usernames and staff numbers here stay clear of the demo users (seeds/users.yaml), which a
// demo seed may create: a staff member has one login.

var (
	setup  = apptest.Users
	create = apptest.CreateUser
)

// httpApp mounts the handlers as the server does, answering problems as package web does.
func httpApp(t *testing.T, users *access.Users) *fiber.App {
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		if p, ok := problem.As(err); ok {
			return c.Status(p.Status).JSON(p)
		}
		var fe *fiber.Error
		if errors.As(err, &fe) {
			return c.Status(fe.Code).JSON(fiber.Map{"code": "fiber", "message": fe.Message})
		}
		t.Errorf("%s %s: %v", c.Method(), c.Path(), err)
		return c.Status(500).JSON(fiber.Map{"code": "internal_error"})
	}})
	api := app.Group("/api/v1")
	session.Register(api, users)
	api.Get("/office-only", session.Require(users), session.RequireRole(access.OfficeAdmin, access.Auditor), func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"hello": session.UserOf(c).Username})
	})
	api.Get("/no-require", session.RequireRole(access.OfficeAdmin), func(c *fiber.Ctx) error { return nil })
	return app
}

type answer struct {
	status int
	body   map[string]any
	resp   *http.Response
}

func call(t *testing.T, app *fiber.App, method, path, body string, header ...string) answer {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, resp: resp}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			t.Fatalf("%s %s: not JSON: %s", method, path, raw)
		}
		if strings.Contains(strings.ToLower(string(raw)), "hash") {
			t.Fatalf("%s %s: the answer mentions a hash: %s", method, path, raw)
		}
	}
	return a
}

func TestHTTPLoginMeLogout(t *testing.T) {
	t.Parallel()
	_, users := setup(t)
	create(t, users, access.NewUser{Username: "t-window", Password: "s3cret-pass", Role: access.WindowStaff,
		ScopeKind: "department", ScopeCode: "ZZ-GAJ", StaffNo: "370400-GA01-2"})
	create(t, users, access.NewUser{Username: "t-office", Password: "s3cret-pass", Role: access.OfficeAdmin,
		ScopeKind: "region", ScopeCode: "370400"})
	app := httpApp(t, users)

	for _, c := range []struct {
		body   string
		status int
		code   string
	}{
		{`{"username":"t-window","password":"wrong-pass"}`, 401, "invalid_credentials"},
		{`{"username":"nobody","password":"s3cret-pass"}`, 401, "invalid_credentials"},
		{`{"username":"t-window"}`, 422, "password_required"},
		{`{"password":"s3cret-pass"}`, 422, "username_required"},
		{`{"username":1}`, 400, "invalid_json"},
		{``, 400, "invalid_json"},
	} {
		a := call(t, app, "POST", "/api/v1/auth/login", c.body)
		if a.status != c.status || a.body["code"] != c.code {
			t.Errorf("login %s: %d %v, want %d %s", c.body, a.status, a.body, c.status, c.code)
		}
	}

	a := call(t, app, "POST", "/api/v1/auth/login", `{"username":"t-window","password":"s3cret-pass"}`)
	if a.status != 200 {
		t.Fatalf("login: %d %v", a.status, a.body)
	}
	token, _ := a.body["token"].(string)
	user, _ := a.body["user"].(map[string]any)
	if token == "" || a.body["expires_at"] == nil || user["username"] != "t-window" || user["role"] != "window_staff" {
		t.Fatalf("login answer: %v", a.body)
	}
	if scope, _ := user["scope"].(map[string]any); scope["kind"] != "department" || scope["code"] != "ZZ-GAJ" {
		t.Fatalf("scope: %v", user["scope"])
	}
	var cookie *http.Cookie
	for _, ck := range a.resp.Cookies() {
		if ck.Name == session.CookieName {
			cookie = ck
		}
	}
	if cookie == nil || cookie.Value != token || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" {
		t.Fatalf("Set-Cookie: %v", a.resp.Header.Values("Set-Cookie"))
	}

	for name, header := range map[string][]string{
		"bearer": {"Authorization", "Bearer " + token},
		"cookie": {"Cookie", session.CookieName + "=" + token},
	} {
		a := call(t, app, "GET", "/api/v1/auth/me", "", header...)
		if a.status != 200 || a.body["username"] != "t-window" || a.body["staff_no"] != "370400-GA01-2" {
			t.Errorf("me with %s: %d %v", name, a.status, a.body)
		}
	}
	for name, header := range map[string][]string{
		"nothing":       nil,
		"wrong bearer":  {"Authorization", "Bearer not-a-session"},
		"wrong cookie":  {"Cookie", session.CookieName + "=not-a-session"},
		"basic scheme":  {"Authorization", "Basic " + token},
		"empty bearer":  {"Authorization", "Bearer "},
		"token in path": {"X-Token", token},
	} {
		a := call(t, app, "GET", "/api/v1/auth/me", "", header...)
		if a.status != 401 || a.body["code"] != "unauthenticated" {
			t.Errorf("me with %s: %d %v, want 401 unauthenticated", name, a.status, a.body)
		}
	}

	// Roles.
	a = call(t, app, "GET", "/api/v1/office-only", "", "Authorization", "Bearer "+token)
	if a.status != 403 || a.body["code"] != "forbidden_role" || a.body["message"] == "" {
		t.Errorf("window staff on an office route: %d %v", a.status, a.body)
	}
	a = call(t, app, "POST", "/api/v1/auth/login", `{"username":"t-office","password":"s3cret-pass"}`)
	officeToken, _ := a.body["token"].(string)
	a = call(t, app, "GET", "/api/v1/office-only", "", "Authorization", "Bearer "+officeToken)
	if a.status != 200 || a.body["hello"] != "t-office" {
		t.Errorf("office admin on an office route: %d %v", a.status, a.body)
	}
	a = call(t, app, "GET", "/api/v1/no-require", "", "Authorization", "Bearer "+officeToken)
	if a.status != 401 {
		t.Errorf("RequireRole without Require: %d %v, want 401", a.status, a.body)
	}

	// Logout ends the session and clears the cookie; the other session lives on. By cookie,
	// a write needs the page's CSRF token as well.
	a = call(t, app, "POST", "/api/v1/auth/logout", "", "Cookie", session.CookieName+"="+token)
	if a.status != 403 || a.body["code"] != "csrf_failed" {
		t.Errorf("logout by cookie without the CSRF token: %d %v", a.status, a.body)
	}
	a = call(t, app, "POST", "/api/v1/auth/logout", "", "Cookie", session.CookieName+"="+token+"; "+page.CSRFCookie+"=t1",
		page.CSRFHeader, "t1")
	if a.status != 204 {
		t.Fatalf("logout: %d %v", a.status, a.body)
	}
	cleared := false
	for _, ck := range a.resp.Cookies() {
		cleared = cleared || (ck.Name == session.CookieName && ck.Value == "" && ck.Path == "/" && ck.Expires.Before(time.Now()))
	}
	if !cleared {
		t.Errorf("logout did not clear the cookie: %v", a.resp.Header.Values("Set-Cookie"))
	}
	if a := call(t, app, "GET", "/api/v1/auth/me", "", "Authorization", "Bearer "+token); a.status != 401 {
		t.Errorf("me after logout: %d %v", a.status, a.body)
	}
	if a := call(t, app, "POST", "/api/v1/auth/logout", "", "Authorization", "Bearer "+token); a.status != 401 {
		t.Errorf("logout after logout: %d %v", a.status, a.body)
	}
	if a := call(t, app, "GET", "/api/v1/auth/me", "", "Authorization", "Bearer "+officeToken); a.status != 200 {
		t.Errorf("the other session after logout: %d %v", a.status, a.body)
	}
}
