#!/usr/bin/env bash
# R-EX-3, R-IM-2 under load: 8 pgbench clients for 10 s insert, grow, move and
# delete returns against 20 declared lines, and lower or raise their declared
# quantities (the guard), in READ COMMITTED and in
# REPEATABLE READ.  Asserts that no declared line ends over-returned and that
# the quantity ledger equals the returns; prints the throughput.
set -euo pipefail
db=cbreturn_pgbench_check
dir=$(mktemp -d)
trap 'rm -rf "$dir"; dropdb --if-exists "$db" 2>/dev/null || true' EXIT
dropdb --if-exists "$db" 2>/dev/null
createdb "$db"
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
CREATE EXTENSION cbreturn;
CREATE TABLE decl_line (entry_id cbreturn.declaration_id, g_no int, g_qty int NOT NULL,
                        PRIMARY KEY (entry_id, g_no));
CREATE TABLE ret_line (id bigserial PRIMARY KEY, entry_id cbreturn.declaration_id, g_no int, qty int);
INSERT INTO decl_line SELECT '020220260525641690', g, 50 FROM generate_series(1, 20) g;
SELECT cbreturn.attach_quantity_check('ret_line', line => '{entry_id,g_no}', quantity => 'qty',
    declared_table => 'decl_line', declared_line => '{entry_id,g_no}', declared_quantity => 'g_qty');
-- One transaction of the load: insert a batch (50 %), grow one (17 %), move
-- one to another line (8 %), delete one (8 %), or lower (8 %) or raise (8 %)
-- the declared quantity of a line between 40 and 60.  A refusal by the rule
-- (CB003) is the expected outcome near the limit and is counted; a
-- serialization failure (REPEATABLE READ) or a deadlock reaches pgbench,
-- which counts it as a failed transaction.
CREATE SEQUENCE refused;
CREATE FUNCTION return_op(op int, line int, other int, q int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF op <= 6 THEN
        INSERT INTO ret_line (entry_id, g_no, qty) VALUES ('020220260525641690', line, q);
    ELSIF op <= 8 THEN
        UPDATE ret_line SET qty = qty + q WHERE id = (SELECT max(id) FROM ret_line r WHERE r.g_no = line);
    ELSIF op = 9 THEN
        UPDATE ret_line SET g_no = other WHERE id = (SELECT max(id) FROM ret_line r WHERE r.g_no = line);
    ELSIF op = 10 THEN
        DELETE FROM ret_line WHERE id = (SELECT min(id) FROM ret_line r WHERE r.g_no = line);
    ELSIF op = 11 THEN
        UPDATE decl_line SET g_qty = g_qty - q WHERE g_no = line AND g_qty - q >= 40;
    ELSE
        UPDATE decl_line SET g_qty = g_qty + q WHERE g_no = line AND g_qty + q <= 60;
    END IF;
EXCEPTION WHEN SQLSTATE 'CB003' THEN
    PERFORM nextval('refused');
END
$$;
SQL
cat > "$dir/mix.sql" <<'SQL'
\set line random(1, 20)
\set other random(1, 20)
\set q random(1, 9)
\set op random(1, 12)
SELECT return_op(:op, :line, :other, :q);
SQL
status=0
for level in "read committed" "repeatable read"; do
    psql -X -q -d "$db" -c "ALTER DATABASE $db SET default_transaction_isolation = '$level'"
    out=$(pgbench -n -c 8 -j 2 -T 10 --max-tries=1 --failures-detailed -f "$dir/mix.sql" "$db" 2>&1 || true)
    tps=$(printf '%s\n' "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)
    done_tx=$(printf '%s\n' "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
    failed=$(printf '%s\n' "$out" | sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p')
    over=$(psql -X -A -t -d "$db" -c "
        SELECT count(*) FROM decl_line d
          JOIN (SELECT entry_id::text AS e, g_no, sum(qty) AS returned FROM ret_line GROUP BY 1, 2) r
            ON r.e = d.entry_id::text AND r.g_no = d.g_no
         WHERE r.returned > d.g_qty")
    drift=$(psql -X -A -t -d "$db" -c "
        SELECT count(*) FROM cbreturn.verify_quantity_ledger('decl_line')")
    refused=$(psql -X -A -t -d "$db" -c "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM refused")
    full=$(psql -X -A -t -d "$db" -c "
        SELECT count(*) FROM decl_line d
          JOIN (SELECT g_no, sum(qty) AS returned FROM ret_line GROUP BY 1) r USING (g_no)
         WHERE r.returned = d.g_qty")
    printf '%s: %s transactions, %s failed (40001/40P01), %s refused by R-EX-3 so far, tps %s; lines at their declared quantity: %s\n' \
        "$level" "${done_tx:-?}" "${failed:-0}" "$refused" "${tps:-?}" "$full"
    if [ -z "$done_tx" ] || [ "$done_tx" -eq 0 ]; then
        printf '%s\n' "$out" >&2
        echo "FAIL: pgbench did not run ($level)"; status=1
    fi
    if [ "$over" != 0 ]; then echo "FAIL: $over over-returned lines ($level)"; status=1
    else echo "ok: zero over-returned lines ($level)"; fi
    if [ "$drift" != 0 ]; then echo "FAIL: ledger differs from the returns on $drift lines ($level)"; status=1
    else echo "ok: ledger equals the returns ($level)"; fi
done
exit $status
