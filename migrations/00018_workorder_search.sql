-- owner evaluation: evaluations (search indexes), cases (search indexes), phone_reindex
-- Finding a work order from what a citizen reads out on the phone (GET /api/v1/workorders?q=):
-- the work-order number (work_orders.number, already unique), the case number, the window
-- ticket, or the phone, by its keyed hash — the evaluator's or the case applicant's. Each kind
-- is looked up by its own index; the inbox's scope then filters the few orders found.
--
-- Phones are hashed from now on in one normal form (pii.NormalPhone: digits only, without +86),
-- so that 138-1234-5678 and 13812345678 are one number. A hash made before from a number stored
-- with a dash differs; the database cannot recompute it (the key is not here), so every row
-- with a phone is queued in phone_reindex, and the phone_reindex job (evaluation.ReindexPhones)
-- opens each sealed phone, rehashes it and empties the queue. The table may be dropped once empty.

-- +goose Up
-- The case number as people read it: its letters in either case.
CREATE INDEX cases_case_no_lower ON cases (lower(case_no));
CREATE INDEX cases_applicant_phone ON cases (applicant_phone_index) WHERE applicant_phone_index IS NOT NULL;
-- A ticket alone, whatever the window and day (the unique index leads with the window).
CREATE INDEX evaluations_ticket_no ON evaluations (ticket_no) WHERE ticket_no IS NOT NULL;
-- The evaluator's phone; with rated_at it also serves the 刷好评 watch's per-phone window.
CREATE INDEX evaluations_evaluator_phone ON evaluations (evaluator_phone_index, rated_at) WHERE evaluator_phone_index IS NOT NULL;

CREATE TABLE phone_reindex (
    tbl    text NOT NULL CHECK (tbl IN ('cases', 'evaluations')),
    row_id bigint NOT NULL,
    PRIMARY KEY (tbl, row_id)
);
INSERT INTO phone_reindex (tbl, row_id) SELECT 'cases', id FROM cases WHERE applicant_phone_enc IS NOT NULL;
INSERT INTO phone_reindex (tbl, row_id) SELECT 'evaluations', id FROM evaluations WHERE evaluator_phone_enc IS NOT NULL;

-- +goose Down
DROP TABLE phone_reindex;
DROP INDEX evaluations_evaluator_phone, evaluations_ticket_no, cases_applicant_phone, cases_case_no_lower;
