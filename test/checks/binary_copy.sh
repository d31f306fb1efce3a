#!/usr/bin/env bash
# Binary I/O of the identifier types (R-ID-1, R-ID-2, R-ID-3), end to end:
#   1. COPY ... (FORMAT binary) out and back in gives the same rows;
#   2. the wire format is the documented one (declaration_id: the packed
#      int64 of src/cbreturn.h; customs_code and supervision_code: int2);
#   3. binary values that text input would reject are rejected by the
#      receive functions with SQLSTATE 22P03, naming the type.
# Runs against the cluster named by PGHOST/PGPORT (test/run starts one).
set -euo pipefail

db=cbreturn_binary_copy
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT
failures=0

q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" "$@"; }
check() {   # check DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        printf 'ok - %s\n' "$1"
    else
        printf 'not ok - %s\n#   expected: %s\n#   got:      %s\n' "$1" "$2" "$3"
        failures=$((failures + 1))
    fi
}
# A binary COPY file with one row of one field holding the bytes given in hex.
binary_file() {   # binary_file FILE HEX
    local hex=$2 len
    len=$(( ${#hex} / 2 ))
    {
        printf 'PGCOPY\n\377\r\n\0'          # signature
        printf '\0\0\0\0\0\0\0\0'            # flags, header extension length
        printf '\0\1'                        # one field
        printf "$(printf '%08x' "$len" | sed 's/../\\x&/g')"
        printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')"
        printf '\377\377'                    # trailer
    } > "$1"
}

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db"
q <<'SQL'
CREATE EXTENSION cbreturn;
CREATE TABLE ids (n integer, id cbreturn.declaration_id, office cbreturn.customs_code, regime cbreturn.supervision_code);
INSERT INTO ids
SELECT i, cbreturn.declaration_id(lpad(((i * 7919) % 10000)::text, 4, '0')::cbreturn.customs_code,
                                  1980 + i % 120, (ARRAY['0', '1', 'E', 'I'])[1 + i % 4], (i * 104729) % 1000000000),
       lpad(((i * 7919) % 10000)::text, 4, '0'), (ARRAY['9610', '1210', '1239', '9710', '9810', '0110'])[1 + i % 6]
  FROM generate_series(1, 5000) AS i;
INSERT INTO ids VALUES (0, '000019800000000000', '0000', '0000'),
                       (-1, '99992099I999999999', '9999', '9999'),
                       (-2, '29242020I439440284', '2924', '9610'),
                       (-3, NULL, NULL, NULL);
CREATE TABLE ids_back (LIKE ids);
CREATE TABLE one_id (id cbreturn.declaration_id);
CREATE TABLE one_code (c cbreturn.customs_code);
CREATE TABLE one_regime (s cbreturn.supervision_code);
SQL

# 1. Round trip.
q -c "\\copy ids TO '$work/ids.bin' (FORMAT binary)"
q -c "\\copy ids_back FROM '$work/ids.bin' (FORMAT binary)"
check "binary COPY round trip: same row count (5004)" "5004" "$(q -c 'SELECT count(*) FROM ids_back')"
check "binary COPY round trip: no row differs in either direction" "0" \
      "$(q -c 'SELECT count(*) FROM ((TABLE ids EXCEPT ALL TABLE ids_back) UNION ALL (TABLE ids_back EXCEPT ALL TABLE ids)) d')"
check "binary COPY round trip: NULLs stay NULL" "1" \
      "$(q -c 'SELECT count(*) FROM ids_back WHERE id IS NULL AND office IS NULL AND regime IS NULL')"

# 2. Wire format: the file's bytes for the R-ID-1 example are the packed int64
#    ((2924 * 10000 + 2020) * 4 + 3) * 10^9 + 439440284, then int2 2924 and 9610.
q -c "\\copy (SELECT id, office, regime FROM ids WHERE n = -2) TO '$work/one.bin' (FORMAT binary)"
packed=$(printf '%016x' $(( ((2924 * 10000 + 2020) * 4 + 3) * 1000000000 + 439440284 )))
expected="0003""00000008${packed}""00000002$(printf '%04x' 2924)""00000002$(printf '%04x' 9610)"
actual=$(od -An -v -tx1 "$work/one.bin" | tr -d ' \n' | cut -c39-$((38 + ${#expected})))
check "wire format of 29242020I439440284 / 2924 / 9610 is int8 $packed, int2, int2" "$expected" "$actual"

# A hand-made file with a valid value is accepted too (receive is not just
# the inverse of send for values send produced).
binary_file "$work/good.bin" "$packed"
q -c "\\copy one_id FROM '$work/good.bin' (FORMAT binary)"
check "a hand-made binary 29242020I439440284 is read back" "29242020I439440284" "$(q -c 'SELECT id FROM one_id')"

# 3. Corrupt values: each is rejected with 22P03 and a message naming the type.
reject() {   # reject DESCRIPTION TABLE HEX EXPECTED-MESSAGE-PART
    local out
    binary_file "$work/bad.bin" "$3"
    out=$(psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$db" \
               -c "\\copy $2 FROM '$work/bad.bin' (FORMAT binary)" 2>&1 || true)
    if grep -Eq "ERROR:  22P03: .*($4)" <<<"$out"; then
        printf 'ok - %s rejected with 22P03\n' "$1"
    else
        printf 'not ok - %s: expected 22P03 and "%s", got:\n%s\n' "$1" "$4" "$out"
        failures=$((failures + 1))
    fi
}
year1979=$(printf '%016x' $(( ((2924 * 10000 + 1979) * 4 + 3) * 1000000000 + 439440284 )))
year2100=$(printf '%016x' $(( ((2924 * 10000 + 2100) * 4 + 0) * 1000000000 )))
code10000=$(printf '%016x' $(( ((10000 * 10000 + 2020) * 4 + 0) * 1000000000 )))
reject "declaration_id with year 1979"          one_id "$year1979"        "invalid binary value for type declaration_id"
reject "declaration_id with year 2100"          one_id "$year2100"        "invalid binary value for type declaration_id"
reject "declaration_id with customs code 10000" one_id "$code10000"       "invalid binary value for type declaration_id"
reject "declaration_id -1"                      one_id "ffffffffffffffff" "invalid binary value for type declaration_id"
reject "declaration_id of 4 bytes, not 8"       one_id "0b6c2710"         "invalid binary value for type declaration_id: 4 bytes instead of 8"
reject "declaration_id of 9 bytes"              one_id "${packed}00"      "incorrect binary data format"
reject "customs_code 10000"                     one_code "2710"           "invalid binary value for type customs_code"
reject "customs_code -1"                        one_code "ffff"           "invalid binary value for type customs_code"
reject "customs_code of 1 byte"                 one_code "0b"             "invalid binary value for type customs_code: 1 bytes instead of 2"
reject "supervision_code 32767"                 one_regime "7fff"         "invalid binary value for type supervision_code"
check "nothing corrupt was stored" "1 0 0" \
      "$(q -c 'SELECT (SELECT count(*) FROM one_id), (SELECT count(*) FROM one_code), (SELECT count(*) FROM one_regime)' | tr '|' ' ')"

if [ "$failures" -ne 0 ]; then
    printf '%d binary I/O assertion(s) failed\n' "$failures"
    exit 1
fi
