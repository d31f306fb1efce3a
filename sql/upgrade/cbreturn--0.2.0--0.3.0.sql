-- cbreturn 0.2.0 -> 0.3.0.  Run by ALTER EXTENSION cbreturn UPDATE; attached
-- checks (their triggers and metadata) are kept.  Each section below names the
-- change it carries; test/checks/upgrade.sh requires the result to equal a
-- fresh 0.3.0 install, from 0.2.0 and from 0.1.0 alike.
\echo Use "ALTER EXTENSION cbreturn UPDATE" to load this file. \quit

-- ==== Assessment, text keys and the schema (issue 12, items 7, 8, 9) ====
-- sql/15_text_comparisons.sql: district(text), text = declaration_id
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

-- sql/45_assess.sql: the one-call assessment
-- The one-call assessment of a return, for reporting (docs/reporting.md).
-- The C side is src/sql_api/assess.c: every field is the verdict of the rule
-- function that decides it, so the assessment cannot disagree with them.
-- Over a table: a LATERAL join in the caller's own query (docs/reporting.md).

CREATE TYPE cbreturn.export_assessment AS (
    deadline              date,
    days_left             integer,
    status                text,
    remark_code           text,
    cross_customs_allowed boolean,
    tax_relief            cbreturn.tax_relief,
    evidence              text[],
    missing               text[]
);
COMMENT ON TYPE cbreturn.export_assessment IS
    'answer of assess_export_return: R-EX-1 deadline, days left and status on a day, R-EX-2 remark code, R-EX-5 verdict, R-TX relief with its R-TX-5 evidence items, the inputs that were missing';

CREATE FUNCTION cbreturn.assess_export_return(code cbreturn.supervision_code,
                                              exported_on date,
                                              reason cbreturn.return_reason,
                                              returned_on date,
                                              as_of date,
                                              export_office cbreturn.customs_code DEFAULT NULL,
                                              return_office cbreturn.customs_code DEFAULT NULL,
                                              is_food boolean DEFAULT NULL,
                                              original_state boolean DEFAULT NULL,
                                              left_special_area_on date DEFAULT NULL,
                                              rebate_claimed boolean DEFAULT false,
                                              due_soon_days integer DEFAULT 7)
    RETURNS cbreturn.export_assessment
    AS 'MODULE_PATHNAME', 'assess_export_return'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.assess_export_return(cbreturn.supervision_code, date, cbreturn.return_reason, date, date,
                                                  cbreturn.customs_code, cbreturn.customs_code, boolean, boolean,
                                                  date, boolean, integer) IS
    'every verdict on one export return as of a day (R-EX-1, R-EX-2, R-EX-5, R-TX); returned_on NULL = not returned yet; a NULL input leaves NULL only the fields that need it and is listed in missing';

CREATE TYPE cbreturn.import_assessment AS (
    apply_deadline     date,
    arrival_deadline   date,
    apply_days_left    integer,
    arrival_days_left  integer,
    apply_status       text,
    arrival_status     text,
    status             text,
    days_left          integer,
    on_time            boolean,
    missing            text[]
);
COMMENT ON TYPE cbreturn.import_assessment IS
    'answer of assess_import_return: both R-IM-1 deadlines, each window''s days left and status on a day, the return''s status over both, on_time so far, the inputs that were missing';

CREATE FUNCTION cbreturn.assess_import_return(released_on date, applied_on date, arrived_on date, as_of date,
                                              due_soon_days integer DEFAULT 7)
    RETURNS cbreturn.import_assessment
    AS 'MODULE_PATHNAME', 'assess_import_return'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.assess_import_return(date, date, date, date, integer) IS
    'both R-IM-1 windows of one retail import return as of a day: overdue as soon as either is late, closed when both are; applied_on / arrived_on NULL = not yet';

-- sql/95_schema.sql: the schema cbreturn belongs to the superuser that runs
-- the update (docs/security.md, "The schema"); no other role may create in
-- it.  Objects of others already in it are not judged here: the install
-- refuses them, an update cannot tell a DBA's view from a planted one.
DO $$
DECLARE
    creators text;
BEGIN
    EXECUTE 'ALTER SCHEMA cbreturn OWNER TO CURRENT_USER';
    SELECT pg_catalog.string_agg(DISTINCT coalesce(pg_catalog.quote_ident(r.rolname), 'PUBLIC'), ', ') INTO creators
      FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
      LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.grantee
     WHERE n.oid OPERATOR(pg_catalog.=) 'cbreturn'::pg_catalog.regnamespace
       AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
       AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner;
    IF creators IS NOT NULL THEN
        PERFORM cbreturn._error('install.schema_create_granted', creators);
    END IF;
END
$$;
