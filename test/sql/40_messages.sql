-- Catalogued messages for the extension's PL/pgSQL parts (docs/i18n.md):
-- cbreturn._error raises a message by key with its SQLSTATE, DETAIL and HINT,
-- putting the arguments in place of {1} .. {9}; cbreturn._text gives a
-- catalogued word.  This run is in English (lc_messages = C); test/checks/nls.sh
-- runs it again in Chinese.
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never
-- err(sql): SQLSTATE, message, DETAIL and HINT of a statement that fails.
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; det text; hin text;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            det = PG_EXCEPTION_DETAIL, hin = PG_EXCEPTION_HINT;
    RETURN st || ': ' || msg || coalesce(' / DETAIL: ' || nullif(det, ''), '')
              || coalesce(' / HINT: ' || nullif(hin, ''), '');
END
$$;

-- One row per catalogued message: the key decides the SQLSTATE, the
-- arguments fill the placeholders of the message, DETAIL and HINT.
SELECT k, pg_temp.err(format('SELECT cbreturn._error(%L%s)', k, a)) AS raised
  FROM (VALUES
    ('attach.not_null', $$, cbreturn._text('the_table')$$),
    ('attach.partitioned', $$, cbreturn._text('the_table'), 'erp.returns'$$),
    ('attach.not_table', $$, cbreturn._text('the_declared_table'), 'erp.v'$$),
    ('attach.not_owner', $$, 'erp.returns'$$),
    ('attach.column_unnamed', $$, cbreturn._text('role.exported_on'), 'exported_on'$$),
    ('attach.column_missing', $$, 'FDate', 'erp.returns', cbreturn._text('role.released_on'), 'released_on'$$),
    ('attach.column_type', $$, 'FQty', 'erp.returns', 'integer', cbreturn._text('role.exported_on'), 'date'$$),
    ('attach.already_attached', $$, cbreturn._text('kind.export'), 'erp.returns', quote_literal('erp.returns'), quote_literal('export')$$),
    ('attach.unknown_kind', $$, 'exports'$$),
    ('detach.not_attached', $$, 'erp.returns'$$),
    ('detach.kind_not_attached', $$, 'import', 'erp.returns'$$),
    ('attach.export_needs_reason_or_remarks', ''),
    ('attach.import_needs_dates', ''),
    ('attach.column_in_use', $$, 'memo', 'erp.returns', cbreturn._text('kind.export'), 'erp.returns', quote_literal('erp.returns'), quote_literal('export')$$),
    ('attach.column_type_in_use', $$, 'memo', 'erp.returns', cbreturn._text('kind.export'), 'erp.returns', quote_literal('erp.returns'), quote_literal('export')$$)
  ) v(k, a)
 ORDER BY k;

-- A placeholder without an argument stays as it is; an argument may be NULL.
SELECT pg_temp.err($$SELECT cbreturn._error('attach.partitioned', 'table')$$);
SELECT pg_temp.err($$SELECT cbreturn._error('attach.not_owner', NULL)$$);
-- An argument is data: a % or {2} in it is not read as a placeholder.
SELECT pg_temp.err($$SELECT cbreturn._error('attach.partitioned', '{2}%s', '100%')$$);
-- 22023: an unknown key; 22004: a NULL key.
SELECT pg_temp.err($$SELECT cbreturn._error('no.such.key')$$);
SELECT pg_temp.err($$SELECT cbreturn._error(NULL)$$);
SELECT pg_temp.err($$SELECT cbreturn._text('no_such_text')$$);
SELECT cbreturn._text(NULL) IS NULL AS strict;

-- cbreturn.language: empty by default (follow lc_messages); a locale the
-- server does not have is refused; C gives English.
SHOW cbreturn.language;
SELECT pg_temp.err($$SET cbreturn.language = 'xx_XX.NOPE'$$);
SET cbreturn.language = 'C';
-- (compared, not printed: the run in Chinese must show no English message)
SELECT pg_temp.err($$SELECT cbreturn._error('attach.not_owner', 'erp.returns')$$)
       = '42501: must be owner of table erp.returns' AS english_under_c;
RESET cbreturn.language;
-- a language without its encoding, as a clerk types it, names the server's UTF-8
-- locale of that language; one the server does not have is refused as before
SET cbreturn.language = 'zh_CN';
SELECT current_setting('cbreturn.language') IN ('zh_CN.UTF-8', 'zh_CN.utf8') AS utf8_locale;
SELECT pg_temp.err($$SELECT cbreturn._error('attach.not_owner', 'erp.returns')$$)
       NOT LIKE '%must be owner%' AS translated;
RESET cbreturn.language;
SELECT pg_temp.err($$SET cbreturn.language = 'xx_XX'$$);

-- The other messages of attach, detach, the metadata triggers, the quantity
-- check and the register lookups (issue 13): each key with its SQLSTATE, and
-- each catalogued word they need.
SELECT k, pg_temp.err(format('SELECT cbreturn._error(%L%s)', k, a)) AS raised
  FROM (VALUES
    ('metadata.column_missing', $$, 'FDate', 'erp.returns'$$),
    ('attach.temporary', $$, cbreturn._text('the_returns_table'), 'tmp_ret'$$),
    ('attach.generated', $$, 'g', 'erp.returns', cbreturn._text('check.status')$$),
    ('attach.status_labels', ''),
    ('attach.stage_types', $$, 'shipped', 'date', 'timestamp with time zone'$$),
    ('attach.declared_in_use', $$, 'erp.decl', 'erp.returns', quote_literal('erp.returns'), quote_literal('quantity')$$),
    ('quantity.truncate_declared', $$, 'erp.decl'$$),
    ('attach.quantity_same_table', ''),
    ('attach.quantity_partition_attached', $$, 'erp.returns_2026'$$),
    ('attach.quantity_key_count', ''),
    ('attach.quantity_key_types', $$, 'item_no', 'integer', 'g_no', 'text'$$),
    ('attach.quantity_declared_columns', $$, 'erp.returns', 'erp.decl'$$)
  ) v(k, a)
 ORDER BY k;
SELECT k, cbreturn._text(k)
  FROM unnest(ARRAY['the_returns_table', 'role.status', 'role.registered_at', 'role.declared_at',
                    'role.shipped_at', 'role.arrived_at', 'role.inspected_at', 'role.released_at',
                    'role.rejected_at', 'check.status', 'role.line_key', 'role.declared_line_key',
                    'role.quantity', 'role.declared_quantity']) k;

-- The same messages where the functions raise them.
CREATE SCHEMA msg;
CREATE TABLE msg.ret (id int PRIMARY KEY, st text, reg date, shp timestamptz, exported date, reason text)
    PARTITION BY RANGE (id);
CREATE TABLE msg.ret_1 PARTITION OF msg.ret FOR VALUES FROM (0) TO (100);
-- 0A000: a partitioned declared table of a quantity check (a checked table
-- and a declaration header may be partitioned)
CREATE TABLE msg.plain (id int PRIMARY KEY, exported date, qty int);
SELECT pg_temp.err($$SELECT cbreturn.attach_quantity_check('msg.plain', line => '{id}', quantity => 'qty', declared_table => 'msg.ret', declared_line => '{id}', declared_quantity => 'id')$$);
-- 22004: no table
SELECT pg_temp.err($$SELECT cbreturn.detach(NULL)$$);
-- 42804: stage times of two types
SELECT pg_temp.err($$SELECT cbreturn.attach_status_check('msg.ret_1', status => 'st', registered_at => 'reg', shipped_at => 'shp')$$);
-- 42703: metadata naming a column that is not there (as a restore of a
-- hand-edited dump would); the row is refused, not recorded
SELECT pg_temp.err($$INSERT INTO cbreturn.attached_column (relation, check_kind, role, column_relation, column_name)
                     VALUES ('msg.ret_1', 'status', 'status', 'msg.ret_1', 'no_such_column')$$);
SELECT count(*) AS recorded FROM cbreturn.attached_column WHERE relation = 'msg.ret_1'::regclass;
DROP SCHEMA msg CASCADE;

-- Labels for people: every value of cbreturn's enums, every status of
-- return_status and every stage has one (here in English; test/checks/nls.sh
-- checks Chinese ones under cbreturn.language).
-- (every enum of cbreturn is listed below: a new one must be added here)
SELECT typname FROM pg_type WHERE typnamespace = 'cbreturn'::regnamespace AND typtype = 'e' ORDER BY 1;
SELECT 'return_reason' AS type, r::text AS value, cbreturn.label(r) AS label
  FROM unnest(enum_range(NULL::cbreturn.return_reason)) r
UNION ALL
SELECT 'return_site_kind', k::text, cbreturn.label(k)
  FROM unnest(enum_range(NULL::cbreturn.return_site_kind)) k
UNION ALL
SELECT 'customs_credit_rating', c::text, cbreturn.label(c)
  FROM unnest(enum_range(NULL::cbreturn.customs_credit_rating)) c
UNION ALL
SELECT 'import_agent_role', a::text, cbreturn.label(a)
  FROM unnest(enum_range(NULL::cbreturn.import_agent_role)) a
UNION ALL
SELECT 'return_status', s, cbreturn.return_status_label(s)
  FROM unnest(ARRAY['open', 'due_soon', 'overdue', 'closed_on_time', 'closed_late']) s
UNION ALL
SELECT 'stage', s, cbreturn.stage_label(s)
  FROM unnest(ARRAY['registered', 'declared', 'shipped', 'arrived', 'inspected', 'released', 'rejected']) s;
-- what return_status says, as a report shows it
SELECT cbreturn.return_status_label(cbreturn.return_status('2026-09-01', NULL, '2026-09-02')) AS status;
-- NULL in, NULL out; the functions follow the session's language, so they are STABLE
SELECT cbreturn.label(NULL::cbreturn.return_reason) IS NULL AS null_reason,
       cbreturn.return_status_label(NULL) IS NULL AS null_status,
       cbreturn.stage_label(NULL) IS NULL AS null_stage;
SELECT p.oid::regprocedure, p.provolatile, p.proparallel
  FROM pg_proc p WHERE p.proname IN ('label', 'return_status_label', 'stage_label')
   AND p.pronamespace = 'cbreturn'::regnamespace ORDER BY 1::text;
-- 22023: a value that is not cbreturn's, a status or stage that does not exist
CREATE TYPE pg_temp.mood AS ENUM ('happy');
SELECT pg_temp.err($$SELECT cbreturn.label('happy'::pg_temp.mood)$$);
SELECT pg_temp.err($$SELECT cbreturn.return_status_label('Overdue')$$);
SELECT pg_temp.err($$SELECT cbreturn.stage_label('cleared')$$);
-- withdrawn has a label only for the status check's messages: not a stage, not a status of return_status
SELECT pg_temp.err($$SELECT cbreturn.stage_label('withdrawn')$$);
SELECT pg_temp.err($$SELECT cbreturn.return_status_label('withdrawn')$$);
