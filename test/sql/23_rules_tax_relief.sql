-- Tax relief on returned exports (R-TX-1 ... R-TX-6).
-- Policy periods shipped: 2023 No. 4 (2023-01-30..2024-01-29), 2023 No. 34
-- (2023-01-30..2025-12-31, extends No. 4), 2026 No. 16 (2026-01-01..2027-12-31),
-- each for 1210, 9610, 9710, 9810 and 6 months.
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET datestyle = 'ISO, YMD';

CREATE TEMP TABLE tx_cases (n int, code cbreturn.supervision_code, exported_on date, returned_on date,
                            reason cbreturn.return_reason, is_food boolean, original_state boolean,
                            left_on date, rebate boolean, exp_relieved boolean, exp_failed text[], why text);
INSERT INTO tx_cases VALUES
    (1,  '9610', '2026-01-01', '2026-07-01', 'unsold',          false, true,  NULL, false, true,  '{}', '2026 No. 16 first day; deadline day'),
    (2,  '9610', '2026-01-01', '2026-07-02', 'unsold',          false, true,  NULL, false, false, '{R-TX-2}', 'day after the 6 months'),
    (3,  '9610', '2025-12-31', '2026-06-30', 'consumer_return', false, true,  NULL, false, true,  '{}', '2023 No. 34 last day; deadline day'),
    (4,  '9610', '2027-12-31', '2028-06-30', 'unsold',          false, true,  NULL, false, true,  '{}', '2026 No. 16 last day'),
    (5,  '9610', '2028-01-01', '2028-02-01', 'unsold',          false, true,  NULL, false, false, '{R-TX-1}', 'no period after 2027-12-31'),
    (6,  '9710', '2023-01-29', '2023-03-01', 'unsold',          false, true,  NULL, false, false, '{R-TX-1}', 'day before 2023 No. 4'),
    (7,  '9810', '2023-01-30', '2023-07-30', 'consumer_return', false, true,  NULL, false, true,  '{}', '2023 No. 4 first day; No. 34 named'),
    (8,  '9610', '2026-03-01', '2026-04-01', 'unsold',          true,  true,  NULL, false, false, '{R-TX-2}', 'food is never relieved'),
    (9,  '9610', '2026-03-01', '2026-04-01', 'consumer_return', false, false, NULL, false, false, '{R-TX-4}', 'not in original state'),
    (10, '9610', '2028-01-01', '2028-12-01', 'unsold',          true,  false, NULL, false, false, '{R-TX-1,R-TX-2,R-TX-4}', 'everything wrong'),
    (11, '0110', '2026-03-01', '2026-04-01', 'unsold',          false, true,  NULL, false, false, '{R-TX-2}', 'general trade is not covered'),
    (12, '1210', '2026-03-01', '2026-10-20', 'unsold',          false, true,  '2026-04-20', false, true, '{}', '1210: 6 months from leaving the area'),
    (13, '1210', '2026-03-01', '2026-10-21', 'unsold',          false, true,  '2026-04-20', false, false, '{R-TX-2}', '1210: day after'),
    (14, '1210', '2026-03-01', '2026-08-31', 'consumer_return', false, true,  NULL, false, true,  '{}', '1210 without its departure date, within 6 months of the export: within 6 months of leaving too'),
    (27, '1210', '2026-03-01', '2026-09-02', 'consumer_return', false, true,  NULL, false, false, '{R-TX-2}', '1210 without its departure date, later: the departure decides and is not known'),
    (15, '9610', '2026-03-01', '2026-09-01', 'unsold',          false, true,  '2026-06-01', false, true, '{}', 'departure date ignored for 9610'),
    (16, '9610', '2026-01-31', '2027-01-31', 'quality_or_spec', true,  true,  NULL, false, true,  '{}', 'R-TX-6: 1 year, food not excluded'),
    (17, '9610', '2026-01-31', '2027-02-01', 'quality_or_spec', false, true,  NULL, false, false, '{R-TX-6}', 'R-TX-6: day after 1 year'),
    (18, '9610', '2026-01-31', '2026-05-01', 'quality_or_spec', false, false, NULL, false, false, '{R-TX-4}', 'R-TX-6 needs original state'),
    (19, '0110', '2020-05-31', '2021-05-31', 'quality_or_spec', false, true,  NULL, false, true,  '{}', 'R-TX-6 is statute: any code, any year'),
    (20, '9610', '2026-01-01', '2026-02-01', 'consumer_return', false, true,  NULL, true,  true,  '{}', 'rebate claimed: repay first (R-TX-3)'),
    (21, '9610', '2026-01-01', '2026-09-01', 'consumer_return', false, true,  NULL, true,  false, '{R-TX-2}', 'rebate claimed, not relieved'),
    (22, '9610', '2027-08-31', '2028-02-29', 'unsold',          false, true,  NULL, false, true,  '{}', 'month end into a leap February'),
    (23, '9610', '2027-08-31', '2028-03-01', 'unsold',          false, true,  NULL, false, false, '{R-TX-2}', 'the day after'),
    (24, '9610', '2025-08-31', '2026-02-28', 'unsold',          false, true,  NULL, false, true,  '{}', 'month end into a common February'),
    (25, '1210', '2026-03-01', '2026-04-15', 'quality_or_spec', false, true,  NULL, false, true,  '{}', 'R-TX-6 counts from export, also for 1210'),
    (26, '9610', '2026-01-31', '2027-02-01', 'quality_or_spec', false, false, NULL, false, false, '{R-TX-4,R-TX-6}', 'R-TX-6 route, both wrong: rule order');

SELECT n, (r).relieved, (r).failed, (r).relieved = exp_relieved AND (r).failed = exp_failed AS ok,
       (r).import_duty_exempt AS duty, (r).import_vat_exempt AS vat, (r).consumption_tax_exempt AS ct,
       (r).export_duty_refund AS refund, (r).rebate_repayment_required AS repay, (r).basis, why
FROM (SELECT *, cbreturn.export_tax_relief(code, exported_on, returned_on, reason, is_food,
                                           original_state, left_on, rebate) AS r
      FROM tx_cases) AS s
ORDER BY n;

-- R-TX-5: evidence by reason; R-TX-3: the certificate always, stating "repaid" once a rebate was claimed.
SELECT n, reason, rebate, (cbreturn.export_tax_relief(code, exported_on, returned_on, reason, is_food,
                                                       original_state, left_on, rebate)).evidence_required
FROM tx_cases WHERE n IN (1, 3, 16, 20) ORDER BY n;

-- Defaults: left_special_area_on NULL, rebate_claimed false.
SELECT (cbreturn.export_tax_relief('9610', '2026-01-01', '2026-02-01', 'unsold', false, true)).*;

-- NULL in any argument but left_special_area_on: NULL, as STRICT would.
SELECT cbreturn.export_tax_relief(NULL, '2026-01-01', '2026-02-01', 'unsold', false, true) IS NULL AS a,
       cbreturn.export_tax_relief('9610', '2026-01-01', '2026-02-01', 'unsold', NULL, true) IS NULL AS b,
       cbreturn.export_tax_relief('9610', '2026-01-01', '2026-02-01', 'unsold', false, true, NULL, NULL) IS NULL AS c;

-- A policy announcement added at run time takes effect at the next command
-- of the same session (case 5 becomes relieved), and goes away on rollback.
BEGIN;
INSERT INTO cbreturn.tax_policy_periods (announcement, declared_from, declared_to, supervision_codes, months, extends)
VALUES ('MoF/GACC/STA 2028 No. 1', '2028-01-01', '2029-12-31', '{1210,9610,9710,9810}', 6, 'MoF/GACC/STA 2026 No. 16');
SELECT (cbreturn.export_tax_relief('9610', '2028-01-01', '2028-02-01', 'unsold', false, true)).relieved,
       (cbreturn.export_tax_relief('9610', '2028-01-01', '2028-02-01', 'unsold', false, true)).basis;
ROLLBACK;
SELECT (cbreturn.export_tax_relief('9610', '2028-01-01', '2028-02-01', 'unsold', false, true)).failed AS after_rollback;

-- Two announcements in force on one day, the newer listing 9610 only: 9710
-- is relieved under the older, and its explanation quotes that one's dates
-- beside its basis (it quoted the newer's before).
BEGIN;
INSERT INTO cbreturn.tax_policy_periods (announcement, declared_from, declared_to, supervision_codes, months)
VALUES ('MoF/GACC/STA 2026 No. 99', '2026-06-01', '2026-12-31', '{9610}', 3);
SELECT step, rule_id, passed, seen, basis FROM cbreturn.explain_export_tax_relief('9710', '2026-07-01', '2026-11-01', 'unsold', false, true)
 WHERE rule_id IN ('R-TX-1', 'R-TX-2') ORDER BY step;
ROLLBACK;

-- Bad input: return before export, departure before export, return before
-- departure (22023); infinite dates (22008); unknown code (CB007).
SELECT cbreturn.export_tax_relief('9610', '2026-03-01', '2026-02-28', 'unsold', false, true);
SELECT cbreturn.export_tax_relief('1210', '2026-03-01', '2026-05-01', 'unsold', false, true, '2026-02-01');
SELECT cbreturn.export_tax_relief('1210', '2026-03-01', '2026-05-01', 'unsold', false, true, '2026-06-01');
SELECT cbreturn.export_tax_relief('9610', 'infinity', '2026-05-01', 'unsold', false, true);
SELECT cbreturn.export_tax_relief('9610', '2026-03-01', 'infinity', 'unsold', false, true);
SELECT cbreturn.export_tax_relief('1210', '2026-03-01', '2026-05-01', 'unsold', false, true, 'infinity');
SELECT cbreturn.export_tax_relief('1234', '2026-03-01', '2026-05-01', 'unsold', false, true);

-- Explain.
SELECT * FROM cbreturn.explain_export_tax_relief('9610', '2025-12-31', '2026-06-30', 'consumer_return', false, true);
SELECT * FROM cbreturn.explain_export_tax_relief('1210', '2028-01-01', '2028-12-01', 'unsold', true, false);
SELECT step, rule_id, passed, seen FROM cbreturn.explain_export_tax_relief('1210', '2026-03-01', '2026-08-31', 'consumer_return', false, true) WHERE rule_id = 'R-TX-2';
SELECT * FROM cbreturn.explain_export_tax_relief('9610', '2026-01-31', '2027-01-31', 'quality_or_spec', true, true, NULL, true);

-- An ordinary return (issue 12, item 4): declared as ordinary returned goods
-- (e.g. 4561), outside the CBEC return procedure, it is not relieved by the
-- announcements (R-TX-2 fails whatever the dates) and the basis says why, in
-- the session's language; a quality or specification return stays under
-- R-TX-6, which covers every supervision code (rules, R-TX-6).  The same
-- dates without ordinary are relieved; ordinary => false is the default.
SELECT ordinary, (r).relieved, (r).import_duty_exempt, (r).failed, (r).evidence_required, (r).basis
  FROM (VALUES (false), (true)) v(ordinary),
       LATERAL (SELECT cbreturn.export_tax_relief('9610', '2026-03-01', '2026-04-01', 'unsold', false, true,
                                                  ordinary => v.ordinary) AS r) x
 ORDER BY 1;
SELECT cbreturn.export_tax_relieved('9610', '2026-03-01', '2026-04-01', 'consumer_return', false, true) AS cbec,
       cbreturn.export_tax_relieved('9610', '2026-03-01', '2026-04-01', 'consumer_return', false, true,
                                    ordinary => true) AS ordinary,
       (cbreturn.export_tax_relief('9610', '2026-03-01', '2026-04-01', 'quality_or_spec', false, true,
                                   ordinary => true)).relieved AS ordinary_quality,
       cbreturn.export_tax_relief('9610', '2026-03-01', '2026-04-01', 'unsold', false, true,
                                  ordinary => NULL) IS NULL AS null_ordinary;
SET cbreturn.language = 'zh_CN.UTF-8';
SELECT (cbreturn.export_tax_relief('9610', '2026-03-01', '2026-04-01', 'unsold', false, true, NULL, false, true)).basis;
RESET cbreturn.language;
-- bad input is bad input for an ordinary return too
SELECT cbreturn.export_tax_relief('9610', '2026-03-01', '2026-02-28', 'unsold', false, true, ordinary => true);
-- the explain of an ordinary return: one step, the announcements' R-TX-2
SELECT * FROM cbreturn.explain_export_tax_relief('9610', '2026-03-01', '2026-04-01', 'unsold', false, true,
                                                 ordinary => true);
