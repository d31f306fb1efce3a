-- Write-time enforcement, part 6: the WHEN clause of the reading checks
-- (src/enforce/trigger.c, docs/enforcement.md).  The AFTER ROW export and import
-- checks are attached with WHEN (NOT cbreturn._export_row_ok(...)) or
-- WHEN (NOT cbreturn._import_row_ok(...)) naming the checked columns, so a
-- row that passes queues no trigger event.  The WHEN functions must never
-- pass a row that the trigger rejects: below, every case is decided both
-- ways and the verdicts must agree; and the trigger behind the WHEN clause
-- must raise exactly the error it raises without one.
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

CREATE SCHEMA "ERP 6";
-- typed columns: date, return_reason, varchar, supervision_code, customs_code
CREATE TABLE "ERP 6"."Typed" (
    n int PRIMARY KEY, "Exported On" date, "Why" cbreturn.return_reason, back date,
    "Memo" varchar(40), sup cbreturn.supervision_code, expo cbreturn.customs_code,
    reto cbreturn.customs_code);
-- text columns: the labels and codes as text, the remarks as char(n)
CREATE TABLE "ERP 6"."Texts" (
    n int PRIMARY KEY, "Exported On" date, "Why" text, back date,
    "Memo" char(30), sup text, expo varchar(4), reto text);
-- no reason column: the remarks name the reason
CREATE TABLE "ERP 6"."NoReason" (n int PRIMARY KEY, "Exported On" date, back date, "Memo" text);
-- no remarks column
CREATE TABLE "ERP 6"."NoRemarks" (
    n int PRIMARY KEY, "Exported On" date, "Why" cbreturn.return_reason, back date,
    sup cbreturn.supervision_code, expo cbreturn.customs_code, reto cbreturn.customs_code);
SELECT cbreturn.attach_export_return_checks(t, exported_on => 'Exported On', reason => 'Why',
           returned_on => 'back', remarks => 'Memo',
           supervision_code => 'sup', export_office => 'expo', return_office => 'reto')
  FROM unnest(ARRAY['"ERP 6"."Typed"', '"ERP 6"."Texts"']::regclass[]) AS t;
SELECT cbreturn.attach_export_return_checks('"ERP 6"."NoReason"', exported_on => 'Exported On',
                                            returned_on => 'back', remarks => 'Memo');
SELECT cbreturn.attach_export_return_checks('"ERP 6"."NoRemarks"', exported_on => 'Exported On',
           reason => 'Why', returned_on => 'back',
           supervision_code => 'sup', export_office => 'expo', return_office => 'reto');
-- the filling variant stays BEFORE, without a WHEN clause
CREATE TABLE "ERP 6"."Filled" (n int PRIMARY KEY, "Exported On" date, "Why" cbreturn.return_reason, "Memo" text);
SELECT cbreturn.attach_export_return_checks('"ERP 6"."Filled"', exported_on => 'Exported On', reason => 'Why',
                                            remarks => 'Memo', fill_remarks => true);
-- The trigger definitions attach wrote: quoted names, NULL for a role not attached.
SELECT tgrelid::regclass AS "table", pg_get_triggerdef(oid) AS definition
  FROM pg_trigger WHERE tgrelid::regclass::text LIKE '"ERP 6".%' ORDER BY tgrelid::regclass::text COLLATE "C", tgname;

-- The cases: every rule, every boundary of the other enforcement tests.
CREATE TEMP TABLE cases (n int, exported date, reason text, returned date, remarks text,
                         sup text, expo text, reto text, note text);
INSERT INTO cases VALUES
    -- R-EX-1 with R-P-1: the deadline day is inside, the next day is not
    (1, '2026-08-31', 'unsold', '2027-02-28', 'ZXTY', NULL, NULL, NULL, '6 months, clamped month end'),
    (2, '2026-08-31', 'unsold', '2027-03-01', 'ZXTY', NULL, NULL, NULL, 'a day late'),
    (3, '2026-08-31', 'consumer_return', '2027-02-28', 'THTY', NULL, NULL, NULL, 'consumer return, on time'),
    (4, '2026-08-31', 'consumer_return', '2027-03-01', 'THTY', NULL, NULL, NULL, 'consumer return, a day late'),
    (5, '2027-02-28', 'quality_or_spec', '2028-02-28', 'PGTY', NULL, NULL, NULL, '12 months'),
    (6, '2027-02-28', 'quality_or_spec', '2028-02-29', 'PGTY', NULL, NULL, NULL, '12 months, a day late'),
    (7, '2027-08-31', 'unsold', '2028-02-29', 'ZXTY', NULL, NULL, NULL, 'leap year'),
    (8, '2027-08-31', 'unsold', '2028-03-01', 'ZXTY', NULL, NULL, NULL, 'leap year, a day late'),
    (9, '2026-12-31', 'quality_or_spec', '2027-12-31', 'PGTY', NULL, NULL, NULL, 'year end'),
    (10, '2026-12-31', 'quality_or_spec', '2028-01-01', 'PGTY', NULL, NULL, NULL, 'year end, a day late'),
    (11, '2026-03-01', 'unsold', '2026-03-01', 'ZXTY', NULL, NULL, NULL, 'returned the day of the export'),
    (12, '2026-03-01', 'unsold', '2026-02-28', 'ZXTY', NULL, NULL, NULL, 'returned before the export'),
    (13, '2024-02-29', 'quality_or_spec', '2025-02-28', 'PGTY', NULL, NULL, NULL, '1 year from Feb 29'),
    (14, '2024-02-29', 'quality_or_spec', '2025-03-01', 'PGTY', NULL, NULL, NULL, '1 year from Feb 29, a day late'),
    (15, '2024-01-15', 'quality_or_spec', '2024-07-16', 'PGTY', NULL, NULL, NULL, 'quality: 7 months is fine'),
    (16, 'infinity', 'unsold', NULL, 'ZXTY', NULL, NULL, NULL, 'no deadline to count'),
    (17, NULL, 'unsold', '2030-01-01', 'ZXTY', NULL, NULL, NULL, 'export date unknown'),
    (18, '2024-01-15', 'unsold', NULL, 'ZXTY', NULL, NULL, NULL, 'return date unknown'),
    -- R-EX-2: the remarks start with the code of the reason
    (20, '2026-03-01', 'quality_or_spec', NULL, 'ZXTY customer changed mind', NULL, NULL, NULL, 'code of another reason'),
    (21, '2026-03-01', 'unsold', NULL, 'overstock', NULL, NULL, NULL, 'no code'),
    (22, '2026-03-01', 'unsold', NULL, 'ZXTYX', NULL, NULL, NULL, 'code followed by a letter'),
    (23, '2026-03-01', 'unsold', NULL, 'ZXTY1', NULL, NULL, NULL, 'code followed by a digit'),
    (24, '2026-03-01', 'unsold', NULL, 'zxty', NULL, NULL, NULL, 'lower case'),
    (25, '2026-03-01', 'quality_or_spec', NULL, U&'\3000PGTY/broken seal', NULL, NULL, NULL, 'ideographic space'),
    (26, '2026-03-01', 'consumer_return', NULL, E'\tTHTY;', NULL, NULL, NULL, 'tab, then a sign'),
    (27, '2026-03-01', 'consumer_return', NULL, 'THTY-退货', NULL, NULL, NULL, 'code, then Chinese'),
    (28, '2026-03-01', 'consumer_return', NULL, 'THT', NULL, NULL, NULL, 'code cut short'),
    (29, '2026-03-01', 'consumer_return', NULL, 'refund THTY', NULL, NULL, NULL, 'code not first'),
    (30, '2026-03-01', 'unsold', NULL, '', NULL, NULL, NULL, 'empty remarks'),
    (31, '2026-03-01', 'unsold', NULL, '   ', NULL, NULL, NULL, 'blank remarks'),
    (32, '2026-03-01', 'unsold', NULL, NULL, NULL, NULL, NULL, 'NULL remarks'),
    (33, '2026-03-01', NULL, '2026-09-01', 'THTY', NULL, NULL, NULL, 'reason from the remarks, on time'),
    (34, '2026-03-01', NULL, '2026-09-02', 'THTY', NULL, NULL, NULL, 'reason from the remarks, late'),
    (35, '2026-03-01', NULL, '2026-09-02', NULL, NULL, NULL, NULL, 'no reason, no remarks'),
    (36, '2026-03-01', NULL, '2026-09-02', 'XXXX', NULL, NULL, NULL, 'no reason, no code'),
    (37, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'nothing known'),
    -- R-EX-5: Hangzhou (29) exports returned through other offices
    (40, '2025-06-01', 'quality_or_spec', '2025-06-05', 'PGTY', '9610', '2924', '2924', 'same office'),
    (41, '2025-06-01', 'quality_or_spec', '2025-06-05', 'PGTY', '1210', '2924', '2901', 'same district, any code'),
    (42, '2025-06-01', 'quality_or_spec', '2025-06-05', 'PGTY', '9610', '2924', '2201', 'pilot district'),
    (43, '2026-01-01', 'unsold', '2026-04-01', 'ZXTY', '9610', '2924', '8001', 'nationwide from 2026-04-01'),
    (44, '2026-01-01', 'unsold', '2026-03-31', 'ZXTY', '9610', '2924', '8001', 'the day before nationwide'),
    (45, '2026-01-01', 'unsold', '2026-05-01', 'ZXTY', '9710', '2924', '2201', 'B2B code'),
    (46, '2024-11-01', 'quality_or_spec', '2024-12-14', 'PGTY', '9610', '2924', '2201', 'pilot not yet open'),
    (47, '2024-11-01', 'quality_or_spec', '2024-12-15', 'PGTY', '9610', '2924', '2201', 'first day of the pilot'),
    (48, '2026-01-01', 'unsold', '2026-05-01', 'ZXTY', '9610', '2924', '9901', 'unknown district'),
    (49, '2026-01-01', 'unsold', '2026-05-01', 'ZXTY', '1234', '2924', '2201', 'unknown supervision code'),
    (50, NULL, NULL, 'infinity', NULL, '9610', '2924', '2201', 'infinite return date'),
    (51, '2026-01-01', 'unsold', '2026-05-01', 'ZXTY', NULL, '2924', '8001', 'supervision code unknown yet'),
    (52, '2026-01-01', 'unsold', '2026-05-01', 'ZXTY', '9710', NULL, '2201', 'export office unknown yet'),
    (53, '2026-01-01', 'unsold', NULL, 'ZXTY', '9710', '2924', '2201', 'return date unknown yet');
-- Text columns only: unreadable labels and codes, padding.
CREATE TEMP TABLE text_cases (LIKE cases);
INSERT INTO text_cases VALUES
    (60, '2026-03-01', 'Unsold', NULL, 'ZXTY', NULL, NULL, NULL, 'a label in any case (R-V-1)'),
    (61, '2026-03-01', 'unsold  ', '2026-09-01', 'ZXTY', NULL, NULL, NULL, 'label with trailing blanks'),
    (62, '2026-03-01', 'returned', NULL, NULL, NULL, NULL, NULL, 'not a label, no remarks'),
    (63, '2026-01-01', 'unsold', '2026-05-01', 'ZXTY', '96l0', '2924', '2201', 'bad supervision code'),
    (64, '2026-01-01', 'unsold', '2026-05-01', 'ZXTY', '9610', '29x4', '2201', 'bad export office'),
    (65, '2026-01-01', 'unsold', '2026-05-01', 'ZXTY', '9610', '2924', '22011', 'bad return office'),
    (66, '2026-01-01', 'unsold', '2026-05-01', 'ZXTY', NULL, '29x4', '2201', 'bad code after a NULL one: bad input'),
    (67, '2026-01-01', 'unsold', NULL, 'ZXTY', '96l0', '2924', '2201', 'bad code, no return date: bad input'),
    (68, '2026-01-01', 'unsold', '2026-07-02', 'ZXTY', '96l0', '2924', '2201', 'late and a bad code: R-EX-1 first'),
    (69, '2026-03-01', 'overstock', NULL, 'ZXTY', NULL, NULL, NULL, 'not a label (R-V-1)'),
    (70, '2026-03-01', '滞销', '2026-09-02', 'ZXTY', NULL, NULL, NULL, 'Chinese label, a day late');

-- compare(table, cases): every case written into the table with the check
-- off, then decided three ways, each shown as 'ok' or SQLSTATE: message:
--   when_ok  the WHEN clause attach wrote, evaluated on the row;
--   trigger  the trigger function alone (a trigger without WHEN, on UPDATE);
--   checked  an UPDATE through the attached, WHEN-filtered trigger.
-- A case whose values the table cannot hold (a bad label in an enum) is
-- left out by the caller.
CREATE FUNCTION pg_temp.compare(tab regclass, cases text)
RETURNS TABLE (n int, note text, when_ok boolean, trigger text, checked text)
LANGUAGE plpgsql AS $$
DECLARE
    cols text;
    qual text;
BEGIN
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
      FROM pg_attribute a WHERE a.attrelid = tab AND a.attnum > 0 AND NOT a.attisdropped;
    SELECT substring(pg_get_triggerdef(t.oid) FROM 'WHEN \((.*)\) EXECUTE FUNCTION') INTO qual
      FROM pg_trigger t WHERE t.tgrelid = tab AND t.tgname = 'cbreturn_export_check';
    EXECUTE format('ALTER TABLE %s DISABLE TRIGGER cbreturn_export_check', tab);
    EXECUTE format('INSERT INTO %s (%s) SELECT %s FROM %s c', tab, cols,
                   (SELECT string_agg(format('c.%s', CASE a.attname WHEN 'Exported On' THEN 'exported'
                                                     WHEN 'Why' THEN 'reason' WHEN 'back' THEN 'returned'
                                                     WHEN 'Memo' THEN 'remarks' ELSE a.attname::text END)
                                             || '::' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                      FROM pg_attribute a WHERE a.attrelid = tab AND a.attnum > 0 AND NOT a.attisdropped),
                   cases);
    EXECUTE format('CREATE TRIGGER verdict AFTER UPDATE ON %s FOR EACH ROW '
                   'EXECUTE FUNCTION cbreturn.export_return_check()', tab);
    CREATE TEMP TABLE verdicts (n int, when_ok boolean, trigger text, checked text);
    EXECUTE format('INSERT INTO verdicts (n, when_ok) SELECT t.n, NOT (%s) FROM %s t',
                   replace(qual, 'new.', 't.'), tab);
    UPDATE verdicts v SET trigger = regress.try(format('UPDATE %s SET n = n WHERE n = %s', tab, v.n));
    EXECUTE format('DROP TRIGGER verdict ON %s', tab);
    EXECUTE format('ALTER TABLE %s ENABLE TRIGGER cbreturn_export_check', tab);
    UPDATE verdicts v SET checked = regress.try(format('UPDATE %s SET n = n WHERE n = %s', tab, v.n));
    EXECUTE format('TRUNCATE %s', tab);
    RETURN QUERY EXECUTE format('SELECT v.n, c.note, v.when_ok, v.trigger, v.checked FROM verdicts v '
                                'JOIN %s c ON c.n = v.n ORDER BY v.n', cases);
    DROP TABLE verdicts;
END
$$;

-- Each variant: the verdicts per case, then what must hold: the WHEN clause
-- passes exactly the rows the trigger accepts, and through the WHEN clause
-- every row gets the trigger's own verdict, message included.
CREATE TEMP TABLE results (variant text, n int, note text, when_ok boolean, trigger text, checked text);
INSERT INTO results SELECT 'Typed', * FROM pg_temp.compare('"ERP 6"."Typed"', 'cases');
INSERT INTO results SELECT 'Texts', * FROM pg_temp.compare('"ERP 6"."Texts"',
    '(SELECT * FROM cases UNION ALL SELECT * FROM text_cases)');
INSERT INTO results SELECT 'NoReason', * FROM pg_temp.compare('"ERP 6"."NoReason"', 'cases');
INSERT INTO results SELECT 'NoRemarks', * FROM pg_temp.compare('"ERP 6"."NoRemarks"', 'cases');
SELECT variant, n, note, when_ok, trigger FROM results WHERE variant = 'Texts' ORDER BY n;
SELECT variant, count(*) AS cases, count(*) FILTER (WHERE when_ok) AS passed,
       count(*) FILTER (WHERE trigger <> 'ok') AS rejected,
       count(DISTINCT split_part(trigger, ':', 1)) AS outcomes
  FROM results GROUP BY variant ORDER BY variant;
-- must be empty: a WHEN verdict that differs from the trigger's
SELECT variant, n, note, when_ok, trigger FROM results WHERE when_ok <> (trigger = 'ok');
-- must be empty: a row that the WHEN-filtered trigger treats otherwise
SELECT variant, n, note, trigger, checked FROM results WHERE checked IS DISTINCT FROM trigger;
-- the other variants differ from Texts where a column is missing
SELECT r.variant, r.n, r.note, r.trigger
  FROM results r JOIN results t ON t.variant = 'Texts' AND t.n = r.n
 WHERE r.variant <> 'Texts' AND r.trigger <> t.trigger ORDER BY 1, 2;

-- INSERT, multi-row INSERT and COPY go through the WHEN clause too: the bad
-- row is rejected with its error, and the statement leaves nothing.
INSERT INTO "ERP 6"."Typed" (n, "Exported On", "Why", back, "Memo") VALUES
    (1, '2026-03-01', 'unsold', '2026-04-01', 'ZXTY'),
    (2, '2026-03-01', 'unsold', '2026-09-02', 'ZXTY');
COPY "ERP 6"."Typed" (n, "Exported On", "Why", back, "Memo", sup, expo, reto) FROM stdin;
1	2026-03-01	unsold	2026-04-01	ZXTY	9610	2924	2201
2	2026-01-01	unsold	2026-03-31	ZXTY	9610	2924	8001
\.
SELECT count(*) AS rows_left FROM "ERP 6"."Typed";
INSERT INTO "ERP 6"."Typed" (n, "Exported On", "Why", back, "Memo") VALUES (1, '2026-03-01', 'unsold', '2026-04-01', 'ZXTY');
-- UPDATE is checked as INSERT: the new row
UPDATE "ERP 6"."Typed" SET "Memo" = 'THTY' WHERE n = 1;
UPDATE "ERP 6"."Typed" SET back = '2026-09-02' WHERE n = 1;
-- the filling variant still fills
INSERT INTO "ERP 6"."Filled" VALUES (1, '2026-03-01', 'unsold', NULL) RETURNING "Memo";

-- Renames: the WHEN clause holds column numbers, as the metadata does.
ALTER TABLE "ERP 6"."Typed" RENAME COLUMN back TO "Back On";
ALTER TABLE "ERP 6"."Typed" RENAME COLUMN "Memo" TO memo;
ALTER TABLE "ERP 6"."Typed" RENAME TO "Typed Renamed";
SELECT pg_get_triggerdef(oid) AS definition FROM pg_trigger WHERE tgrelid = '"ERP 6"."Typed Renamed"'::regclass;
SELECT columns FROM cbreturn.attached_checks WHERE "table" = '"ERP 6"."Typed Renamed"'::regclass;
INSERT INTO "ERP 6"."Typed Renamed" (n, "Exported On", "Why", "Back On", memo) VALUES (2, '2026-03-01', 'unsold', '2026-09-02', 'ZXTY');
INSERT INTO "ERP 6"."Typed Renamed" (n, "Exported On", "Why", "Back On", memo) VALUES (2, '2026-03-01', 'unsold', '2026-03-02', 'THTY');
INSERT INTO "ERP 6"."Typed Renamed" (n, "Exported On", "Why", "Back On", memo) VALUES (2, '2026-03-01', 'unsold', '2026-09-01', 'ZXTY');
-- A column used by the WHEN clause cannot be dropped or retyped either;
-- dropped with CASCADE, the check goes with it, as a foreign key would.
SELECT regress.try($$ALTER TABLE "ERP 6"."Typed Renamed" DROP COLUMN "Back On"$$);
BEGIN;
SET LOCAL client_min_messages = notice;
ALTER TABLE "ERP 6"."Typed Renamed" DROP COLUMN "Back On" CASCADE;
SELECT count(*) AS export_checks_left FROM cbreturn.attached_checks
 WHERE "table" = '"ERP 6"."Typed Renamed"'::regclass AND check_kind = 'export';
ROLLBACK;
SELECT regress.try($$ALTER TABLE "ERP 6"."Typed Renamed" ALTER COLUMN "Back On" TYPE timestamp$$);

-- The WHEN clause and the metadata disagree only if one is written by hand:
-- that is an error on the next row, never a row let through unchecked.
ALTER TABLE "ERP 6"."NoReason" ADD COLUMN other date;
UPDATE cbreturn.attached_column SET column_attnum = 5, column_name = 'other'
 WHERE relation = '"ERP 6"."NoReason"'::regclass AND role = 'returned_on';
INSERT INTO "ERP 6"."NoReason" (n, "Exported On", back, "Memo", other) VALUES (1, '2026-03-01', '2026-04-01', 'ZXTY', '2026-04-01');
UPDATE cbreturn.attached_column SET column_attnum = 3, column_name = 'back'
 WHERE relation = '"ERP 6"."NoReason"'::regclass AND role = 'returned_on';
INSERT INTO "ERP 6"."NoReason" (n, "Exported On", back, "Memo", other) VALUES (1, '2026-03-01', '2026-04-01', 'ZXTY', '2026-04-01');
-- a WHEN clause made by hand with other columns or constants
DROP TRIGGER cbreturn_export_check ON "ERP 6"."NoReason";
CREATE TRIGGER cbreturn_export_check AFTER INSERT OR UPDATE ON "ERP 6"."NoReason" FOR EACH ROW
    WHEN (NOT cbreturn._export_row_ok('"ERP 6"."NoReason"', NEW."Exported On", NULL, NEW.other, NEW."Memo", NULL, NULL, NULL))
    EXECUTE FUNCTION cbreturn.export_return_check();
SELECT regress.try($$INSERT INTO "ERP 6"."NoReason" (n, "Exported On", back, "Memo") VALUES (2, '2026-03-01', '2026-04-01', 'ZXTY')$$);
DROP TRIGGER cbreturn_export_check ON "ERP 6"."NoReason";
CREATE TRIGGER cbreturn_export_check AFTER INSERT OR UPDATE ON "ERP 6"."NoReason" FOR EACH ROW
    WHEN (NOT cbreturn._export_row_ok('"ERP 6"."NoReason"', NEW."Exported On", 'unsold', NEW.back, NEW."Memo", NULL, NULL, NULL))
    EXECUTE FUNCTION cbreturn.export_return_check();
SELECT regress.try($$INSERT INTO "ERP 6"."NoReason" (n, "Exported On", back, "Memo") VALUES (2, '2026-03-01', '2026-04-01', 'ZXTY')$$);
-- called outside a WHEN clause: the arguments must still be the columns,
-- with their types (a value is never read as another type)
SELECT regress.try($$SELECT cbreturn._export_row_ok('"ERP 6"."NoReason"', '2026-03-01', NULL, '2026-04-01', 'ZXTY', NULL, NULL, NULL)$$);
CREATE TEMP TABLE lookalike (n int, "Exported On" date, back date, "Memo" int);
INSERT INTO lookalike VALUES (1, '2026-03-01', '2026-04-01', 42);
SELECT regress.try($$SELECT cbreturn._export_row_ok('"ERP 6"."NoReason"', l."Exported On", NULL, l.back, l."Memo", NULL, NULL, NULL) FROM lookalike l$$);
SELECT regress.try($$SELECT cbreturn._export_row_ok(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)$$);
SELECT regress.try($$SELECT cbreturn._import_row_ok('"ERP 6"."Typed Renamed"', NULL, NULL, NULL)$$);

-- ---------------------------------------------------------------------------
-- Import returns (R-IM-1): the same comparison.
-- ---------------------------------------------------------------------------
CREATE TABLE "ERP 6"."Imp" (n int PRIMARY KEY, "Released" date, applied date, arrived date);
CREATE TABLE "ERP 6"."ImpApplied" (n int PRIMARY KEY, "Released" date, applied date, arrived date);
SELECT cbreturn.attach_import_return_checks('"ERP 6"."Imp"', released_on => 'Released',
                                            applied_on => 'applied', arrived_on => 'arrived');
SELECT cbreturn.attach_import_return_checks('"ERP 6"."ImpApplied"', released_on => 'Released',
                                            applied_on => 'applied');
SELECT tgrelid::regclass AS "table", pg_get_triggerdef(oid) AS definition
  FROM pg_trigger WHERE tgrelid IN ('"ERP 6"."Imp"'::regclass, '"ERP 6"."ImpApplied"'::regclass) ORDER BY tgrelid::regclass::text COLLATE "C", tgname;
CREATE TEMP TABLE icases (n int, released date, applied date, arrived date, note text);
INSERT INTO icases VALUES
    (1, '2026-01-31', '2026-03-02', '2026-03-17', 'both on their deadline (30, 45 days)'),
    (2, '2026-01-31', '2026-03-03', NULL, 'application a day late'),
    (3, '2026-01-31', NULL, '2026-03-18', 'arrival a day late'),
    (4, '2028-02-14', '2028-03-15', '2028-03-30', 'leap year, on the deadlines'),
    (5, '2028-02-14', '2028-03-16', NULL, 'leap year, a day late'),
    (6, '2026-12-20', '2027-01-19', '2027-02-03', 'across the year end'),
    (7, '2026-12-20', '2026-12-19', NULL, 'applied before release'),
    (8, '2026-12-20', NULL, '2026-12-19', 'arrived before release'),
    (9, '2026-12-20', '2026-12-20', '2026-12-20', 'all on the release day'),
    (10, NULL, '2030-01-01', '2030-01-01', 'release unknown'),
    (11, '2026-01-31', '2026-03-03', '2026-03-18', 'both late: the application first'),
    (12, 'infinity', '2030-01-01', NULL, 'no deadline to count'),
    (13, 'infinity', NULL, NULL, 'nothing to count');
CREATE FUNCTION pg_temp.icompare(tab regclass)
RETURNS TABLE (n int, note text, when_ok boolean, trigger text, checked text)
LANGUAGE plpgsql AS $$
DECLARE
    qual text;
BEGIN
    SELECT substring(pg_get_triggerdef(t.oid) FROM 'WHEN \((.*)\) EXECUTE FUNCTION') INTO qual
      FROM pg_trigger t WHERE t.tgrelid = tab AND t.tgname = 'cbreturn_import_check';
    EXECUTE format('ALTER TABLE %s DISABLE TRIGGER cbreturn_import_check', tab);
    EXECUTE format('INSERT INTO %s SELECT c.n, c.released, c.applied, c.arrived FROM icases c', tab);
    EXECUTE format('CREATE TRIGGER verdict AFTER UPDATE ON %s FOR EACH ROW '
                   'EXECUTE FUNCTION cbreturn.import_return_check()', tab);
    CREATE TEMP TABLE verdicts (n int, when_ok boolean, trigger text, checked text);
    EXECUTE format('INSERT INTO verdicts (n, when_ok) SELECT t.n, NOT (%s) FROM %s t',
                   replace(qual, 'new.', 't.'), tab);
    UPDATE verdicts v SET trigger = regress.try(format('UPDATE %s SET n = n WHERE n = %s', tab, v.n));
    EXECUTE format('DROP TRIGGER verdict ON %s', tab);
    EXECUTE format('ALTER TABLE %s ENABLE TRIGGER cbreturn_import_check', tab);
    UPDATE verdicts v SET checked = regress.try(format('UPDATE %s SET n = n WHERE n = %s', tab, v.n));
    EXECUTE format('TRUNCATE %s', tab);
    RETURN QUERY SELECT v.n, c.note, v.when_ok, v.trigger, v.checked
                   FROM verdicts v JOIN icases c ON c.n = v.n ORDER BY v.n;
    DROP TABLE verdicts;
END
$$;
CREATE TEMP TABLE iresults (variant text, n int, note text, when_ok boolean, trigger text, checked text);
INSERT INTO iresults SELECT 'Imp', * FROM pg_temp.icompare('"ERP 6"."Imp"');
INSERT INTO iresults SELECT 'ImpApplied', * FROM pg_temp.icompare('"ERP 6"."ImpApplied"');
SELECT variant, n, note, when_ok, trigger FROM iresults ORDER BY variant, n;
-- must be empty
SELECT variant, n, note, when_ok, trigger FROM iresults WHERE when_ok <> (trigger = 'ok');
SELECT variant, n, note, trigger, checked FROM iresults WHERE checked IS DISTINCT FROM trigger;
-- renamed, still checked
ALTER TABLE "ERP 6"."Imp" RENAME COLUMN arrived TO "Arrived At";
INSERT INTO "ERP 6"."Imp" VALUES (1, '2026-01-31', NULL, '2026-03-18');
INSERT INTO "ERP 6"."Imp" VALUES (1, '2026-01-31', NULL, '2026-03-17');

DROP SCHEMA "ERP 6" CASCADE;

-- A direct call naming a table that does not exist is a plain 42P01, not an
-- internal error.  (OID 0 is what PostgreSQL passes for a row an UPDATE
-- moves to another partition: it passes, 49_check_triggers_forged.)
SELECT cbreturn._import_row_ok(1::regclass, '2026-01-01', NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
