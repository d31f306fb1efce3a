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

-- Volatility: all IMMUTABLE (usable in generated columns); the R-IM-3 ones
-- STRICT, import_return_on_time not (a NULL date is one not recorded yet).
SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args, p.provolatile, p.proisstrict
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'cbreturn' AND p.proname IN ('import_return_effect', 'import_annual_amount_after_return',
                                                 'import_return_on_time')
 ORDER BY 1, 2;
