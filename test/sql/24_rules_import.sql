-- Retail import returns (R-IM-1 ... R-IM-4).
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET datestyle = 'ISO, YMD';

-- R-IM-1: application within 30 days, arrival within 45 days of release.
-- Released 2026-01-31: apply by 2026-03-02, arrive by 2026-03-17.
SELECT released_on, applied_on, arrived_on, expected,
       cbreturn.import_return_on_time(released_on, applied_on, arrived_on) AS got,
       cbreturn.import_return_on_time(released_on, applied_on, arrived_on) = expected AS ok
FROM (VALUES
    ('2026-01-31'::date, '2026-01-31'::date, '2026-01-31'::date, true),  -- same day
    ('2026-01-31', '2026-03-02', '2026-03-17', true),                    -- both deadline days
    ('2026-01-31', '2026-03-03', '2026-03-17', false),                   -- applied a day late
    ('2026-01-31', '2026-03-02', '2026-03-18', false),                   -- arrived a day late
    ('2026-01-31', '2026-02-10', '2026-02-05', true),                    -- arrived before applying
    ('2024-01-31', '2024-03-01', '2024-03-16', true),                    -- leap February
    ('2024-01-31', '2024-03-02', '2024-03-16', false),
    ('2025-12-31', '2026-01-30', '2026-02-14', true),                    -- across the year end
    ('2025-12-31', '2026-01-31', '2026-02-14', false)
) AS t(released_on, applied_on, arrived_on, expected)
ORDER BY 1, 2, 3;

SELECT cbreturn.import_return_on_time('2026-01-31', NULL, '2026-02-01') IS NULL AS not_applied_yet_is_null;

-- R-IM-1 (issue 11 item 6): an application filed after day 30 is late when
-- it is filed, whether or not the goods have arrived; goods arriving after
-- day 45 are late whether or not the application is recorded.  A NULL date
-- is one not recorded yet: NULL only while it could still change the answer.
SELECT released_on, applied_on, arrived_on,
       cbreturn.import_return_on_time(released_on, applied_on, arrived_on) AS on_time
FROM (VALUES
    ('2026-01-31'::date, '2026-03-03'::date, NULL::date),  -- applied on day 31, not arrived: false
    ('2026-01-31', '2026-03-02', NULL),                    -- applied on day 30, not arrived: NULL
    ('2026-01-31', NULL, '2026-03-18'),                    -- arrived on day 46: false
    ('2026-01-31', NULL, '2026-03-17'),                    -- arrived on day 45: NULL
    ('2026-01-31', NULL, NULL),                            -- nothing recorded: NULL
    (NULL, '2026-03-03', NULL)                             -- no release date: NULL
) AS t(released_on, applied_on, arrived_on)
ORDER BY 1, 2, 3;
-- bad input is reported whatever is recorded (as the import check does)
SELECT cbreturn.import_return_on_time('2026-01-31', '2026-01-30', NULL);
SELECT cbreturn.import_return_on_time('infinity', NULL, NULL);
-- explain says the same: the application step fails without an arrival date
SELECT * FROM cbreturn.explain_import_return('2026-01-31', '2026-03-03');
-- and the attached import check refuses the row when the application is
-- recorded, before any arrival date (CB001)
CREATE TABLE imp_late (id int PRIMARY KEY, released date, applied date, arrived date);
SELECT cbreturn.attach_import_return_checks('imp_late', released_on => 'released',
                                            applied_on => 'applied', arrived_on => 'arrived');
INSERT INTO imp_late VALUES (1, '2026-01-31', NULL, NULL);
INSERT INTO imp_late VALUES (2, '2026-01-31', '2026-03-02', NULL);
UPDATE imp_late SET applied = '2026-03-03' WHERE id = 1;
INSERT INTO imp_late VALUES (3, '2026-01-31', '2026-03-03', NULL);
SELECT * FROM imp_late ORDER BY id;
DROP TABLE imp_late;

-- Bad input: dates before the release (22023), infinity (22008).
SELECT cbreturn.import_return_on_time('2026-01-31', '2026-01-30', '2026-02-01');
SELECT cbreturn.import_return_on_time('2026-01-31', '2026-02-01', '2026-01-30');
SELECT cbreturn.import_return_on_time('infinity', '2026-02-01', '2026-02-01');
SELECT cbreturn.import_return_on_time('2026-01-31', 'infinity', '2026-02-01');

SELECT * FROM cbreturn.explain_import_return('2026-01-31', '2026-03-03', '2026-03-17');
SELECT * FROM cbreturn.explain_import_return('2026-01-31');

-- R-IM-4: tariff 0; VAT and consumption tax at 70 % of the statutory amount.
-- Hand-computed: value 1000, VAT 13 %, no consumption tax: 1000 * 0.13 * 0.7 = 91.00.
-- Cosmetics, consumption tax 15 %: statutory CT = 1000 / 0.85 * 0.15 = 176.4706,
-- x 0.7 = 123.53; VAT = (1000 + 176.4706) * 0.13 = 152.9412, x 0.7 = 107.06;
-- total 230.59 (the well-known 23.06 % CBEC rate).
SELECT v, vat, ct, used, (t).*
FROM (VALUES
    (1000::numeric, 0.13::numeric, 0::numeric, 0::numeric),
    (1000, 0.13, 0.15, 0),
    (5000, 0.13, 0, 0),          -- the per-transaction limit itself: within
    (5000.01, 0.13, 0, 0),       -- above it
    (1000, 0.13, 0, 25000),      -- reaches the annual limit exactly: within
    (1000, 0.13, 0, 25000.01),   -- above the annual limit
    (0, 0.13, 0, 0)
) AS c(v, vat, ct, used),
LATERAL (SELECT cbreturn.import_retail_tax(v, vat, ct, used) AS t) AS x
ORDER BY used, v, ct;

-- Exact arithmetic (issue 10: R-IM-4 decided over exact decimals): each tax
-- is the exact amount rounded once, half away from zero.  1.15 at
-- consumption tax 30 %: 1.15 * 0.3 / 0.7 * 0.7 = 0.345 exactly -> 0.35
-- (0.1.0 and 0.2.0 divided to 20 digits first and said 0.34).  A rate
-- computed by division (0.13000000000000000000) is the same rate.
SELECT (cbreturn.import_retail_tax(1.15, 0, 0.3)).consumption_tax AS ct_half_fen,
       (cbreturn.import_retail_tax(1000, 13 / 100.0)).import_vat AS vat_rate_by_division,
       (cbreturn.import_retail_tax(1000.000, 0.13)).total AS value_with_zeros;

-- Bad input (22023).
SELECT cbreturn.import_retail_tax(-1, 0.13);
SELECT cbreturn.import_retail_tax(100, 1);
SELECT cbreturn.import_retail_tax(100, 0.13, -0.1);
SELECT cbreturn.import_retail_tax('NaN', 0.13);
SELECT cbreturn.import_retail_tax(100, 'Infinity');
-- Beyond exact arithmetic (18 digits): 22003, never a rounded answer.
SELECT cbreturn.import_retail_tax(1e30, 0.13);
SELECT cbreturn.import_retail_tax(100, 0.1300000000000000000001);
SELECT cbreturn.import_annual_quota_remaining(1e19);

-- R-IM-3: a released return reduces the annual amount; R-IM-4: what is left.
SELECT cbreturn.import_annual_amount_after_return(20000, 1500) AS after_return,       -- 18500
       cbreturn.import_annual_quota_remaining(20000) AS left_before,                  -- 6000
       cbreturn.import_annual_quota_remaining(
           cbreturn.import_annual_amount_after_return(20000, 1500)) AS left_after,     -- 7500
       cbreturn.import_annual_quota_remaining(30000) AS left_over_limit;              -- 0
SELECT cbreturn.import_annual_amount_after_return(1000, 1000.01);
SELECT cbreturn.import_annual_amount_after_return(-5, 0);

-- The limits are data: a new announcement is an UPDATE, seen at once.
BEGIN;
UPDATE cbreturn.rule_parameters SET value_numeric = 30000 WHERE name = 'import_limit_per_year';
SELECT cbreturn.import_annual_quota_remaining(20000) AS left_with_30000_limit;        -- 10000
ROLLBACK;
SELECT cbreturn.import_annual_quota_remaining(20000) AS left_after_rollback;          -- 6000
