-- Workload "violations": the existing rows of an export-returns table that
-- break R-EX-1 or R-EX-2 (issue 12, item 5).  :rows returns, 1 % of them
-- late and 1 % with remarks that carry no code or the code of another
-- reason (a few both); the export check is attached, so
-- cbreturn.violations() asks it.  Contenders:
--   bare       a scan reading the checked columns
--   reference  the same rows in hand-written SQL: the deadline as date +
--              interval in a CASE on the reason, the remark code as a
--              case-insensitive regular expression, one row per broken rule
--              (what a DBA writes without cbreturn)
--   C          SELECT count(*) FROM cbreturn.violations(table), which also
--              builds each row's message, DETAIL and HINT (the reference
--              gives only the key and the rule)
-- Both give the same rows (checked before timing).

\set ON_ERROR_STOP 1
SET max_parallel_workers_per_gather = 0;
SET work_mem = '256MB';

SELECT to_regprocedure('cbreturn.violations(regclass)') IS NOT NULL AS have_violations \gset
\if :have_violations

CREATE TABLE bench.vx (
    id          bigint PRIMARY KEY,
    exported    date NOT NULL,
    reason      cbreturn.return_reason NOT NULL,
    returned    date,
    remarks     text
);
-- Exported 2025-01-01 .. 2025-12-31; returned 0 .. 150 days later (on time
-- for every reason), except every 100th row (j % 100 = 7): 200 .. 399 days,
-- late for unsold and consumer returns; every 100th row (j % 100 = 3) has
-- remarks of the wrong reason, and every 1000th (j % 1000 = 507) none.
INSERT INTO bench.vx
SELECT j, e, r,
       e + (CASE WHEN j % 100 = 7 THEN 200 + (j::bigint * 13) % 200 ELSE (j::bigint * 31) % 151 END)::integer,
       CASE WHEN j % 1000 = 507 THEN NULL
            WHEN j % 100 = 3 THEN cbreturn.remark_code(CASE r WHEN 'unsold' THEN 'consumer_return'::cbreturn.return_reason
                                                              ELSE 'unsold' END) || ' mixed up'
            ELSE cbreturn.remark_code(r) || '-' || j END
  FROM generate_series(1, :rows) AS j,
       LATERAL (SELECT date '2025-01-01' + ((j::bigint * 7919) % 365)::integer AS e,
                       (enum_range(NULL::cbreturn.return_reason))[1 + (j / 7) % 3] AS r) AS x;
SELECT cbreturn.attach_export_return_checks('bench.vx', exported_on => 'exported', reason => 'reason',
                                            returned_on => 'returned', remarks => 'remarks');
VACUUM (ANALYZE) bench.vx;

\set q_sql 'SELECT count(*) FROM (SELECT v.id, ''R-EX-2'' AS rule_id FROM bench.vx v WHERE NOT coalesce(v.remarks ~* (''^[[:space:]\u3000]*'' || CASE v.reason WHEN ''unsold'' THEN ''ZXTY'' WHEN ''consumer_return'' THEN ''THTY'' ELSE ''PGTY'' END || ''([^A-Za-z0-9]|$)''), false) UNION ALL SELECT v.id, ''R-EX-1'' FROM bench.vx v WHERE v.returned > (v.exported + CASE v.reason WHEN ''quality_or_spec'' THEN interval ''12 months'' ELSE interval ''6 months'' END)::date) s'
\set q_c 'SELECT count(*) FROM cbreturn.violations(''bench.vx'')'

-- Same rows: (key, rule) of violations() and of the hand-written query.
CREATE TEMP TABLE v_c AS
SELECT (row_key->>'id')::bigint AS id, rule_id FROM cbreturn.violations('bench.vx');
CREATE TEMP TABLE v_sql AS
SELECT v.id, 'R-EX-2' AS rule_id FROM bench.vx v
 WHERE NOT coalesce(v.remarks ~* ('^[[:space:]\u3000]*' || CASE v.reason WHEN 'unsold' THEN 'ZXTY' WHEN 'consumer_return' THEN 'THTY' ELSE 'PGTY' END
                                  || '([^A-Za-z0-9]|$)'), false)
UNION ALL
SELECT v.id, 'R-EX-1' FROM bench.vx v
 WHERE v.returned > (v.exported + CASE v.reason WHEN 'quality_or_spec' THEN interval '12 months' ELSE interval '6 months' END)::date;
SELECT bench.assert_zero('violations(): C vs hand-written SQL (key and rule of every broken rule)',
       (SELECT count(*) FROM ((TABLE v_c EXCEPT ALL TABLE v_sql) UNION ALL (TABLE v_sql EXCEPT ALL TABLE v_c)) x));
SELECT bench.note('violations', format('%s broken rules in %s rows: %s', count(*), :rows,
                  string_agg(DISTINCT rule_id, ', ' ORDER BY rule_id)))
  FROM v_c;
DROP TABLE v_c, v_sql;

SELECT bench.add('violations', 'existing rows', 'scan of the checked columns', 'bare',
                 'SELECT count(*) FROM bench.vx WHERE exported IS NOT NULL AND reason IS NOT NULL AND returned IS NOT NULL AND remarks IS NOT NULL', :rows);
SELECT bench.add('violations', 'existing rows', 'hand-written SQL', 'ref', :'q_sql', :rows, NULL, 'CASE');
SELECT bench.add('violations', 'existing rows', 'C violations()', 'other', :'q_c', :rows, NULL, 'violations');
SELECT bench.add_target('violations', 'existing rows', 'C violations()', 'per_row', 1.0,
                        'hand-written SQL', '≤ 1 × hand-written SQL');
SELECT bench.check_plans('violations');
CALL bench.run_measure('violations', 'existing rows', :runs);
DROP TABLE bench.vx;

\else
SELECT bench.note('violations', 'skipped: cbreturn.violations() is not in this build');
\endif
