-- Registers a DBA maintains (R-EX-4, R-EX-6, R-IM-5, R-IM-7): applicants,
-- authorised return sites, return-centre warehouses and their operators'
-- customs credit ratings, and who may apply for retail import returns.  docs/policy.md ("Registers") is the DBA's guide.
--
-- Unlike the policy tables, cbreturn ships no rows here: every row is the
-- DBA's, so pg_dump saves them all (pg_extension_config_dump with no filter)
-- and there is no "shipped" column or guard.  The lookup functions read the
-- tables in the caller's snapshot, with no cache: a committed edit is seen
-- by the next statement of every transaction that starts after it (READ
-- COMMITTED: the next statement).
--
-- Periods are closed intervals of dates: valid_from is the first day, valid_to
-- the last day (NULL: open-ended).  Dates are China dates (R-T-1).  Several
-- rows per key with different valid_from record renewals and changes; the
-- lookups ask whether any row covers the date.

-- The answer of a register lookup: whether it passed, the rule, and why.
CREATE TYPE cbreturn.register_verdict AS (
    ok          boolean,
    rule_id     text,
    reason      text,
    basis       text
);
COMMENT ON TYPE cbreturn.register_verdict IS
    'answer of a register lookup: ok, the rule id, the reason in words, the legal basis (R-EX-4, R-EX-6, R-IM-5)';

CREATE TYPE cbreturn.return_site_kind AS ENUM (
    'bonded_warehouse', 'marketplace_site', 'processing_centre'
);
COMMENT ON TYPE cbreturn.return_site_kind IS
    'kind of customs-supervised site authorised for CBEC retail export returns (R-EX-6, seeds 000 and 001)';

-- Customs enterprise credit ratings (GACC Order No. 251, 2021, Measures for
-- the Administration of Enterprise Credit; before it, Order No. 237):
-- advanced certified (AEO), general certified (before 2022), general
-- (registered, not certified) and discredited (失信).
CREATE TYPE cbreturn.customs_credit_rating AS ENUM (
    'advanced_certified', 'general_certified', 'general', 'discredited'
);
COMMENT ON TYPE cbreturn.customs_credit_rating IS
    'customs enterprise credit rating (GACC Order No. 251); discredited = 失信 (R-IM-5)';

-- ---------------------------------------------------------------------------
-- Applicants (R-EX-4)
-- ---------------------------------------------------------------------------
CREATE TABLE cbreturn.applicants (
    uscc                        cbreturn.uscc NOT NULL,
    customs_registration_code   cbreturn.customs_registration_code NOT NULL,
    name                        text NOT NULL CHECK (name <> ''),
    -- The CBEC export registration with customs: first and last day valid.
    valid_from                  date NOT NULL CHECK (pg_catalog.isfinite(valid_from)),
    valid_to                    date CHECK (valid_to IS NULL OR pg_catalog.isfinite(valid_to)),
    note                        text,
    PRIMARY KEY (uscc, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX applicants_customs_registration_code_idx
    ON cbreturn.applicants (customs_registration_code);
COMMENT ON TABLE cbreturn.applicants IS
    'enterprises holding a CBEC export registration with customs, who may apply for a CBEC retail export return (R-EX-4, seed 002 export I)';
COMMENT ON COLUMN cbreturn.applicants.uscc IS 'unified social credit code (GB 32100-2015)';
COMMENT ON COLUMN cbreturn.applicants.customs_registration_code IS '10-character customs registration code (海关注册编码)';
COMMENT ON COLUMN cbreturn.applicants.valid_from IS 'first day the CBEC export registration is valid (China date)';
COMMENT ON COLUMN cbreturn.applicants.valid_to IS 'last day the registration is valid; NULL while it runs';

-- ---------------------------------------------------------------------------
-- Authorised return sites (R-EX-6)
-- ---------------------------------------------------------------------------
CREATE TABLE cbreturn.return_sites (
    -- The site's code as customs gives it (监管作业场所 code); kept as text
    -- since no source fixes its length.
    site_code       text NOT NULL CHECK (site_code ~ '^[0-9A-Za-z][0-9A-Za-z_-]*$' AND pg_catalog.length(site_code) <= 32),
    customs_office  cbreturn.customs_code NOT NULL,
    kind            cbreturn.return_site_kind NOT NULL,
    name            text NOT NULL CHECK (name <> ''),
    valid_from      date NOT NULL CHECK (pg_catalog.isfinite(valid_from)),
    valid_to        date CHECK (valid_to IS NULL OR pg_catalog.isfinite(valid_to)),
    note            text,
    PRIMARY KEY (site_code, customs_office, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
COMMENT ON TABLE cbreturn.return_sites IS
    'customs-supervised sites authorised for CBEC retail export returns across customs areas (R-EX-6, seeds 000 and 001; GACC 2024 No. 167)';
COMMENT ON COLUMN cbreturn.return_sites.site_code IS 'code of the supervised workplace or site';
COMMENT ON COLUMN cbreturn.return_sites.customs_office IS 'customs office supervising the site';
COMMENT ON COLUMN cbreturn.return_sites.kind IS 'bonded warehouse, marketplace site or authorised processing centre';

-- ---------------------------------------------------------------------------
-- Return-centre warehouses (R-IM-5) and their operators' credit ratings
-- ---------------------------------------------------------------------------
CREATE TABLE cbreturn.return_warehouses (
    warehouse_code      text NOT NULL CHECK (warehouse_code ~ '^[0-9A-Za-z][0-9A-Za-z_-]*$' AND pg_catalog.length(warehouse_code) <= 32),
    -- The special customs supervision area (or bonded logistics centre B)
    -- the warehouse lies in, as the ERP names it; compared exactly.
    special_area        text NOT NULL CHECK (special_area <> ''),
    customs_office      cbreturn.customs_code NOT NULL,
    operator_uscc       cbreturn.uscc NOT NULL,
    name                text NOT NULL CHECK (name <> ''),
    -- The three facilities R-IM-5 requires (seed 002 import IV).
    video_linked        boolean NOT NULL,
    wms                 boolean NOT NULL,
    customs_interface   boolean NOT NULL,
    valid_from          date NOT NULL CHECK (pg_catalog.isfinite(valid_from)),
    valid_to            date CHECK (valid_to IS NULL OR pg_catalog.isfinite(valid_to)),
    note                text,
    PRIMARY KEY (warehouse_code, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX return_warehouses_operator_uscc_idx ON cbreturn.return_warehouses (operator_uscc);
COMMENT ON TABLE cbreturn.return_warehouses IS
    'return-centre warehouses inside special customs supervision areas for bonded (1210) retail import returns (R-IM-5, seed 002 import II-IV, GACC 2021 No. 70)';
COMMENT ON COLUMN cbreturn.return_warehouses.special_area IS 'special customs supervision area or bonded logistics centre (type B) the warehouse is in';
COMMENT ON COLUMN cbreturn.return_warehouses.customs_office IS 'customs office supervising the area';
COMMENT ON COLUMN cbreturn.return_warehouses.operator_uscc IS 'unified social credit code of the operator (rated in cbreturn.operator_credit_ratings)';
COMMENT ON COLUMN cbreturn.return_warehouses.video_linked IS 'video surveillance of the return area linked to customs';
COMMENT ON COLUMN cbreturn.return_warehouses.wms IS 'warehouse management system in use';
COMMENT ON COLUMN cbreturn.return_warehouses.customs_interface IS 'data interface to the customs supervision system';

CREATE TABLE cbreturn.operator_credit_ratings (
    uscc            cbreturn.uscc NOT NULL,
    rating          cbreturn.customs_credit_rating NOT NULL,
    -- The rating holds from this day until the next row's effective_from.
    effective_from  date NOT NULL CHECK (pg_catalog.isfinite(effective_from)),
    note            text,
    PRIMARY KEY (uscc, effective_from)
);
COMMENT ON TABLE cbreturn.operator_credit_ratings IS
    'customs credit rating of enterprises, each from the day it took effect until the next (R-IM-5; GACC Order No. 251)';
COMMENT ON COLUMN cbreturn.operator_credit_ratings.effective_from IS
    'first day of the rating; it holds until the effective_from of the next row for the same code';

-- ---------------------------------------------------------------------------
-- Who may apply for a retail import return (R-IM-7)
-- ---------------------------------------------------------------------------
CREATE TYPE cbreturn.import_agent_role AS ENUM ('domestic_agent', 'authorised_broker');
COMMENT ON TYPE cbreturn.import_agent_role IS
    'who files a CBEC retail import return for an e-commerce enterprise: its domestic agent or a customs broker it authorises (R-IM-7)';

CREATE TABLE cbreturn.import_agents (
    -- The cross-border e-commerce enterprise, by the code customs gave it
    -- when its domestic agent registered it (GACC 2018 No. 194).
    enterprise_code     cbreturn.customs_registration_code NOT NULL,
    agent_uscc          cbreturn.uscc NOT NULL,
    role                cbreturn.import_agent_role NOT NULL,
    name                text NOT NULL CHECK (name <> ''),
    valid_from          date NOT NULL CHECK (pg_catalog.isfinite(valid_from)),
    valid_to            date CHECK (valid_to IS NULL OR pg_catalog.isfinite(valid_to)),
    note                text,
    PRIMARY KEY (enterprise_code, agent_uscc, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
COMMENT ON TABLE cbreturn.import_agents IS
    'domestic agents of CBEC e-commerce enterprises and the customs brokers they authorise, who may apply for retail import returns (R-IM-7, seed 002 import I)';
COMMENT ON COLUMN cbreturn.import_agents.enterprise_code IS 'customs registration code of the cross-border e-commerce enterprise';
COMMENT ON COLUMN cbreturn.import_agents.agent_uscc IS 'unified social credit code of the domestic agent or authorised broker';
COMMENT ON COLUMN cbreturn.import_agents.role IS 'domestic_agent, or authorised_broker (authorised by the enterprise)';

-- ---------------------------------------------------------------------------
-- Lookups
-- ---------------------------------------------------------------------------

-- An infinite date is no customs date: say so rather than match an
-- open-ended row (interface contract, "Date arguments").
CREATE FUNCTION cbreturn.register_date_guard(on_date date, fn text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT pg_catalog.isfinite(on_date) THEN
        PERFORM cbreturn._error('registers.infinite_date', on_date::pg_catalog.text, fn);
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn.register_date_guard(date, text) IS
    'raises 22008 for infinity / -infinity: the register lookups answer for calendar days only';

-- R-EX-4 (seed 002 export I): the applicant holds a valid CBEC export
-- registration with customs on the return date.
CREATE FUNCTION cbreturn.applicant_verdict(applicant cbreturn.uscc, on_date date)
    RETURNS cbreturn.register_verdict
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    -- dates in the reason are ISO whatever the session's DateStyle
    SET datestyle = 'ISO, YMD'
AS $$
DECLARE
    basis constant text := 'seed 002 export I (GACC announcement of 2024-12-15 on CBEC export returns): '
                           'the applicant holds a valid CBEC export registration with customs';
    hit cbreturn.applicants;
    near cbreturn.applicants;
BEGIN
    PERFORM cbreturn.register_date_guard(on_date, 'applicant_verdict');
    SELECT * INTO hit FROM cbreturn.applicants a
     WHERE a.uscc = applicant AND a.valid_from <= on_date
       AND (a.valid_to IS NULL OR a.valid_to >= on_date)
     ORDER BY a.valid_from DESC LIMIT 1;
    IF FOUND THEN
        RETURN ROW(true, 'R-EX-4',
                   format('%s (%s), customs registration %s, registered from %s%s',
                          hit.name, applicant, hit.customs_registration_code, hit.valid_from,
                          CASE WHEN hit.valid_to IS NULL THEN '' ELSE ' to ' || hit.valid_to END),
                   basis)::cbreturn.register_verdict;
    END IF;
    -- Not registered that day: name the nearest period, if any (the latest
    -- that began before the date, else the first that begins after it), so
    -- the reason says whether the registration lapsed or had not begun.
    SELECT * INTO near FROM cbreturn.applicants a
     WHERE a.uscc = applicant
     ORDER BY (a.valid_from > on_date), abs(a.valid_from - on_date) LIMIT 1;
    IF NOT FOUND THEN
        RETURN ROW(false, 'R-EX-4',
                   format('applicant %s is not in cbreturn.applicants', applicant),
                   basis)::cbreturn.register_verdict;
    ELSIF near.valid_from > on_date THEN
        RETURN ROW(false, 'R-EX-4',
                   format('registration of applicant %s (%s) starts on %s, after %s',
                          applicant, near.name, near.valid_from, on_date),
                   basis)::cbreturn.register_verdict;
    ELSE
        RETURN ROW(false, 'R-EX-4',
                   format('registration of applicant %s (%s) ended on %s, before %s',
                          applicant, near.name, near.valid_to, on_date),
                   basis)::cbreturn.register_verdict;
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn.applicant_verdict(cbreturn.uscc, date) IS
    'R-EX-4: is the applicant registered for CBEC export on the date (cbreturn.applicants)? With the reason; basis seed 002 export I';

CREATE FUNCTION cbreturn.applicant_registered(applicant cbreturn.uscc, on_date date) RETURNS boolean
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    RETURN (cbreturn.applicant_verdict(applicant, on_date)).ok;
COMMENT ON FUNCTION cbreturn.applicant_registered(cbreturn.uscc, date) IS
    'R-EX-4: true if the applicant holds a CBEC export registration valid on the date (seed 002 export I)';

-- R-EX-6 (seeds 000, 001; GACC 2024 No. 167): a cross-customs return goes to
-- a supervised site authorised for CBEC retail export business.
CREATE FUNCTION cbreturn.return_site_verdict(site text, office cbreturn.customs_code, on_date date)
    RETURNS cbreturn.register_verdict
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    -- dates in the reason are ISO whatever the session's DateStyle
    SET datestyle = 'ISO, YMD'
AS $$
DECLARE
    basis constant text := 'seeds 000 and 001 (GACC 2024 No. 167 and the 2026 nationwide announcement): '
                           'returns go to customs-supervised sites authorised for CBEC retail export';
    hit cbreturn.return_sites;
    near cbreturn.return_sites;
    offices text;
BEGIN
    PERFORM cbreturn.register_date_guard(on_date, 'return_site_verdict');
    SELECT * INTO hit FROM cbreturn.return_sites s
     WHERE s.site_code = site AND s.customs_office = office AND s.valid_from <= on_date
       AND (s.valid_to IS NULL OR s.valid_to >= on_date)
     ORDER BY s.valid_from DESC LIMIT 1;
    IF FOUND THEN
        RETURN ROW(true, 'R-EX-6',
                   format('site %s (%s, %s) at customs office %s is authorised from %s%s',
                          site, hit.name, hit.kind, office, hit.valid_from,
                          CASE WHEN hit.valid_to IS NULL THEN '' ELSE ' to ' || hit.valid_to END),
                   basis)::cbreturn.register_verdict;
    END IF;
    SELECT * INTO near FROM cbreturn.return_sites s
     WHERE s.site_code = site AND s.customs_office = office
     ORDER BY (s.valid_from > on_date), abs(s.valid_from - on_date) LIMIT 1;
    IF FOUND AND near.valid_from > on_date THEN
        RETURN ROW(false, 'R-EX-6',
                   format('site %s at customs office %s is authorised only from %s, after %s',
                          site, office, near.valid_from, on_date),
                   basis)::cbreturn.register_verdict;
    ELSIF FOUND THEN
        RETURN ROW(false, 'R-EX-6',
                   format('authorisation of site %s at customs office %s ended on %s, before %s',
                          site, office, near.valid_to, on_date),
                   basis)::cbreturn.register_verdict;
    END IF;
    SELECT string_agg(DISTINCT s.customs_office::text, ', ') INTO offices
      FROM cbreturn.return_sites s WHERE s.site_code = site;
    IF offices IS NOT NULL THEN
        RETURN ROW(false, 'R-EX-6',
                   format('site %s is registered under customs office %s, not %s', site, offices, office),
                   basis)::cbreturn.register_verdict;
    END IF;
    RETURN ROW(false, 'R-EX-6',
               format('site %s at customs office %s is not in cbreturn.return_sites', site, office),
               basis)::cbreturn.register_verdict;
END
$$;
COMMENT ON FUNCTION cbreturn.return_site_verdict(text, cbreturn.customs_code, date) IS
    'R-EX-6: is the site authorised for CBEC retail export returns at that customs office on the date (cbreturn.return_sites)? With the reason; basis seeds 000, 001';

CREATE FUNCTION cbreturn.return_site_authorised(site text, office cbreturn.customs_code, on_date date) RETURNS boolean
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    RETURN (cbreturn.return_site_verdict(site, office, on_date)).ok;
COMMENT ON FUNCTION cbreturn.return_site_authorised(text, cbreturn.customs_code, date) IS
    'R-EX-6: true if the site is authorised for CBEC retail export returns at that customs office on the date (seeds 000, 001)';

-- The customs credit rating of an enterprise on a date: the row with the
-- latest effective_from on or before it; NULL when none is recorded.
CREATE FUNCTION cbreturn.credit_rating(enterprise cbreturn.uscc, on_date date)
    RETURNS cbreturn.customs_credit_rating
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
BEGIN ATOMIC
    SELECT r.rating FROM cbreturn.operator_credit_ratings r
     WHERE r.uscc = enterprise AND r.effective_from <= on_date
     ORDER BY r.effective_from DESC LIMIT 1;
END;
COMMENT ON FUNCTION cbreturn.credit_rating(cbreturn.uscc, date) IS
    'customs credit rating of an enterprise in effect on the date, NULL if none recorded (R-IM-5; GACC Order No. 251)';

-- R-IM-5 (seed 002 import II-IV, GACC 2021 No. 70): a bonded (1210) return
-- may go to a registered return-centre warehouse of the special area, whose
-- operator is not discredited on the return date and which has video linked
-- to customs, a WMS and a customs data interface.  special_area, when given,
-- must be the warehouse's area (R-IM-1: the original area).
CREATE FUNCTION cbreturn.return_warehouse_verdict(warehouse text, on_date date, special_area text DEFAULT NULL)
    RETURNS cbreturn.register_verdict
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    -- dates in the reason are ISO whatever the session's DateStyle
    SET datestyle = 'ISO, YMD'
AS $$
DECLARE
    basis constant text := 'seed 002 import II-IV (GACC 2021 No. 70): return-centre warehouse in the special area, '
                           'operator not discredited, video linked to customs, WMS, customs data interface';
    hit cbreturn.return_warehouses;
    near cbreturn.return_warehouses;
    rating cbreturn.customs_credit_rating;
    rated_from date;
    missing text[] := '{}';
BEGIN
    IF warehouse IS NULL OR on_date IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM cbreturn.register_date_guard(on_date, 'return_warehouse_verdict');
    SELECT * INTO hit FROM cbreturn.return_warehouses w
     WHERE w.warehouse_code = warehouse AND w.valid_from <= on_date
       AND (w.valid_to IS NULL OR w.valid_to >= on_date)
     ORDER BY w.valid_from DESC LIMIT 1;
    IF NOT FOUND THEN
        SELECT * INTO near FROM cbreturn.return_warehouses w
         WHERE w.warehouse_code = warehouse
         ORDER BY (w.valid_from > on_date), abs(w.valid_from - on_date) LIMIT 1;
        IF NOT FOUND THEN
            RETURN ROW(false, 'R-IM-5',
                       format('warehouse %s is not in cbreturn.return_warehouses', warehouse),
                       basis)::cbreturn.register_verdict;
        ELSIF near.valid_from > on_date THEN
            RETURN ROW(false, 'R-IM-5',
                       format('warehouse %s is registered only from %s, after %s', warehouse, near.valid_from, on_date),
                       basis)::cbreturn.register_verdict;
        ELSE
            RETURN ROW(false, 'R-IM-5',
                       format('registration of warehouse %s ended on %s, before %s', warehouse, near.valid_to, on_date),
                       basis)::cbreturn.register_verdict;
        END IF;
    END IF;

    IF special_area IS NOT NULL AND hit.special_area <> special_area THEN
        RETURN ROW(false, 'R-IM-5',
                   format('warehouse %s is in %s, not in %s', warehouse, hit.special_area, special_area),
                   basis)::cbreturn.register_verdict;
    END IF;

    SELECT r.rating, r.effective_from INTO rating, rated_from
      FROM cbreturn.operator_credit_ratings r
     WHERE r.uscc = hit.operator_uscc AND r.effective_from <= on_date
     ORDER BY r.effective_from DESC LIMIT 1;
    IF rating = 'discredited' THEN
        RETURN ROW(false, 'R-IM-5',
                   format('operator %s of warehouse %s is rated discredited (失信) since %s',
                          hit.operator_uscc, warehouse, rated_from),
                   basis)::cbreturn.register_verdict;
    END IF;

    IF NOT hit.video_linked THEN missing := missing || 'video linked to customs'::text; END IF;
    IF NOT hit.wms THEN missing := missing || 'WMS'::text; END IF;
    IF NOT hit.customs_interface THEN missing := missing || 'customs data interface'::text; END IF;
    IF cardinality(missing) > 0 THEN
        RETURN ROW(false, 'R-IM-5',
                   format('warehouse %s lacks: %s', warehouse, array_to_string(missing, ', ')),
                   basis)::cbreturn.register_verdict;
    END IF;

    RETURN ROW(true, 'R-IM-5',
               format('warehouse %s (%s) in %s, operator %s %s',
                      warehouse, hit.name, hit.special_area, hit.operator_uscc,
                      CASE WHEN rating IS NULL THEN 'with no credit rating recorded (not known to be discredited)'
                           ELSE format('rated %s since %s', rating, rated_from) END),
               basis)::cbreturn.register_verdict;
END
$$;
COMMENT ON FUNCTION cbreturn.return_warehouse_verdict(text, date, text) IS
    'R-IM-5: may a 1210 return go to this return-centre warehouse on the date (registered, in the area, operator not discredited, facilities)? With the reason; basis seed 002 import II-IV, GACC 2021 No. 70';

CREATE FUNCTION cbreturn.return_warehouse_ok(warehouse text, on_date date, special_area text DEFAULT NULL) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    RETURN (cbreturn.return_warehouse_verdict(warehouse, on_date, special_area)).ok;
COMMENT ON FUNCTION cbreturn.return_warehouse_ok(text, date, text) IS
    'R-IM-5: true if a 1210 return may go to this return-centre warehouse on the date (seed 002 import II-IV, GACC 2021 No. 70)';

-- R-IM-7 (seed 002 import I): the return application is filed by the
-- e-commerce enterprise's domestic agent or a customs broker it authorises.
CREATE FUNCTION cbreturn.import_applicant_verdict(enterprise cbreturn.customs_registration_code,
                                                  applicant cbreturn.uscc, on_date date)
    RETURNS cbreturn.register_verdict
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    SET datestyle = 'ISO, YMD'
AS $$
DECLARE
    basis constant text := 'seed 002 import I (GACC 2020 No. 45; GACC 2018 No. 194): the e-commerce enterprise''s '
                           'domestic agent or a customs broker it authorises applies';
    hit cbreturn.import_agents;
    near cbreturn.import_agents;
BEGIN
    PERFORM cbreturn.register_date_guard(on_date, 'import_applicant_verdict');
    SELECT * INTO hit FROM cbreturn.import_agents g
     WHERE g.enterprise_code = enterprise AND g.agent_uscc = applicant AND g.valid_from <= on_date
       AND (g.valid_to IS NULL OR g.valid_to >= on_date)
     ORDER BY g.valid_from DESC LIMIT 1;
    IF FOUND THEN
        RETURN ROW(true, 'R-IM-7',
                   format('%s (%s) is the %s of enterprise %s from %s%s',
                          hit.name, applicant, replace(hit.role::text, '_', ' '), enterprise, hit.valid_from,
                          CASE WHEN hit.valid_to IS NULL THEN '' ELSE ' to ' || hit.valid_to END),
                   basis)::cbreturn.register_verdict;
    END IF;
    SELECT * INTO near FROM cbreturn.import_agents g
     WHERE g.enterprise_code = enterprise AND g.agent_uscc = applicant
     ORDER BY (g.valid_from > on_date), abs(g.valid_from - on_date) LIMIT 1;
    IF NOT FOUND THEN
        RETURN ROW(false, 'R-IM-7',
                   format('%s is neither the domestic agent of enterprise %s nor a broker it authorised, in cbreturn.import_agents',
                          applicant, enterprise),
                   basis)::cbreturn.register_verdict;
    ELSIF near.valid_from > on_date THEN
        RETURN ROW(false, 'R-IM-7',
                   format('%s acts for enterprise %s only from %s, after %s', applicant, enterprise, near.valid_from, on_date),
                   basis)::cbreturn.register_verdict;
    ELSE
        RETURN ROW(false, 'R-IM-7',
                   format('%s stopped acting for enterprise %s on %s, before %s', applicant, enterprise, near.valid_to, on_date),
                   basis)::cbreturn.register_verdict;
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn.import_applicant_verdict(cbreturn.customs_registration_code, cbreturn.uscc, date) IS
    'R-IM-7: may this applicant file a retail import return for the enterprise on the date (its domestic agent or an authorised broker, cbreturn.import_agents)? With the reason; basis seed 002 import I';

CREATE FUNCTION cbreturn.import_applicant_allowed(enterprise cbreturn.customs_registration_code,
                                                  applicant cbreturn.uscc, on_date date) RETURNS boolean
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    RETURN (cbreturn.import_applicant_verdict(enterprise, applicant, on_date)).ok;
COMMENT ON FUNCTION cbreturn.import_applicant_allowed(cbreturn.customs_registration_code, cbreturn.uscc, date) IS
    'R-IM-7: true if the applicant is the enterprise''s domestic agent or a broker it authorised on the date (seed 002 import I)';

-- R-IM-1, R-IM-5, R-IM-6 (seed 002, seed 004, GACC 2020 No. 45, GACC 2021
-- No. 70): where an import return may arrive.  Places are the codes or names
-- the ERP keeps for sites, areas and warehouses, compared exactly.  The
-- original site, area or centre is always right (R-IM-1).  A bonded (1210)
-- return may also go to a return-centre warehouse of the original area that
-- passes R-IM-5 on the return date, or, declared at another customs office,
-- to the special area at the place of declaration (R-IM-6, confidence M).  A
-- direct-purchase (9610) or 1239 return has only the original site: the
-- sources name neither route for them.
CREATE FUNCTION cbreturn.import_arrival_place_verdict(code cbreturn.supervision_code, original_place text,
                                                      arrival_place text, returned_on date,
                                                      declared_area text DEFAULT NULL)
    RETURNS cbreturn.register_verdict
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    SET datestyle = 'ISO, YMD'
AS $$
DECLARE
    basis_im1 constant text := 'seed 002 import, seed 004 (GACC 2020 No. 45): the goods return to the original '
                               'customs supervision site, special area or bonded logistics centre';
    basis_im6 constant text := 'seed 002 (bonded retail import returns across customs): declared at another office, '
                               'goods moved into the special area at the place of declaration';
    v cbreturn.register_verdict;
BEGIN
    IF code IS NULL OR original_place IS NULL OR arrival_place IS NULL OR returned_on IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM cbreturn.register_date_guard(returned_on, 'import_arrival_place_verdict');
    IF code::text NOT IN ('1210', '1239', '9610') THEN
        PERFORM cbreturn._error('registers.not_import_code', code::text);
    END IF;
    IF arrival_place = original_place THEN
        RETURN ROW(true, 'R-IM-1', format('arrived at the original place %s', original_place),
                   basis_im1)::cbreturn.register_verdict;
    END IF;
    IF code::text = '1210' THEN
        IF EXISTS (SELECT FROM cbreturn.return_warehouses w WHERE w.warehouse_code = arrival_place) THEN
            v := cbreturn.return_warehouse_verdict(arrival_place, returned_on, original_place);
            RETURN v;
        END IF;
        IF declared_area IS NOT NULL AND arrival_place = declared_area THEN
            RETURN ROW(true, 'R-IM-6',
                       format('declared away from %s; arrived in the special area %s at the place of declaration',
                              original_place, declared_area),
                       basis_im6)::cbreturn.register_verdict;
        END IF;
        RETURN ROW(false, 'R-IM-1',
                   format('arrived at %s, which is neither the original area %s, a return-centre warehouse registered in cbreturn.return_warehouses, nor %s',
                          arrival_place, original_place,
                          CASE WHEN declared_area IS NULL THEN 'a special area of declaration (none given)'
                               ELSE 'the special area of declaration ' || declared_area END),
                   basis_im1)::cbreturn.register_verdict;
    END IF;
    RETURN ROW(false, 'R-IM-1',
               format('a %s return goes back to the original site %s, not to %s', code, original_place, arrival_place),
               basis_im1)::cbreturn.register_verdict;
END
$$;
COMMENT ON FUNCTION cbreturn.import_arrival_place_verdict(cbreturn.supervision_code, text, text, date, text) IS
    'R-IM-1, R-IM-5, R-IM-6: may an import return arrive at this place (original site; for 1210 a return-centre warehouse of the area or the special area of declaration)? Basis seed 002, seed 004, GACC 2020 No. 45, GACC 2021 No. 70';

-- Explain: one row per register consulted, in the format of the other
-- explain functions (docs/rules.md, "Explain functions"), so a caller can
-- append these rows to theirs.  Each check runs when its inputs are given.
CREATE FUNCTION cbreturn.explain_registers(on_date date, applicant cbreturn.uscc DEFAULT NULL,
                                           site text DEFAULT NULL, office cbreturn.customs_code DEFAULT NULL,
                                           warehouse text DEFAULT NULL, special_area text DEFAULT NULL,
                                           import_enterprise cbreturn.customs_registration_code DEFAULT NULL,
                                           import_applicant cbreturn.uscc DEFAULT NULL)
    RETURNS TABLE (step integer, rule_id text, passed boolean, seen text, basis text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
AS $$
DECLARE
    v cbreturn.register_verdict;
    n integer := 0;
BEGIN
    IF on_date IS NULL THEN
        RETURN;
    END IF;
    IF applicant IS NOT NULL THEN
        v := cbreturn.applicant_verdict(applicant, on_date);
        n := n + 1;
        RETURN QUERY SELECT n, v.rule_id, v.ok, v.reason, v.basis;
    END IF;
    IF site IS NOT NULL AND office IS NOT NULL THEN
        v := cbreturn.return_site_verdict(site, office, on_date);
        n := n + 1;
        RETURN QUERY SELECT n, v.rule_id, v.ok, v.reason, v.basis;
    END IF;
    IF warehouse IS NOT NULL THEN
        v := cbreturn.return_warehouse_verdict(warehouse, on_date, special_area);
        n := n + 1;
        RETURN QUERY SELECT n, v.rule_id, v.ok, v.reason, v.basis;
    END IF;
    IF import_enterprise IS NOT NULL AND import_applicant IS NOT NULL THEN
        v := cbreturn.import_applicant_verdict(import_enterprise, import_applicant, on_date);
        n := n + 1;
        RETURN QUERY SELECT n, v.rule_id, v.ok, v.reason, v.basis;
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn.explain_registers(date, cbreturn.uscc, text, cbreturn.customs_code, text, text,
                                               cbreturn.customs_registration_code, cbreturn.uscc) IS
    'explain the register checks (R-EX-4 applicant, R-EX-6 return site, R-IM-5 warehouse, R-IM-7 import applicant) for the inputs given: step, rule_id, passed, seen, basis';

-- Every row is the DBA's: dump them all.
SELECT pg_catalog.pg_extension_config_dump('cbreturn.applicants', '');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.return_sites', '');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.return_warehouses', '');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.operator_credit_ratings', '');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.import_agents', '');

-- Readable by everyone (the write-time checks run as the writing role),
-- writable by the owner; grant INSERT/UPDATE/DELETE to a data-steward role.
REVOKE ALL ON cbreturn.applicants, cbreturn.return_sites, cbreturn.return_warehouses,
              cbreturn.operator_credit_ratings, cbreturn.import_agents FROM PUBLIC;
GRANT SELECT ON cbreturn.applicants, cbreturn.return_sites, cbreturn.return_warehouses,
                cbreturn.operator_credit_ratings, cbreturn.import_agents TO PUBLIC;
