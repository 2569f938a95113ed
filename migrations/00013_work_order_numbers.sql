-- owner rectify: work_orders (its numbers)
-- Work-order numbers end with the sequence padded to six digits. lpad(…, 6) would cut the
-- millionth and later to six characters, and every number after would collide.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION work_order_seq_text(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT lpad(n::text, greatest(6, length(n::text)), '0')
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION work_order_seq_text(bigint);
