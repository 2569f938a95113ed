package demohistory

import (
	"fmt"
	"math"

	"haochaping/internal/problem"
	"haochaping/rectify"
)

// The bad-review loop of each bad review: its outbox row (published and dispatched), its work
// order, the order's timeline and the notifications it caused, as package rectify would have
// left them. A work order lives through its steps in time — dispatch, callback, decision,
// rectification, feedback, closing, with returns, appeals, extensions, reminders, overdue
// sweeps and supervision — and the history stops at the end instant: old orders are closed,
// recent ones are wherever they had got to. The rules are rectify's own: every step passes
// rectify.Next (a step it refuses stops the load: a bug of the simulation), the deadlines come
// from its deadline functions and the words from its texts; only the clock is the demo's.

var noAttachments = []byte("[]")

// loopRows are the rows of a chunk's bad reviews, in the column order of evaluation.CopyOutbox
// and of rectify's CopyWorkOrders, CopyEvents and CopyNotifications.
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

	cbDue, rectDue, maxDue   int64 // rectify.Deadlines, in microseconds
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
// with number seq) and appends its rows. It fails when a step of the simulation is one rectify
// refuses.
func (p *plan) simulate(out *loopRows, sc *showcase, s *slot, dayIdx, slotNo int, evaluationID, id, seq int64) (w *orderSim, err error) {
	w = &orderSim{p: p, r: newRNG(p.seed, streamLoop, uint64(dayIdx), uint64(slotNo)), s: s, id: id,
		evaluationID: evaluationID, received: s.created, realName: s.realName, state: rectify.PendingCallback,
		dept: s.dept, region: s.region, hall: s.hall, window: windowID(s.window), handledBy: s.staff}
	defer func() {
		if r := recover(); r != nil {
			refused, ok := r.(refusedStep)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("work order %s (evaluation %d): %w", w.number, evaluationID, refused.err)
		}
	}()
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
	due := rectify.DispatchDeadlines(p.cal, toTime(w.received), s.region.deadlines)
	w.setDeadlines(due)
	w.number = fmt.Sprintf("ZG%s%06d", dayDate(bjDay(dispatched)).Format("20060102"), seq)
	w.at, w.cbSet, w.rectSet, w.updated = dispatched, dispatched, dispatched, dispatched
	w.event(dispatched, rectify.Dispatched, "", rectify.PendingCallback, rectify.SystemActor, "system", "",
		map[string]any{"assignee_staff_id": staffID(w.assignee), "handled_by_staff_id": staffID(w.handledBy)})
	w.notify(dispatched, rectify.DispatchNotice(w.number, w.assignee != nil, due.Callback))

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
	return w, nil
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
	if stop(2, w.state) {
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
	d := w.region.deadlines
	t := w.p.wd.afterWorkDays(w.at, r.between(0.5, 3), r)
	if t >= w.rectDue || d.Max <= d.Rectify {
		return true // too late to ask, or nothing longer to ask for: rectify as decided
	}
	days := min(d.Rectify+3+r.intn(max(1, d.Max-d.Rectify-2)), d.Max)
	until, err := rectify.ExtensionDeadline(w.p.cal, toTime(w.received), days, d, w.deadlines())
	if pr, ok := problem.As(err); ok && pr.Code == "extension_not_longer" {
		return true // rectify refuses an extension no longer than the deadline: rectify as decided
	}
	w.must(err)
	if !w.reach(t) {
		return false
	}
	reason := oneOf(r, extensionRs)
	w.extUntil, w.extReason = until.UnixMicro(), reason
	w.act(t, rectify.RequestExtension, w.unitActor(), "", "", map[string]any{"reason": reason,
		"until": until, "working_days": days})
	w.notify(t, rectify.ExtensionRequestNotice(w.number, reason, until))
	if !w.reach(w.after(2, 16)) {
		return false
	}
	grant := r.chance(L.ExtensionGranted)
	action, note := rectify.RefuseExtension, oneOf(r, refuseNotes)
	if grant {
		action, note = rectify.GrantExtension, oneOf(r, grantNotes)
	}
	requested := jsonTime(w.extUntil)
	w.act(w.at, action, w.region.officeName, "", note, map[string]any{"requested": requested, "reason": reason})
	if grant {
		w.rectDue, w.rectSet, w.rectOverdue = w.extUntil, w.at, false
	}
	w.extUntil = 0
	w.notify(w.at, rectify.ExtensionRulingNotice(w.number, grant, requested, note))
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
