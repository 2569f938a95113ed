package rectify_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/evaluation"
	"haochaping/internal/sms"
	"haochaping/internal/testenv"
	"haochaping/rectify"
)

// linkedOrder is a real-name bad review given through a case's receipt link, dispatched: its
// work order, the evaluation and the link's token.
type linkedOrder struct {
	id, evaluationID int64
	token            string
}

// rateByLink pushes a case handled at zh01's window, rates it 非常不满意 through its link as the
// applicant (whose phone the case names) and dispatches the bad review.
func (l *loop) rateByLink(t *testing.T, caseNo string) linkedOrder {
	t.Helper()
	ctx := context.Background()
	pushed := l.srv.PushCase(apptest.Case(caseNo, l.env.Clock.Now().Add(-time.Hour)))
	u, err := url.Parse(pushed["evaluation_url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimPrefix(u.Path, "/e/")
	lc, err := l.srv.App.Evaluation.OpenLink(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := l.srv.App.Evaluation.Ingest(ctx, &evaluation.Submission{Channel: evaluation.Mobile, Key: "mobile:" + token,
		CaseID: lc.CaseID, Stage: lc.Stage, EvaluatorIsApplicant: true, Level: evaluation.VeryDissatisfied, Reasons: []string{"服务效率"}})
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := l.svc.Dispatch(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return linkedOrder{id: id, evaluationID: ev.ID, token: token}
}

// fix takes the order through callback, 立行立改 (the first time) and rectification to feedback,
// as its handler would, an hour apart each.
func (l *loop) fix(t *testing.T, o linkedOrder, measures string) {
	t.Helper()
	ctx := context.Background()
	tick := func() { l.env.Clock.Set(l.env.Clock.Now().Add(time.Hour)) }
	d, err := l.svc.Detail(ctx, l.unit, o.id)
	if err != nil {
		t.Fatal(err)
	}
	if d.State == rectify.PendingCallback {
		tick()
		if _, err := l.svc.Callback(ctx, l.unit, o.id, rectify.CallbackInput{Common: phone, Reached: yes(), Facts: "核实属实"}); err != nil {
			t.Fatal(err)
		}
		tick()
		if _, err := l.svc.Decide(ctx, l.unit, o.id, rectify.DecideInput{Decision: "now"}); err != nil {
			t.Fatal(err)
		}
	}
	tick()
	if _, err := l.svc.Rectify(ctx, l.unit, o.id, rectify.RectifyInput{Measures: measures}); err != nil {
		t.Fatal(err)
	}
	tick()
	if _, err := l.svc.Feedback(ctx, l.unit, o.id, rectify.FeedbackInput{Common: phone}); err != nil {
		t.Fatal(err)
	}
	tick()
}

// TestVerdictSatisfiedIsRecordedAsTheEvaluators: after feedback the evaluator's 满意 is on the
// order as theirs (no staff user in the timeline), the order stays fed back and closes as
// before, and a second answer is refused as already given.
func TestVerdictSatisfiedIsRecordedAsTheEvaluators(t *testing.T) {
	t.Parallel()
	l := newLoop(t)
	ctx := context.Background()
	o := l.rateByLink(t, "VERDICT-0001")
	if _, err := l.svc.EvaluatorVerdict(ctx, o.evaluationID, rectify.Satisfied); !isCode(err, "transition_not_allowed") {
		t.Fatalf("a verdict before feedback: %v, want transition_not_allowed", err)
	}
	l.fix(t, o, "增设导办人员")

	p, err := l.svc.Progress(ctx, o.evaluationID)
	if err != nil || !p.Verdict.Open || p.Next == nil || p.Next.Name != "请您评价整改结果" {
		t.Fatalf("progress after feedback: %+v, %v", p, err)
	}
	out, err := l.svc.EvaluatorVerdict(ctx, o.evaluationID, rectify.Satisfied)
	if err != nil || out.Reopened || out.Final {
		t.Fatalf("满意: %+v, %v", out, err)
	}
	if n := l.env.Count(`SELECT count(*) FROM work_orders WHERE id = $1 AND state = 'fed_back'
		AND evaluator_verdict = 'satisfied' AND evaluator_verdict_at = $2 AND reopened_count = 0`, o.id, l.env.Clock.Now()); n != 1 {
		t.Error("the order does not hold the evaluator's 满意, or left 已反馈")
	}
	if n := l.env.Count(`SELECT count(*) FROM work_order_events WHERE work_order_id = $1 AND action = 'evaluator_verdict'
		AND actor_name = '评价人' AND actor_user_id IS NULL AND method = 'online' AND data->>'verdict' = 'satisfied'`, o.id); n != 1 {
		t.Error("the timeline does not record the verdict as the evaluator's own")
	}
	if _, err := l.svc.EvaluatorVerdict(ctx, o.evaluationID, rectify.Dissatisfied); !isCode(err, "verdict_given") {
		t.Errorf("a second verdict: %v, want verdict_given", err)
	}
	if _, err := l.svc.Close(ctx, l.unit, o.id, rectify.Common{}); err != nil {
		t.Fatalf("close after 满意: %v", err)
	}
	if n := l.env.Count(`SELECT count(*) FROM work_order_events WHERE work_order_id = $1 AND action = 'evaluator_verdict'`, o.id); n != 1 {
		t.Errorf("%d verdict events, want 1", n)
	}

	// The window: a verdict is taken until the end of the 7th day after the feedback.
	late := l.rateByLink(t, "VERDICT-0002")
	l.fix(t, late, "更新办事指南")
	l.env.Clock.Set(l.env.Clock.Now().AddDate(0, 0, 8))
	if _, err := l.svc.EvaluatorVerdict(ctx, late.evaluationID, rectify.Satisfied); !isCode(err, "verdict_period_over") {
		t.Errorf("a verdict after the window: %v, want verdict_period_over", err)
	}
}

// TestVerdictDissatisfiedReopensOnce: the first 不满意 sends the order back to 限期整改 with a new
// deadline and tells the handler and the unit head; rectified and fed back again, a second
// 不满意 is recorded and the office told, and the order stays fed back, to be closed.
func TestVerdictDissatisfiedReopensOnce(t *testing.T) {
	t.Parallel()
	l := newLoop(t)
	ctx := context.Background()
	o := l.rateByLink(t, "VERDICT-0003")
	l.fix(t, o, "增设导办人员")

	out, err := l.svc.EvaluatorVerdict(ctx, o.evaluationID, rectify.Dissatisfied)
	if err != nil || !out.Reopened || out.Final || !out.RectifyDue.After(l.env.Clock.Now()) {
		t.Fatalf("first 不满意: %+v, %v", out, err)
	}
	if n := l.env.Count(`SELECT count(*) FROM work_orders WHERE id = $1 AND state = 'rectifying_deadline' AND reopened_count = 1
		AND rectified_at IS NULL AND fed_back_at IS NULL AND rectify_due = $2 AND evaluator_verdict = 'dissatisfied'`, o.id, out.RectifyDue); n != 1 {
		t.Error("the order is not back in 限期整改 with its new deadline")
	}
	if n := l.env.Count(`SELECT count(*) FROM work_order_events WHERE work_order_id = $1 AND action = 'reopen'
		AND from_state = 'fed_back' AND to_state = 'rectifying_deadline'`, o.id); n != 1 {
		t.Error("no reopen event")
	}
	// The handler, and the heads of both units: the case is 市公安局's, served by a clerk of
	// 市审批服务局 at the 一窗受理 window.
	if n := l.env.Count(`SELECT count(DISTINCT audience || coalesce(staff_id::text, '')) FROM notifications
		WHERE work_order_id = $1 AND kind = 'verdict' AND audience IN ('handler', 'head')`, o.id); n != 3 {
		t.Errorf("%d recipients of the reopening, want 3 (the handler and two unit heads)", n)
	}
	// The same form posted again is "already given", not a second reopening.
	if _, err := l.svc.EvaluatorVerdict(ctx, o.evaluationID, rectify.Dissatisfied); !isCode(err, "verdict_given") {
		t.Errorf("the same 不满意 again: %v, want verdict_given", err)
	}
	p, err := l.svc.Progress(ctx, o.evaluationID)
	if err != nil || p.Verdict.Open || p.Verdict.Reopened != 1 || p.Next == nil || p.Next.Name != "整改中" {
		t.Fatalf("progress after the reopening: %+v, %v", p, err)
	}

	l.fix(t, o, "再次培训窗口人员")
	out, err = l.svc.EvaluatorVerdict(ctx, o.evaluationID, rectify.Dissatisfied)
	if err != nil || out.Reopened || !out.Final {
		t.Fatalf("second 不满意: %+v, %v", out, err)
	}
	if n := l.env.Count(`SELECT count(*) FROM work_orders WHERE id = $1 AND state = 'fed_back' AND reopened_count = 1`, o.id); n != 1 {
		t.Error("the second 不满意 moved the order")
	}
	if n := l.env.Count(`SELECT count(*) FROM work_order_events WHERE work_order_id = $1 AND action = 'reopen'`, o.id); n != 1 {
		t.Errorf("%d reopen events, want 1", n)
	}
	if n := l.env.Count(`SELECT count(*) FROM notifications WHERE work_order_id = $1 AND kind = 'verdict' AND audience = 'office'`, o.id); n != 1 {
		t.Errorf("%d office notifications of the second 不满意, want 1", n)
	}
	if _, err := l.svc.Close(ctx, l.unit, o.id, rectify.Common{}); err != nil {
		t.Fatalf("close after the second 不满意: %v", err)
	}

	// The unit closed the order at once after feedback: the evaluator's 不满意, within the
	// window, still reopens it.
	c := l.rateByLink(t, "VERDICT-0006")
	l.fix(t, c, "增设导办人员")
	if _, err := l.svc.Close(ctx, l.unit, c.id, rectify.Common{}); err != nil {
		t.Fatal(err)
	}
	if out, err := l.svc.EvaluatorVerdict(ctx, c.evaluationID, rectify.Dissatisfied); err != nil || !out.Reopened {
		t.Fatalf("不满意 on a closed order: %+v, %v", out, err)
	}
	if n := l.env.Count(`SELECT count(*) FROM work_orders WHERE id = $1 AND state = 'rectifying_deadline' AND closed_at IS NULL`, c.id); n != 1 {
		t.Error("the closed order was not reopened")
	}
}

// lockedBuffer collects log lines written from the worker's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// tee hands each message to a recorder, then, if it took it, to the log.
type tee struct {
	rec *sms.Recorder
	log *sms.LogSender
}

func (t tee) Send(ctx context.Context, phone, text string) error {
	if err := t.rec.Send(ctx, phone, text); err != nil {
		return err
	}
	return t.log.Send(ctx, phone, text)
}

// TestFeedbackTextsTheLinkMasked: the feedback queues a text message to the evaluator; the
// local stack's sender logs it with the number masked and the link in it; a gateway that
// fails is retried by the queue.
func TestFeedbackTextsTheLinkMasked(t *testing.T) {
	t.Parallel()
	l := newLoop(t)
	var logged lockedBuffer
	rec := &sms.Recorder{}
	l.svc.SMS = tee{rec, &sms.LogSender{Log: slog.New(slog.NewTextHandler(&logged, nil))}}
	l.srv.RunWorker()
	o := l.rateByLink(t, "VERDICT-0004")
	l.fix(t, o, "增设导办人员")
	link := l.srv.URL + "/e/" + o.token
	testenv.Eventually(t, 15*time.Second, "the message is sent", func() bool {
		return l.env.Count(`SELECT count(*) FROM evaluator_sms WHERE work_order_id = $1 AND sent_at IS NOT NULL`, o.id) == 1
	})
	out := logged.String()
	if !strings.Contains(out, "138****5678") || !strings.Contains(out, link) || !strings.Contains(out, "市公安局") {
		t.Errorf("the log does not show the masked number, the unit and the link %s:\n%s", link, out)
	}
	if strings.Contains(out, apptest.ApplicantTel) {
		t.Errorf("the log shows the number in clear:\n%s", out)
	}
	if n := l.env.Count(`SELECT count(*) FROM evaluator_sms WHERE body LIKE '%' || $1 || '%'`, apptest.ApplicantTel); n != 0 {
		t.Error("the stored message holds the number")
	}

	// A gateway that refuses once: the queue tries again, and the message goes out once.
	rec.FailNext(1)
	o2 := l.rateByLink(t, "VERDICT-0005")
	l.fix(t, o2, "更新办事指南")
	testenv.Eventually(t, 20*time.Second, "the message is sent after a retry", func() bool {
		return l.env.Count(`SELECT count(*) FROM evaluator_sms WHERE work_order_id = $1 AND sent_at IS NOT NULL AND attempts = 2`, o2.id) == 1
	})
	if sent := rec.Sent(); len(sent) != 2 || sent[1].Phone != apptest.ApplicantTel || !strings.Contains(sent[1].Text, "/e/"+o2.token) {
		t.Errorf("sent %+v", sent)
	}
}
