-- pgTAP: the SQLSTATE of every rule family of the write-time checks
-- (docs/errors.md), table-driven, and the attach API's shape.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cbreturn;
SELECT plan(22);

SELECT has_function('cbreturn', 'attach_export_return_checks',
    ARRAY['regclass', 'name', 'name', 'name', 'name', 'boolean', 'name', 'name', 'name', 'name',
          'name', 'name', 'name', 'boolean']);
SELECT has_function('cbreturn', 'attach_import_return_checks',
    ARRAY['regclass', 'name', 'name', 'name', 'name', 'name', 'name', 'name', 'name', 'name', 'name', 'boolean']);
SELECT has_function('cbreturn', 'attach_quantity_check',
    ARRAY['regclass', 'name[]', 'name', 'regclass', 'name[]', 'name', 'name', 'text[]']);
SELECT has_function('cbreturn', 'attach_status_check',
    ARRAY['regclass', 'name', 'name', 'name', 'name', 'name', 'name', 'name', 'name', 'text[]', 'text', 'boolean']);
SELECT has_function('cbreturn', 'detach', ARRAY['regclass', 'text']);
SELECT has_view('cbreturn', 'attached_checks', 'view cbreturn.attached_checks');
SELECT function_lang_is('cbreturn', 'export_return_check', '{}'::name[], 'c');
SELECT function_lang_is('cbreturn', 'quantity_check', '{}'::name[], 'c');

CREATE TABLE tap_decl (k int PRIMARY KEY, qty int);
CREATE TABLE tap_ret (
    id int PRIMARY KEY, k int, qty int, exported date, reason cbreturn.return_reason,
    returned date, remarks text, sup cbreturn.supervision_code, eo cbreturn.customs_code,
    ro cbreturn.customs_code, released date, applied date, arrived date, st text, t1 date, t2 date);
INSERT INTO tap_decl VALUES (1, 5);
SELECT cbreturn.attach_export_return_checks('tap_ret', exported_on => 'exported', reason => 'reason',
    returned_on => 'returned', remarks => 'remarks', fill_remarks => true,
    supervision_code => 'sup', export_office => 'eo', return_office => 'ro');
SELECT cbreturn.attach_import_return_checks('tap_ret', released_on => 'released', applied_on => 'applied', arrived_on => 'arrived');
SELECT cbreturn.attach_quantity_check('tap_ret', line => '{k}', quantity => 'qty',
    declared_table => 'tap_decl', declared_line => '{k}', declared_quantity => 'qty');
SELECT cbreturn.attach_status_check('tap_ret', status => 'st', registered_at => 't1', declared_at => 't2');
SELECT is((SELECT count(*)::int FROM cbreturn.attached_checks WHERE "table" = 'tap_ret'::regclass), 4, 'four checks attached');

-- one bad row per family: SQLSTATE and the rule id in the message
SELECT throws_like($$INSERT INTO tap_ret (id, exported, reason, returned) VALUES (1, '2026-01-31', 'unsold', '2026-08-01')$$,
                   '%R-EX-1%', 'R-EX-1 names its rule');
SELECT throws_ok($$INSERT INTO tap_ret (id, exported, reason, returned) VALUES (1, '2026-01-31', 'unsold', '2026-08-01')$$,
                 'CB001', NULL, 'R-EX-1 window: CB001');
SELECT throws_ok($$INSERT INTO tap_ret (id, exported, reason, remarks) VALUES (1, '2026-01-31', 'unsold', 'PGTY')$$,
                 'CB002', NULL, 'R-EX-2 remark code: CB002');
SELECT throws_ok($$INSERT INTO tap_ret (id, k, qty) VALUES (1, 1, 6)$$, 'CB003', NULL, 'R-EX-3 quantity: CB003');
SELECT throws_ok($$INSERT INTO tap_ret (id, exported, reason, returned, sup, eo, ro)
                   VALUES (1, '2026-01-31', 'unsold', '2026-02-01', '9710', '2924', '2201')$$,
                 'CB005', NULL, 'R-EX-5 cross-customs: CB005');
SELECT throws_ok($$INSERT INTO tap_ret (id, st) VALUES (1, 'lost')$$, 'CB006', NULL, 'status: CB006');
SELECT throws_ok($$INSERT INTO tap_ret (id, exported, reason, returned, sup, eo, ro)
                   VALUES (1, '2026-01-31', 'unsold', '2026-02-01', '9610', '2924', '9901')$$,
                 'CB007', NULL, 'unknown district: CB007');
SELECT throws_ok($$INSERT INTO tap_ret (id, released, applied) VALUES (1, '2026-01-01', '2026-02-01')$$,
                 'CB001', NULL, 'R-IM-1 window: CB001');
SELECT throws_ok($$SELECT cbreturn.attach_import_return_checks('tap_decl', released_on => 'nope', applied_on => 'qty')$$,
                 '42703', NULL, 'undefined column: 42703');
SELECT throws_ok($$SELECT cbreturn.detach('tap_ret', 'import') FROM (SELECT cbreturn.attach_import_return_checks('tap_decl', released_on => 'qty', applied_on => 'qty')) x$$,
                 '42804', NULL, 'wrong column type: 42804');
SELECT lives_ok($$INSERT INTO tap_ret (id, k, qty, exported, reason, returned, released, applied, st, t1)
                  VALUES (1, 1, 5, '2026-01-31', 'unsold', '2026-07-31', '2026-01-01', '2026-01-31', 'registered', '2026-01-01')$$,
                'a row that keeps every rule is accepted');
SELECT is((SELECT remarks FROM tap_ret WHERE id = 1), 'ZXTY', 'remarks filled with the R-EX-2 code');
SELECT is((SELECT returned::numeric FROM cbreturn.quantity_ledger WHERE declared_relation = 'tap_decl'::regclass), 5::numeric, 'ledger counts it');

SELECT * FROM finish();
ROLLBACK;
