-- owner access: user_totp, totp_recovery_codes, login_challenges
-- The second factor (TOTP, RFC 6238) of the office's and the auditors' logins. user_totp holds a
-- user's secret, sealed with the data key (internal/pii: AES-256-GCM), never in clear, and the
-- last time step accepted, so that a code is taken once: a code of the same or an earlier step is
-- refused as a replay. The ten recovery codes are kept only as hashes (SHA-256; 79 random bits each), each usable
-- once. A login_challenge is the short-lived state between a correct password and the second
-- factor: a random token (only its SHA-256 stored) bound to one user, good for 5 minutes and for
-- nothing but entering the code or enrolling (whose new secret waits here, sealed, until the
-- first code confirms it); it never opens any other route.

-- +goose Up
CREATE TABLE user_totp (
    user_id       bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed bytea NOT NULL,
    last_step     bigint NOT NULL DEFAULT 0 CHECK (last_step >= 0), -- unix time / 30 of the last code accepted
    enrolled_at   timestamptz NOT NULL
);

CREATE TABLE totp_recovery_codes (
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL CHECK (length(code_hash) = 16),
    used_at   timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE login_challenges (
    token_hash     bytea PRIMARY KEY CHECK (length(token_hash) = 32), -- SHA-256 of the token
    user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose        text NOT NULL CHECK (purpose IN ('totp', 'enroll')),
    pending_secret bytea, -- sealed; the secret an enrollment shows until its first code confirms it
    expires_at     timestamptz NOT NULL,
    CHECK ((purpose = 'enroll') = (pending_secret IS NOT NULL))
);
CREATE INDEX login_challenges_user ON login_challenges (user_id);
CREATE INDEX login_challenges_expires ON login_challenges (expires_at);

-- +goose Down
DROP TABLE login_challenges, totp_recovery_codes, user_totp;
