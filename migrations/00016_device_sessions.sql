-- owner channels: device_pairings, device_sessions
-- The pads and kiosks run the pages in a browser, which cannot hold a device's signing secret.
-- The office shows a one-time pairing code for the device; the browser that enters it gets a
-- device session (a cookie whose hash is kept here), and from then on acts as that device.
-- Codes and tokens are kept only as SHA-256 hashes: a copy of the table opens nothing.

-- +goose Up
CREATE TABLE device_pairings (
    code_hash  bytea PRIMARY KEY,
    device_id  text NOT NULL REFERENCES devices (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX device_pairings_device ON device_pairings (device_id);

CREATE TABLE device_sessions (
    token_hash   bytea PRIMARY KEY,
    device_id    text NOT NULL REFERENCES devices (id),
    user_agent   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);
CREATE INDEX device_sessions_device ON device_sessions (device_id) WHERE revoked_at IS NULL;

-- +goose Down
DROP TABLE device_sessions;
DROP TABLE device_pairings;
