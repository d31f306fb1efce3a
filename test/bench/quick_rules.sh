#!/bin/bash
# test/bench/quick_rules.sh: a quick look at two per-row rule costs without
# the whole of `make bench` (docs/performance.md): export_return_deadline and
# export_tax_relief and its scalar accessor export_tax_relieved against the
# built-in interval expression, over 2M rows,
# seven alternating rounds, minimum and median of the wall time and, on
# Linux, of the backend's own CPU time (/proc/self/stat, in 10 ms ticks),
# which a machine shared with other jobs disturbs less than the wall time.
# Run on a throwaway cluster:
#     test/run exec test/bench/quick_rules.sh
set -euo pipefail
psql -X -q -d postgres <<'SQL'
CREATE EXTENSION cbreturn;
SET max_parallel_workers_per_gather = 0;
CREATE UNLOGGED TABLE d AS SELECT date '2020-01-01' + (i % 3000) AS e, (enum_range(NULL::cbreturn.return_reason))[1 + i % 3] AS r, i % 2 = 0 AS flag
  FROM generate_series(1, 2000000) i;
CREATE UNLOGGED TABLE tx AS
SELECT code, e AS exported_on, coalesce(l, e) + (i::bigint * 37 % 420)::integer AS returned_on, reason,
       (i / 30) % 9 = 0 AS is_food, (i / 7) % 13 <> 0 AS original_state, l AS left_special_area_on, (i / 13) % 5 = 0 AS rebate_claimed
  FROM generate_series(1, 2000000) AS i,
       LATERAL (SELECT (ARRAY['9610', '9610', '9610', '9610', '1210', '1210', '9710', '9810', '0110', '0110'])[1 + i % 10]::cbreturn.supervision_code AS code,
                       date '2022-10-01' + ((i::bigint * 7919) % 2100)::integer AS e,
                       (enum_range(NULL::cbreturn.return_reason))[1 + (i / 10) % 3] AS reason) AS x,
       LATERAL (SELECT CASE WHEN (i / 3) % 8 <> 0 THEN x.e + (i / 11) % 60 END AS l) AS y;
VACUUM ANALYZE d; VACUUM ANALYZE tx;
CREATE TEMP TABLE timing (what text, ms float8, cpu_ms float8);
-- utime + stime of this backend in ms (fields 14 and 15 of /proc/self/stat); NULL elsewhere
CREATE FUNCTION pg_temp.cpu() RETURNS float8 LANGUAGE sql AS $$
  SELECT 1000.0 / 100 * (split_part(s, ' ', 12)::bigint + split_part(s, ' ', 13)::bigint)
    FROM (SELECT regexp_replace(pg_read_file('/proc/self/stat', 0, 4096, true), '^.*\) ', '') AS s) x $$;
CREATE FUNCTION pg_temp.t(what text, q text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; c0 float8; BEGIN c0 := pg_temp.cpu(); t0 := clock_timestamp(); EXECUTE q;
  INSERT INTO timing VALUES (what, 1000 * extract(epoch FROM clock_timestamp() - t0), pg_temp.cpu() - c0); END $$;
DO $$ BEGIN FOR i IN 1..7 LOOP
  PERFORM pg_temp.t('d bare', 'SELECT count(*) FROM d WHERE flag IS NOT NULL AND e IS NOT NULL AND r IS NOT NULL');
  PERFORM pg_temp.t('d interval', 'SELECT count(*) FROM d WHERE (e + interval ''6 months'') IS NOT NULL AND flag IS NOT NULL AND r IS NOT NULL');
  PERFORM pg_temp.t('d C', 'SELECT count(*) FROM d WHERE cbreturn.export_return_deadline(e, r) IS NOT NULL AND flag IS NOT NULL');
  PERFORM pg_temp.t('tx bare', 'SELECT count(*) FROM tx WHERE rebate_claimed IS NOT NULL');
  PERFORM pg_temp.t('tx interval', 'SELECT count(*) FROM tx WHERE (exported_on + interval ''6 months'') IS NOT NULL AND rebate_claimed IS NOT NULL');
  PERFORM pg_temp.t('tx C', 'SELECT count(*) FROM tx WHERE (cbreturn.export_tax_relief(code, exported_on, returned_on, reason, is_food, original_state, left_special_area_on, rebate_claimed)).relieved IS NOT NULL');
  PERFORM pg_temp.t('tx C relieved', 'SELECT count(*) FROM tx WHERE cbreturn.export_tax_relieved(code, exported_on, returned_on, reason, is_food, original_state, left_special_area_on, rebate_claimed) IS NOT NULL');
END LOOP; END $$;
SELECT what, round(min(ms)) AS min_ms, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)) AS median_ms,
       round(min(cpu_ms)) AS cpu_min_ms, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_ms)) AS cpu_median_ms
  FROM timing GROUP BY 1 ORDER BY 1;
SQL
