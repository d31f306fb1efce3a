-- Registers a DBA maintains (R-EX-4 applicants, R-EX-6 return sites, R-IM-5
-- return-centre warehouses and operator credit ratings, R-IM-7 import
-- agents) and their as-of-date lookups.  The rows below are test data, not
-- real registrations.
SET datestyle = 'ISO, YMD';
SET search_path = public, cbreturn;

CREATE FUNCTION pg_temp.query_error(query text)
    RETURNS TABLE (sqlstate text, message text) LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN QUERY SELECT 'no error'::text, NULL::text;
EXCEPTION WHEN OTHERS THEN
    RETURN QUERY SELECT SQLSTATE::text, SQLERRM::text;
END
$$;

-- Empty as installed: every row is the DBA's.
SELECT (SELECT count(*) FROM applicants) AS applicants, (SELECT count(*) FROM return_sites) AS sites,
       (SELECT count(*) FROM return_warehouses) AS warehouses, (SELECT count(*) FROM operator_credit_ratings) AS ratings,
       (SELECT count(*) FROM import_agents) AS import_agents;

-- ---------------------------------------------------------------------------
-- R-EX-4 applicants
-- ---------------------------------------------------------------------------
INSERT INTO applicants (uscc, customs_registration_code, name, valid_from, valid_to) VALUES
    ('91310000MAEXAMP05P', '4403960001', 'Test exporter A', '2024-01-01', '2025-06-30'),
    -- renewed after a gap of one day
    ('91310000MAEXAMP05P', '4403960001', 'Test exporter A', '2025-07-02', NULL),
    ('91330100MAEXAMP01Q', '3301960002', 'Test exporter B', '2025-03-01', NULL);

-- Boundaries: first and last day inside, the day before / after / the gap outside.
SELECT a.uscc, d, applicant_registered(a.uscc, d) AS registered, (applicant_verdict(a.uscc, d)).reason
  FROM (VALUES ('91310000MAEXAMP05P'::uscc), ('91330100MAEXAMP01Q'), ('91110108MAEXAMP03W')) AS a(uscc),
       (VALUES ('2023-12-31'::date), ('2024-01-01'), ('2025-06-30'), ('2025-07-01'), ('2025-07-02'), ('2030-01-01')) AS t(d)
 ORDER BY 1, 2;
SELECT * FROM applicant_verdict('91110108MAEXAMP03W', '2025-01-01');
-- Before every period the reason names the first one, not the latest.
SELECT (applicant_verdict('91310000MAEXAMP05P', '2023-12-31')).reason;
-- STRICT: a NULL argument gives NULL, not a verdict.
SELECT applicant_registered(NULL, '2025-01-01') IS NULL AS null_uscc, applicant_registered('91310000MAEXAMP05P', NULL) IS NULL AS null_date;
-- An infinite date is refused (22008), never matched to an open-ended row.
SELECT * FROM pg_temp.query_error($$SELECT cbreturn.applicant_registered('91310000MAEXAMP05P', 'infinity')$$);
SELECT * FROM pg_temp.query_error($$SELECT cbreturn.applicant_verdict('91310000MAEXAMP05P', '-infinity')$$);

-- Bad rows are refused by the table's checks.
SELECT n, e.* FROM (VALUES
    (1, $$INSERT INTO cbreturn.applicants VALUES ('91310000MAEXAMP05Q', '4403960001', 'x', '2024-01-01', NULL)$$),
    (2, $$INSERT INTO cbreturn.applicants VALUES ('91110108MAEXAMP03W', '440396000', 'x', '2024-01-01', NULL)$$),
    (3, $$INSERT INTO cbreturn.applicants VALUES ('91110108MAEXAMP03W', '4403960001', 'x', '2024-01-01', '2023-12-31')$$),
    (4, $$INSERT INTO cbreturn.applicants VALUES ('91110108MAEXAMP03W', '4403960001', 'x', '-infinity', NULL)$$),
    (5, $$INSERT INTO cbreturn.applicants VALUES ('91110108MAEXAMP03W', '4403960001', 'x', '2024-01-01', 'infinity')$$),
    (6, $$INSERT INTO cbreturn.applicants VALUES ('91310000MAEXAMP05P', '4403960001', 'dup', '2024-01-01', NULL)$$),
    (7, $$INSERT INTO cbreturn.applicants VALUES ('91110108MAEXAMP03W', '4403960001', '', '2024-01-01', NULL)$$)
) AS t(n, q), LATERAL pg_temp.query_error(q) e ORDER BY n;

-- ---------------------------------------------------------------------------
-- R-EX-6 authorised return sites
-- ---------------------------------------------------------------------------
INSERT INTO return_sites (site_code, customs_office, kind, name, valid_from, valid_to) VALUES
    ('SITE-HZ-01', '2924', 'bonded_warehouse', 'Test bonded warehouse', '2024-12-15', NULL),
    ('SITE-GZ-07', '5141', 'marketplace_site', 'Test marketplace site', '2024-12-15', '2025-12-31'),
    ('SITE-CD-03', '7901', 'processing_centre', 'Test processing centre', '2026-04-01', NULL);
SELECT s, o, d, return_site_authorised(s, o, d) AS authorised, (return_site_verdict(s, o, d)).reason
  FROM (VALUES ('SITE-HZ-01', '2924'::customs_code, '2024-12-15'::date),
               ('SITE-HZ-01', '2924', '2024-12-14'),
               ('SITE-HZ-01', '2901', '2025-01-10'),     -- right site, wrong office
               ('SITE-GZ-07', '5141', '2025-12-31'),
               ('SITE-GZ-07', '5141', '2026-01-01'),
               ('SITE-CD-03', '7901', '2026-03-31'),
               ('SITE-XX-99', '2924', '2025-01-10')) AS t(s, o, d);
SELECT (return_site_verdict('SITE-HZ-01', '2924', '2025-01-10')).*;
-- the kind of site is named in the session's language, not as the enum value
SET cbreturn.language = 'zh_CN.UTF-8';
SELECT (return_site_verdict('SITE-HZ-01', '2924', '2025-01-10')).reason LIKE '%保税仓库%' AS kind_in_chinese;
RESET cbreturn.language;
SELECT n, e.* FROM (VALUES
    (1, $$INSERT INTO cbreturn.return_sites VALUES ('SITE 1', '2924', 'bonded_warehouse', 'x', '2025-01-01', NULL)$$),
    (2, $$INSERT INTO cbreturn.return_sites VALUES ('SITE-1', '2924', 'warehouse', 'x', '2025-01-01', NULL)$$),
    (3, $$INSERT INTO cbreturn.return_sites VALUES ('SITE-1', '29245', 'bonded_warehouse', 'x', '2025-01-01', NULL)$$),
    (4, $$INSERT INTO cbreturn.return_sites VALUES ('', '2924', 'bonded_warehouse', 'x', '2025-01-01', NULL)$$)
) AS t(n, q), LATERAL pg_temp.query_error(q) e ORDER BY n;

-- ---------------------------------------------------------------------------
-- R-IM-5 return-centre warehouses and credit ratings
-- ---------------------------------------------------------------------------
INSERT INTO return_warehouses (warehouse_code, special_area, customs_office, operator_uscc, name,
                               video_linked, wms, customs_interface, valid_from, valid_to) VALUES
    ('RCW-HZ-1', 'Hangzhou Comprehensive Bonded Zone', '2991', '91440300MAEXAMP021', 'Test return centre 1', true, true, true, '2025-01-01', NULL),
    ('RCW-HZ-2', 'Hangzhou Comprehensive Bonded Zone', '2991', '91110000MAEXAMP047', 'Test return centre 2', true, true, true, '2025-01-01', NULL),
    ('RCW-HZ-3', 'Hangzhou Comprehensive Bonded Zone', '2991', '91440300MAEXAMP06D', 'Test return centre 3', true, false, false, '2025-01-01', NULL),
    ('RCW-NB-1', 'Ningbo Meishan Comprehensive Bonded Zone', '3107', '91110108MAEXAMP03W', 'Test return centre 4', true, true, true, '2025-01-01', '2025-12-31');
INSERT INTO operator_credit_ratings (uscc, rating, effective_from) VALUES
    ('91440300MAEXAMP021', 'general', '2024-01-01'),
    ('91440300MAEXAMP021', 'discredited', '2025-08-01'),
    ('91440300MAEXAMP021', 'general', '2026-02-01'),
    ('91110000MAEXAMP047', 'advanced_certified', '2023-05-01');
SELECT w, d, a, return_warehouse_ok(w, d, a) AS ok, (return_warehouse_verdict(w, d, a)).reason
  FROM (VALUES ('RCW-HZ-1', '2025-07-31'::date, NULL::text),
               ('RCW-HZ-1', '2025-08-01', NULL),            -- rated discredited that day
               ('RCW-HZ-1', '2026-01-31', NULL),
               ('RCW-HZ-1', '2026-02-01', NULL),            -- rating restored
               ('RCW-HZ-2', '2025-03-01', 'Hangzhou Comprehensive Bonded Zone'),
               ('RCW-HZ-2', '2025-03-01', 'Ningbo Meishan Comprehensive Bonded Zone'),
               ('RCW-HZ-3', '2025-03-01', NULL),            -- lacks WMS and interface
               ('RCW-NB-1', '2025-12-31', NULL),            -- no rating recorded
               ('RCW-NB-1', '2026-01-01', NULL),
               ('RCW-HZ-1', '2024-12-31', NULL),
               ('RCW-XX-9', '2025-03-01', NULL)) AS t(w, d, a);
SELECT u, d, credit_rating(u, d)
  FROM (VALUES ('91440300MAEXAMP021'::uscc), ('91110108MAEXAMP03W')) AS x(u),
       (VALUES ('2023-12-31'::date), ('2025-07-31'), ('2025-08-01'), ('2026-02-01')) AS y(d)
 ORDER BY 1, 2;
SELECT return_warehouse_verdict(NULL, '2025-03-01') IS NULL AS null_code,
       return_warehouse_ok('RCW-HZ-1', NULL) IS NULL AS null_date;
SELECT * FROM pg_temp.query_error($$SELECT cbreturn.return_warehouse_ok('RCW-HZ-1', 'infinity')$$);
SELECT * FROM pg_temp.query_error($$INSERT INTO cbreturn.operator_credit_ratings VALUES ('91440300MAEXAMP021', 'trusted', '2027-01-01')$$);

-- ---------------------------------------------------------------------------
-- R-IM-7: who may apply for a retail import return
-- ---------------------------------------------------------------------------
INSERT INTO import_agents (enterprise_code, agent_uscc, role, name, valid_from, valid_to) VALUES
    ('3101W60001', '91310000MAEXAMP05P', 'domestic_agent', 'Test domestic agent', '2024-01-01', NULL),
    ('3101W60001', '91330100MAEXAMP01Q', 'authorised_broker', 'Test customs broker', '2025-01-01', '2025-12-31');
SELECT e, a, d, import_applicant_allowed(e, a, d) AS allowed, (import_applicant_verdict(e, a, d)).reason
  FROM (VALUES ('3101W60001'::customs_registration_code, '91310000MAEXAMP05P'::uscc, '2025-06-01'::date),
               ('3101W60001', '91330100MAEXAMP01Q', '2024-12-31'),
               ('3101W60001', '91330100MAEXAMP01Q', '2025-01-01'),
               ('3101W60001', '91330100MAEXAMP01Q', '2025-12-31'),
               ('3101W60001', '91330100MAEXAMP01Q', '2026-01-01'),
               ('3101W60002', '91310000MAEXAMP05P', '2025-06-01'),  -- another enterprise
               ('3101W60001', '91110108MAEXAMP03W', '2025-06-01')) AS t(e, a, d);
SELECT step, rule_id, passed, seen
  FROM explain_registers('2026-01-01', import_enterprise => '3101W60001', import_applicant => '91330100MAEXAMP01Q');
SELECT import_applicant_allowed(NULL, '91310000MAEXAMP05P', '2025-06-01') IS NULL AS null_enterprise;
SELECT * FROM pg_temp.query_error($$SELECT cbreturn.import_applicant_allowed('3101W60001', '91310000MAEXAMP05P', 'infinity')$$);
SELECT * FROM pg_temp.query_error($$INSERT INTO cbreturn.import_agents VALUES ('3101W60001', '91310000MAEXAMP05P', 'agent', 'x', '2024-01-01', NULL, NULL)$$);
DELETE FROM import_agents;

-- ---------------------------------------------------------------------------
-- Edits are seen by the next statement (the triggers registers_changed
-- reload the snapshot), also inside a transaction.
-- ---------------------------------------------------------------------------
BEGIN;
SELECT applicant_registered('91110108MAEXAMP03W', '2025-09-01') AS before_insert;
INSERT INTO applicants VALUES ('91110108MAEXAMP03W', '1101960003', 'Test exporter C', '2025-09-01', NULL, 'added in the test');
SELECT applicant_registered('91110108MAEXAMP03W', '2025-09-01') AS after_insert;
UPDATE applicants SET valid_to = '2025-08-31' WHERE uscc = '91330100MAEXAMP01Q';
SELECT applicant_registered('91330100MAEXAMP01Q', '2025-09-01') AS after_end_date;
ROLLBACK;
SELECT applicant_registered('91110108MAEXAMP03W', '2025-09-01') AS after_rollback;

-- ---------------------------------------------------------------------------
-- Catalogue: STABLE PARALLEL SAFE lookups with comments citing the rule,
-- dumped in full, readable by everyone and writable by the owner only.
-- ---------------------------------------------------------------------------
SELECT p.oid::regprocedure AS function, p.provolatile, p.proparallel, p.proisstrict,
       obj_description(p.oid, 'pg_proc') ~ 'R-(EX|IM)-[0-9]' AS comment_cites_rule
  FROM pg_proc p
 WHERE p.pronamespace = 'cbreturn'::regnamespace
   AND p.proname IN ('applicant_verdict', 'applicant_registered', 'return_site_verdict', 'return_site_authorised',
                     'return_warehouse_verdict', 'return_warehouse_ok', 'credit_rating',
                     'import_applicant_verdict', 'import_applicant_allowed')
 ORDER BY 1::text;
SELECT c::regclass AS register, cond AS dumped_rows
  FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(c, cond)
 WHERE e.extname = 'cbreturn'
   AND c IN ('cbreturn.applicants'::regclass, 'cbreturn.return_sites'::regclass,
             'cbreturn.return_warehouses'::regclass, 'cbreturn.operator_credit_ratings'::regclass,
             'cbreturn.import_agents'::regclass)
 ORDER BY 1::text;
CREATE ROLE regress_cbreturn_registry_clerk;
SELECT t AS "table", p AS privilege, has_table_privilege('regress_cbreturn_registry_clerk', t, p) AS granted
  FROM unnest(ARRAY['cbreturn.applicants', 'cbreturn.return_sites', 'cbreturn.return_warehouses',
                    'cbreturn.operator_credit_ratings', 'cbreturn.import_agents']) AS t,
       unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p
 ORDER BY 1, 2;
SET ROLE regress_cbreturn_registry_clerk;
SELECT applicant_registered('91310000MAEXAMP05P', '2025-01-01') AS clerk_can_look_up;
SELECT * FROM pg_temp.query_error($$DELETE FROM cbreturn.applicants$$);
RESET ROLE;
DROP ROLE regress_cbreturn_registry_clerk;

DELETE FROM applicants;
DELETE FROM return_sites;
DELETE FROM return_warehouses;
DELETE FROM operator_credit_ratings;

-- ---------------------------------------------------------------------------
-- Reasons are ISO dates whatever DateStyle says; explain rows; R-IM-1/5/6
-- arrival places.
-- ---------------------------------------------------------------------------
INSERT INTO applicants VALUES ('91310000MAEXAMP05P', '4403960001', 'Test exporter A', '2024-01-01', '2025-06-30', NULL);
INSERT INTO return_sites VALUES ('SITE-HZ-01', '2924', 'bonded_warehouse', 'Test bonded warehouse', '2024-12-15', NULL, NULL);
INSERT INTO return_warehouses VALUES
    ('RCW-HZ-1', 'HZ-CBZ', '2991', '91440300MAEXAMP021', 'Test return centre 1', true, true, true, '2025-01-01', NULL, NULL);
INSERT INTO operator_credit_ratings VALUES ('91440300MAEXAMP021', 'discredited', '2025-08-01', NULL);
SET datestyle = 'German, DMY';
SELECT (applicant_verdict('91310000MAEXAMP05P', '2025-07-01')).reason;
SELECT step, rule_id, passed, seen FROM explain_registers('2025-09-01', '91310000MAEXAMP05P', 'SITE-HZ-01', '2924', 'RCW-HZ-1');
SET datestyle = 'ISO, YMD';
SELECT count(*) AS no_inputs_no_rows FROM explain_registers('2025-09-01');
SELECT count(*) AS null_date_no_rows FROM explain_registers(NULL, '91310000MAEXAMP05P');

SELECT c, o, a, d, x, (v).ok, (v).rule_id, (v).reason
  FROM (VALUES ('1210'::supervision_code, 'HZ-CBZ', 'HZ-CBZ', '2025-03-01'::date, NULL::text),
               ('1210', 'HZ-CBZ', 'RCW-HZ-1', '2025-03-01', NULL),     -- return centre of the area
               ('1210', 'HZ-CBZ', 'RCW-HZ-1', '2025-08-01', NULL),     -- operator discredited
               ('1210', 'NB-MSBZ', 'RCW-HZ-1', '2025-03-01', NULL),    -- return centre of another area
               ('1210', 'HZ-CBZ', 'GZ-NSBZ', '2025-03-01', 'GZ-NSBZ'), -- R-IM-6: special area of declaration
               ('1210', 'HZ-CBZ', 'GZ-NSBZ', '2025-03-01', NULL),
               ('9610', 'SITE-HZ-01', 'SITE-HZ-01', '2025-03-01', NULL),
               ('9610', 'SITE-HZ-01', 'GZ-NSBZ', '2025-03-01', 'GZ-NSBZ'), -- direct purchase: original site only
               ('1239', 'HZ-CBZ', 'RCW-HZ-1', '2025-03-01', NULL)) AS t(c, o, a, d, x),
       LATERAL (SELECT import_arrival_place_verdict(c, o, a, d, x) AS v) AS r;
SELECT import_arrival_place_verdict('1210', NULL, 'HZ-CBZ', '2025-03-01') IS NULL AS null_place;
SELECT * FROM pg_temp.query_error($$SELECT cbreturn.import_arrival_place_verdict('9710', 'A', 'B', '2025-03-01')$$);
SELECT * FROM pg_temp.query_error($$SELECT cbreturn.import_arrival_place_verdict('1210', 'A', 'B', 'infinity')$$);
SELECT p.oid::regprocedure AS function, p.provolatile, p.proparallel
  FROM pg_proc p
 WHERE p.pronamespace = 'cbreturn'::regnamespace AND p.proname IN ('import_arrival_place_verdict', 'explain_registers')
 ORDER BY 1::text;

DELETE FROM applicants;
DELETE FROM return_sites;
DELETE FROM return_warehouses;
DELETE FROM operator_credit_ratings;
