-- Workload "reporting": the report a reporting tool runs over the returns of
-- an ERP, rules section 6.  :rows returns are joined to their :rows / 10
-- export declarations (ten partial returns each, R-EX-3); each return's
-- deadline comes from export_return_deadline (R-EX-1), its status and days
-- left as of one day from cbreturn.return_status (due soon = within 14 days)
-- and cbreturn.return_days_left; the report counts the returns per status and
-- sums the days left.  Contenders, every one the same query shape:
--   bare       the same join grouped by a plain column test (returned or not)
--   reference  the report in plain SQL: the deadline as date + interval in a
--              CASE on the reason, the status as a CASE, days left as a
--              subtraction (what a DBA writes without cbreturn)
--   C          cbreturn.return_status and cbreturn.return_days_left over
--              cbreturn.export_return_deadline
--   PL/pgSQL   bench.return_status_plpgsql and bench.return_days_left_plpgsql
--              (plpgsql.sql) over the same C deadline, so the difference to
--              the C contender is the status functions alone
-- The hash join fits in memory (work_mem below), as it would for a report;
-- with ten returns per declaration its hash table (about 5 MB at a million
-- returns) stays mostly in the CPU caches, so the join does not drown the
-- status work in memory stalls.  A second measure, "status per row", times
-- the status functions alone.

\set ON_ERROR_STOP 1
SET max_parallel_workers_per_gather = 0;
SET work_mem = '256MB';

SELECT to_regprocedure('cbreturn.return_status(date,date,date,integer)') IS NOT NULL
   AND to_regprocedure('cbreturn.return_days_left(date,date,date)') IS NOT NULL
   AND to_regprocedure('cbreturn.export_return_deadline(date,cbreturn.return_reason)') IS NOT NULL AS have_status \gset
\if :have_status

SELECT greatest(:rows / 10, 1) AS decls \gset

-- Declarations exported 2024-08-01 .. 2026-01-15 (as_of is 2026-01-15), so
-- as of that day some returns are open, some due within 14 days, some
-- overdue; 45 % of the returns are not returned, the others are returned 0 to
-- 399 days after the export: on time or late for their reason, and a few
-- after as_of (not returned yet on that day).  Declaration number j is
-- office 2924, the export year, flag 0, sequence j.
CREATE UNLOGGED TABLE bench.rd (
    declaration  cbreturn.declaration_id,
    exported_on  date
);
INSERT INTO bench.rd
SELECT format('2924%s0%s', extract(year FROM e), lpad(j::text, 9, '0'))::cbreturn.declaration_id, e
  FROM generate_series(1, :decls) AS j,
       LATERAL (SELECT date '2024-08-01' + ((j::bigint * 7919) % 533)::integer AS e) AS x;

CREATE UNLOGGED TABLE bench.rr (
    declaration  cbreturn.declaration_id,
    reason       cbreturn.return_reason,
    returned_on  date
);
INSERT INTO bench.rr
SELECT format('2924%s0%s', extract(year FROM e), lpad(j::text, 9, '0'))::cbreturn.declaration_id,
       (enum_range(NULL::cbreturn.return_reason))[1 + (i / 3) % 3],
       CASE WHEN i % 20 >= 9 THEN e + ((i::bigint * 37) % 400)::integer END
  FROM generate_series(1, :rows) AS i,
       LATERAL (SELECT 1 + (i::bigint * 7) % :decls AS j) AS y,
       LATERAL (SELECT date '2024-08-01' + ((y.j * 7919) % 533)::integer AS e) AS x;
VACUUM (ANALYZE) bench.rd, bench.rr;

-- The report, with the three expressions substituted; the FROM clause is the
-- same for every contender.
\set from 'FROM bench.rr r JOIN bench.rd d USING (declaration)'
\set as_of 'date ''2026-01-15'''

\set q_bare 'SELECT r.returned_on IS NULL AS k, count(*), count(d.exported_on) ' :from ' GROUP BY 1'
\set q_sql 'SELECT status, count(*), sum(days_left) FROM (SELECT CASE WHEN r.returned_on <= ' :as_of ' THEN CASE WHEN r.returned_on <= x.deadline THEN ''closed_on_time'' ELSE ''closed_late'' END WHEN ' :as_of ' > x.deadline THEN ''overdue'' WHEN x.deadline - ' :as_of ' <= 14 THEN ''due_soon'' ELSE ''open'' END AS status, x.deadline - CASE WHEN r.returned_on <= ' :as_of ' THEN r.returned_on ELSE ' :as_of ' END AS days_left ' :from ', LATERAL (SELECT (d.exported_on + CASE r.reason WHEN ''quality_or_spec'' THEN interval ''12 months'' ELSE interval ''6 months'' END)::date AS deadline) x) s GROUP BY status'
\set q_c 'SELECT status, count(*), sum(days_left) FROM (SELECT cbreturn.return_status(x.deadline, r.returned_on, ' :as_of ', 14) AS status, cbreturn.return_days_left(x.deadline, r.returned_on, ' :as_of ') AS days_left ' :from ', LATERAL (SELECT cbreturn.export_return_deadline(d.exported_on, r.reason) AS deadline) x) s GROUP BY status'
\set q_plpgsql 'SELECT status, count(*), sum(days_left) FROM (SELECT bench.return_status_plpgsql(x.deadline, r.returned_on, ' :as_of ', 14) AS status, bench.return_days_left_plpgsql(x.deadline, r.returned_on, ' :as_of ') AS days_left ' :from ', LATERAL (SELECT cbreturn.export_return_deadline(d.exported_on, r.reason) AS deadline) x) s GROUP BY status'

-- Same answers, first row by row (every return: status and days left of the
-- three contenders), then the three reports themselves.
SELECT bench.assert_zero('return_status, return_days_left: C vs plain SQL vs PL/pgSQL (every return)',
       (SELECT count(*) FROM (
            SELECT cbreturn.return_status(deadline, returned_on, :as_of, 14) AS c_status,
                   cbreturn.return_days_left(deadline, returned_on, :as_of) AS c_days,
                   bench.return_status_plpgsql(deadline, returned_on, :as_of, 14) AS p_status,
                   bench.return_days_left_plpgsql(deadline, returned_on, :as_of) AS p_days,
                   CASE WHEN returned_on <= :as_of THEN CASE WHEN returned_on <= sql_deadline THEN 'closed_on_time' ELSE 'closed_late' END
                        WHEN :as_of > sql_deadline THEN 'overdue'
                        WHEN sql_deadline - :as_of <= 14 THEN 'due_soon' ELSE 'open' END AS s_status,
                   sql_deadline - CASE WHEN returned_on <= :as_of THEN returned_on ELSE :as_of END AS s_days
              FROM (SELECT r.returned_on,
                           cbreturn.export_return_deadline(d.exported_on, r.reason) AS deadline,
                           (d.exported_on + CASE r.reason WHEN 'quality_or_spec' THEN interval '12 months'
                                                          ELSE interval '6 months' END)::date AS sql_deadline
                      FROM bench.rr r JOIN bench.rd d USING (declaration) OFFSET 0) s0
             OFFSET 0) s
         WHERE c_status IS DISTINCT FROM p_status OR c_status IS DISTINCT FROM s_status
            OR c_days IS DISTINCT FROM p_days OR c_days IS DISTINCT FROM s_days
            OR c_status IS NULL));

CREATE TEMP TABLE report_c AS :q_c;
CREATE TEMP TABLE report_sql AS :q_sql;
CREATE TEMP TABLE report_plpgsql AS :q_plpgsql;
SELECT bench.assert_zero('the report: C vs plain SQL vs PL/pgSQL',
       (SELECT count(*) FROM ((TABLE report_c EXCEPT TABLE report_sql) UNION ALL (TABLE report_sql EXCEPT TABLE report_c)
                              UNION ALL (TABLE report_c EXCEPT TABLE report_plpgsql)
                              UNION ALL (TABLE report_plpgsql EXCEPT TABLE report_c)) x)
       + (SELECT abs(sum(count) - :rows) FROM report_c)::bigint);
SELECT bench.note('reporting', 'returns per status: '
       || string_agg(format('%s %s%%', status, round(100.0 * count / :rows, 1)), ', ' ORDER BY status))
  FROM report_c;
DROP TABLE report_c, report_sql, report_plpgsql;

SELECT bench.add('reporting', 'report', 'join, no status', 'bare', :'q_bare', :rows);
SELECT bench.add('reporting', 'report', 'plain SQL CASE', 'ref', :'q_sql', :rows, NULL, 'CASE');
SELECT bench.add('reporting', 'report', 'C return_status, return_days_left', 'other', :'q_c', :rows, NULL, 'return_status(');
SELECT bench.add('reporting', 'report', 'PL/pgSQL status functions', 'other', :'q_plpgsql', :rows, NULL, 'return_status_plpgsql(');
SELECT bench.add_target('reporting', 'report', 'C return_status, return_days_left', 'per_row', 1.0,
                        'plain SQL CASE', '≤ 1 × plain SQL');

-- Measure "status per row": the two status functions alone, over the
-- deadlines and return dates of the same :rows returns (the report's
-- join, deadline and grouping are shared by every contender of "report",
-- which dilutes the ratios there).  Deadline last, so every contender
-- deforms both columns.
CREATE UNLOGGED TABLE bench.rs AS
SELECT r.returned_on, cbreturn.export_return_deadline(d.exported_on, r.reason) AS deadline
  FROM bench.rr r JOIN bench.rd d USING (declaration);
VACUUM (ANALYZE) bench.rs;
SELECT bench.add('reporting', 'status per row', 'bare scan', 'bare',
                 'SELECT count(*) FROM bench.rs WHERE deadline IS NOT NULL', :rows);
SELECT bench.add('reporting', 'status per row', 'plain SQL CASE', 'ref',
                 format('SELECT count(*) FROM bench.rs WHERE (CASE WHEN returned_on <= %1$s THEN CASE WHEN returned_on <= deadline THEN ''closed_on_time'' ELSE ''closed_late'' END WHEN %1$s > deadline THEN ''overdue'' WHEN deadline - %1$s <= 14 THEN ''due_soon'' ELSE ''open'' END) IS NOT NULL AND (deadline - CASE WHEN returned_on <= %1$s THEN returned_on ELSE %1$s END) IS NOT NULL', :'as_of'),
                 :rows, NULL, 'CASE');
SELECT bench.add('reporting', 'status per row', 'C return_status, return_days_left', 'other',
                 format('SELECT count(*) FROM bench.rs WHERE cbreturn.return_status(deadline, returned_on, %1$s, 14) IS NOT NULL AND cbreturn.return_days_left(deadline, returned_on, %1$s) IS NOT NULL', :'as_of'),
                 :rows, NULL, 'return_status(');
SELECT bench.add('reporting', 'status per row', 'PL/pgSQL status functions', 'other',
                 format('SELECT count(*) FROM bench.rs WHERE bench.return_status_plpgsql(deadline, returned_on, %1$s, 14) IS NOT NULL AND bench.return_days_left_plpgsql(deadline, returned_on, %1$s) IS NOT NULL', :'as_of'),
                 :rows, NULL, 'return_status_plpgsql(');
SELECT bench.add_target('reporting', 'status per row', 'C return_status, return_days_left', 'per_row', 1.0,
                        'plain SQL CASE', '≤ 1 × plain SQL');
SELECT bench.add_target('reporting', 'status per row', 'C return_status, return_days_left', 'per_row', 0.1,
                        'PL/pgSQL status functions', '≥ 10× cheaper than PL/pgSQL');
SELECT bench.check_plans('reporting');
CALL bench.run_measure('reporting', 'report', :runs);
CALL bench.run_measure('reporting', 'status per row', :runs);
DROP TABLE bench.rs, bench.rr, bench.rd;

\else
SELECT bench.note('reporting', 'skipped: the return status functions (rules section 6) are not in this build');
\endif
