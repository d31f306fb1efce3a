-- Benchmark machinery: the registry of contenders, the timing procedure and
-- the targets.  Loaded once by run.sh into a fresh database.
--
-- A workload file registers its contenders with bench.add(); run.sh then calls
-- bench.run_measure() for each measure.  Every timing is taken on the server
-- (clock_timestamp() around EXECUTE), one statement per transaction, with the
-- contenders of a measure alternating (A B C, B C A, C A B, ...) so that a
-- burst of noise on this shared machine hits all of them alike.

CREATE EXTENSION IF NOT EXISTS cbreturn;
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
CREATE SEQUENCE bench.seq;

-- One row per timed statement (or measured size).
--   role 'bare':  the bare scan of the same data; per-row cost is measured above it
--   role 'ref':   the reference the ratios are taken against
--   role 'other': everything else
CREATE TABLE bench.contender (
    workload    text NOT NULL,
    measure     text NOT NULL,
    name        text NOT NULL,
    ord         integer NOT NULL,
    role        text NOT NULL CHECK (role IN ('bare', 'ref', 'other')),
    prep        text,           -- untimed, in its own transaction, before each timed run
    sql         text NOT NULL,  -- the timed statement
    nrows       bigint NOT NULL,
    plan_must   text,           -- EXPLAIN VERBOSE of sql must mention this (not folded away)
    seq         bigint NOT NULL DEFAULT nextval('bench.seq'),
    PRIMARY KEY (workload, measure, name)
);

CREATE TABLE bench.timing (
    workload text, measure text, name text, run integer, ms double precision
);

-- The clock ticks per second of /proc/<pid>/stat (run.sh passes getconf CLK_TCK).
CREATE TABLE bench.config AS SELECT :'clk_tck'::integer AS clk_tck;

-- The CPU time (user + system) this backend has used so far, in ms, from
-- /proc/self/stat (fields 14 and 15, after the parenthesised command name).
-- Wall-clock time on a shared or virtual machine includes time the backend
-- waited for a CPU; the backend's CPU time does not.  Superuser only (it
-- reads a file of the server's host), as the whole benchmark runs.
CREATE FUNCTION bench.backend_cpu_ms() RETURNS double precision LANGUAGE sql AS $$
    SELECT (split_part(s, ' ', 12)::bigint + split_part(s, ' ', 13)::bigint) * 1000.0
           / (SELECT clk_tck FROM bench.config)
      FROM (SELECT substr(t, strpos(t, ') ') + 2) AS s
              FROM pg_catalog.pg_read_file('/proc/self/stat') AS t) AS x;
$$;

-- Sizes and other single figures (table and index bytes, pgbench tps).
CREATE TABLE bench.figure (
    workload text, measure text, name text, ord integer, role text,
    value double precision, unit text, nrows bigint,
    lo double precision, hi double precision,
    seq bigint NOT NULL DEFAULT nextval('bench.seq'),
    PRIMARY KEY (workload, measure, name)
);

-- Targets of the issue: metric(name) <= factor * metric(other).
--   metric 'per_row': median above the bare scan, per row
--   metric 'median':  median time
--   metric 'value':   a figure (size)
CREATE TABLE bench.target (
    workload text, measure text, name text, metric text,
    factor double precision, other text, label text
);

-- Notes printed under the table (skipped workloads, checks that passed).
CREATE TABLE bench.note (id serial, workload text, text text);

CREATE FUNCTION bench.add(workload text, measure text, name text, role text, sql text,
                          nrows bigint, prep text DEFAULT NULL, plan_must text DEFAULT NULL)
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO bench.contender (workload, measure, name, ord, role, prep, sql, nrows, plan_must)
    SELECT workload, measure, name,
           coalesce((SELECT max(c.ord) + 1 FROM bench.contender c
                      WHERE c.workload = add.workload AND c.measure = add.measure), 0),
           role, prep, sql, nrows, plan_must;
$$;

CREATE FUNCTION bench.add_target(workload text, measure text, name text, metric text,
                                 factor double precision, other text, label text)
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO bench.target VALUES (workload, measure, name, metric, factor, other, label);
$$;

CREATE FUNCTION bench.add_figure(workload text, measure text, name text, role text,
                                 value double precision, unit text, nrows bigint,
                                 lo double precision DEFAULT NULL, hi double precision DEFAULT NULL)
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO bench.figure (workload, measure, name, ord, role, value, unit, nrows, lo, hi)
    SELECT workload, measure, name,
           coalesce((SELECT max(f.ord) + 1 FROM bench.figure f
                      WHERE f.workload = add_figure.workload AND f.measure = add_figure.measure), 0),
           role, value, unit, nrows, lo, hi
    ON CONFLICT ON CONSTRAINT figure_pkey DO UPDATE SET value = excluded.value;
$$;

CREATE FUNCTION bench.note(workload text, text text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO bench.note (workload, text) VALUES (workload, text);
$$;

-- Abort the benchmark when two contenders disagree (run before timing them).
CREATE FUNCTION bench.assert_zero(what text, n bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF n <> 0 THEN
        RAISE EXCEPTION 'bench: contenders disagree: %: % rows differ', what, n;
    END IF;
    RAISE NOTICE 'bench: identical answers: %', what;
END
$$;

-- Refuse to time a statement whose plan does not evaluate what it claims to.
CREATE FUNCTION bench.check_plans(w text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    c record;
    line text;
    plan text;
BEGIN
    FOR c IN SELECT * FROM bench.contender WHERE workload = w AND plan_must IS NOT NULL LOOP
        plan := '';
        FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || c.sql LOOP
            plan := plan || line || E'\n';
        END LOOP;
        IF strpos(plan, c.plan_must) = 0 THEN
            RAISE EXCEPTION 'bench: the plan of %/%/% does not mention "%"', c.workload, c.measure, c.name, c.plan_must
                USING DETAIL = plan;
        END IF;
    END LOOP;
END
$$;

-- Time every contender of one measure, runs times, alternating and rotating.
-- A procedure, so each statement gets its own transaction.  With cpu, the
-- backend's CPU time of each statement (bench.backend_cpu_ms) is recorded
-- too, as the measure "<m>, backend CPU" with the same contenders and
-- targets: the figure to judge a target by when the wall-clock spreads are
-- wide (docs/performance.md, "Method").
CREATE PROCEDURE bench.run_measure(w text, m text, runs integer, cpu boolean DEFAULT false)
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
    r integer;
    c record;
    t0 timestamptz;
    t1 timestamptz;
    c0 double precision;
    c1 double precision;
    mc text := m || ', backend CPU';
BEGIN
    SELECT count(*) INTO n FROM bench.contender WHERE workload = w AND measure = m;
    IF cpu THEN
        INSERT INTO bench.contender (workload, measure, name, ord, role, prep, sql, nrows)
        SELECT workload, mc, name, ord, role, prep, sql, nrows
          FROM bench.contender WHERE workload = w AND measure = m
        ON CONFLICT DO NOTHING;
        INSERT INTO bench.target
        SELECT workload, mc, name, metric, factor, other, label || ' (CPU)'
          FROM bench.target WHERE workload = w AND measure = m;
        COMMIT;
    END IF;
    FOR r IN 1..runs LOOP
        FOR c IN SELECT * FROM bench.contender WHERE workload = w AND measure = m
                  ORDER BY (ord + n - ((r - 1) % n)) % n LOOP
            IF c.prep IS NOT NULL THEN
                EXECUTE c.prep;
                COMMIT;
            END IF;
            IF cpu THEN
                c0 := bench.backend_cpu_ms();
            END IF;
            t0 := clock_timestamp();
            EXECUTE c.sql;
            t1 := clock_timestamp();
            IF cpu THEN
                c1 := bench.backend_cpu_ms();
                INSERT INTO bench.timing VALUES (w, mc, c.name, r, c1 - c0);
            END IF;
            INSERT INTO bench.timing VALUES (w, m, c.name, r,
                extract(epoch FROM t1 - t0) * 1000);
            COMMIT;
        END LOOP;
    END LOOP;
END
$$;

CREATE VIEW bench.summary AS
WITH med AS (
    SELECT t.workload, t.measure, t.name,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) AS ms,
           min(t.ms) AS lo, max(t.ms) AS hi, count(*) AS runs
      FROM bench.timing t GROUP BY 1, 2, 3
), j AS (
    SELECT c.workload, c.measure, c.name, c.ord, c.role, c.nrows, m.ms, m.lo, m.hi, m.runs,
           (SELECT b.ms FROM med b JOIN bench.contender bc USING (workload, measure, name)
             WHERE bc.role = 'bare' AND b.workload = c.workload AND b.measure = c.measure) AS bare_ms
      FROM bench.contender c JOIN med m USING (workload, measure, name)
)
SELECT j.*,
       CASE WHEN role = 'bare' THEN NULL
            ELSE (ms - coalesce(bare_ms, 0)) * 1e6 / nrows END AS per_row_ns
  FROM j;

-- One figure per (workload, measure, contender), timings and sizes alike.
CREATE VIEW bench.metric AS
SELECT s.workload, s.measure, s.name, s.ord, s.role, s.nrows,
       s.ms AS median, s.per_row_ns AS per_row, NULL::double precision AS value,
       s.lo, s.hi, s.runs, 'ms'::text AS unit, c.seq
  FROM bench.summary s JOIN bench.contender c USING (workload, measure, name)
UNION ALL
SELECT workload, measure, name, ord, role, nrows,
       NULL,
       -- throughput: the cost of one transaction is 1/tps (ns)
       CASE WHEN unit = 'tps' THEN 1e9 / nullif(value, 0) ELSE value / nullif(nrows, 0) END,
       value, lo, hi, NULL, unit, seq
  FROM bench.figure;

CREATE FUNCTION bench.fmt(x double precision, unit text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN x IS NULL THEN ''
        WHEN unit = 'bytes' AND abs(x) >= 1048576 THEN to_char(x / 1048576, 'FM999990.0') || ' MB'
        WHEN unit = 'bytes' THEN to_char(x, 'FM999999990') || ' B'
        WHEN unit = 'ms' AND abs(x) >= 10000 THEN to_char(x / 1000, 'FM999990.0') || ' s'
        WHEN unit = 'ms' THEN to_char(x, 'FM999990.0') || ' ms'
        WHEN unit = 'ns' THEN to_char(x, 'FM999990.0') || ' ns'
        WHEN unit = 'x' THEN to_char(x, 'FM999990.00')
        WHEN unit = 'tps' THEN to_char(x, 'FM999999990') || ' tps'
        ELSE to_char(x, 'FM999999990.0') || ' ' || unit END;
$$;

-- The markdown table.
CREATE FUNCTION bench.report() RETURNS SETOF text LANGUAGE sql AS $$
WITH m AS (
    SELECT m.*,
           (SELECT r.per_row FROM bench.metric r
             WHERE r.workload = m.workload AND r.measure = m.measure AND r.role = 'ref') AS ref_per_row,
           min(m.seq) OVER (PARTITION BY m.workload) AS wseq,
           min(m.seq) OVER (PARTITION BY m.workload, m.measure) AS mseq
      FROM bench.metric m
), t AS (
    SELECT t.workload, t.measure, t.name,
           string_agg(format('%s: %s (%s)', t.label,
                             CASE WHEN lhs IS NULL OR rhs IS NULL THEN 'n/a'
                                  WHEN lhs <= t.factor * rhs THEN 'met' ELSE 'MISSED' END,
                             CASE WHEN rhs IS NULL OR rhs = 0 THEN 'n/a'
                                  ELSE to_char(lhs / rhs, 'FM999990.00') || '×' END),
                      '; ' ORDER BY t.label) AS verdict
      FROM (SELECT t.*,
                   (SELECT CASE t.metric WHEN 'per_row' THEN a.per_row WHEN 'median' THEN a.median ELSE a.value END
                      FROM bench.metric a WHERE (a.workload, a.measure, a.name) = (t.workload, t.measure, t.name)) AS lhs,
                   (SELECT CASE t.metric WHEN 'per_row' THEN b.per_row WHEN 'median' THEN b.median ELSE b.value END
                      FROM bench.metric b WHERE (b.workload, b.measure, b.name) = (t.workload, t.measure, t.other)) AS rhs
              FROM bench.target t) t
     GROUP BY 1, 2, 3
), rows AS (
    SELECT m.wseq, m.mseq, m.ord,
           format('| %s | %s | %s | %s | %s | %s | %s | %s |',
                  m.workload, m.measure,
                  CASE m.role WHEN 'ref' THEN m.name || ' (ref)' WHEN 'bare' THEN m.name || ' (bare)' ELSE m.name END,
                  bench.fmt(coalesce(m.median, m.value), m.unit),
                  CASE WHEN coalesce(m.median, m.value) IS NULL OR coalesce(m.median, m.value) = 0 OR m.hi IS NULL THEN ''
                       ELSE format('%s%%', round(((m.hi - m.lo) * 100 / coalesce(m.median, m.value))::numeric)) END,
                  CASE WHEN m.unit IN ('ms', 'tps') THEN bench.fmt(m.per_row, 'ns')
                       WHEN m.unit = 'bytes' THEN to_char(m.per_row, 'FM999990.0') || ' B'
                       ELSE bench.fmt(m.per_row, m.unit) END,
                  CASE WHEN m.role = 'bare' OR m.ref_per_row IS NULL OR m.ref_per_row = 0 THEN ''
                       ELSE to_char(m.per_row / m.ref_per_row, 'FM999990.00') END,
                  coalesce(t.verdict, '')) AS line
      FROM m LEFT JOIN t USING (workload, measure, name)
)
SELECT line FROM (
    SELECT -2 AS a, 0 AS b, 0 AS c,
           '| workload | measure | contender | median | spread | per row above bare | × ref | target |' AS line
    UNION ALL SELECT -1, 0, 0, '|---|---|---|---:|---:|---:|---:|---|'
    UNION ALL SELECT wseq, mseq, ord, line FROM rows) x
 ORDER BY a, b, c;
$$;
