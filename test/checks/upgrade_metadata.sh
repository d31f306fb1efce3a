#!/usr/bin/env bash
# ALTER EXTENSION cbreturn UPDATE from 0.1.0 keeps a DBA's genuine attached
# checks enforcing and removes the metadata 0.1.0 let in without a check
# behind it (issue 9, items 3 and 4; docs/security.md, "Upgrading from
# 0.1.0"): rows an ordinary role forged for its own table naming a table it
# may not read, rows without their trigger, and rows of temporary tables whose
# session has ended.  After the update no ordinary role can write the
# metadata.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -n "${CBRETURN_SHAREDIR:-}" ] || { echo "FAIL: CBRETURN_SHAREDIR is not set (run through test/run)"; exit 1; }
db=cbreturn_upgrade_metadata
owner=cbr_upgm_owner
intruder=cbr_upgm_intruder
cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" 2>/dev/null || true
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $owner" -c "DROP ROLE IF EXISTS $intruder" 2>/dev/null || true
}
trap cleanup EXIT
cleanup
cp sql/releases/cbreturn--0.1.0.sql "$CBRETURN_SHAREDIR/extension/"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" \
     -c "CREATE ROLE $owner" -c "CREATE ROLE $intruder"
PGOPTIONS='-c check_function_bodies=off' \
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION cbreturn VERSION '0.1.0'"

# The DBA's genuine checks, attached as the ERP's owner under 0.1.0.
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$db" <<SQL
CREATE SCHEMA erp AUTHORIZATION $owner;
CREATE SCHEMA evil AUTHORIZATION $intruder;
GRANT USAGE ON SCHEMA erp TO $intruder;
SET ROLE $owner;
CREATE TABLE erp.decl (no text, line int, qty int, secret text, PRIMARY KEY (no, line));
CREATE TABLE erp.ret (id int PRIMARY KEY, no text, line int, qty int, exported date,
                      reason cbreturn.return_reason, returned date, remarks text);
INSERT INTO erp.decl VALUES ('D1', 1, 5, 'not for the intruder');
SELECT cbreturn.attach_export_return_checks('erp.ret', exported_on => 'exported', reason => 'reason',
                                            returned_on => 'returned', remarks => 'remarks', fill_remarks => true);
SELECT cbreturn.attach_quantity_check('erp.ret', line => '{no,line}', quantity => 'qty',
    declared_table => 'erp.decl', declared_line => '{no,line}', declared_quantity => 'qty');
RESET ROLE;
-- What 0.1.0 let an ordinary role write: metadata for its own table naming
-- a table it cannot read, and a row with no trigger behind it.
SET ROLE $intruder;
CREATE TABLE evil.ret (id int, no text, line int, qty int);
INSERT INTO cbreturn.attached_check (relation, check_kind, declared_relation)
VALUES ('evil.ret', 'quantity', 'erp.decl');
INSERT INTO cbreturn.attached_column (relation, check_kind, role, column_relation, column_name)
VALUES ('evil.ret', 'quantity', 'declared_quantity', 'erp.decl', 'secret');
CREATE TRIGGER cbreturn_quantity_check AFTER INSERT ON evil.ret
    FOR EACH ROW EXECUTE FUNCTION cbreturn.quantity_check();
INSERT INTO cbreturn.attached_check (relation, check_kind) VALUES ('evil.ret', 'import');
RESET ROLE;
SQL
# A check on a temporary table, left behind when its session ends.
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$db" <<SQL
SET ROLE $intruder;
CREATE TEMPORARY TABLE t (released date, applied date);
SELECT cbreturn.attach_import_return_checks('t', released_on => 'released', applied_on => 'applied');
SQL
before=$(psql -X -A -t -d "$db" -c "SELECT count(*) FROM cbreturn.attached_check")

psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'ALTER EXTENSION cbreturn UPDATE'

status=0
check() {  # check NAME EXPECTED SQL
    local got
    got=$(psql -X -A -t -d "$db" -c "$3" 2>&1)
    if [ "$got" = "$2" ]; then echo "ok: $1"; else echo "FAIL: $1: expected '$2', got '$got'"; status=1; fi
}
expect() {  # expect NAME SQLSTATE ROLE SQL
    local got
    got=$(psql -X -A -t -d "$db" -c "SET ROLE $3; DO \$\$ BEGIN $4; RAISE NOTICE 'state=ok'; EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'state=%', SQLSTATE; END \$\$" 2>&1 | sed -n 's/.*state=\([A-Za-z0-9]*\).*/\1/p')
    if [ "$got" = "$2" ]; then echo "ok: $1 ($got)"; else echo "FAIL: $1: expected $2, got '${got}'"; status=1; fi
}
check "0.1.0 held 5 check rows (2 genuine, 2 forged, 1 of a temporary table)" 5 "SELECT $before"
check "only the genuine checks are left" "erp.ret export,erp.ret quantity" \
    "SELECT string_agg(relation::text || ' ' || check_kind, ',' ORDER BY 1) FROM cbreturn.attached_check"
check "no column row outside the genuine checks" 0 \
    "SELECT count(*) FROM cbreturn.attached_column WHERE relation <> 'erp.ret'::regclass OR column_name = 'secret'"
check "no ledger row outside the genuine checks" 0 \
    "SELECT count(*) FROM cbreturn.quantity_ledger WHERE declared_relation <> 'erp.decl'::regclass"
expect "R-EX-1 still enforced after the update" CB001 "$owner" \
    "INSERT INTO erp.ret (id, exported, reason, returned) VALUES (1, '2026-03-01', 'unsold', '2026-09-02')"
expect "R-EX-2 fill still works" ok "$owner" \
    "INSERT INTO erp.ret (id, exported, reason, returned) VALUES (1, '2026-03-01', 'unsold', '2026-09-01')"
check "remarks filled" ZXTY "SELECT remarks FROM erp.ret WHERE id = 1"
expect "R-EX-3 still enforced after the update" CB003 "$owner" \
    "INSERT INTO erp.ret (id, no, line, qty) VALUES (2, 'D1', 1, 6)"
expect "a return within the declared quantity is accepted" ok "$owner" \
    "INSERT INTO erp.ret (id, no, line, qty) VALUES (2, 'D1', 1, 5)"
expect "the forged check is gone: its hand-made trigger no longer reads erp.decl" 55000 "$intruder" \
    "INSERT INTO evil.ret VALUES (1, 'D1', 1, 1)"
expect "an ordinary role can no longer write the metadata" 42501 "$intruder" \
    "INSERT INTO cbreturn.attached_check (relation, check_kind) VALUES ('evil.ret', 'status')"
expect "nor attach to a temporary table" 0A000 "$intruder" \
    "CREATE TEMPORARY TABLE t2 (a date, b date); PERFORM cbreturn.attach_import_return_checks('t2', released_on => 'a', applied_on => 'b')"
exit $status
