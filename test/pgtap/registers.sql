-- pgTAP: cbreturn.uscc (GB 32100-2015) and the registers (R-EX-4, R-EX-6,
-- R-IM-5).  Table-driven: bad literals with their SQLSTATE and exact
-- message, the registers' columns and keys, the lookups' volatility and
-- their verdicts at the boundary days.  Register rows use made-up codes
-- (MAEXAMP) with valid check characters.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION cbreturn;
SET search_path = public, cbreturn;
SET datestyle = 'ISO, YMD';
SELECT plan(77);

-- ---------------------------------------------------------------------------
-- uscc: objects, good and bad literals
-- ---------------------------------------------------------------------------
SELECT has_type('cbreturn', 'uscc', 'type cbreturn.uscc exists');
SELECT has_domain('cbreturn', 'customs_registration_code', 'domain cbreturn.customs_registration_code exists');
SELECT has_opclass('cbreturn', 'uscc_ops', 'operator class cbreturn.uscc_ops exists');
SELECT has_cast(s, d, format('cast from %s to %s', s, d))
  FROM (VALUES ('uscc', 'text'), ('text', 'uscc')) AS t(s, d);
SELECT is(lit::uscc::text, canonical, format('uscc %L reads as %s', lit, canonical))
  FROM (VALUES
    ('914403001922038216',     '914403001922038216'),   -- Huawei Technologies
    ('91440300708461136t',     '91440300708461136T'),   -- lower case (Tencent)
    ('  91330100799655058B ', '91330100799655058B')   -- white space (Alibaba China)
  ) AS t(lit, canonical);
SELECT throws_ok(format('SELECT %L::cbreturn.uscc', lit), '22P02',
                 format('invalid input syntax for type uscc: "%s": %s', lit, what),
                 format('uscc %L: %s', lit, what))
  FROM (VALUES
    ('91440300192203821',   'it has 17 characters, not 18'),
    ('9144030019220382160', 'it has 19 characters, not 18'),
    ('',                    'it is empty'),
    ('914403001922038217',  'check character "7" is wrong, expected "6"'),
    ('91440300708461136U',  'check character "U" is wrong, expected "T"'),
    ('O14403001922038216',  'character 1 is "O", which a unified social credit code never uses'),
    ('91440300192203821Z',  'character 18 is "Z", which a unified social credit code never uses'),
    ('9144030019220382v6',  'character 17 is "v", which a unified social credit code never uses'),
    ('914403001922.38216',  'character 13 is ".", which a unified social credit code never uses'),
    ('9144B3001922038216',  'character 5 is "B", not a digit of the administrative division code (characters 3 to 8)'),
    ('914403X01922038216',  'character 7 is "X", not a digit of the administrative division code (characters 3 to 8)'),
    ('９１4403001922038216', 'character 1 is "９", which is not an ASCII character')
  ) AS t(lit, what);
SELECT is(registration_authority('914403001922038216'), '9', 'registration authority of Huawei''s code: 9 (market regulation)');
SELECT is(organisation_category('914403001922038216'), '1', 'organisation category: 1 (enterprise)');
SELECT is(division_code('914403001922038216'), '440300', 'division: 440300 (Shenzhen)');
SELECT is(organisation_code('914403001922038216'), '192203821', 'organisation code: 192203821');
SELECT is(uscc_check_character('91440300192203821'), '6', 'check character of 91440300192203821 is 6');
SELECT throws_ok($$SELECT '330196000'::cbreturn.customs_registration_code$$, '23514', NULL,
                 'a 9-character customs registration code is refused (23514)');
SELECT lives_ok($$SELECT '3301960001'::cbreturn.customs_registration_code$$,
                'a 10-digit customs registration code is accepted');

-- ---------------------------------------------------------------------------
-- Registers: tables, keys, column types, dump configuration
-- ---------------------------------------------------------------------------
SELECT has_table('cbreturn', t, format('table cbreturn.%s exists', t))
  FROM unnest(ARRAY['applicants', 'return_sites', 'return_warehouses', 'operator_credit_ratings', 'import_agents']) AS t;
SELECT col_is_pk('cbreturn', t, k, format('cbreturn.%s is keyed by (%s)', t, array_to_string(k, ', ')))
  FROM (VALUES ('applicants', ARRAY['uscc', 'valid_from']),
               ('return_sites', ARRAY['site_code', 'customs_office', 'valid_from']),
               ('return_warehouses', ARRAY['warehouse_code', 'valid_from']),
               ('operator_credit_ratings', ARRAY['uscc', 'effective_from']),
               ('import_agents', ARRAY['enterprise_code', 'agent_uscc', 'valid_from'])) AS t(t, k);
SELECT col_type_is('cbreturn', t, c, ty, format('cbreturn.%s.%s is %s', t, c, ty))
  FROM (VALUES ('applicants', 'uscc', 'uscc'),
               ('applicants', 'customs_registration_code', 'customs_registration_code'),
               ('applicants', 'valid_from', 'date'),
               ('applicants', 'valid_to', 'date'),
               ('return_sites', 'customs_office', 'customs_code'),
               ('return_sites', 'kind', 'return_site_kind'),
               ('return_warehouses', 'operator_uscc', 'uscc'),
               ('return_warehouses', 'video_linked', 'boolean'),
               ('return_warehouses', 'wms', 'boolean'),
               ('return_warehouses', 'customs_interface', 'boolean'),
               ('operator_credit_ratings', 'rating', 'customs_credit_rating')) AS t(t, c, ty);
SELECT enum_has_labels('cbreturn', 'return_site_kind', ARRAY['bonded_warehouse', 'marketplace_site', 'processing_centre'],
                       'return_site_kind: the three kinds of R-EX-6');
SELECT enum_has_labels('cbreturn', 'customs_credit_rating',
                       ARRAY['advanced_certified', 'general_certified', 'general', 'discredited'],
                       'customs_credit_rating: the customs credit levels');
SELECT set_eq($$SELECT c::regclass::text FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(c, cond)
                 WHERE e.extname = 'cbreturn' AND cond = ''
                   AND c IN ('cbreturn.applicants'::regclass, 'cbreturn.return_sites'::regclass,
                             'cbreturn.return_warehouses'::regclass, 'cbreturn.operator_credit_ratings'::regclass,
                             'cbreturn.import_agents'::regclass)$$,
              ARRAY['applicants', 'return_sites', 'return_warehouses', 'operator_credit_ratings', 'import_agents'],
              'the five registers are dumped in full (no filter)');

-- ---------------------------------------------------------------------------
-- Lookups: STABLE PARALLEL SAFE, comments citing the rule
-- ---------------------------------------------------------------------------
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'cbreturn'::regnamespace
       AND p.proname IN ('applicant_verdict', 'applicant_registered', 'return_site_verdict', 'return_site_authorised',
                         'return_warehouse_verdict', 'return_warehouse_ok', 'credit_rating',
                         'import_arrival_place_verdict', 'explain_registers',
                         'import_applicant_verdict', 'import_applicant_allowed')
       AND (p.provolatile <> 's' OR p.proparallel <> 's'
            OR obj_description(p.oid, 'pg_proc') !~ 'R-(EX|IM)-[0-9]')
$$, 'every register lookup is STABLE PARALLEL SAFE and its comment cites its rule');
SELECT is((SELECT count(*)::int FROM pg_proc p
            WHERE p.pronamespace = 'cbreturn'::regnamespace
              AND p.proname IN ('applicant_verdict', 'applicant_registered', 'return_site_verdict', 'return_site_authorised',
                                'return_warehouse_verdict', 'return_warehouse_ok', 'credit_rating',
                                'import_arrival_place_verdict', 'explain_registers',
                                'import_applicant_verdict', 'import_applicant_allowed')),
          11, 'the lookup check saw all eleven functions');

-- ---------------------------------------------------------------------------
-- Verdicts at the boundary days
-- ---------------------------------------------------------------------------
INSERT INTO applicants VALUES ('91330100MAEXAMP01Q', '3301960002', 'Test exporter', '2025-03-01', '2025-08-31', NULL);
INSERT INTO return_sites VALUES ('SITE-1', '2924', 'marketplace_site', 'Test site', '2024-12-15', '2026-03-31', NULL);
INSERT INTO return_warehouses VALUES
    ('RCW-1', 'Area A', '2991', '91110000MAEXAMP047', 'Test return centre', true, true, true, '2025-01-01', NULL, NULL),
    ('RCW-2', 'Area A', '2991', '91110108MAEXAMP03W', 'Test return centre 2', true, true, false, '2025-01-01', NULL, NULL);
INSERT INTO operator_credit_ratings VALUES ('91110000MAEXAMP047', 'discredited', '2025-06-01', NULL),
                                           ('91110000MAEXAMP047', 'general', '2025-09-01', NULL);
SELECT is(applicant_registered('91330100MAEXAMP01Q', d), want, format('R-EX-4 applicant on %s: %s', d, want))
  FROM (VALUES ('2025-02-28'::date, false), ('2025-03-01', true), ('2025-08-31', true), ('2025-09-01', false)) AS t(d, want);
SELECT is(return_site_authorised('SITE-1', o, d), want, format('R-EX-6 SITE-1 at %s on %s: %s', o, d, want))
  FROM (VALUES ('2924'::customs_code, '2024-12-14'::date, false), ('2924', '2024-12-15', true),
               ('2924', '2026-03-31', true), ('2924', '2026-04-01', false), ('2901', '2025-01-01', false)) AS t(o, d, want);
SELECT is(return_warehouse_ok(w, d, a), want, format('R-IM-5 %s on %s (%s): %s', w, d, coalesce(a, 'any area'), want))
  FROM (VALUES ('RCW-1', '2025-05-31'::date, NULL::text, true), ('RCW-1', '2025-06-01', NULL, false),
               ('RCW-1', '2025-08-31', NULL, false), ('RCW-1', '2025-09-01', NULL, true),
               ('RCW-1', '2025-09-01', 'Area B', false), ('RCW-2', '2025-09-01', NULL, false),
               ('RCW-9', '2025-09-01', NULL, false)) AS t(w, d, a, want);
INSERT INTO import_agents VALUES ('3101W60001', '91310000MAEXAMP05P', 'authorised_broker', 'Test broker', '2025-01-01', '2025-12-31', NULL);
SELECT is(import_applicant_allowed('3101W60001', '91310000MAEXAMP05P', d), want, format('R-IM-7 broker on %s: %s', d, want))
  FROM (VALUES ('2024-12-31'::date, false), ('2025-01-01', true), ('2025-12-31', true), ('2026-01-01', false)) AS t(d, want);
SELECT throws_ok(format('SELECT cbreturn.%s', call), '22008', NULL, format('%s: an infinite date is 22008', call))
  FROM (VALUES ($$applicant_registered('91330100MAEXAMP01Q', 'infinity')$$),
               ($$return_site_authorised('SITE-1', '2924', '-infinity')$$),
               ($$return_warehouse_ok('RCW-1', 'infinity')$$),
               ($$import_applicant_allowed('3101W60001', '91310000MAEXAMP05P', 'infinity')$$)) AS t(call);

SELECT * FROM finish();
ROLLBACK;
