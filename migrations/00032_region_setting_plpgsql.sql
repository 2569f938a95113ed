-- owner evaluation: settings
-- region_setting(region, key) is read for each row of some statements (the dispatch of bad
-- reviews reads three settings a work order). As LANGUAGE sql it cannot be inlined (its body
-- has a FROM), so its query was planned again in every statement that called it: under a
-- burst of bad reviews, 185 µs of planning a call site and statement (pg_stat_statements:
-- 3,231 plans in 15 s). A PL/pgSQL function keeps its plan for the session. Same body, same
-- answer: the nearest region up the tree that sets the key, else the global setting.

-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION region_setting(p_region bigint, p_key text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (
        WITH RECURSIVE up (id, depth) AS (
            SELECT p_region, 0
            UNION ALL
            SELECT r.parent_id, up.depth + 1 FROM regions r JOIN up ON r.id = up.id WHERE r.parent_id IS NOT NULL
        )
        SELECT s.value
        FROM settings s LEFT JOIN up ON up.id = s.region_id
        WHERE s.key = p_key AND (s.region_id IS NULL OR up.id IS NOT NULL)
        ORDER BY up.depth NULLS LAST
        LIMIT 1);
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION region_setting(p_region bigint, p_key text) RETURNS text
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE up (id, depth) AS (
        SELECT p_region, 0
        UNION ALL
        SELECT r.parent_id, up.depth + 1 FROM regions r JOIN up ON r.id = up.id WHERE r.parent_id IS NOT NULL
    )
    SELECT s.value
    FROM settings s LEFT JOIN up ON up.id = s.region_id
    WHERE s.key = p_key AND (s.region_id IS NULL OR up.id IS NOT NULL)
    ORDER BY up.depth NULLS LAST
    LIMIT 1
$$;
-- +goose StatementEnd
