-- owner measures: rollup_rectification
-- Upheld appeals leave the rates (DOMAIN.md): the measures subtract them from the counts of
-- the evaluation rollups, which only ever add. For satisfaction that needs their scores.

-- +goose Up
ALTER TABLE rollup_rectification ADD COLUMN upheld_score_sum bigint NOT NULL DEFAULT 0;
ALTER TABLE rollup_rectification ADD COLUMN upheld_active integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE rollup_rectification DROP COLUMN upheld_active, DROP COLUMN upheld_score_sum;
