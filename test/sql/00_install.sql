-- Install cbreturn and check its operator classes.  Every later regress file
-- relies on this one and is otherwise self-contained.
CREATE EXTENSION cbreturn;

-- The btree and hash classes of the three identifier types (R-ID-1..3) must
-- pass the access methods' own consistency checks: complete strategies and
-- support functions with the right signatures (including the extended hash
-- function that hash partitioning needs).
SELECT opcname, amname, amvalidate(c.oid)
  FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
 WHERE opcnamespace = 'cbreturn'::regnamespace
 ORDER BY 1, 2;

-- Each identifier type has exactly one default class per access method.
SELECT t.typname, a.amname, count(*) AS default_classes
  FROM pg_opclass c
  JOIN pg_am a ON a.oid = c.opcmethod
  JOIN pg_type t ON t.oid = c.opcintype
 WHERE c.opcnamespace = 'cbreturn'::regnamespace AND c.opcdefault
 GROUP BY 1, 2
 ORDER BY 1, 2;

-- The types are fixed-size and passed by value, as documented (8 and 2 bytes).
SELECT typname, typlen, typbyval, typalign, typstorage
  FROM pg_type
 WHERE typnamespace = 'cbreturn'::regnamespace
   AND typname IN ('declaration_id', 'customs_code', 'supervision_code')
 ORDER BY 1;

-- The helper every later regress file uses (dropped by 99_uninstall):
-- regress.try(sql) gives the SQLSTATE and message of a statement that fails,
-- 'ok' otherwise.  It runs with the caller's rights (unprivileged roles too).
CREATE SCHEMA regress;
CREATE FUNCTION regress.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
GRANT USAGE ON SCHEMA regress TO PUBLIC;
GRANT EXECUTE ON FUNCTION regress.try(text) TO PUBLIC;
-- The fields of the error a statement raises that a client reads besides its
-- text (PostgreSQL's SCHEMA NAME, TABLE NAME, COLUMN NAME), without the source
-- location that psql's verbose mode would print with them.
CREATE FUNCTION regress.try_fields(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text; sch text; tab text; col text;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, sch = SCHEMA_NAME, tab = TABLE_NAME, col = COLUMN_NAME;
    RETURN format('%s schema=%s table=%s column=%s', st, sch, tab, col);
END
$$;
GRANT EXECUTE ON FUNCTION regress.try_fields(text) TO PUBLIC;
