package rectify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/evaluation"
	"haochaping/internal/problem"
)

// The evaluator's verdict on the rectification (评价人评价整改, DOMAIN.md): once the unit has
// fed back, the evaluator — on the page of their evaluation link, no staff login — says
// whether the fix satisfies them. The answer is theirs: recorded on the order and in the
// timeline with no staff user, as 评价人. A first 不满意 sends the order back to
// rectification; a second is recorded and the office told, and the order is not reopened again.

// Verdict is the evaluator's rating of the rectification.
type Verdict string

// The verdicts, in the order the page offers them.
const (
	Satisfied          Verdict = "satisfied"           // 满意
	BasicallySatisfied Verdict = "basically_satisfied" // 基本满意
	Dissatisfied       Verdict = "dissatisfied"        // 不满意
)

// Verdicts are the choices, in the order people read them.
var Verdicts = []Verdict{Satisfied, BasicallySatisfied, Dissatisfied}

var verdictNames = map[Verdict]string{Satisfied: "满意", BasicallySatisfied: "基本满意", Dissatisfied: "不满意"}

// Name is the verdict's Chinese name ("" for none).
func (v Verdict) Name() string { return verdictNames[v] }

// Valid reports whether v is one of the three.
func (v Verdict) Valid() bool { _, ok := verdictNames[v]; return ok }

// EvaluatorActor is who the timeline says acted when the evaluator did.
const EvaluatorActor = "评价人"

// MaxReopens is how often the evaluator's 不满意 sends an order back to rectification.
const MaxReopens = 1

// defaultVerdictDays is the verdict window when the region sets no evaluation_window_days.
const defaultVerdictDays = 7

// VerdictDeadline is the last instant the evaluator may rate the fix: the end of the N-th
// natural day after the feedback, Beijing time — the same window, in the region's
// evaluation_window_days, that a service's own rating has (evaluation.RatingDeadline).
func VerdictDeadline(fedBackAt time.Time, days int) time.Time {
	return evaluation.RatingDeadline(fedBackAt, days)
}

// verdictDaysSQL reads a region's verdict window ($1: the region).
const verdictDaysSQL = `SELECT COALESCE(region_setting($1, 'evaluation_window_days'), '')`

func verdictDays(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, regionID int64) (int, error) {
	var days string
	if err := q.QueryRow(ctx, verdictDaysSQL, regionID).Scan(&days); err != nil {
		return 0, fmt.Errorf("read the verdict window of region %d: %w", regionID, err)
	}
	return atoiOr(days, defaultVerdictDays), nil
}

// verdictOpen says whether the evaluator may give a verdict on w now, and until when: the
// order was fed back (and stands fed back, or was closed since), no verdict was given since
// that feedback, and the window after it has not passed. A refusal is a 409 in words. A verdict
// already given is named first: after a 不满意 reopened the order there is no feedback any
// more, and a second submission of the same form must still read "already recorded".
func verdictOpen(w *WorkOrder, now time.Time, days int) (time.Time, error) {
	if w.VerdictAt != nil && (w.fedBackAt == nil || !w.VerdictAt.Before(*w.fedBackAt)) {
		return time.Time{}, problem.Conflict("verdict_given", "您已评价过本次整改结果")
	}
	if _, err := Next(EvaluatorVerdict, w.State, w.RealName); err != nil {
		return time.Time{}, err
	}
	if w.fedBackAt == nil {
		return time.Time{}, problem.Conflict("not_fed_back", "单位尚未向您反馈整改结果，反馈后即可评价整改")
	}
	due := VerdictDeadline(*w.fedBackAt, days)
	if now.After(due) {
		return due, problem.Conflict("verdict_period_over", "评价整改结果的期限已过")
	}
	return due, nil
}

// VerdictOutcome is what a verdict did.
type VerdictOutcome struct {
	Verdict  Verdict
	Reopened bool // the order went back to rectification (限期整改)
	// RectifyDue is the new rectification deadline of a reopened order.
	RectifyDue time.Time
	// Final: a 不满意 after the order was reopened once: recorded, the office told, no reopening.
	Final bool
}

// EvaluatorVerdict records the evaluator's verdict on the rectification of the work order of
// their bad review (evaluationID). Refused (409) unless the order was fed back, has no verdict
// since, and the window is open; an anonymous review, never fed back, takes none.
func (s *Service) EvaluatorVerdict(ctx context.Context, evaluationID int64, v Verdict) (*VerdictOutcome, error) {
	if !v.Valid() {
		return nil, problem.Invalid("invalid_verdict", "verdict", "请选择满意、基本满意或不满意")
	}
	out := &VerdictOutcome{Verdict: v}
	fx := &effects{}
	err := pgx.BeginFunc(ctx, s.DB.Pool, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM work_orders WHERE evaluation_id = $1`, evaluationID).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return problem.Conflict("not_fed_back", "您的差评还在派单中，单位反馈后即可评价整改")
		}
		if err != nil {
			return fmt.Errorf("find the work order of evaluation %d: %w", evaluationID, err)
		}
		w, err := loadForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		days, err := verdictDays(ctx, tx, w.RegionID)
		if err != nil {
			return err
		}
		if _, err := verdictOpen(w, s.now(), days); err != nil {
			return err
		}
		reopen := v == Dissatisfied && w.ReopenedCount < MaxReopens
		out.Final = v == Dissatisfied && !reopen
		if err := updateWorkOrder(ctx, tx, w.ID, w.State, map[string]any{
			"evaluator_verdict": string(v), "evaluator_verdict_at": s.now()}, s.now()); err != nil {
			return err
		}
		data := map[string]any{"verdict": string(v), "verdict_name": v.Name(), "reopen": reopen}
		if err := s.appendEvent(ctx, tx, w, EvaluatorVerdict, w.State, nil, EvaluatorActor, "online", "", data, nil); err != nil {
			return err
		}
		if !reopen {
			return s.notify(ctx, tx, fx, w, VerdictNotices(w.Number, v, out.Final)...)
		}
		due, err := s.reopen(ctx, tx, fx, w)
		out.Reopened, out.RectifyDue = true, due
		return err
	})
	if err != nil {
		return nil, err
	}
	s.afterCommit(ctx, fx)
	return out, nil
}

// reopen sends w back to rectification after the evaluator's first 不满意: 限期整改 with a new
// deadline counted from now with the region's default working days — the arithmetic of a
// rejected appeal (RejectedAppealDeadlines) — and the rectification, feedback and closing
// undone on the order (the timeline keeps them), so that the measures count it as not yet
// rectified until it is rectified and fed back again. The handler and the unit heads are told.
func (s *Service) reopen(ctx context.Context, tx pgx.Tx, fx *effects, w *WorkOrder) (time.Time, error) {
	d, err := regionDeadlineDays(ctx, tx, w.RegionID)
	if err != nil {
		return time.Time{}, err
	}
	due := RejectedAppealDeadlines(s.Calendar, s.now(), d, w.Deadlines)
	to, err := Next(Reopen, w.State, w.RealName)
	if err != nil {
		return time.Time{}, err
	}
	if err := updateWorkOrder(ctx, tx, w.ID, to, map[string]any{
		"decision": "deadline", "decided_at": s.now(), "rectify_deadline_reason": ReopenNote,
		"rectify_due": due.Rectify, "max_rectify_due": due.Max, "rectify_overdue": false,
		"rectified_at": nil, "fed_back_at": nil, "closed_at": nil, "reopened_count": w.ReopenedCount + 1,
	}, s.now()); err != nil {
		return time.Time{}, err
	}
	data := map[string]any{"rectify_due": due.Rectify, "reopened_count": w.ReopenedCount + 1}
	if err := s.appendEvent(ctx, tx, w, Reopen, to, nil, SystemActor, "system", ReopenNote, data, nil); err != nil {
		return time.Time{}, err
	}
	if err := s.notify(ctx, tx, fx, w, ReopenNotices(w.Number, due.Rectify)...); err != nil {
		return time.Time{}, err
	}
	updated, err := loadForUpdate(ctx, tx, w.ID)
	if err != nil {
		return time.Time{}, err
	}
	fx.deadlines = append(fx.deadlines, updated) // the reminder and the overdue check of the new deadline
	return due.Rectify, nil
}
