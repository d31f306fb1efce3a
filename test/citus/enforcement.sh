#!/usr/bin/env bash
# Citus (docs/scale-out.md): queries on distributed tables run cbreturn's
# functions on the workers; a check is never left failing open on a Citus
# table: attach refuses a distributed table and a shard (CB015) and leaves
# nothing behind, a table with checks cannot be distributed (Citus refuses its
# triggers; with citus.enable_unsafe_triggers the export check's WHEN clause
# still cannot be, and a quantity guard that reaches the shards refuses the
# writes there).  Run by test/citus/run (PGHOST, PGPORT: the coordinator).
set -euo pipefail
# as an ERP would: cbreturn on the search path (its operators by name)
export PGOPTIONS="-c search_path=public,cbreturn"
fail() { echo "FAIL: $*"; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
# shards are hidden from ordinary clients unless asked for
w1() { PGOPTIONS="$PGOPTIONS -c citus.override_table_visibility=off" psql -X -q -At -v ON_ERROR_STOP=1 -p "$CITUS_W1_PORT" "$@"; }
# state SQL STATE: the statement fails with SQLSTATE STATE
state() {
    local out
    if out=$(psql -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "${@:3}" -c '\set VERBOSITY verbose' -c "$1" 2>&1); then
        fail "accepted: $1"
    fi
    grep -q "ERROR:  $2:" <<<"$out" || fail "refused with another error (expected $2): $out"
    echo "ok - $2: $1" >&2
    echo "$out"
}

q >/dev/null <<'SQL'
CREATE TABLE decl (decl cbreturn.declaration_id, g_no int, qty numeric NOT NULL, PRIMARY KEY (decl, g_no));
CREATE TABLE ret (id bigint, decl cbreturn.declaration_id NOT NULL, g_no int, qty int,
                  office cbreturn.customs_code, reason cbreturn.return_reason,
                  exported_on date, returned_on date, remarks text, PRIMARY KEY (decl, id));
SELECT create_distributed_table('decl', 'decl');
SELECT create_distributed_table('ret', 'decl', colocate_with => 'decl');
INSERT INTO decl SELECT cbreturn.declaration_id('0101', 2026, '0', i), 1, 10 FROM generate_series(1, 200) i;
INSERT INTO ret SELECT i, cbreturn.declaration_id('0101', 2026, '0', i), 1, 4, '0101', 'unsold',
                       '2026-01-10', CASE WHEN i % 3 = 0 THEN NULL ELSE date '2026-03-01' + i END, 'ZXTY'
                  FROM generate_series(1, 200) i;
SQL

# Reporting: the rule functions run on the workers, one task per shard.
plan=$(q -c "EXPLAIN (VERBOSE, COSTS OFF)
  SELECT cbreturn.return_status(cbreturn.export_return_deadline(exported_on, reason), returned_on, '2026-06-30'), count(*)
    FROM ret GROUP BY 1")
grep -q 'Task Count: 32' <<<"$plan" || fail "the reporting query is not one task per shard: $plan"
grep -Eq 'Query: SELECT cbreturn\.return_status\(cbreturn\.export_return_deadline\(exported_on, reason\).*FROM public\.ret_[0-9]+ ret.*GROUP BY' <<<"$plan" ||
    fail "return_status() is not evaluated on the workers: $plan"
echo "ok - return_status() and export_return_deadline() are grouped on the workers, one task per shard"
# A join of co-located tables on the declaration key runs shard by shard.
plan=$(q -c "EXPLAIN (VERBOSE, COSTS OFF)
  SELECT cbreturn.district(d.decl), sum(r.qty) FROM decl d JOIN ret r USING (decl, g_no) GROUP BY 1")
grep -Eq 'FROM \(public\.decl_[0-9]+ d JOIN public\.ret_[0-9]+ r' <<<"$plan" || fail "the co-located join is not pushed down: $plan"
echo "ok - a join on the declaration key of co-located tables runs on the workers"
# A router query on one declaration goes to one shard.
plan=$(q -c "EXPLAIN (COSTS OFF) SELECT * FROM ret WHERE decl = cbreturn.declaration_id('0101', 2026, '0', 7)")
grep -q 'Task Count: 1' <<<"$plan" || fail "a query on one declaration is not routed to one shard: $plan"
echo "ok - a query on one declaration id is routed to one shard"
# the same report over a local copy of the rows
q -c "CREATE TABLE ret_local AS SELECT * FROM ret" >/dev/null
expected_report=$(q -c "SELECT string_agg(s || ':' || n, ',' ORDER BY s COLLATE \"C\") FROM (
          SELECT cbreturn.return_status(cbreturn.export_return_deadline(exported_on, reason), returned_on, '2026-06-30') s,
                 count(*) n FROM ret_local GROUP BY 1) x")
[ "$(q -c "SELECT count(*) FROM ret_local")" = 200 ] || fail "the local copy lost rows"
[ "$(q -c "SELECT string_agg(s || ':' || n, ',' ORDER BY s COLLATE \"C\") FROM (
          SELECT cbreturn.return_status(cbreturn.export_return_deadline(exported_on, reason), returned_on, '2026-06-30') s,
                 count(*) n FROM ret GROUP BY 1) x")" = "$expected_report" ] ||
    fail "the distributed report differs"
echo "ok - the distributed report counts every row once"

# What cannot be carried to the shards is refused (CB015), with a hint, and
# leaves nothing behind: the quantity check on Citus tables not co-located
# (the hint names colocate_with), a declaration header, a shard.  (The
# export, import and status checks are carried to every shard:
# test/citus/shards.sh; the quantity check on co-located tables:
# test/citus/quantity.sh.)
q -c "CREATE TABLE decl_other (decl cbreturn.declaration_id, g_no int, qty numeric NOT NULL, PRIMARY KEY (decl, g_no))" \
  -c "SELECT create_distributed_table('decl_other', 'decl', colocate_with => 'none')" >/dev/null
hint=$(state "SELECT cbreturn.attach_quantity_check('ret', '{decl,g_no}', 'qty', 'decl_other', '{decl,g_no}', 'qty')" CB015)
grep -q "colocate_with => " <<<"$hint" || fail "the refusal of returns not co-located does not say what to run: $hint"
grep -q "update_distributed_table_colocation('public.ret', colocate_with => 'public.decl_other')" <<<"$hint" ||
    fail "the hint does not name the tables: $hint"
q -c "CREATE TABLE local_ret (id int PRIMARY KEY, decl cbreturn.declaration_id, g_no int, qty int)"
hint=$(state "SELECT cbreturn.attach_quantity_check('local_ret', '{decl,g_no}', 'qty', 'decl', '{decl,g_no}', 'qty')" CB015)
grep -q "colocate_with => 'public.decl'" <<<"$hint" || fail "a local returns table of a distributed declared table: no hint: $hint"
state "SELECT cbreturn.attach_header('ret', 'decl', '{decl}', '{decl}', exported_on => 'exported_on')" CB015 >/dev/null
[ "$(q -c "SELECT count(*) FROM cbreturn.attached_check")" = 0 ] || fail "a refused attach left metadata"
[ "$(q -c "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                 WHERE t.tgname LIKE 'cbreturn%' AND c.relnamespace <> 'cbreturn'::regnamespace")" = 0 ] ||
    fail "a refused attach left a trigger"
shard=$(w1 -c "SELECT c.oid::regclass FROM pg_class c WHERE c.relname ~ '^ret_[0-9]+$' AND pg_catalog.relation_is_a_known_shard(c.oid) LIMIT 1")
[ -n "$shard" ] || fail "no shard of ret on the first worker"
w1 -c "CREATE EXTENSION IF NOT EXISTS cbreturn" >/dev/null 2>&1 || true
PGOPTIONS="$PGOPTIONS -c citus.override_table_visibility=off" state "SELECT cbreturn.attach_export_return_checks('$shard', exported_on => 'exported_on', reason => 'reason', returned_on => 'returned_on')" CB015 -p "$CITUS_W1_PORT" >/dev/null
echo "ok - nothing is left behind by a refused attach"

# A table with checks is not distributed with them.
q >/dev/null <<'SQL'
CREATE TABLE exp_ret (id int, decl cbreturn.declaration_id NOT NULL, reason cbreturn.return_reason,
                      exported_on date, returned_on date, PRIMARY KEY (decl, id));
SELECT cbreturn.attach_export_return_checks('exp_ret', exported_on => 'exported_on', reason => 'reason', returned_on => 'returned_on');
CREATE TABLE decl2 (decl cbreturn.declaration_id, g_no int, qty numeric NOT NULL, PRIMARY KEY (decl, g_no));
CREATE TABLE ret2 (id int PRIMARY KEY, decl cbreturn.declaration_id, g_no int, qty int);
INSERT INTO decl2 VALUES (cbreturn.declaration_id('0101', 2026, '0', 1), 1, 10);
SELECT cbreturn.attach_quantity_check('ret2', '{decl,g_no}', 'qty', 'decl2', '{decl,g_no}', 'qty');
INSERT INTO ret2 VALUES (1, cbreturn.declaration_id('0101', 2026, '0', 1), 1, 6);
SQL
if q -c "SELECT create_distributed_table('exp_ret', 'decl')" >/dev/null 2>&1; then fail "a table with an export check was distributed"; fi
echo "ok - Citus refuses to distribute a table with an attached check"
if q -c "SET citus.enable_unsafe_triggers = on" -c "SELECT create_distributed_table('exp_ret', 'decl')" >/dev/null 2>&1; then
    fail "a table with an export check was distributed with citus.enable_unsafe_triggers"
fi
state "INSERT INTO exp_ret VALUES (1, cbreturn.declaration_id('0101', 2024, '0', 1), 'unsold', '2024-01-10', '2026-03-01')" CB001
echo "ok - with citus.enable_unsafe_triggers the export check is not distributed either, and still enforces"
# The declared table of a quantity check, distributed with its guards anyway:
# the guard on the shards refuses (CB015) rather than letting a line drop
# below what was returned.
q -c "SET citus.enable_unsafe_triggers = on" -c "SELECT create_distributed_table('decl2', 'decl')" >/dev/null ||
    fail "the declared table could not be distributed"
state "UPDATE decl2 SET qty = 1" CB015
state "DELETE FROM decl2" CB015
[ "$(q -c "SELECT qty FROM decl2")" = 10 ] || fail "the declared quantity changed"
echo "ok - a quantity guard carried to the shards refuses writes there (never fails open)"
