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
-- returns are counted against its lines, as on one server, wherever the
-- TRUNCATE runs.
--
-- On the distributed table: Citus fires a TRUNCATE trigger of a
-- distributed table on the node where the statement runs (it creates none
-- on the shards), so this guard, with the returns table and the line
-- columns in its arguments (as the guard's, cbreturn._quantity_citus_args),
-- serves the coordinator and any node with the metadata.  It locks the
-- returns table against writes (LOCK, which Citus takes on every node), so
-- a return being written has committed and none comes meanwhile, and then
-- looks for a return naming a line with one co-located join on the workers.
--
-- On a shard, for a TRUNCATE run on a worker directly on a shard (and
-- again, shard by shard, when Citus truncates the shards for a TRUNCATE of
-- the distributed table): attach puts a copy of the trigger on every shard
-- (cbreturn._quantity_citus_truncate_copy), named as Citus names the copies
-- it makes itself when it moves or splits a shard, with the shard id
-- appended.  A copy finds the co-located returns shard on its node in
-- pg_dist_shard, as the check does, and looks there.  It needs no lock on
-- the returns: a write of a return that names a line locks the declared
-- shard (RowExclusiveLock, to the end of its transaction) before it can
-- commit, so it has committed before the TRUNCATE holds the shard, or it
-- waits for the TRUNCATE and then finds no line.  A copy on a table whose
-- distributed table no longer carries the guard (left by a detach that could
-- not take the shard's lock in time) does nothing.
--
-- Under REPEATABLE READ or SERIALIZABLE a worker may answer with a snapshot
-- older than such a commit: refused (CB015), never decided on what it
-- cannot see.  It runs with the rights of the role that truncates, not the
-- extension owner's: its arguments are a trigger's, which any role may
-- write on a table of its own, and could name a view; that role must be
-- allowed to lock and read the returns table (42501 otherwise: refused,
-- never let through).  It says only whether a return names a line, never a
-- value.
CREATE FUNCTION cbreturn._quantity_citus_truncate_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    returns_table regclass;
    target regclass;            -- where the returns are read: the table, or its shard here
    shard pg_catalog.int8;
    logical regclass;
    cond text;
    named boolean;
BEGIN
    IF TG_NARGS OPERATOR(pg_catalog.<) 6 OR TG_ARGV[0] OPERATOR(pg_catalog.<>) 'cbreturn:1' THEN
        PERFORM cbreturn._error('citus.quantity_truncate_trigger', TG_RELID::pg_catalog.regclass::pg_catalog.text);
    END IF;
    IF TG_NAME OPERATOR(pg_catalog.<>) 'cbreturn_quantity_truncate_guard' THEN
        -- a copy on a shard: its distributed table, and the co-located
        -- returns shard on this node (dynamic SQL: the Citus catalogue need
        -- not exist where this is planned)
        shard := pg_catalog.substring(TG_NAME, '^cbreturn_quantity_truncate_guard_([0-9]{1,18})$')::pg_catalog.int8;
        IF shard IS NULL THEN
            PERFORM cbreturn._error('citus.quantity_truncate_trigger', TG_RELID::pg_catalog.regclass::pg_catalog.text);
        END IF;
        EXECUTE 'SELECT s.logicalrelid,
                        pg_catalog.to_regclass(pg_catalog.shard_name(o.logicalrelid, o.shardid, false))
                   FROM pg_catalog.pg_dist_shard s
                   LEFT JOIN pg_catalog.pg_dist_shard o
                     ON o.logicalrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($2)
                    AND o.shardminvalue OPERATOR(pg_catalog.=) s.shardminvalue
                    AND o.shardmaxvalue OPERATOR(pg_catalog.=) s.shardmaxvalue
                  WHERE s.shardid OPERATOR(pg_catalog.=) $1
                    AND pg_catalog.to_regclass(pg_catalog.shard_name(s.logicalrelid, s.shardid, false))
                        OPERATOR(pg_catalog.=) $3'
           INTO logical, target USING shard, TG_ARGV[1], TG_RELID::pg_catalog.regclass;
        IF logical IS NULL OR NOT EXISTS (SELECT FROM pg_catalog.pg_trigger g
                                           WHERE g.tgrelid OPERATOR(pg_catalog.=) logical
                                             AND g.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_truncate_guard') THEN
            RETURN NULL;        -- not a shard of a table with the guard (any more)
        END IF;
    END IF;
    -- 42P01 when the returns table is gone or renamed: refused, never let through
    returns_table := TG_ARGV[1]::pg_catalog.regclass;
    IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.<>) 'read committed' THEN
        PERFORM cbreturn._error('citus.quantity_truncate_isolation', TG_RELID::pg_catalog.regclass::pg_catalog.text,
                                pg_catalog.upper(pg_catalog.current_setting('transaction_isolation')),
                                returns_table::pg_catalog.text);
    END IF;
    IF shard IS NULL THEN
        EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE MODE', returns_table);
        target := returns_table;
    ELSIF target IS NULL THEN
        PERFORM cbreturn._error('citus.quantity_truncate_shard', TG_RELID::pg_catalog.regclass::pg_catalog.text,
                                returns_table::pg_catalog.text, logical::pg_catalog.text);
    END IF;
    SELECT pg_catalog.string_agg(pg_catalog.format('r.%I %s d.%I%s', TG_ARGV[i],
                                                   cbreturn._eq_operator(a.atttypid::pg_catalog.regtype),
                                                   TG_ARGV[i OPERATOR(pg_catalog.+) 1],
                                                   cbreturn._collate_of(TG_RELID::pg_catalog.regclass,
                                                                        TG_ARGV[i OPERATOR(pg_catalog.+) 1])), ' AND ')
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
                              target, TG_RELID::pg_catalog.regclass, cond)
       INTO named;
    IF named THEN
        PERFORM cbreturn._error('quantity.truncate_declared', TG_RELID::pg_catalog.regclass::pg_catalog.text);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_truncate_guard() IS
    'internal: BEFORE TRUNCATE trigger of a Citus declared-lines table and of its shards: refused while returns are counted against its lines (R-EX-3, R-IM-2), and under REPEATABLE READ or SERIALIZABLE (CB015)';

-- The copy of the TRUNCATE guard on one shard of a declared table, made by
-- attach on every shard placement (cbreturn._quantity_citus_make_truncate_copies,
-- on the placement's node) and named as Citus names the copies it makes on
-- a move or a split.  The arguments are the guard's, quoted here.  It runs
-- with the rights of the caller (run_command_on_placements connects as the
-- role that attaches); OR REPLACE: a copy left by an earlier attach.
CREATE FUNCTION cbreturn._quantity_citus_truncate_copy(shard regclass, args text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET lock_timeout = '10s'
AS $$
DECLARE
    id text := pg_catalog.substring(shard::pg_catalog.text, '_([0-9]{1,18})"?$');
BEGIN
    IF id IS NULL OR args[1] OPERATOR(pg_catalog.<>) 'cbreturn:1' THEN
        PERFORM cbreturn._error('citus.quantity_truncate_trigger', shard::pg_catalog.text);
    END IF;
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER %I BEFORE TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._quantity_citus_truncate_guard(%s)',
        'cbreturn_quantity_truncate_guard_' OPERATOR(pg_catalog.||) id, shard,
        (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(a), ', ' ORDER BY n)
           FROM pg_catalog.unnest(args) WITH ORDINALITY AS u(a, n)));
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_truncate_copy(regclass, text[]) IS
    'internal: puts the copy of the TRUNCATE guard of a Citus declared table on one of its shards';

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

-- The copies of the TRUNCATE guard of a declared table on all its shard
-- placements (cbreturn._quantity_citus_truncate_copy), made at attach in
-- connections of their own by run_command_on_placements, as the role that
-- attaches (who may create triggers on the shards it owns, nothing more).  Each waits at most
-- lock_timeout (10 s) for its shard: should this transaction hold the shard
-- already (a write to the declared table earlier in it), the attach is
-- refused (55P03) rather than wait for itself, and so is it when a copy
-- cannot be made: never a declared table with shards left unguarded.  One
-- statement a placement: run_command_on_placements reports how the first
-- statement of several went.
CREATE FUNCTION cbreturn._quantity_citus_make_truncate_copies(declared regclass, args text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    failed text;
BEGIN
    EXECUTE 'SELECT pg_catalog.string_agg(pg_catalog.format($f$%s:%s %s$f$, r.nodename, r.nodeport, r.result), $s$; $s$)
                      FILTER (WHERE NOT r.success)
               FROM pg_catalog.run_command_on_placements($1, $2) r'
       INTO failed
      USING declared,
            'SELECT cbreturn._quantity_citus_truncate_copy(%1$L, '
            OPERATOR(pg_catalog.||) pg_catalog.replace(pg_catalog.quote_literal(args::pg_catalog.text), '%', '%%')
            OPERATOR(pg_catalog.||) '::pg_catalog.text[])';
    IF failed IS NOT NULL THEN
        -- (those made are dropped again; one this transaction's lock keeps
        -- is left, and does nothing without the guard)
        PERFORM cbreturn._quantity_citus_drop_truncate_copies(declared);
        PERFORM cbreturn._error('citus.quantity_truncate_copies', declared::pg_catalog.text, failed);
    END IF;
END
$fn$;
COMMENT ON FUNCTION cbreturn._quantity_citus_make_truncate_copies(regclass, text[]) IS
    'internal: puts the copies of the TRUNCATE guard of a Citus declared table on every placement of its shards';

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
    -- each write sums the line's returns through an index (never a scan),
    -- under the collation of the declared key (the line a return names is
    -- the declared row its key finds: an index of another collation would
    -- miss returns of the line)
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_index x
                    JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=)
                         (SELECT c.relam FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) x.indexrelid)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) x.indrelid
                                                  AND a.attnum OPERATOR(pg_catalog.=) x.indkey[0]
                   WHERE x.indrelid OPERATOR(pg_catalog.=) "table" AND x.indisvalid AND x.indpred IS NULL
                     AND am.amname OPERATOR(pg_catalog.=) 'btree'
                     AND a.attname OPERATOR(pg_catalog.=) ANY (line)
                     AND x.indcollation[0] OPERATOR(pg_catalog.=)
                         (SELECT da.attcollation FROM pg_catalog.pg_attribute da
                           WHERE da.attrelid OPERATOR(pg_catalog.=) declared_table
                             AND da.attname OPERATOR(pg_catalog.=)
                                 declared_line[pg_catalog.array_position(line, a.attname)])) THEN
        PERFORM cbreturn._error('citus.quantity_no_index', "table"::pg_catalog.text,
            (SELECT pg_catalog.string_agg(pg_catalog.format('%I%s', line[i],
                        CASE WHEN ra.attcollation OPERATOR(pg_catalog.=) da.attcollation THEN ''
                             ELSE cbreturn._collate_of(declared_table, declared_line[i]) END), ', ' ORDER BY i)
               FROM pg_catalog.generate_subscripts(line, 1) i
               JOIN pg_catalog.pg_attribute ra ON ra.attrelid OPERATOR(pg_catalog.=) "table"
                                              AND ra.attname OPERATOR(pg_catalog.=) line[i]
               JOIN pg_catalog.pg_attribute da ON da.attrelid OPERATOR(pg_catalog.=) declared_table
                                              AND da.attname OPERATOR(pg_catalog.=) declared_line[i]));
    END IF;
    -- the copies of the TRUNCATE guard on the declared shards first: they
    -- are made in connections of their own, which must not wait for a shard
    -- lock this transaction takes below; they commit at once, so should the
    -- attach fail below they are dropped again (the shards' locks taken since
    -- go with the subtransaction), and a copy left does nothing without the
    -- guard
    PERFORM cbreturn._quantity_citus_make_truncate_copies(declared_table,
        ARRAY['cbreturn:1', "table"::pg_catalog.text, quantity, declared_quantity]
        OPERATOR(pg_catalog.||) (SELECT pg_catalog.array_agg(x ORDER BY i, j)
                                   FROM pg_catalog.generate_subscripts(line, 1) i,
                                        LATERAL (VALUES (1, line[i]::pg_catalog.text),
                                                        (2, declared_line[i]::pg_catalog.text)) v(j, x)));
    BEGIN
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
    EXCEPTION WHEN OTHERS THEN
        PERFORM cbreturn._quantity_citus_drop_truncate_copies(declared_table);
        RAISE;
    END;
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_attach(regclass, name[], name, regclass, name[], name, name) IS
    'internal: the quantity check on co-located Citus tables: checks the distribution, creates the triggers the shards carry, counts the existing returns';

-- The copies of the TRUNCATE guard of a Citus declared table on its shards
-- (made by attach, and by Citus when it moves or splits a shard), dropped
-- with the guard: Citus carries no DROP of a TRUNCATE trigger to the
-- shards.  Run on the placements' nodes by run_command_on_placements, in
-- connections of their own, before this transaction locks any shard of the
-- table; should it hold one already (a write to the tables earlier in the
-- transaction), the drop gives up after lock_timeout (2 s) rather than wait
-- for this transaction, and leaves that copy, which does nothing once the
-- distributed table has no guard.
-- (The shard's name reaches each placement as a literal, %1$L: a quoted
-- identifier may hold any text, a dollar quote's marker too.)
CREATE FUNCTION cbreturn._quantity_citus_drop_truncate_copies(declared regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    EXECUTE 'SELECT count(*) FROM pg_catalog.run_command_on_placements($1, $2)'
      USING declared, 'SELECT cbreturn._quantity_citus_drop_truncate_copy(%1$L)';
END
$fn$;
COMMENT ON FUNCTION cbreturn._quantity_citus_drop_truncate_copies(regclass) IS
    'internal: drops the copies of the TRUNCATE guard of a declared table on its shards';

-- The copies of the TRUNCATE guard on one shard, dropped on its node as
-- the caller (who must own the shard), waiting at most 2 s for its lock.
CREATE FUNCTION cbreturn._quantity_citus_drop_truncate_copy(shard regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET lock_timeout = '2s'
AS $$
DECLARE
    t pg_catalog.name;
BEGIN
    FOR t IN SELECT g.tgname FROM pg_catalog.pg_trigger g
              WHERE g.tgrelid OPERATOR(pg_catalog.=) shard::pg_catalog.oid
                AND g.tgname OPERATOR(pg_catalog.~) '^cbreturn_quantity_truncate_guard_[0-9]+$'
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', t, shard);
    END LOOP;
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_drop_truncate_copy(regclass) IS
    'internal: drops the copies of the TRUNCATE guard of a Citus declared table on one of its shards';

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
COMMENT ON FUNCTION cbreturn._quantity_citus_problems(regclass, oid[]) IS
    'internal: the lines of a Citus declared table breaking R-EX-3/R-IM-2 (no ledger on Citus)';

-- The recount of a Citus declared table for cbreturn._quantity_rebuild (C),
-- which calls it as the caller, not as the ledger's owner: there is no
-- ledger, only what breaks the rule comes back, and Citus reaches the
-- workers through connections of the current role.  Run as another role,
-- its queries and locks would go through connections of that role, which
-- do not see this transaction's writes on the workers and wait for its
-- locks there (a distributed deadlock when a role that is not superuser
-- attaches the check).  Writers of the tables wait until the count is done:
-- attach holds them off already (its CREATE TRIGGER on each table), the
-- other callers lock the tables here, with the caller's rights.
CREATE FUNCTION cbreturn._quantity_citus_recount(declared regclass, except_relation oid[])
    RETURNS TABLE (problem text, line_text text, returned numeric, declared_quantity numeric, problems bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t regclass;
BEGIN
    FOR t IN SELECT declared
             UNION ALL
             (SELECT a.relation FROM cbreturn.attached_check a
               WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                 AND a.declared_relation OPERATOR(pg_catalog.=) declared
                 AND NOT a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (coalesce(except_relation, '{}'))
               ORDER BY a.relation::pg_catalog.oid)
    LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_locks l
                        WHERE l.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()
                          AND l.locktype OPERATOR(pg_catalog.=) 'relation'
                          AND l.relation OPERATOR(pg_catalog.=) t::pg_catalog.oid
                          AND l.granted
                          AND l.mode OPERATOR(pg_catalog.=) ANY ('{ShareRowExclusiveLock,ExclusiveLock,AccessExclusiveLock}')) THEN
            EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', t);
        END IF;
    END LOOP;
    RETURN QUERY SELECT p.problem, p.line_text, p.returned, p.declared_quantity, pg_catalog.count(*) OVER ()
                   FROM cbreturn._quantity_citus_problems(declared, except_relation) p
                  ORDER BY p.line_text LIMIT 1;
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_recount(regclass, oid[]) IS
    'internal: the recount of a Citus declared table (no ledger), as the caller: the first line breaking R-EX-3/R-IM-2 and how many do';

-- DROP of a Citus returns table: the guard on its declared table, which
-- counts the returns in it, goes from every shard, and its TRUNCATE guard
-- with it.  Run by the event trigger cbreturn_citus_follow_drop with the
-- rights of the role that drops (Citus reaches the placements of one shard
-- group in a transaction as one role only, and the DROP reached those of
-- the returns table as that role), before cbreturn_follow_drop forgets the
-- metadata (event triggers fire in the order of their names).  Only tables
-- that are gone count: called on a table that is still there, it does
-- nothing.
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
                AND NOT EXISTS (SELECT FROM pg_catalog.pg_class c
                                 WHERE c.oid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid)
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
COMMENT ON FUNCTION cbreturn._quantity_citus_after_drop(oid[]) IS
    'internal: the quantity part of the DROP event trigger on Citus tables: drops the guard of a declared table whose returns table went';

CREATE FUNCTION cbreturn._quantity_citus_follow_drop() RETURNS event_trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    gone oid[];
BEGIN
    -- no Citus, no Citus guard: nothing is read (a role dropping under
    -- row_security = off could not read cbreturn.attached_check)
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RETURN;
    END IF;
    SELECT pg_catalog.array_agg(d.objid) INTO gone
      FROM pg_catalog.pg_event_trigger_dropped_objects() d
     WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
       AND d.objsubid OPERATOR(pg_catalog.=) 0;
    IF gone IS NOT NULL THEN
        PERFORM cbreturn._quantity_citus_after_drop(gone);
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_citus_follow_drop() IS
    'internal: event trigger on sql_drop: the guards of Citus declared tables whose returns table went, dropped with the rights of the role that drops';
CREATE EVENT TRIGGER cbreturn_citus_follow_drop ON sql_drop
    EXECUTE FUNCTION cbreturn._quantity_citus_follow_drop();
