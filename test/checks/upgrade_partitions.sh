#!/usr/bin/env bash
# ALTER EXTENSION cbreturn UPDATE from 0.2.0 keeps the checks attached to each
# partition under 0.2.0 (which refused a partitioned table) enforcing: each
# partition keeps its own metadata and triggers.  A month created after the
# update without them is refused at commit (55000), as 0.3.0 refuses any leaf
# lacking what its siblings carry.  Then the DBA moves to one attach on the
# parent (issue 12): the per-partition checks are detached and the parent's
# attached in one transaction, after which every month, old and new, is
# checked and the partitions carry no metadata of their own.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -n "${CBRETURN_SHAREDIR:-}" ] || { echo "FAIL: CBRETURN_SHAREDIR is not set (run through test/run)"; exit 1; }
[ -f sql/releases/cbreturn--0.2.0.sql ] || { echo "ok: no 0.2.0 release to upgrade from"; exit 0; }
db=cbreturn_upgrade_partitions
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; }
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
    psql -X -q -A -t -d "$db" -c "
        CREATE FUNCTION pg_temp.s(q text) RETURNS text LANGUAGE plpgsql AS \$f\$
        BEGIN EXECUTE q; RAISE EXCEPTION USING ERRCODE = 'CBZ99';
        EXCEPTION WHEN OTHERS THEN RETURN CASE SQLSTATE WHEN 'CBZ99' THEN '00000' ELSE SQLSTATE END; END \$f\$;
        SELECT pg_temp.s(\$q\$$1\$q\$)"
}
commit_state() {   # the SQLSTATE of a transaction, its deferred checks included
    psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1" >/dev/null 2>&1 && echo 00000 ||
        psql -X -q -A -t -d "$db" -c "\\set VERBOSITY sqlstate" -c "$1" 2>&1 | sed -n 's/^ERROR: *\([0-9A-Z]\{5\}\).*/\1/p' | head -n 1
}

# Checks attached to each month under 0.2.0.
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
CREATE SCHEMA erp;
CREATE TABLE erp.ret (id int, m date, exported date, reason cbreturn.return_reason, returned date,
                      st text NOT NULL DEFAULT 'registered', PRIMARY KEY (id, m)) PARTITION BY RANGE (m);
CREATE TABLE erp.ret_04 PARTITION OF erp.ret FOR VALUES FROM ('2026-04-01') TO ('2026-05-01');
CREATE TABLE erp.ret_05 PARTITION OF erp.ret FOR VALUES FROM ('2026-05-01') TO ('2026-06-01');
SELECT cbreturn.attach_export_return_checks(p, exported_on => 'exported', reason => 'reason', returned_on => 'returned'),
       cbreturn.attach_status_check(p, status => 'st')
  FROM unnest(ARRAY['erp.ret_04', 'erp.ret_05']::regclass[]) p;
INSERT INTO erp.ret VALUES (1, '2026-04-02', '2026-03-01', 'unsold', '2026-04-02', 'declared');
SQL

psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "ALTER EXTENSION cbreturn UPDATE"
check "the update reaches 0.3.0" "0.3.0" \
      "$(psql -X -A -t -d "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'cbreturn'")"
check "0.2.0 per-partition export check after the update: a late return is refused" "CB001" \
      "$(sqlstate "INSERT INTO erp.ret VALUES (2, '2026-05-02', '2025-03-01', 'unsold', '2026-05-02')")"
check "0.2.0 per-partition export check after the update: a good return is accepted" "00000" \
      "$(sqlstate "INSERT INTO erp.ret VALUES (2, '2026-05-02', '2026-03-01', 'unsold', '2026-05-02')")"
check "0.2.0 per-partition status check after the update: no move back" "CB006" \
      "$(sqlstate "UPDATE erp.ret SET st = 'registered' WHERE id = 1")"
check "a month without the per-partition checks is refused at commit" "55000" \
      "$(commit_state "CREATE TABLE erp.ret_06 PARTITION OF erp.ret FOR VALUES FROM ('2026-06-01') TO ('2026-07-01')")"
check "attaching on the parent while a partition carries its own check is refused" "42710" \
      "$(sqlstate "SELECT cbreturn.attach_status_check('erp.ret', status => 'st')")"

# From per-partition checks to one attach on the parent, in one transaction.
check "the per-partition checks are replaced by the parent's" "00000" \
      "$(commit_state "BEGIN;
        SELECT cbreturn.detach(p) FROM unnest(ARRAY['erp.ret_04', 'erp.ret_05']::regclass[]) p;
        SELECT cbreturn.attach_export_return_checks('erp.ret', exported_on => 'exported', reason => 'reason', returned_on => 'returned');
        SELECT cbreturn.attach_status_check('erp.ret', status => 'st');
        COMMIT;")"
check "a month created after that needs no call" "00000" \
      "$(commit_state "CREATE TABLE erp.ret_06 PARTITION OF erp.ret FOR VALUES FROM ('2026-06-01') TO ('2026-07-01')")"
check "the parent's export check in an old month" "CB001" \
      "$(sqlstate "INSERT INTO erp.ret VALUES (3, '2026-04-03', '2025-03-01', 'unsold', '2026-04-03')")"
check "the parent's export check in the new month" "CB001" \
      "$(sqlstate "INSERT INTO erp.ret VALUES (3, '2026-06-03', '2025-03-01', 'unsold', '2026-06-03')")"
check "the parent's status check in an old month" "CB006" \
      "$(sqlstate "UPDATE erp.ret SET st = 'registered' WHERE id = 1")"
check "the partitions carry no metadata of their own" "0" \
      "$(psql -X -A -t -d "$db" -c "SELECT count(*) FROM cbreturn.attached_check WHERE relation::text LIKE 'erp.ret\_%'")"
[ "$failures" = 0 ] || exit 1
