package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/config"
	"haochaping/internal/testenv"
	"haochaping/upward"
)

// demoUpward starts the system in demo mode with the Shandong profile and no keys, and its
// simulator on a port of its own; log, when not nil, takes every log line of the run.
func demoUpward(t *testing.T, log io.Writer) (*testenv.Env, *apptest.Server, *upward.Simulator) {
	t.Helper()
	env := testenv.New(t)
	env.Clock.Set(testenv.Beijing(2026, 11, 26, 10, 0, 0))
	if log != nil {
		env.Log = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
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
	return env, srv, sim
}

// rateAtThePad pushes the cases and has the city hall's pad rate each at level.
func rateAtThePad(t *testing.T, env *testenv.Env, srv *apptest.Server, level int, caseNos ...string) {
	t.Helper()
	pad := srv.DemoDevice("demo-window-370400-zh01")
	for i, caseNo := range caseNos {
		srv.PushCase(apptest.Case(caseNo, env.Clock.Now().Add(-10*time.Minute)))
		body := map[string]any{"case_no": caseNo, "ticket_no": fmt.Sprintf("%c%02d", caseNo[0], i), "staff_no": apptest.CityStaff, "level": level}
		if level <= 2 {
			body["reasons"] = []string{"服务效率"}
		}
		if r := srv.Signed(pad, "POST", "/api/v1/channels/window/evaluations", body); r.Status != 201 {
			t.Fatalf("rate: %d %s", r.Status, r.Body)
		}
	}
}

// TestTheDemoReportsToItsSimulator: with a profile and no keys, demo mode makes its keys from
// the data key for the sender and the simulator alike; the upward_report job then delivers the
// evaluations of cases to the simulator in the Shandong format and 及时上报率 counts them.
func TestTheDemoReportsToItsSimulator(t *testing.T) {
	t.Parallel()
	env, srv, sim := demoUpward(t, nil)
	rateAtThePad(t, env, srv, 4, "DEMO-UP-0", "DEMO-UP-1", "DEMO-UP-2")
	run, err := srv.App.Scheduler().RunNow(context.Background(), "upward_report")
	if err != nil || run.Rows != 6 {
		t.Fatalf("upward_report: %+v %v, want 3 service records and 3 ratings", run, err)
	}
	if svc := sim.Services(); len(svc) != 3 || svc[0].Fields["projectNo"] != "37DEMO-UP-0" {
		t.Fatalf("the simulator holds the services %+v", svc)
	}
	recs := sim.Records()
	if len(recs) != 3 || recs[0].Fields["projectNo"] != "37DEMO-UP-0" || recs[0].Fields["pf"] != "4" || recs[0].AppMark != "haochaping" {
		t.Fatalf("the simulator holds %+v", recs)
	}
	if n := env.Count(`SELECT count(*) FROM upward_reports WHERE timely`); n != 3 {
		t.Errorf("%d reported on time, want 3", n)
	}
}

// TestIdentityTravelsOnlyInTheUpwardChannel: the applicant's ID number, name and phone reach
// the platform (inside the encrypted body) and nowhere else: not the log of the whole run (at
// debug level, through an outage of the platform and a bad review dispatched through the
// queue), not Redis, not the report's own state, not the notifications.
func TestIdentityTravelsOnlyInTheUpwardChannel(t *testing.T) {
	t.Parallel()
	var log lockedLog
	env, srv, sim := demoUpward(t, &log)
	rateAtThePad(t, env, srv, 1, "IDENT-0")
	rateAtThePad(t, env, srv, 5, "JDENT-1")
	srv.RunWorker()
	ctx := context.Background()
	deadline := time.Now().Add(15 * time.Second)
	for env.Count(`SELECT count(*) FROM work_orders`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the bad review was not dispatched")
		}
		time.Sleep(50 * time.Millisecond)
	}
	secrets := []string{apptest.ApplicantID, apptest.ApplicantName, apptest.ApplicantTel}
	search := func(where, text string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s holds %q", where, s)
			}
		}
	}
	sim.Down(time.Hour)
	if _, err := srv.App.Scheduler().RunNow(ctx, "upward_report"); err != nil {
		t.Fatal(err)
	}
	var state string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT string_agg(project_no || last_error || refusal, ' ') FROM upward_records`).Scan(&state); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(state, "503") {
		t.Fatalf("the outage left no error on record: %q", state)
	}
	search("upward_records", state)
	env.Clock.Advance(2 * time.Hour)
	if run, err := srv.App.Scheduler().RunNow(ctx, "upward_report"); err != nil || run.Rows != 4 {
		t.Fatalf("after the outage: %+v %v", run, err)
	}
	for _, recs := range [][]upward.Accepted{sim.Records(), sim.Services()} {
		if len(recs) != 2 || recs[0].Fields["certKey"] != apptest.ApplicantID || recs[0].Fields["userName"] != apptest.ApplicantName {
			t.Fatalf("the platform did not get the identity: %+v", recs)
		}
	}

	if log.String() == "" {
		t.Fatal("nothing was logged: the search would prove nothing")
	}
	search("the log", log.String())
	for _, v := range env.RedisValues(ctx) {
		search("Redis", v)
	}
	var notes string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT COALESCE(string_agg(title || body, ' '), '') FROM notifications`).Scan(&notes); err != nil {
		t.Fatal(err)
	}
	search("the notifications", notes)
}

// lockedLog is a log sink the server's goroutines may write at once.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
