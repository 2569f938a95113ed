package rectify

import (
	"context"
	"encoding/json"
	"fmt"
	"haochaping/access"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/pii"
)

// Event is one entry of a work order's timeline: who, when, how, what. Never changed.
type Event struct {
	ID          int64          `json:"id"`
	Action      Action         `json:"action"`
	FromState   State          `json:"from_state,omitempty"`
	ToState     State          `json:"to_state,omitempty"`
	Actor       string         `json:"actor"`
	ActorUserID *int64         `json:"actor_user_id,omitempty"`
	At          time.Time      `json:"at"`
	Method      string         `json:"method,omitempty"`
	Note        string         `json:"note"`
	Data        map[string]any `json:"data"`
	Attachments []Attachment   `json:"attachments"`
	// HasFullText: some of the note or data was masked, and its original is sealed
	// (RevealText shows it to the handler).
	HasFullText bool `json:"-"`
}

// Attachment describes a file kept elsewhere (a photo of the rectified counter, a recording of
// the call): the timeline keeps what identifies it.
type Attachment struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	URL    string `json:"url,omitempty"`
}

// appendEvent adds an event to the timeline, in the transaction of the change it records, at
// the business time.
func (s *Service) appendEvent(ctx context.Context, tx pgx.Tx, w *WorkOrder, action Action, to State, actor *access.User,
	actorName, method, note string, data map[string]any, attachments []Attachment) error {
	if data == nil {
		data = map[string]any{}
	}
	if attachments == nil {
		attachments = []Attachment{}
	}
	var userID *int64
	if actor != nil {
		userID, actorName = &actor.ID, actor.DisplayName
	}
	var m *string
	if method != "" {
		m = &method
	}
	var from, toState *string
	if action != Dispatched {
		f := string(w.State)
		from = &f
	}
	if to != "" {
		t := string(to)
		toState = &t
	}
	// The note and the data's texts are stored masked; the originals, if anything was masked,
	// sealed in sealed_texts (sealed_text.go).
	var sealedID *int64
	if hasText(note, data) {
		names, err := s.peopleNames(ctx, tx, w.EvaluationID)
		if err != nil {
			return err
		}
		var sealed []byte
		if note, data, sealed = s.maskEventText(note, data, names); sealed != nil {
			id, err := storeSealedText(ctx, tx, sealed)
			if err != nil {
				return err
			}
			sealedID = &id
		}
	}
	rawData, _ := json.Marshal(data)
	rawAtt, _ := json.Marshal(attachments)
	if _, err := tx.Exec(ctx, `
		INSERT INTO work_order_events (work_order_id, action, from_state, to_state, actor_user_id, actor_name, method, note, data, attachments, at, sealed_text_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		w.ID, string(action), from, toState, userID, actorName, m, note, rawData, rawAtt, s.now(), sealedID); err != nil {
		return fmt.Errorf("record %s event: %w", action, err)
	}
	return nil
}

// Timeline returns the events of a work order, oldest first.
func (s *Service) timeline(ctx context.Context, id, evaluationID int64) ([]Event, error) {
	names, err := s.peopleNames(ctx, s.DB.Pool, evaluationID)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT id, action, COALESCE(from_state, ''), COALESCE(to_state, ''), actor_name, actor_user_id, at,
		       COALESCE(method, ''), note, data, attachments, sealed_text_id IS NOT NULL
		FROM work_order_events WHERE work_order_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("load timeline: %w", err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.Action, &e.FromState, &e.ToState, &e.Actor, &e.ActorUserID, &e.At,
			&e.Method, &e.Note, &e.Data, &e.Attachments, &e.HasFullText); err != nil {
			return nil, fmt.Errorf("load timeline: %w", err)
		}
		// Stored masked since migration 00025; an event written before it holds its text as
		// typed (the table is append-only), so it is masked here too, for whoever reads the
		// timeline, the auditor included: the text in full is shown only on request.
		e.Note = pii.MaskText(e.Note, names...)
		for k, v := range e.Data {
			if text, ok := v.(string); ok {
				e.Data[k] = pii.MaskText(text, names...)
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
