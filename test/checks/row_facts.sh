#!/usr/bin/env bash
# Row facts across pg_dump/restore and ALTER EXTENSION UPDATE (R-V-1, R-T-1;
# docs/enforcement.md, "How a check reads a row"):
#   1. a DBA's edits of cbreturn.reason_labels (a new label, a shipped label
#      withdrawn, a shipped label replaced by one of the same key) survive
#      pg_dump and restore, once each, still not shipped, and the restored
#      export check reads them; a timestamptz check is restored with its
#      cbreturn.china_date() WHEN clause and still reads China dates;
#   2. an export check with a text reason attached under 0.2.0 keeps
#      refusing what 0.2.0 refused while the new module runs the old schema,
#      and reads the Chinese labels once ALTER EXTENSION UPDATE has run.
set -euo pipefail
cd "$(dirname "$0")/../.."
src=cbreturn_facts_src
dst=cbreturn_facts_dst
old=cbreturn_facts_old
work=$(mktemp -d)
cleanup() {
    rm -rf "$work"
    for d in $src $dst $old; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true; done
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
state() {   # state DB SQL: the SQLSTATE of a statement, or ok
    q "$1" -c "DO \$\$ BEGIN $2; RAISE NOTICE 'state=ok'; EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'state=%', SQLSTATE; END \$\$" 2>&1 |
        sed -n 's/.*state=\([A-Za-z0-9]*\).*/\1/p'
}

# --- 1. dump and restore --------------------------------------------------
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst"
q $src <<'SQL'
CREATE EXTENSION cbreturn;
INSERT INTO cbreturn.reason_labels (label, reason) VALUES ('清仓', 'unsold');
UPDATE cbreturn.reason_labels SET reason = NULL WHERE label = '规格';
DELETE FROM cbreturn.reason_labels WHERE label = 'THTY';
INSERT INTO cbreturn.reason_labels (label, reason) VALUES ('thty', 'consumer_return');
CREATE TABLE public.ret (id int PRIMARY KEY, cleared_at timestamptz, why text, back_at timestamptz, memo text);
SELECT cbreturn.attach_export_return_checks('public.ret', exported_on => 'cleared_at', reason => 'why',
                                            returned_on => 'back_at', remarks => 'memo');
INSERT INTO public.ret VALUES (1, '2026-03-01 10:00+08', '清仓', '2026-09-01 23:30+08', 'ZXTY');
SQL
pg_dump -Fc -f "$work/src.dump" $src
pg_restore -d $dst "$work/src.dump"
check "the edits are restored once each, not shipped" \
    "thty|consumer_return|false,清仓|unsold|false,规格||false" \
    "$(q $dst -c "SELECT string_agg(label || '|' || coalesce(reason::text, '') || '|' || shipped, ',' ORDER BY label COLLATE \"C\") FROM cbreturn.reason_labels WHERE NOT shipped")"
check "no shipped row beside an edit of the same key (19 shipped, 1 added)" "20 1" \
    "$(q $dst -c "SELECT count(*) || ' ' || count(*) FILTER (WHERE cbreturn.reason_label_key(label) = 'thty') FROM cbreturn.reason_labels")"
check "the restored check reads a label added by the DBA" ok \
    "$(state $dst "SET TimeZone = 'UTC'; INSERT INTO public.ret VALUES (2, '2026-03-01 10:00+08', '清仓', '2026-09-01 15:30+00', 'ZXTY')")"
check "a label withdrawn by the DBA is refused after restore" CB013 \
    "$(state $dst "INSERT INTO public.ret VALUES (3, '2026-03-01 10:00+08', '规格', '2026-09-01 10:00+08', 'PGTY')")"
check "the restored WHEN clause reads China dates (00:30 in Beijing, 16:30 UTC the day before, is late)" CB001 \
    "$(state $dst "SET TimeZone = 'UTC'; INSERT INTO public.ret VALUES (4, '2026-03-01 10:00+08', '清仓', '2026-09-01 16:30+00', 'ZXTY')")"
check "the restored trigger passes cbreturn.china_date()" 1 \
    "$(q $dst -c "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.ret'::regclass AND pg_get_triggerdef(oid) LIKE '%cbreturn.china_date(new.back_at)%'")"

# --- 2. a 0.2.0 check across the new module and ALTER EXTENSION UPDATE -----
[ -n "${CBRETURN_SHAREDIR:-}" ] || { echo "not ok - CBRETURN_SHAREDIR is not set (run through test/run)"; exit 1; }
cp sql/releases/cbreturn--0.2.0.sql "$CBRETURN_SHAREDIR/extension/"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $old"
PGOPTIONS='-c check_function_bodies=off' q $old -c "CREATE EXTENSION cbreturn VERSION '0.2.0'"
q $old <<'SQL'
CREATE TABLE public.ret (id int PRIMARY KEY, cleared date, why text, back date, memo text);
SELECT cbreturn.attach_export_return_checks('public.ret', exported_on => 'cleared', reason => 'why',
                                            returned_on => 'back', remarks => 'memo');
SQL
check "0.2.0 schema, new module: an enum label is read" ok \
    "$(state $old "INSERT INTO public.ret VALUES (1, '2026-03-01', 'unsold', '2026-09-01', 'ZXTY')")"
check "0.2.0 schema, new module: a late return is refused" CB001 \
    "$(state $old "INSERT INTO public.ret VALUES (2, '2026-03-01', 'unsold', '2026-09-02', 'ZXTY')")"
check "0.2.0 schema, new module: a label 0.2.0 did not know is refused, not let through" CB013 \
    "$(state $old "INSERT INTO public.ret VALUES (3, '2026-03-01', '滞销', '2026-09-01', 'ZXTY')")"
q $old -c 'ALTER EXTENSION cbreturn UPDATE'
check "after the update the same session-less check reads 滞销" ok \
    "$(state $old "INSERT INTO public.ret VALUES (3, '2026-03-01', '滞销', '2026-09-01', 'ZXTY')")"
check "after the update 品质 has 12 months" ok \
    "$(state $old "INSERT INTO public.ret VALUES (4, '2026-03-01', '品质', '2027-03-01', 'PGTY')")"
check "after the update an unknown label is CB013" CB013 \
    "$(state $old "INSERT INTO public.ret VALUES (5, '2026-03-01', '坏了', '2026-05-01', 'ZXTY')")"
# one session across the update: the labels it cached from the enum are read again
check "one session across the update sees the new table" "CB013 ok" \
    "$(q $old <<'SQL' 2>&1 | sed -n 's/.*state=\([A-Za-z0-9]*\).*/\1/p' | tr '\n' ' ' | sed 's/ $//'
DROP EXTENSION cbreturn CASCADE;
SET client_min_messages = notice;
SET check_function_bodies = off;
CREATE EXTENSION cbreturn VERSION '0.2.0';
CREATE TABLE public.ret2 (id int PRIMARY KEY, cleared date, why text, back date, memo text);
SELECT cbreturn.attach_export_return_checks('public.ret2', exported_on => 'cleared', reason => 'why',
                                            returned_on => 'back', remarks => 'memo');
DO $$ BEGIN INSERT INTO public.ret2 VALUES (1, '2026-03-01', '退货', '2026-09-01', 'THTY'); RAISE NOTICE 'state=ok';
      EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'state=%', SQLSTATE; END $$;
ALTER EXTENSION cbreturn UPDATE;
DO $$ BEGIN INSERT INTO public.ret2 VALUES (1, '2026-03-01', '退货', '2026-09-01', 'THTY'); RAISE NOTICE 'state=ok';
      EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'state=%', SQLSTATE; END $$;
SQL
)"
[ $failures = 0 ]
