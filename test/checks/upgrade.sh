#!/usr/bin/env bash
# Release hygiene: the version is the same in cbreturn.control, META.json and
# CHANGELOG.md, and every earlier release frozen in sql/releases/ upgrades to
# the current version (through sql/upgrade/ scripts) with exactly the schema
# a fresh install has.  See docs/architecture.md, "Releases and upgrades".
set -euo pipefail
cd "$(dirname "$0")/../.."

v=$(sed -n "s/^default_version = '\(.*\)'/\1/p" cbreturn.control)
fail() { echo "FAIL: $*"; exit 1; }

[ -n "$v" ] || fail "no default_version in cbreturn.control"
n=$(grep -c "\"version\": \"$v\"" META.json || true)
[ "$n" -ge 2 ] || fail "META.json does not give version $v for the distribution and for the extension"
grep -q "^## \[$v\]" CHANGELOG.md || fail "CHANGELOG.md has no section for $v"
echo "ok: version $v agrees in cbreturn.control, META.json and CHANGELOG.md"

schema_of() {
    pg_dump --schema-only --schema=cbreturn --no-owner "$1" |
        grep -v '^--' | grep -v '^$' | grep -v '^SET \|^SELECT pg_catalog.set_config' |
        grep -Ev '^\\(un)?restrict '
}

shopt -s nullglob
releases=(sql/releases/cbreturn--*.sql)
if [ ${#releases[@]} = 0 ]; then
    echo "ok: $v is the first release; no upgrade path to check yet"
    exit 0
fi
[ -n "${CBRETURN_SHAREDIR:-}" ] || fail "CBRETURN_SHAREDIR is not set (run through test/run)"
psql -X -q -v ON_ERROR_STOP=1 -c 'DROP DATABASE IF EXISTS cbreturn_upgrade_fresh' \
     -c 'CREATE DATABASE cbreturn_upgrade_fresh'
psql -X -q -v ON_ERROR_STOP=1 -d cbreturn_upgrade_fresh -c 'CREATE EXTENSION cbreturn'
fresh=$(schema_of cbreturn_upgrade_fresh)
# pg_dump leaves the extension's own objects out: compare them in the catalogs
catalog_of() { psql -X -At -v ON_ERROR_STOP=1 -d "$1" -f test/checks/extension_catalog.sql; }
fresh_catalog=$(catalog_of cbreturn_upgrade_fresh)
[ "$(echo "$fresh_catalog" | wc -l)" -gt 500 ] || fail "the catalog listing of a fresh install is short: $(echo "$fresh_catalog" | wc -l) lines"
for r in "${releases[@]}"; do
    old=$(basename "$r" .sql); old=${old#cbreturn--}
    [ "$old" = "$v" ] && continue
    cp "$r" "$CBRETURN_SHAREDIR/extension/"
    db=cbreturn_upgrade_from_${old//./_}
    psql -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    # As on a server where the new module replaced the old one before the
    # UPDATE: the old script's C functions may name symbols the new module
    # renamed, which the UPDATE script re-points.
    PGOPTIONS='-c check_function_bodies=off' \
        psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION cbreturn VERSION '$old'"
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'ALTER EXTENSION cbreturn UPDATE'
    got=$(psql -X -At -d "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'cbreturn'")
    [ "$got" = "$v" ] || fail "upgrade from $old ended at version $got, not $v"
    if ! diff <(echo "$fresh") <(schema_of "$db") >/dev/null; then
        diff <(echo "$fresh") <(schema_of "$db") | head -40
        fail "upgrade from $old does not give the schema of a fresh $v install"
    fi
    if ! diff <(echo "$fresh_catalog") <(catalog_of "$db") >/dev/null; then
        diff <(echo "$fresh_catalog") <(catalog_of "$db") | head -40
        fail "upgrade from $old does not give the catalog objects of a fresh $v install"
    fi
    # shipped reference data the upgrade scripts rewrite (pilot data, R-EX-5)
    districts_of() { psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c 'SELECT d FROM cbreturn.districts d ORDER BY code'; }
    if ! diff <(districts_of cbreturn_upgrade_fresh) <(districts_of "$db") >/dev/null; then
        diff <(districts_of cbreturn_upgrade_fresh) <(districts_of "$db") | head -20
        fail "upgrade from $old does not give the districts of a fresh $v install"
    fi
    echo "ok: $old upgrades to $v with the schema of a fresh install ($(echo "$fresh_catalog" | wc -l) catalog objects compared)"
done
