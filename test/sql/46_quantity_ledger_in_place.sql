-- Write-time enforcement: the quantity ledger row changed in place
-- (src/enforce/quantity_ledger_row.c; R-EX-3, R-IM-2; docs/enforcement.md).
-- A return's ledger row is locked, the rule decided, and only a return that
-- passes writes a new version of the row: a refused return writes none.
-- The extension's own trigger on the ledger, node_local (enabled REPLICA,
-- sql/65_scale_out.sql), fires in no ordinary session and must not turn
-- that path off; a trigger on the ledger that does fire (one a DBA added,
-- or node_local under session_replication_role = replica) is fired, the
-- write then going through an UPDATE of the ledger.
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

CREATE SCHEMA erp_lr;
CREATE TABLE erp_lr.decl (line int PRIMARY KEY, qty int NOT NULL);
INSERT INTO erp_lr.decl VALUES (1, 5), (2, 50);
CREATE TABLE erp_lr.ret (id serial PRIMARY KEY, line int, qty int);
SELECT cbreturn.attach_quantity_check('erp_lr.ret', line => '{line}', quantity => 'qty',
    declared_table => 'erp_lr.decl', declared_line => '{line}', declared_quantity => 'qty');
-- each line's first return creates its ledger row
INSERT INTO erp_lr.ret (line, qty) VALUES (1, 2), (2, 1);

-- the ledger carries node_local, enabled REPLICA only
SELECT tgname, tgenabled FROM pg_trigger
 WHERE tgrelid = 'cbreturn.quantity_ledger'::regclass AND NOT tgisinternal ORDER BY tgname;

-- A refused return (6 of 5) writes no ledger row version; one that passes
-- (5 of 5) writes one.  Counted by the statistics of this transaction,
-- which count the updates of aborted subtransactions too.  In READ
-- COMMITTED a refused return on a row nobody holds is decided without
-- locking the row: its xmax stays unset.
BEGIN;
SELECT regress.try($$INSERT INTO erp_lr.ret (line, qty) VALUES (1, 4)$$);
SELECT n_tup_upd AS ledger_versions_after_refusal FROM pg_stat_xact_all_tables
 WHERE relid = 'cbreturn.quantity_ledger'::regclass;
SELECT returned, xmax = '0'::xid AS not_locked FROM cbreturn.quantity_ledger
 WHERE declared_relation = 'erp_lr.decl'::regclass ORDER BY returned;
INSERT INTO erp_lr.ret (line, qty) VALUES (1, 3);
SELECT n_tup_upd AS ledger_versions_after_pass FROM pg_stat_xact_all_tables
 WHERE relid = 'cbreturn.quantity_ledger'::regclass;
SELECT regress.try($$INSERT INTO erp_lr.ret (line, qty) VALUES (1, 1)$$);
SELECT returned, return_rows FROM cbreturn.quantity_ledger
 WHERE declared_relation = 'erp_lr.decl'::regclass ORDER BY returned;
ROLLBACK;

-- A trigger on the ledger that fires in this session is fired; one that
-- fires only under replica is not, until the session is a replica.
CREATE FUNCTION erp_lr.ledger_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE WARNING 'ledger row of % updated: % returned', NEW.declared_relation, NEW.returned;
    RETURN NEW;
END $$;
BEGIN;
CREATE TRIGGER seen BEFORE UPDATE ON cbreturn.quantity_ledger
    FOR EACH ROW EXECUTE FUNCTION erp_lr.ledger_seen();
INSERT INTO erp_lr.ret (line, qty) VALUES (2, 1);          -- WARNING: 2 returned
SELECT regress.try($$INSERT INTO erp_lr.ret (line, qty) VALUES (1, 4)$$);
ALTER TABLE cbreturn.quantity_ledger ENABLE REPLICA TRIGGER seen;
INSERT INTO erp_lr.ret (line, qty) VALUES (2, 1);          -- no warning
-- the check fires under replica only when enabled ALWAYS
ALTER TABLE erp_lr.ret ENABLE ALWAYS TRIGGER cbreturn_quantity_check;
SET LOCAL session_replication_role = replica;
INSERT INTO erp_lr.ret (line, qty) VALUES (2, 1);          -- WARNING: 4 returned
SELECT regress.try($$INSERT INTO erp_lr.ret (line, qty) VALUES (1, 4)$$);
SET LOCAL session_replication_role = origin;
ALTER TABLE cbreturn.quantity_ledger DISABLE TRIGGER seen;
INSERT INTO erp_lr.ret (line, qty) VALUES (2, 1);          -- no warning
SELECT returned, return_rows FROM cbreturn.quantity_ledger
 WHERE declared_relation = 'erp_lr.decl'::regclass ORDER BY returned;
SELECT * FROM cbreturn.verify_quantity_ledger('erp_lr.decl');
ROLLBACK;

-- A constraint a DBA adds to the ledger holds on every write, as it would
-- for an UPDATE: a CHECK, an exclusion constraint and a deferrable unique
-- one turn the in-place path off (it checks neither), the write then going
-- through an UPDATE of the ledger, which checks them.  Added after the
-- check's configuration was cached: the ledger's invalidation rebuilds it.
BEGIN;
INSERT INTO erp_lr.ret (line, qty) VALUES (2, 1);
ALTER TABLE cbreturn.quantity_ledger ADD CONSTRAINT dba_cap CHECK (returned <= 3);
SELECT regress.try($$INSERT INTO erp_lr.ret (line, qty) VALUES (2, 2)$$);  -- 4 > 3: 23514
INSERT INTO erp_lr.ret (line, qty) VALUES (2, 1);
ALTER TABLE cbreturn.quantity_ledger DROP CONSTRAINT dba_cap;
ALTER TABLE cbreturn.quantity_ledger ADD CONSTRAINT dba_excl EXCLUDE USING btree (returned WITH =);
SELECT regress.try($$INSERT INTO erp_lr.ret (line, qty) VALUES (1, 1)$$);  -- 3 = 3: 23P01
ALTER TABLE cbreturn.quantity_ledger DROP CONSTRAINT dba_excl;
ALTER TABLE cbreturn.quantity_ledger ADD CONSTRAINT dba_uniq UNIQUE (returned) DEFERRABLE INITIALLY DEFERRED;
INSERT INTO erp_lr.ret (line, qty) VALUES (1, 1);           -- checked at commit, not now
INSERT INTO erp_lr.ret (line, qty) VALUES (2, 1);
SELECT returned, return_rows FROM cbreturn.quantity_ledger
 WHERE declared_relation = 'erp_lr.decl'::regclass ORDER BY returned;
ROLLBACK;
-- a constraint added to a counter's domain holds as for an UPDATE (the
-- ledger holds 2 in 1 row and 1 in 1 row)
BEGIN;
INSERT INTO erp_lr.ret (line, qty) VALUES (1, 1), (2, 1), (2, 1);
ALTER DOMAIN cbreturn.ledger_quantity ADD CONSTRAINT dba_dom CHECK (VALUE <= 4);
SELECT regress.try($$INSERT INTO erp_lr.ret (line, qty) VALUES (1, 2)$$);  -- 5 > 4: 23514
ALTER DOMAIN cbreturn.ledger_count ADD CONSTRAINT dba_rows CHECK (VALUE <= 3);
SELECT regress.try($$INSERT INTO erp_lr.ret (line, qty) VALUES (2, 0)$$);  -- 4 rows > 3: 23514
SELECT returned, return_rows FROM cbreturn.quantity_ledger
 WHERE declared_relation = 'erp_lr.decl'::regclass ORDER BY returned;
SELECT * FROM cbreturn.verify_quantity_ledger('erp_lr.decl');
ROLLBACK;

SELECT cbreturn.detach('erp_lr.ret');
DROP SCHEMA erp_lr CASCADE;

-- A row security policy of the declared table that writes: the check reads
-- the declared line through the policies (as the table's owner, FORCE ROW
-- LEVEL SECURITY) between finding the line's ledger row and writing its new
-- version.  A return (or a declared line) written from there is refused
-- with a clear error (2F003); before, the outer write failed on the row
-- version its own transaction had replaced ("attempted to update
-- invisible tuple").  Reachable by any role that owns the two tables.
CREATE ROLE lr_owner;
GRANT CREATE ON SCHEMA public TO lr_owner;
SET ROLE lr_owner;
CREATE TABLE lr_decl (line int PRIMARY KEY, qty int NOT NULL);
INSERT INTO lr_decl VALUES (1, 10);
CREATE TABLE lr_ret (id serial PRIMARY KEY, line int, qty int);
SELECT cbreturn.attach_quantity_check('lr_ret', line => '{line}', quantity => 'qty',
    declared_table => 'lr_decl', declared_line => '{line}', declared_quantity => 'qty');
INSERT INTO lr_ret (line, qty) VALUES (1, 1);
CREATE FUNCTION lr_sneak() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF current_setting('lr.sneak', true) = 'return' THEN
        PERFORM set_config('lr.sneak', '', true);
        INSERT INTO lr_ret (line, qty) VALUES (1, 1);
    ELSIF current_setting('lr.sneak', true) = 'lower' THEN
        PERFORM set_config('lr.sneak', '', true);
        UPDATE lr_decl SET qty = qty - 1 WHERE line = 1;
    END IF;
    RETURN true;
END $$;
ALTER TABLE lr_decl ENABLE ROW LEVEL SECURITY;
ALTER TABLE lr_decl FORCE ROW LEVEL SECURITY;
CREATE POLICY lr_all ON lr_decl USING (lr_sneak());
BEGIN;
SELECT set_config('lr.sneak', 'return', true);
SELECT regress.try($$INSERT INTO lr_ret (line, qty) VALUES (1, 2)$$);
SELECT set_config('lr.sneak', 'lower', true);
SELECT regress.try($$INSERT INTO lr_ret (line, qty) VALUES (1, 2)$$);
-- a policy that only reads lets returns through
SELECT set_config('lr.sneak', '', true);
INSERT INTO lr_ret (line, qty) VALUES (1, 2);
COMMIT;
SELECT line, qty FROM lr_ret ORDER BY id;
RESET ROLE;
SELECT * FROM cbreturn.verify_quantity_ledger('lr_decl');
SELECT cbreturn.detach('lr_ret');
DROP TABLE lr_ret, lr_decl;
DROP FUNCTION lr_sneak();
REVOKE CREATE ON SCHEMA public FROM lr_owner;
DROP ROLE lr_owner;
