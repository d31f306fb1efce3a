#!/usr/bin/env bash
# pg_upgrade from PostgreSQL 15 to 17 keeps every attached check and the
# quantity ledger working (`make test-matrix`, target "upgrade"; needs both
# majors' server and server-dev packages, which test/matrix installs in its
# root).
#
# A cluster is created with 15, cbreturn installed, export, import, status and
# quantity checks attached to ERP tables and some returns written; the same
# probes (a late return, an over-return, a status going back, legal returns:
# each run and rolled back) are answered before and after pg_upgrade to 17;
# the metadata, the trigger definitions and the ledger are compared; then, on
# 17, a legal return is committed and the ledger follows it, and the line it
# filled refuses one more.
#
# Like test/run, nothing is installed into the servers' own directories:
# both installations are copied into a temporary directory, cbreturn is built
# and installed there for each, and both clusters live there, on unix sockets.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD_PG_CONFIG=${OLD_PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
NEW_PG_CONFIG=${NEW_PG_CONFIG:-/usr/lib/postgresql/17/bin/pg_config}
for c in "$OLD_PG_CONFIG" "$NEW_PG_CONFIG"; do
    [ -x "$c" ] || { echo "not found: $c (run through test/matrix upgrade)" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cbreturn-upgrade.XXXXXX")
chmod 755 "$tmp"
oldbin=""; newbin=""
cleanup() {
    set +e
    for d in old new; do
        if [ -f "$tmp/$d/postmaster.pid" ]; then
            b=$([ $d = old ] && echo "$oldbin" || echo "$newbin")
            as_pg "$b/pg_ctl" -D "$tmp/$d" -m immediate -w stop >/dev/null 2>&1
        fi
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

npass=0; nfail=0
ok()   { npass=$((npass + 1)); printf 'ok - %s\n' "$1"; }
fail() { nfail=$((nfail + 1)); printf 'not ok - %s\n' "$1"; }
same() {   # $1: what; $2, $3: the two outputs that must be equal
    if [ "$2" = "$3" ]; then ok "$1"; else
        fail "$1"; diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/#   /'
    fi
}
has() {    # $1: what; $2: output; $3: a line it must contain
    if printf '%s\n' "$2" | grep -qxF -- "$3"; then ok "$1"; else
        fail "$1"; printf '#   wanted line: %s\n' "$3"; printf '%s\n' "$2" | sed 's/^/#   got: /'
    fi
}

# stage one installation with cbreturn built for it; prints its bindir
stage() {
    local pgc=$1 d
    for d in "$("$pgc" --bindir)" "$("$pgc" --sharedir)" "$("$pgc" --pkglibdir)"; do
        mkdir -p "$tmp/root$(dirname "$d")"
        cp -a "$d" "$tmp/root$d"
    done
    make -s clean PG_CONFIG="$pgc" >/dev/null
    make -s PG_CONFIG="$pgc" PG_CFLAGS="-Wextra -Wno-unused-parameter -Werror" >/dev/null
    make -s install PG_CONFIG="$pgc" DESTDIR="$tmp/root" >/dev/null
    make -s clean PG_CONFIG="$pgc" >/dev/null
}
stage "$OLD_PG_CONFIG"; oldbin="$tmp/root$("$OLD_PG_CONFIG" --bindir)"
stage "$NEW_PG_CONFIG"; newbin="$tmp/root$("$NEW_PG_CONFIG" --bindir)"
if [ "$(id -u)" = 0 ]; then chown -R postgres: "$tmp"; fi

port=$(( 20000 + RANDOM % 20000 ))
initdb_() { as_pg "$1/initdb" -D "$2" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.$(basename "$2").log" 2>&1; }
start() {
    as_pg "$1/pg_ctl" -D "$2" -l "$tmp/server.$(basename "$2").log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$tmp' -p $port -c fsync=off" start >/dev/null ||
        { cat "$tmp/server.$(basename "$2").log" >&2; exit 1; }
}
stop() { as_pg "$1/pg_ctl" -D "$2" -w stop >/dev/null; }
export PGHOST="$tmp" PGPORT="$port" PGUSER=postgres PGDATABASE=erp
unset PGSERVICE PGPASSWORD PGOPTIONS
sql() { "$bin/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# ---- PostgreSQL 15: the ERP with every kind of check attached
initdb_ "$oldbin" "$tmp/old"
start "$oldbin" "$tmp/old"
bin=$oldbin
sql -d postgres -c 'CREATE DATABASE erp'
sql >/dev/null <<'EOF'
SET client_min_messages = warning;
CREATE EXTENSION cbreturn;
CREATE SCHEMA erp;
CREATE TABLE erp.decl_item (
    entry_id    cbreturn.declaration_id,
    g_no        smallint,
    g_qty       numeric(12,3) NOT NULL,
    PRIMARY KEY (entry_id, g_no));
CREATE TABLE erp.export_return (
    id          serial PRIMARY KEY,
    orig_entry  cbreturn.declaration_id,
    orig_g_no   smallint,
    back_qty    integer,
    clear_date  date,
    ret_reason  cbreturn.return_reason,
    reenter_date date);
CREATE TABLE erp.import_return (
    id          serial PRIMARY KEY,
    released    date,
    applied     date,
    arrived     date);
CREATE TABLE erp.return_track (
    id          int PRIMARY KEY,
    state       text NOT NULL,
    reg_time    timestamptz,
    decl_time   timestamptz);
INSERT INTO erp.decl_item VALUES
    ('020220260525641690', 1, 10), ('020220260525641690', 2, 3), ('29242026I439440284', 1, 2.5);
SELECT cbreturn.attach_export_return_checks('erp.export_return',
    exported_on => 'clear_date', reason => 'ret_reason', returned_on => 'reenter_date');
SELECT cbreturn.attach_quantity_check('erp.export_return', line => '{orig_entry,orig_g_no}', quantity => 'back_qty',
    declared_table => 'erp.decl_item', declared_line => '{entry_id,g_no}', declared_quantity => 'g_qty');
SELECT cbreturn.attach_import_return_checks('erp.import_return',
    released_on => 'released', applied_on => 'applied', arrived_on => 'arrived');
SELECT cbreturn.attach_status_check('erp.return_track', status => 'state',
    registered_at => 'reg_time', declared_at => 'decl_time');
-- returns written on 15: line 1 holds 9 of 10, line 2 is full, the 2.5 line holds 2
INSERT INTO erp.export_return (orig_entry, orig_g_no, back_qty, clear_date, ret_reason, reenter_date) VALUES
    ('020220260525641690', 1, 4, '2026-08-31', 'unsold', '2026-10-01'),
    ('020220260525641690', 1, 5, '2026-08-31', 'unsold', '2027-02-28'),
    ('020220260525641690', 2, 3, '2026-08-31', 'quality_or_spec', '2027-08-31'),
    ('29242026I439440284', 1, 2, '2026-08-31', 'unsold', '2026-09-01');
INSERT INTO erp.import_return (released, applied, arrived) VALUES ('2026-01-31', '2026-03-02', '2026-03-17');
INSERT INTO erp.return_track (id, state, reg_time) VALUES (1, 'registered', '2026-05-01 09:00+08');
UPDATE erp.return_track SET state = 'declared', decl_time = '2026-05-01 10:00+08' WHERE id = 1;
EOF

# Probes: each statement runs in a subtransaction that is always rolled back,
# so the answers before and after the upgrade come from the same state.
probes() {
    sql <<'EOF'
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        EXECUTE q;
        RAISE SQLSTATE 'P0099';
    EXCEPTION WHEN SQLSTATE 'P0099' THEN RETURN 'ok';
    END;
EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE;
END $$;
SELECT n || ' ' || pg_temp.try(q) FROM (VALUES
    ('late-export-return', $q$INSERT INTO erp.export_return (orig_entry, orig_g_no, back_qty, clear_date, ret_reason, reenter_date)
        VALUES ('020220260525641690', 1, 1, '2026-08-31', 'unsold', '2027-03-01')$q$),
    ('over-return', $q$INSERT INTO erp.export_return (orig_entry, orig_g_no, back_qty, clear_date, ret_reason, reenter_date)
        VALUES ('020220260525641690', 1, 2, '2026-08-31', 'unsold', '2027-02-28')$q$),
    ('over-return-by-update', $q$UPDATE erp.export_return SET back_qty = 6 WHERE back_qty = 4$q$),
    ('over-return-on-full-line', $q$INSERT INTO erp.export_return (orig_entry, orig_g_no, back_qty, clear_date, ret_reason, reenter_date)
        VALUES ('020220260525641690', 2, 1, '2026-08-31', 'quality_or_spec', '2027-08-31')$q$),
    ('declared-quantity-below-returns', $q$UPDATE erp.decl_item SET g_qty = 2 WHERE g_no = 2$q$),
    ('legal-export-return', $q$INSERT INTO erp.export_return (orig_entry, orig_g_no, back_qty, clear_date, ret_reason, reenter_date)
        VALUES ('020220260525641690', 1, 1, '2026-08-31', 'unsold', '2027-02-28')$q$),
    ('late-import-application', $q$INSERT INTO erp.import_return (released, applied) VALUES ('2026-01-31', '2026-03-03')$q$),
    ('legal-import-return', $q$INSERT INTO erp.import_return (released, applied, arrived) VALUES ('2028-02-14', '2028-03-15', '2028-03-30')$q$),
    ('status-backwards', $q$UPDATE erp.return_track SET state = 'registered' WHERE id = 1$q$),
    ('status-forward', $q$UPDATE erp.return_track SET state = 'shipped' WHERE id = 1$q$)
) v(n, q) ORDER BY n;
EOF
}
state() {
    sql <<'EOF'
SELECT 'check ' || relation::text || ' ' || check_kind || ' ' || fill_remarks || ' ' || coalesce(declared_relation::text, '-')
       || ' ' || coalesce(status_labels::text, '-')
  FROM cbreturn.attached_check ORDER BY relation::text, check_kind;
SELECT 'column ' || relation::text || ' ' || check_kind || ' ' || role || ' ' || column_relation::text || '.'
       || column_name || ' ' || column_attnum || ' ' || column_type::text
  FROM cbreturn.attached_column ORDER BY relation::text, check_kind, role;
SELECT 'trigger ' || pg_get_triggerdef(t.oid) || CASE t.tgenabled WHEN 'O' THEN '' ELSE ' ' || t.tgenabled::text END
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE NOT t.tgisinternal AND c.relnamespace = 'erp'::regnamespace
 ORDER BY c.relname COLLATE "C", t.tgname COLLATE "C";
SELECT 'ledger ' || declared_relation::text || ' ' || encode(line, 'hex') || ' ' || returned || ' ' || return_rows
  FROM cbreturn.quantity_ledger ORDER BY declared_relation::text, line;
SELECT 'extension ' || extversion FROM pg_extension WHERE extname = 'cbreturn';
EOF
}
ledger_matches_returns() {
    sql <<'EOF'
-- every difference between the ledger and the returns, line by line (none
-- when right), then the ledger's total beside the returns' total
SELECT count(*) FROM cbreturn.verify_quantity_ledger('erp.decl_item');
SELECT (SELECT sum(returned) FROM cbreturn.quantity_ledger WHERE declared_relation = 'erp.decl_item'::regclass)
       || ' of ' || (SELECT sum(back_qty) FROM erp.export_return);
EOF
}

probes_old=$(probes)
state_old=$(state)
printf '%s\n' "$probes_old" "$state_old" | sed 's/^/# 15: /'
has "15: a late return is refused (CB001)" "$probes_old" "late-export-return CB001"
has "15: an over-return is refused (CB003)" "$probes_old" "over-return CB003"
has "15: a legal return is accepted" "$probes_old" "legal-export-return ok"
has "15: a declared quantity below the returns is refused (CB003)" "$probes_old" "declared-quantity-below-returns CB003"
has "15: the ledger holds the returns written (14 of 14)" "$(ledger_matches_returns)" "14 of 14"
has "15: the ledger equals the returns on every line" "$(ledger_matches_returns)" "0"
stop "$oldbin" "$tmp/old"

# ---- pg_upgrade to 17
initdb_ "$newbin" "$tmp/new"
rc=0
(cd "$tmp" && as_pg "$newbin/pg_upgrade" -b "$oldbin" -B "$newbin" -d "$tmp/old" -D "$tmp/new" \
    -s "$tmp" -p $((port + 1)) -P $((port + 2)) -U postgres) >"$tmp/pg_upgrade.log" 2>&1 || rc=$?
if [ $rc = 0 ]; then ok "pg_upgrade from 15 to 17"; else
    fail "pg_upgrade from 15 to 17"
    sed 's/^/#   /' "$tmp/pg_upgrade.log"
    find "$tmp/new" -name '*.txt' -path '*pg_upgrade_output.d*' -exec sed 's/^/#   /' {} + 2>/dev/null || true
    printf 'tests: %d passed, %d failed\n' "$npass" "$nfail"
    exit 1
fi

# ---- PostgreSQL 17: the same answers, then a committed return
start "$newbin" "$tmp/new"
bin=$newbin
has "17: the upgraded cluster runs on 17" "$(sql -c "SELECT current_setting('server_version_num')::int / 10000")" "17"
probes_new=$(probes)
state_new=$(state)
same "17: every probe answered as on 15 (late, over-return, status, legal)" "$probes_old" "$probes_new"
same "17: attached checks, their columns, trigger definitions and the ledger as on 15" "$state_old" "$state_new"
has "17: a late return is refused (CB001)" "$probes_new" "late-export-return CB001"
has "17: an over-return is refused (CB003)" "$probes_new" "over-return CB003"
has "17: a legal return is accepted" "$probes_new" "legal-export-return ok"
has "17: a declared quantity below the returns is refused (CB003)" "$probes_new" "declared-quantity-below-returns CB003"
sql -c "INSERT INTO erp.export_return (orig_entry, orig_g_no, back_qty, clear_date, ret_reason, reenter_date)
        VALUES ('020220260525641690', 1, 1, '2026-08-31', 'unsold', '2027-02-28')"
has "17: a committed legal return reaches the ledger (15 of 15)" "$(ledger_matches_returns)" "15 of 15"
has "17: the ledger equals the sum of the returns on every line" "$(ledger_matches_returns)" "0"
has "17: the now full line refuses one more (CB003)" "$(probes)" "legal-export-return CB003"
stop "$newbin" "$tmp/new"

printf 'tests: %d passed, %d failed\n' "$npass" "$nfail"
[ $nfail = 0 ]
