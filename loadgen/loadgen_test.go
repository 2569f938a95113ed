package loadgen_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/evaluation"
	"haochaping/internal/testenv"
	"haochaping/loadgen"
)

// demoFleet is the test server's demo devices, as `device list --demo --json` gives them.
func demoFleet(t *testing.T, srv *apptest.Server) *loadgen.Fleet {
	t.Helper()
	list, err := srv.App.Devices.List(context.Background(), true, true)
	if err != nil {
		t.Fatal(err)
	}
	var devices []loadgen.Device
	for _, d := range list {
		devices = append(devices, loadgen.Device{ID: d.ID, Channel: d.Channel, WindowCode: d.WindowCode,
			HallCode: d.HallCode, Enabled: d.Enabled, Secret: d.Secret})
	}
	fleet, err := loadgen.NewFleet(devices)
	if err != nil {
		t.Fatal(err)
	}
	return fleet
}

// TestLoadIsAcceptedAndAcknowledgedOnce runs a short load against the real server: every
// request signed as its device is accepted, every rating acknowledged and written to the acks
// file once, every repeat answered with the original's id, and what the acks say is stored.
func TestLoadIsAcceptedAndAcknowledgedOnce(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Cfg.RatePerDevice, env.Cfg.RatePerAddress = 0, 0 // a load, not a citizen's pace
	apptest.Seed(env)
	srv := apptest.Start(env)
	srv.RunWorker()

	acksFile := filepath.Join(t.TempDir(), "acks.jsonl")
	var progress, failures bytes.Buffer
	o := loadgen.Options{URL: srv.URL, Concurrency: 4, Duration: time.Minute, Requests: 160, Bad: 0.2,
		Repeat: 0.15, Seed: 3, Mix: loadgen.DefaultMix, RetryFor: 10 * time.Second, Acks: acksFile,
		Failures: &failures, Progress: &progress, Now: srv.Clock.Now}
	report, err := loadgen.Run(context.Background(), o, demoFleet(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	s := report.Ratings
	if s.RefusedTotal() != 0 || s.NoAnswer != 0 || s.Acknowledged != s.Sent || s.Sent < 160 {
		t.Fatalf("sent %d, acknowledged %d, refused %v, no answer %d; failures:\n%s", s.Sent, s.Acknowledged, s.Refused, s.NoAnswer, failures.String())
	}
	if s.Repeats < 5 || s.RepeatsSameID != s.Repeats {
		t.Fatalf("%d repeats, %d answered with the original's id: %v", s.Repeats, s.RepeatsSameID, s.RepeatsOther)
	}
	if report.Requests != 160 || !strings.Contains(progress.String(), "loadgen: sent") {
		t.Fatalf("%d requests; progress %q", report.Requests, progress.String())
	}

	acks, summary, err := loadgen.ReadAcks(acksFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(acks) != s.Acknowledged || summary == nil || summary.Sent != s.Sent || summary.Acknowledged != s.Acknowledged {
		t.Fatalf("%d acks for %d acknowledged; summary %+v", len(acks), s.Acknowledged, summary)
	}
	channels := map[string]int{}
	var rated []evaluation.AckedRating
	for _, a := range acks {
		channels[a.Channel]++
		if a.ID == 0 || a.CaseNo == "" || a.Stage == "" || a.Key == "" {
			t.Fatalf("incomplete ack %+v", a)
		}
		if !a.Repeat {
			// The key written is the one the server keeps for the evaluation.
			if n := env.Count(`SELECT count(*) FROM evaluations WHERE id = $1 AND idem_key = $2`, a.ID, a.Key); n != 1 {
				t.Fatalf("ack %+v: no evaluation %d under key %s", a, a.ID, a.Key)
			}
		} else if a.Status != "duplicate" {
			t.Fatalf("repeat answered %q: %+v", a.Status, a)
		}
		rated = append(rated, evaluation.AckedRating{CaseNo: a.CaseNo, Stage: evaluation.Stage(a.Stage), ID: a.ID})
	}
	for _, ch := range []string{"window", "mobile", "pc", "kiosk"} {
		if channels[ch] == 0 {
			t.Errorf("no rating acknowledged on %s: %v", ch, channels)
		}
	}
	stored := env.Count(`SELECT count(*) FROM evaluations WHERE active`)
	if want := s.Acknowledged - s.Repeats; stored != want {
		t.Fatalf("%d evaluations stored for %d new ratings acknowledged", stored, want)
	}
	check, err := srv.App.Evaluation.CheckAcknowledged(context.Background(), rated)
	if err != nil {
		t.Fatal(err)
	}
	if check.Lost != 0 || check.Duplicated != 0 || check.Stored != check.Acknowledged || check.Acknowledged != stored {
		t.Fatalf("check of the acks: %+v", check)
	}

	var out bytes.Buffer
	if err := loadgen.Print(&out, report); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "throughput=") || !strings.Contains(last, " p50=") || !strings.Contains(last, " p99=") {
		t.Fatalf("last line %q", last)
	}
}

// TestTicketLoadRatesVisitsWithoutCases: with Tickets, every request is one window rating of a
// visit by its queue ticket — no case pushed — each stored once, a fifth of them bad with their
// outbox row, and a repeat answered with the original's id.
func TestTicketLoadRatesVisitsWithoutCases(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Cfg.RatePerDevice, env.Cfg.RatePerAddress = 0, 0
	apptest.Seed(env)
	srv := apptest.Start(env)
	o := loadgen.Options{URL: srv.URL, Concurrency: 4, Duration: time.Minute, Requests: 100, Bad: 0.2, Repeat: 0.1,
		Seed: 5, Tickets: true, RetryFor: 10 * time.Second, Now: srv.Clock.Now}
	report, err := loadgen.Run(context.Background(), o, demoFleet(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	s := report.Ratings
	if s.Acknowledged != s.Sent || s.RefusedTotal() != 0 || s.NoAnswer != 0 || s.Repeats == 0 || s.RepeatsSameID != s.Repeats {
		t.Fatalf("sent %d, acknowledged %d, refused %v, no answer %d, repeats %d (%d same)", s.Sent, s.Acknowledged, s.Refused,
			s.NoAnswer, s.Repeats, s.RepeatsSameID)
	}
	if n := env.Count(`SELECT count(*) FROM cases`); n != 0 {
		t.Errorf("%d cases pushed", n)
	}
	stored := env.Count(`SELECT count(*) FROM evaluations WHERE channel = 'window' AND case_id IS NULL AND ticket_no IS NOT NULL`)
	if stored != s.Acknowledged-s.Repeats || stored != env.Count(`SELECT count(*) FROM evaluations`) {
		t.Errorf("%d ticket ratings stored for %d new ones acknowledged", stored, s.Acknowledged-s.Repeats)
	}
	if bad, outbox := env.Count(`SELECT count(*) FROM evaluations WHERE bad`), env.Count(`SELECT count(*) FROM outbox`); bad == 0 || bad != outbox {
		t.Errorf("%d bad ratings, %d outbox rows", bad, outbox)
	}
}

// TestLoadOverSeveralServersTakesThemInTurn: with two API processes of one system in URL
// (comma-separated, no balancer), the attempts alternate between them — each gets half, give
// or take the one in flight — and every rating is still stored once.
func TestLoadOverSeveralServersTakesThemInTurn(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Cfg.RatePerDevice, env.Cfg.RatePerAddress = 0, 0
	apptest.Seed(env)
	first, second := apptest.Start(env), apptest.Start(env)
	var hits [2]atomic.Int64
	counted := func(i int, srv *apptest.Server) string {
		target, err := url.Parse(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		proxy := httputil.NewSingleHostReverseProxy(target)
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits[i].Add(1)
			proxy.ServeHTTP(w, r)
		}))
		t.Cleanup(front.Close)
		return front.URL
	}
	o := loadgen.Options{URL: counted(0, first) + "," + counted(1, second) + "/", Concurrency: 4, Duration: time.Minute,
		Requests: 80, Bad: 0.2, Seed: 7, Tickets: true, RetryFor: 10 * time.Second, Now: first.Clock.Now}
	report, err := loadgen.Run(context.Background(), o, demoFleet(t, first))
	if err != nil {
		t.Fatal(err)
	}
	s := report.Ratings
	if s.Acknowledged != 80 || s.RefusedTotal() != 0 || s.NoAnswer != 0 {
		t.Fatalf("sent %d, acknowledged %d, refused %v, no answer %d", s.Sent, s.Acknowledged, s.Refused, s.NoAnswer)
	}
	if a, b := hits[0].Load(), hits[1].Load(); a+b != 80 || a < 39 || b < 39 {
		t.Fatalf("requests per server: %d and %d, want 40 each", a, b)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations`); n != 80 {
		t.Fatalf("%d evaluations stored for 80 acknowledged", n)
	}

	if _, err := loadgen.Run(context.Background(), loadgen.Options{URL: first.URL + ",ftp://x", Duration: time.Second}, demoFleet(t, first)); err == nil {
		t.Fatal("a list with a URL that is not http was taken")
	}
}
