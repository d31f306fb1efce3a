#!/usr/bin/env bash
# Workload "concurrency", second measure (called by run.sh after
# concurrency.sh): the quantity rule R-EX-3 / R-IM-2 under pgbench,
# BENCH_CLIENTS clients returning goods in parts against BENCH_LINES declared
# lines, four ways a DBA could enforce "returned <= declared":
#
#   trg      a counters table updated by a plain-SQL trigger on the returns
#            table (the reference of issue 9: any writer of the table is
#            checked, as with cbreturn, but only on INSERT)
#   sql      a counter column on the declared line, guarded by
#            UPDATE ... WHERE returned + qty <= declared (the reference: the
#            least a careful DBA writes, and it needs every writer to use it)
#   c        cbreturn.attach_quantity_check on a plain returns table (any
#            writer, any statement is checked)
#   plpgsql  a PL/pgSQL trigger that locks the declared line and sums the
#            line's returns
#
# Every transaction is one partial return through a PL/pgSQL wrapper that
# counts a refusal (so pgbench does not stop a client on the expected
# error); all three pay the same wrapper.  After every round no line may
# be over-returned; otherwise the bench stops.
set -euo pipefail
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

q -v lines="$lines" >>"$log" 2>&1 <<'SQL'
CREATE SEQUENCE bench.qr_refused;
-- declared lines, one in ten small (fills up within seconds, so returns race
-- for its last units), the others large
CREATE TABLE bench.qr_lines_sql (line_id integer PRIMARY KEY, declared_qty integer NOT NULL,
                                 returned_qty integer NOT NULL DEFAULT 0);
INSERT INTO bench.qr_lines_sql (line_id, declared_qty)
SELECT i, CASE WHEN i % 10 = 0 THEN 50 ELSE 100000000 END FROM generate_series(1, :lines) AS i;
CREATE TABLE bench.qr_lines_c (LIKE bench.qr_lines_sql INCLUDING ALL);
CREATE TABLE bench.qr_lines_trg (LIKE bench.qr_lines_sql INCLUDING ALL);
INSERT INTO bench.qr_lines_trg SELECT * FROM bench.qr_lines_sql;
CREATE TABLE bench.qr_lines_plpgsql (LIKE bench.qr_lines_sql INCLUDING ALL);
INSERT INTO bench.qr_lines_c SELECT * FROM bench.qr_lines_sql;
INSERT INTO bench.qr_lines_plpgsql SELECT * FROM bench.qr_lines_sql;
CREATE TABLE bench.qr_ret_sql (id bigserial PRIMARY KEY, line_id integer NOT NULL, qty integer NOT NULL);
CREATE TABLE bench.qr_ret_c (LIKE bench.qr_ret_sql INCLUDING ALL);
CREATE TABLE bench.qr_ret_trg (LIKE bench.qr_ret_sql INCLUDING ALL);
CREATE TABLE bench.qr_ret_plpgsql (LIKE bench.qr_ret_sql INCLUDING ALL);
CREATE INDEX ON bench.qr_ret_plpgsql (line_id);

SELECT cbreturn.attach_quantity_check('bench.qr_ret_c', line => '{line_id}', quantity => 'qty',
    declared_table => 'bench.qr_lines_c', declared_line => '{line_id}', declared_quantity => 'declared_qty');

-- the plain-SQL counter guard: one UPDATE of the line's counter per return
CREATE FUNCTION bench.qr_counter_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE bench.qr_lines_trg SET returned_qty = returned_qty + NEW.qty
     WHERE line_id = NEW.line_id AND returned_qty + NEW.qty <= declared_qty;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'returned quantity of line % exceeds its declared quantity', NEW.line_id
            USING ERRCODE = 'CB003';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER qr_counter BEFORE INSERT ON bench.qr_ret_trg
    FOR EACH ROW EXECUTE FUNCTION bench.qr_counter_trg();

CREATE FUNCTION bench.qr_check_plpgsql() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    declared integer;
    returned bigint;
BEGIN
    SELECT l.declared_qty INTO declared FROM bench.qr_lines_plpgsql l WHERE l.line_id = NEW.line_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'line % is not declared', NEW.line_id USING ERRCODE = 'CB003';
    END IF;
    SELECT coalesce(sum(r.qty), 0) INTO returned FROM bench.qr_ret_plpgsql r WHERE r.line_id = NEW.line_id;
    IF returned + NEW.qty > declared THEN
        RAISE EXCEPTION 'returned quantity % of line % exceeds the declared quantity %',
            returned + NEW.qty, NEW.line_id, declared USING ERRCODE = 'CB003';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER qr_check BEFORE INSERT ON bench.qr_ret_plpgsql
    FOR EACH ROW EXECUTE FUNCTION bench.qr_check_plpgsql();

-- one partial return, per contender
CREATE FUNCTION bench.qr_sql(line integer, q integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH u AS (UPDATE bench.qr_lines_sql SET returned_qty = returned_qty + q
                WHERE line_id = line AND returned_qty + q <= declared_qty RETURNING line_id)
    INSERT INTO bench.qr_ret_sql (line_id, qty) SELECT line_id, q FROM u;
    IF NOT FOUND THEN PERFORM nextval('bench.qr_refused'); END IF;
EXCEPTION WHEN SQLSTATE 'CB003' THEN
    PERFORM nextval('bench.qr_refused');
END $$;
CREATE FUNCTION bench.qr_trg(line integer, q integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO bench.qr_ret_trg (line_id, qty) VALUES (line, q);
EXCEPTION WHEN SQLSTATE 'CB003' THEN
    PERFORM nextval('bench.qr_refused');
END $$;
CREATE FUNCTION bench.qr_c(line integer, q integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO bench.qr_ret_c (line_id, qty) VALUES (line, q);
EXCEPTION WHEN SQLSTATE 'CB003' THEN
    PERFORM nextval('bench.qr_refused');
END $$;
CREATE FUNCTION bench.qr_plpgsql(line integer, q integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO bench.qr_ret_plpgsql (line_id, qty) VALUES (line, q);
EXCEPTION WHEN SQLSTATE 'CB003' THEN
    PERFORM nextval('bench.qr_refused');
END $$;
SQL

contenders="trg c sql plpgsql"
for c in $contenders; do
    printf '\\set line random(1, %d)\n\\set qty random(1, 5)\nSELECT bench.qr_%s(:line, :qty);\n' \
        "$lines" "$c" >"$datadir/quantity_$c.pgbench"
done

# start each round from empty returns (the C check's ledger follows TRUNCATE)
before_round() {
    q -c "TRUNCATE bench.qr_ret_$1" -c "UPDATE bench.qr_lines_$1 SET returned_qty = 0" \
      -c "VACUUM bench.qr_lines_$1" -c "VACUUM cbreturn.quantity_ledger" >>"$log" 2>&1
}
# no line over-returned
after_round() {
    local c=$1 r=$2 tps=$3 over full
    over=$(q -c "SELECT count(*) FROM bench.qr_lines_$c l
                   JOIN (SELECT line_id, sum(qty) AS s FROM bench.qr_ret_$c GROUP BY 1) r USING (line_id)
                  WHERE r.s > l.declared_qty")
    full=$(q -c "SELECT count(*) FROM bench.qr_lines_$c l
                   JOIN (SELECT line_id, sum(qty) AS s FROM bench.qr_ret_$c GROUP BY 1) r USING (line_id)
                  WHERE r.s > l.declared_qty - 5")
    echo "round $r quantity $c: tps=$tps over_returned_lines=$over nearly_full_lines=$full" >>"$log"
    if [ "$over" != 0 ]; then
        echo "bench: $over declaration lines over-returned ($c)" >&2
        exit 1
    fi
}
# shellcheck source=pgbench_rounds.sh
. "$(dirname "$0")/pgbench_rounds.sh"
# shellcheck disable=SC2086
pgbench_rounds quantity $contenders

for c in $contenders; do
    case $c in
        trg)     name='SQL counter trigger (counters table)'; role=ref ;;
        sql)     name='SQL counter guard (UPDATE ... WHERE)'; role=other ;;
        c)       name='C quantity check (cbreturn)'; role=other ;;
        plpgsql) name='PL/pgSQL trigger (lock line, sum returns)'; role=other ;;
    esac
    tps_figure concurrency "quantity rule, pgbench $clients clients" "$c" "$name" "$role"
done
for c in $contenders; do
    case $c in
        trg)     name='SQL counter trigger (counters table)'; role=ref ;;
        sql)     name='SQL counter guard (UPDATE ... WHERE)'; role=other ;;
        c)       name='C quantity check (cbreturn)'; role=other ;;
        plpgsql) name='PL/pgSQL trigger (lock line, sum returns)'; role=other ;;
    esac
    cpu_figure concurrency "quantity rule, CPU per transaction" "$c" "$name" "$role"
done
q -c "SELECT bench.note('concurrency', format('quantity rule: %s rounds of %s s per contender, %s clients, %s lines; after every round no line is over-returned for any contender; %s returns refused by the rule in all',
        $rounds, $per_round, $clients, $lines,
        (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM bench.qr_refused)))" >/dev/null
q -c "SELECT cbreturn.detach('bench.qr_ret_c')" \
  -c "DROP TABLE bench.qr_ret_sql, bench.qr_ret_c, bench.qr_ret_trg, bench.qr_ret_plpgsql, bench.qr_lines_sql, bench.qr_lines_c, bench.qr_lines_trg, bench.qr_lines_plpgsql" \
  -c "DROP FUNCTION bench.qr_sql, bench.qr_c, bench.qr_trg, bench.qr_plpgsql, bench.qr_check_plpgsql, bench.qr_counter_trg" \
  -c "DROP SEQUENCE bench.qr_refused" >/dev/null

# Attach on existing returns (issue 9, item 15): one grouped pass, linear in
# the returns.  BENCH_ATTACH_ROWS returns (default BENCH_ROWS) against a
# tenth as many declared lines, none over-returned; timed by the server.
attach_rows=${BENCH_ATTACH_ROWS:-${BENCH_ROWS:-1000000}}
attach_ms=$(q -v n="$attach_rows" <<'SQL' 2>>"$log" | tail -n 1
CREATE TABLE bench.qa_lines (decl_no bigint, g_no int, qty numeric(12,3) NOT NULL, PRIMARY KEY (decl_no, g_no));
INSERT INTO bench.qa_lines SELECT i / 10, i % 10, 1000000 FROM generate_series(0, :n / 10) i;
CREATE TABLE bench.qa_ret (id bigserial PRIMARY KEY, decl_no bigint, g_no int, qty int);
INSERT INTO bench.qa_ret (decl_no, g_no, qty)
SELECT (i % (:n / 10 + 1)) / 10, (i % (:n / 10 + 1)) % 10, 1 + i % 5 FROM generate_series(1, :n) i;
VACUUM ANALYZE bench.qa_lines, bench.qa_ret;
CREATE TEMP TABLE t0 AS SELECT clock_timestamp() AS t;
SELECT cbreturn.attach_quantity_check('bench.qa_ret', '{decl_no,g_no}', 'qty',
                                      'bench.qa_lines', '{decl_no,g_no}', 'qty');
SELECT round(extract(epoch FROM clock_timestamp() - t) * 1000) FROM t0;
SQL
)
q -c "SELECT bench.note('concurrency', format('quantity rule: attach_quantity_check on %s existing returns (%s declared lines): %s ms, one grouped pass',
        $attach_rows, $attach_rows / 10 + 1, $attach_ms))" >/dev/null
q -c "SELECT cbreturn.detach('bench.qa_ret')" -c "DROP TABLE bench.qa_ret, bench.qa_lines" >/dev/null
