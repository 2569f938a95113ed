-- owner evaluation: evaluations, evaluations_default
-- evaluations becomes PARTITION BY RANGE (service_day), one partition a calendar month
-- (evaluations_yYYYYmMM, the Beijing service day's month) and a DEFAULT partition, so that no
-- insert ever fails for a month not made yet. ensure_evaluation_partitions(until) makes the
-- missing months up to `until` — from this month, and any month whose rows wait in DEFAULT,
-- which it moves into their partition; the migration runs it for 12 months ahead, and the daily
-- audit_retention job (jobs/audit_retention.go, evaluation.Service.EnsurePartitions) keeps 12
-- months ahead from then on. A month is made by CREATE TABLE … PARTITION OF, which locks the
-- parent for an instant: the function waits at most 5 s for that lock, and fails (to retry the
-- next day, 12 months early) rather than stall the ratings queued behind it.
--
-- Every unique key of a partitioned table must hold the partition key:
--
--   * primary key (id, service_day). id stays unique on its own: it comes from the identity
--     (continued from the old table's sequence), and no row is ever updated to another id.
--   * one evaluation per case and stage (evaluations_case_stage, partial WHERE case_id IS NOT
--     NULL AND NOT superseded — the queries name that predicate to use it) becomes (case_id,
--     stage, service_day). It is still one per case and stage because a case's stage has one
--     service day: evaluations_case_stage_day, a BEFORE INSERT OR UPDATE trigger, refuses a row
--     whose service_day is not the Beijing day of its case's stage time (accepted_at for
--     accept, completed_at for complete), as the code computes it (evaluation/subject.go:
--     bjtime.Day(servedAt), servedAt taken from the case; evaluation/defaults.go: completed_at
--     AT TIME ZONE 'Asia/Shanghai'; the demo loader writes the case's day). So two standing rows
--     of a case and stage would share the day, and the unique index refuses the second. A case's
--     time may still be corrected by its system after it was rated (the upsert of cases): the
--     trigger also refuses a row when a standing evaluation of the case and stage exists on
--     another day, which the unique index cannot see.
--   * the window ticket (window_id, service_day, ticket_no) already held it.
--   * idem_key becomes (idem_key, service_day). A retry carries the same service day as the
--     original, because every key is derived from what fixes that day: the window's derived key
--     holds the case and stage (whose day is the case's) or the ticket's Beijing service day
--     (channels/window: derivedKey); the kiosk's (kiosk:<device>:<seq>) names one offline record,
--     which names its case and stage again; the app's (mobile:<token>) is the link of one case
--     and stage; the portal's and an Idempotency-Key header's are resent with the same body,
--     hence the same case or ticket and day. The repeat look-ups query by idem_key alone and
--     still find the original: they now probe each partition's index. A key reused for a
--     different day's ticket is not a retry, and is no longer folded into the first.
--
-- Foreign keys to evaluations(id) cannot stay: a partitioned table has no unique index on id
-- alone. None of the referencing tables (outbox, work_orders, upward_reports, upward_records,
-- evaluation_supersessions) carries the service day, so each foreign key is replaced by a
-- constraint trigger of the same name on the referencing table, which refuses (SQLSTATE 23503)
-- an INSERT or UPDATE of the column naming no evaluation; and evaluations refuses DELETE,
-- TRUNCATE and an UPDATE of id (evaluations_immutable_id). A row once present never goes and
-- never changes its id, so a reference checked when written holds for good: together as sound
-- as the foreign key (which is why the check needs no row lock, as a foreign key takes to stop
-- a concurrent delete). Evaluations are never deleted by the code; an UPDATE moving a row to
-- another month's partition is refused too (PostgreSQL performs it as a DELETE).
-- session_replication_role = replica (the demo loader's COPY, upward.SeedHistory) skips these
-- triggers as it skips foreign keys: the loader's data is consistent by construction.
--
-- The application's role (haochaping_app) gets its rights on the new table and its partitions
-- from migrations.GrantApp, run after every migration (ALL TABLES IN SCHEMA), and on partitions
-- made later from the default privileges; it reads and writes through the parent anyway. The
-- partition functions are SECURITY DEFINER (the owner's: only an owner may add a partition),
-- with the schema's search_path fixed and pg_temp last.

-- +goose Up
ALTER TABLE outbox DROP CONSTRAINT outbox_evaluation_id_fkey;
ALTER TABLE work_orders DROP CONSTRAINT work_orders_evaluation_id_fkey;
ALTER TABLE upward_reports DROP CONSTRAINT upward_reports_evaluation_id_fkey;
ALTER TABLE upward_records DROP CONSTRAINT upward_records_evaluation_id_fkey;
ALTER TABLE evaluation_supersessions DROP CONSTRAINT evaluation_supersessions_default_id_fkey;
ALTER TABLE evaluation_supersessions DROP CONSTRAINT evaluation_supersessions_evaluation_id_fkey;

-- The old table steps aside, its index names and sequence freed for the new one.
ALTER TABLE evaluations RENAME TO evaluations_unpartitioned;
ALTER SEQUENCE evaluations_id_seq RENAME TO evaluations_unpartitioned_id_seq;
ALTER TABLE evaluations_unpartitioned DROP CONSTRAINT evaluations_pkey, DROP CONSTRAINT evaluations_idem_key_key;
DROP INDEX evaluations_case_stage, evaluations_ticket, evaluations_rated, evaluations_region_rated,
    evaluations_department_rated, evaluations_bad_rated, evaluations_created, evaluations_txid,
    evaluations_ticket_no, evaluations_evaluator_phone;

-- The columns in the old order (00005, 00009 txid, 00014 superseded and reason_kind, 00025
-- comment_enc); constraints keep their names. Indexes and foreign keys come after the copy.
CREATE TABLE evaluations (
    id                     bigint GENERATED BY DEFAULT AS IDENTITY,
    idem_key               text NOT NULL,
    channel                text NOT NULL CONSTRAINT evaluations_channel_check CHECK (channel IN ('pc', 'window', 'mobile', 'kiosk')),
    device_id              text,
    case_id                bigint,
    stage                  text CONSTRAINT evaluations_stage_check CHECK (stage IN ('accept', 'complete')),
    ticket_no              text CONSTRAINT evaluations_ticket_no_check CHECK (ticket_no ~ '^[0-9A-Za-z_-]{1,32}$'),
    service_day            date NOT NULL, -- in Asia/Shanghai; the partition key
    region_id              bigint NOT NULL,
    department_id          bigint NOT NULL,
    hall_id                bigint,
    window_id              bigint,
    staff_id               bigint,
    item_id                bigint,
    level                  smallint NOT NULL CONSTRAINT evaluations_level_check CHECK (level BETWEEN 1 AND 5),
    score                  smallint GENERATED ALWAYS AS (CASE level WHEN 5 THEN 10 WHEN 4 THEN 8 WHEN 3 THEN 6 WHEN 2 THEN 3 ELSE 0 END) STORED,
    bad                    boolean GENERATED ALWAYS AS (level <= 2) STORED,
    reasons                text[] NOT NULL DEFAULT '{}',
    reason_set_version     integer,
    comment                text NOT NULL DEFAULT '' CONSTRAINT evaluations_comment_check CHECK (char_length(comment) <= 500),
    active                 boolean NOT NULL,
    real_name              boolean NOT NULL,
    evaluator_name_enc     bytea,
    evaluator_name_masked  text NOT NULL DEFAULT '',
    evaluator_phone_enc    bytea,
    evaluator_phone_masked text NOT NULL DEFAULT '',
    evaluator_phone_index  bytea,
    served_at              timestamptz NOT NULL,
    rated_at               timestamptz NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    txid                   bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    superseded             boolean NOT NULL DEFAULT false,
    reason_kind            text CONSTRAINT evaluations_reason_kind_check CHECK (reason_kind IN ('online', 'offline')),
    comment_enc            bytea,
    CONSTRAINT evaluations_check CHECK ((case_id IS NOT NULL AND stage IS NOT NULL) OR (ticket_no IS NOT NULL AND window_id IS NOT NULL)),
    CONSTRAINT evaluations_check1 CHECK (level > 2 OR NOT active OR cardinality(reasons) >= 1),
    CONSTRAINT evaluations_check2 CHECK (NOT real_name OR evaluator_phone_enc IS NOT NULL),
    CONSTRAINT evaluations_check3 CHECK (rated_at >= served_at),
    CONSTRAINT evaluations_superseded_default CHECK (NOT superseded OR NOT active),
    CONSTRAINT evaluations_reason_kind CHECK (cardinality(reasons) = 0 OR reason_kind IS NOT NULL)
) PARTITION BY RANGE (service_day);
CREATE TABLE evaluations_default PARTITION OF evaluations DEFAULT;

-- evaluation_partition makes the partition of the month of `month` unless it exists; rows of
-- that month waiting in DEFAULT (a month not made in time) are moved into it. It reports
-- whether it made one.
-- +goose StatementBegin
CREATE FUNCTION evaluation_partition(month date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET lock_timeout = '5s' AS $$
DECLARE
    from_day date := date_trunc('month', month::timestamp)::date;
    to_day date := (date_trunc('month', month::timestamp) + interval '1 month')::date;
    part text := format('evaluations_y%sm%s', to_char(month, 'YYYY'), to_char(month, 'MM'));
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM evaluations_default WHERE service_day >= from_day AND service_day < to_day) THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF evaluations FOR VALUES FROM (%L) TO (%L)', part, from_day, to_day);
        RETURN true;
    END IF;
    -- DEFAULT holds rows of the month: a new partition may not overlap them. Detached, DEFAULT
    -- is a plain table without the parent's triggers, so its rows can leave it; the rows were
    -- checked when written, so the case-and-day check is off on the new partition while they
    -- arrive (invisible to others: the partition is this transaction's until it commits).
    ALTER TABLE evaluations DETACH PARTITION evaluations_default;
    EXECUTE format('CREATE TABLE %I PARTITION OF evaluations FOR VALUES FROM (%L) TO (%L)', part, from_day, to_day);
    EXECUTE format('ALTER TABLE %I DISABLE TRIGGER evaluations_case_stage_day', part);
    WITH moved AS (
        DELETE FROM evaluations_default WHERE service_day >= from_day AND service_day < to_day RETURNING *
    )
    INSERT INTO evaluations (id, idem_key, channel, device_id, case_id, stage, ticket_no, service_day,
        region_id, department_id, hall_id, window_id, staff_id, item_id, level, reasons, reason_set_version,
        comment, active, real_name, evaluator_name_enc, evaluator_name_masked, evaluator_phone_enc,
        evaluator_phone_masked, evaluator_phone_index, served_at, rated_at, created_at, txid, superseded,
        reason_kind, comment_enc)
    SELECT id, idem_key, channel, device_id, case_id, stage, ticket_no, service_day,
        region_id, department_id, hall_id, window_id, staff_id, item_id, level, reasons, reason_set_version,
        comment, active, real_name, evaluator_name_enc, evaluator_name_masked, evaluator_phone_enc,
        evaluator_phone_masked, evaluator_phone_index, served_at, rated_at, created_at, txid, superseded,
        reason_kind, comment_enc
    FROM moved;
    EXECUTE format('ALTER TABLE %I ENABLE TRIGGER evaluations_case_stage_day', part);
    ALTER TABLE evaluations ATTACH PARTITION evaluations_default DEFAULT;
    RETURN true;
END
$$;
-- +goose StatementEnd

-- ensure_evaluation_partitions makes every missing month from this (Beijing) month to the month
-- of `until`, and the month of each row waiting in DEFAULT; it returns how many it made.
-- +goose StatementBegin
CREATE FUNCTION ensure_evaluation_partitions(until date) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET lock_timeout = '5s' AS $$
DECLARE
    today date := (now() AT TIME ZONE 'Asia/Shanghai')::date;
    m date;
    made integer := 0;
BEGIN
    IF until IS NULL OR until > today + interval '5 years' THEN
        RAISE EXCEPTION 'ensure_evaluation_partitions: % is not within five years from today', until
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR m IN
        SELECT g::date FROM generate_series(date_trunc('month', today::timestamp), date_trunc('month', until::timestamp), interval '1 month') g
        UNION
        SELECT DISTINCT date_trunc('month', service_day::timestamp)::date FROM evaluations_default
        ORDER BY 1
    LOOP
        IF evaluation_partition(m) THEN
            made := made + 1;
        END IF;
    END LOOP;
    RETURN made;
END
$$;
-- +goose StatementEnd

-- A SECURITY DEFINER function must not find another's objects: the schema, then pg_temp.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION evaluation_partition(date) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION ensure_evaluation_partitions(date) SET search_path = %I, pg_temp', current_schema());
END
$$;
-- +goose StatementEnd

-- Partitions for the months of the rows (not a run of months between: a stray old row makes
-- one partition, not years of them), then this month and 12 ahead; then the rows.
SELECT evaluation_partition(m) FROM (SELECT DISTINCT date_trunc('month', service_day::timestamp)::date AS m FROM evaluations_unpartitioned) d ORDER BY m;
SELECT ensure_evaluation_partitions(((now() AT TIME ZONE 'Asia/Shanghai')::date + interval '12 months')::date);

INSERT INTO evaluations (id, idem_key, channel, device_id, case_id, stage, ticket_no, service_day,
    region_id, department_id, hall_id, window_id, staff_id, item_id, level, reasons, reason_set_version,
    comment, active, real_name, evaluator_name_enc, evaluator_name_masked, evaluator_phone_enc,
    evaluator_phone_masked, evaluator_phone_index, served_at, rated_at, created_at, txid, superseded,
    reason_kind, comment_enc)
SELECT id, idem_key, channel, device_id, case_id, stage, ticket_no, service_day,
    region_id, department_id, hall_id, window_id, staff_id, item_id, level, reasons, reason_set_version,
    comment, active, real_name, evaluator_name_enc, evaluator_name_masked, evaluator_phone_enc,
    evaluator_phone_masked, evaluator_phone_index, served_at, rated_at, created_at, txid, superseded,
    reason_kind, comment_enc
FROM evaluations_unpartitioned;

-- The identity goes on from where the old one stood (the demo loader reserves ids ahead).
SELECT setval(pg_get_serial_sequence('evaluations', 'id'), v)
FROM (SELECT GREATEST((SELECT max(id) FROM evaluations),
                      (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM evaluations_unpartitioned_id_seq)) AS v) s
WHERE v >= 1;

ALTER TABLE evaluations ADD CONSTRAINT evaluations_pkey PRIMARY KEY (id, service_day);
ALTER TABLE evaluations ADD CONSTRAINT evaluations_idem_key_key UNIQUE (idem_key, service_day);
-- One evaluation per case and stage (with evaluations_case_stage_day below), and per ticket at a window.
CREATE UNIQUE INDEX evaluations_case_stage ON evaluations (case_id, stage, service_day) WHERE case_id IS NOT NULL AND NOT superseded;
CREATE UNIQUE INDEX evaluations_ticket ON evaluations (window_id, service_day, ticket_no) WHERE ticket_no IS NOT NULL;
CREATE INDEX evaluations_rated ON evaluations (rated_at);
CREATE INDEX evaluations_region_rated ON evaluations (region_id, rated_at);
CREATE INDEX evaluations_department_rated ON evaluations (department_id, rated_at);
CREATE INDEX evaluations_bad_rated ON evaluations (rated_at) WHERE bad;
CREATE INDEX evaluations_created ON evaluations (created_at);
CREATE INDEX evaluations_txid ON evaluations (txid);
CREATE INDEX evaluations_ticket_no ON evaluations (ticket_no) WHERE ticket_no IS NOT NULL;
CREATE INDEX evaluations_evaluator_phone ON evaluations (evaluator_phone_index, rated_at) WHERE evaluator_phone_index IS NOT NULL;

ALTER TABLE evaluations
    ADD CONSTRAINT evaluations_device_id_fkey FOREIGN KEY (device_id) REFERENCES devices (id),
    ADD CONSTRAINT evaluations_case_id_fkey FOREIGN KEY (case_id) REFERENCES cases (id),
    ADD CONSTRAINT evaluations_region_id_fkey FOREIGN KEY (region_id) REFERENCES regions (id),
    ADD CONSTRAINT evaluations_department_id_fkey FOREIGN KEY (department_id) REFERENCES departments (id),
    ADD CONSTRAINT evaluations_hall_id_fkey FOREIGN KEY (hall_id) REFERENCES halls (id),
    ADD CONSTRAINT evaluations_window_id_fkey FOREIGN KEY (window_id) REFERENCES windows (id),
    ADD CONSTRAINT evaluations_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES staff (id),
    ADD CONSTRAINT evaluations_item_id_fkey FOREIGN KEY (item_id) REFERENCES service_items (id),
    ADD CONSTRAINT evaluations_reason_set_version_fkey FOREIGN KEY (reason_set_version) REFERENCES reason_set_versions (version);

DROP TABLE evaluations_unpartitioned;

-- A case's stage has one service day: the Beijing day of its stage time. The check runs when a
-- row enters the set of standing evaluations of a case (insert; an update of its case, stage,
-- day, or back from superseded).
-- +goose StatementBegin
CREATE FUNCTION evaluations_case_stage_day() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    stage_at timestamptz;
BEGIN
    IF NEW.case_id IS NULL OR NEW.stage IS NULL OR NEW.superseded THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.case_id = OLD.case_id AND NEW.stage = OLD.stage
       AND NEW.service_day = OLD.service_day AND NOT OLD.superseded THEN
        RETURN NEW;
    END IF;
    SELECT CASE NEW.stage WHEN 'accept' THEN c.accepted_at ELSE c.completed_at END INTO stage_at
    FROM cases c WHERE c.id = NEW.case_id;
    IF NOT FOUND THEN
        RETURN NEW; -- evaluations_case_id_fkey refuses it
    END IF;
    IF stage_at IS NULL OR NEW.service_day <> (stage_at AT TIME ZONE 'Asia/Shanghai')::date THEN
        RAISE EXCEPTION 'evaluation of case % at stage %: service day % is not the Beijing day of the case''s % time (%)',
            NEW.case_id, NEW.stage, NEW.service_day, NEW.stage, COALESCE((stage_at AT TIME ZONE 'Asia/Shanghai')::date::text, 'none')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'evaluations_case_stage_day', TABLE = TG_TABLE_NAME;
    END IF;
    IF EXISTS (SELECT 1 FROM evaluations e WHERE e.case_id = NEW.case_id AND e.stage = NEW.stage AND NOT e.superseded
               AND e.service_day <> NEW.service_day) THEN
        RAISE EXCEPTION 'case % at stage % already has an evaluation (of another service day)', NEW.case_id, NEW.stage
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'evaluations_case_stage', TABLE = TG_TABLE_NAME;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER evaluations_case_stage_day BEFORE INSERT OR UPDATE OF case_id, stage, service_day, superseded ON evaluations
    FOR EACH ROW EXECUTE FUNCTION evaluations_case_stage_day();

-- An evaluation is never deleted and keeps its id: what makes the reference triggers below as
-- sound as foreign keys.
-- +goose StatementBegin
CREATE FUNCTION evaluations_immutable_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.id = OLD.id THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'evaluation %: its id never changes (other tables refer to it)', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'evaluations_immutable_id', TABLE = 'evaluations';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'evaluation %: evaluations are never deleted (nor moved to another month''s partition)', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'evaluations_immutable_id', TABLE = 'evaluations';
    END IF;
    RAISE EXCEPTION 'evaluations are never deleted: % refused', TG_OP
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'evaluations_immutable_id', TABLE = 'evaluations';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER evaluations_immutable_id BEFORE DELETE OR UPDATE OF id ON evaluations
    FOR EACH ROW EXECUTE FUNCTION evaluations_immutable_id();
CREATE TRIGGER evaluations_no_truncate BEFORE TRUNCATE ON evaluations
    FOR EACH STATEMENT EXECUTE FUNCTION evaluations_immutable_id();

-- evaluation_exists: the reference check of a column (TG_ARGV[0]) naming an evaluation, in
-- place of a foreign key; like one, it runs after the statement, so a row may name the
-- evaluation the same statement wrote (the committer writes a bad review and its outbox row in
-- one statement).
-- +goose StatementBegin
CREATE FUNCTION evaluation_exists() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ref bigint := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
BEGIN
    IF ref IS NOT NULL AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.id = ref) THEN
        RAISE EXCEPTION 'insert or update on table "%" violates the reference "%"', TG_TABLE_NAME, TG_NAME
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_NAME, TABLE = TG_TABLE_NAME,
                  DETAIL = format('Key (%s)=(%s) is not present in table "evaluations".', TG_ARGV[0], ref);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER outbox_evaluation_id_fkey AFTER INSERT OR UPDATE OF evaluation_id ON outbox
    FOR EACH ROW EXECUTE FUNCTION evaluation_exists('evaluation_id');
CREATE CONSTRAINT TRIGGER work_orders_evaluation_id_fkey AFTER INSERT OR UPDATE OF evaluation_id ON work_orders
    FOR EACH ROW EXECUTE FUNCTION evaluation_exists('evaluation_id');
CREATE CONSTRAINT TRIGGER upward_reports_evaluation_id_fkey AFTER INSERT OR UPDATE OF evaluation_id ON upward_reports
    FOR EACH ROW EXECUTE FUNCTION evaluation_exists('evaluation_id');
CREATE CONSTRAINT TRIGGER upward_records_evaluation_id_fkey AFTER INSERT OR UPDATE OF evaluation_id ON upward_records
    FOR EACH ROW EXECUTE FUNCTION evaluation_exists('evaluation_id');
CREATE CONSTRAINT TRIGGER evaluation_supersessions_default_id_fkey AFTER INSERT OR UPDATE OF default_id ON evaluation_supersessions
    FOR EACH ROW EXECUTE FUNCTION evaluation_exists('default_id');
CREATE CONSTRAINT TRIGGER evaluation_supersessions_evaluation_id_fkey AFTER INSERT OR UPDATE OF evaluation_id ON evaluation_supersessions
    FOR EACH ROW EXECUTE FUNCTION evaluation_exists('evaluation_id');

-- +goose Down
-- Back to one plain table. Fails if one idempotency key was stored on two service days (the
-- old unique key refuses it): both are ratings, and neither is dropped here.
DROP TRIGGER outbox_evaluation_id_fkey ON outbox;
DROP TRIGGER work_orders_evaluation_id_fkey ON work_orders;
DROP TRIGGER upward_reports_evaluation_id_fkey ON upward_reports;
DROP TRIGGER upward_records_evaluation_id_fkey ON upward_records;
DROP TRIGGER evaluation_supersessions_default_id_fkey ON evaluation_supersessions;
DROP TRIGGER evaluation_supersessions_evaluation_id_fkey ON evaluation_supersessions;
DROP FUNCTION evaluation_exists();

ALTER TABLE evaluations RENAME TO evaluations_partitioned;
ALTER SEQUENCE evaluations_id_seq RENAME TO evaluations_partitioned_id_seq;
ALTER TABLE evaluations_partitioned DROP CONSTRAINT evaluations_pkey, DROP CONSTRAINT evaluations_idem_key_key;
DROP INDEX evaluations_case_stage, evaluations_ticket, evaluations_rated, evaluations_region_rated,
    evaluations_department_rated, evaluations_bad_rated, evaluations_created, evaluations_txid,
    evaluations_ticket_no, evaluations_evaluator_phone;

CREATE TABLE evaluations (
    id                     bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    idem_key               text NOT NULL UNIQUE,
    channel                text NOT NULL CONSTRAINT evaluations_channel_check CHECK (channel IN ('pc', 'window', 'mobile', 'kiosk')),
    device_id              text CONSTRAINT evaluations_device_id_fkey REFERENCES devices (id),
    case_id                bigint CONSTRAINT evaluations_case_id_fkey REFERENCES cases (id),
    stage                  text CONSTRAINT evaluations_stage_check CHECK (stage IN ('accept', 'complete')),
    ticket_no              text CONSTRAINT evaluations_ticket_no_check CHECK (ticket_no ~ '^[0-9A-Za-z_-]{1,32}$'),
    service_day            date NOT NULL, -- in Asia/Shanghai
    region_id              bigint NOT NULL CONSTRAINT evaluations_region_id_fkey REFERENCES regions (id),
    department_id          bigint NOT NULL CONSTRAINT evaluations_department_id_fkey REFERENCES departments (id),
    hall_id                bigint CONSTRAINT evaluations_hall_id_fkey REFERENCES halls (id),
    window_id              bigint CONSTRAINT evaluations_window_id_fkey REFERENCES windows (id),
    staff_id               bigint CONSTRAINT evaluations_staff_id_fkey REFERENCES staff (id),
    item_id                bigint CONSTRAINT evaluations_item_id_fkey REFERENCES service_items (id),
    level                  smallint NOT NULL CONSTRAINT evaluations_level_check CHECK (level BETWEEN 1 AND 5),
    score                  smallint GENERATED ALWAYS AS (CASE level WHEN 5 THEN 10 WHEN 4 THEN 8 WHEN 3 THEN 6 WHEN 2 THEN 3 ELSE 0 END) STORED,
    bad                    boolean GENERATED ALWAYS AS (level <= 2) STORED,
    reasons                text[] NOT NULL DEFAULT '{}',
    reason_set_version     integer CONSTRAINT evaluations_reason_set_version_fkey REFERENCES reason_set_versions (version),
    comment                text NOT NULL DEFAULT '' CONSTRAINT evaluations_comment_check CHECK (char_length(comment) <= 500),
    active                 boolean NOT NULL,
    real_name              boolean NOT NULL,
    evaluator_name_enc     bytea,
    evaluator_name_masked  text NOT NULL DEFAULT '',
    evaluator_phone_enc    bytea,
    evaluator_phone_masked text NOT NULL DEFAULT '',
    evaluator_phone_index  bytea,
    served_at              timestamptz NOT NULL,
    rated_at               timestamptz NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    txid                   bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    superseded             boolean NOT NULL DEFAULT false,
    reason_kind            text CONSTRAINT evaluations_reason_kind_check CHECK (reason_kind IN ('online', 'offline')),
    comment_enc            bytea,
    CONSTRAINT evaluations_check CHECK ((case_id IS NOT NULL AND stage IS NOT NULL) OR (ticket_no IS NOT NULL AND window_id IS NOT NULL)),
    CONSTRAINT evaluations_check1 CHECK (level > 2 OR NOT active OR cardinality(reasons) >= 1),
    CONSTRAINT evaluations_check2 CHECK (NOT real_name OR evaluator_phone_enc IS NOT NULL),
    CONSTRAINT evaluations_check3 CHECK (rated_at >= served_at),
    CONSTRAINT evaluations_superseded_default CHECK (NOT superseded OR NOT active),
    CONSTRAINT evaluations_reason_kind CHECK (cardinality(reasons) = 0 OR reason_kind IS NOT NULL)
);
INSERT INTO evaluations (id, idem_key, channel, device_id, case_id, stage, ticket_no, service_day,
    region_id, department_id, hall_id, window_id, staff_id, item_id, level, reasons, reason_set_version,
    comment, active, real_name, evaluator_name_enc, evaluator_name_masked, evaluator_phone_enc,
    evaluator_phone_masked, evaluator_phone_index, served_at, rated_at, created_at, txid, superseded,
    reason_kind, comment_enc)
SELECT id, idem_key, channel, device_id, case_id, stage, ticket_no, service_day,
    region_id, department_id, hall_id, window_id, staff_id, item_id, level, reasons, reason_set_version,
    comment, active, real_name, evaluator_name_enc, evaluator_name_masked, evaluator_phone_enc,
    evaluator_phone_masked, evaluator_phone_index, served_at, rated_at, created_at, txid, superseded,
    reason_kind, comment_enc
FROM evaluations_partitioned;
SELECT setval(pg_get_serial_sequence('evaluations', 'id'), v)
FROM (SELECT GREATEST((SELECT max(id) FROM evaluations),
                      (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM evaluations_partitioned_id_seq)) AS v) s
WHERE v >= 1;
DROP TABLE evaluations_partitioned;
DROP FUNCTION evaluations_case_stage_day(), evaluations_immutable_id(), ensure_evaluation_partitions(date), evaluation_partition(date);

CREATE UNIQUE INDEX evaluations_case_stage ON evaluations (case_id, stage) WHERE case_id IS NOT NULL AND NOT superseded;
CREATE UNIQUE INDEX evaluations_ticket ON evaluations (window_id, service_day, ticket_no) WHERE ticket_no IS NOT NULL;
CREATE INDEX evaluations_rated ON evaluations (rated_at);
CREATE INDEX evaluations_region_rated ON evaluations (region_id, rated_at);
CREATE INDEX evaluations_department_rated ON evaluations (department_id, rated_at);
CREATE INDEX evaluations_bad_rated ON evaluations (rated_at) WHERE bad;
CREATE INDEX evaluations_created ON evaluations (created_at);
CREATE INDEX evaluations_txid ON evaluations (txid);
CREATE INDEX evaluations_ticket_no ON evaluations (ticket_no) WHERE ticket_no IS NOT NULL;
CREATE INDEX evaluations_evaluator_phone ON evaluations (evaluator_phone_index, rated_at) WHERE evaluator_phone_index IS NOT NULL;

ALTER TABLE outbox ADD CONSTRAINT outbox_evaluation_id_fkey FOREIGN KEY (evaluation_id) REFERENCES evaluations (id);
ALTER TABLE work_orders ADD CONSTRAINT work_orders_evaluation_id_fkey FOREIGN KEY (evaluation_id) REFERENCES evaluations (id);
ALTER TABLE upward_reports ADD CONSTRAINT upward_reports_evaluation_id_fkey FOREIGN KEY (evaluation_id) REFERENCES evaluations (id);
ALTER TABLE upward_records ADD CONSTRAINT upward_records_evaluation_id_fkey FOREIGN KEY (evaluation_id) REFERENCES evaluations (id);
ALTER TABLE evaluation_supersessions ADD CONSTRAINT evaluation_supersessions_default_id_fkey FOREIGN KEY (default_id) REFERENCES evaluations (id);
ALTER TABLE evaluation_supersessions ADD CONSTRAINT evaluation_supersessions_evaluation_id_fkey FOREIGN KEY (evaluation_id) REFERENCES evaluations (id);
