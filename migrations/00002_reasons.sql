-- owner evaluation: reason_set_versions, reasons
-- Evaluation reasons (评价指标) as versioned data: a new national list is a new version,
-- and each evaluation records the version it was made under.

-- +goose Up
CREATE TABLE reason_set_versions (
    version        integer PRIMARY KEY CHECK (version > 0),
    effective_from timestamptz NOT NULL,
    note           text NOT NULL DEFAULT ''
);

-- kind: online (网上服务) or offline (现场服务).
CREATE TABLE reasons (
    version  integer NOT NULL REFERENCES reason_set_versions (version),
    kind     text NOT NULL CHECK (kind IN ('online', 'offline')),
    code     text NOT NULL CHECK (code ~ '^[a-z_]{2,40}$'),
    name     text NOT NULL CHECK (name <> ''),
    position smallint NOT NULL DEFAULT 0,
    PRIMARY KEY (version, kind, code),
    UNIQUE (version, kind, name)
);

-- +goose Down
DROP TABLE reasons, reason_set_versions;
