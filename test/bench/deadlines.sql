-- Workload "deadlines": cbreturn.export_return_deadline (R-EX-1, R-P-1) over
-- :deadline_rows rows against the built-in expression exported_on + interval
-- '6 months' (the floor: it ignores the reason), a SQL-language function and
-- a PL/pgSQL function implementing the same rule.
--
-- Each contender is SELECT count(*) ... WHERE <expression> IS NOT NULL, so the
-- expression is evaluated once per row and its result used; the bare scan
-- reads the same columns with a null test only.  check_plans() refuses to
-- time a plan that does not evaluate the expression.

\set ON_ERROR_STOP 1
SET max_parallel_workers_per_gather = 0;

SELECT to_regprocedure('cbreturn.export_return_deadline(date,cbreturn.return_reason)') IS NOT NULL AS have_c \gset
\if :have_c

-- Export dates 2019-01-01 .. 2025-12-31 (every day, every month end, two
-- leap days), the three reasons.  Reason first, so every contender deforms
-- both columns.
CREATE UNLOGGED TABLE bench.dl (reason cbreturn.return_reason, exported_on date);
INSERT INTO bench.dl
SELECT (enum_range(NULL::cbreturn.return_reason))[1 + i % 3],
       date '2019-01-01' + ((i::bigint * 7919) % 2557)::integer
  FROM generate_series(1, :deadline_rows) AS i;
VACUUM (ANALYZE) bench.dl;

-- The functions are immutable, so equal answers on every distinct input of
-- the table are equal answers on every row.
SELECT bench.assert_zero('export_return_deadline: C vs PL/pgSQL vs SQL (every distinct input)',
       (SELECT count(*) FROM (SELECT DISTINCT reason, exported_on FROM bench.dl) d
         WHERE cbreturn.export_return_deadline(exported_on, reason)
                   IS DISTINCT FROM bench.export_return_deadline_plpgsql(exported_on, reason)
            OR cbreturn.export_return_deadline(exported_on, reason)
                   IS DISTINCT FROM bench.export_return_deadline_sql(exported_on, reason)));

SELECT bench.add('deadlines', 'per row', 'bare scan', 'bare',
                 'SELECT count(*) FROM bench.dl WHERE exported_on IS NOT NULL', :deadline_rows);
SELECT bench.add('deadlines', 'per row', 'exported_on + interval ''6 months''', 'ref',
                 'SELECT count(*) FROM bench.dl WHERE (exported_on + interval ''6 months'') IS NOT NULL',
                 :deadline_rows, NULL, 'interval');
SELECT bench.add('deadlines', 'per row', 'C export_return_deadline', 'other',
                 'SELECT count(*) FROM bench.dl WHERE cbreturn.export_return_deadline(exported_on, reason) IS NOT NULL',
                 :deadline_rows, NULL, 'export_return_deadline(');
SELECT bench.add('deadlines', 'per row', 'SQL function (inlined)', 'other',
                 'SELECT count(*) FROM bench.dl WHERE bench.export_return_deadline_sql(exported_on, reason) IS NOT NULL',
                 :deadline_rows, NULL, 'CASE');
SELECT bench.add('deadlines', 'per row', 'PL/pgSQL function', 'other',
                 'SELECT count(*) FROM bench.dl WHERE bench.export_return_deadline_plpgsql(exported_on, reason) IS NOT NULL',
                 :deadline_rows, NULL, 'export_return_deadline_plpgsql(');
SELECT bench.check_plans('deadlines');
SELECT bench.add_target('deadlines', 'per row', 'C export_return_deadline', 'per_row', 1.0,
                        'exported_on + interval ''6 months''', '≤ 1 × built-in');
SELECT bench.add_target('deadlines', 'per row', 'C export_return_deadline', 'per_row', 0.1,
                        'PL/pgSQL function', '≥ 10× cheaper than PL/pgSQL');
CALL bench.run_measure('deadlines', 'per row', :runs);

-- Issue 10: parallel scans that call the rule functions keep scaling like the
-- same scan with the built-in expression (every rule function PARALLEL SAFE,
-- no per-call lock in the caches).  The same three contenders with two
-- parallel workers; the C function against the interval expression as above,
-- and each one's speed-up over its serial run in a note.
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SELECT bench.add('deadlines', 'per row, 2 parallel workers', 'bare scan', 'bare',
                 'SELECT count(*) FROM bench.dl WHERE exported_on IS NOT NULL', :deadline_rows, NULL, 'Workers Planned: 2');
SELECT bench.add('deadlines', 'per row, 2 parallel workers', 'exported_on + interval ''6 months''', 'ref',
                 'SELECT count(*) FROM bench.dl WHERE (exported_on + interval ''6 months'') IS NOT NULL',
                 :deadline_rows, NULL, 'Workers Planned: 2');
SELECT bench.add('deadlines', 'per row, 2 parallel workers', 'C export_return_deadline', 'other',
                 'SELECT count(*) FROM bench.dl WHERE cbreturn.export_return_deadline(exported_on, reason) IS NOT NULL',
                 :deadline_rows, NULL, 'Workers Planned: 2');
SELECT bench.check_plans('deadlines');
SELECT bench.add_target('deadlines', 'per row, 2 parallel workers', 'C export_return_deadline', 'per_row', 1.0,
                        'exported_on + interval ''6 months''', '≤ 1 × built-in, in parallel too');
CALL bench.run_measure('deadlines', 'per row, 2 parallel workers', :runs);
SELECT bench.note('deadlines', format('2 parallel workers: the scan with the interval expression runs %s× as fast as serially, with export_return_deadline %s× (medians; the machine''s cores bound both)',
       (SELECT round((s.ms / p.ms)::numeric, 2) FROM bench.summary s, bench.summary p
         WHERE s.workload = 'deadlines' AND s.measure = 'per row' AND s.role = 'ref'
           AND p.workload = 'deadlines' AND p.measure = 'per row, 2 parallel workers' AND p.role = 'ref'),
       (SELECT round((s.ms / p.ms)::numeric, 2) FROM bench.summary s, bench.summary p
         WHERE s.workload = 'deadlines' AND s.measure = 'per row' AND s.name = 'C export_return_deadline'
           AND p.workload = 'deadlines' AND p.measure = 'per row, 2 parallel workers' AND p.name = 'C export_return_deadline')));
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
DROP TABLE bench.dl;

\else
SELECT bench.note('deadlines', 'skipped: cbreturn.export_return_deadline is not in this build');
\endif
