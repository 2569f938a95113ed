package rectify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/internal/problem"
	"haochaping/internal/testenv"
	"haochaping/rectify"
)

// loop is a seeded system with a window pad and the users that act in the tests.
type loop struct {
	env    *testenv.Env
	srv    *apptest.Server
	svc    *rectify.Service
	pad    apptest.Device
	unit   *access.User // zh01: window staff of 市审批服务局, the handler of the orders below
	office *access.User // the city's office
	n      int
}

// loopNow is the business time the loop's tests start at: a Wednesday morning in Beijing,
// working days all around.
var loopNow = testenv.Beijing(2026, 11, 25, 10, 0, 0)

func newLoop(t *testing.T) *loop {
	env, srv := apptest.Serve(t, loopNow)
	l := &loop{env: env, srv: srv, svc: srv.App.Rectify, pad: srv.DemoDevice("demo-window-370400-zh01")}
	var err error
	if l.unit, err = srv.App.Users.Get(context.Background(), "zh01"); err != nil {
		t.Fatal(err)
	}
	if l.office, err = srv.App.Users.Get(context.Background(), "office"); err != nil {
		t.Fatal(err)
	}
	return l
}

// order makes a work order, handled by zh01, for a new bad review — real-name when phone is
// set — and puts it in state.
func (l *loop) order(t *testing.T, state rectify.State, realName bool) int64 {
	t.Helper()
	l.n++
	body := map[string]any{"ticket_no": fmt.Sprintf("T%04d", l.n), "staff_no": "370400-ZH01-1", "level": 2,
		"reasons": []string{"服务效率"}, "served_at": l.env.Clock.Now().Add(-time.Hour).Format(time.RFC3339)}
	if realName {
		body["evaluator"] = map[string]any{"name": "李四", "phone": "13900001111"}
	}
	r := l.srv.Signed(l.pad, "POST", windowPath, body)
	if r.Status != 201 {
		t.Fatalf("bad review: %d %s", r.Status, r.Body)
	}
	id, _, err := l.svc.Dispatch(context.Background(), int64(r.JSON(t)["id"].(float64)))
	if err != nil {
		t.Fatal(err)
	}
	l.env.Exec(`UPDATE work_orders SET state = $2, closed_at = CASE WHEN $2 = 'closed' THEN $3::timestamptz END WHERE id = $1`,
		id, string(state), l.env.Clock.Now())
	return id
}

var allStates = []rectify.State{
	rectify.PendingCallback, rectify.Verified, rectify.RectifyingNow, rectify.RectifyingDeadline, rectify.Explained,
	rectify.Appealing, rectify.AppealUpheld, rectify.Rectified, rectify.FedBack, rectify.Closed, rectify.Returned,
}

// step is one action with a valid input, taken by the role that may take it.
type step struct {
	name string
	run  func(l *loop, id int64) (*rectify.Detail, error)
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

var phone = rectify.Common{Method: "phone"}

var steps = []step{
	{"callback", func(l *loop, id int64) (*rectify.Detail, error) {
		return l.svc.Callback(context.Background(), l.unit, id, rectify.CallbackInput{Common: phone, Reached: yes(), Facts: "核实属实"})
	}},
	{"decide_now", func(l *loop, id int64) (*rectify.Detail, error) {
		return l.svc.Decide(context.Background(), l.unit, id, rectify.DecideInput{Decision: "now"})
	}},
	{"decide_deadline", func(l *loop, id int64) (*rectify.Detail, error) {
		return l.svc.Decide(context.Background(), l.unit, id, rectify.DecideInput{Decision: "deadline", Reason: "需协调系统改造"})
	}},
	{"decide_explain", func(l *loop, id int64) (*rectify.Detail, error) {
		return l.svc.Decide(context.Background(), l.unit, id, rectify.DecideInput{Decision: "explain", Explanation: "依法须本人到场"})
	}},
	{"decide_appeal", func(l *loop, id int64) (*rectify.Detail, error) {
		return l.svc.Decide(context.Background(), l.unit, id, rectify.DecideInput{Decision: "appeal", Reason: "评价人误评"})
	}},
	{"rule_upheld", func(l *loop, id int64) (*rectify.Detail, error) {
		return l.svc.RuleAppeal(context.Background(), l.office, id, rectify.RulingInput{Common: rectify.Common{Note: "经核查属误评"}, Upheld: yes()})
	}},
	{"rule_rejected", func(l *loop, id int64) (*rectify.Detail, error) {
		return l.svc.RuleAppeal(context.Background(), l.office, id, rectify.RulingInput{Common: rectify.Common{Note: "理由不成立"}, Upheld: no()})
	}},
	{"rectify", func(l *loop, id int64) (*rectify.Detail, error) {
		return l.svc.Rectify(context.Background(), l.unit, id, rectify.RectifyInput{Measures: "增设导办人员"})
	}},
	{"feedback", func(l *loop, id int64) (*rectify.Detail, error) {
		s := 4
		return l.svc.Feedback(context.Background(), l.unit, id, rectify.FeedbackInput{Common: phone, Satisfaction: &s})
	}},
	{"close", func(l *loop, id int64) (*rectify.Detail, error) {
		return l.svc.Close(context.Background(), l.unit, id, rectify.Common{})
	}},
	{"return", func(l *loop, id int64) (*rectify.Detail, error) {
		return l.svc.Return(context.Background(), l.unit, id, rectify.ReturnInput{Reason: "非本窗口办理"})
	}},
	{"reassign", func(l *loop, id int64) (*rectify.Detail, error) {
		return l.svc.Reassign(context.Background(), l.office, id, rectify.ReassignInput{StaffNo: "370400-ZH02-1"})
	}},
	{"request_extension", func(l *loop, id int64) (*rectify.Detail, error) {
		return l.svc.RequestExtension(context.Background(), l.unit, id, rectify.ExtensionInput{Reason: "需采购设备", WorkingDays: 10})
	}},
	{"grant_extension", func(l *loop, id int64) (*rectify.Detail, error) {
		return l.svc.RuleExtension(context.Background(), l.office, id, rectify.ExtensionRulingInput{Grant: yes()})
	}},
	{"refuse_extension", func(l *loop, id int64) (*rectify.Detail, error) {
		return l.svc.RuleExtension(context.Background(), l.office, id, rectify.ExtensionRulingInput{Grant: no()})
	}},
	{"supervise", func(l *loop, id int64) (*rectify.Detail, error) {
		return l.svc.Supervise(context.Background(), l.office, id, rectify.Common{Note: "请加快整改"})
	}},
	{"reveal_phone", func(l *loop, id int64) (*rectify.Detail, error) {
		if _, err := l.svc.RevealPhone(context.Background(), l.unit, id, rectify.Common{}); err != nil {
			return nil, err
		}
		return l.svc.Detail(context.Background(), l.unit, id)
	}},
}

// allowed is the state machine of DOMAIN.md for a real-name bad review, written out: action →
// state it may be taken from → state it leads to. Every other pair must be refused with 409.
var allowed = map[string]map[rectify.State]rectify.State{
	"callback":        {rectify.PendingCallback: rectify.Verified},
	"decide_now":      {rectify.Verified: rectify.RectifyingNow},
	"decide_deadline": {rectify.Verified: rectify.RectifyingDeadline},
	"decide_explain":  {rectify.Verified: rectify.Explained},
	"decide_appeal":   {rectify.Verified: rectify.Appealing},
	"rule_upheld":     {rectify.Appealing: rectify.AppealUpheld},
	"rule_rejected":   {rectify.Appealing: rectify.RectifyingDeadline},
	"rectify":         {rectify.RectifyingNow: rectify.Rectified, rectify.RectifyingDeadline: rectify.Rectified},
	"feedback":        {rectify.Rectified: rectify.FedBack, rectify.Explained: rectify.FedBack},
	"close":           {rectify.FedBack: rectify.Closed, rectify.AppealUpheld: rectify.Closed},
	"return":          {rectify.PendingCallback: rectify.Returned, rectify.Verified: rectify.Returned},
	"reassign": {rectify.Returned: rectify.PendingCallback, rectify.PendingCallback: rectify.PendingCallback,
		rectify.Verified: rectify.PendingCallback},
	"request_extension": {rectify.RectifyingDeadline: rectify.RectifyingDeadline},
	"grant_extension":   {rectify.RectifyingDeadline: rectify.RectifyingDeadline},
	"refuse_extension":  {rectify.RectifyingDeadline: rectify.RectifyingDeadline},
	"supervise":         {},
	"reveal_phone":      {},
}

func init() {
	// Supervision and the handler's look at the phone: while the order is open.
	for _, st := range allStates {
		if st != rectify.Closed {
			allowed["reveal_phone"][st] = st
			allowed["supervise"][st] = st
		}
	}
}

func TestEveryTransition(t *testing.T) {
	t.Parallel()
	l := newLoop(t)
	for _, s := range steps {
		for _, from := range allStates {
			id := l.order(t, from, true)
			if s.name == "grant_extension" || s.name == "refuse_extension" {
				// A ruling needs a request to rule on.
				l.env.Exec(`UPDATE work_orders SET extension_until = rectify_due + interval '2 days', extension_reason = '需采购设备' WHERE id = $1`, id)
			}
			events := l.env.Count(`SELECT count(*) FROM work_order_events WHERE work_order_id = $1`, id)
			d, err := s.run(l, id)
			to, ok := allowed[s.name][from]
			if ok {
				if err != nil {
					t.Errorf("%s from %s: refused: %v", s.name, from, err)
					continue
				}
				if d.State != to {
					t.Errorf("%s from %s: now %s, want %s", s.name, from, d.State, to)
				}
				if got := l.env.Count(`SELECT count(*) FROM work_order_events WHERE work_order_id = $1 AND action = $2 AND from_state = $3 AND to_state = $4`,
					id, s.name, string(from), string(to)); got != 1 {
					t.Errorf("%s from %s: %d matching events, want 1", s.name, from, got)
				}
				continue
			}
			p, isProblem := problem.As(err)
			if !isProblem || p.Status != 409 {
				t.Errorf("%s from %s: %v, want 409", s.name, from, err)
				continue
			}
			if now := l.env.Count(`SELECT count(*) FROM work_order_events WHERE work_order_id = $1`, id); now != events {
				t.Errorf("%s from %s: a refused action left an event", s.name, from)
			}
			if st := l.env.Count(`SELECT count(*) FROM work_orders WHERE id = $1 AND state = $2`, id, string(from)); st != 1 {
				t.Errorf("%s from %s: a refused action changed the state", s.name, from)
			}
		}
	}
}

func TestAnonymousReviewClosesWithoutFeedback(t *testing.T) {
	t.Parallel()
	l := newLoop(t)
	for _, from := range []rectify.State{rectify.Rectified, rectify.Explained} {
		id := l.order(t, from, false)
		s := 5
		_, err := l.svc.Feedback(context.Background(), l.unit, id, rectify.FeedbackInput{Common: phone, Satisfaction: &s})
		if p, ok := problem.As(err); !ok || p.Code != "anonymous_no_feedback" {
			t.Fatalf("feedback on an anonymous review: %v", err)
		}
		d, err := l.svc.Close(context.Background(), l.unit, id, rectify.Common{Note: "匿名差评已整改"})
		if err != nil || d.State != rectify.Closed {
			t.Fatalf("close an anonymous review from %s: %v", from, err)
		}
	}
	// Nobody can see the phone of an anonymous evaluator: there is none.
	id := l.order(t, rectify.PendingCallback, false)
	if _, err := l.svc.RevealPhone(context.Background(), l.unit, id, rectify.Common{}); err == nil {
		t.Fatal("revealed a phone for an anonymous review")
	}
}

func TestEventsAreAppendOnly(t *testing.T) {
	t.Parallel()
	l := newLoop(t)
	id := l.order(t, rectify.PendingCallback, true)
	ctx := context.Background()
	if _, err := l.env.DB.Pool.Exec(ctx, `UPDATE work_order_events SET note = 'rewritten' WHERE work_order_id = $1`, id); err == nil {
		t.Fatal("an event was updated")
	}
	if _, err := l.env.DB.Pool.Exec(ctx, `DELETE FROM work_order_events WHERE work_order_id = $1`, id); err == nil {
		t.Fatal("an event was deleted")
	}
}
