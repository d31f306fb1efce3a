#!/usr/bin/env bash
# Citus (docs/scale-out.md, "The quantity check on Citus tables"): the
# quantity check (R-EX-3, R-IM-2) attached on the coordinator to co-located
# distributed tables refuses an over-return on every shard, for rows written
# through the coordinator (INSERT, multi-row INSERT, COPY, UPDATE) and
# directly on a worker's shard; the declared side refuses a quantity lowered
# below what was returned, a line with returns deleted or re-keyed, and a
# TRUNCATE while returns are counted against its lines, through the
# coordinator or directly on a worker's shard; a DELETE frees
# quantity; concurrent returns of one line never over-return, at
# every isolation level; all of it still holds after a shard move, a split,
# and a worker added and the shards rebalanced; detach removes it from every
# node, and a DROP of the returns table takes the guard with it; a table
# owner who is not superuser does all of it.  Run by test/citus/run (PGHOST, PGPORT: the coordinator).
set -euo pipefail
export PGOPTIONS="-c search_path=public,cbreturn"
fail() { echo "FAIL: $*"; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
# on node port $1, with the shards visible
on() { PGOPTIONS="$PGOPTIONS -c citus.override_table_visibility=off" psql -X -q -At -v ON_ERROR_STOP=1 -p "$1" "${@:2}"; }
# state SQL STATE [psql options]: the statement fails with SQLSTATE STATE; prints the error
state() {
    local out
    if out=$(PGOPTIONS="$PGOPTIONS -c citus.override_table_visibility=off" \
             psql -X -q -At -v ON_ERROR_STOP=1 "${@:3}" -c '\set VERBOSITY verbose' -c "$1" 2>&1); then
        fail "accepted: $1 ${*:3}"
    fi
    grep >/dev/null "ERROR:  $2:" <<<"$out" || fail "refused with another error (expected $2): $1: $out"
    printf '%s\n' "$out"
}
host=$(q -c "SELECT nodename FROM pg_dist_node WHERE nodeport = $CITUS_W1_PORT")
# the declaration number of line $1, and the number of a declaration routed to shard $2 of qret
did() { printf '0101202600%08d' "$1"; }
key_on() {
    q -c "SELECT i FROM generate_series($1, $1 + 5000) i
           WHERE get_shard_id_for_distribution_column('qret', cbreturn.declaration_id('0101', 2026, '0', i)) = $2 LIMIT 1"
}
returned() { q -c "SELECT coalesce(sum(qty), 0) FROM qret WHERE decl = '$(did "$1")' AND g_no = 1"; }

q >/dev/null <<'SQL'
SET client_min_messages = warning;
SELECT * FROM cbreturn.citus_sync_policy();
CREATE TABLE qdecl (decl cbreturn.declaration_id, g_no int, g_qty numeric(12,2) NOT NULL, PRIMARY KEY (decl, g_no));
CREATE TABLE qret (id bigint, decl cbreturn.declaration_id, g_no int, qty int, note text, PRIMARY KEY (decl, id));
-- a column dropped before distribution: the shards' columns are found by name
ALTER TABLE qret ADD COLUMN gone int;
ALTER TABLE qret DROP COLUMN gone;
SELECT create_distributed_table('qdecl', 'decl', shard_count => 4);
SELECT create_distributed_table('qret', 'decl', colocate_with => 'qdecl');
INSERT INTO qdecl SELECT cbreturn.declaration_id('0101', 2026, '0', i), 1, 10 FROM generate_series(1, 100) i;
INSERT INTO qret VALUES (1, '010120260000000001', 1, 10, 'full');
-- an over-return already there
INSERT INTO qret VALUES (2, '010120260000000002', 1, 11, 'over');
SQL

# Attach refuses what it cannot enforce, and leaves nothing behind.
out=$(state "SELECT cbreturn.attach_quantity_check('qret', '{decl,g_no}', 'qty', 'qdecl', '{decl,g_no}', 'g_qty')" CB003)
grep -q "more returned than declared\|exceeds" <<<"$out" || fail "attach refused an over-return for another reason: $out"
q -c "DELETE FROM qret WHERE id = 2" >/dev/null
q >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE TABLE qdecl_g (a int, b int, g_qty int, PRIMARY KEY (a, b));
CREATE TABLE qret_g (id bigint, a int, b int, qty int, PRIMARY KEY (b, id));
SELECT create_distributed_table('qdecl_g', 'a', colocate_with => 'none');
SELECT create_distributed_table('qret_g', 'b', colocate_with => 'qdecl_g');
SQL
state "SELECT cbreturn.attach_quantity_check('qret_g', '{a,b}', 'qty', 'qdecl_g', '{a,b}', 'g_qty')" CB015 |
    grep >/dev/null "not distributed on one column of the line" || fail "tables distributed on different line columns were not refused as such"
state "SELECT cbreturn.attach_quantity_check('qret', '{decl,g_no}', 'qty', 'qdecl', '{decl,g_no}', 'g_qty', status => 'note', freeing_labels => '{rejected}')" CB015 |
    grep >/dev/null "cannot give their quantity back" || fail "freeing labels on Citus tables were not refused"
q -c "CREATE TABLE qret_p (id bigint, decl cbreturn.declaration_id, g_no int, qty int, PRIMARY KEY (decl, id)) PARTITION BY HASH (decl)" \
  -c "CREATE TABLE qret_p0 PARTITION OF qret_p FOR VALUES WITH (MODULUS 1, REMAINDER 0)" \
  -c "SELECT create_distributed_table('qret_p', 'decl', colocate_with => 'qdecl')" >/dev/null
state "SELECT cbreturn.attach_quantity_check('qret_p', '{decl,g_no}', 'qty', 'qdecl', '{decl,g_no}', 'g_qty')" CB015 |
    grep >/dev/null "cannot be attached to partitioned table" || fail "a partitioned Citus returns table was not refused as such"
[ "$(q -c "SELECT count(*) FROM cbreturn.attached_check WHERE relation::text ~ '^q(ret|decl)'")" = 0 ] || fail "a refused attach left metadata"
[ "$(q -c "SELECT sum(result::int) FROM run_command_on_all_nodes(\$\$SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE 'cbreturn_quantity%' AND c.relname ~ '^q(ret|decl)'\$\$)")" = 0 ] ||
    fail "a refused attach left a trigger"
echo "ok - attach refuses an over-return already there, tables not distributed on one line column, freeing labels, a partitioned table"

q -c "SELECT cbreturn.attach_quantity_check('qret', '{decl,g_no}', 'qty', 'qdecl', '{decl,g_no}', 'g_qty')" >/dev/null
[ "$(q -c "SELECT count(*) FROM cbreturn.attached_checks WHERE \"table\" = 'qret'::regclass AND check_kind = 'quantity'")" = 1 ] ||
    fail "the quantity check is not recorded"
# a second returns table of the same declared table cannot be counted with it
q -c "CREATE TABLE qret2 (id bigint, decl cbreturn.declaration_id, g_no int, qty int, PRIMARY KEY (decl, id))" \
  -c "SELECT create_distributed_table('qret2', 'decl', colocate_with => 'qdecl')" >/dev/null
state "SELECT cbreturn.attach_quantity_check('qret2', '{decl,g_no}', 'qty', 'qdecl', '{decl,g_no}', 'g_qty')" CB015 |
    grep >/dev/null "already counted in" || fail "a second returns table was not refused as such"
# nothing in the shards' triggers names an OID of the coordinator
q -c "SET search_path = pg_catalog" -c "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE t.tgrelid = 'public.qret'::regclass AND t.tgname = 'cbreturn_quantity_check'" |
    grep -F >/dev/null "cbreturn._quantity_check_citus('cbreturn:1', 'public.qdecl', 'qty', 'g_qty', 'decl', 'decl', 'g_no', 'g_no')" ||
    fail "the quantity check's trigger is not made for the shards"
echo "ok - attach on co-located distributed tables; a second returns table refused"

state "INSERT INTO qret VALUES (3, '$(did 1)', 1, 1)" CB003 | grep >/dev/null "exceeds the declared quantity 10.00" ||
    fail "the over-return message does not give the declared quantity"
q -c "INSERT INTO qret VALUES (4, '$(did 3)', 1, 4), (5, '$(did 3)', 1, 6)" >/dev/null || fail "a multi-row INSERT up to the declared quantity was refused"
state "INSERT INTO qret VALUES (6, '$(did 4)', 1, 5), (7, '$(did 4)', 1, 6)" CB003 >/dev/null
[ "$(returned 4)" = 0 ] || fail "a refused multi-row INSERT left rows"
state "UPDATE qret SET qty = 7 WHERE id = 5" CB003 >/dev/null
q -c "UPDATE qret SET qty = 5 WHERE id = 5" >/dev/null || fail "an UPDATE lowering a return was refused"
state "INSERT INTO qret VALUES (8, '$(did 999)', 1, 0)" CB003 | grep >/dev/null "refers to no declared line" ||
    fail "a return naming no line was not refused as such"
state "INSERT INTO qret VALUES (9, '$(did 5)', 1, -1)" CB003 >/dev/null
copyfile=$(mktemp "${TMPDIR:-/tmp}/cbreturn-citus-qcopy.XXXXXX")
trap 'rm -f "$copyfile"' EXIT
printf '%s\n' "10	$(did 6)	1	4	a" "11	$(did 6)	1	7	b" > "$copyfile"
# (Citus reports a shard's COPY error with its message, not its SQLSTATE)
if out=$(q -c "\\copy qret (id, decl, g_no, qty, note) FROM '$copyfile'" 2>&1); then fail "a COPY over-returning a line was accepted"; fi
grep -q "exceeds the declared quantity" <<<"$out" || fail "the COPY was refused for another reason: $out"
[ "$(returned 6)" = 0 ] || fail "a refused COPY left rows"
printf '%s\n' "10	$(did 6)	1	4	a" "11	$(did 6)	1	6	b" > "$copyfile"
q -c "\\copy qret (id, decl, g_no, qty, note) FROM '$copyfile'" >/dev/null || fail "a COPY up to the declared quantity was refused"
echo "ok - over-returns refused through the coordinator: INSERT, multi-row INSERT, COPY, UPDATE"

# A statement writing more than 1000 returns to one shard locks its declared
# shard instead of each line: the same verdicts (an over-return, or a line
# missing, late in the statement refuses it whole).  Citus writes the rows of
# an INSERT ... SELECT to the shards by COPY, so the error comes back with its
# message and XX000, as for COPY above.
refused() {
    local out
    if out=$(q -c "$2" 2>&1); then fail "accepted: $2"; fi
    grep >/dev/null "$1" <<<"$out" || fail "refused for another reason than \"$1\": $out"
}
q -c "INSERT INTO qdecl SELECT cbreturn.declaration_id('0101', 2026, '0', i), 1, 2 FROM generate_series(100001, 106000) i" >/dev/null
bulk="SELECT 20000 + i, cbreturn.declaration_id('0101', 2026, '0', 100000 + i), 1, 1 FROM generate_series(1, 6000) i"
refused "exceeds the declared quantity" "INSERT INTO qret (id, decl, g_no, qty) $bulk UNION ALL SELECT 30000 + i, cbreturn.declaration_id('0101', 2026, '0', 100000 + i), 1, 2 FROM generate_series(5990, 5991) i"
refused "refers to no declared line" "INSERT INTO qret (id, decl, g_no, qty) $bulk UNION ALL SELECT 39999, cbreturn.declaration_id('0101', 2026, '0', 199999), 1, 0"
q -c "INSERT INTO qret (id, decl, g_no, qty) $bulk" >/dev/null || fail "a bulk INSERT up to the declared quantities was refused"
refused "exceeds the declared quantity" "INSERT INTO qret (id, decl, g_no, qty) SELECT 40000 + i, cbreturn.declaration_id('0101', 2026, '0', 100000 + i), 1, 2 FROM generate_series(4000, 6000) i"
[ "$(q -c "SELECT count(*) FROM qret WHERE id > 20000")" = 6000 ] || fail "the bulk INSERTs left $(q -c "SELECT count(*) FROM qret WHERE id > 20000") rows, not 6000"
q -c "DELETE FROM qret WHERE id > 20000" >/dev/null
# a bulk statement and single returns of its lines at once, through the
# coordinator and on the workers' shards: no line over-returned
q -c "BEGIN" -c "INSERT INTO qret (id, decl, g_no, qty) $bulk" -c "SELECT pg_sleep(1)" -c "COMMIT" >/dev/null 2>&1 &
sleep 0.3
for i in $(seq 1 12); do
    k=$((100000 + i * 450))
    if [ $((i % 2)) = 0 ]; then
        read -r shard port < <(q -F ' ' -c "SELECT shard_name, nodeport FROM citus_shards
                                             WHERE shardid = get_shard_id_for_distribution_column('qret', '$(did "$k")')")
        on "$port" -c "INSERT INTO $shard VALUES ($((50000 + i)), '$(did "$k")', 1, 2)" >/dev/null 2>&1 &
    else
        q -c "INSERT INTO qret VALUES ($((50000 + i)), '$(did "$k")', 1, 2)" >/dev/null 2>&1 &
    fi
done
wait
[ "$(q -c "SELECT count(*) FROM cbreturn.verify_quantity_ledger('qdecl')")" = 0 ] ||
    fail "a bulk statement and concurrent returns over-returned: $(q -c "SELECT * FROM cbreturn.verify_quantity_ledger('qdecl') LIMIT 3")"
[ "$(q -c "SELECT count(*) FROM qret WHERE id > 20000")" -ge 12 ] || fail "neither the bulk statement nor the single returns got in"
q -c "DELETE FROM qret WHERE id > 20000" -c "DELETE FROM qdecl WHERE decl > '$(did 100000)'" >/dev/null
echo "ok - bulk statements (more than 1000 returns to one shard) refuse what single rows refuse, also against concurrent returns"

# The declared side.
state "UPDATE qdecl SET g_qty = 9 WHERE decl = '$(did 1)'" CB003 | grep >/dev/null "below the quantity already returned, 10" ||
    fail "lowering a declared quantity below the returns was not refused as such"
q -c "UPDATE qdecl SET g_qty = 12 WHERE decl = '$(did 1)'" -c "UPDATE qdecl SET g_qty = 10 WHERE decl = '$(did 1)'" >/dev/null ||
    fail "raising, then lowering down to what was returned, was refused"
state "DELETE FROM qdecl WHERE decl = '$(did 1)'" CB003 | grep >/dev/null "has returns and cannot be deleted" || fail "deleting a line with returns was not refused"
state "UPDATE qdecl SET g_no = 2 WHERE decl = '$(did 1)'" CB003 >/dev/null
q -c "DELETE FROM qdecl WHERE decl = '$(did 50)'" >/dev/null || fail "deleting a line without returns was refused"
# a DELETE of a return frees its quantity
q -c "DELETE FROM qret WHERE id = 1" -c "INSERT INTO qret VALUES (1, '$(did 1)', 1, 10)" >/dev/null ||
    fail "the quantity a deleted return freed could not be returned again"
[ "$(q -c "SELECT count(*) FROM cbreturn.verify_quantity_ledger('qdecl')")" = 0 ] || fail "verify_quantity_ledger finds a problem"
echo "ok - the declared side: lowering, deleting, re-keying a line with returns refused; a DELETE frees quantity"

# REPEATABLE READ: a return committed after this transaction's snapshot is
# counted all the same (the count is taken after the line's lock).
for iso in "REPEATABLE READ" "SERIALIZABLE" "READ COMMITTED"; do
    k=$((10 + ${#iso}))
    out=$(q 2>&1 <<SQL || true
BEGIN ISOLATION LEVEL $iso;
SELECT count(*) FROM qret;
\! psql -X -q -At -c "INSERT INTO qret VALUES (100, '$(did $k)', 1, 6)"
INSERT INTO qret VALUES (101, '$(did $k)', 1, 6);
COMMIT;
SQL
)
    grep >/dev/null "exceeds the declared quantity" <<<"$out" || fail "$iso: a return counted against a stale snapshot was accepted: $out"
    [ "$(returned $k)" = 6 ] || fail "$iso: line $k over-returned: $(returned $k)"
done
echo "ok - a return committed after the snapshot of a REPEATABLE READ or SERIALIZABLE transaction is counted"

# concurrent returns of one line from many sessions, through the coordinator
# and directly on the worker's shard, never over-return
concurrent() {
    local label=$1 k=$2 iso=$3 shard port i
    read -r shard port < <(q -F ' ' -c "SELECT shard_name, nodeport FROM citus_shards
                                         WHERE shardid = get_shard_id_for_distribution_column('qret', '$(did "$k")')")
    for i in $(seq 1 16); do
        if [ $((i % 2)) = 0 ]; then
            PGOPTIONS="$PGOPTIONS -c citus.override_table_visibility=off" \
                psql -X -q -At -p "$port" -c "BEGIN ISOLATION LEVEL $iso" -c "INSERT INTO $shard VALUES ($((1000 + i)), '$(did "$k")', 1, 1)" \
                     -c "SELECT pg_sleep(0.05)" -c "COMMIT" >/dev/null 2>&1 &
        else
            psql -X -q -At -c "BEGIN ISOLATION LEVEL $iso" -c "INSERT INTO qret VALUES ($((1000 + i)), '$(did "$k")', 1, 1)" \
                     -c "SELECT pg_sleep(0.05)" -c "COMMIT" >/dev/null 2>&1 &
        fi
    done
    wait
    [ "$(returned "$k")" = 10 ] || fail "$label: 16 concurrent returns of 1 on a line of 10 left $(returned "$k") returned"
    echo "ok - $label: 16 concurrent sessions returned exactly the 10 declared, never more"
}
concurrent "READ COMMITTED" 40 "read committed"
concurrent "REPEATABLE READ" 41 "repeatable read"
concurrent "SERIALIZABLE" 42 "serializable"

# every_shard LABEL: on each shard of qret, a new line of 5 takes 5 and
# refuses 1 more through the coordinator and directly on its shard; its
# declared quantity cannot go below 5 on the worker; a line filled before
# (line 1: 10 of 10) still refuses.
n=200
every_shard() {
    local label=$1 shard port name k nshards=0
    while IFS='|' read -r shard port name; do
        nshards=$((nshards + 1))
        n=$((n + 1))
        k=$(key_on $((n * 100)) "$shard")
        [ -n "$k" ] || fail "no key routed to shard $shard"
        dname=$(q -c "SELECT shard_name FROM citus_shards WHERE table_name = 'qdecl'::regclass AND nodeport = $port
                         AND shardid = get_shard_id_for_distribution_column('qdecl', '$(did "$k")')")
        [ -n "$dname" ] || fail "$label: the declared shard co-located with $name is not on port $port"
        q -c "INSERT INTO qdecl VALUES ('$(did "$k")', 1, 5)" -c "INSERT INTO qret VALUES ($n, '$(did "$k")', 1, 3)" >/dev/null ||
            fail "$label: a return routed to shard $shard was refused"
        on "$port" -c "INSERT INTO $name VALUES ($((n + 50000)), '$(did "$k")', 1, 2)" >/dev/null ||
            fail "$label: a return written on shard $name was refused"
        state "INSERT INTO qret VALUES ($((n + 60000)), '$(did "$k")', 1, 1)" CB003 >/dev/null
        state "INSERT INTO $name VALUES ($((n + 60000)), '$(did "$k")', 1, 1)" CB003 -p "$port" >/dev/null
        state "UPDATE $dname SET g_qty = 4 WHERE decl = '$(did "$k")'" CB003 -p "$port" >/dev/null
        state "DELETE FROM $dname WHERE decl = '$(did "$k")'" CB003 -p "$port" >/dev/null
    done < <(q -c "SELECT shardid, nodeport, shard_name FROM citus_shards WHERE table_name = 'qret'::regclass ORDER BY shardid")
    state "INSERT INTO qret VALUES (77, '$(did 1)', 1, 1)" CB003 >/dev/null
    [ "$(q -c "SELECT count(*) FROM cbreturn.verify_quantity_ledger('qdecl')")" = 0 ] || fail "$label: a line breaks the rule"
    echo "ok - $label: over-returns refused on each of $nshards shards, through the coordinator and on the worker"
}
every_shard "after attach"

read -r shard from to < <(q -F ' ' -c "SELECT shardid, nodeport, CASE nodeport WHEN $CITUS_W1_PORT THEN $CITUS_W2_PORT ELSE $CITUS_W1_PORT END
                                      FROM citus_shards WHERE table_name = 'qret'::regclass
                                       AND shardid = get_shard_id_for_distribution_column('qret', '$(did 1)')")
q -c "SELECT citus_move_shard_placement($shard, '$host', $from, '$host', $to, shard_transfer_mode => 'block_writes')" >/dev/null
[ "$(q -c "SELECT nodeport FROM citus_shards WHERE shardid = $shard")" = "$to" ] || fail "the shard did not move"
every_shard "after moving the shard of line 1"

read -r shard lo hi port < <(q -F ' ' -c "SELECT s.shardid, s.shardminvalue, s.shardmaxvalue, c.nodeport FROM pg_dist_shard s
                                          JOIN citus_shards c USING (shardid)
                                         WHERE s.shardid = get_shard_id_for_distribution_column('qret', '$(did 1)')")
node=$(q -c "SELECT nodeid FROM pg_dist_node WHERE nodeport = $port")
q -c "SELECT citus_split_shard_by_split_points($shard, ARRAY[(($lo::bigint + $hi::bigint) / 2)::text], ARRAY[$node, $node], 'block_writes')" >/dev/null
[ "$(q -c "SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'qret'::regclass")" = 5 ] || fail "the shard was not split"
every_shard "after splitting the shard of line 1"

if [ "$(q -c "SELECT count(*) FROM pg_dist_node WHERE nodeport = $CITUS_W3_PORT")" = 0 ]; then
    q -c "SELECT citus_add_node('$host', $CITUS_W3_PORT)" >/dev/null
fi
q -c "SELECT * FROM cbreturn.citus_sync_policy()" >/dev/null
q -c "SELECT rebalance_table_shards('qret', shard_transfer_mode => 'block_writes')" >/dev/null
[ -n "$(q -c "SELECT shard_name FROM citus_shards WHERE table_name = 'qret'::regclass AND nodeport = $CITUS_W3_PORT LIMIT 1")" ] ||
    fail "the rebalance moved no shard of qret to the third worker"
every_shard "after adding a worker and rebalancing"
concurrent "READ COMMITTED, after the rebalance" 43 "read committed"

# TRUNCATE of the declared table is refused while returns are counted
# against its lines (issue 9, item 8), as on one server: Citus fires the
# guard where the statement runs; under REPEATABLE READ it is refused (CB015).
lines=$(q -c "SELECT count(*) FROM qdecl")
state "TRUNCATE qdecl" CB003 | grep >/dev/null "returns are counted against its lines" ||
    fail "TRUNCATE of the declared lines was refused for another reason"
state "BEGIN ISOLATION LEVEL REPEATABLE READ; TRUNCATE qdecl" CB015 | grep >/dev/null "REPEATABLE READ" ||
    fail "TRUNCATE under REPEATABLE READ was refused for another reason"
[ "$(q -c "SELECT count(*) FROM qdecl")" = "$lines" ] || fail "a refused TRUNCATE removed declared lines"
q >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE TABLE tdecl (decl cbreturn.declaration_id, g_no int, g_qty int NOT NULL, PRIMARY KEY (decl, g_no));
CREATE TABLE tret (id bigint, decl cbreturn.declaration_id, g_no int, qty int, PRIMARY KEY (decl, id));
SELECT create_distributed_table('tdecl', 'decl', shard_count => 2, colocate_with => 'none');
SELECT create_distributed_table('tret', 'decl', colocate_with => 'tdecl');
SELECT cbreturn.attach_quantity_check('tret', '{decl,g_no}', 'qty', 'tdecl', '{decl,g_no}', 'g_qty');
SQL
# attach put a copy of the guard on every shard, named as Citus names the
# copies it makes itself when it moves or splits a shard (the shard id
# appended): one on each placement of tdecl
copies() { q -c "SELECT sum(result::int) FROM run_command_on_all_nodes(\$\$SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname ~ '^tdecl_[0-9]+\$' AND t.tgname = 'cbreturn_quantity_truncate_guard_' || substring(c.relname from '[0-9]+\$')\$\$)"; }
[ "$(copies)" = 2 ] || fail "attach did not put a copy of the TRUNCATE guard on each shard of tdecl: $(copies)"
# a shard moved: the shard Citus creates has its copy
read -r shard from to < <(q -F ' ' -c "SELECT shardid, nodeport, CASE nodeport WHEN $CITUS_W1_PORT THEN $CITUS_W2_PORT ELSE $CITUS_W1_PORT END
                                      FROM citus_shards WHERE table_name = 'tdecl'::regclass ORDER BY shardid LIMIT 1")
q -c "SELECT citus_move_shard_placement($shard, '$host', $from, '$host', $to, shard_transfer_mode => 'block_writes')" >/dev/null
q -c "SET client_min_messages = warning" -c "CALL citus_cleanup_orphaned_resources()" >/dev/null
[ "$(copies)" = 2 ] || fail "the moved shard of tdecl has no copy of the TRUNCATE guard: $(copies)"
# no return: TRUNCATE goes through, the copies on the shards too (and the lines come back)
q -c "INSERT INTO tdecl SELECT cbreturn.declaration_id('0101', 2026, '0', i), 1, 10 FROM generate_series(1, 20) i" \
  -c "TRUNCATE tdecl" >/dev/null || fail "TRUNCATE of declared lines without returns was refused"
q -c "INSERT INTO tdecl SELECT cbreturn.declaration_id('0101', 2026, '0', i), 1, 10 FROM generate_series(1, 20) i" >/dev/null
# a return being written: TRUNCATE waits for it to commit, then is refused
psql -X -q -At -c "BEGIN" -c "INSERT INTO tret VALUES (1, '$(did 7)', 1, 3)" -c "SELECT pg_sleep(2)" -c "COMMIT" >/dev/null &
writer=$!
for _ in $(seq 100); do
    [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(2)' AND state = 'active'")" = 1 ] && break
    sleep 0.1
done
state "TRUNCATE tdecl" CB003 >/dev/null
wait "$writer" || fail "the return being written failed"
[ "$(q -c "SELECT count(*) FROM tdecl")" = 20 ] || fail "TRUNCATE removed lines a return was being written against"

# A TRUNCATE run on a worker directly on a shard (Citus refuses it unless
# citus.enable_manual_changes_to_shards is on) is refused by the shard's
# copy while a return in the co-located returns shard names one of its
# lines, in the moved shard too; under REPEATABLE READ it is refused
# (CB015); a return being written there first is waited for.
direct() { PGOPTIONS="$PGOPTIONS -c citus.enable_manual_changes_to_shards=on" state "$@"; }
read -r sname sport < <(q -F ' ' -c "SELECT shard_name, nodeport FROM citus_shards
                                     WHERE shardid = get_shard_id_for_distribution_column('tdecl', '$(did 7)')")
read -r oname oport < <(q -F ' ' -c "SELECT shard_name, nodeport FROM citus_shards WHERE table_name = 'tdecl'::regclass
                                        AND shardid <> get_shard_id_for_distribution_column('tdecl', '$(did 7)')")
direct "TRUNCATE $sname" CB003 -p "$sport" | grep >/dev/null "returns are counted against its lines" ||
    fail "a TRUNCATE of a declared shard on its worker was refused for another reason"
direct "BEGIN ISOLATION LEVEL REPEATABLE READ; TRUNCATE $sname" CB015 -p "$sport" >/dev/null
[ "$(q -c "SELECT count(*) FROM tdecl")" = 20 ] || fail "a refused TRUNCATE of a shard removed declared lines"
k=$(q -c "SELECT i FROM generate_series(1, 20) i WHERE get_shard_id_for_distribution_column('tdecl', cbreturn.declaration_id('0101', 2026, '0', i)) = $shard LIMIT 1")
read -r mname mport < <(q -F ' ' -c "SELECT shard_name, nodeport FROM citus_shards WHERE shardid = $shard")
[ "$mname" = "$sname" ] || [ "$mname" = "$oname" ] || fail "the moved shard is not a shard of tdecl"
q -c "INSERT INTO tret VALUES (2, '$(did "$k")', 1, 1)" >/dev/null
direct "TRUNCATE $mname" CB003 -p "$mport" >/dev/null
q -c "DELETE FROM tret WHERE id = 2" >/dev/null
# a return written on the shard's worker while the TRUNCATE comes: the
# TRUNCATE waits for it (the return locks the declared shard), then is refused
ename=$( [ "$sname" = "$mname" ] && echo "$oname" || echo "$mname" )
eport=$( [ "$sname" = "$mname" ] && echo "$oport" || echo "$mport" )
k=$(q -c "SELECT i FROM generate_series(1, 20) i WHERE get_shard_id_for_distribution_column('tdecl', cbreturn.declaration_id('0101', 2026, '0', i))
            = (SELECT shardid FROM citus_shards WHERE shard_name = '$ename') LIMIT 1")
rname=$(q -c "SELECT shard_name FROM citus_shards WHERE shardid = get_shard_id_for_distribution_column('tret', '$(did "$k")')")
PGOPTIONS="$PGOPTIONS -c citus.override_table_visibility=off" psql -X -q -At -p "$eport" \
    -c "BEGIN" -c "INSERT INTO $rname VALUES (3, '$(did "$k")', 1, 1)" -c "SELECT pg_sleep(2)" -c "COMMIT" >/dev/null &
writer=$!
for _ in $(seq 100); do
    [ "$(q -p "$eport" -c "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(2)' AND state = 'active'")" = 1 ] && break
    sleep 0.1
done
direct "TRUNCATE $ename" CB003 -p "$eport" >/dev/null
wait "$writer" || fail "the return being written on the shard failed"
[ "$(q -c "SELECT count(*) FROM tdecl")" = 20 ] || fail "a TRUNCATE of a shard removed lines a return was being written against"
# a shard whose returns name none of its lines: the TRUNCATE goes through
q -c "DELETE FROM tret WHERE decl = '$(did "$k")'" >/dev/null
PGOPTIONS="$PGOPTIONS -c citus.override_table_visibility=off -c citus.enable_manual_changes_to_shards=on" \
    psql -X -q -At -v ON_ERROR_STOP=1 -p "$eport" -c "TRUNCATE $ename" >/dev/null ||
    fail "a TRUNCATE of a shard whose lines no return names was refused"
q -c "INSERT INTO tdecl SELECT cbreturn.declaration_id('0101', 2026, '0', i), 1, 10 FROM generate_series(1, 20) i
       ON CONFLICT DO NOTHING" >/dev/null
echo "ok - a TRUNCATE run on a worker directly on a shard of the declared lines is refused while returns name its lines, moved shard too, waits for a return being written there, is refused under REPEATABLE READ"

# once the returns are gone, TRUNCATE goes through again
q -c "DELETE FROM tret" -c "TRUNCATE tdecl" >/dev/null || fail "TRUNCATE was refused after the returns were deleted"
# attach in a transaction that wrote to the declared table is refused
# (55P03) rather than wait for itself, and leaves no guard behind
q -c "SELECT cbreturn.detach('tret', 'quantity')" >/dev/null
out=$(state "BEGIN; INSERT INTO tdecl VALUES ('$(did 1)', 1, 10); SELECT cbreturn.attach_quantity_check('tret', '{decl,g_no}', 'qty', 'tdecl', '{decl,g_no}', 'g_qty')" 55P03)
grep -q "could not be put on its shards" <<<"$out" || fail "attach after a write was refused for another reason: $out"
[ "$(q -c "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbreturn_quantity%' AND tgrelid IN ('tdecl'::regclass, 'tret'::regclass)")" = 0 ] ||
    fail "a refused attach left a trigger"
[ "$(copies)" = 0 ] || fail "the refused attach left a copy of the TRUNCATE guard: $(copies)"
# a copy left on a shard after its guard went (as a detach that cannot take
# the shard's lock in time leaves it) does nothing
read -r lname lport < <(q -F ' ' -c "SELECT shard_name, nodeport FROM citus_shards WHERE table_name = 'tdecl'::regclass ORDER BY shardid LIMIT 1")
k=$(q -c "SELECT i FROM generate_series(1, 40) i WHERE get_shard_id_for_distribution_column('tdecl', cbreturn.declaration_id('0101', 2026, '0', i))
            = (SELECT shardid FROM citus_shards WHERE shard_name = '$lname') LIMIT 1")
q -c "INSERT INTO tdecl VALUES ('$(did "$k")', 1, 10)" -c "INSERT INTO tret VALUES (4, '$(did "$k")', 1, 1)" >/dev/null
on "$lport" -c "SELECT cbreturn._quantity_citus_truncate_copy('$lname', '{cbreturn:1,public.tret,qty,g_qty,decl,decl,g_no,g_no}')" >/dev/null
[ "$(copies)" = 1 ] || fail "no copy made by hand: the test no longer tests a copy without its guard"
PGOPTIONS="$PGOPTIONS -c citus.override_table_visibility=off -c citus.enable_manual_changes_to_shards=on" \
    psql -X -q -At -v ON_ERROR_STOP=1 -p "$lport" -c "TRUNCATE $lname" >/dev/null ||
    fail "a copy of the TRUNCATE guard refused a TRUNCATE after its guard went"
q -c "DELETE FROM tret" -c "INSERT INTO tdecl SELECT cbreturn.declaration_id('0101', 2026, '0', i), 1, 10 FROM generate_series(1, 20) i ON CONFLICT DO NOTHING" \
  -c "SELECT cbreturn.attach_quantity_check('tret', '{decl,g_no}', 'qty', 'tdecl', '{decl,g_no}', 'g_qty')" >/dev/null
[ "$(copies)" = 2 ] || fail "attach again did not put a copy on each shard: $(copies)"
# detach after a write in the same transaction, which holds the shards the
# copies are on: it does not wait for itself
timeout 120 psql -X -q -At -v ON_ERROR_STOP=1 -c "BEGIN" -c "INSERT INTO tdecl SELECT cbreturn.declaration_id('0101', 2026, '0', i), 1, 10 FROM generate_series(21, 40) i" \
    -c "SELECT cbreturn.detach('tret', 'quantity')" -c "ROLLBACK" >/dev/null ||
    fail "detach after a write in the same transaction did not finish"
q -c "SELECT cbreturn.detach('tret', 'quantity')" >/dev/null
[ "$(q -c "SELECT sum(result::int) FROM run_command_on_all_nodes(\$\$SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE 'cbreturn_quantity%' AND c.relname ~ '^t(ret|decl)'\$\$)")" = 0 ] ||
    fail "detach left a quantity trigger, or a copy of the TRUNCATE guard, on a node"
q -c "DROP TABLE tret, tdecl" >/dev/null
echo "ok - TRUNCATE of the declared lines is refused while returns are counted against them, waits for a return being written, is refused under REPEATABLE READ; attach puts the guard on every shard (refused after a write in its transaction), the copies on moved shards guard too and go with detach"

# Names holding a dollar quote's marker: the shard names reach the
# placements as literals, so attach makes a copy on each shard and detach
# drops them (the name was pasted into dollar quotes before, and broke out)
q >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE TABLE "d$q$l" (decl cbreturn.declaration_id, g_no int, g_qty int NOT NULL, PRIMARY KEY (decl, g_no));
CREATE TABLE "r$q$t" (id bigint, decl cbreturn.declaration_id, g_no int, qty int, PRIMARY KEY (decl, id));
SELECT create_distributed_table('"d$q$l"', 'decl', shard_count => 2, colocate_with => 'none');
SELECT create_distributed_table('"r$q$t"', 'decl', colocate_with => '"d$q$l"');
SELECT cbreturn.attach_quantity_check('"r$q$t"', '{decl,g_no}', 'qty', '"d$q$l"', '{decl,g_no}', 'g_qty');
SQL
dq() { q -c "SELECT sum(result::int) FROM run_command_on_all_nodes(\$\$SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname LIKE 'd\$q\$l\\_%' AND t.tgname LIKE 'cbreturn\\_quantity\\_truncate\\_guard\\_%'\$\$)"; }
[ "$(dq)" = 2 ] || fail "attach did not put a copy of the guard on each shard of a table whose name holds \$q\$: $(dq)"
q -c "SELECT cbreturn.detach('\"r\$q\$t\"', 'quantity')" >/dev/null
[ "$(dq)" = 0 ] || fail "detach left copies on the shards of a table whose name holds \$q\$: $(dq)"
q -c 'DROP TABLE "r$q$t", "d$q$l"' >/dev/null
echo "ok - a declared table whose name holds a dollar quote's marker gets and loses its copies on every shard"

# A role that is not superuser, owner of both tables: attach, enforce,
# detach, attach again, and DROP of the returns table, which takes the
# guards of the declared table with it (Citus reaches the placements of a
# shard group in a transaction as one role only: nothing is done as another).
q -c "CREATE ROLE cbr_owner LOGIN" -c "GRANT CREATE ON SCHEMA public TO cbr_owner" >/dev/null
PGUSER=cbr_owner q >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE TABLE odecl (decl cbreturn.declaration_id, g_no int, g_qty int NOT NULL, PRIMARY KEY (decl, g_no));
CREATE TABLE oret (id bigint, decl cbreturn.declaration_id, g_no int, qty int, PRIMARY KEY (decl, id));
SELECT create_distributed_table('odecl', 'decl', shard_count => 2, colocate_with => 'none');
SELECT create_distributed_table('oret', 'decl', colocate_with => 'odecl');
INSERT INTO odecl SELECT cbreturn.declaration_id('0101', 2026, '0', i), 1, 10 FROM generate_series(1, 20) i;
INSERT INTO oret VALUES (1, '010120260000000001', 1, 4);
SELECT cbreturn.attach_quantity_check('oret', '{decl,g_no}', 'qty', 'odecl', '{decl,g_no}', 'g_qty');
SQL
PGUSER=cbr_owner state "INSERT INTO oret VALUES (2, '$(did 1)', 1, 7)" CB003 >/dev/null
PGUSER=cbr_owner state "TRUNCATE odecl" CB003 >/dev/null
PGUSER=cbr_owner q -c "SELECT cbreturn.detach('oret', 'quantity')" \
    -c "SELECT cbreturn.attach_quantity_check('oret', '{decl,g_no}', 'qty', 'odecl', '{decl,g_no}', 'g_qty')" >/dev/null ||
    fail "detach and attach again by the tables' owner failed"
PGUSER=cbr_owner q -c "DROP TABLE oret" >/dev/null || fail "DROP of the returns table by its owner failed"
[ "$(q -c "SELECT sum(result::int) FROM run_command_on_all_nodes(\$\$SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE 'cbreturn_quantity%' AND c.relname ~ '^odecl'\$\$)")" = 0 ] ||
    fail "DROP of the returns table by its owner left a guard, or a copy of the TRUNCATE guard, on a node"
PGUSER=cbr_owner q -c "UPDATE odecl SET g_qty = 0" -c "TRUNCATE odecl" -c "DROP TABLE odecl" >/dev/null ||
    fail "the declared lines could not be written after their returns table went"
echo "ok - a table owner who is not superuser attaches, detaches and attaches again, and drops the returns table, which takes the guards with it"

# Detach removes the check from every shard of both tables on every node.
q -c "SET client_min_messages = warning" -c "CALL citus_cleanup_orphaned_resources()" >/dev/null
q -c "SELECT cbreturn.detach('qret', 'quantity')" >/dev/null
[ "$(q -c "SELECT sum(result::int) FROM run_command_on_all_nodes(\$\$SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE 'cbreturn_quantity%' AND c.relname ~ '^q(ret|decl)'\$\$)")" = 0 ] ||
    fail "detach left a quantity trigger on a node"
[ "$(q -c "SELECT count(*) FROM cbreturn.attached_check WHERE relation::text ~ '^q(ret|decl)'")" = 0 ] || fail "detach left metadata"
q -c "INSERT INTO qret VALUES (78, '$(did 1)', 1, 1)" -c "UPDATE qdecl SET g_qty = 0 WHERE decl = '$(did 1)'" >/dev/null ||
    fail "an over-return was refused after detach"
echo "ok - detach removes the quantity check from every shard on every node"

# A DROP of the returns table takes the guard of the declared table with it.
q -c "DELETE FROM qret WHERE decl <> '$(did 1)' OR id = 78" -c "UPDATE qdecl SET g_qty = 10" \
  -c "SELECT cbreturn.attach_quantity_check('qret', '{decl,g_no}', 'qty', 'qdecl', '{decl,g_no}', 'g_qty')" >/dev/null
state "UPDATE qdecl SET g_qty = 0 WHERE decl = '$(did 1)'" CB003 >/dev/null
q -c "DROP TABLE qret" >/dev/null
[ "$(q -c "SELECT sum(result::int) FROM run_command_on_all_nodes(\$\$SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE 'cbreturn_quantity%' AND c.relname ~ '^q(ret|decl)'\$\$)")" = 0 ] ||
    fail "DROP of the returns table left the guard on a node"
q -c "UPDATE qdecl SET g_qty = 0 WHERE decl = '$(did 1)'" >/dev/null || fail "the declared table is still guarded after its returns table went"
echo "ok - DROP of the returns table removes the guard from every shard of the declared table"

# Line keys of one type and two collations: a return's line is the declared
# row its key finds, under the declared key's collation; the returns of the
# line were summed under the returns column's own ("C": 'X' and 'x' two
# lines), so a return of 'X' did not count those of 'x' and over-returned.
q >/dev/null <<'SQL'
CREATE COLLATION cbr_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE cdecl (k text, r text COLLATE cbr_ci, qty int, PRIMARY KEY (k, r));
CREATE TABLE cret (id int, k text, r text COLLATE "C", qty int, PRIMARY KEY (k, id));
SELECT create_distributed_table('cdecl', 'k');
SELECT create_distributed_table('cret', 'k', colocate_with => 'cdecl');
INSERT INTO cdecl VALUES ('K1', 'x', 10);
SELECT cbreturn.attach_quantity_check('cret', '{k,r}', 'qty', 'cdecl', '{k,r}', 'qty');
INSERT INTO cret VALUES (1, 'K1', 'x', 6);
SQL
state "INSERT INTO cret VALUES (2, 'K1', 'X', 6)" CB003 >/dev/null
q -c "INSERT INTO cret VALUES (2, 'K1', 'X', 4)" >/dev/null || fail "a return of 'X' up to the line's declared quantity was refused"
state "UPDATE cdecl SET qty = 9" CB003 >/dev/null
# an index whose column is under another collation finds other rows: not the line's index
q -c "SELECT cbreturn.detach('cret', 'quantity')" >/dev/null
q -c "CREATE TABLE cret3 (id int, k text, r text COLLATE \"C\", qty int)" \
  -c "SELECT create_distributed_table('cret3', 'k', colocate_with => 'cdecl')" -c "CREATE INDEX ON cret3 (r)" >/dev/null
out=$(state "SELECT cbreturn.attach_quantity_check('cret3', '{r,k}', 'qty', 'cdecl', '{r,k}', 'qty')" CB015)
grep -q 'CREATE INDEX ON public.cret3 (r COLLATE public.cbr_ci, k)' <<<"$out" || fail "the hint does not name the index to create: $out"
q -c "DROP TABLE cret, cret3, cdecl" >/dev/null
echo "ok - the returns of a line are summed under the declared key's collation; an index of another collation is refused at attach"
