package demohistory

import (
	"encoding/json"
	"fmt"
	"time"

	"haochaping/internal/bjtime"
	"haochaping/rectify"
)

// The unit's and the office's steps, with the columns and event data of package rectify.

func (w *orderSim) doReturn() {
	reason := oneOf(&w.r, returnReasons)
	w.act(w.at, rectify.Return, w.unitActor(), "", "", map[string]any{"reason": reason})
	w.notify(w.at, rectify.ReturnNotice(w.number, reason))
}

func (w *orderSim) doReassign() {
	head := w.dept.head
	due := rectify.ReassignDeadlines(w.p.cal, toTime(w.at), w.region.deadlines, w.deadlines())
	data := map[string]any{"assignee_staff_id": head.id, "department_id": w.dept.id, "region_id": w.region.id,
		"from_department_id": w.dept.id, "callback_due": due.Callback}
	w.act(w.at, rectify.Reassign, w.region.officeName, "", "请单位负责人核实办理", data)
	// The order moves with its new handler, to the head's window and hall: none, for a head
	// without a window.
	w.assignee, w.window, w.hall = head, nil, nil
	if head.window != nil {
		w.window, w.hall = head.window.idAny, head.window.hall
	}
	if due.Rectify.UnixMicro() != w.rectDue {
		w.rectSet = w.at
	}
	w.setDeadlines(due)
	w.cbSet, w.cbOverdue = w.at, false
	w.notify(w.at, rectify.ReassignNotice(w.number, due.Callback))
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
	w.act(w.at, rectify.Callback, w.unitActor(), method, "", map[string]any{"facts": facts, "reached": reached})
}

// decisions are the unit's decisions (rectify.DecideInput.Decision) and their actions.
var decisions = map[string]rectify.Action{"now": rectify.DecideNow, "deadline": rectify.DecideDeadline,
	"explain": rectify.DecideExplain, "appeal": rectify.DecideAppeal}

func (w *orderSim) doDecide(decision string) {
	r := &w.r
	w.decision, w.decided = decision, w.at
	data := map[string]any{"decision": decision}
	var appeal string
	switch decision {
	case "deadline":
		w.deadlineReason = oneOf(r, deadlineRs)
		data["reason"] = w.deadlineReason
		var due any = jsonTime(w.rectDue)
		if d := w.region.deadlines.Rectify; d >= 1 && r.chance(w.p.story.Loop.OwnDeadline) {
			// A unit names its own deadline: at most the default (longer takes an extension).
			days := (d+1)/2 + r.intn(d-(d+1)/2+1)
			own, err := rectify.UnitDeadline(w.p.cal, toTime(w.received), days, w.region.deadlines, toTime(w.maxDue))
			w.must(err)
			w.rectDue, w.rectSet, due = own.UnixMicro(), w.at, own
			data["working_days"] = days
		}
		data["rectify_due"] = due
	case "explain":
		data["explanation"] = oneOf(r, explanations)
		w.rectified = w.at // an explanation stands where a rectification would
	case "appeal":
		appeal = oneOf(r, appealReasons)
		data["reason"] = appeal
	}
	w.act(w.at, decisions[decision], w.unitActor(), "", "", data)
	if appeal != "" {
		w.notify(w.at, rectify.AppealNotice(w.number, appeal))
	}
}

func (w *orderSim) doRule(upheld bool) {
	r := &w.r
	if upheld {
		note := oneOf(r, rulingsUpheld)
		w.appeal = "upheld"
		w.act(w.at, rectify.RuleUpheld, w.region.officeName, "", note, nil)
		w.notify(w.at, rectify.RulingNotice(w.number, true, note, toTime(w.rectDue)))
		return
	}
	note := oneOf(r, rulingsRejected)
	due := rectify.RejectedAppealDeadlines(w.p.cal, toTime(w.at), w.region.deadlines, w.deadlines())
	w.appeal, w.decision = "rejected", "deadline"
	w.act(w.at, rectify.RuleRejected, w.region.officeName, "", note, map[string]any{"rectify_due": due.Rectify})
	w.setDeadlines(due)
	w.rectSet, w.rectOverdue = w.at, false
	w.notify(w.at, rectify.RulingNotice(w.number, false, note, due.Rectify))
}

func (w *orderSim) doRectify() {
	method := ""
	if w.r.chance(0.5) {
		method = "in_person"
	}
	w.rectified = w.at
	w.act(w.at, rectify.Rectify, w.unitActor(), method, "",
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
	w.act(w.at, rectify.Feedback, w.unitActor(), method, "", data)
}

func (w *orderSim) doClose() {
	w.closed = w.at
	w.act(w.at, rectify.Close, w.unitActor(), "", "", nil)
}

// act takes a step: the action moves the state where rectify.Next says it leads from the
// current one, as rectify's actions do. A step Next refuses is a bug of the simulation: it
// stops the load.
func (w *orderSim) act(at int64, action rectify.Action, actor, method, note string, data map[string]any) {
	to, err := rectify.Next(action, w.state, w.realName)
	if err != nil {
		panic(refusedStep{fmt.Errorf("%s from %s refused: %w", action, w.state, err)})
	}
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

// must stops the load on an error of rectify's rules (a deadline the simulation should not
// have asked for).
func (w *orderSim) must(err error) {
	if err != nil {
		panic(refusedStep{err})
	}
}

// refusedStep carries a refused step out of the simulation (simulate recovers it).
type refusedStep struct{ err error }

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

// notify stores a notice as rectify's notify does: the handler is the assignee; the heads are
// those of the responsible unit and, when the handler belongs to another (一窗受理), of the
// handler's unit too; whoever is missing, the office hears instead.
func (w *orderSim) notify(at int64, notices ...rectify.Notice) {
	for _, n := range notices {
		var staff []*orgStaff
		switch n.Audience {
		case rectify.AudienceHandler:
			if w.assignee != nil {
				staff = append(staff, w.assignee)
			}
		case rectify.AudienceHead:
			depts := []*orgDepartment{w.dept}
			if a := w.assignee; a != nil && a.dept != nil && a.dept != w.dept {
				depts = append(depts, a.dept)
				if a.dept.id < w.dept.id {
					depts[0], depts[1] = depts[1], depts[0]
				}
			}
			for _, d := range depts {
				if d.head != nil {
					staff = append(staff, d.head)
				}
			}
		}
		audience := n.Audience
		if len(staff) == 0 {
			audience, staff = rectify.AudienceOffice, []*orgStaff{nil}
		}
		for _, st := range staff {
			w.notes = append(w.notes, &note{created: at, handler: audience == rectify.AudienceHandler,
				row: []any{audience, staffID(st), w.region.idAny, w.id, n.Kind, n.Title, n.Body, toTime(at), nil}})
		}
	}
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

// deadlines are the order's deadlines as rectify has them; setDeadlines takes them back, at
// the microsecond precision PostgreSQL keeps.
func (w *orderSim) deadlines() rectify.Deadlines {
	return rectify.Deadlines{Callback: toTime(w.cbDue), Rectify: toTime(w.rectDue), Max: toTime(w.maxDue)}
}

func (w *orderSim) setDeadlines(d rectify.Deadlines) {
	w.cbDue, w.rectDue, w.maxDue = d.Callback.UnixMicro(), d.Rectify.UnixMicro(), d.Max.UnixMicro()
}

// jsonTime is how a deadline appears in an event's data (a time.Time marshalled by encoding/json).
func jsonTime(us int64) time.Time { return toTime(us).In(bjtime.Location) }

// note is a notification waiting to know when it was read.
type note struct {
	row     []any
	created int64
	read    int64 // 0: not yet
	handler bool  // read when the handler next acts
}
