#!/usr/bin/env bash
# ALTER EXTENSION cbreturn UPDATE from 0.2.0 keeps the export and import
# checks attached under 0.2.0 enforcing: their triggers' WHEN clauses call the
# short forms of _export_row_ok / _import_row_ok, which 0.3.0 keeps; a late
# return is still refused and a good one accepted, and the registers edited
# after the update are read.  Then the same tables are detached and attached
# again with the register and 1210 columns of 0.3.0 (R-EX-4, R-EX-6, R-TX-2,
# R-IM-5, R-IM-7), which refuse what the registers do not allow; and a dump
# of the updated database restores into a fresh 0.3.0 install with both kinds
# of WHEN clause working.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -n "${CBRETURN_SHAREDIR:-}" ] || { echo "FAIL: CBRETURN_SHAREDIR is not set (run through test/run)"; exit 1; }
[ -f sql/releases/cbreturn--0.2.0.sql ] || { echo "ok: no 0.2.0 release to upgrade from"; exit 0; }
db=cbreturn_upgrade_regchk
db2=cbreturn_upgrade_regchk_restored
dump=$(mktemp)
cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS $db2" >/dev/null 2>&1 || true
    rm -f "$dump"
}
trap cleanup EXIT
cleanup
cp sql/releases/cbreturn--0.2.0.sql "$CBRETURN_SHAREDIR/extension/"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db"
PGOPTIONS='-c check_function_bodies=off' \
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION cbreturn VERSION '0.2.0'"

failures=0
check() {   # check DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        printf 'ok - %s\n' "$1"
    else
        printf 'not ok - %s\n#   expected: %s\n#   got:      %s\n' "$1" "$2" "$3"
        failures=$((failures + 1))
    fi
}
sqlstate() {   # the SQLSTATE a statement ends with (00000 when it succeeds; rolled back either way)
    psql -X -q -A -t -d "$1" -c "
        CREATE FUNCTION pg_temp.s(q text) RETURNS text LANGUAGE plpgsql AS \$f\$
        BEGIN EXECUTE q; RAISE EXCEPTION USING ERRCODE = 'CBZ99';
        EXCEPTION WHEN OTHERS THEN RETURN CASE SQLSTATE WHEN 'CBZ99' THEN '00000' ELSE SQLSTATE END; END \$f\$;
        SELECT pg_temp.s(\$q\$$2\$q\$)"
}

# Checks attached under 0.2.0.
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
CREATE SCHEMA erp;
CREATE TABLE erp.exp (id int PRIMARY KEY, code text, exported date, left_on date, reason cbreturn.return_reason,
                      returned date, expo cbreturn.customs_code, reto cbreturn.customs_code, site text, agent text);
CREATE TABLE erp.imp (id int PRIMARY KEY, code text, released date, applied date, arrived date,
                      orig text, rcw text, ebc text, agent text);
SELECT cbreturn.attach_export_return_checks('erp.exp', exported_on => 'exported', reason => 'reason',
    returned_on => 'returned', supervision_code => 'code', export_office => 'expo', return_office => 'reto');
SELECT cbreturn.attach_import_return_checks('erp.imp', released_on => 'released', applied_on => 'applied',
                                            arrived_on => 'arrived');
INSERT INTO erp.exp (id, code, exported, reason, returned, expo, reto) VALUES (1, '9610', '2026-03-01', 'unsold', '2026-05-01', '2924', '2924');
SQL

psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "ALTER EXTENSION cbreturn UPDATE"
check "the update reaches 0.3.0" "0.3.0" \
      "$(psql -X -A -t -d "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'cbreturn'")"
check "the 0.2.0 triggers keep their short WHEN clauses" "8|4" \
      "$(        psql -X -A -t -d "$db" -c "SELECT string_agg(p.pronargs::text, '|' ORDER BY p.proname)
             FROM pg_depend d JOIN pg_trigger t ON d.classid = 'pg_trigger'::regclass AND d.objid = t.oid
             JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND d.refobjid = p.oid
            WHERE t.tgrelid IN ('erp.exp'::regclass, 'erp.imp'::regclass) AND p.proname LIKE '\_%row\_ok'")"
check "0.2.0 export check after the update: a late return is refused (CB001)" "CB001" \
      "$(sqlstate "$db" "INSERT INTO erp.exp (id, code, exported, reason, returned, expo, reto) VALUES (2, '9610', '2026-03-01', 'unsold', '2026-09-02', '2924', '2924')")"
check "0.2.0 export check after the update: a good return is accepted" "00000" \
      "$(sqlstate "$db" "INSERT INTO erp.exp (id, code, exported, reason, returned, expo, reto) VALUES (3, '9610', '2026-03-01', 'unsold', '2026-09-01', '2924', '2924')")"
check "0.2.0 export check after the update: R-EX-5 still decided (CB005)" "CB005" \
      "$(sqlstate "$db" "INSERT INTO erp.exp (id, code, exported, reason, returned, expo, reto) VALUES (4, '9710', '2026-03-01', 'unsold', '2026-05-01', '2924', '5141')")"
check "0.2.0 import check after the update: a late application is refused (CB001)" "CB001" \
      "$(sqlstate "$db" "INSERT INTO erp.imp (id, released, applied) VALUES (1, '2026-06-01', '2026-07-02')")"
check "0.2.0 import check after the update: a timely one is accepted" "00000" \
      "$(sqlstate "$db" "INSERT INTO erp.imp (id, released, applied) VALUES (2, '2026-06-01', '2026-07-01')")"

# Attached again with the columns of 0.3.0, against registers filled after the update.
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
INSERT INTO cbreturn.applicants VALUES ('91330100799655058B', '3301960002', 'Test exporter', '2025-01-01', '2026-06-30', NULL);
INSERT INTO cbreturn.return_sites VALUES ('SITE-GZ-07', '5141', 'marketplace_site', 'Test site', '2024-12-15', NULL, NULL);
INSERT INTO cbreturn.return_warehouses VALUES ('RCW-1', 'HZ-CBZ', '2991', '91440300192317458F', 'Test return centre',
                                               true, true, true, '2025-01-01', NULL, NULL);
INSERT INTO cbreturn.operator_credit_ratings VALUES ('91440300192317458F', 'discredited', '2026-06-10', NULL);
INSERT INTO cbreturn.import_agents VALUES ('3101W60001', '91330100799655058B', 'domestic_agent', 'Test agent', '2025-01-01', NULL, NULL);
SELECT cbreturn.detach('erp.exp');
SELECT cbreturn.detach('erp.imp');
SELECT cbreturn.attach_export_return_checks('erp.exp', exported_on => 'exported', reason => 'reason',
    returned_on => 'returned', supervision_code => 'code', export_office => 'expo', return_office => 'reto',
    applicant => 'agent', return_site => 'site', left_special_area_on => 'left_on');
SELECT cbreturn.attach_import_return_checks('erp.imp', released_on => 'released', applied_on => 'applied',
    arrived_on => 'arrived', supervision_code => 'code', original_place => 'orig', warehouse => 'rcw',
    enterprise => 'ebc', applicant => 'agent');
SQL
probe() {   # probe DB: the answers of the register and 1210 columns
    check "$1: R-EX-4 registered applicant accepted" "00000" \
          "$(sqlstate "$2" "INSERT INTO erp.exp VALUES (10, '9610', '2026-03-01', NULL, 'unsold', '2026-05-01', '2924', '2924', NULL, '91330100799655058B')")"
    check "$1: R-EX-4 lapsed applicant refused (CB008)" "CB008" \
          "$(sqlstate "$2" "INSERT INTO erp.exp VALUES (11, '9610', '2026-03-01', NULL, 'unsold', '2026-07-01', '2924', '2924', NULL, '91330100799655058B')")"
    check "$1: R-EX-6 site not authorised at the return office refused (CB009)" "CB009" \
          "$(sqlstate "$2" "INSERT INTO erp.exp VALUES (12, '9610', '2026-04-01', NULL, 'unsold', '2026-05-01', '5141', '2924', 'SITE-GZ-07', NULL)")"
    check "$1: R-EX-1 1210 on the deadline from the export date accepted" "00000" \
          "$(sqlstate "$2" "INSERT INTO erp.exp VALUES (13, '1210', '2026-01-10', '2026-03-20', 'unsold', '2026-07-10', '2924', '2924', NULL, NULL)")"
    check "$1: R-EX-1 1210 a day late refused, whatever the departure (CB001)" "CB001" \
          "$(sqlstate "$2" "INSERT INTO erp.exp VALUES (14, '1210', '2026-01-10', '2026-03-20', 'unsold', '2026-07-11', '2924', '2924', NULL, NULL)")"
    check "$1: 1210 return before the departure refused (22023)" "22023" \
          "$(sqlstate "$2" "INSERT INTO erp.exp VALUES (15, '1210', '2026-01-10', '2026-03-20', 'unsold', '2026-03-19', '2924', '2924', NULL, NULL)")"
    check "$1: R-IM-5 discredited operator refused (CB010)" "CB010" \
          "$(sqlstate "$2" "INSERT INTO erp.imp VALUES (10, '1210', '2026-06-01', '2026-06-10', NULL, 'HZ-CBZ', 'RCW-1', NULL, NULL)")"
    check "$1: R-IM-7 unknown applicant refused (CB012)" "CB012" \
          "$(sqlstate "$2" "INSERT INTO erp.imp VALUES (11, '9610', '2026-06-01', '2026-06-05', NULL, NULL, NULL, '3101W60001', '914403001922038216')")"
}
probe "attached after the update" "$db"

# A dump of the updated database: the new WHEN clauses, the registers'
# rows, restored into a fresh install.
pg_dump -d "$db" -f "$dump"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db2"
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$db2" -f "$dump"
check "restored: the registers' rows" "1|1|1|1|1" \
      "$(psql -X -A -t -d "$db2" -c "SELECT (SELECT count(*) FROM cbreturn.applicants), (SELECT count(*) FROM cbreturn.return_sites),
                                            (SELECT count(*) FROM cbreturn.return_warehouses), (SELECT count(*) FROM cbreturn.operator_credit_ratings),
                                            (SELECT count(*) FROM cbreturn.import_agents)")"
probe "restored" "$db2"

if [ "$failures" -ne 0 ]; then
    printf '%d assertion(s) failed\n' "$failures"
    exit 1
fi
