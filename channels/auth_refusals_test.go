package channels_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/channels"
	"haochaping/internal/testenv"
)

// TestDemoDevicesRefusedWithDemoOff: a database seeded in demo mode keeps its demo devices,
// whose secrets are published; once demo mode is off they are refused with the very answer an
// unknown device gets, so that demo-system cannot push cases with applicants' data.
func TestDemoDevicesRefusedWithDemoOff(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Set(testenv.Beijing(2026, 11, 25, 10, 0, 0))
	apptest.Seed(env)
	env.Cfg.Demo = false
	srv := apptest.Start(env)

	demo := srv.DemoDevice("demo-system")
	pushed := srv.Signed(demo, "POST", "/api/v1/cases", apptest.Case("DEMO-OFF-1", testenv.Beijing(2026, 11, 25, 9, 0, 0)))
	unknown := srv.Signed(apptest.Device{ID: "no-such-system", Secret: demo.Secret}, "POST", "/api/v1/cases",
		apptest.Case("DEMO-OFF-1", testenv.Beijing(2026, 11, 25, 9, 0, 0)))
	if pushed.Status != 401 || string(pushed.Body) != string(unknown.Body) {
		t.Fatalf("demo device with demo off: %d %s; an unknown device: %d %s", pushed.Status, pushed.Body, unknown.Status, unknown.Body)
	}
	if n := env.Count(`SELECT count(*) FROM cases`); n != 0 {
		t.Fatalf("a demo device pushed %d cases with demo mode off", n)
	}
	// A device registered for real is still accepted.
	registered := srv.AddDevice("system", "", "")
	if r := srv.Signed(registered, "POST", "/api/v1/cases", apptest.Case("REAL-1", testenv.Beijing(2026, 11, 25, 9, 0, 0))); r.Status != 201 {
		t.Fatalf("registered system with demo off: %d %s", r.Status, r.Body)
	}
}

// TestUnknownDeviceLooksLikeBadSignature: whether a device ID exists is not told to whoever
// lacks its secret — an unknown device, a bad signature and a demo device out of demo mode get
// the same status, code and message; only a caller who signs correctly learns that its
// device is disabled (it held the secret, so it knew the device anyway).
func TestUnknownDeviceLooksLikeBadSignature(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	pad := srv.AddDevice("window", apptest.CityWindow, "")
	now := time.Now().Unix()
	body := []byte(`{"ticket_no":"S101","level":5,"served_at":"` + servedAt + `"}`)
	send := func(id, secret string) *apptest.Response {
		h := http.Header{}
		h.Set(channels.HeaderDeviceID, id)
		h.Set(channels.HeaderTimestamp, strconv.FormatInt(now, 10))
		h.Set(channels.HeaderSignature, channels.Sign(secret, now, "POST", windowPath, body))
		return srv.Raw("POST", windowPath, body, h)
	}
	bad := send(pad.ID, "not-the-secret")
	unknown := send("no-such-device", pad.Secret)
	if bad.Status != 401 || unknown.Status != 401 || string(bad.Body) != string(unknown.Body) {
		t.Fatalf("bad signature: %d %s; unknown device: %d %s — want the same 401", bad.Status, bad.Body, unknown.Status, unknown.Body)
	}
	if bad.Code(t) != "signature_invalid" {
		t.Fatalf("bad signature: code %s", bad.Code(t))
	}
}
