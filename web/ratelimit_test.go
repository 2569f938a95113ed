package web_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

// TestSignedRequestsLimitedPerDevice: past its budget a device is refused 429 rate_limited with
// Retry-After, another device is not, and two instances on one Redis count together.
func TestSignedRequestsLimitedPerDevice(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Set(testenv.Beijing(2026, 11, 26, 10, 0, 0))
	apptest.Seed(env)
	env.Cfg.RatePerDevice = 3
	env.Cfg.RatePerAddress = 1000
	one, two := apptest.Start(env), apptest.Start(env)
	pad := one.AddDevice("window", apptest.CityWindow, "")
	other := one.AddDevice("window", apptest.CityWindow, "")
	const path = "/api/v1/channels/window/evaluations"
	rate := func(srv *apptest.Server, dev apptest.Device, ticket string) *apptest.Response {
		return srv.Signed(dev, "POST", path, map[string]any{"ticket_no": ticket, "level": 5, "served_at": "2026-11-26 09:59:00"})
	}
	// Three within the minute, spread over the two instances.
	for i, srv := range []*apptest.Server{one, two, one} {
		if r := rate(srv, pad, "L00"+strconv.Itoa(i)); r.Status != 201 {
			t.Fatalf("request %d within the limit: %d %s", i+1, r.Status, r.Body)
		}
	}
	r := rate(two, pad, "L009")
	if r.Status != 429 || r.Code(t) != "rate_limited" {
		t.Fatalf("fourth request of the device, on the other instance: %d %s, want 429 rate_limited", r.Status, r.Body)
	}
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Fatalf("Retry-After = %q, want whole seconds within the minute", r.Header.Get("Retry-After"))
	}
	if r := rate(one, other, "L010"); r.Status != 201 {
		t.Fatalf("another device: %d %s", r.Status, r.Body)
	}
}

// TestPublicPagesLimitedPerAddress: an address past its budget on the evaluation link gets the
// Chinese error page 429 with Retry-After; another address is not affected.
func TestPublicPagesLimitedPerAddress(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	now := testenv.Beijing(2026, 11, 26, 10, 0, 0)
	env.Clock.Set(now)
	apptest.Seed(env)
	env.Cfg.RatePerAddress = 4 // the signed push of the case counts too: one address, one budget
	srv := apptest.Start(env)
	link, _ := srv.PushCase(apptest.Case("RL-1", now.Add(-time.Hour)))["evaluation_url"].(string)
	if link == "" {
		t.Fatal("no evaluation link")
	}
	get := func(from string) (*http.Response, string) {
		client := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{
			LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}).DialContext}}
		req, _ := http.NewRequestWithContext(context.Background(), "GET", link, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	for i := 0; i < 3; i++ {
		if resp, body := get("127.0.0.1"); resp.StatusCode != 200 {
			t.Fatalf("view %d within the limit: %d %s", i+1, resp.StatusCode, body)
		}
	}
	resp, body := get("127.0.0.1")
	if resp.StatusCode != 429 || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "请求过于频繁") || !strings.Contains(body, "秒后再试") {
		t.Fatalf("fourth view from the address: %d %s %s, want the 429 page", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After = %q", resp.Header.Get("Retry-After"))
	}
	if resp, body := get("127.0.0.2"); resp.StatusCode != 200 {
		t.Fatalf("another address: %d %s", resp.StatusCode, body)
	}
}

// TestKioskUploadLimitedAsJSON: kiosk.js asks for JSON; past the address's budget it gets the
// problem as JSON with Retry-After (and keeps its buffer for the next try), before any session
// or CSRF check is spent on it.
func TestKioskUploadLimitedAsJSON(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	apptest.Seed(env)
	env.Cfg.RatePerAddress = 1
	srv := apptest.Start(env)
	h := http.Header{}
	h.Set("Accept", "application/json")
	body := []byte(`{"records":[]}`)
	if r := srv.Raw("POST", "/kiosk/records", body, h); r.Status == 429 {
		t.Fatalf("first upload: %d %s", r.Status, r.Body)
	}
	r := srv.Raw("POST", "/kiosk/records", body, h)
	if r.Status != 429 || r.Code(t) != "rate_limited" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("second upload: %d %s (Retry-After %q), want 429 rate_limited as JSON", r.Status, r.Body, r.Header.Get("Retry-After"))
	}
}
