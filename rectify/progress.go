package rectify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/pii"
)

// Progress is what the evaluator sees of the work order of their bad review, on the page of
// their evaluation link: its steps in words a citizen understands, what is awaited now, and
// whether they may rate the fix. It names the responsible unit and nobody else: no staff name,
// no staff number, no phone; the unit's own words (the measures, an explanation) are shown with
// any phone or ID number in them masked.
type Progress struct {
	Number string // the order's number, to quote on the phone (12345)
	State  State
	// Status is the state in the citizen's words (整改中, 已办结…).
	Status   string
	Unit     string // the responsible unit (承办单位)
	RealName bool
	Steps    []ProgressStep // what was done, oldest first
	Next     *ProgressStep  // what is awaited now; nil once closed with nothing owed
	Verdict  VerdictState
}

// ProgressStep is one step of the progress.
type ProgressStep struct {
	Name  string    // 已回访
	At    time.Time // when (zero for the step awaited)
	Text  string    // what it means, in a sentence
	Quote string    // the unit's own words, masked
	Due   time.Time // a deadline that goes with the step, if any
}

// VerdictState is where the evaluator's verdict on the rectification stands.
type VerdictState struct {
	Open bool      // they may give it now
	Due  time.Time // until when (when open)
	// Given is the last verdict they gave (of this feedback or an earlier one), and when.
	Given    Verdict
	GivenAt  *time.Time
	Reopened int // how often their 不满意 sent the order back
}

// statusNames are the states as the evaluator reads them.
var statusNames = map[State]string{
	PendingCallback: "待回访", Verified: "已核实", RectifyingNow: "整改中", RectifyingDeadline: "整改中",
	Explained: "已解释说明", Appealing: "申诉核查中", AppealUpheld: "申诉成立", Rectified: "已整改",
	FedBack: "已反馈", Closed: "已办结", Returned: "处理中",
}

// Progress reads the progress of the work order of an evaluation: nil (and no error) when the
// bad review has no work order yet — it is on its way to the unit.
func (s *Service) Progress(ctx context.Context, evaluationID int64) (*Progress, error) {
	var unit string
	w := &WorkOrder{}
	err := s.DB.Pool.QueryRow(ctx, `SELECT `+workOrderColumns+`, d.name FROM work_orders w
		JOIN departments d ON d.id = w.department_id WHERE w.evaluation_id = $1`, evaluationID).
		Scan(append(w.targets(), &unit)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load the progress of evaluation %d: %w", evaluationID, err)
	}
	w.named()
	events, err := s.timeline(ctx, w.ID, w.EvaluationID)
	if err != nil {
		return nil, err
	}
	days, err := verdictDays(ctx, s.DB.Pool, w.RegionID)
	if err != nil {
		return nil, err
	}
	p := &Progress{Number: w.Number, State: w.State, Status: statusNames[w.State], Unit: unit, RealName: w.RealName,
		Steps: []ProgressStep{}}
	p.Verdict = VerdictState{Given: w.Verdict, GivenAt: w.VerdictAt, Reopened: w.ReopenedCount}
	if due, err := verdictOpen(w, s.now(), days); err == nil {
		p.Verdict.Open, p.Verdict.Due = true, due
	}
	for _, e := range events {
		if st, ok := progressStep(e, unit, w.RealName); ok {
			p.Steps = append(p.Steps, st)
		}
	}
	p.Next = awaited(w, p.Verdict)
	return p, nil
}

// progressStep says an event of the timeline as the evaluator reads it; the staff's own
// records (reminders, overdue marks, escalations, the phone seen, supervision, returns,
// reassignments, extension requests) are not theirs to read, and are left out.
func progressStep(e Event, unit string, realName bool) (ProgressStep, bool) {
	st := ProgressStep{At: e.At}
	switch e.Action {
	case Dispatched:
		st.Name, st.Text = "已受理", "您的差评已转交承办单位："+unit+"。"
	case Callback:
		st.Name, st.Text = "已回访", "工作人员已回访您，核实了情况。"
		if reached, ok := e.Data["reached"].(bool); ok && !reached {
			st.Text = "工作人员回访时未能联系到您，已另行核实情况。"
		}
		if !realName {
			st.Name, st.Text = "已核实", "承办单位已核实情况。"
		}
	case DecideNow:
		st.Name, st.Text = "处理方式：立行立改", "承办单位决定立即整改。"
	case DecideDeadline:
		st.Name, st.Text, st.Due = "处理方式：限期整改", "承办单位将在期限内完成整改。", eventTime(e, "rectify_due")
	case DecideExplain:
		st.Name, st.Text = "处理方式：解释说明", "经核实，按规定无法改变办理结果，承办单位的说明："
		st.Quote = eventText(e, "explanation")
	case DecideAppeal:
		st.Name, st.Text = "处理方式：申诉", "承办单位认为评价与事实不符，已向政务服务管理机构申诉，由其核查。"
	case RuleUpheld:
		st.Name, st.Text = "申诉结果：申诉成立", "经政务服务管理机构核查，申诉成立，本条评价不计入考核。"
	case RuleRejected:
		st.Name, st.Text, st.Due = "申诉结果：申诉不成立", "政务服务管理机构未支持申诉，承办单位须限期整改。", eventTime(e, "rectify_due")
	case GrantExtension:
		st.Name, st.Text, st.Due = "整改期限延长", "经政务服务管理机构批准，整改期限延长。", eventTime(e, "requested")
	case Rectify:
		st.Name, st.Text, st.Quote = "已整改", "承办单位已完成整改，整改措施：", eventText(e, "measures")
	case Feedback:
		st.Name, st.Text = "已反馈", "工作人员已向您反馈处理结果。"
	case EvaluatorVerdict:
		v, _ := e.Data["verdict"].(string)
		st.Name, st.Text = "您评价整改", "您对整改结果的评价："+Verdict(v).Name()+"。"
	case Reopen:
		st.Name, st.Text, st.Due = "退回重新整改", "您对整改结果不满意，已退回承办单位重新整改。", eventTime(e, "rectify_due")
	case Close:
		st.Name, st.Text = "已办结", "本次差评已处理完毕，全过程已记录存档。"
	default:
		return st, false
	}
	return st, true
}

// awaited is the step the order waits for now, as the evaluator reads it.
func awaited(w *WorkOrder, v VerdictState) *ProgressStep {
	if v.Open {
		return &ProgressStep{Name: "请您评价整改结果", Text: "承办单位已向您反馈，请告诉我们您对整改结果是否满意。", Due: v.Due}
	}
	switch w.State {
	case PendingCallback:
		if w.RealName {
			return &ProgressStep{Name: "待回访", Text: "工作人员将在期限内电话回访您，核实情况。", Due: w.Deadlines.Callback}
		}
		return &ProgressStep{Name: "待核实", Text: "承办单位将在期限内核实情况。", Due: w.Deadlines.Callback}
	case Returned:
		return &ProgressStep{Name: "处理中", Text: "政务服务管理机构正在重新确定承办人。"}
	case Verified:
		return &ProgressStep{Name: "待确定处理方式", Text: "承办单位正在确定处理方式。", Due: w.Deadlines.Rectify}
	case RectifyingNow, RectifyingDeadline:
		return &ProgressStep{Name: "整改中", Text: "承办单位正在整改，完成后将告诉您结果。", Due: w.Deadlines.Rectify}
	case Appealing:
		return &ProgressStep{Name: "申诉核查中", Text: "政务服务管理机构正在核查承办单位的申诉。"}
	case Rectified, Explained:
		if w.RealName {
			return &ProgressStep{Name: "待反馈", Text: "工作人员将向您反馈处理结果。", Due: w.Deadlines.Rectify}
		}
		return &ProgressStep{Name: "待办结", Text: "承办单位将办结本次差评。"}
	case AppealUpheld, FedBack:
		return &ProgressStep{Name: "待办结", Text: "承办单位将办结本次差评。"}
	}
	return nil
}

// eventText is a text the unit wrote, from an event's data, masked.
func eventText(e Event, key string) string {
	v, _ := e.Data[key].(string)
	return pii.MaskNumbersInText(v)
}

// eventTime is an instant of an event's data (zero when absent).
func eventTime(e Event, key string) time.Time {
	v, _ := e.Data[key].(string)
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}
	}
	return t
}
