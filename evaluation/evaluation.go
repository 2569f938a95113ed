package evaluation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/problem"
)

// Evaluation is a stored rating as the API shows it: the evaluator only masked.
type Evaluation struct {
	ID        int64     `json:"id"`
	Status    Status    `json:"status"`
	Channel   Channel   `json:"channel"`
	CaseNo    string    `json:"case_no,omitempty"`
	Stage     Stage     `json:"stage,omitempty"`
	TicketNo  string    `json:"ticket_no,omitempty"`
	Level     Level     `json:"level"`
	LevelName string    `json:"level_name"`
	Bad       bool      `json:"bad"`
	Active    bool      `json:"active"`
	RealName  bool      `json:"real_name"`
	Reasons   []string  `json:"reasons"`
	Comment   string    `json:"comment"`
	Evaluator string    `json:"evaluator,omitempty"`       // masked name
	Phone     string    `json:"evaluator_phone,omitempty"` // masked phone
	ServedAt  time.Time `json:"served_at"`
	RatedAt   time.Time `json:"rated_at"`
	CreatedAt time.Time `json:"created_at"`
}

// MarshalJSON shows a duplicate answer as {"id", "status"}: the id of the original and no more.
func (e *Evaluation) MarshalJSON() ([]byte, error) {
	if e.Status == Duplicate {
		return json.Marshal(struct {
			ID     int64  `json:"id"`
			Status Status `json:"status"`
		}{e.ID, e.Status})
	}
	type plain Evaluation // without this method
	return json.Marshal((*plain)(e))
}

// Get loads one evaluation.
func (s *Service) Get(ctx context.Context, id int64) (*Evaluation, error) {
	var e Evaluation
	var caseNo, stage, ticket *string
	err := s.db.Pool.QueryRow(ctx, `
		SELECT e.id, e.channel, c.case_no, e.stage, e.ticket_no, e.level, e.active, e.real_name,
		       e.reasons, e.comment, e.evaluator_name_masked, e.evaluator_phone_masked,
		       e.served_at, e.rated_at, e.created_at
		FROM evaluations e LEFT JOIN cases c ON c.id = e.case_id
		WHERE e.id = $1`, id).Scan(
		&e.ID, &e.Channel, &caseNo, &stage, &ticket, &e.Level, &e.Active, &e.RealName,
		&e.Reasons, &e.Comment, &e.Evaluator, &e.Phone, &e.ServedAt, &e.RatedAt, &e.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.NotFound("evaluation_not_found", "评价不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("load evaluation %d: %w", id, err)
	}
	e.CaseNo, e.Stage, e.TicketNo = deref(caseNo), Stage(deref(stage)), deref(ticket)
	e.fill()
	return &e, nil
}

func (e *Evaluation) fill() {
	e.Bad = e.Level.Bad()
	e.LevelName = e.Level.Name()
	if e.Reasons == nil {
		e.Reasons = []string{}
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func ptr[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}
