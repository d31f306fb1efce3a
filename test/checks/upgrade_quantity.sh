#!/usr/bin/env bash
# R-EX-3, R-IM-2 across ALTER EXTENSION cbreturn UPDATE from 0.1.0: a quantity
# check a DBA attached in 0.1.0, with returns written under it, keeps
# enforcing after the update (the ledger changed shape: text keys per
# returns table became typed keys per declared table), and the quantity
# objects of the updated extension are those of a fresh install (pg_dump
# does not dump extension members, so they are compared from the catalogs).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -n "${CBRETURN_SHAREDIR:-}" ] || { echo "FAIL: CBRETURN_SHAREDIR is not set (run through test/run)"; exit 1; }
[ -f sql/releases/cbreturn--0.1.0.sql ] || { echo "ok: no 0.1.0 release to upgrade from"; exit 0; }
cp sql/releases/cbreturn--0.1.0.sql "$CBRETURN_SHAREDIR/extension/"
fail() { echo "FAIL: $*"; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$@"; }

psql -X -q -v ON_ERROR_STOP=1 -c 'DROP DATABASE IF EXISTS cbreturn_qup_old' -c 'CREATE DATABASE cbreturn_qup_old' \
     -c 'DROP DATABASE IF EXISTS cbreturn_qup_new' -c 'CREATE DATABASE cbreturn_qup_new'
PGOPTIONS='-c check_function_bodies=off' q cbreturn_qup_old -c "CREATE EXTENSION cbreturn VERSION '0.1.0'"
q cbreturn_qup_old <<'SQL'
CREATE TABLE decl (entry text, g_no int, qty numeric(10,2) NOT NULL, PRIMARY KEY (entry, g_no));
CREATE TABLE ret (id serial PRIMARY KEY, entry text, g_no int, qty int);
CREATE TABLE ret2 (id serial PRIMARY KEY, entry text, g_no int, qty int);
INSERT INTO decl VALUES ('E1', 1, 10), ('E1', 2, 5);
SELECT cbreturn.attach_quantity_check('ret', '{entry,g_no}', 'qty', 'decl', '{entry,g_no}', 'qty');
SELECT cbreturn.attach_quantity_check('ret2', '{entry,g_no}', 'qty', 'decl', '{entry,g_no}', 'qty');
-- the returns and the ledger as 0.1.0 wrote them (this server already runs
-- the new module, whose triggers expect the new ledger until the UPDATE)
SET session_replication_role = replica;
INSERT INTO ret (entry, g_no, qty) VALUES ('E1', 1, 6), ('E1', 2, 2);
INSERT INTO ret2 (entry, g_no, qty) VALUES ('E1', 1, 3);
INSERT INTO cbreturn.quantity_ledger (relation, line, returned)
VALUES ('ret', '{E1,1}', 6), ('ret', '{E1,2}', 2), ('ret2', '{E1,1}', 3);
SQL
# 0.1.0 counted per returns table: 6 + 3 of 10 on line 1, each table alone below 10
q cbreturn_qup_old -c 'ALTER EXTENSION cbreturn UPDATE' 2>&1
v=$(q cbreturn_qup_old -c "SELECT extversion FROM pg_extension WHERE extname = 'cbreturn'")
[ "$v" != 0.1.0 ] || fail "the extension was not updated"

refused() {
    local out
    if out=$(q cbreturn_qup_old -c "$1" 2>&1); then fail "accepted after the update: $1"; fi
    grep -q -- "$2" <<<"$out" || fail "refused with another error: $out"
    echo "ok - refused after the update: $1"
}
refused "INSERT INTO ret (entry, g_no, qty) VALUES ('E1', 1, 2)" 'exceeds the declared quantity'
refused "INSERT INTO ret2 (entry, g_no, qty) VALUES ('E1', 2, 4)" 'exceeds the declared quantity'
refused "UPDATE decl SET qty = 8 WHERE g_no = 1" 'below the quantity already returned'
refused "TRUNCATE decl" 'cannot truncate'
q cbreturn_qup_old -c "INSERT INTO ret2 (entry, g_no, qty) VALUES ('E1', 1, 1)" >/dev/null ||
    fail "a legal return (10 of 10) was refused after the update"
echo "ok - a legal return is accepted after the update"
n=$(q cbreturn_qup_old -c "SELECT count(*) FROM cbreturn.verify_quantity_ledger('decl')")
[ "$n" = 0 ] || fail "the ledger differs from the returns after the update ($n lines)"
echo "ok - the ledger equals the returns after the update"

# the quantity objects as a fresh install has them
q cbreturn_qup_new -c 'CREATE EXTENSION cbreturn'
objects() {
    q "$1" <<'SQL'
SELECT 'function ' || p.oid::regprocedure || ' ' || md5(pg_get_functiondef(p.oid)) || ' ' || coalesce(p.proacl::text, '')
  FROM pg_proc p WHERE p.pronamespace = 'cbreturn'::regnamespace AND p.prokind IN ('f', 'p')
   AND (p.proname ~ 'quantity|ledger|eq_operator' OR p.proname IN ('_check_table', 'detach', '_follow_drop'))
UNION ALL
SELECT 'column ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull
  FROM pg_attribute a WHERE a.attrelid = 'cbreturn.quantity_ledger'::regclass AND a.attnum > 0
UNION ALL
SELECT 'constraint ' || pg_get_constraintdef(c.oid) FROM pg_constraint c
 WHERE c.conrelid = 'cbreturn.quantity_ledger'::regclass
    OR c.contypid IN ('cbreturn.ledger_quantity'::regtype, 'cbreturn.ledger_count'::regtype)
UNION ALL
SELECT 'acl ' || coalesce(c.relacl::text, '') || ' rls ' || c.relrowsecurity FROM pg_class c
 WHERE c.oid = 'cbreturn.quantity_ledger'::regclass
UNION ALL
SELECT 'event trigger ' || e.evtname || ' ' || e.evtevent || ' ' || e.evtfoid::regproc || ' ' || coalesce(e.evttags::text, '')
  FROM pg_event_trigger e
ORDER BY 1
SQL
}
if ! diff <(objects cbreturn_qup_new) <(objects cbreturn_qup_old); then
    fail "the quantity objects after the update differ from a fresh install"
fi
echo "ok - the quantity objects after the update are those of a fresh install"
psql -X -q -c 'DROP DATABASE cbreturn_qup_old' -c 'DROP DATABASE cbreturn_qup_new'
