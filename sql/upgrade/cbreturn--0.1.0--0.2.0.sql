-- cbreturn 0.1.0 -> 0.2.0.  Run by ALTER EXTENSION cbreturn UPDATE; attached
-- checks (their triggers and metadata) are kept.  Each section below names the
-- change it carries; test/checks/upgrade.sh requires the result to equal a
-- fresh 0.2.0 install.
\echo Use "ALTER EXTENSION cbreturn UPDATE" to load this file. \quit

-- Core rebuild (decision layer): the C symbol of every SQL-callable function of
-- the rules engine is its SQL name; re-point the 0.1.0 definitions to them.
CREATE OR REPLACE FUNCTION cbreturn.export_return_deadline(exported_on date, reason cbreturn.return_reason)
    RETURNS date
    AS 'MODULE_PATHNAME', 'export_return_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.import_apply_deadline(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'import_apply_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.import_arrival_deadline(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'import_arrival_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.export_return_deadline_holiday_adjusted(exported_on date, reason cbreturn.return_reason)
    RETURNS date
    AS 'MODULE_PATHNAME', 'export_return_deadline_holiday_adjusted'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.import_apply_deadline_holiday_adjusted(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'import_apply_deadline_holiday_adjusted'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.import_arrival_deadline_holiday_adjusted(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'import_arrival_deadline_holiday_adjusted'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.is_rest_day(day date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'is_rest_day'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.next_working_day(day date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'next_working_day'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.remark_code(reason cbreturn.return_reason)
    RETURNS text
    AS 'MODULE_PATHNAME', 'remark_code'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.reason_from_remarks(remarks text)
    RETURNS cbreturn.return_reason
    AS 'MODULE_PATHNAME', 'reason_from_remarks'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.cross_customs_return_allowed(code cbreturn.supervision_code,
                                                      export_office cbreturn.customs_code,
                                                      return_office cbreturn.customs_code,
                                                      returned_on date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cross_customs_return_allowed'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.export_tax_relief(code cbreturn.supervision_code, exported_on date, returned_on date,
                                           reason cbreturn.return_reason, is_food boolean,
                                           original_state boolean,
                                           left_special_area_on date DEFAULT NULL,
                                           rebate_claimed boolean DEFAULT false)
    RETURNS cbreturn.tax_relief
    AS 'MODULE_PATHNAME', 'export_tax_relief'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.import_return_on_time(released_on date, applied_on date, arrived_on date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'import_return_on_time'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.import_retail_tax(customs_value numeric, vat_rate numeric,
                                           consumption_tax_rate numeric DEFAULT 0,
                                           annual_used numeric DEFAULT 0)
    RETURNS cbreturn.import_tax
    AS 'MODULE_PATHNAME', 'import_retail_tax'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.import_annual_amount_after_return(annual_used numeric, returned_value numeric)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'import_annual_amount_after_return'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.import_annual_quota_remaining(annual_used numeric)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'import_annual_quota_remaining'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.return_status(deadline date, returned_on date, as_of date,
                                       due_soon_days integer DEFAULT 7)
    RETURNS text
    AS 'MODULE_PATHNAME', 'return_status'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.return_days_left(deadline date, returned_on date, as_of date)
    RETURNS integer
    AS 'MODULE_PATHNAME', 'return_days_left'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.explain_export_return_deadline(exported_on date, reason cbreturn.return_reason,
                                                        returned_on date DEFAULT NULL,
                                                        OUT step integer, OUT rule_id text, OUT passed boolean,
                                                        OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_export_return_deadline'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.explain_import_return(released_on date, applied_on date DEFAULT NULL,
                                               arrived_on date DEFAULT NULL,
                                               OUT step integer, OUT rule_id text, OUT passed boolean,
                                               OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_import_return'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.explain_cross_customs_return(code cbreturn.supervision_code,
                                                      export_office cbreturn.customs_code,
                                                      return_office cbreturn.customs_code,
                                                      returned_on date,
                                                      OUT step integer, OUT rule_id text, OUT passed boolean,
                                                      OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_cross_customs_return'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.explain_export_tax_relief(code cbreturn.supervision_code, exported_on date,
                                                   returned_on date, reason cbreturn.return_reason,
                                                   is_food boolean, original_state boolean,
                                                   left_special_area_on date DEFAULT NULL,
                                                   rebate_claimed boolean DEFAULT false,
                                                   OUT step integer, OUT rule_id text, OUT passed boolean,
                                                   OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_export_tax_relief'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;

-- The write-time checks and the policy-cache trigger: their C symbols are their
-- SQL names (the WHEN functions and _attached_changed keep cbr_ names, as C
-- reserves identifiers that begin with an underscore).
CREATE OR REPLACE FUNCTION cbreturn.policy_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'policy_changed' LANGUAGE C;
CREATE OR REPLACE FUNCTION cbreturn.export_return_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'export_return_check' LANGUAGE C;
CREATE OR REPLACE FUNCTION cbreturn.import_return_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'import_return_check' LANGUAGE C;
CREATE OR REPLACE FUNCTION cbreturn.status_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'status_check' LANGUAGE C;
-- ---------------------------------------------------------------------------
-- Enforcement metadata cannot be forged; temporary tables refused; generated
-- columns refused where a check runs BEFORE (issue 9, items 1-4 and 11;
-- docs/security.md)
-- ---------------------------------------------------------------------------

-- 1. Remove what 0.1.0 let in.  A row is kept only when it describes a check
-- attach could have made and whose trigger is in place:
--   * its table exists, is an ordinary or partitioned table, and is not
--     temporary (temporary tables left rows behind when their session ended
--     or on DISCARD TEMP);
--   * the table carries the check's trigger, cbreturn_<kind>_check, calling a
--     function of cbreturn (attach creates it; a row without it was written
--     by hand, or its trigger was dropped by hand, and checked nothing);
--   * a quantity check's declared table exists, is not temporary, and every
--     declared column the check names may be read by the owner of the
--     checked table (who wrote the row is not recorded; a row naming a
--     table its table's owner may not read is treated as forged).
-- A column row is kept only when its check is kept and the column belongs to
-- the checked table or to the check's declared table.  Ledger rows of
-- tables left with no quantity check go too.
DELETE FROM cbreturn.attached_check k
 WHERE NOT EXISTS (
        SELECT FROM pg_catalog.pg_class c
         WHERE c.oid OPERATOR(pg_catalog.=) k.relation::pg_catalog.oid
           AND c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p']::"char"[])
           AND c.relpersistence OPERATOR(pg_catalog.<>) 't')
    OR NOT EXISTS (
        SELECT FROM pg_catalog.pg_trigger t
          JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) t.tgfoid
         WHERE t.tgrelid OPERATOR(pg_catalog.=) k.relation::pg_catalog.oid
           AND t.tgname OPERATOR(pg_catalog.=) ('cbreturn_' OPERATOR(pg_catalog.||) k.check_kind OPERATOR(pg_catalog.||) '_check')
           AND p.pronamespace OPERATOR(pg_catalog.=) 'cbreturn'::pg_catalog.regnamespace)
    OR (k.declared_relation IS NOT NULL AND NOT EXISTS (
        SELECT FROM pg_catalog.pg_class c
         WHERE c.oid OPERATOR(pg_catalog.=) k.declared_relation::pg_catalog.oid
           AND c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p']::"char"[])
           AND c.relpersistence OPERATOR(pg_catalog.<>) 't'))
    OR (k.declared_relation IS NOT NULL AND EXISTS (
        SELECT FROM cbreturn.attached_column ac
          JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) k.relation::pg_catalog.oid
          JOIN pg_catalog.pg_attribute a
            ON a.attrelid OPERATOR(pg_catalog.=) ac.column_relation::pg_catalog.oid
           AND a.attname OPERATOR(pg_catalog.=) ac.column_name
           AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
         WHERE ac.relation OPERATOR(pg_catalog.=) k.relation
           AND ac.check_kind OPERATOR(pg_catalog.=) k.check_kind
           AND ac.column_relation OPERATOR(pg_catalog.=) k.declared_relation
           AND NOT pg_catalog.has_column_privilege(c.relowner, a.attrelid, a.attnum, 'SELECT')));
DELETE FROM cbreturn.attached_column ac
 WHERE NOT EXISTS (
        SELECT FROM cbreturn.attached_check k
         WHERE k.relation OPERATOR(pg_catalog.=) ac.relation
           AND k.check_kind OPERATOR(pg_catalog.=) ac.check_kind
           AND (ac.column_relation OPERATOR(pg_catalog.=) k.relation
                OR ac.column_relation OPERATOR(pg_catalog.=) k.declared_relation));
-- (the ledger's layout is the quantity check's; only its "relation" is used)
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_attribute a
                WHERE a.attrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass('cbreturn.quantity_ledger')
                  AND a.attname OPERATOR(pg_catalog.=) 'relation' AND NOT a.attisdropped) THEN
        DELETE FROM cbreturn.quantity_ledger l
         WHERE NOT EXISTS (SELECT FROM cbreturn.attached_check k
                            WHERE k.relation OPERATOR(pg_catalog.=) l.relation
                              AND k.check_kind OPERATOR(pg_catalog.=) 'quantity');
    END IF;
END
$$;

-- 2. Only the metadata's owner writes it; roles go through attach and detach.
DROP POLICY owner_writes ON cbreturn.attached_check;
DROP POLICY owner_writes ON cbreturn.attached_column;
REVOKE ALL ON cbreturn.attached_check, cbreturn.attached_column FROM PUBLIC;
GRANT SELECT ON cbreturn.attached_check, cbreturn.attached_column TO PUBLIC;

CREATE FUNCTION cbreturn._metadata_register(rel regclass, kind text, fill boolean,
                                            declared regclass, labels text[])
    RETURNS void
    AS 'MODULE_PATHNAME', 'cbr_metadata_register' LANGUAGE C;

CREATE FUNCTION cbreturn._metadata_column(rel regclass, kind text, col_role text,
                                          col_rel regclass, col name)
    RETURNS void
    AS 'MODULE_PATHNAME', 'cbr_metadata_column' LANGUAGE C;

CREATE FUNCTION cbreturn._metadata_forget(rel regclass, kind text)
    RETURNS integer
    AS 'MODULE_PATHNAME', 'cbr_metadata_forget' LANGUAGE C;


CREATE OR REPLACE FUNCTION cbreturn._refuse_generated(rel regclass, cols name[], meaning text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g name;
BEGIN
    SELECT att.attname INTO g FROM pg_catalog.pg_attribute att
     WHERE att.attrelid OPERATOR(pg_catalog.=) rel
       AND att.attname OPERATOR(pg_catalog.=) ANY (cols)
       AND att.attgenerated OPERATOR(pg_catalog.<>) ''
     ORDER BY att.attnum LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = pg_catalog.format('column "%s" of relation %s is a generated column, which %s cannot read',
                                        g, rel, meaning),
            DETAIL = 'This check runs in a BEFORE ROW trigger, which PostgreSQL calls before it computes generated columns.',
            HINT = 'Attach a plain column, or attach the export check without fill_remarks and deadline so that it runs AFTER the row is stored and sees generated columns.';
    END IF;
END
$$;


CREATE OR REPLACE FUNCTION cbreturn._drop_orphan_triggers(rel regclass, kind text) RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t name;
    n int := 0;
BEGIN
    IF EXISTS (SELECT FROM cbreturn.attached_check k
                WHERE k.relation OPERATOR(pg_catalog.=) rel
                  AND k.check_kind OPERATOR(pg_catalog.=) kind) THEN
        RETURN 0;
    END IF;
    FOR t IN SELECT tg.tgname FROM pg_catalog.pg_trigger tg
               JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) tg.tgfoid
              WHERE tg.tgrelid OPERATOR(pg_catalog.=) rel AND NOT tg.tgisinternal
                AND p.pronamespace OPERATOR(pg_catalog.=) 'cbreturn'::pg_catalog.regnamespace
                AND (tg.tgname OPERATOR(pg_catalog.=) ('cbreturn_' OPERATOR(pg_catalog.||) kind OPERATOR(pg_catalog.||) '_check')
                     OR (kind OPERATOR(pg_catalog.=) 'quantity'
                         AND tg.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_truncate'))
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', t, rel);
        n := 1;
    END LOOP;
    RETURN n;
END
$$;


CREATE OR REPLACE FUNCTION cbreturn._check_table(rel regclass, what text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kind "char";
    persistence "char";
BEGIN
    IF rel IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
            MESSAGE = pg_catalog.format('the %s must not be NULL', what);
    END IF;
    SELECT c.relkind, c.relpersistence INTO kind, persistence
      FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) rel;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_table',
            MESSAGE = pg_catalog.format('relation with OID %s does not exist', rel::pg_catalog.oid);
    END IF;
    IF persistence OPERATOR(pg_catalog.=) 't' THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = pg_catalog.format('%s %s is a temporary table', what, rel),
            DETAIL = 'A temporary table goes at the end of its session without the event triggers that remove the metadata of its checks.',
            HINT = 'Attach the checks to a permanent table.';
    END IF;
    IF kind OPERATOR(pg_catalog.=) 'p' THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = pg_catalog.format('%s %s is partitioned', what, rel),
            HINT = 'Attach the checks to each partition.';
    ELSIF kind OPERATOR(pg_catalog.<>) 'r' THEN
        RAISE EXCEPTION USING ERRCODE = 'wrong_object_type',
            MESSAGE = pg_catalog.format('%s %s is not a table', what, rel);
    END IF;
    IF NOT cbreturn._owns(rel) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('must be owner of table %s', rel);
    END IF;
END
$$;


CREATE OR REPLACE FUNCTION cbreturn._attach_column(rel regclass, kind text, col_role text,
                                        col_rel regclass, col name, accepted regtype[],
                                        meaning text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    typ regtype;
BEGIN
    IF col IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
            MESSAGE = pg_catalog.format('the column for %s (%s) must be named', meaning, col_role);
    END IF;
    SELECT att.atttypid INTO typ FROM pg_catalog.pg_attribute att
     WHERE att.attrelid OPERATOR(pg_catalog.=) col_rel
       AND att.attname OPERATOR(pg_catalog.=) col
       AND att.attnum OPERATOR(pg_catalog.>) 0 AND NOT att.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_column',
            MESSAGE = pg_catalog.format('column "%s" of relation %s does not exist', col, col_rel),
            DETAIL = pg_catalog.format('It was named as %s (%s).', meaning, col_role),
            HINT = 'Give the column name as it is stored, without quotes; case matters.';
    END IF;
    IF accepted IS NOT NULL AND NOT typ OPERATOR(pg_catalog.=) ANY (accepted) THEN
        RAISE EXCEPTION USING ERRCODE = 'datatype_mismatch',
            MESSAGE = pg_catalog.format('column "%s" of relation %s is of type %s, but %s must be of type %s',
                                        col, col_rel, typ, meaning,
                                        pg_catalog.array_to_string(accepted::text[], ' or ')),
            HINT = 'Attach a column of an accepted type, for example a generated column that converts this one.';
    END IF;
    -- A column of the declared table is read by the guard, a BEFORE UPDATE
    -- trigger, which sees no value of a generated column yet (issue 9, item 11).
    IF col_rel OPERATOR(pg_catalog.<>) rel THEN
        PERFORM cbreturn._refuse_generated(col_rel, ARRAY[col], meaning);
    END IF;
    PERFORM cbreturn._metadata_column(rel, kind, col_role, col_rel, col);
END
$$;


CREATE OR REPLACE FUNCTION cbreturn._register(rel regclass, kind text, fill boolean DEFAULT false,
                                   declared regclass DEFAULT NULL, labels text[] DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT FROM cbreturn.attached_check k
                WHERE k.relation OPERATOR(pg_catalog.=) rel
                  AND k.check_kind OPERATOR(pg_catalog.=) kind) THEN
        RAISE EXCEPTION USING ERRCODE = 'duplicate_object',
            MESSAGE = pg_catalog.format('the %s check is already attached to %s', kind, rel),
            HINT = pg_catalog.format('Detach it first: SELECT cbreturn.detach(%L, %L);', rel::text, kind);
    END IF;
    PERFORM cbreturn._drop_orphan_triggers(rel, kind);
    PERFORM cbreturn._metadata_register(rel, kind, fill, declared, labels);
END
$$;


CREATE OR REPLACE FUNCTION cbreturn.attach_export_return_checks(
    "table"             regclass,
    exported_on         name,
    reason              name DEFAULT NULL,
    returned_on         name DEFAULT NULL,
    remarks             name DEFAULT NULL,
    fill_remarks        boolean DEFAULT false,
    supervision_code    name DEFAULT NULL,
    export_office       name DEFAULT NULL,
    return_office       name DEFAULT NULL,
    deadline            name DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    textual regtype[] := ARRAY['text', 'character varying', 'character']::regtype[];
    reasons regtype[] := ARRAY['cbreturn.return_reason', 'text', 'character varying', 'character']::regtype[];
    sup regtype[] := ARRAY['cbreturn.supervision_code', 'text', 'character varying', 'character']::regtype[];
    office regtype[] := ARRAY['cbreturn.customs_code', 'text', 'character varying', 'character']::regtype[];
    dates regtype[] := ARRAY['date']::regtype[];
    offices int := 0;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    IF reason IS NULL AND remarks IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the export check needs a reason column, a remarks column or both',
            HINT = 'The R-EX-1 window depends on the reason; without a reason column it is read from the R-EX-2 code in the remarks.';
    END IF;
    IF fill_remarks AND (remarks IS NULL OR reason IS NULL) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'fill_remarks needs both a reason column and a remarks column';
    END IF;
    offices := (supervision_code IS NOT NULL)::int + (export_office IS NOT NULL)::int
               + (return_office IS NOT NULL)::int;
    IF offices NOT IN (0, 3) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the R-EX-5 cross-customs check needs supervision_code, export_office and return_office together';
    END IF;
    IF offices = 3 AND returned_on IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the R-EX-5 cross-customs check needs the returned_on column';
    END IF;
    IF deadline IS NOT NULL AND deadline IN (exported_on, reason, returned_on, remarks) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the deadline column must be a column of its own';
    END IF;

    PERFORM cbreturn._register("table", 'export', fill_remarks);
    PERFORM cbreturn._attach_column("table", 'export', 'exported_on', "table", exported_on, dates,
                                    'the export clearance date (R-EX-1)');
    IF reason IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'reason', "table", reason, reasons,
                                        'the return reason (R-EX-1)');
    END IF;
    IF returned_on IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'returned_on', "table", returned_on, dates,
                                        'the return date (R-EX-1)');
    END IF;
    IF remarks IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'remarks', "table", remarks, textual,
                                        'the remarks (R-EX-2)');
    END IF;
    IF offices = 3 THEN
        PERFORM cbreturn._attach_column("table", 'export', 'supervision_code', "table", supervision_code, sup,
                                        'the supervision code (R-EX-5)');
        PERFORM cbreturn._attach_column("table", 'export', 'export_office', "table", export_office, office,
                                        'the customs office that cleared the export (R-EX-5)');
        PERFORM cbreturn._attach_column("table", 'export', 'return_office', "table", return_office, office,
                                        'the customs office of the return (R-EX-5)');
    END IF;
    IF deadline IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'deadline', "table", deadline, dates,
                                        'the deadline to fill in (R-EX-1)');
    END IF;
    -- A check that only reads the row fires AFTER it is written, so that COPY
    -- keeps inserting in batches (PostgreSQL falls back to one row at a time
    -- when a table has any BEFORE ROW trigger); an error still aborts the
    -- statement and leaves nothing behind.  Its WHEN clause names the checked
    -- columns (by number once created, so RENAME COLUMN keeps it right), and
    -- a row that passes every rule queues no trigger event at all.  Filling
    -- the remarks or the deadline changes the row, which only a BEFORE
    -- trigger can do, and it must see every row: no WHEN clause.
    IF fill_remarks OR deadline IS NOT NULL THEN
        PERFORM cbreturn._refuse_generated("table",
            ARRAY[exported_on, reason, returned_on, remarks, supervision_code, export_office,
                  return_office, deadline],
            'the export check that fills remarks or a deadline');
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_export_check BEFORE INSERT OR UPDATE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION cbreturn.export_return_check()', "table");
    ELSE
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_export_check AFTER INSERT OR UPDATE ON %s FOR EACH ROW '
            'WHEN (NOT cbreturn._export_row_ok(%L::pg_catalog.regclass, %s, %s, %s, %s, %s, %s, %s)) '
            'EXECUTE FUNCTION cbreturn.export_return_check()',
            "table", "table"::pg_catalog.oid,
            cbreturn._new_column(exported_on), cbreturn._new_column(reason),
            cbreturn._new_column(returned_on), cbreturn._new_column(remarks),
            cbreturn._new_column(supervision_code), cbreturn._new_column(export_office),
            cbreturn._new_column(return_office));
    END IF;
END
$$;


CREATE OR REPLACE FUNCTION cbreturn.attach_status_check(
    "table"             regclass,
    status              name,
    registered_at       name DEFAULT NULL,
    declared_at         name DEFAULT NULL,
    shipped_at          name DEFAULT NULL,
    arrived_at          name DEFAULT NULL,
    inspected_at        name DEFAULT NULL,
    released_at         name DEFAULT NULL,
    rejected_at         name DEFAULT NULL,
    labels              text[] DEFAULT ARRAY['registered', 'declared', 'shipped', 'arrived',
                                             'inspected', 'released', 'rejected'])
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    stages text[] := ARRAY['registered', 'declared', 'shipped', 'arrived', 'inspected', 'released', 'rejected'];
    cols name[] := ARRAY[registered_at, declared_at, shipped_at, arrived_at, inspected_at, released_at, rejected_at];
    stamp_types regtype[] := ARRAY['date', 'timestamp without time zone', 'timestamp with time zone']::regtype[];
    first_type regtype;
    t regtype;
    i int;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    IF labels IS NULL OR pg_catalog.cardinality(labels) <> 7 OR pg_catalog.array_position(labels, NULL) IS NOT NULL
       OR (SELECT pg_catalog.count(DISTINCT l) FROM pg_catalog.unnest(labels) l) <> 7 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'labels must hold 7 distinct labels, for the stages in the order registered, declared, shipped, arrived, inspected, released, rejected';
    END IF;
    PERFORM cbreturn._register("table", 'status', false, NULL, labels);
    PERFORM cbreturn._attach_column("table", 'status', 'status', "table", status,
        ARRAY['text', 'character varying', 'character', 'name']::regtype[] ||
        (SELECT pg_catalog.array_agg(ty.oid::regtype) FROM pg_catalog.pg_type ty
          WHERE ty.oid OPERATOR(pg_catalog.=) (SELECT att.atttypid FROM pg_catalog.pg_attribute att
                                WHERE att.attrelid OPERATOR(pg_catalog.=) "table"
                                  AND att.attname OPERATOR(pg_catalog.=) status)
            AND ty.typtype OPERATOR(pg_catalog.=) 'e'),
        'the status (rules section 6)');
    FOR i IN 1 .. 7 LOOP
        CONTINUE WHEN cols[i] IS NULL;
        PERFORM cbreturn._attach_column("table", 'status', stages[i] || '_at', "table", cols[i], stamp_types,
                                        pg_catalog.format('the time of stage %s', stages[i]));
        SELECT c.column_type INTO t FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'status'
           AND c.role OPERATOR(pg_catalog.=) (stages[i] || '_at');
        IF first_type IS NULL THEN
            first_type := t;
        ELSIF t OPERATOR(pg_catalog.<>) first_type THEN
            RAISE EXCEPTION USING ERRCODE = 'datatype_mismatch',
                MESSAGE = pg_catalog.format('stage time column "%s" is of type %s, but the others are of type %s',
                                            cols[i], t, first_type),
                HINT = 'All stage time columns must have the same type so that they can be compared.';
        END IF;
    END LOOP;
    PERFORM cbreturn._refuse_generated("table", ARRAY[status] || cols, 'the status check');
    EXECUTE pg_catalog.format(
        'CREATE TRIGGER cbreturn_status_check BEFORE INSERT OR UPDATE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION cbreturn.status_check()', "table");
END
$$;


CREATE OR REPLACE FUNCTION cbreturn.detach("table" regclass, check_kind text DEFAULT NULL) RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k record;
    kind text;
    n int := 0;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    IF check_kind IS NOT NULL AND check_kind NOT IN ('export', 'import', 'quantity', 'status') THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = pg_catalog.format('unknown check kind "%s"', check_kind),
            HINT = 'The kinds are export, import, quantity and status.';
    END IF;
    FOR k IN SELECT * FROM cbreturn.attached_check a
              WHERE a.relation OPERATOR(pg_catalog.=) "table"
                AND (detach.check_kind IS NULL OR a.check_kind OPERATOR(pg_catalog.=) detach.check_kind)
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS %I ON %s', 'cbreturn_' || k.check_kind || '_check', "table");
        IF k.check_kind = 'quantity' THEN
            EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_truncate ON %s', "table");
            IF NOT EXISTS (SELECT FROM cbreturn.attached_check o
                            WHERE o.declared_relation OPERATOR(pg_catalog.=) k.declared_relation
                              AND o.relation OPERATOR(pg_catalog.<>) "table") THEN
                EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_guard ON %s',
                                          k.declared_relation);
            END IF;
            DELETE FROM cbreturn.quantity_ledger l WHERE l.relation OPERATOR(pg_catalog.=) "table";
        END IF;
        n := n + cbreturn._metadata_forget("table", k.check_kind);
    END LOOP;
    -- triggers restored without their metadata (pg_dump -n) go too
    FOREACH kind IN ARRAY CASE WHEN check_kind IS NULL THEN ARRAY['export', 'import', 'quantity', 'status']
                             ELSE ARRAY[check_kind] END LOOP
        n := n + cbreturn._drop_orphan_triggers("table", kind);
    END LOOP;
    IF n = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_object',
            MESSAGE = pg_catalog.format('no %scheck is attached to %s',
                                        coalesce(check_kind || ' ', ''), "table");
    END IF;
    RETURN n;
END
$$;


CREATE OR REPLACE FUNCTION cbreturn._follow_alter_table() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
    touched oid[];
BEGIN
    -- Only the metadata of the tables this ALTER TABLE touched, and of their
    -- inheritance children (a recursing ALTER reports only the parent), is
    -- looked at: a stale or foreign row elsewhere must not make every ALTER
    -- TABLE of the database fail (issue 9, item 3).
    WITH RECURSIVE t(relid) AS (
        SELECT d.objid FROM pg_catalog.pg_event_trigger_ddl_commands() d
         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
        UNION
        SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN t ON i.inhparent OPERATOR(pg_catalog.=) t.relid
    )
    SELECT pg_catalog.array_agg(t.relid) INTO touched FROM t;
    IF touched IS NULL THEN
        RETURN;
    END IF;
    -- A dropped attached column or a new type would leave a check reading
    -- nothing or the wrong thing: refuse (the ALTER TABLE is rolled back).
    FOR c IN SELECT ac.*, a.attisdropped, a.atttypid
               FROM cbreturn.attached_column ac
               JOIN pg_catalog.pg_attribute a
                 ON a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
                AND a.attnum OPERATOR(pg_catalog.=) ac.column_attnum
              WHERE ac.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (touched)
                AND (a.attisdropped OR a.atttypid OPERATOR(pg_catalog.<>) ac.column_type)
    LOOP
        RAISE EXCEPTION USING ERRCODE = 'dependent_objects_still_exist',
            MESSAGE = pg_catalog.format('column "%s" of relation %s is used by the cbreturn %s check on %s',
                                        c.column_name, c.column_relation, c.check_kind, c.relation),
            DETAIL = CASE WHEN c.attisdropped THEN 'The column cannot be dropped while the check is attached.'
                          ELSE 'The type of the column cannot change while the check is attached.' END,
            HINT = pg_catalog.format('Detach the check first: SELECT cbreturn.detach(%L, %L);',
                                     c.relation::text, c.check_kind);
    END LOOP;
    -- Renamed columns: the attnum is the truth, the name follows it.
    UPDATE cbreturn.attached_column ac
       SET column_name = a.attname
      FROM pg_catalog.pg_attribute a
     WHERE ac.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (touched)
       AND a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
       AND a.attnum OPERATOR(pg_catalog.=) ac.column_attnum
       AND a.attname OPERATOR(pg_catalog.<>) ac.column_name;
END
$$;


-- 3. A restored policy row identical to a local edit is kept, not a COPY failure.
CREATE OR REPLACE FUNCTION cbreturn.policy_row_guard() RETURNS trigger
    LANGUAGE plpgsql
    -- cbreturn is on the path for the key types' "=" operator (a
    -- supervision_code key); only the extension's owner can create objects
    -- there, and pg_catalog comes first.
    SET search_path = pg_catalog, cbreturn, pg_temp
AS $$
DECLARE
    -- Only the extension's own install and upgrade scripts set this, to
    -- insert rows that stay shipped.  An unset setting is NULL: compare with
    -- IS NOT DISTINCT FROM so that NULL means "not loading", never "keep".
    loading boolean := pg_catalog.current_setting('cbreturn.loading_policy', true)
                       IS NOT DISTINCT FROM 'on';
    same boolean;
BEGIN
    IF NOT (NEW.shipped AND loading) THEN
        NEW.shipped := false;
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- A row whose key matches a shipped row replaces it: this is how a
        -- restored DBA edit takes the place of the row CREATE EXTENSION has
        -- just inserted.  TG_ARGV[0] names the key column.
        EXECUTE pg_catalog.format(
            'DELETE FROM %I.%I AS t WHERE t.shipped AND t.%I = ($1).%I',
            TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[0])
            USING NEW;
        -- A restore into a database that already holds the same edit (the
        -- extension's data restored again, or over a database prepared with
        -- the same edits) finds the row there: an identical local row is
        -- kept and the restored copy skipped, instead of failing the COPY
        -- on the primary key.  A local row that differs still fails (23505):
        -- which edit is right is the DBA's call (docs/policy.md).
        EXECUTE pg_catalog.format(
            'SELECT EXISTS (SELECT FROM %I.%I AS t WHERE t.%I = ($1).%I AND NOT t.shipped'
            ' AND t IS NOT DISTINCT FROM $1)',
            TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[0])
            INTO same USING NEW;
        IF same THEN
            RETURN NULL;
        END IF;
    END IF;
    RETURN NEW;
END
$$;


COMMENT ON FUNCTION cbreturn._owns(regclass) IS
    'internal: does the current role own (or belong to the owner of) the table; used by attach, detach and the row-level security of the quantity ledger';

COMMENT ON FUNCTION cbreturn._metadata_register(regclass, text, boolean, regclass, text[]) IS
    'internal: records an attached check as the metadata owner, after checking that the calling role owns the table and may read the declared table (docs/security.md)';

COMMENT ON FUNCTION cbreturn._metadata_column(regclass, text, text, regclass, name) IS
    'internal: records one column of an attached check as the metadata owner, after checking that the calling role owns the table or may SELECT the declared column (docs/security.md)';

COMMENT ON FUNCTION cbreturn._metadata_forget(regclass, text) IS
    'internal: removes the metadata of the checks of one kind (or all) on a table the calling role owns; returns how many checks (docs/security.md)';

COMMENT ON FUNCTION cbreturn._drop_orphan_triggers(regclass, text) IS
    'internal: drops the triggers of a check whose metadata is missing (restored by pg_dump -n without the extension); used by attach and detach';

COMMENT ON FUNCTION cbreturn._refuse_generated(regclass, name[], text) IS
    'internal: refuses generated columns where a check runs in a BEFORE ROW trigger, which sees no generated value';
