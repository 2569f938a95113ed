package ledger

import (
	"context"
	"encoding/json"
	"fmt"

	"haochaping/internal/database"
	"haochaping/internal/pii"
	"haochaping/internal/rekey"
)

// A unit's report may quote a citizen's phone or ID number (a complaint it followed up). Its
// progress, measures and issues are stored as masked copies — shown on the pages, exported,
// imported back — and the texts in full, when any differs, sealed in text_enc as a JSON object
// of the fields that differ. A report names no person of record, so only numbers are masked.

// reportTexts are a report's three texts.
type reportTexts struct {
	Progress string `json:"progress,omitempty"`
	Measures string `json:"measures,omitempty"`
	Issues   string `json:"issues,omitempty"`
}

func maskReportTexts(in reportTexts) (masked, full reportTexts, differs bool) {
	masked = reportTexts{pii.MaskText(in.Progress), pii.MaskText(in.Measures), pii.MaskText(in.Issues)}
	if masked.Progress != in.Progress {
		full.Progress, differs = in.Progress, true
	}
	if masked.Measures != in.Measures {
		full.Measures, differs = in.Measures, true
	}
	if masked.Issues != in.Issues {
		full.Issues, differs = in.Issues, true
	}
	return masked, full, differs
}

// sealReportText is a report's texts as stored: the masked copies, and the originals sealed
// (nil when nothing was masked).
func (s *Service) sealReportText(in ReportInput) (reportTexts, []byte) {
	masked, full, differs := maskReportTexts(reportTexts{in.Progress, in.Measures, in.Issues})
	if !differs {
		return masked, nil
	}
	raw, _ := json.Marshal(full)
	return masked, s.Keys.Seal(string(raw))
}

// SealedTables are this package's tables with sealed values, for `haochaping keys rotate`
// and `keys status`.
func SealedTables() []rekey.Table {
	return []rekey.Table{{
		Name: "ledger_reports", Sealed: []string{"text_enc"},
		Update: `UPDATE ledger_reports r SET text_enc = u.sealed FROM unnest($1::bigint[], $2::bytea[]) u(id, sealed) WHERE r.id = u.id`,
	}}
}

// sealBatch is how many reports one transaction of SealReportTexts reads.
const sealBatch = 500

// SealReportTexts is the backfill of the reports written in clear before migration 00025:
// each whose masked copy differs gets it, and its original sealed. In id order, a batch a
// transaction, FOR UPDATE SKIP LOCKED; a report done is masked already and is not taken
// again, so a second run, or one after a kill, changes nothing it did before. It returns the
// reports sealed.
func (s *Service) SealReportTexts(ctx context.Context, progress func(read, sealed int64)) (int64, error) {
	sealed, err := database.EachBatch(sealBatch, progress, func(after int64) (int64, int64, int64, error) {
		return s.sealReportBatch(ctx, after)
	})
	if err != nil {
		return sealed, fmt.Errorf("seal ledger reports: %w", err)
	}
	return sealed, nil
}

func (s *Service) sealReportBatch(ctx context.Context, after int64) (read, changed, last int64, err error) {
	tx, err := s.DB.Pool.Begin(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit a no-op
	rows, err := tx.Query(ctx, `SELECT id, progress, measures, issues FROM ledger_reports
		WHERE id > $1 AND text_enc IS NULL ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`, after, sealBatch)
	if err != nil {
		return 0, 0, 0, err
	}
	var ids []int64
	var progress, measures, issues []string
	var sealed [][]byte
	for rows.Next() {
		var id int64
		var t reportTexts
		if err := rows.Scan(&id, &t.Progress, &t.Measures, &t.Issues); err != nil {
			rows.Close()
			return 0, 0, 0, err
		}
		read, last = read+1, id
		if masked, full, differs := maskReportTexts(t); differs {
			raw, _ := json.Marshal(full)
			ids, sealed = append(ids, id), append(sealed, s.Keys.Seal(string(raw)))
			progress, measures, issues = append(progress, masked.Progress), append(measures, masked.Measures), append(issues, masked.Issues)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, 0, err
	}
	if len(ids) > 0 {
		tag, err := tx.Exec(ctx, `UPDATE ledger_reports r SET progress = u.p, measures = u.m, issues = u.i, text_enc = u.sealed
			FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bytea[]) u(id, p, m, i, sealed) WHERE r.id = u.id`,
			ids, progress, measures, issues, sealed)
		if err != nil {
			return 0, 0, 0, err
		}
		changed = tag.RowsAffected()
	}
	return read, changed, last, tx.Commit(ctx)
}
