#!/usr/bin/env bash
# Citus (docs/scale-out.md, "Write-time checks on Citus tables"): the export,
# import and status checks attached on the coordinator to distributed tables
# enforce on every shard, for rows written through the coordinator and
# directly on a worker's shard, and keep enforcing after a shard move, a
# split, a rebalance and on a worker added since; a worker whose policy is
# not the coordinator's refuses rather than pass; detach removes them from
# every shard.  Run by test/citus/run (PGHOST, PGPORT: the coordinator).
set -euo pipefail
export PGOPTIONS="-c search_path=public,cbreturn"
fail() { echo "FAIL: $*"; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
# on node port $1, with the shards visible
on() { PGOPTIONS="$PGOPTIONS -c citus.override_table_visibility=off" psql -X -q -At -v ON_ERROR_STOP=1 -p "$1" "${@:2}"; }
# state SQL STATE [psql options]: the statement fails with SQLSTATE STATE
state() {
    local out
    if out=$(PGOPTIONS="$PGOPTIONS -c citus.override_table_visibility=off" \
             psql -X -q -At -v ON_ERROR_STOP=1 "${@:3}" -c '\set VERBOSITY verbose' -c "$1" 2>&1); then
        fail "accepted: $1 ${*:3}"
    fi
    grep -q "ERROR:  $2:" <<<"$out" || fail "refused with another error (expected $2): $1: $out"
}
host=$(q -c "SELECT nodename FROM pg_dist_node WHERE nodeport = $CITUS_W1_PORT")

q >/dev/null <<'SQL'
SET client_min_messages = warning;
SELECT * FROM cbreturn.citus_sync_policy();
CREATE TABLE sret (id bigint, decl cbreturn.declaration_id NOT NULL, reason cbreturn.return_reason,
                   exported_on date, returned_on timestamptz, remarks text, status text,
                   PRIMARY KEY (decl, id));
-- a column dropped before the table is distributed: the shards' columns are
-- numbered differently from the coordinator's, and are found by name
ALTER TABLE sret ADD COLUMN gone int;
ALTER TABLE sret DROP COLUMN gone;
CREATE TABLE simp (id bigint, decl cbreturn.declaration_id NOT NULL, released_on date, applied_on date,
                   PRIMARY KEY (decl, id));
SELECT create_distributed_table('sret', 'decl', shard_count => 4);
SELECT create_distributed_table('simp', 'decl', colocate_with => 'sret');
INSERT INTO sret SELECT i, cbreturn.declaration_id('0101', 2026, '0', i), 'unsold', '2026-01-10',
                        '2026-03-01 10:00+08', 'ZXTY', 'registered'
                   FROM generate_series(1, 40) i;
SELECT cbreturn.attach_export_return_checks('sret', exported_on => 'exported_on', reason => 'reason',
                                            returned_on => 'returned_on', remarks => 'remarks');
SELECT cbreturn.attach_status_check('sret', status => 'status');
SELECT cbreturn.attach_import_return_checks('simp', released_on => 'released_on', applied_on => 'applied_on');
SQL
[ "$(q -c "SELECT count(*) FROM cbreturn.attached_checks WHERE \"table\" IN ('sret'::regclass, 'simp'::regclass)")" = 3 ] ||
    fail "the checks are not recorded on the coordinator"
# nothing in a trigger of a shard names an OID of the coordinator
q -c "SET search_path = pg_catalog" -c "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE t.tgrelid = 'public.sret'::regclass AND t.tgname = 'cbreturn_export_check'" |
    grep -Fq "WHEN ((NOT cbreturn._export_row_ok((new.tableoid)::regclass, new.exported_on, new.reason, cbreturn.china_date(new.returned_on), new.remarks" ||
    fail "the export check's WHEN clause is not made for the shards"
echo "ok - attach on distributed tables: the WHEN clause passes NEW.tableoid, the columns are named in the trigger"

# A reference table (a placement on every node) is checked on each.
q -c "CREATE TABLE ref_ret (id int PRIMARY KEY, exported_on date, returned_on date, reason cbreturn.return_reason)" \
  -c "SELECT create_reference_table('ref_ret')" \
  -c "SELECT cbreturn.attach_export_return_checks('ref_ret', exported_on => 'exported_on', reason => 'reason', returned_on => 'returned_on')" >/dev/null
state "INSERT INTO ref_ret VALUES (1, '2024-01-10', '2026-03-01', 'unsold')" CB001
q -c "INSERT INTO ref_ret VALUES (2, '2026-01-10', '2026-03-01', 'unsold')" >/dev/null || fail "a good row of a reference table was refused"
q -c "SELECT cbreturn.detach('ref_ret')" >/dev/null
echo "ok - the export check on a reference table refuses a late return"

# A check that fills the row (remarks, deadline) is a BEFORE trigger with the
# same arguments: it fills on the shards too.
q >/dev/null <<'SQL'
CREATE TABLE sfill (id bigint, decl cbreturn.declaration_id NOT NULL, reason cbreturn.return_reason,
                    exported_on date, returned_on date, remarks text, last_day date, PRIMARY KEY (decl, id));
SELECT create_distributed_table('sfill', 'decl', colocate_with => 'sret');
SELECT cbreturn.attach_export_return_checks('sfill', exported_on => 'exported_on', reason => 'reason',
       returned_on => 'returned_on', remarks => 'remarks', fill_remarks => true, deadline => 'last_day');
INSERT INTO sfill VALUES (1, '010120260000000001', 'unsold', '2026-01-10', '2026-03-01', NULL, NULL);
SQL
[ "$(q -c "SELECT remarks || ' ' || last_day FROM sfill")" = "ZXTY 2026-07-10" ] ||
    fail "the remarks and deadline were not filled on the shard: $(q -c "SELECT remarks, last_day FROM sfill")"
state "INSERT INTO sfill VALUES (2, '010120240000000001', 'unsold', '2024-01-10', '2026-03-01', NULL, NULL)" CB001
q -c "SELECT cbreturn.detach('sfill')" >/dev/null
echo "ok - a check that fills remarks and the deadline fills them on the shards"

# every_shard LABEL: each check refuses a breaking row on every placement of
# each shard, written through the coordinator (a key routed to that shard)
# and directly on the shard on its worker; a good row passes both ways.
n_id=1000
every_shard() {
    local label=$1 shard port name key nshards=0
    while IFS='|' read -r shard port name; do
        nshards=$((nshards + 1))
        n_id=$((n_id + 1))
        # the key of a declaration this shard holds
        key=$(q -c "SELECT d FROM (SELECT cbreturn.declaration_id('0101', 2026, '0', i) d FROM generate_series(1, 2000) i) x
                     WHERE get_shard_id_for_distribution_column('sret', d) = $shard LIMIT 1")
        [ -n "$key" ] || fail "no key routed to shard $shard"
        [ "$(on "$port" -c "SELECT count(*) FROM pg_trigger WHERE tgrelid = '$name'::regclass AND tgname LIKE 'cbreturn_%'")" = 2 ] ||
            fail "$label: shard $name on port $port has not the two checks"
        late="($n_id, '$key', 'unsold', '2025-01-10', '2026-03-01', 'ZXTY', 'registered')"
        state "INSERT INTO sret VALUES $late" CB001
        state "INSERT INTO $name VALUES $late" CB001 -p "$port"
        state "INSERT INTO sret VALUES ($n_id, '$key', 'unsold', '2026-01-10', '2026-03-01', 'ZXZL', 'registered')" CB002
        state "INSERT INTO $name VALUES ($n_id, '$key', 'unsold', '2026-01-10', '2026-03-01', 'ZXZL', 'registered')" CB002 -p "$port"
        q -c "INSERT INTO sret VALUES ($n_id, '$key', 'unsold', '2026-01-10', '2026-03-01', 'ZXTY', 'shipped')" >/dev/null ||
            fail "$label: a good return routed to shard $shard was refused"
        state "UPDATE sret SET status = 'registered' WHERE decl = '$key' AND id = $n_id" CB006
        state "UPDATE $name SET status = 'declared' WHERE id = $n_id" CB006 -p "$port"
        n_id=$((n_id + 1))
        on "$port" -c "INSERT INTO $name VALUES ($n_id, '$key', 'quality_or_spec', '2025-06-10', '2026-03-01', 'PGTY', 'registered')" >/dev/null ||
            fail "$label: a good return written on shard $name was refused"
    done < <(q -c "SELECT shardid, nodeport, shard_name FROM citus_shards WHERE table_name = 'sret'::regclass ORDER BY shardid")
    while IFS='|' read -r shard port name; do
        state "INSERT INTO $name VALUES ($n_id, '010120260000000001', '2026-01-10', '2026-03-01')" CB001 -p "$port"
    done < <(q -c "SELECT shardid, nodeport, shard_name FROM citus_shards WHERE table_name = 'simp'::regclass ORDER BY shardid")
    state "INSERT INTO simp VALUES ($n_id, '010120260000000001', '2026-01-10', '2026-03-01')" CB001
    # COPY through the coordinator: the breaking row refuses the whole COPY
    printf '%s\n' "$((n_id + 1))	010120260000000002	unsold	2026-01-10	2026-03-01	ZXTY	registered" \
                  "$((n_id + 2))	010120240000000003	unsold	2024-01-10	2026-03-01	ZXTY	registered" > "$copyfile"
    # (Citus reports a shard's COPY error with its message, not its SQLSTATE:
    # ReportCopyError, src/backend/distributed/commands/multi_copy.c)
    if out=$(q -c "\\copy sret FROM '$copyfile'" 2>&1); then fail "$label: a COPY with a late return was accepted"; fi
    grep -q "is after the R-EX-1 deadline" <<<"$out" || fail "$label: the COPY was refused for another reason: $out"
    [ "$(q -c "SELECT count(*) FROM sret WHERE id > $n_id")" = 0 ] || fail "$label: a refused COPY left rows"
    echo "ok - $label: every check refuses on each of $nshards shards, through the coordinator and on the worker"
}
copyfile=$(mktemp "${TMPDIR:-/tmp}/cbreturn-citus-copy.XXXXXX")
trap 'rm -f "$copyfile"' EXIT

every_shard "after attach"
# A worker routes a write to the distributed table itself (Citus's metadata
# is on every node): the shards' checks refuse it there too.
state "INSERT INTO sret VALUES (5555, '010120240000000005', 'unsold', '2024-01-10', '2026-03-01', 'ZXTY', 'registered')" CB001 -p "$CITUS_W1_PORT"
echo "ok - a write to the distributed table through a worker is refused by the shards' check"
[ "$(q -c "SELECT count(*) FROM sret")" -gt 40 ] || fail "the good rows are missing"

# A shard moved to the other worker keeps its checks.
read -r shard from to < <(q -F ' ' -c "SELECT shardid, nodeport, CASE nodeport WHEN $CITUS_W1_PORT THEN $CITUS_W2_PORT ELSE $CITUS_W1_PORT END
                                      FROM citus_shards WHERE table_name = 'sret'::regclass ORDER BY shardid LIMIT 1")
q -c "SELECT citus_move_shard_placement($shard, '$host', $from, '$host', $to, shard_transfer_mode => 'block_writes')" >/dev/null
[ "$(q -c "SELECT nodeport FROM citus_shards WHERE shardid = $shard")" = "$to" ] || fail "the shard did not move"
every_shard "after moving shard $shard"

# A split: the new shards have the checks.
read -r shard lo hi port < <(q -F ' ' -c "SELECT s.shardid, s.shardminvalue, s.shardmaxvalue, c.nodeport FROM pg_dist_shard s
                                          JOIN citus_shards c USING (shardid)
                                         WHERE s.logicalrelid = 'sret'::regclass ORDER BY s.shardid LIMIT 1")
node=$(q -c "SELECT nodeid FROM pg_dist_node WHERE nodeport = $port")
q -c "SELECT citus_split_shard_by_split_points($shard, ARRAY[(($lo::bigint + $hi::bigint) / 2)::text], ARRAY[$node, $node], 'block_writes')" >/dev/null
[ "$(q -c "SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'sret'::regclass")" = 5 ] || fail "the shard was not split"
every_shard "after splitting shard $shard"

# A worker added later, and a rebalance that moves shards onto it: until the
# policy is synced to it, its shards refuse (CB015) rather than decide from
# the shipped policy; then they enforce.  (When policy.sh ran first, the
# third node is in the cluster and synced already: the shards just move.)
added=0
if [ "$(q -c "SELECT count(*) FROM pg_dist_node WHERE nodeport = $CITUS_W3_PORT")" = 0 ]; then
    q -c "SELECT citus_add_node('$host', $CITUS_W3_PORT)" >/dev/null
    added=1
fi
q -c "SELECT rebalance_table_shards('sret', shard_transfer_mode => 'block_writes')" >/dev/null
w3_shard=$(q -c "SELECT shard_name FROM citus_shards WHERE table_name = 'sret'::regclass AND nodeport = $CITUS_W3_PORT LIMIT 1")
[ -n "$w3_shard" ] || fail "the rebalance moved no shard to the third worker"
if [ "$added" = 1 ]; then
    state "INSERT INTO $w3_shard VALUES (99999, '010120250000000001', 'unsold', '2025-01-10', '2026-03-01', 'ZXTY', 'registered')" CB015 -p "$CITUS_W3_PORT"
    echo "ok - a shard on a worker whose policy is not synced refuses (CB015), never passes"
    q -c "SELECT * FROM cbreturn.citus_sync_policy()" >/dev/null
fi
every_shard "after adding a worker and rebalancing"

# Record mode, the ordinary-return column, violations() and validate() read
# this node's metadata and rows, which the shards do not: refused (CB015).
state "SELECT cbreturn.set_on_violation('sret', 'export', 'record')" CB015
state "SELECT cbreturn.validate('sret')" CB015
echo "ok - record mode and validate() are refused on a Citus table"

# Detach removes the checks from every shard and every node (the source
# placements that moves left for deferred removal are removed first: Citus
# no longer routes to them).
q -c "CALL citus_cleanup_orphaned_resources()" >/dev/null
q -c "SELECT cbreturn.detach('sret', 'export')" >/dev/null
for port in $CITUS_W1_PORT $CITUS_W2_PORT $CITUS_W3_PORT; do
    [ "$(on "$port" -c "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cbreturn_export_check%'")" = 0 ] ||
        fail "detach left an export check on the node of port $port"
done
q -c "INSERT INTO sret VALUES (77777, '010120240000000001', 'unsold', '2024-01-10', '2026-03-01', 'ZXTY', 'registered')" >/dev/null ||
    fail "a late return was refused after the export check was detached"
state "UPDATE sret SET status = 'registered' WHERE status = 'shipped'" CB006
q -c "SELECT cbreturn.detach('sret')" -c "SELECT cbreturn.detach('simp')" >/dev/null
[ "$(q -c "SELECT count(*) FROM cbreturn.attached_check WHERE relation IN ('sret'::regclass, 'simp'::regclass)")" = 0 ] ||
    fail "detach left metadata"
[ "$(q -c "SELECT sum(result::int) FROM run_command_on_all_nodes(\$\$SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname ~ '^(sret|simp)(_[0-9]+)?\$' AND tgfoid IN ('cbreturn.export_return_check'::regproc, 'cbreturn.import_return_check'::regproc, 'cbreturn.status_check'::regproc)\$\$)")" = 0 ] ||
    fail "detach left a trigger on a node"
echo "ok - detach removes the checks from every shard on every node"

# A column a check on a Citus table reads cannot be renamed (the triggers on
# the shards name it): refused, and the check still enforces.
q -c "SELECT cbreturn.attach_export_return_checks('sret', exported_on => 'exported_on', reason => 'reason', returned_on => 'returned_on', remarks => 'remarks')" >/dev/null
state "ALTER TABLE sret RENAME COLUMN returned_on TO came_back_on" CB015
state "INSERT INTO sret VALUES (88888, '010120240000000001', 'unsold', '2024-01-10', '2026-03-01', 'ZXTY', 'registered')" CB001
q -c "ALTER TABLE sret RENAME COLUMN status TO state" >/dev/null || fail "a column no check reads could not be renamed"
echo "ok - renaming a column a check on a Citus table reads is refused (CB015)"
