#!/usr/bin/env bash
# test/bench/run.sh: the benchmark behind `make bench` (docs/performance.md).
#
# Called by test/run with a throwaway cluster up and PGHOST/PGPORT/PGUSER/
# PGDATABASE exported.  Creates database cbreturn_bench, loads each workload
# into UNLOGGED tables, checks that the PL/pgSQL and SQL contenders give the
# same answers as the C functions, times every contender (median of
# BENCH_RUNS runs, contenders alternating), then prints one markdown table and
# saves it under test/bench/results/.
#
# Knobs (environment):
#   BENCH_ROWS             rows of the 1M-row workloads          (default 1000000)
#   BENCH_DEADLINE_ROWS    rows of the deadline workload         (default 10 x BENCH_ROWS)
#   BENCH_RUNS             timed runs per contender              (default 5)
#   BENCH_PGBENCH_SECONDS  pgbench time per contender            (default 30)
#   BENCH_CLIENTS          pgbench clients                       (default 8)
#   BENCH_LINES            declaration lines for pgbench         (default 1000)
#   BENCH_WORKLOADS        which workloads, space-separated      (default all)
#   BENCH_DATA_DIR         directory the server can write the COPY files to
#                          (default $PGHOST, the throwaway cluster's directory)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

rows=${BENCH_ROWS:-1000000}
deadline_rows=${BENCH_DEADLINE_ROWS:-$(( rows * 10 ))}
runs=${BENCH_RUNS:-5}
pgbench_seconds=${BENCH_PGBENCH_SECONDS:-30}
clients=${BENCH_CLIENTS:-8}
lines=${BENCH_LINES:-1000}
workloads=${BENCH_WORKLOADS:-identifiers deadlines rules triggers row_facts header concurrency reporting violations}
datadir=${BENCH_DATA_DIR:-${PGHOST:-}}
db=cbreturn_bench

say() { printf '== bench: %s\n' "$*" >&2; }

if [ -z "$datadir" ] || [ "${datadir#/}" = "$datadir" ]; then
    say "set BENCH_DATA_DIR to a directory the server can write to"
    exit 2
fi

results="$here/results"
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
log="$results/bench-$stamp.log"
out="$results/bench-$stamp.md"
: >"$log"

export PGDATABASE=$db
psql_run() {
    # psql_run FILE [extra psql args]: run one script; its output goes to the log.
    local f=$1
    shift
    psql -X -q -v ON_ERROR_STOP=1 -v rows="$rows" -v deadline_rows="$deadline_rows" \
        -v runs="$runs" -v datadir="$datadir" -v lines="$lines" \
        -v clk_tck="$(getconf CLK_TCK 2>/dev/null || echo 100)" "$@" -f "$f" >>"$log" 2>&1 || {
        say "FAILED in $(basename "$f"); last lines of $log:"
        tail -n 25 "$log" >&2
        exit 1
    }
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }

started=$(date +%s)
say "rows=$rows deadline_rows=$deadline_rows runs=$runs pgbench=${pgbench_seconds}s x $clients clients; log: test/bench/results/$(basename "$log")"
PGDATABASE=postgres psql -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" \
    -c "ALTER DATABASE $db SET search_path = public, cbreturn" >>"$log"
psql_run "$here/setup.sql"
psql_run "$here/sqlfuncs.sql"
psql_run "$here/plpgsql.sql"

for w in $workloads; do
    t0=$(date +%s)
    say "workload $w"
    case "$w" in
        concurrency) for script in concurrency.sh quantity.sh; do
                         BENCH_CLIENTS=$clients BENCH_PGBENCH_SECONDS=$pgbench_seconds BENCH_LINES=$lines \
                             BENCH_LOG=$log "$here/$script" || {
                                 say "FAILED in $script; last lines of $log:"
                                 tail -n 25 "$log" >&2
                                 exit 1
                             }
                     done ;;
        *)           psql_run "$here/$w.sql" ;;
    esac
    say "workload $w done in $(( $(date +%s) - t0 )) s"
done

# The table, with the machine it ran on.
{
    echo "# cbreturn benchmark"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- machine: $(nproc) CPU ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)), $(awk '/MemTotal/ { printf "%.0f GB RAM", $2 / 1048576 }' /proc/meminfo 2>/dev/null), $(uname -sr)"
    echo "- server: $(q 'SELECT version()' | sed 's/ on .*//'), cbreturn $(q "SELECT extversion FROM pg_extension WHERE extname = 'cbreturn'")"
    echo "- settings: $(q "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers', 'jit', 'max_parallel_workers_per_gather', 'work_mem', 'fsync')") (the bench sets max_parallel_workers_per_gather=0 in its sessions)"
    echo "- BENCH_ROWS=$rows BENCH_DEADLINE_ROWS=$deadline_rows BENCH_RUNS=$runs BENCH_PGBENCH_SECONDS=$pgbench_seconds BENCH_CLIENTS=$clients BENCH_LINES=$lines"
    echo "- wall time: $(( $(date +%s) - started )) s"
    echo
    q "SELECT * FROM bench.report()"
    echo
    echo "median of BENCH_RUNS runs, contenders alternating; spread = (max - min) / median."
    echo "per row above bare = (median - bare) / rows, or median / rows where a measure has no bare figure;"
    echo "pgbench: ns per transaction (1/tps).  x ref = per-row figure / the reference's (sizes: size ratio)."
    echo
    q "SELECT '- ' || workload || ': ' || text FROM bench.note ORDER BY id"
} >"$out"
cp "$out" "$results/latest.md"
cat "$out"
say "saved test/bench/results/$(basename "$out")"
