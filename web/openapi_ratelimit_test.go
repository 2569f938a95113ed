package web_test

import (
	"testing"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

// TestRateLimitMatchesOpenAPI: the 429 of a spent budget — the device's and the address's — is
// the documented answer, with its Retry-After, on the signed operations.
func TestRateLimitMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Set(testenv.Beijing(2026, 11, 26, 10, 0, 0))
	apptest.Seed(env)
	env.Cfg.RatePerDevice = 1
	env.Cfg.RatePerAddress = 3
	srv := apptest.Start(env)
	a := newAPIChecker(t, srv)
	pad := srv.AddDevice("window", apptest.CityWindow, "")
	kiosk := srv.AddDevice("kiosk", "", apptest.CityHall)
	const served = "2026-11-26 09:59:00"
	const window = "/api/v1/channels/window/evaluations"
	a.do(call{name: "window within the budget", method: "POST", path: window, dev: &pad, status: 201,
		body: map[string]any{"ticket_no": "R001", "level": 5, "served_at": served}})
	r := a.do(call{name: "window past the device's budget", method: "POST", path: window, dev: &pad, status: 429,
		code: "rate_limited", body: map[string]any{"ticket_no": "R002", "level": 5, "served_at": served}})
	if r.Header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
	// The address has spent two of its three; the third request passes, the fourth does not,
	// whatever the device.
	const kioskPath = "/api/v1/channels/kiosk/evaluations"
	record := map[string]any{"records": []map[string]any{{"seq": 1, "case_no": "NO-SUCH-CASE", "level": 5, "rated_at": served}}}
	a.do(call{name: "kiosk within the address's budget", method: "POST", path: kioskPath, dev: &kiosk, status: 200, body: record})
	a.do(call{name: "kiosk past the address's budget", method: "POST", path: kioskPath, dev: &kiosk, status: 429,
		code: "rate_limited", body: record})
}
