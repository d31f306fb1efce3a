-- Write-time enforcement, part 8: an unprivileged role tries every way 0.1.0
-- let it forge or orphan check metadata (issue 9, items 1-4, 6).  Each try
-- must be refused with its SQLSTATE; no message may show a value of the
-- secret table; the server must still be up at the end (a crash would end
-- this file early and fail it).  docs/security.md is the model tested here.
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never
-- try(sql): the SQLSTATE and message of a statement that fails, 'ok' otherwise;
-- every message is also kept in forgery.seen, to look for leaks at the end.
-- (A permanent schema: DISCARD TEMP below would drop pg_temp helpers.)
CREATE SCHEMA forgery;
GRANT USAGE ON SCHEMA forgery TO PUBLIC;
CREATE TABLE forgery.seen (msg text);
GRANT INSERT, SELECT ON forgery.seen TO PUBLIC;
CREATE FUNCTION forgery.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    m text; d text; h text;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
    INSERT INTO forgery.seen VALUES (concat_ws(' | ', m, d, h));
    RETURN SQLSTATE || ': ' || m;
END
$$;
GRANT EXECUTE ON FUNCTION forgery.try(text) TO PUBLIC;

DROP ROLE IF EXISTS cbr_victim;
DROP ROLE IF EXISTS cbr_forger;
CREATE ROLE cbr_victim;
CREATE ROLE cbr_forger;
CREATE SCHEMA victim AUTHORIZATION cbr_victim;
CREATE SCHEMA forger AUTHORIZATION cbr_forger;
GRANT USAGE ON SCHEMA victim TO cbr_forger;

-- The victim: a secret table nobody else may read, with row security forced,
-- and a returns table with a genuine check.
SET ROLE cbr_victim;
CREATE TABLE victim.secret (k int PRIMARY KEY, qty int, note text);
INSERT INTO victim.secret VALUES (1, 987654, 'SECRET-NOTE-31337');
ALTER TABLE victim.secret ENABLE ROW LEVEL SECURITY;
ALTER TABLE victim.secret FORCE ROW LEVEL SECURITY;
CREATE TABLE victim.ret (id int PRIMARY KEY, exported date, reason cbreturn.return_reason, returned date);
SELECT cbreturn.attach_export_return_checks('victim.ret', exported_on => 'exported', reason => 'reason',
                                            returned_on => 'returned');
-- readable by the forger, but only the key column; TRIGGER granted
CREATE TABLE victim.partly (k int PRIMARY KEY, qty int);
GRANT SELECT (k), TRIGGER ON victim.partly TO cbr_forger;
-- readable by the forger, but no TRIGGER: it may not guard this table
CREATE TABLE victim.readable (k int PRIMARY KEY, qty int);
GRANT SELECT ON victim.readable TO cbr_forger;
RESET ROLE;

SET ROLE cbr_forger;
CREATE TABLE forger.ret (id int PRIMARY KEY, k int, qty int, exported date, reason text, returned date);
CREATE TABLE forger.decl (k int PRIMARY KEY, qty int);

-- 1. Direct writes to the metadata: refused for every role but its owner,
-- whichever table they name (42501).
SELECT forgery.try($$INSERT INTO cbreturn.attached_check (relation, check_kind) VALUES ('victim.ret', 'import')$$);
SELECT forgery.try($$INSERT INTO cbreturn.attached_check (relation, check_kind, declared_relation)
                     VALUES ('forger.ret', 'quantity', 'victim.secret')$$);
SELECT forgery.try($$INSERT INTO cbreturn.attached_column (relation, check_kind, role, column_relation, column_name)
                     VALUES ('forger.ret', 'quantity', 'declared_quantity', 'victim.secret', 'qty')$$);
SELECT forgery.try($$UPDATE cbreturn.attached_column SET column_relation = 'victim.secret'$$);
SELECT forgery.try($$UPDATE cbreturn.attached_check SET declared_relation = 'victim.secret'$$);
SELECT forgery.try($$DELETE FROM cbreturn.attached_column$$);
SELECT forgery.try($$DELETE FROM cbreturn.attached_check$$);
SELECT forgery.try($$TRUNCATE cbreturn.attached_check$$);

-- A write privilege granted by mistake still lets no other role write the
-- metadata (42501).  Row security, the guard of 0.2.0, did not stop a
-- TRUNCATE, and let an UPDATE or DELETE pass as touching no row.
RESET ROLE;
GRANT INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON cbreturn.attached_check, cbreturn.attached_column TO cbr_forger;
SET ROLE cbr_forger;
-- nor put a trigger there, which the next attach, writing as the metadata's
-- owner, would run with the owner's rights (a superuser's: ALTER ROLE ...)
CREATE FUNCTION forger.evil() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
SELECT forgery.try($$CREATE TRIGGER a_evil BEFORE INSERT ON cbreturn.attached_check
                     FOR EACH STATEMENT EXECUTE FUNCTION forger.evil()$$);
SELECT forgery.try($$CREATE TRIGGER a_evil AFTER DELETE ON cbreturn.attached_column
                     FOR EACH ROW EXECUTE FUNCTION forger.evil()$$);
-- nor a foreign key referencing it: its ON DELETE CASCADE queued the role's
-- own trigger on its table, which fired as the role deleting the metadata
SELECT forgery.try($$CREATE TABLE forger.fk (r regclass, k text,
                     FOREIGN KEY (r, k) REFERENCES cbreturn.attached_check (relation, check_kind) ON DELETE CASCADE)$$);
CREATE TABLE forger.fk2 (r regclass, k text);
SELECT forgery.try($$ALTER TABLE forger.fk2 ADD FOREIGN KEY (r, k)
                     REFERENCES cbreturn.attached_check (relation, check_kind) ON DELETE CASCADE$$);
-- nor through CREATE SCHEMA ... CREATE TABLE, whose command is CREATE SCHEMA
RESET ROLE;
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO cbr_forger', current_database()); END $$;
SET ROLE cbr_forger;
SELECT forgery.try($$CREATE SCHEMA forger_fk CREATE TABLE fk (r regclass, k text,
                     FOREIGN KEY (r, k) REFERENCES cbreturn.attached_check (relation, check_kind) ON DELETE CASCADE)$$);
RESET ROLE;
DO $$ BEGIN EXECUTE format('REVOKE CREATE ON DATABASE %I FROM cbr_forger', current_database()); END $$;
-- A foreign key the table already had (made by a superuser, say, before
-- the owner got the table) blocks none of its owner's later DDL: only keys
-- a command makes are judged.
CREATE TABLE forger.orders (id int PRIMARY KEY, sup cbreturn.supervision_code
                            REFERENCES cbreturn.supervision_codes (code)) PARTITION BY RANGE (id);
ALTER TABLE forger.orders OWNER TO cbr_forger;
SET ROLE cbr_forger;
SELECT forgery.try($$ALTER TABLE forger.orders ADD COLUMN note text$$) AS owner_alters;
SELECT forgery.try($$CREATE TABLE forger.orders_1 PARTITION OF forger.orders FOR VALUES FROM (0) TO (100)$$) AS owner_partitions;
-- A key to the reference data, with REFERENCES granted on purpose, is an
-- ERP's ordinary key: the DBA writes those tables, not the extension.
RESET ROLE;
GRANT REFERENCES ON cbreturn.supervision_codes TO cbr_forger;
SET ROLE cbr_forger;
SELECT forgery.try($$CREATE TABLE forger.orders2 (sup cbreturn.supervision_code REFERENCES cbreturn.supervision_codes (code))$$) AS key_to_reference_data;
RESET ROLE;
REVOKE REFERENCES ON cbreturn.supervision_codes FROM cbr_forger;
SET ROLE cbr_forger;
SELECT forgery.try($$INSERT INTO cbreturn.attached_check (relation, check_kind) VALUES ('victim.ret', 'import')$$);
SELECT forgery.try($$UPDATE cbreturn.attached_check SET declared_relation = 'victim.secret'$$);
SELECT forgery.try($$DELETE FROM cbreturn.attached_column$$);
SELECT forgery.try($$TRUNCATE cbreturn.attached_check$$);
SELECT forgery.try($$TRUNCATE cbreturn.attached_column$$);
RESET ROLE;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON cbreturn.attached_check, cbreturn.attached_column FROM cbr_forger;
SELECT count(*) > 0 AS metadata_kept FROM cbreturn.attached_column WHERE relation = 'victim.ret'::regclass;
SELECT count(*) AS foreign_triggers FROM pg_trigger
 WHERE tgrelid IN ('cbreturn.attached_check'::regclass, 'cbreturn.attached_column'::regclass)
   AND (tgname = 'a_evil' OR tgname LIKE 'RI_ConstraintTrigger%');
SET ROLE cbr_forger;

-- The 0.1.0 leak: forged metadata naming the secret table as declared
-- table, and a quantity trigger made by hand, made the check read the secret
-- quantity with the extension owner's rights and show it in its message.
-- Without metadata the hand-made trigger reads nothing and refuses the row.
CREATE TRIGGER cbreturn_quantity_check AFTER INSERT OR UPDATE OR DELETE ON forger.ret
    FOR EACH ROW EXECUTE FUNCTION cbreturn.quantity_check();
SELECT forgery.try($$INSERT INTO forger.ret (id, k, qty) VALUES (1, 1, 99999999)$$) <> 'ok' AS refused_unattached;
-- detach removes such a trigger (as restored by pg_dump -n without the metadata)
SELECT cbreturn.detach('forger.ret', 'quantity') AS detached;
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'forger.ret'::regclass;

-- 2. The functions attach records through, called directly: they check the
-- calling role as attach does.
-- someone else's table (42501)
SELECT forgery.try($$SELECT cbreturn._metadata_register('victim.ret', 'import', false, NULL, NULL)$$);
SELECT forgery.try($$SELECT cbreturn._metadata_column('victim.ret', 'export', 'reason', 'victim.ret', 'reason')$$);
SELECT forgery.try($$SELECT cbreturn._metadata_forget('victim.ret', NULL)$$);
-- a declared table it cannot read (42501)
SELECT forgery.try($$SELECT cbreturn._metadata_register('forger.ret', 'quantity', false, 'victim.secret', NULL)$$);
-- a declared table it may read but not put a trigger on (42501)
SELECT forgery.try($$SELECT cbreturn._metadata_register('forger.ret', 'quantity', false, 'victim.readable', NULL)$$);
-- a column of a table that is neither the checked nor the declared one (22023)
SELECT cbreturn._metadata_register('forger.ret', 'quantity', false, 'forger.decl', NULL);
SELECT forgery.try($$SELECT cbreturn._metadata_column('forger.ret', 'quantity', 'declared_quantity', 'victim.secret', 'qty')$$);
-- a declared column it may not read (42501): only k of victim.partly is granted
SELECT cbreturn._metadata_forget('forger.ret', 'quantity');
SELECT cbreturn._metadata_register('forger.ret', 'quantity', false, 'victim.partly', NULL);
SELECT forgery.try($$SELECT cbreturn._metadata_column('forger.ret', 'quantity', 'declared_quantity', 'victim.partly', 'qty')$$);
SELECT cbreturn._metadata_column('forger.ret', 'quantity', 'declared_line_1', 'victim.partly', 'k');
SELECT cbreturn._metadata_forget('forger.ret', 'quantity');
-- a bare OID naming no relation (42P01), NULLs (22004)
SELECT forgery.try($$SELECT cbreturn._metadata_register(1234, 'export', false, NULL, NULL)$$);
SELECT forgery.try($$SELECT cbreturn._metadata_register('forger.ret', 'quantity', false, 1234, NULL)$$);
SELECT forgery.try($$SELECT cbreturn._metadata_column('forger.ret', 'export', 'reason', 1234, 'k')$$);
SELECT forgery.try($$SELECT cbreturn._metadata_forget(1234, NULL)$$);
SELECT forgery.try($$SELECT cbreturn._metadata_register(NULL, 'export', false, NULL, NULL)$$);
SELECT forgery.try($$SELECT cbreturn._metadata_column('forger.ret', 'export', NULL, 'forger.ret', 'k')$$);

-- 3. Attach naming a table it cannot read, or someone else's table.
SELECT forgery.try($$SELECT cbreturn.attach_quantity_check('forger.ret', line => '{k}', quantity => 'qty',
    declared_table => 'victim.secret', declared_line => '{k}', declared_quantity => 'qty')$$);
SELECT forgery.try($$SELECT cbreturn.attach_export_return_checks('victim.secret', exported_on => 'note', reason => 'note')$$);
SELECT forgery.try($$SELECT cbreturn.detach('victim.ret')$$);
-- bare OID strings: 42P01, not a syntax error
SELECT forgery.try($$SELECT cbreturn.detach('1234')$$);
SELECT forgery.try($$SELECT cbreturn.detach('1234', 'quantity')$$);
SELECT forgery.try($$SELECT cbreturn.attach_import_return_checks('1234', released_on => 'k', applied_on => 'k')$$);

-- 4. Temporary tables: refused as checked and as declared table (0A000), so
-- that nothing is left behind when the session ends or DISCARD TEMP runs.
CREATE TEMPORARY TABLE tmp_ret (id int PRIMARY KEY, k int, qty int, exported date, reason text, returned date);
CREATE TEMPORARY TABLE tmp_decl (k int PRIMARY KEY, qty int);
SELECT forgery.try($$SELECT cbreturn.attach_export_return_checks('tmp_ret', exported_on => 'exported', reason => 'reason')$$);
SELECT forgery.try($$SELECT cbreturn.attach_import_return_checks('tmp_ret', released_on => 'exported', applied_on => 'returned')$$);
SELECT forgery.try($$SELECT cbreturn.attach_status_check('tmp_ret', status => 'reason')$$);
SELECT forgery.try($$SELECT cbreturn.attach_quantity_check('tmp_ret', line => '{k}', quantity => 'qty',
    declared_table => 'forger.decl', declared_line => '{k}', declared_quantity => 'qty')$$);
SELECT forgery.try($$SELECT cbreturn.attach_quantity_check('forger.ret', line => '{k}', quantity => 'qty',
    declared_table => 'tmp_decl', declared_line => '{k}', declared_quantity => 'qty')$$);
SELECT forgery.try($$SELECT cbreturn._metadata_register('tmp_ret', 'import', false, NULL, NULL)$$);
SELECT forgery.try($$SELECT cbreturn._metadata_register('forger.ret', 'quantity', false, 'tmp_decl', NULL)$$);
DISCARD TEMP;

-- The forger's own attach still works, and detach too.
SELECT cbreturn.attach_export_return_checks('forger.ret', exported_on => 'exported', reason => 'reason',
                                            returned_on => 'returned');
SELECT forgery.try($$INSERT INTO forger.ret (id, exported, reason, returned) VALUES (1, '2026-03-01', 'unsold', '2026-09-02')$$);
SELECT cbreturn.detach('forger.ret');
RESET ROLE;

-- Nothing was written: only the victim's genuine check is recorded, and no
-- row names a relation that does not exist or a temporary one.
SELECT relation, check_kind, declared_relation FROM cbreturn.attached_check ORDER BY 1, 2;
SELECT relation, role, column_relation, column_name FROM cbreturn.attached_column ORDER BY 1, 2;
SELECT count(*) AS orphaned FROM cbreturn.attached_check k
 WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = k.relation AND c.relpersistence <> 't');

-- No message showed a value of the secret table.
SELECT count(*) AS messages_seen, count(*) FILTER (WHERE msg ~ '987654|SECRET-NOTE') AS leaking FROM forgery.seen;

-- 5. Stale metadata (as 0.1.0 could leave, here written by the superuser)
-- does not make ALTER TABLE of other tables fail, nor block their DROP.
CREATE TABLE forger.stale (a int, b date);
INSERT INTO cbreturn.attached_check (relation, check_kind) VALUES ('forger.stale', 'import');
INSERT INTO cbreturn.attached_column (relation, check_kind, role, column_relation, column_name)
VALUES ('forger.stale', 'import', 'released_on', 'forger.stale', 'b');
-- a column the metadata names, gone behind the event triggers' back
UPDATE cbreturn.attached_column SET column_type = 'int4'::regtype WHERE relation = 'forger.stale'::regclass;
SET ROLE cbr_victim;
ALTER TABLE victim.ret ADD COLUMN extra int;
ALTER TABLE victim.ret RENAME COLUMN extra TO extra2;
ALTER TABLE victim.ret DROP COLUMN extra2;
-- the victim's own attached columns are still protected
SELECT forgery.try($$ALTER TABLE victim.ret DROP COLUMN returned$$);
CREATE TABLE victim.scratch (a int);
DROP TABLE victim.scratch;
RESET ROLE;
-- the owner of the stale table is the one who meets it
SELECT forgery.try($$ALTER TABLE forger.stale ADD COLUMN c int$$);
DELETE FROM cbreturn.attached_column WHERE relation = 'forger.stale'::regclass;
DELETE FROM cbreturn.attached_check WHERE relation = 'forger.stale'::regclass;

-- The server is still up, and the victim's check still enforces.
SELECT 'still up' AS server;
SELECT forgery.try($$INSERT INTO victim.ret VALUES (1, '2026-03-01', 'unsold', '2026-09-02')$$);

DROP SCHEMA victim CASCADE;
DROP SCHEMA forger CASCADE;
DROP SCHEMA forgery CASCADE;
DROP ROLE cbr_victim;
DROP ROLE cbr_forger;
SELECT count(*) AS left_behind FROM cbreturn.attached_check;
