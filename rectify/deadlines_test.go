package rectify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"haochaping/internal/problem"
	"haochaping/internal/queue"
	"haochaping/internal/testenv"
	"haochaping/rectify"
)

func TestOverdueStepsAreMarkedAndEscalatedOnce(t *testing.T) {
	t.Parallel()
	l := newLoop(t)
	late := l.order(t, rectify.PendingCallback, true)
	onTime := l.order(t, rectify.PendingCallback, true)
	l.env.Exec(`UPDATE work_orders SET callback_due = $2::timestamptz - interval '1 hour' WHERE id = $1`, late, l.env.Clock.Now())

	n, err := l.svc.SweepOverdue(context.Background(), 0)
	if err != nil || n != 1 {
		t.Fatalf("sweep marked %d steps, %v; want 1", n, err)
	}
	if c := l.env.Count(`SELECT count(*) FROM work_orders WHERE id = $1 AND callback_overdue AND NOT rectify_overdue AND escalated_at IS NOT NULL`, late); c != 1 {
		t.Fatal("the late callback is not marked overdue and escalated")
	}
	if c := l.env.Count(`SELECT count(*) FROM work_orders WHERE id = $1 AND NOT callback_overdue`, onTime); c != 1 {
		t.Fatal("an order on time was marked")
	}
	for _, action := range []string{"overdue", "escalate"} {
		if c := l.env.Count(`SELECT count(*) FROM work_order_events WHERE work_order_id = $1 AND action = $2`, late, action); c != 1 {
			t.Errorf("%s events = %d, want 1", action, c)
		}
	}
	// The handler, the unit head and the office are told.
	if c := l.env.Count(`SELECT count(DISTINCT audience) FROM notifications WHERE work_order_id = $1 AND kind IN ('overdue', 'escalated')`, late); c != 3 {
		t.Fatalf("told %d audiences, want handler, head and office", c)
	}
	// The office's inbox shows it; the handler's too.
	for _, user := range []string{"office", "zh01", "spj-head"} {
		r := l.srv.As(l.srv.Login(user, "demo1234"), "GET", "/api/v1/notifications?unread=true", nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), "逾期") {
			t.Errorf("%s's inbox: %d %s", user, r.Status, r.Body)
		}
	}
	// A second sweep finds nothing new.
	if n, err := l.svc.SweepOverdue(context.Background(), 0); err != nil || n != 0 {
		t.Fatalf("second sweep marked %d, %v", n, err)
	}
	// The inbox lists overdue orders first, and closed ones — however late they once were — last.
	closed := l.order(t, rectify.Closed, true)
	l.env.Exec(`UPDATE work_orders SET callback_overdue = true, rectify_overdue = true, callback_due = $2::timestamptz - interval '9 days' WHERE id = $1`, closed, l.env.Clock.Now())
	r := l.srv.As(l.srv.Login("zh01", "demo1234"), "GET", "/api/v1/workorders", nil)
	items := r.JSON(t)["items"].([]any)
	if int64(items[0].(map[string]any)["id"].(float64)) != late || items[0].(map[string]any)["overdue_now"] != true {
		t.Fatalf("the overdue order is not first: %s", r.Body)
	}
	lastItem := items[len(items)-1].(map[string]any)
	if int64(lastItem["id"].(float64)) != closed || lastItem["overdue_now"] != false {
		t.Fatalf("the closed order is not last, or counts as overdue now: %v", lastItem)
	}
}

func TestReminderBeforeTheDeadline(t *testing.T) {
	t.Parallel()
	l := newLoop(t)
	// The queue holds a reminder until its business instant comes, counted on the machine's
	// clock from now: here business time is the machine's, so that NextProcessAt can be read
	// against the deadline as in service.
	l.env.Clock.Set(time.Now())
	id := l.order(t, rectify.PendingCallback, true)
	// The dispatcher queued, for each open step, a reminder before its deadline and a check at it.
	q := l.srv.App.Queue
	scheduled, err := q.Inspector.ListScheduledTasks(q.Name(queue.Deadlines))
	if err != nil {
		t.Fatal(err)
	}
	var remind string
	var due time.Time
	if err := l.env.DB.Pool.QueryRow(context.Background(), `SELECT callback_due FROM work_orders WHERE id = $1`, id).Scan(&due); err != nil {
		t.Fatal(err)
	}
	for _, task := range scheduled {
		var p struct {
			WorkOrderID int64  `json:"work_order_id"`
			Step, Kind  string `json:"-"`
		}
		_ = json.Unmarshal(task.Payload, &p)
		if p.WorkOrderID == id && strings.Contains(task.ID, "-callback-remind-") {
			remind = task.ID
			if got := task.NextProcessAt; got.Before(due.Add(-5*time.Hour)) || got.After(due) {
				t.Fatalf("reminder at %v for a deadline at %v", got, due)
			}
		}
	}
	if remind == "" {
		t.Fatalf("no callback reminder scheduled among %d tasks", len(scheduled))
	}
	// Run it now instead of hours from now, with a worker.
	l.srv.RunWorker()
	if err := q.Inspector.RunTask(q.Name(queue.Deadlines), remind); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "the handler was reminded", func() bool {
		return l.env.Count(`SELECT count(*) FROM notifications WHERE work_order_id = $1 AND kind = 'reminder'`, id) == 1
	})
	if c := l.env.Count(`SELECT count(*) FROM work_order_events WHERE work_order_id = $1 AND action = 'remind'`, id); c != 1 {
		t.Fatalf("remind events = %d", c)
	}
}

func TestWebhookDeliveryRetries(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var calls int
	var delivered []string
	robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 { // the robot is down the first time
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		var msg struct {
			MsgType string `json:"msgtype"`
			Text    struct {
				Content string `json:"content"`
			} `json:"text"`
		}
		_ = json.NewDecoder(r.Body).Decode(&msg)
		delivered = append(delivered, msg.MsgType+": "+msg.Text.Content)
	}))
	defer robot.Close()

	l := newLoop(t)
	l.svc.WebhookURL = robot.URL
	l.srv.RunWorker()
	id := l.order(t, rectify.PendingCallback, true) // dispatch tells the handler: one notification
	testenv.Eventually(t, 20*time.Second, "the notification reached the robot after a retry", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(delivered) == 1
	})
	mu.Lock()
	defer mu.Unlock()
	var number string
	_ = l.env.DB.Pool.QueryRow(context.Background(), `SELECT number FROM work_orders WHERE id = $1`, id).Scan(&number)
	if calls != 2 || !strings.HasPrefix(delivered[0], "text: 【好差评】新差评工单 "+number) {
		t.Fatalf("calls %d, delivered %q", calls, delivered)
	}
}

// TestRevealPhoneToWhoeverCallsBackAndRecorded: the phone goes to those who may make the
// callback — the handler, and the unit head or hall head taking the step for them — each time
// recorded; never to the office, auditors, or anyone who does not see the order.
func TestRevealPhoneToWhoeverCallsBackAndRecorded(t *testing.T) {
	t.Parallel()
	l := newLoop(t)
	id := l.order(t, rectify.PendingCallback, true)
	path := fmt.Sprintf("/api/v1/workorders/%d/reveal-phone", id)
	for other, status := range map[string]int{"office": 403, "auditor": 403, "ga01": 404, "gaj-head": 404} {
		r := l.srv.As(l.srv.Login(other, "demo1234"), "POST", path, nil)
		if r.Status != status || strings.Contains(string(r.Body), "13900001111") {
			t.Errorf("%s: %d %s, want %d without the phone", other, r.Status, r.Body, status)
		}
	}
	tok := l.srv.Login("zh01", "demo1234")
	for _, who := range []string{"zh01", "spj-head", "hall-head"} {
		r := l.srv.As(l.srv.Login(who, "demo1234"), "POST", path, nil)
		if r.Status != 200 || r.JSON(t)["phone"] != "13900001111" {
			t.Fatalf("%s: %d %s", who, r.Status, r.Body)
		}
	}
	if c := l.env.Count(`SELECT count(DISTINCT u.username) FROM work_order_events v JOIN users u ON u.id = v.actor_user_id
		WHERE v.work_order_id = $1 AND v.action = 'reveal_phone' AND u.username IN ('zh01', 'spj-head', 'hall-head')`, id); c != 3 {
		t.Fatalf("reveal events by distinct users = %d, want 3", c)
	}
	if c := l.env.Count(`SELECT count(*) FROM work_order_events WHERE work_order_id = $1 AND action = 'reveal_phone'`, id); c != 3 {
		t.Fatalf("reveal events = %d, want 3", c)
	}
	// Everywhere else the evaluator is masked.
	d := l.srv.As(tok, "GET", fmt.Sprintf("/api/v1/workorders/%d", id), nil)
	if strings.Contains(string(d.Body), "13900001111") || !strings.Contains(string(d.Body), "139****1111") {
		t.Fatalf("detail shows: %s", d.Body)
	}
}

func TestCallbackScripts(t *testing.T) {
	t.Parallel()
	l := newLoop(t)
	id := l.order(t, rectify.PendingCallback, true)
	office := l.srv.Login("office", "demo1234")
	r := l.srv.As(office, "POST", "/api/v1/callback-scripts", map[string]any{
		"title": "差评回访", "body": "{{evaluator}}您好，关于您{{date}}办理{{item}}的评价（工单{{number}}），我们来电回访。"})
	if r.Status != 201 {
		t.Fatalf("create script: %d %s", r.Status, r.Body)
	}
	script := int64(r.JSON(t)["id"].(float64))
	if r := l.srv.As(office, "POST", "/api/v1/callback-scripts", map[string]any{"title": "x", "body": "{{phone}}"}); r.Status != 422 || r.Code(t) != "invalid_placeholder" {
		t.Fatalf("a script with an unknown placeholder: %d %s", r.Status, r.Body)
	}
	zh01 := l.srv.Login("zh01", "demo1234")
	if r := l.srv.As(zh01, "POST", "/api/v1/callback-scripts", map[string]any{"title": "x", "body": "y"}); r.Status != 403 {
		t.Fatalf("window staff writing a script: %d", r.Status)
	}
	r = l.srv.As(zh01, "GET", fmt.Sprintf("/api/v1/workorders/%d/scripts/%d", id, script), nil)
	text, _ := r.JSON(t)["text"].(string)
	if r.Status != 200 || !strings.HasPrefix(text, "李*您好") || strings.Contains(text, "{{") {
		t.Fatalf("rendered: %d %s", r.Status, r.Body)
	}
	// The callback records which script was used.
	r = l.srv.As(zh01, "POST", fmt.Sprintf("/api/v1/workorders/%d/callback", id),
		map[string]any{"method": "phone", "reached": true, "facts": "已核实", "script_id": script})
	if r.Status != 200 {
		t.Fatalf("callback: %d %s", r.Status, r.Body)
	}
	if c := l.env.Count(`SELECT count(*) FROM work_order_events WHERE work_order_id = $1 AND action = 'callback' AND (data->>'script_id')::bigint = $2`, id, script); c != 1 {
		t.Fatal("the script is not in the callback's record")
	}
}

// TestUnitChoosesAtMostTheDefaultDeadline: a unit decides 限期整改 within the region's default
// (5 working days, or the region's own setting); anything longer is an extension it asks the
// office for, up to 15 in all, which only the office grants.
func TestUnitChoosesAtMostTheDefaultDeadline(t *testing.T) {
	t.Parallel()
	l := newLoop(t)
	ctx := context.Background()
	decide := func(id int64, days int) (*rectify.Detail, error) {
		return l.svc.Decide(ctx, l.unit, id, rectify.DecideInput{Decision: "deadline", Reason: "需改造叫号系统", WorkingDays: &days})
	}
	long := l.order(t, rectify.Verified, true)
	for _, days := range []int{6, 15} {
		if _, err := decide(long, days); !isCode(err, "deadline_needs_extension") {
			t.Fatalf("the unit grants itself %d working days: %v", days, err)
		}
	}
	d, err := decide(long, 5)
	if err != nil {
		t.Fatalf("5 working days: %v", err)
	}
	if want := l.svc.Calendar.DeadlineAfter(loopNow, 5).Truncate(time.Microsecond); !d.Deadlines.Rectify.Equal(want) {
		t.Fatalf("due %v, want %v", d.Deadlines.Rectify, want)
	}
	// Longer: asked for, granted by the office alone.
	if _, err := l.svc.RequestExtension(ctx, l.unit, long, rectify.ExtensionInput{Reason: "需招标采购设备", WorkingDays: 16}); !isCode(err, "invalid_working_days") {
		t.Fatalf("an extension past 15 working days: %v", err)
	}
	if _, err := l.svc.RequestExtension(ctx, l.unit, long, rectify.ExtensionInput{Reason: "需招标采购设备", WorkingDays: 15}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.svc.RuleExtension(ctx, l.unit, long, rectify.ExtensionRulingInput{Grant: yes()}); !isCode(err, "forbidden_action") {
		t.Fatalf("the unit grants its own extension: %v", err)
	}
	d, err = l.svc.RuleExtension(ctx, l.office, long, rectify.ExtensionRulingInput{Grant: yes()})
	if err != nil || !d.Deadlines.Rectify.Equal(l.svc.Calendar.DeadlineAfter(loopNow, 15).Truncate(time.Microsecond)) {
		t.Fatalf("granted: %v, %v", d, err)
	}
	// A region that sets 3 days for itself lets its units choose 3, not 4.
	l.env.Exec(`INSERT INTO settings (region_id, key, value) SELECT id, 'rectify_working_days', '3' FROM regions WHERE code = '370400'`)
	short := l.order(t, rectify.Verified, true)
	if _, err := decide(short, 4); !isCode(err, "deadline_needs_extension") {
		t.Fatalf("4 days where the region's default is 3: %v", err)
	}
	if _, err := decide(short, 3); err != nil {
		t.Fatalf("3 days: %v", err)
	}
}

func isCode(err error, code string) bool {
	p, ok := problem.As(err)
	return ok && p.Code == code
}

// TestDeadlineTasksWaitOnTheBusinessClock: the queue waits on the machine's clock, deadlines are
// in business time. A reminder is due as far ahead of the business clock as its deadline lies,
// whatever the machine's hour: with business time a day in the past (as in the tests, or a
// machine whose clock is set wrong), a reminder 4 hours before a deadline due tomorrow must
// still be hours ahead, not due at once.
func TestDeadlineTasksWaitOnTheBusinessClock(t *testing.T) {
	t.Parallel()
	l := newLoop(t)
	l.env.Clock.Set(time.Now().Add(-36 * time.Hour))
	id := l.order(t, rectify.PendingCallback, true)
	var due time.Time
	if err := l.env.DB.Pool.QueryRow(context.Background(), `SELECT callback_due FROM work_orders WHERE id = $1`, id).Scan(&due); err != nil {
		t.Fatal(err)
	}
	ahead := due.Add(-rectify.ReminderLead).Sub(l.env.Clock.Now())
	if ahead < time.Hour {
		t.Fatalf("the reminder is %v ahead of business time: the test needs hours", ahead)
	}
	q := l.srv.App.Queue
	scheduled, err := q.Inspector.ListScheduledTasks(q.Name(queue.Deadlines))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, task := range scheduled {
		if strings.HasPrefix(task.ID, fmt.Sprintf("deadline-%d-callback-remind-", id)) {
			found = true
			if wait := time.Until(task.NextProcessAt); wait < ahead-time.Minute || wait > ahead+time.Minute {
				t.Errorf("the reminder waits %v on the machine's clock, want %v", wait, ahead)
			}
		}
	}
	if !found {
		t.Fatalf("the reminder is not waiting among the %d scheduled tasks", len(scheduled))
	}
}
