-- Tax relief answers (R-TX-3, R-TX-5, R-TX-6), the scalar accessor
-- export_tax_relieved, the legal bases of every explanation, and the texts
-- in the session's language (cbreturn.language; docs/i18n.md).
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET datestyle = 'ISO, YMD';

-- ---------------------------------------------------------------------------
-- R-TX-3 / R-TX-5: the tax authority's certificate is required whenever
-- relief is granted, on both routes, with or without a claimed rebate; it is
-- never asked for when relief is refused.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE tt (n int, code cbreturn.supervision_code, exported_on date, returned_on date,
                      reason cbreturn.return_reason, is_food boolean, original_state boolean,
                      left_on date, rebate boolean);
INSERT INTO tt VALUES
    (1, '9610', '2026-03-10', '2026-08-10', 'unsold',          false, true, NULL, false),
    (2, '9610', '2026-03-10', '2026-08-10', 'consumer_return', false, true, NULL, true),
    (3, '9610', '2025-06-01', '2026-05-01', 'quality_or_spec', false, true, NULL, false),
    (4, '0110', '2025-06-01', '2026-05-01', 'quality_or_spec', true,  true, NULL, true),
    (5, '9610', '2026-03-10', '2026-10-10', 'unsold',          false, true, NULL, false),
    (6, '9610', '2025-06-01', '2026-06-02', 'quality_or_spec', false, true, NULL, false),
    (7, '1210', '2026-01-05', '2026-08-20', 'unsold',          false, true, '2026-03-01', true);
SELECT n, reason, rebate, (r).relieved, (r).tax_certificate_required AS certificate,
       (r).rebate_repayment_required AS repay,
       (r).evidence_required LIKE '%Certificate of Supplementary Tax Payment / Non-refund of Export Goods (出口货物已补税/未退税证明), stating that '
           || CASE WHEN rebate THEN 'the refunded export rebate was repaid' ELSE 'no export rebate was refunded' END
           AS evidence_lists_certificate,
       (r).evidence_required IS NULL AS no_evidence
  FROM (SELECT *, cbreturn.export_tax_relief(code, exported_on, returned_on, reason, is_food,
                                             original_state, left_on, rebate) AS r FROM tt) s
 ORDER BY n;

-- The attribute is the last of cbreturn.tax_relief (as on an upgraded
-- database), after failed.
SELECT attnum, attname, format_type(atttypid, atttypmod)
  FROM pg_attribute WHERE attrelid = 'cbreturn.tax_relief'::regclass AND attnum > 0
 ORDER BY attnum;

-- ---------------------------------------------------------------------------
-- R-TX-6: a quality return within 1 year is exempt from import duty, import
-- VAT and consumption tax alike, and export duty is refunded (the demo's
-- "9610 quality, 11 months" row: finance owes no VAT).  Any code, food too.
-- ---------------------------------------------------------------------------
SELECT n, (r).relieved, (r).import_duty_exempt AS duty, (r).import_vat_exempt AS vat,
       (r).consumption_tax_exempt AS ct, (r).export_duty_refund AS refund, (r).failed
  FROM (SELECT *, cbreturn.export_tax_relief(code, exported_on, returned_on, reason, is_food,
                                             original_state, left_on, rebate) AS r FROM tt) s
 WHERE reason = 'quality_or_spec'
 ORDER BY n;

-- ---------------------------------------------------------------------------
-- export_tax_relieved: the relieved field without the row.  The same answer
-- on generated rows of every branch, NULL as export_tax_relief, the same
-- errors, and declared for scans (STABLE, PARALLEL SAFE).
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE gen AS
SELECT (ARRAY['9610', '9610', '1210', '1210', '9710', '9810', '0110'])[1 + i % 7]::cbreturn.supervision_code AS code,
       e AS exported_on, coalesce(l, e) + (i * 37 % 420) AS returned_on,
       (enum_range(NULL::cbreturn.return_reason))[1 + (i / 7) % 3] AS reason,
       (i / 5) % 9 = 0 AS is_food, (i / 3) % 13 <> 0 AS original_state, l AS left_on, (i / 11) % 4 = 0 AS rebate
  FROM generate_series(1, 5000) AS i,
       LATERAL (SELECT date '2022-10-01' + (i * 7919) % 2100 AS e) AS x,
       LATERAL (SELECT CASE WHEN i % 8 <> 0 THEN x.e + (i / 13) % 60 END AS l) AS y;
SELECT count(*) AS rows_compared,
       count(*) FILTER (WHERE cbreturn.export_tax_relieved(code, exported_on, returned_on, reason, is_food,
                                                           original_state, left_on, rebate)) AS relieved,
       count(*) FILTER (WHERE cbreturn.export_tax_relieved(code, exported_on, returned_on, reason, is_food,
                                                           original_state, left_on, rebate)
                              IS DISTINCT FROM
                              (cbreturn.export_tax_relief(code, exported_on, returned_on, reason, is_food,
                                                          original_state, left_on, rebate)).relieved) AS disagree
  FROM gen;
SELECT cbreturn.export_tax_relieved('9610', '2026-01-01', '2026-02-01', 'unsold', false, true) AS defaults,
       cbreturn.export_tax_relieved('9610', '2026-01-01', '2026-02-01', 'quality_or_spec', true, true) AS quality,
       cbreturn.export_tax_relieved('1210', '2026-01-01', '2026-02-01', 'unsold', false, true) AS no_departure,
       cbreturn.export_tax_relieved(NULL, '2026-01-01', '2026-02-01', 'unsold', false, true) IS NULL AS null_code,
       cbreturn.export_tax_relieved('9610', '2026-01-01', '2026-02-01', 'unsold', false, true, NULL, NULL) IS NULL AS null_rebate;
SELECT regress.try($$SELECT cbreturn.export_tax_relieved('9610', '2026-03-01', '2026-02-28', 'unsold', false, true)$$);
SELECT regress.try($$SELECT cbreturn.export_tax_relieved('9610', 'infinity', '2026-02-28', 'unsold', false, true)$$);
SELECT regress.try($$SELECT cbreturn.export_tax_relieved('1234', '2026-03-01', '2026-05-01', 'unsold', false, true)$$);
SELECT p.proname, p.provolatile, p.proparallel, p.proisstrict, p.prorettype::regtype
  FROM pg_proc p
 WHERE p.pronamespace = 'cbreturn'::regnamespace AND p.proname IN ('export_tax_relief', 'export_tax_relieved')
 ORDER BY 1;

-- ---------------------------------------------------------------------------
-- Legal bases (docs/rules.md): each rule cites what it rests on.
-- ---------------------------------------------------------------------------
SELECT rule_id, basis FROM (
    SELECT rule_id, basis FROM cbreturn.explain_export_return_deadline('2026-08-31', 'unsold', '2027-03-01')
    UNION SELECT rule_id, basis FROM cbreturn.explain_import_return('2026-01-31', '2026-03-02', '2026-03-17')
    UNION SELECT rule_id, basis FROM cbreturn.explain_cross_customs_return('9610', '2924', '0801', '2026-03-31')
    UNION SELECT rule_id, basis FROM cbreturn.explain_export_tax_relief('9610', '2026-03-10', '2026-08-10', 'unsold', false, true)
    UNION SELECT rule_id, basis FROM cbreturn.explain_export_tax_relief('9610', '2025-06-01', '2026-05-01', 'quality_or_spec', false, true)
) s
ORDER BY rule_id COLLATE "C", basis COLLATE "C";

-- What an announcement names comes from the policy tables: a period a DBA
-- adds, the nationwide date and the pilot dates (rolled back).
BEGIN;
INSERT INTO cbreturn.tax_policy_periods (announcement, declared_from, declared_to, supervision_codes, months, extends, title_zh)
VALUES ('MoF/GACC/STA 2028 No. 1', '2028-01-01', '2029-12-31', '{9610}', 6, 'MoF/GACC/STA 2026 No. 16',
        '财政部 海关总署 税务总局公告2028年第1号');
UPDATE cbreturn.rule_parameters SET value_date = '2026-05-01' WHERE name = 'cross_customs_nationwide_from';
UPDATE cbreturn.districts SET cross_return_pilot_from = '2025-01-01' WHERE cross_return_pilot_from = '2024-12-15';
SELECT (cbreturn.export_tax_relief('9610', '2028-01-01', '2028-02-01', 'unsold', false, true)).basis;
SELECT step, rule_id, basis FROM cbreturn.explain_export_tax_relief('9610', '2028-01-01', '2028-02-01', 'unsold', false, true);
SELECT step, basis FROM cbreturn.explain_cross_customs_return('9610', '2924', '0801', '2026-04-15');
ROLLBACK;

-- ---------------------------------------------------------------------------
-- Chinese (issue 13): with cbreturn.language set, the explain steps, the
-- evidence list and the bases are Chinese, each step led by the rule's
-- Chinese name; rule ids, column names and values do not change.
-- ---------------------------------------------------------------------------
SET cbreturn.language = 'zh_CN.UTF-8';
SELECT * FROM cbreturn.explain_export_tax_relief('9610', '2025-12-31', '2026-06-30', 'consumer_return', false, true, NULL, true);
SELECT * FROM cbreturn.explain_export_tax_relief('1210', '2026-01-05', '2026-08-20', 'unsold', false, true, '2026-03-01');
SELECT * FROM cbreturn.explain_export_tax_relief('9610', '2025-06-01', '2026-05-01', 'quality_or_spec', false, true);
SELECT * FROM cbreturn.explain_export_tax_relief('1210', '2028-01-01', '2028-12-01', 'unsold', true, false);
SELECT * FROM cbreturn.explain_export_return_deadline('2026-08-31', 'unsold', '2027-03-01');
SELECT * FROM cbreturn.explain_import_return('2026-01-31', '2026-03-03');
SELECT * FROM cbreturn.explain_cross_customs_return('9610', '2924', '0801', '2026-03-31');
SELECT n, (r).relieved, (r).tax_certificate_required AS certificate, (r).evidence_required, (r).basis, (r).failed
  FROM (SELECT *, cbreturn.export_tax_relief(code, exported_on, returned_on, reason, is_food,
                                             original_state, left_on, rebate) AS r FROM tt) s
 ORDER BY n;
-- assess_export_return lists the same evidence item by item in Chinese too
-- (the items are separated by the full-width semicolon there).
SELECT cardinality(evidence) AS items, evidence[3] LIKE '%出口货物已补税/未退税证明%' AS certificate_item
  FROM cbreturn.assess_export_return('9610', '2026-01-10', 'unsold', '2026-03-01', '2026-07-05', '2924', '5316', false, true);
-- A period without a Chinese title is named by its announcement column.
BEGIN;
INSERT INTO cbreturn.tax_policy_periods (announcement, declared_from, declared_to, supervision_codes, months)
VALUES ('MoF/GACC/STA 2028 No. 1', '2028-01-01', '2029-12-31', '{9610}', 6);
SELECT (cbreturn.export_tax_relief('9610', '2028-01-01', '2028-02-01', 'unsold', false, true)).basis;
ROLLBACK;

-- The rows export_tax_relief builds once follow the language: the same
-- prepared statement answers in Chinese, then after RESET in the session's
-- default language (English under lc_messages C; test/checks/nls.sh reruns
-- this file in Chinese), then in Chinese again.
PREPARE relief AS
SELECT (r).basis, left((r).evidence_required, 30) AS evidence
  FROM (SELECT cbreturn.export_tax_relief('9610', '2026-03-10', '2026-08-10', 'unsold', false, true) AS r) s;
EXECUTE relief;
RESET cbreturn.language;
EXECUTE relief;
SET cbreturn.language = 'zh_CN.UTF-8';
EXECUTE relief;
RESET cbreturn.language;
DEALLOCATE relief;
-- A refused answer has no text and is served under any language without a
-- look at it; a relieved one asked for next must still be in the language of
-- now, not in that of the rows built before (English, then Chinese, then
-- English again; in Chinese under lc_messages zh_CN).
SELECT (cbreturn.export_tax_relief('9610', '2026-03-10', '2026-08-10', 'unsold', false, true)).basis;
SET cbreturn.language = 'zh_CN.UTF-8';
SELECT (r).relieved, (r).basis, (r).failed
  FROM (SELECT cbreturn.export_tax_relief('9610', '2026-03-10', '2027-08-10', 'unsold', false, true) AS r) s;
SELECT (cbreturn.export_tax_relief('9610', '2026-03-10', '2026-08-10', 'unsold', false, true)).basis;
RESET cbreturn.language;
SELECT (r).relieved, (r).basis, (r).failed
  FROM (SELECT cbreturn.export_tax_relief('9610', '2026-03-10', '2027-08-10', 'unsold', false, true) AS r) s;
SELECT (cbreturn.export_tax_relief('9610', '2026-03-10', '2026-08-10', 'unsold', false, true)).basis;
SELECT cardinality(evidence) AS items, evidence[3] LIKE '%(出口货物已补税/未退税证明)%' AS certificate_item
  FROM cbreturn.assess_export_return('9610', '2026-01-10', 'unsold', '2026-03-01', '2026-07-05', '2924', '5316', false, true);
