-- Identifiers held as text by an ERP (docs/types.md, "Text and varchar keys").
--
-- district('2924'): an untyped literal matched both district(customs_code)
-- and district(declaration_id) and was refused as ambiguous.  An overload on
-- text takes it (PostgreSQL prefers the string category for an unknown
-- literal), as well as text and varchar columns; typed arguments still take
-- the typed overloads.
CREATE FUNCTION cbreturn.district(code_or_declaration text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN pg_catalog.length(pg_catalog.btrim($1)) OPERATOR(pg_catalog.<=) 4
                THEN cbreturn.district($1::cbreturn.customs_code)
                ELSE cbreturn.district($1::cbreturn.declaration_id) END
$$;
COMMENT ON FUNCTION cbreturn.district(text) IS
    '2-digit customs district of a customs code (4 digits) or a declaration number (18 characters) given as text (R-ID-1, R-ID-2)';

-- varchar_key = declaration_id_column: the text is read as a declaration
-- number (hyphenated and lower-case forms included), so both sides compare
-- as declaration numbers; text that is not one raises 22P02 as the cast
-- does.  SQL-standard bodies (BEGIN ATOMIC): parsed when the extension is
-- installed, so no name is looked up when they run, and PostgreSQL inlines
-- them, so the planner sees the cast and declaration_id's own operator and
-- can use an index on the declaration_id column, or an expression index on
-- (varchar_col::cbreturn.declaration_id).
CREATE FUNCTION cbreturn.text_eq_declaration_id(text, cbreturn.declaration_id) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT $1::cbreturn.declaration_id OPERATOR(cbreturn.=) $2;
END;
CREATE FUNCTION cbreturn.text_ne_declaration_id(text, cbreturn.declaration_id) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT $1::cbreturn.declaration_id OPERATOR(cbreturn.<>) $2;
END;
CREATE FUNCTION cbreturn.declaration_id_eq_text(cbreturn.declaration_id, text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT $1 OPERATOR(cbreturn.=) $2::cbreturn.declaration_id;
END;
CREATE FUNCTION cbreturn.declaration_id_ne_text(cbreturn.declaration_id, text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT $1 OPERATOR(cbreturn.<>) $2::cbreturn.declaration_id;
END;
COMMENT ON FUNCTION cbreturn.text_eq_declaration_id(text, cbreturn.declaration_id) IS
    'text = declaration_id: the text read as a declaration number (22P02 when it is none)';
COMMENT ON FUNCTION cbreturn.text_ne_declaration_id(text, cbreturn.declaration_id) IS
    'text <> declaration_id: the text read as a declaration number (22P02 when it is none)';
COMMENT ON FUNCTION cbreturn.declaration_id_eq_text(cbreturn.declaration_id, text) IS
    'declaration_id = text: the text read as a declaration number (22P02 when it is none)';
COMMENT ON FUNCTION cbreturn.declaration_id_ne_text(cbreturn.declaration_id, text) IS
    'declaration_id <> text: the text read as a declaration number (22P02 when it is none)';

CREATE OPERATOR cbreturn.= (
    LEFTARG = text, RIGHTARG = cbreturn.declaration_id, PROCEDURE = cbreturn.text_eq_declaration_id,
    COMMUTATOR = OPERATOR(cbreturn.=), NEGATOR = OPERATOR(cbreturn.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel
);
CREATE OPERATOR cbreturn.<> (
    LEFTARG = text, RIGHTARG = cbreturn.declaration_id, PROCEDURE = cbreturn.text_ne_declaration_id,
    COMMUTATOR = OPERATOR(cbreturn.<>), NEGATOR = OPERATOR(cbreturn.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR cbreturn.= (
    LEFTARG = cbreturn.declaration_id, RIGHTARG = text, PROCEDURE = cbreturn.declaration_id_eq_text,
    COMMUTATOR = OPERATOR(cbreturn.=), NEGATOR = OPERATOR(cbreturn.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel
);
CREATE OPERATOR cbreturn.<> (
    LEFTARG = cbreturn.declaration_id, RIGHTARG = text, PROCEDURE = cbreturn.declaration_id_ne_text,
    COMMUTATOR = OPERATOR(cbreturn.<>), NEGATOR = OPERATOR(cbreturn.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
