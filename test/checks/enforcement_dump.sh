#!/usr/bin/env bash
# Attached checks survive pg_dump | psql into a new database: the metadata
# (regclass and column names) is restored against the new OIDs and column
# numbers (a dropped column shifts them), and the restored triggers still
# reject bad rows with the same SQLSTATEs.  The reading checks are AFTER ROW
# triggers whose WHEN clause names the checked columns: pg_dump writes it by
# the current (renamed) names, and the restored clause must still let no bad
# row through.
set -euo pipefail
src=cbreturn_dump_src
dst=cbreturn_dump_dst
cleanup() { dropdb --if-exists "$src" 2>/dev/null || true; dropdb --if-exists "$dst" 2>/dev/null || true; }
trap cleanup EXIT
cleanup
createdb "$src"
createdb "$dst"
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$src" <<'SQL'
CREATE EXTENSION cbreturn;
CREATE SCHEMA "ERP";
CREATE TABLE "ERP"."Decl" (no text, line int, qty int, PRIMARY KEY (no, line));
-- a dropped column before the attached ones: their numbers change on restore
CREATE TABLE "ERP"."Ret" (gone int, id int PRIMARY KEY, no text, line int, qty int,
                          "Exported On" date, why cbreturn.return_reason, back date, memo text);
ALTER TABLE "ERP"."Ret" DROP COLUMN gone;
INSERT INTO "ERP"."Decl" VALUES ('D1', 1, 5);
SELECT cbreturn.attach_export_return_checks('"ERP"."Ret"', exported_on => 'Exported On', reason => 'why',
                                            returned_on => 'back', remarks => 'memo', fill_remarks => true);
SELECT cbreturn.attach_quantity_check('"ERP"."Ret"', line => '{no,line}', quantity => 'qty',
    declared_table => '"ERP"."Decl"', declared_line => '{no,line}', declared_quantity => 'qty');
INSERT INTO "ERP"."Ret" VALUES (1, 'D1', 1, 4, '2026-03-01', 'unsold', '2026-04-01');
-- renamed after attach: the dump must carry the new name
ALTER TABLE "ERP"."Ret" RENAME COLUMN back TO "Back On";
-- the reading checks (AFTER ROW, WHEN clause), renamed after attach too
CREATE TABLE "ERP"."Read Only" (gone int, id int PRIMARY KEY, "Exp" date, back date, "Memo" text,
                                sup text, expo cbreturn.customs_code, reto text);
ALTER TABLE "ERP"."Read Only" DROP COLUMN gone;
SELECT cbreturn.attach_export_return_checks('"ERP"."Read Only"', exported_on => 'Exp', returned_on => 'back',
    remarks => 'Memo', supervision_code => 'sup', export_office => 'expo', return_office => 'reto');
ALTER TABLE "ERP"."Read Only" RENAME COLUMN back TO "Back On";
ALTER TABLE "ERP"."Read Only" RENAME COLUMN "Memo" TO memo;
CREATE TABLE "ERP"."Imp" (gone int, id int PRIMARY KEY, "Released" date, applied date);
ALTER TABLE "ERP"."Imp" DROP COLUMN gone;
SELECT cbreturn.attach_import_return_checks('"ERP"."Imp"', released_on => 'Released', applied_on => 'applied');
ALTER TABLE "ERP"."Imp" RENAME COLUMN applied TO "Applied On";
-- record mode and an ordinary-return column (issue 12): the log and its sequence are dumped
CREATE TABLE "ERP"."Hist" (id int PRIMARY KEY, released date, applied date, kind text);
SELECT cbreturn.attach_import_return_checks('"ERP"."Hist"', released_on => 'released', applied_on => 'applied');
SELECT cbreturn.set_on_violation('"ERP"."Hist"', 'import', 'record');
SELECT cbreturn.set_ordinary_return_column('"ERP"."Hist"', 'import', 'kind', '{taxed}');
INSERT INTO "ERP"."Hist" VALUES (1, '2026-01-01', '2026-03-01', NULL);
-- a partitioned table checked once, on its parent (issue 12): a month with
-- other column numbers attached, a month created after the attach
CREATE TABLE "ERP"."Hdr" (list text PRIMARY KEY, exported date);
INSERT INTO "ERP"."Hdr" VALUES ('L1', '2026-03-01');
CREATE TABLE "ERP"."Monthly" (id int, m date, list text, why text, back date,
                              st text NOT NULL DEFAULT 'registered', reg date, PRIMARY KEY (id, m))
    PARTITION BY RANGE (m);
CREATE TABLE "ERP"."Monthly 04" PARTITION OF "ERP"."Monthly" FOR VALUES FROM ('2026-04-01') TO ('2026-05-01');
SELECT cbreturn.attach_header('"ERP"."Monthly"', header => '"ERP"."Hdr"', key => '{list}', header_key => '{list}',
                              exported_on => 'exported');
SELECT cbreturn.attach_export_return_checks('"ERP"."Monthly"', exported_on => NULL, reason => 'why', returned_on => 'back');
SELECT cbreturn.attach_status_check('"ERP"."Monthly"', status => 'st', registered_at => 'reg');
CREATE TABLE "ERP"."Monthly 05" (gone int, reg date, st text NOT NULL DEFAULT 'registered', back date, why text,
                                 list text, m date, id int, PRIMARY KEY (id, m));
ALTER TABLE "ERP"."Monthly 05" DROP COLUMN gone;
ALTER TABLE "ERP"."Monthly" ATTACH PARTITION "ERP"."Monthly 05" FOR VALUES FROM ('2026-05-01') TO ('2026-06-01');
CREATE TABLE "ERP"."Monthly 06" PARTITION OF "ERP"."Monthly" FOR VALUES FROM ('2026-06-01') TO ('2026-07-01');
INSERT INTO "ERP"."Monthly" VALUES (1, '2026-05-02', 'L1', 'unsold', '2026-05-02', 'registered', '2026-05-02');
SQL
pg_dump -d "$src" | psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$dst"

status=0
expect() {  # expect NAME SQLSTATE SQL
    local got
    got=$(psql -X -A -t -d "$dst" -c "DO \$\$ BEGIN $3; RAISE NOTICE 'state=ok'; EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'state=%', SQLSTATE; END \$\$" 2>&1 | sed -n 's/.*state=\([A-Za-z0-9]*\).*/\1/p')
    if [ "$got" = "$2" ]; then echo "ok: $1 ($got)"; else echo "FAIL: $1: expected $2, got '${got}'"; status=1; fi
}
echo "restored metadata:"
psql -X -A -t -d "$dst" -c "SELECT check_kind, columns FROM cbreturn.attached_checks ORDER BY 1"
expect "R-EX-1 window still enforced" CB001 \
    "INSERT INTO \"ERP\".\"Ret\" (id, \"Exported On\", why, \"Back On\") VALUES (2, '2026-03-01', 'unsold', '2026-09-02')"
expect "R-EX-2 remark code still enforced" CB002 \
    "INSERT INTO \"ERP\".\"Ret\" (id, \"Exported On\", why, memo) VALUES (2, '2026-03-01', 'unsold', 'PGTY')"
expect "R-EX-3 ledger restored (4 of 5 returned)" CB003 \
    "INSERT INTO \"ERP\".\"Ret\" (id, no, line, qty) VALUES (2, 'D1', 1, 2)"
expect "a good row is accepted" ok \
    "INSERT INTO \"ERP\".\"Ret\" (id, no, line, qty, \"Exported On\", why, \"Back On\") VALUES (2, 'D1', 1, 1, '2026-03-01', 'unsold', '2026-09-01')"
w=$(psql -X -A -t -d "$dst" -c "SELECT count(*) FROM pg_trigger WHERE tgqual IS NOT NULL AND tgname IN ('cbreturn_export_check', 'cbreturn_import_check') AND pg_get_triggerdef(oid) ~ '_(export|import)_row_ok\(.*new\.\"(Back On|Applied On)\"'")
if [ "$w" = 2 ]; then echo "ok: both reading checks restored with their WHEN clause, by the new names"
else echo "FAIL: $w of 2 reading checks restored with a WHEN clause naming the renamed columns"; status=1; fi
expect "WHEN-filtered R-EX-1 still enforced" CB001 \
    "INSERT INTO \"ERP\".\"Read Only\" (id, \"Exp\", \"Back On\", memo) VALUES (1, '2026-03-01', '2026-09-02', 'ZXTY')"
expect "WHEN-filtered R-EX-2 still enforced" CB002 \
    "INSERT INTO \"ERP\".\"Read Only\" (id, \"Exp\", \"Back On\", memo) VALUES (1, '2026-03-01', '2026-04-01', 'XXXX')"
expect "WHEN-filtered R-EX-5 still enforced" CB005 \
    "INSERT INTO \"ERP\".\"Read Only\" (id, \"Exp\", \"Back On\", memo, sup, expo, reto) VALUES (1, '2026-01-01', '2026-03-31', 'ZXTY', '9610', '2924', '8001')"
expect "WHEN-filtered unreadable code still reported" 22P02 \
    "INSERT INTO \"ERP\".\"Read Only\" (id, \"Exp\", \"Back On\", memo, sup, expo, reto) VALUES (1, '2026-01-01', '2026-03-31', 'ZXTY', '96l0', '2924', '8001')"
expect "WHEN-filtered UPDATE still enforced" CB001 \
    "INSERT INTO \"ERP\".\"Read Only\" (id, \"Exp\", \"Back On\", memo) VALUES (1, '2026-03-01', '2026-04-01', 'ZXTY'); UPDATE \"ERP\".\"Read Only\" SET \"Back On\" = '2026-09-02'"
expect "WHEN-filtered good row accepted" ok \
    "INSERT INTO \"ERP\".\"Read Only\" (id, \"Exp\", \"Back On\", memo, sup, expo, reto) VALUES (1, '2026-01-01', '2026-04-01', 'ZXTY', '9610', '2924', '8001')"
expect "WHEN-filtered R-IM-1 still enforced" CB001 \
    "INSERT INTO \"ERP\".\"Imp\" (id, \"Released\", \"Applied On\") VALUES (1, '2026-01-31', '2026-03-03')"
expect "WHEN-filtered import good row accepted" ok \
    "INSERT INTO \"ERP\".\"Imp\" (id, \"Released\", \"Applied On\") VALUES (1, '2026-01-31', '2026-03-02')"
h=$(psql -X -A -t -d "$dst" -c "SELECT string_agg(row_key->>'id' || ':' || rule_id, ',' ORDER BY id) FROM cbreturn.violation_log")
if [ "$h" = "1:R-IM-1" ]; then echo "ok: the violation log is restored ($h)"; else echo "FAIL: the violation log after restore: '$h'"; status=1; fi
expect "record mode restored: a late return is stored" ok \
    "INSERT INTO \"ERP\".\"Hist\" VALUES (2, '2026-01-01', '2026-03-01', NULL)"
expect "ordinary-return column restored: a late taxed return is stored" ok \
    "INSERT INTO \"ERP\".\"Hist\" VALUES (3, '2026-01-01', '2026-03-01', 'taxed')"
h=$(psql -X -A -t -d "$dst" -c "SELECT string_agg(row_key->>'id', ',' ORDER BY id) || ' ' || count(DISTINCT id) FROM cbreturn.violation_log")
if [ "$h" = "1,2 2" ]; then echo "ok: the restored log goes on with new entries, its sequence restored ($h)"
else echo "FAIL: the log after new writes: '$h'"; status=1; fi
expect "partitioned: R-EX-1 enforced in the partition with other column numbers" CB001 \
    "INSERT INTO \"ERP\".\"Monthly\" VALUES (2, '2026-05-03', 'L1', 'unsold', '2026-09-02', 'registered', '2026-05-03')"
expect "partitioned: R-EX-1 enforced in a partition created after the attach" CB001 \
    "INSERT INTO \"ERP\".\"Monthly\" VALUES (2, '2026-06-03', 'L1', 'unsold', '2026-09-02', 'registered', '2026-06-03')"
expect "partitioned: the status check still enforced (no move back)" CB006 \
    "UPDATE \"ERP\".\"Monthly\" SET st = 'declared' WHERE id = 1; UPDATE \"ERP\".\"Monthly\" SET st = 'registered' WHERE id = 1"
expect "partitioned: a month created after the restore is checked" CB001 \
    "CREATE TABLE \"ERP\".\"Monthly 07\" PARTITION OF \"ERP\".\"Monthly\" FOR VALUES FROM ('2026-07-01') TO ('2026-08-01'); INSERT INTO \"ERP\".\"Monthly\" VALUES (3, '2026-07-03', 'L1', 'unsold', '2026-09-02', 'registered', '2026-07-03')"
expect "partitioned: the header guard sees the partitions' returns" CB014 \
    "UPDATE \"ERP\".\"Hdr\" SET exported = '2025-01-01'"
expect "partitioned: a good row is accepted" ok \
    "INSERT INTO \"ERP\".\"Monthly\" VALUES (4, '2026-06-04', 'L1', 'unsold', '2026-06-04', 'registered', '2026-06-04')"
p=$(psql -X -A -t -d "$dst" -c "SELECT count(*) FROM cbreturn.attached_check WHERE relation::text LIKE '%Monthly %'")
if [ "$p" = 0 ]; then echo "ok: the partitions carry no metadata of their own after restore"
else echo "FAIL: $p checks recorded on partitions after restore"; status=1; fi
n=$(psql -X -A -t -d "$dst" -c "SELECT count(*) FROM cbreturn.attached_column c JOIN pg_attribute a ON a.attrelid = c.column_relation AND a.attnum = c.column_attnum WHERE a.attname = c.column_name")
m=$(psql -X -A -t -d "$dst" -c "SELECT count(*) FROM cbreturn.attached_column")
if [ "$n" = "$m" ] && [ "$m" -gt 0 ]; then echo "ok: all $m restored column numbers match their names"
else echo "FAIL: $n of $m restored column numbers match their names"; status=1; fi
exit $status
