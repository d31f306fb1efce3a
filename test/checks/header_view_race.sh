#!/usr/bin/env bash
# The header guards run as the extension owner and read the returns tables
# linked to a header (docs/security.md, "SECURITY DEFINER surface").  On
# PostgreSQL 15 a role may turn an empty returns table of its own into a
# view (CREATE RULE "_RETURN") whose column is its own function.  The guards
# read plain tables only; this races them: the rule is created in a
# transaction still open while TRUNCATE of a header partition lists the
# returns tables, and commits while the guard waits for the table.  The
# guard must hold the table first and then ask what it is, as committed, or
# the view runs the role's function as the extension owner.  The role must
# come out as it went in: no superuser.  (PostgreSQL 16 and later no longer
# turn a table into a view: there, that refusal is what is checked.)  Also:
# an unrelated DROP SCHEMA takes no lock on the headers' partitions.
# Runs against the cluster named by PGHOST/PGPORT (test/run starts one).
set -euo pipefail

db=cbr_view_race
role=cbr_view_race_eve
cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

psql -X -q -d postgres -c "CREATE DATABASE $db" -c "CREATE ROLE $role LOGIN" >/dev/null
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION cbreturn" -c "CREATE SCHEMA m AUTHORIZATION $role" >/dev/null
q -U "$role" >/dev/null <<SQL
CREATE FUNCTION m.evil() RETURNS text LANGUAGE plpgsql AS \$\$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE 'ALTER ROLE $role SUPERUSER';
    END IF;
    RETURN 'none';
END
\$\$;
CREATE TABLE m.hdr (k text PRIMARY KEY, d date) PARTITION BY LIST (k);
CREATE TABLE m.hdr_a PARTITION OF m.hdr FOR VALUES IN ('E1');
INSERT INTO m.hdr VALUES ('E1', '2026-01-01');
CREATE TABLE m.ret (k text);
SELECT cbreturn.attach_header('m.ret', 'm.hdr', '{k}', '{k}', exported_on => 'd');
SQL
rule='CREATE RULE "_RETURN" AS ON SELECT TO m.ret DO INSTEAD SELECT m.evil() AS k'

# A role's DROP of a schema of its own, with nothing of a header in it, looks
# at the headers' partitions without locking them: it does not wait for a
# transaction holding one (nor would it hold one up)
q -c "CREATE SCHEMA z AUTHORIZATION $role" >/dev/null
q -c "BEGIN" -c "LOCK TABLE m.hdr_a IN ACCESS EXCLUSIVE MODE" -c "SELECT pg_sleep(4)" -c "COMMIT" >/dev/null &
holder=$!
for _ in $(seq 100); do
    [ "$(q -c "SELECT count(*) FROM pg_locks l WHERE l.relation = 'm.hdr_a'::regclass
                  AND l.mode = 'AccessExclusiveLock' AND l.granted")" = 1 ] && break
    sleep 0.05
done
if ! q -U "$role" -c "SET lock_timeout = '1s'" -c "DROP SCHEMA z CASCADE" >/dev/null; then
    echo "not ok - DROP SCHEMA of a role's own schema waited for a lock on a header partition"
    exit 1
fi
wait "$holder"
echo "ok - DROP SCHEMA of a role's own schema does not wait for a header partition another transaction holds"

if [ "$(q -c 'SHOW server_version_num')" -ge 160000 ]; then
    if q -U "$role" -c "$rule" >/dev/null 2>&1; then
        echo "not ok - PostgreSQL 16 or later turned a returns table into a view"
        exit 1
    fi
    echo "ok - PostgreSQL 16 and later refuse to turn the returns table into a view"
    exit 0
fi

q -U "$role" -c "BEGIN" -c "$rule" -c "SELECT pg_sleep(3)" -c "COMMIT" >/dev/null &
writer=$!
for _ in $(seq 100); do
    [ "$(q -c "SELECT count(*) FROM pg_locks l WHERE l.relation = 'm.ret'::regclass
                  AND l.mode = 'AccessExclusiveLock' AND l.granted")" = 1 ] && break
    sleep 0.05
done
q -U "$role" -c "TRUNCATE m.hdr_a" >/dev/null 2>&1 || true
wait "$writer"
[ "$(q -c "SELECT relkind FROM pg_class WHERE oid = 'm.ret'::regclass")" = v ] ||
    { echo "not ok - the returns table did not become a view: the race was not run"; exit 1; }
if [ "$(q -c "SELECT rolsuper FROM pg_roles WHERE rolname = '$role'")" != f ]; then
    echo "not ok - a view made by a role during TRUNCATE of a header partition ran its function as the extension owner"
    exit 1
fi
echo "ok - a returns table turned into a view during TRUNCATE of a header partition is not read: the role is no superuser"
