-- owner evaluation: regions, departments, halls, windows, staff, settings
-- owner channels: devices
-- The rating hot path keeps devices, the organisation and the settings in memory on every
-- instance (internal/refcache). Each change to those tables tells every instance on commit, by
-- NOTIFY refdata_<schema>, so that none goes on using what it cached. A statement trigger: a
-- seed or an import of thousands of rows sends one notification per statement (and
-- PostgreSQL folds identical ones of a transaction into one).

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION refdata_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('refdata_' || TG_TABLE_SCHEMA, TG_TABLE_NAME);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER refdata_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON devices FOR EACH STATEMENT EXECUTE FUNCTION refdata_notify();
CREATE TRIGGER refdata_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON regions FOR EACH STATEMENT EXECUTE FUNCTION refdata_notify();
CREATE TRIGGER refdata_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON departments FOR EACH STATEMENT EXECUTE FUNCTION refdata_notify();
CREATE TRIGGER refdata_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON halls FOR EACH STATEMENT EXECUTE FUNCTION refdata_notify();
CREATE TRIGGER refdata_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON windows FOR EACH STATEMENT EXECUTE FUNCTION refdata_notify();
CREATE TRIGGER refdata_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON staff FOR EACH STATEMENT EXECUTE FUNCTION refdata_notify();
CREATE TRIGGER refdata_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON settings FOR EACH STATEMENT EXECUTE FUNCTION refdata_notify();

-- +goose Down
DROP TRIGGER refdata_notify ON devices;
DROP TRIGGER refdata_notify ON regions;
DROP TRIGGER refdata_notify ON departments;
DROP TRIGGER refdata_notify ON halls;
DROP TRIGGER refdata_notify ON windows;
DROP TRIGGER refdata_notify ON staff;
DROP TRIGGER refdata_notify ON settings;
DROP FUNCTION refdata_notify();
