-- Workload "row_facts": COPY of :rows returns whose reason is an ERP's label
-- (滞销, 退货退运, 品质, ZXTY, ...; R-V-1, cbreturn.reason_labels) and whose
-- dates are timestamptz (R-T-1, read as China dates), into
--   - a table with no checks (bare),
--   - the same table with the export checks attached (labels and timestamptz
--     read by the WHEN function and, for a failing row, the trigger),
--   - a table of the typed form (return_reason enum, date columns) with the
--     same checks, for what reading the ERP's own form costs over it.
-- Every row is valid, so every COPY loads all rows.  Before timing, the label
-- and the typed tables must accept and refuse the same edge cases.

\set ON_ERROR_STOP 1
SET max_parallel_workers_per_gather = 0;
SET TimeZone = 'UTC';

CREATE UNLOGGED TABLE bench.rf_labels_template (
    return_no       bigint NOT NULL,
    cleared_at      timestamptz,
    reason_label    text,
    back_at         timestamptz,
    remarks         text
);
CREATE UNLOGGED TABLE bench.rf_none (LIKE bench.rf_labels_template);
CREATE UNLOGGED TABLE bench.rf_labels (LIKE bench.rf_labels_template);
SELECT cbreturn.attach_export_return_checks('bench.rf_labels', exported_on => 'cleared_at',
       reason => 'reason_label', returned_on => 'back_at', remarks => 'remarks');
CREATE UNLOGGED TABLE bench.rf_typed (
    return_no       bigint NOT NULL,
    exported_on     date,
    reason          cbreturn.return_reason,
    returned_on     date,
    remarks         text
);
SELECT cbreturn.attach_export_return_checks('bench.rf_typed', exported_on => 'exported_on',
       reason => 'reason', returned_on => 'returned_on', remarks => 'remarks');

-- Edge cases: the label table (timestamps in Beijing time) and the typed
-- table (their China dates, the labels' reasons) must agree.
CREATE TEMP TABLE rf_cases AS
SELECT row_number() OVER () AS n, c::timestamptz AS cleared_at, l AS label, b::timestamptz AS back_at, m AS remarks
  FROM (VALUES
    ('2026-03-01 10:00+08', '滞销', '2026-09-01 23:30+08', 'ZXTY'),
    ('2026-03-01 10:00+08', '滞销', '2026-09-02 00:30+08', 'ZXTY'),
    ('2026-03-01 10:00+08', '品质', '2027-03-01 23:59+08', 'PGTY'),
    ('2026-03-01 10:00+08', '品质', '2027-03-02 00:00+08', 'PGTY'),
    ('2026-08-31 20:00+00', '退货退运', '2027-03-01 12:00+08', 'THTY'),
    ('2026-08-31 20:00+00', 'thty', '2027-03-02 12:00+08', 'THTY'),
    ('2026-03-01 10:00+08', '规格', '2026-05-01 10:00+08', 'ZXTY')
  ) AS v(c, l, b, m);
CREATE FUNCTION pg_temp.rf_outcome(tab text, c rf_cases) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    IF tab = 'rf_labels' THEN
        INSERT INTO bench.rf_labels VALUES (1, c.cleared_at, c.label, c.back_at, c.remarks);
    ELSE
        INSERT INTO bench.rf_typed VALUES (1, cbreturn.china_date(c.cleared_at), cbreturn.return_reason(c.label),
                                           cbreturn.china_date(c.back_at), c.remarks);
    END IF;
    EXECUTE format('DELETE FROM bench.%I', tab);
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
$$;
SELECT n, label, pg_temp.rf_outcome('rf_labels', c) AS labels, pg_temp.rf_outcome('rf_typed', c) AS typed
  FROM rf_cases c ORDER BY n;
SELECT bench.assert_zero('row facts: labels and timestamptz vs enum and dates (edge cases)',
       (SELECT count(*) FROM rf_cases c
         WHERE pg_temp.rf_outcome('rf_labels', c) IS DISTINCT FROM pg_temp.rf_outcome('rf_typed', c)));

-- :rows valid returns: the shipped labels cycle, returned within the window.
SELECT format($q$COPY (
    SELECT 1000000000 + i,
           t,
           (ARRAY['滞销', '退货退运', '品质', 'ZXTY', '退货', '品质规格退运', 'Zxty ', '规格'])[1 + i %% 8],
           t + make_interval(days => i %% 170, hours => i %% 24),
           (ARRAY['ZXTY', 'THTY', 'PGTY', 'ZXTY', 'THTY', 'PGTY', 'ZXTY', 'PGTY'])[1 + i %% 8] || ' ' || i
      FROM generate_series(1, %s) AS i,
           LATERAL (SELECT timestamptz '2024-01-01 00:00+08' + make_interval(days => ((i::bigint * 7919) %% 1000)::int, mins => i %% 1440) AS t) AS d
    ) TO %L$q$, :rows, :'datadir' || '/row_facts.txt') \gexec
SELECT format('COPY bench.rf_none FROM %L', :'datadir' || '/row_facts.txt') \gexec
SELECT format($q$COPY (SELECT return_no, cbreturn.china_date(cleared_at), cbreturn.return_reason(reason_label),
                              cbreturn.china_date(back_at), remarks FROM bench.rf_none) TO %L$q$,
              :'datadir' || '/row_facts_typed.txt') \gexec
TRUNCATE bench.rf_none;

SELECT bench.add('row_facts', 'copy', 'no checks (labels, timestamptz)', 'bare',
                 format('COPY bench.rf_none FROM %L', :'datadir' || '/row_facts.txt'), :rows,
                 'TRUNCATE bench.rf_none');
SELECT bench.add('row_facts', 'copy', 'export checks on labels and timestamptz', 'ref',
                 format('COPY bench.rf_labels FROM %L', :'datadir' || '/row_facts.txt'), :rows,
                 'TRUNCATE bench.rf_labels');
SELECT bench.add('row_facts', 'copy', 'export checks on enum and date', 'other',
                 format('COPY bench.rf_typed FROM %L', :'datadir' || '/row_facts_typed.txt'), :rows,
                 'TRUNCATE bench.rf_typed');
SELECT bench.add_target('row_facts', 'copy', 'export checks on labels and timestamptz', 'median', 1.3,
                        'no checks (labels, timestamptz)', '≤ 1.3 × COPY without');
CALL bench.run_measure('row_facts', 'copy', :runs, cpu => true);

SELECT bench.assert_zero('every row loaded by every row-facts contender',
       (SELECT count(*) FROM bench.contender c
         WHERE c.workload = 'row_facts'
           AND (xpath('/row/c/text()', query_to_xml(
                  format('SELECT count(*) AS c FROM bench.%I',
                         substring(c.sql FROM 'COPY bench\.(\w+)')), false, true, '')))[1]::text::bigint <> :rows));

DROP TABLE bench.rf_none, bench.rf_labels, bench.rf_typed, bench.rf_labels_template;
