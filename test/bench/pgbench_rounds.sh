# Sourced by concurrency.sh and quantity.sh: pgbench rounds with the
# contenders alternating, their order rotated every round (A B C, B C A, ...),
# so a burst of load on a shared machine hits all of them alike.
#
#   pgbench_rounds PREFIX CONTENDER...
#       for each round and contender C: before_round C, then pgbench for
#       $per_round s on $datadir/PREFIX_C.pgbench, then after_round C ROUND
#       TPS (which exits the bench when the round broke the rule); the tps of
#       every round go to tps_runs[C].
#   tps_figure WORKLOAD MEASURE C NAME ROLE
#       records the median tps of C (and its range) as a figure of the table.
#   cpu_figure WORKLOAD MEASURE C NAME ROLE
#       records the median CPU time per transaction of C's backends (below).
#
# The CPU time per transaction: in each round, from 1 s after pgbench starts
# to 1 s before it ends, the user and system time of its backends (from
# /proc, in clock ticks) over the transactions the database committed or
# rolled back meanwhile.  Throughput on a shared machine moves with whatever
# else runs; the CPU time a transaction takes moves much less, so the two
# side by side say whether a difference is the code or the machine.
#
# Needs q(), $clients, $threads, $per_round, $rounds, $datadir and $log.

declare -A tps_runs

pgbench_rounds() {
    local prefix=$1 r i idx c outp tps n
    shift
    n=$#
    for r in $(seq 1 "$rounds"); do
        local order=()
        for i in $(seq 0 $(( n - 1 ))); do
            idx=$(( (i + r - 1) % n + 1 ))
            order+=("${!idx}")
        done
        for c in "${order[@]}"; do
            before_round "$c"
            pgbench -n -M prepared -c "$clients" -j "$threads" -T "$per_round" \
                -f "$datadir/${prefix}_$c.pgbench" >"$datadir/pgbench.out" 2>&1 &
            cpu_sample "$c"
            wait $! || { cat "$datadir/pgbench.out" >&2; exit 1; }
            outp=$(cat "$datadir/pgbench.out")
            echo "$outp" >>"$log"
            tps=$(echo "$outp" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | tail -n 1)
            [ -n "$tps" ] || { echo "$outp" >&2; exit 1; }
            tps_runs[$c]="${tps_runs[$c]:-} $tps"
            after_round "$c" "$r" "$tps"
        done
    done
}

# CPU ticks of the pgbench backends, and transactions ended, now.
cpu_now() {
    local pids p t=0
    pids=$(q -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgbench'")
    for p in $pids; do
        [ -r "/proc/$p/stat" ] && t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0) ))
    done
    echo "$t $(q -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")"
}

declare -A cpu_runs
cpu_sample() {
    local a b hz
    [ "$per_round" -ge 3 ] || { sleep "$per_round"; return; }
    sleep 1
    read -r -a a <<<"$(cpu_now)"
    sleep $(( per_round - 2 ))
    read -r -a b <<<"$(cpu_now)"
    hz=$(getconf CLK_TCK)
    if [ "${b[1]}" -gt "${a[1]}" ] && [ "${b[0]}" -gt "${a[0]}" ]; then
        cpu_runs[$1]="${cpu_runs[$1]:-} $(awk -v t=$(( b[0] - a[0] )) -v x=$(( b[1] - a[1] )) -v hz="$hz" 'BEGIN { printf "%.2f", t * 1e6 / hz / x }')"
    fi
}

cpu_figure() {
    [ -n "${cpu_runs[$3]:-}" ] || return 0
    q -c "SELECT bench.add_figure('$1', '$2', '$4', '$5',
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY t), 'µs CPU', 1, min(t), max(t))
            FROM unnest('{$(echo ${cpu_runs[$3]} | tr ' ' ,)}'::float8[]) AS t" >/dev/null
}

tps_figure() {
    q -c "SELECT bench.add_figure('$1', '$2', '$4', '$5',
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY t), 'tps', 1, min(t), max(t))
            FROM unnest('{$(echo ${tps_runs[$3]} | tr ' ' ,)}'::float8[]) AS t" >/dev/null
}
