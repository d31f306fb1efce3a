-- A partitioned return request table (issue 12, items 2 and 6): the request
-- header (退货申请单) is partitioned by month, as the worked ERP's requests
-- are, and carries the status whose freeing labels (rules section 6) free
-- the quantity of its lines.  The quantity check must find a line's request
-- row in whichever partition holds it, partitions created or attached later
-- included (one with its own column order); the guard, cloned to every
-- partition, moves the lines in the ledger when a request's status changes
-- in any partition; moving a request to another partition re-keys it (the
-- partition key is part of every unique key of a partitioned table), which
-- is refused while lines name it, so the ledger never counts a line whose
-- request moved.  Concurrency: test/isolation/specs/quantity_request_partitioned.spec.
SET datestyle = 'ISO, YMD';
SET timezone = 'UTC';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

CREATE SCHEMA erp46p;
CREATE TABLE erp46p.bgd_mx (
    bgdh    text,
    xh      integer,
    sl      integer NOT NULL,
    PRIMARY KEY (bgdh, xh)
);
INSERT INTO erp46p.bgd_mx VALUES ('292420260000000001', 1, 10), ('292420260000000001', 2, 4);
-- the requests, by month of application (申请月份)
CREATE TABLE erp46p.shenqing (
    sqh     text,
    yuefen  date,
    zt      varchar(4),
    PRIMARY KEY (sqh, yuefen)
) PARTITION BY RANGE (yuefen);
CREATE TABLE erp46p.shenqing_202603 PARTITION OF erp46p.shenqing FOR VALUES FROM ('2026-03-01') TO ('2026-04-01');
-- a month built apart, with its own column order and a dropped column
CREATE TABLE erp46p.shenqing_202604 (zt varchar(4), gone int, yuefen date NOT NULL, sqh text NOT NULL);
ALTER TABLE erp46p.shenqing_202604 DROP COLUMN gone;
ALTER TABLE erp46p.shenqing ATTACH PARTITION erp46p.shenqing_202604 FOR VALUES FROM ('2026-04-01') TO ('2026-05-01');
CREATE TABLE erp46p.mx (
    id      integer PRIMARY KEY,
    sqh     text,
    yuefen  date,
    bgdh    text,
    xh      integer,
    thsl    integer
);
INSERT INTO erp46p.shenqing VALUES ('SQ1', '2026-03-01', 'SB'), ('SQ2', '2026-04-01', 'SB'),
                                   ('SQ3', '2026-04-01', 'BH');

-- 1. Attach: a partitioned header is accepted; its guard is on every
-- partition (the row guard cloned, a TRUNCATE guard on each).
SELECT cbreturn.attach_header('erp46p.mx', 'erp46p.shenqing', '{sqh,yuefen}', '{sqh,yuefen}', status => 'zt');
SELECT cbreturn.attach_quantity_check('erp46p.mx', line => '{bgdh,xh}', quantity => 'thsl',
    declared_table => 'erp46p.bgd_mx', declared_line => '{bgdh,xh}', declared_quantity => 'sl',
    freeing_labels => '{BH,CX}');
SELECT t.tgrelid::regclass AS on_table, t.tgname FROM pg_trigger t
 WHERE t.tgrelid IN (SELECT relid FROM pg_partition_tree('erp46p.shenqing'))
 ORDER BY 1, 2;

-- 2. A line reads its request's status in the request's own partition: a
-- line of the rejected SQ3 (April, columns in another order) holds nothing,
-- one of SQ1 (March) holds its quantity; a line naming no request: CB014.
INSERT INTO erp46p.mx VALUES (1, 'SQ1', '2026-03-01', '292420260000000001', 1, 6);
INSERT INTO erp46p.mx VALUES (2, 'SQ3', '2026-04-01', '292420260000000001', 1, 10);
SELECT regress.try($$INSERT INTO erp46p.mx VALUES (3, 'SQ2', '2026-04-01', '292420260000000001', 1, 5)$$);
SELECT regress.try($$INSERT INTO erp46p.mx VALUES (4, 'SQ1', '2026-04-01', '292420260000000001', 1, 1)$$);
SELECT l.returned, l.return_rows FROM cbreturn.quantity_ledger l
 WHERE l.declared_relation = 'erp46p.bgd_mx'::regclass ORDER BY 1;

-- 3. Rejecting SQ1 in its partition frees its line; reinstating it would
-- take the quantity again: refused (CB003), the request row named.
UPDATE erp46p.shenqing SET zt = 'BH' WHERE sqh = 'SQ1';
INSERT INTO erp46p.mx VALUES (3, 'SQ2', '2026-04-01', '292420260000000001', 1, 5);
SELECT regress.try($$UPDATE erp46p.shenqing SET zt = 'SB' WHERE sqh = 'SQ1'$$);
-- through the partition itself (its own column numbers): the same
SELECT regress.try($$UPDATE erp46p.shenqing_202604 SET zt = 'SB' WHERE sqh = 'SQ3'$$);
UPDATE erp46p.shenqing_202604 SET zt = 'CX' WHERE sqh = 'SQ2';
UPDATE erp46p.shenqing SET zt = 'SB' WHERE sqh = 'SQ1';
SELECT l.returned, l.return_rows FROM cbreturn.quantity_ledger l
 WHERE l.declared_relation = 'erp46p.bgd_mx'::regclass ORDER BY 1;

-- 4. A month created later, and one attached later: their requests are
-- found, their status changes move their lines, TRUNCATE of them refused.
CREATE TABLE erp46p.shenqing_202605 PARTITION OF erp46p.shenqing FOR VALUES FROM ('2026-05-01') TO ('2026-06-01');
CREATE TABLE erp46p.shenqing_202606 (LIKE erp46p.shenqing);
ALTER TABLE erp46p.shenqing ATTACH PARTITION erp46p.shenqing_202606 FOR VALUES FROM ('2026-06-01') TO ('2026-07-01');
INSERT INTO erp46p.shenqing VALUES ('SQ5', '2026-05-01', 'SB'), ('SQ6', '2026-06-01', 'SB');
INSERT INTO erp46p.mx VALUES (5, 'SQ5', '2026-05-01', '292420260000000001', 2, 3);
SELECT regress.try($$INSERT INTO erp46p.mx VALUES (6, 'SQ6', '2026-06-01', '292420260000000001', 2, 2)$$);
UPDATE erp46p.shenqing SET zt = 'CX' WHERE sqh = 'SQ5';
INSERT INTO erp46p.mx VALUES (6, 'SQ6', '2026-06-01', '292420260000000001', 2, 2);
SELECT regress.try($$TRUNCATE erp46p.shenqing_202606$$);
SELECT regress.try($$TRUNCATE erp46p.shenqing$$);
SELECT l.returned, l.return_rows FROM cbreturn.quantity_ledger l
 WHERE l.declared_relation = 'erp46p.bgd_mx'::regclass ORDER BY 1;

-- 5. Moving a request to another month (another partition) re-keys it:
-- refused while lines name it (CB014), whatever its status, and nothing
-- moves in the ledger; a request no line names moves freely, and a line
-- written afterwards finds it where it is.
SELECT regress.try($$UPDATE erp46p.shenqing SET yuefen = '2026-04-01' WHERE sqh = 'SQ1'$$);
SELECT regress.try($$UPDATE erp46p.shenqing SET yuefen = '2026-06-01', zt = 'BH' WHERE sqh = 'SQ5'$$);
SELECT regress.try($$DELETE FROM erp46p.shenqing WHERE sqh = 'SQ6'$$);
INSERT INTO erp46p.shenqing VALUES ('SQ7', '2026-03-01', 'SB');
UPDATE erp46p.shenqing SET yuefen = '2026-05-01' WHERE sqh = 'SQ7';
SELECT tableoid::regclass AS partition, sqh, zt FROM erp46p.shenqing WHERE sqh = 'SQ7';
SELECT regress.try($$INSERT INTO erp46p.mx VALUES (7, 'SQ7', '2026-03-01', '292420260000000001', 2, 1)$$);
INSERT INTO erp46p.mx VALUES (7, 'SQ7', '2026-05-01', '292420260000000001', 2, 1);
SELECT l.returned, l.return_rows FROM cbreturn.quantity_ledger l
 WHERE l.declared_relation = 'erp46p.bgd_mx'::regclass ORDER BY 1;

-- 6. The ledger the writes and the guard kept is the one a recount gives
-- (the recount reads the status through the partitioned header).
SELECT * FROM cbreturn.verify_quantity_ledger('erp46p.bgd_mx');
SELECT cbreturn.rebuild_quantity_ledger('erp46p.bgd_mx');
SELECT l.returned, l.return_rows FROM cbreturn.quantity_ledger l
 WHERE l.declared_relation = 'erp46p.bgd_mx'::regclass ORDER BY 1;

-- 7. In one transaction (the transaction's cache of header rows): a line
-- written after its request's status changed reads the new status.
BEGIN;
INSERT INTO erp46p.mx VALUES (8, 'SQ7', '2026-05-01', '292420260000000001', 2, 1);
UPDATE erp46p.shenqing SET zt = 'BH' WHERE sqh = 'SQ6';
INSERT INTO erp46p.mx VALUES (9, 'SQ6', '2026-06-01', '292420260000000001', 2, 3);
SELECT regress.try($$INSERT INTO erp46p.mx VALUES (10, 'SQ7', '2026-05-01', '292420260000000001', 2, 3)$$);
SELECT l.returned, l.return_rows FROM cbreturn.quantity_ledger l
 WHERE l.declared_relation = 'erp46p.bgd_mx'::regclass ORDER BY 1;
ROLLBACK;

-- 8. Export facts from a partitioned declaration header: the export date
-- (a timestamptz: its China date, R-T-1) of each return read from its
-- list's partition (one with its own column numbers), a correction of it
-- re-checked against the returns (CB014).
CREATE TABLE erp46p.qingdan (
    qdh     text,
    yuefen  date,
    ckrq    timestamptz,
    PRIMARY KEY (qdh, yuefen)
) PARTITION BY LIST (yuefen);
CREATE TABLE erp46p.qingdan_202601 PARTITION OF erp46p.qingdan FOR VALUES IN ('2026-01-01');
CREATE TABLE erp46p.qingdan_202602 (ckrq timestamptz, gone int, qdh text NOT NULL, yuefen date NOT NULL);
ALTER TABLE erp46p.qingdan_202602 DROP COLUMN gone;
ALTER TABLE erp46p.qingdan ATTACH PARTITION erp46p.qingdan_202602 FOR VALUES IN ('2026-02-01');
INSERT INTO erp46p.qingdan VALUES ('Q1', '2026-01-01', '2026-01-10 12:00+08'),
                                  ('Q2', '2026-02-01', '2026-02-10 12:00+08');
CREATE TABLE erp46p.tuihuo (
    id      integer PRIMARY KEY,
    qdh     text,
    yuefen  date,
    reason  cbreturn.return_reason,
    thrq    date
);
SELECT cbreturn.attach_header('erp46p.tuihuo', 'erp46p.qingdan', '{qdh,yuefen}', '{qdh,yuefen}',
                              exported_on => 'ckrq');
SELECT cbreturn.attach_export_return_checks('erp46p.tuihuo', exported_on => NULL, reason => 'reason', returned_on => 'thrq');
-- unsold: 6 months from the export (R-EX-1); Q2's deadline is 2026-08-10
INSERT INTO erp46p.tuihuo VALUES (1, 'Q2', '2026-02-01', 'unsold', '2026-08-10');
SELECT regress.try($$INSERT INTO erp46p.tuihuo VALUES (2, 'Q1', '2026-01-01', 'unsold', '2026-08-10')$$);
SELECT regress.try($$UPDATE erp46p.qingdan SET ckrq = '2026-02-01 12:00+08' WHERE qdh = 'Q2'$$);
UPDATE erp46p.qingdan SET ckrq = '2026-02-11 12:00+08' WHERE qdh = 'Q2';
SELECT * FROM cbreturn.violations('erp46p.tuihuo');

-- 8b. A header partitioned by hash, one of its partitions partitioned again
-- by range with a default partition: every return finds its row wherever
-- PostgreSQL routed it (the lookup routes the key as PostgreSQL does).
CREATE TABLE erp46p.qd_hash (qdh text PRIMARY KEY, ckrq date) PARTITION BY HASH (qdh);
CREATE TABLE erp46p.qd_hash_0 PARTITION OF erp46p.qd_hash FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE erp46p.qd_hash_1 PARTITION OF erp46p.qd_hash FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE erp46p.qd_hash_2 PARTITION OF erp46p.qd_hash FOR VALUES WITH (MODULUS 3, REMAINDER 2)
    PARTITION BY RANGE (qdh);
CREATE TABLE erp46p.qd_hash_2a PARTITION OF erp46p.qd_hash_2 FOR VALUES FROM (MINVALUE) TO ('H2');
CREATE TABLE erp46p.qd_hash_2b PARTITION OF erp46p.qd_hash_2 DEFAULT;
INSERT INTO erp46p.qd_hash SELECT 'H' || i, date '2026-03-01' FROM generate_series(1, 30) i;
CREATE TABLE erp46p.th_hash (id integer PRIMARY KEY, qdh text, reason cbreturn.return_reason, thrq date);
SELECT cbreturn.attach_header('erp46p.th_hash', 'erp46p.qd_hash', '{qdh}', '{qdh}', exported_on => 'ckrq');
SELECT cbreturn.attach_export_return_checks('erp46p.th_hash', exported_on => NULL, reason => 'reason', returned_on => 'thrq');
INSERT INTO erp46p.th_hash SELECT i, 'H' || i, 'unsold', '2026-09-01' FROM generate_series(1, 30) i;
SELECT count(*) AS returns, count(DISTINCT h.tableoid) AS partitions_read
  FROM erp46p.th_hash r JOIN erp46p.qd_hash h USING (qdh);
-- the deadline of a return of H7 is read from its row (2026-09-01 is on
-- time; a day later is not), and a return naming no row is refused
SELECT regress.try($$INSERT INTO erp46p.th_hash VALUES (31, 'H7', 'unsold', '2026-09-02')$$);
SELECT regress.try($$INSERT INTO erp46p.th_hash VALUES (32, 'H99', 'unsold', '2026-09-01')$$);

-- 8c. A partition leaves the header (DETACH PARTITION, DROP TABLE): no row
-- is deleted and no TRUNCATE trigger fires, so without a guard the returns
-- naming its rows would name no header row.  Refused (CB014) while a return
-- names one of its rows, a sub-partitioned partition with its partitions,
-- CONCURRENTLY too; nothing changed.  A partition no return names leaves
-- freely, and so may be truncated while other partitions' rows are named.
SELECT regress.try($$ALTER TABLE erp46p.qd_hash DETACH PARTITION erp46p.qd_hash_2$$);
SELECT regress.try($$DROP TABLE erp46p.qd_hash_2b$$);
SELECT regress.try($$DROP TABLE erp46p.qd_hash_0, erp46p.qd_hash_1$$);
-- only what PostgreSQL will run is asked: a table that is not the
-- partition's parent, a parent that does not exist (IF EXISTS skips the
-- statement) and CONCURRENTLY in a transaction block are PostgreSQL's
-- errors, not CB014
CREATE TABLE erp46p.other_parent (qdh text) PARTITION BY LIST (qdh);
SELECT regress.try($$ALTER TABLE erp46p.other_parent DETACH PARTITION erp46p.qd_hash_2$$);
ALTER TABLE IF EXISTS erp46p.no_such_table DETACH PARTITION erp46p.qd_hash_2;
BEGIN;
ALTER TABLE erp46p.qd_hash DETACH PARTITION erp46p.qd_hash_2 CONCURRENTLY;
ROLLBACK;
DROP TABLE erp46p.other_parent;
ALTER TABLE erp46p.qd_hash DETACH PARTITION erp46p.qd_hash_1 CONCURRENTLY;
SELECT count(*) AS partitions, (SELECT count(*) FROM erp46p.qd_hash) AS rows
  FROM pg_partition_tree('erp46p.qd_hash');
-- the returns of H1 .. H30 held in qd_hash_1 go; then it leaves
DELETE FROM erp46p.th_hash r USING erp46p.qd_hash_1 h WHERE h.qdh = r.qdh;
TRUNCATE erp46p.qd_hash_1;
INSERT INTO erp46p.qd_hash_1 SELECT 'H' || i, date '2026-03-01' FROM generate_series(1, 30) i
  WHERE satisfies_hash_partition('erp46p.qd_hash'::regclass, 3, 1, 'H' || i);
ALTER TABLE erp46p.qd_hash DETACH PARTITION erp46p.qd_hash_1;
DROP TABLE erp46p.qd_hash_1;
SELECT count(*) AS partitions FROM pg_partition_tree('erp46p.qd_hash');
-- a partition taken by DROP OWNED BY its owner, or by DROP SCHEMA ...
-- CASCADE of its schema, is asked about as a DROP TABLE of it: refused
-- while returns name its rows; nothing dropped
CREATE ROLE regress_cbr46_month_owner;
ALTER TABLE erp46p.qd_hash_2 OWNER TO regress_cbr46_month_owner;
SELECT regress.try($$DROP OWNED BY regress_cbr46_month_owner$$);
ALTER TABLE erp46p.qd_hash_2 OWNER TO CURRENT_USER;
DROP ROLE regress_cbr46_month_owner;
CREATE SCHEMA erp46m;
CREATE TABLE erp46m.qd_hash_3 PARTITION OF erp46p.qd_hash FOR VALUES WITH (MODULUS 3, REMAINDER 1);
INSERT INTO erp46m.qd_hash_3 SELECT 'H' || i, date '2026-03-01' FROM generate_series(1, 30) i
  WHERE satisfies_hash_partition('erp46p.qd_hash'::regclass, 3, 1, 'H' || i);
INSERT INTO erp46p.th_hash SELECT 900, min(h.qdh), 'unsold', date '2026-09-01' FROM erp46m.qd_hash_3 h;
SELECT regress.try($$DROP SCHEMA erp46m CASCADE$$);
-- a missing schema beside it (IF EXISTS), the schema's owner's objects
-- with CASCADE (DROP OWNED takes the schemas a role owns), an extension the
-- partition is a member of: each refused as well
SELECT regress.try($$DROP SCHEMA IF EXISTS erp46_no_such_schema, erp46m CASCADE$$);
CREATE ROLE regress_cbr46_schema_owner;
ALTER SCHEMA erp46m OWNER TO regress_cbr46_schema_owner;
SELECT regress.try($$DROP OWNED BY regress_cbr46_schema_owner CASCADE$$);
ALTER SCHEMA erp46m OWNER TO CURRENT_USER;
DROP ROLE regress_cbr46_schema_owner;
CREATE EXTENSION hstore SCHEMA erp46m;
ALTER EXTENSION hstore ADD TABLE erp46m.qd_hash_3;
SELECT regress.try($$DROP EXTENSION hstore$$);
ALTER EXTENSION hstore DROP TABLE erp46m.qd_hash_3;
DROP EXTENSION hstore;
SELECT count(*) AS partitions FROM pg_partition_tree('erp46p.qd_hash');
DELETE FROM erp46p.th_hash WHERE id = 900;
DROP SCHEMA erp46m CASCADE;
-- a role that may not drop the partition is refused by PostgreSQL, and
-- cbreturn takes no lock for it first
CREATE ROLE regress_cbr46_other;
GRANT USAGE ON SCHEMA erp46p TO regress_cbr46_other;
SET ROLE regress_cbr46_other;
SELECT regress.try($$DROP TABLE erp46p.qd_hash_0$$);
RESET ROLE;
REVOKE USAGE ON SCHEMA erp46p FROM regress_cbr46_other;
DROP ROLE regress_cbr46_other;
SELECT cbreturn.detach('erp46p.th_hash');

-- 8d. The guards compare keys under the collation of the header's key
-- column, as a foreign key would: a return key of another collation neither
-- blocks the DDL of a partition no return names (it gave 42P22 on every
-- TRUNCATE, DETACH or DROP of a partition) nor lets one go that a return
-- names.
CREATE TABLE erp46p.hc (k text COLLATE "C" PRIMARY KEY, d date) PARTITION BY LIST (k);
CREATE TABLE erp46p.hc_a PARTITION OF erp46p.hc FOR VALUES IN ('E1');
CREATE TABLE erp46p.hc_b PARTITION OF erp46p.hc FOR VALUES IN ('E2');
CREATE TABLE erp46p.hc_c PARTITION OF erp46p.hc FOR VALUES IN ('E3');
INSERT INTO erp46p.hc VALUES ('E1', '2026-01-01'), ('E2', '2026-01-01'), ('E3', '2026-01-01');
CREATE TABLE erp46p.hcret (id int PRIMARY KEY, k text COLLATE "POSIX", reason cbreturn.return_reason, back date);
SELECT cbreturn.attach_header('erp46p.hcret', 'erp46p.hc', '{k}', '{k}', exported_on => 'd');
SELECT cbreturn.attach_export_return_checks('erp46p.hcret', exported_on => NULL, reason => 'reason', returned_on => 'back');
INSERT INTO erp46p.hcret VALUES (1, 'E1', 'unsold', '2026-02-01');
SELECT regress.try($$TRUNCATE erp46p.hc_a$$);
SELECT regress.try($$ALTER TABLE erp46p.hc DETACH PARTITION erp46p.hc_a$$);
SELECT regress.try($$DROP TABLE erp46p.hc_a$$);
TRUNCATE erp46p.hc_b;
ALTER TABLE erp46p.hc DETACH PARTITION erp46p.hc_b;
DROP TABLE erp46p.hc_c;
SELECT count(*) AS partitions FROM pg_partition_tree('erp46p.hc');
-- a table that is a declaration header and a partition of a table that is
-- none keeps its rows when it is detached from that table: not refused
CREATE TABLE erp46p.arch (k text PRIMARY KEY, d date) PARTITION BY LIST (k);
CREATE TABLE erp46p.arch_1 PARTITION OF erp46p.arch FOR VALUES IN ('X1');
INSERT INTO erp46p.arch VALUES ('X1', '2026-01-01');
CREATE TABLE erp46p.aret (id int PRIMARY KEY, k text, reason cbreturn.return_reason, back date);
SELECT cbreturn.attach_header('erp46p.aret', 'erp46p.arch_1', '{k}', '{k}', exported_on => 'd');
SELECT cbreturn.attach_export_return_checks('erp46p.aret', exported_on => NULL, reason => 'reason', returned_on => 'back');
INSERT INTO erp46p.aret VALUES (1, 'X1', 'unsold', '2026-02-01');
ALTER TABLE erp46p.arch DETACH PARTITION erp46p.arch_1;
SELECT count(*) AS header_rows FROM erp46p.arch_1;
SELECT cbreturn.detach('erp46p.aret');
SELECT cbreturn.detach('erp46p.hcret');
DROP TABLE erp46p.aret, erp46p.arch_1, erp46p.arch, erp46p.hcret, erp46p.hc, erp46p.hc_b;

-- 9. Detach: the guards go from the header and from every partition.
SELECT cbreturn.detach('erp46p.tuihuo');
SELECT cbreturn.detach('erp46p.mx', 'quantity');
SELECT cbreturn.detach('erp46p.mx', 'header');
SELECT count(*) AS guards_left FROM pg_trigger t
 WHERE t.tgname LIKE 'cbreturn%'
   AND (t.tgrelid IN (SELECT relid FROM pg_partition_tree('erp46p.shenqing'))
        OR t.tgrelid IN (SELECT relid FROM pg_partition_tree('erp46p.qingdan')));

DROP SCHEMA erp46p CASCADE;
