package upward

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/database"
)

// Status is the state of the report: records by state, and the refused ones with the
// platform's reason (the dead letters the office resends once the cause is fixed).
type Status struct {
	Pending, Acknowledged, Refused int64
	Failing                        int64 // pending after at least one failed attempt
	Oldest                         *time.Time
	RefusedRecords                 []RefusedRecord
}

// RefusedRecord is one record the platform refused.
type RefusedRecord struct {
	ID           int64  `json:"id"`
	ProjectNo    string `json:"project_no"`
	AssessNumber int16  `json:"assess_number"`
	Refusal      string `json:"refusal"`
}

// ReadStatus reads the counts and up to limit refused records, oldest first.
func ReadStatus(ctx context.Context, db *database.DB, limit int) (*Status, error) {
	var s Status
	err := db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'acknowledged'),
			count(*) FILTER (WHERE state = 'refused'), count(*) FILTER (WHERE state = 'pending' AND attempts > 0),
			min(created_at) FILTER (WHERE state = 'pending')
		FROM upward_records`).Scan(&s.Pending, &s.Acknowledged, &s.Refused, &s.Failing, &s.Oldest)
	if err != nil {
		return nil, fmt.Errorf("upward status: %w", err)
	}
	rows, err := db.Pool.Query(ctx, `SELECT id, project_no, assess_number, refusal FROM upward_records
		WHERE state = 'refused' ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("upward status: %w", err)
	}
	s.RefusedRecords, err = pgx.CollectRows(rows, pgx.RowToStructByPos[RefusedRecord])
	if err != nil {
		return nil, fmt.Errorf("upward status: %w", err)
	}
	return &s, nil
}

// ResendAllRefused sends every refused record again (after the cause is fixed for them all):
// the command line's, for the whole system.
func ResendAllRefused(ctx context.Context, db *database.DB, now time.Time) (int64, error) {
	return resendAll(ctx, db, now, "$2::bigint IS NULL", nil)
}
