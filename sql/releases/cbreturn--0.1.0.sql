-- cbreturn 0.1.0: generated from src/sql/ by make; edit those files.
\echo Use "CREATE EXTENSION cbreturn" to load this file. \quit

-- ---- src/sql/10_types.sql
-- Identifier types (R-ID-1, R-ID-2, R-ID-3) and the return_reason enum.
-- The C side is src/declaration_id.c and src/code4.c; docs/types.md is the reference.


-- ---------------------------------------------------------------------------
-- cbreturn.declaration_id
-- ---------------------------------------------------------------------------
CREATE TYPE cbreturn.declaration_id;

CREATE FUNCTION cbreturn.declaration_id_in(cstring) RETURNS cbreturn.declaration_id
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.declaration_id_out(cbreturn.declaration_id) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.declaration_id_recv(internal) RETURNS cbreturn.declaration_id
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.declaration_id_send(cbreturn.declaration_id) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE cbreturn.declaration_id (
    INPUT = cbreturn.declaration_id_in,
    OUTPUT = cbreturn.declaration_id_out,
    RECEIVE = cbreturn.declaration_id_recv,
    SEND = cbreturn.declaration_id_send,
    LIKE = pg_catalog.int8
);

-- Comparison, hashing and sorting are the int8 internals: the packed value
-- sorts exactly as the canonical text does (src/cbreturn.h).
CREATE FUNCTION cbreturn.declaration_id_eq(cbreturn.declaration_id, cbreturn.declaration_id) RETURNS boolean
    AS 'int8eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.declaration_id_ne(cbreturn.declaration_id, cbreturn.declaration_id) RETURNS boolean
    AS 'int8ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.declaration_id_lt(cbreturn.declaration_id, cbreturn.declaration_id) RETURNS boolean
    AS 'int8lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.declaration_id_le(cbreturn.declaration_id, cbreturn.declaration_id) RETURNS boolean
    AS 'int8le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.declaration_id_gt(cbreturn.declaration_id, cbreturn.declaration_id) RETURNS boolean
    AS 'int8gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.declaration_id_ge(cbreturn.declaration_id, cbreturn.declaration_id) RETURNS boolean
    AS 'int8ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.declaration_id_cmp(cbreturn.declaration_id, cbreturn.declaration_id) RETURNS integer
    AS 'btint8cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.declaration_id_sortsupport(internal) RETURNS void
    AS 'btint8sortsupport' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.declaration_id_hash(cbreturn.declaration_id) RETURNS integer
    AS 'hashint8' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.declaration_id_hash_extended(cbreturn.declaration_id, bigint) RETURNS bigint
    AS 'hashint8extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE OPERATOR cbreturn.= (
    LEFTARG = cbreturn.declaration_id, RIGHTARG = cbreturn.declaration_id, PROCEDURE = cbreturn.declaration_id_eq,
    COMMUTATOR = OPERATOR(cbreturn.=), NEGATOR = OPERATOR(cbreturn.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR cbreturn.<> (
    LEFTARG = cbreturn.declaration_id, RIGHTARG = cbreturn.declaration_id, PROCEDURE = cbreturn.declaration_id_ne,
    COMMUTATOR = OPERATOR(cbreturn.<>), NEGATOR = OPERATOR(cbreturn.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR cbreturn.< (
    LEFTARG = cbreturn.declaration_id, RIGHTARG = cbreturn.declaration_id, PROCEDURE = cbreturn.declaration_id_lt,
    COMMUTATOR = OPERATOR(cbreturn.>), NEGATOR = OPERATOR(cbreturn.>=),
    RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
CREATE OPERATOR cbreturn.<= (
    LEFTARG = cbreturn.declaration_id, RIGHTARG = cbreturn.declaration_id, PROCEDURE = cbreturn.declaration_id_le,
    COMMUTATOR = OPERATOR(cbreturn.>=), NEGATOR = OPERATOR(cbreturn.>),
    RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
CREATE OPERATOR cbreturn.> (
    LEFTARG = cbreturn.declaration_id, RIGHTARG = cbreturn.declaration_id, PROCEDURE = cbreturn.declaration_id_gt,
    COMMUTATOR = OPERATOR(cbreturn.<), NEGATOR = OPERATOR(cbreturn.<=),
    RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
CREATE OPERATOR cbreturn.>= (
    LEFTARG = cbreturn.declaration_id, RIGHTARG = cbreturn.declaration_id, PROCEDURE = cbreturn.declaration_id_ge,
    COMMUTATOR = OPERATOR(cbreturn.<=), NEGATOR = OPERATOR(cbreturn.<),
    RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);

CREATE OPERATOR FAMILY cbreturn.declaration_id_ops USING btree;
CREATE OPERATOR FAMILY cbreturn.declaration_id_ops USING hash;
CREATE OPERATOR CLASS cbreturn.declaration_id_ops
    DEFAULT FOR TYPE cbreturn.declaration_id USING btree FAMILY cbreturn.declaration_id_ops AS
        OPERATOR 1 cbreturn.<,
        OPERATOR 2 cbreturn.<=,
        OPERATOR 3 cbreturn.=,
        OPERATOR 4 cbreturn.>=,
        OPERATOR 5 cbreturn.>,
        FUNCTION 1 cbreturn.declaration_id_cmp(cbreturn.declaration_id, cbreturn.declaration_id),
        FUNCTION 2 cbreturn.declaration_id_sortsupport(internal),
        -- equal values are bitwise equal, so btree deduplication is safe
        FUNCTION 4 pg_catalog.btequalimage(oid);
CREATE OPERATOR CLASS cbreturn.declaration_id_ops
    DEFAULT FOR TYPE cbreturn.declaration_id USING hash FAMILY cbreturn.declaration_id_ops AS
        OPERATOR 1 cbreturn.=,
        FUNCTION 1 cbreturn.declaration_id_hash(cbreturn.declaration_id),
        FUNCTION 2 cbreturn.declaration_id_hash_extended(cbreturn.declaration_id, bigint);

CREATE CAST (cbreturn.declaration_id AS text) WITH INOUT AS ASSIGNMENT;
CREATE CAST (text AS cbreturn.declaration_id) WITH INOUT AS ASSIGNMENT;

-- ---------------------------------------------------------------------------
-- cbreturn.customs_code
-- ---------------------------------------------------------------------------
CREATE TYPE cbreturn.customs_code;

CREATE FUNCTION cbreturn.customs_code_in(cstring) RETURNS cbreturn.customs_code
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.customs_code_out(cbreturn.customs_code) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.customs_code_recv(internal) RETURNS cbreturn.customs_code
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.customs_code_send(cbreturn.customs_code) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE cbreturn.customs_code (
    INPUT = cbreturn.customs_code_in,
    OUTPUT = cbreturn.customs_code_out,
    RECEIVE = cbreturn.customs_code_recv,
    SEND = cbreturn.customs_code_send,
    LIKE = pg_catalog.int2
);

-- Comparison, hashing and sorting are the int2 internals: the packed value
-- sorts exactly as the canonical text does (a number 0-9999 printed zero-padded).
CREATE FUNCTION cbreturn.customs_code_eq(cbreturn.customs_code, cbreturn.customs_code) RETURNS boolean
    AS 'int2eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.customs_code_ne(cbreturn.customs_code, cbreturn.customs_code) RETURNS boolean
    AS 'int2ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.customs_code_lt(cbreturn.customs_code, cbreturn.customs_code) RETURNS boolean
    AS 'int2lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.customs_code_le(cbreturn.customs_code, cbreturn.customs_code) RETURNS boolean
    AS 'int2le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.customs_code_gt(cbreturn.customs_code, cbreturn.customs_code) RETURNS boolean
    AS 'int2gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.customs_code_ge(cbreturn.customs_code, cbreturn.customs_code) RETURNS boolean
    AS 'int2ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.customs_code_cmp(cbreturn.customs_code, cbreturn.customs_code) RETURNS integer
    AS 'btint2cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.customs_code_sortsupport(internal) RETURNS void
    AS 'btint2sortsupport' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.customs_code_hash(cbreturn.customs_code) RETURNS integer
    AS 'hashint2' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.customs_code_hash_extended(cbreturn.customs_code, bigint) RETURNS bigint
    AS 'hashint2extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE OPERATOR cbreturn.= (
    LEFTARG = cbreturn.customs_code, RIGHTARG = cbreturn.customs_code, PROCEDURE = cbreturn.customs_code_eq,
    COMMUTATOR = OPERATOR(cbreturn.=), NEGATOR = OPERATOR(cbreturn.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR cbreturn.<> (
    LEFTARG = cbreturn.customs_code, RIGHTARG = cbreturn.customs_code, PROCEDURE = cbreturn.customs_code_ne,
    COMMUTATOR = OPERATOR(cbreturn.<>), NEGATOR = OPERATOR(cbreturn.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR cbreturn.< (
    LEFTARG = cbreturn.customs_code, RIGHTARG = cbreturn.customs_code, PROCEDURE = cbreturn.customs_code_lt,
    COMMUTATOR = OPERATOR(cbreturn.>), NEGATOR = OPERATOR(cbreturn.>=),
    RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
CREATE OPERATOR cbreturn.<= (
    LEFTARG = cbreturn.customs_code, RIGHTARG = cbreturn.customs_code, PROCEDURE = cbreturn.customs_code_le,
    COMMUTATOR = OPERATOR(cbreturn.>=), NEGATOR = OPERATOR(cbreturn.>),
    RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
CREATE OPERATOR cbreturn.> (
    LEFTARG = cbreturn.customs_code, RIGHTARG = cbreturn.customs_code, PROCEDURE = cbreturn.customs_code_gt,
    COMMUTATOR = OPERATOR(cbreturn.<), NEGATOR = OPERATOR(cbreturn.<=),
    RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
CREATE OPERATOR cbreturn.>= (
    LEFTARG = cbreturn.customs_code, RIGHTARG = cbreturn.customs_code, PROCEDURE = cbreturn.customs_code_ge,
    COMMUTATOR = OPERATOR(cbreturn.<=), NEGATOR = OPERATOR(cbreturn.<),
    RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);

CREATE OPERATOR FAMILY cbreturn.customs_code_ops USING btree;
CREATE OPERATOR FAMILY cbreturn.customs_code_ops USING hash;
CREATE OPERATOR CLASS cbreturn.customs_code_ops
    DEFAULT FOR TYPE cbreturn.customs_code USING btree FAMILY cbreturn.customs_code_ops AS
        OPERATOR 1 cbreturn.<,
        OPERATOR 2 cbreturn.<=,
        OPERATOR 3 cbreturn.=,
        OPERATOR 4 cbreturn.>=,
        OPERATOR 5 cbreturn.>,
        FUNCTION 1 cbreturn.customs_code_cmp(cbreturn.customs_code, cbreturn.customs_code),
        FUNCTION 2 cbreturn.customs_code_sortsupport(internal),
        -- equal values are bitwise equal, so btree deduplication is safe
        FUNCTION 4 pg_catalog.btequalimage(oid);
CREATE OPERATOR CLASS cbreturn.customs_code_ops
    DEFAULT FOR TYPE cbreturn.customs_code USING hash FAMILY cbreturn.customs_code_ops AS
        OPERATOR 1 cbreturn.=,
        FUNCTION 1 cbreturn.customs_code_hash(cbreturn.customs_code),
        FUNCTION 2 cbreturn.customs_code_hash_extended(cbreturn.customs_code, bigint);

CREATE CAST (cbreturn.customs_code AS text) WITH INOUT AS ASSIGNMENT;
CREATE CAST (text AS cbreturn.customs_code) WITH INOUT AS ASSIGNMENT;

-- ---------------------------------------------------------------------------
-- cbreturn.supervision_code
-- ---------------------------------------------------------------------------
CREATE TYPE cbreturn.supervision_code;

CREATE FUNCTION cbreturn.supervision_code_in(cstring) RETURNS cbreturn.supervision_code
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.supervision_code_out(cbreturn.supervision_code) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.supervision_code_recv(internal) RETURNS cbreturn.supervision_code
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.supervision_code_send(cbreturn.supervision_code) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE cbreturn.supervision_code (
    INPUT = cbreturn.supervision_code_in,
    OUTPUT = cbreturn.supervision_code_out,
    RECEIVE = cbreturn.supervision_code_recv,
    SEND = cbreturn.supervision_code_send,
    LIKE = pg_catalog.int2
);

-- Comparison, hashing and sorting are the int2 internals: the packed value
-- sorts exactly as the canonical text does (a number 0-9999 printed zero-padded).
CREATE FUNCTION cbreturn.supervision_code_eq(cbreturn.supervision_code, cbreturn.supervision_code) RETURNS boolean
    AS 'int2eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.supervision_code_ne(cbreturn.supervision_code, cbreturn.supervision_code) RETURNS boolean
    AS 'int2ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.supervision_code_lt(cbreturn.supervision_code, cbreturn.supervision_code) RETURNS boolean
    AS 'int2lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.supervision_code_le(cbreturn.supervision_code, cbreturn.supervision_code) RETURNS boolean
    AS 'int2le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.supervision_code_gt(cbreturn.supervision_code, cbreturn.supervision_code) RETURNS boolean
    AS 'int2gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.supervision_code_ge(cbreturn.supervision_code, cbreturn.supervision_code) RETURNS boolean
    AS 'int2ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.supervision_code_cmp(cbreturn.supervision_code, cbreturn.supervision_code) RETURNS integer
    AS 'btint2cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.supervision_code_sortsupport(internal) RETURNS void
    AS 'btint2sortsupport' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.supervision_code_hash(cbreturn.supervision_code) RETURNS integer
    AS 'hashint2' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.supervision_code_hash_extended(cbreturn.supervision_code, bigint) RETURNS bigint
    AS 'hashint2extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE OPERATOR cbreturn.= (
    LEFTARG = cbreturn.supervision_code, RIGHTARG = cbreturn.supervision_code, PROCEDURE = cbreturn.supervision_code_eq,
    COMMUTATOR = OPERATOR(cbreturn.=), NEGATOR = OPERATOR(cbreturn.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR cbreturn.<> (
    LEFTARG = cbreturn.supervision_code, RIGHTARG = cbreturn.supervision_code, PROCEDURE = cbreturn.supervision_code_ne,
    COMMUTATOR = OPERATOR(cbreturn.<>), NEGATOR = OPERATOR(cbreturn.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR cbreturn.< (
    LEFTARG = cbreturn.supervision_code, RIGHTARG = cbreturn.supervision_code, PROCEDURE = cbreturn.supervision_code_lt,
    COMMUTATOR = OPERATOR(cbreturn.>), NEGATOR = OPERATOR(cbreturn.>=),
    RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
CREATE OPERATOR cbreturn.<= (
    LEFTARG = cbreturn.supervision_code, RIGHTARG = cbreturn.supervision_code, PROCEDURE = cbreturn.supervision_code_le,
    COMMUTATOR = OPERATOR(cbreturn.>=), NEGATOR = OPERATOR(cbreturn.>),
    RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
CREATE OPERATOR cbreturn.> (
    LEFTARG = cbreturn.supervision_code, RIGHTARG = cbreturn.supervision_code, PROCEDURE = cbreturn.supervision_code_gt,
    COMMUTATOR = OPERATOR(cbreturn.<), NEGATOR = OPERATOR(cbreturn.<=),
    RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
CREATE OPERATOR cbreturn.>= (
    LEFTARG = cbreturn.supervision_code, RIGHTARG = cbreturn.supervision_code, PROCEDURE = cbreturn.supervision_code_ge,
    COMMUTATOR = OPERATOR(cbreturn.<=), NEGATOR = OPERATOR(cbreturn.<),
    RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);

CREATE OPERATOR FAMILY cbreturn.supervision_code_ops USING btree;
CREATE OPERATOR FAMILY cbreturn.supervision_code_ops USING hash;
CREATE OPERATOR CLASS cbreturn.supervision_code_ops
    DEFAULT FOR TYPE cbreturn.supervision_code USING btree FAMILY cbreturn.supervision_code_ops AS
        OPERATOR 1 cbreturn.<,
        OPERATOR 2 cbreturn.<=,
        OPERATOR 3 cbreturn.=,
        OPERATOR 4 cbreturn.>=,
        OPERATOR 5 cbreturn.>,
        FUNCTION 1 cbreturn.supervision_code_cmp(cbreturn.supervision_code, cbreturn.supervision_code),
        FUNCTION 2 cbreturn.supervision_code_sortsupport(internal),
        -- equal values are bitwise equal, so btree deduplication is safe
        FUNCTION 4 pg_catalog.btequalimage(oid);
CREATE OPERATOR CLASS cbreturn.supervision_code_ops
    DEFAULT FOR TYPE cbreturn.supervision_code USING hash FAMILY cbreturn.supervision_code_ops AS
        OPERATOR 1 cbreturn.=,
        FUNCTION 1 cbreturn.supervision_code_hash(cbreturn.supervision_code),
        FUNCTION 2 cbreturn.supervision_code_hash_extended(cbreturn.supervision_code, bigint);

CREATE CAST (cbreturn.supervision_code AS text) WITH INOUT AS ASSIGNMENT;
CREATE CAST (text AS cbreturn.supervision_code) WITH INOUT AS ASSIGNMENT;

-- ---------------------------------------------------------------------------
-- min() and max() for the three identifier types.  SORTOP lets the planner
-- answer them from a btree index; the state functions are the int8/int2
-- internals, as for the operators.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.declaration_id_smaller(cbreturn.declaration_id, cbreturn.declaration_id) RETURNS cbreturn.declaration_id
    AS 'int8smaller' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.declaration_id_larger(cbreturn.declaration_id, cbreturn.declaration_id) RETURNS cbreturn.declaration_id
    AS 'int8larger' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE cbreturn.min(cbreturn.declaration_id) (
    SFUNC = cbreturn.declaration_id_smaller, STYPE = cbreturn.declaration_id,
    COMBINEFUNC = cbreturn.declaration_id_smaller, SORTOP = OPERATOR(cbreturn.<), PARALLEL = SAFE
);
CREATE AGGREGATE cbreturn.max(cbreturn.declaration_id) (
    SFUNC = cbreturn.declaration_id_larger, STYPE = cbreturn.declaration_id,
    COMBINEFUNC = cbreturn.declaration_id_larger, SORTOP = OPERATOR(cbreturn.>), PARALLEL = SAFE
);
COMMENT ON FUNCTION cbreturn.declaration_id_smaller(cbreturn.declaration_id, cbreturn.declaration_id) IS 'smaller of two declaration_id values';
COMMENT ON FUNCTION cbreturn.declaration_id_larger(cbreturn.declaration_id, cbreturn.declaration_id) IS 'larger of two declaration_id values';

CREATE FUNCTION cbreturn.customs_code_smaller(cbreturn.customs_code, cbreturn.customs_code) RETURNS cbreturn.customs_code
    AS 'int2smaller' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.customs_code_larger(cbreturn.customs_code, cbreturn.customs_code) RETURNS cbreturn.customs_code
    AS 'int2larger' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE cbreturn.min(cbreturn.customs_code) (
    SFUNC = cbreturn.customs_code_smaller, STYPE = cbreturn.customs_code,
    COMBINEFUNC = cbreturn.customs_code_smaller, SORTOP = OPERATOR(cbreturn.<), PARALLEL = SAFE
);
CREATE AGGREGATE cbreturn.max(cbreturn.customs_code) (
    SFUNC = cbreturn.customs_code_larger, STYPE = cbreturn.customs_code,
    COMBINEFUNC = cbreturn.customs_code_larger, SORTOP = OPERATOR(cbreturn.>), PARALLEL = SAFE
);
COMMENT ON FUNCTION cbreturn.customs_code_smaller(cbreturn.customs_code, cbreturn.customs_code) IS 'smaller of two customs_code values';
COMMENT ON FUNCTION cbreturn.customs_code_larger(cbreturn.customs_code, cbreturn.customs_code) IS 'larger of two customs_code values';

CREATE FUNCTION cbreturn.supervision_code_smaller(cbreturn.supervision_code, cbreturn.supervision_code) RETURNS cbreturn.supervision_code
    AS 'int2smaller' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.supervision_code_larger(cbreturn.supervision_code, cbreturn.supervision_code) RETURNS cbreturn.supervision_code
    AS 'int2larger' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE cbreturn.min(cbreturn.supervision_code) (
    SFUNC = cbreturn.supervision_code_smaller, STYPE = cbreturn.supervision_code,
    COMBINEFUNC = cbreturn.supervision_code_smaller, SORTOP = OPERATOR(cbreturn.<), PARALLEL = SAFE
);
CREATE AGGREGATE cbreturn.max(cbreturn.supervision_code) (
    SFUNC = cbreturn.supervision_code_larger, STYPE = cbreturn.supervision_code,
    COMBINEFUNC = cbreturn.supervision_code_larger, SORTOP = OPERATOR(cbreturn.>), PARALLEL = SAFE
);
COMMENT ON FUNCTION cbreturn.supervision_code_smaller(cbreturn.supervision_code, cbreturn.supervision_code) IS 'smaller of two supervision_code values';
COMMENT ON FUNCTION cbreturn.supervision_code_larger(cbreturn.supervision_code, cbreturn.supervision_code) IS 'larger of two supervision_code values';

-- ---------------------------------------------------------------------------
-- Accessors (interface contract)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.customs_code(cbreturn.declaration_id) RETURNS cbreturn.customs_code
    AS 'MODULE_PATHNAME', 'declaration_id_customs_code' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.district(cbreturn.customs_code) RETURNS text
    AS 'MODULE_PATHNAME', 'customs_code_district' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.district(cbreturn.declaration_id) RETURNS text
    AS 'MODULE_PATHNAME', 'declaration_id_district' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.declared_year(cbreturn.declaration_id) RETURNS integer
    AS 'MODULE_PATHNAME', 'declaration_id_declared_year' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.is_import(cbreturn.declaration_id) RETURNS boolean
    AS 'MODULE_PATHNAME', 'declaration_id_is_import' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.is_list(cbreturn.declaration_id) RETURNS boolean
    AS 'MODULE_PATHNAME', 'declaration_id_is_list' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.sequence_no(cbreturn.declaration_id) RETURNS integer
    AS 'MODULE_PATHNAME', 'declaration_id_sequence_no' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.print_form(cbreturn.declaration_id) RETURNS text
    AS 'MODULE_PATHNAME', 'declaration_id_print_form' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.declaration_id(office cbreturn.customs_code, declared_year integer,
                                        flag text, sequence_no integer)
    RETURNS cbreturn.declaration_id
    AS 'MODULE_PATHNAME', 'declaration_id_make' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---------------------------------------------------------------------------
-- return_reason (R-EX-1, R-EX-2)
-- ---------------------------------------------------------------------------
CREATE TYPE cbreturn.return_reason AS ENUM ('unsold', 'consumer_return', 'quality_or_spec');

-- ---------------------------------------------------------------------------
-- Comments
-- ---------------------------------------------------------------------------
COMMENT ON TYPE cbreturn.declaration_id IS
    'customs declaration number or CBEC declaration list number, 18 characters (R-ID-1); 8 bytes';
COMMENT ON TYPE cbreturn.customs_code IS
    '4-digit customs office code; first two digits name the district (R-ID-2); 2 bytes';
COMMENT ON TYPE cbreturn.supervision_code IS
    '4-digit customs supervision code, e.g. 9610 (R-ID-3); 2 bytes';
COMMENT ON TYPE cbreturn.return_reason IS
    'reason for a return: unsold (ZXTY), consumer_return (THTY), quality_or_spec (PGTY) (R-EX-1, R-EX-2)';
COMMENT ON FUNCTION cbreturn.customs_code(cbreturn.declaration_id) IS
    'customs office that accepted the declaration: characters 1-4 (R-ID-1)';
COMMENT ON FUNCTION cbreturn.district(cbreturn.customs_code) IS
    '2-digit directly-subordinate customs district of an office (R-ID-2)';
COMMENT ON FUNCTION cbreturn.district(cbreturn.declaration_id) IS
    '2-digit customs district of the declaring office (R-ID-1, R-ID-2)';
COMMENT ON FUNCTION cbreturn.declared_year(cbreturn.declaration_id) IS
    'year the declaration was accepted: characters 5-8 (R-ID-1)';
COMMENT ON FUNCTION cbreturn.is_import(cbreturn.declaration_id) IS
    'true for an import declaration or list: flag 1 or I (R-ID-1)';
COMMENT ON FUNCTION cbreturn.is_list(cbreturn.declaration_id) IS
    'true for a CBEC / consolidated declaration list: flag E or I (R-ID-1)';
COMMENT ON FUNCTION cbreturn.sequence_no(cbreturn.declaration_id) IS
    '9-digit sequence: characters 10-18 (R-ID-1)';
COMMENT ON FUNCTION cbreturn.print_form(cbreturn.declaration_id) IS
    'hyphenated print form, e.g. 2924-2020-I-439440284 (R-ID-1)';
COMMENT ON FUNCTION cbreturn.declaration_id(cbreturn.customs_code, integer, text, integer) IS
    'build a declaration_id from office, year, flag (0, 1, E, I) and sequence (R-ID-1)';
COMMENT ON FUNCTION cbreturn.declaration_id_in(cstring) IS 'declaration_id text input';
COMMENT ON FUNCTION cbreturn.declaration_id_out(cbreturn.declaration_id) IS 'declaration_id text output (canonical form)';
COMMENT ON FUNCTION cbreturn.declaration_id_recv(internal) IS 'declaration_id binary input, validated as text input is';
COMMENT ON FUNCTION cbreturn.declaration_id_send(cbreturn.declaration_id) IS 'declaration_id binary output';
COMMENT ON FUNCTION cbreturn.declaration_id_eq(cbreturn.declaration_id, cbreturn.declaration_id) IS 'declaration_id equal';
COMMENT ON FUNCTION cbreturn.declaration_id_ne(cbreturn.declaration_id, cbreturn.declaration_id) IS 'declaration_id not equal';
COMMENT ON FUNCTION cbreturn.declaration_id_lt(cbreturn.declaration_id, cbreturn.declaration_id) IS 'declaration_id less than';
COMMENT ON FUNCTION cbreturn.declaration_id_le(cbreturn.declaration_id, cbreturn.declaration_id) IS 'declaration_id less than or equal';
COMMENT ON FUNCTION cbreturn.declaration_id_gt(cbreturn.declaration_id, cbreturn.declaration_id) IS 'declaration_id greater than';
COMMENT ON FUNCTION cbreturn.declaration_id_ge(cbreturn.declaration_id, cbreturn.declaration_id) IS 'declaration_id greater than or equal';
COMMENT ON FUNCTION cbreturn.declaration_id_cmp(cbreturn.declaration_id, cbreturn.declaration_id) IS 'declaration_id btree comparison';
COMMENT ON FUNCTION cbreturn.declaration_id_sortsupport(internal) IS 'declaration_id btree sort support';
COMMENT ON FUNCTION cbreturn.declaration_id_hash(cbreturn.declaration_id) IS 'declaration_id hash';
COMMENT ON FUNCTION cbreturn.declaration_id_hash_extended(cbreturn.declaration_id, bigint) IS 'declaration_id extended (seeded) hash';
COMMENT ON FUNCTION cbreturn.customs_code_in(cstring) IS 'customs_code text input';
COMMENT ON FUNCTION cbreturn.customs_code_out(cbreturn.customs_code) IS 'customs_code text output (canonical form)';
COMMENT ON FUNCTION cbreturn.customs_code_recv(internal) IS 'customs_code binary input, validated as text input is';
COMMENT ON FUNCTION cbreturn.customs_code_send(cbreturn.customs_code) IS 'customs_code binary output';
COMMENT ON FUNCTION cbreturn.customs_code_eq(cbreturn.customs_code, cbreturn.customs_code) IS 'customs_code equal';
COMMENT ON FUNCTION cbreturn.customs_code_ne(cbreturn.customs_code, cbreturn.customs_code) IS 'customs_code not equal';
COMMENT ON FUNCTION cbreturn.customs_code_lt(cbreturn.customs_code, cbreturn.customs_code) IS 'customs_code less than';
COMMENT ON FUNCTION cbreturn.customs_code_le(cbreturn.customs_code, cbreturn.customs_code) IS 'customs_code less than or equal';
COMMENT ON FUNCTION cbreturn.customs_code_gt(cbreturn.customs_code, cbreturn.customs_code) IS 'customs_code greater than';
COMMENT ON FUNCTION cbreturn.customs_code_ge(cbreturn.customs_code, cbreturn.customs_code) IS 'customs_code greater than or equal';
COMMENT ON FUNCTION cbreturn.customs_code_cmp(cbreturn.customs_code, cbreturn.customs_code) IS 'customs_code btree comparison';
COMMENT ON FUNCTION cbreturn.customs_code_sortsupport(internal) IS 'customs_code btree sort support';
COMMENT ON FUNCTION cbreturn.customs_code_hash(cbreturn.customs_code) IS 'customs_code hash';
COMMENT ON FUNCTION cbreturn.customs_code_hash_extended(cbreturn.customs_code, bigint) IS 'customs_code extended (seeded) hash';
COMMENT ON FUNCTION cbreturn.supervision_code_in(cstring) IS 'supervision_code text input';
COMMENT ON FUNCTION cbreturn.supervision_code_out(cbreturn.supervision_code) IS 'supervision_code text output (canonical form)';
COMMENT ON FUNCTION cbreturn.supervision_code_recv(internal) IS 'supervision_code binary input, validated as text input is';
COMMENT ON FUNCTION cbreturn.supervision_code_send(cbreturn.supervision_code) IS 'supervision_code binary output';
COMMENT ON FUNCTION cbreturn.supervision_code_eq(cbreturn.supervision_code, cbreturn.supervision_code) IS 'supervision_code equal';
COMMENT ON FUNCTION cbreturn.supervision_code_ne(cbreturn.supervision_code, cbreturn.supervision_code) IS 'supervision_code not equal';
COMMENT ON FUNCTION cbreturn.supervision_code_lt(cbreturn.supervision_code, cbreturn.supervision_code) IS 'supervision_code less than';
COMMENT ON FUNCTION cbreturn.supervision_code_le(cbreturn.supervision_code, cbreturn.supervision_code) IS 'supervision_code less than or equal';
COMMENT ON FUNCTION cbreturn.supervision_code_gt(cbreturn.supervision_code, cbreturn.supervision_code) IS 'supervision_code greater than';
COMMENT ON FUNCTION cbreturn.supervision_code_ge(cbreturn.supervision_code, cbreturn.supervision_code) IS 'supervision_code greater than or equal';
COMMENT ON FUNCTION cbreturn.supervision_code_cmp(cbreturn.supervision_code, cbreturn.supervision_code) IS 'supervision_code btree comparison';
COMMENT ON FUNCTION cbreturn.supervision_code_sortsupport(internal) IS 'supervision_code btree sort support';
COMMENT ON FUNCTION cbreturn.supervision_code_hash(cbreturn.supervision_code) IS 'supervision_code hash';
COMMENT ON FUNCTION cbreturn.supervision_code_hash_extended(cbreturn.supervision_code, bigint) IS 'supervision_code extended (seeded) hash';

COMMENT ON AGGREGATE cbreturn.min(cbreturn.declaration_id) IS 'smallest declaration_id (answered from a btree index when there is one)';
COMMENT ON AGGREGATE cbreturn.max(cbreturn.declaration_id) IS 'largest declaration_id (answered from a btree index when there is one)';
COMMENT ON AGGREGATE cbreturn.min(cbreturn.customs_code) IS 'smallest customs_code';
COMMENT ON AGGREGATE cbreturn.max(cbreturn.customs_code) IS 'largest customs_code';
COMMENT ON AGGREGATE cbreturn.min(cbreturn.supervision_code) IS 'smallest supervision_code';
COMMENT ON AGGREGATE cbreturn.max(cbreturn.supervision_code) IS 'largest supervision_code';

-- ---- src/sql/20_reference.sql
-- Reference data: customs districts (R-ID-2, R-EX-5) and supervision codes (R-ID-3).
--
-- Policy as data: a DBA edits these rows when customs publishes the next
-- announcement.  Every policy table of cbreturn follows the same pattern:
--
--   * a column "shipped": true on the rows this extension's scripts insert;
--   * pg_extension_config_dump(..., 'WHERE NOT shipped'): pg_dump saves the
--     rows a DBA added or changed, and CREATE EXTENSION recreates the rest;
--   * the trigger cbreturn.policy_row_guard(): an UPDATE clears "shipped" (so
--     the edit is dumped), and an INSERT whose key matches a shipped row
--     replaces that row (so a restored edit replaces the shipped default
--     instead of failing on the primary key).
--
-- Rows are withdrawn by updating them (e.g. clearing a pilot date), not by
-- deleting them: a deleted shipped row comes back when a dump is restored.
-- docs/reference-data.md describes this for DBAs.

CREATE FUNCTION cbreturn.policy_row_guard() RETURNS trigger
    LANGUAGE plpgsql
    -- cbreturn is on the path for the key types' "=" operator (a
    -- supervision_code key); only the extension's owner can create objects
    -- there, and pg_catalog comes first.
    SET search_path = pg_catalog, cbreturn, pg_temp
AS $$
DECLARE
    -- Only the extension's own install and upgrade scripts set this, to
    -- insert rows that stay shipped.  An unset setting is NULL: compare with
    -- IS NOT DISTINCT FROM so that NULL means "not loading", never "keep".
    loading boolean := pg_catalog.current_setting('cbreturn.loading_policy', true)
                       IS NOT DISTINCT FROM 'on';
BEGIN
    IF NOT (NEW.shipped AND loading) THEN
        NEW.shipped := false;
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- A row whose key matches a shipped row replaces it: this is how a
        -- restored DBA edit takes the place of the row CREATE EXTENSION has
        -- just inserted.  TG_ARGV[0] names the key column.
        EXECUTE pg_catalog.format(
            'DELETE FROM %I.%I AS t WHERE t.shipped AND t.%I = ($1).%I',
            TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[0])
            USING NEW;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION cbreturn.policy_row_guard() IS
    'keeps DBA edits of policy tables across pg_dump/restore (docs/reference-data.md)';

-- The install and upgrade scripts insert shipped rows inside this setting.
SELECT pg_catalog.set_config('cbreturn.loading_policy', 'on', true);

-- ---------------------------------------------------------------------------
-- Customs districts (R-ID-2; pilot dates R-EX-5)
-- ---------------------------------------------------------------------------
CREATE TABLE cbreturn.districts (
    code                    text PRIMARY KEY
                            CHECK (code ~ '^[0-9]{2}$'),
    name_zh                 text NOT NULL,
    name_en                 text NOT NULL,
    -- First day a 9610 export cleared elsewhere may be returned here under
    -- the 2024 pilot (GACC 2024 No. 167); NULL when not a pilot district.
    cross_return_pilot_from date
                            CHECK (cross_return_pilot_from IS NULL OR pg_catalog.isfinite(cross_return_pilot_from)),
    -- How sure the source is: H official, M one good secondary source, U unverified.
    confidence              "char" NOT NULL DEFAULT 'U'
                            CHECK (confidence IN ('H', 'M', 'U')),
    shipped                 boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE cbreturn.districts IS
    'directly-subordinate customs districts (R-ID-2) and their cross-customs return pilot dates (R-EX-5)';
COMMENT ON COLUMN cbreturn.districts.code IS 'first two digits of a customs office code';
COMMENT ON COLUMN cbreturn.districts.cross_return_pilot_from IS
    'first day of the cross-customs return pilot here (GACC 2024 No. 167), NULL if not a pilot district';
COMMENT ON COLUMN cbreturn.districts.confidence IS
    'H official text, M one secondary source, U unverified';
COMMENT ON COLUMN cbreturn.districts.shipped IS
    'true for rows as shipped by cbreturn; false once added or changed locally (these are dumped)';

-- Source: customs-districts list of the rules (R-ID-2), pilot list seeds 000-002.
INSERT INTO cbreturn.districts (code, name_zh, name_en, cross_return_pilot_from, confidence, shipped) VALUES
    ('00', '海关总署', 'General Administration of Customs', NULL, 'H', true),
    ('01', '北京', 'Beijing', '2024-12-15', 'H', true),
    ('02', '天津', 'Tianjin', '2024-12-15', 'H', true),
    ('04', '石家庄', 'Shijiazhuang', NULL, 'M', true),
    ('05', '太原', 'Taiyuan', NULL, 'M', true),
    ('06', '满洲里', 'Manzhouli', NULL, 'M', true),
    ('07', '呼和浩特', 'Hohhot', NULL, 'M', true),
    ('08', '沈阳', 'Shenyang', NULL, 'H', true),
    ('09', '大连', 'Dalian', '2024-12-15', 'H', true),
    ('15', '长春', 'Changchun', NULL, 'M', true),
    ('19', '哈尔滨', 'Harbin', '2024-12-15', 'M', true),
    ('22', '上海', 'Shanghai', '2024-12-15', 'H', true),
    ('23', '南京', 'Nanjing', '2024-12-15', 'H', true),
    ('29', '杭州', 'Hangzhou', '2024-12-15', 'H', true),
    ('31', '宁波', 'Ningbo', '2024-12-15', 'M', true),
    ('33', '合肥', 'Hefei', '2024-12-15', 'U', true),
    ('35', '福州', 'Fuzhou', '2024-12-15', 'U', true),
    ('37', '厦门', 'Xiamen', '2024-12-15', 'M', true),
    ('40', '南昌', 'Nanchang', '2024-12-15', 'M', true),
    ('42', '青岛', 'Qingdao', '2024-12-15', 'H', true),
    ('43', '济南', 'Jinan', NULL, 'H', true),
    ('46', '郑州', 'Zhengzhou', '2024-12-15', 'M', true),
    ('47', '武汉', 'Wuhan', NULL, 'M', true),
    ('49', '长沙', 'Changsha', '2024-12-15', 'M', true),
    ('51', '广州', 'Guangzhou', '2024-12-15', 'M', true),
    ('52', '黄埔', 'Huangpu', '2024-12-15', 'M', true),
    ('53', '深圳', 'Shenzhen', '2024-12-15', 'M', true),
    ('57', '拱北', 'Gongbei', NULL, 'M', true),
    ('60', '汕头', 'Shantou', NULL, 'M', true),
    ('64', '海口', 'Haikou', NULL, 'M', true),
    ('67', '湛江', 'Zhanjiang', NULL, 'M', true),
    ('68', '江门', 'Jiangmen', NULL, 'M', true),
    ('72', '南宁', 'Nanning', NULL, 'M', true),
    ('79', '成都', 'Chengdu', '2024-12-15', 'M', true),
    ('80', '重庆', 'Chongqing', NULL, 'M', true),
    ('83', '贵阳', 'Guiyang', NULL, 'M', true),
    ('86', '昆明', 'Kunming', NULL, 'M', true),
    ('88', '拉萨', 'Lhasa', NULL, 'M', true),
    ('90', '西安', 'Xi''an', NULL, 'M', true),
    ('94', '乌鲁木齐', 'Urumqi', '2024-12-15', 'M', true),
    ('95', '兰州', 'Lanzhou', NULL, 'M', true),
    ('96', '银川', 'Yinchuan', NULL, 'U', true),
    ('97', '西宁', 'Xining', NULL, 'M', true);

-- ---------------------------------------------------------------------------
-- Supervision codes (R-ID-3)
-- ---------------------------------------------------------------------------
CREATE TABLE cbreturn.supervision_codes (
    code        cbreturn.supervision_code PRIMARY KEY,
    name_zh     text NOT NULL,
    name_en     text NOT NULL,
    direction   text NOT NULL CHECK (direction IN ('import', 'export', 'both')),
    kind        text NOT NULL,
    is_cbec     boolean NOT NULL,
    confidence  "char" NOT NULL DEFAULT 'U' CHECK (confidence IN ('H', 'M', 'U')),
    shipped     boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE cbreturn.supervision_codes IS
    'customs supervision codes relevant to CBEC returns (R-ID-3)';
COMMENT ON COLUMN cbreturn.supervision_codes.is_cbec IS
    'true for the cross-border e-commerce codes (1210, 1239, 9610, 9710, 9810)';

INSERT INTO cbreturn.supervision_codes (code, name_zh, name_en, direction, kind, is_cbec, confidence, shipped) VALUES
    ('9610', '跨境贸易电子商务', 'cross-border e-commerce', 'both', 'retail, list-based', true, 'H', true),
    ('1210', '保税跨境贸易电子商务', 'bonded cross-border e-commerce', 'both',
             'retail via special customs areas / bonded logistics centre B', true, 'H', true),
    ('1239', '保税跨境贸易电子商务A', 'bonded cross-border e-commerce A', 'import', 'retail bonded import', true, 'H', true),
    ('9710', '跨境电子商务企业对企业直接出口', 'cross-border e-commerce B2B direct export', 'export', 'B2B direct export', true, 'H', true),
    ('9810', '跨境电子商务出口海外仓', 'cross-border e-commerce export to overseas warehouse', 'export',
             'B2B export to overseas warehouse', true, 'H', true),
    ('4561', '退运货物', 'returned goods', 'both', 'general returns after release', false, 'H', true),
    ('4500', '直接退运', 'direct return', 'both', 'returned before release', false, 'H', true),
    ('0110', '一般贸易', 'general trade', 'both', 'general trade (not CBEC)', false, 'H', true);

SELECT pg_catalog.set_config('cbreturn.loading_policy', 'off', true);

CREATE TRIGGER policy_row_guard BEFORE INSERT OR UPDATE ON cbreturn.districts
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_row_guard('code');
CREATE TRIGGER policy_row_guard BEFORE INSERT OR UPDATE ON cbreturn.supervision_codes
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_row_guard('code');

SELECT pg_catalog.pg_extension_config_dump('cbreturn.districts', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.supervision_codes', 'WHERE NOT shipped');

-- Readable by everyone, writable by the owner (the role that created the extension).
GRANT USAGE ON SCHEMA cbreturn TO PUBLIC;
REVOKE ALL ON cbreturn.districts, cbreturn.supervision_codes FROM PUBLIC;
GRANT SELECT ON cbreturn.districts, cbreturn.supervision_codes TO PUBLIC;

-- ---- src/sql/30_policy.sql
-- Policy as data (R-TX-1, R-EX-5, R-IM-4, R-P-2): tax policy periods, rule
-- parameters and holidays.  Same pattern as the reference tables of
-- 20_reference.sql: a "shipped" column, pg_extension_config_dump(...,
-- 'WHERE NOT shipped') and the trigger cbreturn.policy_row_guard().
--
-- The C functions read every policy table once per backend into memory
-- (policy.c).  The statement triggers "policy_changed" below send a relcache
-- invalidation for the table that changed, so this session sees the change
-- from its next command and every other session from its next transaction,
-- without a release and without reconnecting.  docs/policy.md is the DBA's
-- guide.

CREATE FUNCTION cbreturn.policy_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_policy_changed' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.policy_changed() IS
    'statement trigger on every policy table: tells every session to reload its policy cache (docs/policy.md)';

SELECT pg_catalog.set_config('cbreturn.loading_policy', 'on', true);

-- ---------------------------------------------------------------------------
-- Tax policy periods (R-TX-1): which exports a relief announcement covers
-- ---------------------------------------------------------------------------
CREATE TABLE cbreturn.tax_policy_periods (
    announcement        text PRIMARY KEY CHECK (announcement <> ''),
    -- Export declaration dates covered, both inclusive.
    declared_from       date NOT NULL CHECK (pg_catalog.isfinite(declared_from)),
    declared_to         date NOT NULL CHECK (pg_catalog.isfinite(declared_to)),
    -- Supervision codes whose exports the announcement covers (R-TX-2).
    supervision_codes   cbreturn.supervision_code[] NOT NULL
                        CHECK (pg_catalog.cardinality(supervision_codes) > 0
                               AND pg_catalog.array_position(supervision_codes, NULL) IS NULL),
    -- Months from the export (1210: from leaving the special area) within
    -- which the goods must be back (R-TX-2).
    months              integer NOT NULL DEFAULT 6 CHECK (months BETWEEN 1 AND 120),
    -- The announcement this one extends, if any (informational).
    extends             text,
    confidence          "char" NOT NULL DEFAULT 'U' CHECK (confidence IN ('H', 'M', 'U')),
    shipped             boolean NOT NULL DEFAULT false,
    CHECK (declared_to >= declared_from)
);
COMMENT ON TABLE cbreturn.tax_policy_periods IS
    'MoF/GACC/STA announcements granting tax relief on returned CBEC exports, keyed on the export declaration date (R-TX-1, R-TX-2)';
COMMENT ON COLUMN cbreturn.tax_policy_periods.declared_from IS 'first export declaration date covered (inclusive)';
COMMENT ON COLUMN cbreturn.tax_policy_periods.declared_to IS 'last export declaration date covered (inclusive)';
COMMENT ON COLUMN cbreturn.tax_policy_periods.supervision_codes IS 'export supervision codes covered (R-TX-2)';
COMMENT ON COLUMN cbreturn.tax_policy_periods.months IS
    'months from the export date (1210: from leaving the special area) within which the goods must return (R-TX-2)';
COMMENT ON COLUMN cbreturn.tax_policy_periods.extends IS 'announcement this one extends, if any';

INSERT INTO cbreturn.tax_policy_periods
    (announcement, declared_from, declared_to, supervision_codes, months, extends, confidence, shipped)
VALUES
    ('MoF/GACC/STA 2023 No. 4', '2023-01-30', '2024-01-29', '{1210,9610,9710,9810}', 6, NULL, 'H', true),
    ('MoF/GACC/STA 2023 No. 34', '2023-01-30', '2025-12-31', '{1210,9610,9710,9810}', 6,
     'MoF/GACC/STA 2023 No. 4', 'H', true),
    ('MoF/GACC/STA 2026 No. 16', '2026-01-01', '2027-12-31', '{1210,9610,9710,9810}', 6, NULL, 'H', true);

-- ---------------------------------------------------------------------------
-- Rule parameters (R-EX-5, R-IM-4, R-P-2): values an announcement can change
-- ---------------------------------------------------------------------------
CREATE TABLE cbreturn.rule_parameters (
    name            text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]*$'),
    rule_id         text NOT NULL CHECK (rule_id ~ '^R-[A-Z]+-[0-9]+$'),
    value_date      date CHECK (value_date IS NULL OR pg_catalog.isfinite(value_date)),
    value_numeric   numeric CHECK (value_numeric IS NULL OR value_numeric >= 0),
    value_boolean   boolean,
    description     text NOT NULL,
    basis           text,
    confidence      "char" NOT NULL DEFAULT 'U' CHECK (confidence IN ('H', 'M', 'U')),
    shipped         boolean NOT NULL DEFAULT false,
    CHECK (pg_catalog.num_nonnulls(value_date, value_numeric, value_boolean) = 1)
);
COMMENT ON TABLE cbreturn.rule_parameters IS
    'parameters of the rules that an announcement can change: one value (date, numeric or boolean) per name';

INSERT INTO cbreturn.rule_parameters
    (name, rule_id, value_date, value_numeric, value_boolean, description, basis, confidence, shipped)
VALUES
    ('cross_customs_nationwide_from', 'R-EX-5', '2026-04-01', NULL, NULL,
     'first return date on which a 9610 export may be returned through any customs district',
     'GACC announcement on nationwide cross-customs returns (seeds 000, 001)', 'H', true),
    ('cross_customs_pilot_both_districts', 'R-EX-5', NULL, NULL, true,
     'during the pilot, true: both the export and the return district must be pilot districts; false: only the return district',
     'GACC 2024 No. 167 (reading of seeds 001, 002)', 'U', true),
    ('import_limit_per_transaction', 'R-IM-4', NULL, 5000, NULL,
     'CBEC retail import limit per transaction, CNY',
     'MoF/GACC/STA 2018 No. 49', 'H', true),
    ('import_limit_per_year', 'R-IM-4', NULL, 26000, NULL,
     'CBEC retail import limit per person and calendar year, CNY',
     'MoF/GACC/STA 2018 No. 49', 'H', true),
    ('import_tax_share', 'R-IM-4', NULL, 0.7, NULL,
     'share of the statutory import VAT and consumption tax levied on a CBEC retail import within the limits',
     'MoF/GACC/STA 2018 No. 49', 'H', true),
    ('holiday_weekends_are_rest_days', 'R-P-2', NULL, NULL, true,
     'R-P-2 variants: Saturdays and Sundays are rest days unless listed in cbreturn.holidays as working days',
     'Civil Code art. 203; State Council working-hours rules', 'U', true);

-- ---------------------------------------------------------------------------
-- Holidays and make-up working days (R-P-2, off by default)
-- ---------------------------------------------------------------------------
CREATE TABLE cbreturn.holidays (
    day             date PRIMARY KEY CHECK (pg_catalog.isfinite(day)),
    -- false: a statutory holiday (rest day); true: a make-up working day
    -- (调休) on a Saturday or Sunday.
    working_day     boolean NOT NULL,
    name            text NOT NULL,
    confidence      "char" NOT NULL DEFAULT 'U' CHECK (confidence IN ('H', 'M', 'U')),
    shipped         boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE cbreturn.holidays IS
    'statutory holidays and make-up working days for the holiday-extended (R-P-2) function variants';
COMMENT ON COLUMN cbreturn.holidays.working_day IS
    'false: holiday (rest day); true: make-up working day on a weekend (调休)';

-- State Council holiday schedules for 2025 and 2026.  Not in the seed
-- documents, hence confidence U: check them against the State Council
-- notice before relying on the R-P-2 variants.
INSERT INTO cbreturn.holidays (day, working_day, name, confidence, shipped)
SELECT d::date, false, n, 'U', true
FROM (VALUES
    ('2025-01-01', '2025-01-01', 'New Year'),
    ('2025-01-28', '2025-02-04', 'Spring Festival'),
    ('2025-04-04', '2025-04-06', 'Qingming'),
    ('2025-05-01', '2025-05-05', 'Labour Day'),
    ('2025-05-31', '2025-06-02', 'Dragon Boat Festival'),
    ('2025-10-01', '2025-10-08', 'National Day and Mid-Autumn Festival'),
    ('2026-01-01', '2026-01-03', 'New Year'),
    ('2026-02-15', '2026-02-23', 'Spring Festival'),
    ('2026-04-04', '2026-04-06', 'Qingming'),
    ('2026-05-01', '2026-05-05', 'Labour Day'),
    ('2026-06-19', '2026-06-21', 'Dragon Boat Festival'),
    ('2026-09-25', '2026-09-27', 'Mid-Autumn Festival'),
    ('2026-10-01', '2026-10-07', 'National Day')
) AS h(f, t, n),
LATERAL pg_catalog.generate_series(f::date, t::date, interval '1 day') AS d;

INSERT INTO cbreturn.holidays (day, working_day, name, confidence, shipped) VALUES
    ('2025-01-26', true, 'Spring Festival make-up working day', 'U', true),
    ('2025-02-08', true, 'Spring Festival make-up working day', 'U', true),
    ('2025-04-27', true, 'Labour Day make-up working day', 'U', true),
    ('2025-09-28', true, 'National Day make-up working day', 'U', true),
    ('2025-10-11', true, 'National Day make-up working day', 'U', true),
    ('2026-01-04', true, 'New Year make-up working day', 'U', true),
    ('2026-02-14', true, 'Spring Festival make-up working day', 'U', true),
    ('2026-02-28', true, 'Spring Festival make-up working day', 'U', true),
    ('2026-05-09', true, 'Labour Day make-up working day', 'U', true),
    ('2026-09-20', true, 'National Day make-up working day', 'U', true),
    ('2026-10-10', true, 'National Day make-up working day', 'U', true);

SELECT pg_catalog.set_config('cbreturn.loading_policy', 'off', true);

CREATE TRIGGER policy_row_guard BEFORE INSERT OR UPDATE ON cbreturn.tax_policy_periods
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_row_guard('announcement');
CREATE TRIGGER policy_row_guard BEFORE INSERT OR UPDATE ON cbreturn.rule_parameters
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_row_guard('name');
CREATE TRIGGER policy_row_guard BEFORE INSERT OR UPDATE ON cbreturn.holidays
    FOR EACH ROW EXECUTE FUNCTION cbreturn.policy_row_guard('day');

-- Every table the policy cache reads, including the reference tables of
-- 20_reference.sql, tells the sessions to reload after a change.
CREATE TRIGGER policy_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.districts
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed_truncate AFTER TRUNCATE ON cbreturn.districts
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.supervision_codes
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed_truncate AFTER TRUNCATE ON cbreturn.supervision_codes
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.tax_policy_periods
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed_truncate AFTER TRUNCATE ON cbreturn.tax_policy_periods
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.rule_parameters
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed_truncate AFTER TRUNCATE ON cbreturn.rule_parameters
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.holidays
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();
CREATE TRIGGER policy_changed_truncate AFTER TRUNCATE ON cbreturn.holidays
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn.policy_changed();

SELECT pg_catalog.pg_extension_config_dump('cbreturn.tax_policy_periods', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.rule_parameters', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.holidays', 'WHERE NOT shipped');

REVOKE ALL ON cbreturn.tax_policy_periods, cbreturn.rule_parameters, cbreturn.holidays FROM PUBLIC;
GRANT SELECT ON cbreturn.tax_policy_periods, cbreturn.rule_parameters, cbreturn.holidays TO PUBLIC;

-- ---- src/sql/40_rules.sql
-- The rules engine: functions that compute what customs would answer.
-- docs/rules.md documents each function with its rule ids and examples.
--
-- IMMUTABLE functions depend on their arguments only (the statutory windows
-- are constants of the release: a change of law is a new release).  STABLE
-- functions read the policy tables through the per-backend cache of policy.c.

-- ---------------------------------------------------------------------------
-- Deadlines (R-P-1, R-EX-1, R-IM-1)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.export_return_deadline(exported_on date, reason cbreturn.return_reason)
    RETURNS date
    AS 'MODULE_PATHNAME', 'cbr_export_return_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.export_return_deadline(date, cbreturn.return_reason) IS
    'last day (inclusive) a returned export may re-enter: 1 year for quality_or_spec, 6 months otherwise (R-EX-1, R-P-1)';

CREATE FUNCTION cbreturn.import_apply_deadline(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'cbr_import_apply_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_apply_deadline(date) IS
    'last day (inclusive) to file a CBEC retail import return: release + 30 days (R-IM-1, R-P-1)';

CREATE FUNCTION cbreturn.import_arrival_deadline(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'cbr_import_arrival_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_arrival_deadline(date) IS
    'last day (inclusive) for returned CBEC retail imports to arrive: release + 45 days (R-IM-1, R-P-1)';

-- R-P-2 variants (off unless called): a deadline on a rest day moves to the
-- next working day of cbreturn.holidays.
CREATE FUNCTION cbreturn.export_return_deadline_holiday_adjusted(exported_on date, reason cbreturn.return_reason)
    RETURNS date
    AS 'MODULE_PATHNAME', 'cbr_export_return_deadline_holiday'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.export_return_deadline_holiday_adjusted(date, cbreturn.return_reason) IS
    'export_return_deadline moved to the next working day when it falls on a rest day (R-EX-1, R-P-2; unverified for customs)';

CREATE FUNCTION cbreturn.import_apply_deadline_holiday_adjusted(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'cbr_import_apply_deadline_holiday'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_apply_deadline_holiday_adjusted(date) IS
    'import_apply_deadline moved to the next working day when it falls on a rest day (R-IM-1, R-P-2; unverified for customs)';

CREATE FUNCTION cbreturn.import_arrival_deadline_holiday_adjusted(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'cbr_import_arrival_deadline_holiday'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_arrival_deadline_holiday_adjusted(date) IS
    'import_arrival_deadline moved to the next working day when it falls on a rest day (R-IM-1, R-P-2; unverified for customs)';

CREATE FUNCTION cbreturn.is_rest_day(day date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_is_rest_day_sql'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.is_rest_day(date) IS
    'true on a holiday of cbreturn.holidays, or a weekend day not listed as a make-up working day (R-P-2)';

CREATE FUNCTION cbreturn.next_working_day(day date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'cbr_next_working_day_sql'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.next_working_day(date) IS
    'the day itself if it is a working day, else the next working day by cbreturn.holidays (R-P-2)';

-- ---------------------------------------------------------------------------
-- Remark codes (R-EX-2)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.remark_code(reason cbreturn.return_reason)
    RETURNS text
    AS 'MODULE_PATHNAME', 'cbr_remark_code_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.remark_code(cbreturn.return_reason) IS
    'code for the first position of the return form remarks: ZXTY unsold, THTY consumer_return, PGTY quality_or_spec (R-EX-2)';

CREATE FUNCTION cbreturn.reason_from_remarks(remarks text)
    RETURNS cbreturn.return_reason
    AS 'MODULE_PATHNAME', 'cbr_reason_from_remarks_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.reason_from_remarks(text) IS
    'reason named by ZXTY/THTY/PGTY at the first position of a remarks text (leading spaces and any case accepted), NULL if none (R-EX-2)';

-- ---------------------------------------------------------------------------
-- Cross-customs-area export returns (R-EX-5)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.cross_customs_return_allowed(code cbreturn.supervision_code,
                                                      export_office cbreturn.customs_code,
                                                      return_office cbreturn.customs_code,
                                                      returned_on date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_cross_customs_return_allowed'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.cross_customs_return_allowed(cbreturn.supervision_code, cbreturn.customs_code,
                                                          cbreturn.customs_code, date) IS
    'may the return re-enter through return_office: same district always; otherwise 9610 only, from the nationwide date or between pilot districts (R-EX-5)';

-- ---------------------------------------------------------------------------
-- Tax relief on returned exports (R-TX-1 ... R-TX-6)
-- ---------------------------------------------------------------------------
CREATE TYPE cbreturn.tax_relief AS (
    relieved                    boolean,
    import_duty_exempt          boolean,
    import_vat_exempt           boolean,
    consumption_tax_exempt      boolean,
    export_duty_refund          boolean,
    rebate_repayment_required   boolean,
    evidence_required           text,
    basis                       text,
    failed                      text[]
);
COMMENT ON TYPE cbreturn.tax_relief IS
    'answer of export_tax_relief: which taxes are exempt or refunded, rebate repayment (R-TX-3), evidence (R-TX-5), legal basis, rule ids not met';

CREATE FUNCTION cbreturn.export_tax_relief(code cbreturn.supervision_code, exported_on date, returned_on date,
                                           reason cbreturn.return_reason, is_food boolean,
                                           original_state boolean,
                                           left_special_area_on date DEFAULT NULL,
                                           rebate_claimed boolean DEFAULT false)
    RETURNS cbreturn.tax_relief
    AS 'MODULE_PATHNAME', 'cbr_export_tax_relief'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.export_tax_relief(cbreturn.supervision_code, date, date, cbreturn.return_reason,
                                               boolean, boolean, date, boolean) IS
    'tax relief on a returned export: announcement route for unsold/consumer returns (R-TX-1, R-TX-2, R-TX-4), statutory route for quality/spec (R-TX-6); R-TX-3, R-TX-5';

-- ---------------------------------------------------------------------------
-- Retail import returns (R-IM-1 ... R-IM-4)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.import_return_on_time(released_on date, applied_on date, arrived_on date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_import_return_on_time'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_return_on_time(date, date, date) IS
    'true when the application is within 30 days and the arrival within 45 days of the release of the import list (R-IM-1)';

CREATE TYPE cbreturn.import_tax AS (
    within_limits   boolean,
    tariff          numeric,
    consumption_tax numeric,
    import_vat      numeric,
    total           numeric,
    basis           text
);
COMMENT ON TYPE cbreturn.import_tax IS
    'tax carried by a CBEC retail import (R-IM-4), and so refunded by a released return of it (R-IM-3)';

CREATE FUNCTION cbreturn.import_retail_tax(customs_value numeric, vat_rate numeric,
                                           consumption_tax_rate numeric DEFAULT 0,
                                           annual_used numeric DEFAULT 0)
    RETURNS cbreturn.import_tax
    AS 'MODULE_PATHNAME', 'cbr_import_retail_tax'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_retail_tax(numeric, numeric, numeric, numeric) IS
    'tariff 0, import VAT and consumption tax at 70 % within the limits (R-IM-4); a released return refunds it (R-IM-3)';

CREATE FUNCTION cbreturn.import_annual_amount_after_return(annual_used numeric, returned_value numeric)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'cbr_import_annual_amount_after_return'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_annual_amount_after_return(numeric, numeric) IS
    'consumer''s annual cumulative amount after a released return: annual_used - returned_value (R-IM-3)';

CREATE FUNCTION cbreturn.import_annual_quota_remaining(annual_used numeric)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'cbr_import_annual_quota_remaining'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_annual_quota_remaining(numeric) IS
    'what is left of the annual limit (rule parameter import_limit_per_year, CNY 26,000), never below 0 (R-IM-4)';

-- ---------------------------------------------------------------------------
-- Status of a return, for reporting tools (rules section 6)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.return_status(deadline date, returned_on date, as_of date,
                                       due_soon_days integer DEFAULT 7)
    RETURNS text
    AS 'MODULE_PATHNAME', 'cbr_return_status'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.return_status(date, date, date, integer) IS
    'open, due_soon, overdue, closed_on_time or closed_late as of a day; returned_on NULL = not returned (R-P-1: the deadline day is on time)';

CREATE FUNCTION cbreturn.return_days_left(deadline date, returned_on date, as_of date)
    RETURNS integer
    AS 'MODULE_PATHNAME', 'cbr_return_days_left'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.return_days_left(date, date, date) IS
    'deadline minus as_of for an open return (negative: overdue); deadline minus returned_on for a closed one';

-- ---------------------------------------------------------------------------
-- Explain: one row per rule checked
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.explain_export_return_deadline(exported_on date, reason cbreturn.return_reason,
                                                        returned_on date DEFAULT NULL,
                                                        OUT step integer, OUT rule_id text, OUT passed boolean,
                                                        OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'cbr_explain_export_return_deadline'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.explain_export_return_deadline(date, cbreturn.return_reason, date) IS
    'the rules behind export_return_deadline (R-EX-2, R-P-1, R-EX-1), one row per rule checked';

CREATE FUNCTION cbreturn.explain_import_return(released_on date, applied_on date DEFAULT NULL,
                                               arrived_on date DEFAULT NULL,
                                               OUT step integer, OUT rule_id text, OUT passed boolean,
                                               OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'cbr_explain_import_return'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.explain_import_return(date, date, date) IS
    'the rules behind import_return_on_time (R-IM-1), one row per deadline checked';

CREATE FUNCTION cbreturn.explain_cross_customs_return(code cbreturn.supervision_code,
                                                      export_office cbreturn.customs_code,
                                                      return_office cbreturn.customs_code,
                                                      returned_on date,
                                                      OUT step integer, OUT rule_id text, OUT passed boolean,
                                                      OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'cbr_explain_cross_customs_return'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.explain_cross_customs_return(cbreturn.supervision_code, cbreturn.customs_code,
                                                          cbreturn.customs_code, date) IS
    'the rules behind cross_customs_return_allowed (R-ID-2, R-EX-5), one row per check';

CREATE FUNCTION cbreturn.explain_export_tax_relief(code cbreturn.supervision_code, exported_on date,
                                                   returned_on date, reason cbreturn.return_reason,
                                                   is_food boolean, original_state boolean,
                                                   left_special_area_on date DEFAULT NULL,
                                                   rebate_claimed boolean DEFAULT false,
                                                   OUT step integer, OUT rule_id text, OUT passed boolean,
                                                   OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'cbr_explain_export_tax_relief'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.explain_export_tax_relief(cbreturn.supervision_code, date, date,
                                                       cbreturn.return_reason, boolean, boolean, date, boolean) IS
    'the rules behind export_tax_relief (R-TX-1 ... R-TX-6), one row per check';

-- ---- src/sql/50_enforcement.sql
-- Write-time enforcement: C triggers a DBA attaches to an ERP's own tables,
-- naming that table's columns.  The C side is src/trigger.c; docs/enforcement.md
-- is the DBA's guide and docs/errors.md lists the SQLSTATEs.
--
-- Metadata.  One row per attached check in cbreturn.attached_check and one row
-- per named column in cbreturn.attached_column.  A column is remembered by
-- its number (attnum), which survives ALTER TABLE ... RENAME COLUMN, and by its
-- name, which is what pg_dump writes out.  The two are kept in step:
--
--   * an event trigger (ddl_command_end, ALTER TABLE) copies the current name
--     of every attached column into column_name after a rename, and refuses
--     to drop an attached column or change its type;
--   * a BEFORE INSERT trigger on attached_column derives column_attnum from
--     column_name, so rows restored by pg_dump point at the restored columns
--     even when the column numbers changed (dropped columns are not dumped).
--
-- Table references are regclass, which pg_dump writes as a qualified name and
-- a restore reads back as the new OID.

CREATE TABLE cbreturn.attached_check (
    relation            regclass NOT NULL,
    check_kind          text NOT NULL
                        CHECK (check_kind IN ('export', 'import', 'quantity', 'status')),
    -- export: fill an empty remarks column with the R-EX-2 code
    fill_remarks        boolean NOT NULL DEFAULT false,
    -- quantity: the table holding the declared lines (R-EX-3, R-IM-2)
    declared_relation   regclass,
    -- status: the table's own labels for the seven stages of rules section 6
    status_labels       text[],
    attached_at         timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (relation, check_kind),
    CHECK ((check_kind = 'quantity') = (declared_relation IS NOT NULL)),
    CHECK ((check_kind = 'status') = (status_labels IS NOT NULL)),
    CHECK (status_labels IS NULL OR pg_catalog.cardinality(status_labels) = 7)
);
COMMENT ON TABLE cbreturn.attached_check IS
    'checks attached to ERP tables by the cbreturn.attach_* functions (docs/enforcement.md)';

CREATE TABLE cbreturn.attached_column (
    relation            regclass NOT NULL,
    check_kind          text NOT NULL,
    -- what the column means to the check, e.g. exported_on, line_1, declared_quantity
    role                text NOT NULL,
    -- the table the column belongs to: relation, or the declared table of a quantity check
    column_relation     regclass NOT NULL,
    column_name         name NOT NULL,
    column_attnum       int2 NOT NULL DEFAULT 0,
    column_type         regtype NOT NULL DEFAULT 'pg_catalog.unknown',
    PRIMARY KEY (relation, check_kind, role)
);
COMMENT ON TABLE cbreturn.attached_column IS
    'the columns each attached check reads or fills; column_attnum follows renames';

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

SELECT pg_catalog.pg_extension_config_dump('cbreturn.attached_check', '');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.attached_column', '');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.quantity_ledger', '');

-- Everyone may read the metadata; a row may be written by the owner (or a
-- member of the owning role) of the table it describes.  The attach functions
-- run as the caller, so these policies are the permission check of attach and
-- detach.  The ledger is written by the quantity trigger as the ledger's owner.
ALTER TABLE cbreturn.attached_check ENABLE ROW LEVEL SECURITY;
ALTER TABLE cbreturn.attached_column ENABLE ROW LEVEL SECURITY;
ALTER TABLE cbreturn.quantity_ledger ENABLE ROW LEVEL SECURITY;

CREATE FUNCTION cbreturn._owns(rel regclass) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.pg_has_role(c.relowner, 'USAGE')
      FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) rel
$$;

CREATE POLICY read_all ON cbreturn.attached_check FOR SELECT USING (true);
CREATE POLICY owner_writes ON cbreturn.attached_check FOR ALL
    USING (cbreturn._owns(relation)) WITH CHECK (cbreturn._owns(relation));
CREATE POLICY read_all ON cbreturn.attached_column FOR SELECT USING (true);
CREATE POLICY owner_writes ON cbreturn.attached_column FOR ALL
    USING (cbreturn._owns(relation)) WITH CHECK (cbreturn._owns(relation));
CREATE POLICY read_all ON cbreturn.quantity_ledger FOR SELECT USING (true);
CREATE POLICY owner_writes ON cbreturn.quantity_ledger FOR ALL
    USING (cbreturn._owns(relation)) WITH CHECK (cbreturn._owns(relation));

REVOKE ALL ON cbreturn.attached_check, cbreturn.attached_column, cbreturn.quantity_ledger FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON cbreturn.attached_check, cbreturn.attached_column TO PUBLIC;
GRANT SELECT, INSERT, DELETE ON cbreturn.quantity_ledger TO PUBLIC;

-- column_attnum and column_type follow column_name on INSERT (attach and
-- pg_dump restore); a name that does not resolve is an error, never a check
-- that silently reads another column.
CREATE FUNCTION cbreturn._attached_column_resolve() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a record;
BEGIN
    SELECT att.attnum, att.atttypid INTO a
      FROM pg_catalog.pg_attribute att
     WHERE att.attrelid OPERATOR(pg_catalog.=) NEW.column_relation
       AND att.attname OPERATOR(pg_catalog.=) NEW.column_name
       AND att.attnum OPERATOR(pg_catalog.>) 0 AND NOT att.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_column',
            MESSAGE = pg_catalog.format('column "%s" of relation %s does not exist',
                                        NEW.column_name, NEW.column_relation),
            HINT = 'Give the column name as it is stored, without quotes; case matters.';
    END IF;
    NEW.column_attnum := a.attnum;
    NEW.column_type := a.atttypid;
    RETURN NEW;
END
$$;
CREATE TRIGGER resolve_column BEFORE INSERT ON cbreturn.attached_column
    FOR EACH ROW EXECUTE FUNCTION cbreturn._attached_column_resolve();

-- Every backend keeps what the triggers resolved from this metadata for as
-- long as it lives (src/trigger.c).  Any write to it sends a relcache
-- invalidation of the written table, which reaches this backend at its next
-- command and the others when the writer commits, so they read it again.
CREATE FUNCTION cbreturn._attached_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_attached_changed' LANGUAGE C;
CREATE TRIGGER attached_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.attached_check
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._attached_changed();
CREATE TRIGGER attached_changed_truncate AFTER TRUNCATE ON cbreturn.attached_check
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._attached_changed();
CREATE TRIGGER attached_changed AFTER INSERT OR UPDATE OR DELETE ON cbreturn.attached_column
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._attached_changed();
CREATE TRIGGER attached_changed_truncate AFTER TRUNCATE ON cbreturn.attached_column
    FOR EACH STATEMENT EXECUTE FUNCTION cbreturn._attached_changed();

-- ---------------------------------------------------------------------------
-- The C trigger functions (src/trigger.c)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.export_return_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_export_return_check' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.export_return_check() IS
    'AFTER ROW trigger (BEFORE ROW when it fills remarks or a deadline): R-EX-1 window, R-EX-2 remark code, R-EX-5 cross-customs; attach with cbreturn.attach_export_return_checks';
CREATE FUNCTION cbreturn.import_return_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_import_return_check' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.import_return_check() IS
    'AFTER ROW trigger: R-IM-1 application and arrival windows; attach with cbreturn.attach_import_return_checks';
CREATE FUNCTION cbreturn.status_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_status_check' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.status_check() IS
    'BEFORE ROW trigger: status moves forward only, stage timestamps in order (rules section 6); attach with cbreturn.attach_status_check';
CREATE FUNCTION cbreturn.quantity_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_quantity_check' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.quantity_check() IS
    'AFTER ROW trigger on a returns table: returned quantity per declared line never exceeds the declared quantity (R-EX-3, R-IM-2)';
CREATE FUNCTION cbreturn.declared_quantity_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cbr_declared_quantity_guard' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.declared_quantity_guard() IS
    'BEFORE ROW trigger on a declared-lines table: a line may not drop below, or lose, what was returned of it (R-EX-3, R-IM-2)';

-- The WHEN clauses of the reading checks (src/trigger.c): true when the row
-- passes every rule, so PostgreSQL queues no AFTER ROW event for it; false
-- when it fails or cannot be decided, and the trigger then raises the
-- detailed error.  The first argument is the checked table; the others are
-- its attached columns in role order, NULL for a role not attached, and are
-- verified against the metadata on the first row of each statement.  STABLE:
-- R-EX-5 reads the policy tables (through the per-backend cache).
CREATE FUNCTION cbreturn._export_row_ok(checked regclass, exported_on date, reason "any",
                                        returned_on date, remarks "any", supervision_code "any",
                                        export_office "any", return_office "any")
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_export_row_ok' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION cbreturn._import_row_ok(checked regclass, released_on date, applied_on date,
                                        arrived_on date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_import_row_ok' LANGUAGE C STABLE PARALLEL SAFE;

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
-- Attach helpers
-- ---------------------------------------------------------------------------

-- The table a check may be attached to: an ordinary table owned by the caller.
CREATE FUNCTION cbreturn._check_table(rel regclass, what text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kind "char";
BEGIN
    IF rel IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
            MESSAGE = pg_catalog.format('the %s must not be NULL', what);
    END IF;
    SELECT c.relkind INTO kind FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) rel;
    IF kind OPERATOR(pg_catalog.=) 'p' THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = pg_catalog.format('%s %s is partitioned', what, rel),
            HINT = 'Attach the checks to each partition.';
    ELSIF kind OPERATOR(pg_catalog.<>) 'r' THEN
        RAISE EXCEPTION USING ERRCODE = 'wrong_object_type',
            MESSAGE = pg_catalog.format('%s %s is not a table', what, rel);
    END IF;
    IF NOT cbreturn._owns(rel) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('must be owner of table %s', rel);
    END IF;
END
$$;

-- Record one column of a check after checking that it exists and has one of
-- the accepted types.
CREATE FUNCTION cbreturn._attach_column(rel regclass, kind text, col_role text,
                                        col_rel regclass, col name, accepted regtype[],
                                        meaning text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    typ regtype;
BEGIN
    IF col IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
            MESSAGE = pg_catalog.format('the column for %s (%s) must be named', meaning, col_role);
    END IF;
    SELECT att.atttypid INTO typ FROM pg_catalog.pg_attribute att
     WHERE att.attrelid OPERATOR(pg_catalog.=) col_rel
       AND att.attname OPERATOR(pg_catalog.=) col
       AND att.attnum OPERATOR(pg_catalog.>) 0 AND NOT att.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_column',
            MESSAGE = pg_catalog.format('column "%s" of relation %s does not exist', col, col_rel),
            DETAIL = pg_catalog.format('It was named as %s (%s).', meaning, col_role),
            HINT = 'Give the column name as it is stored, without quotes; case matters.';
    END IF;
    IF accepted IS NOT NULL AND NOT typ OPERATOR(pg_catalog.=) ANY (accepted) THEN
        RAISE EXCEPTION USING ERRCODE = 'datatype_mismatch',
            MESSAGE = pg_catalog.format('column "%s" of relation %s is of type %s, but %s must be of type %s',
                                        col, col_rel, typ, meaning,
                                        pg_catalog.array_to_string(accepted::text[], ' or ')),
            HINT = 'Attach a column of an accepted type, for example a generated column that converts this one.';
    END IF;
    INSERT INTO cbreturn.attached_column (relation, check_kind, role, column_relation, column_name)
    VALUES (rel, kind, col_role, col_rel, col);
END
$$;

-- An argument of the WHEN clause of a reading check: NEW."column", quoted
-- as needed, or NULL for a role not attached.
CREATE FUNCTION cbreturn._new_column(col name) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN col IS NULL THEN 'NULL' ELSE pg_catalog.format('NEW.%I', col) END
$$;

CREATE FUNCTION cbreturn._register(rel regclass, kind text, fill boolean DEFAULT false,
                                   declared regclass DEFAULT NULL, labels text[] DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT FROM cbreturn.attached_check k
                WHERE k.relation OPERATOR(pg_catalog.=) rel
                  AND k.check_kind OPERATOR(pg_catalog.=) kind) THEN
        RAISE EXCEPTION USING ERRCODE = 'duplicate_object',
            MESSAGE = pg_catalog.format('the %s check is already attached to %s', kind, rel),
            HINT = pg_catalog.format('Detach it first: SELECT cbreturn.detach(%L, %L);', rel::text, kind);
    END IF;
    INSERT INTO cbreturn.attached_check (relation, check_kind, fill_remarks, declared_relation, status_labels)
    VALUES (rel, kind, fill, declared, labels);
END
$$;

-- ---------------------------------------------------------------------------
-- attach_export_return_checks: R-EX-1, R-EX-2, R-EX-5
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.attach_export_return_checks(
    "table"             regclass,
    exported_on         name,
    reason              name DEFAULT NULL,
    returned_on         name DEFAULT NULL,
    remarks             name DEFAULT NULL,
    fill_remarks        boolean DEFAULT false,
    supervision_code    name DEFAULT NULL,
    export_office       name DEFAULT NULL,
    return_office       name DEFAULT NULL,
    deadline            name DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    textual regtype[] := ARRAY['text', 'character varying', 'character']::regtype[];
    reasons regtype[] := ARRAY['cbreturn.return_reason', 'text', 'character varying', 'character']::regtype[];
    sup regtype[] := ARRAY['cbreturn.supervision_code', 'text', 'character varying', 'character']::regtype[];
    office regtype[] := ARRAY['cbreturn.customs_code', 'text', 'character varying', 'character']::regtype[];
    dates regtype[] := ARRAY['date']::regtype[];
    offices int := 0;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    IF reason IS NULL AND remarks IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the export check needs a reason column, a remarks column or both',
            HINT = 'The R-EX-1 window depends on the reason; without a reason column it is read from the R-EX-2 code in the remarks.';
    END IF;
    IF fill_remarks AND (remarks IS NULL OR reason IS NULL) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'fill_remarks needs both a reason column and a remarks column';
    END IF;
    offices := (supervision_code IS NOT NULL)::int + (export_office IS NOT NULL)::int
               + (return_office IS NOT NULL)::int;
    IF offices NOT IN (0, 3) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the R-EX-5 cross-customs check needs supervision_code, export_office and return_office together';
    END IF;
    IF offices = 3 AND returned_on IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the R-EX-5 cross-customs check needs the returned_on column';
    END IF;
    IF deadline IS NOT NULL AND deadline IN (exported_on, reason, returned_on, remarks) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the deadline column must be a column of its own';
    END IF;

    PERFORM cbreturn._register("table", 'export', fill_remarks);
    PERFORM cbreturn._attach_column("table", 'export', 'exported_on', "table", exported_on, dates,
                                    'the export clearance date (R-EX-1)');
    IF reason IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'reason', "table", reason, reasons,
                                        'the return reason (R-EX-1)');
    END IF;
    IF returned_on IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'returned_on', "table", returned_on, dates,
                                        'the return date (R-EX-1)');
    END IF;
    IF remarks IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'remarks', "table", remarks, textual,
                                        'the remarks (R-EX-2)');
    END IF;
    IF offices = 3 THEN
        PERFORM cbreturn._attach_column("table", 'export', 'supervision_code', "table", supervision_code, sup,
                                        'the supervision code (R-EX-5)');
        PERFORM cbreturn._attach_column("table", 'export', 'export_office', "table", export_office, office,
                                        'the customs office that cleared the export (R-EX-5)');
        PERFORM cbreturn._attach_column("table", 'export', 'return_office', "table", return_office, office,
                                        'the customs office of the return (R-EX-5)');
    END IF;
    IF deadline IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'export', 'deadline', "table", deadline, dates,
                                        'the deadline to fill in (R-EX-1)');
    END IF;
    -- A check that only reads the row fires AFTER it is written, so that COPY
    -- keeps inserting in batches (PostgreSQL falls back to one row at a time
    -- when a table has any BEFORE ROW trigger); an error still aborts the
    -- statement and leaves nothing behind.  Its WHEN clause names the checked
    -- columns (by number once created, so RENAME COLUMN keeps it right), and
    -- a row that passes every rule queues no trigger event at all.  Filling
    -- the remarks or the deadline changes the row, which only a BEFORE
    -- trigger can do, and it must see every row: no WHEN clause.
    IF fill_remarks OR deadline IS NOT NULL THEN
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_export_check BEFORE INSERT OR UPDATE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION cbreturn.export_return_check()', "table");
    ELSE
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER cbreturn_export_check AFTER INSERT OR UPDATE ON %s FOR EACH ROW '
            'WHEN (NOT cbreturn._export_row_ok(%L::pg_catalog.regclass, %s, %s, %s, %s, %s, %s, %s)) '
            'EXECUTE FUNCTION cbreturn.export_return_check()',
            "table", "table"::pg_catalog.oid,
            cbreturn._new_column(exported_on), cbreturn._new_column(reason),
            cbreturn._new_column(returned_on), cbreturn._new_column(remarks),
            cbreturn._new_column(supervision_code), cbreturn._new_column(export_office),
            cbreturn._new_column(return_office));
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn.attach_export_return_checks(regclass, name, name, name, name, boolean, name, name, name, name) IS
    'attach the export-return checks (R-EX-1 window, R-EX-2 remark code, R-EX-5 cross-customs) to a table, naming its columns';

-- ---------------------------------------------------------------------------
-- attach_import_return_checks: R-IM-1
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.attach_import_return_checks(
    "table"             regclass,
    released_on         name,
    applied_on          name DEFAULT NULL,
    arrived_on          name DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    dates regtype[] := ARRAY['date']::regtype[];
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    IF applied_on IS NULL AND arrived_on IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the import check needs an applied_on column, an arrived_on column or both';
    END IF;
    PERFORM cbreturn._register("table", 'import');
    PERFORM cbreturn._attach_column("table", 'import', 'released_on', "table", released_on, dates,
                                    'the release date of the import list (R-IM-1)');
    IF applied_on IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'import', 'applied_on', "table", applied_on, dates,
                                        'the date the return was applied for (R-IM-1)');
    END IF;
    IF arrived_on IS NOT NULL THEN
        PERFORM cbreturn._attach_column("table", 'import', 'arrived_on', "table", arrived_on, dates,
                                        'the date the goods arrived back (R-IM-1)');
    END IF;
    -- AFTER, with a WHEN clause naming the checked columns (as the export check).
    EXECUTE pg_catalog.format(
        'CREATE TRIGGER cbreturn_import_check AFTER INSERT OR UPDATE ON %s FOR EACH ROW '
        'WHEN (NOT cbreturn._import_row_ok(%L::pg_catalog.regclass, %s, %s, %s)) '
        'EXECUTE FUNCTION cbreturn.import_return_check()',
        "table", "table"::pg_catalog.oid, cbreturn._new_column(released_on),
        cbreturn._new_column(applied_on), cbreturn._new_column(arrived_on));
END
$$;
COMMENT ON FUNCTION cbreturn.attach_import_return_checks(regclass, name, name, name) IS
    'attach the import-return checks (R-IM-1: application within 30 days, arrival within 45 days of release) to a table';

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

-- ---------------------------------------------------------------------------
-- attach_status_check: rules section 6
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.attach_status_check(
    "table"             regclass,
    status              name,
    registered_at       name DEFAULT NULL,
    declared_at         name DEFAULT NULL,
    shipped_at          name DEFAULT NULL,
    arrived_at          name DEFAULT NULL,
    inspected_at        name DEFAULT NULL,
    released_at         name DEFAULT NULL,
    rejected_at         name DEFAULT NULL,
    labels              text[] DEFAULT ARRAY['registered', 'declared', 'shipped', 'arrived',
                                             'inspected', 'released', 'rejected'])
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    stages text[] := ARRAY['registered', 'declared', 'shipped', 'arrived', 'inspected', 'released', 'rejected'];
    cols name[] := ARRAY[registered_at, declared_at, shipped_at, arrived_at, inspected_at, released_at, rejected_at];
    stamp_types regtype[] := ARRAY['date', 'timestamp without time zone', 'timestamp with time zone']::regtype[];
    first_type regtype;
    t regtype;
    i int;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    IF labels IS NULL OR pg_catalog.cardinality(labels) <> 7 OR pg_catalog.array_position(labels, NULL) IS NOT NULL
       OR (SELECT pg_catalog.count(DISTINCT l) FROM pg_catalog.unnest(labels) l) <> 7 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'labels must hold 7 distinct labels, for the stages in the order registered, declared, shipped, arrived, inspected, released, rejected';
    END IF;
    PERFORM cbreturn._register("table", 'status', false, NULL, labels);
    PERFORM cbreturn._attach_column("table", 'status', 'status', "table", status,
        ARRAY['text', 'character varying', 'character', 'name']::regtype[] ||
        (SELECT pg_catalog.array_agg(ty.oid::regtype) FROM pg_catalog.pg_type ty
          WHERE ty.oid OPERATOR(pg_catalog.=) (SELECT att.atttypid FROM pg_catalog.pg_attribute att
                                WHERE att.attrelid OPERATOR(pg_catalog.=) "table"
                                  AND att.attname OPERATOR(pg_catalog.=) status)
            AND ty.typtype OPERATOR(pg_catalog.=) 'e'),
        'the status (rules section 6)');
    FOR i IN 1 .. 7 LOOP
        CONTINUE WHEN cols[i] IS NULL;
        PERFORM cbreturn._attach_column("table", 'status', stages[i] || '_at', "table", cols[i], stamp_types,
                                        pg_catalog.format('the time of stage %s', stages[i]));
        SELECT c.column_type INTO t FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) 'status'
           AND c.role OPERATOR(pg_catalog.=) (stages[i] || '_at');
        IF first_type IS NULL THEN
            first_type := t;
        ELSIF t OPERATOR(pg_catalog.<>) first_type THEN
            RAISE EXCEPTION USING ERRCODE = 'datatype_mismatch',
                MESSAGE = pg_catalog.format('stage time column "%s" is of type %s, but the others are of type %s',
                                            cols[i], t, first_type),
                HINT = 'All stage time columns must have the same type so that they can be compared.';
        END IF;
    END LOOP;
    EXECUTE pg_catalog.format(
        'CREATE TRIGGER cbreturn_status_check BEFORE INSERT OR UPDATE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION cbreturn.status_check()', "table");
END
$$;
COMMENT ON FUNCTION cbreturn.attach_status_check(regclass, name, name, name, name, name, name, name, name, text[]) IS
    'attach the status check (rules section 6): the status only moves forward and stage times never go backwards';

-- ---------------------------------------------------------------------------
-- detach
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.detach("table" regclass, check_kind text DEFAULT NULL) RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k record;
    n int := 0;
BEGIN
    PERFORM cbreturn._check_table("table", 'table');
    IF check_kind IS NOT NULL AND check_kind NOT IN ('export', 'import', 'quantity', 'status') THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = pg_catalog.format('unknown check kind "%s"', check_kind),
            HINT = 'The kinds are export, import, quantity and status.';
    END IF;
    FOR k IN SELECT * FROM cbreturn.attached_check a
              WHERE a.relation OPERATOR(pg_catalog.=) "table"
                AND (detach.check_kind IS NULL OR a.check_kind OPERATOR(pg_catalog.=) detach.check_kind)
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS %I ON %s', 'cbreturn_' || k.check_kind || '_check', "table");
        IF k.check_kind = 'quantity' THEN
            EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_truncate ON %s', "table");
            IF NOT EXISTS (SELECT FROM cbreturn.attached_check o
                            WHERE o.declared_relation OPERATOR(pg_catalog.=) k.declared_relation
                              AND o.relation OPERATOR(pg_catalog.<>) "table") THEN
                EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS cbreturn_quantity_guard ON %s',
                                          k.declared_relation);
            END IF;
            DELETE FROM cbreturn.quantity_ledger l WHERE l.relation OPERATOR(pg_catalog.=) "table";
        END IF;
        DELETE FROM cbreturn.attached_column c
         WHERE c.relation OPERATOR(pg_catalog.=) "table" AND c.check_kind OPERATOR(pg_catalog.=) k.check_kind;
        DELETE FROM cbreturn.attached_check a
         WHERE a.relation OPERATOR(pg_catalog.=) "table" AND a.check_kind OPERATOR(pg_catalog.=) k.check_kind;
        n := n + 1;
    END LOOP;
    IF n = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'undefined_object',
            MESSAGE = pg_catalog.format('no %scheck is attached to %s',
                                        coalesce(check_kind || ' ', ''), "table");
    END IF;
    RETURN n;
END
$$;
COMMENT ON FUNCTION cbreturn.detach(regclass, text) IS
    'detach the checks of one kind (export, import, quantity, status), or all of them, from a table; returns how many';

-- ---------------------------------------------------------------------------
-- What is attached where
-- ---------------------------------------------------------------------------
CREATE VIEW cbreturn.attached_checks AS
SELECT k.relation AS "table",
       k.check_kind,
       (SELECT pg_catalog.jsonb_object_agg(c.role, a.attname)
          FROM cbreturn.attached_column c
          JOIN pg_catalog.pg_attribute a
            ON a.attrelid OPERATOR(pg_catalog.=) c.column_relation
           AND a.attnum OPERATOR(pg_catalog.=) c.column_attnum
         WHERE c.relation OPERATOR(pg_catalog.=) k.relation
           AND c.check_kind OPERATOR(pg_catalog.=) k.check_kind) AS columns,
       k.fill_remarks,
       k.declared_relation AS declared_table,
       k.status_labels,
       t.tgname AS trigger_name,
       coalesce(t.tgenabled OPERATOR(pg_catalog.<>) 'D', false) AS enabled,
       k.attached_at
  FROM cbreturn.attached_check k
  LEFT JOIN pg_catalog.pg_trigger t
    ON t.tgrelid OPERATOR(pg_catalog.=) k.relation
   AND t.tgname OPERATOR(pg_catalog.=) ('cbreturn_' || k.check_kind || '_check');
COMMENT ON VIEW cbreturn.attached_checks IS
    'one row per attached check: the table, the kind, its columns by role (current names), the trigger and whether it is enabled';
GRANT SELECT ON cbreturn.attached_checks TO PUBLIC;

-- ---------------------------------------------------------------------------
-- Keeping the metadata in step with ALTER TABLE and DROP TABLE
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn._follow_alter_table() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
BEGIN
    -- A dropped attached column or a new type would leave a check reading
    -- nothing or the wrong thing: refuse (the ALTER TABLE is rolled back).
    FOR c IN SELECT ac.*, a.attisdropped, a.atttypid
               FROM cbreturn.attached_column ac
               JOIN pg_catalog.pg_attribute a
                 ON a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
                AND a.attnum OPERATOR(pg_catalog.=) ac.column_attnum
              WHERE a.attisdropped OR a.atttypid OPERATOR(pg_catalog.<>) ac.column_type
    LOOP
        RAISE EXCEPTION USING ERRCODE = 'dependent_objects_still_exist',
            MESSAGE = pg_catalog.format('column "%s" of relation %s is used by the cbreturn %s check on %s',
                                        c.column_name, c.column_relation, c.check_kind, c.relation),
            DETAIL = CASE WHEN c.attisdropped THEN 'The column cannot be dropped while the check is attached.'
                          ELSE 'The type of the column cannot change while the check is attached.' END,
            HINT = pg_catalog.format('Detach the check first: SELECT cbreturn.detach(%L, %L);',
                                     c.relation::text, c.check_kind);
    END LOOP;
    -- Renamed columns: the attnum is the truth, the name follows it.
    UPDATE cbreturn.attached_column ac
       SET column_name = a.attname
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
       AND a.attnum OPERATOR(pg_catalog.=) ac.column_attnum
       AND a.attname OPERATOR(pg_catalog.<>) ac.column_name;
END
$$;
REVOKE ALL ON FUNCTION cbreturn._follow_alter_table() FROM PUBLIC;

CREATE FUNCTION cbreturn._follow_drop() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    gone oid[];
    k record;
BEGIN
    SELECT pg_catalog.array_agg(d.objid) INTO gone
      FROM pg_catalog.pg_event_trigger_dropped_objects() d
     WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
       AND d.objsubid OPERATOR(pg_catalog.=) 0;
    IF gone IS NULL THEN
        RETURN;
    END IF;
    -- A declared-lines table cannot go while a returns table still counts on it.
    FOR k IN SELECT a.relation, d.object_identity
               FROM cbreturn.attached_check a
               JOIN pg_catalog.pg_event_trigger_dropped_objects() d
                 ON d.objid OPERATOR(pg_catalog.=) a.declared_relation::pg_catalog.oid
                AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                AND d.objsubid OPERATOR(pg_catalog.=) 0
              WHERE NOT a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone)
    LOOP
        RAISE EXCEPTION USING ERRCODE = 'dependent_objects_still_exist',
            MESSAGE = pg_catalog.format('table %s holds the declared lines of the cbreturn quantity check on %s',
                                        k.object_identity, k.relation),
            HINT = pg_catalog.format('Detach the check first: SELECT cbreturn.detach(%L, %L);',
                                     k.relation::text, 'quantity');
    END LOOP;
    DELETE FROM cbreturn.quantity_ledger l WHERE l.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone);
    DELETE FROM cbreturn.attached_column c WHERE c.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone);
    DELETE FROM cbreturn.attached_check a WHERE a.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (gone);
END
$$;
REVOKE ALL ON FUNCTION cbreturn._follow_drop() FROM PUBLIC;

CREATE EVENT TRIGGER cbreturn_follow_alter_table ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE')
    EXECUTE FUNCTION cbreturn._follow_alter_table();
CREATE EVENT TRIGGER cbreturn_follow_drop ON sql_drop
    EXECUTE FUNCTION cbreturn._follow_drop();

-- ---------------------------------------------------------------------------
-- Comments on the internal helpers (every function of the extension has one)
-- ---------------------------------------------------------------------------
COMMENT ON FUNCTION cbreturn._owns(regclass) IS
    'internal: does the current role own (or belong to the owner of) the table; used by the row-level security of the enforcement metadata';
COMMENT ON FUNCTION cbreturn._attached_changed() IS
    'internal: statement trigger on the enforcement metadata that makes every session read the attached checks again (src/trigger.c)';
COMMENT ON FUNCTION cbreturn._attached_column_resolve() IS
    'internal: derives column number and type from the column name when metadata is written (attach, pg_dump restore)';
COMMENT ON FUNCTION cbreturn.quantity_truncate() IS
    'internal: TRUNCATE trigger that forgets the quantity ledger rows of the truncated returns table (R-EX-3, R-IM-2)';
COMMENT ON FUNCTION cbreturn._check_table(regclass, text) IS
    'internal: refuses a table that checks cannot be attached to (not an ordinary table, not owned by the caller)';
COMMENT ON FUNCTION cbreturn._attach_column(regclass, text, text, regclass, name, regtype[], text) IS
    'internal: validates and records one column of an attached check';
COMMENT ON FUNCTION cbreturn._new_column(name) IS
    'internal: one argument of the WHEN clause attach writes for a reading check, NEW."column" or NULL';
COMMENT ON FUNCTION cbreturn._export_row_ok(regclass, date, "any", date, "any", "any", "any", "any") IS
    'internal: WHEN clause of the reading export check; true when the row passes R-EX-1, R-EX-2 and R-EX-5, so that no trigger event is queued for it';
COMMENT ON FUNCTION cbreturn._import_row_ok(regclass, date, date, date) IS
    'internal: WHEN clause of the import check; true when the row passes R-IM-1, so that no trigger event is queued for it';
COMMENT ON FUNCTION cbreturn._register(regclass, text, boolean, regclass, text[]) IS
    'internal: records an attached check and creates its trigger';
COMMENT ON FUNCTION cbreturn._follow_alter_table() IS
    'internal: event trigger keeping attached column names in step with RENAME and refusing DROP/TYPE changes of attached columns';
COMMENT ON FUNCTION cbreturn._follow_drop() IS
    'internal: event trigger removing the metadata of dropped tables';
