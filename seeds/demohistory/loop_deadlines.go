package demohistory

import (
	"math"

	"haochaping/rectify"
)

// What the queue and the overdue sweep do to an open work order as time passes (package rectify:
// scheduleDeadlines, remind, SweepOverdue), and the office's supervision of late orders.

// Deadline checks run by the queue: a reminder 4 hours before a due step, the overdue check at
// it; each task runs a second after its time (rectify.scheduleDeadlines), and takes a moment.
const (
	remindLead = 4 * usHour
	taskDelay  = usSecond + 300*1000
)

// reach moves the clock to t, running on the way the reminders and overdue sweeps that fall
// due; false when t is after the end (the history stops there).
func (w *orderSim) reach(t int64) bool {
	limit := min(t, w.p.end)
	for {
		at, check := w.nextCheck()
		if check == nil || at > limit {
			break
		}
		check(at)
	}
	if t > w.p.end {
		return false
	}
	w.at = max(w.at, t)
	return true
}

// nextCheck finds the earliest deadline check after the last step that applies in the current
// state.
func (w *orderSim) nextCheck() (int64, func(int64)) {
	best, run := int64(math.MaxInt64), (func(int64))(nil)
	consider := func(at int64, ok bool, fn func(int64)) {
		if ok && at > w.at && at < best {
			best, run = at, fn
		}
	}
	cbOpen := w.state == rectify.PendingCallback
	rectOpen := w.rectifyStepOpen()
	consider(w.cbDue-remindLead+taskDelay, cbOpen && w.cbReminded != w.cbDue && w.cbDue-remindLead > w.cbSet, func(at int64) {
		w.cbReminded = w.cbDue
		w.remind(at, "callback", "回访核实", w.cbDue)
	})
	consider(w.cbDue+taskDelay, cbOpen && !w.cbOverdue, func(at int64) {
		w.cbOverdue = true
		w.overdue(at, "callback", "回访核实", w.cbDue)
	})
	consider(w.rectDue-remindLead+taskDelay, rectOpen && w.rectReminded != w.rectDue && w.rectDue-remindLead > w.rectSet, func(at int64) {
		w.rectReminded = w.rectDue
		w.remind(at, "rectify", "整改反馈", w.rectDue)
	})
	consider(w.rectDue+taskDelay, !w.rectOverdue && w.sweepsRectify(), func(at int64) {
		w.rectOverdue = true
		w.overdue(at, "rectify", "整改反馈", w.rectDue)
	})
	consider(w.superviseAt, w.superviseAt != 0 && w.state != rectify.Closed, func(at int64) {
		w.superviseAt = 0
		w.supervised = at
		note := oneOf(&w.r, superviseNotes)
		w.act(at, rectify.Supervise, w.state, w.region.officeName, "", note, nil)
		w.notify(at, "handler", "supervised", "工单 "+w.number+" 被督办", note)
		w.notify(at, "head", "supervised", "工单 "+w.number+" 被督办", note)
	})
	if run == nil {
		return 0, nil
	}
	return best, run
}

// rectifyStepOpen is rectify's WorkOrder.rectifyStepOpen: rectification and feedback are owed.
func (w *orderSim) rectifyStepOpen() bool {
	switch w.state {
	case rectify.FedBack, rectify.Closed, rectify.AppealUpheld, rectify.Appealing, rectify.Returned:
		return false
	case rectify.Rectified, rectify.Explained:
		return w.realName
	}
	return true
}

// sweepsRectify is the condition of rectify.SweepOverdue for the rectification step.
func (w *orderSim) sweepsRectify() bool {
	switch w.state {
	case rectify.PendingCallback, rectify.Verified, rectify.RectifyingNow, rectify.RectifyingDeadline:
		return true
	case rectify.Rectified, rectify.Explained:
		return w.realName
	}
	return false
}

func (w *orderSim) remind(at int64, step, what string, due int64) {
	w.event(at, rectify.Remind, w.state, w.state, "系统", "system", what+"即将到期", map[string]any{"step": step})
	w.notify(at, "handler", "reminder", "工单 "+w.number+" "+what+"即将到期", "请在 "+formatDue(due)+" 前完成"+what+"。")
}

// overdue is what the sweep does: mark, record, escalate to the handler, the head and the office;
// the office may supervise a working day later.
func (w *orderSim) overdue(at int64, step, what string, due int64) {
	if w.escalated == 0 {
		w.escalated = at
	}
	w.updated = at
	data := map[string]any{"step": step, "due": jsonTime(due)}
	w.event(at, rectify.Overdue, w.state, w.state, "系统", "system", what+"已逾期", data)
	w.event(at, rectify.Escalate, w.state, w.state, "系统", "system", "已上报单位负责人和政务服务管理机构", data)
	title, body := "工单 "+w.number+" "+what+"逾期", what+"期限为 "+formatDue(due)+"，已逾期未完成。"
	w.notify(at, "handler", "overdue", title, body)
	w.notify(at, "head", "escalated", title, body)
	w.notify(at, "office", "escalated", title, body)
	if w.supervised == 0 && w.superviseAt == 0 && w.r.chance(w.p.story.Loop.Supervise) {
		w.superviseAt = w.p.wd.afterWorkDays(at, w.r.between(0.5, 1.5), &w.r)
	}
}
