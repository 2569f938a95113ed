-- owner measures: rollup_evaluations, rollup_units, rollup_cases, rollup_rectification
-- owner internal/database: rollup_state
-- owner calendar: calendar_days
-- owner evaluation: evaluations
-- Rollups for the measures (DOMAIN.md, "Measures"): the dashboard reads these, never the raw
-- evaluations. Days are Beijing days. A NULL dimension is stored as 0 so that it can be part of
-- the key.

-- +goose Up
-- The transaction that wrote each evaluation. The rollup job counts the rows of every
-- transaction that finished since its last run (below the snapshot's xmin), so that a row
-- committed late, under a lower id, is never missed and never counted twice.
ALTER TABLE evaluations ADD COLUMN txid bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX evaluations_txid ON evaluations (txid);
CREATE INDEX cases_updated ON cases (updated_at);

CREATE TABLE rollup_state (
    name       text PRIMARY KEY,
    watermark  bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- day × region × department × hall × window × staff × channel × item.
CREATE TABLE rollup_evaluations (
    day           date NOT NULL,
    region_id     bigint NOT NULL,
    department_id bigint NOT NULL,
    hall_id       bigint NOT NULL,
    window_id     bigint NOT NULL,
    staff_id      bigint NOT NULL,
    channel       text NOT NULL,
    item_id       bigint NOT NULL,
    total         integer NOT NULL, -- active + default
    active        integer NOT NULL,
    real_name     integer NOT NULL,
    good          integer NOT NULL, -- level ≥ 4
    bad           integer NOT NULL, -- level ≤ 2
    bad_real_name integer NOT NULL,
    level1        integer NOT NULL,
    level2        integer NOT NULL,
    level3        integer NOT NULL,
    level4        integer NOT NULL,
    level5        integer NOT NULL,
    score_sum     bigint NOT NULL,
    PRIMARY KEY (day, region_id, department_id, hall_id, window_id, staff_id, channel, item_id)
);

-- day × region × department × hall × channel: what the overview sums over a period. (A
-- department sits in few halls, so the hall costs few rows and lets a hall's head be served.)
CREATE TABLE rollup_units (
    day             date NOT NULL,
    region_id       bigint NOT NULL,
    department_id   bigint NOT NULL,
    hall_id         bigint NOT NULL,
    channel         text NOT NULL,
    total           integer NOT NULL DEFAULT 0,
    active          integer NOT NULL DEFAULT 0,
    real_name       integer NOT NULL DEFAULT 0,
    good            integer NOT NULL DEFAULT 0,
    bad             integer NOT NULL DEFAULT 0,
    bad_real_name   integer NOT NULL DEFAULT 0,
    score_sum       bigint NOT NULL DEFAULT 0,
    reported        integer NOT NULL DEFAULT 0, -- reported upward
    reported_timely integer NOT NULL DEFAULT 0, -- within 5 working days of the service (及时上报)
    PRIMARY KEY (day, region_id, department_id, hall_id, channel)
);
CREATE INDEX rollup_units_department ON rollup_units (department_id, day);

-- Cases by the day they were completed: 评价率 = evaluated / completed.
CREATE TABLE rollup_cases (
    day           date NOT NULL,
    region_id     bigint NOT NULL,
    department_id bigint NOT NULL,
    hall_id       bigint NOT NULL,
    channel       text NOT NULL,
    completed     integer NOT NULL,
    evaluated     integer NOT NULL,
    PRIMARY KEY (day, region_id, department_id, hall_id, channel)
);

-- Bad reviews by the day they were rated, with where their work orders stand.
CREATE TABLE rollup_rectification (
    day                   date NOT NULL,
    region_id             bigint NOT NULL,
    department_id         bigint NOT NULL,
    hall_id               bigint NOT NULL,
    channel               text NOT NULL,
    bad                   integer NOT NULL, -- bad reviews, upheld appeals excluded
    bad_real_name         integer NOT NULL, -- the real-name ones among them
    upheld                integer NOT NULL, -- left the rates: 申诉成立
    called_back           integer NOT NULL, -- 回访
    rectified             integer NOT NULL, -- 整改 or 解释说明
    recorded              integer NOT NULL, -- closed with a complete record
    real_name_done        integer NOT NULL, -- real-name, rectified or explained, and fed back
    on_time               integer NOT NULL, -- rectified by the deadline
    duration_workdays_sum bigint NOT NULL,  -- working days from the bad review to its rectification
    PRIMARY KEY (day, region_id, department_id, hall_id, channel)
);

-- The working-day calendar (package calendar) in a form SQL can use: seq counts working days,
-- so the working days between two dates are the difference of their seq. Written by `seed`.
CREATE TABLE calendar_days (
    day     date PRIMARY KEY,
    workday boolean NOT NULL,
    seq     integer NOT NULL
);

-- +goose Down
DROP INDEX cases_updated;
DROP TABLE calendar_days, rollup_rectification, rollup_cases, rollup_units, rollup_evaluations, rollup_state;
ALTER TABLE evaluations DROP COLUMN txid;
