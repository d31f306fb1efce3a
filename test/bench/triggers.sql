-- Workload "triggers": COPY of :rows returns into an ERP-style returns table
--   - with no checks (the bare figure: per-row cost is what a trigger adds),
--   - with cbreturn's C export-return checks attached (R-EX-1 window, R-EX-2
--     remark code),
--   - with the same checks as a PL/pgSQL trigger (plpgsql.sql).
-- Every row is valid, so every COPY loads all rows.  Before timing, the
-- triggers are shown to accept and reject the same rows with the same
-- SQLSTATE on a set of edge cases.

\set ON_ERROR_STOP 1
SET max_parallel_workers_per_gather = 0;

SELECT to_regproc('cbreturn.attach_export_return_checks') IS NOT NULL AS have_c \gset

-- An ERP's returns table: its own column names, not ours.
CREATE UNLOGGED TABLE bench.tr_template (
    return_no       bigint NOT NULL,
    original_decl   cbreturn.declaration_id NOT NULL,
    line_no         integer NOT NULL,
    qty             integer NOT NULL,
    exported_on     date,
    returned_on     date,
    remarks         text,
    entered_by      text        -- filled only by the floor contender below
);
CREATE UNLOGGED TABLE bench.tr_none (LIKE bench.tr_template);
CREATE UNLOGGED TABLE bench.tr_plpgsql (LIKE bench.tr_template);
CREATE TRIGGER export_return_checks BEFORE INSERT OR UPDATE ON bench.tr_plpgsql
    FOR EACH ROW EXECUTE FUNCTION bench.export_return_checks_plpgsql();

-- The floor of any BEFORE ROW trigger: contrib's insert_username, a minimal
-- C trigger that sets one column.  Any BEFORE ROW trigger makes COPY insert
-- row by row instead of in batches (heap_multi_insert), whatever it does.
SELECT count(*) > 0 AS have_floor FROM pg_available_extensions WHERE name = 'insert_username' \gset
\if :have_floor
CREATE EXTENSION IF NOT EXISTS insert_username SCHEMA bench;
CREATE UNLOGGED TABLE bench.tr_floor (LIKE bench.tr_template);
CREATE TRIGGER entered_by BEFORE INSERT OR UPDATE ON bench.tr_floor
    FOR EACH ROW EXECUTE FUNCTION bench.insert_username('entered_by');
\endif

-- The floor of any AFTER ROW trigger with a WHEN clause, as the reading checks
-- are: a clause over the same columns that is never true (so no event is
-- queued and the function never runs).  COPY keeps its batches; what remains
-- is PostgreSQL's per-row work for an AFTER ROW trigger and its clause.
CREATE UNLOGGED TABLE bench.tr_after (LIKE bench.tr_template);
CREATE FUNCTION bench.tr_never() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER never AFTER INSERT OR UPDATE ON bench.tr_after FOR EACH ROW
    WHEN (new.exported_on IS NULL AND new.returned_on IS NULL AND new.remarks IS NULL)
    EXECUTE FUNCTION bench.tr_never();

\if :have_c
CREATE UNLOGGED TABLE bench.tr_c (LIKE bench.tr_template);
\ir triggers_attach.sql
\else
SELECT bench.note('triggers', 'C contender skipped: cbreturn.attach_export_return_checks is not in this build');
\endif

-- Edge cases: each row is inserted alone into each table; the outcomes
-- (accepted, or the SQLSTATE) must agree.
CREATE TEMP TABLE tr_cases AS
SELECT row_number() OVER () AS n, e::date AS exported_on, r::date AS returned_on, m AS remarks
  FROM (VALUES
    ('2024-08-31', '2025-02-28', 'ZXTY unsold'),          -- 6 months, clamped month end: on time
    ('2024-08-31', '2025-03-01', 'ZXTY unsold'),          -- a day late
    ('2024-02-29', '2025-02-28', 'PGTY bad batch'),       -- 1 year from Feb 29
    ('2024-02-29', '2025-03-01', 'PGTY bad batch'),
    ('2024-01-15', '2024-07-15', 'THTY'),                 -- deadline day itself
    ('2024-01-15', '2024-07-16', 'THTY'),
    ('2024-01-15', '2024-03-01', '  thty returned'),      -- leading blanks, lower case
    ('2024-01-15', '2024-03-01', E'\u3000ZXTY'),          -- ideographic space
    ('2024-01-15', '2024-03-01', E'\tPGTY;'),
    ('2024-01-15', '2024-03-01', 'THTYX'),                -- code followed by a letter
    ('2024-01-15', '2024-03-01', 'THTY1'),
    ('2024-01-15', '2024-03-01', 'THT'),
    ('2024-01-15', '2024-03-01', 'XXXX'),
    ('2024-01-15', '2024-03-01', ''),
    ('2024-01-15', '2024-03-01', NULL),
    ('2024-01-15', '2024-03-01', 'refund THTY'),          -- not in the first position
    ('2024-01-15', '2024-03-01', 'THTY-退货'),
    ('2024-01-15', '2025-01-15', 'PGTY'),
    ('2024-01-15', '2025-01-16', 'PGTY'),
    ('2024-01-15', '2024-07-16', 'PGTY'),
    ('2024-01-15', '2023-12-31', 'ZXTY'),                 -- returned before export
    (NULL, '2024-03-01', 'ZXTY'),                         -- a NULL date skips the window
    ('2024-01-15', NULL, 'ZXTY'),
    (NULL, NULL, 'XXXX')
  ) AS v(e, r, m);

CREATE FUNCTION pg_temp.outcome(tab text, c tr_cases) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('INSERT INTO bench.%I VALUES (1, ''29242020E439440284'', 1, 1, $1, $2, $3)', tab)
        USING c.exported_on, c.returned_on, c.remarks;
    EXECUTE format('DELETE FROM bench.%I', tab);
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
$$;

\if :have_c
SELECT n, pg_temp.outcome('tr_c', c) AS c, pg_temp.outcome('tr_plpgsql', c) AS plpgsql
  FROM tr_cases c ORDER BY n;
SELECT bench.assert_zero('export-return checks: C trigger vs PL/pgSQL trigger (edge cases)',
       (SELECT count(*) FROM tr_cases c
         WHERE pg_temp.outcome('tr_c', c) IS DISTINCT FROM pg_temp.outcome('tr_plpgsql', c)));
\endif

-- :rows valid returns: reasons cycle, returned within the window.
SELECT format($q$COPY (
    SELECT 1000000000 + i,
           '2924' || (2023 + i %% 3) || 'E' || lpad(((i::bigint * 104729) %% 1000000000)::text, 9, '0'),
           1 + i %% 20,
           1 + i %% 7,
           e,
           e + CASE WHEN i %% 3 = 2 THEN i %% 360 ELSE i %% 180 END,
           (ARRAY['ZXTY 滞销退运 order ', 'THTY consumer return ', 'PGTY 品质规格 batch '])[1 + i %% 3] || i
      FROM generate_series(1, %s) AS i,
           LATERAL (SELECT date '2023-01-01' + ((i::bigint * 7919) %% 1000)::integer AS e) AS d
    ) TO %L$q$, :rows, :'datadir' || '/returns.txt') \gexec

SELECT bench.add('triggers', 'copy', 'no checks', 'bare',
                 format('COPY bench.tr_none (return_no, original_decl, line_no, qty, exported_on, returned_on, remarks) FROM %L', :'datadir' || '/returns.txt'), :rows,
                 'TRUNCATE bench.tr_none');
\if :have_c
SELECT bench.add('triggers', 'copy', 'C checks (cbreturn)', 'ref',
                 format('COPY bench.tr_c (return_no, original_decl, line_no, qty, exported_on, returned_on, remarks) FROM %L', :'datadir' || '/returns.txt'), :rows,
                 'TRUNCATE bench.tr_c');
-- issue 10: COPY with the export checks ≤ 1.15 × bare COPY
SELECT bench.add_target('triggers', 'copy', 'C checks (cbreturn)', 'median', 1.15,
                        'no checks', '≤ 1.15 × COPY without');
SELECT bench.add_target('triggers', 'copy', 'C checks (cbreturn)', 'per_row', 0.2,
                        'PL/pgSQL checks', 'adds ≤ 1/5 of PL/pgSQL');
\endif
\if :have_floor
SELECT bench.add('triggers', 'copy', 'any C row trigger (contrib insert_username)', 'other',
                 format('COPY bench.tr_floor (return_no, original_decl, line_no, qty, exported_on, returned_on, remarks) FROM %L', :'datadir' || '/returns.txt'), :rows,
                 'TRUNCATE bench.tr_floor');
\endif
SELECT bench.add('triggers', 'copy', 'AFTER ROW trigger, WHEN never true (floor of the checks)', 'other',
                 format('COPY bench.tr_after (return_no, original_decl, line_no, qty, exported_on, returned_on, remarks) FROM %L', :'datadir' || '/returns.txt'), :rows,
                 'TRUNCATE bench.tr_after');
SELECT bench.add('triggers', 'copy', 'PL/pgSQL checks', CASE WHEN :'have_c' THEN 'other' ELSE 'ref' END,
                 format('COPY bench.tr_plpgsql (return_no, original_decl, line_no, qty, exported_on, returned_on, remarks) FROM %L', :'datadir' || '/returns.txt'), :rows,
                 'TRUNCATE bench.tr_plpgsql');
CALL bench.run_measure('triggers', 'copy', :runs, cpu => true);

SELECT bench.assert_zero('every row loaded by every contender',
       (SELECT count(*) FROM bench.contender c
         WHERE c.workload = 'triggers'
           AND (xpath('/row/c/text()', query_to_xml(
                  format('SELECT count(*) AS c FROM bench.%I',
                         substring(c.sql FROM 'COPY bench\.(\w+)')), false, true, '')))[1]::text::bigint <> :rows));

DROP TABLE bench.tr_none, bench.tr_plpgsql, bench.tr_after, bench.tr_template;
DROP FUNCTION bench.tr_never();
DROP TABLE IF EXISTS bench.tr_floor;
\if :have_c
DROP TABLE bench.tr_c;
\endif
