-- R-IM-3 with the status of a recorded return (issue 11 items 4 and 5):
-- the tax is refunded and the consumer's annual amount reduced only once
-- customs has released the return ("not yet" before, "never" when it is
-- rejected), and the amount reduced is that of the calendar year of the
-- original purchase, also when the return is released in the next year.
SET datestyle = 'ISO, YMD';

-- Every status (rules section 6): only released applies, rejected never will.
SELECT s.ord, s.status, (e).effect, (e).tax_refunded, (e).quota_year, (e).quota_restored
  FROM unnest(ARRAY['registered', 'declared', 'shipped', 'arrived', 'inspected', 'released', 'rejected'])
       WITH ORDINALITY AS s(status, ord),
       LATERAL (SELECT cbreturn.import_return_effect('2026-12-20', 1500.00, s.status) AS e) x
 ORDER BY s.ord;
SELECT basis FROM cbreturn.import_return_effect('2026-12-20', 1500, 'released');

-- The explanation (R-IM-3 with rules section 6): one row for the status, one
-- for the annual amount of the purchase's year; a rejected return fails.
SELECT s.status, x.step, x.rule_id, x.passed, x.seen
  FROM unnest(ARRAY['inspected', 'released', 'rejected']) AS s(status),
       LATERAL cbreturn.explain_import_return_effect('2026-12-20', 1500.00, s.status) x
 ORDER BY s.status, x.step;
SELECT count(*) AS rows_for_null_status FROM cbreturn.explain_import_return_effect('2026-12-20', 1500, NULL);
SELECT * FROM cbreturn.explain_import_return_effect('2026-12-20', 1500, 'withdrawn');

-- In Chinese (cbreturn.language): the rule's Chinese name, the stage's label,
-- the official Chinese titles of the announcements; R-IM-4's basis too.
SET cbreturn.language = 'zh_CN.UTF-8';
SELECT basis FROM cbreturn.import_return_effect('2026-12-20', 1500, 'released');
SELECT x.step, x.rule_id, x.passed, x.seen, x.basis
  FROM cbreturn.explain_import_return_effect('2026-12-20', 1500.00, 'released') x;
SELECT s.status, x.step, x.passed, x.seen
  FROM (VALUES (1, 'shipped'), (2, 'rejected')) AS s(n, status),
       LATERAL cbreturn.explain_import_return_effect('2027-01-05', 80, s.status) x
 ORDER BY s.n, x.step;
SELECT (cbreturn.import_retail_tax(1000, 0.13)).basis AS within_limits,
       (cbreturn.import_retail_tax(5000.01, 0.13)).basis AS above_limits;
RESET cbreturn.language;

-- A status that is not a stage: 22023 naming the stages; NULL: NULL.
SELECT cbreturn.import_return_effect('2026-12-20', 1500, 'Released');
SELECT cbreturn.import_return_effect('2026-12-20', 1500, 'withdrawn');
SELECT cbreturn.import_return_effect('2026-12-20', 1500, NULL) IS NULL AS null_status;
SELECT cbreturn.import_return_effect('infinity', 1500, 'released');
SELECT cbreturn.import_return_effect('2026-12-20', -1, 'released');

-- Item 4: a December purchase returned (and released) in January.  The
-- consumer's 2027 amount is 800, 2026's 20,000.  The return restores 2026's
-- quota; January's amount is unchanged and is not compared with the return
-- (the two-argument form, given January's amount, can only refuse: 22023).
SELECT cbreturn.import_annual_amount_after_return(800, 1500);
SELECT cbreturn.import_annual_amount_after_return(800, 1500, '2026-12-20', 2027, 'released') AS amount_2027,
       cbreturn.import_annual_amount_after_return(20000, 1500, '2026-12-20', 2026, 'released') AS amount_2026,
       cbreturn.import_annual_quota_remaining(
           cbreturn.import_annual_amount_after_return(20000, 1500, '2026-12-20', 2026, 'released')) AS left_2026;
-- Item 5: the same return before release and after rejection changes nothing.
SELECT status,
       cbreturn.import_annual_amount_after_return(20000, 1500, '2026-12-20', 2026, status) AS amount_2026
  FROM (VALUES ('registered'), ('inspected'), ('released'), ('rejected')) AS t(status)
 ORDER BY 1;
-- More than the purchase year's amount is bad input, whatever the status.
SELECT cbreturn.import_annual_amount_after_return(1000, 1500, '2026-12-20', 2026, 'inspected');
SELECT cbreturn.import_annual_amount_after_return(1000, 1500, '2026-12-20', 2026, 'shipped ');

-- As an ERP uses it: one consumer's purchases and returns over a year end;
-- the annual amount of each year counts the purchases of that year less the
-- returns of them that customs released.
CREATE TEMP TABLE purchase (id int, consumer text, purchased_on date, value numeric);
CREATE TEMP TABLE import_return (purchase_id int, returned_value numeric, status text);
INSERT INTO purchase VALUES
    (1, 'c1', '2026-11-02', 3000), (2, 'c1', '2026-12-20', 1500),
    (3, 'c1', '2027-01-05', 800),  (4, 'c1', '2026-12-28', 400);
INSERT INTO import_return VALUES
    (2, 1500, 'released'),   -- released in January 2027: restores 2026
    (3, 300, 'inspected'),   -- not yet
    (4, 400, 'rejected');    -- never
SELECT (e).quota_year AS year, sum((e).quota_restored) AS restored,
       count(*) FILTER (WHERE (e).effect = 'not_yet') AS pending
  FROM import_return r JOIN purchase p ON p.id = r.purchase_id,
       LATERAL (SELECT cbreturn.import_return_effect(p.purchased_on, r.returned_value, r.status) AS e) x
 GROUP BY 1 ORDER BY 1;
SELECT extract(year FROM p.purchased_on)::int AS year,
       sum(p.value) - coalesce(sum((cbreturn.import_return_effect(p.purchased_on, r.returned_value, r.status)).quota_restored), 0)
           AS annual_amount
  FROM purchase p LEFT JOIN import_return r ON r.purchase_id = p.id
 GROUP BY 1 ORDER BY 1;

-- Volatility: IMMUTABLE (usable in generated columns), except
-- import_return_effect, whose basis follows the language setting (STABLE);
-- the R-IM-3 ones STRICT, import_return_on_time not (a NULL date is one not
-- recorded yet).
SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args, p.provolatile, p.proisstrict
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'cbreturn' AND p.proname IN ('import_return_effect', 'import_annual_amount_after_return',
                                                 'import_return_on_time')
 ORDER BY 1, 2;

-- An ordinary (taxed) return (issue 12, item 4), declared outside the CBEC
-- retail import return procedure: released, it still refunds no tax and
-- restores no annual amount, and the basis says why; bad input is still bad
-- input.  ordinary => false is the default.
SELECT ordinary, (e).effect, (e).tax_refunded, (e).quota_year, (e).quota_restored, (e).basis
  FROM (VALUES (false), (true)) v(ordinary),
       LATERAL (SELECT cbreturn.import_return_effect('2026-03-01', 500, 'released', v.ordinary) AS e) x
 ORDER BY 1;
SELECT cbreturn.import_annual_amount_after_return(3000, 500, '2026-03-01', 2026, 'released') AS cbec,
       cbreturn.import_annual_amount_after_return(3000, 500, '2026-03-01', 2026, 'released', ordinary => true) AS ordinary;
-- The explanation takes the same argument and gives the same verdict (it
-- said "customs has released the return, so its tax ... is refunded" for an
-- ordinary return): released or not, an ordinary return fails R-IM-3's
-- steps, which say why, with the ordinary basis; ordinary => false is the
-- default, as before; NULL gives no rows (STRICT), as for the effect.
SELECT s.status, x.step, x.rule_id, x.passed, x.seen,
       x.basis = (cbreturn.import_return_effect('2026-03-01', 500, s.status, true)).basis AS same_basis
  FROM unnest(ARRAY['inspected', 'released', 'rejected']) AS s(status),
       LATERAL cbreturn.explain_import_return_effect('2026-03-01', 500, s.status, ordinary => true) x
 ORDER BY s.status, x.step;
SELECT count(*) FILTER (WHERE x.passed) AS passed_steps, count(*) AS steps
  FROM cbreturn.explain_import_return_effect('2026-03-01', 500, 'released') x;
SELECT count(*) AS rows_for_null_ordinary FROM cbreturn.explain_import_return_effect('2026-03-01', 500, 'released', NULL);
-- the explanation agrees with the effect for every status, CBEC or ordinary
SELECT count(*) AS disagreements
  FROM unnest(ARRAY['registered', 'declared', 'shipped', 'arrived', 'inspected', 'released', 'rejected']) AS s(status),
       unnest(ARRAY[false, true]) AS o(ordinary),
       LATERAL (SELECT bool_and(x.passed) AS passed, min(x.basis) AS basis
                  FROM cbreturn.explain_import_return_effect('2026-03-01', 500, s.status, o.ordinary) x) e
 WHERE e.passed IS DISTINCT FROM ((cbreturn.import_return_effect('2026-03-01', 500, s.status, o.ordinary)).effect <> 'never')
    OR e.basis IS DISTINCT FROM (cbreturn.import_return_effect('2026-03-01', 500, s.status, o.ordinary)).basis;
SET cbreturn.language = 'zh_CN.UTF-8';
SELECT (cbreturn.import_return_effect('2026-03-01', 500, 'released', ordinary => true)).basis;
SELECT x.step, x.passed, x.seen
  FROM cbreturn.explain_import_return_effect('2026-03-01', 500, 'released', ordinary => true) x;
RESET cbreturn.language;
SELECT cbreturn.import_return_effect('2026-03-01', -1, 'released', ordinary => true);
