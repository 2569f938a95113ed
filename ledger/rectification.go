package ledger

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/pii"
)

// RectificationRow is a bad review and its full record: a row of the 差评整改台账.
type RectificationRow struct {
	Number         string     `json:"number"` // 工单编号
	RatedAt        time.Time  `json:"rated_at"`
	Channel        string     `json:"channel"`
	Department     string     `json:"department"`
	Window         string     `json:"window,omitempty"`
	Staff          string     `json:"staff,omitempty"`
	Item           string     `json:"item,omitempty"`
	CaseNo         string     `json:"case_no,omitempty"`
	Level          int        `json:"level"`
	Reasons        string     `json:"reasons"` // names, joined with 、
	Comment        string     `json:"comment"`
	Evaluator      string     `json:"evaluator,omitempty"` // masked
	RealName       bool       `json:"real_name"`
	State          string     `json:"state"`
	StateName      string     `json:"state_name"`
	Decision       string     `json:"decision,omitempty"`
	CalledBackAt   *time.Time `json:"called_back_at,omitempty"`
	CallbackMethod string     `json:"callback_method,omitempty"`
	Facts          string     `json:"facts,omitempty"`    // 核实情况
	Measures       string     `json:"measures,omitempty"` // 整改措施, or the explanation given
	RectifiedAt    *time.Time `json:"rectified_at,omitempty"`
	FedBackAt      *time.Time `json:"fed_back_at,omitempty"`
	Satisfaction   *int16     `json:"satisfaction,omitempty"`
	// Verdict is the evaluator's own rating of the fix, given on the receipt's link (满意,
	// 基本满意, 不满意); it counts before the number staff typed at feedback.
	Verdict      string     `json:"evaluator_verdict,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	Due          time.Time  `json:"due"` // the rectification deadline
	Overdue      bool       `json:"overdue"`
	LedgerStatus string     `json:"ledger_status,omitempty"` // on_track, due_soon, overdue (限期整改 only)
}

// RectificationFilter selects rows of the rectification ledger.
type RectificationFilter struct {
	From, To   time.Time // Beijing days of the rating, both included; zero: any
	Department int64
	States     []string // work-order states; empty: all
	OpenOnly   bool
}

var stateNames = map[string]string{
	"pending_callback": "待回访", "verified": "已核实", "rectifying_now": "立行立改", "rectifying_deadline": "限期整改",
	"explained": "解释说明", "appealing": "申诉中", "appeal_upheld": "申诉成立", "rectified": "已整改",
	"fed_back": "已反馈", "closed": "已办结", "returned": "已退回",
}

// RectificationRows lists the bad reviews whose work orders the actor sees (access's table of
// responsibility) with their records, oldest first.
func (s *Service) RectificationRows(ctx context.Context, actor *access.User, f RectificationFilter) ([]RectificationRow, error) {
	pred, args := actor.WorkOrders("w", 1)
	where := []string{pred}
	add := func(clause string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(clause, "?", "$"+strconv.Itoa(len(args))))
	}
	if !f.From.IsZero() {
		add("e.rated_at >= ?::date::timestamp AT TIME ZONE 'Asia/Shanghai'", f.From)
	}
	if !f.To.IsZero() {
		add("e.rated_at < (?::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'", f.To)
	}
	if f.Department != 0 {
		add("w.department_id = ?", f.Department)
	}
	if len(f.States) > 0 {
		add("w.state = ANY(?)", f.States)
	}
	if f.OpenOnly {
		where = append(where, "w.state <> 'closed'")
	}
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT w.number, e.rated_at, e.channel, d.name, COALESCE(win.name, ''), COALESCE(st.name, ''), COALESCE(i.name, ''),
		       COALESCE(c.case_no, ''), e.level,
		       COALESCE((SELECT string_agg(r.name, '、' ORDER BY r.position) FROM reasons r
		                 WHERE r.version = e.reason_set_version AND r.code = ANY(e.reasons)
		                   AND r.kind = e.reason_kind), ''),
		       e.comment, e.evaluator_name_masked, e.real_name, w.state, COALESCE(w.decision, ''),
		       w.called_back_at,
		       COALESCE((SELECT v.method FROM work_order_events v WHERE v.work_order_id = w.id AND v.action = 'callback' ORDER BY v.id DESC LIMIT 1), ''),
		       COALESCE((SELECT v.data->>'facts' FROM work_order_events v WHERE v.work_order_id = w.id AND v.action = 'callback' ORDER BY v.id DESC LIMIT 1), ''),
		       COALESCE((SELECT COALESCE(v.data->>'measures', v.data->>'explanation') FROM work_order_events v
		                 WHERE v.work_order_id = w.id AND v.action IN ('rectify', 'decide_explain') ORDER BY v.id DESC LIMIT 1), ''),
		       w.rectified_at, w.fed_back_at, w.feedback_satisfaction, COALESCE(w.evaluator_verdict, ''), w.closed_at, w.rectify_due,
		       (w.callback_overdue OR w.rectify_overdue), COALESCE(w.ledger_status, '')
		FROM work_orders w
		JOIN evaluations e ON e.id = w.evaluation_id
		JOIN departments d ON d.id = w.department_id
		LEFT JOIN windows win ON win.id = w.window_id
		LEFT JOIN staff st ON st.id = w.handled_by_staff_id
		LEFT JOIN service_items i ON i.id = e.item_id
		LEFT JOIN cases c ON c.id = e.case_id
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY e.rated_at, w.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("rectification ledger: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (RectificationRow, error) {
		var r RectificationRow
		err := row.Scan(&r.Number, &r.RatedAt, &r.Channel, &r.Department, &r.Window, &r.Staff, &r.Item, &r.CaseNo, &r.Level,
			&r.Reasons, &r.Comment, &r.Evaluator, &r.RealName, &r.State, &r.Decision, &r.CalledBackAt, &r.CallbackMethod,
			&r.Facts, &r.Measures, &r.RectifiedAt, &r.FedBackAt, &r.Satisfaction, &r.Verdict, &r.ClosedAt, &r.Due, &r.Overdue, &r.LedgerStatus)
		r.StateName = stateNames[r.State]
		// People type phone numbers into free text; the ledger shows them masked, like the evaluator.
		r.Comment, r.Facts, r.Measures = pii.MaskNumbersInText(r.Comment), pii.MaskNumbersInText(r.Facts), pii.MaskNumbersInText(r.Measures)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("rectification ledger: %w", err)
	}
	return out, nil
}
