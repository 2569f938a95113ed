package evaluation

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Bulk loads: rows made elsewhere — the demo history (seeds/demohistory) — copied into this
// package's tables with COPY, in the caller's transaction. They bypass Ingest and UpsertCases,
// so the caller answers for the rows being what those would have written (sealed personal data,
// service days, windows, defaults); the database still checks its constraints. Each source
// fills the columns of its list, in that order; the other columns keep their defaults (the
// evaluations' txid: the writing transaction, which the rollups count by). The lists must not
// be changed.

// CaseCopyColumns are the columns CopyCases fills.
var CaseCopyColumns = []string{"id", "case_no", "item_id", "region_id", "department_id", "hall_id", "window_id", "staff_id",
	"source_channel", "applicant_kind", "applicant_name_enc", "applicant_name_masked", "applicant_phone_enc",
	"applicant_phone_masked", "applicant_phone_index", "applicant_id_enc", "applicant_id_index", "accepted_at",
	"completed_at", "stage", "created_at", "updated_at"}

// EvaluationCopyColumns are the columns CopyEvaluations fills; score and bad are generated.
var EvaluationCopyColumns = []string{"id", "idem_key", "channel", "device_id", "case_id", "stage", "ticket_no",
	"service_day", "region_id", "department_id", "hall_id", "window_id", "staff_id", "item_id", "level", "reasons",
	"reason_set_version", "comment", "active", "real_name", "evaluator_name_enc", "evaluator_name_masked",
	"evaluator_phone_enc", "evaluator_phone_masked", "evaluator_phone_index", "served_at", "rated_at", "created_at",
	"reason_kind"}

// OutboxCopyColumns are the columns CopyOutbox fills.
var OutboxCopyColumns = []string{"topic", "evaluation_id", "created_at", "published_at", "attempts", "last_error",
	"task_id", "sent_at", "dispatched_at"}

// CopyCases copies cases (办件) from src into the cases table.
func CopyCases(ctx context.Context, tx pgx.Tx, src pgx.CopyFromSource) (int64, error) {
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"cases"}, CaseCopyColumns, src)
	if err != nil {
		return n, fmt.Errorf("copy into cases: %w", err)
	}
	return n, nil
}

// CopyEvaluations copies evaluations from src into the evaluations table.
func CopyEvaluations(ctx context.Context, tx pgx.Tx, src pgx.CopyFromSource) (int64, error) {
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"evaluations"}, EvaluationCopyColumns, src)
	if err != nil {
		return n, fmt.Errorf("copy into evaluations: %w", err)
	}
	return n, nil
}

// CopyOutbox copies outbox rows from src into the outbox table.
func CopyOutbox(ctx context.Context, tx pgx.Tx, src pgx.CopyFromSource) (int64, error) {
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"outbox"}, OutboxCopyColumns, src)
	if err != nil {
		return n, fmt.Errorf("copy into outbox: %w", err)
	}
	return n, nil
}
