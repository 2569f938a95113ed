-- owner evaluation: outbox
-- The dispatch marks its batch's outbox rows dispatched by evaluation id (evaluation.
-- MarkDispatched: evaluation_id = ANY($1) AND dispatched_at IS NULL). outbox_undispatched was
-- keyed by created_at, so that statement read every undispatched row to find its few: under a
-- burst, when the dispatch falls behind, each batch read the whole backlog (23,293 rows
-- fetched a rating while 40,000 waited) and fell further behind. Keyed by evaluation id, the
-- index finds the batch's rows and still lists every undispatched row for the reconciler.
-- Building it takes a SHARE lock on outbox for the scan of the table (about a second for
-- 2 million rows), which holds back bad reviews' inserts for that moment only.

-- +goose Up
DROP INDEX outbox_undispatched;
CREATE INDEX outbox_undispatched ON outbox (evaluation_id) WHERE dispatched_at IS NULL;

-- +goose Down
DROP INDEX outbox_undispatched;
CREATE INDEX outbox_undispatched ON outbox (created_at) WHERE dispatched_at IS NULL;
