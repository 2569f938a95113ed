package demohistory

import (
	"fmt"
	"math"

	"haochaping/rectify"
)

// The bad-review loop of each bad review: its outbox row (published and dispatched), its work
// order, the order's timeline and the notifications it caused, as package rectify would have
// left them. A work order lives through its steps in time — dispatch, callback, decision,
// rectification, feedback, closing, with returns, appeals, extensions, reminders, overdue
// sweeps and supervision — and the history stops at the end instant: old orders are closed,
// recent ones are wherever they had got to.

var (
	outboxColumns = []string{"topic", "evaluation_id", "created_at", "published_at", "attempts", "last_error",
		"task_id", "sent_at", "dispatched_at"}
	workOrderColumns = []string{"id", "number", "evaluation_id", "state", "decision", "channel", "real_name",
		"region_id", "department_id", "hall_id", "window_id", "handled_by_staff_id", "assignee_staff_id",
		"callback_due", "rectify_due", "max_rectify_due", "extension_until", "extension_reason",
		"rectify_deadline_reason", "called_back_at", "decided_at", "rectified_at", "fed_back_at", "closed_at",
		"feedback_satisfaction", "appeal_outcome", "callback_overdue", "rectify_overdue", "escalated_at",
		"supervised_at", "created_at", "updated_at", "received_at"}
	eventColumns = []string{"work_order_id", "action", "from_state", "to_state", "actor_name", "at", "method", "note",
		"data", "attachments"}
	notificationColumns = []string{"audience", "staff_id", "region_id", "work_order_id", "kind", "title", "body",
		"created_at", "read_at"}
	noAttachments = []byte("[]")
)

// loopRows are the rows of a chunk's bad reviews.
type loopRows struct {
	outbox, workOrders, events, notifications [][]any
}

// orderSim is one work order living through its steps.
type orderSim struct {
	p    *plan
	r    rng
	s    *slot
	fast bool // a showcase order: its steps come quicker, to reach its state in time

	id, evaluationID int64
	number           string
	state            rectify.State
	at               int64 // time of the last step
	received         int64
	realName         bool
	handledBy        *orgStaff
	assignee         *orgStaff
	dept             *orgDepartment
	region           *orgRegion
	hall, window     any

	cbDue, rectDue, maxDue   int64
	cbSet, rectSet           int64 // when each due was set: its reminder is queued then
	cbOverdue, rectOverdue   bool
	cbReminded, rectReminded int64 // the due already reminded of
	escalated, supervised    int64
	superviseAt              int64

	calledBack, decided, rectified, fedBack, closed int64
	decision, appeal                                string
	satisfaction                                    int
	extUntil                                        int64
	extReason, deadlineReason                       string
	updated                                         int64

	events [][]any
	notes  []*note
}

// simulate runs the loop of the bad review in slot s (evaluation evaluationID, work order id
// with number seq) and appends its rows.
func (p *plan) simulate(out *loopRows, sc *showcase, s *slot, dayIdx, slotNo int, evaluationID, id, seq int64) rectify.State {
	w := &orderSim{p: p, r: newRNG(p.seed, streamLoop, uint64(dayIdx), uint64(slotNo)), s: s, id: id,
		evaluationID: evaluationID, received: s.created, realName: s.realName, state: rectify.PendingCallback,
		dept: s.dept, region: s.region, hall: s.hall, window: windowID(s.window), handledBy: s.staff}
	w.assignee = s.staff
	if w.assignee == nil {
		w.assignee = s.dept.head
	}

	// The outbox row: written with the review, published by the relay, dispatched.
	published := min(w.received+int64(w.r.between(20, 400)*1000), p.end)
	dispatched := min(published+int64(w.r.between(10, 300)*1000), p.end)
	out.outbox = append(out.outbox, []any{"bad_review", evaluationID, toTime(w.received), toTime(published), int32(1), "",
		"dispatch-" + fmt.Sprint(evaluationID), toTime(published), toTime(dispatched)})

	// Deadlines run from when the review arrived (rectify.Dispatch).
	w.cbDue = p.deadlineAfter(w.received, s.region.callbackDays)
	w.rectDue = p.deadlineAfter(w.received, s.region.rectifyDays)
	w.maxDue = p.deadlineAfter(w.received, s.region.maxRectifyDays)
	w.number = fmt.Sprintf("ZG%s%06d", dayDate(bjDay(dispatched)).Format("20060102"), seq)
	w.at, w.cbSet, w.rectSet, w.updated = dispatched, dispatched, dispatched, dispatched
	w.event(dispatched, rectify.Dispatched, "", rectify.PendingCallback, "系统", "system", "",
		map[string]any{"assignee_staff_id": staffNo(w.assignee), "handled_by_staff_id": staffNo(w.handledBy)})
	if w.assignee != nil {
		w.notify(dispatched, "handler", "assigned", "新差评工单 "+w.number, "请在 "+formatDue(w.cbDue)+" 前完成回访核实。")
	} else {
		w.notify(dispatched, "office", "assigned", "差评工单 "+w.number+" 无人可分派", "承办单位没有在岗的负责人，请重新分派。")
	}

	hold := sc.pick(w.received, w.realName, s.dept.head != nil)
	w.fast = hold != ""
	w.run(hold)
	w.reach(p.end) // the sweeps and reminders of an order still open at the end
	if hold != "" && w.state == hold {
		sc.shown(hold)
	}
	out.workOrders = append(out.workOrders, w.row())
	out.events = append(out.events, w.events...)
	for _, n := range w.notes {
		if n.read == 0 {
			n.read = p.wd.addWorkHours(n.created, w.r.between(0.2, 6), &w.r)
		}
		if n.read <= p.end {
			n.row[8] = toTime(n.read)
		}
		out.notifications = append(out.notifications, n.row)
	}
	return w.state
}

// run takes the order through its steps until it is closed, held, stuck or the history ends.
func (w *orderSim) run(hold rectify.State) {
	L := &w.p.story.Loop
	r := &w.r
	// A struggling unit is late and stuck more often.
	neglect := math.Exp(max(w.s.quality, 0))
	late := func(share float64) bool { return hold == "" && r.chance(min(share*neglect, 0.6)) }
	// A stuck order stops before one of its steps (0: callback, 1: decision, 2: rectification
	// or ruling, 3: feedback or closing) and stays open; step -1 marks a place where only a
	// showcase order stops.
	stuckAt := -2
	if hold == "" && r.chance(L.Stuck*neglect) {
		stuckAt = r.intn(4)
	}
	stop := func(step int, st rectify.State) bool {
		return (step >= 0 && step == stuckAt) || (hold != "" && hold == st)
	}
	if stop(-1, rectify.PendingCallback) {
		return
	}

	// 退回 and 重新分派: the unit says the case is not its own; the office gives it to the head.
	if (hold == rectify.Returned || (hold == "" && r.chance(L.Return))) && w.dept.head != nil {
		if !w.reach(w.after(0.5, 6)) {
			return
		}
		w.doReturn()
		if stop(-1, rectify.Returned) || !w.reach(w.after(1, 16)) {
			return
		}
		w.doReassign()
	}
	if stop(0, "") {
		return
	}

	// 回访核实, within a working day, unless late.
	t := w.after(0.3, 7)
	if late(L.LateCallback) {
		t = w.p.wd.workMoment(w.cbDue+int64(r.between(2, 60)*float64(usHour)), r)
	}
	if !w.reach(t) {
		return
	}
	w.doCallback()
	if stop(1, rectify.Verified) || !w.reach(w.after(0.1, 3)) {
		return
	}

	// The decision.
	decision := "now"
	switch x := r.float() * (L.Now + L.Deadline + L.Explain + L.Appeal); {
	case hold == rectify.RectifyingNow || hold == rectify.Rectified || hold == rectify.FedBack:
	case hold == rectify.RectifyingDeadline:
		decision = "deadline"
	case hold == rectify.Explained:
		decision = "explain"
	case hold == rectify.Appealing || hold == rectify.AppealUpheld:
		decision = "appeal"
	case x < L.Now:
	case x < L.Now+L.Deadline:
		decision = "deadline"
	case x < L.Now+L.Deadline+L.Explain:
		decision = "explain"
	default:
		decision = "appeal"
	}
	w.doDecide(decision)
	if stop(2, rectify.State(map[string]string{"now": "rectifying_now", "deadline": "rectifying_deadline",
		"explain": "explained", "appeal": "appealing"}[decision])) {
		return
	}

	switch decision {
	case "appeal":
		if !w.reach(w.p.wd.afterWorkDays(w.at, r.between(0.5, 4), r)) {
			return
		}
		upheld := hold == rectify.AppealUpheld || (hold == "" && r.chance(L.AppealUpheld))
		w.doRule(upheld)
		if upheld {
			if stop(3, rectify.AppealUpheld) || !w.reach(w.after(1, 16)) {
				return
			}
			w.doClose()
			return
		}
		if !w.rectifyBy(late(L.LateRectify), hold) {
			return
		}
	case "deadline":
		if r.chance(L.Extension) && hold == "" {
			if !w.extension() {
				return
			}
		}
		if !w.rectifyBy(late(L.LateRectify), hold) {
			return
		}
	case "now":
		if !w.reach(w.after(1, 16)) {
			return
		}
		w.doRectify()
	}
	if stop(3, rectify.Rectified) {
		return
	}

	// 反馈 to a real-name evaluator, then 办结; an anonymous review closes without feedback.
	if w.realName {
		t := w.after(2, 30)
		if late(L.LateFeedback) {
			t = w.p.wd.workMoment(w.rectDue+int64(r.between(2, 72)*float64(usHour)), r)
		}
		if !w.reach(max(t, w.at)) {
			return
		}
		w.doFeedback()
		if stop(-1, rectify.FedBack) || !w.reach(w.after(0.1, 8)) {
			return
		}
	} else if !w.reach(w.after(0.5, 16)) {
		return
	}
	w.doClose()
}

// rectifyBy rectifies a 限期整改 within its deadline, or after it when late.
func (w *orderSim) rectifyBy(late bool, hold rectify.State) bool {
	r := &w.r
	if hold == rectify.RectifyingDeadline || hold == rectify.Appealing {
		return false
	}
	var t int64
	if late {
		t = w.p.wd.workMoment(w.rectDue+int64(r.between(0.2, 5)*float64(usDay)), r)
	} else {
		span := max(w.rectDue-w.at, usHour)
		t = w.p.wd.workMoment(w.at+int64(float64(span)*r.between(0.15, 0.9)), r)
		if t > w.rectDue {
			t = w.at + int64(float64(span)*r.between(0.1, 0.9))
		}
	}
	if !w.reach(t) {
		return false
	}
	w.doRectify()
	return true
}

// extension asks for a longer deadline and the office rules on it.
func (w *orderSim) extension() bool {
	r := &w.r
	L := &w.p.story.Loop
	t := w.p.wd.afterWorkDays(w.at, r.between(0.5, 3), r)
	if t >= w.rectDue {
		return true // too late to ask: rectify as decided
	}
	days := w.region.rectifyDays + 3 + r.intn(max(1, w.region.maxRectifyDays-w.region.rectifyDays-2))
	until := min(w.p.deadlineAfter(w.received, min(days, w.region.maxRectifyDays)), w.maxDue)
	if bjDay(until) <= bjDay(w.rectDue) {
		return true
	}
	if !w.reach(t) {
		return false
	}
	reason := oneOf(r, extensionRs)
	w.extUntil, w.extReason = until, reason
	w.act(t, rectify.RequestExtension, w.state, w.unitActor(), "", "", map[string]any{"reason": reason,
		"until": jsonTime(until), "working_days": days})
	w.notify(t, "office", "extension", "工单 "+w.number+" 申请延期", reason+"（申请期限 "+formatDue(until)+"）")
	if !w.reach(w.after(2, 16)) {
		return false
	}
	grant := r.chance(L.ExtensionGranted)
	action, title, note := rectify.RefuseExtension, "工单 "+w.number+" 延期申请未获批准", oneOf(r, refuseNotes)
	if grant {
		action, title, note = rectify.GrantExtension, "工单 "+w.number+" 延期至 "+formatDue(until), oneOf(r, grantNotes)
	}
	data := map[string]any{"requested": jsonTime(until), "reason": reason}
	w.act(w.at, action, w.state, w.region.officeName, "", note, data)
	w.extUntil = 0
	if grant {
		w.rectDue, w.rectSet, w.rectOverdue = until, w.at, false
	}
	w.notify(w.at, "handler", "extension", title, note)
	return true
}

// after is the time of the next step: some office hours after the last one (sooner for a
// showcase order).
func (w *orderSim) after(lo, hi float64) int64 {
	h := w.r.between(lo, hi)
	if w.fast {
		h *= 0.3
	}
	return w.p.wd.addWorkHours(w.at, h, &w.r)
}
