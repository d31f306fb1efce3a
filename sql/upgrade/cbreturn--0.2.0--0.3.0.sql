-- cbreturn 0.2.0 -> 0.3.0.  Run by ALTER EXTENSION cbreturn UPDATE; attached
-- checks (their triggers and metadata) are kept.  Each section below names the
-- change it carries; test/checks/upgrade.sh requires the result to equal a
-- fresh 0.3.0 install, from 0.2.0 and from 0.1.0 alike.
\echo Use "ALTER EXTENSION cbreturn UPDATE" to load this file. \quit

-- ==== Chinese messages for clerks and DBAs (issue 13) ====
-- The RAISEs of attach, detach, the metadata triggers, the quantity check
-- and the register lookups go through cbreturn._error, so a zh_CN session
-- reads them in Chinese (docs/i18n.md).
CREATE OR REPLACE FUNCTION cbreturn._attached_column_resolve() RETURNS trigger
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

CREATE OR REPLACE FUNCTION cbreturn._check_table(rel regclass, what text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kind "char";
    persistence "char";
    said text := CASE what WHEN 'table' THEN cbreturn._text('the_table')
                           WHEN 'returns table' THEN cbreturn._text('the_returns_table')
                           WHEN 'declared table' THEN cbreturn._text('the_declared_table')
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
    -- A quantity check covers a partitioned returns table from its parent
    -- (R-EX-3, R-IM-2: the limit holds over every partition).
    IF kind OPERATOR(pg_catalog.=) 'p' AND what OPERATOR(pg_catalog.=) 'returns table' THEN
        NULL;
    ELSIF kind OPERATOR(pg_catalog.=) 'p' THEN
        PERFORM cbreturn._error('attach.partitioned', said, rel::pg_catalog.text);
    ELSIF kind OPERATOR(pg_catalog.<>) 'r' THEN
        PERFORM cbreturn._error('attach.not_table', said, rel::pg_catalog.text);
    END IF;
    IF NOT cbreturn._owns(rel) THEN
        PERFORM cbreturn._error('attach.not_owner', rel::pg_catalog.text);
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
        PERFORM cbreturn._error('attach.generated', g::pg_catalog.text, rel::pg_catalog.text, meaning);
    END IF;
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
        PERFORM cbreturn._error('attach.already_attached', kind, rel::pg_catalog.text,
                                pg_catalog.quote_literal(rel::pg_catalog.text), pg_catalog.quote_literal(kind));
    END IF;
    PERFORM cbreturn._drop_orphan_triggers(rel, kind);
    PERFORM cbreturn._metadata_register(rel, kind, fill, declared, labels);
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
       OR (SELECT pg_catalog.count(DISTINCT l) FROM pg_catalog.unnest(labels) l
            WHERE pg_catalog.btrim(l) OPERATOR(pg_catalog.<>) '') <> 7 THEN
        PERFORM cbreturn._error('attach.status_labels');
    END IF;
    PERFORM cbreturn._register("table", 'status', false, NULL, labels);
    PERFORM cbreturn._attach_column("table", 'status', 'status', "table", status,
        ARRAY['text', 'character varying', 'character', 'name']::regtype[] ||
        (SELECT pg_catalog.array_agg(ty.oid::regtype) FROM pg_catalog.pg_type ty
          WHERE ty.oid OPERATOR(pg_catalog.=) (SELECT att.atttypid FROM pg_catalog.pg_attribute att
                                WHERE att.attrelid OPERATOR(pg_catalog.=) "table"
                                  AND att.attname OPERATOR(pg_catalog.=) status)
            AND ty.typtype OPERATOR(pg_catalog.=) 'e'),
        cbreturn._text('role.status'));
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
    -- (a quantity check may be attached to a partitioned returns table)
    PERFORM cbreturn._check_table("table", 'returns table');
    IF check_kind IS NOT NULL AND check_kind NOT IN ('export', 'import', 'quantity', 'status') THEN
        PERFORM cbreturn._error('attach.unknown_kind', check_kind);
    END IF;
    FOR k IN SELECT * FROM cbreturn.attached_check a
              WHERE a.relation OPERATOR(pg_catalog.=) "table"
                AND (detach.check_kind IS NULL OR a.check_kind OPERATOR(pg_catalog.=) detach.check_kind)
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS %I ON %s', 'cbreturn_' || k.check_kind || '_check', "table");
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
    IF n = 0 AND check_kind IS NULL THEN
        PERFORM cbreturn._error('detach.not_attached', "table"::pg_catalog.text);
    ELSIF n = 0 THEN
        PERFORM cbreturn._error('detach.kind_not_attached', check_kind, "table"::pg_catalog.text);
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
        PERFORM cbreturn._error(CASE WHEN c.attisdropped THEN 'attach.column_in_use'
                                     ELSE 'attach.column_type_in_use' END,
                                c.column_name::pg_catalog.text, c.column_relation::pg_catalog.text,
                                c.check_kind, c.relation::pg_catalog.text,
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

CREATE OR REPLACE FUNCTION cbreturn._follow_drop() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    gone oid[];
    k record;
BEGIN
    SELECT pg_catalog.array_agg(d.objid) INTO gone
      FROM pg_catalog.pg_event_trigger_dropped_objects() d
     WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
       AND d.objsubid OPERATOR(pg_catalog.=) 0;
    IF gone IS NULL THEN
        RETURN;
    END IF;
    -- A declared-lines table cannot go while a returns table still counts on it.
    FOR k IN SELECT a.relation, d.object_identity
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
        PERFORM cbreturn._error('attach.declared_in_use', k.object_identity, k.relation::pg_catalog.text,
                                pg_catalog.quote_literal(k.relation::pg_catalog.text),
                                pg_catalog.quote_literal('quantity'));
    END LOOP;
    -- R-EX-3: the quantity ledger follows (sql/55_enforce_quantity.sql)
    PERFORM cbreturn._quantity_after_drop(gone);
    DELETE FROM cbreturn.attached_column c WHERE c.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone);
    DELETE FROM cbreturn.attached_check a WHERE a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone);
END
$$;

CREATE OR REPLACE FUNCTION cbreturn.declared_truncate_guard() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT FROM cbreturn.quantity_ledger l
                WHERE l.declared_relation OPERATOR(pg_catalog.=) TG_RELID::pg_catalog.regclass
                  AND l.return_rows OPERATOR(pg_catalog.>) 0) THEN
        PERFORM cbreturn._error('quantity.truncate_declared', TG_RELID::pg_catalog.regclass::pg_catalog.text);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION cbreturn.attach_quantity_check(
    "table"             regclass,
    line                name[],
    quantity            name,
    declared_table      regclass,
    declared_line       name[],
    declared_quantity   name)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    quantities regtype[] := ARRAY['smallint', 'integer', 'bigint', 'numeric']::regtype[];
    n int;
    i int;
    t1 regtype;
    t2 regtype;
    other record;
    p record;
BEGIN
    -- A partitioned returns table is attached once, on its parent: the row
    -- trigger is cloned to every partition, those created later included.
    PERFORM cbreturn._check_table("table", 'returns table');
    PERFORM cbreturn._check_table(declared_table, 'declared table');
    IF "table" OPERATOR(pg_catalog.=) declared_table THEN
        PERFORM cbreturn._error('attach.quantity_same_table');
    END IF;
    IF EXISTS (SELECT FROM cbreturn.attached_check a
                WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                  AND (a.relation::pg_catalog.oid IN (SELECT pg_catalog.pg_partition_ancestors("table"))
                       OR a.relation::pg_catalog.oid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree("table") t))
                  AND a.relation OPERATOR(pg_catalog.<>) "table") THEN
        PERFORM cbreturn._error('attach.quantity_partition_attached', "table"::pg_catalog.text);
    END IF;
    n := pg_catalog.cardinality(line);
    IF n IS NULL OR n = 0 OR n > 8 OR n IS DISTINCT FROM pg_catalog.cardinality(declared_line) THEN
        PERFORM cbreturn._error('attach.quantity_key_count');
    END IF;
    PERFORM cbreturn._register("table", 'quantity', false, declared_table);
    FOR i IN 1 .. n LOOP
        PERFORM cbreturn._attach_column("table", 'quantity', 'line_' || i, "table", line[i], NULL,
                                        cbreturn._text('role.line_key'));
        PERFORM cbreturn._attach_column("table", 'quantity', 'declared_line_' || i, declared_table,
                                        declared_line[i], NULL, cbreturn._text('role.declared_line_key'));
        SELECT c.column_type INTO t1 FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) ('line_' || i);
        SELECT c.column_type INTO t2 FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) ('declared_line_' || i);
        IF t1 OPERATOR(pg_catalog.<>) t2 THEN
            PERFORM cbreturn._error('attach.quantity_key_types', line[i]::pg_catalog.text, t1::pg_catalog.text,
                                    declared_line[i]::pg_catalog.text, t2::pg_catalog.text);
        END IF;
        -- the line is found with the key type's own equality (R-EX-3): a
        -- type without a default btree equality cannot name a line
        IF cbreturn._eq_operator(t2) IS NULL THEN
            PERFORM cbreturn._error('attach.key_no_equality', declared_line[i]::pg_catalog.text, t2::pg_catalog.text);
        END IF;
    END LOOP;
    PERFORM cbreturn._attach_column("table", 'quantity', 'quantity', "table", quantity, quantities,
                                    cbreturn._text('role.quantity'));
    PERFORM cbreturn._attach_column("table", 'quantity', 'declared_quantity', declared_table,
                                    declared_quantity, quantities, cbreturn._text('role.declared_quantity'));
    -- R-EX-3: a line is found as a foreign key finds it (unique constraint,
    -- the key types' equality) and read as the declared table's owner may.
    PERFORM cbreturn._quantity_validate_declared(declared_table, declared_line, declared_quantity);
    -- Every returns table of one declared table counts in one ledger row per
    -- line: they must name the same declared key and quantity.
    SELECT a.relation INTO other FROM cbreturn.attached_check a
     WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity' AND a.declared_relation OPERATOR(pg_catalog.=) declared_table
       AND a.relation OPERATOR(pg_catalog.<>) "table"
       AND (cbreturn._quantity_columns(a.relation, 'declared_line_') IS DISTINCT FROM declared_line
            OR (SELECT c.column_name FROM cbreturn.attached_column c
                 WHERE c.relation OPERATOR(pg_catalog.=) a.relation AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
                   AND c.role OPERATOR(pg_catalog.=) 'declared_quantity') IS DISTINCT FROM declared_quantity)
     LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('attach.quantity_declared_columns', other.relation::pg_catalog.text,
                                declared_table::pg_catalog.text);
    END IF;

    -- One grouped pass over every return of the declared table (existing
    -- over-returns and returns naming no line are refused, not accepted).
    PERFORM cbreturn._quantity_rebuild(declared_table, '{}');

    EXECUTE pg_catalog.format(
        'CREATE TRIGGER cbreturn_quantity_check AFTER INSERT OR UPDATE OR DELETE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION cbreturn.quantity_check()', "table");
    -- (pg_partition_tree lists no row for a table that is not partitioned)
    FOR p IN SELECT "table"::pg_catalog.regclass AS relid
             UNION SELECT t.relid FROM pg_catalog.pg_partition_tree("table") t LOOP
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_quantity_truncate AFTER TRUNCATE ON %s '
            'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.quantity_truncate()', p.relid);
    END LOOP;
    -- One guard per declared table serves every quantity check that uses it.
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
                    WHERE t.tgrelid OPERATOR(pg_catalog.=) declared_table
                      AND t.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_guard') THEN
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_quantity_guard BEFORE UPDATE OR DELETE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION cbreturn.declared_quantity_guard()', declared_table);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_quantity_truncate_guard BEFORE TRUNCATE ON %s '
            'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.declared_truncate_guard()', declared_table);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION cbreturn.register_date_guard(on_date date, fn text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT pg_catalog.isfinite(on_date) THEN
        PERFORM cbreturn._error('registers.infinite_date', on_date::pg_catalog.text, fn);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION cbreturn.import_arrival_place_verdict(code cbreturn.supervision_code, original_place text,
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

-- Labels for people (docs/i18n.md, "Labels"): what a report shows for a value
-- of cbreturn's enums, a status of return_status and a stage of rules
-- section 6, in the session's language.  The values stay what programs
-- compare; STABLE, as the answer follows lc_messages and cbreturn.language.
CREATE FUNCTION cbreturn.label(value anyenum)
RETURNS text
AS 'MODULE_PATHNAME', 'cbreturn_enum_label'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.label(anyenum) IS
    'the label for people of a value of return_reason, return_site_kind, customs_credit_rating or import_agent_role, in the session''s language (滞销退运（ZXTY） for unsold under zh_CN)';

CREATE FUNCTION cbreturn.return_status_label(status text)
RETURNS text
AS 'MODULE_PATHNAME', 'cbreturn_return_status_label'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.return_status_label(text) IS
    'the label for people of a status of return_status (open, due_soon, overdue, closed_on_time, closed_late), in the session''s language';

CREATE FUNCTION cbreturn.stage_label(stage text)
RETURNS text
AS 'MODULE_PATHNAME', 'cbreturn_stage_label'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.stage_label(text) IS
    'the label for people of a stage of rules section 6 (registered … rejected), in the session''s language';

-- ==== Record mode, ordinary returns, existing rows (issue 12) ====
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
       k.on_violation,
       k.ordinary_values,
       k.validated_at
  FROM cbreturn.attached_check k
  LEFT JOIN pg_catalog.pg_trigger t
    ON t.tgrelid OPERATOR(pg_catalog.=) k.relation
   AND t.tgname OPERATOR(pg_catalog.=) ('cbreturn_' || k.check_kind || '_check');
