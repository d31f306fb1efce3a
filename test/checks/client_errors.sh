#!/usr/bin/env bash
# What a client library sees when a write breaks a rule: with psql's
# VERBOSITY verbose (libpq's full error report), every rule family's error
# carries its own SQLSTATE, a message naming the rule id, a DETAIL with the
# row's values and the limit, and a HINT (docs/errors.md).  Then the
# transaction goes on as PostgreSQL users expect: the rejected row is gone,
# the rows written before it in the transaction are kept.
set -uo pipefail
cd "$(dirname "$0")/../.."
db=cbreturn_client_errors
psql -X -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || exit 1

out=$(psql -X -d "$db" 2>&1 <<'SQL'
\set VERBOSITY verbose
SET client_min_messages = warning;
CREATE EXTENSION cbreturn;
CREATE TABLE export_return (
    ret_no text PRIMARY KEY, clear_date date, reason cbreturn.return_reason,
    back_on date, memo text, regime cbreturn.supervision_code,
    out_port cbreturn.customs_code, in_port cbreturn.customs_code);
SELECT cbreturn.attach_export_return_checks('export_return', exported_on => 'clear_date',
    reason => 'reason', returned_on => 'back_on', remarks => 'memo',
    supervision_code => 'regime', export_office => 'out_port', return_office => 'in_port');
CREATE TABLE decl_line (list_no text, g_no int, qty int, PRIMARY KEY (list_no, g_no));
CREATE TABLE ret_line (id int PRIMARY KEY, list_no text, g_no int, qty int);
INSERT INTO decl_line VALUES ('L1', 1, 10);
SELECT cbreturn.attach_quantity_check('ret_line', line => ARRAY['list_no', 'g_no'], quantity => 'qty',
    declared_table => 'decl_line', declared_line => ARRAY['list_no', 'g_no'], declared_quantity => 'qty');
CREATE TABLE track (id int PRIMARY KEY, state text, reg_at timestamptz, decl_at timestamptz);
SELECT cbreturn.attach_status_check('track', status => 'state', registered_at => 'reg_at', declared_at => 'decl_at');
BEGIN;
INSERT INTO export_return VALUES ('OK1', '2026-03-01', 'unsold', '2026-08-01', 'ZXTY', '9610', '2924', '2921');
SAVEPOINT s;
\echo ==== CB001
INSERT INTO export_return VALUES ('R1', '2026-03-01', 'unsold', '2026-09-02', 'ZXTY', '9610', '2924', '2921');
ROLLBACK TO s;
\echo ==== CB002
INSERT INTO export_return VALUES ('R2', '2026-03-01', 'unsold', '2026-08-01', 'THTY', '9610', '2924', '2921');
ROLLBACK TO s;
\echo ==== CB005
INSERT INTO export_return VALUES ('R3', '2026-03-01', 'unsold', '2026-03-20', 'ZXTY', '9610', '4301', '5316');
ROLLBACK TO s;
\echo ==== CB003
INSERT INTO ret_line VALUES (1, 'L1', 1, 6), (2, 'L1', 1, 6);
ROLLBACK TO s;
\echo ==== CB006
INSERT INTO track VALUES (1, 'declared', '2026-03-02', '2026-03-01');
ROLLBACK TO s;
\echo ==== after
COMMIT;
SELECT 'rows:' || string_agg(ret_no, ',' ORDER BY ret_no) FROM export_return;
SELECT 'lines:' || count(*) FROM ret_line;
SQL
)

failed=0
check() {  # check NAME PATTERN: PATTERN must appear in the block of NAME
    local block
    block=$(printf '%s\n' "$out" | awk -v n="==== $1" '$0 == n {on = 1; next} /^==== / {on = 0} on')
    if printf '%s\n' "$block" | grep -E -- "$2" >/dev/null; then
        echo "ok - $1: $3"
    else
        echo "not ok - $1: $3"; printf '%s\n' "$block" | sed 's/^/#   /'; failed=1
    fi
}
for f in CB001:R-EX-1 CB002:R-EX-2 CB005:R-EX-5 CB003:R-EX-3 "CB006:rules section 6"; do
    code=${f%%:*}; rule=${f#*:}
    check "$code" "^ERROR:  $code: .*$rule" "message with SQLSTATE $code names $rule"
    check "$code" "^DETAIL:  " "DETAIL reaches the client"
    check "$code" "^HINT:  " "HINT reaches the client"
done
if printf '%s\n' "$out" | grep -Eq "^ *rows:OK1$"; then
    echo "ok - the row written before the rejected ones is kept, the rejected ones are gone"
else
    echo "not ok - rows after the transaction"; printf '%s\n' "$out" | grep -E '^(rows|lines):'; failed=1
fi
if printf '%s\n' "$out" | grep -Eq "^ *lines:0$"; then
    echo "ok - a rejected multi-row INSERT leaves none of its rows"
else
    echo "not ok - a rejected multi-row INSERT left rows"; failed=1
fi
psql -X -q -c "DROP DATABASE $db"
exit $failed
