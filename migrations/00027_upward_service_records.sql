-- owner upward: upward_records
-- The 办件 service record (办件服务数据) goes to the platform before any rating of it: the
-- platform refuses a rating of a service it does not know. It is a row of upward_records of
-- kind 'service' with assess_number 0, beside the evaluation's own rows (1 the rating, 2 the
-- citizen's rating of the fix) under the same project_no, so that the two keys stay unique and
-- a record is sent only once the one before it (a smaller assess_number of the same
-- evaluation) is acknowledged.

-- +goose Up
ALTER TABLE upward_records DROP CONSTRAINT upward_records_assess_number_check;
ALTER TABLE upward_records
    ADD COLUMN kind text NOT NULL DEFAULT 'evaluation',
    ADD CONSTRAINT upward_records_kind_check CHECK (
        (kind = 'service' AND assess_number = 0) OR (kind = 'evaluation' AND assess_number IN (1, 2)));

-- +goose Down
DELETE FROM upward_records WHERE kind = 'service';
ALTER TABLE upward_records DROP CONSTRAINT upward_records_kind_check, DROP COLUMN kind;
ALTER TABLE upward_records ADD CONSTRAINT upward_records_assess_number_check CHECK (assess_number IN (1, 2));
