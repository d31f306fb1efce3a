#!/usr/bin/env bash
# Workload "concurrency" (called by run.sh): pgbench, BENCH_CLIENTS clients,
# partial returns against BENCH_LINES declaration lines (partial_return.pgbench),
# into a returns table with no checks, with cbreturn's C checks and with the
# PL/pgSQL checks.  Each contender runs BENCH_PGBENCH_SECONDS in all, split
# into BENCH_PGBENCH_ROUNDS alternating rounds; the figure is the median tps.
# One line in ten is small and fills up within seconds (concurrent returns
# race for its last units); the others never fill, so most transactions
# insert a return and run the checks.  After every round no line may be over-returned, and each line's returned
# quantity must equal the sum of its return rows; otherwise the bench stops.
set -euo pipefail
[ -n "${BENCH_TRACE:-}" ] && set -x
here=$(cd "$(dirname "$0")" && pwd)
clients=${BENCH_CLIENTS:-8}
seconds=${BENCH_PGBENCH_SECONDS:-30}
rounds=${BENCH_PGBENCH_ROUNDS:-3}
lines=${BENCH_LINES:-1000}
datadir=${BENCH_DATA_DIR:-$PGHOST}
log=${BENCH_LOG:-/dev/null}
threads=$(nproc 2>/dev/null || echo 2)
[ "$threads" -gt "$clients" ] && threads=$clients
per_round=$(( seconds / rounds ))
[ "$per_round" -ge 1 ] || per_round=1

q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

q -v lines="$lines" -v attach="$here/triggers_attach.sql" >>"$log" 2>&1 <<'SQL'
SET max_parallel_workers_per_gather = 0;
SELECT to_regproc('cbreturn.attach_export_return_checks') IS NOT NULL AS have_c \gset
CREATE TABLE bench.cc_lines (
    line_id       integer PRIMARY KEY,
    exported_on   date NOT NULL,
    declared_qty  integer NOT NULL,
    returned_qty  integer NOT NULL DEFAULT 0 CHECK (returned_qty >= 0)
) WITH (fillfactor = 50);
INSERT INTO bench.cc_lines (line_id, exported_on, declared_qty)
-- One line in ten is small and fills up within seconds, so concurrent
-- returns race for its last units; the others never fill, so most
-- transactions insert a return and run the checks.
SELECT i, date '2025-01-01' + i % 300, CASE WHEN i % 10 = 0 THEN 50 ELSE 100000000 END
  FROM generate_series(1, :lines) AS i;
CREATE TABLE bench.cc_template (
    return_no     bigserial,
    line_id       integer NOT NULL,
    qty           integer NOT NULL,
    exported_on   date,
    returned_on   date,
    remarks       text
);
CREATE TABLE bench.cc_none (LIKE bench.cc_template INCLUDING DEFAULTS);
CREATE TABLE bench.cc_plpgsql (LIKE bench.cc_template INCLUDING DEFAULTS);
CREATE TRIGGER export_return_checks BEFORE INSERT OR UPDATE ON bench.cc_plpgsql
    FOR EACH ROW EXECUTE FUNCTION bench.export_return_checks_plpgsql();
\if :have_c
CREATE TABLE bench.tr_c (LIKE bench.cc_template INCLUDING DEFAULTS);
\i :attach
ALTER TABLE bench.tr_c RENAME TO cc_c;
\endif
SQL

contenders="none plpgsql"
if [ "$(q -c "SELECT to_regclass('bench.cc_c') IS NOT NULL")" = t ]; then
    contenders="none c plpgsql"
else
    q -c "SELECT bench.note('concurrency', 'C contender skipped: cbreturn.attach_export_return_checks is not in this build')" >/dev/null
fi
for c in $contenders; do
    sed -e "/^--/d" -e "s/@TABLE@/cc_$c/" -e "s/:lines/$lines/" "$here/partial_return.pgbench" \
        >"$datadir/partial_return_$c.pgbench"
done

# the lines start empty for every round
before_round() {
    q -c "TRUNCATE bench.cc_$1" -c "UPDATE bench.cc_lines SET returned_qty = 0" -c "VACUUM bench.cc_lines" >>"$log" 2>&1
}
# no line over-returned, and each line's counter equals the sum of its returns
after_round() {
    local c=$1 r=$2 tps=$3 bad full nret
    bad=$(q -c "SELECT count(*) FROM bench.cc_lines l
                  LEFT JOIN (SELECT line_id, sum(qty) AS s FROM bench.cc_$c GROUP BY 1) r USING (line_id)
                 WHERE l.returned_qty > l.declared_qty OR l.returned_qty <> coalesce(r.s, 0)")
    full=$(q -c "SELECT count(*) FROM bench.cc_lines WHERE returned_qty = declared_qty")
    nret=$(q -c "SELECT count(*) FROM bench.cc_$c")
    echo "round $r $c: tps=$tps returns=$nret full_lines=$full bad_lines=$bad" >>"$log"
    if [ "$bad" != 0 ]; then
        echo "bench: $bad declaration lines over-returned or out of step with their returns ($c)" >&2
        exit 1
    fi
    q -c "INSERT INTO bench.timing VALUES ('concurrency-check', '$c', 'lines full', $r, $full)" >/dev/null
}
# shellcheck source=pgbench_rounds.sh
. "$here/pgbench_rounds.sh"
# shellcheck disable=SC2086
pgbench_rounds partial_return $contenders

for c in $contenders; do
    case $c in
        none)    name='no checks'; role=other ;;
        c)       name='C checks (cbreturn)'; role=ref ;;
        plpgsql) name='PL/pgSQL checks'; role=other ;;
    esac
    if [ "$contenders" = "none plpgsql" ] && [ "$c" = none ]; then role=ref; fi
    tps_figure concurrency "pgbench $clients clients" "$c" "$name" "$role"
done
q -c "SELECT bench.note('concurrency', format('%s rounds of %s s per contender, %s clients, %s lines: no line over-returned, every line''s returned quantity equals the sum of its returns (checked after every round); small lines filled up per round: %s',
        $rounds, $per_round, $clients, $lines,
        (SELECT string_agg(measure || ' ' || ms::int, ', ' ORDER BY measure, run) FROM bench.timing WHERE workload = 'concurrency-check')))" >/dev/null
q -c "DELETE FROM bench.timing WHERE workload = 'concurrency-check'" \
  -c "DROP TABLE IF EXISTS bench.cc_c, bench.cc_none, bench.cc_plpgsql, bench.cc_template, bench.cc_lines" >/dev/null
