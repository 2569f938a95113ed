package rectify

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
)

// FullTexts are a work order's texts as they were typed: the bad review's comment and, by
// event id, the notes and data whose stored copies are masked. Only what was masked is here.
type FullTexts struct {
	Comment string               `json:"comment,omitempty"`
	Events  map[int64]EventTexts `json:"events"`
}

// EventTexts are one event's texts in full.
type EventTexts struct {
	Note string            `json:"note,omitempty"`
	Data map[string]string `json:"data,omitempty"`
}

// RevealText shows the texts of a work order in full to whoever handles it — the handler, or
// a unit or hall head taking the step for them (access.Handle, on an order they see), as for
// the phone (phone.go) — and records in the timeline that they were shown. The office and the
// auditors read the masked copies only; so do exports, the upward report and the webhook.
func (s *Service) RevealText(ctx context.Context, actor *access.User, id int64, in Common) (*FullTexts, error) {
	out := &FullTexts{Events: map[int64]EventTexts{}}
	_, err := s.act(ctx, actor, id, RevealText, in, func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error {
		var comment []byte
		if err := tx.QueryRow(ctx, `SELECT comment_enc FROM evaluations WHERE id = $1`, w.EvaluationID).Scan(&comment); err != nil {
			return fmt.Errorf("load the comment in full: %w", err)
		}
		var err error
		if out.Comment, err = s.Keys.Open(comment); err != nil {
			return fmt.Errorf("open the comment: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT e.id, t.sealed FROM work_order_events e JOIN sealed_texts t ON t.id = e.sealed_text_id
			WHERE e.work_order_id = $1 ORDER BY e.id`, w.ID)
		if err != nil {
			return fmt.Errorf("load the texts in full: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var eventID int64
			var sealed []byte
			if err := rows.Scan(&eventID, &sealed); err != nil {
				return fmt.Errorf("load the texts in full: %w", err)
			}
			raw, err := s.Keys.Open(sealed)
			if err != nil {
				return fmt.Errorf("open the text of event %d: %w", eventID, err)
			}
			var full fullText
			if err := json.Unmarshal([]byte(raw), &full); err != nil {
				return fmt.Errorf("read the text of event %d: %w", eventID, err)
			}
			out.Events[eventID] = EventTexts(full)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("load the texts in full: %w", err)
		}
		c.data = map[string]any{"purpose": "核实原文", "events": len(out.Events), "comment": out.Comment != ""}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
