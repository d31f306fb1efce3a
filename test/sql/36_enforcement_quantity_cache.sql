-- Write-time enforcement, part 6: the per-backend cache of the quantity
-- check and of the declared-line guard (R-EX-3, R-IM-2; src/enforce/quantity.c,
-- docs/enforcement.md).  What they resolved and the statements they prepared
-- are kept for the life of the backend; every change they depend on must
-- reach them, in this session too, whichever role writes.
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

DROP ROLE IF EXISTS cbr_qc_owner;
DROP ROLE IF EXISTS cbr_qc_clerk;
CREATE ROLE cbr_qc_owner;
CREATE ROLE cbr_qc_clerk;
CREATE SCHEMA erp6 AUTHORIZATION cbr_qc_owner;
CREATE SCHEMA erp6_archive AUTHORIZATION cbr_qc_owner;
GRANT USAGE ON SCHEMA erp6, erp6_archive TO cbr_qc_clerk;

SET ROLE cbr_qc_owner;
-- Two declared quantities per line: qty_a of 10 and qty_b of 20.
CREATE TABLE erp6.decl (entry text, g_no int, qty_a int, qty_b int, PRIMARY KEY (entry, g_no));
CREATE TABLE erp6.ret (id serial PRIMARY KEY, entry text, g_no int, qty int);
INSERT INTO erp6.decl VALUES ('E1', 1, 10, 20), ('E1', 2, 10, 20);
SELECT cbreturn.attach_quantity_check('erp6.ret', line => '{entry,g_no}', quantity => 'qty',
    declared_table => 'erp6.decl', declared_line => '{entry,g_no}', declared_quantity => 'qty_a');
GRANT SELECT, INSERT, UPDATE, DELETE ON erp6.ret TO cbr_qc_clerk;
GRANT USAGE ON SEQUENCE erp6.ret_id_seq TO cbr_qc_clerk;

-- The owner warms the cache; then the clerk, who may neither read the
-- declared lines nor write the ledger, is checked by the same cached
-- statements, run as their owners (CB003 on the second).
INSERT INTO erp6.ret (entry, g_no, qty) VALUES ('E1', 1, 8);
SET ROLE cbr_qc_clerk;
SELECT regress.try($$SELECT * FROM erp6.decl$$);
INSERT INTO erp6.ret (entry, g_no, qty) VALUES ('E1', 1, 2);
INSERT INTO erp6.ret (entry, g_no, qty) VALUES ('E1', 1, 1);                     -- 11 of 10
-- and the other way round: the clerk's use first, the owner's after
SET ROLE cbr_qc_owner;
INSERT INTO erp6.ret (entry, g_no, qty) VALUES ('E1', 1, 1);                     -- 11 of 10
UPDATE erp6.decl SET qty_a = 9 WHERE g_no = 1;                                   -- guard: 10 returned
SET ROLE cbr_qc_clerk;
UPDATE erp6.ret SET qty = 0 WHERE qty = 2;                                       -- line 1: 8 of 10
SET ROLE cbr_qc_owner;
UPDATE erp6.decl SET qty_a = 8 WHERE g_no = 1;                                   -- the guard sees 8
UPDATE erp6.decl SET qty_a = 10 WHERE g_no = 1;
UPDATE erp6.ret SET qty = 2 WHERE qty = 0;

-- Detach and attach again on the other declared quantity: the new one counts.
SELECT cbreturn.detach('erp6.ret', 'quantity');
INSERT INTO erp6.ret (entry, g_no, qty) VALUES ('E1', 1, 1);                     -- no check: 11
SELECT cbreturn.attach_quantity_check('erp6.ret', line => '{entry,g_no}', quantity => 'qty',
    declared_table => 'erp6.decl', declared_line => '{entry,g_no}', declared_quantity => 'qty_b');
INSERT INTO erp6.ret (entry, g_no, qty) VALUES ('E1', 1, 9);                     -- 20 of 20
INSERT INTO erp6.ret (entry, g_no, qty) VALUES ('E1', 1, 1);                     -- 21 of 20
UPDATE erp6.decl SET qty_a = 1 WHERE g_no = 1;                                   -- qty_a is no longer guarded
UPDATE erp6.decl SET qty_b = 19 WHERE g_no = 1;                                  -- guard: 20 returned
-- Inside a transaction that is rolled back: what the rolled-back metadata
-- said is forgotten with it.
BEGIN;
SELECT cbreturn.detach('erp6.ret', 'quantity');
UPDATE erp6.decl SET qty_a = 30 WHERE g_no = 1;
SELECT cbreturn.attach_quantity_check('erp6.ret', line => '{entry,g_no}', quantity => 'qty',
    declared_table => 'erp6.decl', declared_line => '{entry,g_no}', declared_quantity => 'qty_a');
SELECT regress.try($$INSERT INTO erp6.ret (entry, g_no, qty) VALUES ('E1', 2, 11)$$);  -- 11 of qty_a 10
UPDATE erp6.decl SET qty_b = 0 WHERE g_no = 2;                                   -- qty_b not guarded here
ROLLBACK;
INSERT INTO erp6.ret (entry, g_no, qty) VALUES ('E1', 2, 11);                    -- 11 of qty_b 20
UPDATE erp6.decl SET qty_b = 10 WHERE g_no = 2;                                  -- guard on qty_b again
-- the same with a savepoint
BEGIN;
SAVEPOINT a;
SELECT cbreturn.detach('erp6.ret', 'quantity');
INSERT INTO erp6.ret (entry, g_no, qty) VALUES ('E1', 2, 100);                   -- no check in this subtransaction
ROLLBACK TO SAVEPOINT a;
INSERT INTO erp6.ret (entry, g_no, qty) VALUES ('E1', 2, 10);                    -- 21 of 20: the check is back
ROLLBACK;

-- ALTER of the declared table: renamed, moved to another schema, its
-- columns renamed; the cached statement names it, so it must follow.
ALTER TABLE erp6.decl RENAME TO decl_lines;
INSERT INTO erp6.ret (entry, g_no, qty) VALUES ('E1', 2, 9);                     -- 20 of 20
INSERT INTO erp6.ret (entry, g_no, qty) VALUES ('E1', 2, 1);                     -- 21 of 20
ALTER TABLE erp6.decl_lines RENAME COLUMN qty_b TO "Declared Qty";
ALTER TABLE erp6.decl_lines RENAME COLUMN g_no TO "Item No";
INSERT INTO erp6.ret (entry, g_no, qty) VALUES ('E1', 2, 1);                     -- 21 of 20
UPDATE erp6.decl_lines SET "Declared Qty" = 19 WHERE "Item No" = 2;              -- guard: 20 returned
ALTER TABLE erp6.decl_lines SET SCHEMA erp6_archive;
INSERT INTO erp6.ret (entry, g_no, qty) VALUES ('E1', 2, 1);                     -- 21 of 20
INSERT INTO erp6.ret (entry, g_no, qty) VALUES ('E1', 3, 1);                     -- no declared line
-- a renamed key column of the returns table is named in the message
ALTER TABLE erp6.ret RENAME COLUMN g_no TO item;
INSERT INTO erp6.ret (entry, item, qty) VALUES ('E1', 2, 1);                     -- 21 of 20, line (entry, item)
RESET ROLE;
-- With the event triggers off, nothing writes the metadata: only the
-- relcache invalidation of the declared table itself can tell the cache
-- that its statement now names a table that no longer exists.
SET session_replication_role = replica;
ALTER TABLE erp6_archive.decl_lines RENAME TO decl_renamed;
RESET session_replication_role;
SET ROLE cbr_qc_owner;
INSERT INTO erp6.ret (entry, item, qty) VALUES ('E1', 2, 1);                     -- 21 of 20
-- A new owner of the declared table: it is read as its new owner (the old
-- one lost its rights on it with the ownership).
RESET ROLE;
ALTER TABLE erp6_archive.decl_renamed OWNER TO cbr_qc_clerk;
SET ROLE cbr_qc_clerk;
INSERT INTO erp6.ret (entry, item, qty) VALUES ('E1', 1, 1);                     -- 21 of 20
RESET ROLE;
ALTER TABLE erp6_archive.decl_renamed OWNER TO cbr_qc_owner;

-- The guard serves every check on its declared table: a second returns
-- table attached after the guard was cached is guarded too.
SET ROLE cbr_qc_owner;
UPDATE erp6_archive.decl_renamed SET qty_a = 5 WHERE "Item No" = 1;              -- warms the guard
CREATE TABLE erp6.ret2 (id serial PRIMARY KEY, entry text, item int, n int);
INSERT INTO erp6.ret2 (entry, item, n) VALUES ('E1', 1, 4);
-- (a second returns table counts against the same declared quantity: one limit per line)
SELECT regress.try($$SELECT cbreturn.attach_quantity_check('erp6.ret2', line => '{entry,item}', quantity => 'n',
    declared_table => 'erp6_archive.decl_renamed', declared_line => '{entry,"Item No"}', declared_quantity => 'qty_a')$$);
UPDATE erp6_archive.decl_renamed SET "Declared Qty" = 30 WHERE "Item No" = 1;
SELECT cbreturn.attach_quantity_check('erp6.ret2', line => '{entry,item}', quantity => 'n',
    declared_table => 'erp6_archive.decl_renamed', declared_line => '{entry,"Item No"}', declared_quantity => 'Declared Qty');
UPDATE erp6_archive.decl_renamed SET "Declared Qty" = 23 WHERE "Item No" = 1;    -- guard: 20 in ret + 4 in ret2
SELECT cbreturn.detach('erp6.ret2');
UPDATE erp6_archive.decl_renamed SET "Declared Qty" = 23 WHERE "Item No" = 1;    -- ret2 is no longer counted
RESET ROLE;

-- the ledger always equals the returns
SELECT * FROM cbreturn.verify_quantity_ledger('erp6_archive.decl_renamed');
SELECT returned, return_rows FROM cbreturn.quantity_ledger
 WHERE declared_relation = 'erp6_archive.decl_renamed'::regclass ORDER BY returned, return_rows;
DROP SCHEMA erp6, erp6_archive CASCADE;
DROP ROLE cbr_qc_owner;
DROP ROLE cbr_qc_clerk;

-- DROP EXTENSION and CREATE EXTENSION in one session: the quantity check and
-- the guard attached to the new extension are read afresh.  In a database of
-- its own, so that the other tests' objects are not touched.
\set regress_db :DBNAME
CREATE DATABASE cbreturn_qcache_regress;
\c cbreturn_qcache_regress
SET client_min_messages = warning;
\set SHOW_CONTEXT never
CREATE EXTENSION cbreturn;
CREATE TABLE decl (g_no int PRIMARY KEY, qty_a int, qty_b int);
CREATE TABLE ret (id serial PRIMARY KEY, g_no int, qty int);
INSERT INTO decl VALUES (1, 10, 20);
SELECT cbreturn.attach_quantity_check('ret', line => '{g_no}', quantity => 'qty',
    declared_table => 'decl', declared_line => '{g_no}', declared_quantity => 'qty_a');
INSERT INTO ret (g_no, qty) VALUES (1, 10);
INSERT INTO ret (g_no, qty) VALUES (1, 1);                                        -- 11 of 10
UPDATE decl SET qty_a = 9;                                                        -- guard: 10 returned
DROP EXTENSION cbreturn CASCADE;
CREATE EXTENSION cbreturn;
SELECT cbreturn.attach_quantity_check('ret', line => '{g_no}', quantity => 'qty',
    declared_table => 'decl', declared_line => '{g_no}', declared_quantity => 'qty_b');
INSERT INTO ret (g_no, qty) VALUES (1, 10);                                       -- 20 of 20
INSERT INTO ret (g_no, qty) VALUES (1, 1);                                        -- 21 of 20
UPDATE decl SET qty_a = 0;                                                        -- qty_a is no longer guarded
UPDATE decl SET qty_b = 19;                                                       -- guard: 20 returned
SELECT returned, return_rows FROM cbreturn.quantity_ledger;
\c :regress_db
DROP DATABASE cbreturn_qcache_regress;
