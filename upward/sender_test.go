package upward_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/evaluation"
	"haochaping/internal/testenv"
	"haochaping/rectify"
	"haochaping/upward"
)

var senderNow = testenv.Beijing(2026, 11, 26, 10, 0, 0)

// rateCases pushes n cases and has the city hall's pad rate each (every third badly).
func rateCases(t *testing.T, env *testenv.Env, srv *apptest.Server, prefix string, n int) {
	t.Helper()
	pad := srv.DemoDevice("demo-window-370400-zh01")
	for i := 0; i < n; i++ {
		caseNo := fmt.Sprintf("%s-%04d", prefix, i)
		srv.PushCase(apptest.Case(caseNo, env.Clock.Now().Add(-10*time.Minute)))
		level, reasons := 5, []string{}
		if i%3 == 0 {
			level, reasons = 2, []string{"服务效率"}
		}
		r := srv.Signed(pad, "POST", "/api/v1/channels/window/evaluations", map[string]any{"case_no": caseNo,
			"ticket_no": fmt.Sprintf("%c%03d", prefix[0], i), "staff_no": apptest.CityStaff, "level": level, "reasons": reasons})
		if r.Status != 201 {
			t.Fatalf("rate %s: %d %s", caseNo, r.Status, r.Body)
		}
	}
}

type upwardWorld struct {
	env *testenv.Env
	sim *upward.Simulator
	url string
}

func newUpwardWorld(t *testing.T, refuse float64) (*upwardWorld, *apptest.Server) {
	t.Helper()
	env, srv := apptest.Serve(t, senderNow)
	p := shandong(t)
	sim := upward.NewSimulator(p, testKeys(t), refuse, 3)
	sim.Now = env.Clock.Now
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	return &upwardWorld{env: env, sim: sim, url: hs.URL}, srv
}

func (w *upwardWorld) sender(t *testing.T, batch int) *upward.Sender {
	return &upward.Sender{DB: w.env.DB, PII: w.env.Keys, Profile: shandong(t), Keys: testKeys(t), URL: w.url,
		Headers: map[string]string{"C-Tenancy-Id": "370400"}, Now: w.env.Clock.Now, Batch: batch}
}

func (w *upwardWorld) states(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	rows, err := w.env.DB.Pool.Query(context.Background(), `SELECT state, count(*) FROM upward_records GROUP BY state`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int
		_ = rows.Scan(&s, &n)
		out[s] = n
	}
	return out
}

// TestUpwardDeliversOnceThroughAnOutage: the platform is down when the records are first sent:
// nothing is acknowledged, each record waits its backoff; when the platform is back, one run
// delivers every record once, with the fields of the profile — identity included, inside the
// encrypted body — and a further run sends nothing.
func TestUpwardDeliversOnceThroughAnOutage(t *testing.T) {
	t.Parallel()
	w, srv := newUpwardWorld(t, 0)
	ctx := context.Background()
	rateCases(t, w.env, srv, "UPD", 7)
	added, _, err := upward.Enqueue(ctx, w.env.DB, w.env.Clock.Now())
	if err != nil || added != 14 { // seven service records and their seven ratings
		t.Fatalf("enqueue: %d %v", added, err)
	}
	w.sim.Down(24 * time.Hour)
	s := w.sender(t, 3)
	s.Acknowledged = evaluation.MarkAcknowledged
	if sent, err := s.Send(ctx); err != nil || sent.Acknowledged != 0 || sent.Failed != 3 {
		t.Fatalf("while down: %+v %v", sent, err)
	}
	if st := w.states(t); st["pending"] != 14 {
		t.Fatalf("states while down: %v", st)
	}
	// A day of outage: the records keep their order and wait; the day after, all go.
	for hour := 1; hour < 24; hour++ {
		w.env.Clock.Advance(time.Hour)
		if sent, err := s.Send(ctx); err != nil || sent.Acknowledged != 0 {
			t.Fatalf("hour %d of the outage: %+v %v", hour, sent, err)
		}
	}
	var attempts int
	if err := w.env.DB.Pool.QueryRow(ctx, `SELECT max(attempts) FROM upward_records`).Scan(&attempts); err != nil || attempts < 5 || attempts > 24 {
		t.Fatalf("attempts over a day: %d %v", attempts, err)
	}
	w.env.Clock.Advance(time.Hour)
	sent, err := s.Send(ctx)
	if err != nil || sent.Acknowledged != 14 {
		t.Fatalf("after the outage: %+v %v", sent, err)
	}
	for _, r := range w.sim.Services() {
		if r.Sends != 1 || r.Fields["serviceName"] != "办结" || r.Fields["proChannel"] != "2" || r.Fields["certKey"] != apptest.ApplicantID {
			t.Errorf("service record: %+v", r)
		}
	}
	if sent, _ := s.Send(ctx); sent != (upward.Sent{}) {
		t.Fatalf("a run with nothing due sent: %+v", sent)
	}
	recs := w.sim.Records()
	if len(recs) != 7 {
		t.Fatalf("the platform holds %d records", len(recs))
	}
	for _, r := range recs {
		if r.Sends != 1 || r.Fields["pf"] != "4" || r.Fields["certKey"] != apptest.ApplicantID || r.Fields["userName"] != apptest.ApplicantName ||
			r.Fields["proStatus"] != "3" || r.Fields["areaCode"] != "370400" || r.Fields["assessNumber"] != "1" {
			t.Errorf("record: %+v", r)
		}
	}
	// 及时上报率 counts what the platform acknowledged: all seven, a day after the service (the
	// 26th is a Thursday: within 5 working days).
	if n := w.env.Count(`SELECT count(*) FROM upward_reports WHERE timely`); n != 7 {
		t.Errorf("%d evaluations reported on time, want 7", n)
	}
	if recs[0].Fields["projectNo"] != "37UPD-0000" || recs[0].Fields["satisfaction"] != "2" || recs[0].Fields["evalDetail"] != "502" {
		t.Errorf("the first record: %+v", recs[0].Fields)
	}
}

// TestTwoSendersNeverSendARecordTwice: two instances sending at once share the records: the
// platform receives each record exactly once.
func TestTwoSendersNeverSendARecordTwice(t *testing.T) {
	t.Parallel()
	w, srv := newUpwardWorld(t, 0)
	ctx := context.Background()
	rateCases(t, w.env, srv, "TWO", 24)
	if _, _, err := upward.Enqueue(ctx, w.env.DB, w.env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	acked := make([]int, 2)
	for i := range acked {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sent, err := w.sender(t, 2).Send(ctx)
			if err != nil {
				t.Error(err)
			}
			acked[i] = sent.Acknowledged
		}()
	}
	wg.Wait()
	if acked[0]+acked[1] != 48 {
		t.Fatalf("acknowledged %v, want 48 in all (24 service records, 24 ratings)", acked)
	}
	for _, r := range append(w.sim.Records(), w.sim.Services()...) {
		if r.Sends != 1 {
			t.Errorf("%s sent %d times", r.Fields["projectNo"], r.Sends)
		}
	}
	if n := len(w.sim.Records()); n != 24 {
		t.Fatalf("the platform holds %d records", n)
	}
}

// TestRefusedRecordIsShownAndResent: a record the platform refuses for its content (here a
// platform that wants areaCode in 12 digits, as one vendor's does) is kept refused with the
// platform's reason and is not sent again by itself; once the cause is fixed the office resends
// it and it goes. A refusal for the platform's own reason (busy) is tried again by itself.
func TestRefusedRecordIsShownAndResent(t *testing.T) {
	t.Parallel()
	w, srv := newUpwardWorld(t, 0)
	raw, err := os.ReadFile("../seeds/upward/shandong.yaml")
	if err != nil {
		t.Fatal(err)
	}
	strict, err := upward.ParseProfile([]byte(strings.Replace(string(raw), `pattern: "^[0-9]{6}$"`, `pattern: "^[0-9]{12}$"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	lenient := w.sim.Profile
	w.sim.Profile = strict
	ctx := context.Background()
	rateCases(t, w.env, srv, "REF", 1)
	if _, _, err := upward.Enqueue(ctx, w.env.DB, w.env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	s := w.sender(t, 10)
	if sent, err := s.Send(ctx); err != nil || sent.Refused != 1 {
		t.Fatalf("first send: %+v %v", sent, err)
	}
	var id int64
	var reason string
	if err := w.env.DB.Pool.QueryRow(ctx, `SELECT id, refusal FROM upward_records WHERE state = 'refused'`).Scan(&id, &reason); err != nil ||
		!strings.HasPrefix(reason, "areaCode: 格式不符") {
		t.Fatalf("the refusal: %q %v", reason, err)
	}
	w.env.Clock.Advance(time.Hour)
	if sent, _ := s.Send(ctx); sent != (upward.Sent{}) {
		t.Fatalf("a refused record went again by itself: %+v", sent)
	}
	if st, err := upward.ReadStatus(ctx, w.env.DB, 10); err != nil || st.Refused != 1 || len(st.RefusedRecords) != 1 ||
		st.RefusedRecords[0].ProjectNo != "REF-0000" || st.RefusedRecords[0].Refusal != reason {
		t.Fatalf("the status: %+v %v", st, err)
	}
	w.sim.Profile = lenient // the platform's side fixed (or our profile: the same resend)
	if err := upward.Resend(ctx, w.env.DB, id, w.env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if sent, err := s.Send(ctx); err != nil || sent.Acknowledged != 2 {
		t.Fatalf("resent: %+v %v, want the service record, then its rating", sent, err)
	}
	if err := upward.Resend(ctx, w.env.DB, id, w.env.Clock.Now()); err == nil {
		t.Fatal("an acknowledged record resent")
	}

	// The platform busy: the record waits and goes by itself.
	rateCases(t, w.env, srv, "BUSY", 1)
	if _, _, err := upward.Enqueue(ctx, w.env.DB, w.env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	w.sim.RefuseRate = 1
	if sent, err := s.Send(ctx); err != nil || sent.Failed != 1 || sent.Refused != 0 {
		t.Fatalf("busy: %+v %v", sent, err)
	}
	if n := w.env.Count(`SELECT count(*) FROM upward_records WHERE state = 'pending' AND last_error = '平台繁忙，请稍后重新上报' AND kind = 'service'`); n != 1 {
		t.Fatal("a busy refusal was not kept pending with its reason")
	}
	w.sim.RefuseRate = 0
	w.env.Clock.Advance(2 * time.Minute)
	if sent, err := s.Send(ctx); err != nil || sent.Acknowledged != 2 {
		t.Fatalf("after busy: %+v %v", sent, err)
	}
}

// TestRectificationAndTheFixsRatingGoUp: a real-name bad review through the receipt link goes
// up as its record; when the unit rectifies and feeds back, the same record is sent again with
// the rectification and the answer (the platform updates it, it does not add one); the
// citizen's 满意 through the link goes up as the record's second evaluation (assessNumber 2).
func TestRectificationAndTheFixsRatingGoUp(t *testing.T) {
	t.Parallel()
	w, srv := newUpwardWorld(t, 0)
	ctx := context.Background()
	pushed := srv.PushCase(apptest.Case("FIX-0001", w.env.Clock.Now().Add(-time.Hour)))
	u, _ := url.Parse(pushed["evaluation_url"].(string))
	token := strings.TrimPrefix(u.Path, "/e/")
	lc, err := srv.App.Evaluation.OpenLink(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := srv.App.Evaluation.Ingest(ctx, &evaluation.Submission{Channel: evaluation.Mobile, Key: "mobile:" + token,
		CaseID: lc.CaseID, Stage: lc.Stage, EvaluatorIsApplicant: true, Level: evaluation.VeryDissatisfied, Reasons: []string{"服务效率"}})
	if err != nil {
		t.Fatal(err)
	}
	order, _, err := srv.App.Rectify.Dispatch(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	s := w.sender(t, 10)
	send := func(want int) {
		t.Helper()
		if _, _, err := upward.Enqueue(ctx, w.env.DB, w.env.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if sent, err := s.Send(ctx); err != nil || sent.Acknowledged != want {
			t.Fatalf("send: %+v %v, want %d acknowledged", sent, err, want)
		}
	}
	send(2) // the service record, then the rating
	first := w.sim.Records()
	if len(first) != 1 || first[0].Fields["pf"] != "3" || first[0].Fields["satisfaction"] != "1" || first[0].Fields["rectification"] != "" {
		t.Fatalf("the bad review: %+v", first)
	}

	zh01, err := srv.App.Users.Get(ctx, "zh01")
	if err != nil {
		t.Fatal(err)
	}
	phone := rectify.Common{Method: "phone"}
	step := func(what string, err error) {
		t.Helper()
		w.env.Clock.Advance(time.Hour)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	yes := true
	_, err = srv.App.Rectify.Callback(ctx, zh01, order, rectify.CallbackInput{Common: phone, Reached: &yes, Facts: "核实属实"})
	step("callback", err)
	// The callback moved the order, but nothing the platform holds: the record is not sent again.
	send(0)
	if recs := w.sim.Records(); recs[0].Sends != 1 {
		t.Fatalf("an unchanged record was sent again: %+v", recs[0])
	}
	_, err = srv.App.Rectify.Decide(ctx, zh01, order, rectify.DecideInput{Decision: "now"})
	step("decide", err)
	_, err = srv.App.Rectify.Rectify(ctx, zh01, order, rectify.RectifyInput{Measures: "增设导办人员"})
	step("rectify", err)
	_, err = srv.App.Rectify.Feedback(ctx, zh01, order, rectify.FeedbackInput{Common: rectify.Common{Method: "phone", Note: "已电话告知整改情况"}})
	step("feedback", err)
	send(1)
	recs := w.sim.Records()
	if len(recs) != 1 || recs[0].Updates != 1 || recs[0].Fields["rectification"] != "增设导办人员" || recs[0].Fields["answer"] != "已电话告知整改情况" {
		t.Fatalf("the rectification on the same record: %+v", recs)
	}

	if _, err := srv.App.Rectify.EvaluatorVerdict(ctx, ev.ID, rectify.Satisfied); err != nil {
		t.Fatal(err)
	}
	send(1)
	recs = w.sim.Records()
	if len(recs) != 2 || recs[1].Fields["assessNumber"] != "2" || recs[1].Fields["satisfaction"] != "5" ||
		recs[1].Fields["projectNo"] != recs[0].Fields["projectNo"] {
		t.Fatalf("the fix's rating: %+v", recs)
	}
}

// TestAPlatformThatLostTheServiceRecordGetsItAgain: the platform loses what it held (restored
// from an old backup; the demo's simulator restarted); a rating sent again later is refused as
// a rating of a service it does not know. The sender sends the service record again, then the
// rating: nothing waits for the office.
func TestAPlatformThatLostTheServiceRecordGetsItAgain(t *testing.T) {
	t.Parallel()
	w, srv := newUpwardWorld(t, 0)
	ctx := context.Background()
	rateCases(t, w.env, srv, "LOST", 1)
	if _, _, err := upward.Enqueue(ctx, w.env.DB, w.env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	s := w.sender(t, 10)
	if sent, err := s.Send(ctx); err != nil || sent.Acknowledged != 2 {
		t.Fatalf("first: %+v %v", sent, err)
	}
	w.sim.Forget()
	// The rating changed since (as a rectification fed back makes it): to send again.
	if _, err := w.env.DB.Pool.Exec(ctx, `UPDATE upward_records SET state = 'pending', record_hash = NULL WHERE kind = 'evaluation'`); err != nil {
		t.Fatal(err)
	}
	sent, err := s.Send(ctx)
	if err != nil || sent.Acknowledged != 1 || sent.Failed != 1 || sent.Refused != 0 {
		t.Fatalf("after the platform forgot: %+v %v, want the service record again, the rating waiting", sent, err)
	}
	if svc := w.sim.Services(); len(svc) != 1 || len(w.sim.Records()) != 0 {
		t.Fatalf("the platform holds %d services, %d ratings", len(svc), len(w.sim.Records()))
	}
	w.env.Clock.Advance(time.Minute)
	if sent, err := s.Send(ctx); err != nil || sent.Acknowledged != 1 {
		t.Fatalf("a minute later: %+v %v", sent, err)
	}
	if recs := w.sim.Records(); len(recs) != 1 || recs[0].Fields["projectNo"] != "37LOST-0000" {
		t.Fatalf("the rating: %+v", recs)
	}
	if st := w.states(t); st["acknowledged"] != 2 {
		t.Fatalf("states: %v", st)
	}
}
