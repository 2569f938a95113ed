package rectify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/problem"
)

// dutyOf says whose part each action is (access.Duty): the unit's steps, which the handler,
// the unit head and the hall head take on the orders they see; and the office's rulings.
// Auditors take none.
var dutyOf = map[Action]access.Duty{
	Callback: access.Handle, DecideNow: access.Handle, DecideDeadline: access.Handle, DecideExplain: access.Handle,
	DecideAppeal: access.Handle, Rectify: access.Handle, Feedback: access.Handle, Close: access.Handle,
	Return: access.Handle, RequestExtension: access.Handle, RevealPhone: access.Handle, RevealText: access.Handle,
	RuleUpheld: access.Rule, RuleRejected: access.Rule, Reassign: access.Rule, GrantExtension: access.Rule,
	RefuseExtension: access.Rule, Supervise: access.Rule,
}

var actionNames = map[Action]string{
	Callback: "回访核实", DecideNow: "立行立改", DecideDeadline: "限期整改", DecideExplain: "解释说明",
	DecideAppeal: "提出申诉", RuleUpheld: "申诉成立", RuleRejected: "申诉驳回", Rectify: "整改", Feedback: "反馈",
	Close: "办结", Return: "退回", Reassign: "重新分派", RequestExtension: "申请延期", GrantExtension: "批准延期",
	RefuseExtension: "不予延期", Supervise: "督办", RevealPhone: "查看联系电话", RevealText: "查看完整内容",
	EvaluatorVerdict: "评价整改", Reopen: "退回重新整改", Dispatched: "派发工单", Remind: "到期提醒",
	Overdue: "逾期", Escalate: "上报",
}

// Name is the action's Chinese name, as a timeline shows it.
func (a Action) Name() string {
	if n, ok := actionNames[a]; ok {
		return n
	}
	return string(a)
}

// Common is what every action may carry: how it was done, a note, attachments.
type Common struct {
	Method      string       `json:"method"` // phone, sms, visit, in_person, online
	Note        string       `json:"note"`
	Attachments []Attachment `json:"attachments"`
}

// change is what an action does besides moving the state: the columns it sets, and the
// event's method, note and data.
type change struct {
	set    map[string]any
	method string
	note   string
	data   map[string]any
	files  []Attachment
}

func (c *change) put(column string, v any) {
	if c.set == nil {
		c.set = map[string]any{}
	}
	c.set[column] = v
}

// act runs one action: role, scope (in the SQL: another unit's order is not found), allowed
// transition (Next), the action's own checks and changes, the event — all in one transaction.
func (s *Service) act(ctx context.Context, actor *access.User, id int64, action Action, common Common,
	do func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error) (*Detail, error) {
	if !actor.May(dutyOf[action]) {
		return nil, forbiddenAction(actor, action)
	}
	fx := &effects{}
	err := pgx.BeginFunc(ctx, s.DB.Pool, func(tx pgx.Tx) error {
		w, err := loadScopedForUpdate(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		// The input is read once the order is known to be the actor's: a refusal for the role
		// or the scope never depends on what the request carries.
		if err := checkCommon(&common); err != nil {
			return err
		}
		to, err := Next(action, w.State, w.RealName)
		if err != nil {
			return err
		}
		c := &change{method: common.Method, note: common.Note, files: common.Attachments}
		if err := do(tx, w, c, fx); err != nil {
			return err
		}
		if len(c.set) > 0 {
			names, err := s.peopleNames(ctx, tx, w.EvaluationID)
			if err != nil {
				return err
			}
			maskSet(c.set, names)
		}
		if err := updateWorkOrder(ctx, tx, w.ID, to, c.set, s.now()); err != nil {
			return err
		}
		if err := s.appendEvent(ctx, tx, w, action, to, actor, "", c.method, c.note, c.data, c.files); err != nil {
			return err
		}
		if to != w.State || c.set["rectify_due"] != nil {
			updated, err := loadForUpdate(ctx, tx, w.ID)
			if err != nil {
				return err
			}
			fx.deadlines = append(fx.deadlines, updated)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.afterCommit(ctx, fx)
	return s.Detail(ctx, actor, id)
}

func updateWorkOrder(ctx context.Context, tx pgx.Tx, id int64, to State, set map[string]any, now time.Time) error {
	cols := []string{"state = $2", "updated_at = $3"}
	args := []any{id, string(to), now}
	for col, v := range set {
		args = append(args, v)
		cols = append(cols, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	if _, err := tx.Exec(ctx, `UPDATE work_orders SET `+strings.Join(cols, ", ")+` WHERE id = $1`, args...); err != nil {
		return fmt.Errorf("update work order: %w", err)
	}
	return nil
}

// loadScopedForUpdate reads and locks a work order the actor may see; others do not exist.
func forbiddenAction(actor *access.User, action Action) error {
	return problem.Forbidden("forbidden_action", fmt.Sprintf("%s不能执行“%s”", actor.Role.Label(), actionNames[action]))
}

// authorize is act's first two checks — the role's duty, then that the actor sees the order
// (404 when not) — for the actions that must read their input to know which action they are
// (a decision, a ruling, a reassignment): they run it before reading anything, so that a
// refusal for the role or the scope never depends on what the request carries.
func (s *Service) authorize(ctx context.Context, actor *access.User, id int64, action Action) error {
	if !actor.May(dutyOf[action]) {
		return forbiddenAction(actor, action)
	}
	pred, args := actor.WorkOrders("w", 2)
	var seen bool
	if err := s.DB.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM work_orders w WHERE w.id = $1 AND `+pred+`)`,
		append([]any{id}, args...)...).Scan(&seen); err != nil {
		return fmt.Errorf("authorize work order %d: %w", id, err)
	}
	if !seen {
		return errNotFound
	}
	return nil
}

func loadScopedForUpdate(ctx context.Context, tx pgx.Tx, actor *access.User, id int64) (*WorkOrder, error) {
	pred, args := actor.WorkOrders("w", 2)
	w, err := scanWorkOrder(tx.QueryRow(ctx, `SELECT `+workOrderColumns+` FROM work_orders w WHERE w.id = $1 AND `+pred+` FOR UPDATE`,
		append([]any{id}, args...)...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load work order %d: %w", id, err)
	}
	return w, nil
}

var methods = []string{"phone", "sms", "visit", "in_person", "online"}

func checkCommon(c *Common) error {
	c.Note = strings.TrimSpace(c.Note)
	if c.Method != "" && !slices.Contains(methods, c.Method) {
		return problem.Invalid("invalid_method", "method", "方式须为 phone（电话）、sms（短信）、visit（上门）、in_person（当面）或 online（线上）")
	}
	if utf8.RuneCountInString(c.Note) > 2000 {
		return problem.Invalid("note_too_long", "note", "说明不得超过 2000 字")
	}
	if len(c.Attachments) > 20 {
		return problem.Invalid("too_many_attachments", "attachments", "附件最多 20 个")
	}
	for _, a := range c.Attachments {
		if strings.TrimSpace(a.Name) == "" || a.Size < 0 || len(a.SHA256) != 64 {
			return problem.Invalid("invalid_attachment", "attachments", "附件须有名称、大小和 SHA-256 摘要")
		}
	}
	return nil
}

// required refuses an empty text field.
func required(field, value, msg string) error {
	if strings.TrimSpace(value) == "" {
		return problem.Invalid(field+"_required", field, msg)
	}
	if utf8.RuneCountInString(value) > 2000 {
		return problem.Invalid(field+"_too_long", field, "内容不得超过 2000 字")
	}
	return nil
}
