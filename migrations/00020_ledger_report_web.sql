-- owner ledger: ledger_reports
-- A report made on the ledger pages (source 'web') is told apart from one sent to the API or
-- imported from a filled-in sheet: the office asks where a figure came from.

-- +goose Up
ALTER TABLE ledger_reports DROP CONSTRAINT ledger_reports_source_check;
ALTER TABLE ledger_reports ADD CONSTRAINT ledger_reports_source_check CHECK (source IN ('api', 'excel', 'web'));

-- +goose Down
UPDATE ledger_reports SET source = 'api' WHERE source = 'web';
ALTER TABLE ledger_reports DROP CONSTRAINT ledger_reports_source_check;
ALTER TABLE ledger_reports ADD CONSTRAINT ledger_reports_source_check CHECK (source IN ('api', 'excel'));
