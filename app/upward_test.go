package app_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/config"
	"haochaping/internal/testenv"
)

// TestTheDemoReportsToItsSimulator: with a profile and no keys, demo mode makes its keys from
// the data key for the sender and the simulator alike; the upward_report job then delivers the
// evaluations of cases to the simulator in the Shandong format and 及时上报率 counts them.
func TestTheDemoReportsToItsSimulator(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Set(testenv.Beijing(2026, 11, 26, 10, 0, 0))
	apptest.Seed(env)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env.Cfg.UpwardURL = "http://" + ln.Addr().String() + "/"
	env.Cfg.Upward = config.Upward{Profile: "shandong", AppMark: "haochaping", TenancyID: "370400"}
	srv := apptest.Start(env)
	sim := srv.App.UpwardSimulator()
	if sim == nil {
		t.Fatal("no simulator in demo mode with a profile")
	}
	hs := &http.Server{Handler: sim}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	sim.RefuseRate = 0

	pad := srv.DemoDevice("demo-window-370400-zh01")
	for i := 0; i < 3; i++ {
		caseNo := fmt.Sprintf("DEMO-UP-%d", i)
		srv.PushCase(apptest.Case(caseNo, env.Clock.Now().Add(-10*time.Minute)))
		if r := srv.Signed(pad, "POST", "/api/v1/channels/window/evaluations", map[string]any{"case_no": caseNo,
			"ticket_no": fmt.Sprintf("D%02d", i), "staff_no": apptest.CityStaff, "level": 4}); r.Status != 201 {
			t.Fatalf("rate: %d %s", r.Status, r.Body)
		}
	}
	run, err := srv.App.Scheduler().RunNow(context.Background(), "upward_report")
	if err != nil || run.Rows != 3 {
		t.Fatalf("upward_report: %+v %v", run, err)
	}
	recs := sim.Records()
	if len(recs) != 3 || recs[0].Fields["projectNo"] != "37DEMO-UP-0" || recs[0].Fields["pf"] != "4" || recs[0].AppMark != "haochaping" {
		t.Fatalf("the simulator holds %+v", recs)
	}
	if n := env.Count(`SELECT count(*) FROM upward_reports WHERE timely`); n != 3 {
		t.Errorf("%d reported on time, want 3", n)
	}
}
