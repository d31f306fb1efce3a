#!/usr/bin/env bash
# Who may install cbreturn, and the schema it lives in (docs/security.md,
# "Trusted extension: no" and "The schema"):
#   1. the extension is not trusted: a database owner who is not a superuser
#      is refused CREATE EXTENSION (42501);
#   2. a schema cbreturn created beforehand for another role is taken over by
#      the install: that role can no longer rename it, create in it or drop
#      it (42501), so it cannot put objects of its own where the superuser's
#      event triggers look (before 0.3.0, it could, and its code then ran as
#      the superuser on every DROP TABLE);
#   3. a schema cbreturn that already holds someone's objects, or lets
#      another role create in it, is refused (42501) and nothing is
#      installed;
#   4. the database owner cannot disable, replace or call the event
#      triggers' functions (42501);
#   5. ALTER EXTENSION UPDATE from 0.2.0 takes such a schema over too, and
#      refuses while another role may create in it.
# Runs against the cluster named by PGHOST/PGPORT (test/run starts one).
set -euo pipefail

owner=cbr_trust_owner
dbs=(cbr_trust_a cbr_trust_b cbr_trust_c cbr_trust_d cbr_trust_e cbr_trust_f)
cleanup() {
    for d in "${dbs[@]}"; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true; done
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $owner" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
failures=0

q() { local d=$1; shift; psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$d" "$@"; }
# the SQLSTATE of a statement (ok when it succeeds), run as role (or the superuser)
state() {
    local d=$1 role=$2 sql=$3 out
    if [ -n "$role" ]; then sql="SET ROLE $role; $sql"; fi
    out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate -d "$d" -c "\\set VERBOSITY sqlstate" -c "$sql" 2>&1 >/dev/null) && { echo ok; return; }
    printf '%s\n' "$out" | sed -n 's/^ERROR:  *\([0-9A-Z]\{5\}\).*/\1/p' | head -n 1
}
check() {   # check DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        printf 'ok - %s\n' "$1"
    else
        printf 'not ok - %s\n#   expected: %s\n#   got:      %s\n' "$1" "$2" "$3"
        failures=$((failures + 1))
    fi
}

q postgres -c "CREATE ROLE $owner LOGIN"
for d in "${dbs[@]}"; do q postgres -c "CREATE DATABASE $d OWNER $owner"; done

# 1. not trusted
check "control file says trusted = false" "f" \
    "$(q cbr_trust_a -c "SELECT trusted FROM pg_available_extension_versions WHERE name = 'cbreturn' AND version = (SELECT default_version FROM pg_available_extensions WHERE name = 'cbreturn')")"
check "a database owner who is not a superuser may not CREATE EXTENSION cbreturn" "42501" \
    "$(state cbr_trust_a $owner 'CREATE EXTENSION cbreturn')"
check "nothing was installed" "0" "$(q cbr_trust_a -c "SELECT count(*) FROM pg_extension WHERE extname = 'cbreturn'")"

# 2. a schema made beforehand for the database owner is taken over
q cbr_trust_b -c "CREATE SCHEMA cbreturn AUTHORIZATION $owner"
check "the superuser installs into it" "ok" "$(state cbr_trust_b '' 'CREATE EXTENSION cbreturn')"
check "the schema now belongs to the installing superuser" "t" \
    "$(q cbr_trust_b -c "SELECT r.rolsuper FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = 'cbreturn'")"
check "its former owner cannot rename it" "42501" "$(state cbr_trust_b $owner 'ALTER SCHEMA cbreturn RENAME TO cbreturn_old')"
check "nor create a function in it" "42501" \
    "$(state cbr_trust_b $owner 'CREATE FUNCTION cbreturn._quantity_after_drop(integer[]) RETURNS void LANGUAGE sql AS $$ SELECT $$')"
check "nor drop it (with the extension)" "42501" "$(state cbr_trust_b $owner 'DROP SCHEMA cbreturn CASCADE')"
# the attack of 0.2.0, end to end: nothing planted runs when a table is dropped
q cbr_trust_b -c "CREATE SCHEMA plant AUTHORIZATION $owner"
state cbr_trust_b $owner "ALTER SCHEMA cbreturn RENAME TO cbreturn_old; CREATE SCHEMA cbreturn" >/dev/null || true
check "the former owner cannot put a schema cbreturn of its own in place" "1" \
    "$(q cbr_trust_b -c "SELECT count(*) FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = 'cbreturn' AND r.rolsuper")"
check "the event triggers still work: a table is dropped" "ok" \
    "$(state cbr_trust_b $owner 'CREATE TABLE plant.t (x int); DROP TABLE plant.t')"

# 3. a schema that is not empty, or lets another role create in it
q cbr_trust_c -c "CREATE SCHEMA cbreturn AUTHORIZATION $owner"
# an overload beside one of cbreturn's names, ready to catch a call
q cbr_trust_c -c "SET ROLE $owner; CREATE FUNCTION cbreturn._quantity_after_drop(anyarray) RETURNS void LANGUAGE sql AS \$\$ SELECT \$\$"
check "a schema holding another role's function is refused" "42501" "$(state cbr_trust_c '' 'CREATE EXTENSION cbreturn')"
check "and nothing is installed" "0|1" \
    "$(q cbr_trust_c -c "SELECT (SELECT count(*) FROM pg_extension WHERE extname = 'cbreturn') || '|' || (SELECT count(*) FROM pg_proc WHERE pronamespace = 'cbreturn'::regnamespace)")"
msg=$(psql -X -q -d cbr_trust_c -c 'CREATE EXTENSION cbreturn' 2>&1 || true)
check "the message names the object" "1" "$(printf '%s\n' "$msg" | grep -c '_quantity_after_drop(anyarray)' || true)"
q cbr_trust_d -c "CREATE SCHEMA cbreturn; GRANT CREATE ON SCHEMA cbreturn TO $owner"
check "a schema in which another role may create is refused" "42501" "$(state cbr_trust_d '' 'CREATE EXTENSION cbreturn')"
q cbr_trust_d -c "REVOKE CREATE ON SCHEMA cbreturn FROM $owner"
check "once revoked, the install goes through" "ok" "$(state cbr_trust_d '' 'CREATE EXTENSION cbreturn')"

# 4. the event triggers are the superuser's
check "the database owner cannot disable an event trigger" "42501" \
    "$(state cbr_trust_b $owner 'ALTER EVENT TRIGGER cbreturn_follow_drop DISABLE')"
check "nor replace its function" "42501" \
    "$(state cbr_trust_b $owner 'CREATE OR REPLACE FUNCTION cbreturn._follow_drop() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$')"
check "nor call the SECURITY DEFINER functions directly" "42501" \
    "$(state cbr_trust_b $owner 'SELECT cbreturn._quantity_rebuild_worker(NULL, NULL)')"

# 5. the update from 0.2.0
if [ -n "${CBRETURN_SHAREDIR:-}" ] && [ -f sql/releases/cbreturn--0.2.0.sql ]; then
    cp sql/releases/cbreturn--0.2.0.sql "$CBRETURN_SHAREDIR/extension/"
    q cbr_trust_e -c "CREATE SCHEMA cbreturn AUTHORIZATION $owner"
    PGOPTIONS='-c check_function_bodies=off' q cbr_trust_e -c "CREATE EXTENSION cbreturn VERSION '0.2.0'"
    check "0.2.0 left a schema made for another role with that role" "$owner" \
        "$(q cbr_trust_e -c "SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'cbreturn'")"
    check "the update goes through" "ok" "$(state cbr_trust_e '' 'ALTER EXTENSION cbreturn UPDATE')"
    check "and the schema now belongs to the superuser" "t" \
        "$(q cbr_trust_e -c "SELECT r.rolsuper FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = 'cbreturn'")"
    check "its former owner cannot rename it any more" "42501" "$(state cbr_trust_e $owner 'ALTER SCHEMA cbreturn RENAME TO cbreturn_old')"
    q cbr_trust_f -c "CREATE SCHEMA cbreturn; GRANT CREATE ON SCHEMA cbreturn TO $owner"
    PGOPTIONS='-c check_function_bodies=off' q cbr_trust_f -c "CREATE EXTENSION cbreturn VERSION '0.2.0'"
    check "the update is refused while another role may create in the schema" "42501" \
        "$(state cbr_trust_f '' 'ALTER EXTENSION cbreturn UPDATE')"
    check "and leaves the extension at 0.2.0" "0.2.0" \
        "$(q cbr_trust_f -c "SELECT extversion FROM pg_extension WHERE extname = 'cbreturn'")"
else
    printf 'not ok - CBRETURN_SHAREDIR is not set or 0.2.0 is not frozen (run through test/run)\n'
    failures=$((failures + 1))
fi

[ "$failures" -eq 0 ]
