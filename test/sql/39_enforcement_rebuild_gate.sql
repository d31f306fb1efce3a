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

-- A returns table turned into a view by its owner (PostgreSQL 15 still lets
-- the owner of an empty table without triggers do that with CREATE RULE
-- "_RETURN") is not read by a recount or a verification, which run as the
-- ledger's owner: 42809, and the view's function never runs.
CREATE ROLE gate_view;
CREATE SCHEMA gate_view AUTHORIZATION gate_view;
SET ROLE gate_view;
CREATE TABLE gate_view.ran (who text);
CREATE FUNCTION gate_view.who() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO gate_view.ran VALUES (current_user);
    RETURN 0;
END $$;
CREATE TABLE gate_view.d (k text PRIMARY KEY, q int NOT NULL);
CREATE TABLE gate_view.r (k text, q int);
INSERT INTO gate_view.d VALUES ('x', 10);
SELECT cbreturn.attach_quantity_check('gate_view.r', '{k}', 'q', 'gate_view.d', '{k}', 'q');
DROP TRIGGER cbreturn_quantity_check ON gate_view.r;
DROP TRIGGER cbreturn_quantity_truncate ON gate_view.r;
RESET ROLE;
VACUUM gate_view.r;
SET ROLE gate_view;
-- (PostgreSQL 16 and later refuse the conversion itself; the same assertions
-- hold there: the server's version or the relation's kind says which)
DO $$ BEGIN
    EXECUTE $r$CREATE RULE "_RETURN" AS ON SELECT TO gate_view.r DO INSTEAD SELECT 'x'::text AS k, gate_view.who() AS q$r$;
EXCEPTION WHEN feature_not_supported OR wrong_object_type THEN NULL;
END $$;
SELECT current_setting('server_version_num')::int >= 160000
       OR (SELECT relkind FROM pg_class WHERE oid = 'gate_view.r'::regclass) = 'v' AS converted_where_possible;
SELECT (SELECT relkind FROM pg_class WHERE oid = 'gate_view.r'::regclass) <> 'v'
       OR regress.try($$SELECT cbreturn.rebuild_quantity_ledger('gate_view.d')$$) LIKE '42809: relation gate_view.r is not a table%' AS rebuild_refused,
       (SELECT relkind FROM pg_class WHERE oid = 'gate_view.r'::regclass) <> 'v'
       OR regress.try($$SELECT count(*) FROM cbreturn.verify_quantity_ledger('gate_view.d')$$) LIKE '42809: relation gate_view.r is not a table%' AS verify_refused;
SELECT count(*) AS view_function_ran FROM gate_view.ran;
RESET ROLE;
DROP SCHEMA gate_view CASCADE;
DROP ROLE gate_view;

-- A declaration header whose status the count reads (the quantity check of
-- a returns table with a header link) is locked and checked too: turned into
-- a view, 42809, and its function never runs.
CREATE ROLE gate_hview;
CREATE SCHEMA gate_hview AUTHORIZATION gate_hview;
SET ROLE gate_hview;
CREATE TABLE gate_hview.ran (who text);
CREATE FUNCTION gate_hview.st() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO gate_hview.ran VALUES (current_user);
    RETURN 'SB';
END $$;
CREATE TABLE gate_hview.h (req text PRIMARY KEY, st text);
CREATE TABLE gate_hview.d (entry text PRIMARY KEY, qty int NOT NULL);
INSERT INTO gate_hview.d VALUES ('D1', 10);
CREATE TABLE gate_hview.r (id int PRIMARY KEY, req text, entry text, qty int);
SELECT cbreturn.attach_header('gate_hview.r', 'gate_hview.h', '{req}', '{req}', status => 'st');
SELECT cbreturn.attach_quantity_check('gate_hview.r', '{entry}', 'qty', 'gate_hview.d', '{entry}', 'qty',
                                      freeing_labels => '{BH}');
INSERT INTO gate_hview.r VALUES (1, NULL, 'D1', 3);
DROP TRIGGER cbreturn_header_guard ON gate_hview.h;
DROP TRIGGER cbreturn_header_truncate_guard ON gate_hview.h;
ALTER TABLE gate_hview.h DROP CONSTRAINT h_pkey;
RESET ROLE;
VACUUM gate_hview.h;
SET ROLE gate_hview;
DO $$ BEGIN
    EXECUTE $r$CREATE RULE "_RETURN" AS ON SELECT TO gate_hview.h DO INSTEAD SELECT NULL::text AS req, gate_hview.st() AS st$r$;
EXCEPTION WHEN feature_not_supported OR wrong_object_type THEN NULL;
END $$;
SELECT current_setting('server_version_num')::int >= 160000
       OR (SELECT relkind FROM pg_class WHERE oid = 'gate_hview.h'::regclass) = 'v' AS converted_where_possible;
SELECT (SELECT relkind FROM pg_class WHERE oid = 'gate_hview.h'::regclass) <> 'v'
       OR regress.try($$SELECT count(*) FROM cbreturn.verify_quantity_ledger('gate_hview.d')$$) LIKE '42809: relation gate_hview.h is not a table%' AS verify_refused,
       (SELECT relkind FROM pg_class WHERE oid = 'gate_hview.h'::regclass) <> 'v'
       OR regress.try($$SELECT cbreturn.rebuild_quantity_ledger('gate_hview.d')$$) LIKE '42809: relation gate_hview.h is not a table%' AS rebuild_refused;
SELECT count(*) AS view_function_ran FROM gate_hview.ran;
RESET ROLE;
DROP SCHEMA gate_hview CASCADE;
DROP ROLE gate_hview;

-- The owner of one returns table cannot leave another owner's returns table
-- out of a recount (the ledger would lose those returns, and the line could
-- be over-returned): 42501, and the ledger still counts them.
CREATE ROLE gate2_owner;
CREATE ROLE gate2_dept;
CREATE ROLE gate2_clerk;
CREATE SCHEMA gate2 AUTHORIZATION gate2_owner;
GRANT USAGE ON SCHEMA gate2 TO gate2_dept, gate2_clerk;
SET ROLE gate2_owner;
CREATE TABLE gate2.decl (entry text PRIMARY KEY, qty numeric NOT NULL);
INSERT INTO gate2.decl VALUES ('E1', 10);
CREATE TABLE gate2.ret1 (id int, entry text, qty numeric);
CREATE TABLE gate2.ret3 (id int, entry text, qty numeric);
SELECT cbreturn.attach_quantity_check('gate2.ret1', '{entry}', 'qty', 'gate2.decl', '{entry}', 'qty');
SELECT cbreturn.attach_quantity_check('gate2.ret3', '{entry}', 'qty', 'gate2.decl', '{entry}', 'qty');
INSERT INTO gate2.ret1 VALUES (1, 'E1', 8);
RESET ROLE;
ALTER TABLE gate2.ret3 OWNER TO gate2_dept;
SET ROLE gate2_dept;
SELECT regress.try($$SELECT cbreturn._quantity_rebuild('gate2.decl', ARRAY['gate2.ret1'::regclass::oid], true)$$);
SELECT regress.try($$INSERT INTO gate2.ret3 VALUES (1, 'E1', 5)$$);
-- its own table it may leave out (as detach does)
SELECT regress.try($$SELECT cbreturn._quantity_rebuild('gate2.decl', ARRAY['gate2.ret3'::regclass::oid], true)$$);
RESET ROLE;
SELECT count(*) AS ledger_problems FROM cbreturn.verify_quantity_ledger('gate2.decl');

-- bigint quantities at the edges: the smallest bigint is a negative return
-- (CB003), and a line total past what is counted exactly names only the
-- row's own quantity, never the total (which would tell a writer what the
-- line's other returns hold).
SET ROLE gate2_owner;
CREATE TABLE gate2.bdecl (entry text PRIMARY KEY, qty numeric NOT NULL);
CREATE TABLE gate2.bret (id int PRIMARY KEY, entry text, qty bigint);
SELECT cbreturn.attach_quantity_check('gate2.bret', '{entry}', 'qty', 'gate2.bdecl', '{entry}', 'qty');
INSERT INTO gate2.bdecl VALUES ('E1', 100), ('E2', 10);
INSERT INTO gate2.bret VALUES (1, 'E1', 37), (3, 'E2', 3);
GRANT INSERT ON gate2.bret TO gate2_clerk;
SET ROLE gate2_clerk;
SELECT regress.try($$INSERT INTO gate2.bret VALUES (4, 'E1', 9223372036854775807)$$);
SELECT regress.try($$INSERT INTO gate2.bret VALUES (5, 'E1', -9223372036854775808)$$);
SELECT regress.try($$INSERT INTO gate2.bret VALUES (6, 'E2', -9223372036854775808)$$);
-- a declared quantity that cannot be counted (NaN) is the declared line's
-- fault: the error names the declared table, not the return's quantity, and
-- does not show the value to a writer who may not read that table
SET ROLE gate2_owner;
INSERT INTO gate2.bdecl VALUES ('E3', 'NaN');
SET ROLE gate2_clerk;
SELECT regress.try($$INSERT INTO gate2.bret VALUES (7, 'E3', 5)$$);
SET ROLE gate2_owner;
SELECT regress.try($$UPDATE gate2.bret SET qty = -9223372036854775808 WHERE id = 3$$);
RESET ROLE;
SELECT count(*) AS ledger_problems FROM cbreturn.verify_quantity_ledger('gate2.bdecl');
DROP SCHEMA gate2 CASCADE;
DROP ROLE gate2_owner, gate2_dept, gate2_clerk;
