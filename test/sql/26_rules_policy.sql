-- Policy as data: holidays (R-P-2), run-time changes seen by the next
-- command, and a broken policy table reported as such.
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET datestyle = 'ISO, YMD';

-- R-P-2 by the shipped 2026 schedule: National Day 10-01..10-07, make-up
-- working Saturday 10-10; Spring Festival 02-15..02-23, make-up Saturday 02-14;
-- Labour Day 05-01..05-05, make-up Saturday 05-09.
SELECT day, extract(isodow FROM day) AS isodow, expected,
       cbreturn.is_rest_day(day) AS got, cbreturn.is_rest_day(day) = expected AS ok
FROM (VALUES
    ('2026-10-01'::date, true),    -- holiday (Thursday)
    ('2026-10-07', true),
    ('2026-10-08', false),         -- Thursday after the holiday
    ('2026-10-10', false),         -- Saturday, make-up working day
    ('2026-10-11', true),          -- Sunday
    ('2026-02-14', false),         -- Saturday, make-up working day
    ('2026-05-09', false),
    ('2026-05-16', true),          -- ordinary Saturday
    ('2026-07-31', false)          -- ordinary Friday
) AS t(day, expected)
ORDER BY day;

SELECT day, expected, cbreturn.next_working_day(day) AS got, cbreturn.next_working_day(day) = expected AS ok
FROM (VALUES
    ('2026-10-01'::date, '2026-10-08'::date),
    ('2026-02-15', '2026-02-24'),
    ('2026-02-14', '2026-02-14'),
    ('2026-05-16', '2026-05-18'),
    ('2026-07-31', '2026-07-31')
) AS t(day, expected)
ORDER BY day;

-- The STABLE variants move a deadline off a rest day; the IMMUTABLE ones never do.
SELECT cbreturn.export_return_deadline('2026-04-03', 'unsold') AS plain,                          -- 2026-10-03
       cbreturn.export_return_deadline_holiday_adjusted('2026-04-03', 'unsold') AS adjusted,      -- 2026-10-08
       cbreturn.export_return_deadline_holiday_adjusted('2026-01-31', 'unsold') AS working_day,   -- 2026-07-31
       cbreturn.import_apply_deadline('2026-04-01') AS apply_plain,                                -- 2026-05-01
       cbreturn.import_apply_deadline_holiday_adjusted('2026-04-01') AS apply_adjusted,            -- 2026-05-06
       cbreturn.import_arrival_deadline('2026-04-01') AS arrive_plain,                             -- 2026-05-16
       cbreturn.import_arrival_deadline_holiday_adjusted('2026-04-01') AS arrive_adjusted;         -- 2026-05-18

SELECT cbreturn.next_working_day('infinity');

-- A holiday added and committed is seen by the next command; so is its removal.
SELECT cbreturn.is_rest_day('2030-01-02') AS before_insert;
INSERT INTO cbreturn.holidays (day, working_day, name) VALUES ('2030-01-02', false, 'test holiday');
SELECT cbreturn.is_rest_day('2030-01-02') AS after_insert,
       cbreturn.next_working_day('2030-01-02') AS next_day;             -- Thursday 2030-01-03
SELECT day, shipped FROM cbreturn.holidays WHERE day = '2030-01-02';    -- a DBA row: dumped
DELETE FROM cbreturn.holidays WHERE day = '2030-01-02';
SELECT cbreturn.is_rest_day('2030-01-02') AS after_delete;

-- Weekends as rest days is a parameter (R-P-2 is unverified).
BEGIN;
UPDATE cbreturn.rule_parameters SET value_boolean = false WHERE name = 'holiday_weekends_are_rest_days';
SELECT cbreturn.is_rest_day('2026-10-11') AS sunday_without_weekend_rule,
       cbreturn.is_rest_day('2026-10-01') AS holiday_still;
ROLLBACK;
SELECT cbreturn.is_rest_day('2026-10-11') AS sunday_after_rollback;

-- A missing rule parameter is a policy-data error (CB000), not a wrong answer.
BEGIN;
DELETE FROM cbreturn.rule_parameters WHERE name = 'cross_customs_nationwide_from';
SELECT cbreturn.cross_customs_return_allowed('9610', '0801', '4301', '2026-04-01');
ROLLBACK;
SELECT cbreturn.cross_customs_return_allowed('9610', '0801', '4301', '2026-04-01') AS restored;

-- Shipped policy rows.
SELECT announcement, declared_from, declared_to, supervision_codes, months, extends, confidence
FROM cbreturn.tax_policy_periods ORDER BY declared_from, declared_to;
SELECT name, rule_id, value_date, value_numeric, value_boolean, confidence
FROM cbreturn.rule_parameters ORDER BY name;
