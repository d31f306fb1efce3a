-- Record mode, ordinary (taxed) returns and existing rows (issue 12, items 4
-- and 5): set_on_violation, cbreturn.violation_log, set_ordinary_return_column,
-- violations() and validate(), as a table owner without privileges, a clerk
-- who only writes, and another owner.
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

DROP ROLE IF EXISTS cbr_v_owner;
DROP ROLE IF EXISTS cbr_v_clerk;
DROP ROLE IF EXISTS cbr_v_other;
CREATE ROLE cbr_v_owner;
CREATE ROLE cbr_v_clerk;
CREATE ROLE cbr_v_other;
CREATE SCHEMA erp_v AUTHORIZATION cbr_v_owner;
GRANT USAGE ON SCHEMA erp_v TO cbr_v_clerk, cbr_v_other;

SET ROLE cbr_v_owner;
CREATE TABLE erp_v.export_return (
    ret_no text PRIMARY KEY,
    exported date, reason text, returned date, remarks text,
    trade_mode text, decl_port text, ret_port text, decl_code text);
-- rows stored before any check is attached (a history, existing rows)
INSERT INTO erp_v.export_return VALUES
    ('H1', '2026-03-01', 'unsold', '2026-04-01', 'ZXTY', '9610', '2924', '2924', NULL),   -- fine
    ('H2', '2026-03-01', 'unsold', '2026-09-02', 'ZXTY', '9610', '2924', '2924', NULL),   -- late
    ('H3', '2026-03-01', 'unsold', '2026-09-02', 'THTY', '0110', '2924', '5100', NULL),   -- three rules
    ('H4', '2026-03-01', 'unsold', '2026-09-02', 'ZXTY', '9610', '2924', '2924', '4561'), -- ordinary, late
    ('H5', '2026-03-01', 'unsold', '2026-02-01', 'ZXTY', NULL, NULL, NULL, NULL),        -- bad input
    ('H6', '2026-03-01', '坏了', '2026-04-01', 'ZXTY', '9610', '2924', '2924', NULL);    -- a label that names no reason
-- attach with validate => true checks the existing rows in its transaction: the
-- first breaking row's error, as a write of it gets, and nothing is attached
SELECT cbreturn.attach_export_return_checks('erp_v.export_return', exported_on => 'exported',
    reason => 'reason', returned_on => 'returned', remarks => 'remarks',
    supervision_code => 'trade_mode', export_office => 'decl_port', return_office => 'ret_port',
    validate => true);
SELECT count(*) AS attached FROM cbreturn.attached_checks WHERE "table" = 'erp_v.export_return'::regclass;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'erp_v.export_return'::regclass;
SELECT regress.try($$SELECT cbreturn.attach_export_return_checks('erp_v.export_return', exported_on => 'exported',
    reason => 'reason', validate => NULL)$$);
-- without it (the default) the rows are left, and the answer says how many
SELECT cbreturn.attach_export_return_checks('erp_v.export_return', exported_on => 'exported',
    reason => 'reason', returned_on => 'returned', remarks => 'remarks',
    supervision_code => 'trade_mode', export_office => 'decl_port', return_office => 'ret_port');
GRANT INSERT ON erp_v.export_return TO cbr_v_clerk;
GRANT SELECT (ret_no) ON erp_v.export_return TO cbr_v_clerk;
RESET ROLE;

-- the options as attached: refuse, nothing validated
SELECT check_kind, on_violation, ordinary_values, validated_at IS NULL AS not_validated
  FROM cbreturn.attached_checks WHERE "table" = 'erp_v.export_return'::regclass;

-- ---------------------------------------------------------------------------
-- Existing rows: violations() lists every broken rule of every stored row,
-- with the error a write of the row gets (row in its own column)
-- ---------------------------------------------------------------------------
SET ROLE cbr_v_owner;
SELECT row_key, check_kind, rule_id, sqlstate, message, detail
  FROM cbreturn.violations('erp_v.export_return') ORDER BY row_key::text, rule_id;
-- the same rows are what a write of them is refused with
SELECT regress.try($$UPDATE erp_v.export_return SET remarks = remarks WHERE ret_no = 'H2'$$);
SELECT regress.try($$UPDATE erp_v.export_return SET remarks = remarks WHERE ret_no = 'H3'$$);
-- validate() raises the first one, as VALIDATE CONSTRAINT does, and marks nothing
SELECT regress.try($$SELECT * FROM cbreturn.validate('erp_v.export_return')$$);
SELECT validated_at IS NULL AS not_validated FROM cbreturn.attached_checks
 WHERE "table" = 'erp_v.export_return'::regclass;
RESET ROLE;

-- violations() is for a role that may read the table: the clerk may read only ret_no
SET ROLE cbr_v_clerk;
SELECT regress.try($$SELECT * FROM cbreturn.violations('erp_v.export_return')$$);
RESET ROLE;
SET ROLE cbr_v_other;
SELECT regress.try($$SELECT * FROM cbreturn.violations('erp_v.export_return')$$);
SELECT regress.try($$SELECT * FROM cbreturn.validate('erp_v.export_return')$$);
RESET ROLE;

-- ---------------------------------------------------------------------------
-- Ordinary (taxed) returns: the CBEC window and remark rules do not apply
-- ---------------------------------------------------------------------------
SET ROLE cbr_v_owner;
SELECT regress.try($$SELECT cbreturn.set_ordinary_return_column('erp_v.export_return', 'export', 'decl_code', '{4561}')$$);
SELECT columns->>'ordinary_return' AS ordinary_column, ordinary_values
  FROM cbreturn.attached_checks WHERE "table" = 'erp_v.export_return'::regclass;
-- H4 is no longer listed; H3 would still break R-EX-5 as an ordinary return
SELECT row_key->>'ret_no' AS ret_no, rule_id, sqlstate
  FROM cbreturn.violations('erp_v.export_return') ORDER BY 1, 2;
RESET ROLE;
SET ROLE cbr_v_clerk;
-- refuse mode: a late ordinary return is accepted, a late CBEC one is not
INSERT INTO erp_v.export_return VALUES ('N1', '2026-03-01', 'unsold', '2026-12-01', NULL, '9610', '2924', '2924', '4561');
SELECT regress.try($$INSERT INTO erp_v.export_return VALUES ('N2', '2026-03-01', 'unsold', '2026-12-01', NULL, '9610', '2924', '2924', '0110')$$);
SELECT regress.try($$INSERT INTO erp_v.export_return VALUES ('N3', '2026-03-01', 'unsold', '2026-12-01', 'ZXTY', '9610', '2924', '2924', NULL)$$);
-- an ordinary return still may not cross customs districts (R-EX-5), nor come
-- back before it left (22023); its reason is not read (it decides no window)
SELECT regress.try($$INSERT INTO erp_v.export_return VALUES ('N4', '2026-03-01', 'unsold', '2026-12-01', NULL, '0110', '2924', '5100', '4561')$$);
SELECT regress.try($$INSERT INTO erp_v.export_return VALUES ('N5', '2026-03-01', 'unsold', '2026-02-01', NULL, '9610', '2924', '2924', '4561')$$);
SELECT regress.try($$INSERT INTO erp_v.export_return VALUES ('N6', '2026-03-01', '退运', '2026-12-01', NULL, '9610', '2924', '2924', '4561')$$);
RESET ROLE;

-- what set_ordinary_return_column refuses
SET ROLE cbr_v_owner;
SELECT regress.try($$SELECT cbreturn.set_ordinary_return_column('erp_v.export_return', 'export', 'nope', '{4561}')$$);
SELECT regress.try($$SELECT cbreturn.set_ordinary_return_column('erp_v.export_return', 'export', 'decl_code')$$);
SELECT regress.try($$SELECT cbreturn.set_ordinary_return_column('erp_v.export_return', 'export', 'decl_code', '{}')$$);
SELECT regress.try($$SELECT cbreturn.set_ordinary_return_column('erp_v.export_return', 'export', 'decl_code', '{4561,NULL}')$$);
SELECT regress.try($$SELECT cbreturn.set_ordinary_return_column('erp_v.export_return', 'status', 'decl_code', '{4561}')$$);
SELECT regress.try($$SELECT cbreturn.set_ordinary_return_column('erp_v.export_return', 'import', 'decl_code', '{4561}')$$);
SELECT regress.try($$SELECT cbreturn.set_ordinary_return_column('erp_v.export_return', 'nonsense', 'decl_code', '{4561}')$$);
SELECT regress.try($$SELECT cbreturn.set_ordinary_return_column('erp_v.export_return', 'export', 'exported', '{not a date}')$$);
-- the column is attached: it cannot be dropped while it marks ordinary returns
SELECT regress.try($$ALTER TABLE erp_v.export_return DROP COLUMN decl_code$$);
RESET ROLE;
SET ROLE cbr_v_other;
SELECT regress.try($$SELECT cbreturn.set_ordinary_return_column('erp_v.export_return', 'export', NULL)$$);
RESET ROLE;

-- ---------------------------------------------------------------------------
-- Record mode
-- ---------------------------------------------------------------------------
SET ROLE cbr_v_owner;
SELECT regress.try($$SELECT cbreturn.set_on_violation('erp_v.export_return', 'export', 'ignore')$$);
SELECT regress.try($$SELECT cbreturn.set_on_violation('erp_v.export_return', 'import', 'record')$$);
SELECT regress.try($$SELECT cbreturn.set_on_violation('erp_v.export_return', 'quantity', 'record')$$);
SELECT regress.try($$SELECT cbreturn.set_on_violation('erp_v.export_return', 'exports', 'record')$$);
SELECT regress.try($$SELECT cbreturn.set_on_violation('erp_v.export_return', 'export', NULL)$$);
SELECT cbreturn.set_on_violation('erp_v.export_return', 'export', 'record');
SELECT on_violation FROM cbreturn.attached_checks WHERE "table" = 'erp_v.export_return'::regclass;
RESET ROLE;
SET ROLE cbr_v_other;
SELECT regress.try($$SELECT cbreturn.set_on_violation('erp_v.export_return', 'export', 'refuse')$$);
RESET ROLE;

-- A history load: the late rows are stored, each broken rule logged; the
-- load is not aborted.  Bad input still is (R1 to R4 are rolled back with it).
SET ROLE cbr_v_clerk;
SELECT regress.try($$INSERT INTO erp_v.export_return VALUES
    ('R1', '2026-03-01', 'unsold', '2026-04-01', 'ZXTY', '9610', '2924', '2924', NULL),
    ('R5', '2026-03-01', 'unsold', '2026-02-01', 'ZXTY', '9610', '2924', '2924', NULL)$$);
INSERT INTO erp_v.export_return VALUES
    ('R1', '2026-03-01', 'unsold', '2026-04-01', 'ZXTY', '9610', '2924', '2924', NULL),
    ('R2', '2026-03-01', 'unsold', '2026-09-02', 'ZXTY', '9610', '2924', '2924', NULL),
    ('R3', '2026-03-01', 'unsold', '2026-09-02', NULL, '0110', '2924', '5100', NULL),
    ('R4', '2026-03-01', 'unsold', '2026-12-01', NULL, '9610', '2924', '2924', '4561');
-- a load of 1,400 rows, every 100th late, in one statement: all stored, 14 entries
INSERT INTO erp_v.export_return
SELECT 'L' || i, '2026-03-01', 'unsold', CASE WHEN i % 100 = 0 THEN date '2026-09-02' ELSE date '2026-04-01' END,
       'ZXTY', '9610', '2924', '2924', NULL
  FROM generate_series(1, 1400) i;
-- the clerk sees no entry of the log, and writes none
SELECT count(*) AS clerk_sees FROM cbreturn.violation_log;
SELECT regress.try($$INSERT INTO cbreturn.violation_log (relation, check_kind, rule_id, sqlstate, message, logged_by)
                     VALUES ('erp_v.export_return', 'export', 'R-EX-1', 'CB001', 'forged', 'x')$$);
SELECT regress.try($$UPDATE cbreturn.violation_log SET message = 'forged'$$);
RESET ROLE;
SET ROLE cbr_v_owner;
SELECT ret_no FROM erp_v.export_return WHERE ret_no LIKE 'R%' ORDER BY 1;
SELECT count(*) AS loaded FROM erp_v.export_return WHERE ret_no LIKE 'L%';
SELECT count(*) AS logged, min(row_key->>'ret_no') AS first, bool_and(rule_id = 'R-EX-1') AS all_late
  FROM cbreturn.violation_log WHERE row_key->>'ret_no' LIKE 'L%';
DELETE FROM cbreturn.violation_log WHERE row_key->>'ret_no' LIKE 'L%';
DELETE FROM erp_v.export_return WHERE ret_no LIKE 'L%';
-- the owner reads the log: one row per broken rule; the clerk may read ret_no, so the key is shown
SELECT relation, check_kind, row_key, rule_id, sqlstate, message, detail, logged_by, logged_at <= statement_timestamp() AS logged_before
  FROM cbreturn.violation_log ORDER BY id;
RESET ROLE;
SET ROLE cbr_v_other;
SELECT count(*) AS other_owner_sees FROM cbreturn.violation_log;
SELECT regress.try($$DELETE FROM cbreturn.violation_log$$) AS other_deletes, count(*) FROM cbreturn.violation_log;
RESET ROLE;

-- a writer that may not read the key: the entry has no key
SET ROLE cbr_v_owner;
REVOKE SELECT (ret_no) ON erp_v.export_return FROM cbr_v_clerk;
RESET ROLE;
SET ROLE cbr_v_clerk;
INSERT INTO erp_v.export_return VALUES ('R6', '2026-03-01', 'unsold', '2026-09-02', 'ZXTY', '9610', '2924', '2924', NULL);
RESET ROLE;
SET ROLE cbr_v_owner;
SELECT row_key, rule_id, detail FROM cbreturn.violation_log ORDER BY id DESC LIMIT 1;
RESET ROLE;

-- back to refuse: the same row is refused again
SET ROLE cbr_v_owner;
SELECT cbreturn.set_on_violation('erp_v.export_return', 'export', 'refuse');
RESET ROLE;
SET ROLE cbr_v_clerk;
SELECT regress.try($$INSERT INTO erp_v.export_return VALUES ('R7', '2026-03-01', 'unsold', '2026-09-02', 'ZXTY', '9610', '2924', '2924', NULL)$$);
RESET ROLE;

-- The owner clears entries; validate() passes once the rows are mended
SET ROLE cbr_v_owner;
DELETE FROM cbreturn.violation_log WHERE row_key->>'ret_no' = 'R2';
SELECT count(*) AS left_in_log FROM cbreturn.violation_log;
DELETE FROM erp_v.export_return WHERE ret_no IN ('H2', 'H3', 'H5', 'H6', 'R2', 'R3', 'R6');
SELECT * FROM cbreturn.violations('erp_v.export_return');
SELECT * FROM cbreturn.validate('erp_v.export_return');
SELECT validated_at IS NOT NULL AS validated FROM cbreturn.attached_checks
 WHERE "table" = 'erp_v.export_return'::regclass;
SELECT regress.try($$SELECT * FROM cbreturn.validate('erp_v.export_return', 'quantity')$$);
SELECT regress.try($$SELECT * FROM cbreturn.validate('erp_v.export_return', 'import')$$);
SELECT regress.try($$SELECT * FROM cbreturn.validate('erp_v.export_return', 'nonsense')$$);
RESET ROLE;

-- Attach with validate => true over rows that pass: validated, in the
-- answer and in attached_checks; an empty table is validated either way
SET ROLE cbr_v_owner;
CREATE TABLE erp_v.clean (id int PRIMARY KEY, released date, applied date);
INSERT INTO erp_v.clean VALUES (1, '2026-01-01', '2026-01-20'), (2, '2026-01-01', '2026-01-31');
SELECT cbreturn.attach_import_return_checks('erp_v.clean', released_on => 'released',
    applied_on => 'applied', validate => true);
SELECT check_kind, validated_at IS NOT NULL AS validated FROM cbreturn.attached_checks
 WHERE "table" = 'erp_v.clean'::regclass;
CREATE TABLE erp_v.empty (id int PRIMARY KEY, released date, applied date);
SELECT cbreturn.attach_import_return_checks('erp_v.empty', released_on => 'released', applied_on => 'applied');
SELECT check_kind, validated_at IS NOT NULL AS validated FROM cbreturn.attached_checks
 WHERE "table" = 'erp_v.empty'::regclass;
-- a row that breaks R-IM-1: validate => true refuses the attach, leaving nothing
SELECT cbreturn.detach('erp_v.empty');
INSERT INTO erp_v.empty VALUES (1, '2026-01-01', '2026-03-01');
SELECT cbreturn.attach_import_return_checks('erp_v.empty', released_on => 'released',
    applied_on => 'applied', validate => true);
SELECT count(*) AS attached FROM cbreturn.attached_checks WHERE "table" = 'erp_v.empty'::regclass;
DROP TABLE erp_v.clean, erp_v.empty;
RESET ROLE;

-- ---------------------------------------------------------------------------
-- The export check that fills remarks and the deadline (BEFORE ROW)
-- ---------------------------------------------------------------------------
SET ROLE cbr_v_owner;
CREATE TABLE erp_v.filled (
    id int PRIMARY KEY, exported date, reason cbreturn.return_reason, returned date,
    remarks varchar(20), last_day date, ordinary boolean,
    gen boolean GENERATED ALWAYS AS (ordinary) STORED);
SELECT cbreturn.attach_export_return_checks('erp_v.filled', exported_on => 'exported', reason => 'reason',
    returned_on => 'returned', remarks => 'remarks', fill_remarks => true, deadline => 'last_day');
-- a generated column has no value yet where this check runs
SELECT regress.try($$SELECT cbreturn.set_ordinary_return_column('erp_v.filled', 'export', 'gen')$$);
SELECT cbreturn.set_ordinary_return_column('erp_v.filled', 'export', 'ordinary');
SELECT ordinary_values FROM cbreturn.attached_checks WHERE "table" = 'erp_v.filled'::regclass;
SELECT cbreturn.set_on_violation('erp_v.filled', 'export', 'record');
INSERT INTO erp_v.filled (id, exported, reason, returned, remarks, ordinary) VALUES
    (1, '2026-03-01', 'unsold', '2026-04-01', NULL, NULL),    -- filled, on time
    (2, '2026-03-01', 'unsold', '2026-09-02', NULL, false),   -- filled, late: recorded
    (3, '2026-03-01', 'unsold', '2026-09-02', 'PGTY', NULL),  -- wrong code and late: two rules
    (4, '2026-03-01', 'unsold', '2026-09-02', NULL, true),    -- ordinary: not filled, no deadline
    (5, '2026-03-01', 'unsold', '2026-04-01', NULL, true);    -- ordinary on time: the same
SELECT id, remarks, last_day FROM erp_v.filled ORDER BY id;
SELECT row_key, rule_id, sqlstate FROM cbreturn.violation_log
 WHERE relation = 'erp_v.filled'::regclass ORDER BY id;
-- violations() agrees with the log
SELECT row_key, rule_id, sqlstate FROM cbreturn.violations('erp_v.filled') ORDER BY 1, 2;
-- an upsert logs only what it stores: a late row that ON CONFLICT DO NOTHING drops is
-- not logged, nor the INSERT half of a DO UPDATE (its UPDATE logs the row it stores)
INSERT INTO erp_v.filled (id, exported, reason, returned) VALUES (1, '2026-03-01', 'unsold', '2026-12-31')
    ON CONFLICT (id) DO NOTHING;
INSERT INTO erp_v.filled (id, exported, reason, returned) VALUES (5, '2026-03-01', 'unsold', '2026-12-31')
    ON CONFLICT (id) DO UPDATE SET returned = '2026-04-02';
INSERT INTO erp_v.filled (id, exported, reason, returned) VALUES (1, '2026-03-01', 'unsold', '2026-12-31')
    ON CONFLICT (id) DO UPDATE SET returned = excluded.returned;
SELECT id, returned FROM erp_v.filled WHERE id IN (1, 5) ORDER BY id;
SELECT row_key, rule_id, sqlstate FROM cbreturn.violation_log
 WHERE relation = 'erp_v.filled'::regclass ORDER BY id;
UPDATE erp_v.filled SET returned = '2026-04-01' WHERE id = 1;
-- removing the marking makes row 4 an ordinary late export return again
SELECT cbreturn.set_ordinary_return_column('erp_v.filled', 'export', NULL);
SELECT columns ? 'ordinary_return' AS marked, ordinary_values FROM cbreturn.attached_checks
 WHERE "table" = 'erp_v.filled'::regclass;
SELECT row_key, rule_id FROM cbreturn.violations('erp_v.filled') ORDER BY 1, 2;
RESET ROLE;

-- ---------------------------------------------------------------------------
-- Import and status checks
-- ---------------------------------------------------------------------------
SET ROLE cbr_v_owner;
CREATE TABLE erp_v.import_return (
    id int PRIMARY KEY, released date, applied date, arrived date, kind text);
SELECT cbreturn.attach_import_return_checks('erp_v.import_return', released_on => 'released',
    applied_on => 'applied', arrived_on => 'arrived');
SELECT cbreturn.set_ordinary_return_column('erp_v.import_return', 'import', 'kind', '{ordinary,taxed}');
SELECT regress.try($$INSERT INTO erp_v.import_return VALUES (1, '2026-01-01', '2026-03-01', NULL, 'cbec')$$);
INSERT INTO erp_v.import_return VALUES (2, '2026-01-01', '2026-03-01', NULL, 'taxed');
-- an ordinary return is not held to the windows, but its dates are still read:
-- applied or arrived before the release, or an infinite date, is bad input
SELECT regress.try($$INSERT INTO erp_v.import_return VALUES (5, '2026-01-31', '2026-01-16', NULL, 'taxed')$$);
SELECT regress.try($$INSERT INTO erp_v.import_return VALUES (6, '2026-01-31', NULL, '2026-01-10', 'taxed')$$);
SELECT regress.try($$INSERT INTO erp_v.import_return VALUES (7, '2026-01-31', NULL, 'infinity', 'taxed')$$);
SELECT regress.try($$INSERT INTO erp_v.import_return VALUES (8, '2026-01-31', '2026-06-01', '2026-01-10', 'taxed')$$);
SELECT cbreturn.set_on_violation('erp_v.import_return', 'import', 'record');
INSERT INTO erp_v.import_return VALUES (3, '2026-01-01', '2026-03-01', '2026-03-05', 'cbec');
SELECT regress.try($$INSERT INTO erp_v.import_return VALUES (4, '2026-01-01', '2025-12-01', NULL, 'cbec')$$);
SELECT row_key, rule_id, sqlstate, message FROM cbreturn.violation_log
 WHERE relation = 'erp_v.import_return'::regclass ORDER BY id;

CREATE TABLE erp_v.track (id int PRIMARY KEY, state text, reg_time timestamptz, done_time timestamptz);
-- a stored row whose status names no stage: validate => true refuses the attach
INSERT INTO erp_v.track VALUES (9, 'lost', NULL, NULL);
SELECT cbreturn.attach_status_check('erp_v.track', status => 'state', registered_at => 'reg_time',
    released_at => 'done_time', validate => true);
SELECT cbreturn.attach_status_check('erp_v.track', status => 'state', registered_at => 'reg_time',
    released_at => 'done_time');
SELECT regress.try($$SELECT cbreturn.set_ordinary_return_column('erp_v.track', 'status', 'state', '{x}')$$);
INSERT INTO erp_v.track VALUES (1, 'released', '2026-01-01 10:00+08', '2026-01-05 10:00+08');
SELECT cbreturn.set_on_violation('erp_v.track', 'status', 'record');
UPDATE erp_v.track SET state = 'registered' WHERE id = 1;
INSERT INTO erp_v.track VALUES (2, 'registered', '2026-01-01 10:00+08', '2026-01-05 10:00+08');
-- an unknown label is no stage: refused in record mode too
SELECT regress.try($$INSERT INTO erp_v.track VALUES (3, 'lost', NULL, NULL)$$);
-- an infinite stage time is bad input (22008), refused in record mode too:
-- no later stage could ever follow it
SELECT regress.try($$INSERT INTO erp_v.track VALUES (4, 'registered', 'infinity', NULL)$$);
SELECT regress.try($$INSERT INTO erp_v.track VALUES (5, 'released', '-infinity', 'infinity')$$);
-- a withdrawn return went through the stages before the last one it records:
-- a shipped time without the declared time is refused, as for any status
CREATE TABLE erp_v.wd (id int PRIMARY KEY, zt text, a timestamptz, b timestamptz, c timestamptz);
SELECT cbreturn.attach_status_check('erp_v.wd', status => 'zt', registered_at => 'a', declared_at => 'b',
    shipped_at => 'c', labels => '{XJ,SB,YS,DH,CY,FX,BH}', withdrawn => 'CX');
INSERT INTO erp_v.wd VALUES (1, 'XJ', '2026-03-01');
UPDATE erp_v.wd SET zt = 'CX' WHERE id = 1;
SELECT regress.try($$UPDATE erp_v.wd SET c = '2026-03-04' WHERE id = 1$$);
SELECT regress.try($$INSERT INTO erp_v.wd VALUES (2, 'CX', '2026-03-01', NULL, '2026-03-04')$$);
SELECT regress.try($$INSERT INTO erp_v.wd VALUES (3, 'CX', '2026-03-01', '2026-03-02', '2026-03-04')$$);
SELECT regress.try($$UPDATE erp_v.wd SET b = '2026-03-02', c = '2026-03-04' WHERE id = 1$$);
DROP TABLE erp_v.wd;
SELECT id, state FROM erp_v.track ORDER BY id;
SELECT row_key, rule_id, sqlstate, message FROM cbreturn.violation_log
 WHERE relation = 'erp_v.track'::regclass ORDER BY id;
-- violations() lists the stored row whose label names no stage (9) beside the
-- others, with the error a write of it gets; validate() raises it
SELECT row_key, check_kind, rule_id, sqlstate, message, detail FROM cbreturn.violations('erp_v.track') ORDER BY 1, 3;
SELECT regress.try($$SELECT * FROM cbreturn.validate('erp_v.track')$$);
DELETE FROM erp_v.track WHERE id = 9;
RESET ROLE;

-- ---------------------------------------------------------------------------
-- Row security applies to violations(): a reader sees the rows its policies show
-- ---------------------------------------------------------------------------
SET ROLE cbr_v_owner;
CREATE TABLE erp_v.secret (id int PRIMARY KEY, released date, applied date, branch text);
SELECT cbreturn.attach_import_return_checks('erp_v.secret', released_on => 'released', applied_on => 'applied');
SELECT cbreturn.set_on_violation('erp_v.secret', 'import', 'record');
INSERT INTO erp_v.secret VALUES (1, '2026-01-01', '2026-03-01', 'north'), (2, '2026-01-01', '2026-03-01', 'south');
ALTER TABLE erp_v.secret ENABLE ROW LEVEL SECURITY;
CREATE POLICY north_only ON erp_v.secret FOR SELECT TO cbr_v_other USING (branch = 'north');
GRANT SELECT ON erp_v.secret TO cbr_v_other;
RESET ROLE;
SET ROLE cbr_v_other;
SELECT row_key, rule_id FROM cbreturn.violations('erp_v.secret') ORDER BY 1;
RESET ROLE;
SET ROLE cbr_v_owner;
SELECT row_key, rule_id FROM cbreturn.violations('erp_v.secret') ORDER BY 1;
RESET ROLE;

-- ---------------------------------------------------------------------------
-- A table whose rows no export, import or status check judges: violations()
-- and validate() refuse it alike (42704), saying what is attached instead or
-- whose checks read the table; neither answers as if its rows had passed
-- ---------------------------------------------------------------------------
SET ROLE cbr_v_owner;
-- what each of the two answers for a table: its error's fields, or ok
CREATE FUNCTION erp_v.both(t regclass)
    RETURNS TABLE (fn text, state text, message text, detail text, hint text)
    LANGUAGE plpgsql AS $$
BEGIN
    FOREACH fn IN ARRAY ARRAY['violations', 'validate'] LOOP
        BEGIN
            EXECUTE format('SELECT count(*) FROM cbreturn.%I(%L)', fn, t);
            state := 'ok'; message := NULL; detail := NULL; hint := NULL;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                                    detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
        END;
        RETURN NEXT;
    END LOOP;
END
$$;
-- nothing attached
CREATE TABLE erp_v.plain (id int PRIMARY KEY);
INSERT INTO erp_v.plain VALUES (1);
SELECT * FROM erp_v.both('erp_v.plain');
-- only a quantity check (it judges lines: verify_quantity_ledger), and its declared table
CREATE TABLE erp_v.decl (entry text, g_no int, qty int, PRIMARY KEY (entry, g_no));
CREATE TABLE erp_v.qty (id int PRIMARY KEY, entry text, g_no int, qty int);
SELECT cbreturn.attach_quantity_check('erp_v.qty', '{entry,g_no}', 'qty', 'erp_v.decl', '{entry,g_no}', 'qty');
SELECT * FROM erp_v.both('erp_v.qty');
SELECT * FROM erp_v.both('erp_v.decl');
-- only a declaration header link (a return without its header row is judged by
-- the export or import check attached after it), and the header table itself
CREATE TABLE erp_v.hdr (entry text PRIMARY KEY, exported date);
CREATE TABLE erp_v.hret (id int PRIMARY KEY, entry text, g_no int, qty int,
                         reason cbreturn.return_reason, back date);
SELECT cbreturn.attach_header('erp_v.hret', 'erp_v.hdr', '{entry}', '{entry}', exported_on => 'exported');
INSERT INTO erp_v.decl VALUES ('E9', 1, 5);
INSERT INTO erp_v.hret VALUES (1, 'E9', 1, 1, 'unsold', '2026-02-01');
SELECT * FROM erp_v.both('erp_v.hret');
SELECT * FROM erp_v.both('erp_v.hdr');
-- with the quantity check too
SELECT cbreturn.attach_quantity_check('erp_v.hret', '{entry,g_no}', 'qty', 'erp_v.decl', '{entry,g_no}', 'qty');
SELECT * FROM erp_v.both('erp_v.hret');
-- once an export check reads the header, both judge the row that names no
-- header row: violations() lists it, validate() raises it
SELECT cbreturn.attach_export_return_checks('erp_v.hret', exported_on => NULL, reason => 'reason', returned_on => 'back');
SELECT * FROM erp_v.both('erp_v.hret');
SELECT row_key, check_kind, rule_id, sqlstate FROM cbreturn.violations('erp_v.hret');
-- a kind that is not attached, a view: the same error from both too
SELECT regress.try($$SELECT * FROM cbreturn.validate('erp_v.plain', 'status')$$);
CREATE VIEW erp_v.plain_view AS SELECT * FROM erp_v.plain;
SELECT * FROM erp_v.both('erp_v.plain_view');
RESET ROLE;
-- another role: not the owner, no SELECT (42501 from both, before the 42704)
SET ROLE cbr_v_other;
SELECT fn, state FROM erp_v.both('erp_v.plain');
RESET ROLE;

-- A partitioned table whose partitions each carry their own check (as 0.2.0
-- attached them): its rows are judged by them, listed and validated through
-- the parent, and each partition's check is marked validated
SET ROLE cbr_v_owner;
CREATE TABLE erp_v.legacy (id int PRIMARY KEY, released date, applied date) PARTITION BY RANGE (id);
CREATE TABLE erp_v.legacy_1 PARTITION OF erp_v.legacy FOR VALUES FROM (0) TO (100);
CREATE TABLE erp_v.legacy_2 PARTITION OF erp_v.legacy FOR VALUES FROM (100) TO (200);
INSERT INTO erp_v.legacy VALUES (1, '2026-01-01', '2026-01-20'), (2, '2026-01-01', '2026-03-01'),
                                (101, '2026-01-01', '2026-03-01');
SELECT cbreturn.attach_import_return_checks('erp_v.legacy_1', released_on => 'released', applied_on => 'applied');
SELECT cbreturn.attach_import_return_checks('erp_v.legacy_2', released_on => 'released', applied_on => 'applied');
SELECT row_key, check_kind, rule_id, sqlstate FROM cbreturn.violations('erp_v.legacy') ORDER BY row_key::text;
SELECT fn, state, message FROM erp_v.both('erp_v.legacy');
DELETE FROM erp_v.legacy WHERE id IN (2, 101);
SELECT * FROM cbreturn.validate('erp_v.legacy');
SELECT "table", validated_at IS NOT NULL AS validated FROM cbreturn.attached_checks
 WHERE "table"::text LIKE 'erp_v.legacy%' ORDER BY 1::text;
SELECT * FROM cbreturn.validate('erp_v.legacy', 'import');
SELECT regress.try($$SELECT * FROM cbreturn.validate('erp_v.legacy', 'export')$$);
DROP TABLE erp_v.legacy;

-- A partition of a checked partitioned table: violations() of it is for a role
-- that may read the columns its parent's check reads, as of the parent
CREATE TABLE erp_v.part (id int PRIMARY KEY, released date, applied date) PARTITION BY RANGE (id);
CREATE TABLE erp_v.part_1 PARTITION OF erp_v.part FOR VALUES FROM (0) TO (100);
INSERT INTO erp_v.part VALUES (1, '2026-01-01', '2026-03-01');
SELECT cbreturn.attach_import_return_checks('erp_v.part', released_on => 'released', applied_on => 'applied');
GRANT SELECT (id) ON erp_v.part, erp_v.part_1 TO cbr_v_other;
RESET ROLE;
SET ROLE cbr_v_other;
SELECT regress.try($$SELECT * FROM cbreturn.violations('erp_v.part')$$);
SELECT regress.try($$SELECT * FROM cbreturn.violations('erp_v.part_1')$$);
RESET ROLE;
SET ROLE cbr_v_owner;
GRANT SELECT (released, applied) ON erp_v.part_1 TO cbr_v_other;
RESET ROLE;
SET ROLE cbr_v_other;
SELECT row_key, rule_id FROM cbreturn.violations('erp_v.part_1');
RESET ROLE;
SET ROLE cbr_v_owner;
DROP TABLE erp_v.part;
RESET ROLE;

-- Detach keeps the log; dropping the table removes its entries
SET ROLE cbr_v_owner;
SELECT cbreturn.detach('erp_v.import_return');
SELECT count(*) AS kept FROM cbreturn.violation_log WHERE relation = 'erp_v.import_return'::regclass;
DROP TABLE erp_v.import_return;
RESET ROLE;
SELECT count(*) AS entries_of_dropped_tables FROM cbreturn.violation_log l
 WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = l.relation);

DROP SCHEMA erp_v CASCADE;
SELECT count(*) AS entries_left FROM cbreturn.violation_log;
DROP ROLE cbr_v_owner;
DROP ROLE cbr_v_clerk;
DROP ROLE cbr_v_other;
