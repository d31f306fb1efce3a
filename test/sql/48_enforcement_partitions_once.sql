-- A partitioned table is attached once, on its parent (issue 12, item 2 of
-- the ERP fit; issue 9, item 7): the export, import and status checks and a
-- declaration header cover every partition, those created or attached later
-- and sub-partitions included, each read by its own column numbers.
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SET search_path = public, cbreturn;

CREATE SCHEMA p48o;
CREATE TABLE p48o.hdr (                       -- the export list header
    list_no     text PRIMARY KEY,
    exported_at timestamptz NOT NULL
);
INSERT INTO p48o.hdr VALUES ('L1', '2026-01-10 10:00+08'), ('L2', '2025-01-10 10:00+08');
CREATE TABLE p48o.ret (
    id          int NOT NULL,
    month       date NOT NULL,
    list_no     text,
    reason      text,
    returned_at timestamptz,                  -- R-T-1: read as its China date
    ordinary    boolean NOT NULL DEFAULT false,
    status      text NOT NULL DEFAULT 'registered',
    registered_at timestamptz,
    declared_at timestamptz,
    PRIMARY KEY (id, month)
) PARTITION BY RANGE (month);
CREATE TABLE p48o.ret_01 PARTITION OF p48o.ret FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');

-- The header and both checks, once, on the parent.
SELECT attach_header('p48o.ret', header => 'p48o.hdr', key => '{list_no}', header_key => '{list_no}',
                     exported_on => 'exported_at');
SELECT attach_export_return_checks('p48o.ret', exported_on => NULL, reason => 'reason',
                                   returned_on => 'returned_at');
SELECT attach_status_check('p48o.ret', status => 'status', registered_at => 'registered_at',
                           declared_at => 'declared_at');
SELECT "table", check_kind, trigger_name FROM attached_checks
 WHERE "table"::text LIKE 'p48o.%' ORDER BY check_kind COLLATE "C";

-- A month created after the attach (no call of ours): a late return is
-- refused there, a timely one accepted.
CREATE TABLE p48o.ret_02 PARTITION OF p48o.ret FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
SELECT regress.try($$INSERT INTO p48o.ret (id, month, list_no, reason, returned_at, registered_at)
                     VALUES (1, '2026-02-05', 'L2', 'unsold', '2026-02-05 09:00+08', now())$$);
SELECT regress.try($$INSERT INTO p48o.ret (id, month, list_no, reason, returned_at, registered_at)
                     VALUES (2, '2026-02-05', 'L1', 'unsold', '2026-02-05 09:00+08', now())$$);
-- R-T-1 through the partition's clause: 2026-07-10 is the deadline; 23:30
-- Beijing time on it is 15:30 UTC, on time; 00:30 the next day is late.
SELECT regress.try($$INSERT INTO p48o.ret (id, month, list_no, reason, returned_at, registered_at)
                     VALUES (3, '2026-02-06', 'L1', 'unsold', '2026-07-10 15:30+00', now())$$);
SELECT regress.try($$INSERT INTO p48o.ret (id, month, list_no, reason, returned_at, registered_at)
                     VALUES (4, '2026-02-06', 'L1', 'unsold', '2026-07-10 16:30+00', now())$$);

-- A month built separately, its columns in another order and numbered past a
-- dropped one, then attached: its own numbers are read.
CREATE TABLE p48o.ret_03 (junk text, declared_at timestamptz, status text NOT NULL DEFAULT 'registered',
                          registered_at timestamptz, ordinary boolean NOT NULL DEFAULT false,
                          returned_at timestamptz, reason text, list_no text,
                          month date NOT NULL, id int NOT NULL, PRIMARY KEY (id, month));
ALTER TABLE p48o.ret_03 DROP COLUMN junk;
ALTER TABLE p48o.ret ATTACH PARTITION p48o.ret_03 FOR VALUES FROM ('2026-03-01') TO ('2026-04-01');
SELECT a.attnum AS ret_03_reason_attnum, b.attnum AS ret_reason_attnum
  FROM pg_attribute a, pg_attribute b
 WHERE a.attrelid = 'p48o.ret_03'::regclass AND a.attname = 'reason'
   AND b.attrelid = 'p48o.ret'::regclass AND b.attname = 'reason';
SELECT regress.try($$INSERT INTO p48o.ret (id, month, list_no, reason, returned_at, registered_at)
                     VALUES (5, '2026-03-05', 'L2', 'unsold', '2026-03-05 09:00+08', now())$$);
SELECT regress.try($$INSERT INTO p48o.ret (id, month, list_no, reason, returned_at, registered_at)
                     VALUES (6, '2026-03-05', 'L1', 'unsold', '2026-03-05 09:00+08', now())$$);
-- the reason vocabulary and the status check there too
SELECT regress.try($$INSERT INTO p48o.ret (id, month, list_no, reason, returned_at, registered_at)
                     VALUES (7, '2026-03-05', 'L1', 'no such label', '2026-03-05 09:00+08', now())$$);
SELECT regress.try($$UPDATE p48o.ret SET status = 'declared' WHERE id = 6$$);
SELECT regress.try($$UPDATE p48o.ret SET status = 'declared', declared_at = now() WHERE id = 6$$);
SELECT regress.try($$UPDATE p48o.ret SET status = 'registered' WHERE id = 6$$);
-- COPY through the parent, batched, routed to both months
SELECT regress.try($$COPY p48o.ret (id, month, list_no, reason, returned_at, registered_at) FROM PROGRAM
                     'printf "8\t2026-02-07\tL1\tunsold\t2026-02-07 10:00+08\t2026-02-07 10:00+08\n9\t2026-03-07\tL2\tunsold\t2026-03-07 10:00+08\t2026-03-07 10:00+08\n"'$$);
SELECT regress.try($$COPY p48o.ret (id, month, list_no, reason, returned_at, registered_at) FROM PROGRAM
                     'printf "8\t2026-02-07\tL1\tunsold\t2026-02-07 10:00+08\t2026-02-07 10:00+08\n9\t2026-03-07\tL1\tunsold\t2026-03-07 10:00+08\t2026-03-07 10:00+08\n"'$$);

-- A sub-partitioned month: its leaves are covered.
CREATE TABLE p48o.ret_04 PARTITION OF p48o.ret FOR VALUES FROM ('2026-04-01') TO ('2026-05-01')
    PARTITION BY RANGE (month);
CREATE TABLE p48o.ret_04a PARTITION OF p48o.ret_04 FOR VALUES FROM ('2026-04-01') TO ('2026-04-16');
SELECT regress.try($$INSERT INTO p48o.ret (id, month, list_no, reason, returned_at, registered_at)
                     VALUES (10, '2026-04-05', 'L2', 'unsold', '2026-04-05 09:00+08', now())$$);

-- What a partition inherits names no table: its WHEN clause passes the
-- partition the row is in (NEW.tableoid), and the partitions carry no
-- metadata of their own.
SELECT t.tgrelid::regclass AS partition, t.tgparentid <> 0 AS cloned,
       pg_get_triggerdef(t.oid) LIKE '%_export_row_ok((new.tableoid)::regclass,%' AS when_tableoid
  FROM pg_trigger t
 WHERE t.tgname = 'cbreturn_export_check'
   AND t.tgrelid IN (SELECT relid FROM pg_partition_tree('p48o.ret'))
 ORDER BY t.tgrelid::regclass::text COLLATE "C";
SELECT count(*) AS partition_metadata FROM cbreturn.attached_check
 WHERE relation IN (SELECT relid FROM pg_partition_tree('p48o.ret') WHERE parentrelid IS NOT NULL);
-- A bare partition of a tree checked on its parent is not refused at commit.
SELECT count(*) AS queued FROM cbreturn.partition_pending;

-- One partition cannot carry a kind twice.
SELECT regress.try($$SELECT attach_status_check('p48o.ret_02', status => 'status')$$);
SELECT regress.try($$SELECT detach('p48o.ret_02', 'status')$$);
CREATE TABLE p48o.other (id int, month date, reason text, d date) PARTITION BY RANGE (month);
CREATE TABLE p48o.other_1 PARTITION OF p48o.other FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
SELECT attach_export_return_checks('p48o.other_1', exported_on => 'd', reason => 'reason');
SELECT regress.try($$SELECT attach_export_return_checks('p48o.other', exported_on => 'd', reason => 'reason')$$);

-- Options on the parent: the ordinary-return column, record mode.
SELECT set_ordinary_return_column('p48o.ret', 'export', 'ordinary');
SELECT regress.try($$INSERT INTO p48o.ret (id, month, list_no, reason, returned_at, ordinary, registered_at)
                     VALUES (11, '2026-03-08', 'L2', 'unsold', '2026-03-08 09:00+08', true, now())$$);
SELECT set_on_violation('p48o.ret', 'export', 'record');
SELECT regress.try($$INSERT INTO p48o.ret (id, month, list_no, reason, returned_at, registered_at)
                     VALUES (12, '2026-02-08', 'L2', 'unsold', '2026-02-08 09:00+08', now()),
                            (13, '2026-03-08', 'L2', 'unsold', '2026-03-08 09:00+08', now())$$);
SELECT relation, rule_id, sqlstate FROM cbreturn.violation_log
 WHERE relation::text LIKE 'p48o.%' ORDER BY relation::text COLLATE "C";
SELECT set_on_violation('p48o.ret', 'export', 'refuse');

-- Existing rows: violations() and validate() on the parent read every partition.
SELECT row_key, check_kind, rule_id, sqlstate FROM violations('p48o.ret') ORDER BY row_key::text COLLATE "C";
SELECT regress.try($$SELECT * FROM validate('p48o.ret')$$);
DELETE FROM p48o.ret WHERE id IN (12, 13);
SELECT * FROM validate('p48o.ret') v ORDER BY v.check_kind COLLATE "C";

-- The declaration header's guard sees the returns of every partition.
SELECT regress.try($$UPDATE p48o.hdr SET exported_at = '2025-06-01 10:00+08' WHERE list_no = 'L1'$$);
SELECT regress.try($$DELETE FROM p48o.hdr WHERE list_no = 'L1'$$);
SELECT regress.try($$TRUNCATE p48o.hdr$$);

-- DETACH PARTITION: PostgreSQL drops the cloned triggers, so the table
-- leaves the checks behind and is not checked any more.
ALTER TABLE p48o.ret DETACH PARTITION p48o.ret_02;
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'p48o.ret_02'::regclass AND NOT tgisinternal;
SELECT regress.try($$INSERT INTO p48o.ret_02 (id, month, list_no, reason, returned_at)
                     VALUES (14, '2026-02-09', 'L2', 'unsold', '2026-02-09 09:00+08')$$);

-- detach() on the parent removes the checks from every partition.
SELECT detach('p48o.ret', 'export');
SELECT count(*) AS export_triggers FROM pg_trigger
 WHERE tgname = 'cbreturn_export_check' AND tgrelid IN (SELECT relid FROM pg_partition_tree('p48o.ret'));
SELECT regress.try($$INSERT INTO p48o.ret (id, month, list_no, reason, returned_at, registered_at)
                     VALUES (15, '2026-03-09', 'L2', 'unsold', '2026-03-09 09:00+08', now())$$);
SELECT detach('p48o.ret');
SELECT count(*) AS checks_left FROM cbreturn.attached_check WHERE relation::text LIKE 'p48o.ret%';
SELECT detach('p48o.other_1');

-- The import check (AFTER, WHEN clause) and the export check that fills a
-- deadline (BEFORE, no WHEN clause) on a parent, read in a partition with
-- other column numbers.
CREATE TABLE p48o.imp (id int, month date, released date, applied date, PRIMARY KEY (id, month))
    PARTITION BY RANGE (month);
SELECT attach_import_return_checks('p48o.imp', released_on => 'released', applied_on => 'applied');
CREATE TABLE p48o.imp_01 (gone int, applied date, released date, month date, id int, PRIMARY KEY (id, month));
ALTER TABLE p48o.imp_01 DROP COLUMN gone;
ALTER TABLE p48o.imp ATTACH PARTITION p48o.imp_01 FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
SELECT regress.try($$INSERT INTO p48o.imp VALUES (1, '2026-01-05', '2026-01-05', '2026-02-05')$$);
SELECT regress.try($$INSERT INTO p48o.imp VALUES (2, '2026-01-05', '2026-01-05', '2026-02-04')$$);
CREATE TABLE p48o.fill (id int, month date, exported date, reason text, back date, deadline date,
                        PRIMARY KEY (id, month)) PARTITION BY RANGE (month);
SELECT attach_export_return_checks('p48o.fill', exported_on => 'exported', reason => 'reason',
                                   returned_on => 'back', deadline => 'deadline');
CREATE TABLE p48o.fill_01 (gone int, deadline date, back date, reason text, exported date, month date, id int,
                           PRIMARY KEY (id, month));
ALTER TABLE p48o.fill_01 DROP COLUMN gone;
ALTER TABLE p48o.fill ATTACH PARTITION p48o.fill_01 FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
INSERT INTO p48o.fill (id, month, exported, reason, back) VALUES (1, '2026-01-05', '2025-12-31', 'unsold', '2026-01-05');
SELECT id, deadline FROM p48o.fill;
SELECT regress.try($$INSERT INTO p48o.fill (id, month, exported, reason, back)
                     VALUES (2, '2026-01-05', '2025-01-31', 'unsold', '2026-01-05')$$);
SELECT detach('p48o.imp'), detach('p48o.fill');

-- Quantity and status together on one partitioned table (rules section 6):
-- the status check on the parent gives the quantity check on the parent its
-- column and labels, and a rejection in any partition frees its quantity.
CREATE TABLE p48o.decl (list_no text, item int, qty int, PRIMARY KEY (list_no, item));
INSERT INTO p48o.decl VALUES ('L1', 1, 5);
CREATE TABLE p48o.lines (id int, month date, list_no text, item int, qty int,
                         status text NOT NULL DEFAULT 'registered', PRIMARY KEY (id, month))
    PARTITION BY RANGE (month);
CREATE TABLE p48o.lines_01 PARTITION OF p48o.lines FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
SELECT attach_status_check('p48o.lines', status => 'status', withdrawn => 'withdrawn');
SELECT attach_quantity_check('p48o.lines', line => '{list_no,item}', quantity => 'qty',
                             declared_table => 'p48o.decl', declared_line => '{list_no,item}',
                             declared_quantity => 'qty');
SELECT check_kind, freeing_labels FROM attached_checks WHERE "table" = 'p48o.lines'::regclass
 ORDER BY check_kind COLLATE "C";
CREATE TABLE p48o.lines_02 (status text NOT NULL DEFAULT 'registered', qty int, item int, list_no text,
                            month date, id int, PRIMARY KEY (id, month));
ALTER TABLE p48o.lines ATTACH PARTITION p48o.lines_02 FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
INSERT INTO p48o.lines VALUES (1, '2026-01-05', 'L1', 1, 3), (2, '2026-02-05', 'L1', 1, 2);
SELECT regress.try($$INSERT INTO p48o.lines VALUES (3, '2026-02-06', 'L1', 1, 1)$$);
UPDATE p48o.lines SET status = 'withdrawn' WHERE id = 2;
SELECT regress.try($$INSERT INTO p48o.lines VALUES (3, '2026-02-06', 'L1', 1, 2)$$);
SELECT regress.try($$UPDATE p48o.lines SET status = 'registered' WHERE id = 2$$);
SELECT * FROM verify_quantity_ledger('p48o.decl');
SELECT detach('p48o.lines');
DROP SCHEMA p48o CASCADE;
