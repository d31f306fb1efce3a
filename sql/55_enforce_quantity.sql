-- Write-time enforcement of R-EX-3 and R-IM-2: over all returns of one
-- declared line, wherever they are stored, the returned quantity never
-- exceeds its declared quantity.  The C side is src/enforce/quantity.c
-- (triggers), quantity_line.c (finding a line) and quantity_ledger.c (the
-- gate of the set-based functions below); the decision is
-- cbr_quantity_decide in src/rules/quantity.c.  The metadata tables and the
-- attach helpers this file uses are in 50_enforcement.sql.

-- R-EX-3, R-IM-2: what was returned so far of each declared line, over every
-- returns table attached to the declared table.  A line is named by its
-- declared table and a canonical image of the declared row's stored key
-- values (cbreturn._quantity_line), never by their text, so no session
-- setting can make one line two.  Every writer of a return moves the
-- counter of its line with one statement, so two writers of the same line
-- are serialised on this row in every isolation level (READ COMMITTED waits
-- and re-reads; REPEATABLE READ and SERIALIZABLE raise 40001).  return_rows
-- counts the returns naming the line, zero-quantity ones included, so that
-- a line any return names cannot go.  Nobody but the extension reads or
-- writes it: the sums it holds come from tables a role may not be allowed
-- to read (cbreturn.verify_quantity_ledger shows it to those who may).
--
-- The counters cannot go negative: a CHECK on domains rather than on the
-- table, because the executor parses a table's CHECK constraints again for
-- every statement (every return written), and a domain's once per backend.
CREATE DOMAIN cbreturn.ledger_quantity AS numeric
    CHECK (VALUE IS NOT NULL AND VALUE OPERATOR(pg_catalog.>=) 0);
COMMENT ON DOMAIN cbreturn.ledger_quantity IS
    'internal: a quantity counted in the quantity ledger, never negative (R-EX-3, R-IM-2)';
CREATE DOMAIN cbreturn.ledger_count AS bigint
    CHECK (VALUE IS NOT NULL AND VALUE OPERATOR(pg_catalog.>=) 0);
COMMENT ON DOMAIN cbreturn.ledger_count IS
    'internal: a number of return rows counted in the quantity ledger, never negative (R-EX-3, R-IM-2)';
CREATE TABLE cbreturn.quantity_ledger (
    declared_relation   regclass NOT NULL,
    line                bytea NOT NULL,
    returned            cbreturn.ledger_quantity NOT NULL,
    return_rows         cbreturn.ledger_count NOT NULL,
    PRIMARY KEY (declared_relation, line)
)
-- Half of each page left free: a line's row is updated by every return of
-- it, and the free space lets those versions stay on the page without
-- pruning it at almost every write (docs/performance.md, "quantity rule").
WITH (fillfactor = 50);
COMMENT ON TABLE cbreturn.quantity_ledger IS
    'returned quantity and return rows per declared line, maintained by the quantity check (R-EX-3, R-IM-2)';
SELECT pg_catalog.pg_extension_config_dump('cbreturn.quantity_ledger', '');
REVOKE ALL ON cbreturn.quantity_ledger FROM PUBLIC;

CREATE FUNCTION cbreturn.quantity_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_quantity_check' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.quantity_check() IS
    'AFTER ROW trigger on a returns table: returned quantity per declared line never exceeds the declared quantity (R-EX-3, R-IM-2)';
CREATE FUNCTION cbreturn.declared_quantity_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_declared_quantity_guard' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.declared_quantity_guard() IS
    'BEFORE ROW trigger on a declared-lines table: a line may not drop below, or lose, what was returned of it (R-EX-3, R-IM-2)';

CREATE FUNCTION cbreturn._quantity_line(VARIADIC "any") RETURNS bytea
    AS 'MODULE_PATHNAME', '_quantity_line' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._quantity_line("any") IS
    'internal: the ledger name of a declared line, a canonical image of the stored key values given (R-EX-3, R-IM-2)';

CREATE FUNCTION cbreturn._quantity_validate_declared(declared regclass, declared_line name[], declared_quantity name)
    RETURNS void AS 'MODULE_PATHNAME', '_quantity_validate_declared' LANGUAGE C STRICT;
COMMENT ON FUNCTION cbreturn._quantity_validate_declared(regclass, name[], name) IS
    'internal: refuses a declared table without a unique constraint on exactly its line key, or whose owner may not read it (R-EX-3, R-IM-2)';

-- "OPERATOR(schema.=)": the equality of a type's default btree operator class
-- (a foreign key's and a unique constraint's), for the SQL built below.  A
-- domain compares as its base type, an enum with the enums' class, as
-- PostgreSQL finds a default operator class for them.
CREATE FUNCTION cbreturn._eq_operator(t regtype) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE b (oid, base, typtype) AS (
        SELECT y.oid, y.typbasetype, y.typtype FROM pg_catalog.pg_type y WHERE y.oid OPERATOR(pg_catalog.=) t
        UNION ALL
        SELECT y.oid, y.typbasetype, y.typtype FROM b JOIN pg_catalog.pg_type y ON y.oid OPERATOR(pg_catalog.=) b.base
         WHERE b.typtype OPERATOR(pg_catalog.=) 'd'),
    bt (k) AS (
        SELECT CASE b.typtype WHEN 'e' THEN 'pg_catalog.anyenum'::pg_catalog.regtype::pg_catalog.oid ELSE b.oid END
          FROM b WHERE b.typtype OPERATOR(pg_catalog.<>) 'd')
    SELECT pg_catalog.format('OPERATOR(%I.%s)', n.nspname, o.oprname)
      FROM pg_catalog.pg_opclass oc
      JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) oc.opcmethod AND am.amname OPERATOR(pg_catalog.=) 'btree'
      JOIN pg_catalog.pg_amop ao ON ao.amopfamily OPERATOR(pg_catalog.=) oc.opcfamily
       AND ao.amoplefttype OPERATOR(pg_catalog.=) oc.opcintype AND ao.amoprighttype OPERATOR(pg_catalog.=) oc.opcintype
       AND ao.amopstrategy OPERATOR(pg_catalog.=) 3
      JOIN pg_catalog.pg_operator o ON o.oid OPERATOR(pg_catalog.=) ao.amopopr
      JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.oprnamespace
      CROSS JOIN bt
     WHERE oc.opcdefault
       AND (oc.opcintype OPERATOR(pg_catalog.=) bt.k
            OR EXISTS (SELECT FROM pg_catalog.pg_cast c
                        WHERE c.castsource OPERATOR(pg_catalog.=) bt.k AND c.casttarget OPERATOR(pg_catalog.=) oc.opcintype
                          AND c.castmethod OPERATOR(pg_catalog.=) 'b'))
     ORDER BY oc.opcintype OPERATOR(pg_catalog.=) bt.k DESC
     LIMIT 1
$$;
COMMENT ON FUNCTION cbreturn._eq_operator(regtype) IS
    'internal: the qualified default equality operator of a type, for the set-based quantity ledger builds';

-- " COLLATE schema.name": the collation of column col of rel, to compare a
-- key of rel with a key of another table under it, as a foreign key compares
-- under the referenced column's and a unique index finds its rows ('' for a
-- type without collation).  The two keys may have different collations, and
-- then a comparison without one is an error (42P22).
CREATE FUNCTION cbreturn._collate_of(rel regclass, col name) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce((SELECT pg_catalog.format(' COLLATE %I.%I', n.nspname, co.collname)
                       FROM pg_catalog.pg_attribute a
                       JOIN pg_catalog.pg_collation co ON co.oid OPERATOR(pg_catalog.=) a.attcollation
                       JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) co.collnamespace
                      WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND a.attname OPERATOR(pg_catalog.=) col
                        AND NOT a.attisdropped), '')
$$;
COMMENT ON FUNCTION cbreturn._collate_of(regclass, name) IS
    'internal: the COLLATE clause of a key column, for the key comparisons of built SQL';

-- The columns a quantity check names, by role prefix, in key order.
CREATE FUNCTION cbreturn._quantity_columns(rel regclass, prefix text) RETURNS name[]
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.array_agg(c.column_name ORDER BY
               pg_catalog.substr(c.role, pg_catalog.length(prefix) OPERATOR(pg_catalog.+) 1)::int)
      FROM cbreturn.attached_column c
     WHERE c.relation OPERATOR(pg_catalog.=) rel AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
       AND c.role OPERATOR(pg_catalog.~) ('^' OPERATOR(pg_catalog.||) prefix OPERATOR(pg_catalog.||) '[0-9]+$')
$$;
COMMENT ON FUNCTION cbreturn._quantity_columns(regclass, text) IS
    'internal: the line key columns (prefix line_ or declared_line_) of a quantity check, in key order';

-- A value as the checks' messages show it: cut at 64 bytes (whole
-- characters) and followed by "..." (src/enforce/row_values.c).
CREATE FUNCTION cbreturn._clip(value text) RETURNS text
    AS 'MODULE_PATHNAME', '_clip' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._clip(text) IS
    'internal: a value cut at 64 bytes for a message, as the write-time checks cut the values they show';

-- ---------------------------------------------------------------------------
-- Quantity and status together (rules section 6): a return that customs
-- rejects, or that is withdrawn, frees its quantity for another return of
-- its line.  The quantity check reads the returns table's status column and
-- the labels that mean so: those of the status check on the same table
-- (copied when either check is attached, and refused when they differ, so
-- that the two checks agree), or its own.  Such a row counts as a return of
-- quantity 0 in the check (src/enforce/quantity.c) and in every recount
-- (below), which read the label the same way: the column's text without
-- trailing blanks, compared exactly.
-- ---------------------------------------------------------------------------
-- The column recorded for a role of a check on rel, or NULL.
CREATE FUNCTION cbreturn._role_column(rel regclass, kind text, col_role text) RETURNS name
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.column_name FROM cbreturn.attached_column c
     WHERE c.relation OPERATOR(pg_catalog.=) rel AND c.check_kind OPERATOR(pg_catalog.=) kind
       AND c.role OPERATOR(pg_catalog.=) col_role
$$;
COMMENT ON FUNCTION cbreturn._role_column(regclass, text, text) IS
    'internal: the column recorded for a role of the check of one kind on a table, or NULL';

-- The types a status column may have: text, varchar, char, name, or the
-- column's own type when it is an enum.
CREATE FUNCTION cbreturn._status_types(rel regclass, col name) RETURNS regtype[]
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY['text', 'character varying', 'character', 'name']::pg_catalog.regtype[] OPERATOR(pg_catalog.||)
           (SELECT pg_catalog.array_agg(ty.oid::pg_catalog.regtype) FROM pg_catalog.pg_type ty
             WHERE ty.oid OPERATOR(pg_catalog.=) (SELECT att.atttypid FROM pg_catalog.pg_attribute att
                                   WHERE att.attrelid OPERATOR(pg_catalog.=) rel
                                     AND att.attname OPERATOR(pg_catalog.=) col)
               AND ty.typtype OPERATOR(pg_catalog.=) 'e')
$$;
COMMENT ON FUNCTION cbreturn._status_types(regclass, name) IS
    'internal: the accepted types of a status column (text, varchar, char, name, or the column''s enum)';

-- The labels the status check on rel calls rejected and withdrawn, or NULL.
CREATE FUNCTION cbreturn._status_freeing_labels(rel regclass) RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT k.status_labels[7:8] FROM cbreturn.attached_check k
     WHERE k.relation OPERATOR(pg_catalog.=) rel AND k.check_kind OPERATOR(pg_catalog.=) 'status'
$$;
COMMENT ON FUNCTION cbreturn._status_freeing_labels(regclass) IS
    'internal: the labels of rejected and withdrawn returns of the status check on a table (rules section 6), or NULL';

CREATE FUNCTION cbreturn._metadata_quantity_labels(rel regclass, labels text[]) RETURNS void
    AS 'MODULE_PATHNAME', 'cbr_metadata_quantity_labels' LANGUAGE C;
COMMENT ON FUNCTION cbreturn._metadata_quantity_labels(regclass, text[]) IS
    'internal: records, as the metadata owner, the status labels that free a return''s quantity for the quantity check on a table the caller owns (docs/security.md)';

-- Record the status column and the freeing labels of the quantity check on rel.
CREATE FUNCTION cbreturn._quantity_status_attach(rel regclass, status_column name, labels text[])
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- Citus: every return holds its quantity there (sql/67_citus_quantity.sql)
    IF cbreturn._citus_table(rel) THEN
        PERFORM cbreturn._error('citus.quantity_status', rel::pg_catalog.text);
    END IF;
    IF labels IS NULL OR pg_catalog.cardinality(labels) OPERATOR(pg_catalog.=) 0
       OR pg_catalog.array_position(labels, NULL) IS NOT NULL
       OR EXISTS (SELECT FROM pg_catalog.unnest(labels) l WHERE pg_catalog.btrim(l) OPERATOR(pg_catalog.=) '') THEN
        PERFORM cbreturn._error('attach.quantity_freeing_labels');
    END IF;
    -- '': the request's status on the declaration header, whose type
    -- attach_header checked already
    PERFORM cbreturn._attach_column(rel, 'quantity', 'status', rel, status_column,
                                    CASE WHEN status_column OPERATOR(pg_catalog.<>) ''
                                         THEN cbreturn._status_types(rel, status_column) END,
                                    cbreturn._text('role.freeing_status'));
    PERFORM cbreturn._metadata_quantity_labels(rel, labels);
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_status_attach(regclass, name, text[]) IS
    'internal: records the status column and the labels of rejected and withdrawn returns of a quantity check (rules section 6)';

-- One query over every return of the declared table (all its returns
-- tables but those in except_relation): per line named, the image of the
-- declared row (NULL: no such line), the sum, the number of return rows,
-- the smallest quantity, the key as text (messages only) and the declared
-- quantity.  One grouped pass and one hash join: linear in the returns.
CREATE FUNCTION cbreturn._quantity_counts_sql(declared regclass, except_relation oid[])
    RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k record;
    parts text[] := '{}';
    keys name[];
    dkeys name[];
    dq name;
    q name;
    st name;
    hdr regclass;
    hjoin text;
    salias text;
    fl text[];
    n int;
BEGIN
    FOR k IN SELECT a.relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND a.declared_relation OPERATOR(pg_catalog.=) declared
                AND NOT a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (coalesce(except_relation, '{}'))
              ORDER BY a.relation::pg_catalog.oid
    LOOP
        keys := cbreturn._quantity_columns(k.relation, 'line_');
        dkeys := cbreturn._quantity_columns(k.relation, 'declared_line_');
        SELECT c.column_name INTO q FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) k.relation AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) 'quantity';
        SELECT c.column_name INTO dq FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) k.relation AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) 'declared_quantity';
        SELECT c.column_name, c.column_relation INTO st, hdr FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) k.relation AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) 'status';
        -- the status of the return's request, on its declaration header: the
        -- header row the return's key names (the check refuses a return
        -- naming none, the guard a header row going that returns name); a
        -- partitioned header (issue 12) is read with its partitions
        hjoin := '';
        IF hdr IS NOT NULL AND hdr OPERATOR(pg_catalog.<>) k.relation THEN
            SELECT pg_catalog.format(' LEFT JOIN %s%s h ON %s',
                       CASE WHEN (SELECT c.relkind FROM pg_catalog.pg_class c
                                   WHERE c.oid OPERATOR(pg_catalog.=) hdr::pg_catalog.oid)
                                 OPERATOR(pg_catalog.=) 'p' THEN '' ELSE 'ONLY ' END, hdr,
                       pg_catalog.string_agg(pg_catalog.format('h.%I %s r.%I%s', hc.column_name,
                           cbreturn._eq_operator(hc.column_type), rc.column_name,
                           cbreturn._collate_of(hdr, hc.column_name)), ' AND '))
              INTO hjoin
              FROM cbreturn.attached_column rc
              JOIN cbreturn.attached_column hc
                ON hc.relation OPERATOR(pg_catalog.=) rc.relation AND hc.check_kind OPERATOR(pg_catalog.=) 'header'
               AND hc.role OPERATOR(pg_catalog.=) ('header_' OPERATOR(pg_catalog.||) rc.role)
             WHERE rc.relation OPERATOR(pg_catalog.=) k.relation AND rc.check_kind OPERATOR(pg_catalog.=) 'header'
               AND rc.role OPERATOR(pg_catalog.~) '^key_[1-8]$';
            salias := 'h';
        ELSE
            salias := 'r';
        END IF;
        SELECT a.freeing_labels INTO fl FROM cbreturn.attached_check a
         WHERE a.relation OPERATOR(pg_catalog.=) k.relation AND a.check_kind OPERATOR(pg_catalog.=) 'quantity';
        n := pg_catalog.cardinality(keys);
        -- ONLY: inheritance children are neither checked (row triggers
        -- are not inherited) nor counted; partitions are both.  Rules
        -- section 6: a rejected or withdrawn return counts as quantity 0
        -- (raw: its own quantity, for the negative ones)
        parts := parts OPERATOR(pg_catalog.||) pg_catalog.format(
            'SELECT %s, r.%I::pg_catalog.numeric AS raw, %s AS q FROM %s%s r%s WHERE %s',
            -- each key under the declared key's collation, as the join
            -- below compares it: lines equal for the declared table are
            -- one group, lines it tells apart are two, whatever the
            -- collation of each returns table's own column
            (SELECT pg_catalog.string_agg(pg_catalog.format('r.%I%s AS k%s', keys[i],
                        cbreturn._collate_of(declared, dkeys[i]), i), ', ')
               FROM pg_catalog.generate_series(1, n) i),
            q,
            CASE WHEN st IS NULL THEN pg_catalog.format('r.%I::pg_catalog.numeric', q)
                 ELSE pg_catalog.format(
                     'CASE WHEN pg_catalog.rtrim(%s.%I::pg_catalog.text, '' '') COLLATE pg_catalog."C" OPERATOR(pg_catalog.=) ANY (%L::pg_catalog.text[])'
                     ' THEN 0::pg_catalog.numeric ELSE r.%I::pg_catalog.numeric END', salias, st, fl, q) END,
            CASE WHEN (SELECT c.relkind FROM pg_catalog.pg_class c
                        WHERE c.oid OPERATOR(pg_catalog.=) k.relation::pg_catalog.oid)
                      OPERATOR(pg_catalog.=) 'p' THEN '' ELSE 'ONLY ' END,
            k.relation, hjoin,
            (SELECT pg_catalog.string_agg(pg_catalog.format('r.%I IS NOT NULL', keys[i]), ' AND ')
               FROM pg_catalog.generate_series(1, n) i));
    END LOOP;
    IF pg_catalog.cardinality(parts) OPERATOR(pg_catalog.=) 0 THEN
        RETURN NULL;
    END IF;
    RETURN pg_catalog.format(
        'SELECT cbreturn._quantity_line(%s) AS line, s.q AS returned, s.n AS return_rows, s.minq AS smallest,'
        ' ''('' OPERATOR(pg_catalog.||) pg_catalog.concat_ws('', '', %s) OPERATOR(pg_catalog.||) '')'' AS line_text,'
        ' coalesce(d.%I::pg_catalog.numeric, 0) AS declared_quantity'
        ' FROM (SELECT %s, coalesce(pg_catalog.sum(u.q), 0) AS q, pg_catalog.count(*) AS n,'
        '              pg_catalog.min(u.raw) AS minq'
        '         FROM (%s) u GROUP BY %s) s'
        ' LEFT JOIN ONLY %s d ON %s',
        (SELECT pg_catalog.string_agg(pg_catalog.format('d.%I', dkeys[i]), ', ') FROM pg_catalog.generate_series(1, n) i),
        -- each key value as text, cut at 64 bytes as the checks' messages cut them
        (SELECT pg_catalog.string_agg(pg_catalog.format('cbreturn._clip(s.k%s::pg_catalog.text)', i), ', ')
           FROM pg_catalog.generate_series(1, n) i),
        dq,
        (SELECT pg_catalog.string_agg(pg_catalog.format('u.k%s', i), ', ') FROM pg_catalog.generate_series(1, n) i),
        pg_catalog.array_to_string(parts, ' UNION ALL '),
        (SELECT pg_catalog.string_agg(pg_catalog.format('u.k%s', i), ', ') FROM pg_catalog.generate_series(1, n) i),
        declared,
        (SELECT pg_catalog.string_agg(pg_catalog.format('d.%I %s s.k%s%s', dkeys[i],
                    cbreturn._eq_operator(a.atttypid::pg_catalog.regtype), i,
                    cbreturn._collate_of(declared, dkeys[i])), ' AND ')
           FROM pg_catalog.generate_series(1, n) i
           JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) declared
                                         AND a.attname OPERATOR(pg_catalog.=) dkeys[i]));
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_counts_sql(regclass, oid[]) IS
    'internal: the grouped query over every return of a declared table that the quantity ledger is built and verified from';

-- What a recount or a verification reads as the ledger's owner must be
-- tables, and stay so until it has read them: the caller locks the declared
-- table and each returns table first, then asks this, which locks the
-- declaration headers whose status the returns read (a join of the count).  PostgreSQL 15 lets
-- the owner of an empty table without triggers turn it into a view (CREATE
-- RULE "_RETURN"): read by the ledger's owner, its query would run the
-- table owner's functions with that owner's rights; a foreign partition
-- would open connections with them.  Either is refused (42809).
CREATE FUNCTION cbreturn._quantity_counted_tables(declared regclass, except_relation oid[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad record;
    h record;
BEGIN
    -- the declaration headers whose status a counted return reads are read too
    FOR h IN SELECT DISTINCT hl.declared_relation AS header
               FROM cbreturn.attached_check a
               JOIN cbreturn.attached_check hl ON hl.relation OPERATOR(pg_catalog.=) a.relation
                                              AND hl.check_kind OPERATOR(pg_catalog.=) 'header'
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND a.declared_relation OPERATOR(pg_catalog.=) declared
              ORDER BY 1
    LOOP
        EXECUTE pg_catalog.format('LOCK TABLE %s IN ACCESS SHARE MODE', h.header);
    END LOOP;
    SELECT r.relid::pg_catalog.regclass::pg_catalog.text AS rel, r.checked::pg_catalog.text AS checked INTO bad
      FROM (SELECT declared::pg_catalog.oid AS relid, declared AS checked
            UNION ALL
            SELECT p.relid, a.relation
              FROM cbreturn.attached_check a
             CROSS JOIN LATERAL (SELECT a.relation::pg_catalog.oid AS relid
                                 UNION SELECT t.relid FROM pg_catalog.pg_partition_tree(a.relation) t
                                 UNION SELECT hl.declared_relation::pg_catalog.oid FROM cbreturn.attached_check hl
                                  WHERE hl.relation OPERATOR(pg_catalog.=) a.relation
                                    AND hl.check_kind OPERATOR(pg_catalog.=) 'header'
                                 UNION SELECT t.relid FROM cbreturn.attached_check hl
                                  CROSS JOIN LATERAL pg_catalog.pg_partition_tree(hl.declared_relation) t
                                  WHERE hl.relation OPERATOR(pg_catalog.=) a.relation
                                    AND hl.check_kind OPERATOR(pg_catalog.=) 'header') p
             WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
               AND a.declared_relation OPERATOR(pg_catalog.=) declared
               AND NOT a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (coalesce(except_relation, '{}'))) r
      JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) r.relid
     WHERE c.relkind NOT IN ('r', 'p')
     LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('quantity.counted_not_table', bad.rel, bad.checked);
    END IF;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._quantity_counted_tables(regclass, oid[]) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._quantity_counted_tables(regclass, oid[]) IS
    'internal: refuses a recount or verification whose declared or returns relations are not all tables (42809), called with them locked';

-- Rebuild the ledger of a declared table; returns what breaks the rule.
-- Run by cbreturn._quantity_rebuild (C) as the ledger's owner, after it
-- checked the caller; not callable by PUBLIC.  (A Citus declared table has
-- no ledger: cbreturn._quantity_citus_recount, as the caller.)
CREATE FUNCTION cbreturn._quantity_rebuild_worker(declared regclass, except_relation oid[])
    RETURNS TABLE (problem text, line_text text, returned numeric, declared_quantity numeric, problems bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    counts text := cbreturn._quantity_counts_sql(declared, except_relation);
    k record;
BEGIN
    -- Writers of every table counted wait until the ledger is rebuilt.
    EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', declared);
    FOR k IN SELECT a.relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND a.declared_relation OPERATOR(pg_catalog.=) declared
                AND NOT a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (coalesce(except_relation, '{}'))
              ORDER BY a.relation::pg_catalog.oid
    LOOP
        EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', k.relation);
    END LOOP;
    PERFORM cbreturn._quantity_counted_tables(declared, except_relation);
    DELETE FROM cbreturn.quantity_ledger l WHERE l.declared_relation OPERATOR(pg_catalog.=) declared;
    IF counts IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE pg_catalog.format(
        'WITH c AS MATERIALIZED (%s),'
        ' ins AS (INSERT INTO cbreturn.quantity_ledger (declared_relation, line, returned, return_rows)'
        '         SELECT $1, c.line, c.returned, c.return_rows FROM c'
        '          WHERE c.line IS NOT NULL AND c.returned OPERATOR(pg_catalog.>=) 0),'
        ' bad AS (SELECT CASE WHEN c.line IS NULL THEN ''returns name no declared line'''
        '                     WHEN c.smallest OPERATOR(pg_catalog.<) 0 THEN ''a return is negative'''
        '                     ELSE ''more returned than declared'' END AS problem,'
        '                c.line_text, c.returned, CASE WHEN c.line IS NOT NULL THEN c.declared_quantity END'
        '           FROM c WHERE c.line IS NULL OR c.smallest OPERATOR(pg_catalog.<) 0'
        '              OR c.returned OPERATOR(pg_catalog.>) c.declared_quantity)'
        ' SELECT b.*, pg_catalog.count(*) OVER () FROM bad b ORDER BY b.line_text LIMIT 1', counts)
        USING declared;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._quantity_rebuild_worker(regclass, oid[]) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._quantity_rebuild_worker(regclass, oid[]) IS
    'internal: rebuilds the quantity ledger of a declared table from its returns tables in one grouped pass; run through cbreturn._quantity_rebuild';

CREATE FUNCTION cbreturn._quantity_rebuild(declared regclass, except_relation oid[] DEFAULT '{}',
                                           strict boolean DEFAULT true)
    RETURNS void AS 'MODULE_PATHNAME', '_quantity_rebuild' LANGUAGE C;
COMMENT ON FUNCTION cbreturn._quantity_rebuild(regclass, oid[], boolean) IS
    'internal: counts every return of a declared table again (attach, detach, TRUNCATE, partitions); for owners of the declared table or of a returns table attached to it';

-- Who may start a rebuild: the owner of the declared table or of a returns
-- table attached to it (never of a table the caller names to leave out: that
-- would let any role recount, and lock, another role's declared table).  Who may see the sums: whoever may read every column
-- the quantity checks on it read, with no row security applying.  Both run
-- as the caller (no SECURITY DEFINER), from the C gate.
CREATE FUNCTION cbreturn._quantity_may_act(declared regclass, except_relation oid[]) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT (coalesce(pg_catalog.bool_or(cbreturn._owns(r::pg_catalog.regclass)), false)
            -- a table left out of the count must be the caller's own (detach,
            -- DROP), or gone already (DROP): leaving out another role's
            -- returns would lower the ledger under them
            AND NOT EXISTS (SELECT FROM pg_catalog.unnest(except_relation) x
                             WHERE EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) x)
                               AND NOT cbreturn._owns(x::pg_catalog.regclass)))
           -- a role that may TRUNCATE a returns table (or a partition of one)
           -- may have its declared table counted again, leaving nothing out:
           -- its TRUNCATE does that, and a count can only tell the truth
           OR (coalesce(pg_catalog.cardinality(except_relation), 0) OPERATOR(pg_catalog.=) 0
               AND EXISTS (SELECT FROM cbreturn.attached_check a
                             CROSS JOIN LATERAL (SELECT a.relation::pg_catalog.oid AS relid
                                                 UNION SELECT t.relid FROM pg_catalog.pg_partition_tree(a.relation) t) p
                            WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                              AND a.declared_relation OPERATOR(pg_catalog.=) declared
                              AND pg_catalog.has_table_privilege(p.relid, 'TRUNCATE')))
      FROM pg_catalog.unnest(ARRAY[declared::pg_catalog.oid]
               OPERATOR(pg_catalog.||) ARRAY(SELECT a.relation::pg_catalog.oid FROM cbreturn.attached_check a
                                               WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                                                 AND a.declared_relation OPERATOR(pg_catalog.=) declared)) r
$$;
CREATE FUNCTION cbreturn._quantity_may_see(declared regclass) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(pg_catalog.bool_and(
               pg_catalog.has_column_privilege(c.column_relation::pg_catalog.oid, c.column_attnum, 'SELECT')
               AND NOT pg_catalog.row_security_active(c.column_relation)), true)
      FROM cbreturn.attached_check k
      JOIN cbreturn.attached_column c
        ON c.relation OPERATOR(pg_catalog.=) k.relation AND c.check_kind OPERATOR(pg_catalog.=) k.check_kind
     WHERE k.check_kind OPERATOR(pg_catalog.=) 'quantity'
       AND k.declared_relation OPERATOR(pg_catalog.=) declared
$$;
COMMENT ON FUNCTION cbreturn._quantity_may_act(regclass, oid[]) IS
    'internal: may the current role rebuild the quantity ledger of a declared table (it owns the table or a returns table of it, or may TRUNCATE a returns table of it and leaves nothing out)';
COMMENT ON FUNCTION cbreturn._quantity_may_see(regclass) IS
    'internal: may the current role see the sums of the quantity ledger of a declared table (it may read every column the checks read)';

-- ---------------------------------------------------------------------------
-- verify_quantity_ledger: R-EX-3, R-IM-2 re-verified against the tables
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn._quantity_verify(declared regclass)
    RETURNS TABLE (line text, problem text, ledger_returned numeric, ledger_rows bigint,
                   actual_returned numeric, actual_rows bigint, declared_quantity numeric)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    counts text := cbreturn._quantity_counts_sql(declared, '{}');
    k record;
BEGIN
    IF cbreturn._citus_table(declared) THEN
        -- no ledger on Citus (sql/67_citus_quantity.sql): only what breaks the rule
        RETURN QUERY SELECT p.line_text, p.problem, NULL::pg_catalog.numeric, NULL::pg_catalog.int8,
                            p.returned, p.return_rows, p.declared_quantity
                       FROM cbreturn._quantity_citus_problems(declared, '{}') p;
        RETURN;
    END IF;
    -- what is read stays a table until it is read (_quantity_counted_tables)
    EXECUTE pg_catalog.format('LOCK TABLE %s IN ACCESS SHARE MODE', declared);
    FOR k IN SELECT a.relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND a.declared_relation OPERATOR(pg_catalog.=) declared
              ORDER BY a.relation::pg_catalog.oid
    LOOP
        EXECUTE pg_catalog.format('LOCK TABLE %s IN ACCESS SHARE MODE', k.relation);
    END LOOP;
    PERFORM cbreturn._quantity_counted_tables(declared, '{}');
    RETURN QUERY EXECUTE pg_catalog.format(
        'WITH c AS (%s),'
        ' l AS (SELECT l.line, l.returned, l.return_rows FROM cbreturn.quantity_ledger l'
        '        WHERE l.declared_relation OPERATOR(pg_catalog.=) $1)'
        ' SELECT coalesce(c.line_text, pg_catalog.encode(l.line, ''hex'')),'
        '        CASE WHEN c.line_text IS NOT NULL AND c.line IS NULL THEN ''returns name no declared line'''
        '             WHEN c.line IS NULL THEN ''ledger counts returns that do not exist'''
        '             WHEN l.line IS NULL THEN ''returns missing from the ledger'''
        '             WHEN l.returned OPERATOR(pg_catalog.<>) c.returned OR l.return_rows OPERATOR(pg_catalog.<>) c.return_rows'
        '                  THEN ''ledger differs from the returns'''
        '             WHEN c.smallest OPERATOR(pg_catalog.<) 0 THEN ''a return is negative'''
        '             ELSE ''more returned than declared'' END,'
        '        l.returned, l.return_rows, c.returned, c.return_rows, c.declared_quantity'
        '   FROM (SELECT * FROM c WHERE c.line IS NOT NULL) c FULL JOIN l ON l.line OPERATOR(pg_catalog.=) c.line'
        '  WHERE (l.line IS NULL OR c.line IS NULL) AND coalesce(l.return_rows, 1) OPERATOR(pg_catalog.<>) 0'
        '     OR l.returned OPERATOR(pg_catalog.<>) c.returned OR l.return_rows OPERATOR(pg_catalog.<>) c.return_rows'
        '     OR c.smallest OPERATOR(pg_catalog.<) 0 OR c.returned OPERATOR(pg_catalog.>) c.declared_quantity'
        ' UNION ALL'
        ' SELECT c.line_text, ''returns name no declared line'', NULL, NULL, c.returned, c.return_rows, NULL'
        '   FROM c WHERE c.line IS NULL'
        ' ORDER BY 1',
        coalesce(counts, 'SELECT NULL::pg_catalog.bytea AS line, NULL::pg_catalog.numeric AS returned,'
                         ' NULL::pg_catalog.int8 AS return_rows, NULL::pg_catalog.numeric AS smallest,'
                         ' NULL::pg_catalog.text AS line_text, NULL::pg_catalog.numeric AS declared_quantity WHERE false'))
        USING declared;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._quantity_verify(regclass) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._quantity_verify(regclass) IS
    'internal: the differences between the quantity ledger of a declared table and its returns; run through cbreturn.verify_quantity_ledger';

CREATE FUNCTION cbreturn.verify_quantity_ledger(declared regclass)
    RETURNS TABLE (line text, problem text, ledger_returned numeric, ledger_rows bigint,
                   actual_returned numeric, actual_rows bigint, declared_quantity numeric)
    AS 'MODULE_PATHNAME', 'verify_quantity_ledger' LANGUAGE C STRICT;
COMMENT ON FUNCTION cbreturn.verify_quantity_ledger(regclass) IS
    'every difference between the quantity ledger of a declared table and its returns tables, and every line breaking R-EX-3/R-IM-2; no rows when all is right';

CREATE FUNCTION cbreturn.rebuild_quantity_ledger(declared regclass) RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT cbreturn._quantity_rebuild(declared, '{}') $$;
COMMENT ON FUNCTION cbreturn.rebuild_quantity_ledger(regclass) IS
    'counts every return of a declared table again and refuses if any line breaks R-EX-3/R-IM-2; for the owner of the declared table or of a returns table attached to it';

-- ---------------------------------------------------------------------------
-- TRUNCATE
-- ---------------------------------------------------------------------------
-- TRUNCATE bypasses row triggers.  Of a returns table (or one partition):
-- count the declared table's returns again, so the other returns tables of
-- the same declared table keep their counts.  PostgreSQL does not clone
-- statement triggers to partitions, so attach creates this one on every
-- partition and _quantity_follow_partitions on every new one.
CREATE FUNCTION cbreturn.quantity_truncate() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d regclass;
BEGIN
    SELECT a.declared_relation INTO d FROM cbreturn.attached_check a
     WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
       AND (a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) TG_RELID
            OR a.relation::pg_catalog.oid IN (SELECT pg_catalog.pg_partition_ancestors(TG_RELID::pg_catalog.regclass)));
    IF d IS NOT NULL THEN
        PERFORM cbreturn._quantity_rebuild(d, '{}', false);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cbreturn.quantity_truncate() IS
    'internal: TRUNCATE trigger of a returns table (and of each partition): counts the returns of its declared table again (R-EX-3, R-IM-2)';

-- Of a declared table with returns: refused, as a foreign key would.
-- SECURITY DEFINER to read the ledger; it says only whether the table has
-- returns, never a value.
CREATE FUNCTION cbreturn.declared_truncate_guard() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- read with the latest snapshot (cbreturn._exists_latest): TRUNCATE
    -- holds its lock, so every writer of a return of the table has
    -- committed, and under REPEATABLE READ one that committed after the
    -- transaction's snapshot counts all the same
    IF cbreturn._exists_latest(pg_catalog.format(
           'SELECT EXISTS (SELECT FROM cbreturn.quantity_ledger l'
           ' WHERE l.declared_relation OPERATOR(pg_catalog.=) %s::pg_catalog.oid::pg_catalog.regclass'
           '   AND l.return_rows OPERATOR(pg_catalog.>) 0)', TG_RELID)) THEN
        PERFORM cbreturn._error('quantity.truncate_declared', TG_RELID::pg_catalog.regclass::pg_catalog.text);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cbreturn.declared_truncate_guard() IS
    'internal: BEFORE TRUNCATE trigger of a declared-lines table: refused while returns are counted against it (R-EX-3, R-IM-2)';

-- ---------------------------------------------------------------------------
-- attach_quantity_check: R-EX-3, R-IM-2
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.attach_quantity_check(
    "table"             regclass,
    line                name[],
    quantity            name,
    declared_table      regclass,
    declared_line       name[],
    declared_quantity   name,
    status              name DEFAULT NULL,
    freeing_labels      text[] DEFAULT NULL)
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
    status_labels text[] := cbreturn._status_freeing_labels("table");
    status_column name;
    hdr regclass;
    hdr_column name;
    hdr_labels text[];
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
    -- Rules section 6: with a status check on the table, its status column
    -- and its rejected and withdrawn labels, so that the two checks agree;
    -- otherwise the ones given, or none (every return holds its quantity).
    IF status_labels IS NOT NULL THEN
        status_column := cbreturn._role_column("table", 'status', 'status');
        IF status IS NOT NULL AND status OPERATOR(pg_catalog.<>) status_column THEN
            PERFORM cbreturn._error('attach.quantity_status_column', "table"::pg_catalog.text,
                                    status_column::pg_catalog.text, status::pg_catalog.text);
        END IF;
        IF freeing_labels IS NOT NULL
           AND NOT (freeing_labels OPERATOR(pg_catalog.@>) status_labels
                    AND freeing_labels OPERATOR(pg_catalog.<@) status_labels) THEN
            PERFORM cbreturn._error('attach.quantity_status_labels', freeing_labels::pg_catalog.text,
                                    status_labels::pg_catalog.text, "table"::pg_catalog.text);
        END IF;
        freeing_labels := status_labels;
    ELSE
        -- or the status of the return's request, on the declaration header
        -- attached before (attach_header's status): '' names it.  With a
        -- status check on the header table over that column, its rejected
        -- and withdrawn labels, so that the two checks agree, as on one table.
        SELECT c.column_relation, c.column_name INTO hdr, hdr_column FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'header'
           AND c.role OPERATOR(pg_catalog.=) 'status';
        IF FOUND AND status IS NULL
           AND cbreturn._role_column(hdr, 'status', 'status') OPERATOR(pg_catalog.=) hdr_column THEN
            hdr_labels := cbreturn._status_freeing_labels(hdr);
            IF freeing_labels IS NOT NULL
               AND NOT (freeing_labels OPERATOR(pg_catalog.@>) hdr_labels
                        AND freeing_labels OPERATOR(pg_catalog.<@) hdr_labels) THEN
                PERFORM cbreturn._error('attach.quantity_status_labels', freeing_labels::pg_catalog.text,
                                        hdr_labels::pg_catalog.text, hdr::pg_catalog.text);
            END IF;
            freeing_labels := hdr_labels;
        END IF;
        status_column := status;
        IF status IS NOT NULL OR freeing_labels IS NOT NULL THEN
            status_column := cbreturn._header_role("table", 'status', status);
        END IF;
        IF (status_column IS NULL) OPERATOR(pg_catalog.<>) (freeing_labels IS NULL) THEN
            PERFORM cbreturn._error('attach.quantity_freeing_labels');
        END IF;
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
    IF status_column IS NOT NULL THEN
        PERFORM cbreturn._quantity_status_attach("table", status_column, freeing_labels);
    END IF;
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

    -- Citus: no ledger, triggers carried to the shards (sql/67_citus_quantity.sql)
    IF cbreturn._citus_table("table") THEN
        PERFORM cbreturn._quantity_citus_attach("table", line, quantity, declared_table, declared_line,
                                                declared_quantity, status_column);
        RETURN;
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
        -- one a restore of the tables alone (pg_dump -n) brought back is replaced
        IF EXISTS (SELECT FROM pg_catalog.pg_trigger g
                    WHERE g.tgrelid OPERATOR(pg_catalog.=) p.relid
                      AND g.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_truncate') THEN
            EXECUTE pg_catalog.format('DROP TRIGGER cbreturn_quantity_truncate ON %s', p.relid);
        END IF;
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
COMMENT ON FUNCTION cbreturn.attach_quantity_check(regclass, name[], name, regclass, name[], name, name, text[]) IS
    'attach the partial-return quantity check (R-EX-3, R-IM-2): returns of one declared line, in every returns table attached to it, never exceed its declared quantity; rejected and withdrawn returns (status column and labels, or those of the status check on the table) hold none (rules section 6)';

-- Detach (called by cbreturn.detach after the metadata of the check is gone):
-- drop the quantity triggers and count the other returns tables again.
CREATE FUNCTION cbreturn._quantity_detach(rel regclass, declared regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p record;
BEGIN
    IF cbreturn._citus_table(rel) THEN
        PERFORM cbreturn._quantity_citus_detach(rel, declared);   -- sql/67_citus_quantity.sql
        RETURN;
    END IF;
    FOR p IN SELECT rel AS relid UNION SELECT t.relid FROM pg_catalog.pg_partition_tree(rel) t LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_truncate ON %s', p.relid);
    END LOOP;
    -- (cbreturn.detach calls this before it forgets the check of rel)
    IF NOT EXISTS (SELECT FROM cbreturn.attached_check o
                    WHERE o.check_kind OPERATOR(pg_catalog.=) 'quantity'
                      AND o.declared_relation OPERATOR(pg_catalog.=) declared
                      AND o.relation OPERATOR(pg_catalog.<>) rel) THEN
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_guard ON %s', declared);
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_truncate_guard ON %s', declared);
    END IF;
    PERFORM cbreturn._quantity_rebuild(declared, ARRAY[rel::pg_catalog.oid], false);
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_detach(regclass, regclass) IS
    'internal: the quantity part of cbreturn.detach: drops the triggers and counts the remaining returns of the declared table again';

-- DROP (called by cbreturn._follow_drop before it forgets the metadata of
-- the dropped tables): the ledger of a dropped declared table goes; the
-- declared tables whose returns tables, or partitions of them, went are
-- counted again without them.
CREATE FUNCTION cbreturn._quantity_after_drop(gone oid[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d record;
    partitions_went boolean;
BEGIN
    -- (Citus: the guards whose returns table went are dropped before, by
    -- the event trigger cbreturn_citus_follow_drop, sql/67_citus_quantity.sql)
    DELETE FROM cbreturn.quantity_ledger l
     WHERE l.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone);
    SELECT EXISTS (SELECT FROM pg_catalog.pg_event_trigger_dropped_objects() o
                    WHERE o.object_type OPERATOR(pg_catalog.=) 'trigger'
                      AND NOT o.is_temporary
                      AND o.object_identity OPERATOR(pg_catalog.~~) 'cbreturn\_quantity\_check on %')
      INTO partitions_went;
    FOR d IN SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND NOT a.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                AND EXISTS (SELECT FROM pg_catalog.pg_class c
                             WHERE c.oid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid)
                -- a partition's clone of the trigger went: only partitioned
                -- returns tables can have lost one
                AND (a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                     OR (partitions_went AND EXISTS (SELECT FROM pg_catalog.pg_class rc
                                                      WHERE rc.oid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid
                                                        AND rc.relkind OPERATOR(pg_catalog.=) 'p')))
    LOOP
        PERFORM cbreturn._quantity_rebuild(d.declared_relation, gone, false);
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._quantity_after_drop(oid[]) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._quantity_after_drop(oid[]) IS
    'internal: the quantity part of the DROP event trigger: forgets the ledger of dropped declared tables, recounts those whose returns went';

CREATE FUNCTION cbreturn._ddl_rewrites_columns(pg_catalog.pg_ddl_command) RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_ddl_rewrites_columns' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._ddl_rewrites_columns(pg_catalog.pg_ddl_command) IS
    'internal: whether an ALTER TABLE an event trigger reports rewrites a column (ALTER COLUMN ... TYPE)';

CREATE FUNCTION cbreturn._ddl_renamed_value(pg_catalog.pg_ddl_command) RETURNS text[]
    AS 'MODULE_PATHNAME', 'cbr_ddl_renamed_value' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._ddl_renamed_value(pg_catalog.pg_ddl_command) IS
    'internal: the old and the new label of an ALTER TYPE ... RENAME VALUE an event trigger reports (NULL: another command)';

-- ALTER TYPE ... RENAME VALUE of an enum (called by
-- cbreturn._follow_alter_table): every stored value takes the new label with
-- no row trigger.  The labels the checks hold for a column of that enum (or
-- of a domain over it) follow the rename, as the column names they hold
-- follow theirs: the stages of a status check, the freeing labels of a
-- quantity check, the values of an ordinary-return column; a rejected
-- return stays rejected.  The quantity ledgers that read such a status are
-- counted again (an over-return refuses the ALTER TYPE, CB003).
-- The checks whose own labelled column has the enum (or a domain over it):
-- a status check's status, a quantity check's status (its own, the status
-- check's or a request's on the header), an export or import check's
-- ordinary-return column.  Each check's labels are those of its own column.
CREATE FUNCTION cbreturn._enum_label_uses(enum_type oid) RETURNS TABLE (relation regclass, check_kind text)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT DISTINCT c.relation, c.check_kind FROM cbreturn.attached_column c
      JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) c.column_type::pg_catalog.oid
     WHERE ((c.role OPERATOR(pg_catalog.=) 'status'
             AND c.check_kind OPERATOR(pg_catalog.=) ANY ('{status,quantity}'::text[]))
            OR c.role OPERATOR(pg_catalog.=) 'ordinary_return')
       AND enum_type OPERATOR(pg_catalog.=) CASE t.typtype WHEN 'd' THEN t.typbasetype ELSE t.oid END
     ORDER BY 1, 2
$$;
COMMENT ON FUNCTION cbreturn._enum_label_uses(oid) IS
    'internal: the checks whose status or ordinary-return column has an enum (or a domain over it)';

CREATE FUNCTION cbreturn._follow_enum_rename(enum_type oid, old_label text, new_label text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k record;
    -- a status is compared without its trailing blanks, so is the label
    label text := pg_catalog.rtrim(new_label, ' ');
    was text := pg_catalog.rtrim(old_label, ' ');
BEGIN
    -- a new label such a check already holds would give the rows of the old
    -- one its meaning (a registered return read as rejected frees its
    -- quantity), or hold one label twice: refused, before any label moves
    FOR k IN SELECT * FROM cbreturn._enum_label_uses(enum_type) LOOP
        IF label OPERATOR(pg_catalog.<>) was
           AND EXISTS (SELECT FROM cbreturn.attached_check a
                        WHERE a.relation OPERATOR(pg_catalog.=) k.relation
                          AND a.check_kind OPERATOR(pg_catalog.=) k.check_kind
                          AND label OPERATOR(pg_catalog.=) ANY (CASE k.check_kind
                                                                 WHEN 'status' THEN a.status_labels
                                                                 WHEN 'quantity' THEN a.freeing_labels
                                                                 ELSE a.ordinary_values END)) THEN
            PERFORM cbreturn._error('attach.enum_label_held', old_label, enum_type::pg_catalog.regtype::pg_catalog.text,
                                    label, cbreturn._text('kind.' OPERATOR(pg_catalog.||) k.check_kind),
                                    k.relation::pg_catalog.text);
        END IF;
    END LOOP;
    FOR k IN SELECT * FROM cbreturn._enum_label_uses(enum_type) LOOP
        UPDATE cbreturn.attached_check a
           SET status_labels = CASE k.check_kind WHEN 'status'
                                   THEN pg_catalog.array_replace(a.status_labels, was, label) ELSE a.status_labels END,
               freeing_labels = CASE k.check_kind WHEN 'quantity'
                                    THEN pg_catalog.array_replace(a.freeing_labels, was, label) ELSE a.freeing_labels END,
               ordinary_values = CASE WHEN k.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import}'::text[])
                                      THEN pg_catalog.array_replace(a.ordinary_values, was, label)
                                      ELSE a.ordinary_values END
         WHERE a.relation OPERATOR(pg_catalog.=) k.relation AND a.check_kind OPERATOR(pg_catalog.=) k.check_kind
           AND was OPERATOR(pg_catalog.=) ANY (CASE k.check_kind WHEN 'status' THEN a.status_labels
                                                                  WHEN 'quantity' THEN a.freeing_labels
                                                                  ELSE a.ordinary_values END);
    END LOOP;
    -- the ledgers that read such a status
    FOR k IN SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
               JOIN cbreturn._enum_label_uses(enum_type) u
                 ON u.relation OPERATOR(pg_catalog.=) a.relation AND u.check_kind OPERATOR(pg_catalog.=) 'quantity'
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
    LOOP
        PERFORM cbreturn._quantity_rebuild(k.declared_relation, '{}');
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._follow_enum_rename(oid, text, text) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._follow_enum_rename(oid, text, text) IS
    'internal: the labels the checks hold for a column of an enum follow ALTER TYPE ... RENAME VALUE; the ledgers reading such a status are counted again';

-- Partitions attached, created or detached under an attached partitioned
-- returns table: give each its TRUNCATE trigger and count again (rows of an
-- attached partition were written without the check: an over-return among
-- them refuses the ALTER TABLE).  A foreign partition cannot have a
-- TRUNCATE trigger: it is refused.
CREATE FUNCTION cbreturn._quantity_follow_partitions() RETURNS event_trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k record;
    p record;
BEGIN
    -- nothing to do, and no partition tree to look at (pg_partition_tree
    -- locks every partition: pg_restore -j's workers, each adding one
    -- partition's primary key, would deadlock), for any other command
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() d
                    WHERE cbreturn._ddl_moves_partitions(d.command)
                       OR cbreturn._ddl_rewrites_columns(d.command)) THEN
        RETURN;
    END IF;
    FOR k IN SELECT a.relation, a.declared_relation FROM cbreturn.attached_check a
               JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.relation
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity' AND c.relkind OPERATOR(pg_catalog.=) 'p'
                AND EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() d
                             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                               AND cbreturn._ddl_moves_partitions(d.command)
                               AND (d.objid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid
                                    OR d.objid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(a.relation) t)))
    LOOP
        FOR p IN SELECT t.relid FROM pg_catalog.pg_partition_tree(k.relation) t
                  WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_trigger g
                                     WHERE g.tgrelid OPERATOR(pg_catalog.=) t.relid
                                       AND g.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_truncate')
        LOOP
            EXECUTE pg_catalog.format(
                'CREATE TRIGGER cbreturn_quantity_truncate AFTER TRUNCATE ON %s '
                'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.quantity_truncate()', p.relid);
        END LOOP;
        PERFORM cbreturn._quantity_rebuild(k.declared_relation, '{}');
    END LOOP;
    -- A column rewritten in place (ALTER COLUMN ... TYPE ... USING that keeps
    -- the type, so the metadata stays valid) changes quantities or keys
    -- without a row trigger: count the declared table's returns again (an
    -- over-return refuses the ALTER TABLE).
    FOR k IN SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() d
                             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                               AND cbreturn._ddl_rewrites_columns(d.command)
                               AND (d.objid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid
                                    OR d.objid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid
                                    OR d.objid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(a.relation) t)))
    LOOP
        PERFORM cbreturn._quantity_rebuild(k.declared_relation, '{}');
    END LOOP;
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_follow_partitions() IS
    'internal: event trigger giving new partitions of an attached returns table their TRUNCATE trigger and recounting their returns (R-EX-3, R-IM-2)';
CREATE EVENT TRIGGER cbreturn_quantity_follow_partitions ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'CREATE FOREIGN TABLE', 'ALTER TABLE', 'CREATE SCHEMA')
    EXECUTE FUNCTION cbreturn._quantity_follow_partitions();
