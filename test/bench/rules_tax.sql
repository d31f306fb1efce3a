-- Workload "rules", measure "tax relief": cbreturn.export_tax_relief
-- (R-TX-1 ... R-TX-6) over :rows rows against a PL/pgSQL function reading the
-- same policy tables (bench.export_tax_relief_plpgsql, plpgsql.sql), with the
-- built-in expression exported_on + interval '6 months' on the same table as
-- the reference.  Included by rules.sql, which times it.
--
-- The rows mix every branch of the rule: the three reasons; supervision
-- codes 9610, 1210 (most with a date of leaving the special area, some
-- without), 9710, 9810 and 0110 (not covered); food and non-food; original
-- state or not; export rebate claimed or not; returns inside and outside the
-- 6-month and 1-year windows; export dates before the first policy period
-- (2023-01-30), in the overlapping 2023 periods, in 2026 No. 16 and after its
-- end (2027-12-31).  Every column the rule reads comes before rebate_claimed,
-- which the bare scan tests.

\set ON_ERROR_STOP 1

CREATE UNLOGGED TABLE bench.tx (
    code                  cbreturn.supervision_code,
    exported_on           date,
    returned_on           date,
    reason                cbreturn.return_reason,
    is_food               boolean,
    original_state        boolean,
    left_special_area_on  date,
    rebate_claimed        boolean
);
INSERT INTO bench.tx
SELECT code, e, coalesce(l, e) + (i::bigint * 37 % 420)::integer, reason,
       (i / 30) % 9 = 0, (i / 7) % 13 <> 0, l, (i / 13) % 5 = 0
  FROM generate_series(1, :rows) AS i,
       LATERAL (SELECT (ARRAY['9610', '9610', '9610', '9610', '1210', '1210', '9710', '9810', '0110', '0110'])[1 + i % 10]::cbreturn.supervision_code AS code,
                       date '2022-10-01' + ((i::bigint * 7919) % 2100)::integer AS e,
                       (enum_range(NULL::cbreturn.return_reason))[1 + (i / 10) % 3] AS reason) AS x,
       LATERAL (SELECT CASE WHEN (i / 3) % 8 <> 0 THEN x.e + (i / 11) % 60 END AS l) AS y;
VACUUM (ANALYZE) bench.tx;

SELECT bench.add('rules', 'tax relief', 'bare scan', 'bare',
                 'SELECT count(*) FROM bench.tx WHERE rebate_claimed IS NOT NULL', :rows);
SELECT bench.add('rules', 'tax relief', 'exported_on + interval ''6 months''', 'ref',
                 'SELECT count(*) FROM bench.tx WHERE (exported_on + interval ''6 months'') IS NOT NULL AND rebate_claimed IS NOT NULL',
                 :rows, NULL, 'interval');

-- Every field of every row, the NULLs of basis and evidence_required and the
-- order of failed[] included: the composites compared as records and as text.
SELECT bench.assert_zero('export_tax_relief: C vs PL/pgSQL (every row, every field)',
       (SELECT count(*) FROM (
            SELECT cbreturn.export_tax_relief(code, exported_on, returned_on, reason, is_food,
                                              original_state, left_special_area_on, rebate_claimed) AS c,
                   bench.export_tax_relief_plpgsql(code, exported_on, returned_on, reason, is_food,
                                                   original_state, left_special_area_on, rebate_claimed) AS p
              FROM bench.tx OFFSET 0) s
         WHERE c IS DISTINCT FROM p OR c::text IS DISTINCT FROM p::text
            OR (c).failed::text IS DISTINCT FROM (p).failed::text));

-- The scalar accessor gives the relieved field of every row.
SELECT bench.assert_zero('export_tax_relieved = (export_tax_relief(...)).relieved (every row)',
       (SELECT count(*) FROM bench.tx
         WHERE cbreturn.export_tax_relieved(code, exported_on, returned_on, reason, is_food,
                                            original_state, left_special_area_on, rebate_claimed)
               IS DISTINCT FROM
               (cbreturn.export_tax_relief(code, exported_on, returned_on, reason, is_food,
                                           original_state, left_special_area_on, rebate_claimed)).relieved));

-- What the data exercised, so a reader can see that every branch was taken.
CREATE TEMP TABLE tx_answer AS
SELECT (r).failed::text AS failed, coalesce((r).basis, '-') AS basis, code::text AS code,
       count(*) AS n, count(*) FILTER (WHERE (r).relieved) AS relieved
  FROM (SELECT code, cbreturn.export_tax_relief(code, exported_on, returned_on, reason, is_food,
                                                original_state, left_special_area_on, rebate_claimed) AS r
          FROM bench.tx OFFSET 0) s
 GROUP BY 1, 2, 3;
SELECT bench.note('rules', 'export_tax_relief answers, failed[]: '
       || string_agg(format('%s %s%%', failed, round(100.0 * n / (SELECT sum(n) FROM tx_answer), 1)), ', ' ORDER BY failed))
  FROM (SELECT failed, sum(n) AS n FROM tx_answer GROUP BY 1) f;
SELECT bench.note('rules', 'export_tax_relief answers, basis: '
       || string_agg(format('%s %s%%', basis, round(100.0 * n / (SELECT sum(n) FROM tx_answer), 1)), ', ' ORDER BY basis))
  FROM (SELECT basis, sum(n) AS n FROM tx_answer GROUP BY 1) f;
SELECT bench.note('rules', 'export_tax_relief answers, relieved per supervision code: '
       || string_agg(format('%s %s%%', code, round(100.0 * relieved / n, 1)), ', ' ORDER BY code))
  FROM (SELECT code, sum(n) AS n, sum(relieved) AS relieved FROM tx_answer GROUP BY 1) f;
DROP TABLE tx_answer;

-- The function builds the whole composite; the query reads its first field,
-- as a report that filters on relieved does (reading a field after the
-- variable-length ones would add the same tuple walk to both contenders).
SELECT bench.add('rules', 'tax relief', 'C export_tax_relief', 'other',
                 'SELECT count(*) FROM bench.tx WHERE (cbreturn.export_tax_relief(code, exported_on, returned_on, reason, is_food, original_state, left_special_area_on, rebate_claimed)).relieved IS NOT NULL',
                 :rows, NULL, 'export_tax_relief(');
-- The scalar accessor for scans: the same decision, no composite formed.
SELECT bench.add('rules', 'tax relief', 'C export_tax_relieved', 'other',
                 'SELECT count(*) FROM bench.tx WHERE cbreturn.export_tax_relieved(code, exported_on, returned_on, reason, is_food, original_state, left_special_area_on, rebate_claimed) IS NOT NULL',
                 :rows, NULL, 'export_tax_relieved(');
SELECT bench.add('rules', 'tax relief', 'PL/pgSQL export_tax_relief', 'other',
                 'SELECT count(*) FROM bench.tx WHERE (bench.export_tax_relief_plpgsql(code, exported_on, returned_on, reason, is_food, original_state, left_special_area_on, rebate_claimed)).relieved IS NOT NULL',
                 :rows, NULL, 'export_tax_relief_plpgsql(');
SELECT bench.add_target('rules', 'tax relief', 'C export_tax_relief', 'per_row', 2.0,
                        'exported_on + interval ''6 months''', '≤ 2 × built-in');
SELECT bench.add_target('rules', 'tax relief', 'C export_tax_relief', 'per_row', 0.1,
                        'PL/pgSQL export_tax_relief', '≥ 10× cheaper than PL/pgSQL');
SELECT bench.add_target('rules', 'tax relief', 'C export_tax_relieved', 'per_row', 2.0,
                        'exported_on + interval ''6 months''', '≤ 2 × built-in');
