-- pgTAP: SQLSTATEs of the rules engine's bad input, function properties,
-- and the policy cache across DROP / CREATE EXTENSION in one session.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET datestyle = 'ISO, YMD';
SELECT plan(40);

-- Volatility: the pure rules are IMMUTABLE (generated columns, CHECK), the
-- table-backed ones STABLE.
SELECT volatility_is('cbreturn', 'export_return_deadline', ARRAY['date', 'cbreturn.return_reason'], 'immutable');
SELECT volatility_is('cbreturn', 'import_apply_deadline', ARRAY['date'], 'immutable');
SELECT volatility_is('cbreturn', 'import_arrival_deadline', ARRAY['date'], 'immutable');
SELECT volatility_is('cbreturn', 'remark_code', ARRAY['cbreturn.return_reason'], 'immutable');
SELECT volatility_is('cbreturn', 'reason_from_remarks', ARRAY['text'], 'immutable');
SELECT volatility_is('cbreturn', 'return_status', ARRAY['date', 'date', 'date', 'integer'], 'immutable');
SELECT volatility_is('cbreturn', 'cross_customs_return_allowed',
                     ARRAY['cbreturn.supervision_code', 'cbreturn.customs_code', 'cbreturn.customs_code', 'date'], 'stable');
SELECT volatility_is('cbreturn', 'export_tax_relief',
                     ARRAY['cbreturn.supervision_code', 'date', 'date', 'cbreturn.return_reason', 'boolean', 'boolean', 'date', 'boolean', 'boolean'], 'stable');
SELECT volatility_is('cbreturn', 'export_return_deadline_holiday_adjusted', ARRAY['date', 'cbreturn.return_reason'], 'stable');
SELECT is_strict('cbreturn', 'export_return_deadline', ARRAY['date', 'cbreturn.return_reason']);
-- Readers (IMMUTABLE and STABLE) are PARALLEL SAFE; writers (VOLATILE:
-- attach/detach and trigger functions) are PARALLEL UNSAFE.
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname = 'cbreturn' AND p.prokind IN ('f', 'a')
                        AND p.provolatile <> 'v' AND p.proparallel <> 's'),
          'every IMMUTABLE or STABLE cbreturn function is PARALLEL SAFE');
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname = 'cbreturn' AND p.provolatile = 'v' AND p.proparallel <> 'u'),
          'every VOLATILE cbreturn function is PARALLEL UNSAFE');
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname = 'cbreturn' AND p.prokind IN ('f', 'a')
                        AND pg_catalog.obj_description(p.oid, 'pg_proc') IS NULL),
          'every cbreturn function has a COMMENT');

-- 22008: infinite or out-of-range dates.
SELECT throws_ok($$SELECT cbreturn.export_return_deadline('infinity', 'unsold')$$, '22008');
SELECT throws_ok($$SELECT cbreturn.export_return_deadline('-infinity', 'unsold')$$, '22008');
SELECT throws_ok($$SELECT cbreturn.export_return_deadline('5874897-12-31', 'quality_or_spec')$$, '22008');
SELECT throws_ok($$SELECT cbreturn.import_apply_deadline('infinity')$$, '22008');
SELECT throws_ok($$SELECT cbreturn.import_arrival_deadline('5874897-12-20')$$, '22008');
SELECT throws_ok($$SELECT cbreturn.cross_customs_return_allowed('9610', '2924', '0101', '-infinity')$$, '22008');
SELECT throws_ok($$SELECT cbreturn.export_tax_relief('9610', 'infinity', '2026-01-01', 'unsold', false, true)$$, '22008');
SELECT throws_ok($$SELECT cbreturn.return_status('2026-01-01', 'infinity', '2026-01-01')$$, '22008');
SELECT throws_ok($$SELECT cbreturn.export_return_deadline_holiday_adjusted('infinity', 'unsold')$$, '22008');

-- 22023: dates out of the order the goods moved, bad amounts.
SELECT throws_ok($$SELECT cbreturn.export_tax_relief('9610', '2026-03-01', '2026-02-28', 'unsold', false, true)$$, '22023');
SELECT throws_ok($$SELECT cbreturn.export_tax_relief('1210', '2026-03-01', '2026-05-01', 'unsold', false, true, '2026-02-01')$$, '22023');
SELECT throws_ok($$SELECT cbreturn.import_return_on_time('2026-01-31', '2026-01-30', '2026-02-01')$$, '22023');
SELECT throws_ok($$SELECT * FROM cbreturn.explain_export_return_deadline('2026-08-31', 'unsold', '2026-08-30')$$, '22023');
SELECT throws_ok($$SELECT cbreturn.import_retail_tax(100, 1)$$, '22023');
SELECT throws_ok($$SELECT cbreturn.import_annual_amount_after_return(100, 200)$$, '22023');
SELECT throws_ok($$SELECT cbreturn.return_status('2026-01-01', NULL, '2026-01-01', -1)$$, '22023');

-- CB007: codes missing from the reference tables.
SELECT throws_ok($$SELECT cbreturn.cross_customs_return_allowed('9610', '9924', '0101', '2026-04-01')$$, 'CB007');
SELECT throws_ok($$SELECT cbreturn.cross_customs_return_allowed('1234', '2924', '0101', '2026-04-01')$$, 'CB007');
SELECT throws_ok($$SELECT cbreturn.export_tax_relief('1234', '2026-03-01', '2026-05-01', 'unsold', false, true)$$, 'CB007');

-- CB000: a policy table without a required parameter.
SAVEPOINT broken;
DELETE FROM cbreturn.rule_parameters WHERE name = 'import_limit_per_year';
SELECT throws_ok($$SELECT cbreturn.import_annual_quota_remaining(1)$$, 'CB000');
ROLLBACK TO SAVEPOINT broken;
SELECT is(cbreturn.import_annual_quota_remaining(1), 25999::numeric, 'restored after rollback to savepoint');

-- Policy cache: a run-time row takes effect at the next command of the same session.
SELECT is(cbreturn.cross_customs_return_allowed('9610', '0801', '4301', '2026-03-31'), false,
          'before: Shenyang -> Jinan on 2026-03-31 is not allowed');
UPDATE cbreturn.rule_parameters SET value_date = '2026-03-31' WHERE name = 'cross_customs_nationwide_from';
SELECT is(cbreturn.cross_customs_return_allowed('9610', '0801', '4301', '2026-03-31'), true,
          'after moving the nationwide date to 2026-03-31: allowed');

-- The cache survives DROP EXTENSION / CREATE EXTENSION in one session: the
-- new tables have new OIDs and the shipped rows again.
SELECT is(cbreturn.export_return_deadline('2026-08-31', 'unsold'), '2027-02-28'::date, 'deadline before the drop');
DROP EXTENSION cbreturn;
CREATE EXTENSION cbreturn;
SELECT is(cbreturn.cross_customs_return_allowed('9610', '0801', '4301', '2026-03-31'), false,
          'recreated extension: shipped nationwide date 2026-04-01 again');
SELECT is(cbreturn.export_return_deadline('2026-08-31', 'unsold'), '2027-02-28'::date,
          'recreated extension: enum OIDs re-read');
SELECT is(cbreturn.reason_from_remarks('THTY'), 'consumer_return'::cbreturn.return_reason,
          'recreated extension: reason_from_remarks returns the new enum OID');

SELECT * FROM finish();
ROLLBACK;
