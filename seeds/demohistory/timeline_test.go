package demohistory_test

import (
	"context"
	"fmt"
	"testing"

	"haochaping/internal/testenv"
	"haochaping/rectify"
)

// checkTimelines replays the timeline of every work order in the schema — its events in id
// order — through the checks of rectify's API: each step (an action of rectify's transition
// table) must be one rectify.Next allows from the state the order was in, for a real-name
// review or not, and lead where Next says; the system's records (reminders, overdue marks,
// escalations) leave the state, and are made only for a step still owed (rectify.StepOpen); the
// first event is the dispatch, each event starts from the state the previous one left, and the
// order's state is where its timeline ends. It also checks that the history took every step
// the demo simulates at least once, so that a pass is not a pass over nothing.
func checkTimelines(t *testing.T, env *testenv.Env) {
	t.Helper()
	ctx := context.Background()
	type order struct {
		number   string
		state    rectify.State
		realName bool
	}
	orders := map[int64]*order{}
	rows, err := env.DB.Pool.Query(ctx, `SELECT id, number, state, real_name FROM work_orders`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		o := &order{}
		if err := rows.Scan(&id, &o.number, &o.state, &o.realName); err != nil {
			t.Fatal(err)
		}
		orders[id] = o
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(orders) == 0 {
		t.Fatal("no work orders")
	}

	rows, err = env.DB.Pool.Query(ctx, `SELECT work_order_id, id, action, COALESCE(from_state, ''), COALESCE(to_state, ''),
		COALESCE(data->>'step', '') FROM work_order_events ORDER BY work_order_id, id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var broken []string
	fail := func(o *order, eventID int64, format string, args ...any) {
		broken = append(broken, fmt.Sprintf("%s (event %d): %s", o.number, eventID, fmt.Sprintf(format, args...)))
	}
	taken := map[rectify.Action]int{}
	replayed := map[int64]rectify.State{} // work order → the state its timeline has reached so far
	var lastOrder int64
	var last rectify.Action
	for rows.Next() {
		var woID, eventID int64
		var action rectify.Action
		var from, to rectify.State
		var step string
		if err := rows.Scan(&woID, &eventID, &action, &from, &to, &step); err != nil {
			t.Fatal(err)
		}
		o := orders[woID]
		if o == nil {
			t.Fatalf("event %d of work order %d, which does not exist", eventID, woID)
		}
		taken[action]++
		state, started := replayed[woID]
		if woID != lastOrder {
			last = ""
		}
		lastOrder = woID
		switch {
		case !started:
			if action != rectify.Dispatched || from != "" || to != rectify.PendingCallback {
				fail(o, eventID, "the timeline starts with %s %q → %q, not the dispatch to %s", action, from, to, rectify.PendingCallback)
			}
			replayed[woID] = to
			last = action
			continue
		case action == rectify.Dispatched:
			fail(o, eventID, "dispatched a second time")
		case from != state:
			fail(o, eventID, "%s from %s, but the order was %s", action, from, state)
		case action == rectify.Remind || action == rectify.Overdue || action == rectify.Escalate:
			if to != from {
				fail(o, eventID, "%s moved the state %s → %s", action, from, to)
			}
			if step != rectify.StepCallback && step != rectify.StepRectify {
				fail(o, eventID, "%s of no step (%q)", action, step)
			} else if action != rectify.Escalate && !rectify.StepOpen(step, state, o.realName) {
				fail(o, eventID, "%s of the %s step, which is not owed in %s (real name: %v)", action, step, state, o.realName)
			}
			if action == rectify.Escalate && last != rectify.Overdue {
				fail(o, eventID, "escalated after %s, not after an overdue mark", last)
			}
		default:
			next, err := rectify.Next(action, state, o.realName)
			switch {
			case err != nil:
				fail(o, eventID, "%s from %s (real name: %v), which the API refuses: %v", action, state, o.realName, err)
			case next != to:
				fail(o, eventID, "%s from %s led to %s; rectify leads to %s", action, state, to, next)
			}
		}
		replayed[woID] = to
		last = action
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for id, o := range orders {
		switch st, ok := replayed[id]; {
		case !ok:
			broken = append(broken, o.number+": no timeline")
		case st != o.state:
			broken = append(broken, fmt.Sprintf("%s: the order is %s, its timeline ends in %s", o.number, o.state, st))
		}
	}
	for i, b := range broken {
		if i == 20 {
			t.Errorf("… and %d more", len(broken)-i)
			break
		}
		t.Error(b)
	}
	if len(broken) > 0 {
		t.Errorf("%d of %d work orders' steps break rectify's rules", len(broken), len(orders))
	}

	// Every step the demo takes, at least once.
	for _, a := range []rectify.Action{rectify.Dispatched, rectify.Callback, rectify.DecideNow, rectify.DecideDeadline,
		rectify.DecideExplain, rectify.DecideAppeal, rectify.RuleUpheld, rectify.RuleRejected, rectify.Rectify,
		rectify.Feedback, rectify.Close, rectify.Return, rectify.Reassign, rectify.RequestExtension,
		rectify.GrantExtension, rectify.RefuseExtension, rectify.Supervise, rectify.Remind, rectify.Overdue,
		rectify.Escalate} {
		if taken[a] == 0 {
			t.Errorf("the history never took the step %s", a)
		}
	}
	t.Logf("replayed %d work orders, steps taken: %v", len(orders), taken)
}
