package web_test

import (
	"net/http"
	"testing"

	"haochaping/app/apptest"
	"haochaping/web/page"
	"haochaping/web/session"
)

// TestCookieWritesNeedTheCSRFToken: another site's text/plain POST carries the office's session
// cookie (SameSite=Lax lets a top-level form through, and a logged-in browser sends it); it
// must not create a callback script. The same write with the page's CSRF token, or with a
// bearer token, goes through.
func TestCookieWritesNeedTheCSRFToken(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, openapiNow)
	token := srv.Login("office", "demo1234")
	body := []byte(`{"title":"伪造的话术","body":"您好，{{evaluator}}。"}`)
	scripts := func() int { return env.Count(`SELECT count(*) FROM callback_scripts WHERE title = '伪造的话术'`) }

	forged := http.Header{}
	forged.Set("Content-Type", "text/plain")
	forged.Set("Origin", "https://evil.example")
	forged.Set("Cookie", session.CookieName+"="+token)
	if r := srv.Raw("POST", "/api/v1/callback-scripts", body, forged); r.Status != 403 || r.Code(t) != "csrf_failed" {
		t.Errorf("a cross-site text/plain POST with the cookie: %d %s", r.Status, r.Body)
	}
	// A token in the header that is not the cookie's is no better.
	forged.Set(page.CSRFHeader, "guessed")
	forged.Set("Cookie", session.CookieName+"="+token+"; "+page.CSRFCookie+"=other")
	if r := srv.Raw("POST", "/api/v1/callback-scripts", body, forged); r.Status != 403 {
		t.Errorf("a wrong CSRF token: %d %s", r.Status, r.Body)
	}
	if n := scripts(); n != 0 {
		t.Fatalf("the forged requests created %d scripts", n)
	}

	// The page's own script: cookie, CSRF cookie and the same token in the header.
	own := http.Header{}
	own.Set("Content-Type", "application/json")
	own.Set("Cookie", session.CookieName+"="+token+"; "+page.CSRFCookie+"=tok-123")
	own.Set(page.CSRFHeader, "tok-123")
	if r := srv.Raw("POST", "/api/v1/callback-scripts", body, own); r.Status != 201 {
		t.Errorf("a cookie write with its token: %d %s", r.Status, r.Body)
	}
	// A bearer token is no ambient credential: no CSRF token needed.
	if r := srv.As(token, "POST", "/api/v1/callback-scripts", map[string]any{"title": "伪造的话术", "body": "您好。"}); r.Status != 201 {
		t.Errorf("a bearer write: %d %s", r.Status, r.Body)
	}
	if n := scripts(); n != 2 {
		t.Errorf("%d scripts, want the 2 legitimate ones", n)
	}
	// Reads with the cookie alone stay open to the pages.
	read := http.Header{}
	read.Set("Cookie", session.CookieName+"="+token)
	if r := srv.Raw("GET", "/api/v1/callback-scripts", nil, read); r.Status != 200 {
		t.Errorf("a cookie read: %d", r.Status)
	}
}
