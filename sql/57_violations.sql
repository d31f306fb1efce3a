-- Record mode, ordinary (taxed) returns and existing rows (issue 12, items 4
-- and 5).  The C side is src/enforce/violation.c; docs/enforcement.md
-- ("Recording instead of refusing", "Ordinary returns", "Existing rows") is
-- the DBA's guide.
--
-- The options of an attached check are columns of cbreturn.attached_check,
-- added here with ALTER TABLE (not in its CREATE TABLE) so that a fresh
-- install and an upgrade from 0.2.0 have them in the same place; a check
-- attached before the upgrade gets on_violation 'refuse', what it did.
ALTER TABLE cbreturn.attached_check
    -- what the check does with a row that breaks a rule: refuse it (raise)
    -- or record it (store the row, log the rule in cbreturn.violation_log);
    -- the quantity check only refuses
    ADD COLUMN on_violation text NOT NULL DEFAULT 'refuse'
        CHECK (on_violation IN ('refuse', 'record')),
    -- export, import: the values of the column attached as role
    -- ordinary_return that mark an ordinary (taxed) return
    ADD COLUMN ordinary_values text[],
    -- when cbreturn.validate() last found every existing row within the rules
    ADD COLUMN validated_at timestamptz,
    ADD CONSTRAINT attached_check_record_kind
        CHECK (on_violation = 'refuse' OR check_kind <> 'quantity'),
    ADD CONSTRAINT attached_check_ordinary_kind
        CHECK (ordinary_values IS NULL OR check_kind IN ('export', 'import'));

-- ---------------------------------------------------------------------------
-- The violation log
-- ---------------------------------------------------------------------------
-- One row per broken rule of a row that a check in record mode stored.
-- Written only by the checks, as the owner of the metadata (the extension's
-- owner): no role is granted INSERT or UPDATE, so nobody forges an entry.
-- The owner of the checked table (or a member of its owning role) reads and
-- deletes its entries; row security hides every other entry, also from the
-- role that wrote the row.  Kept by pg_dump with the metadata; the entries
-- of a dropped table go with it (a regclass cannot name a table that is gone).
CREATE SEQUENCE cbreturn.violation_log_id_seq;
CREATE TABLE cbreturn.violation_log (
    id          bigint NOT NULL DEFAULT pg_catalog.nextval('cbreturn.violation_log_id_seq'::pg_catalog.regclass),
    -- the checked table and the kind of its check
    relation    regclass NOT NULL,
    check_kind  text NOT NULL,
    -- the primary key of the stored row, {"column": "value as text"}: only the
    -- key columns the writing role may read (NULL: none, no primary key, or
    -- row security applies to the writer)
    row_key     jsonb,
    -- R-EX-1, R-EX-2, R-EX-5, R-IM-1 or 'section 6' (status)
    rule_id     text NOT NULL,
    -- what a refused write would have been told, in the writer's language;
    -- detail without the "Row (…)=(…) of t:" it starts with there
    sqlstate    text NOT NULL,
    message     text NOT NULL,
    detail      text,
    hint        text,
    logged_at   timestamptz NOT NULL DEFAULT pg_catalog.statement_timestamp(),
    -- the role that wrote the row (current_user of the write)
    logged_by   name NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX violation_log_relation ON cbreturn.violation_log (relation, id);
COMMENT ON TABLE cbreturn.violation_log IS
    'rows stored by a check in record mode, one per broken rule; readable by the owner of the checked table only (docs/enforcement.md)';
SELECT pg_catalog.pg_extension_config_dump('cbreturn.violation_log', '');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.violation_log_id_seq', '');

ALTER TABLE cbreturn.violation_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY owner_reads ON cbreturn.violation_log FOR SELECT USING (cbreturn._owns(relation));
CREATE POLICY owner_deletes ON cbreturn.violation_log FOR DELETE USING (cbreturn._owns(relation));
REVOKE ALL ON cbreturn.violation_log, cbreturn.violation_log_id_seq FROM PUBLIC;
GRANT SELECT, DELETE ON cbreturn.violation_log TO PUBLIC;

-- The entries of a dropped table go with it.
CREATE FUNCTION cbreturn._violation_log_follow_drop() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM cbreturn.violation_log l
     WHERE l.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (
           SELECT d.objid FROM pg_catalog.pg_event_trigger_dropped_objects() d
            WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
              AND d.objsubid OPERATOR(pg_catalog.=) 0);
END
$$;
REVOKE ALL ON FUNCTION cbreturn._violation_log_follow_drop() FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._violation_log_follow_drop() IS
    'internal: event trigger removing the violation log entries of dropped tables';
CREATE EVENT TRIGGER cbreturn_violation_log_follow_drop ON sql_drop
    EXECUTE FUNCTION cbreturn._violation_log_follow_drop();

-- ---------------------------------------------------------------------------
-- Setting the options of an attached check (as the table's owner)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.set_on_violation("table" regclass, check_kind text, mode text)
    RETURNS void
    AS 'MODULE_PATHNAME', 'cbr_set_on_violation' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.set_on_violation(regclass, text, text) IS
    'what the export, import or status check of a table does with a row that breaks a rule: refuse (raise, the default) or record (store the row and log each broken rule in cbreturn.violation_log)';

CREATE FUNCTION cbreturn.set_ordinary_return_column("table" regclass, check_kind text,
                                                    "column" name, "values" text[] DEFAULT NULL)
    RETURNS void
    AS 'MODULE_PATHNAME', 'cbr_set_ordinary_return_column' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.set_ordinary_return_column(regclass, text, name, text[]) IS
    'names the column whose values mark an ordinary (taxed) return, which the export or import check does not hold to R-EX-1, R-EX-2 or R-IM-1 (NULL column: none)';

-- ---------------------------------------------------------------------------
-- Existing rows
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.violations("table" regclass)
    RETURNS TABLE (row_key jsonb, check_kind text, rule_id text, sqlstate text,
                   message text, detail text, hint text, row_ctid tid)
    AS 'MODULE_PATHNAME', 'cbr_violations' LANGUAGE C STRICT;
COMMENT ON FUNCTION cbreturn.violations(regclass) IS
    'every stored row of a table that breaks a rule of its export, import or status check, one row per broken rule, with the error a write of it gets; for a caller that may read the table (its row security applies)';

CREATE FUNCTION cbreturn.validate("table" regclass, check_kind text DEFAULT NULL)
    RETURNS TABLE (check_kind text, rows_checked bigint)
    AS 'MODULE_PATHNAME', 'cbr_validate' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.validate(regclass, text) IS
    'checks the existing rows of a table against its export, import and status checks (or one kind), as VALIDATE CONSTRAINT: the first row that breaks a rule raises its error; else the checks are marked validated';

-- The end of attach_export_return_checks, attach_import_return_checks and
-- attach_status_check: validate => true checks the existing rows as
-- validate() does, in the attach's transaction (the first breaking row's
-- error aborts the attach); false leaves them, unless there are none.  The
-- answer says which (issue 12, item 5).
CREATE FUNCTION cbreturn._attach_validate("table" regclass, check_kind text, validate boolean)
    RETURNS text
    AS 'MODULE_PATHNAME', 'cbr_attach_validate' LANGUAGE C;
COMMENT ON FUNCTION cbreturn._attach_validate(regclass, text, boolean) IS
    'internal: the existing rows at attach, checked (validate) or left, and the answer that says which';

-- ---------------------------------------------------------------------------
-- What is attached where, with the options
-- ---------------------------------------------------------------------------
CREATE OR REPLACE VIEW cbreturn.attached_checks AS
SELECT k.relation AS "table",
       k.check_kind,
       (SELECT pg_catalog.jsonb_object_agg(c.role, a.attname)
          FROM cbreturn.attached_column c
          JOIN pg_catalog.pg_attribute a
            ON a.attrelid OPERATOR(pg_catalog.=) c.column_relation
           AND a.attnum OPERATOR(pg_catalog.=) c.column_attnum
         WHERE c.relation OPERATOR(pg_catalog.=) k.relation
           AND c.check_kind OPERATOR(pg_catalog.=) k.check_kind) AS columns,
       k.fill_remarks,
       k.declared_relation AS declared_table,
       k.status_labels,
       t.tgname AS trigger_name,
       coalesce(t.tgenabled OPERATOR(pg_catalog.<>) 'D', false) AS enabled,
       k.attached_at,
       k.freeing_labels,
       k.on_violation,
       k.ordinary_values,
       k.validated_at
  FROM cbreturn.attached_check k
  -- a declaration header's trigger is its guard on the header table
  LEFT JOIN pg_catalog.pg_trigger t
    ON t.tgrelid OPERATOR(pg_catalog.=) CASE WHEN k.check_kind OPERATOR(pg_catalog.=) 'header'
                                             THEN k.declared_relation ELSE k.relation END
   AND t.tgname OPERATOR(pg_catalog.=) CASE WHEN k.check_kind OPERATOR(pg_catalog.=) 'header'
                                            THEN 'cbreturn_header_guard'
                                            ELSE 'cbreturn_' || k.check_kind || '_check' END;
