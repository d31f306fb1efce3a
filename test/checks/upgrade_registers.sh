#!/usr/bin/env bash
# Upgrading a 0.1.0 database that holds a DBA's district edits
# (ALTER EXTENSION cbreturn UPDATE) carries the pilot data split of R-EX-5
# and creates the registers (R-EX-4, R-EX-6, R-IM-5, R-IM-7):
#   - shipped districts get their pilot confidence and source (Qingdao M,
#     Harbin H, Beijing H) and stay shipped; their code confidence is kept;
#   - a district the DBA edited keeps the edit, is still not shipped, and
#     has no pilot source (the upgrade cannot know the DBA's);
#   - the registers exist, empty, and answer lookups;
#   - from 0.2.0, shipped districts are regraded (0.3.0) and a DBA's pilot
#     edit is kept.
# Runs against the cluster test/run starts (CBRETURN_SHAREDIR set by it).
set -euo pipefail
cd "$(dirname "$0")/../.."

db=cbreturn_upgrade_registers
fail() { echo "FAIL: $*"; exit 1; }
[ -n "${CBRETURN_SHAREDIR:-}" ] || fail "CBRETURN_SHAREDIR is not set (run through test/run)"
[ -f sql/releases/cbreturn--0.1.0.sql ] || { echo "ok: no 0.1.0 release to upgrade from"; exit 0; }
cp sql/releases/cbreturn--0.1.0.sql "$CBRETURN_SHAREDIR/extension/"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" "$@"; }
failures=0
check() {   # check DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        printf 'ok - %s\n' "$1"
    else
        printf 'not ok - %s\n#   expected: %s\n#   got:      %s\n' "$1" "$2" "$3"
        failures=$((failures + 1))
    fi
}

PGOPTIONS='-c check_function_bodies=off' q -c "CREATE EXTENSION cbreturn VERSION '0.1.0'"
q -c "UPDATE cbreturn.districts SET cross_return_pilot_from = '2025-06-01', confidence = 'M' WHERE code = '43'"
q -c "ALTER EXTENSION cbreturn UPDATE"

check "Qingdao: code H, pilot M (the rules' list, named by no seed), still shipped" "H|M|t" \
      "$(q -c "SELECT confidence, pilot_confidence, shipped FROM cbreturn.districts WHERE code = '42'")"
check "Harbin: pilot H on the rules' list and seed 001" "H|GACC 2024 No. 167 (pilot from 2024-12-15), named in seed 001" \
      "$(q -c "SELECT pilot_confidence, pilot_source FROM cbreturn.districts WHERE code = '19'")"
check "Beijing: pilot H on seeds 001 and 002" "H" \
      "$(q -c "SELECT pilot_confidence FROM cbreturn.districts WHERE code = '01'")"
check "the DBA's edit of Jinan is kept, not shipped, with no pilot source" "2025-06-01|M|f||" \
      "$(q -c "SELECT cross_return_pilot_from, confidence, shipped, pilot_confidence, pilot_source FROM cbreturn.districts WHERE code = '43'")"
check "every shipped pilot district has pilot data, and no other shipped district has" "0" \
      "$(q -c "SELECT count(*) FROM cbreturn.districts WHERE shipped AND (cross_return_pilot_from IS NOT NULL) <> (pilot_confidence IS NOT NULL)")"
check "registers exist, empty" "0|0|0|0|0" \
      "$(q -c "SELECT (SELECT count(*) FROM cbreturn.applicants), (SELECT count(*) FROM cbreturn.return_sites),
                      (SELECT count(*) FROM cbreturn.return_warehouses), (SELECT count(*) FROM cbreturn.operator_credit_ratings),
                      (SELECT count(*) FROM cbreturn.import_agents)")"
check "a lookup answers after the upgrade" "f" \
      "$(q -c "SELECT cbreturn.applicant_registered('914403001922038216', '2025-01-01')")"
check "uscc input works after the upgrade" "91330100799655058B" \
      "$(q -c "SELECT '91330100799655058b'::cbreturn.uscc")"

# From 0.2.0 (the pilot grading of 0.3.0): shipped rows are regraded, a
# DBA's pilot edit of 0.2.0 is kept as the DBA wrote it.
if [ -f sql/releases/cbreturn--0.2.0.sql ]; then
    cp sql/releases/cbreturn--0.2.0.sql "$CBRETURN_SHAREDIR/extension/"
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE $db" -c "CREATE DATABASE $db"
    PGOPTIONS='-c check_function_bodies=off' q -c "CREATE EXTENSION cbreturn VERSION '0.2.0'"
    q -c "UPDATE cbreturn.districts SET pilot_confidence = 'U', pilot_source = 'DBA: not yet checked' WHERE code = '79'"
    q -c "ALTER EXTENSION cbreturn UPDATE"
    check "0.2.0: Qingdao regraded M, still shipped" "M|t" \
          "$(q -c "SELECT pilot_confidence, shipped FROM cbreturn.districts WHERE code = '42'")"
    check "0.2.0: Harbin regraded H" "H" \
          "$(q -c "SELECT pilot_confidence FROM cbreturn.districts WHERE code = '19'")"
    check "0.2.0: the DBA's pilot edit of Chengdu is kept, not shipped" "U|DBA: not yet checked|f" \
          "$(q -c "SELECT pilot_confidence, pilot_source, shipped FROM cbreturn.districts WHERE code = '79'")"
fi

if [ "$failures" -ne 0 ]; then
    printf '%d upgrade assertion(s) failed\n' "$failures"
    exit 1
fi
