-- The quantity check on Citus tables (docs/scale-out.md, "The quantity check
-- on Citus tables"; src/enforce/quantity_citus.c).  R-EX-3, R-IM-2 on every
-- shard, with no ledger: the returns and their declared lines are
-- distributed on the same key column of the line and co-located, so a
-- line's returns are in the returns shard of its shard group; each write
-- that makes a line grow locks the declared row in the co-located declared
-- shard and counts the line's returns there.  The triggers name the other
-- table and the columns in their arguments, never an OID, and Citus carries
-- them to every shard, through moves, splits and new workers.

CREATE FUNCTION cbreturn._quantity_check_citus() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_quantity_check_citus' LANGUAGE C;
COMMENT ON FUNCTION cbreturn._quantity_check_citus() IS
    'internal: the quantity check (R-EX-3, R-IM-2) on the shards of a Citus returns table: locks the declared line in the co-located shard and counts its returns';
CREATE FUNCTION cbreturn._quantity_guard_citus() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_quantity_guard_citus' LANGUAGE C;
COMMENT ON FUNCTION cbreturn._quantity_guard_citus() IS
    'internal: the declared-line guard (R-EX-3, R-IM-2) on the shards of a Citus declared-lines table';

-- TRUNCATE of a Citus declared table (issue 9, item 8): refused while
-- returns are counted against its lines, as on one server.  Citus fires a
-- TRUNCATE trigger of a distributed table on the node where the statement
-- runs (it creates none on the shards), so this one guard, with the
-- returns table and the line columns in its arguments (as the guard's,
-- cbreturn._quantity_citus_args), serves the coordinator and any node with
-- the metadata.  It locks the returns table against writes (LOCK, which
-- Citus takes on every node), so a return being written has committed and
-- none comes meanwhile, and then looks for a return naming a line with one
-- co-located join on the workers.  Under REPEATABLE READ or SERIALIZABLE a
-- worker may answer with a snapshot older than such a commit: refused
-- (CB015), never decided on what it cannot see.  It runs with the rights
-- of the role that truncates, not the extension owner's: its arguments are
-- a trigger's, which any role may write on a table of its own, and could
-- name a view; that role must be allowed to lock and read the returns table
-- (42501 otherwise: refused, never let through).  It says only whether a
-- return names a line, never a value.
CREATE FUNCTION cbreturn._quantity_citus_truncate_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    returns_table regclass;
    cond text;
    named boolean;
BEGIN
    -- A copy on a shard: Citus copies a distributed table's triggers, this
    -- one too, to the shards it creates when it moves or splits them, named
    -- with the shard id appended.  A shard is truncated by Citus for a
    -- TRUNCATE of the distributed table, checked where that ran.
    IF TG_NAME OPERATOR(pg_catalog.<>) 'cbreturn_quantity_truncate_guard' THEN
        RETURN NULL;
    END IF;
    IF TG_NARGS OPERATOR(pg_catalog.<) 6 OR TG_ARGV[0] OPERATOR(pg_catalog.<>) 'cbreturn:1' THEN
        PERFORM cbreturn._error('citus.quantity_truncate_trigger', TG_RELID::pg_catalog.regclass::pg_catalog.text);
    END IF;
    -- 42P01 when the returns table is gone or renamed: refused, never let through
    returns_table := TG_ARGV[1]::pg_catalog.regclass;
    IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.<>) 'read committed' THEN
        PERFORM cbreturn._error('citus.quantity_truncate_isolation', TG_RELID::pg_catalog.regclass::pg_catalog.text,
                                pg_catalog.upper(pg_catalog.current_setting('transaction_isolation')),
                                returns_table::pg_catalog.text);
    END IF;
    EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE MODE', returns_table);
    SELECT pg_catalog.string_agg(pg_catalog.format('r.%I %s d.%I', TG_ARGV[i],
                                                   cbreturn._eq_operator(a.atttypid::pg_catalog.regtype),
                                                   TG_ARGV[i OPERATOR(pg_catalog.+) 1]), ' AND ')
      INTO cond
      FROM pg_catalog.generate_series(4, TG_NARGS OPERATOR(pg_catalog.-) 2, 2) i
      JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) TG_RELID
                                    AND a.attname OPERATOR(pg_catalog.=) TG_ARGV[i OPERATOR(pg_catalog.+) 1]
                                    AND NOT a.attisdropped;
    IF cond IS NULL THEN
        PERFORM cbreturn._error('citus.quantity_truncate_trigger', TG_RELID::pg_catalog.regclass::pg_catalog.text);
    END IF;
    -- (a target list: Citus plans a query with none wrongly; LIMIT 1, which
    -- Citus pushes to each shard, so no more than a row a shard comes back)
    EXECUTE pg_catalog.format('SELECT EXISTS (SELECT 1 FROM %s r JOIN %s d ON %s LIMIT 1)',
                              returns_table, TG_RELID::pg_catalog.regclass, cond)
       INTO named;
    IF named THEN
        PERFORM cbreturn._error('quantity.truncate_declared', TG_RELID::pg_catalog.regclass::pg_catalog.text);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_truncate_guard() IS
    'internal: BEFORE TRUNCATE trigger of a Citus declared-lines table: refused while returns are counted against its lines (R-EX-3, R-IM-2), and under REPEATABLE READ or SERIALIZABLE (CB015)';

-- The distribution column of a Citus table (NULL for a reference table).
CREATE FUNCTION cbreturn._citus_distribution_column(rel regclass) RETURNS name
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    col name;
BEGIN
    -- dynamic SQL: the Citus catalogue need not exist when this is planned
    EXECUTE 'SELECT pg_catalog.column_to_column_name(p.logicalrelid, p.partkey)
               FROM pg_catalog.pg_dist_partition p
              WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1 AND p.partkey IS NOT NULL'
       INTO col USING rel;
    RETURN col;
END
$$;
COMMENT ON FUNCTION cbreturn._citus_distribution_column(regclass) IS
    'internal: the distribution column of a Citus table';

-- The arguments of the two triggers: 'cbreturn:1', the other table, the
-- returns' quantity column, the declared quantity column, then per line key
-- its column in the returns and in the declared table.
CREATE FUNCTION cbreturn._quantity_citus_args(other regclass, line name[], quantity name,
                                              declared_line name[], declared_quantity name) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.concat_ws(', ', '''cbreturn:1''', pg_catalog.quote_literal(other::pg_catalog.text),
                                pg_catalog.quote_literal(quantity), pg_catalog.quote_literal(declared_quantity),
                                (SELECT pg_catalog.string_agg(pg_catalog.format('%L, %L', line[i], declared_line[i]), ', ' ORDER BY i)
                                   FROM pg_catalog.generate_subscripts(line, 1) i))
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_args(regclass, name[], name, name[], name) IS
    'internal: the trigger arguments of the quantity check and guard on Citus tables, columns by name';

-- Attach on Citus tables (called by attach_quantity_check once the columns
-- are validated and recorded, with the tables' co-location checked by
-- cbreturn._register): what the shards need, the triggers, then the existing
-- returns counted (cbreturn._quantity_rebuild, which refuses an over-return).
CREATE FUNCTION cbreturn._quantity_citus_attach("table" regclass, line name[], quantity name,
                                                declared_table regclass, declared_line name[],
                                                declared_quantity name, status_column name) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rcol name := cbreturn._citus_distribution_column("table");
    dcol name := cbreturn._citus_distribution_column(declared_table);
    other regclass;
BEGIN
    IF status_column IS NOT NULL THEN
        PERFORM cbreturn._error('citus.quantity_status', "table"::pg_catalog.text);
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_class c
                WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY["table", declared_table]::pg_catalog.oid[])
                  AND c.relkind OPERATOR(pg_catalog.=) 'p') THEN
        PERFORM cbreturn._error('citus.quantity_partitioned',
                                (SELECT c.oid::pg_catalog.regclass::pg_catalog.text FROM pg_catalog.pg_class c
                                  WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY["table", declared_table]::pg_catalog.oid[])
                                    AND c.relkind OPERATOR(pg_catalog.=) 'p' LIMIT 1));
    END IF;
    -- R-EX-3: a line's returns are on its shard only when both tables are
    -- distributed on the same column of the line's key
    IF rcol IS NULL OR dcol IS NULL
       OR NOT EXISTS (SELECT FROM pg_catalog.generate_subscripts(line, 1) i
                       WHERE line[i] OPERATOR(pg_catalog.=) rcol AND declared_line[i] OPERATOR(pg_catalog.=) dcol) THEN
        PERFORM cbreturn._error('citus.quantity_key', "table"::pg_catalog.text, declared_table::pg_catalog.text,
                                pg_catalog.array_to_string(line, ', '));
    END IF;
    SELECT a.relation INTO other FROM cbreturn.attached_check a
     WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
       AND a.declared_relation OPERATOR(pg_catalog.=) declared_table
       AND a.relation OPERATOR(pg_catalog.<>) "table";
    IF other IS NOT NULL THEN
        PERFORM cbreturn._error('citus.quantity_one_returns_table', declared_table::pg_catalog.text,
                                other::pg_catalog.text);
    END IF;
    -- each write sums the line's returns through an index (never a scan)
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_index x
                    JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=)
                         (SELECT c.relam FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) x.indexrelid)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) x.indrelid
                                                  AND a.attnum OPERATOR(pg_catalog.=) x.indkey[0]
                   WHERE x.indrelid OPERATOR(pg_catalog.=) "table" AND x.indisvalid AND x.indpred IS NULL
                     AND am.amname OPERATOR(pg_catalog.=) 'btree'
                     AND a.attname OPERATOR(pg_catalog.=) ANY (line)) THEN
        PERFORM cbreturn._error('citus.quantity_no_index', "table"::pg_catalog.text,
                                pg_catalog.array_to_string(line, ', '));
    END IF;
    PERFORM cbreturn._trigger_ddl("table", pg_catalog.format(
        'CREATE TRIGGER cbreturn_quantity_check AFTER INSERT OR UPDATE OR DELETE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION cbreturn._quantity_check_citus(%s)', "table",
        cbreturn._quantity_citus_args(declared_table, line, quantity, declared_line, declared_quantity)));
    PERFORM cbreturn._trigger_ddl(declared_table, pg_catalog.format(
        'CREATE TRIGGER cbreturn_quantity_guard BEFORE INSERT OR UPDATE OR DELETE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION cbreturn._quantity_guard_citus(%s)', declared_table,
        cbreturn._quantity_citus_args("table", line, quantity, declared_line, declared_quantity)));
    PERFORM cbreturn._trigger_ddl(declared_table, pg_catalog.format(
        'CREATE TRIGGER cbreturn_quantity_truncate_guard BEFORE TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._quantity_citus_truncate_guard(%s)', declared_table,
        cbreturn._quantity_citus_args("table", line, quantity, declared_line, declared_quantity)));
    -- the triggers' locks on every shard keep writers out until commit, so
    -- the count sees every return there is
    PERFORM cbreturn._quantity_rebuild(declared_table, '{}');
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_attach(regclass, name[], name, regclass, name[], name, name) IS
    'internal: the quantity check on co-located Citus tables: checks the distribution, creates the triggers the shards carry, counts the existing returns';

-- The copies of the TRUNCATE guard of a Citus declared table on its shards
-- (made by Citus when it moves or splits a shard), dropped with the guard:
-- Citus carries no DROP of a TRUNCATE trigger to the shards.  Run on the
-- shards' nodes by run_command_on_shards, in connections of their own,
-- before this transaction locks any shard of the table; should it hold one
-- already (a write to the tables earlier in the transaction), the drop
-- gives up after lock_timeout (2 s) rather than wait for this transaction,
-- and leaves that copy, which does nothing.
CREATE FUNCTION cbreturn._quantity_citus_drop_truncate_copies(declared regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    EXECUTE 'SELECT count(*) FROM pg_catalog.run_command_on_shards($1, $2)'
      USING declared,
            'DO $cbr$ DECLARE t pg_catalog.name; BEGIN'
            '  PERFORM pg_catalog.set_config($q$lock_timeout$q$, $q$2s$q$, true);'
            '  FOR t IN SELECT g.tgname FROM pg_catalog.pg_trigger g'
            '            WHERE g.tgrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($q$%1$s$q$)'
            '              AND g.tgname OPERATOR(pg_catalog.~) $q$^cbreturn_quantity_truncate_guard_[0-9]+$$q$ LOOP'
            '    EXECUTE pg_catalog.format($q$DROP TRIGGER %%I ON %1$s$q$, t);'
            '  END LOOP; END $cbr$';
END
$fn$;
REVOKE ALL ON FUNCTION cbreturn._quantity_citus_drop_truncate_copies(regclass) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._quantity_citus_drop_truncate_copies(regclass) IS
    'internal: drops the copies Citus made of the TRUNCATE guard of a declared table on its shards';

-- Detach on Citus tables: the triggers go from every shard; there is no ledger.
CREATE FUNCTION cbreturn._quantity_citus_detach(rel regclass, declared regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pg_catalog.to_regclass(declared::pg_catalog.text) IS NOT NULL THEN
        PERFORM cbreturn._quantity_citus_drop_truncate_copies(declared);
    END IF;
    -- (cbreturn.detach has dropped the check's trigger already)
    IF EXISTS (SELECT FROM pg_catalog.pg_trigger t WHERE t.tgrelid OPERATOR(pg_catalog.=) rel
                  AND t.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_check') THEN
        PERFORM cbreturn._trigger_ddl(rel, pg_catalog.format('DROP TRIGGER cbreturn_quantity_check ON %s', rel));
    END IF;
    IF pg_catalog.to_regclass(declared::pg_catalog.text) IS NOT NULL THEN
        PERFORM cbreturn._trigger_ddl(declared, pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_guard ON %s', declared));
        PERFORM cbreturn._trigger_ddl(declared, pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_truncate_guard ON %s', declared));
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_detach(regclass, regclass) IS
    'internal: the quantity part of cbreturn.detach on Citus tables: drops the triggers from every shard';

-- The lines of a Citus declared table that break R-EX-3, R-IM-2, counted
-- by one distributed query (grouped on the workers, shard by shard), with no
-- ledger: for the recounts (cbreturn._quantity_rebuild_worker) and
-- cbreturn.verify_quantity_ledger().
CREATE FUNCTION cbreturn._quantity_citus_problems(declared regclass, except_relation oid[])
    RETURNS TABLE (problem text, line_text text, returned numeric, return_rows bigint, declared_quantity numeric)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    counts text := cbreturn._quantity_counts_sql(declared, except_relation);
BEGIN
    IF counts IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE pg_catalog.format(
        'SELECT CASE WHEN c.line IS NULL THEN ''returns name no declared line'''
        '            WHEN c.smallest OPERATOR(pg_catalog.<) 0 THEN ''a return is negative'''
        '            ELSE ''more returned than declared'' END,'
        '       c.line_text, c.returned, c.return_rows, CASE WHEN c.line IS NOT NULL THEN c.declared_quantity END'
        '  FROM (%s) c WHERE c.line IS NULL OR c.smallest OPERATOR(pg_catalog.<) 0'
        '    OR c.returned OPERATOR(pg_catalog.>) c.declared_quantity'
        ' ORDER BY 2', counts);
END
$$;
REVOKE ALL ON FUNCTION cbreturn._quantity_citus_problems(regclass, oid[]) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._quantity_citus_problems(regclass, oid[]) IS
    'internal: the lines of a Citus declared table breaking R-EX-3/R-IM-2 (no ledger on Citus)';

-- DROP of a Citus returns table (called by cbreturn._quantity_after_drop,
-- while the metadata of the dropped tables is still there): the guard on its
-- declared table, which counts the returns in it, goes from every shard, and
-- its TRUNCATE guard with it.
CREATE FUNCTION cbreturn._quantity_citus_after_drop(gone oid[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d record;
BEGIN
    FOR d IN SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                AND NOT a.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                AND EXISTS (SELECT FROM pg_catalog.pg_trigger t
                             WHERE t.tgrelid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid
                               AND t.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_guard'
                               AND t.tgfoid OPERATOR(pg_catalog.=) 'cbreturn._quantity_guard_citus()'::pg_catalog.regprocedure)
    LOOP
        PERFORM cbreturn._quantity_citus_drop_truncate_copies(d.declared_relation);
        PERFORM cbreturn._trigger_ddl(d.declared_relation, pg_catalog.format(
            'DROP TRIGGER cbreturn_quantity_guard ON %s', d.declared_relation));
        PERFORM cbreturn._trigger_ddl(d.declared_relation, pg_catalog.format(
            'DROP TRIGGER IF EXISTS cbreturn_quantity_truncate_guard ON %s', d.declared_relation));
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._quantity_citus_after_drop(oid[]) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._quantity_citus_after_drop(oid[]) IS
    'internal: the quantity part of the DROP event trigger on Citus tables: drops the guard of a declared table whose returns table went';
