package app

import (
	"context"
	"fmt"
	"io"
	"slices"

	"haochaping/access"
	"haochaping/channels"
	"haochaping/evaluation"
	"haochaping/internal/database"
	"haochaping/internal/pii"
	"haochaping/internal/rekey"
	"haochaping/ledger"
	"haochaping/rectify"
)

// SealedTables are every table with sealed values, each described by its owning package:
// what `haochaping keys rotate` rewrites and `keys status` counts. A new sealed column goes
// into its owner's SealedTables.
func SealedTables() []rekey.Table {
	return slices.Concat(evaluation.SealedTables(), channels.SealedTables(), rectify.SealedTables(), ledger.SealedTables(), access.SealedTables())
}

// RotateKeys moves every sealed value, and every keyed hash with it, to the current data key,
// telling progress to w (rows done / total, per table). Killed midway, it is resumed by
// running it again; once done, running it again changes nothing.
func RotateKeys(ctx context.Context, db *database.DB, keys *pii.Keys, batch int, w io.Writer) error {
	r := &rekey.Rotator{DB: db, Keys: keys, Batch: batch, Progress: func(p rekey.Progress) {
		if w != nil {
			fmt.Fprintf(w, "keys rotate: %s %d/%d\n", p.Table, p.Done, p.Total)
		}
	}}
	return r.RotateAll(ctx, SealedTables())
}

// KeyStatus counts the sealed values of every table by the key they are under.
func KeyStatus(ctx context.Context, db *database.DB, keys *pii.Keys) ([]rekey.Count, error) {
	var out []rekey.Count
	for _, t := range SealedTables() {
		c, err := rekey.Status(ctx, db, keys, t)
		if err != nil {
			return nil, err
		}
		out = append(out, c...)
	}
	return out, nil
}

// SealFreeText is the backfill of the free text written in clear before it was stored
// masked with its original sealed (migration 00025): the evaluations' comments, the ledger
// reports, and the work orders' reasons and notices, each by its owner, progress to w. The
// timeline's events written before are append-only and stay as they are, masked when read.
func (a *App) SealFreeText(ctx context.Context, w io.Writer) error {
	say := func(table string) func(read, changed int64) {
		return func(read, changed int64) {
			if w != nil {
				fmt.Fprintf(w, "pii seal-text: %s %d read, %d masked\n", table, read, changed)
			}
		}
	}
	if _, err := a.Evaluation.SealComments(ctx, say("evaluations")); err != nil {
		return err
	}
	if _, err := a.Ledger.SealReportTexts(ctx, say("ledger_reports")); err != nil {
		return err
	}
	_, err := a.Rectify.MaskStoredTexts(ctx, func(table string, read, changed int64) { say(table)(read, changed) })
	return err
}
