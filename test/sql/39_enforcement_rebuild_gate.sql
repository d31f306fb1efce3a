-- The quantity ledger's recount (cbreturn._quantity_rebuild) may be started
-- only by the owner of the declared table or of a returns table attached to
-- it.  A table the caller names to leave out of the count gives no right:
-- otherwise any role with TEMP could recount another role's ledger without
-- that role's returns (and then over-return), or lock any table as the
-- ledger's owner.  And dropping a temporary table that carries a hand-made
-- trigger named like the quantity check recounts nothing.
SET client_min_messages = warning;
CREATE ROLE gate_owner;
CREATE ROLE gate_clerk;
CREATE ROLE gate_evil;
CREATE SCHEMA gate AUTHORIZATION gate_owner;
GRANT USAGE ON SCHEMA gate TO gate_clerk, gate_evil;
SET ROLE gate_owner;
CREATE TABLE gate.decl (entry text, g_no int, qty numeric, PRIMARY KEY (entry, g_no));
INSERT INTO gate.decl VALUES ('E1', 1, 10);
CREATE TABLE gate.ret1 (id serial, entry text, g_no int, qty numeric);
CREATE TABLE gate.ret2 (id serial, entry text, g_no int, qty numeric);
GRANT INSERT ON gate.ret1, gate.ret2 TO gate_clerk;
GRANT USAGE ON SEQUENCE gate.ret1_id_seq, gate.ret2_id_seq TO gate_clerk;
SELECT cbreturn.attach_quantity_check('gate.ret1', '{entry,g_no}', 'qty', 'gate.decl', '{entry,g_no}', 'qty');
SELECT cbreturn.attach_quantity_check('gate.ret2', '{entry,g_no}', 'qty', 'gate.decl', '{entry,g_no}', 'qty');
INSERT INTO gate.ret1 (entry, g_no, qty) VALUES ('E1', 1, 8);
RESET ROLE;

SET ROLE gate_evil;
CREATE TEMP TABLE mine (x int);
-- naming its own table to leave out gives no right to recount gate.decl
SELECT regress.try($$SELECT cbreturn._quantity_rebuild('gate.decl',
    ARRAY['gate.ret1'::regclass::oid, 'mine'::regclass::oid], false)$$);
-- nor to lock a table it cannot lock itself
BEGIN;
SELECT regress.try($$SELECT cbreturn._quantity_rebuild('pg_catalog.pg_authid', ARRAY['mine'::regclass::oid], false)$$);
SELECT count(*) AS locks_on_pg_authid FROM pg_locks
 WHERE relation = 'pg_catalog.pg_authid'::regclass AND pid = pg_backend_pid() AND mode = 'ShareRowExclusiveLock';
COMMIT;
-- a hand-made trigger named like the check, on a temporary table, dropped
CREATE TEMP TABLE x (a int);
CREATE TRIGGER cbreturn_quantity_check AFTER INSERT ON x FOR EACH ROW EXECUTE FUNCTION cbreturn.quantity_check();
SET client_min_messages = notice;
DROP TABLE x;
SET client_min_messages = warning;
RESET ROLE;

-- the ledger still counts ret1's 8: the clerk cannot over-return through ret2
SET ROLE gate_clerk;
SELECT regress.try($$INSERT INTO gate.ret2 (entry, g_no, qty) VALUES ('E1', 1, 9)$$);
INSERT INTO gate.ret2 (entry, g_no, qty) VALUES ('E1', 1, 2);
RESET ROLE;
SELECT count(*) AS ledger_differences FROM cbreturn.verify_quantity_ledger('gate.decl');

-- the owner of a returns table may still detach it, and the guard of the
-- declared table stays while ret1's check uses it
SET ROLE gate_owner;
SELECT cbreturn.detach('gate.ret2', 'quantity');
SELECT tgname FROM pg_trigger WHERE tgrelid = 'gate.decl'::regclass AND NOT tgisinternal ORDER BY 1;
SELECT cbreturn.detach('gate.ret1', 'quantity');
SELECT tgname FROM pg_trigger WHERE tgrelid = 'gate.decl'::regclass AND NOT tgisinternal ORDER BY 1;
RESET ROLE;

DROP TABLE pg_temp.mine;
DROP SCHEMA gate CASCADE;
DROP ROLE gate_owner, gate_clerk, gate_evil;

-- A table owner who records an export or import check through the metadata
-- functions without the column the check needs gets 55000 on a write, as
-- the quantity and status checks answer, never an internal error.
CREATE ROLE gate_self;
CREATE SCHEMA gate_self AUTHORIZATION gate_self;
SET ROLE gate_self;
CREATE TABLE gate_self.t6 (m text, d date);
SELECT cbreturn._metadata_register('gate_self.t6', 'export', false, NULL, NULL);
SELECT cbreturn._metadata_column('gate_self.t6', 'export', 'remarks', 'gate_self.t6', 'm');
CREATE TRIGGER cbreturn_export_check BEFORE INSERT ON gate_self.t6
    FOR EACH ROW EXECUTE FUNCTION cbreturn.export_return_check();
SELECT regress.try($$INSERT INTO gate_self.t6 VALUES ('ZXTY', '2026-01-01')$$);
CREATE TABLE gate_self.t7 (d date);
SELECT cbreturn._metadata_register('gate_self.t7', 'import', false, NULL, NULL);
CREATE TRIGGER cbreturn_import_check AFTER INSERT ON gate_self.t7
    FOR EACH ROW EXECUTE FUNCTION cbreturn.import_return_check();
SELECT regress.try($$INSERT INTO gate_self.t7 VALUES ('2026-01-01')$$);
RESET ROLE;
DROP SCHEMA gate_self CASCADE;
DROP ROLE gate_self;

-- A declared line keyed by an array (or a composite) cannot be found with a
-- type's own equality: attach refuses it with 42830, not a syntax error.
CREATE SCHEMA gate_arr;
CREATE TABLE gate_arr.decl (k int[] PRIMARY KEY, q int);
CREATE TABLE gate_arr.ret (k int[], q int);
SELECT regress.try($$SELECT cbreturn.attach_quantity_check('gate_arr.ret', '{k}', 'q', 'gate_arr.decl', '{k}', 'q')$$);
SELECT count(*) AS attached FROM cbreturn.attached_checks WHERE "table" = 'gate_arr.ret'::regclass;
DROP SCHEMA gate_arr CASCADE;

-- More columns recorded for a check than any check reads: the metadata
-- functions refuse a role no check reads (22023); written directly by the
-- extension's owner, 55000 on a write, never an internal error.
CREATE ROLE gate_many;
CREATE SCHEMA gate_many AUTHORIZATION gate_many;
SET ROLE gate_many;
CREATE TABLE gate_many.t (d date, m text);
SELECT cbreturn._metadata_register('gate_many.t', 'export', false, NULL, NULL);
SELECT regress.try($$SELECT cbreturn._metadata_column('gate_many.t', 'export', 'made_up_1', 'gate_many.t', 'm')$$);
RESET ROLE;
INSERT INTO cbreturn.attached_column (relation, check_kind, role, column_relation, column_name)
SELECT 'gate_many.t', 'export', 'made_up_' || i, 'gate_many.t', 'm' FROM generate_series(1, 30) i;
SET ROLE gate_many;
CREATE TRIGGER cbreturn_export_check BEFORE INSERT ON gate_many.t
    FOR EACH ROW EXECUTE FUNCTION cbreturn.export_return_check();
SELECT regress.try($$INSERT INTO gate_many.t VALUES ('2026-01-01', 'ZXTY')$$);
RESET ROLE;
DROP SCHEMA gate_many CASCADE;
DROP ROLE gate_many;
