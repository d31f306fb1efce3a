-- Citus (docs/scale-out.md, "Policy and registers: one source of truth"):
-- the policy tables and the registers are edited on the coordinator, and
-- every worker answers from the same rows from its next transaction on.
--
-- How: cbreturn.citus_policy is a Citus reference table (one placement on
-- every node, written in the same distributed transaction, two-phase
-- commit) holding, per synced table, a snapshot of its rows as jsonb.
--
--   * on the coordinator, the statement trigger citus_policy_push on every
--     synced table writes the table's new snapshot into citus_policy, in the
--     transaction of the edit: the edit and its propagation commit or roll
--     back together;
--   * on every worker, the row trigger citus_policy_apply on the placement of
--     citus_policy (Citus creates a reference table's triggers on its
--     placements; cbreturn.citus_sync_policy() distributes it with
--     citus.enable_unsafe_triggers) replaces the worker's own rows of that
--     table with the snapshot; the statement triggers policy_changed then
--     tell the worker's sessions to reload, as for a local edit;
--   * on a worker, an edit of a synced table made by anyone else than the
--     apply trigger is refused (CB015): it would hold until the next edit on
--     the coordinator and answer differently meanwhile;
--   * a worker that has not applied every generation its placement of
--     citus_policy holds (the policy was never synced; the node joined, or
--     its placement was copied, since: Citus copies a reference table
--     without firing its triggers) refuses to build its policy cache
--     (CB015, src/policy/citus.c) rather than answer from the shipped rows,
--     until cbreturn.citus_sync_policy() runs again.
--
-- Nothing of this does anything until cbreturn.citus_sync_policy() has made
-- citus_policy a reference table: without Citus the triggers return at once.

CREATE TABLE cbreturn.citus_policy (
    table_name  text PRIMARY KEY
                CHECK (table_name IN ('districts', 'supervision_codes', 'tax_policy_periods',
                                      'rule_parameters', 'holidays', 'reason_labels', 'applicants',
                                      'return_sites', 'return_warehouses', 'operator_credit_ratings',
                                      'import_agents')),
    generation  bigint NOT NULL CHECK (generation > 0),
    rows        jsonb NOT NULL CHECK (pg_catalog.jsonb_typeof(rows) OPERATOR(pg_catalog.=) 'array')
);
COMMENT ON TABLE cbreturn.citus_policy IS
    'Citus: the coordinator''s rows of each policy table and register, as a reference table; its triggers apply them on every worker (docs/scale-out.md)';
REVOKE ALL ON cbreturn.citus_policy FROM PUBLIC;
GRANT SELECT ON cbreturn.citus_policy TO PUBLIC;

-- The generation of each table a worker has applied: its own, never
-- distributed (src/policy/citus.c compares it with the placement).
CREATE TABLE cbreturn.citus_policy_applied (
    table_name  text PRIMARY KEY,
    generation  bigint NOT NULL
);
COMMENT ON TABLE cbreturn.citus_policy_applied IS
    'Citus, on a worker: the generation of cbreturn.citus_policy each policy table and register was last replaced with (docs/scale-out.md)';
REVOKE ALL ON cbreturn.citus_policy_applied FROM PUBLIC;
GRANT SELECT ON cbreturn.citus_policy_applied TO PUBLIC;

-- This node's role: 'off' (no Citus, or cbreturn.citus_policy not yet a
-- reference table), 'coordinator', or 'worker'.
CREATE FUNCTION cbreturn._citus_policy_role() RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    distributed boolean;
    grp integer;
BEGIN
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NULL
       OR pg_catalog.to_regclass('pg_catalog.pg_dist_local_group') IS NULL THEN
        RETURN 'off';
    END IF;
    -- dynamic SQL: the Citus catalogues need not exist when this is planned
    EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition p
                             WHERE p.logicalrelid OPERATOR(pg_catalog.=) ''cbreturn.citus_policy''::pg_catalog.regclass)'
        INTO distributed;
    IF NOT distributed THEN
        RETURN 'off';
    END IF;
    EXECUTE 'SELECT groupid FROM pg_catalog.pg_dist_local_group' INTO grp;
    RETURN CASE WHEN grp OPERATOR(pg_catalog.=) 0 THEN 'coordinator' ELSE 'worker' END;
END
$$;
COMMENT ON FUNCTION cbreturn._citus_policy_role() IS
    'internal: off, coordinator or worker: what this node does with the policy under Citus (docs/scale-out.md)';

-- The snapshot of one synced table, as citus_policy holds it.
CREATE FUNCTION cbreturn._citus_policy_rows(table_name text) RETURNS jsonb
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r jsonb;
BEGIN
    EXECUTE pg_catalog.format('SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(t)), ''[]'')
                                 FROM cbreturn.%I AS t', table_name) INTO r;
    RETURN r;
END
$$;

COMMENT ON FUNCTION cbreturn._citus_policy_rows(text) IS
    'internal: the rows of a policy table or register as a jsonb array, as cbreturn.citus_policy holds them (docs/scale-out.md)';

-- Statement trigger on every synced table (below).
CREATE FUNCTION cbreturn._citus_policy_push() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    role text := cbreturn._citus_policy_role();
BEGIN
    IF role OPERATOR(pg_catalog.=) 'coordinator' THEN
        -- A Citus DML on a reference table: every placement, this transaction.
        INSERT INTO cbreturn.citus_policy AS c (table_name, generation, rows)
        VALUES (TG_TABLE_NAME, 1, cbreturn._citus_policy_rows(TG_TABLE_NAME))
        ON CONFLICT (table_name) DO UPDATE
            SET generation = c.generation OPERATOR(pg_catalog.+) 1, rows = EXCLUDED.rows;
    ELSIF role OPERATOR(pg_catalog.=) 'worker'
          AND pg_catalog.current_setting('cbreturn.citus_applying', true) IS DISTINCT FROM 'on'
          AND pg_catalog.current_setting('cbreturn.loading_policy', true) IS DISTINCT FROM 'on' THEN
        PERFORM cbreturn._error('citus.policy_on_worker', pg_catalog.format('%I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cbreturn._citus_policy_push() IS
    'internal: statement trigger on the policy tables and registers: on a Citus coordinator, writes the new rows to every worker in the same transaction; on a worker, refuses a local edit (docs/scale-out.md)';

-- Row trigger on cbreturn.citus_policy, fired on each placement.
CREATE FUNCTION cbreturn._citus_policy_apply() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    grp integer;
    cols text;
    applying text := pg_catalog.current_setting('cbreturn.citus_applying', true);
    loading text := pg_catalog.current_setting('cbreturn.loading_policy', true);
BEGIN
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_local_group') IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT groupid FROM pg_catalog.pg_dist_local_group' INTO grp;
    -- The coordinator holds the rows themselves: its placement is a copy.
    IF grp OPERATOR(pg_catalog.=) 0 THEN
        RETURN NULL;
    END IF;
    -- Every column a row can be given (not a generated one), by name.
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
      INTO cols
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid OPERATOR(pg_catalog.=) pg_catalog.format('cbreturn.%I', NEW.table_name)::pg_catalog.regclass
       AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped AND a.attgenerated OPERATOR(pg_catalog.=) '';
    -- citus_applying: the worker's own guard lets this edit through;
    -- loading_policy: policy_row_guard keeps the coordinator's "shipped".
    PERFORM pg_catalog.set_config('cbreturn.citus_applying', 'on', true),
            pg_catalog.set_config('cbreturn.loading_policy', 'on', true);
    EXECUTE pg_catalog.format('DELETE FROM cbreturn.%I', NEW.table_name);
    EXECUTE pg_catalog.format('INSERT INTO cbreturn.%1$I (%2$s) SELECT %2$s FROM pg_catalog.jsonb_populate_recordset(NULL::cbreturn.%1$I, $1)',
                              NEW.table_name, cols)
        USING NEW.rows;
    INSERT INTO cbreturn.citus_policy_applied AS a (table_name, generation)
    VALUES (NEW.table_name, NEW.generation)
    ON CONFLICT (table_name) DO UPDATE SET generation = EXCLUDED.generation;
    PERFORM pg_catalog.set_config('cbreturn.citus_applying', COALESCE(applying, ''), true),
            pg_catalog.set_config('cbreturn.loading_policy', COALESCE(loading, ''), true);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cbreturn._citus_policy_apply() IS
    'internal: row trigger on cbreturn.citus_policy: on a Citus worker, replaces the rows of the table named with the coordinator''s (docs/scale-out.md)';

CREATE TRIGGER citus_policy_apply AFTER INSERT OR UPDATE ON cbreturn.citus_policy
    FOR EACH ROW EXECUTE FUNCTION cbreturn._citus_policy_apply();

CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.districts
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.supervision_codes
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.tax_policy_periods
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.rule_parameters
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.holidays
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.reason_labels
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.applicants
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.return_sites
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.return_warehouses
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.operator_credit_ratings
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();
CREATE TRIGGER citus_policy_push AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cbreturn.import_agents
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._citus_policy_push();

-- Run once on the coordinator after CREATE EXTENSION on the cluster (again
-- after adding a worker, or ALTER EXTENSION UPDATE): makes citus_policy a
-- reference table if it is not one, copies it to every node, and writes the
-- coordinator's rows of every synced table to every worker.
CREATE FUNCTION cbreturn.citus_sync_policy()
    RETURNS TABLE (table_name text, generation bigint, row_count integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t text;
BEGIN
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_local_group') IS NULL THEN
        PERFORM cbreturn._error('citus.sync_no_citus');
    END IF;
    IF cbreturn._citus_policy_role() OPERATOR(pg_catalog.=) 'worker' THEN
        PERFORM cbreturn._error('citus.sync_on_worker');
    END IF;
    IF cbreturn._citus_policy_role() OPERATOR(pg_catalog.=) 'off' THEN
        EXECUTE 'SELECT groupid OPERATOR(pg_catalog.<>) 0 FROM pg_catalog.pg_dist_local_group' INTO t;
        IF t::boolean THEN
            PERFORM cbreturn._error('citus.sync_on_worker');
        END IF;
        -- Citus carries a reference table's triggers to its placements only
        -- under this setting; the triggers of citus_policy are cbreturn's own.
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
        EXECUTE 'SELECT pg_catalog.create_reference_table(''cbreturn.citus_policy'')';
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'off', true);
    END IF;
    EXECUTE 'SELECT pg_catalog.replicate_reference_tables(''block_writes'')';
    FOREACH t IN ARRAY ARRAY['districts', 'supervision_codes', 'tax_policy_periods', 'rule_parameters',
                             'holidays', 'reason_labels', 'applicants', 'return_sites',
                             'return_warehouses', 'operator_credit_ratings', 'import_agents']
    LOOP
        INSERT INTO cbreturn.citus_policy AS c (table_name, generation, rows)
        VALUES (t, 1, cbreturn._citus_policy_rows(t))
        ON CONFLICT ON CONSTRAINT citus_policy_pkey DO UPDATE
            SET generation = c.generation OPERATOR(pg_catalog.+) 1, rows = EXCLUDED.rows
        RETURNING c.table_name, c.generation, pg_catalog.jsonb_array_length(c.rows)
        INTO table_name, generation, row_count;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION cbreturn.citus_sync_policy() IS
    'Citus, on the coordinator: makes the policy tables and registers one source of truth (every worker answers from the coordinator''s rows; docs/scale-out.md); run after CREATE EXTENSION, after adding a worker and after ALTER EXTENSION UPDATE';
REVOKE ALL ON FUNCTION cbreturn.citus_sync_policy() FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Write-time checks on Citus tables (docs/scale-out.md, "Write-time checks on
-- Citus tables"; src/enforce/distributed.c).  Citus carries a distributed
-- table's triggers to every shard by the text of their definition, when the
-- trigger is created and whenever a shard is moved, split or copied.  So the
-- export, import and status checks of a Citus table name nothing by OID:
-- their trigger's arguments are the columns by role (each shard resolves the
-- names on itself) and the WHEN clause passes NEW.tableoid.
-- ---------------------------------------------------------------------------

-- The arguments of the trigger of a check of kind on rel: '' for a table
-- Citus does not know (its check reads the metadata); on a Citus table
-- 'cbreturn:1', then pairs of a role and its column's name, 'fill_remarks'
-- and the status labels ('label', in stage order), as string literals.
CREATE FUNCTION cbreturn._check_trigger_args(rel regclass, kind text) RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    args text;
BEGIN
    IF NOT cbreturn._citus_table(rel) THEN
        RETURN '';
    END IF;
    SELECT pg_catalog.string_agg(pg_catalog.format('%L, %L', c.role, c.column_name), ', ' ORDER BY c.role)
      INTO args
      FROM cbreturn.attached_column c
     WHERE c.relation OPERATOR(pg_catalog.=) rel AND c.check_kind OPERATOR(pg_catalog.=) kind
       AND c.column_relation OPERATOR(pg_catalog.=) rel;
    SELECT pg_catalog.concat_ws(', ', '''cbreturn:1''', args,
                                CASE WHEN k.fill_remarks THEN '''fill_remarks'', ''true''' END,
                                (SELECT pg_catalog.string_agg(pg_catalog.format('''label'', %L', l.l), ', '
                                                              ORDER BY l.n)
                                   FROM pg_catalog.unnest(k.status_labels) WITH ORDINALITY l(l, n)))
      INTO args
      FROM cbreturn.attached_check k
     WHERE k.relation OPERATOR(pg_catalog.=) rel AND k.check_kind OPERATOR(pg_catalog.=) kind;
    RETURN args;
END
$$;
COMMENT ON FUNCTION cbreturn._check_trigger_args(regclass, text) IS
    'internal: the trigger arguments of a check on a Citus table, its columns by name (docs/scale-out.md)';

-- Run a CREATE or DROP TRIGGER of a check on rel; on a Citus table with
-- citus.enable_unsafe_triggers on for that statement only, so that Citus
-- carries it to every shard (the triggers are cbreturn's own).
CREATE FUNCTION cbreturn._trigger_ddl(rel regclass, ddl text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    was text;
BEGIN
    IF NOT cbreturn._citus_table(rel) THEN
        EXECUTE ddl;
        RETURN;
    END IF;
    was := pg_catalog.current_setting('citus.enable_unsafe_triggers');
    PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
    EXECUTE ddl;
    PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', was, true);
END
$$;
COMMENT ON FUNCTION cbreturn._trigger_ddl(regclass, text) IS
    'internal: CREATE or DROP TRIGGER of a check, carried by Citus to every shard of a Citus table (docs/scale-out.md)';
