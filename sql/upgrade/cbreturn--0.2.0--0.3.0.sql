-- cbreturn 0.2.0 -> 0.3.0.  Run by ALTER EXTENSION cbreturn UPDATE; attached
-- checks (their triggers and metadata) are kept.  Each section below names the
-- change it carries; test/checks/upgrade.sh requires the result to equal a
-- fresh 0.3.0 install, from 0.2.0 and from 0.1.0 alike.
\echo Use "ALTER EXTENSION cbreturn UPDATE" to load this file. \quit

-- ==== Import-side rules and pilot data (issue 11 items 4, 5, 6, 8; issue 10) ====
-- R-IM-1: a late application is late whether or not the goods have arrived;
-- import_return_on_time reads a NULL date as "not recorded yet".
ALTER FUNCTION cbreturn.import_return_on_time(date, date, date) CALLED ON NULL INPUT;
COMMENT ON FUNCTION cbreturn.import_return_on_time(date, date, date) IS
    'true when the application is within 30 days and the arrival within 45 days of the release of the import list; false once a recorded date is late (a late application whether or not the goods arrived); NULL while a date that decides is not recorded (R-IM-1)';

-- R-IM-3 with the status of a recorded return (rules section 6): nothing is
-- refunded or restored before customs releases the return, nothing ever when
-- it is rejected; the quota restored is that of the purchase's calendar year.
CREATE FUNCTION cbreturn.import_annual_amount_after_return(annual_used numeric, returned_value numeric,
                                                           purchased_on date, amount_year integer,
                                                           status text)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'import_annual_amount_after_return_in_year'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_annual_amount_after_return(numeric, numeric, date, integer, text) IS
    'consumer''s annual cumulative amount of amount_year after a recorded return: reduced by returned_value once the return is released and amount_year is the calendar year of the purchase, unchanged otherwise (R-IM-3)';

CREATE TYPE cbreturn.import_effect AS (
    effect          text,
    tax_refunded    boolean,
    quota_year      integer,
    quota_restored  numeric,
    basis           text
);
COMMENT ON TYPE cbreturn.import_effect IS
    'answer of import_return_effect: not_yet, applied or never; whether the tax is refunded; the calendar year whose annual amount is restored and by how much (R-IM-3)';

CREATE FUNCTION cbreturn.import_return_effect(purchased_on date, returned_value numeric, status text)
    RETURNS cbreturn.import_effect
    AS 'MODULE_PATHNAME', 'import_return_effect'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_return_effect(date, numeric, text) IS
    'what a recorded retail import return has done (R-IM-3, rules section 6): applied once released (tax refunded, quota of the purchase year restored), not_yet before, never when rejected';

-- Pilot data (R-EX-5): the rules grade the list of 20 pilot districts M;
-- where a seed names the district too, H.  Only rows still as shipped are
-- changed; a DBA's edits are kept.
SELECT pg_catalog.set_config('cbreturn.loading_policy', 'on', true);
UPDATE cbreturn.districts SET
    pilot_confidence = CASE
        WHEN code IN ('01', '02', '09', '19', '22', '23', '29', '79', '94') THEN 'H'
        ELSE 'M' END,
    pilot_source = CASE
        WHEN code IN ('01', '02', '09', '29')
            THEN 'GACC 2024 No. 167 (pilot from 2024-12-15), named in seeds 001 and 002'
        WHEN code IN ('19', '22', '23', '79', '94')
            THEN 'GACC 2024 No. 167 (pilot from 2024-12-15), named in seed 001'
        ELSE 'GACC 2024 No. 167 (pilot from 2024-12-15) as listed in the rules (R-EX-5); named in no seed' END
 WHERE cross_return_pilot_from IS NOT NULL AND shipped;
SELECT pg_catalog.set_config('cbreturn.loading_policy', 'off', true);
