#!/usr/bin/env bash
# Citus (docs/scale-out.md, "Policy and registers: one source of truth"): an
# edit of the policy on the coordinator reaches every worker in the same
# transaction (a distributed query over the workers agrees with the
# coordinator, in the same session, whose connections to the workers are
# long-lived), a rolled-back edit reaches none, an edit on a worker is
# refused, and a worker added later refuses to answer until the policy is
# synced, then answers from the current policy.  Run by test/citus/run
# (PGHOST, PGPORT: the coordinator; CITUS_W3_PORT: a node not yet in the
# cluster).
set -euo pipefail
export PGOPTIONS="-c search_path=public,cbreturn"
fail() { echo "FAIL: $*"; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
state() {
    local out
    if out=$(psql -X -q -At -v ON_ERROR_STOP=1 "${@:3}" -c '\set VERBOSITY verbose' -c "$1" 2>&1); then
        fail "accepted: $1"
    fi
    grep -q "ERROR:  $2:" <<<"$out" || fail "refused with another error (expected $2): $out"
    echo "ok - $2: $1"
}

# Before the sync every node answers from its own rows; the workers refuse.
q >/dev/null <<'SQL'
CREATE TABLE xret (id bigint, decl cbreturn.declaration_id NOT NULL, exp_office cbreturn.customs_code,
                   ret_office cbreturn.customs_code, returned_on date, PRIMARY KEY (decl, id));
SELECT create_distributed_table('xret', 'decl');
INSERT INTO xret
SELECT i, cbreturn.declaration_id('0101', 2025, '0', i), c[1 + i % n] || '01', c[1 + (i / 7) % n] || '01',
       date '2024-11-01' + i % 700
  FROM generate_series(1, 20000) i,
       (SELECT array_agg(code ORDER BY code) c, count(*) n FROM cbreturn.districts) d;
CREATE TABLE xret_local AS SELECT * FROM xret;
SQL
allowed="SELECT count(*) FILTER (WHERE cbreturn.cross_customs_return_allowed('9610', exp_office, ret_office, returned_on))"
state "$allowed FROM xret" CB015
state "SELECT cbreturn.cross_customs_return_allowed('9610', '0101', '0201', '2026-01-10')" CB015 -p "$CITUS_W1_PORT"
echo "ok - before the policy is synced, the workers refuse to answer from their own rows"

sync=$(q -c "SELECT string_agg(table_name || ':' || generation, ',' ORDER BY table_name) FROM cbreturn.citus_sync_policy()")
[ "$(tr ',' '\n' <<<"$sync" | wc -l)" = 11 ] || fail "citus_sync_policy() did not sync the 11 tables: $sync"
state "SELECT * FROM cbreturn.citus_sync_policy()" CB015 -p "$CITUS_W1_PORT"

# The function runs on the workers, one task per shard.
plan=$(q -c "EXPLAIN (VERBOSE, COSTS OFF) $allowed FROM xret")
grep -Eq 'Query: SELECT count\(\*\) FILTER \(WHERE cbreturn\.cross_customs_return_allowed\(.*FROM public\.xret_[0-9]+' <<<"$plan" ||
    fail "cross_customs_return_allowed() is not evaluated on the workers: $plan"

# One session throughout: its connections to the workers, and the workers'
# policy caches behind them, live from one statement to the next.
out=$(q <<SQL
$allowed FROM xret;
$allowed FROM xret_local;
UPDATE cbreturn.rule_parameters SET value_date = '2027-01-01' WHERE name = 'cross_customs_nationwide_from';
UPDATE cbreturn.districts SET cross_return_pilot_from = NULL WHERE code IN ('02', '09');
$allowed FROM xret;
$allowed FROM xret_local;
BEGIN;
UPDATE cbreturn.districts SET cross_return_pilot_from = NULL WHERE code = '01';
ROLLBACK;
$allowed FROM xret;
$allowed FROM xret_local;
INSERT INTO cbreturn.holidays (day, working_day, name) VALUES ('2027-01-04', false, 'test holiday');
SQL
)
mapfile -t n <<<"$out"
[ "${n[0]}" = "${n[1]}" ] || fail "before the edit: distributed ${n[0]}, coordinator ${n[1]}"
[ "${n[0]}" != "${n[2]}" ] || fail "the edit changed nothing to test: ${n[0]}"
[ "${n[2]}" = "${n[3]}" ] || fail "after the edit: distributed ${n[2]}, coordinator ${n[3]}"
[ "${n[4]}" = "${n[5]}" ] && [ "${n[4]}" = "${n[2]}" ] || fail "after a rolled-back edit: distributed ${n[4]}, coordinator ${n[5]}, before ${n[2]}"
echo "ok - an edit on the coordinator reaches the workers' next transaction (${n[0]} allowed before, ${n[2]} after, on the workers as on the coordinator)"
echo "ok - a rolled-back edit reaches no worker"
for p in "$CITUS_W1_PORT" "$CITUS_W2_PORT"; do
    [ "$(q -p "$p" -c "SELECT value_date || ',' || NOT shipped FROM cbreturn.rule_parameters WHERE name = 'cross_customs_nationwide_from'")" = "2027-01-01,true" ] ||
        fail "worker $p: the edited rule parameter is not the coordinator's"
    [ "$(q -p "$p" -c "SELECT count(*) FROM cbreturn.districts WHERE shipped")" = \
      "$(q -c "SELECT count(*) FROM cbreturn.districts WHERE shipped")" ] || fail "worker $p: the shipped flags differ"
    [ "$(q -p "$p" -c "SELECT count(*) FROM cbreturn.holidays WHERE day = '2027-01-04'")" = 1 ] || fail "worker $p: the new holiday is missing"
done
echo "ok - every worker holds the coordinator's rows, with their shipped flags"

state "UPDATE cbreturn.districts SET cross_return_pilot_from = NULL WHERE code = '01'" CB015 -p "$CITUS_W1_PORT"
state "INSERT INTO cbreturn.applicants VALUES ('91110108MAEXAMP03W', '4403960001', 'x', '2024-01-01', NULL)" CB015 -p "$CITUS_W2_PORT"
echo "ok - an edit on a worker is refused"

# Registers: the lookups read the tables, which the edit on the coordinator
# replaced on every worker.
reg="SELECT cbreturn.applicant_registered('91110108MAEXAMP03W', '2026-03-01')"
[ "$(q -p "$CITUS_W1_PORT" -c "$reg")" = f ] || fail "an applicant nobody registered is registered on a worker"
q -c "INSERT INTO cbreturn.applicants VALUES ('91110108MAEXAMP03W', '4403960001', 'x', '2024-01-01', NULL)"
for p in "$CITUS_W1_PORT" "$CITUS_W2_PORT"; do
    [ "$(q -p "$p" -c "$reg")" = t ] || fail "worker $p: the applicant registered on the coordinator is not registered"
done
echo "ok - a register row added on the coordinator is on every worker"

# A worker added later: until the policy is synced again it refuses (its
# own rows are the shipped ones; Citus copies the reference table without
# firing its triggers), then it answers from the current policy.
q -c "SELECT citus_add_node('$PGHOST', $CITUS_W3_PORT)" >/dev/null
w3() { q -p "$CITUS_W3_PORT" "$@"; }
[ "$(w3 -c "SELECT value_date FROM cbreturn.rule_parameters WHERE name = 'cross_customs_nationwide_from'")" = 2026-04-01 ] ||
    fail "the new worker does not start from the shipped rows (nothing to test)"
state "SELECT cbreturn.cross_customs_return_allowed('9610', '0101', '0201', '2026-06-10')" CB015 -p "$CITUS_W3_PORT"
q -c "SELECT replicate_reference_tables('block_writes')" >/dev/null
state "SELECT cbreturn.cross_customs_return_allowed('9610', '0101', '0201', '2026-06-10')" CB015 -p "$CITUS_W3_PORT"
echo "ok - a worker added later refuses to answer until the policy is synced"
q -c "SELECT * FROM cbreturn.citus_sync_policy()" >/dev/null
expected=$(q -c "SELECT cbreturn.cross_customs_return_allowed('9610', '0101', '0201', '2026-06-10')")
[ "$expected" = f ] || fail "the coordinator does not answer from the edited policy"
[ "$(w3 -c "SELECT cbreturn.cross_customs_return_allowed('9610', '0101', '0201', '2026-06-10')")" = "$expected" ] ||
    fail "the new worker does not answer from the current policy"
[ "$(w3 -c "$reg")" = t ] || fail "the new worker lacks the register row"
# Its shards answer as the coordinator does: move shards of xret to it.
q >/dev/null <<SQL
SELECT citus_move_shard_placement(s.shardid, '$PGHOST', $CITUS_W1_PORT, '$PGHOST', $CITUS_W3_PORT, 'block_writes')
  FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n ON n.groupid = p.groupid
 WHERE s.logicalrelid = 'xret'::regclass AND n.nodeport = $CITUS_W1_PORT
 ORDER BY s.shardid LIMIT 4;
SQL
[ "$(q -c "SELECT count(*) FROM citus_shards WHERE table_name = 'xret'::regclass AND nodeport = $CITUS_W3_PORT")" = 4 ] ||
    fail "no shard of xret moved to the new worker"
out=$(q -c "$allowed FROM xret" -c "$allowed FROM xret_local")
mapfile -t n <<<"$out"
[ "${n[0]}" = "${n[1]}" ] || fail "with a shard on the new worker: distributed ${n[0]}, coordinator ${n[1]}"
echo "ok - after the sync, the added worker answers from the current policy (its shards too: ${n[0]} allowed, as on the coordinator)"
