package web_test

import (
	"net/http"
	"testing"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

// TestClientAddressBehindAProxy: the address a failed login is counted and recorded against is
// the connection's own, whatever X-Real-IP or X-Forwarded-For a client sends — unless the
// connection comes from a configured trusted proxy, whose X-Real-IP then names the client
// (issue 12 review: behind nginx every citizen and clerk shared the proxy's address, and
// the address limits would have locked the whole hall out at once).
func TestClientAddressBehindAProxy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		proxies []string
		want    string
	}{
		{"no proxy configured", nil, "127.0.0.1"},
		{"another proxy configured", []string{"10.0.0.0/8"}, "127.0.0.1"},
		{"this connection is the trusted proxy", []string{"127.0.0.1"}, "203.0.113.9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := testenv.New(t)
			env.Clock.Set(openapiNow)
			env.Cfg.TrustedProxies = c.proxies
			apptest.Seed(env)
			srv := apptest.Start(env)
			h := http.Header{"Content-Type": {"application/json"}, "X-Real-IP": {"203.0.113.9"}, "X-Forwarded-For": {"198.51.100.1"}}
			if r := srv.Raw("POST", "/api/v1/auth/login", []byte(`{"username":"office","password":"wrong-password"}`), h); r.Status != 401 {
				t.Fatalf("a wrong password: %d %s", r.Status, r.Body)
			}
			var got string
			if err := env.DB.Pool.QueryRow(t.Context(), `SELECT address FROM security_audit WHERE kind = 'login_refused'`).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("the refused login was recorded from %q, want %q", got, c.want)
			}
		})
	}
}
