package demohistory

import (
	"encoding/json"
	"time"

	"haochaping/internal/bjtime"
	"haochaping/rectify"
)

// The unit's and the office's steps, with the columns and event data of package rectify.

func (w *orderSim) doReturn() {
	reason := oneOf(&w.r, returnReasons)
	w.act(w.at, rectify.Return, rectify.Returned, w.unitActor(), "", "", map[string]any{"reason": reason})
	w.notify(w.at, "office", "returned", "工单 "+w.number+" 被退回，请重新分派", reason)
}

func (w *orderSim) doReassign() {
	head := w.dept.head
	due := w.p.deadlineAfter(w.at, w.region.callbackDays)
	data := map[string]any{"assignee_staff_id": head.id, "department_id": w.dept.id, "region_id": w.region.id,
		"from_department_id": w.dept.id, "callback_due": jsonTime(due)}
	w.act(w.at, rectify.Reassign, rectify.PendingCallback, w.region.officeName, "", "请单位负责人核实办理", data)
	// The order moves with its new handler, to the head's window and hall: none, for a head
	// without a window.
	w.assignee, w.window, w.hall = head, nil, nil
	if head.window != nil {
		w.window, w.hall = head.window.idAny, head.window.hall
	}
	w.cbDue, w.cbSet, w.cbOverdue = due, w.at, false
	if due > w.rectDue {
		w.rectDue, w.rectSet = due, w.at
		w.maxDue = max(w.maxDue, due)
	}
	w.notify(w.at, "handler", "assigned", "工单 "+w.number+" 已分派给您", "请在 "+formatDue(due)+" 前完成回访核实。")
}

func (w *orderSim) doCallback() {
	r := &w.r
	method, facts := "", oneOf(r, anonymousFacts)
	var reached any
	if w.realName {
		switch x := r.float(); {
		case x < 0.8:
			method = "phone"
		case x < 0.95:
			method = "sms"
		default:
			method = "visit"
		}
		ok := r.chance(0.9)
		reached = ok
		facts = oneOf(r, callbackFacts)
		if !ok {
			facts = oneOf(r, unreached)
		}
	}
	w.calledBack = w.at
	w.act(w.at, rectify.Callback, rectify.Verified, w.unitActor(), method, "", map[string]any{"facts": facts, "reached": reached})
}

func (w *orderSim) doDecide(decision string) {
	r := &w.r
	w.decision, w.decided = decision, w.at
	data := map[string]any{"decision": decision}
	var to rectify.State
	action := rectify.DecideNow
	switch decision {
	case "now":
		to = rectify.RectifyingNow
	case "deadline":
		action, to = rectify.DecideDeadline, rectify.RectifyingDeadline
		w.deadlineReason = oneOf(r, deadlineRs)
		data["reason"] = w.deadlineReason
		if r.chance(w.p.story.Loop.OwnDeadline) {
			days := min(w.region.rectifyDays+1+r.intn(5), w.region.maxRectifyDays)
			if days >= 1 {
				w.rectDue = min(w.p.deadlineAfter(w.received, days), w.maxDue)
				w.rectSet = w.at
				data["working_days"] = days
			}
		}
		data["rectify_due"] = jsonTime(w.rectDue)
	case "explain":
		action, to = rectify.DecideExplain, rectify.Explained
		data["explanation"] = oneOf(r, explanations)
		w.rectified = w.at // an explanation stands where a rectification would
	case "appeal":
		action, to = rectify.DecideAppeal, rectify.Appealing
		reason := oneOf(r, appealReasons)
		data["reason"] = reason
		defer w.notify(w.at, "office", "appeal", "工单 "+w.number+" 提出申诉", reason)
	}
	w.act(w.at, action, to, w.unitActor(), "", "", data)
}

func (w *orderSim) doRule(upheld bool) {
	r := &w.r
	if upheld {
		note := oneOf(r, rulingsUpheld)
		w.appeal = "upheld"
		w.act(w.at, rectify.RuleUpheld, rectify.AppealUpheld, w.region.officeName, "", note, nil)
		w.notify(w.at, "handler", "appeal", "工单 "+w.number+" 申诉成立", note)
		return
	}
	note := oneOf(r, rulingsRejected)
	due := w.p.deadlineAfter(w.at, w.region.rectifyDays)
	w.maxDue = max(w.maxDue, due)
	w.appeal, w.decision = "rejected", "deadline"
	w.rectDue, w.rectSet, w.rectOverdue = due, w.at, false
	w.act(w.at, rectify.RuleRejected, rectify.RectifyingDeadline, w.region.officeName, "", note,
		map[string]any{"rectify_due": jsonTime(due)})
	w.notify(w.at, "handler", "appeal", "工单 "+w.number+" 申诉驳回，请限期整改", note+"（整改期限 "+formatDue(due)+"）")
}

func (w *orderSim) doRectify() {
	method := ""
	if w.r.chance(0.5) {
		method = "in_person"
	}
	w.rectified = w.at
	w.act(w.at, rectify.Rectify, rectify.Rectified, w.unitActor(), method, "",
		map[string]any{"measures": oneOf(&w.r, measureTexts), "on_time": w.at <= w.rectDue})
}

func (w *orderSim) doFeedback() {
	r := &w.r
	method := "phone"
	if r.chance(0.25) {
		method = "sms"
	}
	data := map[string]any{}
	if r.chance(0.8) {
		w.satisfaction = []int{5, 5, 5, 4, 4, 4, 3, 3, 2, 1}[r.intn(10)]
		data["satisfaction"] = w.satisfaction
	}
	w.fedBack = w.at
	w.act(w.at, rectify.Feedback, rectify.FedBack, w.unitActor(), method, "", data)
}

func (w *orderSim) doClose() {
	w.closed = w.at
	w.act(w.at, rectify.Close, rectify.Closed, w.unitActor(), "", "", nil)
}

// act records a step that moves (or keeps) the state.
func (w *orderSim) act(at int64, action rectify.Action, to rectify.State, actor, method, note string, data map[string]any) {
	w.event(at, action, w.state, to, actor, method, note, data)
	w.state, w.at, w.updated = to, at, at
	if actor != w.region.officeName {
		for _, n := range w.notes { // the handler has seen the inbox by now
			if n.handler && n.read == 0 && n.created <= at {
				n.read = at
			}
		}
	}
}

func (w *orderSim) unitActor() string {
	if w.assignee != nil {
		return w.assignee.name
	}
	return "承办单位"
}

// event appends to the timeline (rectify.appendEvent): no from_state for the dispatch.
func (w *orderSim) event(at int64, action rectify.Action, from, to rectify.State, actor, method, note string, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	raw, _ := json.Marshal(data)
	var fromV, methodV any
	if action != rectify.Dispatched {
		fromV = string(from)
	}
	if method != "" {
		methodV = method
	}
	w.events = append(w.events, []any{w.id, string(action), fromV, string(to), actor, toTime(at), methodV, note, raw, noAttachments})
}

// notify stores a notification as rectify's notify does: the handler is the assignee, the head
// the unit's; whoever is missing, the office hears instead.
func (w *orderSim) notify(at int64, audience, kind, title, body string) {
	var staff *orgStaff
	switch audience {
	case "handler":
		staff = w.assignee
	case "head":
		staff = w.dept.head
	}
	if staff == nil {
		audience = "office"
	}
	n := &note{created: at, handler: audience == "handler",
		row: []any{audience, staffID(staff), w.region.idAny, w.id, kind, title, body, toTime(at), nil}}
	w.notes = append(w.notes, n)
}

// row is the work order as it stands at the end.
func (w *orderSim) row() []any {
	nullable := func(t int64) any {
		if t == 0 {
			return nil
		}
		return toTime(t)
	}
	text := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	var satisfaction any
	if w.satisfaction > 0 {
		satisfaction = int16(w.satisfaction)
	}
	s := w.s
	return []any{w.id, w.number, w.evaluationID, string(w.state), text(w.decision), channelAny[s.ch], w.realName,
		w.region.idAny, w.dept.idAny, w.hall, w.window, staffID(w.handledBy), staffID(w.assignee),
		toTime(w.cbDue), toTime(w.rectDue), toTime(w.maxDue), nullable(w.extUntil), w.extReason, w.deadlineReason,
		nullable(w.calledBack), nullable(w.decided), nullable(w.rectified), nullable(w.fedBack), nullable(w.closed),
		satisfaction, text(w.appeal), w.cbOverdue, w.rectOverdue, nullable(w.escalated), nullable(w.supervised),
		w.events[0][5], toTime(w.updated), toTime(w.received)}
}

// deadlineAfter is calendar.DeadlineAfter in microseconds: the end of the n-th working day
// after t's Beijing day.
func (p *plan) deadlineAfter(t int64, n int) int64 {
	return p.cal.DeadlineAfter(toTime(t), n).UnixMicro()
}

func formatDue(us int64) string {
	return toTime(us).In(bjtime.Location).Format("2006年1月2日 15:04")
}

// jsonTime is how a deadline appears in an event's data (a time.Time marshalled by encoding/json).
func jsonTime(us int64) time.Time { return toTime(us).In(bjtime.Location) }

func staffNo(s *orgStaff) any {
	if s == nil {
		return nil
	}
	return s.id
}

// note is a notification waiting to know when it was read.
type note struct {
	row     []any
	created int64
	read    int64 // 0: not yet
	handler bool  // read when the handler next acts
}
