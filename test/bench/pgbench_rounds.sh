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
            outp=$(pgbench -n -M prepared -c "$clients" -j "$threads" -T "$per_round" \
                       -f "$datadir/${prefix}_$c.pgbench" 2>&1) || { echo "$outp" >&2; exit 1; }
            echo "$outp" >>"$log"
            tps=$(echo "$outp" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | tail -n 1)
            [ -n "$tps" ] || { echo "$outp" >&2; exit 1; }
            tps_runs[$c]="${tps_runs[$c]:-} $tps"
            after_round "$c" "$r" "$tps"
        done
    done
}

tps_figure() {
    q -c "SELECT bench.add_figure('$1', '$2', '$4', '$5',
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY t), 'tps', 1, min(t), max(t))
            FROM unnest('{$(echo ${tps_runs[$3]} | tr ' ' ,)}'::float8[]) AS t" >/dev/null
}
