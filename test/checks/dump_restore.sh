#!/usr/bin/env bash
# pg_dump and restore keep a DBA's edits of the reference tables and the data
# of user tables that use the identifier types (docs/reference-data.md).
#
# In the source database a DBA: sets a pilot date on a shipped district
# (R-EX-5 data), corrects a supervision code's confidence, adds a district,
# deletes a shipped district (the documented wrong way to withdraw a row),
# and keeps an ERP table of declarations with a btree index.  The dump is
# restored into a fresh database, both as a custom-format archive
# (pg_restore) and as a plain SQL script (psql), and the script asserts:
#   - the edited rows are the edited versions, once each (no duplicate key,
#     no shipped copy beside the edit), and are still marked not shipped;
#   - the added district is there; the deleted shipped district is back
#     (a dump does not record deletions; update rows instead);
#   - the user table's rows are identical, its index exists and is valid.
# Runs against the cluster named by PGHOST/PGPORT (test/run starts one).
set -euo pipefail

src=cbreturn_dump_src
work=$(mktemp -d)
dbs=("$src" cbreturn_dump_custom cbreturn_dump_plain)
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

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $src"
q "$src" <<'SQL'
CREATE EXTENSION cbreturn;
SET datestyle = 'ISO, YMD';
SET search_path = public, cbreturn;     -- the types' operators (docs/types.md)
-- The DBA's edits.
UPDATE cbreturn.districts SET cross_return_pilot_from = '2025-06-01', confidence = 'M' WHERE code = '43';
UPDATE cbreturn.supervision_codes SET confidence = 'M' WHERE code = '1239';
INSERT INTO cbreturn.districts (code, name_zh, name_en, confidence) VALUES ('98', '测试关', 'Test district', 'U');
DELETE FROM cbreturn.districts WHERE code = '06';
-- An ERP table using the types.
CREATE TABLE public.export_lists (
    id      cbreturn.declaration_id PRIMARY KEY,
    office  cbreturn.customs_code NOT NULL,
    regime  cbreturn.supervision_code NOT NULL,
    cleared date NOT NULL
);
CREATE INDEX export_lists_office ON public.export_lists (office, id);
INSERT INTO public.export_lists
SELECT cbreturn.declaration_id(o::cbreturn.customs_code, 2025, 'E', i), o::cbreturn.customs_code,
       (ARRAY['9610', '9710', '9810', '1210'])[1 + i % 4]::cbreturn.supervision_code,
       date '2025-01-01' + i % 365
  FROM generate_series(1, 3000) AS i,
       LATERAL (SELECT (ARRAY['2924', '5316', '0202', '4301'])[1 + i % 4] AS o) AS x;
SQL

snapshot() {   # the user table and reference tables as one text, for comparison
    q "$1" -c "SET datestyle = 'ISO, YMD'" -c "
        SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM public.export_lists AS t"
}
src_rows=$(snapshot "$src")

pg_dump -Fc -d "$src" -f "$work/dump.custom"
pg_dump -Fp -d "$src" -f "$work/dump.sql"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE cbreturn_dump_custom" -c "CREATE DATABASE cbreturn_dump_plain"
pg_restore --exit-on-error -d cbreturn_dump_custom "$work/dump.custom"
psql -X -q -v ON_ERROR_STOP=1 -d cbreturn_dump_plain -f "$work/dump.sql" >/dev/null

for db in cbreturn_dump_custom cbreturn_dump_plain; do
    how=${db#cbreturn_dump_}
    r() { q "$db" -c "SET datestyle = 'ISO, YMD'" -c "SET search_path = public, cbreturn" -c "$1"; }
    check "[$how] district 43 keeps the DBA's pilot date and confidence, and is not shipped" \
          "2025-06-01|M|f" "$(r "SELECT cross_return_pilot_from, confidence, shipped FROM cbreturn.districts WHERE code = '43'")"
    check "[$how] supervision code 1239 keeps the DBA's confidence" \
          "M|f" "$(r "SELECT confidence, shipped FROM cbreturn.supervision_codes WHERE code = '1239'")"
    check "[$how] the added district 98 is there" \
          "Test district|f" "$(r "SELECT name_en, shipped FROM cbreturn.districts WHERE code = '98'")"
    check "[$how] the deleted shipped district 06 is back, as documented" \
          "Manzhouli|t" "$(r "SELECT name_en, shipped FROM cbreturn.districts WHERE code = '06'")"
    check "[$how] districts: 43 shipped codes + 1 added, each once" \
          "44|44" "$(r "SELECT count(*), count(DISTINCT code) FROM cbreturn.districts")"
    check "[$how] supervision_codes: 8 codes, each once" \
          "8|8" "$(r "SELECT count(*), count(DISTINCT code) FROM cbreturn.supervision_codes")"
    check "[$how] untouched rows are still shipped (43 - the edited 43 = 42 districts, 8 - the edited 1239 = 7 codes)" \
          "42|7" "$(r "SELECT (SELECT count(*) FROM cbreturn.districts WHERE shipped), (SELECT count(*) FROM cbreturn.supervision_codes WHERE shipped)")"
    check "[$how] export_lists: 3000 rows, identical to the source" \
          "3000 $src_rows" "$(r "SELECT count(*) FROM public.export_lists") $(snapshot "$db")"
    check "[$how] export_lists indexes exist and are valid" \
          "export_lists_office|true export_lists_pkey|true" \
          "$(r "SELECT string_agg(c.relname || '|' || i.indisvalid, ' ' ORDER BY c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'public.export_lists'::regclass")"
    check "[$how] the restored btree index answers an equality lookup" \
          "Index Scan using export_lists_pkey on export_lists" \
          "$(r "SET enable_seqscan = off; SET enable_bitmapscan = off; EXPLAIN (COSTS OFF) SELECT * FROM public.export_lists WHERE id = '29242025E000000004'" | head -1 | sed 's/^ *//')"
done

if [ "$failures" -ne 0 ]; then
    printf '%d dump/restore assertion(s) failed\n' "$failures"
    exit 1
fi
