package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"haochaping/app"
	"haochaping/internal/testenv"
)

// TestSecurityHeaders: every answer — a page, the API, an error — carries the strict CSP and
// the other headers; HSTS only when the site is served over HTTPS; and no cross-origin read is
// allowed (no CORS header, whatever Origin asks).
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	for _, public := range []string{"https://hcp.example.gov.cn", "http://127.0.0.1:8080"} {
		cfg := *env.Cfg
		cfg.PublicURL = public
		a := app.New(&cfg, env.DB, env.Keys, env.Redis, env.Log)
		t.Cleanup(a.Close)
		for _, c := range []struct{ method, path string }{
			{"GET", "/"}, {"GET", "/healthz"}, {"GET", "/api/v1/auth/me"}, {"GET", "/no-such-page"}, {"OPTIONS", "/api/v1/workorders"},
		} {
			req := httptest.NewRequest(c.method, c.path, nil)
			req.Header.Set("Origin", "https://evil.example")
			req.Header.Set("Access-Control-Request-Method", "POST")
			resp, err := a.HTTP.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			h := resp.Header
			for name, want := range map[string]string{
				"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
			} {
				if got := h.Get(name); got != want {
					t.Errorf("%s %s %s: %s %q, want %q", public, c.method, c.path, name, got, want)
				}
			}
			if csp := h.Get("Content-Security-Policy"); csp == "" || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("%s %s: CSP %q", c.method, c.path, csp)
			}
			if hsts := h.Get("Strict-Transport-Security"); (strings.HasPrefix(public, "https://")) != (hsts != "") {
				t.Errorf("%s %s %s: HSTS %q", public, c.method, c.path, hsts)
			}
			if acao := h.Get("Access-Control-Allow-Origin"); acao != "" {
				t.Errorf("%s %s: CORS allows %q", c.method, c.path, acao)
			}
		}
	}
}
