#!/usr/bin/env bash
# The registers and cbreturn.uscc outside one session (R-EX-4, R-EX-6, R-IM-5):
#   1. pg_dump / restore (custom archive and plain script) keeps every row a
#      DBA put in the four registers, and a user table keyed by uscc with
#      its index; the lookups answer the same after the restore;
#   2. binary COPY of uscc round-trips, the wire format is the 18 ASCII
#      characters, and the receive function rejects what text input rejects
#      with SQLSTATE 22P03.
# Runs against the cluster named by PGHOST/PGPORT (test/run starts one).
set -euo pipefail

src=cbreturn_reg_src
work=$(mktemp -d)
dbs=("$src" cbreturn_reg_custom cbreturn_reg_plain)
cleanup() {
    rm -rf "$work"
    for d in "${dbs[@]}"; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
failures=0

q() { local d=$1; shift; psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$d" "$@"; }
check() {   # check DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        printf 'ok - %s\n' "$1"
    else
        printf 'not ok - %s\n#   expected: %s\n#   got:      %s\n' "$1" "$2" "$3"
        failures=$((failures + 1))
    fi
}
binary_file() {   # binary_file FILE HEX: a binary COPY file, one row, one field
    local hex=$2 len
    len=$(( ${#hex} / 2 ))
    {
        printf 'PGCOPY\n\377\r\n\0'
        printf '\0\0\0\0\0\0\0\0'
        printf '\0\1'
        printf "$(printf '%08x' "$len" | sed 's/../\\x&/g')"
        printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')"
        printf '\377\377'
    } > "$1"
}

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $src"
q "$src" <<'SQL'
CREATE EXTENSION cbreturn;
INSERT INTO cbreturn.applicants VALUES
    ('91310000MAEXAMP05P', '4403960001', 'Test exporter A', '2024-01-01', '2025-06-30', NULL),
    ('91330100MAEXAMP01Q', '3301960002', 'Test exporter B', '2025-03-01', NULL, 'note');
INSERT INTO cbreturn.return_sites VALUES
    ('SITE-HZ-01', '2924', 'bonded_warehouse', 'Test bonded warehouse', '2024-12-15', NULL, NULL);
INSERT INTO cbreturn.return_warehouses VALUES
    ('RCW-HZ-1', 'Hangzhou Comprehensive Bonded Zone', '2991', '91440300MAEXAMP021', 'Test return centre',
     true, true, true, '2025-01-01', NULL, NULL);
INSERT INTO cbreturn.operator_credit_ratings VALUES
    ('91440300MAEXAMP021', 'general', '2024-01-01', NULL),
    ('91440300MAEXAMP021', 'discredited', '2025-08-01', NULL);
INSERT INTO cbreturn.import_agents VALUES
    ('3101960001', '91310000MAEXAMP05P', 'domestic_agent', 'Test domestic agent', '2024-01-01', NULL, NULL);
CREATE TABLE public.firms (id cbreturn.uscc PRIMARY KEY, name text);
INSERT INTO public.firms VALUES ('914403001922038216', 'A'), ('91330100799655058B', 'B'),
                                ('91440300192317458F', 'C'), ('91110108551385082Q', 'D');
CREATE TABLE public.one_uscc (u cbreturn.uscc);
SQL

answers() {
    q "$1" -c "SET search_path = public, cbreturn" -c "
        SELECT concat_ws(',', applicant_registered('91310000MAEXAMP05P', '2025-01-01'),
                         applicant_registered('91310000MAEXAMP05P', '2025-07-01'),
                         return_site_authorised('SITE-HZ-01', '2924', '2025-01-01'),
                         return_warehouse_ok('RCW-HZ-1', '2025-07-31'),
                         return_warehouse_ok('RCW-HZ-1', '2025-08-01'),
                         import_applicant_allowed('3101960001', '91310000MAEXAMP05P', '2025-01-01'))"
}
check "lookups in the source database" "t,f,t,t,f,t" "$(answers "$src")"

pg_dump -Fc -d "$src" -f "$work/dump.custom"
pg_dump -Fp -d "$src" -f "$work/dump.sql"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE cbreturn_reg_custom" -c "CREATE DATABASE cbreturn_reg_plain"
pg_restore --exit-on-error -d cbreturn_reg_custom "$work/dump.custom"
psql -X -q -v ON_ERROR_STOP=1 -d cbreturn_reg_plain -f "$work/dump.sql" >/dev/null

for db in cbreturn_reg_custom cbreturn_reg_plain; do
    how=${db#cbreturn_reg_}
    check "[$how] register rows restored, each once" "2|1|1|2|1" \
          "$(q "$db" -c "SELECT (SELECT count(*) FROM cbreturn.applicants), (SELECT count(*) FROM cbreturn.return_sites),
                                (SELECT count(*) FROM cbreturn.return_warehouses), (SELECT count(*) FROM cbreturn.operator_credit_ratings),
                                (SELECT count(*) FROM cbreturn.import_agents)")"
    check "[$how] lookups answer as in the source" "t,f,t,t,f,t" "$(answers "$db")"
    check "[$how] user table keyed by uscc restored with a valid index" "4|t" \
          "$(q "$db" -c "SELECT (SELECT count(*) FROM public.firms), (SELECT bool_and(indisvalid) FROM pg_index WHERE indrelid = 'public.firms'::regclass)")"
done

# Binary COPY.
q "$src" -c "\\copy public.firms TO '$work/firms.bin' (FORMAT binary)"
q "$src" -c "CREATE TABLE public.firms_back (LIKE public.firms)"
q "$src" -c "\\copy public.firms_back FROM '$work/firms.bin' (FORMAT binary)"
check "binary COPY round trip" "4" \
      "$(q "$src" -c "SELECT count(*) FROM public.firms f JOIN public.firms_back b ON b.id OPERATOR(cbreturn.=) f.id AND b.name = f.name")"
check "wire format: the 18 ASCII characters" \
      "$(printf '914403001922038216' | od -An -tx1 | tr -d ' \n')" \
      "$(q "$src" -c "SELECT encode(cbreturn.uscc_send('914403001922038216'), 'hex')")"

binary_file "$work/good.bin" "$(printf '91330100799655058b' | od -An -tx1 | tr -d ' \n')"
q "$src" -c "\\copy public.one_uscc FROM '$work/good.bin' (FORMAT binary)"
check "binary receive takes lower case like text input" "91330100799655058B" \
      "$(q "$src" -c "SELECT u FROM public.one_uscc")"

bad() {   # bad DESCRIPTION HEX EXPECTED-MESSAGE-PART
    local out
    binary_file "$work/bad.bin" "$2"
    out=$(psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$src" \
               -c "\\set VERBOSITY verbose" -c "\\copy public.one_uscc FROM '$work/bad.bin' (FORMAT binary)" 2>&1 || true)
    if grep -q "22P03" <<<"$out" && grep -qF "$3" <<<"$out"; then
        printf 'ok - %s\n' "$1"
    else
        printf 'not ok - %s\n#   got: %s\n' "$1" "$out"
        failures=$((failures + 1))
    fi
}
hex_of() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
bad "receive: wrong check character is 22P03" "$(hex_of 914403001922038217)" 'expected "6"'
bad "receive: I is 22P03" "$(hex_of 9I4403001922038216)" 'character 2 is "I"'
bad "receive: 17 bytes is 22P03" "$(hex_of 91440300192203821)" "17 bytes instead of 18"
bad "receive: surrounding space is not trimmed (19 bytes)" "$(hex_of ' 914403001922038216')" "19 bytes instead of 18"
bad "receive: a NUL byte is 22P03" "$(hex_of 91440300192203821)00" "byte 18 is not a code character"

if [ "$failures" -ne 0 ]; then
    printf '%d register/uscc I/O assertion(s) failed\n' "$failures"
    exit 1
fi
