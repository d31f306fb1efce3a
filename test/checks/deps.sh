#!/usr/bin/env bash
# The dependency check of test/run (behind `make deps`, `make demo` and
# `make test`) looks for what the build needs, not for a file that another
# package also ships: with pgxs.mk present but postgres.h absent (the client
# package installed, the server headers not) it reports the server headers
# missing, and it names the packages of the major that pg_config reports.
# Runs `test/run check-deps` against a fake pg_config in a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
status=0

# a PostgreSQL tree: bindir with postgres and pgbench, PGXS, share/extension,
# and an include directory that may or may not hold postgres.h
mkdir -p "$fake/bin" "$fake/pgxs" "$fake/include" "$fake/share/extension"
for p in postgres pgbench pg_prove; do
    printf '#!/bin/sh\nexit 0\n' >"$fake/bin/$p"
    chmod 755 "$fake/bin/$p"
done
: >"$fake/pgxs/pgxs.mk"
: >"$fake/share/extension/pgtap.control"
fake_pg_config() {   # $1: the version pg_config reports
    cat >"$fake/pg_config" <<EOF
#!/bin/sh
case "\$1" in
    --version) echo "PostgreSQL $1 (fake)" ;;
    --includedir-server) echo "$fake/include" ;;
    --pgxs) echo "$fake/pgxs/pgxs.mk" ;;
    --bindir) echo "$fake/bin" ;;
    --sharedir) echo "$fake/share" ;;
    --cc) echo "cc" ;;
    *) exit 1 ;;
esac
EOF
    chmod 755 "$fake/pg_config"
}

check() {   # $1: what is asserted; $2: expected exit code; $3: expected output (grep -x pattern or '')
    local out rc=0
    out=$(PATH="$fake/bin:$PATH" PG_CONFIG="$fake/pg_config" test/run check-deps 2>&1) || rc=$?
    if [ "$rc" != "$2" ] || ! printf '%s\n' "$out" | grep -qx -- "$3"; then
        printf 'FAIL: %s: exit %s, output:\n%s\n' "$1" "$rc" "$out"
        status=1
    else
        printf 'ok - %s\n' "$1"
    fi
}

fake_pg_config 16.4
check "postgres.h absent, pgxs.mk present: server headers reported missing" \
    1 'postgres.h (postgresql-server-dev-16)'
: >"$fake/include/postgres.h"
check "postgres.h present: nothing missing" 0 'nothing missing (PostgreSQL 16)'
rm "$fake/share/extension/pgtap.control"
fake_pg_config 18.1
check "pgTAP absent on 18: postgresql-18-pgtap reported" 1 'pgtap.control (postgresql-18-pgtap)'
: >"$fake/share/extension/pgtap.control"
rm "$fake/pgxs/pgxs.mk"
check "pgxs.mk absent: reported" 1 'pgxs.mk (postgresql-server-dev-18)'
exit $status
