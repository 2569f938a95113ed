-- owner evaluation: upward_reports
-- measures writes the rollups; evaluation keeps upward_reports. The counts of 及时上报率
-- (rollup_units.reported, reported_timely) were added by the upward report itself; now the
-- rollup job counts them, from the upward_reports of the transactions it reaches, as it counts
-- the evaluations: one writer for each table.

-- +goose Up
-- Rows already reported were counted by the report that wrote them: 0 keeps them below every
-- watermark. New rows carry their transaction.
ALTER TABLE upward_reports ADD COLUMN txid bigint NOT NULL DEFAULT 0;
ALTER TABLE upward_reports ALTER COLUMN txid SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX upward_reports_txid ON upward_reports (txid);

-- +goose Down
DROP INDEX upward_reports_txid;
ALTER TABLE upward_reports DROP COLUMN txid;
