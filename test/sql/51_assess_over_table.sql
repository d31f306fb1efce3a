-- The assessments over a table (issue 12, item 7): assess_export_returns and
-- assess_import_returns give every stored row the answer of the scalar
-- assess_export_return / assess_import_return on the facts the attached check
-- reads (its columns, reason labels, timestamps as China dates, the
-- declaration header, the ordinary-return column).  Each result is compared
-- with the scalar function called through a LATERAL join, both ways.
SET datestyle = 'ISO, YMD';
-- a client in UTC: the China date of an instant is not its UTC date (R-T-1)
SET TimeZone = 'UTC';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

DROP ROLE IF EXISTS cbr_a_owner;
DROP ROLE IF EXISTS cbr_a_reader;
DROP ROLE IF EXISTS cbr_a_clerk;
CREATE ROLE cbr_a_owner;
CREATE ROLE cbr_a_reader;
CREATE ROLE cbr_a_clerk;
CREATE SCHEMA erp51 AUTHORIZATION cbr_a_owner;
GRANT USAGE ON SCHEMA erp51 TO cbr_a_reader, cbr_a_clerk;

SET ROLE cbr_a_owner;
-- ===========================================================================
-- An export check reading labels, a timestamptz, an ordinary-return column
-- and a declaration header
-- ===========================================================================
CREATE TABLE erp51.biaotou (                             -- 出口清单表头
    qd          text PRIMARY KEY,
    fangxing    timestamptz,                             -- release (export date, R-T-1)
    jianguan    varchar(4),                              -- supervision code
    haiguan     varchar(4),                              -- export office
    likai       date);                                   -- 1210: left the special area
CREATE TABLE erp51.tuihuo (                              -- 退货单
    id          text PRIMARY KEY,
    qd          text,
    yuanyin     text,                                    -- reason label (R-V-1)
    riqi        timestamptz,                             -- returned (R-T-1)
    beizhu      text,                                    -- remarks
    th_haiguan  varchar(4),                              -- return office
    putong      boolean,                                 -- an ordinary (taxed) return
    cangku      text);                                   -- warehouse (read by no check)
INSERT INTO erp51.biaotou VALUES
    ('Q1', '2026-03-01 10:00+08', '9610', '5141', NULL),
    ('Q2', '2026-03-01 06:00+08', '9610', '2924', NULL),  -- 02-28 22:00 UTC: the 1st in China
    ('Q3', '2026-03-01 10:00+08', '1210', '5141', '2026-03-20'),
    ('Q4', '2026-03-01 10:00+08', '0110', '5141', NULL),
    ('Q5', NULL, '9610', NULL, NULL);
-- stored before the check (left unvalidated): on time, late, open, remarks
-- only, ordinary, 1210, no header key, a header without date, other office,
-- not back yet
INSERT INTO erp51.tuihuo VALUES
    ('R1', 'Q1', '滞销', '2026-04-01 09:00+08', 'ZXTY', '5141', NULL, 'SZ'),
    ('R2', 'Q1', '退货', '2026-09-02 08:00+08', 'THTY', '5141', NULL, 'SZ'),
    ('R3', 'Q2', '品质', NULL, 'PGTY', NULL, NULL, 'GZ'),
    ('R4', 'Q2', NULL, '2026-09-02 07:00+08', 'ZXTY', '2924', false, 'GZ'),  -- 09-01 23:00 UTC: late
    ('R5', 'Q1', 'unsold', '2026-10-01 10:00+08', 'ZXTY', '5141', true, 'SZ'),
    ('R6', 'Q3', 'ZXTY', '2026-05-01 10:00+08', 'ZXTY', '5141', NULL, 'SZ'),
    ('R7', NULL, '滞销', '2026-05-01 10:00+08', 'ZXTY', '5141', NULL, 'GZ'),
    ('R8', 'Q5', 'THTY', NULL, NULL, NULL, NULL, 'GZ'),
    ('R9', 'Q4', ' 退货退运 ', '2026-04-01 10:00+08', 'THTY', '2924', NULL, 'SZ'),
    ('R11', 'Q1', '滞销', NULL, 'ZXTY', NULL, NULL, 'SZ');                    -- not back yet
SELECT cbreturn.attach_header('erp51.tuihuo', 'erp51.biaotou', key => '{qd}', header_key => '{qd}',
    exported_on => 'fangxing', supervision_code => 'jianguan', export_office => 'haiguan',
    left_special_area_on => 'likai');
SELECT cbreturn.attach_export_return_checks('erp51.tuihuo', exported_on => NULL,
    reason => 'yuanyin', returned_on => 'riqi', remarks => 'beizhu', return_office => 'th_haiguan');
SELECT cbreturn.set_ordinary_return_column('erp51.tuihuo', 'export', 'putong');

-- The same facts by hand: the header joined on its key, the labels and
-- remarks read by return_reason, timestamps by china_date, the ordinary
-- column as the check reads it (NULL: not ordinary).
CREATE VIEW erp51.tuihuo_by_hand AS
SELECT jsonb_build_object('id', t.id) AS row_key, t.ctid AS row_ctid,
       cbreturn.assess_export_return(h.jianguan::cbreturn.supervision_code,
           cbreturn.china_date(h.fangxing),
           coalesce(cbreturn.return_reason(t.yuanyin), cbreturn.return_reason(t.beizhu)),
           cbreturn.china_date(t.riqi), DATE '2026-09-10',
           h.haiguan::cbreturn.customs_code, t.th_haiguan::cbreturn.customs_code,
           left_special_area_on => h.likai, due_soon_days => 7,
           ordinary => coalesce(t.putong, false)) AS assessment
  FROM erp51.tuihuo t LEFT JOIN erp51.biaotou h ON h.qd = t.qd;

-- what the report says, row by row
SELECT row_key->>'id' AS id, (assessment).deadline, (assessment).days_left, (assessment).status,
       (assessment).remark_code, (assessment).cross_customs_allowed AS cross_ok,
       ((assessment).tax_relief).relieved, (assessment).missing
  FROM cbreturn.assess_export_returns('erp51.tuihuo', DATE '2026-09-10') ORDER BY 1;
-- and it is the scalar function's answer on the same facts, both ways
SELECT count(*) AS rows FROM cbreturn.assess_export_returns('erp51.tuihuo', DATE '2026-09-10');
(SELECT * FROM cbreturn.assess_export_returns('erp51.tuihuo', DATE '2026-09-10')
 EXCEPT SELECT * FROM erp51.tuihuo_by_hand)
UNION ALL
(SELECT * FROM erp51.tuihuo_by_hand
 EXCEPT SELECT * FROM cbreturn.assess_export_returns('erp51.tuihuo', DATE '2026-09-10'));
-- the row's ctid is the stored row's
SELECT count(*) AS found FROM cbreturn.assess_export_returns('erp51.tuihuo', DATE '2026-09-10') a
  JOIN erp51.tuihuo t ON t.ctid = a.row_ctid AND t.id = a.row_key->>'id';
-- as_of defaults to today in China; due_soon_days moves due_soon
SELECT count(*) AS same_day FROM cbreturn.assess_export_returns('erp51.tuihuo') a
  JOIN cbreturn.assess_export_returns('erp51.tuihuo', cbreturn.china_date(now())) b USING (row_ctid)
 WHERE a.assessment IS NOT DISTINCT FROM b.assessment;
SELECT row_key->>'id' AS id, (a.assessment).status AS within_7, (b.assessment).status AS within_0
  FROM cbreturn.assess_export_returns('erp51.tuihuo', DATE '2027-02-25') a
  JOIN cbreturn.assess_export_returns('erp51.tuihuo', DATE '2027-02-25', 0) b USING (row_key)
 WHERE row_key->>'id' IN ('R3', 'R4') ORDER BY 1;
-- a report: open returns per warehouse
SELECT t.cangku, count(*) FILTER (WHERE (a.assessment).status IN ('open', 'due_soon', 'overdue')) AS open_returns,
       count(*) FILTER (WHERE (a.assessment).status = 'overdue') AS overdue
  FROM cbreturn.assess_export_returns('erp51.tuihuo', DATE '2026-09-10') a
  JOIN erp51.tuihuo t ON t.ctid = a.row_ctid
 GROUP BY t.cangku ORDER BY 1;

-- a row the check cannot read (stored with the check's trigger disabled) is its error
BEGIN;
ALTER TABLE erp51.tuihuo DISABLE TRIGGER USER;
INSERT INTO erp51.tuihuo VALUES ('R10', 'Q1', '坏了', NULL, NULL, NULL, NULL, 'SZ');
SELECT regress.try($$SELECT * FROM cbreturn.assess_export_returns('erp51.tuihuo', DATE '2026-09-10')$$);
UPDATE erp51.tuihuo SET yuanyin = '滞销', qd = 'Q404' WHERE id = 'R10';
SELECT regress.try($$SELECT * FROM cbreturn.assess_export_returns('erp51.tuihuo', DATE '2026-09-10')$$);
ROLLBACK;

-- ===========================================================================
-- An import check: timestamptz release, timestamp arrival
-- ===========================================================================
CREATE TABLE erp51.jk_tuihuo (
    id          int PRIMARY KEY,
    fangxing    timestamptz,
    shenqing    date,
    daoda       timestamp,
    putong      text);
INSERT INTO erp51.jk_tuihuo VALUES
    (1, '2026-03-01 10:00+08', '2026-03-20', '2026-04-01 10:00', NULL),
    (2, '2026-03-01 10:00+08', '2026-04-10', NULL, NULL),              -- applied late: overdue
    (3, '2026-03-01 10:00+08', NULL, NULL, NULL),                      -- open
    (4, '2026-02-28 23:30+08', '2026-03-30', NULL, NULL),              -- day 30 in China
    (5, '2026-01-01 10:00+08', NULL, NULL, '4561'),                    -- ordinary
    (6, NULL, NULL, NULL, NULL);
SELECT cbreturn.attach_import_return_checks('erp51.jk_tuihuo', released_on => 'fangxing',
    applied_on => 'shenqing', arrived_on => 'daoda');
SELECT cbreturn.set_ordinary_return_column('erp51.jk_tuihuo', 'import', 'putong', '{4561}');
CREATE VIEW erp51.jk_by_hand AS
SELECT jsonb_build_object('id', t.id::text) AS row_key, t.ctid AS row_ctid,
       cbreturn.assess_import_return(cbreturn.china_date(t.fangxing), t.shenqing,
           cbreturn.china_date(t.daoda), DATE '2026-04-20', 7,
           coalesce(t.putong = '4561', false)) AS assessment
  FROM erp51.jk_tuihuo t;
SELECT row_key->>'id' AS id, (assessment).status, (assessment).days_left, (assessment).on_time,
       (assessment).missing
  FROM cbreturn.assess_import_returns('erp51.jk_tuihuo', DATE '2026-04-20') ORDER BY 1;
SELECT count(*) AS rows FROM cbreturn.assess_import_returns('erp51.jk_tuihuo', DATE '2026-04-20');
(SELECT * FROM cbreturn.assess_import_returns('erp51.jk_tuihuo', DATE '2026-04-20')
 EXCEPT SELECT * FROM erp51.jk_by_hand)
UNION ALL
(SELECT * FROM erp51.jk_by_hand
 EXCEPT SELECT * FROM cbreturn.assess_import_returns('erp51.jk_tuihuo', DATE '2026-04-20'));

-- ===========================================================================
-- A partitioned table, its check attached to the parent
-- ===========================================================================
CREATE TABLE erp51.fq (
    id int, month date, exported date, reason text, returned date,
    PRIMARY KEY (id, month)) PARTITION BY RANGE (month);
CREATE TABLE erp51.fq_03 PARTITION OF erp51.fq FOR VALUES FROM ('2026-03-01') TO ('2026-04-01');
CREATE TABLE erp51.fq_04 PARTITION OF erp51.fq FOR VALUES FROM ('2026-04-01') TO ('2026-05-01');
INSERT INTO erp51.fq VALUES
    (1, '2026-03-01', '2026-03-01', '滞销', '2026-04-01'),
    (2, '2026-03-15', '2026-03-01', '品质', NULL),
    (3, '2026-04-01', '2026-01-01', '退货', '2026-07-02'),
    (4, '2026-04-20', '2026-04-01', NULL, NULL);
SELECT cbreturn.attach_export_return_checks('erp51.fq', exported_on => 'exported',
    reason => 'reason', returned_on => 'returned');
CREATE VIEW erp51.fq_by_hand AS
SELECT jsonb_build_object('id', t.id::text, 'month', t.month::text) AS row_key, t.ctid AS row_ctid,
       t.tableoid AS part,
       cbreturn.assess_export_return(NULL, t.exported, cbreturn.return_reason(t.reason), t.returned,
           DATE '2026-06-01') AS assessment
  FROM erp51.fq t;
SELECT row_key, (assessment).status, (assessment).deadline, (assessment).missing
  FROM cbreturn.assess_export_returns('erp51.fq', DATE '2026-06-01') ORDER BY row_key->>'id';
-- the ctid is the row's in its partition: compare with (partition, ctid) by hand
SELECT count(*) AS rows FROM cbreturn.assess_export_returns('erp51.fq', DATE '2026-06-01');
(SELECT row_key, assessment FROM cbreturn.assess_export_returns('erp51.fq', DATE '2026-06-01')
 EXCEPT SELECT row_key, assessment FROM erp51.fq_by_hand)
UNION ALL
(SELECT row_key, assessment FROM erp51.fq_by_hand
 EXCEPT SELECT row_key, assessment FROM cbreturn.assess_export_returns('erp51.fq', DATE '2026-06-01'));
-- one partition alone carries its parent's check
SELECT row_key->>'id' AS id FROM cbreturn.assess_export_returns('erp51.fq_04', DATE '2026-06-01') ORDER BY 1;

-- ===========================================================================
-- Rights: the caller's, with its row security
-- ===========================================================================
CREATE TABLE erp51.no_check (id int PRIMARY KEY, d date);
GRANT SELECT ON erp51.tuihuo, erp51.biaotou, erp51.tuihuo_by_hand TO cbr_a_reader;
GRANT INSERT ON erp51.tuihuo TO cbr_a_clerk;
GRANT SELECT (id) ON erp51.tuihuo TO cbr_a_clerk;
ALTER TABLE erp51.tuihuo ENABLE ROW LEVEL SECURITY;
CREATE POLICY gz_only ON erp51.tuihuo FOR SELECT TO cbr_a_reader USING (cangku = 'GZ');
RESET ROLE;

-- a reader under row security sees its rows only, and the view by hand agrees
SET ROLE cbr_a_reader;
SELECT row_key->>'id' AS id FROM cbreturn.assess_export_returns('erp51.tuihuo', DATE '2026-09-10') ORDER BY 1;
(SELECT * FROM cbreturn.assess_export_returns('erp51.tuihuo', DATE '2026-09-10')
 EXCEPT SELECT * FROM erp51.tuihuo_by_hand WHERE row_key->>'id' IN (SELECT id FROM erp51.tuihuo))
UNION ALL
(SELECT * FROM erp51.tuihuo_by_hand WHERE row_key->>'id' IN (SELECT id FROM erp51.tuihuo)
 EXCEPT SELECT * FROM cbreturn.assess_export_returns('erp51.tuihuo', DATE '2026-09-10'));
RESET ROLE;
-- the header's facts are part of the answer: without SELECT on them, 42501
SET ROLE cbr_a_owner;
REVOKE SELECT ON erp51.biaotou FROM cbr_a_reader;
RESET ROLE;
SET ROLE cbr_a_reader;
SELECT regress.try($$SELECT * FROM cbreturn.assess_export_returns('erp51.tuihuo', DATE '2026-09-10')$$);
RESET ROLE;
-- a role that may not read the columns the check reads: 42501
SET ROLE cbr_a_clerk;
SELECT regress.try($$SELECT * FROM cbreturn.assess_export_returns('erp51.tuihuo')$$);
SELECT regress.try($$SELECT * FROM cbreturn.assess_import_returns('erp51.jk_tuihuo')$$);
RESET ROLE;

-- no check of that kind attached: 55000, naming the attach function
SET ROLE cbr_a_owner;
SELECT regress.try($$SELECT * FROM cbreturn.assess_export_returns('erp51.no_check')$$);
SELECT regress.try($$SELECT * FROM cbreturn.assess_import_returns('erp51.tuihuo')$$);
SELECT regress.try($$SELECT * FROM cbreturn.assess_export_returns('erp51.jk_tuihuo')$$);
SELECT regress.try($$SELECT * FROM cbreturn.assess_export_returns(NULL)$$);
SELECT regress.try($$SELECT * FROM cbreturn.assess_export_returns('erp51.tuihuo_by_hand')$$);
-- bad input of the scalar function is its error: due_soon_days below 0
SELECT regress.try($$SELECT * FROM cbreturn.assess_export_returns('erp51.tuihuo', DATE '2026-09-10', -1)$$);
RESET ROLE;

-- An ordinary return whose reason label names no reason: the check does not
-- read it (accepted, listed by no violations()), and neither does the
-- assessment, which answers ordinary instead of failing with CB013.
CREATE TABLE erp51.ord (id int PRIMARY KEY, trade_mode text, exported date, reason text, returned date);
SELECT cbreturn.attach_export_return_checks('erp51.ord', exported_on => 'exported', reason => 'reason',
    returned_on => 'returned');
SELECT cbreturn.set_ordinary_return_column('erp51.ord', 'export', 'trade_mode', '{4561}');
INSERT INTO erp51.ord VALUES (1, '9610', '2026-03-01', 'unsold', '2026-04-01');
INSERT INTO erp51.ord VALUES (2, '4561', '2025-01-01', '其他', '2026-04-01');
SELECT count(*) AS violations FROM cbreturn.violations('erp51.ord');
SELECT a.row_key, (a.assessment).status FROM cbreturn.assess_export_returns('erp51.ord', DATE '2026-05-01') a
 ORDER BY a.row_key::text;

DROP SCHEMA erp51 CASCADE;
DROP ROLE cbr_a_owner;
DROP ROLE cbr_a_reader;
DROP ROLE cbr_a_clerk;
