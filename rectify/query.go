package rectify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/pii"
)

// View is what a screen shows of a work order besides its own fields: the names of the unit,
// window and people, and the bad review — the evaluator only masked.
type View struct {
	Department string          `json:"department"`
	Window     string          `json:"window,omitempty"`
	Assignee   *StaffRef       `json:"assignee,omitempty"`
	Evaluation EvaluationBrief `json:"evaluation"`
	OverdueNow bool            `json:"overdue_now"`
}

// StaffRef names a staff member.
type StaffRef struct {
	StaffNo string `json:"staff_no"`
	Name    string `json:"name"`
}

// EvaluationBrief is the bad review a work order answers.
type EvaluationBrief struct {
	Level     int       `json:"level"`
	Reasons   []string  `json:"reasons"`
	Comment   string    `json:"comment"`
	Evaluator string    `json:"evaluator,omitempty"`       // masked
	Phone     string    `json:"evaluator_phone,omitempty"` // masked
	CaseNo    string    `json:"case_no,omitempty"`
	TicketNo  string    `json:"ticket_no,omitempty"`
	Item      string    `json:"item,omitempty"`
	RatedAt   time.Time `json:"rated_at"`
	// HasFullComment: the comment shown is a masked copy, its original sealed (RevealText).
	HasFullComment bool `json:"-"`
}

// Listed is a work order with its view.
type Listed struct {
	*WorkOrder
	View
}

// Detail is a work order with its view and timeline.
type Detail struct {
	*WorkOrder
	View
	Timeline []Event `json:"timeline"`
}

// overdueNow is true when a step is past its deadline and still owed, $1 being now. (The
// overdue flags record that a step was ever late; a closed order stays flagged but is owed
// nothing.) Every query that uses it passes the business time as $1.
const overdueNow = `((w.state = 'pending_callback' AND w.callback_due < $1)
	OR (w.rectify_due < $1 AND (w.state IN ('pending_callback', 'verified', 'rectifying_now', 'rectifying_deadline')
	    OR (w.real_name AND w.state IN ('rectified', 'explained')))))`

const listedSelect = `SELECT ` + workOrderColumns + `, d.name, COALESCE(win.name, ''), a.staff_no, a.name,
	e.level, e.reasons, e.comment, e.evaluator_name_masked, e.evaluator_phone_masked, COALESCE(c.case_no, ''),
	COALESCE(e.ticket_no, ''), COALESCE(i.name, ''), e.rated_at, e.comment_enc IS NOT NULL, ` + overdueNow + `, count(*) OVER ()
FROM work_orders w
JOIN departments d ON d.id = w.department_id
LEFT JOIN windows win ON win.id = w.window_id
LEFT JOIN staff a ON a.id = w.assignee_staff_id
JOIN evaluations e ON e.id = w.evaluation_id
LEFT JOIN cases c ON c.id = e.case_id
LEFT JOIN service_items i ON i.id = e.item_id`

func scanListed(row pgx.Row) (*Listed, int, error) {
	var w WorkOrder
	var l Listed
	var staffNo, staffName *string
	var total int
	err := row.Scan(append(w.targets(),
		&l.Department, &l.Window, &staffNo, &staffName,
		&l.Evaluation.Level, &l.Evaluation.Reasons, &l.Evaluation.Comment, &l.Evaluation.Evaluator, &l.Evaluation.Phone,
		&l.Evaluation.CaseNo, &l.Evaluation.TicketNo, &l.Evaluation.Item, &l.Evaluation.RatedAt, &l.Evaluation.HasFullComment, &l.OverdueNow, &total)...)
	if err != nil {
		return nil, 0, err
	}
	w.named()
	l.Evaluation.Comment = pii.MaskNumbersInText(l.Evaluation.Comment) // the number is revealed only on request
	l.WorkOrder = &w
	if staffNo != nil {
		l.Assignee = &StaffRef{StaffNo: *staffNo, Name: deref(staffName)}
	}
	return &l, total, nil
}

// Get returns a work order the actor may see, with its view and timeline.
func (s *Service) Get(ctx context.Context, actor *access.User, id int64) (*WorkOrder, error) {
	d, err := s.Detail(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return d.WorkOrder, nil
}

// Detail returns a work order the actor may see, with its view and timeline; one outside the
// actor's scope is not found.
func (s *Service) Detail(ctx context.Context, actor *access.User, id int64) (*Detail, error) {
	pred, args := actor.WorkOrders("w", 3)
	l, _, err := scanListed(s.DB.Pool.QueryRow(ctx, listedSelect+` WHERE w.id = $2 AND `+pred, append([]any{s.now(), id}, args...)...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load work order %d: %w", id, err)
	}
	events, err := s.timeline(ctx, id, l.EvaluationID)
	if err != nil {
		return nil, err
	}
	return &Detail{WorkOrder: l.WorkOrder, View: l.View, Timeline: events}, nil
}

// Filter selects work orders for an inbox.
type Filter struct {
	States  []State
	Overdue *bool
	Channel string
	From    time.Time // created on or after (inclusive)
	To      time.Time // created before (exclusive)
	Mine    bool      // assigned to the actor
	// Query is what a citizen reads out on the phone: a work-order number, a case number, a
	// window ticket, or a phone number (search.go).
	Query   string
	Page    int // from 1
	PerPage int
}

// Page is one page of an inbox.
type Page struct {
	Items   []*Listed `json:"items"`
	Total   int       `json:"total"`
	Page    int       `json:"page"`
	PerPage int       `json:"per_page"`
}

// where is the filter's SQL predicate (its clauses, to be joined by AND) over work_orders w in
// the actor's scope, and its arguments; $1 is now.
func (s *Service) where(actor *access.User, f Filter) ([]string, []any) {
	pred, scopeArgs := actor.WorkOrders("w", 2)
	where := []string{pred}
	args := append([]any{s.now()}, scopeArgs...)
	add := func(clause string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(clause, "?", fmt.Sprintf("$%d", len(args))))
	}
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, st := range f.States {
			states[i] = string(st)
		}
		add("w.state = ANY(?)", states)
	}
	if f.Overdue != nil {
		if *f.Overdue {
			where = append(where, overdueNow)
		} else {
			where = append(where, "NOT "+overdueNow)
		}
	}
	if f.Channel != "" {
		add("w.channel = ?", f.Channel)
	}
	if !f.From.IsZero() {
		add("w.created_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		add("w.created_at < ?", f.To)
	}
	if f.Mine {
		var staff int64 = -1
		if actor.StaffID != nil {
			staff = *actor.StaffID
		}
		add("w.assignee_staff_id = ?", staff)
	}
	if f.Query != "" {
		clause, qArgs := searchClause(s.Keys, f.Query, len(args)+1)
		where = append(where, clause)
		args = append(args, qArgs...)
	}
	return where, args
}

// List returns the work orders in the actor's scope that match the filter: overdue first,
// then by the nearest deadline.
func (s *Service) List(ctx context.Context, actor *access.User, f Filter) (*Page, error) {
	where, args := s.where(actor, f)
	if f.PerPage <= 0 || f.PerPage > 100 {
		f.PerPage = 20
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	args = append(args, f.PerPage, (f.Page-1)*f.PerPage)
	sql := listedSelect + ` WHERE ` + strings.Join(where, " AND ") + fmt.Sprintf(`
		ORDER BY %s DESC, w.state = 'closed', CASE WHEN w.state IN ('pending_callback', 'returned') THEN w.callback_due ELSE w.rectify_due END, w.id
		LIMIT $%d OFFSET $%d`, overdueNow, len(args)-1, len(args))
	rows, err := s.DB.Pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("list work orders: %w", err)
	}
	defer rows.Close()
	p := &Page{Items: []*Listed{}, Page: f.Page, PerPage: f.PerPage}
	for rows.Next() {
		l, total, err := scanListed(rows)
		if err != nil {
			return nil, fmt.Errorf("list work orders: %w", err)
		}
		p.Items = append(p.Items, l)
		p.Total = total
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list work orders: %w", err)
	}
	if len(p.Items) == 0 && f.Page > 1 {
		// count(*) OVER () counts nothing past the last page; count the filter alone.
		countSQL := `SELECT count(*) FROM work_orders w WHERE $1::timestamptz IS NOT NULL AND ` + strings.Join(where, " AND ")
		if err := s.DB.Pool.QueryRow(ctx, countSQL, args[:len(args)-2]...).Scan(&p.Total); err != nil {
			return nil, fmt.Errorf("count work orders: %w", err)
		}
	}
	return p, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
