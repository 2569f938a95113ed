package evaluation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/evaluation"
	"haochaping/internal/bjtime"
	"haochaping/internal/testenv"
	"haochaping/measures"
)

// platform is a stand-in for the provincial platform: a real HTTP server on loopback that
// keeps every body it receives and the evaluation ids of the batches it accepts.
type platform struct {
	URL string
	// refuse decides, from the request's number (1, 2, …), whether to answer 500 and keep
	// nothing. nil: accept everything.
	refuse func(n int) bool
	// hold, if set, runs before the answer (outside the lock): a test may make requests wait.
	hold func(n int)

	mu       sync.Mutex
	requests int
	refused  int
	bodies   []string
	received map[int64]int // accepted evaluation id → times
	batches  []evaluation.UpwardBatch
}

func newPlatform(t *testing.T, refuse func(n int) bool) *platform {
	t.Helper()
	p := &platform{refuse: refuse, received: map[int64]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("platform got %s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
		}
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		p.requests++
		n := p.requests
		p.bodies = append(p.bodies, string(raw))
		p.mu.Unlock()
		if p.hold != nil {
			p.hold(n)
		}
		if p.refuse != nil && p.refuse(n) {
			p.mu.Lock()
			p.refused++
			p.mu.Unlock()
			http.Error(w, "temporarily unavailable", http.StatusInternalServerError)
			return
		}
		var b evaluation.UpwardBatch
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Errorf("platform: body is not a batch: %v", err)
			http.Error(w, "bad batch", http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		for _, e := range b.Evaluations {
			p.received[e.EvaluationID]++
		}
		p.batches = append(p.batches, b)
		p.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// upwardNow is the business time of the upward tests: a Wednesday morning in Beijing.
var upwardNow = testenv.Beijing(2026, 11, 25, 10, 0, 0)

// upwardService is a service of its own on env that reports to url in batches of batch.
func upwardService(t *testing.T, env *testenv.Env, url string, batch int) *evaluation.Service {
	t.Helper()
	svc := evaluation.NewService(env.DB, env.Keys, evaluation.Settings{
		RatingDays: 7, PublicURL: "http://x", UpwardURL: url, UpwardBatch: batch}, env.Clock.Now)
	t.Cleanup(svc.Close)
	return svc
}

// ingestTickets stores n window visits rated at the city hall's first window, with ticket
// numbers prefix0001…, served at served; adjust may change each submission. It returns the
// evaluation ids.
func ingestTickets(t *testing.T, svc *evaluation.Service, windowID int64, prefix string, n int, served time.Time,
	adjust func(i int, s *evaluation.Submission)) []int64 {
	t.Helper()
	subs := make([]*evaluation.Submission, n)
	for i := range subs {
		no := fmt.Sprintf("%s%04d", prefix, i)
		subs[i] = &evaluation.Submission{
			Channel: evaluation.Window, Key: "upward:" + no, TicketNo: no, WindowID: windowID,
			StaffNo: apptest.CityStaff, ServedAt: served, Level: evaluation.Level(i%5 + 1),
		}
		if subs[i].Level.Bad() {
			subs[i].Reasons = []string{"attitude"}
		}
		if adjust != nil {
			adjust(i, subs[i])
		}
	}
	ids := make([]int64, n)
	for i, o := range svc.IngestBatch(context.Background(), subs) {
		if o.Err != nil {
			t.Fatalf("ingest %s: %v", subs[i].TicketNo, o.Err)
		}
		ids[i] = o.Evaluation.ID
	}
	return ids
}

func windowOf(t *testing.T, env *testenv.Env) int64 {
	t.Helper()
	return int64(env.Count(`SELECT id FROM windows WHERE code = $1`, apptest.CityWindow))
}

// reportAll runs ReportUpward as the scheduler would, run after run, until a run ends cleanly
// with nothing left; it fails the test if that takes more than max runs.
func reportAll(t *testing.T, svc *evaluation.Service, max int) int64 {
	t.Helper()
	var total int64
	for range max {
		n, err := svc.ReportUpward(context.Background())
		total += n
		if err == nil && n == 0 {
			return total
		}
		if err != nil {
			t.Logf("run reported %d, then: %v", n, err)
		}
	}
	t.Fatalf("still reporting after %d runs", max)
	return total
}

func TestUpwardReportsEachEvaluationOnceDespiteAFlakyPlatform(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, upwardNow)
	// Every other request fails, starting with the first: each batch is refused once.
	plat := newPlatform(t, func(n int) bool { return n%2 == 1 })
	svc := upwardService(t, env, plat.URL, 100)
	windowID := windowOf(t, env)

	// 20 cases rated by their applicant through the receipt's link (real name, the
	// applicant's name, phone and ID number on file) ...
	const caseCount = 20
	for i := range caseCount {
		no := fmt.Sprintf("UPW-%04d", i)
		srv.PushCase(apptest.Case(no, env.Clock.Now().Add(-time.Hour)))
		if _, err := svc.Ingest(context.Background(), &evaluation.Submission{
			Channel: evaluation.Mobile, Key: "upward:case:" + no, CaseNo: no,
			Level: evaluation.VerySatisfied, EvaluatorIsApplicant: true,
		}); err != nil {
			t.Fatalf("rate case %s: %v", no, err)
		}
	}
	// ... and 1,180 window visits, some by a named evaluator, one of whom wrote their phone
	// and ID number into the comment.
	const evaluatorName, evaluatorTel = "李四", "13987654321"
	ids := ingestTickets(t, svc, windowID, "U", 1180, env.Clock.Now().Add(-time.Hour), func(i int, s *evaluation.Submission) {
		if i%3 == 0 || i == 1 {
			s.Evaluator = &evaluation.Person{Name: evaluatorName, Phone: evaluatorTel}
		}
		if i == 1 { // level 2
			s.Comment = "态度差，请回电 139-8765-4321，身份证 " + apptest.ApplicantID
		}
	})
	const total = caseCount + 1180
	if got := env.Count(`SELECT count(*) FROM evaluations`); got != total {
		t.Fatalf("evaluations = %d, want %d", got, total)
	}

	if got := reportAll(t, svc, 20); got != total {
		t.Fatalf("reported %d in all, want %d", got, total)
	}

	plat.mu.Lock()
	defer plat.mu.Unlock()
	if plat.refused == 0 {
		t.Fatal("the platform refused nothing: the retry path was not exercised")
	}
	if len(plat.received) != total {
		t.Fatalf("the platform took %d distinct evaluations, want %d", len(plat.received), total)
	}
	for id, times := range plat.received {
		if times != 1 {
			t.Errorf("evaluation %d accepted %d times", id, times)
		}
	}
	if got := env.Count(`SELECT count(*) FROM upward_reports`); got != total {
		t.Fatalf("upward_reports = %d, want %d", got, total)
	}
	if got := env.Count(`SELECT count(*) FROM evaluations e WHERE NOT EXISTS (SELECT 1 FROM upward_reports u WHERE u.evaluation_id = e.id)`); got != 0 {
		t.Fatalf("%d evaluations not marked", got)
	}
	// The marks name the batches the platform took, and only those.
	accepted := map[string]bool{}
	for _, b := range plat.batches {
		accepted[b.BatchID] = true
		if b.Count != len(b.Evaluations) || len(b.Evaluations) > 100 {
			t.Errorf("batch %s: count %d, %d evaluations (batch size 100)", b.BatchID, b.Count, len(b.Evaluations))
		}
	}
	if got := env.Count(`SELECT count(DISTINCT batch_id) FROM upward_reports`); got != len(accepted) {
		t.Errorf("upward_reports names %d batches, the platform accepted %d", got, len(accepted))
	}
	rollUpUntil(t, env, total)
	if got := env.Count(`SELECT COALESCE(sum(reported), 0) FROM rollup_units`); got != total {
		t.Fatalf("rollup_units.reported sums to %d, want %d", got, total)
	}
	if got := env.Count(`SELECT COALESCE(sum(reported_timely), 0) FROM rollup_units`); got != total {
		t.Fatalf("rollup_units.reported_timely sums to %d, want %d (all served an hour ago)", got, total)
	}

	// Nothing personal in any body, accepted or refused: not the applicant's or the
	// evaluator's name, phone or ID number, masked or not.
	personal := []string{apptest.ApplicantName, apptest.ApplicantTel, apptest.ApplicantID, "张*", "138****5678",
		evaluatorName, evaluatorTel, "李*", "139****4321", "139-8765-4321"}
	for i, body := range plat.bodies {
		for _, p := range personal {
			if strings.Contains(body, p) {
				t.Fatalf("request %d carries personal data %q", i+1, p)
			}
		}
	}

	// The shape: a rated case, and the window visit with the scrubbed comment.
	byID := map[int64]evaluation.UpwardEvaluation{}
	for _, b := range plat.batches {
		for _, e := range b.Evaluations {
			byID[e.EvaluationID] = e
		}
	}
	caseEval := byID[int64(env.Count(`SELECT min(id) FROM evaluations WHERE case_id IS NOT NULL`))]
	if caseEval.CaseNo != "UPW-0000" || caseEval.Stage != "complete" || caseEval.ItemCode != apptest.PassportItem ||
		caseEval.ItemName == "" || caseEval.HallCode != apptest.CityHall || caseEval.WindowCode != apptest.CityWindow ||
		caseEval.StaffNo != apptest.CityStaff || caseEval.DepartmentCode == "" || caseEval.RegionCode == "" ||
		!caseEval.RealName || !caseEval.Active || caseEval.Level != 5 || caseEval.Channel != "mobile" {
		t.Errorf("case evaluation sent as %+v", caseEval)
	}
	for _, ts := range []string{caseEval.ServedAt, caseEval.RatedAt} {
		if _, err := time.Parse(time.RFC3339, ts); err != nil || !strings.HasSuffix(ts, "+08:00") {
			t.Errorf("time %q is not RFC 3339 in +08:00", ts)
		}
	}
	visit := byID[ids[1]]
	if visit.TicketNo != "U0001" || visit.CaseNo != "" || visit.Level != 2 || len(visit.Reasons) != 1 ||
		visit.Reasons[0] != "attitude" || !visit.RealName || visit.Comment != "态度差，请回电 [已隐去]，身份证 [已隐去]" {
		t.Errorf("window visit sent as %+v", visit)
	}
}

func TestUpwardTimelinessCountsWorkingDaysFromTheService(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Set(upwardNow)
	apptest.Seed(env)
	plat := newPlatform(t, nil)
	svc := upwardService(t, env, plat.URL, 500)
	windowID := windowOf(t, env)
	var clock atomic.Int64
	setClock := func(t time.Time) { clock.Store(t.UnixNano()) }
	svc.Now = func() time.Time { return time.Unix(0, clock.Load()) }
	bj := func(m time.Month, d, h, mi, s int) time.Time {
		return time.Date(2026, m, d, h, mi, s, 0, bjtime.Location)
	}

	// 国庆 2026: 10/1–10/7 off, Saturday 10/10 worked. Served Monday 9/28: the 5th working day
	// after is Saturday 10/10 (9/29, 9/30, 10/8, 10/9, 10/10). Served Wednesday 9/30: Tuesday
	// 10/13 (10/8, 10/9, 10/10, 10/12, 10/13). All rated on 10/2.
	rated := bj(10, 2, 12, 0, 0)
	setClock(rated)
	early1 := ingestTickets(t, svc, windowID, "A", 3, bj(9, 28, 10, 0, 0), nil)

	// Run 1 at the last second of Saturday 10/10: still on time.
	setClock(bj(10, 10, 23, 59, 59))
	if n, err := svc.ReportUpward(context.Background()); err != nil || n != 3 {
		t.Fatalf("run 1: %d, %v; want 3", n, err)
	}
	// The rollup job runs after the first report, and counts it.
	rollUpUntil(t, env, 3)

	setClock(rated)
	early2 := ingestTickets(t, svc, windowID, "B", 3, bj(9, 28, 10, 0, 0), nil)
	late := ingestTickets(t, svc, windowID, "C", 3, bj(9, 30, 10, 0, 0), nil)
	// The rollup job runs before the second report too: the second report is counted later.
	rollUpUntil(t, env, 9)
	// Run 2 at midnight starting Sunday 10/11: too late for a service on 9/28, in time for 9/30.
	run2 := bj(10, 11, 0, 0, 0)
	setClock(run2)
	if n, err := svc.ReportUpward(context.Background()); err != nil || n != 6 {
		t.Fatalf("run 2: %d, %v; want 6", n, err)
	}

	want := map[int64]bool{}
	for _, id := range append(early1, late...) {
		want[id] = true
	}
	for _, id := range early2 {
		want[id] = false
	}
	for id, timely := range want {
		if got := env.Count(`SELECT count(*) FROM upward_reports WHERE evaluation_id = $1 AND timely = $2`, id, timely); got != 1 {
			t.Errorf("evaluation %d: want one report with timely=%v", id, timely)
		}
	}
	if got := env.Count(`SELECT count(*) FROM upward_reports WHERE evaluation_id = ANY($1) AND reported_at = $2`, early2, run2); got != 3 {
		t.Errorf("reported_at is not the service's clock: %d of 3 match", got)
	}
	// One rollup row: rated on 10/2, one region, department, hall and channel, the reports of
	// both runs counted into it by the rollup job.
	rollUpUntil(t, env, 9)
	var day time.Time
	var total, reported, timely int
	if err := env.DB.Pool.QueryRow(context.Background(),
		`SELECT day, total, reported, reported_timely FROM rollup_units`).Scan(&day, &total, &reported, &timely); err != nil {
		t.Fatalf("the one rollup_units row: %v", err)
	}
	if !day.Equal(bjtime.Date(2026, 10, 2)) || total != 9 || reported != 9 || timely != 6 {
		t.Fatalf("rollup_units: day %s total %d reported %d timely %d; want 2026-10-02 9 9 6",
			day.Format(time.DateOnly), total, reported, timely)
	}
}

// rollUpUntil runs the rollup job (package measures) until rollup_units counts want
// evaluations in all, and every upward report made so far in 及时上报率. One run may add nothing
// yet: it counts only the transactions older than every one still running on the server, and
// the other tests' are.
func rollUpUntil(t *testing.T, env *testenv.Env, want int) {
	t.Helper()
	m := &measures.Service{DB: env.DB, Now: env.Clock.Now}
	testenv.Eventually(t, 10*time.Second, fmt.Sprintf("rollup_units.total to reach %d, with every report", want), func() bool {
		if _, err := m.RollUp(context.Background()); err != nil {
			t.Fatal(err)
		}
		return env.Count(`SELECT COALESCE(sum(total), 0) FROM rollup_units`) == want &&
			env.Count(`SELECT COALESCE(sum(reported), 0) FROM rollup_units`) == env.Count(`SELECT count(*) FROM upward_reports`)
	})
}

func TestUpwardWithoutURLDoesNothing(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Set(upwardNow)
	apptest.Seed(env)
	svc := upwardService(t, env, "", 0)
	ingestTickets(t, svc, windowOf(t, env), "N", 2, env.Clock.Now().Add(-time.Hour), nil)
	if n, err := svc.ReportUpward(context.Background()); n != 0 || err != nil {
		t.Fatalf("ReportUpward without a URL: %d, %v", n, err)
	}
	if got := env.Count(`SELECT count(*) FROM upward_reports`); got != 0 {
		t.Fatalf("upward_reports = %d, want 0", got)
	}
	if got := env.Count(`SELECT count(*) FROM rollup_units`); got != 0 {
		t.Fatalf("rollup_units = %d rows, want 0", got)
	}
}

func TestUpwardGivesUpOnARefusingPlatformAndMarksNothing(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Set(upwardNow)
	apptest.Seed(env)
	plat := newPlatform(t, func(int) bool { return true })
	svc := upwardService(t, env, plat.URL, 10)
	ingestTickets(t, svc, windowOf(t, env), "R", 5, env.Clock.Now().Add(-time.Hour), nil)

	n, err := svc.ReportUpward(context.Background())
	if err == nil || n != 0 {
		t.Fatalf("ReportUpward against a refusing platform: %d, %v; want an error", n, err)
	}
	if !strings.Contains(err.Error(), "500") {
		t.Errorf("the error does not say what the platform answered: %v", err)
	}
	plat.mu.Lock()
	requests := plat.requests
	plat.mu.Unlock()
	if requests != 6 {
		t.Errorf("%d attempts, want 6", requests)
	}
	if got := env.Count(`SELECT count(*) FROM upward_reports`); got != 0 {
		t.Fatalf("upward_reports = %d after refusals, want 0", got)
	}
	if got := env.Count(`SELECT COALESCE(sum(reported), 0) FROM rollup_units`); got != 0 {
		t.Fatalf("rollup_units.reported = %d after refusals, want 0", got)
	}

	// A platform that cannot be reached, and a run whose context ends: nothing marked, and
	// the run returns when its context does, not after the whole backoff.
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	svc2 := upwardService(t, env, down.URL, 10)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	if n, err := svc2.ReportUpward(ctx); err == nil || n != 0 {
		t.Fatalf("ReportUpward against a closed port: %d, %v; want an error", n, err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the run took %v after its context ended", took)
	}
	if got := env.Count(`SELECT count(*) FROM upward_reports`); got != 0 {
		t.Fatalf("upward_reports = %d after a network error, want 0", got)
	}
}

func TestUpwardTwoInstancesAtOnceSendEachEvaluationOnce(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Set(upwardNow)
	apptest.Seed(env)
	plat := newPlatform(t, nil)
	// The first request waits until a second is in flight: proof that the two instances held
	// claims at the same time (the other skipped the locked rows rather than waiting for them).
	var overlapped atomic.Bool
	second := make(chan struct{})
	var once sync.Once
	plat.hold = func(n int) {
		switch n {
		case 1:
			select {
			case <-second:
				overlapped.Store(true)
			case <-time.After(10 * time.Second): // a guard, not a guess: see the check below
			}
		case 2:
			once.Do(func() { close(second) })
		}
	}
	a := upwardService(t, env, plat.URL, 50)
	b := upwardService(t, env, plat.URL, 50)
	const total = 400
	ingestTickets(t, a, windowOf(t, env), "P", total, env.Clock.Now().Add(-time.Hour), nil)

	var wg sync.WaitGroup
	counts := make([]int64, 2)
	errs := make([]error, 2)
	for i, svc := range []*evaluation.Service{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			counts[i], errs[i] = svc.ReportUpward(context.Background())
		}()
	}
	wg.Wait()
	for i := range errs {
		if errs[i] != nil {
			t.Fatalf("instance %d: %v", i, errs[i])
		}
	}
	if !overlapped.Load() {
		t.Fatal("the two instances never had a batch in flight at the same time")
	}
	if counts[0]+counts[1] != total || counts[0] == 0 || counts[1] == 0 {
		t.Fatalf("instances reported %d and %d, want %d between them, both some", counts[0], counts[1], total)
	}
	plat.mu.Lock()
	defer plat.mu.Unlock()
	if len(plat.received) != total {
		t.Fatalf("platform took %d distinct evaluations, want %d", len(plat.received), total)
	}
	for id, times := range plat.received {
		if times != 1 {
			t.Errorf("evaluation %d sent %d times", id, times)
		}
	}
	if got := env.Count(`SELECT count(*) FROM upward_reports`); got != total {
		t.Fatalf("upward_reports = %d, want %d", got, total)
	}
	rollUpUntil(t, env, total)
	if got := env.Count(`SELECT COALESCE(sum(reported), 0) FROM rollup_units`); got != total {
		t.Fatalf("rollup_units.reported = %d, want %d", got, total)
	}
}
