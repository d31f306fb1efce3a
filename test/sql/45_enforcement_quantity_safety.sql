-- Issue 9, adversarial findings on the quantity check and the values the
-- checks' errors show.  Each block fails without its fix.
SET client_min_messages = warning;
CREATE ROLE qs_owner;
CREATE ROLE qs_evil;
CREATE ROLE qs_clerk;
CREATE ROLE qs_seer;
CREATE SCHEMA qs AUTHORIZATION qs_owner;
CREATE SCHEMA qs_evil AUTHORIZATION qs_evil;
GRANT USAGE ON SCHEMA qs TO qs_clerk, qs_seer;
-- the SQLSTATE, message, detail and hint of a statement that fails, as the caller sees them
CREATE SCHEMA qs_t;
GRANT USAGE ON SCHEMA qs_t TO PUBLIC;
CREATE FUNCTION qs_t.err(sql text) RETURNS TABLE (state text, message text, detail text, hint text)
    LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN QUERY SELECT 'ok'::text, NULL::text, NULL::text, NULL::text;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN NEXT;
END
$$;
\pset format unaligned
\pset fieldsep ' | '

-- (a) The DROP event trigger counts again, as the extension's owner, the
-- declared tables of partitioned returns tables when a trigger named
-- cbreturn_quantity_check goes.  A role that drops its own permanent table
-- carrying such a trigger, made by hand, must not be shown the figures of
-- another role's returns in the WARNING.
SET ROLE qs_owner;
CREATE TABLE qs.decl (entry text, g_no int, qty numeric, PRIMARY KEY (entry, g_no));
INSERT INTO qs.decl VALUES ('SECRET-ENTRY', 1, 10);
CREATE TABLE qs.ret_p (id int, entry text, g_no int, qty numeric) PARTITION BY LIST (g_no);
CREATE TABLE qs.ret_p1 PARTITION OF qs.ret_p FOR VALUES IN (1);
SELECT cbreturn.attach_quantity_check('qs.ret_p', '{entry,g_no}', 'qty', 'qs.decl', '{entry,g_no}', 'qty');
INSERT INTO qs.ret_p VALUES (1, 'SECRET-ENTRY', 1, 8);
RESET ROLE;
-- an over-return written past the check (replication role), for the recount to find
SET session_replication_role = replica;
INSERT INTO qs.ret_p VALUES (2, 'SECRET-ENTRY', 1, 4);
RESET session_replication_role;
SET ROLE qs_evil;
CREATE TABLE qs_evil.x (a int);
CREATE TRIGGER cbreturn_quantity_check AFTER INSERT ON qs_evil.x FOR EACH ROW EXECUTE FUNCTION cbreturn.quantity_check();
DROP TABLE qs_evil.x;
RESET ROLE;
-- the owner of the returns may see them
SET ROLE qs_owner;
CREATE TABLE qs.y (a int);
CREATE TRIGGER cbreturn_quantity_check AFTER INSERT ON qs.y FOR EACH ROW EXECUTE FUNCTION cbreturn.quantity_check();
DROP TABLE qs.y;
DELETE FROM qs.ret_p WHERE id = 2;
RESET ROLE;
SET session_replication_role = replica;
DELETE FROM qs.ret_p WHERE id = 2;
RESET session_replication_role;
SELECT cbreturn.rebuild_quantity_ledger('qs.decl');

-- (b) A role with UPDATE or DELETE but no SELECT on a checked column is
-- shown no value of it: not in the message, the detail or the row identity.
SET ROLE qs_owner;
CREATE TABLE qs.ret (id int PRIMARY KEY, entry text, g_no int, qty numeric);
SELECT cbreturn.attach_quantity_check('qs.ret', '{entry,g_no}', 'qty', 'qs.decl', '{entry,g_no}', 'qty');
INSERT INTO qs.ret VALUES (7, 'SECRET-ENTRY', 1, 1);
GRANT SELECT (id), UPDATE (qty) ON qs.ret TO qs_clerk;
GRANT SELECT, UPDATE ON qs.ret TO qs_seer;
GRANT SELECT (g_no), DELETE ON qs.decl TO qs_clerk;
RESET ROLE;
SET ROLE qs_clerk;
-- the key of the line is not the clerk's to read
SELECT * FROM qs_t.err($$UPDATE qs.ret SET qty = 20 WHERE id = 7$$);
-- nor the key of the declared line it may delete
SELECT * FROM qs_t.err($$DELETE FROM qs.decl WHERE g_no = 1$$);
RESET ROLE;
-- a role that may read the rows sees everything (the same errors, with values)
SET ROLE qs_seer;
SELECT * FROM qs_t.err($$UPDATE qs.ret SET qty = 20 WHERE id = 7$$);
RESET ROLE;
-- may read the checked columns, not the primary key: no row identity
SET ROLE qs_owner;
REVOKE SELECT ON qs.ret FROM qs_seer;
GRANT SELECT (entry, g_no, qty) ON qs.ret TO qs_seer;
RESET ROLE;
SET ROLE qs_seer;
SELECT * FROM qs_t.err($$UPDATE qs.ret SET qty = 20 WHERE entry = 'SECRET-ENTRY'$$);
RESET ROLE;

-- the status check: the old status is not the clerk's to read
SET ROLE qs_owner;
CREATE TABLE qs.track (id int PRIMARY KEY, st text, reg date, decl date);
SELECT cbreturn.attach_status_check('qs.track', status => 'st', registered_at => 'reg', declared_at => 'decl');
INSERT INTO qs.track VALUES (1, 'declared', '2026-01-02', '2026-01-05');
GRANT SELECT (id), UPDATE (st) ON qs.track TO qs_clerk;
RESET ROLE;
SET ROLE qs_clerk;
SELECT * FROM qs_t.err($$UPDATE qs.track SET st = 'registered' WHERE id = 1$$);
RESET ROLE;

-- the export check: the export date is not the clerk's to read
SET ROLE qs_owner;
CREATE TABLE qs.exp (id int PRIMARY KEY, exported date, reason cbreturn.return_reason, returned date);
SELECT cbreturn.attach_export_return_checks('qs.exp', exported_on => 'exported', reason => 'reason', returned_on => 'returned');
INSERT INTO qs.exp VALUES (1, '2026-01-10', 'unsold', NULL);
GRANT SELECT (id), UPDATE (returned) ON qs.exp TO qs_clerk;
RESET ROLE;
SET ROLE qs_clerk;
SELECT * FROM qs_t.err($$UPDATE qs.exp SET returned = '2027-03-01' WHERE id = 1$$);
RESET ROLE;

-- the import check: the release date is not the clerk's to read
SET ROLE qs_owner;
CREATE TABLE qs.imp (id int PRIMARY KEY, released date, applied date);
SELECT cbreturn.attach_import_return_checks('qs.imp', released_on => 'released', applied_on => 'applied');
INSERT INTO qs.imp VALUES (1, '2026-01-10', NULL);
GRANT SELECT (id), UPDATE (applied) ON qs.imp TO qs_clerk;
RESET ROLE;
SET ROLE qs_clerk;
SELECT * FROM qs_t.err($$UPDATE qs.imp SET applied = '2026-03-01' WHERE id = 1$$);
RESET ROLE;

-- (c) Inheritance children of a returns table are not checked (row
-- triggers are not inherited) and not counted: the ledger and a recount
-- agree.
SET ROLE qs_owner;
CREATE TABLE qs.decl3 (g_no int PRIMARY KEY, qty int);
INSERT INTO qs.decl3 VALUES (1, 10);
CREATE TABLE qs.ret3 (id int, g_no int, qty int);
SELECT cbreturn.attach_quantity_check('qs.ret3', '{g_no}', 'qty', 'qs.decl3', '{g_no}', 'qty');
CREATE TABLE qs.ret3_child () INHERITS (qs.ret3);
INSERT INTO qs.ret3 VALUES (1, 1, 6);
INSERT INTO qs.ret3_child VALUES (2, 1, 6);
SELECT count(*) AS differences FROM cbreturn.verify_quantity_ledger('qs.decl3');
SELECT cbreturn.rebuild_quantity_ledger('qs.decl3');
SELECT regress.try($$INSERT INTO qs.ret3 VALUES (3, 1, 5)$$);
INSERT INTO qs.ret3 VALUES (3, 1, 4);
SELECT count(*) AS differences FROM cbreturn.verify_quantity_ledger('qs.decl3');
RESET ROLE;

-- (d) A role granted TRUNCATE on a returns table may truncate it; the
-- declared table is counted again without its rows.
SET ROLE qs_owner;
CREATE TABLE qs.ret4 (id int, g_no int, qty int);
SELECT cbreturn.attach_quantity_check('qs.ret4', '{g_no}', 'qty', 'qs.decl3', '{g_no}', 'qty');
DELETE FROM qs.ret3 WHERE id = 3;
INSERT INTO qs.ret4 VALUES (1, 1, 4);
GRANT TRUNCATE ON qs.ret4 TO qs_clerk;
RESET ROLE;
SET ROLE qs_clerk;
SELECT regress.try($$TRUNCATE qs.ret4$$);
-- the grant gives no right to leave a table out of a count
SELECT regress.try($$SELECT cbreturn._quantity_rebuild('qs.decl3', ARRAY['qs.ret3'::regclass::oid], false)$$);
RESET ROLE;
SET ROLE qs_owner;
SELECT count(*) AS returns_left FROM qs.ret4;
SELECT count(*) AS differences FROM cbreturn.verify_quantity_ledger('qs.decl3');
SELECT regress.try($$INSERT INTO qs.ret4 VALUES (2, 1, 5)$$);
SELECT regress.try($$INSERT INTO qs.ret4 VALUES (3, 1, 4)$$);
RESET ROLE;

-- (e) The metadata functions record only the column roles a check reads.
CREATE ROLE qs_self;
CREATE SCHEMA qs_self AUTHORIZATION qs_self;
SET ROLE qs_self;
CREATE TABLE qs_self.t (a date, b int);
SELECT cbreturn._metadata_register('qs_self.t', 'export', false, NULL, NULL);
SELECT regress.try($$SELECT cbreturn._metadata_column('qs_self.t', 'export', 'made_up', 'qs_self.t', 'a')$$);
SELECT regress.try($$SELECT cbreturn._metadata_column('qs_self.t', 'export', 'line_1', 'qs_self.t', 'b')$$);
SELECT regress.try($$SELECT cbreturn._metadata_column('qs_self.t', 'export', 'exported_on', 'qs_self.t', 'a')$$);
SELECT cbreturn._metadata_register('qs_self.t', 'quantity', false, 'qs_self.t', NULL);
SELECT regress.try($$SELECT cbreturn._metadata_column('qs_self.t', 'quantity', 'line_9', 'qs_self.t', 'b')$$);
SELECT regress.try($$SELECT cbreturn._metadata_column('qs_self.t', 'quantity', 'line_8', 'qs_self.t', 'b')$$);
SELECT cbreturn._metadata_forget('qs_self.t', NULL);
RESET ROLE;

-- (f) A declared table given by a bare OID that names nothing: 42P01, not "(null)".
SELECT regress.try($$SELECT cbreturn._quantity_validate_declared(4294967294::oid::regclass, '{g_no}', 'qty')$$);
-- The same for the header's test (XX000 before), which a role that does not
-- own the table may not run at all (it opened the table, even pg_authid).
SELECT regress.try($$SELECT cbreturn._header_validate(0)$$);
SELECT regress.try($$SELECT cbreturn._header_validate(4294967294::oid::regclass)$$);
SELECT 'qs.ret'::regclass::oid AS qs_ret_oid \gset
SET ROLE qs_evil;
SELECT regress.try('SELECT cbreturn._header_validate(' || :qs_ret_oid || ')');
SELECT regress.try($$SELECT cbreturn._header_validate('pg_authid')$$);
RESET ROLE;

-- (g) A very long key is cut in messages (at 64 bytes, whole characters).
SET ROLE qs_owner;
SELECT * FROM qs_t.err($$INSERT INTO qs.ret VALUES (8, repeat('货', 100), 1, 1)$$);
SELECT * FROM qs_t.err(format($$INSERT INTO qs.ret VALUES (9, %s, 1, 1)$$, quote_literal(repeat('K', 300))));
RESET ROLE;

-- (h) An UPDATE that raises a counted row's quantity past the line: the
-- DETAIL counts the line's other returns (not this row's old quantity too)
-- and the HINT says what this row may hold; that much passes.
CREATE TABLE qs.decl_h (g_no int PRIMARY KEY, qty int);
CREATE TABLE qs.ret_h (id text PRIMARY KEY, g_no int, qty int);
INSERT INTO qs.decl_h VALUES (1, 10);
SELECT cbreturn.attach_quantity_check('qs.ret_h', '{g_no}', 'qty', 'qs.decl_h', '{g_no}', 'qty') IS NULL AS attached;
INSERT INTO qs.ret_h VALUES ('A', 1, 2), ('B', 1, 1);
SELECT * FROM qs_t.err($$UPDATE qs.ret_h SET qty = 9 WHERE id = 'B'$$);
SELECT * FROM qs_t.err($$INSERT INTO qs.ret_h VALUES ('C', 1, 8)$$);
SELECT * FROM qs_t.err($$UPDATE qs.ret_h SET qty = 8 WHERE id = 'B'$$);

-- (i) A column rewritten in place (ALTER COLUMN ... TYPE ... USING, the type
-- kept) is counted again: an over-return it makes refuses the ALTER TABLE,
-- on the returns side, on the declared side, and on a partitioned returns
-- table (after a change of this round, that one had been let through).
SELECT regress.try($$ALTER TABLE qs.ret_h ALTER COLUMN qty TYPE int USING qty * 2$$);
SELECT regress.try($$ALTER TABLE qs.decl_h ALTER COLUMN qty TYPE int USING qty / 2$$);
SELECT regress.try($$ALTER TABLE qs.ret_h ALTER COLUMN qty TYPE int USING qty / 2$$) AS halved;
SELECT sum(qty) AS returned FROM qs.ret_h;
SELECT count(*) AS ledger_differences FROM cbreturn.verify_quantity_ledger('qs.decl_h');
CREATE TABLE qs.decl_i (g_no int PRIMARY KEY, qty int);
CREATE TABLE qs.ret_i (id int, d date, g_no int, qty int, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);
CREATE TABLE qs.ret_i26 PARTITION OF qs.ret_i FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO qs.decl_i VALUES (1, 10);
SELECT cbreturn.attach_quantity_check('qs.ret_i', '{g_no}', 'qty', 'qs.decl_i', '{g_no}', 'qty') IS NULL AS attached;
INSERT INTO qs.ret_i VALUES (1, '2026-01-05', 1, 2), (2, '2026-01-05', 1, 2);
SELECT regress.try($$ALTER TABLE qs.ret_i ALTER COLUMN qty TYPE int USING qty * 5$$);
-- A partition made by CREATE SCHEMA ... CREATE TABLE ... PARTITION OF gets
-- its TRUNCATE trigger, and its TRUNCATE counts again.
CREATE SCHEMA qs_s2 CREATE TABLE ret_i27 PARTITION OF qs.ret_i FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
SELECT count(*) AS truncate_trigger FROM pg_trigger
 WHERE tgrelid = 'qs_s2.ret_i27'::regclass AND tgname = 'cbreturn_quantity_truncate';
INSERT INTO qs.ret_i VALUES (3, '2027-01-05', 1, 4);
TRUNCATE qs_s2.ret_i27;
SELECT count(*) AS ledger_differences FROM cbreturn.verify_quantity_ledger('qs.decl_i');
DROP SCHEMA qs_s2 CASCADE;

\pset format aligned
DROP SCHEMA qs, qs_evil, qs_self, qs_t CASCADE;
DROP ROLE qs_owner, qs_evil, qs_clerk, qs_seer, qs_self;
