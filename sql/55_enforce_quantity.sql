-- Write-time enforcement of R-EX-3 and R-IM-2: the returned quantity of a
-- declared line never exceeds its declared quantity.  The C side is
-- src/enforce/quantity.c; the metadata tables and the attach helpers this file
-- uses are in 50_enforcement.sql.

-- R-EX-3, R-IM-2: the quantity returned so far per declared line.  Every
-- writer of a return moves the counter of its line with one upsert, so two
-- writers of the same line are serialised on this row in every isolation
-- level (READ COMMITTED waits and re-reads; REPEATABLE READ and SERIALIZABLE
-- raise 40001).  "line" is the text form of the line key columns.
CREATE TABLE cbreturn.quantity_ledger (
    relation            regclass NOT NULL,
    line                text[] NOT NULL,
    returned            numeric NOT NULL,
    PRIMARY KEY (relation, line)
);
COMMENT ON TABLE cbreturn.quantity_ledger IS
    'returned quantity per declared line, maintained by the quantity check (R-EX-3, R-IM-2)';

SELECT pg_catalog.pg_extension_config_dump('cbreturn.quantity_ledger', '');
ALTER TABLE cbreturn.quantity_ledger ENABLE ROW LEVEL SECURITY;

CREATE POLICY read_all ON cbreturn.quantity_ledger FOR SELECT USING (true);
CREATE POLICY owner_writes ON cbreturn.quantity_ledger FOR ALL
    USING (cbreturn._owns(relation)) WITH CHECK (cbreturn._owns(relation));

REVOKE ALL ON cbreturn.quantity_ledger FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON cbreturn.quantity_ledger TO PUBLIC;

CREATE FUNCTION cbreturn.quantity_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_quantity_check' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.quantity_check() IS
    'AFTER ROW trigger on a returns table: returned quantity per declared line never exceeds the declared quantity (R-EX-3, R-IM-2)';
CREATE FUNCTION cbreturn.declared_quantity_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_declared_quantity_guard' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.declared_quantity_guard() IS
    'BEFORE ROW trigger on a declared-lines table: a line may not drop below, or lose, what was returned of it (R-EX-3, R-IM-2)';

-- TRUNCATE bypasses row triggers: forget the ledger of the truncated table.
CREATE FUNCTION cbreturn.quantity_truncate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM cbreturn.quantity_ledger l
     WHERE l.relation OPERATOR(pg_catalog.=) TG_RELID::pg_catalog.regclass;
    RETURN NULL;
END
$$;
-- EXECUTE stays granted: CREATE TRIGGER needs it, and it only touches the
-- ledger rows of the table it fires on.

-- ---------------------------------------------------------------------------
-- attach_quantity_check: R-EX-3, R-IM-2
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.attach_quantity_check(
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
    over record;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    PERFORM cbreturn._check_table(declared_table, 'declared table');
    IF "table" OPERATOR(pg_catalog.=) declared_table THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the returns and the declared lines must be in two tables';
    END IF;
    n := pg_catalog.cardinality(line);
    IF n IS NULL OR n = 0 OR n > 8 OR n IS DISTINCT FROM pg_catalog.cardinality(declared_line) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'line and declared_line must name the same number of key columns, 1 to 8',
            HINT = 'For example line => ''{decl_no,item_no}'', declared_line => ''{decl_no,g_no}''.';
    END IF;
    PERFORM cbreturn._register("table", 'quantity', false, declared_table);
    FOR i IN 1 .. n LOOP
        PERFORM cbreturn._attach_column("table", 'quantity', 'line_' || i, "table", line[i], NULL,
                                        'a line key column');
        PERFORM cbreturn._attach_column("table", 'quantity', 'declared_line_' || i, declared_table,
                                        declared_line[i], NULL, 'a declared line key column');
        SELECT c.column_type INTO t1 FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) ('line_' || i);
        SELECT c.column_type INTO t2 FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'quantity'
           AND c.role OPERATOR(pg_catalog.=) ('declared_line_' || i);
        IF t1 OPERATOR(pg_catalog.<>) t2 THEN
            RAISE EXCEPTION USING ERRCODE = 'datatype_mismatch',
                MESSAGE = pg_catalog.format('line key column "%s" is of type %s but declared line key column "%s" is of type %s',
                                            line[i], t1, declared_line[i], t2),
                HINT = 'The key columns of a return and of its declared line must have the same types.';
        END IF;
    END LOOP;
    PERFORM cbreturn._attach_column("table", 'quantity', 'quantity', "table", quantity, quantities,
                                    'the returned quantity (R-EX-3, R-IM-2)');
    PERFORM cbreturn._attach_column("table", 'quantity', 'declared_quantity', declared_table,
                                    declared_quantity, quantities, 'the declared quantity (R-EX-3, R-IM-2)');

    -- Writers wait here until the ledger is built, so it starts consistent.
    EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', "table");
    EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', declared_table);
    DELETE FROM cbreturn.quantity_ledger l WHERE l.relation OPERATOR(pg_catalog.=) "table";
    EXECUTE pg_catalog.format(
        'INSERT INTO cbreturn.quantity_ledger (relation, line, returned) '
        'SELECT $1, ARRAY[%s]::pg_catalog.text[], pg_catalog.sum(r.%I) FROM %s r '
        'WHERE %s AND r.%I IS NOT NULL GROUP BY %s',
        (SELECT pg_catalog.string_agg(pg_catalog.format('pg_catalog.format(''%%s'', r.%I)', c), ', ') FROM pg_catalog.unnest(line) c),
        quantity, "table",
        (SELECT pg_catalog.string_agg(pg_catalog.format('r.%I IS NOT NULL', c), ' AND ') FROM pg_catalog.unnest(line) c),
        quantity,
        (SELECT pg_catalog.string_agg(pg_catalog.format('r.%I', c), ', ') FROM pg_catalog.unnest(line) c))
        USING "table";
    -- Existing over-returns are reported, not silently accepted.
    EXECUTE pg_catalog.format(
        'SELECT l.line, l.returned, d.%I::pg_catalog.numeric AS declared '
        'FROM cbreturn.quantity_ledger l LEFT JOIN %s d ON ARRAY[%s]::pg_catalog.text[] OPERATOR(pg_catalog.=) l.line '
        'WHERE l.relation OPERATOR(pg_catalog.=) $1 '
        'AND (d.%I IS NULL OR l.returned OPERATOR(pg_catalog.>) d.%I::pg_catalog.numeric) LIMIT 1',
        declared_quantity, declared_table,
        (SELECT pg_catalog.string_agg(pg_catalog.format('pg_catalog.format(''%%s'', d.%I)', c), ', ') FROM pg_catalog.unnest(declared_line) c),
        declared_quantity, declared_quantity)
        INTO over USING "table";
    IF over.line IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'CB003',
            MESSAGE = pg_catalog.format('existing rows of %s already break R-EX-3/R-IM-2', "table"),
            DETAIL = pg_catalog.format('Line %s has %s returned against %s declared.',
                                       over.line, over.returned, coalesce(over.declared::text, 'no declared line')),
            HINT = 'Correct the existing returns, then attach the check again.';
    END IF;

    EXECUTE pg_catalog.format(
        'CREATE TRIGGER cbreturn_quantity_check AFTER INSERT OR UPDATE OR DELETE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION cbreturn.quantity_check()', "table");
    EXECUTE pg_catalog.format(
        'CREATE TRIGGER cbreturn_quantity_truncate AFTER TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.quantity_truncate()', "table");
    -- One guard per declared table serves every quantity check that uses it.
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
                    WHERE t.tgrelid OPERATOR(pg_catalog.=) declared_table
                      AND t.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_guard') THEN
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_quantity_guard BEFORE UPDATE OR DELETE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION cbreturn.declared_quantity_guard()', declared_table);
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn.attach_quantity_check(regclass, name[], name, regclass, name[], name) IS
    'attach the partial-return quantity check (R-EX-3, R-IM-2): returns of one declared line never exceed its declared quantity';

COMMENT ON FUNCTION cbreturn.quantity_truncate() IS
    'internal: TRUNCATE trigger that forgets the quantity ledger rows of the truncated returns table (R-EX-3, R-IM-2)';
