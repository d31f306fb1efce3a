-- Facts read from a declaration header (issue 12, item 2).  The export date,
-- supervision code, export office and 1210 departure date of a return (for
-- an import return, its release date) usually live on the original
-- declaration's header row, not on the return.  attach_header names the
-- header table, the key that links a return to its header row and the
-- header's column of each such role; the export and import checks attached
-- after it read those roles from the header row of each return (found with
-- the key types' equality through the header key's unique index, locked FOR
-- KEY SHARE), and a guard on the header table re-checks the returns of a row
-- whose key or facts are corrected.  The C side is src/enforce/header.c;
-- docs/enforcement.md ("Facts from the declaration header") is the guide.
--
-- Metadata: one cbreturn.attached_check row of kind 'header' (relation: the
-- returns table, declared_relation: the header table) with the columns
-- key_1..n (the returns table's), header_key_1..n and one per role (the
-- header's).  A check that reads a role from the header records the header's
-- column for that role in its own metadata (column_relation: the header), so
-- renames, the refusal to drop or retype a column, dump and restore follow
-- the header's columns as they follow the quantity check's declared table.

CREATE FUNCTION cbreturn.header_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_header_guard' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.header_guard() IS
    'BEFORE ROW trigger on a declaration header table: a row returns name may not be deleted or re-keyed, and a correction may not break a return that reads its facts from it (CB014)';

CREATE FUNCTION cbreturn._header_validate(rel regclass) RETURNS void
    AS 'MODULE_PATHNAME', 'cbr_header_validate' LANGUAGE C STRICT;
COMMENT ON FUNCTION cbreturn._header_validate(regclass) IS
    'internal: refuses a declaration header link without a unique constraint on exactly its header key, whose owner may not read it, or under row security that applies to its owner';

-- TRUNCATE bypasses row triggers: of a header whose rows returns name,
-- refused, as a foreign key would.  SECURITY DEFINER to look into the
-- returns tables; it says only whether a return names a row, never a value.
-- The first returns table (in OID order) with a return that names a row of
-- part: the header table, or a partition of a partitioned one with its own
-- partitions; NULL when no return does.  A return names a row when each of
-- its key columns equals the row's header key column, by the key type's
-- equality (attach_header requires one type on both sides).  orphaned: the
-- first with a return whose key, wholly given, names no row of part (a
-- header whose partition another object's DROP ... CASCADE took).  SECURITY
-- DEFINER to look into the returns tables; the callers say only whether a
-- return names a row, never a value.
CREATE FUNCTION cbreturn._header_rows_named(part regclass, orphaned boolean DEFAULT false) RETURNS regclass
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k record;
    leaf regclass;
    header_from text;
    cond text;
    given text;
    named boolean;
    seen pg_catalog.oid[] := '{}';
BEGIN
    -- Only tables are read, never a view or a foreign table: a table a
    -- role owns may have become a view since it was linked (CREATE RULE
    -- "_RETURN" on PostgreSQL 15), and a view would run that role's
    -- functions with this function's rights.  The returns table is read
    -- leaf by leaf for the same reason.
    SELECT CASE c.relkind WHEN 'p' THEN '' ELSE 'ONLY ' END OPERATOR(pg_catalog.||) part::pg_catalog.text
      INTO header_from
      FROM pg_catalog.pg_class c
     WHERE c.oid OPERATOR(pg_catalog.=) part::pg_catalog.oid AND c.relkind IN ('r', 'p');
    IF header_from IS NULL THEN
        RETURN NULL;
    END IF;
    FOR k IN SELECT a.relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'header'
                -- a partition of a partitioned header (issue 12): the links
                -- name the partitioned table
                -- (pg_partition_ancestors gives nothing for a table that is
                -- neither a partition nor partitioned)
                AND (a.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) part
                     OR a.declared_relation::pg_catalog.oid IN (SELECT pg_catalog.pg_partition_ancestors(part)))
                AND EXISTS (SELECT FROM pg_catalog.pg_class c
                             WHERE c.oid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid)
              ORDER BY a.relation::pg_catalog.oid
    LOOP
      seen := seen OPERATOR(pg_catalog.||) k.relation::pg_catalog.oid;
      -- a return names a header row: each key column equals the row's
      -- header key column, by the key type's equality
      -- (under the collation of the header's key column, as its unique
      -- index compares and a foreign key would: the return's key column may
      -- have another)
      SELECT pg_catalog.string_agg(pg_catalog.format('h.%I %s r.%I%s', hk.column_name,
                                                     cbreturn._eq_operator(hk.column_type), rk.column_name,
                                                     cbreturn._collate_of(hk.column_relation, hk.column_name)),
                                   ' AND '),
             pg_catalog.string_agg(pg_catalog.format('r.%I IS NOT NULL', rk.column_name), ' AND ')
        INTO cond, given
        FROM cbreturn.attached_column rk
        JOIN cbreturn.attached_column hk
          ON hk.relation OPERATOR(pg_catalog.=) rk.relation
         AND hk.check_kind OPERATOR(pg_catalog.=) 'header'
         AND hk.role OPERATOR(pg_catalog.=) ('header_' OPERATOR(pg_catalog.||) rk.role)
       WHERE rk.relation OPERATOR(pg_catalog.=) k.relation
         AND rk.check_kind OPERATOR(pg_catalog.=) 'header'
         AND rk.role OPERATOR(pg_catalog.~) '^key_[0-9]+$';
      -- a key whose equality is gone (an operator class dropped with the
      -- header's primary key, in the statement being checked): no return
      -- can be shown to name a row, nor not to: counted as named
      IF cond IS NULL THEN
          RETURN k.relation;
      END IF;
      FOR leaf IN SELECT c.oid::pg_catalog.regclass FROM pg_catalog.pg_class c
                   WHERE c.oid OPERATOR(pg_catalog.=) k.relation::pg_catalog.oid
                     AND c.relkind OPERATOR(pg_catalog.=) 'r'
                  UNION
                  SELECT t.relid FROM pg_catalog.pg_partition_tree(k.relation) t
                    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relid::pg_catalog.oid
                   WHERE c.relkind OPERATOR(pg_catalog.=) 'r'
      LOOP
        -- held first, then asked again what it is, as committed: a role
        -- could turn it into a view in a transaction still open when it was
        -- listed above
        EXECUTE pg_catalog.format('LOCK TABLE ONLY %s IN ACCESS SHARE MODE', leaf);
        CONTINUE WHEN NOT cbreturn._exists_latest(pg_catalog.format(
            'SELECT EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) %s'
            ' AND c.relkind OPERATOR(pg_catalog.=) ''r'')', leaf::pg_catalog.oid));
        -- (a partitioned table: every partition, issue 12); read with the
        -- latest snapshot, as every writer of such a return has committed
        -- by now (cbreturn._exists_latest)
        named := cbreturn._exists_latest(CASE WHEN orphaned THEN pg_catalog.format(
            'SELECT EXISTS (SELECT FROM ONLY %s r WHERE %s AND NOT EXISTS (SELECT FROM %s h WHERE %s))',
            leaf, given, header_from, cond) ELSE pg_catalog.format(
            'SELECT EXISTS (SELECT FROM ONLY %s r WHERE EXISTS (SELECT FROM %s h WHERE %s))',
            leaf, header_from, cond) END);
        IF named THEN
            RETURN k.relation;
        END IF;
      END LOOP;
    END LOOP;
    -- REPEATABLE READ, SERIALIZABLE: the links above were read with the
    -- transaction's snapshot, so a returns table linked by a transaction
    -- that committed after it was taken was not looked at: refused (40001,
    -- retry), never decided without it
    IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.<>) 'read committed'
       AND cbreturn._exists_latest(pg_catalog.format(
           'SELECT EXISTS (SELECT FROM cbreturn.attached_check a'
           ' WHERE a.check_kind OPERATOR(pg_catalog.=) ''header'''
           '   AND (a.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) %s'
           '        OR a.declared_relation::pg_catalog.oid IN (SELECT pg_catalog.pg_partition_ancestors(%s)))'
           '   AND NOT a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (%L::pg_catalog.oid[])'
           '   AND EXISTS (SELECT FROM pg_catalog.pg_class c'
           '                WHERE c.oid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid))',
           part::pg_catalog.oid, part::pg_catalog.oid, seen)) THEN
        PERFORM cbreturn._error('header.link_concurrent', part::pg_catalog.text);
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._header_rows_named(regclass, boolean) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._header_rows_named(regclass, boolean) IS
    'internal: the first returns table with a return that names a row of a declaration header table or of a partition of one, or (orphaned) a row of none (NULL: none)';

CREATE FUNCTION cbreturn.header_truncate_guard() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    named regclass := cbreturn._header_rows_named(TG_RELID::pg_catalog.regclass);
BEGIN
    IF named IS NOT NULL THEN
        PERFORM cbreturn._error('header.truncate', TG_RELID::pg_catalog.regclass::pg_catalog.text,
                                named::pg_catalog.text);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION cbreturn.header_truncate_guard() IS
    'internal: BEFORE TRUNCATE trigger of a declaration header table (and of each partition of a partitioned one): refused while returns name its rows (CB014)';

-- A partition leaves a partitioned header (issue 12): ALTER TABLE ... DETACH
-- PARTITION or DROP TABLE, which delete no row and fire no TRUNCATE
-- trigger.  Refused (CB014) while returns name a row of it: they would name
-- no header row.  The event trigger below (src/enforce/header_ddl.c) finds
-- the partition in the statement and holds it, its parent first, before it
-- asks, so no return can come to name a row of it meanwhile.
CREATE FUNCTION cbreturn._header_partition_leaves(part regclass, verb text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    named regclass;
    header regclass;
BEGIN
    -- A table that is itself a declaration header, detached from a parent
    -- that is none (nor a partition of one), keeps its rows: nothing leaves.
    IF verb OPERATOR(pg_catalog.=) 'detach'
       AND NOT EXISTS (SELECT FROM cbreturn.attached_check a
                        WHERE a.check_kind OPERATOR(pg_catalog.=) 'header'
                          AND a.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.<>) part::pg_catalog.oid
                          AND a.declared_relation::pg_catalog.oid IN (SELECT pg_catalog.pg_partition_ancestors(part))) THEN
        RETURN;
    END IF;
    named := cbreturn._header_rows_named(part);
    IF named IS NULL THEN
        RETURN;
    END IF;
    SELECT a.declared_relation INTO header FROM cbreturn.attached_check a
     WHERE a.check_kind OPERATOR(pg_catalog.=) 'header' AND a.relation OPERATOR(pg_catalog.=) named
       AND a.declared_relation::pg_catalog.oid IN (SELECT pg_catalog.pg_partition_ancestors(part));
    IF verb OPERATOR(pg_catalog.=) 'detach' THEN
        PERFORM cbreturn._error('header.detach_partition',
                                part::pg_catalog.text, header::pg_catalog.text, named::pg_catalog.text);
    ELSE
        PERFORM cbreturn._error('header.drop_partition',
                                part::pg_catalog.text, header::pg_catalog.text, named::pg_catalog.text);
    END IF;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._header_partition_leaves(regclass, text) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._header_partition_leaves(regclass, text) IS
    'internal: refuses (CB014) the DETACH PARTITION or DROP TABLE of a partition of a declaration header while returns name its rows';

-- The partitions of declaration headers that DROP SCHEMA ... CASCADE of
-- schemas, DROP OWNED BY owners (their tables, and those in schemas they
-- own) or DROP EXTENSION of extensions (their member tables) would take
-- while their header stays: the event trigger below asks about each as
-- about a DROP TABLE.  It walks pg_inherits and takes no lock, so that a
-- role's DROP of its own schema never waits for, nor holds up, the headers.
-- Every partition of a declaration header (relid), with the header (root):
-- walks pg_inherits, takes no lock.  It tells what cbreturn.attached_checks
-- and pg_inherits tell every role.
CREATE FUNCTION cbreturn._header_partitions() RETURNS TABLE (relid pg_catalog.oid, root pg_catalog.oid)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE tree (relid, root) AS (
        SELECT i.inhrelid, a.declared_relation::pg_catalog.oid
          FROM cbreturn.attached_check a
          JOIN pg_catalog.pg_inherits i ON i.inhparent OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid
         WHERE a.check_kind OPERATOR(pg_catalog.=) 'header'
        UNION
        SELECT i.inhrelid, t.root
          FROM tree t JOIN pg_catalog.pg_inherits i ON i.inhparent OPERATOR(pg_catalog.=) t.relid)
    SELECT t.relid, t.root FROM tree t
$$;
COMMENT ON FUNCTION cbreturn._header_partitions() IS
    'internal: every partition of a declaration header table, with the header';

CREATE FUNCTION cbreturn._header_partitions_going(schemas oid[], owners oid[], extensions oid[])
    RETURNS regclass[]
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH tree (relid, root) AS (SELECT p.relid, p.root FROM cbreturn._header_partitions() p),
    going (oid) AS (
        SELECT c.oid FROM pg_catalog.pg_class c
         WHERE c.relnamespace OPERATOR(pg_catalog.=) ANY (schemas)
            OR c.relowner OPERATOR(pg_catalog.=) ANY (owners)
            OR c.relnamespace IN (SELECT n.oid FROM pg_catalog.pg_namespace n
                                   WHERE n.nspowner OPERATOR(pg_catalog.=) ANY (owners))
        UNION
        SELECT d.objid FROM pg_catalog.pg_depend d
         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
           AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
           AND d.deptype OPERATOR(pg_catalog.=) 'e'
           AND d.refobjid OPERATOR(pg_catalog.=) ANY (extensions))
    SELECT coalesce(pg_catalog.array_agg(DISTINCT t.relid::pg_catalog.regclass), '{}')
      FROM tree t
     WHERE t.relid IN (SELECT g.oid FROM going g)
       AND t.root NOT IN (SELECT g.oid FROM going g)
$$;
REVOKE ALL ON FUNCTION cbreturn._header_partitions_going(oid[], oid[], oid[]) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._header_partitions_going(oid[], oid[], oid[]) IS
    'internal: the partitions of declaration headers a DROP SCHEMA ... CASCADE, DROP OWNED BY or DROP EXTENSION would take while their header stays';

CREATE FUNCTION cbreturn._header_partitions_ddl() RETURNS event_trigger
    AS 'MODULE_PATHNAME', 'cbr_header_partitions_ddl' LANGUAGE C;
REVOKE ALL ON FUNCTION cbreturn._header_partitions_ddl() FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._header_partitions_ddl() IS
    'internal: event trigger at the start of ALTER TABLE, DROP TABLE, DROP SCHEMA, DROP OWNED and DROP EXTENSION: a partition of a declaration header leaving it is refused while returns name its rows (CB014); at the start of every command that can drop a table, records whether it says CASCADE';
-- (also at the start of every other command that can drop a table, so that
-- cbreturn._ddl_cascades answers for the command being run, never an earlier one)
CREATE EVENT TRIGGER cbreturn_header_partitions ON ddl_command_start
    WHEN TAG IN ('ALTER TABLE', 'ALTER TYPE', 'DROP TABLE', 'DROP SCHEMA', 'DROP OWNED', 'DROP EXTENSION',
                 'DROP TYPE', 'DROP DOMAIN', 'DROP SERVER', 'DROP FOREIGN DATA WRAPPER', 'DROP ACCESS METHOD',
                 'DROP FUNCTION', 'DROP PROCEDURE', 'DROP ROUTINE', 'DROP OPERATOR CLASS', 'DROP OPERATOR FAMILY',
                 'DROP COLLATION', 'DROP OPERATOR', 'DROP CAST', 'DROP LANGUAGE', 'DROP TRANSFORM',
                 'DROP TEXT SEARCH PARSER', 'DROP TEXT SEARCH DICTIONARY', 'DROP TEXT SEARCH TEMPLATE',
                 'DROP TEXT SEARCH CONFIGURATION')
    EXECUTE FUNCTION cbreturn._header_partitions_ddl();

-- The partitions of declaration headers, noted at the start of another
-- object's DROP ... CASCADE (src/enforce/header_ddl.c): cbreturn._follow_drop
-- asks, of those the drop took while their header stays, whether returns
-- are left naming no header row (CB014).
CREATE FUNCTION cbreturn._ddl_header_partitions()
    RETURNS TABLE (relid pg_catalog.oid, root pg_catalog.oid)
    AS 'MODULE_PATHNAME', 'cbr_ddl_header_partitions' LANGUAGE C VOLATILE PARALLEL UNSAFE;
REVOKE ALL ON FUNCTION cbreturn._ddl_header_partitions() FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._ddl_header_partitions() IS
    'internal: the partitions of declaration headers noted at the start of the DROP ... CASCADE being run';

-- A partitioned header (issue 12): TRUNCATE of one partition fires that
-- partition's statement triggers only, which PostgreSQL does not clone from
-- the parent (it clones row triggers, so the row guard covers every
-- partition).  Each leaf partition gets its own TRUNCATE guard: at attach,
-- and, for a partition created or attached later, from the event trigger
-- cbreturn._follow_partitions.  Only missing guards are created.
CREATE FUNCTION cbreturn._header_truncate_guards(header regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    leaf regclass;
BEGIN
    FOR leaf IN SELECT t.relid FROM pg_catalog.pg_partition_tree(header) t
                  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relid::pg_catalog.oid
                 WHERE t.relid OPERATOR(pg_catalog.<>) header
                   AND c.relkind OPERATOR(pg_catalog.=) 'r'
                   AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger g
                                    WHERE g.tgrelid OPERATOR(pg_catalog.=) c.oid
                                      AND g.tgname OPERATOR(pg_catalog.=) 'cbreturn_header_truncate_guard')
                 ORDER BY c.oid
    LOOP
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_header_truncate_guard BEFORE TRUNCATE ON %s '
            'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.header_truncate_guard()', leaf);
    END LOOP;
END
$$;
COMMENT ON FUNCTION cbreturn._header_truncate_guards(regclass) IS
    'internal: gives each leaf partition of a partitioned declaration header the TRUNCATE guard it lacks';

-- The guards of a header go (detach, drop): the row guard with its clones on
-- the partitions, the TRUNCATE guards of the header and of its partitions.
CREATE FUNCTION cbreturn._header_drop_guards(header regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    leaf regclass;
BEGIN
    EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_header_guard ON %s', header);
    EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_header_truncate_guard ON %s', header);
    FOR leaf IN SELECT g.tgrelid::pg_catalog.regclass FROM pg_catalog.pg_partition_tree(header) t
                  JOIN pg_catalog.pg_trigger g ON g.tgrelid OPERATOR(pg_catalog.=) t.relid::pg_catalog.oid
                 WHERE t.relid OPERATOR(pg_catalog.<>) header
                   AND g.tgname OPERATOR(pg_catalog.=) 'cbreturn_header_truncate_guard'
                 ORDER BY g.tgrelid
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER cbreturn_header_truncate_guard ON %s', leaf);
    END LOOP;
END
$$;
COMMENT ON FUNCTION cbreturn._header_drop_guards(regclass) IS
    'internal: drops the guards of a declaration header, those of its partitions included';

-- What an attach function passes for a role: the column given, or '' (a
-- name no column can have) when the declaration header attached to rel
-- holds the role; _attach_column then records the header's column, and
-- _new_column writes NULL into the WHEN clause.  Naming the role on both is
-- refused.
CREATE FUNCTION cbreturn._header_role(rel regclass, col_role text, given name) RETURNS name
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    col name;
    hdr regclass;
BEGIN
    SELECT c.column_name, c.column_relation INTO col, hdr FROM cbreturn.attached_column c
     WHERE c.relation OPERATOR(pg_catalog.=) rel AND c.check_kind OPERATOR(pg_catalog.=) 'header'
       AND c.role OPERATOR(pg_catalog.=) col_role;
    IF NOT FOUND THEN
        RETURN given;
    END IF;
    IF given IS NOT NULL THEN
        PERFORM cbreturn._error('header.role_twice', col_role, given::pg_catalog.text, hdr::pg_catalog.text,
                                col::pg_catalog.text);
    END IF;
    RETURN '';
END
$$;
COMMENT ON FUNCTION cbreturn._header_role(regclass, text, name) IS
    'internal: the column an attach function records for a role: the one given, or the declaration header''s when attach_header named it';

-- The WHEN clause of an export check that reads a declaration header (issue
-- 12, COPY through a header lookup): the roles, then the returns table's key
-- columns, with which the function finds and locks the header row as the
-- trigger would, so that a row that passes queues no trigger event.
-- VOLATILE and PARALLEL UNSAFE: it locks the row (FOR KEY SHARE); it refuses
-- a caller that may not write the checked table.
CREATE FUNCTION cbreturn._export_row_ok(checked regclass, exported_on date, reason "any",
                                        returned_on date, remarks "any", supervision_code "any",
                                        export_office "any", return_office "any", applicant "any",
                                        return_site "any", left_special_area_on date,
                                        VARIADIC header_key "any")
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_export_row_ok' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION cbreturn._export_row_ok(regclass, date, "any", date, "any", "any", "any", "any", "any", "any", date,
                                            VARIADIC "any") IS
    'internal: WHEN clause of the reading export check on a table whose facts are on a declaration header: finds and locks the header row by the key passed last; true when the row passes, so that no trigger event is queued for it';

-- The header key arguments of that WHEN clause: ', NEW."k1", NEW."k2"' in
-- the link's order, or '' when no declaration header is attached to rel.
CREATE FUNCTION cbreturn._header_when_keys(rel regclass) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT COALESCE(pg_catalog.string_agg(pg_catalog.format(', NEW.%I', c.column_name),
                                                     '' ORDER BY pg_catalog.substr(c.role, 5)::pg_catalog.int4), '')
      FROM cbreturn.attached_column c
     WHERE c.relation OPERATOR(pg_catalog.=) rel
       AND c.check_kind OPERATOR(pg_catalog.=) 'header'
       AND c.role OPERATOR(pg_catalog.~) '^key_[0-9]+$'
$$;
COMMENT ON FUNCTION cbreturn._header_when_keys(regclass) IS
    'internal: the declaration header key columns an export check''s WHEN clause passes, NEW."column" each';

-- ---------------------------------------------------------------------------
-- attach_header
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.attach_header(
    "table"             regclass,
    header              regclass,
    key                 name[],
    header_key          name[],
    exported_on         name DEFAULT NULL,
    supervision_code    name DEFAULT NULL,
    export_office       name DEFAULT NULL,
    left_special_area_on name DEFAULT NULL,
    released_on         name DEFAULT NULL,
    status              name DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- R-T-1: a timestamptz is read as its date in China
    days regtype[] := ARRAY['date', 'timestamp without time zone', 'timestamp with time zone']::regtype[];
    sup regtype[] := ARRAY['cbreturn.supervision_code', 'text', 'character varying', 'character']::regtype[];
    office regtype[] := ARRAY['cbreturn.customs_code', 'text', 'character varying', 'character']::regtype[];
    -- status: a return request's status (rules section 6), read by the
    -- quantity check attached afterwards with its freeing labels
    roles text[] := ARRAY['exported_on', 'supervision_code', 'export_office', 'left_special_area_on', 'released_on',
                          'status'];
    cols name[] := ARRAY[exported_on, supervision_code, export_office, left_special_area_on, released_on, status];
    n int;
    i int;
    t1 regtype;
    t2 regtype;
    k text;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    PERFORM cbreturn._check_table(header, 'header table');
    IF "table" OPERATOR(pg_catalog.=) header THEN
        PERFORM cbreturn._error('header.same_table');
    END IF;
    -- the checks read the header from their attach on: attach it first
    SELECT a.check_kind INTO k FROM cbreturn.attached_check a
     WHERE a.relation OPERATOR(pg_catalog.=) "table"
       AND a.check_kind OPERATOR(pg_catalog.=) ANY ('{export,import}'::text[])
     ORDER BY 1 LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('header.after_checks', cbreturn._text('kind.' OPERATOR(pg_catalog.||) k),
                                "table"::pg_catalog.text,
                                pg_catalog.quote_literal("table"::pg_catalog.text), pg_catalog.quote_literal(k));
    END IF;
    n := pg_catalog.cardinality(key);
    IF n IS NULL OR n = 0 OR n > 8 OR n IS DISTINCT FROM pg_catalog.cardinality(header_key) THEN
        PERFORM cbreturn._error('header.key_count');
    END IF;
    IF (SELECT pg_catalog.count(c) FROM pg_catalog.unnest(cols) c) = 0 THEN
        PERFORM cbreturn._error('header.no_role');
    END IF;
    PERFORM cbreturn._register("table", 'header', false, header);
    FOR i IN 1 .. n LOOP
        PERFORM cbreturn._attach_column("table", 'header', 'key_' || i, "table", key[i], NULL,
                                        cbreturn._text('header.key'));
        PERFORM cbreturn._attach_column("table", 'header', 'header_key_' || i, header, header_key[i], NULL,
                                        cbreturn._text('header.header_key'));
        SELECT c.column_type INTO t1 FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'header'
           AND c.role OPERATOR(pg_catalog.=) ('key_' || i);
        SELECT c.column_type INTO t2 FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'header'
           AND c.role OPERATOR(pg_catalog.=) ('header_key_' || i);
        IF t1 OPERATOR(pg_catalog.<>) t2 THEN
            PERFORM cbreturn._error('header.key_types', key[i]::pg_catalog.text, t1::pg_catalog.text,
                                    header_key[i]::pg_catalog.text, t2::pg_catalog.text);
        END IF;
        -- the guards compare keys by the type's equality in built SQL (an
        -- array, a composite or a range of no default class has none)
        IF cbreturn._eq_operator(t2) IS NULL THEN
            PERFORM cbreturn._error('header.key_no_equality', header_key[i]::pg_catalog.text, t2::pg_catalog.text);
        END IF;
    END LOOP;
    FOR i IN 1 .. pg_catalog.cardinality(roles) LOOP
        CONTINUE WHEN cols[i] IS NULL;
        PERFORM cbreturn._attach_column("table", 'header', roles[i], header, cols[i],
                                        CASE roles[i] WHEN 'supervision_code' THEN sup
                                                      WHEN 'export_office' THEN office
                                                      WHEN 'status' THEN cbreturn._status_types(header, cols[i])
                                                      ELSE days END,
                                        cbreturn._text('header.' || roles[i]));
    END LOOP;
    -- a row is found as a foreign key finds it (unique constraint, the key
    -- types' equality) and read as the header's owner may read it
    PERFORM cbreturn._header_validate("table");
    -- one guard per header table serves every returns table that reads it
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
                    WHERE t.tgrelid OPERATOR(pg_catalog.=) header
                      AND t.tgname OPERATOR(pg_catalog.=) 'cbreturn_header_guard') THEN
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_header_guard BEFORE UPDATE OR DELETE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION cbreturn.header_guard()', header);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_header_truncate_guard BEFORE TRUNCATE ON %s '
            'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.header_truncate_guard()', header);
    END IF;
    -- a partitioned header: each partition's TRUNCATE too (issue 12)
    PERFORM cbreturn._header_truncate_guards(header);
END
$$;
COMMENT ON FUNCTION cbreturn.attach_header(regclass, regclass, name[], name[], name, name, name, name, name, name) IS
    'name the declaration header (or return request) of a returns table, its key and the header columns of the export date, supervision code, export office, 1210 departure date, release date or request status; the export, import and quantity checks attached afterwards read those from the header row';

-- Detach (called by cbreturn.detach): refused while a check on rel reads
-- from the header; the guards go with the last returns table reading it.
CREATE FUNCTION cbreturn._header_detach(rel regclass, header regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
BEGIN
    SELECT a.check_kind, a.role INTO c FROM cbreturn.attached_column a
     WHERE a.relation OPERATOR(pg_catalog.=) rel AND a.check_kind OPERATOR(pg_catalog.<>) 'header'
       AND a.column_relation OPERATOR(pg_catalog.=) header
     ORDER BY 1, 2 LIMIT 1;
    IF FOUND THEN
        PERFORM cbreturn._error('header.in_use', header::pg_catalog.text, c.check_kind, rel::pg_catalog.text, c.role,
                                pg_catalog.quote_literal(rel::pg_catalog.text), pg_catalog.quote_literal(c.check_kind));
    END IF;
    -- (only the header's owner may drop its triggers; left to a role that
    -- attached with TRIGGER alone, a guard no returns table uses checks nothing)
    IF NOT EXISTS (SELECT FROM cbreturn.attached_check o
                    WHERE o.check_kind OPERATOR(pg_catalog.=) 'header'
                      AND o.declared_relation OPERATOR(pg_catalog.=) header
                      AND o.relation OPERATOR(pg_catalog.<>) rel)
       AND cbreturn._owns(header) THEN
        PERFORM cbreturn._header_drop_guards(header);
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn._header_detach(regclass, regclass) IS
    'internal: the header part of cbreturn.detach: refused while a check reads from the header; drops its guards with the last returns table reading it';

-- DROP (called by cbreturn._follow_drop before it forgets the metadata of
-- the dropped tables): the guards of a header no remaining returns table
-- reads go.  (A header table itself cannot be dropped while a returns table
-- reads it: _follow_drop refuses that.)
CREATE FUNCTION cbreturn._header_after_drop(gone oid[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    h regclass;
BEGIN
    FOR h IN SELECT DISTINCT a.declared_relation FROM cbreturn.attached_check a
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'header'
                AND a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                AND NOT a.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
                AND EXISTS (SELECT FROM pg_catalog.pg_class c
                             WHERE c.oid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid)
                AND NOT EXISTS (SELECT FROM cbreturn.attached_check o
                                 WHERE o.check_kind OPERATOR(pg_catalog.=) 'header'
                                   AND o.declared_relation OPERATOR(pg_catalog.=) a.declared_relation
                                   AND NOT o.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone))
    LOOP
        PERFORM cbreturn._header_drop_guards(h);
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._header_after_drop(oid[]) FROM PUBLIC;
COMMENT ON FUNCTION cbreturn._header_after_drop(oid[]) IS
    'internal: the header part of the DROP event trigger: drops the guards of declaration headers no remaining returns table reads';
