package rectify

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/pii"
)

// Free text staff type into a work order — callback facts, measures, explanations, appeal
// reasons, notes, the reasons for a deadline or an extension — may hold the evaluator's phone,
// an ID number, a name. Each is stored as its masked copy (pii.MaskText: numbers, and the names
// of the order's evaluator and applicant); the text in full is sealed in sealed_texts, named
// by its event (work_order_events is append-only, so `keys rotate` rewrites sealed_texts, never
// the events), and shown only on request (RevealText).

// fullText is what a sealed text holds: the fields whose masked copy differs, in full.
type fullText struct {
	Note string            `json:"note,omitempty"`
	Data map[string]string `json:"data,omitempty"`
}

// querier is what both a pool and a transaction answer.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// peopleNames are the names of a work order's people as the system knows them — the
// evaluator's and, for a person, the case's applicant's — to mask in its texts.
func (s *Service) peopleNames(ctx context.Context, q querier, evaluationID int64) ([]string, error) {
	var evaluator, applicant []byte
	err := q.QueryRow(ctx, `
		SELECT e.evaluator_name_enc, CASE WHEN c.applicant_kind = 'person' THEN c.applicant_name_enc END
		FROM evaluations e LEFT JOIN cases c ON c.id = e.case_id WHERE e.id = $1`, evaluationID).Scan(&evaluator, &applicant)
	if err != nil {
		return nil, fmt.Errorf("load the names of evaluation %d: %w", evaluationID, err)
	}
	var names []string
	for _, enc := range [][]byte{evaluator, applicant} {
		name, err := s.Keys.Open(enc)
		if err != nil {
			return nil, fmt.Errorf("open a name of evaluation %d: %w", evaluationID, err)
		}
		if name != "" {
			names = append(names, name)
		}
	}
	return names, nil
}

// hasText reports whether an event carries any text to mask.
func hasText(note string, data map[string]any) bool {
	if note != "" {
		return true
	}
	for _, v := range data {
		if s, ok := v.(string); ok && s != "" {
			return true
		}
	}
	return false
}

// maskEventText returns the event's note and data as stored — the masked copies — and the
// sealed original when anything was masked (nil otherwise).
func (s *Service) maskEventText(note string, data map[string]any, names []string) (string, map[string]any, []byte) {
	var full fullText
	masked := pii.MaskText(note, names...)
	if masked != note {
		full.Note = note
	}
	out := maps.Clone(data)
	for k, v := range data {
		text, ok := v.(string)
		if !ok {
			continue
		}
		if m := pii.MaskText(text, names...); m != text {
			if full.Data == nil {
				full.Data = map[string]string{}
			}
			full.Data[k], out[k] = text, m
		}
	}
	if full.Note == "" && full.Data == nil {
		return note, data, nil
	}
	raw, _ := json.Marshal(full)
	return masked, out, s.Keys.Seal(string(raw))
}

// storeSealedText keeps a sealed text and returns its id.
func storeSealedText(ctx context.Context, tx pgx.Tx, sealed []byte) (int64, error) {
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO sealed_texts (sealed) VALUES ($1) RETURNING id`, sealed).Scan(&id); err != nil {
		return 0, fmt.Errorf("store a sealed text: %w", err)
	}
	return id, nil
}

// maskedColumns are the work_orders columns of free text, stored masked: their text in full
// is the sealed text of the event of the action that set them (its data.reason).
var maskedColumns = []string{"extension_reason", "rectify_deadline_reason"}

// maskSet masks the free-text columns an action sets.
func maskSet(set map[string]any, names []string) {
	for _, col := range maskedColumns {
		if text, ok := set[col].(string); ok {
			set[col] = pii.MaskText(text, names...)
		}
	}
}
