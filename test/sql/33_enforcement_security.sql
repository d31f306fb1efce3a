-- Write-time enforcement, part 4: the checks as a non-superuser table owner,
-- a writer with INSERT only, and a hostile search_path.
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

DROP ROLE IF EXISTS cbr_erp_owner;
DROP ROLE IF EXISTS cbr_erp_clerk;
DROP ROLE IF EXISTS cbr_intruder;
CREATE ROLE cbr_erp_owner;
CREATE ROLE cbr_erp_clerk;
CREATE ROLE cbr_intruder;
CREATE SCHEMA erp_sec AUTHORIZATION cbr_erp_owner;
GRANT USAGE ON SCHEMA erp_sec TO cbr_erp_clerk, cbr_intruder;

SET ROLE cbr_erp_owner;
CREATE TABLE erp_sec.lines (decl cbreturn.declaration_id, item int, qty int, PRIMARY KEY (decl, item));
CREATE TABLE erp_sec.returns (
    id int PRIMARY KEY, decl cbreturn.declaration_id, item int, qty int,
    exported date, reason cbreturn.return_reason, returned date, remarks text);
INSERT INTO erp_sec.lines VALUES ('020220260525641690', 1, 5);
SELECT cbreturn.attach_export_return_checks('erp_sec.returns', exported_on => 'exported', reason => 'reason',
                                            returned_on => 'returned', remarks => 'remarks', fill_remarks => true);
SELECT cbreturn.attach_quantity_check('erp_sec.returns', line => '{decl,item}', quantity => 'qty',
    declared_table => 'erp_sec.lines', declared_line => '{decl,item}', declared_quantity => 'qty');
-- the owner may not write the ledger or the metadata of others' tables
SELECT regress.try($$UPDATE cbreturn.quantity_ledger SET returned = 0$$);
SELECT regress.try($$SELECT returned FROM cbreturn.quantity_ledger$$);
GRANT INSERT, UPDATE, DELETE, SELECT ON erp_sec.returns TO cbr_erp_clerk;
RESET ROLE;

-- The clerk writes returns: no rights on the ledger or the declared lines are needed.
SET ROLE cbr_erp_clerk;
INSERT INTO erp_sec.returns VALUES (1, '020220260525641690', 1, 3, '2026-03-01', 'unsold', '2026-04-01');
SELECT regress.try($$INSERT INTO erp_sec.returns VALUES (2, '020220260525641690', 1, 3, '2026-03-01', 'unsold', '2026-04-01')$$);
SELECT regress.try($$INSERT INTO erp_sec.returns VALUES (3, '020220260525641690', 1, 1, '2026-03-01', 'unsold', '2026-09-02')$$);
SELECT regress.try($$SELECT * FROM erp_sec.lines$$);
-- nobody but the extension reads or writes the ledger (its sums come from
-- tables a role may not read): the clerk may not see it, nor verify it
SELECT regress.try($$DELETE FROM cbreturn.quantity_ledger$$);
SELECT regress.try($$SELECT returned FROM cbreturn.quantity_ledger$$);
SELECT regress.try($$SELECT * FROM cbreturn.verify_quantity_ledger('erp_sec.lines')$$);
SELECT regress.try($$SELECT cbreturn.rebuild_quantity_ledger('erp_sec.lines')$$);
SELECT regress.try($$SELECT cbreturn.detach('erp_sec.returns')$$);
RESET ROLE;

-- Another role can neither attach to nor detach from a table it does not own,
-- nor forge metadata for it: only the metadata's owner writes it (0.2.0;
-- 0.1.0 let row security hide the rows, 37_enforcement_forgery has the rest).
SET ROLE cbr_intruder;
SELECT regress.try($$SELECT cbreturn.detach('erp_sec.returns', 'export')$$);
SELECT regress.try($$SELECT cbreturn.attach_status_check('erp_sec.returns', status => 'remarks')$$);
SELECT regress.try($$DELETE FROM cbreturn.attached_column$$);
SELECT regress.try($$INSERT INTO cbreturn.attached_check (relation, check_kind) VALUES ('erp_sec.returns', 'import')$$);
SELECT count(*) AS still_attached FROM cbreturn.attached_checks WHERE "table" = 'erp_sec.returns'::regclass;
RESET ROLE;

-- A hostile search_path: a schema with look-alike functions and operators
-- that would accept everything (or record that they ran) if the triggers
-- resolved anything through search_path.
CREATE SCHEMA hostile;
CREATE TABLE hostile.called (what text);
GRANT ALL ON hostile.called TO PUBLIC;
CREATE FUNCTION hostile.int4eq(int, int) RETURNS boolean LANGUAGE plpgsql AS
    $$BEGIN INSERT INTO hostile.called VALUES ('int4eq'); RETURN true; END$$;
CREATE OPERATOR hostile.= (LEFTARG = int, RIGHTARG = int, FUNCTION = hostile.int4eq);
CREATE FUNCTION hostile.oideq(oid, oid) RETURNS boolean LANGUAGE plpgsql AS
    $$BEGIN INSERT INTO hostile.called VALUES ('oideq'); RETURN true; END$$;
CREATE OPERATOR hostile.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = hostile.oideq);
CREATE FUNCTION hostile.textnumadd(numeric, numeric) RETURNS numeric LANGUAGE plpgsql AS
    $$BEGIN INSERT INTO hostile.called VALUES ('numeric +'); RETURN 0; END$$;
CREATE OPERATOR hostile.+ (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = hostile.textnumadd);
CREATE TABLE hostile.quantity_ledger (relation regclass, line text[], returned numeric);
CREATE TABLE hostile.attached_check (LIKE cbreturn.attached_check);
GRANT ALL ON SCHEMA hostile TO PUBLIC;

SET ROLE cbr_erp_clerk;
SET search_path = hostile, pg_catalog, cbreturn, public;
-- the rules still hold, through a fresh statement plan
SELECT regress.try($$INSERT INTO erp_sec.returns VALUES (4, '020220260525641690', 1, 3, '2026-03-01', 'unsold', '2026-04-01')$$);
SELECT regress.try($$INSERT INTO erp_sec.returns VALUES (5, '020220260525641690', 1, 2, '2026-03-01', 'unsold', '2026-09-02')$$);
INSERT INTO erp_sec.returns VALUES (6, '020220260525641690', 1, 2, '2026-03-01', 'unsold', '2026-04-01');
SET search_path = pg_temp, hostile, pg_catalog;
SELECT regress.try($$INSERT INTO erp_sec.returns VALUES (7, '020220260525641690', 1, 1, '2026-03-01', 'unsold', '2026-04-01')$$);
RESET search_path;
RESET ROLE;
SELECT count(*) AS hostile_calls FROM hostile.called;
SELECT count(*) AS hostile_ledger_rows FROM hostile.quantity_ledger;
SELECT id, qty, remarks FROM erp_sec.returns ORDER BY id;
SELECT returned, return_rows FROM cbreturn.quantity_ledger WHERE declared_relation = 'erp_sec.lines'::regclass;
SELECT * FROM cbreturn.verify_quantity_ledger('erp_sec.lines');

DROP SCHEMA hostile CASCADE;
DROP SCHEMA erp_sec CASCADE;
DROP ROLE cbr_erp_owner;
DROP ROLE cbr_erp_clerk;
DROP ROLE cbr_intruder;
