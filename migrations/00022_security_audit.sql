-- owner internal/audit: security_audit
-- The security audit log (安全审计): logins, refusals (401, 403), signature failures, phones
-- revealed, exports and imports, changes of users, devices and settings. Append-only and
-- hash-chained: each row's hash covers its content and the previous row's hash, so a row changed,
-- removed or slipped in breaks the chain from there on (`haochaping audit verify`). Rows older
-- than the retention (at least 180 days) may be removed from the oldest end only: the first row
-- left keeps its prev_hash as the anchor of the chain.

-- +goose Up
CREATE TABLE security_audit (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL,
    kind      text NOT NULL CHECK (kind ~ '^[a-z_]+$'),
    actor     text NOT NULL DEFAULT '', -- a username, a device id, or '' for nobody known
    address   text NOT NULL DEFAULT '', -- the client's address
    method    text NOT NULL DEFAULT '',
    path      text NOT NULL DEFAULT '',
    status    integer NOT NULL DEFAULT 0,
    code      text NOT NULL DEFAULT '',
    detail    jsonb NOT NULL DEFAULT '{}',
    prev_hash bytea NOT NULL,
    hash      bytea NOT NULL UNIQUE
);
CREATE INDEX security_audit_at ON security_audit (at);
CREATE INDEX security_audit_actor ON security_audit (actor, at);

-- +goose StatementBegin
CREATE FUNCTION security_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '180 days'
       AND NOT EXISTS (SELECT 1 FROM security_audit s WHERE s.id < OLD.id AND s.at >= now() - interval '180 days') THEN
        RETURN OLD; -- housekeeping, from the oldest end, of rows past the retention
    END IF;
    RAISE EXCEPTION 'the security audit log is append-only (安全审计)';
END $$;
-- +goose StatementEnd
CREATE TRIGGER security_audit_append_only BEFORE UPDATE OR DELETE ON security_audit
    FOR EACH ROW EXECUTE FUNCTION security_audit_append_only();

-- +goose Down
DROP TABLE security_audit;
DROP FUNCTION security_audit_append_only();
