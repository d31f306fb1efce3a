-- The worked ERP of docs/erp-example.md, end to end: the schema and the sample
-- rows are read from test/erp/ (the page, the demo and this test share them);
-- the clerk's statements below are the page's (test/checks/doc_examples.sh
-- keeps them the same).  Every refusal is followed by its SQLSTATE.
SET datestyle = 'ISO, YMD';
SET search_path = public, cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

\i test/erp/schema.sql
\i test/erp/data.sql

-- ===========================================================================
-- What is attached: the list header, the export and status checks once on
-- the partitioned requests (the header's guard on the list header), the
-- quantity check once on the request lines; no trigger made by hand.
-- ===========================================================================
SELECT "table", check_kind, trigger_name, enabled
  FROM attached_checks WHERE "table"::text LIKE 'kuajing.%'
 ORDER BY "table"::text COLLATE "C", check_kind COLLATE "C";
-- every partition of the requests carries both checks and the guard of the
-- requests as the lines' header, cloned from the partitioned table by
-- PostgreSQL (must be empty)
SELECT i.inhrelid::regclass AS unchecked_partition
  FROM pg_inherits i
 WHERE i.inhparent = 'kuajing.tuihuo_dan'::regclass
   AND (SELECT array_agg(t.tgname::text ORDER BY t.tgname COLLATE "C") FROM pg_trigger t
         WHERE t.tgrelid = i.inhrelid AND t.tgparentid <> 0 AND NOT t.tgisinternal)
       IS DISTINCT FROM '{cbreturn_export_check,cbreturn_header_guard,cbreturn_status_check}';
-- the triggers on the ERP's tables are all cbreturn's (the partitions' clones aside)
SELECT tgrelid::regclass AS "table", tgname, tgfoid::regproc AS function
  FROM pg_trigger
 WHERE tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'kuajing'::regnamespace)
   AND NOT tgisinternal AND tgparentid = 0
 ORDER BY tgrelid::regclass::text COLLATE "C", tgname COLLATE "C";

-- ===========================================================================
-- The sample rows went in: each in its month's partition (China months), the
-- reason label mapped (R-V-1), empty remarks filled with its code (R-EX-2).
-- ===========================================================================
SELECT tableoid::regclass AS partition, tuihuo_danhao, tuihuo_yuanyin,
       return_reason(tuihuo_yuanyin) AS reason, beizhu, zhuangtai
  FROM kuajing.tuihuo_dan ORDER BY tuihuo_danhao;
-- the ledger equals the sums of the request lines (must be empty)
SELECT * FROM verify_quantity_ledger('kuajing.qingdan_biaoti');

-- ===========================================================================
-- A clerk at work, from a client in UTC (the page's statements).
-- ===========================================================================
SET TimeZone = 'UTC';
-- Partition routing: 2026-03-31 16:30 UTC is 00:30 on 1 April in Beijing.
INSERT INTO kuajing.tuihuo_dan (tuihuo_danhao, shenqing_shijian, qingdan_bianhao, cangku, tuihuo_yuanyin,
        tuihuo_haiguan, dengji_shijian, huowu_jiazhi)
VALUES ('TH2026040008', '2026-03-31 16:30+00', '29242026E000100001', '杭州一号仓', '品质',
        '2924', '2026-03-31 16:30+00', 199.00);
SELECT tableoid::regclass AS partition, tuihuo_danhao, beizhu, zhuangtai
  FROM kuajing.tuihuo_dan WHERE tuihuo_danhao = 'TH2026040008';

-- Status codes move forward, each with its time (rules section 6): XJ SB YS DH CY FX BH.
UPDATE kuajing.tuihuo_dan SET zhuangtai = 'SB', shenbao_shijian = '2026-04-01 02:00+00'
 WHERE tuihuo_danhao = 'TH2026040008';
UPDATE kuajing.tuihuo_dan SET zhuangtai = 'DH', fayun_shijian = '2026-04-02 02:00+00',
       daohuo_shijian = '2026-04-09 06:00+00'
 WHERE tuihuo_danhao = 'TH2026040008';

-- The last day of the window at 23:30 in Beijing (15:30 UTC): on time.
UPDATE kuajing.tuihuo_dan SET zhuangtai = 'FX', fayun_shijian = '2026-08-27 01:00+00',
       daohuo_shijian = '2026-08-31 07:00+00', chayan_shijian = '2026-09-01 02:00+00',
       fangxing_shijian = '2026-09-01 15:30+00'
 WHERE tuihuo_danhao = 'TH2026080004';
SELECT tuihuo_danhao, zhuangtai, china_date(fangxing_shijian) AS released_on_china_date,
       fangxing_shijian::date AS utc_date
  FROM kuajing.tuihuo_dan WHERE tuihuo_danhao = 'TH2026080004';

-- Refusals a clerk sees.
-- R-EX-1: released 00:30 in Beijing the day after the last day (still the 1st in UTC).
UPDATE kuajing.tuihuo_dan SET zhuangtai = 'FX', fangxing_shijian = '2026-09-01 16:30+00'
 WHERE tuihuo_danhao = 'TH2026050002';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- R-V-1: a reason label the vocabulary does not know.
UPDATE kuajing.tuihuo_dan SET tuihuo_yuanyin = '坏了' WHERE tuihuo_danhao = 'TH2026050002';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- R-EX-2: remarks coded for another reason.
UPDATE kuajing.tuihuo_dan SET beizhu = 'THTY 客户退货' WHERE tuihuo_danhao = 'TH2026050002';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- R-EX-5: a 9710 export may not come back through another district.
UPDATE kuajing.tuihuo_dan SET tuihuo_haiguan = '5316' WHERE tuihuo_danhao = 'TH2026070006';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- Rules section 6: a released request does not go back to inspection...
UPDATE kuajing.tuihuo_dan SET zhuangtai = 'CY' WHERE tuihuo_danhao = 'TH2026040001';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- ...a rejected one (BH) is final...
UPDATE kuajing.tuihuo_dan SET zhuangtai = 'SB' WHERE tuihuo_danhao = 'TH2026030005';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- ...and a later stage is never earlier than the one before.
UPDATE kuajing.tuihuo_dan SET zhuangtai = 'CY', chayan_shijian = '2026-04-08 00:00+00'
 WHERE tuihuo_danhao = 'TH2026040008';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- R-EX-3: 3 + 5 of the 10 earphones are back; 3 more would be 11.
INSERT INTO kuajing.tuihuo_mingxi VALUES ('TH2026040008', '2026-03-31 16:30+00', 1, '29242026E000100001', 1, 3);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- 2 more are 10 of 10: accepted.
INSERT INTO kuajing.tuihuo_mingxi VALUES ('TH2026040008', '2026-03-31 16:30+00', 1, '29242026E000100001', 1, 2);
-- Rules section 6: a request customs rejected (BH) holds no quantity.  Of the
-- 100 children's coats of list 3, 40 are on the rejected TH2026030005 and 20 on
-- TH2026070006: 80 more may come back, 81 may not.  The lines read the status
-- from their request, in its month's partition.
INSERT INTO kuajing.tuihuo_mingxi VALUES ('TH2026070006', '2026-07-01 02:00+00', 2, '29242026E000100003', 1, 81);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO kuajing.tuihuo_mingxi VALUES ('TH2026070006', '2026-07-01 02:00+00', 2, '29242026E000100003', 1, 80);
-- A request with lines cannot move to another month: its key holds the partition key.
UPDATE kuajing.tuihuo_dan SET shenqing_shijian = '2026-06-30 02:00+00' WHERE tuihuo_danhao = 'TH2026070006';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- A month without its partition yet.
INSERT INTO kuajing.tuihuo_dan (tuihuo_danhao, shenqing_shijian, qingdan_bianhao, cangku, tuihuo_yuanyin,
        dengji_shijian, huowu_jiazhi)
VALUES ('TH2026110009', '2026-11-02 02:00+00', '29242026E000100001', '杭州一号仓', '品质',
        '2026-11-02 02:00+00', 99.00);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;

-- The export facts come from the list header.  A request naming a list that
-- does not exist is refused by the check (before the foreign key).
INSERT INTO kuajing.tuihuo_dan (tuihuo_danhao, shenqing_shijian, qingdan_bianhao, cangku, tuihuo_yuanyin,
        dengji_shijian, huowu_jiazhi)
VALUES ('TH2026040010', '2026-04-03 02:00+00', '29242026E000199999', '杭州一号仓', '品质',
        '2026-04-03 02:00+00', 50.00);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- A correction of the header that would make a stored request late: TH2026080004
-- (unsold, released on 1 September in Beijing) is on time only if list 1 was
-- exported on or after 1 March.
UPDATE kuajing.qingdan_biaotou SET chukou_riqi = '2026-02-28 10:00+08'
 WHERE qingdan_bianhao = '29242026E000100001';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- ...nor may the list a request names be deleted or renumbered.
DELETE FROM kuajing.qingdan_biaotou WHERE qingdan_bianhao = '53162026E000200002';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- A correction that breaks no request is accepted (and one no check reads costs a comparison).
UPDATE kuajing.qingdan_biaotou SET chukou_riqi = '2026-03-01 09:00+08', dianshang_qiye = '示例跨境电商有限公司'
 WHERE qingdan_bianhao = '29242026E000100001';
SELECT qingdan_bianhao, china_date(chukou_riqi) AS exported_on, dianshang_qiye
  FROM kuajing.qingdan_biaotou ORDER BY qingdan_bianhao;

-- The same refusals in Chinese: the clerk's session chooses its language.
SET cbreturn.language = 'zh_CN.UTF-8';
UPDATE kuajing.tuihuo_dan SET zhuangtai = 'FX', fangxing_shijian = '2026-09-01 16:30+00'
 WHERE tuihuo_danhao = 'TH2026050002';
INSERT INTO kuajing.tuihuo_mingxi VALUES ('TH2026040008', '2026-03-31 16:30+00', 2, '29242026E000100001', 1, 1);
UPDATE kuajing.tuihuo_dan SET zhuangtai = 'CY' WHERE tuihuo_danhao = 'TH2026040001';
-- (the return the guard names is named in Chinese too)
UPDATE kuajing.tuihuo_dan SET shenqing_shijian = '2026-06-30 02:00+00' WHERE tuihuo_danhao = 'TH2026070006';
SELECT tuihuo_danhao, label(return_reason(tuihuo_yuanyin)) AS 退货原因, beizhu AS 备注
  FROM kuajing.tuihuo_dan WHERE zhuangtai <> 'BH' ORDER BY tuihuo_danhao;
RESET cbreturn.language;

-- ===========================================================================
-- What the refused statements left: nothing (rows, stages, ledger as before).
-- ===========================================================================
SELECT tuihuo_danhao, tuihuo_yuanyin, beizhu, tuihuo_haiguan, zhuangtai,
       china_date(chayan_shijian) AS inspected, china_date(fangxing_shijian) AS released
  FROM kuajing.tuihuo_dan ORDER BY tuihuo_danhao;
-- (the lines of a rejected request hold nothing: rules section 6)
SELECT m.qingdan_bianhao, m.shangpin_xuhao, sum(m.tuihuo_shuliang) FILTER (WHERE d.zhuangtai <> 'BH') AS returned,
       sum(m.tuihuo_shuliang) FILTER (WHERE d.zhuangtai = 'BH') AS rejected
  FROM kuajing.tuihuo_mingxi m JOIN kuajing.tuihuo_dan d USING (tuihuo_danhao, shenqing_shijian)
 GROUP BY m.qingdan_bianhao, m.shangpin_xuhao ORDER BY m.qingdan_bianhao, m.shangpin_xuhao;
SELECT * FROM verify_quantity_ledger('kuajing.qingdan_biaoti');

-- ===========================================================================
-- Reports (docs/reporting.md) as of given days.
-- ===========================================================================
SELECT tuihuo_danhao, cangku, fangxing_riqi, (a).deadline, (a).days_left, (a).status,
       (a).remark_code, (a).cross_customs_allowed, ((a).tax_relief).relieved, ((a).tax_relief).failed, (a).missing
  FROM kuajing.tuihuo_pinggu('2026-08-28') ORDER BY tuihuo_danhao;
SELECT * FROM kuajing.cangku_weijie('2026-08-28') ORDER BY cangku;
SELECT * FROM kuajing.cangku_weijie('2026-09-10') ORDER BY cangku;
SELECT * FROM kuajing.meiyue_jianmian('2026-09-30') ORDER BY yuefen;
-- the same reports in Chinese
SET cbreturn.language = 'zh_CN.UTF-8';
SELECT tuihuo_danhao AS 退货单号, return_status_label((a).status) AS 状态, (a).deadline AS 期限
  FROM kuajing.tuihuo_pinggu('2026-09-10') ORDER BY tuihuo_danhao;
RESET cbreturn.language;
-- the views are the reports of today's China date
SELECT (SELECT count(*) FROM (SELECT * FROM kuajing.cangku_weijie_jintian
                              EXCEPT SELECT * FROM kuajing.cangku_weijie(china_date(now()))) d) AS weijie_differs,
       (SELECT count(*) FROM (SELECT * FROM kuajing.meiyue_jianmian_jintian
                              EXCEPT SELECT * FROM kuajing.meiyue_jianmian(china_date(now()))) d) AS jianmian_differs;

-- ===========================================================================
-- A history load from the old system, in record mode: the late row is kept
-- and logged instead of aborting the load; an ordinary return (4561) has no
-- CBEC window.  Then back to refusing.
-- ===========================================================================
SELECT set_on_violation('kuajing.tuihuo_dan', 'export', 'record'),
       set_on_violation('kuajing.tuihuo_dan', 'status', 'record');
INSERT INTO kuajing.tuihuo_dan (tuihuo_danhao, shenqing_shijian, qingdan_bianhao, cangku, tuihuo_yuanyin,
        tuihuo_haiguan, tuihuo_jianguan, zhuangtai,
        dengji_shijian, shenbao_shijian, fayun_shijian, daohuo_shijian, chayan_shijian, fangxing_shijian,
        huowu_jiazhi) VALUES
    ('LS2026030101', '2026-03-05 02:00+00', '29242026E000100003', '宁波二号仓', '滞销',
     '2924', NULL, 'FX', '2026-03-05 02:00+00', '2026-03-06 02:00+00',
     '2026-03-08 02:00+00', '2026-03-18 02:00+00', '2026-03-19 02:00+00', '2026-03-20 02:00+00', 300.00),
    ('LS2026080102', '2026-08-10 02:00+00', '29242026E000100003', '宁波二号仓', '滞销',
     '2924', NULL, 'FX', '2026-08-10 02:00+00', '2026-08-11 02:00+00',
     '2026-08-12 02:00+00', '2026-08-18 02:00+00', '2026-08-19 02:00+00', '2026-08-20 06:00+00', 500.00),
    ('LS2026080103', '2026-08-11 02:00+00', '29242026E000100003', '宁波二号仓', '滞销',
     '2924', '4561', 'FX', '2026-08-11 02:00+00', '2026-08-12 02:00+00',
     '2026-08-13 02:00+00', '2026-08-19 02:00+00', '2026-08-20 02:00+00', '2026-08-21 06:00+00', 700.00);
SELECT relation, row_key, rule_id, sqlstate, message FROM violation_log ORDER BY id;
SELECT set_on_violation('kuajing.tuihuo_dan', 'export', 'refuse'),
       set_on_violation('kuajing.tuihuo_dan', 'status', 'refuse');
-- Every stored request that breaks a rule, over all partitions: one call on
-- the partitioned table.
SELECT row_key, rule_id, sqlstate FROM violations('kuajing.tuihuo_dan')
 ORDER BY row_key::text COLLATE "C", rule_id;
-- Inspection found two of them in original state (R-TX-4), so their relief is
-- decided: the CBEC return relieved, the ordinary return (4561) taxed.
UPDATE kuajing.tuihuo_dan SET yuanzhuang = true WHERE tuihuo_danhao IN ('LS2026030101', 'LS2026080103');
-- The reports: the late row closed late, the ordinary return outside the CBEC
-- window (status ordinary, no deadline) and taxed, and why.
SELECT tuihuo_danhao, putong, (a).status, ((a).tax_relief).relieved, ((a).tax_relief).basis
  FROM kuajing.tuihuo_pinggu('2026-09-30') WHERE tuihuo_danhao LIKE 'LS%' ORDER BY tuihuo_danhao;
SELECT * FROM kuajing.meiyue_jianmian('2026-09-30') ORDER BY yuefen;
-- In refuse mode again, a late row is refused.
UPDATE kuajing.tuihuo_dan SET fangxing_shijian = '2026-08-20 07:00+00' WHERE tuihuo_danhao = 'LS2026080102';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;

-- Rows that came in without the checks (a replica applying them, as logical
-- replication does: no trigger fires): a reason label the vocabulary does not
-- know (R-V-1, CB013), a list number no header row has (CB014), a status code
-- that names no stage (CB006).  violations() lists each as its own row, with
-- what a write of it is told, and goes on; validate() raises the first (the
-- March partition is read first, and its other rows pass).
SET session_replication_role = replica;
INSERT INTO kuajing.tuihuo_dan (tuihuo_danhao, shenqing_shijian, qingdan_bianhao, cangku, tuihuo_yuanyin,
        zhuangtai, dengji_shijian, huowu_jiazhi) VALUES
    ('FZ2026030301', '2026-03-03 02:00+00', '29242026E000100001', '杭州一号仓', '坏了', 'XJ',
     '2026-03-03 02:00+00', 10.00),
    ('FZ2026030302', '2026-03-03 02:00+00', '29242026E000199999', '杭州一号仓', '品质', 'XJ',
     '2026-03-03 02:00+00', 20.00),
    ('FZ2026030303', '2026-03-03 02:00+00', '29242026E000100001', '杭州一号仓', '品质', 'ZZ',
     '2026-03-03 02:00+00', 30.00);
RESET session_replication_role;
SELECT v.row_key->>'tuihuo_danhao' AS tuihuo_danhao, v.check_kind, v.rule_id, v.sqlstate, v.message, v.detail
  FROM violations('kuajing.tuihuo_dan') v
 WHERE v.row_key->>'tuihuo_danhao' LIKE 'FZ%'
 ORDER BY v.row_key->>'tuihuo_danhao', v.check_kind;
SELECT regress.try($$SELECT * FROM validate('kuajing.tuihuo_dan')$$);
DELETE FROM kuajing.tuihuo_dan WHERE tuihuo_danhao LIKE 'FZ%';

-- A new month: a plain CREATE TABLE ... PARTITION OF, no call of cbreturn;
-- the checks of the requests table cover it at once.
CREATE TABLE kuajing.tuihuo_dan_202611 PARTITION OF kuajing.tuihuo_dan
    FOR VALUES FROM ('2026-11-01 00:00+08') TO ('2026-12-01 00:00+08');
INSERT INTO kuajing.tuihuo_dan (tuihuo_danhao, shenqing_shijian, qingdan_bianhao, cangku, tuihuo_yuanyin,
        dengji_shijian, huowu_jiazhi)
VALUES ('TH2026110009', '2026-11-02 02:00+00', '29242026E000100001', '杭州一号仓', '品质',
        '2026-11-02 02:00+00', 99.00);
SELECT tableoid::regclass AS partition, beizhu FROM kuajing.tuihuo_dan WHERE tuihuo_danhao = 'TH2026110009';
UPDATE kuajing.tuihuo_dan SET zhuangtai = 'XJ', tuihuo_yuanyin = '坏了' WHERE tuihuo_danhao = 'TH2026110009';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- a late release in the new month is refused (R-EX-1, from the list header's export date)
UPDATE kuajing.tuihuo_dan SET zhuangtai = 'FX', shenbao_shijian = '2026-11-02 03:00+00',
       fayun_shijian = '2026-11-02 04:00+00', daohuo_shijian = '2026-11-03 04:00+00',
       chayan_shijian = '2026-11-03 05:00+00', fangxing_shijian = '2027-12-01 05:00+00'
 WHERE tuihuo_danhao = 'TH2026110009';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;

RESET TimeZone;
SELECT detach('kuajing.tuihuo_mingxi');
SELECT detach('kuajing.tuihuo_dan');
DROP SCHEMA kuajing CASCADE;
