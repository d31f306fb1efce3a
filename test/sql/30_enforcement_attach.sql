-- Write-time enforcement, part 1: attaching, the attached_checks view,
-- renames, refused ALTERs, detaching (docs/enforcement.md).
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

-- An ERP schema with its own names: mixed case, spaces, a quoted schema.
CREATE SCHEMA "Kingdee ERP";
CREATE TABLE "Kingdee ERP"."RetOrder" (
    "FID"           bigint PRIMARY KEY,
    "FExportDate"   date,
    "FReason"       cbreturn.return_reason,
    "FReturnDate"   date,
    "F Remarks"     text,
    "FDeadline"     date,
    "FQty"          integer,
    "FExportDateText" text,
    "FStatus"       text
);

-- Bad attach calls: each fails with its own SQLSTATE and names the problem.
-- 42703: case matters
SELECT regress.try($$SELECT cbreturn.attach_export_return_checks('"Kingdee ERP"."RetOrder"', exported_on => 'fexportdate', reason => 'FReason')$$);
-- 42703: no quotes
SELECT regress.try($$SELECT cbreturn.attach_export_return_checks('"Kingdee ERP"."RetOrder"', exported_on => '"FExportDate"', reason => 'FReason')$$);
-- 42804: text, not date
SELECT regress.try($$SELECT cbreturn.attach_export_return_checks('"Kingdee ERP"."RetOrder"', exported_on => 'FExportDateText', reason => 'FReason')$$);
-- 42804: integer reason
SELECT regress.try($$SELECT cbreturn.attach_export_return_checks('"Kingdee ERP"."RetOrder"', exported_on => 'FExportDate', reason => 'FQty')$$);
-- 22023: no reason, no remarks
SELECT regress.try($$SELECT cbreturn.attach_export_return_checks('"Kingdee ERP"."RetOrder"', exported_on => 'FExportDate')$$);
-- 22023: R-EX-5 needs all three
SELECT regress.try($$SELECT cbreturn.attach_export_return_checks('"Kingdee ERP"."RetOrder"', exported_on => 'FExportDate', reason => 'FReason',
                                            returned_on => 'FReturnDate', export_office => 'FQty')$$);
-- 42P01
SELECT regress.try($$SELECT cbreturn.attach_export_return_checks('"Kingdee ERP".nosuchtable', exported_on => 'FExportDate', reason => 'FReason')$$);
CREATE VIEW "Kingdee ERP".v AS SELECT * FROM "Kingdee ERP"."RetOrder";
-- 42809: not a table
SELECT regress.try($$SELECT cbreturn.attach_export_return_checks('"Kingdee ERP".v', exported_on => 'FExportDate', reason => 'FReason')$$);
-- 22023: 7 labels
SELECT regress.try($$SELECT cbreturn.attach_status_check('"Kingdee ERP"."RetOrder"', status => 'FStatus', labels => '{a,b,c}')$$);
-- an empty or blank label names no stage
SELECT regress.try($$SELECT cbreturn.attach_status_check('"Kingdee ERP"."RetOrder"', status => 'FStatus', labels => '{a,b,"",d,e,f,g}')$$);
SELECT regress.try($$SELECT cbreturn.attach_status_check('"Kingdee ERP"."RetOrder"', status => 'FStatus', labels => '{a,b," ",d,e,f,g}')$$);
-- 42804
SELECT regress.try($$SELECT cbreturn.attach_status_check('"Kingdee ERP"."RetOrder"', status => 'FStatus', registered_at => 'FExportDate',
                                    shipped_at => 'FDeadline', declared_at => 'FQty')$$);
-- 42704: nothing attached
SELECT regress.try($$SELECT cbreturn.detach('"Kingdee ERP"."RetOrder"')$$);
-- 22023: unknown kind
SELECT regress.try($$SELECT cbreturn.detach('"Kingdee ERP"."RetOrder"', 'exports')$$);
-- none of the failed calls left anything behind
SELECT count(*) AS metadata_rows FROM cbreturn.attached_column;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = '"Kingdee ERP"."RetOrder"'::regclass;
DROP VIEW "Kingdee ERP".v;

-- A good attach, with named arguments.
SELECT cbreturn.attach_export_return_checks('"Kingdee ERP"."RetOrder"',
    exported_on => 'FExportDate', reason => 'FReason', returned_on => 'FReturnDate',
    remarks => 'F Remarks', fill_remarks => true, deadline => 'FDeadline');
-- 42710: twice
SELECT regress.try($$SELECT cbreturn.attach_export_return_checks('"Kingdee ERP"."RetOrder"', exported_on => 'FExportDate', reason => 'FReason')$$);
SELECT "table", check_kind, columns, fill_remarks, trigger_name, enabled FROM cbreturn.attached_checks;

-- The checks work through the ERP's names.
INSERT INTO "Kingdee ERP"."RetOrder" ("FID", "FExportDate", "FReason", "FReturnDate")
VALUES (1, '2026-02-28', 'consumer_return', '2026-08-28') RETURNING "FID", "F Remarks", "FDeadline";
INSERT INTO "Kingdee ERP"."RetOrder" ("FID", "FExportDate", "FReason", "FReturnDate")
VALUES (2, '2026-02-28', 'consumer_return', '2026-08-29');

-- Renaming a column keeps the check on it, and the metadata follows.
ALTER TABLE "Kingdee ERP"."RetOrder" RENAME COLUMN "FReturnDate" TO "Return Date";
SELECT columns->>'returned_on' AS returned_on FROM cbreturn.attached_checks;
SELECT column_name FROM cbreturn.attached_column WHERE role = 'returned_on';
INSERT INTO "Kingdee ERP"."RetOrder" ("FID", "FExportDate", "FReason", "Return Date")
VALUES (2, '2026-02-28', 'consumer_return', '2026-08-29');   -- CB001, still
-- A renamed schema and table too (the metadata holds the OID).
ALTER SCHEMA "Kingdee ERP" RENAME TO erp2;
ALTER TABLE erp2."RetOrder" RENAME TO ret_order;
SELECT "table", check_kind FROM cbreturn.attached_checks;
UPDATE erp2.ret_order SET "Return Date" = '2026-09-01' WHERE "FID" = 1;   -- CB001 on UPDATE
-- A renamed column that a check does not use changes nothing.
ALTER TABLE erp2.ret_order RENAME COLUMN "FStatus" TO status;

-- Dropping an attached column or changing its type is refused, not silent.
ALTER TABLE erp2.ret_order DROP COLUMN "F Remarks";
ALTER TABLE erp2.ret_order ALTER COLUMN "FExportDate" TYPE timestamp;
SELECT regress.try($$ALTER TABLE erp2.ret_order DROP COLUMN "F Remarks"$$);
SELECT regress.try($$ALTER TABLE erp2.ret_order ALTER COLUMN "FExportDate" TYPE timestamp$$);
-- columns no check uses are the ERP's business
ALTER TABLE erp2.ret_order DROP COLUMN "FExportDateText";

-- A disabled trigger shows in the view.
ALTER TABLE erp2.ret_order DISABLE TRIGGER cbreturn_export_check;
SELECT check_kind, enabled FROM cbreturn.attached_checks;
ALTER TABLE erp2.ret_order ENABLE TRIGGER cbreturn_export_check;

-- A trigger created by hand, without attach, says so.
CREATE TABLE erp2.bare (d date);
CREATE TRIGGER t BEFORE INSERT ON erp2.bare FOR EACH ROW EXECUTE FUNCTION cbreturn.export_return_check();
INSERT INTO erp2.bare VALUES ('2026-01-01');
SELECT regress.try($$INSERT INTO erp2.bare VALUES ('2026-01-01')$$);
-- Trigger protocol, as moddatetime checks it.
DROP TRIGGER t ON erp2.bare;
CREATE TRIGGER t AFTER INSERT ON erp2.bare FOR EACH ROW EXECUTE FUNCTION cbreturn.status_check();
SELECT regress.try($$INSERT INTO erp2.bare VALUES ('2026-01-01')$$);   -- must be BEFORE
DROP TRIGGER t ON erp2.bare;
-- the export check only reads the row unless it fills one: AFTER passes the
-- protocol and stops at the missing metadata (a filling one: 34_enforcement_cache)
CREATE TRIGGER t AFTER INSERT ON erp2.bare FOR EACH ROW EXECUTE FUNCTION cbreturn.export_return_check();
SELECT regress.try($$INSERT INTO erp2.bare VALUES ('2026-01-01')$$);
DROP TRIGGER t ON erp2.bare;
CREATE TRIGGER t BEFORE INSERT ON erp2.bare FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.status_check();
SELECT regress.try($$INSERT INTO erp2.bare VALUES ('2026-01-01')$$);   -- must be FOR EACH ROW
DROP TRIGGER t ON erp2.bare;
CREATE TRIGGER t BEFORE DELETE ON erp2.bare FOR EACH ROW EXECUTE FUNCTION cbreturn.import_return_check();
DELETE FROM erp2.bare;                                            -- no row, no call
INSERT INTO erp2.bare VALUES ('2026-01-01');
SELECT regress.try($$DELETE FROM erp2.bare$$);   -- INSERT or UPDATE only
DROP TRIGGER t ON erp2.bare;
SELECT regress.try($$SELECT cbreturn.export_return_check()$$);   -- not from SQL

-- Detach: triggers and metadata go; the table takes any row again.
SELECT cbreturn.detach('erp2.ret_order', 'export');
SELECT count(*) AS metadata_rows FROM cbreturn.attached_column WHERE relation = 'erp2.ret_order'::regclass;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'erp2.ret_order'::regclass;
INSERT INTO erp2.ret_order ("FID", "FExportDate", "FReason", "Return Date") VALUES (3, '2026-02-28', 'unsold', '2030-01-01');

-- Dropping a table forgets its checks.
SELECT cbreturn.attach_import_return_checks('erp2.bare', released_on => 'd', applied_on => 'd');
SELECT count(*) FROM cbreturn.attached_checks WHERE "table" = 'erp2.bare'::regclass;
DROP TABLE erp2.bare;
SELECT count(*) AS left_behind FROM cbreturn.attached_check k
 WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = k.relation);

DROP SCHEMA erp2 CASCADE;
SELECT count(*) AS left_behind FROM cbreturn.attached_check;
