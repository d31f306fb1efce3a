-- cbreturn 0.2.0 -> 0.3.0.  Run by ALTER EXTENSION cbreturn UPDATE; attached
-- checks (their triggers and metadata) are kept.  Each section below names the
-- change it carries; test/checks/upgrade.sh requires the result to equal a
-- fresh 0.3.0 install, from 0.2.0 and from 0.1.0 alike.
\echo Use "ALTER EXTENSION cbreturn UPDATE" to load this file. \quit

-- ==== quantity check: safety and performance (issue 9, issue 10) ====
-- Messages cut each value at 64 bytes (cbreturn._clip, as the C checks do);
-- a recount counts no inheritance child of a returns table (they are not
-- checked: row triggers are not inherited) and reads the declared lines of
-- the declared table itself; a role that may TRUNCATE a returns table may
-- have its declared table counted again.  The C side (the ledger row moved
-- in place, the values an error may show, the quantity cache on the
-- shared cache module) comes with the module.
CREATE FUNCTION cbreturn._clip(value text) RETURNS text
    AS 'MODULE_PATHNAME', '_clip' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._clip(text) IS
    'internal: a value cut at 64 bytes for a message, as the write-time checks cut the values they show';

CREATE OR REPLACE FUNCTION cbreturn._quantity_counts_sql(declared regclass, except_relation oid[])
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
        n := pg_catalog.cardinality(keys);
        -- ONLY: inheritance children are neither checked (row triggers
        -- are not inherited) nor counted; partitions are both
        parts := parts OPERATOR(pg_catalog.||) pg_catalog.format(
            'SELECT %s, r.%I::pg_catalog.numeric AS q FROM %s%s r WHERE %s',
            (SELECT pg_catalog.string_agg(pg_catalog.format('r.%I AS k%s', keys[i], i), ', ')
               FROM pg_catalog.generate_series(1, n) i),
            q,
            CASE WHEN (SELECT c.relkind FROM pg_catalog.pg_class c
                        WHERE c.oid OPERATOR(pg_catalog.=) k.relation::pg_catalog.oid)
                      OPERATOR(pg_catalog.=) 'p' THEN '' ELSE 'ONLY ' END,
            k.relation,
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
        '              pg_catalog.min(u.q) AS minq'
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
        (SELECT pg_catalog.string_agg(pg_catalog.format('d.%I %s s.k%s', dkeys[i],
                    cbreturn._eq_operator(a.atttypid::pg_catalog.regtype), i), ' AND ')
           FROM pg_catalog.generate_series(1, n) i
           JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) declared
                                         AND a.attname OPERATOR(pg_catalog.=) dkeys[i]));
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_counts_sql(regclass, oid[]) IS
    'internal: the grouped query over every return of a declared table that the quantity ledger is built and verified from';

CREATE OR REPLACE FUNCTION cbreturn._quantity_may_act(declared regclass, except_relation oid[]) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(pg_catalog.bool_or(cbreturn._owns(r::pg_catalog.regclass)), false)
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
COMMENT ON FUNCTION cbreturn._quantity_may_act(regclass, oid[]) IS
    'internal: may the current role rebuild the quantity ledger of a declared table (it owns the table or a returns table of it, or may TRUNCATE a returns table of it and leaves nothing out)';


-- Ledgers that counted the rows of inheritance children are counted again.
DO $$
DECLARE
    d record;
BEGIN
    FOR d IN SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                AND EXISTS (SELECT FROM pg_catalog.pg_inherits i
                              JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.inhparent
                             WHERE i.inhparent OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid
                               AND c.relkind OPERATOR(pg_catalog.=) 'r')
    LOOP
        PERFORM cbreturn._quantity_rebuild(d.declared_relation, '{}', false);
    END LOOP;
END
$$;
