#!/usr/bin/env bash
# Logical replication (docs/scale-out.md): a publisher and a subscriber,
# two more throwaway clusters started from the staged installation that
# test/run made (wal_level = logical needs a server of its own), publishing
# FOR ALL TABLES.  Asserts that:
#   - the initial copy of the policy tables succeeds over the subscriber's
#     shipped rows and leaves them equal to the publisher's (DBA edits and
#     the shipped flags included);
#   - the metadata of attached checks and the quantity ledger stay the
#     subscriber's own (the publisher's rows are not applied);
#   - a policy edit (insert, update, delete, truncate) that arrives by
#     replication changes the answers of a session that has already loaded
#     its policy cache, without reconnecting;
#   - quantity checks left as attached (they do not fire under apply): the
#     ledger does not follow the replicated returns; after promotion
#     cbreturn.rebuild_quantity_ledgers() counts them, and an over-return is
#     then refused while a legal return goes through;
#   - quantity checks enabled ALWAYS from an empty table: the ledger follows
#     inserts, updates and deletes as they are applied, and after promotion
#     an over-return is refused with no call at all;
#   - a quantity check enabled ALWAYS over a ledger that does not count the
#     rows already there: the replicated delete is refused in the apply
#     worker (the ledger never goes negative), replication waits, and a
#     rebuild of the ledger lets it go on.
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "FAIL: $*"; exit 1; }
[ -n "${CBRETURN_SHAREDIR:-}" ] || fail "CBRETURN_SHAREDIR is not set (run through test/run)"
PG_CONFIG=${PG_CONFIG:-pg_config}
sharedir=$("$PG_CONFIG" --sharedir)
root=${CBRETURN_SHAREDIR%"$sharedir"}
pgbin=$root$("$PG_CONFIG" --bindir)
[ -x "$pgbin/postgres" ] || fail "no staged server in $root"

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/cbreturn-repl.XXXXXX")
chmod 755 "$dir"
[ "$(id -u)" != 0 ] || chown postgres: "$dir"
cleanup() {
    set +e
    for n in pub sub; do
        [ -f "$dir/$n/postmaster.pid" ] && as_pg "$pgbin/pg_ctl" -D "$dir/$n" -m immediate -w stop >/dev/null 2>&1
    done
    rm -rf "$dir"
}
trap cleanup EXIT

port_pub=$(( 20000 + RANDOM % 20000 )); port_sub=$(( port_pub + 1 ))
start() {
    local n=$1 port=$2
    as_pg "$pgbin/initdb" -D "$dir/$n" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/$n.initdb.log" 2>&1 ||
        { cat "$dir/$n.initdb.log"; fail "initdb $n"; }
    cat >>"$dir/$n/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
fsync = off
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
max_logical_replication_workers = 6
max_sync_workers_per_subscription = 2
wal_retrieve_retry_interval = '200ms'
timezone = 'UTC'
lc_messages = 'C'
EOF
    as_pg "$pgbin/pg_ctl" -D "$dir/$n" -l "$dir/$n.log" -w -t 60 start >/dev/null ||
        { cat "$dir/$n.log"; fail "start $n"; }
}
start pub "$port_pub"
start sub "$port_sub"
pub() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$dir" -p "$port_pub" -U postgres -d erp "$@"; }
sub() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$dir" -p "$port_sub" -U postgres -d erp "$@"; }
# Wait (a bounded time, no assertion on speed) until the subscriber answers t.
waitfor() {
    local i
    for i in $(seq 1 600); do
        [ "$(sub -c "$1" 2>/dev/null)" = t ] && return 0
        sleep 0.1
    done
    tail -n 20 "$dir/sub.log"
    fail "the subscriber never got there: $2"
}
for p in "$port_pub" "$port_sub"; do
    psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$p" -U postgres -d postgres -c 'CREATE DATABASE erp'
done

schema=$(cat <<'SQL'
CREATE EXTENSION cbreturn;
-- default: the checks do not fire under apply
CREATE TABLE decl (entry text, g_no int, qty numeric NOT NULL, PRIMARY KEY (entry, g_no));
CREATE TABLE ret (id int PRIMARY KEY, entry text, g_no int, qty int);
-- enabled ALWAYS on the subscriber while the tables are empty
CREATE TABLE decl2 (entry text, g_no int, qty numeric NOT NULL, PRIMARY KEY (entry, g_no));
CREATE TABLE ret2 (id int PRIMARY KEY, entry text, g_no int, qty int);
-- enabled ALWAYS on the subscriber after the initial copy, without a rebuild
CREATE TABLE decl3 (entry text, g_no int, qty numeric NOT NULL, PRIMARY KEY (entry, g_no));
CREATE TABLE ret3 (id int PRIMARY KEY, entry text, g_no int, qty int);
SELECT cbreturn.attach_quantity_check('ret', '{entry,g_no}', 'qty', 'decl', '{entry,g_no}', 'qty');
SELECT cbreturn.attach_quantity_check('ret2', '{entry,g_no}', 'qty', 'decl2', '{entry,g_no}', 'qty');
SELECT cbreturn.attach_quantity_check('ret3', '{entry,g_no}', 'qty', 'decl3', '{entry,g_no}', 'qty');
SQL
)
pub -c "$schema" >/dev/null
sub -c "$schema" >/dev/null
sub >/dev/null <<'SQL'
ALTER TABLE ret2 ENABLE ALWAYS TRIGGER cbreturn_quantity_check, ENABLE ALWAYS TRIGGER cbreturn_quantity_truncate;
ALTER TABLE decl2 ENABLE ALWAYS TRIGGER cbreturn_quantity_guard, ENABLE ALWAYS TRIGGER cbreturn_quantity_truncate_guard;
SELECT cbreturn.rebuild_quantity_ledger('decl2');
SQL

pub >/dev/null <<'SQL'
INSERT INTO decl VALUES ('E1', 1, 10), ('E1', 2, 5);
INSERT INTO ret VALUES (1, 'E1', 1, 6), (2, 'E1', 2, 5);
INSERT INTO decl3 VALUES ('E3', 1, 10);
INSERT INTO ret3 VALUES (1, 'E3', 1, 4), (2, 'E3', 1, 3);
-- DBA edits before the subscription: a shipped row changed, rows added
UPDATE cbreturn.districts SET cross_return_pilot_from = '2025-06-01' WHERE code = '08';
UPDATE cbreturn.rule_parameters SET value_date = '2026-05-01' WHERE name = 'cross_customs_nationwide_from';
INSERT INTO cbreturn.holidays (day, working_day, name) VALUES ('2027-02-08', false, 'check holiday');
INSERT INTO cbreturn.tax_policy_periods (announcement, declared_from, declared_to, supervision_codes)
VALUES ('check 2028', '2028-01-01', '2028-12-31', '{9610}');
INSERT INTO cbreturn.reason_labels (label, reason) VALUES ('库存退运', 'unsold');
-- the publisher's own log of recorded violations (as a check in record mode writes it)
INSERT INTO cbreturn.violation_log (relation, check_kind, rule_id, sqlstate, message, logged_by)
VALUES ('ret', 'export', 'R-EX-1', 'CB001', 'publisher only', current_user);
UPDATE cbreturn.reason_labels SET reason = NULL WHERE label = '规格';
CREATE PUBLICATION everything FOR ALL TABLES;
SQL
sub -c "CREATE SUBSCRIPTION everything CONNECTION 'host=$dir port=$port_pub user=postgres dbname=erp' PUBLICATION everything" 2>&1 |
    grep -v 'created replication slot' || true
waitfor "SELECT count(*) > 0 AND bool_and(srsubstate = 'r') FROM pg_subscription_rel" "the initial copy"
echo "ok - initial copy of every table, the policy tables over their shipped rows included"

policy_tables="districts supervision_codes tax_policy_periods rule_parameters holidays reason_labels"
for t in $policy_tables; do
    q="SELECT md5(string_agg(t::text, '|' ORDER BY t::text COLLATE \"C\")) FROM cbreturn.$t t"
    [ "$(pub -c "$q")" = "$(sub -c "$q")" ] || fail "cbreturn.$t differs from the publisher's after the initial copy"
done
[ "$(sub -c "SELECT shipped FROM cbreturn.districts WHERE code = '08'")" = f ] ||
    fail "the publisher's edit of a shipped row is not an edit on the subscriber"
[ "$(sub -c "SELECT count(*) FILTER (WHERE shipped) = count(*) - 1 FROM cbreturn.districts")" = t ] ||
    fail "the shipped rows lost their flag on the subscriber"
echo "ok - every policy table equals the publisher's, edits and shipped flags included"

[ "$(sub -c "SELECT string_agg(relation::text, ',' ORDER BY relation::text) FROM cbreturn.attached_check")" = ret,ret2,ret3 ] ||
    fail "the subscriber's attached checks changed"
[ "$(sub -c "SELECT count(*) FROM cbreturn.quantity_ledger WHERE declared_relation IN ('decl'::regclass, 'decl3'::regclass)")" = 0 ] ||
    fail "the publisher's ledger rows were applied on the subscriber"
[ "$(sub -c "SELECT count(*) FROM cbreturn.violation_log")" = 0 ] ||
    fail "the publisher's log of recorded violations was applied on the subscriber"
echo "ok - the metadata, the ledger and the log of recorded violations stay the subscriber's own"

# A long-lived session on the subscriber: its answers follow the replicated edits.
wait_sub="for i in \$(seq 1 600); do [ \"\$(psql -X -At -h $dir -p $port_sub -U postgres -d erp -c \"\$1\")\" = t ] && exit 0; sleep 0.1; done; exit 1"
printf '%s\n' "$wait_sub" > "$dir/wait.sh"
out=$(psql -X -q -At -v ON_ERROR_STOP=1 -h "$dir" -p "$port_sub" -U postgres -d erp <<SQL
SELECT 'insert', cbreturn.is_rest_day('2027-02-09');
\! psql -X -q -h $dir -p $port_pub -U postgres -d erp -c "INSERT INTO cbreturn.holidays (day, working_day, name) VALUES ('2027-02-09', false, 'check')" && bash $dir/wait.sh "SELECT EXISTS (SELECT FROM cbreturn.holidays WHERE day = '2027-02-09')"
SELECT 'insert', cbreturn.is_rest_day('2027-02-09');
SELECT 'update', cbreturn.cross_customs_return_allowed('9610', '0401', '0501', '2026-04-15');
\! psql -X -q -h $dir -p $port_pub -U postgres -d erp -c "UPDATE cbreturn.rule_parameters SET value_date = '2026-04-01' WHERE name = 'cross_customs_nationwide_from'" && bash $dir/wait.sh "SELECT value_date = '2026-04-01' FROM cbreturn.rule_parameters WHERE name = 'cross_customs_nationwide_from'"
SELECT 'update', cbreturn.cross_customs_return_allowed('9610', '0401', '0501', '2026-04-15');
\! psql -X -q -h $dir -p $port_pub -U postgres -d erp -c "DELETE FROM cbreturn.holidays WHERE day = '2027-02-09'" && bash $dir/wait.sh "SELECT NOT EXISTS (SELECT FROM cbreturn.holidays WHERE day = '2027-02-09')"
SELECT 'delete', cbreturn.is_rest_day('2027-02-09');
SELECT 'truncate', cbreturn.is_rest_day('2026-10-01');
\! psql -X -q -h $dir -p $port_pub -U postgres -d erp -c "TRUNCATE cbreturn.holidays" && bash $dir/wait.sh "SELECT NOT EXISTS (SELECT FROM cbreturn.holidays)"
SELECT 'truncate', cbreturn.is_rest_day('2026-10-01');
SELECT 'label', cbreturn.return_reason('滞销');
\! psql -X -q -h $dir -p $port_pub -U postgres -d erp -c "INSERT INTO cbreturn.reason_labels (label, reason) VALUES ('质量退运', 'quality_or_spec')" && bash $dir/wait.sh "SELECT EXISTS (SELECT FROM cbreturn.reason_labels WHERE label = '质量退运')"
SELECT 'label', cbreturn.return_reason('质量退运');
SELECT 'register', cbreturn.applicant_registered('91330100799655058B', '2026-05-01');
\! psql -X -q -h $dir -p $port_pub -U postgres -d erp -c "INSERT INTO cbreturn.applicants VALUES ('91330100799655058B', '3301960002', 'Test exporter', '2026-01-01', NULL, NULL)" && bash $dir/wait.sh "SELECT EXISTS (SELECT FROM cbreturn.applicants)"
SELECT 'register', cbreturn.applicant_registered('91330100799655058B', '2026-05-01');
\! psql -X -q -h $dir -p $port_pub -U postgres -d erp -c "TRUNCATE cbreturn.applicants" && bash $dir/wait.sh "SELECT NOT EXISTS (SELECT FROM cbreturn.applicants)"
SELECT 'register', cbreturn.applicant_registered('91330100799655058B', '2026-05-01');
SQL
) || fail "the long-lived session failed: $out"
expected=$'insert|f\ninsert|t\nupdate|f\nupdate|t\ndelete|f\ntruncate|t\ntruncate|f\nlabel|unsold\nlabel|quality_or_spec\nregister|f\nregister|t\nregister|f'
[ "$out" = "$expected" ] || fail "a long-lived subscriber session kept the old policy; expected
$expected
got
$out"
echo "ok - replicated policy and register inserts, updates, deletes and truncates reach a long-lived session"

# Checks enabled ALWAYS from the start: the ledger follows what is applied.
pub >/dev/null <<'SQL'
INSERT INTO decl2 VALUES ('E2', 1, 10), ('E2', 2, 4);
INSERT INTO ret2 VALUES (1, 'E2', 1, 3), (2, 'E2', 1, 2), (3, 'E2', 2, 4);
UPDATE ret2 SET qty = 5 WHERE id = 1;
DELETE FROM ret2 WHERE id = 3;
UPDATE ret2 SET g_no = 2, qty = 1 WHERE id = 2;
INSERT INTO ret2 VALUES (4, 'E2', 1, 5);
SQL
waitfor "SELECT count(*) = 3 AND sum(qty) = 11 FROM ret2" "the returns of ret2"
n=$(sub -c "SELECT count(*) FROM cbreturn.verify_quantity_ledger('decl2')")
[ "$n" = 0 ] || fail "the ledger enabled ALWAYS differs from the applied returns ($n lines)"
[ "$(sub -c "SELECT string_agg(returned::text, ',' ORDER BY returned) FROM cbreturn.quantity_ledger WHERE declared_relation = 'decl2'::regclass")" = 1,10 ] ||
    fail "the ledger enabled ALWAYS does not hold 10 and 1"
echo "ok - checks enabled ALWAYS: the ledger follows replicated inserts, updates and deletes"

# Enabled ALWAYS over a ledger that does not count the copied rows: the
# delete is refused in the apply worker, nothing goes negative.
sub -c "ALTER TABLE ret3 ENABLE ALWAYS TRIGGER cbreturn_quantity_check"
pub -c "DELETE FROM ret3 WHERE id = 1"
for i in $(seq 1 600); do
    grep -q 'the quantity ledger of line .* is missing or inconsistent' "$dir/sub.log" && break
    sleep 0.1
done
grep -q 'the quantity ledger of line .* is missing or inconsistent' "$dir/sub.log" ||
    fail "the apply worker did not refuse the delete over a ledger missing its line"
# the worker's exit as 15 ("logical replication worker") and 17 and later
# ("logical replication apply worker") log it
stopped='background worker "logical replication [a-z ]*worker" .* exited with exit code 1'
for i in $(seq 1 600); do
    grep -q "$stopped" "$dir/sub.log" && break
    sleep 0.1
done
grep -q "$stopped" "$dir/sub.log" || fail "the apply worker did not stop on the refused change"
[ "$(sub -c "SELECT count(*) FROM ret3 WHERE id = 1")" = 1 ] || fail "the refused delete was applied"
[ "$(sub -c "SELECT count(*) FROM cbreturn.quantity_ledger WHERE returned < 0 OR return_rows < 0")" = 0 ] ||
    fail "a ledger counter went negative"
echo "ok - a refused change stops the apply worker: the ledger never goes negative, the row stays"
sub -c "SELECT cbreturn.rebuild_quantity_ledger('decl3')" >/dev/null
waitfor "SELECT NOT EXISTS (SELECT FROM ret3 WHERE id = 1)" "the delete after the rebuild"
n=$(sub -c "SELECT count(*) FROM cbreturn.verify_quantity_ledger('decl3')")
[ "$n" = 0 ] || fail "the ledger differs from the returns after the rebuild and the delete ($n lines)"
echo "ok - after rebuild_quantity_ledger the apply worker goes on and the ledger follows"

# Promotion: the subscriber stops following and takes writes.
pub -c "INSERT INTO ret VALUES (3, 'E1', 1, 2)"
waitfor "SELECT EXISTS (SELECT FROM ret WHERE id = 3)" "the last return before the failover"
sub -c "ALTER SUBSCRIPTION everything DISABLE" -c "ALTER SUBSCRIPTION everything SET (slot_name = NONE)" -c "DROP SUBSCRIPTION everything"
n=$(sub -c "SELECT count(*) FROM cbreturn.verify_quantity_ledger('decl') WHERE problem = 'returns missing from the ledger'")
[ "$n" = 2 ] || fail "verify_quantity_ledger does not show the ledger left behind by replication ($n lines)"
out=$(sub -c "SELECT declared_table || ':' || returns_tables::text FROM cbreturn.rebuild_quantity_ledgers()")
[ "$out" = $'decl:{ret}\ndecl2:{ret2}\ndecl3:{ret3}' ] || fail "rebuild_quantity_ledgers answered: $out"
for d in decl decl2 decl3; do
    n=$(sub -c "SELECT count(*) FROM cbreturn.verify_quantity_ledger('$d')")
    [ "$n" = 0 ] || fail "the ledger of $d differs from the returns after rebuild_quantity_ledgers ($n lines)"
done
echo "ok - after promotion, cbreturn.rebuild_quantity_ledgers() counts every declared table"
refused() {
    local out
    if out=$(sub -c "$1" 2>&1); then fail "accepted on the promoted subscriber: $1"; fi
    grep -q 'exceeds the declared quantity' <<<"$out" || fail "refused with another error: $out"
    echo "ok - refused on the promoted subscriber: $1"
}
refused "INSERT INTO ret VALUES (10, 'E1', 1, 3)"
refused "INSERT INTO ret2 VALUES (10, 'E2', 1, 1)"
sub -c "INSERT INTO ret VALUES (11, 'E1', 1, 2)" || fail "a legal return (10 of 10) was refused on the promoted subscriber"
echo "ok - a legal return is accepted on the promoted subscriber"
