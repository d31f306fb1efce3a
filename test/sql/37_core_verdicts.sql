-- The decision layer (docs/architecture.md): the SQL functions and the
-- write-time checks give the same verdict for the same row; messages follow
-- the policy tables and are ISO whatever DateStyle says; R-P-2 over long
-- closures; status stage times are never cleared; the cache of attached
-- checks releases the entries of dropped tables.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
CREATE SCHEMA core;

-- The verdict of a rule function: pass, the rule's SQLSTATE when it answers
-- false, or the SQLSTATE of the error it raises.
CREATE FUNCTION pg_temp.fn_verdict(sql text, fail_state text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r boolean;
BEGIN
    EXECUTE sql INTO r;
    RETURN CASE WHEN r THEN 'pass' ELSE fail_state END;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
$$;
-- The verdict of a write-time check on a statement: pass or its SQLSTATE.
CREATE FUNCTION pg_temp.trg_verdict(sql text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN t = 'ok' THEN 'pass' ELSE left(t, 5) END FROM regress.try(sql) t
$$;
-- The HINT and DETAIL of a failing statement.
CREATE FUNCTION pg_temp.texts(sql text) RETURNS TABLE (state text, message text, detail text, hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN QUERY SELECT 'ok', NULL::text, NULL::text, NULL::text;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN NEXT;
END
$$;

-- ---------------------------------------------------------------------
-- Property: import_return_on_time and the import check agree (R-IM-1)
-- ---------------------------------------------------------------------
CREATE TABLE core.imp (id int PRIMARY KEY, released date, applied date, arrived date);
SELECT cbreturn.attach_import_return_checks('core.imp', released_on => 'released',
                                            applied_on => 'applied', arrived_on => 'arrived');
-- 3000 generated rows around both deadlines and before the release
CREATE TEMP TABLE imp_rows AS
SELECT i AS id, d0 AS released, d0 + ((i * 7919) % 80 - 10) AS applied,
       d0 + ((i * 104729) % 100 - 10) AS arrived
  FROM generate_series(1, 3000) i,
       LATERAL (SELECT date '2024-01-01' + (i * 37) % 1000 AS d0) s;
CREATE TEMP TABLE imp_verdicts AS
SELECT id,
       pg_temp.fn_verdict(format('SELECT cbreturn.import_return_on_time(%L, %L, %L)',
                                 released, applied, arrived), 'CB001') AS fn,
       pg_temp.trg_verdict(format('INSERT INTO core.imp VALUES (%s, %L, %L, %L)',
                                  id, released, applied, arrived)) AS trg
  FROM imp_rows;
SELECT count(*) AS rows, count(*) FILTER (WHERE fn = trg) AS agree,
       string_agg(DISTINCT fn, ', ' ORDER BY fn) AS verdicts
  FROM imp_verdicts;
-- must be empty
SELECT * FROM imp_verdicts WHERE fn IS DISTINCT FROM trg LIMIT 5;
-- ... and with a date not recorded yet (issue 11 item 6): the function is
-- false exactly when the check refuses (a late application before any
-- arrival, a late arrival before any application), NULL or true otherwise.
CREATE TEMP TABLE imp_open_verdicts AS
SELECT id, released, applied, arrived,
       pg_temp.fn_verdict(format('SELECT coalesce(cbreturn.import_return_on_time(%L, %L, %L), true)',
                                 released, applied, arrived), 'CB001') AS fn,
       pg_temp.trg_verdict(format('INSERT INTO core.imp VALUES (%s, %L, %L, %L)',
                                  id + 10000, released, applied, arrived)) AS trg
  FROM (SELECT id, released, CASE WHEN id % 2 = 0 THEN applied END AS applied,
               CASE WHEN id % 2 = 1 THEN arrived END AS arrived
          FROM imp_rows) r;
SELECT count(*) AS rows, count(*) FILTER (WHERE fn = trg) AS agree,
       string_agg(DISTINCT fn, ', ' ORDER BY fn) AS verdicts
  FROM imp_open_verdicts;
-- must be empty
SELECT * FROM imp_open_verdicts WHERE fn IS DISTINCT FROM trg LIMIT 5;

-- ---------------------------------------------------------------------
-- Property: explain_export_return_deadline and the export check agree (R-EX-1)
-- ---------------------------------------------------------------------
CREATE TABLE core.exp (id int PRIMARY KEY, exported date, reason cbreturn.return_reason,
                       returned date, remarks text);
SELECT cbreturn.attach_export_return_checks('core.exp', exported_on => 'exported', reason => 'reason',
                                            returned_on => 'returned', remarks => 'remarks');
CREATE TEMP TABLE exp_rows AS
SELECT i AS id, d0 AS exported,
       (enum_range(NULL::cbreturn.return_reason))[1 + i % 3] AS reason,
       d0 + ((i * 7919) % 420 - 20) AS returned
  FROM generate_series(1, 3000) i,
       LATERAL (SELECT date '2024-01-31' + (i * 37) % 1000 AS d0) s;
CREATE TEMP TABLE exp_verdicts AS
SELECT id,
       pg_temp.fn_verdict(format($$SELECT passed FROM cbreturn.explain_export_return_deadline(%L, %L, %L)
                                   WHERE rule_id = 'R-EX-1'$$, exported, reason, returned), 'CB001') AS fn,
       pg_temp.trg_verdict(format('INSERT INTO core.exp VALUES (%s, %L, %L, %L, cbreturn.remark_code(%L))',
                                  id, exported, reason, returned, reason)) AS trg
  FROM exp_rows;
SELECT count(*) AS rows, count(*) FILTER (WHERE fn = trg) AS agree,
       string_agg(DISTINCT fn, ', ' ORDER BY fn) AS verdicts
  FROM exp_verdicts;
-- must be empty
SELECT * FROM exp_verdicts WHERE fn IS DISTINCT FROM trg LIMIT 5;

-- ---------------------------------------------------------------------
-- Messages follow the policy tables (R-EX-5, R-TX-2), in ISO dates
-- ---------------------------------------------------------------------
CREATE TABLE core.cross (id int PRIMARY KEY, exported date, reason cbreturn.return_reason,
                         returned date, code cbreturn.supervision_code,
                         export_office cbreturn.customs_code, return_office cbreturn.customs_code);
SELECT cbreturn.attach_export_return_checks('core.cross', exported_on => 'exported', reason => 'reason',
                                            returned_on => 'returned', supervision_code => 'code',
                                            export_office => 'export_office', return_office => 'return_office');
-- a 9610 return through a district outside the pilot before the nationwide date
SELECT * FROM pg_temp.texts($$INSERT INTO core.cross VALUES (1, '2025-05-01', 'unsold', '2025-06-01', '9610', '2924', '0401')$$);
BEGIN;
UPDATE cbreturn.rule_parameters SET value_date = '2027-07-01' WHERE name = 'cross_customs_nationwide_from';
UPDATE cbreturn.districts SET cross_return_pilot_from = '2025-01-10' WHERE cross_return_pilot_from IS NOT NULL;
-- the hint and the failed steps name the edited dates
SELECT * FROM pg_temp.texts($$INSERT INTO core.cross VALUES (1, '2026-01-01', 'unsold', '2026-06-01', '9610', '2924', '0401')$$);
SELECT step, passed, seen, basis FROM cbreturn.explain_cross_customs_return('9610', '2924', '0401', '2026-06-01');
-- R-TX-2 lists the codes of the covering period as the table has them
UPDATE cbreturn.tax_policy_periods SET supervision_codes = '{9710,9610}';
SELECT step, rule_id, passed, seen FROM cbreturn.explain_export_tax_relief('1210', '2026-03-01', '2026-05-01', 'unsold', false, true)
 WHERE rule_id = 'R-TX-2';
ROLLBACK;
-- ISO dates whatever DateStyle says
SET DateStyle = 'SQL, DMY';
SELECT * FROM pg_temp.texts($$INSERT INTO core.exp VALUES (9001, '2026-01-31', 'unsold', '2026-08-01', 'ZXTY')$$);
SELECT * FROM pg_temp.texts($$INSERT INTO core.imp VALUES (9001, '2026-01-31', '2026-01-30', NULL)$$);
RESET DateStyle;

-- ---------------------------------------------------------------------
-- R-P-2 over a run of closures longer than the holiday list (issue 9 item 14)
-- ---------------------------------------------------------------------
BEGIN;
DELETE FROM cbreturn.holidays;
INSERT INTO cbreturn.holidays (day, working_day, name)
SELECT d, false, 'closure' FROM generate_series(date '2030-01-07', date '2030-01-18', interval '1 day') d
 WHERE extract(isodow FROM d) < 6;
SELECT count(*) AS listed_days FROM cbreturn.holidays;
SELECT cbreturn.next_working_day('2030-01-07') AS from_monday,
       cbreturn.next_working_day('2030-01-12') AS from_saturday,
       cbreturn.import_apply_deadline_holiday_adjusted('2029-12-08') AS apply_deadline,
       cbreturn.is_rest_day('2030-01-21') AS monday_after_rests;
ROLLBACK;

-- ---------------------------------------------------------------------
-- Status: a recorded stage time is never cleared (issue 9 item 12)
-- ---------------------------------------------------------------------
CREATE TABLE core.st (id int PRIMARY KEY, status text, shipped_at date, arrived_at date);
SELECT cbreturn.attach_status_check('core.st', status => 'status', shipped_at => 'shipped_at',
                                    arrived_at => 'arrived_at');
INSERT INTO core.st VALUES (1, 'shipped', '2026-05-10', NULL);
-- one UPDATE that clears the shipped time and sets an earlier arrival
SELECT * FROM pg_temp.texts($$UPDATE core.st SET status = 'arrived', shipped_at = NULL, arrived_at = '2026-05-01' WHERE id = 1$$);
SELECT regress.try($$UPDATE core.st SET shipped_at = NULL WHERE id = 1$$);
-- correcting a time is still possible, and so is moving on
SELECT regress.try($$UPDATE core.st SET shipped_at = '2026-05-09' WHERE id = 1$$);
SELECT regress.try($$UPDATE core.st SET status = 'arrived', arrived_at = '2026-05-12' WHERE id = 1$$);
SELECT * FROM core.st;

-- ---------------------------------------------------------------------
-- The cache of attached checks does not grow with dropped tables (issue 9 item 13)
-- ---------------------------------------------------------------------
CREATE FUNCTION pg_temp.cycles(n int) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..n LOOP
        CREATE TABLE core.gone (id int, released date, applied date);
        PERFORM cbreturn.attach_import_return_checks('core.gone', released_on => 'released',
                                                     applied_on => 'applied');
        INSERT INTO core.gone VALUES (1, '2026-01-01', '2026-01-02');
        DROP TABLE core.gone;
    END LOOP;
    RETURN (SELECT count(*) FROM pg_backend_memory_contexts WHERE name = 'cbreturn attached check');
END
$$;
CREATE TEMP TABLE contexts AS SELECT pg_temp.cycles(5) AS after_5;
ALTER TABLE contexts ADD after_40 bigint;
UPDATE contexts SET after_40 = pg_temp.cycles(35);
SELECT after_40 <= after_5 AS does_not_grow FROM contexts;

DROP SCHEMA core CASCADE;

-- Every C function of the rules engine may run in a parallel worker: none
-- is PARALLEL UNSAFE or RESTRICTED (trigger and event trigger functions
-- aside, and the
-- metadata and ledger writers behind attach, detach and the quantity
-- ledger's verification, which write or switch roles and must not,
-- _error, which only raises the catalogued errors of attach and detach, and
-- the existing-row and record-mode functions, which scan a table with
-- subtransactions or write the metadata (_attach_validate, at the end of an
-- attach, among them), _header_validate, attach_header's
-- test of the link it recorded, the WHEN function of an export check
-- reading a declaration header, which locks the header row, the
-- assessments over a table, which scan it as violations() does, and
-- _exists_latest, the guards' read with a snapshot of its own, and
-- _ddl_cascades and _ddl_header_partitions, which read what the event
-- trigger at the start of the statement saw in this backend).
SELECT p.proname, p.proparallel
  FROM pg_proc p
 WHERE p.pronamespace = 'cbreturn'::regnamespace
   AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
   AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
   AND p.proname NOT LIKE '\_metadata\_%'
   AND p.proname NOT LIKE '\_quantity\_%'
   AND p.proname NOT IN ('verify_quantity_ledger', '_error', 'violations', 'validate',
                         'set_on_violation', 'set_ordinary_return_column',
                         '_header_validate', '_attach_validate', '_exists_latest',
                         'assess_export_returns', 'assess_import_returns', '_ddl_cascades',
                         '_ddl_header_partitions')
   AND NOT (p.proname = '_export_row_ok' AND p.provariadic <> 0)
   AND p.proparallel <> 's'
 ORDER BY 1;

-- Stage times in the status check's messages are ISO too, whatever DateStyle says
CREATE TABLE core_ts (id int PRIMARY KEY, status text, shipped_at timestamptz, arrived_at timestamptz);
SELECT cbreturn.attach_status_check('core_ts', status => 'status', shipped_at => 'shipped_at',
                                    arrived_at => 'arrived_at');
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'Asia/Shanghai';
SELECT state, detail, hint FROM pg_temp.texts($$INSERT INTO core_ts VALUES (1, 'arrived', '2026-05-10 08:00+08', '2026-05-09 17:30+08')$$);
RESET DateStyle;
RESET TimeZone;
DROP TABLE core_ts;
