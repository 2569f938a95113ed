package channels_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/channels"
	"haochaping/internal/problem"
	"haochaping/internal/testenv"
)

func wantProblem(t *testing.T, err error, status int, code string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Status != status || p.Code != code {
		t.Fatalf("want %d %s, got %v", status, code, err)
	}
}

// TestDeviceAdministrationStaysWithinTheRegion: a district office registers, lists, pairs and
// disables only the pads and kiosks of its district's halls; disabling ends the paired browser's
// session, and enabling again does not bring it back.
func TestDeviceAdministrationStaysWithinTheRegion(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	devices := srv.App.Devices
	ctx := context.Background()
	users := &access.Users{DB: env.DB}
	admin := func(name string) *access.User {
		u, err := users.Get(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	city, district := admin("office"), admin("szq-office")
	now := time.Now()

	pad, err := devices.AdminAdd(ctx, district, channels.NewDevice{Channel: "window", Name: "市中区综合受理1号评价器", WindowCode: "370402-ZH01"})
	if err != nil {
		t.Fatal(err)
	}
	if pad.Secret == "" || pad.HallCode != "370402-ZWFW" || pad.WindowCode != "370402-ZH01" || !pad.Enabled || pad.Paired {
		t.Errorf("registered pad: %+v", pad)
	}
	kiosk, err := devices.AdminAdd(ctx, district, channels.NewDevice{Channel: "kiosk", ID: "szq-kiosk-1", HallCode: "370402-ZWFW"})
	if err != nil || kiosk.ID != "szq-kiosk-1" || kiosk.WindowCode != "" {
		t.Fatalf("registered kiosk: %+v %v", kiosk, err)
	}
	for _, c := range []struct {
		nd     channels.NewDevice
		status int
		code   string
	}{
		{channels.NewDevice{Channel: "window", WindowCode: apptest.CityWindow}, 403, "place_out_of_reach"},
		{channels.NewDevice{Channel: "kiosk", HallCode: apptest.CityHall}, 403, "place_out_of_reach"},
		{channels.NewDevice{Channel: "kiosk", HallCode: "370403-ZWFW"}, 403, "place_out_of_reach"},
		{channels.NewDevice{Channel: "system"}, 422, "invalid_channel"},
		{channels.NewDevice{Channel: "window"}, 422, "window_required"},
		{channels.NewDevice{Channel: "kiosk"}, 422, "hall_required"},
		{channels.NewDevice{Channel: "window", WindowCode: "NOPE"}, 422, "window_not_found"},
		{channels.NewDevice{Channel: "kiosk", HallCode: "370402-ZWFW", ID: "x"}, 422, "invalid_device_id"},
		{channels.NewDevice{Channel: "kiosk", HallCode: "370402-ZWFW", ID: "szq-kiosk-1"}, 409, "device_id_taken"},
	} {
		_, err := devices.AdminAdd(ctx, district, c.nd)
		wantProblem(t, err, c.status, c.code)
	}

	ids := func(admin *access.User) []string {
		list, err := devices.AdminList(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range list {
			out = append(out, d.ID)
		}
		return out
	}
	if got := ids(district); !slices.Contains(got, pad.ID) || !slices.Contains(got, "szq-kiosk-1") ||
		slices.Contains(got, "demo-window-370400-zh01") {
		t.Errorf("the district lists %v", got)
	}
	listed, _ := devices.AdminList(ctx, district)
	for _, d := range listed {
		if d.HallCode != "370402-ZWFW" {
			t.Errorf("the district lists %s of hall %s", d.ID, d.HallCode)
		}
	}
	if got := ids(city); !slices.Contains(got, pad.ID) || !slices.Contains(got, "demo-window-370400-zh01") || slices.Contains(got, "demo-system") {
		t.Errorf("the city lists %v: its halls' devices and the district's, no backends", got)
	}

	// The city's demo pad is not there for the district.
	_, err = devices.AdminGet(ctx, district, "demo-window-370400-zh01")
	wantProblem(t, err, 404, "device_not_found")
	_, err = devices.AdminSetEnabled(ctx, district, "demo-window-370400-zh01", false, now)
	wantProblem(t, err, 404, "device_not_found")
	_, err = devices.AdminPairingCode(ctx, district, "demo-window-370400-zh01", now)
	wantProblem(t, err, 404, "device_not_found")
	_, err = devices.AdminPairingCode(ctx, city, "demo-system", now)
	wantProblem(t, err, 422, "not_pairable")
	_, err = devices.AdminList(ctx, admin("auditor"))
	wantProblem(t, err, 403, "forbidden_role")

	code, err := devices.AdminPairingCode(ctx, district, pad.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := devices.Pair(ctx, code.Code, "test", now)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := devices.AdminGet(ctx, district, pad.ID); !got.Paired {
		t.Errorf("after pairing: %+v", got)
	}
	off, err := devices.AdminSetEnabled(ctx, district, pad.ID, false, now)
	if err != nil || off.Enabled || off.Paired {
		t.Fatalf("disable: %+v %v", off, err)
	}
	if dev, err := devices.SessionDevice(ctx, token, now); err != nil || dev != nil {
		t.Errorf("the disabled pad's session: %+v %v", dev, err)
	}
	_, err = devices.AdminPairingCode(ctx, district, pad.ID, now)
	wantProblem(t, err, 409, "device_disabled")
	if on, err := devices.AdminSetEnabled(ctx, district, pad.ID, true, now); err != nil || !on.Enabled {
		t.Fatalf("enable: %+v %v", on, err)
	}
	if dev, err := devices.SessionDevice(ctx, token, now); err != nil || dev != nil {
		t.Errorf("enabled again, the old session works: %+v %v", dev, err)
	}
}
