#!/usr/bin/env bash
# Runs every test/checks/*.sh against the throwaway cluster test/run started
# (PGHOST etc. are set).  Each check prints what it asserts and exits
# non-zero on failure.  Checks are scripts because they need more than one
# session or a client program (pg_dump, pgbench).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
failed=0
for check in test/checks/*.sh; do
    [ -e "$check" ] || continue
    printf -- '-- %s\n' "$check"
    if ! bash "$check"; then
        printf 'not ok: %s\n' "$check"
        failed=1
    else
        printf 'ok: %s\n' "$check"
    fi
done
exit $failed
