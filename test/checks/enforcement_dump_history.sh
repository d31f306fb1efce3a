#!/usr/bin/env bash
# A database with a history of temporary tables dumps and restores cleanly,
# and every check enforces afterwards (issue 9, items 4 and 5).  0.1.0 let a
# check be attached to a temporary table; its metadata outlived the table
# (session end, DISCARD TEMP) and every later restore failed.  Also the
# schema-only dump of the ERP (pg_dump -n) and a restore over a policy row the
# DBA edited, as docs/security.md ("Dump and restore") describes them.
set -euo pipefail
src=cbreturn_hist_src
dbs="$src cbreturn_hist_custom cbreturn_hist_parallel cbreturn_hist_plain cbreturn_hist_schema cbreturn_hist_policy"
cleanup() { for d in $dbs; do dropdb --if-exists "$d" 2>/dev/null || true; done; }
trap cleanup EXIT
cleanup
for d in $dbs; do createdb "$d"; done
status=0
expect() {  # expect DB NAME SQLSTATE SQL
    local got
    got=$(psql -X -A -t -d "$1" -c "DO \$\$ BEGIN $4; RAISE NOTICE 'state=ok'; EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'state=%', SQLSTATE; END \$\$" 2>&1 | sed -n 's/.*state=\([A-Za-z0-9]*\).*/\1/p')
    if [ "$got" = "$3" ]; then echo "ok: $1: $2 ($got)"; else echo "FAIL: $1: $2: expected $3, got '${got}'"; status=1; fi
}
check() {  # check DB NAME EXPECTED SQL
    local got
    got=$(psql -X -A -t -d "$1" -c "$4" 2>&1)
    if [ "$got" = "$3" ]; then echo "ok: $1: $2"; else echo "FAIL: $1: $2: expected '$3', got '$got'"; status=1; fi
}

attach_sql=$(cat <<'SQL'
SELECT cbreturn.attach_export_return_checks('erp.ret', exported_on => 'exported', reason => 'reason',
    returned_on => 'returned', remarks => 'remarks', fill_remarks => true);
SELECT cbreturn.attach_quantity_check('erp.ret', line => '{no,line}', quantity => 'qty',
    declared_table => 'erp.decl', declared_line => '{no,line}', declared_quantity => 'qty');
SELECT cbreturn.attach_import_return_checks('erp.imp', released_on => 'released', applied_on => 'applied');
SELECT cbreturn.attach_status_check('erp.track', status => 'st', registered_at => 'reg', declared_at => 'decl');
SELECT cbreturn.attach_header('erp.hret', 'erp.hdr', key => '{list}', header_key => '{list_no}', released_on => 'released');
SELECT cbreturn.attach_import_return_checks('erp.hret', released_on => NULL, applied_on => 'applied');
SELECT cbreturn.attach_quantity_check('erp.pret', line => '{no,line}', quantity => 'qty',
    declared_table => 'erp.decl', declared_line => '{no,line}', declared_quantity => 'qty');
SELECT cbreturn.attach_export_return_checks('erp.mret', exported_on => 'exported', reason => 'reason',
    returned_on => 'returned');
SQL
)
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$src" <<SQL
CREATE EXTENSION cbreturn;
CREATE SCHEMA erp;
CREATE TABLE erp.decl (no text, line int, qty int, PRIMARY KEY (no, line));
CREATE TABLE erp.ret (id int PRIMARY KEY, no text, line int, qty int, exported date,
                      reason cbreturn.return_reason, returned date, remarks text);
CREATE TABLE erp.imp (id int PRIMARY KEY, released date, applied date);
CREATE TABLE erp.track (id int PRIMARY KEY, st text, reg date, decl date);
-- a declaration header the import check reads its release date from (issue 12, item 2);
-- a dropped column before the read one, so that restored column numbers differ
CREATE TABLE erp.hdr (list_no text PRIMARY KEY, gone int, released timestamptz);
ALTER TABLE erp.hdr DROP COLUMN gone;
CREATE TABLE erp.hret (id int PRIMARY KEY, list text, applied date);
-- a partitioned returns table with a quantity check (a TRUNCATE trigger on
-- each partition): its restore once failed with "trigger ... already exists"
CREATE TABLE erp.pret (id int, d date, no text, line int, qty int, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);
CREATE TABLE erp.pret_2026 PARTITION OF erp.pret FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE erp.pret_2027 PARTITION OF erp.pret FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
CREATE TABLE erp.pret_2028 PARTITION OF erp.pret FOR VALUES FROM ('2028-01-01') TO ('2029-01-01');
-- a partitioned returns table of twelve partitions with the export checks:
-- pg_restore -j adds the partitions' primary keys in parallel workers, and
-- the partition follow-up once locked the whole tree for each (a deadlock)
CREATE TABLE erp.mret (id int, m date, exported date, reason cbreturn.return_reason, returned date,
                       PRIMARY KEY (id, m)) PARTITION BY RANGE (m);
SELECT format('CREATE TABLE erp.mret_%s PARTITION OF erp.mret FOR VALUES FROM (%L) TO (%L)', i,
              date '2026-01-01' + (i - 1) * interval '1 month', date '2026-01-01' + i * interval '1 month')
  FROM generate_series(1, 12) i \gexec
INSERT INTO erp.hdr VALUES ('L1', '2026-01-31 23:30+08');
INSERT INTO erp.decl VALUES ('D1', 1, 5), ('D2', 1, 10);
$attach_sql
INSERT INTO erp.pret VALUES (1, '2026-03-01', 'D2', 1, 4);
INSERT INTO erp.ret (id, no, line, qty, exported, reason, returned) VALUES (1, 'D1', 1, 4, '2026-03-01', 'unsold', '2026-04-01');
-- a DBA's policy edits: a changed shipped row and a new one
UPDATE cbreturn.districts SET name_en = 'Shenzhen (edited)' WHERE code = '53';
INSERT INTO cbreturn.holidays (day, working_day, name) VALUES ('2027-01-01', false, 'New Year 2027');
-- a checked table dropped again: its metadata goes with it
CREATE TABLE erp.gone (released date, applied date);
SELECT cbreturn.attach_import_return_checks('erp.gone', released_on => 'released', applied_on => 'applied');
DROP TABLE erp.gone;
SQL

# Temporary-table history: one session ends with its temporary tables, one
# runs DISCARD TEMP.  Every attach naming a temporary table is refused.
for ending in "" "DISCARD TEMP;"; do
    out=$(psql -X -A -t -d "$src" 2>&1 <<SQL
CREATE TEMPORARY TABLE tr (id int, no text, line int, qty int, exported date, reason text, returned date, remarks text);
CREATE TEMPORARY TABLE td (no text, line int, qty int);
DO \$\$ BEGIN PERFORM cbreturn.attach_export_return_checks('tr', exported_on => 'exported', reason => 'reason');
    EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'state=%', SQLSTATE; END \$\$;
DO \$\$ BEGIN PERFORM cbreturn.attach_quantity_check('tr', line => '{no,line}', quantity => 'qty',
    declared_table => 'erp.decl', declared_line => '{no,line}', declared_quantity => 'qty');
    EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'state=%', SQLSTATE; END \$\$;
DO \$\$ BEGIN PERFORM cbreturn.attach_quantity_check('erp.imp', line => '{id}', quantity => 'id',
    declared_table => 'td', declared_line => '{line}', declared_quantity => 'qty');
    EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'state=%', SQLSTATE; END \$\$;
$ending
SQL
)
    n=$(echo "$out" | grep -c 'state=0A000' || true)
    if [ "$n" = 3 ]; then echo "ok: three attaches naming temporary tables refused (0A000)${ending:+, then $ending}"
    else echo "FAIL: attaches naming temporary tables: $out"; status=1; fi
done
check "$src" "no metadata of a relation that is gone or temporary" 0 \
    "SELECT count(*) FROM cbreturn.attached_check k WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = k.relation AND c.relpersistence = 'p') OR (k.declared_relation IS NOT NULL AND NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = k.declared_relation AND c.relpersistence = 'p'))"

enforced() {  # every check of erp enforces in database $1
    expect "$1" "R-EX-1 enforced" CB001 \
        "INSERT INTO erp.ret (id, exported, reason, returned) VALUES (10, '2026-03-01', 'unsold', '2026-09-02')"
    expect "$1" "a good return accepted" ok \
        "INSERT INTO erp.ret (id, exported, reason, returned) VALUES (11, '2026-03-01', 'unsold', '2026-09-01')"
    check "$1" "R-EX-2 remarks filled" ZXTY "SELECT remarks FROM erp.ret WHERE id = 11"
    expect "$1" "R-EX-3 enforced (4 of 5 returned before the dump)" CB003 \
        "INSERT INTO erp.ret (id, no, line, qty) VALUES (12, 'D1', 1, 2)"
    expect "$1" "R-EX-3 declared side guarded" CB003 \
        "UPDATE erp.decl SET qty = 3"
    expect "$1" "R-EX-3 enforced on a partitioned returns table (4 of 10 returned before the dump)" CB003 \
        "INSERT INTO erp.pret VALUES (2, '2026-04-01', 'D2', 1, 7)"
    check "$1" "every partition of the returns table keeps its TRUNCATE trigger" 4 \
        "SELECT count(*) FROM pg_trigger WHERE tgname = 'cbreturn_quantity_truncate' AND tgrelid IN (SELECT relid FROM pg_partition_tree('erp.pret'))"
    expect "$1" "R-EX-1 enforced on a partitioned table of twelve partitions" CB001 \
        "INSERT INTO erp.mret VALUES (1, '2026-05-01', '2026-03-01', 'unsold', '2026-09-02')"
    check "$1" "each of the twelve partitions has its primary key back" 13 \
        "SELECT count(*) FROM pg_index WHERE indisprimary AND indrelid IN (SELECT relid FROM pg_partition_tree('erp.mret'))"
    expect "$1" "R-IM-1 enforced" CB001 \
        "INSERT INTO erp.imp VALUES (1, '2026-01-31', '2026-03-03')"
    expect "$1" "status enforced" CB006 \
        "INSERT INTO erp.track VALUES (1, 'declared', '2026-03-02', '2026-03-01')"
    expect "$1" "R-IM-1 with the release date from the header enforced" CB001 \
        "INSERT INTO erp.hret VALUES (1, 'L1', '2026-03-03')"
    expect "$1" "a return on time by the header's China date accepted" ok \
        "INSERT INTO erp.hret VALUES (2, 'L1', '2026-03-02')"
    expect "$1" "a return naming no header row refused" CB014 \
        "INSERT INTO erp.hret VALUES (3, 'L404', '2026-03-02')"
    expect "$1" "the header's guard enforced" CB014 \
        "DELETE FROM erp.hdr"
    check "$1" "the DBA's policy edits restored" "Shenzhen (edited)|1" \
        "SELECT (SELECT name_en FROM cbreturn.districts WHERE code = '53') || '|' || (SELECT count(*) FROM cbreturn.holidays WHERE day = '2027-01-01')"
}

dump=$(mktemp)
trap 'rm -f "$dump"; cleanup' EXIT
pg_dump -Fc -d "$src" -f "$dump"
if pg_restore --exit-on-error -d cbreturn_hist_custom "$dump"; then echo "ok: pg_restore --exit-on-error succeeded"
else echo "FAIL: pg_restore --exit-on-error failed"; status=1; fi
enforced cbreturn_hist_custom
# in parallel (pg_restore -j): the restore's DDL does not set off cbreturn's
# event triggers against its own workers (a deadlock before)
if pg_restore --exit-on-error -j 4 -d cbreturn_hist_parallel "$dump"; then echo "ok: pg_restore -j 4 --exit-on-error succeeded"
else echo "FAIL: pg_restore -j 4 --exit-on-error failed"; status=1; fi
enforced cbreturn_hist_parallel
if pg_dump -d "$src" | psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d cbreturn_hist_plain; then echo "ok: pg_dump | psql succeeded"
else echo "FAIL: pg_dump | psql failed"; status=1; fi
enforced cbreturn_hist_plain

# pg_dump -n erp: the ERP's tables, rows and triggers, but not the metadata
# (schema cbreturn, dumped only with the extension).  The restored triggers
# refuse every write until the attach calls are run again.
psql -X -q -v ON_ERROR_STOP=1 -d cbreturn_hist_schema -c 'CREATE EXTENSION cbreturn'
if pg_dump -n erp -d "$src" | psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d cbreturn_hist_schema; then
    echo "ok: pg_dump -n erp | psql succeeded"
else echo "FAIL: pg_dump -n erp | psql failed"; status=1; fi
expect cbreturn_hist_schema "without metadata a restored trigger refuses, never passes" 55000 \
    "INSERT INTO erp.ret (id, exported, reason, returned) VALUES (10, '2026-03-01', 'unsold', '2026-04-01')"
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d cbreturn_hist_schema -c "UPDATE cbreturn.districts SET name_en = 'Shenzhen (edited)' WHERE code = '53'" \
    -c "INSERT INTO cbreturn.holidays (day, working_day, name) VALUES ('2027-01-01', false, 'New Year 2027')"
if psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d cbreturn_hist_schema -c "$attach_sql"; then
    echo "ok: the attach calls run again over the restored triggers"
else echo "FAIL: the attach calls failed over the restored triggers"; status=1; fi
enforced cbreturn_hist_schema

# The extension's data restored over a database where the DBA already made
# the same policy edits (pg_dump -n erp -e cbreturn into a prepared database):
# an edited row identical to the restored one is kept, not a COPY failure.
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d cbreturn_hist_policy -c 'CREATE EXTENSION cbreturn' \
    -c "UPDATE cbreturn.districts SET name_en = 'Shenzhen (edited)' WHERE code = '53'" \
    -c "INSERT INTO cbreturn.holidays (day, working_day, name) VALUES ('2027-01-01', false, 'New Year 2027')"
if pg_dump -n erp -e cbreturn -d "$src" | psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d cbreturn_hist_policy; then
    echo "ok: pg_dump -n erp -e cbreturn | psql over the same policy edits succeeded"
else echo "FAIL: pg_dump -n erp -e cbreturn | psql over the same policy edits failed"; status=1; fi
enforced cbreturn_hist_policy
exit $status
