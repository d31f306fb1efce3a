-- Deadlines by R-P-1: export returns (R-EX-1) and retail import returns (R-IM-1).
-- Every expected date below was counted by hand from the rule:
-- "within N months of D" ends on the same day N months later, or on the last
-- day of that month when it has no such day; "within N days" ends on D + N.
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET datestyle = 'ISO, YMD';

-- R-EX-1: 6 months for unsold / consumer_return, 1 year for quality_or_spec.
SELECT exported_on, reason, expected,
       cbreturn.export_return_deadline(exported_on, reason) AS got,
       cbreturn.export_return_deadline(exported_on, reason) = expected AS ok
FROM (VALUES
    ('2026-01-31'::date, 'unsold'::cbreturn.return_reason, '2026-07-31'::date),  -- July has a 31st
    ('2026-01-31', 'quality_or_spec', '2027-01-31'),
    ('2026-03-31', 'consumer_return', '2026-09-30'),   -- September has no 31st
    ('2026-08-31', 'unsold',          '2027-02-28'),   -- rules.md example, common year
    ('2027-08-31', 'consumer_return', '2028-02-29'),   -- into a leap February
    ('2023-08-31', 'unsold',          '2024-02-29'),
    ('2025-08-31', 'quality_or_spec', '2026-08-31'),
    ('2024-02-29', 'quality_or_spec', '2025-02-28'),   -- leap day + 1 year, common year
    ('2024-02-29', 'unsold',          '2024-08-29'),
    ('2023-02-28', 'quality_or_spec', '2024-02-28'),   -- not moved to the 29th
    ('2027-02-28', 'unsold',          '2027-08-28'),
    ('2025-12-31', 'unsold',          '2026-06-30'),
    ('2026-06-30', 'consumer_return', '2026-12-30'),   -- a 30th stays a 30th
    ('2026-07-01', 'unsold',          '2027-01-01')
) AS t(exported_on, reason, expected)
ORDER BY exported_on, reason;

-- R-IM-1: 30 days to apply, 45 days to arrive, from the release date.
SELECT released_on, apply_expected, arrive_expected,
       cbreturn.import_apply_deadline(released_on) AS apply_got,
       cbreturn.import_arrival_deadline(released_on) AS arrive_got,
       cbreturn.import_apply_deadline(released_on) = apply_expected
       AND cbreturn.import_arrival_deadline(released_on) = arrive_expected AS ok
FROM (VALUES
    ('2026-01-31'::date, '2026-03-02'::date, '2026-03-17'::date),  -- February of 28 days
    ('2024-01-31', '2024-03-01', '2024-03-16'),                    -- February of 29 days
    ('2025-12-31', '2026-01-30', '2026-02-14'),                    -- across the year end
    ('2026-02-28', '2026-03-30', '2026-04-14'),
    ('2024-02-29', '2024-03-30', '2024-04-14'),
    ('2026-08-31', '2026-09-30', '2026-10-15')
) AS t(released_on, apply_expected, arrive_expected)
ORDER BY released_on;

-- Property: for every day from 1990 to 2060 and every reason, the deadline is
-- PostgreSQL's own month arithmetic, which clamps to the month end as R-P-1
-- does.  Expect 0 mismatches over 25,933 days x 3 reasons.
SELECT count(*) AS days_checked,
       count(*) FILTER (WHERE cbreturn.export_return_deadline(d, r)
                        IS DISTINCT FROM (d + CASE r WHEN 'quality_or_spec' THEN interval '1 year'
                                                      ELSE interval '6 months' END)::date) AS mismatches
FROM generate_series('1990-01-01'::date, '2060-12-31'::date, interval '1 day') AS g(d0),
     LATERAL (SELECT d0::date AS d) AS x,
     unnest(enum_range(NULL::cbreturn.return_reason)) AS r;

SELECT count(*) AS days_checked,
       count(*) FILTER (WHERE cbreturn.import_apply_deadline(d) <> d + 30
                           OR cbreturn.import_arrival_deadline(d) <> d + 45) AS mismatches
FROM generate_series('1990-01-01'::date, '2060-12-31'::date, interval '1 day') AS g(d0),
     LATERAL (SELECT d0::date AS d) AS x;

-- STRICT: NULL in, NULL out.
SELECT cbreturn.export_return_deadline(NULL, 'unsold') IS NULL AS null_date,
       cbreturn.export_return_deadline('2026-01-01', NULL) IS NULL AS null_reason,
       cbreturn.import_apply_deadline(NULL) IS NULL AS null_release;

-- Bad input: infinite dates and deadlines past the end of type date (22008).
SELECT cbreturn.export_return_deadline('infinity', 'unsold');
SELECT cbreturn.export_return_deadline('-infinity', 'quality_or_spec');
SELECT cbreturn.export_return_deadline('5874897-12-31', 'unsold');
SELECT cbreturn.import_apply_deadline('infinity');
SELECT cbreturn.import_arrival_deadline('5874897-12-01');

-- The functions are IMMUTABLE: usable in generated columns and CHECK constraints.
CREATE TEMP TABLE export_returns (
    exported_on date NOT NULL,
    reason      cbreturn.return_reason NOT NULL,
    returned_on date,
    deadline    date GENERATED ALWAYS AS (cbreturn.export_return_deadline(exported_on, reason)) STORED,
    CHECK (returned_on <= cbreturn.export_return_deadline(exported_on, reason))
);
INSERT INTO export_returns (exported_on, reason, returned_on) VALUES
    ('2026-08-31', 'unsold', '2027-02-28');            -- the deadline day itself: accepted
SELECT * FROM export_returns;
INSERT INTO export_returns (exported_on, reason, returned_on) VALUES
    ('2026-08-31', 'unsold', '2027-03-01');            -- the day after: rejected
DROP TABLE export_returns;

-- Explain: one row per rule checked.
SELECT * FROM cbreturn.explain_export_return_deadline('2026-08-31', 'unsold', '2027-02-28');
SELECT * FROM cbreturn.explain_export_return_deadline('2026-08-31', 'unsold', '2027-03-01');
SELECT * FROM cbreturn.explain_export_return_deadline('2024-02-29', 'quality_or_spec');
SELECT * FROM cbreturn.explain_export_return_deadline('2026-08-31', 'unsold', '2026-08-30');
