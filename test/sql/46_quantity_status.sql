-- Quantity and status together (rules section 6, issue 12 item 6): a return
-- that customs rejects, or that is withdrawn, frees its quantity for another
-- return of the line; a status reaches released only through the stages
-- whose times the table records; the status and quantity checks on one
-- table agree.  Concurrency: test/isolation/specs/quantity_status.spec.
SET datestyle = 'ISO, YMD';
SET timezone = 'UTC';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

CREATE SCHEMA erp46;
-- A Chinese seller's ERP: declared lines, and return requests with pinyin
-- column names, status codes 新建 XJ, 申报 SB, 运输 YS, 到货 DH, 查验 CY,
-- 放行 FX, 驳回 BH, and 撤回 CX for a request withdrawn by the seller.
CREATE TABLE erp46.bgd_mx (
    bgdh    text,
    xh      integer,
    sl      numeric(12,2) NOT NULL,
    PRIMARY KEY (bgdh, xh)
);
INSERT INTO erp46.bgd_mx VALUES ('292420260000000001', 1, 10), ('292420260000000001', 2, 4);
CREATE TABLE erp46.thsq (
    sqh     text PRIMARY KEY,
    bgdh    text,
    xh      integer,
    thsl    integer,
    zt      varchar(4),
    djsj    timestamptz,     -- registered
    sbsj    timestamptz,     -- declared
    yssj    timestamptz,     -- shipped
    dhsj    timestamptz,     -- arrived
    cysj    timestamptz,     -- inspected
    fxsj    timestamptz,     -- released
    bhsj    timestamptz      -- rejected
);

-- 1. Bad attach calls: the withdrawn label must be one of its own.
SELECT regress.try($$SELECT cbreturn.attach_status_check('erp46.thsq', status => 'zt',
    labels => '{XJ,SB,YS,DH,CY,FX,BH}', withdrawn => 'BH')$$);
SELECT regress.try($$SELECT cbreturn.attach_status_check('erp46.thsq', status => 'zt',
    labels => '{XJ,SB,YS,DH,CY,FX,BH}', withdrawn => ' ')$$);

-- 2. Both checks on one table: the status check first, then the quantity
-- check, which takes the status check's column and its rejected and
-- withdrawn labels.
SELECT cbreturn.attach_status_check('erp46.thsq', status => 'zt',
    registered_at => 'djsj', declared_at => 'sbsj', shipped_at => 'yssj', arrived_at => 'dhsj',
    inspected_at => 'cysj', released_at => 'fxsj', rejected_at => 'bhsj',
    labels => '{XJ,SB,YS,DH,CY,FX,BH}', withdrawn => 'CX');
-- a status column other than the status check's, or other labels: refused
SELECT regress.try($$SELECT cbreturn.attach_quantity_check('erp46.thsq', line => '{bgdh,xh}', quantity => 'thsl',
    declared_table => 'erp46.bgd_mx', declared_line => '{bgdh,xh}', declared_quantity => 'sl', status => 'sqh')$$);
SELECT regress.try($$SELECT cbreturn.attach_quantity_check('erp46.thsq', line => '{bgdh,xh}', quantity => 'thsl',
    declared_table => 'erp46.bgd_mx', declared_line => '{bgdh,xh}', declared_quantity => 'sl',
    freeing_labels => '{BH}')$$);
-- the same labels in another order are the same labels
SELECT cbreturn.attach_quantity_check('erp46.thsq', line => '{bgdh,xh}', quantity => 'thsl',
    declared_table => 'erp46.bgd_mx', declared_line => '{bgdh,xh}', declared_quantity => 'sl',
    freeing_labels => '{CX,BH}');
SELECT "table", check_kind, columns->>'status' AS status_column, status_labels, freeing_labels
  FROM cbreturn.attached_checks WHERE "table" = 'erp46.thsq'::regclass ORDER BY check_kind COLLATE "C";

-- 3. A return driven through register -> declare -> ship -> arrive ->
-- inspect -> rejected, holding 8 of 10 until customs rejects it.
INSERT INTO erp46.thsq (sqh, bgdh, xh, thsl, zt, djsj)
    VALUES ('T1', '292420260000000001', 1, 8, 'XJ', '2026-05-01 09:00+08');
-- while T1 holds 8, a second return of 5 over-returns the line
INSERT INTO erp46.thsq (sqh, bgdh, xh, thsl, zt, djsj)
    VALUES ('T2', '292420260000000001', 1, 5, 'XJ', '2026-05-02 09:00+08');
UPDATE erp46.thsq SET zt = 'SB', sbsj = '2026-05-01 10:00+08' WHERE sqh = 'T1';
UPDATE erp46.thsq SET zt = 'YS', yssj = '2026-05-02 10:00+08' WHERE sqh = 'T1';
UPDATE erp46.thsq SET zt = 'DH', dhsj = '2026-05-05 10:00+08' WHERE sqh = 'T1';
UPDATE erp46.thsq SET zt = 'CY', cysj = '2026-05-06 10:00+08' WHERE sqh = 'T1';
-- a rejection needs its time (rules section 6: through the mapped stages)
UPDATE erp46.thsq SET zt = 'BH' WHERE sqh = 'T1';
UPDATE erp46.thsq SET zt = 'BH', bhsj = '2026-05-07 10:00+08' WHERE sqh = 'T1';
SELECT * FROM cbreturn.verify_quantity_ledger('erp46.bgd_mx');
-- the freed quantity goes to a second return of the line
INSERT INTO erp46.thsq (sqh, bgdh, xh, thsl, zt, djsj)
    VALUES ('T2', '292420260000000001', 1, 5, 'XJ', '2026-05-08 09:00+08');
INSERT INTO erp46.thsq (sqh, bgdh, xh, thsl, zt, djsj)
    VALUES ('T3', '292420260000000001', 1, 5, 'XJ', '2026-05-08 09:30+08');
INSERT INTO erp46.thsq (sqh, bgdh, xh, thsl, zt, djsj)
    VALUES ('T4', '292420260000000001', 1, 1, 'XJ', '2026-05-08 10:00+08');
-- a rejected return is final: it cannot be reinstated to hold its quantity again
SELECT regress.try($$UPDATE erp46.thsq SET zt = 'CY' WHERE sqh = 'T1'$$);
-- a rejected return still names its line, which therefore cannot go
SELECT regress.try($$DELETE FROM erp46.bgd_mx WHERE (bgdh, xh) = ('292420260000000001', 1)$$);
-- a rejected row that names no line is refused like any return
SELECT regress.try($$INSERT INTO erp46.thsq (sqh, bgdh, xh, thsl, zt, djsj, sbsj, bhsj)
    VALUES ('T9', '292420260000000001', 9, 1, 'BH', '2026-05-01', '2026-05-02', '2026-05-03')$$);

-- 4. Withdrawn (CX): from any stage before customs decides; final; frees.
UPDATE erp46.thsq SET zt = 'CX' WHERE sqh = 'T3';
INSERT INTO erp46.thsq (sqh, bgdh, xh, thsl, zt, djsj)
    VALUES ('T4', '292420260000000001', 1, 5, 'XJ', '2026-05-09 09:00+08');
SELECT regress.try($$UPDATE erp46.thsq SET zt = 'SB', sbsj = '2026-05-09 10:00+08' WHERE sqh = 'T3'$$);
-- nor after release: released is final
UPDATE erp46.thsq SET zt = 'SB', sbsj = '2026-05-09 10:00+08' WHERE sqh = 'T4';
UPDATE erp46.thsq SET zt = 'FX', yssj = '2026-05-10 10:00+08', dhsj = '2026-05-11 10:00+08',
                      cysj = '2026-05-12 10:00+08', fxsj = '2026-05-12 11:00+08' WHERE sqh = 'T4';
SELECT regress.try($$UPDATE erp46.thsq SET zt = 'CX' WHERE sqh = 'T4'$$);
-- a withdrawn return's stage times: those it reached, never a decision's
SELECT regress.try($$INSERT INTO erp46.thsq (sqh, bgdh, xh, thsl, zt, djsj, fxsj)
    VALUES ('T8', '292420260000000001', 2, 1, 'CX', '2026-05-01', '2026-05-02')$$);
INSERT INTO erp46.thsq (sqh, bgdh, xh, thsl, zt, djsj, sbsj)
    VALUES ('T8', '292420260000000001', 2, 4, 'CX', '2026-05-01', '2026-05-02');
INSERT INTO erp46.thsq (sqh, bgdh, xh, thsl, zt, djsj)
    VALUES ('T7', '292420260000000001', 2, 4, 'XJ', '2026-05-01');

-- 5. Released only through the stages whose times are recorded.
INSERT INTO erp46.thsq (sqh, bgdh, xh, thsl, zt, djsj)
    VALUES ('T5', '292420260000000001', 1, 0, 'XJ', '2026-05-01 09:00+08');
UPDATE erp46.thsq SET zt = 'FX', fxsj = '2026-05-04 09:00+08' WHERE sqh = 'T5';
SELECT regress.try($$UPDATE erp46.thsq SET zt = 'CY', sbsj = '2026-05-02', yssj = '2026-05-02', dhsj = '2026-05-03',
                         cysj = '2026-05-03' WHERE sqh = 'T5'$$);        -- inspected needs nothing more: ok
SELECT regress.try($$UPDATE erp46.thsq SET zt = 'FX' WHERE sqh = 'T5'$$);  -- released needs its own time
UPDATE erp46.thsq SET zt = 'FX', fxsj = '2026-05-04 09:00+08' WHERE sqh = 'T5';
-- an insert: the registered time too
SELECT regress.try($$INSERT INTO erp46.thsq (sqh, bgdh, xh, thsl, zt) VALUES ('T6', '292420260000000001', 1, 0, 'XJ')$$);
-- a rejection needs the declaration, not the transport
SELECT regress.try($$INSERT INTO erp46.thsq (sqh, bgdh, xh, thsl, zt, djsj, bhsj)
    VALUES ('T6', '292420260000000001', 1, 0, 'BH', '2026-05-01', '2026-05-03')$$);
SELECT regress.try($$INSERT INTO erp46.thsq (sqh, bgdh, xh, thsl, zt, djsj, sbsj, bhsj)
    VALUES ('T6', '292420260000000001', 1, 0, 'BH', '2026-05-01', '2026-05-02', '2026-05-03')$$);
SELECT sqh, thsl, zt, djsj, sbsj, yssj, dhsj, cysj, fxsj, bhsj FROM erp46.thsq ORDER BY sqh COLLATE "C";

-- 6. Recount and verify count the same way as the check.
SELECT * FROM cbreturn.verify_quantity_ledger('erp46.bgd_mx');
SELECT cbreturn.rebuild_quantity_ledger('erp46.bgd_mx');
SELECT * FROM cbreturn.verify_quantity_ledger('erp46.bgd_mx');
SELECT encode(line, 'hex') <> '' AS named, returned, return_rows FROM cbreturn.quantity_ledger
 WHERE declared_relation = 'erp46.bgd_mx'::regclass ORDER BY returned;

-- 7. The quantity check alone, told the status column and labels: a
-- rejected return reinstated holds its quantity again, checked then.
CREATE TABLE erp46.decl (no int PRIMARY KEY, qty int NOT NULL);
CREATE TABLE erp46.ret (id int PRIMARY KEY, no int, qty int, st char(6));
INSERT INTO erp46.decl VALUES (1, 10);
SELECT regress.try($$SELECT cbreturn.attach_quantity_check('erp46.ret', line => '{no}', quantity => 'qty',
    declared_table => 'erp46.decl', declared_line => '{no}', declared_quantity => 'qty', status => 'st')$$);
SELECT regress.try($$SELECT cbreturn.attach_quantity_check('erp46.ret', line => '{no}', quantity => 'qty',
    declared_table => 'erp46.decl', declared_line => '{no}', declared_quantity => 'qty', freeing_labels => '{BH}')$$);
SELECT regress.try($$SELECT cbreturn.attach_quantity_check('erp46.ret', line => '{no}', quantity => 'qty',
    declared_table => 'erp46.decl', declared_line => '{no}', declared_quantity => 'qty', status => 'st',
    freeing_labels => '{BH,""}')$$);
SELECT regress.try($$SELECT cbreturn.attach_quantity_check('erp46.ret', line => '{no}', quantity => 'qty',
    declared_table => 'erp46.decl', declared_line => '{no}', declared_quantity => 'qty', status => 'no',
    freeing_labels => '{BH}')$$);
-- existing rows: a rejected one (char(6) pads 'BH') does not count at attach
INSERT INTO erp46.ret VALUES (1, 1, 7, 'BH'), (2, 1, 6, 'SB');
SELECT cbreturn.attach_quantity_check('erp46.ret', line => '{no}', quantity => 'qty',
    declared_table => 'erp46.decl', declared_line => '{no}', declared_quantity => 'qty', status => 'st',
    freeing_labels => '{BH,CX}');
-- reinstated while the line has no room: refused (CB003)
UPDATE erp46.ret SET st = 'SB' WHERE id = 1;
-- a NULL status (not known yet) holds its quantity
UPDATE erp46.ret SET st = NULL WHERE id = 2;
INSERT INTO erp46.ret VALUES (3, 1, 5, 'SB');
-- withdrawn, it frees its 6: the line holds nothing
UPDATE erp46.ret SET st = 'CX' WHERE id = 2;
INSERT INTO erp46.ret VALUES (3, 1, 5, 'SB');
-- 5 of 10 left: the rejected return of 7 cannot come back, one of 5 can
UPDATE erp46.ret SET st = 'SB' WHERE id = 1;
UPDATE erp46.ret SET st = 'SB', qty = 5 WHERE id = 1;
-- a rejected return's quantity may change (it holds none); a negative one is refused
UPDATE erp46.ret SET st = 'BH', qty = 9 WHERE id = 1;
UPDATE erp46.ret SET qty = -1 WHERE id = 1;
SELECT * FROM cbreturn.verify_quantity_ledger('erp46.decl');
SELECT id, no, qty, st FROM erp46.ret ORDER BY id;

-- 8. The quantity check first, then the status check: the quantity check
-- takes the status check's column and labels, and its returns are counted
-- again (the rejected one frees its quantity).
CREATE TABLE erp46.decl2 (no int PRIMARY KEY, qty int NOT NULL);
CREATE TABLE erp46.ret2 (id int PRIMARY KEY, no int, qty int, st text);
INSERT INTO erp46.decl2 VALUES (1, 10);
INSERT INTO erp46.ret2 VALUES (1, 1, 6, 'rejected'), (2, 1, 4, 'declared');
SELECT cbreturn.attach_quantity_check('erp46.ret2', line => '{no}', quantity => 'qty',
    declared_table => 'erp46.decl2', declared_line => '{no}', declared_quantity => 'qty');
SELECT regress.try($$INSERT INTO erp46.ret2 VALUES (3, 1, 6, 'registered')$$);
SELECT cbreturn.attach_status_check('erp46.ret2', status => 'st');
SELECT columns->>'status' AS status_column, freeing_labels FROM cbreturn.attached_checks
 WHERE "table" = 'erp46.ret2'::regclass AND check_kind = 'quantity';
INSERT INTO erp46.ret2 VALUES (3, 1, 6, 'registered');
SELECT * FROM cbreturn.verify_quantity_ledger('erp46.decl2');
-- detached and attached again with other labels, the status check is refused
SELECT cbreturn.detach('erp46.ret2', 'status');
SELECT cbreturn.detach('erp46.ret2', 'quantity');
SELECT cbreturn.attach_quantity_check('erp46.ret2', line => '{no}', quantity => 'qty',
    declared_table => 'erp46.decl2', declared_line => '{no}', declared_quantity => 'qty', status => 'st',
    freeing_labels => '{rejected}');
SELECT cbreturn.attach_status_check('erp46.ret2', status => 'st', withdrawn => 'withdrawn');
SELECT cbreturn.attach_status_check('erp46.ret2', status => 'st');
SELECT count(*) FROM cbreturn.attached_checks WHERE "table" = 'erp46.ret2'::regclass;
-- a status message names the table's label and then its stage, "SB (declared)"
-- above; a label that is the stage's name is shown once
SELECT regress.try($$UPDATE erp46.ret2 SET st = 'registered' WHERE id = 2$$);
UPDATE erp46.ret2 SET st = 'Declared' WHERE id = 2;

-- 9. The status column of a quantity check is attached: it cannot be
-- dropped or change type, and a rename is followed.
SELECT regress.try($$ALTER TABLE erp46.ret DROP COLUMN st$$);
ALTER TABLE erp46.ret RENAME COLUMN st TO zhuangtai;
SELECT columns->>'status' AS status_column FROM cbreturn.attached_checks WHERE "table" = 'erp46.ret'::regclass;
-- reinstating the rejected 9 next to the 5 still over-returns
UPDATE erp46.ret SET zhuangtai = 'SB' WHERE id = 1;

-- 10. The errors in Chinese.
SET cbreturn.language = 'zh_CN.UTF-8';
UPDATE erp46.thsq SET zt = 'FX' WHERE sqh = 'T7';
-- the label, then the name of its stage (or of withdrawn) in Chinese
SELECT regress.try($$UPDATE erp46.thsq SET zt = 'SB', sbsj = '2026-05-09 10:00+08' WHERE sqh = 'T3'$$);
SELECT regress.try($$UPDATE erp46.ret2 SET st = 'registered' WHERE id = 2$$);
SELECT regress.try($$SELECT cbreturn.attach_status_check('erp46.ret2', status => 'st', withdrawn => 'registered')$$);
RESET cbreturn.language;

DROP SCHEMA erp46 CASCADE;
