-- Cross-customs-area export returns (R-EX-5).  Pilot districts from 2024-12-15
-- (01 Beijing, 29 Hangzhou, ...), nationwide from 2026-04-01; 08 Shenyang and
-- 43 Jinan are not pilot districts.  The shipped rule parameter
-- cross_customs_pilot_both_districts is true: during the pilot both districts
-- must be pilot districts.
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET datestyle = 'ISO, YMD';

CREATE TEMP TABLE cc_cases (n int, code cbreturn.supervision_code, export_office cbreturn.customs_code,
                            return_office cbreturn.customs_code, returned_on date, expected boolean, why text);
INSERT INTO cc_cases VALUES
    (1,  '9610', '2924', '2901', '2020-01-01', true,  'same district, long before the pilot'),
    (2,  '1210', '2924', '2901', '2026-01-01', true,  'same district: any code'),
    (3,  '0110', '0801', '0802', '2027-06-30', true,  'same district: any code'),
    (4,  '9610', '2924', '0101', '2024-12-14', false, 'pilot districts, day before the pilot'),
    (5,  '9610', '2924', '0101', '2024-12-15', true,  'pilot districts, first pilot day'),
    (6,  '9610', '0101', '2924', '2025-06-30', true,  'pilot districts, during the pilot'),
    (7,  '9610', '2924', '0801', '2026-03-31', false, 'return district not in the pilot'),
    (8,  '9610', '0801', '2924', '2026-03-31', false, 'export district not in the pilot'),
    (9,  '9610', '0801', '4301', '2026-03-31', false, 'neither in the pilot, day before nationwide'),
    (10, '9610', '0801', '4301', '2026-04-01', true,  'nationwide date'),
    (11, '9610', '0801', '2924', '2026-04-01', true,  'nationwide date'),
    (12, '9610', '2924', '0101', '2030-01-01', true,  'after the nationwide date'),
    (13, '1210', '2924', '0101', '2026-04-01', false, 'other district: 9610 only'),
    (14, '9710', '2924', '0101', '2027-01-01', false, 'other district: 9610 only'),
    (15, '9810', '2924', '0101', '2027-01-01', false, 'other district: 9610 only'),
    (16, '4561', '2924', '0101', '2027-01-01', false, 'other district: 9610 only'),
    (17, '1210', '2924', '0101', '2025-01-01', false, 'pilot districts, but 9610 only');

SELECT n, code, export_office, return_office, returned_on, expected,
       cbreturn.cross_customs_return_allowed(code, export_office, return_office, returned_on) AS got,
       cbreturn.cross_customs_return_allowed(code, export_office, return_office, returned_on) = expected AS ok,
       why
FROM cc_cases ORDER BY n;

-- The pilot reading is data (docs/rules.md): with the parameter false, only
-- the return district must be in the pilot.  Case 8 flips, case 7 does not.
BEGIN;
UPDATE cbreturn.rule_parameters SET value_boolean = false
 WHERE name = 'cross_customs_pilot_both_districts';
SELECT n, expected AS shipped_answer,
       cbreturn.cross_customs_return_allowed(code, export_office, return_office, returned_on) AS got
FROM cc_cases WHERE n IN (7, 8) ORDER BY n;
ROLLBACK;
SELECT n, cbreturn.cross_customs_return_allowed(code, export_office, return_office, returned_on) AS got_after_rollback
FROM cc_cases WHERE n IN (7, 8) ORDER BY n;

-- A district joining the pilot, in the same session: its date and the day before.
BEGIN;
UPDATE cbreturn.districts SET cross_return_pilot_from = '2025-06-01' WHERE code = '08';
SELECT cbreturn.cross_customs_return_allowed('9610', '0801', '2924', '2025-05-31') AS day_before,
       cbreturn.cross_customs_return_allowed('9610', '0801', '2924', '2025-06-01') AS first_day;
ROLLBACK;

-- STRICT.
SELECT cbreturn.cross_customs_return_allowed(NULL, '2924', '0101', '2026-04-01') IS NULL AS null_code,
       cbreturn.cross_customs_return_allowed('9610', '2924', '0101', NULL) IS NULL AS null_date;

-- Bad input: unknown district (CB007), unknown supervision code (CB007),
-- infinite date (22008).  An unknown district is an error even when both
-- offices share it: the customs code itself is wrong (R-ID-2).
SELECT cbreturn.cross_customs_return_allowed('9610', '9924', '0101', '2026-04-01');
SELECT cbreturn.cross_customs_return_allowed('9610', '2924', '0301', '2026-04-01');
SELECT cbreturn.cross_customs_return_allowed('9610', '9901', '9902', '2026-04-01');
SELECT cbreturn.cross_customs_return_allowed('1234', '2924', '0101', '2026-04-01');
SELECT cbreturn.cross_customs_return_allowed('9610', '2924', '0101', 'infinity');

-- Explain.
SELECT * FROM cbreturn.explain_cross_customs_return('9610', '2924', '2901', '2020-01-01');
SELECT * FROM cbreturn.explain_cross_customs_return('1210', '2924', '0101', '2026-04-01');
SELECT * FROM cbreturn.explain_cross_customs_return('9610', '0801', '4301', '2026-04-01');
SELECT * FROM cbreturn.explain_cross_customs_return('9610', '2924', '0801', '2026-03-31');
