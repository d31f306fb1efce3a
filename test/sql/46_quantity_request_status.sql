-- Quantity freeing labels read from a return request header (rules
-- section 6, issue 12 item 6): the status of a return request (退货申请单)
-- lives on its header while the quantities live on its lines.  attach_header
-- names the header's status; the quantity check attached afterwards reads it
-- from the request row each line names; the guard on the header frees or
-- takes again the quantity of every line of a request whose status changes.
-- Concurrency: test/isolation/specs/quantity_request_status.spec.
SET datestyle = 'ISO, YMD';
SET timezone = 'UTC';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

CREATE SCHEMA erp46r;
CREATE TABLE erp46r.bgd_mx (
    bgdh    text,
    xh      integer,
    sl      integer NOT NULL,
    PRIMARY KEY (bgdh, xh)
);
INSERT INTO erp46r.bgd_mx VALUES ('292420260000000001', 1, 10), ('292420260000000001', 2, 4);
-- the request header (退货申请单) with its status code: 驳回 BH and 撤回 CX free
CREATE TABLE erp46r.tuihuo_shenqing (
    sqh     text PRIMARY KEY,
    zt      varchar(4)
);
-- its lines (退货申请单明细)
CREATE TABLE erp46r.tuihuo_mx (
    id      integer PRIMARY KEY,
    sqh     text,
    bgdh    text,
    xh      integer,
    thsl    integer
);
INSERT INTO erp46r.tuihuo_shenqing VALUES ('SQ1', 'SB'), ('SQ2', 'SB'), ('SQ3', 'BH');
-- an existing line of a rejected request is counted as holding nothing at attach
INSERT INTO erp46r.tuihuo_mx VALUES (1, 'SQ1', '292420260000000001', 1, 6), (2, 'SQ3', '292420260000000001', 1, 9);

-- 1. Attach: the header first, with the request's status, then the quantity
-- check with the freeing labels alone.  Naming a status of the lines too is
-- refused (one status).
SELECT cbreturn.attach_header('erp46r.tuihuo_mx', 'erp46r.tuihuo_shenqing', '{sqh}', '{sqh}', status => 'zt');
SELECT regress.try($$SELECT cbreturn.attach_quantity_check('erp46r.tuihuo_mx', line => '{bgdh,xh}', quantity => 'thsl',
    declared_table => 'erp46r.bgd_mx', declared_line => '{bgdh,xh}', declared_quantity => 'sl',
    status => 'sqh', freeing_labels => '{BH,CX}')$$);
SELECT cbreturn.attach_quantity_check('erp46r.tuihuo_mx', line => '{bgdh,xh}', quantity => 'thsl',
    declared_table => 'erp46r.bgd_mx', declared_line => '{bgdh,xh}', declared_quantity => 'sl',
    freeing_labels => '{BH,CX}');
SELECT c.check_kind, c.role, c.column_relation, c.column_name FROM cbreturn.attached_column c
 WHERE c.relation = 'erp46r.tuihuo_mx'::regclass AND c.role = 'status' ORDER BY 1, 2;
SELECT l.returned, l.return_rows FROM cbreturn.quantity_ledger l
 WHERE l.declared_relation = 'erp46r.bgd_mx'::regclass ORDER BY 1;

-- 2. A line of a rejected request holds nothing; a line of an open request
-- holds its quantity.
INSERT INTO erp46r.tuihuo_mx VALUES (3, 'SQ3', '292420260000000001', 1, 10);
SELECT regress.try($$INSERT INTO erp46r.tuihuo_mx VALUES (4, 'SQ2', '292420260000000001', 1, 5)$$);
-- a line naming no request row: CB014
SELECT regress.try($$INSERT INTO erp46r.tuihuo_mx VALUES (5, 'SQ9', '292420260000000001', 1, 1)$$);

-- 3. Rejecting a request frees its lines' quantity for another return.
UPDATE erp46r.tuihuo_shenqing SET zt = 'BH' WHERE sqh = 'SQ1';
INSERT INTO erp46r.tuihuo_mx VALUES (4, 'SQ2', '292420260000000001', 1, 10);
SELECT l.returned, l.return_rows FROM cbreturn.quantity_ledger l
 WHERE l.declared_relation = 'erp46r.bgd_mx'::regclass ORDER BY 1;

-- 4. Moving it back would take the quantity again: refused (CB003), the
-- request row named, nothing changed.
UPDATE erp46r.tuihuo_shenqing SET zt = 'SB' WHERE sqh = 'SQ1';
SELECT zt FROM erp46r.tuihuo_shenqing WHERE sqh = 'SQ1';
-- a change between two freeing labels, or two holding ones, moves nothing
UPDATE erp46r.tuihuo_shenqing SET zt = 'CX' WHERE sqh = 'SQ1';
UPDATE erp46r.tuihuo_shenqing SET zt = 'YS' WHERE sqh = 'SQ2';
SELECT l.returned, l.return_rows FROM cbreturn.quantity_ledger l
 WHERE l.declared_relation = 'erp46r.bgd_mx'::regclass ORDER BY 1;
-- once the other return is withdrawn, moving it back takes its quantity again
UPDATE erp46r.tuihuo_shenqing SET zt = 'CX' WHERE sqh = 'SQ2';
UPDATE erp46r.tuihuo_shenqing SET zt = 'SB' WHERE sqh = 'SQ1';
SELECT l.returned, l.return_rows FROM cbreturn.quantity_ledger l
 WHERE l.declared_relation = 'erp46r.bgd_mx'::regclass ORDER BY 1;
-- and swapping them again, request by request
UPDATE erp46r.tuihuo_shenqing SET zt = 'BH' WHERE sqh = 'SQ1';
UPDATE erp46r.tuihuo_shenqing SET zt = 'SB' WHERE sqh = 'SQ2';
SELECT l.returned, l.return_rows FROM cbreturn.quantity_ledger l
 WHERE l.declared_relation = 'erp46r.bgd_mx'::regclass ORDER BY 1;

-- 5. A request with lines cannot go or change its key; TRUNCATE refused.
SELECT regress.try($$DELETE FROM erp46r.tuihuo_shenqing WHERE sqh = 'SQ1'$$);
SELECT regress.try($$UPDATE erp46r.tuihuo_shenqing SET sqh = 'SQX' WHERE sqh = 'SQ1'$$);
SELECT regress.try($$TRUNCATE erp46r.tuihuo_shenqing$$);

-- 6. The recounts read the request's status: verify and rebuild agree with
-- the ledger the writes and the guard kept.
SELECT * FROM cbreturn.verify_quantity_ledger('erp46r.bgd_mx');
SELECT cbreturn.rebuild_quantity_ledger('erp46r.bgd_mx');
SELECT l.returned, l.return_rows FROM cbreturn.quantity_ledger l
 WHERE l.declared_relation = 'erp46r.bgd_mx'::regclass ORDER BY 1;

-- 7. A role that may change the request's status but read neither its key
-- nor the lines sees no key, no line and no quantity in the refusal.
CREATE ROLE erp46r_clerk;
GRANT USAGE ON SCHEMA erp46r TO erp46r_clerk;
GRANT SELECT (zt), UPDATE (zt) ON erp46r.tuihuo_shenqing TO erp46r_clerk;
SET ROLE erp46r_clerk;
UPDATE erp46r.tuihuo_shenqing SET zt = 'SB' WHERE zt = 'BH';
RESET ROLE;
-- the same change by the owner names the request row
UPDATE erp46r.tuihuo_shenqing SET zt = 'SB' WHERE sqh = 'SQ3';

-- 8. Detach: the header stays while the quantity check reads its status.
SELECT regress.try($$SELECT cbreturn.detach('erp46r.tuihuo_mx', 'header')$$);
SELECT cbreturn.detach('erp46r.tuihuo_mx', 'quantity');
SELECT cbreturn.detach('erp46r.tuihuo_mx', 'header');

-- 9. A partitioned lines table (a partition with its own column order): the
-- lines of every partition read their request; the guard moves them all.
-- A status check on the lines' own column of the same name does not agree
-- with the request's status: refused (22023).
CREATE TABLE erp46r.tuihuo_mx_p (id int, sqh text, bgdh text, xh integer, thsl integer, zt text, djsj date, m int)
    PARTITION BY LIST (m);
CREATE TABLE erp46r.tuihuo_mx_p1 PARTITION OF erp46r.tuihuo_mx_p FOR VALUES IN (1);
CREATE TABLE erp46r.tuihuo_mx_p2 (m int, zt text, thsl integer, xh integer, bgdh text, sqh text, id int, djsj date);
ALTER TABLE erp46r.tuihuo_mx_p ATTACH PARTITION erp46r.tuihuo_mx_p2 FOR VALUES IN (2);
UPDATE erp46r.tuihuo_shenqing SET zt = 'SB' WHERE sqh = 'SQ1';
UPDATE erp46r.tuihuo_shenqing SET zt = 'SB' WHERE sqh = 'SQ2';
SELECT cbreturn.attach_header('erp46r.tuihuo_mx_p', 'erp46r.tuihuo_shenqing', '{sqh}', '{sqh}', status => 'zt');
SELECT cbreturn.attach_quantity_check('erp46r.tuihuo_mx_p', line => '{bgdh,xh}', quantity => 'thsl',
    declared_table => 'erp46r.bgd_mx', declared_line => '{bgdh,xh}', declared_quantity => 'sl',
    freeing_labels => '{BH,CX}');
INSERT INTO erp46r.tuihuo_mx_p (id, sqh, bgdh, xh, thsl, m) VALUES (1, 'SQ1', '292420260000000001', 2, 3, 1);
SELECT regress.try($$INSERT INTO erp46r.tuihuo_mx_p (id, sqh, bgdh, xh, thsl, m) VALUES (2, 'SQ2', '292420260000000001', 2, 2, 2)$$);
UPDATE erp46r.tuihuo_shenqing SET zt = 'BH' WHERE sqh = 'SQ1';
INSERT INTO erp46r.tuihuo_mx_p (id, sqh, bgdh, xh, thsl, m) VALUES (2, 'SQ2', '292420260000000001', 2, 2, 2);
SELECT regress.try($$UPDATE erp46r.tuihuo_shenqing SET zt = 'SB' WHERE sqh = 'SQ1'$$);
UPDATE erp46r.tuihuo_shenqing SET zt = 'CX' WHERE sqh = 'SQ2';
UPDATE erp46r.tuihuo_shenqing SET zt = 'SB' WHERE sqh = 'SQ1';
SELECT l.returned, l.return_rows FROM cbreturn.quantity_ledger l
 WHERE l.declared_relation = 'erp46r.bgd_mx'::regclass ORDER BY 1;
SELECT * FROM cbreturn.verify_quantity_ledger('erp46r.bgd_mx');
SELECT regress.try($$SELECT cbreturn.attach_status_check('erp46r.tuihuo_mx_p', status => 'zt', registered_at => 'djsj')$$);
SELECT cbreturn.detach('erp46r.tuihuo_mx_p');

-- 10. In one transaction (the transaction's cache of header rows): a line
-- written after its request's status changed reads the new status; after a
-- savepoint rolled back a status change, the status as it was.
CREATE TABLE erp46r.tuihuo_mx_t (id int PRIMARY KEY, sqh text, bgdh text, xh integer, thsl integer);
INSERT INTO erp46r.tuihuo_shenqing VALUES ('SQ4', 'SB'), ('SQ5', 'SB');
SELECT cbreturn.attach_header('erp46r.tuihuo_mx_t', 'erp46r.tuihuo_shenqing', '{sqh}', '{sqh}', status => 'zt');
SELECT cbreturn.attach_quantity_check('erp46r.tuihuo_mx_t', line => '{bgdh,xh}', quantity => 'thsl',
    declared_table => 'erp46r.bgd_mx', declared_line => '{bgdh,xh}', declared_quantity => 'sl',
    freeing_labels => '{BH,CX}');
BEGIN;
INSERT INTO erp46r.tuihuo_mx_t VALUES (1, 'SQ4', '292420260000000001', 1, 6);
UPDATE erp46r.tuihuo_shenqing SET zt = 'BH' WHERE sqh = 'SQ4';
INSERT INTO erp46r.tuihuo_mx_t VALUES (2, 'SQ4', '292420260000000001', 1, 7);
INSERT INTO erp46r.tuihuo_mx_t VALUES (3, 'SQ5', '292420260000000001', 1, 10);
SAVEPOINT s;
UPDATE erp46r.tuihuo_shenqing SET zt = 'BH' WHERE sqh = 'SQ5';
INSERT INTO erp46r.tuihuo_mx_t VALUES (4, 'SQ5', '292420260000000001', 1, 10);
ROLLBACK TO s;
SELECT regress.try($$INSERT INTO erp46r.tuihuo_mx_t VALUES (5, 'SQ5', '292420260000000001', 1, 1)$$);
SELECT l.returned, l.return_rows FROM cbreturn.quantity_ledger l
 WHERE l.declared_relation = 'erp46r.bgd_mx'::regclass ORDER BY 1;
COMMIT;
SELECT * FROM cbreturn.verify_quantity_ledger('erp46r.bgd_mx');
SELECT cbreturn.detach('erp46r.tuihuo_mx_t');

-- 11. A status check on the request table over the status the lines read:
-- the quantity check takes its rejected and withdrawn labels (codes 07 and
-- 09 here), as it does from a status check on its own table; labels that
-- differ are refused (22023).  A typo was accepted, and a rejected request
-- kept holding its quantity.
CREATE TABLE erp46r.sq2 (sqh text PRIMARY KEY, zt text NOT NULL, djsj timestamptz, bhsj timestamptz);
SELECT cbreturn.attach_status_check('erp46r.sq2', status => 'zt', registered_at => 'djsj', rejected_at => 'bhsj',
    labels => '{01,02,03,04,05,06,07}', withdrawn => '09');
INSERT INTO erp46r.sq2 VALUES ('R1', '01', '2026-05-01', NULL), ('R2', '07', '2026-05-01', '2026-05-02');
CREATE TABLE erp46r.mx2 (id int PRIMARY KEY, sqh text, bgdh text, xh integer, thsl integer);
SELECT cbreturn.attach_header('erp46r.mx2', 'erp46r.sq2', '{sqh}', '{sqh}', status => 'zt');
SELECT regress.try($$SELECT cbreturn.attach_quantity_check('erp46r.mx2', line => '{bgdh,xh}', quantity => 'thsl',
    declared_table => 'erp46r.bgd_mx', declared_line => '{bgdh,xh}', declared_quantity => 'sl',
    freeing_labels => '{BH}')$$);
SELECT cbreturn.attach_quantity_check('erp46r.mx2', line => '{bgdh,xh}', quantity => 'thsl',
    declared_table => 'erp46r.bgd_mx', declared_line => '{bgdh,xh}', declared_quantity => 'sl');
SELECT freeing_labels FROM cbreturn.attached_checks WHERE "table" = 'erp46r.mx2'::regclass AND check_kind = 'quantity';
-- the status check attached after the quantity check: labels that differ
-- from the quantity check's are refused (22023), as on one table
SELECT cbreturn.detach('erp46r.sq2', 'status');
SELECT regress.try($$SELECT cbreturn.attach_status_check('erp46r.sq2', status => 'zt', registered_at => 'djsj',
    rejected_at => 'bhsj', labels => '{01,02,03,04,05,06,08}', withdrawn => '09')$$);
SELECT cbreturn.attach_status_check('erp46r.sq2', status => 'zt', registered_at => 'djsj', rejected_at => 'bhsj',
    labels => '{01,02,03,04,05,06,07}', withdrawn => '09');
SELECT cbreturn.detach('erp46r.mx2');

DROP SCHEMA erp46r CASCADE;
DROP ROLE erp46r_clerk;
