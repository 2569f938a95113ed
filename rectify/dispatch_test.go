package rectify_test

import (
	"context"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/bjtime"
	"haochaping/internal/testenv"
)

const windowPath = "/api/v1/channels/window/evaluations"

// badReview posts a bad review from the city hall's first window pad and returns its id.
func badReview(t *testing.T, srv *apptest.Server, pad apptest.Device, ticket, staffNo string) int64 {
	t.Helper()
	body := map[string]any{"ticket_no": ticket, "level": 1, "reasons": []string{"服务态度"}, "comment": "态度生硬",
		"served_at": srv.Clock.Now().Add(-30 * time.Minute).Format(time.RFC3339)}
	if staffNo != "" {
		body["staff_no"] = staffNo
	}
	r := srv.Signed(pad, "POST", windowPath, body)
	if r.Status != 201 {
		t.Fatalf("bad review: %d %s", r.Status, r.Body)
	}
	return int64(r.JSON(t)["id"].(float64))
}

func workOrderOf(env *testenv.Env, evaluationID int64) int {
	return env.Count(`SELECT count(*) FROM work_orders WHERE evaluation_id = $1`, evaluationID)
}

func TestBadReviewIsDispatchedToWhoHandledIt(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	// The afternoon before 国庆 (10/1–10/7 off, Saturday 10/10 worked): deadlines count working
	// days on the State Council calendar, with 调休.
	env.Clock.Set(testenv.Beijing(2026, 9, 30, 16, 0, 0))
	apptest.Seed(env)
	srv := apptest.Start(env)
	srv.RunWorker()
	pad := srv.DemoDevice("demo-window-370400-zh01")

	withStaff := badReview(t, srv, pad, "D101", "370400-ZH01-2")
	withoutStaff := badReview(t, srv, pad, "D102", "")
	testenv.Eventually(t, 10*time.Second, "both bad reviews have a work order", func() bool {
		return workOrderOf(env, withStaff) == 1 && workOrderOf(env, withoutStaff) == 1
	})

	// "谁办理、谁负责": the staff member who served; without one, the head of the window's unit.
	if n := env.Count(`SELECT count(*) FROM work_orders w JOIN staff s ON s.id = w.assignee_staff_id
		WHERE w.evaluation_id = $1 AND s.staff_no = '370400-ZH01-2' AND w.state = 'pending_callback'`, withStaff); n != 1 {
		t.Fatal("the work order is not assigned to the staff member who served")
	}
	if n := env.Count(`SELECT count(*) FROM work_orders w JOIN staff s ON s.id = w.assignee_staff_id
		JOIN departments d ON d.id = w.department_id
		WHERE w.evaluation_id = $1 AND s.is_head AND s.department_id = d.id AND d.code = 'ZZ-SPJ'`, withoutStaff); n != 1 {
		t.Fatal("without a staff member the work order does not go to the unit head")
	}
	var number string
	var created, callbackDue, rectifyDue, maxDue time.Time
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT w.number, e.created_at, w.callback_due, w.rectify_due, w.max_rectify_due
		FROM work_orders w JOIN evaluations e ON e.id = w.evaluation_id WHERE w.evaluation_id = $1`, withStaff).
		Scan(&number, &created, &callbackDue, &rectifyDue, &maxDue); err != nil {
		t.Fatal(err)
	}
	if len(number) != len("ZG20260930000001") || number[:10] != "ZG20260930" {
		t.Fatalf("work order number %q, want ZG20260930…", number)
	}
	// Past the millionth work order the number grows rather than being cut (and colliding).
	var big string
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT work_order_seq_text(1234567) || '/' || work_order_seq_text(42)`).Scan(&big); err != nil || big != "1234567/000042" {
		t.Fatalf("numbers: %q %v", big, err)
	}
	cal := srv.App.Rectify.Calendar
	for _, c := range []struct {
		name string
		got  time.Time
		days int
		want string // by hand, on the 2026 calendar
	}{{"callback", callbackDue, 1, "2026-10-08"}, {"rectify", rectifyDue, 5, "2026-10-13"}, {"max", maxDue, 15, "2026-10-27"}} {
		wantDay := cal.AddWorkdays(bjtime.Day(created), c.days)
		if !bjtime.Day(c.got).Equal(wantDay) || wantDay.Format("2006-01-02") != c.want || c.got.In(bjtime.Location).Hour() != 23 {
			t.Errorf("%s due %v, want the end of %s (%d working days)", c.name, c.got.In(bjtime.Location), c.want, c.days)
		}
	}
	// The record starts at once, the handler is told, the outbox row is closed.
	if n := env.Count(`SELECT count(*) FROM work_order_events v JOIN work_orders w ON w.id = v.work_order_id
		WHERE w.evaluation_id = $1 AND v.action = 'dispatched'`, withStaff); n != 1 {
		t.Fatal("no dispatched event")
	}
	if n := env.Count(`SELECT count(*) FROM notifications n JOIN staff s ON s.id = n.staff_id
		WHERE s.staff_no = '370400-ZH01-2' AND n.kind = 'assigned'`); n != 1 {
		t.Fatal("the handler was not notified")
	}
	testenv.Eventually(t, 5*time.Second, "outbox rows marked dispatched", func() bool {
		return env.Count(`SELECT count(*) FROM outbox WHERE dispatched_at IS NULL`) == 0
	})
}

func TestDispatchIsIdempotent(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	apptest.Seed(env)
	srv := apptest.Start(env) // no worker: the test dispatches by hand
	id := badReview(t, srv, srv.DemoDevice("demo-window-370400-zh01"), "D201", "")
	ctx := context.Background()
	first, created, err := srv.App.Rectify.Dispatch(ctx, id)
	if err != nil || !created {
		t.Fatalf("first dispatch: %v created=%v", err, created)
	}
	again, created, err := srv.App.Rectify.Dispatch(ctx, id)
	if err != nil || created || again != first {
		t.Fatalf("second dispatch: id %d (first %d) created=%v err=%v", again, first, created, err)
	}
	if n := env.Count(`SELECT count(*) FROM work_orders`); n != 1 {
		t.Fatalf("work orders = %d", n)
	}
	if n := env.Count(`SELECT count(*) FROM work_order_events`); n != 1 {
		t.Fatalf("events = %d: a repeated dispatch recorded again", n)
	}
}
