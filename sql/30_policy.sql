-- Policy as data (R-TX-1, R-EX-5, R-IM-4, R-P-2): tax policy periods, rule
-- parameters and holidays.  Same pattern as the reference tables of
-- 20_reference.sql: a "shipped" column, pg_extension_config_dump(...,
-- 'WHERE NOT shipped') and the trigger cbreturn.policy_row_guard().
--
-- The C functions read every policy table once per backend into memory
-- (policy.c).  The statement triggers "policy_changed" below send a relcache
-- invalidation for the table that changed, so this session sees the change
-- from its next command and every other session from its next transaction,
-- without a release and without reconnecting.  docs/policy.md is the DBA's
-- guide.

CREATE FUNCTION cbreturn.policy_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'policy_changed' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.policy_changed() IS
    'statement trigger on every policy table: tells every session to reload its policy cache (docs/policy.md)';

SELECT pg_catalog.set_config('cbreturn.loading_policy', 'on', true);

-- ---------------------------------------------------------------------------
-- Tax policy periods (R-TX-1): which exports a relief announcement covers
-- ---------------------------------------------------------------------------
CREATE TABLE cbreturn.tax_policy_periods (
    announcement        text PRIMARY KEY CHECK (announcement <> ''),
    -- Export declaration dates covered, both inclusive.
    declared_from       date NOT NULL CHECK (pg_catalog.isfinite(declared_from)),
    declared_to         date NOT NULL CHECK (pg_catalog.isfinite(declared_to)),
    -- Supervision codes whose exports the announcement covers (R-TX-2).
    supervision_codes   cbreturn.supervision_code[] NOT NULL
                        CHECK (pg_catalog.cardinality(supervision_codes) > 0
                               AND pg_catalog.array_position(supervision_codes, NULL) IS NULL),
    -- Months from the export (1210: from leaving the special area) within
    -- which the goods must be back (R-TX-2).
    months              integer NOT NULL DEFAULT 6 CHECK (months BETWEEN 1 AND 120),
    -- The announcement this one extends, if any (informational).
    extends             text,
    confidence          "char" NOT NULL DEFAULT 'U' CHECK (confidence IN ('H', 'M', 'U')),
    shipped             boolean NOT NULL DEFAULT false,
    -- The Chinese official title, named by Chinese explanations; last, as
    -- ALTER TABLE ... ADD COLUMN put it on upgrade from 0.2.0.
    title_zh            text CHECK (title_zh <> ''),
    CHECK (declared_to >= declared_from)
);
COMMENT ON TABLE cbreturn.tax_policy_periods IS
    'MoF/GACC/STA announcements granting tax relief on returned CBEC exports, keyed on the export declaration date (R-TX-1, R-TX-2)';
COMMENT ON COLUMN cbreturn.tax_policy_periods.declared_from IS 'first export declaration date covered (inclusive)';
COMMENT ON COLUMN cbreturn.tax_policy_periods.declared_to IS 'last export declaration date covered (inclusive)';
COMMENT ON COLUMN cbreturn.tax_policy_periods.supervision_codes IS 'export supervision codes covered (R-TX-2)';
COMMENT ON COLUMN cbreturn.tax_policy_periods.months IS
    'months from the export date (1210: from leaving the special area) within which the goods must return (R-TX-2)';
COMMENT ON COLUMN cbreturn.tax_policy_periods.extends IS 'announcement this one extends, if any';
COMMENT ON COLUMN cbreturn.tax_policy_periods.title_zh IS
    'Chinese official title of the announcement (e.g. 财政部 海关总署 税务总局公告2026年第16号), named in Chinese bases; NULL: the announcement column is named';

INSERT INTO cbreturn.tax_policy_periods
    (announcement, declared_from, declared_to, supervision_codes, months, extends, confidence, shipped, title_zh)
VALUES
    ('MoF/GACC/STA 2023 No. 4', '2023-01-30', '2024-01-29', '{1210,9610,9710,9810}', 6, NULL, 'H', true,
     '财政部 海关总署 税务总局公告2023年第4号'),
    ('MoF/GACC/STA 2023 No. 34', '2023-01-30', '2025-12-31', '{1210,9610,9710,9810}', 6,
     'MoF/GACC/STA 2023 No. 4', 'H', true, '财政部 海关总署 税务总局公告2023年第34号'),
    ('MoF/GACC/STA 2026 No. 16', '2026-01-01', '2027-12-31', '{1210,9610,9710,9810}', 6, NULL, 'H', true,
     '财政部 海关总署 税务总局公告2026年第16号');

-- ---------------------------------------------------------------------------
-- Rule parameters (R-EX-5, R-IM-4, R-P-2): values an announcement can change
-- ---------------------------------------------------------------------------
CREATE TABLE cbreturn.rule_parameters (
    name            text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]*$'),
    rule_id         text NOT NULL CHECK (rule_id ~ '^R-[A-Z]+-[0-9]+$'),
    value_date      date CHECK (value_date IS NULL OR pg_catalog.isfinite(value_date)),
    value_numeric   numeric CHECK (value_numeric IS NULL OR value_numeric >= 0),
    value_boolean   boolean,
    description     text NOT NULL,
    basis           text,
    confidence      "char" NOT NULL DEFAULT 'U' CHECK (confidence IN ('H', 'M', 'U')),
    shipped         boolean NOT NULL DEFAULT false,
    CHECK (pg_catalog.num_nonnulls(value_date, value_numeric, value_boolean) = 1)
);
COMMENT ON TABLE cbreturn.rule_parameters IS
    'parameters of the rules that an announcement can change: one value (date, numeric or boolean) per name';

INSERT INTO cbreturn.rule_parameters
    (name, rule_id, value_date, value_numeric, value_boolean, description, basis, confidence, shipped)
VALUES
    ('cross_customs_nationwide_from', 'R-EX-5', '2026-04-01', NULL, NULL,
     'first return date on which a 9610 export may be returned through any customs district',
     'GACC announcement on nationwide cross-customs returns (seeds 000, 001)', 'H', true),
    ('cross_customs_pilot_both_districts', 'R-EX-5', NULL, NULL, true,
     'during the pilot, true: both the export and the return district must be pilot districts; false: only the return district',
     'GACC 2024 No. 167 (reading of seeds 001, 002)', 'U', true),
    ('import_limit_per_transaction', 'R-IM-4', NULL, 5000, NULL,
     'CBEC retail import limit per transaction, CNY',
     'MoF/GACC/STA 2018 No. 49', 'H', true),
    ('import_limit_per_year', 'R-IM-4', NULL, 26000, NULL,
     'CBEC retail import limit per person and calendar year, CNY',
     'MoF/GACC/STA 2018 No. 49', 'H', true),
    ('import_tax_share', 'R-IM-4', NULL, 0.7, NULL,
     'share of the statutory import VAT and consumption tax levied on a CBEC retail import within the limits',
     'MoF/GACC/STA 2018 No. 49', 'H', true),
    ('holiday_weekends_are_rest_days', 'R-P-2', NULL, NULL, true,
     'R-P-2 variants: Saturdays and Sundays are rest days unless listed in cbreturn.holidays as working days',
     'Civil Code art. 203; State Council working-hours rules', 'U', true);

-- ---------------------------------------------------------------------------
-- Holidays and make-up working days (R-P-2, off by default)
-- ---------------------------------------------------------------------------
CREATE TABLE cbreturn.holidays (
    day             date PRIMARY KEY CHECK (pg_catalog.isfinite(day)),
    -- false: a statutory holiday (rest day); true: a make-up working day
    -- (调休) on a Saturday or Sunday.
    working_day     boolean NOT NULL,
    name            text NOT NULL,
    confidence      "char" NOT NULL DEFAULT 'U' CHECK (confidence IN ('H', 'M', 'U')),
    shipped         boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE cbreturn.holidays IS
    'statutory holidays and make-up working days for the holiday-extended (R-P-2) function variants';
COMMENT ON COLUMN cbreturn.holidays.working_day IS
    'false: holiday (rest day); true: make-up working day on a weekend (调休)';

-- State Council holiday schedules for 2025 and 2026.  Not in the seed
-- documents, hence confidence U: check them against the State Council
-- notice before relying on the R-P-2 variants.
INSERT INTO cbreturn.holidays (day, working_day, name, confidence, shipped)
SELECT d::date, false, n, 'U', true
FROM (VALUES
    ('2025-01-01', '2025-01-01', 'New Year'),
    ('2025-01-28', '2025-02-04', 'Spring Festival'),
    ('2025-04-04', '2025-04-06', 'Qingming'),
    ('2025-05-01', '2025-05-05', 'Labour Day'),
    ('2025-05-31', '2025-06-02', 'Dragon Boat Festival'),
    ('2025-10-01', '2025-10-08', 'National Day and Mid-Autumn Festival'),
    ('2026-01-01', '2026-01-03', 'New Year'),
    ('2026-02-15', '2026-02-23', 'Spring Festival'),
    ('2026-04-04', '2026-04-06', 'Qingming'),
    ('2026-05-01', '2026-05-05', 'Labour Day'),
    ('2026-06-19', '2026-06-21', 'Dragon Boat Festival'),
    ('2026-09-25', '2026-09-27', 'Mid-Autumn Festival'),
    ('2026-10-01', '2026-10-07', 'National Day')
) AS h(f, t, n),
LATERAL pg_catalog.generate_series(f::date, t::date, interval '1 day') AS d;

INSERT INTO cbreturn.holidays (day, working_day, name, confidence, shipped) VALUES
    ('2025-01-26', true, 'Spring Festival make-up working day', 'U', true),
    ('2025-02-08', true, 'Spring Festival make-up working day', 'U', true),
    ('2025-04-27', true, 'Labour Day make-up working day', 'U', true),
    ('2025-09-28', true, 'National Day make-up working day', 'U', true),
    ('2025-10-11', true, 'National Day make-up working day', 'U', true),
    ('2026-01-04', true, 'New Year make-up working day', 'U', true),
    ('2026-02-14', true, 'Spring Festival make-up working day', 'U', true),
    ('2026-02-28', true, 'Spring Festival make-up working day', 'U', true),
    ('2026-05-09', true, 'Labour Day make-up working day', 'U', true),
    ('2026-09-20', true, 'National Day make-up working day', 'U', true),
    ('2026-10-10', true, 'National Day make-up working day', 'U', true);

SELECT pg_catalog.set_config('cbreturn.loading_policy', 'off', true);

CREATE TRIGGER policy_row_guard BEFORE INSERT OR UPDATE ON cbreturn.tax_policy_periods
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_row_guard('announcement');
CREATE TRIGGER policy_row_guard BEFORE INSERT OR UPDATE ON cbreturn.rule_parameters
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_row_guard('name');
CREATE TRIGGER policy_row_guard BEFORE INSERT OR UPDATE ON cbreturn.holidays
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_row_guard('day');

-- Every table the policy cache reads, including the reference tables of
-- 20_reference.sql, tells the sessions to reload after a change.
CREATE TRIGGER policy_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.districts
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed_truncate AFTER TRUNCATE ON cbreturn.districts
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.supervision_codes
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed_truncate AFTER TRUNCATE ON cbreturn.supervision_codes
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.tax_policy_periods
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed_truncate AFTER TRUNCATE ON cbreturn.tax_policy_periods
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.rule_parameters
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed_truncate AFTER TRUNCATE ON cbreturn.rule_parameters
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.holidays
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed_truncate AFTER TRUNCATE ON cbreturn.holidays
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();

SELECT pg_catalog.pg_extension_config_dump('cbreturn.tax_policy_periods', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.rule_parameters', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.holidays', 'WHERE NOT shipped');

REVOKE ALL ON cbreturn.tax_policy_periods, cbreturn.rule_parameters, cbreturn.holidays FROM PUBLIC;
GRANT SELECT ON cbreturn.tax_policy_periods, cbreturn.rule_parameters, cbreturn.holidays TO PUBLIC;
