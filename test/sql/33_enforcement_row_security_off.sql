-- Write-time enforcement under row_security = off, as pg_dump and
-- pg_restore run, by a role that owns its tables but not the extension.
-- The metadata had row security (a read-only policy) in 0.2.0: PostgreSQL
-- refuses a read of such a table under row_security = off to every role
-- that does not own it, and the checks, the guards and the event triggers
-- read the metadata on every CREATE TABLE, ALTER TABLE, DROP and write to a
-- checked table; a restore by the table owner failed on its first table.
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

DROP ROLE IF EXISTS cbr_rso_owner;
CREATE ROLE cbr_rso_owner;
CREATE SCHEMA rso AUTHORIZATION cbr_rso_owner;
SET ROLE cbr_rso_owner;

-- attached as usual
CREATE TABLE rso.decl (entry text, g_no int, qty int, PRIMARY KEY (entry, g_no));
CREATE TABLE rso.hdr (entry text PRIMARY KEY, exported date);
CREATE TABLE rso.ret (id int PRIMARY KEY, entry text, g_no int, qty int,
                      reason cbreturn.return_reason, back date)
    PARTITION BY RANGE (id);
CREATE TABLE rso.ret_1 PARTITION OF rso.ret FOR VALUES FROM (0) TO (100);
SELECT cbreturn.attach_header('rso.ret', 'rso.hdr', '{entry}', '{entry}', exported_on => 'exported');
SELECT cbreturn.attach_export_return_checks('rso.ret', exported_on => NULL, reason => 'reason', returned_on => 'back');
SELECT cbreturn.attach_quantity_check('rso.ret', '{entry,g_no}', 'qty', 'rso.decl', '{entry,g_no}', 'qty');

-- then everything a restore and an ERP do, under row_security = off
SET row_security = off;
SELECT regress.try($$CREATE TABLE rso.other (a int)$$) AS create_table;
SELECT regress.try($$ALTER TABLE rso.other ADD COLUMN b int$$) AS alter_table;
SELECT regress.try($$CREATE TABLE rso.ret_2 PARTITION OF rso.ret FOR VALUES FROM (100) TO (200)$$) AS new_partition;
SELECT regress.try($$INSERT INTO rso.hdr VALUES ('E1', '2026-01-10')$$) AS header_row;
SELECT regress.try($$INSERT INTO rso.decl VALUES ('E1', 1, 5)$$) AS declared_line;
SELECT regress.try($$INSERT INTO rso.ret VALUES (1, 'E1', 1, 3, 'unsold', '2026-02-01')$$) AS return_ok;
SELECT regress.try($$INSERT INTO rso.ret VALUES (101, 'E1', 1, 2, 'unsold', '2026-02-01')$$) AS return_in_new_partition;
-- the checks still refuse what breaks a rule
SELECT regress.try($$INSERT INTO rso.ret VALUES (2, 'E1', 1, 1, 'unsold', '2026-02-01')$$) AS over_return;
SELECT regress.try($$INSERT INTO rso.ret VALUES (3, 'E9', 1, 1, 'unsold', '2026-02-01')$$) AS no_header;
SELECT regress.try($$UPDATE rso.decl SET qty = 4$$) AS lower_declared;
SELECT regress.try($$DELETE FROM rso.hdr$$) AS delete_header;
SELECT regress.try($$TRUNCATE rso.decl$$) AS truncate_declared;
SELECT regress.try($$ALTER TABLE rso.ret DETACH PARTITION rso.ret_2$$) AS detach_partition;
SELECT regress.try($$DROP TABLE rso.ret_2$$) AS drop_partition;
SELECT regress.try($$DROP TABLE rso.other$$) AS drop_table;
SELECT count(*) AS problems FROM cbreturn.verify_quantity_ledger('rso.decl');
SELECT regress.try($$SELECT cbreturn.detach('rso.ret')$$) AS detach;
RESET row_security;
RESET ROLE;
DROP SCHEMA rso CASCADE;
DROP ROLE cbr_rso_owner;
