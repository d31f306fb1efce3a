-- Write-time enforcement, facts from the declaration header (issue 12, item 2):
-- the export date, supervision code, export office (and for imports the
-- release date) read from the original declaration's header row, found by
-- the return's key, locked, and guarded against corrections.
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

-- ===========================================================================
-- A Chinese seller's ERP: the export list header (出口清单表头) and returns
-- (退货单), pinyin column names, release times as timestamptz, labels.
-- ===========================================================================
CREATE SCHEMA erp44;
-- the SQLSTATE, message, DETAIL and HINT of a statement that fails
CREATE FUNCTION erp44.err(sql text) RETURNS TABLE (state text, message text, detail text, hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    state := 'ok';
    RETURN NEXT;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN NEXT;
END
$$;
GRANT USAGE ON SCHEMA erp44 TO PUBLIC;
CREATE TABLE erp44.chukou_qingdan_biaotou (              -- 出口清单表头
    qingdan_bianhao     text PRIMARY KEY,                  -- 清单编号
    fangxing_shijian    timestamptz,                       -- 放行时间 (the export clearance)
    jianguan_fangshi    varchar(4),                        -- 监管方式
    shenbao_haiguan     varchar(4),                        -- 申报海关
    qiye_mingcheng      text                               -- 企业名称 (read by no check)
);
CREATE TABLE erp44.tuihuo_dan (                          -- 退货单
    tuihuo_bianhao      text PRIMARY KEY,                  -- 退货单编号
    yuan_qingdan_bianhao text,                             -- 原清单编号
    tuihuo_yuanyin      text,                              -- 退货原因 (滞销 / 退货 / 品质)
    tuihuo_riqi         date,                              -- 退货日期
    beizhu              text,                              -- 备注
    tuihuo_haiguan      varchar(4)                         -- 退货海关
);
INSERT INTO erp44.chukou_qingdan_biaotou VALUES
    ('Q1', '2026-03-01 10:00+08', '9610', '5141', '深圳某电商'),
    ('Q2', '2026-02-28 23:30+08', '9610', '2924', '深圳某电商'),   -- 15:30 UTC: still the 28th in China
    ('Q3', '2026-03-01 10:00+08', '1210', '5141', '深圳某电商'),
    ('Q9', '2026-03-01 10:00+08', '9610', '5141', '未被引用');

-- The header first: its key, and the header's column of each role it holds.
SELECT cbreturn.attach_header('erp44.tuihuo_dan', 'erp44.chukou_qingdan_biaotou',
    key => '{yuan_qingdan_bianhao}', header_key => '{qingdan_bianhao}',
    exported_on => 'fangxing_shijian', supervision_code => 'jianguan_fangshi',
    export_office => 'shenbao_haiguan');
-- Then the check, leaving out what the header holds.
SELECT cbreturn.attach_export_return_checks('erp44.tuihuo_dan', exported_on => NULL,
    reason => 'tuihuo_yuanyin', returned_on => 'tuihuo_riqi', remarks => 'beizhu',
    return_office => 'tuihuo_haiguan');
SELECT "table", check_kind, columns, declared_table, trigger_name, enabled
  FROM cbreturn.attached_checks WHERE "table"::text LIKE 'erp44.%' ORDER BY check_kind;
-- the guards on the header table, no WHEN clause on the check (it reads every row's header)
SELECT tgrelid::regclass, tgname, pg_get_triggerdef(oid) LIKE '%WHEN%' AS has_when
  FROM pg_trigger WHERE tgrelid IN ('erp44.tuihuo_dan'::regclass, 'erp44.chukou_qingdan_biaotou'::regclass)
   AND NOT tgisinternal ORDER BY 1, 2;

-- ===========================================================================
-- Returns read their facts from the header row
-- ===========================================================================
-- on time (6 months from the China date of the release: 2026-09-01 is the last day)
INSERT INTO erp44.tuihuo_dan VALUES ('R1', 'Q1', '滞销', '2026-09-01', 'ZXTY', '5141');
-- Q2 was released at 23:30 on 2026-02-28 in Beijing (15:30 UTC): its window ends 2026-08-28
SET TimeZone = 'UTC';
INSERT INTO erp44.tuihuo_dan VALUES ('R2', 'Q2', '退货', '2026-08-28', 'THTY', '2924');
RESET TimeZone;
\x on
-- a day late: CB001, the export date shown is the header's China date
SELECT * FROM erp44.err($$INSERT INTO erp44.tuihuo_dan VALUES ('R3', 'Q2', '退货', '2026-08-29', 'THTY', '2924')$$);
-- through another district under 1210 (only 9610 may cross districts): CB005, the code and
-- the export office from the header
SELECT * FROM erp44.err($$INSERT INTO erp44.tuihuo_dan VALUES ('R4', 'Q3', '品质', '2026-05-01', 'PGTY', '2924')$$);
-- under 9610, from a pilot district: allowed
SELECT * FROM erp44.err($$INSERT INTO erp44.tuihuo_dan VALUES ('R4', 'Q1', '品质', '2026-05-01', 'PGTY', '2924')$$);
-- the key names no header row: CB014
SELECT * FROM erp44.err($$INSERT INTO erp44.tuihuo_dan VALUES ('R5', 'Q404', '滞销', '2026-05-01', 'ZXTY', '5141')$$);
\x off
-- a return that names no header yet: its export facts are not known yet (the
-- remarks are still checked)
INSERT INTO erp44.tuihuo_dan VALUES ('R6', NULL, '滞销', '2026-05-01', 'ZXTY', '5141');
SELECT regress.try($$INSERT INTO erp44.tuihuo_dan VALUES ('R7', NULL, '滞销', '2026-05-01', 'THTY', '5141')$$);
-- UPDATE is checked like INSERT: moving R6 onto a header row reads it
SELECT regress.try($$UPDATE erp44.tuihuo_dan SET yuan_qingdan_bianhao = 'Q2', tuihuo_riqi = '2026-09-20' WHERE tuihuo_bianhao = 'R6'$$);
UPDATE erp44.tuihuo_dan SET yuan_qingdan_bianhao = 'Q1' WHERE tuihuo_bianhao = 'R6';
-- COPY: every row reads its header; one bad row refuses the whole COPY
COPY erp44.tuihuo_dan FROM STDIN;
R10	Q1	滞销	2026-04-01	ZXTY	5141
R11	Q3	品质	2027-02-01	PGTY	5141
R12	Q2	滞销	2026-08-01	ZXTY 首批	2924
\.
SELECT regress.try($$COPY erp44.tuihuo_dan FROM PROGRAM 'printf "R13\tQ1\t滞销\t2026-04-01\tZXTY\t5141\nR14\tQ2\t滞销\t2026-12-01\tZXTY\t2924\n"'$$);
SELECT tuihuo_bianhao FROM erp44.tuihuo_dan ORDER BY 1;

-- ===========================================================================
-- Corrections of the header are checked against its returns
-- ===========================================================================
-- a column no check reads: nothing to check
UPDATE erp44.chukou_qingdan_biaotou SET qiye_mingcheng = '深圳某电商有限公司' WHERE qingdan_bianhao = 'Q1';
-- a correction every return still passes
UPDATE erp44.chukou_qingdan_biaotou SET fangxing_shijian = '2026-03-05 09:00+08' WHERE qingdan_bianhao = 'Q1';
\x on
-- a correction that would make R1 late (its deadline would become 2026-08-20): CB014
SELECT * FROM erp44.err($$UPDATE erp44.chukou_qingdan_biaotou SET fangxing_shijian = '2026-02-20 09:00+08' WHERE qingdan_bianhao = 'Q1'$$);
-- a code that would make R4 a refused cross-customs return: CB014
SELECT * FROM erp44.err($$UPDATE erp44.chukou_qingdan_biaotou SET jianguan_fangshi = '1210' WHERE qingdan_bianhao = 'Q1'$$);
-- a role that may correct the header but not read the returns: the DETAIL names the
-- return's check, not the return's values
CREATE ROLE cbr44_header_clerk;
GRANT SELECT, UPDATE ON erp44.chukou_qingdan_biaotou TO cbr44_header_clerk;
SET ROLE cbr44_header_clerk;
SELECT * FROM erp44.err($$UPDATE erp44.chukou_qingdan_biaotou SET fangxing_shijian = '2026-02-20 09:00+08' WHERE qingdan_bianhao = 'Q1'$$);
RESET ROLE;
REVOKE ALL ON erp44.chukou_qingdan_biaotou FROM cbr44_header_clerk;
DROP ROLE cbr44_header_clerk;
-- a return that already breaks a rule (stored in record mode) is guarded all the same:
-- a correction may not make it break another (R-EX-2 logged; R-EX-1 would be added)
CREATE TABLE erp44.h_rec (qd text PRIMARY KEY, ck date NOT NULL, jg text, gq text);
CREATE TABLE erp44.r_rec (id int PRIMARY KEY, qd text, yy text, bz text, fx date, tg text);
SELECT cbreturn.attach_header('erp44.r_rec', 'erp44.h_rec', key => '{qd}', header_key => '{qd}',
       exported_on => 'ck', supervision_code => 'jg', export_office => 'gq') IS NOT NULL AS header;
SELECT cbreturn.attach_export_return_checks('erp44.r_rec', exported_on => NULL, reason => 'yy',
       returned_on => 'fx', remarks => 'bz', return_office => 'tg') IS NOT NULL AS export;
SELECT cbreturn.set_on_violation('erp44.r_rec', 'export', 'record') IS NOT NULL AS record;
INSERT INTO erp44.h_rec VALUES ('A', '2026-08-31', '9710', '5316');
INSERT INTO erp44.r_rec VALUES (1, 'A', '滞销', 'THTY', '2026-09-15', '5316');
SELECT * FROM erp44.err($$UPDATE erp44.h_rec SET ck = '2025-01-01', gq = '2924' WHERE qd = 'A'$$);
\x off
-- a correction that breaks nothing new goes on; the return still breaks R-EX-2 alone
UPDATE erp44.h_rec SET ck = '2026-08-30' WHERE qd = 'A';
SELECT rule_id, sqlstate FROM cbreturn.violations('erp44.r_rec') ORDER BY 1;
SELECT rule_id FROM cbreturn.violation_log WHERE relation = 'erp44.r_rec'::regclass ORDER BY id;
SELECT cbreturn.detach('erp44.r_rec');
DROP TABLE erp44.r_rec, erp44.h_rec;
\x on
-- deleting or re-keying a row returns name: CB014, as a foreign key would
SELECT * FROM erp44.err($$DELETE FROM erp44.chukou_qingdan_biaotou WHERE qingdan_bianhao = 'Q2'$$);
SELECT * FROM erp44.err($$UPDATE erp44.chukou_qingdan_biaotou SET qingdan_bianhao = 'Q2-1' WHERE qingdan_bianhao = 'Q2'$$);
SELECT * FROM erp44.err($$TRUNCATE erp44.chukou_qingdan_biaotou$$);
\x off
-- a row no return names may go, and be re-keyed
UPDATE erp44.chukou_qingdan_biaotou SET qingdan_bianhao = 'Q9-1' WHERE qingdan_bianhao = 'Q9';
DELETE FROM erp44.chukou_qingdan_biaotou WHERE qingdan_bianhao = 'Q9-1';
-- a correction blocks only what it would break: R30, stored while the check was off,
-- is late with the row as it was and as corrected; R11 (quality, 12 months) passes both
ALTER TABLE erp44.tuihuo_dan DISABLE TRIGGER cbreturn_export_check;
INSERT INTO erp44.tuihuo_dan VALUES ('R30', 'Q3', '品质', '2027-06-01', 'PGTY', '5141');
ALTER TABLE erp44.tuihuo_dan ENABLE TRIGGER cbreturn_export_check;
UPDATE erp44.chukou_qingdan_biaotou SET fangxing_shijian = '2026-03-10 10:00+08' WHERE qingdan_bianhao = 'Q3';
-- and R11 would be late from 2026-01-31 on: refused
SELECT regress.try($$UPDATE erp44.chukou_qingdan_biaotou SET fangxing_shijian = '2026-01-31 10:00+08' WHERE qingdan_bianhao = 'Q3'$$);
SELECT qingdan_bianhao, fangxing_shijian AT TIME ZONE 'Asia/Shanghai' AS beijing, shenbao_haiguan
  FROM erp44.chukou_qingdan_biaotou ORDER BY 1;

-- ===========================================================================
-- Renames follow; the header's columns and the header itself cannot go
-- ===========================================================================
ALTER TABLE erp44.chukou_qingdan_biaotou RENAME COLUMN fangxing_shijian TO fangxing_shijian_bj;
ALTER TABLE erp44.tuihuo_dan RENAME COLUMN yuan_qingdan_bianhao TO yuan_qingdan;
SELECT check_kind, columns FROM cbreturn.attached_checks WHERE "table" = 'erp44.tuihuo_dan'::regclass ORDER BY 1;
SELECT regress.try($$INSERT INTO erp44.tuihuo_dan VALUES ('R20', 'Q2', '退货', '2026-08-29', 'THTY', '2924')$$);
INSERT INTO erp44.tuihuo_dan VALUES ('R21', 'Q2', '退货', '2026-08-28', 'THTY', '2924');
SELECT regress.try('ALTER TABLE erp44.chukou_qingdan_biaotou DROP COLUMN jianguan_fangshi');
SELECT regress.try('ALTER TABLE erp44.chukou_qingdan_biaotou ALTER COLUMN shenbao_haiguan TYPE text');
SELECT regress.try('DROP TABLE erp44.chukou_qingdan_biaotou');
-- the unique key the lookup needs cannot go unnoticed: the next write is refused (42830)
BEGIN;
ALTER TABLE erp44.chukou_qingdan_biaotou DROP CONSTRAINT chukou_qingdan_biaotou_pkey;
SELECT regress.try($$INSERT INTO erp44.tuihuo_dan VALUES ('R22', 'Q1', '滞销', '2026-05-01', 'ZXTY', '5141')$$);
ROLLBACK;

-- ===========================================================================
-- Attach: what is refused
-- ===========================================================================
CREATE TABLE erp44.biaotou_nokey (bianhao text, riqi date);
CREATE TABLE erp44.tuihuo2 (id int PRIMARY KEY, qd text, qd_int int, riqi date, yuanyin text, beizhu text);
-- no unique constraint on the header key (42830), key types differ (42804), counts differ (22023),
-- no role (22023), the same table (22023), a column of a type a role cannot read (42804)
SELECT regress.try($$SELECT cbreturn.attach_header('erp44.tuihuo2', 'erp44.biaotou_nokey', '{qd}', '{bianhao}', exported_on => 'riqi')$$);
SELECT count(*) AS left_behind FROM cbreturn.attached_check WHERE relation = 'erp44.tuihuo2'::regclass;
SELECT regress.try($$SELECT cbreturn.attach_header('erp44.tuihuo2', 'erp44.chukou_qingdan_biaotou', '{qd_int}', '{qingdan_bianhao}', exported_on => 'fangxing_shijian_bj')$$);
SELECT regress.try($$SELECT cbreturn.attach_header('erp44.tuihuo2', 'erp44.chukou_qingdan_biaotou', '{qd,riqi}', '{qingdan_bianhao}', exported_on => 'fangxing_shijian_bj')$$);
SELECT regress.try($$SELECT cbreturn.attach_header('erp44.tuihuo2', 'erp44.chukou_qingdan_biaotou', '{qd}', '{qingdan_bianhao}')$$);
SELECT regress.try($$SELECT cbreturn.attach_header('erp44.tuihuo2', 'erp44.tuihuo2', '{qd}', '{qd}', exported_on => 'riqi')$$);
SELECT regress.try($$SELECT cbreturn.attach_header('erp44.tuihuo2', 'erp44.chukou_qingdan_biaotou', '{qd}', '{qingdan_bianhao}', exported_on => 'qiye_mingcheng')$$);
-- a header after the check (55000): the check would not read it
SELECT cbreturn.attach_export_return_checks('erp44.tuihuo2', exported_on => 'riqi', reason => 'yuanyin', remarks => 'beizhu');
SELECT regress.try($$SELECT cbreturn.attach_header('erp44.tuihuo2', 'erp44.chukou_qingdan_biaotou', '{qd}', '{qingdan_bianhao}', exported_on => 'fangxing_shijian_bj')$$);
SELECT cbreturn.detach('erp44.tuihuo2');
-- a role named both on the header and on the check (22023)
SELECT cbreturn.attach_header('erp44.tuihuo2', 'erp44.chukou_qingdan_biaotou', '{qd}', '{qingdan_bianhao}',
                              exported_on => 'fangxing_shijian_bj');
SELECT regress.try($$SELECT cbreturn.attach_export_return_checks('erp44.tuihuo2', exported_on => 'riqi', reason => 'yuanyin', remarks => 'beizhu')$$);
-- a role the check needs that neither names (22004)
SELECT regress.try($$SELECT cbreturn.attach_import_return_checks('erp44.tuihuo2', released_on => NULL, applied_on => 'riqi')$$);
-- detaching the header while a check reads it (2BP01); detaching everything works
SELECT cbreturn.attach_export_return_checks('erp44.tuihuo2', exported_on => NULL, reason => 'yuanyin', remarks => 'beizhu');
SELECT regress.try($$SELECT cbreturn.detach('erp44.tuihuo2', 'header')$$);
SELECT cbreturn.detach('erp44.tuihuo2');
-- the guard stays while tuihuo_dan still reads the header
SELECT tgname FROM pg_trigger WHERE tgrelid = 'erp44.chukou_qingdan_biaotou'::regclass AND NOT tgisinternal ORDER BY 1;

-- ===========================================================================
-- Import returns: the release date of the import list header (进口清单表头)
-- ===========================================================================
CREATE TABLE erp44.jinkou_qingdan_biaotou (qingdan_hao bigint, xuhao int, fangxing_shijian timestamp,
                                            PRIMARY KEY (qingdan_hao, xuhao));
CREATE TABLE erp44.jinkou_tuihuo (tuihuo_hao text PRIMARY KEY, qingdan_hao bigint, xuhao int,
                                  shenqing_riqi date, daoda_riqi date);
INSERT INTO erp44.jinkou_qingdan_biaotou VALUES (310120260001, 1, '2026-04-01 08:00');
SELECT cbreturn.attach_header('erp44.jinkou_tuihuo', 'erp44.jinkou_qingdan_biaotou',
    key => '{qingdan_hao,xuhao}', header_key => '{qingdan_hao,xuhao}', released_on => 'fangxing_shijian');
SELECT cbreturn.attach_import_return_checks('erp44.jinkou_tuihuo', released_on => NULL,
    applied_on => 'shenqing_riqi', arrived_on => 'daoda_riqi');
INSERT INTO erp44.jinkou_tuihuo VALUES ('J1', 310120260001, 1, '2026-05-01', '2026-05-16');
\x on
SELECT * FROM erp44.err($$INSERT INTO erp44.jinkou_tuihuo VALUES ('J2', 310120260001, 1, '2026-05-02', NULL)$$);
SELECT * FROM erp44.err($$INSERT INTO erp44.jinkou_tuihuo VALUES ('J3', 310120260001, 2, '2026-05-01', NULL)$$);
-- a later release date would put J1's application before the release: refused
SELECT * FROM erp44.err($$UPDATE erp44.jinkou_qingdan_biaotou SET fangxing_shijian = '2026-05-03 08:00'$$);
\x off
-- a later one that J1 still meets goes through
UPDATE erp44.jinkou_qingdan_biaotou SET fangxing_shijian = '2026-04-02 08:00';
SELECT regress.try($$INSERT INTO erp44.jinkou_tuihuo VALUES ('J4', 310120260001, 1, '2026-05-01', NULL)$$);

-- ===========================================================================
-- Rights: attaching needs TRIGGER and SELECT on the header; a writer sees
-- the header's values only if it may read them
-- ===========================================================================
CREATE ROLE cbr44_owner;
CREATE ROLE cbr44_clerk;
CREATE TABLE erp44.tuihuo3 (id int PRIMARY KEY, qd text, yuanyin text, riqi date, beizhu text);
ALTER TABLE erp44.tuihuo3 OWNER TO cbr44_owner;
SET ROLE cbr44_owner;
-- neither TRIGGER nor SELECT on the header (42501)
SELECT regress.try($$SELECT cbreturn.attach_header('erp44.tuihuo3', 'erp44.chukou_qingdan_biaotou', '{qd}', '{qingdan_bianhao}', exported_on => 'fangxing_shijian_bj')$$);
RESET ROLE;
GRANT TRIGGER, SELECT (qingdan_bianhao) ON erp44.chukou_qingdan_biaotou TO cbr44_owner;
SET ROLE cbr44_owner;
-- TRIGGER, and SELECT on the key but not on the date (42501)
SELECT regress.try($$SELECT cbreturn.attach_header('erp44.tuihuo3', 'erp44.chukou_qingdan_biaotou', '{qd}', '{qingdan_bianhao}', exported_on => 'fangxing_shijian_bj')$$);
RESET ROLE;
GRANT SELECT (fangxing_shijian_bj) ON erp44.chukou_qingdan_biaotou TO cbr44_owner;
SET ROLE cbr44_owner;
SELECT cbreturn.attach_header('erp44.tuihuo3', 'erp44.chukou_qingdan_biaotou', '{qd}', '{qingdan_bianhao}',
                              exported_on => 'fangxing_shijian_bj');
SELECT cbreturn.attach_export_return_checks('erp44.tuihuo3', exported_on => NULL, reason => 'yuanyin',
                                            returned_on => 'riqi', remarks => 'beizhu');
GRANT INSERT, SELECT ON erp44.tuihuo3 TO cbr44_clerk;
RESET ROLE;
SET ROLE cbr44_clerk;
-- the clerk may not read the header: the error names the rule, not the header's date
\x on
SELECT * FROM erp44.err($$INSERT INTO erp44.tuihuo3 VALUES (1, 'Q2', '退货', '2026-08-29', 'THTY')$$);
\x off
INSERT INTO erp44.tuihuo3 VALUES (2, 'Q2', '退货', '2026-08-28', 'THTY');
RESET ROLE;
GRANT SELECT (fangxing_shijian_bj) ON erp44.chukou_qingdan_biaotou TO cbr44_clerk;
SET ROLE cbr44_clerk;
SELECT regress.try($$INSERT INTO erp44.tuihuo3 VALUES (3, 'Q2', '退货', '2026-08-29', 'THTY')$$);
RESET ROLE;
-- the owner of the returns table detaches; the guard stays, tuihuo_dan still reads the header
SET ROLE cbr44_owner;
SELECT cbreturn.detach('erp44.tuihuo3');
RESET ROLE;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'erp44.chukou_qingdan_biaotou'::regclass AND NOT tgisinternal ORDER BY 1;

-- ===========================================================================
-- DROP of a returns table: its header's guards go with the last reader
-- ===========================================================================
DROP TABLE erp44.tuihuo_dan, erp44.tuihuo3;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'erp44.chukou_qingdan_biaotou'::regclass AND NOT tgisinternal ORDER BY 1;
SELECT count(*) AS metadata_left FROM cbreturn.attached_check
 WHERE relation::text IN ('erp44.tuihuo_dan', 'erp44.tuihuo3') OR declared_relation = 'erp44.chukou_qingdan_biaotou'::regclass;
TRUNCATE erp44.chukou_qingdan_biaotou;

DROP SCHEMA erp44 CASCADE;
DROP ROLE cbr44_owner;
DROP ROLE cbr44_clerk;

-- A declaration header, or a declared-lines table, another role's returns
-- table reads: its owner cannot drop it (2BP01) nor detach the other table's
-- checks (42501), but DROP ... CASCADE detaches them, as it drops a foreign
-- key, with a NOTICE each; so does ALTER TABLE ... DROP COLUMN ... CASCADE of
-- a column they read.  The other table keeps its rows and its other checks.
CREATE ROLE cbr44_alice;
CREATE ROLE cbr44_mallory;
CREATE SCHEMA a44 AUTHORIZATION cbr44_alice;
CREATE SCHEMA m44 AUTHORIZATION cbr44_mallory;
GRANT USAGE ON SCHEMA a44 TO cbr44_mallory;
SET ROLE cbr44_alice;
CREATE TABLE a44.hdr (decl_no text PRIMARY KEY, exported date NOT NULL);
CREATE TABLE a44.hdr2 (decl_no text PRIMARY KEY, released date);
CREATE TABLE a44.decl (decl_no text PRIMARY KEY, qty int NOT NULL);
INSERT INTO a44.hdr VALUES ('D1', '2026-03-01');
INSERT INTO a44.hdr2 VALUES ('D1', '2026-03-01');
INSERT INTO a44.decl VALUES ('D1', 10);
GRANT SELECT, TRIGGER ON a44.hdr, a44.hdr2 TO cbr44_mallory;
SET ROLE cbr44_mallory;
CREATE TABLE m44.r (id int PRIMARY KEY, decl_no text, reason cbreturn.return_reason, returned date, qty int);
SELECT cbreturn.attach_header('m44.r', 'a44.hdr', '{decl_no}', '{decl_no}', exported_on => 'exported');
SELECT cbreturn.attach_export_return_checks('m44.r', exported_on => NULL, reason => 'reason', returned_on => 'returned');
CREATE TABLE m44.i (id int PRIMARY KEY, decl_no text, applied date);
SELECT cbreturn.attach_header('m44.i', 'a44.hdr2', '{decl_no}', '{decl_no}', released_on => 'released');
SELECT cbreturn.attach_import_return_checks('m44.i', released_on => NULL, applied_on => 'applied');
RESET ROLE;
-- (a quantity check across owners: attached by a superuser)
SELECT cbreturn.attach_quantity_check('m44.r', '{decl_no}', 'qty', 'a44.decl', '{decl_no}', 'qty');
SET ROLE cbr44_mallory;
INSERT INTO m44.r VALUES (1, 'D1', 'unsold', '2026-04-01', 4);
SET ROLE cbr44_alice;
REVOKE ALL ON a44.hdr, a44.hdr2 FROM cbr44_mallory;
SELECT regress.try($$DROP TABLE a44.hdr$$);
SELECT regress.try($$SELECT cbreturn.detach('m44.r', 'header')$$);
SELECT regress.try($$ALTER TABLE a44.hdr2 DROP COLUMN released$$);
SET client_min_messages = notice;
DROP TABLE a44.hdr CASCADE;
DROP TABLE a44.decl CASCADE;
ALTER TABLE a44.hdr2 DROP COLUMN released CASCADE;
RESET client_min_messages;
RESET ROLE;
SELECT "table", check_kind FROM cbreturn.attached_checks WHERE "table"::text LIKE 'm44.%' ORDER BY 1, 2;
SELECT tgrelid::regclass AS "table", tgname FROM pg_trigger
 WHERE tgrelid IN ('m44.r'::regclass, 'm44.i'::regclass) AND NOT tgisinternal ORDER BY 1, 2;
SELECT count(*) AS rows_kept, count(*) FILTER (WHERE qty = 4) AS unchanged FROM m44.r;
SELECT count(*) AS ledger_rows FROM cbreturn.quantity_ledger l
 WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = l.declared_relation);
DROP SCHEMA m44 CASCADE;
DROP SCHEMA a44 CASCADE;
DROP ROLE cbr44_alice;
DROP ROLE cbr44_mallory;

-- A quantity check detached by CASCADE: the declared line's ledger no longer
-- counts that table's returns (another returns table of the line is not
-- refused for them), and with no check left the guards and ledger go.
CREATE SCHEMA c44;
CREATE TABLE c44.d (k text PRIMARY KEY, dq int NOT NULL);
INSERT INTO c44.d VALUES ('x', 10);
CREATE TABLE c44.r1 (id int, k text, q int);
CREATE TABLE c44.r2 (id int, k text, q int);
SELECT cbreturn.attach_quantity_check('c44.r1', '{k}', 'q', 'c44.d', '{k}', 'dq');
SELECT cbreturn.attach_quantity_check('c44.r2', '{k}', 'q', 'c44.d', '{k}', 'dq');
INSERT INTO c44.r1 VALUES (1, 'x', 8);
ALTER TABLE c44.r1 DROP COLUMN q CASCADE;
SELECT regress.try($$INSERT INTO c44.r2 VALUES (1, 'x', 5)$$);
SELECT count(*) AS ledger_problems FROM cbreturn.verify_quantity_ledger('c44.d');
ALTER TABLE c44.d DROP COLUMN dq CASCADE;
SELECT count(*) AS checks_left FROM cbreturn.attached_checks WHERE "table"::text LIKE 'c44.%';
SELECT count(*) AS guards_left FROM pg_trigger WHERE tgrelid = 'c44.d'::regclass AND NOT tgisinternal;
SELECT count(*) AS ledger_rows FROM cbreturn.quantity_ledger WHERE declared_relation = 'c44.d'::regclass;
SELECT regress.try($$TRUNCATE c44.d$$);
-- CASCADE is the command's own: an earlier CASCADE in the same statement (a
-- DO block) does not make a later drop without it detach; and an ALTER TABLE
-- detaches only when its DROP COLUMN says CASCADE, not another subcommand.
CREATE TABLE c44.h (decl_no text PRIMARY KEY, exported date NOT NULL);
CREATE TYPE c44.ht AS (decl_no text, exported date);
CREATE TABLE c44.th OF c44.ht (PRIMARY KEY (decl_no));
CREATE TABLE c44.junk (a int);
CREATE TABLE c44.r (id int PRIMARY KEY, decl_no text, reason cbreturn.return_reason, returned date);
CREATE TABLE c44.r3 (id int PRIMARY KEY, decl_no text, reason cbreturn.return_reason, returned date);
SELECT cbreturn.attach_header('c44.r', 'c44.h', '{decl_no}', '{decl_no}', exported_on => 'exported');
SELECT cbreturn.attach_export_return_checks('c44.r', exported_on => NULL, reason => 'reason', returned_on => 'returned');
SELECT cbreturn.attach_header('c44.r3', 'c44.th', '{decl_no}', '{decl_no}', exported_on => 'exported');
SELECT cbreturn.attach_export_return_checks('c44.r3', exported_on => NULL, reason => 'reason', returned_on => 'returned');
SELECT regress.try($x$DO $d$ BEGIN DROP TABLE c44.junk CASCADE; DROP TABLE c44.h; END $d$$x$);
SELECT regress.try($$ALTER TABLE c44.h DROP COLUMN exported, DROP CONSTRAINT IF EXISTS no_such CASCADE$$);
SELECT "table", check_kind FROM cbreturn.attached_checks WHERE "table"::text LIKE 'c44.%' ORDER BY 1, 2;
-- DROP TYPE ... CASCADE of a typed header table detaches its readers
SET client_min_messages = notice;
DROP TYPE c44.ht CASCADE;
RESET client_min_messages;
SELECT "table", check_kind FROM cbreturn.attached_checks WHERE "table"::text LIKE 'c44.%' ORDER BY 1, 2;
-- ALTER TYPE of the type of a typed header table is followed as ALTER TABLE
-- is: a new attribute type refused, a rename followed, and DROP ATTRIBUTE ...
-- CASCADE detaches the checks that read it (they were left unwritable, 55000).
CREATE TYPE c44.ht2 AS (decl_no text, exported date);
CREATE TABLE c44.th2 OF c44.ht2 (PRIMARY KEY (decl_no));
CREATE TABLE c44.r4 (id int PRIMARY KEY, decl_no text, reason cbreturn.return_reason, returned date);
SELECT cbreturn.attach_header('c44.r4', 'c44.th2', '{decl_no}', '{decl_no}', exported_on => 'exported');
SELECT cbreturn.attach_export_return_checks('c44.r4', exported_on => NULL, reason => 'reason', returned_on => 'returned');
-- (PostgreSQL itself wants CASCADE to alter the type of a typed table)
SELECT regress.try($$ALTER TYPE c44.ht2 ALTER ATTRIBUTE exported TYPE text CASCADE$$);
ALTER TYPE c44.ht2 RENAME ATTRIBUTE exported TO cleared CASCADE;
SELECT columns->>'exported_on' AS header_column FROM cbreturn.attached_checks
 WHERE "table" = 'c44.r4'::regclass AND check_kind = 'header';
SET client_min_messages = notice;
ALTER TYPE c44.ht2 DROP ATTRIBUTE cleared CASCADE;
RESET client_min_messages;
SELECT count(*) AS r4_checks FROM cbreturn.attached_checks WHERE "table" = 'c44.r4'::regclass;

-- A column dropped by another object's CASCADE (the function of a generated
-- column, the type of a column): the checks that read it are detached, as by
-- ALTER TABLE ... DROP COLUMN ... CASCADE (they were left listed, with the
-- trigger gone, and rows were written unchecked).
CREATE FUNCTION c44.todate(text) RETURNS date IMMUTABLE LANGUAGE sql AS $$ SELECT $1::date $$;
CREATE TABLE c44.g (id int PRIMARY KEY, exp_txt text, exported date GENERATED ALWAYS AS (c44.todate(exp_txt)) STORED,
                    reason cbreturn.return_reason, returned date, remarks text);
SELECT cbreturn.attach_export_return_checks('c44.g', exported_on => 'exported', reason => 'reason',
                                            returned_on => 'returned', remarks => 'remarks');
SET client_min_messages = notice;
DROP FUNCTION c44.todate(text) CASCADE;
RESET client_min_messages;
SELECT count(*) AS g_checks FROM cbreturn.attached_checks WHERE "table" = 'c44.g'::regclass;
-- a header link and the guards it put on the header go when the link's own key column goes
CREATE TABLE c44.h5 (decl_no text PRIMARY KEY, exported date NOT NULL);
CREATE TABLE c44.r5 (id int PRIMARY KEY, decl_no text, reason cbreturn.return_reason, returned date);
SELECT cbreturn.attach_header('c44.r5', 'c44.h5', '{decl_no}', '{decl_no}', exported_on => 'exported');
ALTER TABLE c44.r5 DROP COLUMN decl_no CASCADE;
SELECT count(*) AS h5_guards FROM pg_trigger WHERE tgrelid = 'c44.h5'::regclass AND NOT tgisinternal;
-- two headers whose status two returns tables of one declared table read,
-- dropped by one DROP SCHEMA ... CASCADE: every check goes, with the ledger
CREATE SCHEMA c44h;
CREATE TABLE c44.qd (entry text PRIMARY KEY, qty int NOT NULL);
INSERT INTO c44.qd VALUES ('D1', 10);
CREATE TABLE c44h.h1 (req text PRIMARY KEY, st text);
CREATE TABLE c44h.h2 (req text PRIMARY KEY, st text);
CREATE TABLE c44.q1 (id int PRIMARY KEY, req text, entry text, qty int);
CREATE TABLE c44.q2 (id int PRIMARY KEY, req text, entry text, qty int);
SELECT cbreturn.attach_header('c44.q1', 'c44h.h1', '{req}', '{req}', status => 'st');
SELECT cbreturn.attach_header('c44.q2', 'c44h.h2', '{req}', '{req}', status => 'st');
SELECT cbreturn.attach_quantity_check('c44.q1', '{entry}', 'qty', 'c44.qd', '{entry}', 'qty', freeing_labels => '{BH}');
SELECT cbreturn.attach_quantity_check('c44.q2', '{entry}', 'qty', 'c44.qd', '{entry}', 'qty', freeing_labels => '{BH}');
INSERT INTO c44.q1 VALUES (1, NULL, 'D1', 3);
SELECT regress.try($$DROP SCHEMA c44h CASCADE$$);
SELECT count(*) AS q_checks FROM cbreturn.attached_checks WHERE "table" IN ('c44.q1'::regclass, 'c44.q2'::regclass);
SELECT count(*) AS ledger_rows FROM cbreturn.quantity_ledger WHERE declared_relation = 'c44.qd'::regclass;

-- A code the header holds that is no code: the return's row in DETAIL.
CREATE TABLE c44.hc (decl_no text PRIMARY KEY, exported date NOT NULL, code text, office text);
INSERT INTO c44.hc VALUES ('D1', '2026-03-01', '96X0', '2924');
CREATE TABLE c44.rc (id int PRIMARY KEY, decl_no text, reason cbreturn.return_reason, returned date, ret_office text);
SELECT cbreturn.attach_header('c44.rc', 'c44.hc', '{decl_no}', '{decl_no}', exported_on => 'exported',
                              supervision_code => 'code', export_office => 'office');
SELECT cbreturn.attach_export_return_checks('c44.rc', exported_on => NULL, reason => 'reason',
                                            returned_on => 'returned', return_office => 'ret_office');
\set VERBOSITY default
INSERT INTO c44.rc VALUES (1, 'D1', 'unsold', '2026-04-01', '2924');
DROP SCHEMA c44 CASCADE;

-- DROP FUNCTION ... CASCADE of a table access method's handler takes the
-- method and the declared table stored with it: with CASCADE the quantity
-- check is detached (as by DROP ACCESS METHOD ... CASCADE), not refused 2BP01.
\set VERBOSITY terse
CREATE SCHEMA c44f;
CREATE FUNCTION c44f.h(internal) RETURNS table_am_handler AS 'heap_tableam_handler' LANGUAGE internal;
CREATE ACCESS METHOD c44f_heap TYPE TABLE HANDLER c44f.h;
CREATE TABLE c44f.d (entry text PRIMARY KEY, qty int NOT NULL) USING c44f_heap;
INSERT INTO c44f.d VALUES ('D1', 10);
CREATE TABLE c44f.r (id int, entry text, qty int);
SELECT cbreturn.attach_quantity_check('c44f.r', '{entry}', 'qty', 'c44f.d', '{entry}', 'qty');
DROP FUNCTION c44f.h(internal) CASCADE;
SELECT count(*) AS checks_left FROM cbreturn.attached_checks WHERE "table" = 'c44f.r'::regclass;
DROP SCHEMA c44f CASCADE;

-- ALTER COLUMN ... TYPE ... USING rewrites a header's rows without its
-- guard: a request status a quantity check reads (a rejected request
-- reopened: 6 + 9 of 10), a header key under returns, a fact rounded by a
-- shorter timestamp.  Refused (CB014) on every column of a header link,
-- of a partitioned header too; a varchar length change is not.
CREATE SCHEMA c44w;
CREATE TABLE c44w.d (entry text PRIMARY KEY, qty int NOT NULL);
INSERT INTO c44w.d VALUES ('D1', 10);
CREATE TABLE c44w.req (req text PRIMARY KEY, st varchar(4));
INSERT INTO c44w.req VALUES ('SQ1', 'SB'), ('SQ3', 'BH');
CREATE TABLE c44w.q (id int PRIMARY KEY, req text, entry text, qty int);
INSERT INTO c44w.q VALUES (1, 'SQ1', 'D1', 6), (2, 'SQ3', 'D1', 9);
SELECT cbreturn.attach_header('c44w.q', 'c44w.req', '{req}', '{req}', status => 'st');
SELECT cbreturn.attach_quantity_check('c44w.q', '{entry}', 'qty', 'c44w.d', '{entry}', 'qty', freeing_labels => '{BH}');
SELECT regress.try($$ALTER TABLE c44w.req ALTER COLUMN st TYPE varchar(4) USING (CASE st WHEN 'BH' THEN 'SB' ELSE st END)$$);
SELECT regress.try($$ALTER TABLE c44w.req ALTER COLUMN req TYPE text USING req || 'x'$$);
SELECT regress.try($$ALTER TABLE c44w.q ALTER COLUMN req TYPE text USING lower(req)$$);
-- a collation that compares otherwise (case-insensitive) changes which
-- returns name a row; another deterministic one does not
CREATE COLLATION c44w.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
SELECT regress.try($$ALTER TABLE c44w.req ALTER COLUMN req TYPE text COLLATE c44w.ci$$);
ALTER TABLE c44w.req ALTER COLUMN req TYPE text COLLATE "C";
SELECT * FROM c44w.req ORDER BY 1;
SELECT count(*) AS ledger_differences FROM cbreturn.verify_quantity_ledger('c44w.d');
-- a longer varchar keeps every value; a shorter one drops trailing blanks
ALTER TABLE c44w.req ALTER COLUMN st TYPE varchar(8);
SELECT regress.try($$ALTER TABLE c44w.req ALTER COLUMN st TYPE varchar(4)$$);
SELECT format_type(atttypid, atttypmod) AS st_type FROM pg_attribute
 WHERE attrelid = 'c44w.req'::regclass AND attname = 'st';
-- a column no link reads is the owner's to rewrite
ALTER TABLE c44w.q ALTER COLUMN id TYPE int USING id + 10;
CREATE TABLE c44w.h (decl_no text, exported timestamp(3) NOT NULL, PRIMARY KEY (decl_no))
    PARTITION BY LIST (decl_no);
CREATE TABLE c44w.h1 PARTITION OF c44w.h FOR VALUES IN ('D1');
INSERT INTO c44w.h VALUES ('D1', '2026-03-01 23:59:59.6');
CREATE TABLE c44w.r (id int PRIMARY KEY, decl_no text, reason cbreturn.return_reason, returned date);
SELECT cbreturn.attach_header('c44w.r', 'c44w.h', '{decl_no}', '{decl_no}', exported_on => 'exported');
SELECT regress.try($$ALTER TABLE c44w.h ALTER COLUMN exported TYPE timestamp(0)$$);
SELECT regress.try($$ALTER TABLE c44w.h ALTER COLUMN exported TYPE timestamp(3) USING exported - interval '1 year'$$);
-- a longer precision keeps every value (no precision is 6)
ALTER TABLE c44w.h ALTER COLUMN exported TYPE timestamp;
ALTER TABLE c44w.h ALTER COLUMN exported TYPE timestamp(6);
SELECT exported, format_type(atttypid, atttypmod) AS exported_type
  FROM c44w.h1, pg_attribute WHERE attrelid = 'c44w.h1'::regclass AND attname = 'exported';

-- ALTER TYPE ... RENAME VALUE of the enum of a request status relabels
-- every row with no row trigger: the freeing labels follow the rename (the
-- rejected request stays rejected), and the ledger is counted again.
CREATE TYPE c44w.st AS ENUM ('SB', 'BH');
CREATE TABLE c44w.req2 (req text PRIMARY KEY, st c44w.st);
INSERT INTO c44w.req2 VALUES ('SQ1', 'SB'), ('SQ3', 'BH');
CREATE TABLE c44w.q2 (id int PRIMARY KEY, req text, entry text, qty int);
INSERT INTO c44w.q2 VALUES (1, 'SQ1', 'D1', 2), (2, 'SQ3', 'D1', 9);
SELECT cbreturn.attach_header('c44w.q2', 'c44w.req2', '{req}', '{req}', status => 'st');
SELECT cbreturn.attach_quantity_check('c44w.q2', '{entry}', 'qty', 'c44w.d', '{entry}', 'qty', freeing_labels => '{BH}');
ALTER TYPE c44w.st RENAME VALUE 'BH' TO 'BX';
SELECT freeing_labels FROM cbreturn.attached_checks WHERE "table" = 'c44w.q2'::regclass AND check_kind = 'quantity';
SELECT count(*) AS ledger_differences FROM cbreturn.verify_quantity_ledger('c44w.d');
SELECT regress.try($$INSERT INTO c44w.q2 VALUES (3, 'SQ1', 'D1', 3)$$);
-- a returns table's own enum status follows too; a status is compared
-- without trailing blanks, so is the label that follows it
CREATE TYPE c44w.st2 AS ENUM ('s1', 's2', 's3', 's4', 's5', 's6', 'rej', 'wd');
CREATE TABLE c44w.q3 (id int PRIMARY KEY, entry text, qty int, st c44w.st2);
INSERT INTO c44w.q3 VALUES (1, 'D1', 5, 'rej'), (2, 'D1', 1, 's1');
SELECT cbreturn.attach_quantity_check('c44w.q3', '{entry}', 'qty', 'c44w.d', '{entry}', 'qty',
                                      status => 'st', freeing_labels => '{rej,wd,gone}');
ALTER TYPE c44w.st2 RENAME VALUE 'rej' TO 'rejected ';
SELECT freeing_labels FROM cbreturn.attached_checks WHERE "table" = 'c44w.q3'::regclass AND check_kind = 'quantity';
SELECT count(*) AS ledger_differences FROM cbreturn.verify_quantity_ledger('c44w.d');
-- a new label the check holds already would give the rows of the old one
-- its meaning (s1 read as freeing, its quantity given back): refused
SELECT regress.try($$ALTER TYPE c44w.st2 RENAME VALUE 's1' TO 'gone'$$);
SELECT sum(returned) AS returned FROM cbreturn.quantity_ledger WHERE declared_relation = 'c44w.d'::regclass;
DROP SCHEMA c44w CASCADE;

-- A header partition stored with an access method of its own goes with
-- DROP ACCESS METHOD ... CASCADE or DROP FUNCTION of its handler ...
-- CASCADE, which never name it: refused (CB014) while returns name its
-- rows, as DROP TABLE of it is; dropped once no return does.
CREATE SCHEMA c44p;
CREATE FUNCTION c44p.h(internal) RETURNS table_am_handler AS 'heap_tableam_handler' LANGUAGE internal;
CREATE ACCESS METHOD c44p_heap TYPE TABLE HANDLER c44p.h;
CREATE TABLE c44p.hdr (decl_no text, exported date NOT NULL, PRIMARY KEY (decl_no)) PARTITION BY LIST (decl_no);
CREATE TABLE c44p.hdr_a PARTITION OF c44p.hdr FOR VALUES IN ('D1');
CREATE TABLE c44p.hdr_b PARTITION OF c44p.hdr FOR VALUES IN ('D2') USING c44p_heap;
INSERT INTO c44p.hdr VALUES ('D1', '2026-03-01'), ('D2', '2026-03-02');
CREATE TABLE c44p.r (id int PRIMARY KEY, decl_no text, reason cbreturn.return_reason, returned date);
INSERT INTO c44p.r VALUES (1, 'D1', 'unsold', '2026-04-01'), (2, 'D2', 'unsold', '2026-04-01'),
                          (3, NULL, 'unsold', '2026-04-01');
SELECT cbreturn.attach_header('c44p.r', 'c44p.hdr', '{decl_no}', '{decl_no}', exported_on => 'exported');
SELECT regress.try($$DROP ACCESS METHOD c44p_heap CASCADE$$);
SELECT regress.try($$DROP FUNCTION c44p.h(internal) CASCADE$$);
SELECT decl_no FROM c44p.hdr ORDER BY 1;
-- the same through a schema, or an owner, that holds the method's handler
CREATE ROLE c44p_amowner;
CREATE SCHEMA c44x AUTHORIZATION c44p_amowner;
CREATE FUNCTION c44x.h(internal) RETURNS table_am_handler AS 'heap_tableam_handler' LANGUAGE internal;
ALTER FUNCTION c44x.h(internal) OWNER TO c44p_amowner;
CREATE ACCESS METHOD c44x_heap TYPE TABLE HANDLER c44x.h;
CREATE TABLE c44p.hdr_c PARTITION OF c44p.hdr FOR VALUES IN ('D3') USING c44x_heap;
INSERT INTO c44p.hdr VALUES ('D3', '2026-03-03');
INSERT INTO c44p.r VALUES (4, 'D3', 'unsold', '2026-04-01');
SELECT regress.try($$DROP SCHEMA c44x CASCADE$$);
SELECT regress.try($$DROP OWNED BY c44p_amowner CASCADE$$);
-- two drops in one statement string, a nested one first
SELECT regress.try($$DO 'BEGIN EXECUTE ''DROP FUNCTION IF EXISTS c44p.nothing() CASCADE''; EXECUTE ''DROP SCHEMA c44x CASCADE''; END'$$);
SELECT decl_no FROM c44p.hdr ORDER BY 1;
DELETE FROM c44p.r WHERE id = 4;
DROP OWNED BY c44p_amowner CASCADE;
DROP ROLE c44p_amowner;
DELETE FROM c44p.r WHERE id = 2;
DROP ACCESS METHOD c44p_heap CASCADE;
SELECT decl_no FROM c44p.hdr ORDER BY 1;
SELECT count(*) AS links FROM cbreturn.attached_checks WHERE "table" = 'c44p.r'::regclass;
DROP SCHEMA c44p CASCADE;

-- violations() shows which returns break a rule, and that follows from the
-- header's facts: a role that may read the returns but not the header gets
-- no answer (42501), as the assessments refuse one.
CREATE SCHEMA c44v;
CREATE TABLE c44v.h (decl_no text PRIMARY KEY, exported date NOT NULL);
INSERT INTO c44v.h VALUES ('D1', '2025-01-01'), ('D2', '2026-03-01');
CREATE TABLE c44v.r (id int PRIMARY KEY, decl_no text, reason cbreturn.return_reason, returned date);
INSERT INTO c44v.r VALUES (1, 'D1', 'unsold', '2026-04-01'), (2, 'D2', 'unsold', '2026-04-01');
SELECT cbreturn.attach_header('c44v.r', 'c44v.h', '{decl_no}', '{decl_no}', exported_on => 'exported');
SELECT cbreturn.attach_export_return_checks('c44v.r', exported_on => NULL, reason => 'reason',
                                            returned_on => 'returned', validate => false);
-- the answer is in the language of cbreturn's messages, as its errors are
SET cbreturn.language = 'zh_CN.UTF-8';
SELECT cbreturn.detach('c44v.r', 'export');
SELECT cbreturn.attach_export_return_checks('c44v.r', exported_on => NULL, reason => 'reason',
                                            returned_on => 'returned', validate => false);
RESET cbreturn.language;
CREATE ROLE c44v_reader;
GRANT USAGE ON SCHEMA c44v TO c44v_reader;
GRANT SELECT ON c44v.r TO c44v_reader;
SET ROLE c44v_reader;
SELECT regress.try($$SELECT count(*) FROM cbreturn.violations('c44v.r')$$);
RESET ROLE;
GRANT SELECT (decl_no, exported) ON c44v.h TO c44v_reader;
SET ROLE c44v_reader;
SELECT (row_key->>'id')::int AS id, rule_id FROM cbreturn.violations('c44v.r') ORDER BY 1;
RESET ROLE;
DROP SCHEMA c44v CASCADE;
DROP ROLE c44v_reader;

-- Header keys of a domain compare as its base type (the guards' SQL finds
-- the base type's equality); a key with no equality is refused at attach.
CREATE SCHEMA c44k;
CREATE DOMAIN c44k.list_no AS varchar(18) CHECK (VALUE ~ '^[0-9]{18}$');
CREATE TABLE c44k.h (no c44k.list_no PRIMARY KEY, exported date NOT NULL);
INSERT INTO c44k.h VALUES ('292420260000000001', '2026-03-01');
CREATE TABLE c44k.r (id int PRIMARY KEY, no c44k.list_no, reason cbreturn.return_reason, returned date);
INSERT INTO c44k.r VALUES (1, '292420260000000001', 'unsold', '2026-04-01');
SELECT cbreturn.attach_header('c44k.r', 'c44k.h', '{no}', '{no}', exported_on => 'exported');
SELECT regress.try($$TRUNCATE c44k.h$$);
SELECT regress.try($$DELETE FROM c44k.h$$);
CREATE TABLE c44k.d (no c44k.list_no, line int, qty int NOT NULL, PRIMARY KEY (no, line));
INSERT INTO c44k.d VALUES ('292420260000000001', 1, 5);
CREATE TABLE c44k.q (id int PRIMARY KEY, no c44k.list_no, line int, qty int);
SELECT cbreturn.attach_quantity_check('c44k.q', '{no,line}', 'qty', 'c44k.d', '{no,line}', 'qty');
INSERT INTO c44k.q VALUES (1, '292420260000000001', 1, 4);
SELECT regress.try($$INSERT INTO c44k.q VALUES (2, '292420260000000001', 1, 2)$$);
SELECT count(*) AS ledger_differences FROM cbreturn.verify_quantity_ledger('c44k.d');
-- a numeric key: a longer precision keeps its values; a smaller or negative
-- scale rounds them (the scale is a signed field of the modifier)
CREATE TABLE c44k.nh (k numeric(10,2) PRIMARY KEY, exported date);
CREATE TABLE c44k.nr (id int PRIMARY KEY, k numeric(10,2));
SELECT cbreturn.attach_header('c44k.nr', 'c44k.nh', '{k}', '{k}', exported_on => 'exported');
ALTER TABLE c44k.nh ALTER COLUMN k TYPE numeric(12,3);
SELECT regress.try($$ALTER TABLE c44k.nh ALTER COLUMN k TYPE numeric(12,1)$$);
CREATE TABLE c44k.nh2 (k numeric(1,60) PRIMARY KEY, exported date);
CREATE TABLE c44k.nr2 (id int PRIMARY KEY, k numeric(1,60));
SELECT cbreturn.attach_header('c44k.nr2', 'c44k.nh2', '{k}', '{k}', exported_on => 'exported');
SELECT regress.try($$ALTER TABLE c44k.nh2 ALTER COLUMN k TYPE numeric(1000,-1000)$$);
SELECT format_type(atttypid, atttypmod) AS k_type FROM pg_attribute WHERE attrelid = 'c44k.nh'::regclass AND attname = 'k';
CREATE TABLE c44k.ah (k int[] PRIMARY KEY, exported date);
CREATE TABLE c44k.ar (id int PRIMARY KEY, k int[]);
SELECT regress.try($$SELECT cbreturn.attach_header('c44k.ar', 'c44k.ah', '{k}', '{k}', exported_on => 'exported')$$);
DROP SCHEMA c44k CASCADE;

-- An enum rename follows into the labels of the checks whose own column has
-- the enum only: a status check on a text column of the same table, and the
-- quantity check freeing by it, keep theirs.
CREATE SCHEMA c44e;
CREATE TYPE c44e.req_status AS ENUM ('open', 'rejected');
CREATE TABLE c44e.req (req text PRIMARY KEY, st c44e.req_status);
INSERT INTO c44e.req VALUES ('R1', 'open');
CREATE TABLE c44e.d (entry text PRIMARY KEY, qty int NOT NULL);
INSERT INTO c44e.d VALUES ('D1', 2);
CREATE TABLE c44e.r (id int PRIMARY KEY, req text, entry text, qty int, st text, t1 timestamptz, t7 timestamptz);
SELECT cbreturn.attach_header('c44e.r', 'c44e.req', '{req}', '{req}', status => 'st');
SELECT cbreturn.attach_status_check('c44e.r', status => 'st', registered_at => 't1', rejected_at => 't7',
    labels => '{registered,declared,shipped,arrived,inspected,released,rejected}');
SELECT cbreturn.attach_quantity_check('c44e.r', '{entry}', 'qty', 'c44e.d', '{entry}', 'qty');
INSERT INTO c44e.r VALUES (1, 'R1', 'D1', 1, 'rejected', '2026-05-01', '2026-05-02'),
                          (2, 'R1', 'D1', 1, 'registered', '2026-05-01', NULL);
ALTER TYPE c44e.req_status RENAME VALUE 'rejected' TO 'BH';
SELECT check_kind, status_labels[7:8] AS status_labels, freeing_labels FROM cbreturn.attached_checks
 WHERE "table" = 'c44e.r'::regclass ORDER BY 1;
SELECT count(*) AS ledger_differences FROM cbreturn.verify_quantity_ledger('c44e.d');
INSERT INTO c44e.r VALUES (3, 'R1', 'D1', 1, 'registered', '2026-05-01', NULL);
DROP SCHEMA c44e CASCADE;
