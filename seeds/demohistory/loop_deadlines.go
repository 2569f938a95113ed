package demohistory

import (
	"math"
	"time"

	"haochaping/rectify"
)

// What the queue and the overdue sweep do to an open work order as time passes (package rectify:
// scheduleDeadlines, remind, SweepOverdue) — for the steps rectify.StepOpen says are owed —
// and the office's supervision of late orders.

// Deadline checks run by the queue: a reminder rectify.ReminderLead before a due step, the
// overdue check at it; each task runs a second after its time (rectify.scheduleDeadlines), and
// takes a moment.
const (
	remindLead = int64(rectify.ReminderLead / time.Microsecond)
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
	cbOpen := rectify.StepOpen(rectify.StepCallback, w.state, w.realName)
	rectOpen := rectify.StepOpen(rectify.StepRectify, w.state, w.realName)
	consider(w.cbDue-remindLead+taskDelay, cbOpen && w.cbReminded != w.cbDue && w.cbDue-remindLead > w.cbSet, func(at int64) {
		w.cbReminded = w.cbDue
		w.remind(at, rectify.StepCallback, w.cbDue)
	})
	consider(w.cbDue+taskDelay, cbOpen && !w.cbOverdue, func(at int64) {
		w.cbOverdue = true
		w.overdue(at, rectify.StepCallback, w.cbDue)
	})
	consider(w.rectDue-remindLead+taskDelay, rectOpen && w.rectReminded != w.rectDue && w.rectDue-remindLead > w.rectSet, func(at int64) {
		w.rectReminded = w.rectDue
		w.remind(at, rectify.StepRectify, w.rectDue)
	})
	consider(w.rectDue+taskDelay, rectOpen && !w.rectOverdue, func(at int64) {
		w.rectOverdue = true
		w.overdue(at, rectify.StepRectify, w.rectDue)
	})
	_, supervisable := rectify.Allowed(rectify.Supervise, w.state)
	consider(w.superviseAt, w.superviseAt != 0 && supervisable, func(at int64) {
		w.superviseAt = 0
		w.supervised = at
		note := oneOf(&w.r, superviseNotes)
		w.act(at, rectify.Supervise, w.region.officeName, "", note, nil)
		w.notify(at, rectify.SuperviseNotices(w.number, note)...)
	})
	if run == nil {
		return 0, nil
	}
	return best, run
}

func (w *orderSim) remind(at int64, step string, due int64) {
	w.event(at, rectify.Remind, w.state, w.state, rectify.SystemActor, "system", rectify.ReminderNote(step), map[string]any{"step": step})
	w.notify(at, rectify.ReminderNotice(w.number, step, toTime(due)))
}

// overdue is what the sweep does: mark, record, escalate to the handler, the head and the office;
// the office may supervise a working day later.
func (w *orderSim) overdue(at int64, step string, due int64) {
	if w.escalated == 0 {
		w.escalated = at
	}
	w.updated = at
	data := map[string]any{"step": step, "due": jsonTime(due)}
	w.event(at, rectify.Overdue, w.state, w.state, rectify.SystemActor, "system", rectify.OverdueNote(step), data)
	w.event(at, rectify.Escalate, w.state, w.state, rectify.SystemActor, "system", rectify.EscalateNote, data)
	w.notify(at, rectify.OverdueNotices(w.number, step, toTime(due))...)
	if w.supervised == 0 && w.superviseAt == 0 && w.r.chance(w.p.story.Loop.Supervise) {
		w.superviseAt = w.p.wd.afterWorkDays(at, w.r.between(0.5, 1.5), &w.r)
	}
}
