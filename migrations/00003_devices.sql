-- owner channels: devices
-- owner internal/replay: used_signatures
-- Devices and backends that sign their requests: window pads, kiosks, the mobile app's and
-- the portal's servers, and the business systems that push cases (channel "system").

-- +goose Up
CREATE TABLE devices (
    id           text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._-]{3,64}$'),
    channel      text NOT NULL CHECK (channel IN ('pc', 'window', 'mobile', 'kiosk', 'system')),
    name         text NOT NULL DEFAULT '',
    window_id    bigint REFERENCES windows (id),
    hall_id      bigint REFERENCES halls (id),
    secret_enc   bytea NOT NULL, -- AES-GCM under HAOCHAPING_DATA_KEY: HMAC needs the secret itself
    enabled      boolean NOT NULL DEFAULT true,
    demo         boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (channel <> 'window' OR window_id IS NOT NULL),
    CHECK (channel <> 'kiosk' OR hall_id IS NOT NULL)
);

-- Signatures seen in the last minutes, refused when seen again (replay). Unlogged: a crash may
-- forget them, which the timestamp window bounds; in exchange a check costs no WAL flush.
CREATE UNLOGGED TABLE used_signatures (
    device_id text NOT NULL,
    signature bytea NOT NULL,
    seen_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, signature)
);
CREATE INDEX used_signatures_seen ON used_signatures (seen_at);

-- +goose Down
DROP TABLE used_signatures, devices;
