-- owner evaluation: evaluations, evaluation_supersessions
-- Two rules of rating that the first tables did not hold:
--
-- A default evaluation (默认评价) is provisional. An active rating made inside the rating window
-- that arrives after the default job ran (an offline kiosk uploading late) replaces it: the
-- default stays, marked superseded and out of the one-per-case-and-stage index, and the
-- supersession is recorded with the transaction that made it, so that the rollups take the
-- default out of their counts exactly once.
--
-- The reason set follows the service, not the device: the evaluation records which set (现场
-- or 网上) its reasons were checked against.

-- +goose Up
ALTER TABLE evaluations ADD COLUMN superseded boolean NOT NULL DEFAULT false;
ALTER TABLE evaluations ADD CONSTRAINT evaluations_superseded_default CHECK (NOT superseded OR NOT active);
DROP INDEX evaluations_case_stage;
CREATE UNIQUE INDEX evaluations_case_stage ON evaluations (case_id, stage) WHERE case_id IS NOT NULL AND NOT superseded;

CREATE TABLE evaluation_supersessions (
    default_id    bigint PRIMARY KEY REFERENCES evaluations (id),
    evaluation_id bigint NOT NULL UNIQUE REFERENCES evaluations (id),
    at            timestamptz NOT NULL,
    -- The transaction that superseded the default: the rollup subtracts the default's counts
    -- when it reaches this transaction, as it adds the rating's (evaluations.txid).
    txid          bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint)
);
CREATE INDEX evaluation_supersessions_txid ON evaluation_supersessions (txid);

-- online (网上服务) or offline (现场服务); NULL when no reason was given.
ALTER TABLE evaluations ADD COLUMN reason_kind text CHECK (reason_kind IN ('online', 'offline'));
-- Until now the set was chosen by the channel that collected the rating.
UPDATE evaluations SET reason_kind = CASE WHEN channel IN ('pc', 'mobile') THEN 'online' ELSE 'offline' END
WHERE cardinality(reasons) > 0;
ALTER TABLE evaluations ADD CONSTRAINT evaluations_reason_kind CHECK (cardinality(reasons) = 0 OR reason_kind IS NOT NULL);

-- +goose Down
ALTER TABLE evaluations DROP CONSTRAINT evaluations_reason_kind;
ALTER TABLE evaluations DROP COLUMN reason_kind;
DROP TABLE evaluation_supersessions;
DROP INDEX evaluations_case_stage;
-- Fails if a default was ever superseded: both ratings are facts, and neither is dropped here.
CREATE UNIQUE INDEX evaluations_case_stage ON evaluations (case_id, stage) WHERE case_id IS NOT NULL;
ALTER TABLE evaluations DROP CONSTRAINT evaluations_superseded_default;
ALTER TABLE evaluations DROP COLUMN superseded;
