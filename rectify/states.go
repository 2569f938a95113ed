package rectify

import (
	"fmt"
	"slices"

	"haochaping/internal/problem"
)

// State is where a work order stands.
type State string

// The states of a work order.
const (
	PendingCallback    State = "pending_callback"    // 待回访
	Verified           State = "verified"            // 已核实
	RectifyingNow      State = "rectifying_now"      // 立行立改
	RectifyingDeadline State = "rectifying_deadline" // 限期整改
	Explained          State = "explained"           // 解释说明
	Appealing          State = "appealing"           // 申诉中
	AppealUpheld       State = "appeal_upheld"       // 申诉成立
	Rectified          State = "rectified"           // 已整改
	FedBack            State = "fed_back"            // 已反馈
	Closed             State = "closed"              // 已办结
	Returned           State = "returned"            // 已退回（待重新分派）
)

var stateNames = map[State]string{
	PendingCallback: "待回访", Verified: "已核实", RectifyingNow: "立行立改", RectifyingDeadline: "限期整改",
	Explained: "解释说明", Appealing: "申诉中", AppealUpheld: "申诉成立", Rectified: "已整改",
	FedBack: "已反馈", Closed: "已办结", Returned: "已退回",
}

// Name is the state's Chinese name.
func (s State) Name() string { return stateNames[s] }

// Valid reports whether s is a known state.
func (s State) Valid() bool { _, ok := stateNames[s]; return ok }

// Action is something done to a work order.
type Action string

// The actions. Those that move the state are in transitions; the others leave it as it is.
const (
	Dispatched       Action = "dispatched"        // the dispatcher created it
	Callback         Action = "callback"          // 回访核实
	DecideNow        Action = "decide_now"        // → 立行立改
	DecideDeadline   Action = "decide_deadline"   // → 限期整改
	DecideExplain    Action = "decide_explain"    // → 解释说明
	DecideAppeal     Action = "decide_appeal"     // → 申诉
	RuleUpheld       Action = "rule_upheld"       // the office upholds the appeal
	RuleRejected     Action = "rule_rejected"     // the office rejects it: back to rectification
	Rectify          Action = "rectify"           // 整改 done, with the measures taken
	Feedback         Action = "feedback"          // 反馈 to the evaluator
	Close            Action = "close"             // 办结
	Return           Action = "return"            // 退回: not ours, for the office to reassign
	Reassign         Action = "reassign"          // the office gives it to another unit or person
	RequestExtension Action = "request_extension" // the unit asks for a longer deadline
	GrantExtension   Action = "grant_extension"   // the office grants it
	RefuseExtension  Action = "refuse_extension"  // the office refuses it
	Supervise        Action = "supervise"         // 督办 by the office
	RevealPhone      Action = "reveal_phone"      // the handler saw the evaluator's phone
	RevealText       Action = "reveal_text"       // the handler saw the order's texts in full (reveal_text.go)
	Remind           Action = "remind"            // a deadline approaches
	Overdue          Action = "overdue"           // a deadline passed with the step not done
	Escalate         Action = "escalate"          // the unit head and the office were told
	EvaluatorVerdict Action = "evaluator_verdict" // 评价人评价整改: the evaluator rates the fix (verdict.go)
	Reopen           Action = "reopen"            // 退回重新整改: the evaluator's first 不满意 sends it back
)

type transition struct {
	from []State
	to   State // empty: the state does not change
}

// transitions lists, for each action, the states it may be taken from and where it leads.
// An action from any other state is refused (409 transition_not_allowed).
var transitions = map[Action]transition{
	Callback:         {[]State{PendingCallback}, Verified},
	DecideNow:        {[]State{Verified}, RectifyingNow},
	DecideDeadline:   {[]State{Verified}, RectifyingDeadline},
	DecideExplain:    {[]State{Verified}, Explained},
	DecideAppeal:     {[]State{Verified}, Appealing},
	RuleUpheld:       {[]State{Appealing}, AppealUpheld},
	RuleRejected:     {[]State{Appealing}, RectifyingDeadline},
	Rectify:          {[]State{RectifyingNow, RectifyingDeadline}, Rectified},
	Feedback:         {[]State{Rectified, Explained}, FedBack},
	Close:            {[]State{FedBack, AppealUpheld, Rectified, Explained}, Closed},
	Return:           {[]State{PendingCallback, Verified}, Returned},
	Reassign:         {[]State{Returned, PendingCallback, Verified}, PendingCallback},
	RequestExtension: {[]State{RectifyingDeadline}, ""},
	GrantExtension:   {[]State{RectifyingDeadline}, ""},
	RefuseExtension:  {[]State{RectifyingDeadline}, ""},
	Supervise:        {openStates(), ""},
	RevealPhone:      {openStates(), ""},
	// The texts in full stay the handler's to see once the order is closed: the evaluator's
	// verdict may reopen it, and a complaint about it names what was written.
	RevealText: {allStates(), ""},
	// The evaluator's verdict on the rectification, after feedback — also once the order was
	// closed, within the verdict window (verdict.go); a first 不满意 reopens it.
	EvaluatorVerdict: {[]State{FedBack, Closed}, ""},
	Reopen:           {[]State{FedBack, Closed}, RectifyingDeadline},
}

// Allowed reports whether action may be taken in state, and the state it leads to.
func Allowed(action Action, state State) (State, bool) {
	t, ok := transitions[action]
	if !ok || !slices.Contains(t.from, state) {
		return "", false
	}
	if t.to == "" {
		return state, true
	}
	return t.to, true
}

// Next is the check every action on a work order passes (and every step of the demo history):
// the state action leads to from state — Allowed — for an order of a real-name review or not.
// A real-name review closes only after feedback (or an upheld appeal); an anonymous one cannot
// be fed back, and has no phone to see. Refused: a 409 problem.
func Next(action Action, state State, realName bool) (State, error) {
	to, ok := Allowed(action, state)
	switch {
	case !ok:
		return "", problem.Conflict("transition_not_allowed",
			fmt.Sprintf("工单当前状态为“%s”，不能%s", state.Name(), actionNames[action]))
	case action == Close && realName && (state == Rectified || state == Explained):
		return "", problem.Conflict("transition_not_allowed", "实名差评须先向评价人反馈，才能办结")
	case action == Feedback && !realName:
		return "", problem.Conflict("anonymous_no_feedback", "匿名差评无法联系评价人反馈，整改或解释后可直接办结")
	case action == RevealPhone && !realName:
		return "", problem.Conflict("anonymous", "匿名评价没有联系电话")
	case (action == EvaluatorVerdict || action == Reopen) && !realName:
		return "", problem.Conflict("anonymous_no_feedback", "匿名差评没有向评价人反馈，评价人无从评价整改")
	}
	return to, nil
}

func allStates() []State {
	out := make([]State, 0, len(stateNames))
	for s := range stateNames {
		out = append(out, s)
	}
	return out
}

func openStates() []State {
	return slices.DeleteFunc(allStates(), func(s State) bool { return s == Closed })
}

// States are every state, in the order of the loop: for filters and counts.
func States() []State { return allStates() }
