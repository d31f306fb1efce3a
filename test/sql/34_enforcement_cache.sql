-- Write-time enforcement, part 5: trigger timing and the per-backend cache of
-- attached checks (src/enforce/trigger.c, docs/enforcement.md).  A check that only
-- reads the row fires AFTER it is written, so that COPY keeps inserting in
-- batches; a rejected row must still leave nothing behind, and UPDATE must
-- be checked on the new row.  What a check resolved is kept for the life of
-- the backend; every change it depends on must reach it.
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

CREATE SCHEMA erp5;
CREATE TABLE erp5.ret (
    id          int PRIMARY KEY,
    exported    date,
    returned    date,
    memo        text,
    other_day   date,
    last_day    date
);
CREATE TABLE erp5.imp (id int PRIMARY KEY, released date, applied date);
CREATE TABLE erp5.filled (id int PRIMARY KEY, exported date, reason cbreturn.return_reason, memo text);

-- Timing: reading checks AFTER, filling checks BEFORE (R-EX-1/R-EX-2 filling).
SELECT cbreturn.attach_export_return_checks('erp5.ret', exported_on => 'exported',
                                            returned_on => 'returned', remarks => 'memo');
SELECT cbreturn.attach_import_return_checks('erp5.imp', released_on => 'released', applied_on => 'applied');
SELECT cbreturn.attach_export_return_checks('erp5.filled', exported_on => 'exported', reason => 'reason',
                                            remarks => 'memo', fill_remarks => true);
SELECT tgrelid::regclass AS "table", tgname,
       CASE WHEN tgtype & 2 = 2 THEN 'BEFORE' ELSE 'AFTER' END AS timing
  FROM pg_trigger WHERE tgrelid IN ('erp5.ret'::regclass, 'erp5.imp'::regclass, 'erp5.filled'::regclass)
 ORDER BY 1::text, 2;

-- A rejected row leaves nothing behind, AFTER as BEFORE: one row (CB001).
INSERT INTO erp5.ret VALUES (1, '2026-01-15', '2026-07-16', 'ZXTY');
-- multi-row INSERT, the bad row first, then last
SELECT regress.try($$INSERT INTO erp5.ret (id, exported, returned, memo) VALUES
    (1, '2026-01-15', '2026-07-16', 'ZXTY'), (2, '2026-01-15', '2026-02-01', 'ZXTY')$$);
SELECT regress.try($$INSERT INTO erp5.ret (id, exported, returned, memo) VALUES
    (1, '2026-01-15', '2026-02-01', 'ZXTY'), (2, '2026-01-15', '2026-02-01', 'XXXX')$$);
-- INSERT ... SELECT of 5000 rows, the bad one near the end
SELECT regress.try($$INSERT INTO erp5.ret (id, exported, returned, memo)
    SELECT i, '2026-01-15', CASE WHEN i = 4990 THEN date '2026-07-16' ELSE date '2026-02-01' END, 'THTY'
      FROM generate_series(1, 5000) AS i$$);
-- COPY, the bad row first: the later rows were already inserted in a batch
COPY erp5.ret (id, exported, returned, memo) FROM stdin;
1	2026-01-15	2026-07-16	ZXTY
2	2026-01-15	2026-02-01	ZXTY
3	2026-01-15	2026-02-01	PGTY
\.
SELECT count(*) AS rows_left FROM erp5.ret;
-- inside a savepoint: the statement goes, the work before the savepoint stays
BEGIN;
INSERT INTO erp5.ret VALUES (10, '2026-01-15', '2026-02-01', 'ZXTY');
SAVEPOINT s;
COPY erp5.ret (id, exported, returned, memo) FROM stdin;
11	2026-01-15	2026-02-01	ZXTY
12	2026-01-15	2026-02-01	refund THTY
\.
ROLLBACK TO SAVEPOINT s;
SAVEPOINT s2;
INSERT INTO erp5.ret VALUES (13, '2026-01-15', '2026-02-01', 'ZXTY'), (14, '2026-01-15', '2025-12-31', 'ZXTY');
ROLLBACK TO SAVEPOINT s2;
INSERT INTO erp5.ret VALUES (15, '2026-01-15', '2026-02-01', 'THTY');
COMMIT;
SELECT id FROM erp5.ret ORDER BY id;
-- the import check too (R-IM-1), AFTER
SELECT regress.try($$INSERT INTO erp5.imp VALUES (1, '2026-01-31', '2026-03-02'), (2, '2026-01-31', '2026-03-03')$$);
SELECT count(*) AS rows_left FROM erp5.imp;

-- UPDATE: an AFTER ROW trigger gets the old row as tg_trigtuple and the new
-- one as tg_newtuple; the new one is checked, as on INSERT.
INSERT INTO erp5.imp VALUES (1, '2026-01-31', '2026-03-02');
UPDATE erp5.imp SET applied = '2026-03-03' WHERE id = 1;                         -- CB001
UPDATE erp5.ret SET returned = '2026-07-16' WHERE id = 10;                        -- CB001
UPDATE erp5.ret SET memo = 'XXXX' WHERE id = 15;                                  -- CB002
INSERT INTO erp5.ret VALUES (15, '2026-01-15', '2026-02-01', 'ZXTY')
    ON CONFLICT (id) DO UPDATE SET returned = '2026-08-01';                       -- CB001 on the upsert
-- a row from before the attach that breaks R-EX-1 is not re-checked, but an
-- update that leaves it broken is refused and one that mends it is accepted
ALTER TABLE erp5.ret DISABLE TRIGGER cbreturn_export_check;
INSERT INTO erp5.ret VALUES (20, '2026-01-15', '2027-01-01', 'ZXTY');
ALTER TABLE erp5.ret ENABLE TRIGGER cbreturn_export_check;
UPDATE erp5.ret SET memo = 'ZXTY again' WHERE id = 20;                            -- CB001
UPDATE erp5.ret SET returned = '2026-07-15' WHERE id = 20 RETURNING id, returned; -- mended
SELECT id, returned, memo FROM erp5.ret ORDER BY id;

-- A check that fills a column cannot run AFTER the row is written: a trigger
-- made by hand says so (39P01) instead of silently not filling.
CREATE TRIGGER by_hand AFTER INSERT ON erp5.filled FOR EACH ROW EXECUTE FUNCTION cbreturn.export_return_check();
SELECT regress.try($$INSERT INTO erp5.filled VALUES (1, '2026-01-15', 'unsold', NULL)$$);
DROP TRIGGER by_hand ON erp5.filled;
INSERT INTO erp5.filled VALUES (1, '2026-01-15', 'unsold', NULL) RETURNING memo;   -- filled: ZXTY
-- BEFORE or AFTER, never INSTEAD OF (39P01); the cache's statement trigger
-- function only as AFTER ... FOR EACH STATEMENT (39P01)
CREATE VIEW erp5.v AS SELECT * FROM erp5.imp;
CREATE TRIGGER by_hand INSTEAD OF INSERT ON erp5.v FOR EACH ROW EXECUTE FUNCTION cbreturn.import_return_check();
SELECT regress.try($$INSERT INTO erp5.v VALUES (9, '2026-01-31', '2026-02-01')$$);
DROP VIEW erp5.v;
CREATE TRIGGER by_hand BEFORE INSERT ON erp5.imp FOR EACH ROW EXECUTE FUNCTION cbreturn._attached_changed();
SELECT regress.try($$INSERT INTO erp5.imp VALUES (9, '2026-01-31', '2026-02-01')$$);
DROP TRIGGER by_hand ON erp5.imp;

-- The cache follows every change of the metadata, in this session too.
-- A direct write to the metadata: fill_remarks off, so empty remarks are now refused (CB002).
UPDATE cbreturn.attached_check SET fill_remarks = false WHERE relation = 'erp5.filled'::regclass;
INSERT INTO erp5.filled VALUES (2, '2026-01-15', 'unsold', NULL);
UPDATE cbreturn.attached_check SET fill_remarks = true WHERE relation = 'erp5.filled'::regclass;
INSERT INTO erp5.filled VALUES (2, '2026-01-15', 'unsold', NULL) RETURNING memo;
-- Detach and attach again with another column: the new one is checked.
INSERT INTO erp5.ret VALUES (30, '2026-01-15', '2026-02-01', 'ZXTY', '2027-01-01');   -- other_day is not checked
SELECT cbreturn.detach('erp5.ret', 'export');
SELECT cbreturn.attach_export_return_checks('erp5.ret', exported_on => 'exported',
                                            returned_on => 'other_day', remarks => 'memo');
INSERT INTO erp5.ret VALUES (31, '2026-01-15', '2026-02-01', 'ZXTY', '2027-01-01');   -- CB001 on other_day
INSERT INTO erp5.ret VALUES (31, '2026-01-15', '2027-01-01', 'ZXTY', '2026-02-01');   -- returned is no longer checked
-- Inside a transaction that is rolled back: what the rolled-back metadata
-- said is forgotten with it.
BEGIN;
SELECT cbreturn.detach('erp5.ret', 'export');
SELECT cbreturn.attach_export_return_checks('erp5.ret', exported_on => 'exported',
                                            returned_on => 'returned', remarks => 'memo');
INSERT INTO erp5.ret VALUES (32, '2026-01-15', '2026-02-01', 'ZXTY', '2027-01-01');   -- accepted under the new attach
ROLLBACK;
INSERT INTO erp5.ret VALUES (32, '2026-01-15', '2026-02-01', 'ZXTY', '2027-01-01');   -- CB001: other_day again
-- the same with a savepoint
BEGIN;
SAVEPOINT a;
SELECT cbreturn.detach('erp5.ret', 'export');
INSERT INTO erp5.ret VALUES (33, '2026-01-15', '2026-02-01', 'ZXTY', '2027-01-01');   -- no check in this subtransaction
ROLLBACK TO SAVEPOINT a;
INSERT INTO erp5.ret VALUES (33, '2026-01-15', '2026-02-01', 'ZXTY', '2027-01-01');   -- CB001: the check is back
ROLLBACK;
-- ALTER TABLE that moves nothing the check uses, then a rename of a checked
-- column: the check stays on its column (by number), never silently off.
ALTER TABLE erp5.ret ADD COLUMN note text;
ALTER TABLE erp5.ret DROP COLUMN note;
ALTER TABLE erp5.ret RENAME COLUMN other_day TO "Other Day";
INSERT INTO erp5.ret VALUES (34, '2026-01-15', '2026-02-01', 'ZXTY', '2027-01-01');   -- CB001 on "Other Day"
INSERT INTO erp5.ret VALUES (34, '2026-01-15', '2026-02-01', 'ZXTY', '2026-02-01');
-- A trigger dropped and re-created by hand keeps the same metadata.
DROP TRIGGER cbreturn_export_check ON erp5.ret;
INSERT INTO erp5.ret VALUES (35, '2026-01-15', '2026-02-01', 'ZXTY', '2027-01-01');   -- no trigger: accepted
CREATE TRIGGER cbreturn_export_check AFTER INSERT OR UPDATE ON erp5.ret
    FOR EACH ROW EXECUTE FUNCTION cbreturn.export_return_check();
INSERT INTO erp5.ret VALUES (36, '2026-01-15', '2026-02-01', 'ZXTY', '2027-01-01');   -- CB001
DROP SCHEMA erp5 CASCADE;

-- DROP EXTENSION and CREATE EXTENSION in one session: the checks attached to
-- the new extension are read afresh.  In a database of its own, so that the
-- other tests' objects are not touched.
\set regress_db :DBNAME
CREATE DATABASE cbreturn_cache_regress;
\c cbreturn_cache_regress
SET datestyle = 'ISO, YMD';
SET client_min_messages = warning;
\set SHOW_CONTEXT never
CREATE EXTENSION cbreturn;
CREATE TABLE imp (id int PRIMARY KEY, released date, applied date, arrived date);
SELECT cbreturn.attach_import_return_checks('imp', released_on => 'released', applied_on => 'applied');
INSERT INTO imp VALUES (1, '2026-01-31', '2026-03-02', '2027-01-01');   -- arrived is not checked
DROP EXTENSION cbreturn CASCADE;
CREATE EXTENSION cbreturn;
SELECT cbreturn.attach_import_return_checks('imp', released_on => 'released', arrived_on => 'arrived');
INSERT INTO imp VALUES (2, '2026-01-31', '2026-03-02', '2027-01-01');   -- CB001 on arrived
INSERT INTO imp VALUES (2, '2026-01-31', '2027-01-01', '2026-03-17');   -- applied is no longer checked
SELECT id FROM imp ORDER BY id;
\c :regress_db
DROP DATABASE cbreturn_cache_regress;
