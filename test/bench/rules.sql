-- Workload "rules": the table-backed rules over :rows rows,
--   cbreturn.cross_customs_return_allowed (R-EX-5), measure "per row", and
--   cbreturn.export_tax_relief (R-TX-1..6), measure "tax relief" (rules_tax.sql),
-- against PL/pgSQL versions that read the same policy tables (plpgsql.sql),
-- with the built-in expression exported_on + interval '6 months' on the same
-- table as the reference, as in the deadlines workload.

\set ON_ERROR_STOP 1
SET max_parallel_workers_per_gather = 0;

SELECT to_regprocedure('cbreturn.cross_customs_return_allowed(cbreturn.supervision_code,cbreturn.customs_code,cbreturn.customs_code,date)') IS NOT NULL AS have_cross,
       to_regproc('cbreturn.export_tax_relief') IS NOT NULL AS have_tax \gset

\if :have_cross
-- Offices of every shipped district, a third of the returns within the
-- export's district, the shipped supervision codes (half of them 9610),
-- return dates from before the pilot to after the nationwide date.  Every
-- column the rules read comes before returned_on, which the bare scan tests.
CREATE UNLOGGED TABLE bench.rl (
    code                  cbreturn.supervision_code,
    export_office         cbreturn.customs_code,
    return_office         cbreturn.customs_code,
    exported_on           date,
    reason                cbreturn.return_reason,
    is_food               boolean,
    original_state        boolean,
    left_special_area_on  date,
    rebate_claimed        boolean,
    returned_on           date
);
INSERT INTO bench.rl
SELECT CASE WHEN i % 2 = 0 THEN '9610' ELSE s.codes[1 + (i / 2) % s.n] END::cbreturn.supervision_code,
       (d.codes[1 + i % d.n] || lpad((i % 100)::text, 2, '0'))::cbreturn.customs_code,
       (CASE WHEN i % 3 = 0 THEN d.codes[1 + i % d.n] ELSE d.codes[1 + (i / 3) % d.n] END
        || lpad(((i / 7) % 100)::text, 2, '0'))::cbreturn.customs_code,
       e,
       (enum_range(NULL::cbreturn.return_reason))[1 + (i / 5) % 3],
       i % 11 = 0,
       i % 13 <> 0,
       CASE WHEN i % 4 = 0 THEN e + (i % 30) END,
       i % 17 = 0,
       e + (i % 400)
  FROM generate_series(1, :rows) AS i,
       LATERAL (SELECT date '2023-06-01' + ((i::bigint * 7919) % 1200)::integer AS e) AS x,
       (SELECT array_agg(code ORDER BY code) AS codes, count(*)::int AS n FROM cbreturn.districts) AS d,
       (SELECT array_agg(code::text ORDER BY code) AS codes, count(*)::int AS n FROM cbreturn.supervision_codes) AS s;
VACUUM (ANALYZE) bench.rl;

SELECT bench.add('rules', 'per row', 'bare scan', 'bare',
                 'SELECT count(*) FROM bench.rl WHERE returned_on IS NOT NULL', :rows);
SELECT bench.add('rules', 'per row', 'exported_on + interval ''6 months''', 'ref',
                 'SELECT count(*) FROM bench.rl WHERE (exported_on + interval ''6 months'') IS NOT NULL AND returned_on IS NOT NULL',
                 :rows, NULL, 'interval');

SELECT bench.assert_zero('cross_customs_return_allowed: C vs PL/pgSQL (every row)',
       (SELECT count(*) FROM bench.rl
         WHERE cbreturn.cross_customs_return_allowed(code, export_office, return_office, returned_on)
               IS DISTINCT FROM bench.cross_customs_return_allowed_plpgsql(code, export_office, return_office, returned_on)));
SELECT bench.note('rules', format('cross_customs_return_allowed is true on %s%% of the rows',
       (SELECT round(100.0 * count(*) FILTER (WHERE cbreturn.cross_customs_return_allowed(code, export_office, return_office, returned_on)) / count(*))
          FROM bench.rl)));
SELECT bench.add('rules', 'per row', 'C cross_customs_return_allowed', 'other',
                 'SELECT count(*) FROM bench.rl WHERE cbreturn.cross_customs_return_allowed(code, export_office, return_office, returned_on) IS NOT NULL',
                 :rows, NULL, 'cross_customs_return_allowed(');
SELECT bench.add('rules', 'per row', 'PL/pgSQL cross_customs_return_allowed', 'other',
                 'SELECT count(*) FROM bench.rl WHERE bench.cross_customs_return_allowed_plpgsql(code, export_office, return_office, returned_on) IS NOT NULL',
                 :rows, NULL, 'cross_customs_return_allowed_plpgsql(');
SELECT bench.add_target('rules', 'per row', 'C cross_customs_return_allowed', 'per_row', 2.0,
                        'exported_on + interval ''6 months''', '≤ 2 × built-in');
SELECT bench.add_target('rules', 'per row', 'C cross_customs_return_allowed', 'per_row', 0.1,
                        'PL/pgSQL cross_customs_return_allowed', '≥ 10× cheaper than PL/pgSQL');

\else
SELECT bench.note('rules', 'cross_customs_return_allowed skipped: not in this build');
\endif

\if :have_tax
\ir rules_tax.sql
\else
SELECT bench.note('rules', 'export_tax_relief skipped: not in this build');
\endif

SELECT bench.check_plans('rules');
\if :have_cross
CALL bench.run_measure('rules', 'per row', :runs);
DROP TABLE bench.rl;
\endif
\if :have_tax
CALL bench.run_measure('rules', 'tax relief', :runs);
DROP TABLE bench.tx;
\endif
