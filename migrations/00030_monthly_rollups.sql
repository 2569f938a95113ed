-- owner measures: rollup_units_monthly, rollup_cases_monthly, rollup_rectification_monthly
-- The three rollups the overview sums, a month to a row: a year's overview reads twelve months'
-- rows, not 365 days'. Each row is the sum of its month's daily rows (day holds the month's first
-- day), rewritten by the job that changes those days, in the same transaction, so the two never
-- disagree. A period's whole months come from here, its odd days from the daily rollups.

-- +goose Up
CREATE TABLE rollup_units_monthly (LIKE rollup_units INCLUDING ALL,
    CHECK (day = date_trunc('month', day)::date));
CREATE TABLE rollup_cases_monthly (LIKE rollup_cases INCLUDING ALL,
    CHECK (day = date_trunc('month', day)::date));
CREATE TABLE rollup_rectification_monthly (LIKE rollup_rectification INCLUDING ALL,
    CHECK (day = date_trunc('month', day)::date));

INSERT INTO rollup_units_monthly (day, region_id, department_id, hall_id, channel, total, active, real_name, good, bad,
    bad_real_name, score_sum, reported, reported_timely)
SELECT date_trunc('month', day)::date, region_id, department_id, hall_id, channel, sum(total), sum(active), sum(real_name),
       sum(good), sum(bad), sum(bad_real_name), sum(score_sum), sum(reported), sum(reported_timely)
FROM rollup_units GROUP BY 1, 2, 3, 4, 5;

INSERT INTO rollup_cases_monthly (day, region_id, department_id, hall_id, channel, completed, evaluated)
SELECT date_trunc('month', day)::date, region_id, department_id, hall_id, channel, sum(completed), sum(evaluated)
FROM rollup_cases GROUP BY 1, 2, 3, 4, 5;

INSERT INTO rollup_rectification_monthly (day, region_id, department_id, hall_id, channel, bad, bad_real_name, upheld,
    called_back, rectified, recorded, real_name_done, on_time, duration_workdays_sum, upheld_score_sum, upheld_active)
SELECT date_trunc('month', day)::date, region_id, department_id, hall_id, channel, sum(bad), sum(bad_real_name), sum(upheld),
       sum(called_back), sum(rectified), sum(recorded), sum(real_name_done), sum(on_time), sum(duration_workdays_sum),
       sum(upheld_score_sum), sum(upheld_active)
FROM rollup_rectification GROUP BY 1, 2, 3, 4, 5;

-- +goose Down
DROP TABLE rollup_rectification_monthly, rollup_cases_monthly, rollup_units_monthly;
