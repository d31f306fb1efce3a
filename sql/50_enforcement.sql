-- Write-time enforcement: C triggers a DBA attaches to an ERP's own tables,
-- naming that table's columns.  The C side is src/enforce/trigger.c; docs/enforcement.md
-- is the DBA's guide and docs/errors.md lists the SQLSTATEs.
--
-- Metadata.  One row per attached check in cbreturn.attached_check and one row
-- per named column in cbreturn.attached_column.  A column is remembered by
-- its number (attnum), which survives ALTER TABLE ... RENAME COLUMN, and by its
-- name, which is what pg_dump writes out.  The two are kept in step:
--
--   * an event trigger (ddl_command_end, ALTER TABLE) copies the current name
--     of every attached column into column_name after a rename, and refuses
--     to drop an attached column or change its type;
--   * a BEFORE INSERT trigger on attached_column derives column_attnum from
--     column_name, so rows restored by pg_dump point at the restored columns
--     even when the column numbers changed (dropped columns are not dumped).
--
-- Table references are regclass, which pg_dump writes as a qualified name and
-- a restore reads back as the new OID.

CREATE TABLE cbreturn.attached_check (
    relation            regclass NOT NULL,
    check_kind          text NOT NULL
                        CHECK (check_kind IN ('export', 'import', 'quantity', 'status', 'header')),
    -- export: fill an empty remarks column with the R-EX-2 code
    fill_remarks        boolean NOT NULL DEFAULT false,
    -- quantity: the table holding the declared lines (R-EX-3, R-IM-2);
    -- header: the declaration header the facts are read from (sql/52_enforce_header.sql)
    declared_relation   regclass,
    -- status: the table's own labels for the seven stages of rules section 6,
    -- and an eighth for a withdrawn return when the table has one
    status_labels       text[],
    attached_at         timestamptz NOT NULL DEFAULT pg_catalog.now(),
    -- quantity: the status labels of the returns that hold no quantity
    -- (rules section 6: rejected, withdrawn), read from the status column
    freeing_labels      text[],
    PRIMARY KEY (relation, check_kind),
    CHECK ((check_kind IN ('quantity', 'header')) = (declared_relation IS NOT NULL)),
    CHECK ((check_kind = 'status') = (status_labels IS NOT NULL)),
    CHECK (status_labels IS NULL OR pg_catalog.cardinality(status_labels) IN (7, 8)),
    CONSTRAINT attached_check_freeing_labels_check
        CHECK (freeing_labels IS NULL
               OR (check_kind = 'quantity' AND pg_catalog.cardinality(freeing_labels) > 0))
);
COMMENT ON TABLE cbreturn.attached_check IS
    'checks attached to ERP tables by the cbreturn.attach_* functions (docs/enforcement.md)';

CREATE TABLE cbreturn.attached_column (
    relation            regclass NOT NULL,
    check_kind          text NOT NULL,
    -- what the column means to the check, e.g. exported_on, line_1, declared_quantity
    role                text NOT NULL,
    -- the table the column belongs to: relation, or the declared table of a quantity check
    column_relation     regclass NOT NULL,
    column_name         name NOT NULL,
    column_attnum       int2 NOT NULL DEFAULT 0,
    column_type         regtype NOT NULL DEFAULT 'pg_catalog.unknown',
    PRIMARY KEY (relation, check_kind, role)
);
COMMENT ON TABLE cbreturn.attached_column IS
    'the columns each attached check reads or fills; column_attnum follows renames';

SELECT pg_catalog.pg_extension_config_dump('cbreturn.attached_check', '');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.attached_column', '');

-- Everyone may read the metadata; only its owner (the role that created the
-- extension) writes it.  Roles record and remove checks through attach and
-- detach, which call the C functions below (and _metadata_quantity_labels,
-- sql/55_enforce_quantity.sql): they check the calling
-- role's rights (GetUserId) themselves and then write as the metadata's owner
-- (src/enforce/metadata.c, docs/security.md).  A role that could write a row
-- could make the triggers read a table it may not read (issue 9, item 2).
-- A statement trigger refuses every write by another role, so that a GRANT
-- made by mistake still lets nobody write.  (Not row security: under
-- row_security = off, as pg_dump and pg_restore run, every read of a table
-- with row security by a role that does not own it fails, and every
-- CREATE TABLE, every write to a checked table, fires a read.)
CREATE FUNCTION cbreturn._owns(rel regclass) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.pg_has_role(c.relowner, 'USAGE')
      FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) rel
$$;

REVOKE ALL ON cbreturn.attached_check, cbreturn.attached_column FROM PUBLIC;
GRANT SELECT ON cbreturn.attached_check, cbreturn.attached_column TO PUBLIC;

CREATE FUNCTION cbreturn._metadata_write_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT pg_catalog.pg_has_role(CURRENT_USER,
              (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) TG_RELID),
              'USAGE') THEN
        PERFORM cbreturn._error('metadata.written_directly',
                                pg_catalog.format('%I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME));
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._metadata_write_guard() FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._metadata_write_guard() IS
    'internal: refuses a write to the check metadata by any role but its owner (attach and detach write as the owner)';
CREATE TRIGGER cbreturn_metadata_owner_only
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.attached_check
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._metadata_write_guard();
CREATE TRIGGER cbreturn_metadata_owner_only
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.attached_column
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._metadata_write_guard();

-- TRIGGER or REFERENCES granted on a table of the extension (a GRANT ALL
-- made by mistake) would let a role put its own trigger there, or a foreign
-- key whose action fires its triggers, run with the rights of the role
-- writing the table: attach and detach write the metadata as its owner.
-- No other role creates a trigger on the extension's tables (their owner
-- may: a DBA's trigger on the ledger runs, docs/enforcement.md).
CREATE FUNCTION cbreturn._xid_is_current(xid) RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_xid_is_current' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._xid_is_current(xid) IS
    'internal: whether a catalog row''s xmin is this transaction''s (or one of its subtransactions'')';
CREATE FUNCTION cbreturn._refuse_foreign_triggers() RETURNS event_trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel pg_catalog.regclass;
BEGIN
    -- a trigger on one of them, or a foreign key referencing one (its
    -- ON DELETE or ON UPDATE action runs, and fires the referencing table's
    -- triggers, as the role writing the extension's table)
    SELECT c.oid::pg_catalog.regclass INTO rel
      FROM pg_catalog.pg_event_trigger_ddl_commands() d
      JOIN LATERAL (SELECT t.tgrelid AS target FROM pg_catalog.pg_trigger t
                     WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass
                       AND t.oid OPERATOR(pg_catalog.=) d.objid
                    UNION ALL
                    SELECT k.confrelid FROM pg_catalog.pg_constraint k
                     WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                       AND k.conrelid OPERATOR(pg_catalog.=) d.objid
                       AND k.contype OPERATOR(pg_catalog.=) 'f'
                       -- made by this command, not one the table had, nor
                       -- a partition's clone of its parent's (the parent's
                       -- has the referenced table's triggers)
                       AND k.conparentid OPERATOR(pg_catalog.=) 0
                       AND cbreturn._xid_is_current(k.xmin)
                       -- the tables the extension writes as their owner
                       -- for other roles; a key to the reference data or
                       -- policy (written by the DBA) is a key as any other
                       AND (SELECT r.relname FROM pg_catalog.pg_class r
                             WHERE r.oid OPERATOR(pg_catalog.=) k.confrelid)
                           OPERATOR(pg_catalog.=) ANY ('{attached_check,attached_column,quantity_ledger,violation_log}'::pg_catalog.name[])) x ON true
      JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) x.target
     WHERE NOT d.in_extension
       AND NOT pg_catalog.pg_has_role(CURRENT_USER, c.relowner, 'USAGE')
       AND c.relnamespace OPERATOR(pg_catalog.=)
           (SELECT e.extnamespace FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'cbreturn')
     LIMIT 1;
    IF rel IS NOT NULL THEN
        PERFORM cbreturn._error('metadata.foreign_trigger', rel::pg_catalog.text);
    END IF;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._refuse_foreign_triggers() FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._refuse_foreign_triggers() IS
    'internal: event trigger refusing a trigger on a table of the extension, or a foreign key referencing one, by a role other than its owner (it would run with the rights of the role writing the table)';
CREATE EVENT TRIGGER cbreturn_no_foreign_triggers ON ddl_command_end
    WHEN TAG IN ('CREATE TRIGGER', 'CREATE TABLE', 'ALTER TABLE', 'CREATE SCHEMA')
    EXECUTE FUNCTION cbreturn._refuse_foreign_triggers();

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

-- column_attnum and column_type follow column_name on INSERT (attach and
-- pg_dump restore); a name that does not resolve is an error, never a check
-- that silently reads another column.
CREATE FUNCTION cbreturn._attached_column_resolve() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a record;
BEGIN
    SELECT att.attnum, att.atttypid INTO a
      FROM pg_catalog.pg_attribute att
     WHERE att.attrelid OPERATOR(pg_catalog.=) NEW.column_relation
       AND att.attname OPERATOR(pg_catalog.=) NEW.column_name
       AND att.attnum OPERATOR(pg_catalog.>) 0 AND NOT att.attisdropped;
    IF NOT FOUND THEN
        PERFORM cbreturn._error('metadata.column_missing', NEW.column_name::pg_catalog.text,
                                NEW.column_relation::pg_catalog.text);
    END IF;
    NEW.column_attnum := a.attnum;
    NEW.column_type := a.atttypid;
    RETURN NEW;
END
$$;
CREATE TRIGGER resolve_column BEFORE INSERT ON cbreturn.attached_column
    FOR EACH ROW EXECUTE FUNCTION cbreturn._attached_column_resolve();

-- Every backend keeps what the triggers resolved from this metadata for as
-- long as it lives (src/enforce/trigger.c).  Any write to it sends a relcache
-- invalidation of the written table, which reaches this backend at its next
-- command and the others when the writer commits, so they read it again.
CREATE FUNCTION cbreturn._attached_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_attached_changed' LANGUAGE C;
CREATE TRIGGER attached_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.attached_check
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._attached_changed();
CREATE TRIGGER attached_changed_truncate AFTER TRUNCATE ON cbreturn.attached_check
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._attached_changed();
CREATE TRIGGER attached_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.attached_column
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._attached_changed();
CREATE TRIGGER attached_changed_truncate AFTER TRUNCATE ON cbreturn.attached_column
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._attached_changed();

-- ---------------------------------------------------------------------------
-- The C trigger functions (src/enforce/*_check.c)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.export_return_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'export_return_check' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.export_return_check() IS
    'AFTER ROW trigger (BEFORE ROW when it fills remarks or a deadline): R-EX-1 window (R-TX-2 for 1210), R-EX-2 remark code, R-EX-5 cross-customs, R-EX-6 return site, R-EX-4 applicant; attach with cbreturn.attach_export_return_checks';
CREATE FUNCTION cbreturn.import_return_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'import_return_check' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.import_return_check() IS
    'AFTER ROW trigger: R-IM-1 application and arrival windows and arrival place, R-IM-5 return-centre warehouse, R-IM-6, R-IM-7 applicant; attach with cbreturn.attach_import_return_checks';
CREATE FUNCTION cbreturn.status_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'status_check' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.status_check() IS
    'BEFORE ROW trigger: status moves forward only, stage timestamps in order (rules section 6); attach with cbreturn.attach_status_check';

-- The WHEN clauses of the reading checks (src/enforce/trigger.c): true when the row
-- passes every rule, so PostgreSQL queues no AFTER ROW event for it; false
-- when it fails or cannot be decided, and the trigger then raises the
-- detailed error.  The first argument is the checked table; the others are
-- its attached columns in role order, NULL for a role not attached, and are
-- verified against the metadata on the first row of each statement.  STABLE:
-- R-EX-5 reads the policy tables (through the per-backend cache).
CREATE FUNCTION cbreturn._export_row_ok(checked regclass, exported_on date, reason "any",
                                        returned_on date, remarks "any", supervision_code "any",
                                        export_office "any", return_office "any")
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_export_row_ok' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION cbreturn._import_row_ok(checked regclass, released_on date, applied_on date,
                                        arrived_on date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_import_row_ok' LANGUAGE C STABLE PARALLEL SAFE;
-- Since 0.3.0 attach writes the forms below, with the register roles (R-EX-4,
-- R-EX-6, R-IM-5, R-IM-6, R-IM-7) and the departure of R-TX-2 last; the
-- shorter forms above stay for the triggers attached before (and restored
-- from their dumps), which read no such role.
CREATE FUNCTION cbreturn._export_row_ok(checked regclass, exported_on date, reason "any",
                                        returned_on date, remarks "any", supervision_code "any",
                                        export_office "any", return_office "any", applicant "any",
                                        return_site "any", left_special_area_on date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_export_row_ok' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION cbreturn._import_row_ok(checked regclass, released_on date, applied_on date,
                                        arrived_on date, supervision_code "any", original_place "any",
                                        arrival_place "any", declared_area "any", warehouse "any",
                                        enterprise "any", applicant "any")
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_import_row_ok' LANGUAGE C STABLE PARALLEL SAFE;

-- A guard of TRUNCATE or of a partition leaving its table asks whether a
-- return is counted against, or names, a row that would go, with the
-- latest snapshot: under REPEATABLE READ a return committed after the
-- transaction's snapshot counts as well (src/enforce/trigger.c).
CREATE FUNCTION cbreturn._exists_latest(query text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_exists_latest' LANGUAGE C STRICT;
REVOKE ALL ON FUNCTION cbreturn._exists_latest(text) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._exists_latest(text) IS
    'internal: the boolean a guard''s query gives, read with the latest snapshot';

-- Citus: is rel a table Citus distributes (distributed, reference or Citus
-- local)?  Its checks name their columns in their triggers, which Citus
-- carries to the shards (sql/66_citus.sql); false without Citus.
CREATE FUNCTION cbreturn._citus_table(rel regclass) RETURNS boolean
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    found boolean;
BEGIN
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RETURN false;
    END IF;
    -- dynamic SQL: the Citus catalogue need not exist when this is planned
    EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition p
                             WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1)'
       INTO found USING rel;
    RETURN found;
END
$$;
COMMENT ON FUNCTION cbreturn._citus_table(regclass) IS
    'internal: does Citus distribute this table (its checks are carried to the shards by their trigger text; docs/scale-out.md)';

-- ---------------------------------------------------------------------------
-- Attach helpers
-- ---------------------------------------------------------------------------

-- The table a check may be attached to: an ordinary, permanent table owned by
-- the caller.  A regclass given as a bare OID ('1234') is not checked by its
-- input function: say that it does not exist.  Temporary tables go at session
-- end (or DISCARD TEMP) without the event triggers that remove their metadata,
-- which 0.1.0 left behind to break every later dump (issue 9, item 4).
-- what is 'table', 'returns table' or 'declared table'; the messages name it
-- in the session's language (docs/i18n.md).
CREATE FUNCTION cbreturn._check_table(rel regclass, what text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kind "char";
    persistence "char";
    said text := CASE what WHEN 'table' THEN cbreturn._text('the_table')
                           WHEN 'returns table' THEN cbreturn._text('the_returns_table')
                           WHEN 'declared table' THEN cbreturn._text('the_declared_table')
                           WHEN 'header table' THEN cbreturn._text('the_header_table')
                           ELSE what END;
BEGIN
    IF rel IS NULL THEN
        PERFORM cbreturn._error('attach.not_null', said);
    END IF;
    SELECT c.relkind, c.relpersistence INTO kind, persistence
      FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) rel;
    IF NOT FOUND THEN
        PERFORM cbreturn._error('attach.no_relation', rel::pg_catalog.oid::pg_catalog.text);
    END IF;
    IF persistence OPERATOR(pg_catalog.=) 't' THEN
        PERFORM cbreturn._error('attach.temporary', said, rel::pg_catalog.text);
    END IF;
    -- A check covers a partitioned table from its parent (issue 12; R-EX-3,
    -- R-IM-2: the quantity limit holds over every partition): PostgreSQL
    -- clones its row trigger to every partition, those created later too.
    -- A declaration header (or return request) may be partitioned too
    -- (issue 12): its row is found in whichever partition holds it.
    IF kind OPERATOR(pg_catalog.=) 'p'
       AND what OPERATOR(pg_catalog.=) ANY ('{table,returns table,header table}'::text[]) THEN
        NULL;
    ELSIF kind OPERATOR(pg_catalog.=) 'p' THEN
        PERFORM cbreturn._error('attach.partitioned', said, rel::pg_catalog.text);
    ELSIF kind OPERATOR(pg_catalog.<>) 'r' THEN
        PERFORM cbreturn._error('attach.not_table', said, rel::pg_catalog.text);
    END IF;
    -- (a declaration header need not be the caller's: TRIGGER and SELECT on
    -- it are enough, checked by _metadata_register and _metadata_column)
    IF what OPERATOR(pg_catalog.<>) 'header table' AND NOT cbreturn._owns(rel) THEN
        PERFORM cbreturn._error('attach.not_owner', rel::pg_catalog.text);
    END IF;
END
$$;

-- Record one column of a check after checking that it exists and has one of
-- the accepted types.
CREATE FUNCTION cbreturn._attach_column(rel regclass, kind text, col_role text,
                                        col_rel regclass, col name, accepted regtype[],
                                        meaning text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    typ regtype;
BEGIN
    -- '' (a name no column can have): the role is read from the declaration
    -- header attached to rel (cbreturn._header_role, sql/52_enforce_header.sql)
    IF col OPERATOR(pg_catalog.=) '' THEN
        SELECT c.column_relation, c.column_name INTO col_rel, col FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) rel AND c.check_kind OPERATOR(pg_catalog.=) 'header'
           AND c.role OPERATOR(pg_catalog.=) col_role;
    END IF;
    IF col IS NULL OR col OPERATOR(pg_catalog.=) '' THEN
        PERFORM cbreturn._error('attach.column_unnamed', meaning, col_role);
    END IF;
    SELECT att.atttypid INTO typ FROM pg_catalog.pg_attribute att
     WHERE att.attrelid OPERATOR(pg_catalog.=) col_rel
       AND att.attname OPERATOR(pg_catalog.=) col
       AND att.attnum OPERATOR(pg_catalog.>) 0 AND NOT att.attisdropped;
    IF NOT FOUND THEN
        PERFORM cbreturn._error('attach.column_missing', col::pg_catalog.text, col_rel::pg_catalog.text,
                                meaning, col_role);
    END IF;
    IF accepted IS NOT NULL AND NOT typ OPERATOR(pg_catalog.=) ANY (accepted) THEN
        PERFORM cbreturn._error('attach.column_type', col::pg_catalog.text, col_rel::pg_catalog.text,
                                typ::pg_catalog.text, meaning,
                                pg_catalog.array_to_string(accepted::pg_catalog.text[], ' | '));
    END IF;
    -- A column of the declared table is read by the guard, a BEFORE UPDATE
    -- trigger, which sees no value of a generated column yet (issue 9, item 11).
    IF col_rel OPERATOR(pg_catalog.<>) rel THEN
        PERFORM cbreturn._refuse_generated(col_rel, ARRAY[col], meaning);
    END IF;
    PERFORM cbreturn._metadata_column(rel, kind, col_role, col_rel, col);
END
$$;

-- A BEFORE ROW trigger runs before PostgreSQL computes the generated columns
-- of the row, so it would see NULL (INSERT) or the old value (UPDATE) there:
-- refuse such a column where the check runs BEFORE (issue 9, item 11).  The
-- AFTER ROW checks see the row as stored, generated columns included.
CREATE FUNCTION cbreturn._refuse_generated(rel regclass, cols name[], meaning text) RETURNS void
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
        PERFORM cbreturn._error('attach.generated', g::pg_catalog.text, rel::pg_catalog.text, meaning);
    END IF;
END
$$;

-- An argument of the WHEN clause of a reading check: NEW."column", quoted
-- as needed, or NULL for a role not attached or read from a declaration
-- header ('', cbreturn._header_role).
CREATE FUNCTION cbreturn._new_column(col name) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN col IS NULL OR col OPERATOR(pg_catalog.=) '' THEN 'NULL' ELSE pg_catalog.format('NEW.%I', col) END
$$;

CREATE FUNCTION cbreturn._register(rel regclass, kind text, fill boolean DEFAULT false,
                                   declared regclass DEFAULT NULL, labels text[] DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT FROM cbreturn.attached_check k
                WHERE k.relation OPERATOR(pg_catalog.=) rel
                  AND k.check_kind OPERATOR(pg_catalog.=) kind) THEN
        PERFORM cbreturn._error('attach.already_attached', cbreturn._text('kind.' OPERATOR(pg_catalog.||) kind),
                                rel::pg_catalog.text,
                                pg_catalog.quote_literal(rel::pg_catalog.text), pg_catalog.quote_literal(kind));
    END IF;
    PERFORM cbreturn._partition_covered(rel, kind);
    PERFORM cbreturn._drop_orphan_triggers(rel, kind);
    PERFORM cbreturn._metadata_register(rel, kind, fill, declared, labels);
END
$$;

-- Issue 12: a check of a partitioned table covers every partition below it,
-- so one partition never carries a kind twice.  Attaching to a partition
-- whose ancestor carries the kind, or to a partitioned table with a
-- partition that carries it itself (attached per partition before 0.3.0),
-- is refused: PostgreSQL would refuse the cloned trigger's name anyway.
CREATE FUNCTION cbreturn._partition_covered(rel regclass, kind text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    other regclass;
BEGIN
    IF kind OPERATOR(pg_catalog.<>) ALL ('{export,import,status,header}'::text[]) THEN
        RETURN;
    END IF;
    SELECT a.relation INTO other FROM cbreturn.attached_check a
     WHERE a.check_kind OPERATOR(pg_catalog.=) kind
       AND a.relation OPERATOR(pg_catalog.<>) rel
       AND a.relation IN (SELECT pg_catalog.pg_partition_ancestors(rel))
     LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('attach.partition_covered', cbreturn._text('kind.' OPERATOR(pg_catalog.||) kind),
                                other::pg_catalog.text, rel::pg_catalog.text);
    END IF;
    SELECT a.relation INTO other FROM cbreturn.attached_check a
     WHERE a.check_kind OPERATOR(pg_catalog.=) kind
       AND a.relation OPERATOR(pg_catalog.<>) rel
       AND a.relation IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(rel) t)
     ORDER BY a.relation::pg_catalog.text COLLATE "C" LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('attach.partition_has_own', other::pg_catalog.text, rel::pg_catalog.text,
                                cbreturn._text('kind.' OPERATOR(pg_catalog.||) kind),
                                pg_catalog.quote_literal(other::pg_catalog.text), pg_catalog.quote_literal(kind));
    END IF;
END
$$;

-- The first argument of a WHEN function: the checked table.  On a
-- partitioned table, NEW.tableoid, the partition the row is written into
-- (issue 12): PostgreSQL evaluates the clause cloned to each partition, with
-- its columns renumbered for that partition, so no OID of one table may be
-- written into it; the function then reads the config of that partition.
-- On a Citus table too: Citus carries the clause to every shard by its text
-- (sql/66_citus.sql, docs/scale-out.md).
CREATE FUNCTION cbreturn._when_table(rel regclass) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'p' OR cbreturn._citus_table(rel)
                THEN 'NEW.tableoid::pg_catalog.regclass'
                ELSE pg_catalog.format('%L::pg_catalog.regclass', c.oid) END
      FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) rel
$$;

-- The triggers of a check whose metadata is missing: what `pg_dump -n <erp
-- schema>` restores (the triggers are in the ERP's schema, the metadata in
-- cbreturn's, which pg_dump writes only with the extension).  They refuse
-- every write (55000) and check nothing; attach and detach drop them, so that
-- running the attach calls again after such a restore just works
-- (docs/security.md, "Dump and restore").  Only triggers of this kind's names
-- that call a function of cbreturn are touched; returns 1 when there were any.
CREATE FUNCTION cbreturn._drop_orphan_triggers(rel regclass, kind text) RETURNS integer
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
                -- a clone of a partitioned ancestor's trigger goes with it
                AND tg.tgparentid OPERATOR(pg_catalog.=) 0
                AND p.pronamespace OPERATOR(pg_catalog.=) 'cbreturn'::pg_catalog.regnamespace
                AND (tg.tgname OPERATOR(pg_catalog.=) ('cbreturn_' OPERATOR(pg_catalog.||) kind OPERATOR(pg_catalog.||) '_check')
                     OR (kind OPERATOR(pg_catalog.=) 'quantity'
                         AND tg.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_truncate'))
    LOOP
        PERFORM cbreturn._trigger_ddl(rel, pg_catalog.format('DROP TRIGGER %I ON %s', t, rel));
        n := 1;
    END LOOP;
    RETURN n;
END
$$;

-- ---------------------------------------------------------------------------
-- attach_export_return_checks: R-EX-1, R-EX-2, R-EX-5, R-EX-6, R-EX-4, and
-- the 1210 clock of R-TX-2
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.attach_export_return_checks(
    "table"             regclass,
    exported_on         name,
    reason              name DEFAULT NULL,
    returned_on         name DEFAULT NULL,
    remarks             name DEFAULT NULL,
    fill_remarks        boolean DEFAULT false,
    supervision_code    name DEFAULT NULL,
    export_office       name DEFAULT NULL,
    return_office       name DEFAULT NULL,
    deadline            name DEFAULT NULL,
    applicant           name DEFAULT NULL,
    return_site         name DEFAULT NULL,
    left_special_area_on name DEFAULT NULL,
    validate            boolean DEFAULT false)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    textual regtype[] := ARRAY['text', 'character varying', 'character']::regtype[];
    reasons regtype[] := ARRAY['cbreturn.return_reason', 'text', 'character varying', 'character']::regtype[];
    sup regtype[] := ARRAY['cbreturn.supervision_code', 'text', 'character varying', 'character']::regtype[];
    office regtype[] := ARRAY['cbreturn.customs_code', 'text', 'character varying', 'character']::regtype[];
    codes regtype[] := ARRAY['cbreturn.uscc', 'text', 'character varying', 'character']::regtype[];
    dates regtype[] := ARRAY['date']::regtype[];
    -- R-T-1: a timestamptz is read as its date in China
    days regtype[] := ARRAY['date', 'timestamp without time zone', 'timestamp with time zone']::regtype[];
    offices int := 0;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    -- roles read from a declaration header (cbreturn.attach_header): ''
    exported_on := cbreturn._header_role("table", 'exported_on', exported_on);
    supervision_code := cbreturn._header_role("table", 'supervision_code', supervision_code);
    export_office := cbreturn._header_role("table", 'export_office', export_office);
    left_special_area_on := cbreturn._header_role("table", 'left_special_area_on', left_special_area_on);
    IF reason IS NULL AND remarks IS NULL THEN
        PERFORM cbreturn._error('attach.export_needs_reason_or_remarks');
    END IF;
    IF fill_remarks AND (remarks IS NULL OR reason IS NULL) THEN
        PERFORM cbreturn._error('attach.fill_remarks_needs_both');
    END IF;
    offices := (supervision_code IS NOT NULL)::int + (export_office IS NOT NULL)::int
               + (return_office IS NOT NULL)::int;
    IF offices NOT IN (0, 3) THEN
        PERFORM cbreturn._error('attach.cross_customs_needs_three');
    END IF;
    IF offices = 3 AND returned_on IS NULL THEN
        PERFORM cbreturn._error('attach.cross_customs_needs_returned_on');
    END IF;
    IF return_site IS NOT NULL AND offices <> 3 THEN
        PERFORM cbreturn._error('attach.site_needs_cross_customs');
    END IF;
    IF applicant IS NOT NULL AND returned_on IS NULL THEN
        PERFORM cbreturn._error('attach.applicant_needs_returned_on');
    END IF;
    IF left_special_area_on IS NOT NULL AND supervision_code IS NULL THEN
        PERFORM cbreturn._error('attach.departure_needs_code');
    END IF;
    IF deadline IS NOT NULL AND deadline IN (exported_on, reason, returned_on, remarks, supervision_code,
                                             export_office, return_office, applicant, return_site,
                                             left_special_area_on) THEN
        PERFORM cbreturn._error('attach.deadline_own_column');
    END IF;

    PERFORM cbreturn._register("table", 'export', fill_remarks);
    PERFORM cbreturn._attach_column("table", 'export', 'exported_on', "table", exported_on, days,
                                    cbreturn._text('role.exported_on'));
    IF reason IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'reason', "table", reason, reasons,
                                        cbreturn._text('role.reason'));
    END IF;
    IF returned_on IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'returned_on', "table", returned_on, days,
                                        cbreturn._text('role.returned_on'));
    END IF;
    IF remarks IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'remarks', "table", remarks, textual,
                                        cbreturn._text('role.remarks'));
    END IF;
    IF offices = 3 THEN
        PERFORM cbreturn._attach_column("table", 'export', 'supervision_code', "table", supervision_code, sup,
                                        cbreturn._text('role.supervision_code'));
        PERFORM cbreturn._attach_column("table", 'export', 'export_office', "table", export_office, office,
                                        cbreturn._text('role.export_office'));
        PERFORM cbreturn._attach_column("table", 'export', 'return_office', "table", return_office, office,
                                        cbreturn._text('role.return_office'));
    END IF;
    IF deadline IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'deadline', "table", deadline, dates,
                                        cbreturn._text('role.deadline'));
    END IF;
    IF applicant IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'applicant', "table", applicant, codes,
                                        cbreturn._text('role.applicant'));
    END IF;
    IF return_site IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'return_site', "table", return_site, textual,
                                        cbreturn._text('role.return_site'));
    END IF;
    IF left_special_area_on IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'left_special_area_on', "table",
                                        left_special_area_on, days, cbreturn._text('role.left_special_area_on'));
    END IF;
    -- A check that only reads the row fires AFTER it is written, so that COPY
    -- keeps inserting in batches (PostgreSQL falls back to one row at a time
    -- when a table has any BEFORE ROW trigger); an error still aborts the
    -- statement and leaves nothing behind.  Its WHEN clause names the checked
    -- columns (by number once created, so RENAME COLUMN keeps it right), and
    -- a row that passes every rule queues no trigger event at all (with the
    -- key of a declaration header, whose row it finds and locks).  Filling
    -- the remarks or the deadline changes the row, which only a BEFORE
    -- trigger can do, and it must see every row: no WHEN clause.
    IF fill_remarks OR deadline IS NOT NULL THEN
        PERFORM cbreturn._refuse_generated("table",
            ARRAY[exported_on, reason, returned_on, remarks, supervision_code, export_office,
                  return_office, deadline, applicant, return_site, left_special_area_on],
            cbreturn._text('check.export_filling'));
        -- (on a Citus table: the columns by name in the arguments, and
        -- carried to every shard; sql/66_citus.sql)
        PERFORM cbreturn._trigger_ddl("table", pg_catalog.format(
            'CREATE TRIGGER cbreturn_export_check BEFORE INSERT OR UPDATE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION cbreturn.export_return_check(%s)', "table",
            cbreturn._check_trigger_args("table", 'export')));
    ELSE
        PERFORM cbreturn._trigger_ddl("table", pg_catalog.format(
            'CREATE TRIGGER cbreturn_export_check AFTER INSERT OR UPDATE ON %s FOR EACH ROW '
            'WHEN (NOT cbreturn._export_row_ok(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s%s)) '
            'EXECUTE FUNCTION cbreturn.export_return_check(%s)',
            "table", cbreturn._when_table("table"),
            cbreturn._new_date_column("table", exported_on), cbreturn._new_column(reason),
            cbreturn._new_date_column("table", returned_on), cbreturn._new_column(remarks),
            cbreturn._new_column(supervision_code), cbreturn._new_column(export_office),
            cbreturn._new_column(return_office), cbreturn._new_column(applicant),
            cbreturn._new_column(return_site), cbreturn._new_date_column("table", left_special_area_on),
            cbreturn._header_when_keys("table"), cbreturn._check_trigger_args("table", 'export')));
    END IF;
    -- existing rows: checked now (validate), or left and said so (issue 12, item 5)
    RETURN cbreturn._attach_validate("table", 'export', validate);
END
$$;
COMMENT ON FUNCTION cbreturn.attach_export_return_checks(regclass, name, name, name, name, boolean, name, name, name, name,
                                                         name, name, name, boolean) IS
    'attach the export-return checks (R-EX-1 window from the export date, the 1210 departure between it and the return per R-TX-2; R-EX-2 remark code; R-EX-5 cross-customs; R-EX-6 return site; R-EX-4 applicant) to a table, naming its columns; validate => true checks the existing rows too; returns whether they were validated';

-- ---------------------------------------------------------------------------
-- attach_import_return_checks: R-IM-1, R-IM-5, R-IM-6, R-IM-7
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.attach_import_return_checks(
    "table"             regclass,
    released_on         name,
    applied_on          name DEFAULT NULL,
    arrived_on          name DEFAULT NULL,
    supervision_code    name DEFAULT NULL,
    original_place      name DEFAULT NULL,
    arrival_place       name DEFAULT NULL,
    declared_area       name DEFAULT NULL,
    warehouse           name DEFAULT NULL,
    enterprise          name DEFAULT NULL,
    applicant           name DEFAULT NULL,
    validate            boolean DEFAULT false)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- R-T-1: a timestamptz is read as its date in China
    dates regtype[] := ARRAY['date', 'timestamp without time zone', 'timestamp with time zone']::regtype[];
    textual regtype[] := ARRAY['text', 'character varying', 'character']::regtype[];
    sup regtype[] := ARRAY['cbreturn.supervision_code', 'text', 'character varying', 'character']::regtype[];
    codes regtype[] := ARRAY['cbreturn.uscc', 'text', 'character varying', 'character']::regtype[];
    enterprises regtype[] := ARRAY['cbreturn.customs_registration_code', 'text', 'character varying',
                                   'character']::regtype[];
    places name[] := ARRAY[supervision_code, original_place, arrival_place, declared_area, warehouse,
                           enterprise, applicant];
    roles text[] := ARRAY['supervision_code', 'original_place', 'arrival_place', 'declared_area', 'warehouse',
                          'enterprise', 'applicant'];
    i int;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    -- the release date read from a declaration header (cbreturn.attach_header): ''
    released_on := cbreturn._header_role("table", 'released_on', released_on);
    IF applied_on IS NULL AND arrived_on IS NULL THEN
        PERFORM cbreturn._error('attach.import_needs_dates');
    END IF;
    IF arrival_place IS NOT NULL AND (original_place IS NULL OR supervision_code IS NULL) THEN
        PERFORM cbreturn._error('attach.arrival_needs_original_and_code');
    END IF;
    IF (original_place IS NOT NULL AND arrival_place IS NULL AND warehouse IS NULL)
       OR (declared_area IS NOT NULL AND arrival_place IS NULL) THEN
        PERFORM cbreturn._error('attach.place_needs_arrival');
    END IF;
    IF (enterprise IS NULL) <> (applicant IS NULL) OR (applicant IS NOT NULL AND applied_on IS NULL) THEN
        PERFORM cbreturn._error('attach.import_applicant_needs');
    END IF;
    PERFORM cbreturn._register("table", 'import');
    PERFORM cbreturn._attach_column("table", 'import', 'released_on', "table", released_on, dates,
                                    cbreturn._text('role.released_on'));
    IF applied_on IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'import', 'applied_on', "table", applied_on, dates,
                                        cbreturn._text('role.applied_on'));
    END IF;
    IF arrived_on IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'import', 'arrived_on', "table", arrived_on, dates,
                                        cbreturn._text('role.arrived_on'));
    END IF;
    FOR i IN 1 .. pg_catalog.cardinality(places) LOOP
        CONTINUE WHEN places[i] IS NULL;
        PERFORM cbreturn._attach_column("table", 'import', roles[i], "table", places[i],
                                        CASE roles[i] WHEN 'supervision_code' THEN sup
                                                      WHEN 'enterprise' THEN enterprises
                                                      WHEN 'applicant' THEN codes ELSE textual END,
                                        cbreturn._text('role.import_' || roles[i]));
    END LOOP;
    -- AFTER, with a WHEN clause naming the checked columns (as the export check).
    PERFORM cbreturn._trigger_ddl("table", pg_catalog.format(
        'CREATE TRIGGER cbreturn_import_check AFTER INSERT OR UPDATE ON %s FOR EACH ROW '
        'WHEN (NOT cbreturn._import_row_ok(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)) '
        'EXECUTE FUNCTION cbreturn.import_return_check(%s)',
        "table", cbreturn._when_table("table"), cbreturn._new_date_column("table", released_on),
        cbreturn._new_date_column("table", applied_on), cbreturn._new_date_column("table", arrived_on),
        cbreturn._new_column(supervision_code), cbreturn._new_column(original_place),
        cbreturn._new_column(arrival_place), cbreturn._new_column(declared_area),
        cbreturn._new_column(warehouse), cbreturn._new_column(enterprise),
        cbreturn._new_column(applicant), cbreturn._check_trigger_args("table", 'import')));
    -- existing rows: checked now (validate), or left and said so (issue 12, item 5)
    RETURN cbreturn._attach_validate("table", 'import', validate);
END
$$;
COMMENT ON FUNCTION cbreturn.attach_import_return_checks(regclass, name, name, name, name, name, name, name, name,
                                                         name, name, boolean) IS
    'attach the import-return checks (R-IM-1: application within 30 days, arrival within 45 days of release, at the original place; R-IM-5 return-centre warehouse; R-IM-6 special area of declaration; R-IM-7 applicant) to a table; validate => true checks the existing rows too; returns whether they were validated';

-- ---------------------------------------------------------------------------
-- attach_status_check: rules section 6
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.attach_status_check(
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
                                             'inspected', 'released', 'rejected'],
    withdrawn           text DEFAULT NULL,
    validate            boolean DEFAULT false)
    RETURNS text
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
    q record;
    q_status text;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    IF labels IS NULL OR pg_catalog.cardinality(labels) <> 7 OR pg_catalog.array_position(labels, NULL) IS NOT NULL
       OR (SELECT pg_catalog.count(DISTINCT l) FROM pg_catalog.unnest(labels) l
            WHERE pg_catalog.btrim(l) OPERATOR(pg_catalog.<>) '') <> 7 THEN
        PERFORM cbreturn._error('attach.status_labels');
    END IF;
    -- rules section 6: a withdrawn return, when the table records one, has a
    -- label of its own
    IF withdrawn IS NOT NULL THEN
        IF pg_catalog.btrim(withdrawn) OPERATOR(pg_catalog.=) '' OR withdrawn OPERATOR(pg_catalog.=) ANY (labels) THEN
            PERFORM cbreturn._error('attach.status_withdrawn_label', withdrawn);
        END IF;
        labels := labels OPERATOR(pg_catalog.||) withdrawn;
    END IF;
    PERFORM cbreturn._register("table", 'status', false, NULL, labels);
    PERFORM cbreturn._attach_column("table", 'status', 'status', "table", status,
        cbreturn._status_types("table", status), cbreturn._text('role.status'));
    FOR i IN 1 .. 7 LOOP
        CONTINUE WHEN cols[i] IS NULL;
        PERFORM cbreturn._attach_column("table", 'status', stages[i] || '_at', "table", cols[i], stamp_types,
                                        cbreturn._text('role.' || stages[i] || '_at'));
        SELECT c.column_type INTO t FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'status'
           AND c.role OPERATOR(pg_catalog.=) (stages[i] || '_at');
        IF first_type IS NULL THEN
            first_type := t;
        ELSIF t OPERATOR(pg_catalog.<>) first_type THEN
            PERFORM cbreturn._error('attach.stage_types', cols[i]::pg_catalog.text, t::pg_catalog.text,
                                    first_type::pg_catalog.text);
        END IF;
    END LOOP;
    PERFORM cbreturn._refuse_generated("table", ARRAY[status] || cols, cbreturn._text('check.status'));
    -- Rules section 6: a quantity check on this table frees the quantity of
    -- the returns this check calls rejected or withdrawn.  One without a
    -- status column takes this one's column and labels (and counts its
    -- returns again); one with them must read the same.
    SELECT k.declared_relation, k.freeing_labels INTO q FROM cbreturn.attached_check k
     WHERE k.relation OPERATOR(pg_catalog.=) "table" AND k.check_kind OPERATOR(pg_catalog.=) 'quantity';
    IF FOUND THEN
        -- (a quantity check reading a return request's status on the
        -- declaration header never agrees with a status column of the table)
        SELECT CASE WHEN c.column_relation OPERATOR(pg_catalog.=) "table" THEN c.column_name::pg_catalog.text
                    ELSE c.column_relation::pg_catalog.text OPERATOR(pg_catalog.||) '.'
                         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.column_name) END
          INTO q_status FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) 'status';
        IF q_status IS NULL THEN
            PERFORM cbreturn._quantity_status_attach("table", status, labels[7:8]);
            PERFORM cbreturn._quantity_rebuild(q.declared_relation, '{}', false);
        ELSIF q_status OPERATOR(pg_catalog.<>) status::pg_catalog.text
              OR NOT (q.freeing_labels OPERATOR(pg_catalog.@>) labels[7:8]
                      AND q.freeing_labels OPERATOR(pg_catalog.<@) labels[7:8]) THEN
            PERFORM cbreturn._error('attach.status_quantity_disagree', "table"::pg_catalog.text,
                                    q_status::pg_catalog.text, q.freeing_labels::pg_catalog.text,
                                    status::pg_catalog.text, labels[7:8]::pg_catalog.text,
                                    pg_catalog.quote_literal("table"::pg_catalog.text));
        END IF;
    END IF;
    -- A quantity check reading a return request's status from this table
    -- (its declaration header, attach_header's status) over this column must
    -- free by the same labels: one attached after this check takes them.
    FOR q IN SELECT k.relation, k.freeing_labels FROM cbreturn.attached_check k
               JOIN cbreturn.attached_column c
                 ON c.relation OPERATOR(pg_catalog.=) k.relation AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND c.role OPERATOR(pg_catalog.=) 'status'
              WHERE k.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND c.column_relation OPERATOR(pg_catalog.=) "table"
                AND c.column_name OPERATOR(pg_catalog.=) status
                AND NOT (k.freeing_labels OPERATOR(pg_catalog.@>) labels[7:8]
                         AND k.freeing_labels OPERATOR(pg_catalog.<@) labels[7:8])
              ORDER BY k.relation::pg_catalog.text
    LOOP
        PERFORM cbreturn._error('attach.status_quantity_disagree', q.relation::pg_catalog.text,
                                "table"::pg_catalog.text OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||)
                                pg_catalog.quote_ident(status), q.freeing_labels::pg_catalog.text,
                                status::pg_catalog.text, labels[7:8]::pg_catalog.text,
                                pg_catalog.quote_literal(q.relation::pg_catalog.text));
    END LOOP;
    PERFORM cbreturn._trigger_ddl("table", pg_catalog.format(
        'CREATE TRIGGER cbreturn_status_check BEFORE INSERT OR UPDATE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION cbreturn.status_check(%s)', "table",
        cbreturn._check_trigger_args("table", 'status')));
    -- existing rows: checked now (validate), or left and said so (issue 12, item 5)
    RETURN cbreturn._attach_validate("table", 'status', validate);
END
$$;
COMMENT ON FUNCTION cbreturn.attach_status_check(regclass, name, name, name, name, name, name, name, name, text[], text, boolean) IS
    'attach the status check (rules section 6): the status only moves forward, through the stages whose times are recorded, and stage times never go backwards; validate => true checks the existing rows too; returns whether they were validated';

-- ---------------------------------------------------------------------------
-- detach
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.detach("table" regclass, check_kind text DEFAULT NULL) RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k record;
    kind text;
    n int := 0;
BEGIN
    -- (a quantity check may be attached to a partitioned returns table)
    PERFORM cbreturn._check_table("table", 'returns table');
    IF check_kind IS NOT NULL AND check_kind NOT IN ('export', 'import', 'quantity', 'status', 'header') THEN
        PERFORM cbreturn._error('attach.unknown_kind', check_kind);
    END IF;
    -- a declaration header last: the checks that read it go first
    FOR k IN SELECT * FROM cbreturn.attached_check a
              WHERE a.relation OPERATOR(pg_catalog.=) "table"
                AND (detach.check_kind IS NULL OR a.check_kind OPERATOR(pg_catalog.=) detach.check_kind)
              ORDER BY a.check_kind OPERATOR(pg_catalog.=) 'header', a.check_kind
    LOOP
        -- (a header link has no trigger on the returns table: its guard is on the header)
        IF k.check_kind OPERATOR(pg_catalog.<>) 'header' THEN
            PERFORM cbreturn._trigger_ddl("table", pg_catalog.format('DROP TRIGGER IF EXISTS %I ON %s',
                                                                     'cbreturn_' || k.check_kind || '_check', "table"));
        END IF;
        IF k.check_kind = 'header' THEN
            -- refused while a check reads from it; its guards go with the last
            -- returns table that reads it (sql/52_enforce_header.sql)
            PERFORM cbreturn._header_detach("table", k.declared_relation);
        END IF;
        IF k.check_kind = 'quantity' THEN
            -- R-EX-3: triggers and ledger (sql/55_enforce_quantity.sql),
            -- while the check is still recorded: its owner may recount
            PERFORM cbreturn._quantity_detach("table", k.declared_relation);
        END IF;
        n := n + cbreturn._metadata_forget("table", k.check_kind);
    END LOOP;
    -- triggers restored without their metadata (pg_dump -n) go too
    FOREACH kind IN ARRAY CASE WHEN check_kind IS NULL THEN ARRAY['export', 'import', 'quantity', 'status']
                             ELSE ARRAY[check_kind] END LOOP
        n := n + cbreturn._drop_orphan_triggers("table", kind);
    END LOOP;
    -- a partition covered by its ancestor's check (issue 12): say which
    IF n = 0 AND check_kind IS NOT NULL THEN
        SELECT a.relation INTO k FROM cbreturn.attached_check a
         WHERE a.check_kind OPERATOR(pg_catalog.=) detach.check_kind
           AND a.relation IN (SELECT pg_catalog.pg_partition_ancestors("table"))
         LIMIT 1;
        IF FOUND THEN
            PERFORM cbreturn._error('detach.partition_covered', check_kind, "table"::pg_catalog.text,
                                    k.relation::pg_catalog.text, pg_catalog.quote_literal(k.relation::pg_catalog.text),
                                    pg_catalog.quote_literal(check_kind));
        END IF;
    END IF;
    IF n = 0 AND check_kind IS NULL THEN
        PERFORM cbreturn._error('detach.not_attached', "table"::pg_catalog.text);
    ELSIF n = 0 THEN
        PERFORM cbreturn._error('detach.kind_not_attached', check_kind, "table"::pg_catalog.text);
    END IF;
    RETURN n;
END
$$;
COMMENT ON FUNCTION cbreturn.detach(regclass, text) IS
    'detach the checks of one kind (export, import, quantity, status), or all of them, from a table; returns how many';

-- ---------------------------------------------------------------------------
-- What is attached where
-- ---------------------------------------------------------------------------
CREATE VIEW cbreturn.attached_checks AS
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
       k.freeing_labels
  FROM cbreturn.attached_check k
  LEFT JOIN pg_catalog.pg_trigger t
    ON t.tgrelid OPERATOR(pg_catalog.=) k.relation
   AND t.tgname OPERATOR(pg_catalog.=) ('cbreturn_' || k.check_kind || '_check');
COMMENT ON VIEW cbreturn.attached_checks IS
    'one row per attached check: the table, the kind, its columns by role (current names), the trigger and whether it is enabled';
GRANT SELECT ON cbreturn.attached_checks TO PUBLIC;

-- A declared-lines table (quantity check) or a declaration header, or a
-- partition of one, must be as lasting as the returns that name its rows:
-- crash recovery empties an UNLOGGED table without firing a trigger, and
-- permanent returns would be left naming nothing (a foreign key refuses the
-- same).  Refused (42P16) for the links touching rels: at attach (the
-- trigger on cbreturn.attached_check below) and at ALTER TABLE ... SET
-- UNLOGGED (cbreturn._follow_alter_table).  Walks pg_inherits, no locks.
CREATE FUNCTION cbreturn._refuse_unlogged(rels oid[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
BEGIN
    FOR c IN
        WITH RECURSIVE tree (relid, root, link) AS (
            SELECT a.declared_relation::pg_catalog.oid, a.declared_relation::pg_catalog.oid,
                   a.relation::pg_catalog.oid
              FROM cbreturn.attached_check a
             WHERE a.check_kind OPERATOR(pg_catalog.=) ANY (ARRAY['quantity', 'header'])
               AND a.declared_relation IS NOT NULL
            UNION
            -- partitions only: the rows of a plain inheritance child are
            -- no declared line and no header row (the checks read ONLY)
            SELECT i.inhrelid, t.root, t.link
              FROM tree t JOIN pg_catalog.pg_inherits i ON i.inhparent OPERATOR(pg_catalog.=) t.relid
              JOIN pg_catalog.pg_class ch ON ch.oid OPERATOR(pg_catalog.=) i.inhrelid AND ch.relispartition),
        relevant AS (
            SELECT DISTINCT t.root, t.link FROM tree t
             WHERE t.relid OPERATOR(pg_catalog.=) ANY (rels) OR t.link OPERATOR(pg_catalog.=) ANY (rels))
        SELECT t.relid::pg_catalog.regclass AS unlogged, t.link::pg_catalog.regclass AS returns_table
          FROM tree t
          JOIN relevant v ON v.root OPERATOR(pg_catalog.=) t.root AND v.link OPERATOR(pg_catalog.=) t.link
          JOIN pg_catalog.pg_class d ON d.oid OPERATOR(pg_catalog.=) t.relid
          JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) t.link
         WHERE d.relpersistence OPERATOR(pg_catalog.=) 'u' AND r.relpersistence OPERATOR(pg_catalog.=) 'p'
         LIMIT 1
    LOOP
        PERFORM cbreturn._error('attach.declared_unlogged', c.unlogged::pg_catalog.text,
                                c.returns_table::pg_catalog.text);
    END LOOP;
END
$$;
COMMENT ON FUNCTION cbreturn._refuse_unlogged(oid[]) IS
    'internal: refuses (42P16) an unlogged declared-lines or declaration header table, or partition of one, whose rows permanent returns name';

CREATE FUNCTION cbreturn._attached_persistence() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM cbreturn._refuse_unlogged(ARRAY[NEW.relation::pg_catalog.oid]);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cbreturn._attached_persistence() IS
    'internal: AFTER INSERT trigger of cbreturn.attached_check: a quantity or header link to an unlogged table is refused (42P16)';
CREATE TRIGGER attached_persistence AFTER INSERT ON cbreturn.attached_check
    FOR EACH ROW EXECUTE FUNCTION cbreturn._attached_persistence();

-- ---------------------------------------------------------------------------
-- Keeping the metadata in step with ALTER TABLE and DROP TABLE
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn._follow_alter_table() RETURNS event_trigger
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
        -- ALTER TYPE ... DROP ATTRIBUTE, ALTER ATTRIBUTE TYPE, RENAME ATTRIBUTE
        -- of a composite type change its typed tables' columns
        -- (reported as the composite type's own relation)
        SELECT tc.oid FROM pg_catalog.pg_event_trigger_ddl_commands() d
          JOIN pg_catalog.pg_class ct ON ct.oid OPERATOR(pg_catalog.=) d.objid
                                     AND ct.relkind OPERATOR(pg_catalog.=) 'c'
          JOIN pg_catalog.pg_class tc ON tc.reloftype OPERATOR(pg_catalog.=) ct.reltype
         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
        UNION
        SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN t ON i.inhparent OPERATOR(pg_catalog.=) t.relid
    )
    SELECT pg_catalog.array_agg(t.relid) INTO touched FROM t;
    -- ALTER TYPE ... RENAME VALUE of an enum a check's status or
    -- ordinary-return column has (sql/55_enforce_quantity.sql)
    FOR c IN SELECT d.objid, cbreturn._ddl_renamed_value(d.command) AS names
               FROM pg_catalog.pg_event_trigger_ddl_commands() d
              WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass
    LOOP
        CONTINUE WHEN c.names IS NULL;
        PERFORM cbreturn._follow_enum_rename(c.objid, c.names[1], c.names[2]);
    END LOOP;
    IF touched IS NULL THEN
        RETURN;
    END IF;
    -- SET UNLOGGED of a table whose rows permanent returns name (42P16)
    PERFORM cbreturn._refuse_unlogged(touched);
    -- A column dropped with CASCADE: the checks that read it are detached.
    IF cbreturn._ddl_cascades() THEN
        FOR c IN SELECT ac.relation, pg_catalog.array_agg(DISTINCT ac.check_kind) AS kinds
                   FROM cbreturn.attached_column ac
                   JOIN pg_catalog.pg_attribute a
                     ON a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
                    AND a.attnum OPERATOR(pg_catalog.=) ac.column_attnum
                  WHERE ac.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (touched)
                    AND a.attisdropped
                  GROUP BY ac.relation
        LOOP
            PERFORM cbreturn._detach_cascaded(c.relation, c.kinds);
        END LOOP;
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
              ORDER BY ac.check_kind OPERATOR(pg_catalog.=) 'header', ac.relation::pg_catalog.text, ac.check_kind, ac.role
    LOOP
        PERFORM cbreturn._error(CASE WHEN c.attisdropped THEN 'attach.column_in_use'
                                     ELSE 'attach.column_type_in_use' END,
                                c.column_name::pg_catalog.text, c.column_relation::pg_catalog.text,
                                cbreturn._text('kind.' OPERATOR(pg_catalog.||) c.check_kind), c.relation::pg_catalog.text,
                                pg_catalog.quote_literal(c.relation::pg_catalog.text),
                                pg_catalog.quote_literal(c.check_kind));
    END LOOP;
    -- Citus: the checks of a Citus table name their columns in the triggers
    -- Citus carries to the shards (sql/66_citus.sql): refuse a rename there.
    FOR c IN SELECT ac.*
               FROM cbreturn.attached_column ac
               JOIN pg_catalog.pg_attribute a
                 ON a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
                AND a.attnum OPERATOR(pg_catalog.=) ac.column_attnum
              WHERE ac.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (touched)
                AND a.attname OPERATOR(pg_catalog.<>) ac.column_name
                AND cbreturn._citus_table(ac.relation)
    LOOP
        PERFORM cbreturn._error('citus.rename_attached', c.column_name::pg_catalog.text,
                                c.relation::pg_catalog.text, cbreturn._text('kind.' OPERATOR(pg_catalog.||) c.check_kind),
                                pg_catalog.quote_literal(c.relation::pg_catalog.text),
                                pg_catalog.quote_literal(c.check_kind));
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
REVOKE ALL ON FUNCTION cbreturn._follow_alter_table() FROM PUBLIC;

-- DROP ... CASCADE (and ALTER TABLE ... DROP COLUMN ... CASCADE) of a table
-- or column another table's checks read: those checks are detached, as
-- PostgreSQL drops a foreign key, with a NOTICE each; without CASCADE the
-- drop is refused (2BP01).  _ddl_cascades says which, from the event
-- trigger at the start of the statement (src/enforce/header_ddl.c).
CREATE FUNCTION cbreturn._ddl_cascades() RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_ddl_cascades' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION cbreturn._ddl_cascades() IS
    'internal: whether the DROP or ALTER TABLE being run said CASCADE (seen by the event trigger at its start)';
-- The checks of kinds (and, with a declaration header link, the checks that
-- read the header) go from rel: their triggers and metadata.  Run by the
-- event triggers below, as the extension's owner, for a CASCADE the owner of
-- the dropped table or column asked for.
CREATE FUNCTION cbreturn._detach_cascaded(rel regclass, kinds text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kind text;
    p record;
    decl regclass;
    went boolean := false;
BEGIN
    IF 'header' OPERATOR(pg_catalog.=) ANY (kinds) THEN
        kinds := kinds OPERATOR(pg_catalog.||) ARRAY(
            SELECT DISTINCT c.check_kind FROM cbreturn.attached_column c
              JOIN cbreturn.attached_check h ON h.relation OPERATOR(pg_catalog.=) c.relation
                                            AND h.check_kind OPERATOR(pg_catalog.=) 'header'
             WHERE c.relation OPERATOR(pg_catalog.=) rel AND c.check_kind OPERATOR(pg_catalog.<>) 'header'
               AND c.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) h.declared_relation::pg_catalog.oid);
    END IF;
    -- the checks that read a header before the header link
    FOR kind IN SELECT d.k FROM (SELECT DISTINCT u.k FROM pg_catalog.unnest(kinds) u(k)) d
                 WHERE EXISTS (SELECT FROM cbreturn.attached_check a
                                WHERE a.relation OPERATOR(pg_catalog.=) rel AND a.check_kind OPERATOR(pg_catalog.=) d.k)
                 ORDER BY d.k OPERATOR(pg_catalog.=) 'header', d.k
    LOOP
        -- (a header link has no trigger of its own; a dropped column took its table's trigger)
        IF EXISTS (SELECT FROM pg_catalog.pg_trigger g
                    WHERE g.tgrelid OPERATOR(pg_catalog.=) rel
                      AND g.tgname OPERATOR(pg_catalog.=) ('cbreturn_' || kind || '_check')) THEN
            EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', 'cbreturn_' || kind || '_check', rel);
        END IF;
        IF kind OPERATOR(pg_catalog.=) 'quantity' THEN
            FOR p IN SELECT rel::pg_catalog.oid AS relid UNION SELECT t.relid FROM pg_catalog.pg_partition_tree(rel) t LOOP
                EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_truncate ON %s', p.relid::pg_catalog.regclass);
            END LOOP;
        END IF;
        DELETE FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) rel AND c.check_kind OPERATOR(pg_catalog.=) kind;
        DELETE FROM cbreturn.attached_check a
         WHERE a.relation OPERATOR(pg_catalog.=) rel AND a.check_kind OPERATOR(pg_catalog.=) kind
        RETURNING a.declared_relation INTO decl;
        PERFORM cbreturn._error('drop.cascades', cbreturn._text('kind.' OPERATOR(pg_catalog.||) kind), rel::pg_catalog.text);
        went := true;
        -- R-EX-3: the ledger of a declared table that stays (a dropped one's goes
        -- with it, cbreturn._quantity_after_drop) no longer counts rel's returns
        IF kind OPERATOR(pg_catalog.=) 'quantity'
           AND EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) decl::pg_catalog.oid) THEN
            PERFORM cbreturn._quantity_after_cascade(decl);
        END IF;
        -- the guards of a header no returns table reads any more go (as with detach())
        IF kind OPERATOR(pg_catalog.=) 'header'
           AND EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) decl::pg_catalog.oid)
           AND NOT EXISTS (SELECT FROM cbreturn.attached_check o
                            WHERE o.check_kind OPERATOR(pg_catalog.=) 'header'
                              AND o.declared_relation OPERATOR(pg_catalog.=) decl) THEN
            PERFORM cbreturn._header_drop_guards(decl);
        END IF;
    END LOOP;
    -- a partition that lost checks its tree's other leaves carry: refused at
    -- commit, as detach() of it is (cbreturn._partition_check)
    IF went AND (SELECT c.relispartition FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) rel) THEN
        INSERT INTO cbreturn.partition_pending (relid)
        SELECT t.relid FROM pg_catalog.pg_partition_tree(rel) t WHERE t.isleaf;
    END IF;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._detach_cascaded(regclass, text[]) FROM PUBLIC;

-- After a quantity check on decl was detached by a CASCADE: with no check
-- left on it, its guards and ledger go (as the last detach() takes them);
-- otherwise its returns are counted again, once every check that reads a
-- column the command dropped has gone too (a later call of the same command).
CREATE FUNCTION cbreturn._quantity_after_cascade(decl regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM cbreturn.attached_check o
                    WHERE o.check_kind OPERATOR(pg_catalog.=) 'quantity'
                      AND o.declared_relation OPERATOR(pg_catalog.=) decl) THEN
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_guard ON %s', decl);
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_truncate_guard ON %s', decl);
        DELETE FROM cbreturn.quantity_ledger l WHERE l.declared_relation OPERATOR(pg_catalog.=) decl;
    ELSIF NOT EXISTS (SELECT FROM cbreturn.attached_check o
                        JOIN cbreturn.attached_column c ON c.relation OPERATOR(pg_catalog.=) o.relation
                                                       AND c.check_kind OPERATOR(pg_catalog.=) o.check_kind
                        JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.column_relation
                                                     AND a.attnum OPERATOR(pg_catalog.=) c.column_attnum
                       WHERE o.check_kind OPERATOR(pg_catalog.=) 'quantity'
                         AND o.declared_relation OPERATOR(pg_catalog.=) decl
                         AND a.attisdropped)
          -- a returns table, or a header one reads, that the command drops:
          -- cbreturn._quantity_after_drop counts again without it
          AND NOT EXISTS (SELECT FROM cbreturn.attached_check o
                           LEFT JOIN cbreturn.attached_check h ON h.relation OPERATOR(pg_catalog.=) o.relation
                                                              AND h.check_kind OPERATOR(pg_catalog.=) 'header'
                          WHERE o.check_kind OPERATOR(pg_catalog.=) 'quantity'
                            AND o.declared_relation OPERATOR(pg_catalog.=) decl
                            AND (NOT EXISTS (SELECT FROM pg_catalog.pg_class c
                                              WHERE c.oid OPERATOR(pg_catalog.=) o.relation::pg_catalog.oid)
                                 OR (h.relation IS NOT NULL
                                     AND NOT EXISTS (SELECT FROM pg_catalog.pg_class c
                                                      WHERE c.oid OPERATOR(pg_catalog.=) h.declared_relation::pg_catalog.oid)))) THEN
        PERFORM cbreturn._quantity_rebuild(decl, '{}', false);
    END IF;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._quantity_after_cascade(regclass) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._quantity_after_cascade(regclass) IS
    'internal: after a CASCADE detached a quantity check: the guards and ledger of a declared table no check reads any more go, or its returns are counted again';
COMMENT ON FUNCTION cbreturn._detach_cascaded(regclass, text[]) IS
    'internal: detaches the checks of a table whose declaration header, declared table or read column a DROP ... CASCADE takes, with a NOTICE each';

CREATE FUNCTION cbreturn._follow_drop() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    gone oid[];
    k record;
    named regclass;
BEGIN
    SELECT pg_catalog.array_agg(d.objid) INTO gone
      FROM pg_catalog.pg_event_trigger_dropped_objects() d
     WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
       AND d.objsubid OPERATOR(pg_catalog.=) 0;
    -- Columns dropped by the CASCADE of another object (DROP FUNCTION of a
    -- generated column's function, DROP TYPE or DOMAIN of a column's type,
    -- DROP EXTENSION ...; PostgreSQL drops a column another object needs only
    -- with CASCADE): the checks that read them are detached, as ALTER TABLE
    -- ... DROP COLUMN ... CASCADE detaches them.  An ALTER TABLE's (or ALTER
    -- TYPE's) own columns are cbreturn._follow_alter_table's, which refuses
    -- them without CASCADE.
    IF TG_TAG NOT IN ('ALTER TABLE', 'ALTER TYPE') THEN
        FOR k IN SELECT ac.relation, pg_catalog.array_agg(DISTINCT ac.check_kind) AS kinds
                   FROM cbreturn.attached_column ac
                   JOIN pg_catalog.pg_event_trigger_dropped_objects() d
                     ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND d.objid OPERATOR(pg_catalog.=) ac.column_relation::pg_catalog.oid
                    AND d.objsubid OPERATOR(pg_catalog.=) ac.column_attnum
                  WHERE NOT ac.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (coalesce(gone, '{}'))
                  GROUP BY ac.relation
                  ORDER BY ac.relation::pg_catalog.oid
        LOOP
            PERFORM cbreturn._detach_cascaded(k.relation, k.kinds);
        END LOOP;
    END IF;
    IF gone IS NULL THEN
        RETURN;
    END IF;
    -- A partition of a declaration header taken by another object's DROP ...
    -- CASCADE (an access method, an operator class of its partition key ...)
    -- while the header stays: refused (CB014) when returns are left naming
    -- no header row, as a DROP TABLE of it is refused while they name its
    -- rows (src/enforce/header_ddl.c noted the partitions at the start).
    FOR k IN SELECT DISTINCT ON (p.root) p.root, d.object_identity
               FROM cbreturn._ddl_header_partitions() p
               JOIN pg_catalog.pg_event_trigger_dropped_objects() d
                 ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                AND d.objid OPERATOR(pg_catalog.=) p.relid
                AND d.objsubid OPERATOR(pg_catalog.=) 0
              WHERE NOT p.root OPERATOR(pg_catalog.=) ANY (gone)
              ORDER BY p.root, d.object_identity
    LOOP
        named := cbreturn._header_rows_named(k.root::pg_catalog.regclass, true);
        IF named IS NOT NULL THEN
            PERFORM cbreturn._error('header.drop_partition_cascade', k.object_identity,
                                    k.root::pg_catalog.regclass::pg_catalog.text, named::pg_catalog.text);
        END IF;
    END LOOP;
    -- A declared-lines table cannot go while a returns table still counts on
    -- it, nor a declaration header while a returns table reads it.
    FOR k IN SELECT a.relation, a.check_kind, d.object_identity
               FROM cbreturn.attached_check a
               JOIN pg_catalog.pg_event_trigger_dropped_objects() d
                 ON d.objid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid
                AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                AND d.objsubid OPERATOR(pg_catalog.=) 0
              WHERE NOT a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                -- stale metadata of a table already gone blocks nothing
                AND EXISTS (SELECT FROM pg_catalog.pg_class c
                             WHERE c.oid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid)
    LOOP
        IF cbreturn._ddl_cascades() THEN
            PERFORM cbreturn._detach_cascaded(k.relation, ARRAY[k.check_kind]);
            CONTINUE;
        END IF;
        PERFORM cbreturn._error(CASE k.check_kind WHEN 'header' THEN 'attach.header_in_use'
                                                  ELSE 'attach.declared_in_use' END,
                                k.object_identity, k.relation::pg_catalog.text,
                                pg_catalog.quote_literal(k.relation::pg_catalog.text),
                                pg_catalog.quote_literal(k.check_kind));
    END LOOP;
    -- R-EX-3: the quantity ledger follows (sql/55_enforce_quantity.sql)
    PERFORM cbreturn._quantity_after_drop(gone);
    -- the guards of declaration headers no returns table reads any more
    PERFORM cbreturn._header_after_drop(gone);
    DELETE FROM cbreturn.attached_column c WHERE c.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone);
    DELETE FROM cbreturn.attached_check a WHERE a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone);
END
$$;
REVOKE ALL ON FUNCTION cbreturn._follow_drop() FROM PUBLIC;

CREATE EVENT TRIGGER cbreturn_follow_alter_table ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE', 'ALTER TYPE')
    EXECUTE FUNCTION cbreturn._follow_alter_table();
CREATE EVENT TRIGGER cbreturn_follow_drop ON sql_drop
    EXECUTE FUNCTION cbreturn._follow_drop();

-- Partitions of a checked partitioned table (issue 12).  The export, import
-- and status checks and a declaration header are attached to each leaf
-- partition; a partition created or attached later with plain DDL (CREATE
-- TABLE ... PARTITION OF, ALTER TABLE ... ATTACH PARTITION) has none.  After
-- a CREATE TABLE or ALTER TABLE that touches a partition tree in which a leaf
-- carries one of them, every leaf of the tree is queued; at the end of the
-- transaction (a deferred constraint trigger) a leaf that lacks a kind
-- another leaf of the tree carries is refused (55000), so a month is created
-- and given its checks in one transaction, or not at all.
CREATE TABLE cbreturn.partition_pending (
    relid   oid NOT NULL                           -- a leaf partition to look at on commit
);
COMMENT ON TABLE cbreturn.partition_pending IS
    'internal: leaf partitions of checked partition trees touched by DDL in open transactions; empty between transactions';
REVOKE ALL ON cbreturn.partition_pending FROM PUBLIC;

-- The kinds a leaf must carry: those any other leaf of its tree carries.
CREATE FUNCTION cbreturn._partition_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    leaf regclass;
    root regclass;
    missing text;
    sibling regclass;
BEGIN
    DELETE FROM cbreturn.partition_pending p WHERE p.relid OPERATOR(pg_catalog.=) NEW.relid;
    SELECT c.oid::pg_catalog.regclass INTO leaf FROM pg_catalog.pg_class c
     WHERE c.oid OPERATOR(pg_catalog.=) NEW.relid AND c.relispartition
       AND c.relkind OPERATOR(pg_catalog.<>) 'p';
    IF leaf IS NULL THEN
        RETURN NULL;                        -- dropped, detached, or itself partitioned
    END IF;
    root := pg_catalog.pg_partition_root(leaf);
    SELECT pg_catalog.string_agg(cbreturn._text('kind.' OPERATOR(pg_catalog.||) k.kind), cbreturn._text('list.separator') ORDER BY k.kind COLLATE "C"),
           (pg_catalog.array_agg(k.sibling ORDER BY k.kind COLLATE "C"))[1]
      INTO missing, sibling
      FROM (SELECT a.check_kind AS kind, pg_catalog.min(a.relation::pg_catalog.text)::pg_catalog.regclass AS sibling
              FROM cbreturn.attached_check a
             WHERE a.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import,status,header}'::text[])
               AND a.relation::pg_catalog.oid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(root) t
                                                    WHERE t.isleaf)
               AND a.relation OPERATOR(pg_catalog.<>) leaf
             GROUP BY a.check_kind) k
     -- a leaf carries its own checks and those of its partitioned ancestors
     -- (issue 12: attached once, on the parent)
     WHERE NOT EXISTS (SELECT FROM cbreturn.attached_check o
                        WHERE o.relation IN (SELECT pg_catalog.pg_partition_ancestors(leaf))
                          AND o.check_kind OPERATOR(pg_catalog.=) k.kind);
    IF missing IS NOT NULL THEN
        PERFORM cbreturn._error('attach.partition_unchecked', leaf::pg_catalog.text, root::pg_catalog.text,
                                missing, sibling::pg_catalog.text);
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._partition_check() FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._partition_check() IS
    'internal: deferred trigger of cbreturn.partition_pending: refuses (55000) a leaf partition that lacks a check or header another leaf of its partition tree carries';
CREATE CONSTRAINT TRIGGER cbreturn_partition_check AFTER INSERT ON cbreturn.partition_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cbreturn._partition_check();

CREATE FUNCTION cbreturn._ddl_moves_partitions(pg_catalog.pg_ddl_command) RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_ddl_moves_partitions' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._ddl_moves_partitions(pg_catalog.pg_ddl_command) IS
    'internal: whether a command an event trigger reports creates, attaches or detaches a partition';

CREATE FUNCTION cbreturn._ddl_attached_partitions(pg_catalog.pg_ddl_command)
    RETURNS TABLE (relid pg_catalog.oid)
    AS 'MODULE_PATHNAME', 'cbr_ddl_attached_partitions' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._ddl_attached_partitions(pg_catalog.pg_ddl_command) IS
    'internal: the tables an ALTER TABLE ... ATTACH PARTITION an event trigger reports attached';

CREATE FUNCTION cbreturn._follow_partitions() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- Only a command that puts a table into a partition tree or takes one
    -- out changes what the tree's leaves must carry.  Any other ALTER TABLE
    -- of a partition (pg_restore -j adds each partition's primary key in a
    -- worker of its own, holding that partition) must not look at the tree:
    -- pg_partition_tree locks every partition, and the workers would
    -- deadlock each other.
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() d
                    WHERE cbreturn._ddl_moves_partitions(d.command)) THEN
        RETURN;
    END IF;
    INSERT INTO cbreturn.partition_pending (relid)
    SELECT DISTINCT t.relid
      FROM (SELECT DISTINCT pg_catalog.pg_partition_root(d.objid) AS root
              FROM pg_catalog.pg_event_trigger_ddl_commands() d
              JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid
             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
               AND d.objsubid OPERATOR(pg_catalog.=) 0
               AND (c.relispartition OR c.relkind OPERATOR(pg_catalog.=) 'p')) r
      CROSS JOIN LATERAL pg_catalog.pg_partition_tree(r.root) t
     WHERE t.isleaf
       -- only trees in which a leaf carries a check or a header
       AND EXISTS (SELECT FROM cbreturn.attached_check a
                    WHERE a.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import,status,header}'::text[])
                      AND a.relation::pg_catalog.oid IN (SELECT s.relid FROM pg_catalog.pg_partition_tree(r.root) s));
    -- ATTACH PARTITION: the attached table's rows were written without the
    -- checks its new ancestors carry, so an export, import or status check
    -- marked validated there is so no longer (validate() checks them, as a
    -- VALID CHECK constraint would have; a quantity check counts them,
    -- cbreturn._quantity_follow_partitions).  Its rows are not looked into
    -- here (no one's policy runs with this function's rights): a partition
    -- made empty is made with CREATE TABLE ... PARTITION OF, which keeps it.
    UPDATE cbreturn.attached_check a SET validated_at = NULL
      FROM pg_catalog.pg_event_trigger_ddl_commands() d,
           LATERAL cbreturn._ddl_attached_partitions(d.command) p
     WHERE a.validated_at IS NOT NULL
       AND a.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import,status}'::text[])
       AND a.relation::pg_catalog.oid IN (SELECT pg_catalog.pg_partition_ancestors(p.relid));
    -- CREATE UNLOGGED TABLE ... PARTITION OF a table whose rows permanent
    -- returns name (42P16), as ALTER TABLE ... SET UNLOGGED and ATTACH
    -- PARTITION are refused (cbreturn._follow_alter_table)
    PERFORM cbreturn._refuse_unlogged(ARRAY(
        SELECT d.objid FROM pg_catalog.pg_event_trigger_ddl_commands() d
          JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid
         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
           AND d.objsubid OPERATOR(pg_catalog.=) 0
           AND c.relpersistence OPERATOR(pg_catalog.=) 'u'));
    -- a partition created or attached under a partitioned declaration header
    -- (issue 12) gets the header's TRUNCATE guard (the row guard is cloned)
    PERFORM cbreturn._header_truncate_guards(h.declared_relation)
       FROM (SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
              JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid
             WHERE a.check_kind OPERATOR(pg_catalog.=) 'header'
               AND c.relkind OPERATOR(pg_catalog.=) 'p'
               AND EXISTS (SELECT FROM pg_catalog.pg_trigger g
                            WHERE g.tgrelid OPERATOR(pg_catalog.=) c.oid
                              AND g.tgname OPERATOR(pg_catalog.=) 'cbreturn_header_guard')) h;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._follow_partitions() FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._follow_partitions() IS
    'internal: event trigger queueing the leaf partitions of checked partition trees that a partition created, attached or detached touched, for the check at commit; gives new partitions of a partitioned declaration header its TRUNCATE guard';
CREATE EVENT TRIGGER cbreturn_follow_partitions ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'CREATE FOREIGN TABLE', 'ALTER TABLE', 'ALTER FOREIGN TABLE', 'CREATE SCHEMA')
    EXECUTE FUNCTION cbreturn._follow_partitions();

-- ---------------------------------------------------------------------------
-- Comments on the internal helpers (every function of the extension has one)
-- ---------------------------------------------------------------------------
COMMENT ON FUNCTION cbreturn._owns(regclass) IS
    'internal: does the current role own (or belong to the owner of) the table; used by attach, detach and the row-level security of the quantity ledger';
COMMENT ON FUNCTION cbreturn._metadata_register(regclass, text, boolean, regclass, text[]) IS
    'internal: records an attached check as the metadata owner, after checking that the calling role owns the table and may read the declared table (docs/security.md)';
COMMENT ON FUNCTION cbreturn._metadata_column(regclass, text, text, regclass, name) IS
    'internal: records one column of an attached check as the metadata owner, after checking that the calling role owns the table or may SELECT the declared column (docs/security.md)';
COMMENT ON FUNCTION cbreturn._metadata_forget(regclass, text) IS
    'internal: removes the metadata of the checks of one kind (or all) on a table the calling role owns; returns how many checks (docs/security.md)';
COMMENT ON FUNCTION cbreturn._partition_covered(regclass, text) IS
    'internal: refuses to attach a check to a partition an ancestor''s check of the kind covers, or to a partitioned table a partition of which carries the kind itself';
COMMENT ON FUNCTION cbreturn._when_table(regclass) IS
    'internal: the first argument of the WHEN clause attach writes: the table''s OID, or NEW.tableoid on a partitioned table or a Citus table';
COMMENT ON FUNCTION cbreturn._drop_orphan_triggers(regclass, text) IS
    'internal: drops the triggers of a check whose metadata is missing (restored by pg_dump -n without the extension); used by attach and detach';
COMMENT ON FUNCTION cbreturn._refuse_generated(regclass, name[], text) IS
    'internal: refuses generated columns where a check runs in a BEFORE ROW trigger, which sees no generated value';
COMMENT ON FUNCTION cbreturn._attached_changed() IS
    'internal: statement trigger on the enforcement metadata that makes every session read the attached checks again (src/enforce/check_cache.c)';
COMMENT ON FUNCTION cbreturn._attached_column_resolve() IS
    'internal: derives column number and type from the column name when metadata is written (attach, pg_dump restore)';
COMMENT ON FUNCTION cbreturn._check_table(regclass, text) IS
    'internal: refuses a table that checks cannot be attached to (not an ordinary table, not owned by the caller)';
COMMENT ON FUNCTION cbreturn._attach_column(regclass, text, text, regclass, name, regtype[], text) IS
    'internal: validates and records one column of an attached check';
COMMENT ON FUNCTION cbreturn._new_column(name) IS
    'internal: one argument of the WHEN clause attach writes for a reading check, NEW."column" or NULL';
COMMENT ON FUNCTION cbreturn._export_row_ok(regclass, date, "any", date, "any", "any", "any", "any") IS
    'internal: WHEN clause of the reading export check; true when the row passes R-EX-1, R-EX-2 and R-EX-5, so that no trigger event is queued for it';
COMMENT ON FUNCTION cbreturn._import_row_ok(regclass, date, date, date) IS
    'internal: WHEN clause of the import check; true when the row passes R-IM-1, so that no trigger event is queued for it';
COMMENT ON FUNCTION cbreturn._export_row_ok(regclass, date, "any", date, "any", "any", "any", "any", "any", "any", date) IS
    'internal: WHEN clause of the reading export check; true when the row passes R-EX-1 (R-TX-2 for 1210), R-EX-2, R-EX-5, R-EX-6 and R-EX-4, so that no trigger event is queued for it';
COMMENT ON FUNCTION cbreturn._import_row_ok(regclass, date, date, date, "any", "any", "any", "any", "any", "any", "any") IS
    'internal: WHEN clause of the import check; true when the row passes R-IM-1 and the register rules attached (R-IM-5, R-IM-6, R-IM-7), so that no trigger event is queued for it';
COMMENT ON FUNCTION cbreturn._register(regclass, text, boolean, regclass, text[]) IS
    'internal: records an attached check and creates its trigger';
COMMENT ON FUNCTION cbreturn._follow_alter_table() IS
    'internal: event trigger keeping attached column names in step with RENAME and refusing DROP/TYPE changes of attached columns';
COMMENT ON FUNCTION cbreturn._follow_drop() IS
    'internal: event trigger removing the metadata of dropped tables';
