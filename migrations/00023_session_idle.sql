-- owner access: sessions
-- A session also ends after a while without requests (idle expiry, besides the absolute
-- expires_at): last_seen_at is when it was last used, moved on by Authenticate at most once a
-- minute so that a busy user's requests do not each write a row.

-- +goose Up
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
-- The oldest sessions of a user are closed first when a login goes beyond the cap.
CREATE INDEX sessions_user_created ON sessions (user_id, created_at);
DROP INDEX sessions_user;

-- +goose Down
CREATE INDEX sessions_user ON sessions (user_id);
DROP INDEX sessions_user_created;
ALTER TABLE sessions DROP COLUMN last_seen_at;
