-- cbreturn demo: run by `make demo` (test/run demo) on a throwaway cluster,
-- as psql -X -q -v ON_ERROR_STOP=1 -f test/demo/demo.sql.
--
-- One file, in sections.  Each section starts with an \echo heading and
-- leaves the database ready for the next.  Sample data are generated here
-- (generate_series): realistic in shape, not real declarations.
\pset null '(none)'
\pset footer off
SET datestyle = 'ISO, YMD';

\echo
\echo '=== cbreturn: China cross-border e-commerce (CBEC) return rules in PostgreSQL'
\echo
CREATE EXTENSION cbreturn;
-- The types' operators live in schema cbreturn: put it on the search path
-- (or ALTER DATABASE ... SET search_path = "$user", public, cbreturn).
SET search_path = public, cbreturn;

-- ============================================================================
-- Section: identifier types (R-ID-1, R-ID-2, R-ID-3)
-- ============================================================================
\echo '--- 1. Declaration numbers (R-ID-1): office, year, direction flag, sequence'
\echo '    The two examples of the rules, typed in canonical and in print form,'
\echo '    lower-case flags and stray white space accepted; output is canonical.'
SELECT literal, id, print_form(id) AS print_form, customs_code(id) AS office,
       declared_year(id) AS year,
       CASE WHEN is_import(id) THEN 'import' ELSE 'export' END AS direction,
       CASE WHEN is_list(id) THEN 'CBEC list' ELSE 'declaration' END AS kind,
       sequence_no(id) AS sequence
  FROM (VALUES ('020220080525641690'), ('0202-2008-0-525641690'),
               ('29242020I439440284'), ('  2924-2020-i-439440284 ')) AS t(literal),
       LATERAL (SELECT literal::declaration_id AS id) AS parsed;

\echo '--- 2. Built from parts: declaration_id(office, year, flag, sequence)'
SELECT declaration_id('5316', 2025, 'E', 381007) AS export_list,
       declaration_id('2201', 2026, '1', 417)    AS import_declaration;

\echo '--- 3. Bad literals are rejected with SQLSTATE 22P02 and say what is wrong'
CREATE FUNCTION pg_temp.try_declaration_id(literal text, OUT error_code text, OUT message text)
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM literal::cbreturn.declaration_id;
    error_code := '00000'; message := 'accepted';
EXCEPTION WHEN OTHERS THEN
    error_code := SQLSTATE; message := SQLERRM;
END
$$;
SELECT e.error_code AS sqlstate, e.message
  FROM (VALUES ('29242020I43944028'), ('29242020X439440284'), ('29241979I439440284'),
               ('2924-2020I-439440284'), ('２９２４2020I439440284')) AS t(literal),
       LATERAL pg_temp.try_declaration_id(literal) AS e;
\echo '    The same error, as a client sees it (ON_ERROR_STOP is off for this one statement):'
\set ON_ERROR_STOP 0
SELECT '29242020X439440284'::declaration_id;
\set ON_ERROR_STOP 1

\echo
\echo '--- 4. Sample data: 2,400 declarations and lists from twelve offices in ten districts, 2024-2026'
-- Offices in pilot districts of R-EX-5 (Hangzhou 29, Shenzhen 53, Tianjin 02,
-- Shanghai 22, Chengdu 79, Urumqi 94) and in others (Jinan 43, Wuhan 47,
-- Chongqing 80, Kunming 86).  Office numbers are made up within each district.
CREATE TABLE declarations (
    id          declaration_id PRIMARY KEY,
    regime      supervision_code NOT NULL,
    cleared_on  date NOT NULL
);
INSERT INTO declarations
SELECT declaration_id(o.office::customs_code, extract(year FROM d)::integer, f.flag,
                      (100000000 + (i::bigint * 7919 * 104729) % 900000000)::integer),
       f.regime::supervision_code, d
  FROM generate_series(1, 2400) AS i,
       LATERAL (SELECT (ARRAY['2924', '2921', '5316', '5301', '0202', '2244', '7901', '9401', '4301',
                              '4708', '8001', '8601'])[1 + i % 12] AS office) AS o,
       LATERAL (SELECT (ARRAY['E', 'E', 'E', 'I', 'I', '0', '1'])[1 + i % 7] AS flag,
                       (ARRAY['9610', '9610', '9710', '1210', '1210', '9810', '0110'])[1 + i % 7] AS regime) AS f,
       LATERAL (SELECT date '2024-01-01' + (i * 37) % 1000 AS d) AS dd;
ANALYZE declarations;

\echo '    Per district: name from cbreturn.districts, cross-customs return pilot date (R-EX-5)'
SELECT district(d.id) AS district, ds.name_en, ds.name_zh, ds.cross_return_pilot_from AS pilot_from,
       count(*) FILTER (WHERE NOT is_import(d.id)) AS exports,
       count(*) FILTER (WHERE is_import(d.id)) AS imports,
       count(*) FILTER (WHERE is_list(d.id)) AS cbec_lists
  FROM declarations d
  JOIN districts ds ON ds.code = district(d.id)
 GROUP BY 1, 2, 3, 4
 ORDER BY 1;

\echo '    By supervision code (cbreturn.supervision_codes, R-ID-3)'
SELECT d.regime, sc.name_en, sc.is_cbec, count(*) AS declarations
  FROM declarations d JOIN supervision_codes sc ON sc.code = d.regime
 GROUP BY 1, 2, 3 ORDER BY 1;

\echo '--- 5. Sorting follows the canonical text: office, year, flag 0 < 1 < E < I, sequence'
SELECT id, print_form(id), CASE WHEN is_list(id) THEN 'list' ELSE 'declaration' END AS kind,
       CASE WHEN is_import(id) THEN 'import' ELSE 'export' END AS direction
  FROM (SELECT id, row_number() OVER (PARTITION BY substr(id::text, 9, 1) ORDER BY id) AS nth
          FROM declarations WHERE customs_code(id) = '2924' AND declared_year(id) = 2025) AS s
 WHERE nth <= 2
 ORDER BY id;
SELECT min(id) AS first, max(id) AS last FROM declarations;

\echo
\echo '--- 6. Orders joined to their declaration lists through an index'
CREATE TABLE orders (
    order_no    text PRIMARY KEY,
    list_no     declaration_id NOT NULL,
    ordered_on  date NOT NULL,
    amount_cny  numeric(10, 2) NOT NULL
);
INSERT INTO orders
SELECT 'SO' || to_char(d.cleared_on, 'YYYYMMDD') || lpad(n::text, 5, '0'), d.id,
       d.cleared_on - (n % 5)::integer, round(50 + (n * 7717) % 480000 / 100.0, 2)
  FROM (SELECT id, cleared_on, row_number() OVER (ORDER BY id) AS r FROM declarations WHERE is_list(id)) AS d,
       LATERAL generate_series(d.r * 10, d.r * 10 + 7) AS n;
CREATE INDEX orders_list_no ON orders (list_no);
ANALYZE orders;
SELECT count(*) AS orders, count(DISTINCT list_no) AS lists FROM orders;

\echo '    One order and its list: the declaration is found by its primary key (btree)'
EXPLAIN (COSTS OFF)
SELECT o.order_no, o.amount_cny, d.id, d.regime, d.cleared_on
  FROM orders o JOIN declarations d ON d.id = o.list_no
 WHERE o.order_no = 'SO2024031400130';
SELECT o.order_no, o.amount_cny, d.id, print_form(d.id), d.regime, d.cleared_on, ds.name_en AS district
  FROM orders o
  JOIN declarations d ON d.id = o.list_no
  JOIN districts ds ON ds.code = district(d.id)
 WHERE o.order_no = (SELECT min(order_no) FROM orders WHERE ordered_on >= '2025-03-01');

\echo '    All orders on one list: the orders are found through orders_list_no (btree on declaration_id)'
EXPLAIN (COSTS OFF)
SELECT * FROM orders WHERE list_no = '2924-2025-E-123456789';
SELECT order_no, ordered_on, amount_cny
  FROM orders
 WHERE list_no = (SELECT list_no FROM orders ORDER BY list_no LIMIT 1)
 ORDER BY order_no;

-- ============================================================================
-- Section: rules engine (deadlines, remark codes, cross-customs returns, tax
-- relief: R-P-1, R-EX-1..6, R-TX-1..6, R-IM-1..5).  Added by the rules work.
-- ============================================================================

\echo
\echo '--- 7. Export return deadlines (R-EX-1, counted by R-P-1)'
\echo '    6 months for unsold stock and consumer returns, 1 year for quality or specification;'
\echo '    the start day is not counted, a month without that day ends on its last day.'
SELECT exported_on, reason, export_return_deadline(exported_on, reason) AS deadline,
       remark_code(reason) AS remark
  FROM (VALUES (date '2026-01-31', 'unsold'::return_reason),
               (date '2026-08-31', 'consumer_return'),
               (date '2027-08-31', 'consumer_return'),
               (date '2026-02-28', 'quality_or_spec')) AS v(exported_on, reason);

\echo '    Why: one row per rule checked, with the values seen and the legal basis'
SELECT rule_id, passed, seen, basis
  FROM explain_export_return_deadline(date '2026-08-31', 'consumer_return', date '2027-03-01');

\echo
\echo '--- 8. Remark codes (R-EX-2) read from free-text ERP remarks'
SELECT remarks, reason_from_remarks(remarks) AS reason
  FROM (VALUES ('ZXTY overstock Q3'), ('  thty; order SO2025030107890'), ('PGTY-defective zipper'),
               ('customer changed mind'), ('ZXTYX')) AS v(remarks);

\echo
\echo '--- 9. Cross-customs returns of 9610 exports (R-EX-5)'
\echo '    Pilot from 2024-12-15 between pilot districts; nationwide from 2026-04-01; only 9610.'
SELECT v.code, export_office, ex.name_en AS exported_via, return_office, re.name_en AS returned_via,
       returned_on, cross_customs_return_allowed(v.code, export_office, return_office, returned_on) AS allowed
  FROM (VALUES ('9610'::supervision_code, '2924'::customs_code, '5316'::customs_code, date '2024-12-14'),
               ('9610', '2924', '5316', date '2024-12-15'),
               ('9610', '4301', '5316', date '2026-03-31'),
               ('9610', '4301', '5316', date '2026-04-01'),
               ('9710', '2924', '5316', date '2026-06-01'),
               ('9710', '2924', '2921', date '2026-06-01')) AS v(code, export_office, return_office, returned_on)
  JOIN districts ex ON ex.code = district(export_office)
  JOIN districts re ON re.code = district(return_office)
 ORDER BY v.code DESC, export_office, returned_on;

\echo '    Why the Jinan export could not come back through Shenzhen on 2026-03-31'
SELECT rule_id, passed, seen FROM explain_cross_customs_return('9610', '4301', '5316', date '2026-03-31');

\echo
\echo '--- 10. Tax relief on returned exports (R-TX-1 .. R-TX-6)'
SELECT label, (r).relieved, (r).import_duty_exempt AS duty, (r).import_vat_exempt AS vat,
       (r).consumption_tax_exempt AS cons_tax, (r).export_duty_refund AS refund,
       (r).rebate_repayment_required AS repay_rebate, (r).tax_certificate_required AS tax_certificate,
       (r).basis, (r).failed
  FROM (VALUES
    ('9610 unsold, 5 months',        export_tax_relief('9610', date '2026-03-10', date '2026-08-10', 'unsold', false, true)),
    ('9610 unsold, 7 months',        export_tax_relief('9610', date '2026-03-10', date '2026-10-10', 'unsold', false, true)),
    ('9610 food',                    export_tax_relief('9610', date '2026-03-10', date '2026-05-10', 'consumer_return', true, true)),
    ('9810 rebate already claimed',  export_tax_relief('9810', date '2026-03-10', date '2026-05-10', 'consumer_return', false, true, NULL, true)),
    ('1210 counted from leaving area', export_tax_relief('1210', date '2026-01-05', date '2026-08-20', 'unsold', false, true, date '2026-03-01')),
    ('9610 quality, 11 months',      export_tax_relief('9610', date '2025-06-01', date '2026-05-01', 'quality_or_spec', false, true)),
    ('0110 general trade',           export_tax_relief('0110', date '2026-03-10', date '2026-05-10', 'unsold', false, true))
  ) AS v(label, r);

\echo '    What customs will ask for (R-TX-5), for the rebate case, and the same in Chinese'
SELECT (export_tax_relief('9810', date '2026-03-10', date '2026-05-10', 'consumer_return', false, true, NULL, true)).evidence_required;
SET cbreturn.language = 'zh_CN.UTF-8';
SELECT (export_tax_relief('9810', date '2026-03-10', date '2026-05-10', 'consumer_return', false, true, NULL, true)).evidence_required;
RESET cbreturn.language;

\echo
\echo '--- 11. Retail import returns (R-IM-1, R-IM-3, R-IM-4)'
SELECT released_on, import_apply_deadline(released_on) AS apply_by,
       import_arrival_deadline(released_on) AS arrive_by,
       applied_on, arrived_on, import_return_on_time(released_on, applied_on, arrived_on) AS on_time
  FROM (VALUES (date '2026-01-31', date '2026-03-02', date '2026-03-17'),
               (date '2026-01-31', date '2026-03-03', date '2026-03-10'),
               (date '2026-01-31', date '2026-02-20', date '2026-03-18'),
               (date '2026-01-31', date '2026-03-04', NULL)) AS v(released_on, applied_on, arrived_on);
\echo '    (the last: applied on day 32, goods not back yet: already late, R-IM-1)'
\echo '    A December purchase returned in January: nothing restored before release, 2026 quota after (R-IM-3)'
SELECT status, (e).effect, (e).tax_refunded, (e).quota_year, (e).quota_restored
  FROM (VALUES ('inspected'), ('released'), ('rejected')) AS v(status),
       LATERAL (SELECT import_return_effect(date '2026-12-20', 1500, status) AS e) AS x;
\echo '    Tax on a CNY 1,200 retail import (tariff 0, VAT and consumption tax at 70 %) and the quota after its return'
SELECT (t).tariff, (t).import_vat, (t).consumption_tax, (t).total,
       import_annual_amount_after_return(9800, 1200) AS annual_after_return,
       import_annual_quota_remaining(import_annual_amount_after_return(9800, 1200)) AS quota_left
  FROM (SELECT import_retail_tax(1200, 0.13, 0.15, 9800) AS t) AS s;

\echo
\echo '--- 12. Reporting: status of every export return in the sample, as of 2026-11-21'
CREATE TABLE export_returns AS
SELECT d.id AS list_no, d.regime, d.cleared_on,
       (ARRAY['unsold', 'consumer_return', 'quality_or_spec'])[1 + (sequence_no(d.id) % 3)]::return_reason AS reason,
       CASE WHEN sequence_no(d.id) % 4 = 0 THEN NULL
            ELSE d.cleared_on + (sequence_no(d.id) % 420) END AS returned_on
  FROM declarations d
 WHERE NOT is_import(d.id) AND d.regime = '9610' AND d.cleared_on >= date '2025-06-01';
SELECT return_status(export_return_deadline(cleared_on, reason), returned_on, date '2026-11-21', 14) AS status,
       count(*) AS returns,
       min(return_days_left(export_return_deadline(cleared_on, reason), returned_on, date '2026-11-21')) AS min_days_left
  FROM export_returns
 GROUP BY 1 ORDER BY 1;

-- ============================================================================
-- Section: enforcement (write-time triggers on ERP tables, explain).  Added
-- by the enforcement work.
-- ============================================================================

\echo
\echo '--- 13. Write-time enforcement on an ERP''s own tables and column names'
CREATE SCHEMA erp;
-- The ERP's tables, as they are: its names, its types.
CREATE TABLE erp."ReturnOrder" (
    "RetNo"       text PRIMARY KEY,
    "ListNo"      declaration_id NOT NULL,
    "GNo"         integer NOT NULL,
    "ClearDate"   date NOT NULL,
    "Reason"      return_reason NOT NULL,
    "BackDate"    date,
    "Memo"        varchar(60),
    "TradeMode"   supervision_code NOT NULL,
    "DeclPort"    customs_code NOT NULL,
    "BackPort"    customs_code NOT NULL,
    "Qty"         integer NOT NULL
);
CREATE TABLE erp."ListItem" (
    "ListNo" declaration_id, "GNo" integer, "GQty" integer NOT NULL,
    PRIMARY KEY ("ListNo", "GNo"));
INSERT INTO erp."ListItem" VALUES ('29242026E000381007', 1, 10), ('29242026E000381007', 2, 3);

SELECT attach_export_return_checks('erp."ReturnOrder"',
    exported_on => 'ClearDate', reason => 'Reason', returned_on => 'BackDate', remarks => 'Memo',
    supervision_code => 'TradeMode', export_office => 'DeclPort', return_office => 'BackPort');
SELECT attach_quantity_check('erp."ReturnOrder"', line => '{ListNo,GNo}', quantity => 'Qty',
    declared_table => 'erp."ListItem"', declared_line => '{ListNo,GNo}', declared_quantity => 'GQty');
SELECT "table", check_kind, columns, trigger_name, enabled FROM attached_checks ORDER BY 1, 2;

\echo '    Good returns go in (two batches against line 1 of the list: 6 + 4 of 10)'
INSERT INTO erp."ReturnOrder" VALUES
    ('R-001', '29242026E000381007', 1, '2026-03-10', 'consumer_return', '2026-05-02', 'THTY order SO20260301',
     '9610', '2924', '5316', 6),
    ('R-002', '29242026E000381007', 1, '2026-03-10', 'unsold', '2026-09-10', 'ZXTY', '9610', '2924', '2924', 4);

\echo '    Bad ones are refused, each with its rule, the values and what would be accepted:'
CREATE FUNCTION pg_temp.attempt(label text, stmt text) RETURNS TABLE (attempt text, sqlstate text, message text, detail text, hint text)
LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text; hin text;
BEGIN
    EXECUTE stmt;
    RETURN QUERY SELECT label, '00000'::text, 'accepted'::text, NULL::text, NULL::text;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hin = PG_EXCEPTION_HINT;
    RETURN QUERY SELECT label, st, msg, det, hin;
END $$;
\x on
SELECT * FROM pg_temp.attempt('a day late (R-EX-1)',
    $$INSERT INTO erp."ReturnOrder" VALUES ('R-003', '29242026E000381007', 2, '2026-03-10', 'unsold', '2026-09-11', 'ZXTY', '9610', '2924', '2924', 1)$$);
SELECT * FROM pg_temp.attempt('wrong remark code (R-EX-2)',
    $$INSERT INTO erp."ReturnOrder" VALUES ('R-004', '29242026E000381007', 2, '2026-03-10', 'quality_or_spec', '2026-04-01', 'THTY', '9610', '2924', '2924', 1)$$);
SELECT * FROM pg_temp.attempt('9710 across districts (R-EX-5)',
    $$INSERT INTO erp."ReturnOrder" VALUES ('R-005', '29242026E000381007', 2, '2026-03-10', 'unsold', '2026-04-01', 'ZXTY', '9710', '2924', '5316', 1)$$);
SELECT * FROM pg_temp.attempt('line 1 already fully returned (R-EX-3)',
    $$INSERT INTO erp."ReturnOrder" VALUES ('R-006', '29242026E000381007', 1, '2026-03-10', 'unsold', '2026-04-01', 'ZXTY', '9610', '2924', '2924', 1)$$);
\x off
\echo '    Nothing of the refused rows was written:'
SELECT "RetNo", "GNo", "BackDate", "Memo", "Qty" FROM erp."ReturnOrder" ORDER BY 1;

\echo
\echo '--- 14. Registers a DBA keeps: applicants (R-EX-4), return sites (R-EX-6), return-centre warehouses (R-IM-5),'
\echo '    who may apply for an import return (R-IM-7)'
\echo '    EXAMPLE ROWS ONLY: cbreturn ships these tables empty; the names, registration codes, sites,'
\echo '    warehouses and ratings below are made up for the demo (the credit codes are made-up ones with'
\echo '    a valid GB 32100-2015 check character: MAEXAMP in the organisation code marks them).'
INSERT INTO cbreturn.applicants (uscc, customs_registration_code, name, valid_from, valid_to, note) VALUES
    ('91330100MAEXAMP01Q', '3301960002', 'Example exporter, Hangzhou', '2024-06-01', NULL, 'EXAMPLE'),
    ('91440300MAEXAMP021', '4403960017', 'Example exporter, Shenzhen', '2023-01-01', '2026-03-31', 'EXAMPLE: registration lapsed');
INSERT INTO cbreturn.return_sites (site_code, customs_office, kind, name, valid_from, valid_to, note) VALUES
    ('HZ-BW-0001', '2924', 'bonded_warehouse', 'Example bonded warehouse, Hangzhou', '2024-12-15', NULL, 'EXAMPLE'),
    ('SZ-MS-0007', '5316', 'marketplace_site', 'Example marketplace site, Shenzhen', '2024-12-15', NULL, 'EXAMPLE'),
    ('CD-PC-0003', '7901', 'processing_centre', 'Example processing centre, Chengdu', '2026-04-01', NULL, 'EXAMPLE');
INSERT INTO cbreturn.return_warehouses (warehouse_code, special_area, customs_office, operator_uscc, name,
                                        video_linked, wms, customs_interface, valid_from, note) VALUES
    ('HZ-RCW-01', 'Hangzhou Comprehensive Bonded Zone', '2991', '91110108MAEXAMP03W', 'Example return centre 1',
     true, true, true, '2025-01-01', 'EXAMPLE'),
    ('HZ-RCW-02', 'Hangzhou Comprehensive Bonded Zone', '2991', '91110000MAEXAMP047', 'Example return centre 2',
     true, true, true, '2025-01-01', 'EXAMPLE');
INSERT INTO cbreturn.operator_credit_ratings (uscc, rating, effective_from, note) VALUES
    ('91110108MAEXAMP03W', 'general', '2024-01-01', 'EXAMPLE'),
    ('91110000MAEXAMP047', 'general', '2024-01-01', 'EXAMPLE'),
    ('91110000MAEXAMP047', 'discredited', '2026-05-01', 'EXAMPLE: rated 失信 from this day');
INSERT INTO cbreturn.import_agents (enterprise_code, agent_uscc, role, name, valid_from, note) VALUES
    ('3101960001', '91310000MAEXAMP05P', 'domestic_agent', 'Example domestic agent, Shanghai', '2024-01-01', 'EXAMPLE');
\echo '    The unified social credit code is a type: its check character is verified on input.'
SELECT u AS uscc, registration_authority(u) AS authority, division_code(u) AS division, organisation_code(u) AS organisation
  FROM (VALUES ('91330100799655058b'::uscc)) AS t(u);
\x on
SELECT * FROM pg_temp.attempt('one character wrong', $$SELECT '91330100799655058C'::cbreturn.uscc$$);
\x off
\echo '    As-of lookups, each with its reason: who may apply, where a cross-customs export return may go,'
\echo '    where a 1210 import return may go, who may apply for an import return.'
SELECT 'R-EX-4' AS rule, applicant::text AS asked, d AS on_date, (v).ok, (v).reason
  FROM (VALUES ('91330100MAEXAMP01Q'::uscc, '2026-05-10'::date), ('91440300MAEXAMP021', '2026-05-10'),
               ('91110108MAEXAMP03W', '2026-05-10')) AS t(applicant, d),
       LATERAL (SELECT applicant_verdict(applicant, d) AS v) AS x
UNION ALL
SELECT 'R-EX-6', site || ' @ ' || office, d, (v).ok, (v).reason
  FROM (VALUES ('SZ-MS-0007', '5316'::customs_code, '2026-05-10'::date), ('CD-PC-0003', '7901', '2026-03-20'),
               ('SZ-MS-0007', '5301', '2026-05-10')) AS t(site, office, d),
       LATERAL (SELECT return_site_verdict(site, office, d) AS v) AS x
UNION ALL
SELECT 'R-IM-5', w, d, (v).ok, (v).reason
  FROM (VALUES ('HZ-RCW-01', '2026-05-10'::date), ('HZ-RCW-02', '2026-04-30'), ('HZ-RCW-02', '2026-05-10')) AS t(w, d),
       LATERAL (SELECT return_warehouse_verdict(w, d, 'Hangzhou Comprehensive Bonded Zone') AS v) AS x
UNION ALL
SELECT 'R-IM-7', a::text || ' for ' || e, d, (v).ok, (v).reason
  FROM (VALUES ('3101960001'::customs_registration_code, '91310000MAEXAMP05P'::uscc, '2026-05-10'::date),
               ('3101960001', '91330100MAEXAMP01Q', '2026-05-10')) AS t(e, a, d),
       LATERAL (SELECT import_applicant_verdict(e, a, d) AS v) AS x;
\echo '    A return the registers refuse, explained: the lapsed exporter, an unauthorised office for the'
\echo '    site, a warehouse whose operator is discredited on the return date (the attachable write-time'
\echo '    checks raise on the same verdicts).'
SELECT step, rule_id, passed, seen
  FROM explain_registers('2026-05-10', '91440300MAEXAMP021', 'SZ-MS-0007', '5301', 'HZ-RCW-02',
                         'Hangzhou Comprehensive Bonded Zone');

\echo '    The write-time checks read the same registers.  An ERP export-return table with the applicant,'
\echo '    the return site and, for 1210 goods, the day they left the special area (R-TX-2):'
CREATE TABLE erp."ExportBack" (
    "RetNo" text PRIMARY KEY, "TradeMode" supervision_code, "ClearDate" date, "LeaveDate" date,
    "Reason" return_reason, "BackDate" date, "DeclPort" customs_code, "BackPort" customs_code,
    "Site" text, "AgentCode" text);
SELECT attach_export_return_checks('erp."ExportBack"', exported_on => 'ClearDate', reason => 'Reason',
    returned_on => 'BackDate', supervision_code => 'TradeMode', export_office => 'DeclPort',
    return_office => 'BackPort', applicant => 'AgentCode', return_site => 'Site',
    left_special_area_on => 'LeaveDate');
INSERT INTO erp."ExportBack" VALUES
    ('B-001', '9610', '2026-03-10', NULL, 'consumer_return', '2026-05-10', '2924', '5316', 'SZ-MS-0007', '91330100MAEXAMP01Q');
\echo '    1210 goods declared on 2025-12-01 that left the zone on 2026-02-20: the return window (R-EX-1)'
\echo '    counts from the export date, as for every code; the departure starts only the tax relief'
\echo '    period (R-TX-2), and a return cannot come before it:'
SELECT bonded_export_return_deadline('2025-12-01', '2026-02-20', 'unsold') AS return_deadline_1210,
       export_return_deadline('2025-12-01', 'unsold') AS deadline_from_export_date;
INSERT INTO erp."ExportBack" VALUES
    ('B-002', '1210', '2025-12-01', '2026-02-20', 'unsold', '2026-05-20', '2924', '2924', NULL, '91330100MAEXAMP01Q');
\x on
SELECT * FROM pg_temp.attempt('applicant whose registration lapsed (R-EX-4)',
    $$INSERT INTO erp."ExportBack" VALUES ('B-003', '9610', '2026-03-10', NULL, 'unsold', '2026-05-10', '5316', '5316', NULL, '91440300MAEXAMP021')$$);
SELECT * FROM pg_temp.attempt('site not authorised at the office of the return (R-EX-6)',
    $$INSERT INTO erp."ExportBack" VALUES ('B-004', '9610', '2026-03-10', NULL, 'unsold', '2026-05-10', '2924', '5301', 'SZ-MS-0007', '91330100MAEXAMP01Q')$$);
SELECT * FROM pg_temp.attempt('1210 return six months after the departure, but after the R-EX-1 deadline',
    $$INSERT INTO erp."ExportBack" VALUES ('B-005', '1210', '2025-12-01', '2026-02-20', 'unsold', '2026-08-15', '2924', '2924', NULL, '91330100MAEXAMP01Q')$$);
\x off
\echo '    And a 1210 import return routed to a return centre whose operator is discredited that day (R-IM-5):'
CREATE TABLE erp."ImportBack" (
    "RetNo" text PRIMARY KEY, "ListType" supervision_code, "Released" date, "Applied" date,
    "Zone" text, "Rcw" text);
SELECT attach_import_return_checks('erp."ImportBack"', released_on => 'Released', applied_on => 'Applied',
    supervision_code => 'ListType', original_place => 'Zone', warehouse => 'Rcw');
INSERT INTO erp."ImportBack" VALUES ('I-001', '1210', '2026-04-28', '2026-04-30', 'Hangzhou Comprehensive Bonded Zone', 'HZ-RCW-02');
\x on
SELECT * FROM pg_temp.attempt('return centre of a discredited operator (R-IM-5)',
    $$INSERT INTO erp."ImportBack" VALUES ('I-002', '1210', '2026-05-02', '2026-05-10', 'Hangzhou Comprehensive Bonded Zone', 'HZ-RCW-02')$$);
\x off
SELECT "RetNo", "TradeMode", "BackDate", "AgentCode" FROM erp."ExportBack" ORDER BY 1;
-- ============================================================================
-- Section: a worked ERP (docs/erp-example.md).  The schema and the sample rows
-- are the files the page and test/sql/47_erp_example.sql read.
-- ============================================================================

\echo
\echo '--- 15. A worked ERP: a Chinese seller''s own schema, wired with no trigger written by hand'
\echo '    Export list header and lines, return requests partitioned by month (China months), pinyin'
\echo '    columns, reasons as 滞销 / 退货 / 品质, status codes XJ SB YS DH CY FX BH, timestamptz times;'
\echo '    the export facts read from the list header (attach_header); a rejected (BH) request'
\echo '    frees its lines' quantity, read from the request in its month's partition.'
\echo '    EXAMPLE DATA: the enterprise, list numbers and goods are made up (docs/erp-example.md).'
\ir ../erp/schema.sql
\ir ../erp/data.sql
SELECT "table", check_kind, columns FROM attached_checks
 WHERE "table"::text IN ('kuajing.tuihuo_dan', 'kuajing.tuihuo_mingxi') ORDER BY 1, 2;
\echo '    Each request in its month; the label read as a reason (R-V-1); empty remarks filled (R-EX-2)'
SELECT tableoid::regclass AS partition, tuihuo_danhao, tuihuo_yuanyin, return_reason(tuihuo_yuanyin) AS reason,
       beizhu, zhuangtai, stage_label((ARRAY['registered', 'declared', 'shipped', 'arrived', 'inspected', 'released',
       'rejected'])[array_position('{XJ,SB,YS,DH,CY,FX,BH}'::text[], zhuangtai::text)]) AS stage
  FROM kuajing.tuihuo_dan ORDER BY tuihuo_danhao;
\echo '    A clerk in UTC releases TH2026080004 at 23:30 Beijing time on its last day (15:30 UTC): on time'
SET TimeZone = 'UTC';
UPDATE kuajing.tuihuo_dan SET zhuangtai = 'FX', fayun_shijian = '2026-08-27 01:00+00',
       daohuo_shijian = '2026-08-31 07:00+00', chayan_shijian = '2026-09-01 02:00+00',
       fangxing_shijian = '2026-09-01 15:30+00'
 WHERE tuihuo_danhao = 'TH2026080004';
\echo '    What the clerk is refused (in Chinese: the session sets cbreturn.language)'
SET cbreturn.language = 'zh_CN.UTF-8';
\x on
SELECT * FROM pg_temp.attempt('released 00:30 Beijing time, a day late (R-EX-1)',
    $$UPDATE kuajing.tuihuo_dan SET zhuangtai = 'FX', fangxing_shijian = '2026-09-01 16:30+00' WHERE tuihuo_danhao = 'TH2026050002'$$);
SELECT * FROM pg_temp.attempt('a label the vocabulary does not know (R-V-1)',
    $$UPDATE kuajing.tuihuo_dan SET tuihuo_yuanyin = '坏了' WHERE tuihuo_danhao = 'TH2026050002'$$);
SELECT * FROM pg_temp.attempt('released back to inspection (rules section 6)',
    $$UPDATE kuajing.tuihuo_dan SET zhuangtai = 'CY' WHERE tuihuo_danhao = 'TH2026040001'$$);
SELECT * FROM pg_temp.attempt('3 more earphones: 11 of 10 (R-EX-3)',
    $$INSERT INTO kuajing.tuihuo_mingxi VALUES ('TH2026080004', '2026-08-25 17:00+08', 2, '29242026E000100001', 1, 3)$$);
SELECT * FROM pg_temp.attempt('the list header corrected to a day earlier: TH2026080004 would be late (CB014)',
    $$UPDATE kuajing.qingdan_biaotou SET chukou_riqi = '2026-02-28 10:00+08' WHERE qingdan_bianhao = '29242026E000100001'$$);
SELECT * FROM pg_temp.attempt('81 coats of 100: 40 are on a rejected request, so 80 fit, 81 do not (R-EX-3, section 6)',
    $$INSERT INTO kuajing.tuihuo_mingxi VALUES ('TH2026070006', '2026-07-01 10:00+08', 2, '29242026E000100003', 1, 81)$$);
SELECT * FROM pg_temp.attempt('a request with lines moved to another month (CB014)',
    $$UPDATE kuajing.tuihuo_dan SET shenqing_shijian = '2026-06-30 10:00+08' WHERE tuihuo_danhao = 'TH2026070006'$$);
\x off
\echo '    Reports as of 2026-09-10: each request, open returns per warehouse, relief per month of release'
SELECT p.tuihuo_danhao AS 退货单号, p.cangku AS 仓库, (p.a).deadline AS 期限, return_status_label((p.a).status) AS 状态,
       (p.a).days_left AS 剩余天数, label(return_reason(d.tuihuo_yuanyin)) AS 退运原因, ((p.a).tax_relief).relieved AS 减免
  FROM kuajing.tuihuo_pinggu('2026-09-10') p JOIN kuajing.tuihuo_dan d USING (tuihuo_danhao)
 ORDER BY p.tuihuo_danhao;
RESET cbreturn.language;
SELECT * FROM kuajing.cangku_weijie('2026-09-10') ORDER BY cangku;
SELECT * FROM kuajing.meiyue_jianmian('2026-09-30') ORDER BY yuefen;
RESET TimeZone;

\echo
\echo '=== end of demo'
