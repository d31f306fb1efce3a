-- cbreturn 0.2.0: generated from sql/ by make; edit those files.
\echo Use "CREATE EXTENSION cbreturn" to load this file. \quit

-- ---- sql/10_types.sql
-- Identifier types (R-ID-1, R-ID-2, R-ID-3) and the return_reason enum.
-- The C side is src/types/declaration_id.c and src/types/code4.c; docs/types.md is the reference.


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

-- ---- sql/12_uscc.sql
-- Identifiers of enterprises (R-EX-4, R-IM-5): the unified social credit
-- code (cbreturn.uscc, GB 32100-2015) and the customs registration code.
-- The C side is src/types/uscc.c and src/types/uscc_parse.c; docs/types.md
-- is the reference.

-- ---------------------------------------------------------------------------
-- cbreturn.uscc
-- ---------------------------------------------------------------------------
CREATE TYPE cbreturn.uscc;

CREATE FUNCTION cbreturn.uscc_in(cstring) RETURNS cbreturn.uscc
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.uscc_out(cbreturn.uscc) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.uscc_recv(internal) RETURNS cbreturn.uscc
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.uscc_send(cbreturn.uscc) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- 12 bytes, not passed by value: 17 free base-31 characters need 85 bits
-- (src/types/uscc.h).  Three 4-byte words, hence int4 alignment.
CREATE TYPE cbreturn.uscc (
    INPUT = cbreturn.uscc_in,
    OUTPUT = cbreturn.uscc_out,
    RECEIVE = cbreturn.uscc_recv,
    SEND = cbreturn.uscc_send,
    INTERNALLENGTH = 12,
    ALIGNMENT = int4,
    STORAGE = plain
);

CREATE FUNCTION cbreturn.uscc_eq(cbreturn.uscc, cbreturn.uscc) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.uscc_ne(cbreturn.uscc, cbreturn.uscc) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.uscc_lt(cbreturn.uscc, cbreturn.uscc) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.uscc_le(cbreturn.uscc, cbreturn.uscc) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.uscc_gt(cbreturn.uscc, cbreturn.uscc) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.uscc_ge(cbreturn.uscc, cbreturn.uscc) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.uscc_cmp(cbreturn.uscc, cbreturn.uscc) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.uscc_sortsupport(internal) RETURNS void
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.uscc_hash(cbreturn.uscc) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION cbreturn.uscc_hash_extended(cbreturn.uscc, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE OPERATOR cbreturn.= (
    LEFTARG = cbreturn.uscc, RIGHTARG = cbreturn.uscc, PROCEDURE = cbreturn.uscc_eq,
    COMMUTATOR = OPERATOR(cbreturn.=), NEGATOR = OPERATOR(cbreturn.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR cbreturn.<> (
    LEFTARG = cbreturn.uscc, RIGHTARG = cbreturn.uscc, PROCEDURE = cbreturn.uscc_ne,
    COMMUTATOR = OPERATOR(cbreturn.<>), NEGATOR = OPERATOR(cbreturn.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR cbreturn.< (
    LEFTARG = cbreturn.uscc, RIGHTARG = cbreturn.uscc, PROCEDURE = cbreturn.uscc_lt,
    COMMUTATOR = OPERATOR(cbreturn.>), NEGATOR = OPERATOR(cbreturn.>=),
    RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
CREATE OPERATOR cbreturn.<= (
    LEFTARG = cbreturn.uscc, RIGHTARG = cbreturn.uscc, PROCEDURE = cbreturn.uscc_le,
    COMMUTATOR = OPERATOR(cbreturn.>=), NEGATOR = OPERATOR(cbreturn.>),
    RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
CREATE OPERATOR cbreturn.> (
    LEFTARG = cbreturn.uscc, RIGHTARG = cbreturn.uscc, PROCEDURE = cbreturn.uscc_gt,
    COMMUTATOR = OPERATOR(cbreturn.<), NEGATOR = OPERATOR(cbreturn.<=),
    RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
CREATE OPERATOR cbreturn.>= (
    LEFTARG = cbreturn.uscc, RIGHTARG = cbreturn.uscc, PROCEDURE = cbreturn.uscc_ge,
    COMMUTATOR = OPERATOR(cbreturn.<=), NEGATOR = OPERATOR(cbreturn.<),
    RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);

CREATE OPERATOR FAMILY cbreturn.uscc_ops USING btree;
CREATE OPERATOR FAMILY cbreturn.uscc_ops USING hash;
CREATE OPERATOR CLASS cbreturn.uscc_ops
    DEFAULT FOR TYPE cbreturn.uscc USING btree FAMILY cbreturn.uscc_ops AS
        OPERATOR 1 cbreturn.<,
        OPERATOR 2 cbreturn.<=,
        OPERATOR 3 cbreturn.=,
        OPERATOR 4 cbreturn.>=,
        OPERATOR 5 cbreturn.>,
        FUNCTION 1 cbreturn.uscc_cmp(cbreturn.uscc, cbreturn.uscc),
        FUNCTION 2 cbreturn.uscc_sortsupport(internal),
        -- equal values are bitwise equal (one packing per code), so btree
        -- deduplication is safe
        FUNCTION 4 pg_catalog.btequalimage(oid);
CREATE OPERATOR CLASS cbreturn.uscc_ops
    DEFAULT FOR TYPE cbreturn.uscc USING hash FAMILY cbreturn.uscc_ops AS
        OPERATOR 1 cbreturn.=,
        FUNCTION 1 cbreturn.uscc_hash(cbreturn.uscc),
        FUNCTION 2 cbreturn.uscc_hash_extended(cbreturn.uscc, bigint);

CREATE CAST (cbreturn.uscc AS text) WITH INOUT AS ASSIGNMENT;
CREATE CAST (text AS cbreturn.uscc) WITH INOUT AS ASSIGNMENT;

CREATE FUNCTION cbreturn.uscc_smaller(cbreturn.uscc, cbreturn.uscc) RETURNS cbreturn.uscc
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.uscc_larger(cbreturn.uscc, cbreturn.uscc) RETURNS cbreturn.uscc
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE cbreturn.min(cbreturn.uscc) (
    SFUNC = cbreturn.uscc_smaller, STYPE = cbreturn.uscc,
    COMBINEFUNC = cbreturn.uscc_smaller, SORTOP = OPERATOR(cbreturn.<), PARALLEL = SAFE
);
CREATE AGGREGATE cbreturn.max(cbreturn.uscc) (
    SFUNC = cbreturn.uscc_larger, STYPE = cbreturn.uscc,
    COMBINEFUNC = cbreturn.uscc_larger, SORTOP = OPERATOR(cbreturn.>), PARALLEL = SAFE
);

-- Accessors: the fields of GB 32100-2015 section 4.
CREATE FUNCTION cbreturn.registration_authority(cbreturn.uscc) RETURNS text
    AS 'MODULE_PATHNAME', 'uscc_registration_authority' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.organisation_category(cbreturn.uscc) RETURNS text
    AS 'MODULE_PATHNAME', 'uscc_organisation_category' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.division_code(cbreturn.uscc) RETURNS text
    AS 'MODULE_PATHNAME', 'uscc_division_code' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.organisation_code(cbreturn.uscc) RETURNS text
    AS 'MODULE_PATHNAME', 'uscc_organisation_code' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cbreturn.uscc_check_character(first17 text) RETURNS text
    AS 'MODULE_PATHNAME', 'uscc_check_character' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON TYPE cbreturn.uscc IS
    'unified social credit code, 18 characters with the GB 32100-2015 check character (R-EX-4, R-IM-5); 12 bytes';
COMMENT ON FUNCTION cbreturn.uscc_in(cstring) IS 'uscc text input: checks characters, division digits and the check character';
COMMENT ON FUNCTION cbreturn.uscc_out(cbreturn.uscc) IS 'uscc text output (canonical form, upper case)';
COMMENT ON FUNCTION cbreturn.uscc_recv(internal) IS 'uscc binary input (the 18 characters), validated as text input is';
COMMENT ON FUNCTION cbreturn.uscc_send(cbreturn.uscc) IS 'uscc binary output (the 18 characters)';
COMMENT ON FUNCTION cbreturn.uscc_eq(cbreturn.uscc, cbreturn.uscc) IS 'uscc equal';
COMMENT ON FUNCTION cbreturn.uscc_ne(cbreturn.uscc, cbreturn.uscc) IS 'uscc not equal';
COMMENT ON FUNCTION cbreturn.uscc_lt(cbreturn.uscc, cbreturn.uscc) IS 'uscc less than';
COMMENT ON FUNCTION cbreturn.uscc_le(cbreturn.uscc, cbreturn.uscc) IS 'uscc less than or equal';
COMMENT ON FUNCTION cbreturn.uscc_gt(cbreturn.uscc, cbreturn.uscc) IS 'uscc greater than';
COMMENT ON FUNCTION cbreturn.uscc_ge(cbreturn.uscc, cbreturn.uscc) IS 'uscc greater than or equal';
COMMENT ON FUNCTION cbreturn.uscc_cmp(cbreturn.uscc, cbreturn.uscc) IS 'uscc btree comparison (order of the text)';
COMMENT ON FUNCTION cbreturn.uscc_sortsupport(internal) IS 'uscc btree sort support';
COMMENT ON FUNCTION cbreturn.uscc_hash(cbreturn.uscc) IS 'uscc hash';
COMMENT ON FUNCTION cbreturn.uscc_hash_extended(cbreturn.uscc, bigint) IS 'uscc extended (seeded) hash';
COMMENT ON FUNCTION cbreturn.uscc_smaller(cbreturn.uscc, cbreturn.uscc) IS 'smaller of two uscc values';
COMMENT ON FUNCTION cbreturn.uscc_larger(cbreturn.uscc, cbreturn.uscc) IS 'larger of two uscc values';
COMMENT ON AGGREGATE cbreturn.min(cbreturn.uscc) IS 'smallest uscc';
COMMENT ON AGGREGATE cbreturn.max(cbreturn.uscc) IS 'largest uscc';
COMMENT ON FUNCTION cbreturn.registration_authority(cbreturn.uscc) IS
    'character 1: registration authority (9 market regulation, 1 institutional staffing, 5 civil affairs, Y other) (GB 32100-2015)';
COMMENT ON FUNCTION cbreturn.organisation_category(cbreturn.uscc) IS
    'character 2: organisation category under that authority (e.g. 1 enterprise, 2 individual business, 3 farmers'' cooperative under 9) (GB 32100-2015)';
COMMENT ON FUNCTION cbreturn.division_code(cbreturn.uscc) IS
    'characters 3-8: administrative division code of the registering authority (GB/T 2260)';
COMMENT ON FUNCTION cbreturn.organisation_code(cbreturn.uscc) IS
    'characters 9-17: subject identifier, the organisation code of GB 11714';
COMMENT ON FUNCTION cbreturn.uscc_check_character(text) IS
    'GB 32100-2015 check character for the first 17 characters of a code';

-- ---------------------------------------------------------------------------
-- cbreturn.customs_registration_code (海关注册编码)
-- ---------------------------------------------------------------------------
-- Ten characters given by customs when an enterprise registers (since 2021:
-- files, 备案) with it: characters 1-4 the administrative division of the
-- registering place, 5 the economic zone (1 special economic zone, 2
-- economic and technological development zone, 3 high-tech zone, 4 bonded
-- area, 5 export processing zone, 9 other), 6 the enterprise's economic type
-- (1-9), 7-10 a sequence.  Sources: customs' coding rules for the operating
-- unit code as summarised in public references (e.g. the "海關註冊號" entry
-- of newton.com.tw, wiki 10051512); confidence M.  No check character is
-- documented.  A domain, so the check is syntax only: characters 1-4
-- digits, 5-10 digits or capital letters (the sources describe the fields,
-- not the character set of each, and a wrong rejection would block a
-- registered applicant).
CREATE DOMAIN cbreturn.customs_registration_code AS text
    CONSTRAINT customs_registration_code_syntax
    CHECK (VALUE ~ '^[0-9]{4}[0-9A-Z]{6}$');
COMMENT ON DOMAIN cbreturn.customs_registration_code IS
    '10-character customs registration code (海关注册编码) of an enterprise: 4-digit division, zone, type, sequence (R-EX-4)';

-- ---- sql/20_reference.sql
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
    same boolean;
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
        -- A restore into a database that already holds the same edit (the
        -- extension's data restored again, or over a database prepared with
        -- the same edits) finds the row there: an identical local row is
        -- kept and the restored copy skipped, instead of failing the COPY
        -- on the primary key.  A local row that differs still fails (23505):
        -- which edit is right is the DBA's call (docs/policy.md).
        EXECUTE pg_catalog.format(
            'SELECT EXISTS (SELECT FROM %I.%I AS t WHERE t.%I = ($1).%I AND NOT t.shipped'
            ' AND t IS NOT DISTINCT FROM $1)',
            TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[0])
            INTO same USING NEW;
        IF same THEN
            RETURN NULL;
        END IF;
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
    -- How sure the code and names are (R-ID-2): H official, M one good
    -- secondary source, U unverified.  Says nothing about the pilot.
    confidence              "char" NOT NULL DEFAULT 'U'
                            CHECK (confidence IN ('H', 'M', 'U')),
    shipped                 boolean NOT NULL DEFAULT false,
    -- How sure the pilot membership (cross_return_pilot_from) is, and the
    -- source that names the district as a pilot district (R-EX-5); NULL on
    -- a district no source names as one.  (After "shipped" because 0.1.0
    -- had that column and an upgrade can only add columns at the end.)
    pilot_confidence        "char"
                            CHECK (pilot_confidence IN ('H', 'M', 'U')),
    pilot_source            text
                            CHECK (pilot_source <> '')
);
COMMENT ON TABLE cbreturn.districts IS
    'directly-subordinate customs districts (R-ID-2) and their cross-customs return pilot dates (R-EX-5)';
COMMENT ON COLUMN cbreturn.districts.code IS 'first two digits of a customs office code';
COMMENT ON COLUMN cbreturn.districts.cross_return_pilot_from IS
    'first day of the cross-customs return pilot here (GACC 2024 No. 167), NULL if not a pilot district';
COMMENT ON COLUMN cbreturn.districts.confidence IS
    'how sure the code and names are (R-ID-2): H official text, M one secondary source, U unverified';
COMMENT ON COLUMN cbreturn.districts.pilot_confidence IS
    'how sure the pilot membership is (R-EX-5): H official text or several sources, M one secondary source, U unverified; NULL if no source names the district';
COMMENT ON COLUMN cbreturn.districts.pilot_source IS
    'the source naming the district as a cross-customs return pilot district (R-EX-5)';
COMMENT ON COLUMN cbreturn.districts.shipped IS
    'true for rows as shipped by cbreturn; false once added or changed locally (these are dumped)';

-- Source: customs-districts list of the rules (R-ID-2); pilot sources below.
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

-- Pilot membership (R-EX-5), by source.  Seed 001 names nine of the 20
-- pilot districts (Beijing, Tianjin, Dalian, Harbin, Shanghai, Nanjing,
-- Hangzhou, Chengdu, Urumqi); seed 002 names four of them again (Beijing,
-- Tianjin, Dalian, Hangzhou), so those four have two sources.  The other
-- eleven come from the list of the rules (R-EX-5, GACC 2024 No. 167), which
-- no seed confirms: U until checked against the announcement.
UPDATE cbreturn.districts SET
    pilot_confidence = CASE
        WHEN code IN ('01', '02', '09', '29') THEN 'H'
        WHEN code IN ('19', '22', '23', '79', '94') THEN 'M'
        ELSE 'U' END,
    pilot_source = CASE
        WHEN code IN ('01', '02', '09', '29') THEN 'seeds 001 and 002 (GACC announcement, pilot from 2024-12-15)'
        WHEN code IN ('19', '22', '23', '79', '94') THEN 'seed 001 (GACC announcement of November 2024, pilot from 2024-12-15)'
        ELSE 'GACC 2024 No. 167 as listed in the rules (R-EX-5); named by no seed' END
 WHERE cross_return_pilot_from IS NOT NULL;

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

-- ---- sql/30_policy.sql
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
    AS 'MODULE_PATHNAME', 'policy_changed' LANGUAGE C;
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

-- ---- sql/35_registers.sql
-- Registers a DBA maintains (R-EX-4, R-EX-6, R-IM-5, R-IM-7): applicants,
-- authorised return sites, return-centre warehouses and their operators'
-- customs credit ratings, and who may apply for retail import returns.  docs/policy.md ("Registers") is the DBA's guide.
--
-- Unlike the policy tables, cbreturn ships no rows here: every row is the
-- DBA's, so pg_dump saves them all (pg_extension_config_dump with no filter)
-- and there is no "shipped" column or guard.  The lookup functions read the
-- tables in the caller's snapshot, with no cache: a committed edit is seen
-- by the next statement of every transaction that starts after it (READ
-- COMMITTED: the next statement).
--
-- Periods are closed intervals of dates: valid_from is the first day, valid_to
-- the last day (NULL: open-ended).  Dates are China dates (R-T-1).  Several
-- rows per key with different valid_from record renewals and changes; the
-- lookups ask whether any row covers the date.

-- The answer of a register lookup: whether it passed, the rule, and why.
CREATE TYPE cbreturn.register_verdict AS (
    ok          boolean,
    rule_id     text,
    reason      text,
    basis       text
);
COMMENT ON TYPE cbreturn.register_verdict IS
    'answer of a register lookup: ok, the rule id, the reason in words, the legal basis (R-EX-4, R-EX-6, R-IM-5)';

CREATE TYPE cbreturn.return_site_kind AS ENUM (
    'bonded_warehouse', 'marketplace_site', 'processing_centre'
);
COMMENT ON TYPE cbreturn.return_site_kind IS
    'kind of customs-supervised site authorised for CBEC retail export returns (R-EX-6, seeds 000 and 001)';

-- Customs enterprise credit ratings (GACC Order No. 251, 2021, Measures for
-- the Administration of Enterprise Credit; before it, Order No. 237):
-- advanced certified (AEO), general certified (before 2022), general
-- (registered, not certified) and discredited (失信).
CREATE TYPE cbreturn.customs_credit_rating AS ENUM (
    'advanced_certified', 'general_certified', 'general', 'discredited'
);
COMMENT ON TYPE cbreturn.customs_credit_rating IS
    'customs enterprise credit rating (GACC Order No. 251); discredited = 失信 (R-IM-5)';

-- ---------------------------------------------------------------------------
-- Applicants (R-EX-4)
-- ---------------------------------------------------------------------------
CREATE TABLE cbreturn.applicants (
    uscc                        cbreturn.uscc NOT NULL,
    customs_registration_code   cbreturn.customs_registration_code NOT NULL,
    name                        text NOT NULL CHECK (name <> ''),
    -- The CBEC export registration with customs: first and last day valid.
    valid_from                  date NOT NULL CHECK (pg_catalog.isfinite(valid_from)),
    valid_to                    date CHECK (valid_to IS NULL OR pg_catalog.isfinite(valid_to)),
    note                        text,
    PRIMARY KEY (uscc, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX applicants_customs_registration_code_idx
    ON cbreturn.applicants (customs_registration_code);
COMMENT ON TABLE cbreturn.applicants IS
    'enterprises holding a CBEC export registration with customs, who may apply for a CBEC retail export return (R-EX-4, seed 002 export I)';
COMMENT ON COLUMN cbreturn.applicants.uscc IS 'unified social credit code (GB 32100-2015)';
COMMENT ON COLUMN cbreturn.applicants.customs_registration_code IS '10-character customs registration code (海关注册编码)';
COMMENT ON COLUMN cbreturn.applicants.valid_from IS 'first day the CBEC export registration is valid (China date)';
COMMENT ON COLUMN cbreturn.applicants.valid_to IS 'last day the registration is valid; NULL while it runs';

-- ---------------------------------------------------------------------------
-- Authorised return sites (R-EX-6)
-- ---------------------------------------------------------------------------
CREATE TABLE cbreturn.return_sites (
    -- The site's code as customs gives it (监管作业场所 code); kept as text
    -- since no source fixes its length.
    site_code       text NOT NULL CHECK (site_code ~ '^[0-9A-Za-z][0-9A-Za-z_-]*$' AND pg_catalog.length(site_code) <= 32),
    customs_office  cbreturn.customs_code NOT NULL,
    kind            cbreturn.return_site_kind NOT NULL,
    name            text NOT NULL CHECK (name <> ''),
    valid_from      date NOT NULL CHECK (pg_catalog.isfinite(valid_from)),
    valid_to        date CHECK (valid_to IS NULL OR pg_catalog.isfinite(valid_to)),
    note            text,
    PRIMARY KEY (site_code, customs_office, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
COMMENT ON TABLE cbreturn.return_sites IS
    'customs-supervised sites authorised for CBEC retail export returns across customs areas (R-EX-6, seeds 000 and 001; GACC 2024 No. 167)';
COMMENT ON COLUMN cbreturn.return_sites.site_code IS 'code of the supervised workplace or site';
COMMENT ON COLUMN cbreturn.return_sites.customs_office IS 'customs office supervising the site';
COMMENT ON COLUMN cbreturn.return_sites.kind IS 'bonded warehouse, marketplace site or authorised processing centre';

-- ---------------------------------------------------------------------------
-- Return-centre warehouses (R-IM-5) and their operators' credit ratings
-- ---------------------------------------------------------------------------
CREATE TABLE cbreturn.return_warehouses (
    warehouse_code      text NOT NULL CHECK (warehouse_code ~ '^[0-9A-Za-z][0-9A-Za-z_-]*$' AND pg_catalog.length(warehouse_code) <= 32),
    -- The special customs supervision area (or bonded logistics centre B)
    -- the warehouse lies in, as the ERP names it; compared exactly.
    special_area        text NOT NULL CHECK (special_area <> ''),
    customs_office      cbreturn.customs_code NOT NULL,
    operator_uscc       cbreturn.uscc NOT NULL,
    name                text NOT NULL CHECK (name <> ''),
    -- The three facilities R-IM-5 requires (seed 002 import IV).
    video_linked        boolean NOT NULL,
    wms                 boolean NOT NULL,
    customs_interface   boolean NOT NULL,
    valid_from          date NOT NULL CHECK (pg_catalog.isfinite(valid_from)),
    valid_to            date CHECK (valid_to IS NULL OR pg_catalog.isfinite(valid_to)),
    note                text,
    PRIMARY KEY (warehouse_code, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX return_warehouses_operator_uscc_idx ON cbreturn.return_warehouses (operator_uscc);
COMMENT ON TABLE cbreturn.return_warehouses IS
    'return-centre warehouses inside special customs supervision areas for bonded (1210) retail import returns (R-IM-5, seed 002 import II-IV, GACC 2021 No. 70)';
COMMENT ON COLUMN cbreturn.return_warehouses.special_area IS 'special customs supervision area or bonded logistics centre (type B) the warehouse is in';
COMMENT ON COLUMN cbreturn.return_warehouses.customs_office IS 'customs office supervising the area';
COMMENT ON COLUMN cbreturn.return_warehouses.operator_uscc IS 'unified social credit code of the operator (rated in cbreturn.operator_credit_ratings)';
COMMENT ON COLUMN cbreturn.return_warehouses.video_linked IS 'video surveillance of the return area linked to customs';
COMMENT ON COLUMN cbreturn.return_warehouses.wms IS 'warehouse management system in use';
COMMENT ON COLUMN cbreturn.return_warehouses.customs_interface IS 'data interface to the customs supervision system';

CREATE TABLE cbreturn.operator_credit_ratings (
    uscc            cbreturn.uscc NOT NULL,
    rating          cbreturn.customs_credit_rating NOT NULL,
    -- The rating holds from this day until the next row's effective_from.
    effective_from  date NOT NULL CHECK (pg_catalog.isfinite(effective_from)),
    note            text,
    PRIMARY KEY (uscc, effective_from)
);
COMMENT ON TABLE cbreturn.operator_credit_ratings IS
    'customs credit rating of enterprises, each from the day it took effect until the next (R-IM-5; GACC Order No. 251)';
COMMENT ON COLUMN cbreturn.operator_credit_ratings.effective_from IS
    'first day of the rating; it holds until the effective_from of the next row for the same code';

-- ---------------------------------------------------------------------------
-- Who may apply for a retail import return (R-IM-7)
-- ---------------------------------------------------------------------------
CREATE TYPE cbreturn.import_agent_role AS ENUM ('domestic_agent', 'authorised_broker');
COMMENT ON TYPE cbreturn.import_agent_role IS
    'who files a CBEC retail import return for an e-commerce enterprise: its domestic agent or a customs broker it authorises (R-IM-7)';

CREATE TABLE cbreturn.import_agents (
    -- The cross-border e-commerce enterprise, by the code customs gave it
    -- when its domestic agent registered it (GACC 2018 No. 194).
    enterprise_code     cbreturn.customs_registration_code NOT NULL,
    agent_uscc          cbreturn.uscc NOT NULL,
    role                cbreturn.import_agent_role NOT NULL,
    name                text NOT NULL CHECK (name <> ''),
    valid_from          date NOT NULL CHECK (pg_catalog.isfinite(valid_from)),
    valid_to            date CHECK (valid_to IS NULL OR pg_catalog.isfinite(valid_to)),
    note                text,
    PRIMARY KEY (enterprise_code, agent_uscc, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
COMMENT ON TABLE cbreturn.import_agents IS
    'domestic agents of CBEC e-commerce enterprises and the customs brokers they authorise, who may apply for retail import returns (R-IM-7, seed 002 import I)';
COMMENT ON COLUMN cbreturn.import_agents.enterprise_code IS 'customs registration code of the cross-border e-commerce enterprise';
COMMENT ON COLUMN cbreturn.import_agents.agent_uscc IS 'unified social credit code of the domestic agent or authorised broker';
COMMENT ON COLUMN cbreturn.import_agents.role IS 'domestic_agent, or authorised_broker (authorised by the enterprise)';

-- ---------------------------------------------------------------------------
-- Lookups
-- ---------------------------------------------------------------------------

-- An infinite date is no customs date: say so rather than match an
-- open-ended row (interface contract, "Date arguments").
CREATE FUNCTION cbreturn.register_date_guard(on_date date, fn text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT pg_catalog.isfinite(on_date) THEN
        RAISE EXCEPTION 'date % is not a day on which a return can happen', on_date
            USING ERRCODE = 'datetime_field_overflow',
                  DETAIL = pg_catalog.format('%s looks registers up as of a calendar day.', fn),
                  HINT = 'Pass the China date of the return (R-T-1).';
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn.register_date_guard(date, text) IS
    'raises 22008 for infinity / -infinity: the register lookups answer for calendar days only';

-- R-EX-4 (seed 002 export I): the applicant holds a valid CBEC export
-- registration with customs on the return date.
CREATE FUNCTION cbreturn.applicant_verdict(applicant cbreturn.uscc, on_date date)
    RETURNS cbreturn.register_verdict
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    -- dates in the reason are ISO whatever the session's DateStyle
    SET datestyle = 'ISO, YMD'
AS $$
DECLARE
    basis constant text := 'seed 002 export I (GACC announcement of 2024-12-15 on CBEC export returns): '
                           'the applicant holds a valid CBEC export registration with customs';
    hit cbreturn.applicants;
    near cbreturn.applicants;
BEGIN
    PERFORM cbreturn.register_date_guard(on_date, 'applicant_verdict');
    SELECT * INTO hit FROM cbreturn.applicants a
     WHERE a.uscc = applicant AND a.valid_from <= on_date
       AND (a.valid_to IS NULL OR a.valid_to >= on_date)
     ORDER BY a.valid_from DESC LIMIT 1;
    IF FOUND THEN
        RETURN ROW(true, 'R-EX-4',
                   format('%s (%s), customs registration %s, registered from %s%s',
                          hit.name, applicant, hit.customs_registration_code, hit.valid_from,
                          CASE WHEN hit.valid_to IS NULL THEN '' ELSE ' to ' || hit.valid_to END),
                   basis)::cbreturn.register_verdict;
    END IF;
    -- Not registered that day: name the nearest period, if any (the latest
    -- that began before the date, else the first that begins after it), so
    -- the reason says whether the registration lapsed or had not begun.
    SELECT * INTO near FROM cbreturn.applicants a
     WHERE a.uscc = applicant
     ORDER BY (a.valid_from > on_date), abs(a.valid_from - on_date) LIMIT 1;
    IF NOT FOUND THEN
        RETURN ROW(false, 'R-EX-4',
                   format('applicant %s is not in cbreturn.applicants', applicant),
                   basis)::cbreturn.register_verdict;
    ELSIF near.valid_from > on_date THEN
        RETURN ROW(false, 'R-EX-4',
                   format('registration of applicant %s (%s) starts on %s, after %s',
                          applicant, near.name, near.valid_from, on_date),
                   basis)::cbreturn.register_verdict;
    ELSE
        RETURN ROW(false, 'R-EX-4',
                   format('registration of applicant %s (%s) ended on %s, before %s',
                          applicant, near.name, near.valid_to, on_date),
                   basis)::cbreturn.register_verdict;
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn.applicant_verdict(cbreturn.uscc, date) IS
    'R-EX-4: is the applicant registered for CBEC export on the date (cbreturn.applicants)? With the reason; basis seed 002 export I';

CREATE FUNCTION cbreturn.applicant_registered(applicant cbreturn.uscc, on_date date) RETURNS boolean
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    RETURN (cbreturn.applicant_verdict(applicant, on_date)).ok;
COMMENT ON FUNCTION cbreturn.applicant_registered(cbreturn.uscc, date) IS
    'R-EX-4: true if the applicant holds a CBEC export registration valid on the date (seed 002 export I)';

-- R-EX-6 (seeds 000, 001; GACC 2024 No. 167): a cross-customs return goes to
-- a supervised site authorised for CBEC retail export business.
CREATE FUNCTION cbreturn.return_site_verdict(site text, office cbreturn.customs_code, on_date date)
    RETURNS cbreturn.register_verdict
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    -- dates in the reason are ISO whatever the session's DateStyle
    SET datestyle = 'ISO, YMD'
AS $$
DECLARE
    basis constant text := 'seeds 000 and 001 (GACC 2024 No. 167 and the 2026 nationwide announcement): '
                           'returns go to customs-supervised sites authorised for CBEC retail export';
    hit cbreturn.return_sites;
    near cbreturn.return_sites;
    offices text;
BEGIN
    PERFORM cbreturn.register_date_guard(on_date, 'return_site_verdict');
    SELECT * INTO hit FROM cbreturn.return_sites s
     WHERE s.site_code = site AND s.customs_office = office AND s.valid_from <= on_date
       AND (s.valid_to IS NULL OR s.valid_to >= on_date)
     ORDER BY s.valid_from DESC LIMIT 1;
    IF FOUND THEN
        RETURN ROW(true, 'R-EX-6',
                   format('site %s (%s, %s) at customs office %s is authorised from %s%s',
                          site, hit.name, hit.kind, office, hit.valid_from,
                          CASE WHEN hit.valid_to IS NULL THEN '' ELSE ' to ' || hit.valid_to END),
                   basis)::cbreturn.register_verdict;
    END IF;
    SELECT * INTO near FROM cbreturn.return_sites s
     WHERE s.site_code = site AND s.customs_office = office
     ORDER BY (s.valid_from > on_date), abs(s.valid_from - on_date) LIMIT 1;
    IF FOUND AND near.valid_from > on_date THEN
        RETURN ROW(false, 'R-EX-6',
                   format('site %s at customs office %s is authorised only from %s, after %s',
                          site, office, near.valid_from, on_date),
                   basis)::cbreturn.register_verdict;
    ELSIF FOUND THEN
        RETURN ROW(false, 'R-EX-6',
                   format('authorisation of site %s at customs office %s ended on %s, before %s',
                          site, office, near.valid_to, on_date),
                   basis)::cbreturn.register_verdict;
    END IF;
    SELECT string_agg(DISTINCT s.customs_office::text, ', ') INTO offices
      FROM cbreturn.return_sites s WHERE s.site_code = site;
    IF offices IS NOT NULL THEN
        RETURN ROW(false, 'R-EX-6',
                   format('site %s is registered under customs office %s, not %s', site, offices, office),
                   basis)::cbreturn.register_verdict;
    END IF;
    RETURN ROW(false, 'R-EX-6',
               format('site %s at customs office %s is not in cbreturn.return_sites', site, office),
               basis)::cbreturn.register_verdict;
END
$$;
COMMENT ON FUNCTION cbreturn.return_site_verdict(text, cbreturn.customs_code, date) IS
    'R-EX-6: is the site authorised for CBEC retail export returns at that customs office on the date (cbreturn.return_sites)? With the reason; basis seeds 000, 001';

CREATE FUNCTION cbreturn.return_site_authorised(site text, office cbreturn.customs_code, on_date date) RETURNS boolean
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    RETURN (cbreturn.return_site_verdict(site, office, on_date)).ok;
COMMENT ON FUNCTION cbreturn.return_site_authorised(text, cbreturn.customs_code, date) IS
    'R-EX-6: true if the site is authorised for CBEC retail export returns at that customs office on the date (seeds 000, 001)';

-- The customs credit rating of an enterprise on a date: the row with the
-- latest effective_from on or before it; NULL when none is recorded.
CREATE FUNCTION cbreturn.credit_rating(enterprise cbreturn.uscc, on_date date)
    RETURNS cbreturn.customs_credit_rating
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
BEGIN ATOMIC
    SELECT r.rating FROM cbreturn.operator_credit_ratings r
     WHERE r.uscc = enterprise AND r.effective_from <= on_date
     ORDER BY r.effective_from DESC LIMIT 1;
END;
COMMENT ON FUNCTION cbreturn.credit_rating(cbreturn.uscc, date) IS
    'customs credit rating of an enterprise in effect on the date, NULL if none recorded (R-IM-5; GACC Order No. 251)';

-- R-IM-5 (seed 002 import II-IV, GACC 2021 No. 70): a bonded (1210) return
-- may go to a registered return-centre warehouse of the special area, whose
-- operator is not discredited on the return date and which has video linked
-- to customs, a WMS and a customs data interface.  special_area, when given,
-- must be the warehouse's area (R-IM-1: the original area).
CREATE FUNCTION cbreturn.return_warehouse_verdict(warehouse text, on_date date, special_area text DEFAULT NULL)
    RETURNS cbreturn.register_verdict
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    -- dates in the reason are ISO whatever the session's DateStyle
    SET datestyle = 'ISO, YMD'
AS $$
DECLARE
    basis constant text := 'seed 002 import II-IV (GACC 2021 No. 70): return-centre warehouse in the special area, '
                           'operator not discredited, video linked to customs, WMS, customs data interface';
    hit cbreturn.return_warehouses;
    near cbreturn.return_warehouses;
    rating cbreturn.customs_credit_rating;
    rated_from date;
    missing text[] := '{}';
BEGIN
    IF warehouse IS NULL OR on_date IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM cbreturn.register_date_guard(on_date, 'return_warehouse_verdict');
    SELECT * INTO hit FROM cbreturn.return_warehouses w
     WHERE w.warehouse_code = warehouse AND w.valid_from <= on_date
       AND (w.valid_to IS NULL OR w.valid_to >= on_date)
     ORDER BY w.valid_from DESC LIMIT 1;
    IF NOT FOUND THEN
        SELECT * INTO near FROM cbreturn.return_warehouses w
         WHERE w.warehouse_code = warehouse
         ORDER BY (w.valid_from > on_date), abs(w.valid_from - on_date) LIMIT 1;
        IF NOT FOUND THEN
            RETURN ROW(false, 'R-IM-5',
                       format('warehouse %s is not in cbreturn.return_warehouses', warehouse),
                       basis)::cbreturn.register_verdict;
        ELSIF near.valid_from > on_date THEN
            RETURN ROW(false, 'R-IM-5',
                       format('warehouse %s is registered only from %s, after %s', warehouse, near.valid_from, on_date),
                       basis)::cbreturn.register_verdict;
        ELSE
            RETURN ROW(false, 'R-IM-5',
                       format('registration of warehouse %s ended on %s, before %s', warehouse, near.valid_to, on_date),
                       basis)::cbreturn.register_verdict;
        END IF;
    END IF;

    IF special_area IS NOT NULL AND hit.special_area <> special_area THEN
        RETURN ROW(false, 'R-IM-5',
                   format('warehouse %s is in %s, not in %s', warehouse, hit.special_area, special_area),
                   basis)::cbreturn.register_verdict;
    END IF;

    SELECT r.rating, r.effective_from INTO rating, rated_from
      FROM cbreturn.operator_credit_ratings r
     WHERE r.uscc = hit.operator_uscc AND r.effective_from <= on_date
     ORDER BY r.effective_from DESC LIMIT 1;
    IF rating = 'discredited' THEN
        RETURN ROW(false, 'R-IM-5',
                   format('operator %s of warehouse %s is rated discredited (失信) since %s',
                          hit.operator_uscc, warehouse, rated_from),
                   basis)::cbreturn.register_verdict;
    END IF;

    IF NOT hit.video_linked THEN missing := missing || 'video linked to customs'::text; END IF;
    IF NOT hit.wms THEN missing := missing || 'WMS'::text; END IF;
    IF NOT hit.customs_interface THEN missing := missing || 'customs data interface'::text; END IF;
    IF cardinality(missing) > 0 THEN
        RETURN ROW(false, 'R-IM-5',
                   format('warehouse %s lacks: %s', warehouse, array_to_string(missing, ', ')),
                   basis)::cbreturn.register_verdict;
    END IF;

    RETURN ROW(true, 'R-IM-5',
               format('warehouse %s (%s) in %s, operator %s %s',
                      warehouse, hit.name, hit.special_area, hit.operator_uscc,
                      CASE WHEN rating IS NULL THEN 'with no credit rating recorded (not known to be discredited)'
                           ELSE format('rated %s since %s', rating, rated_from) END),
               basis)::cbreturn.register_verdict;
END
$$;
COMMENT ON FUNCTION cbreturn.return_warehouse_verdict(text, date, text) IS
    'R-IM-5: may a 1210 return go to this return-centre warehouse on the date (registered, in the area, operator not discredited, facilities)? With the reason; basis seed 002 import II-IV, GACC 2021 No. 70';

CREATE FUNCTION cbreturn.return_warehouse_ok(warehouse text, on_date date, special_area text DEFAULT NULL) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    RETURN (cbreturn.return_warehouse_verdict(warehouse, on_date, special_area)).ok;
COMMENT ON FUNCTION cbreturn.return_warehouse_ok(text, date, text) IS
    'R-IM-5: true if a 1210 return may go to this return-centre warehouse on the date (seed 002 import II-IV, GACC 2021 No. 70)';

-- R-IM-7 (seed 002 import I): the return application is filed by the
-- e-commerce enterprise's domestic agent or a customs broker it authorises.
CREATE FUNCTION cbreturn.import_applicant_verdict(enterprise cbreturn.customs_registration_code,
                                                  applicant cbreturn.uscc, on_date date)
    RETURNS cbreturn.register_verdict
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    SET datestyle = 'ISO, YMD'
AS $$
DECLARE
    basis constant text := 'seed 002 import I (GACC 2020 No. 45; GACC 2018 No. 194): the e-commerce enterprise''s '
                           'domestic agent or a customs broker it authorises applies';
    hit cbreturn.import_agents;
    near cbreturn.import_agents;
BEGIN
    PERFORM cbreturn.register_date_guard(on_date, 'import_applicant_verdict');
    SELECT * INTO hit FROM cbreturn.import_agents g
     WHERE g.enterprise_code = enterprise AND g.agent_uscc = applicant AND g.valid_from <= on_date
       AND (g.valid_to IS NULL OR g.valid_to >= on_date)
     ORDER BY g.valid_from DESC LIMIT 1;
    IF FOUND THEN
        RETURN ROW(true, 'R-IM-7',
                   format('%s (%s) is the %s of enterprise %s from %s%s',
                          hit.name, applicant, replace(hit.role::text, '_', ' '), enterprise, hit.valid_from,
                          CASE WHEN hit.valid_to IS NULL THEN '' ELSE ' to ' || hit.valid_to END),
                   basis)::cbreturn.register_verdict;
    END IF;
    SELECT * INTO near FROM cbreturn.import_agents g
     WHERE g.enterprise_code = enterprise AND g.agent_uscc = applicant
     ORDER BY (g.valid_from > on_date), abs(g.valid_from - on_date) LIMIT 1;
    IF NOT FOUND THEN
        RETURN ROW(false, 'R-IM-7',
                   format('%s is neither the domestic agent of enterprise %s nor a broker it authorised, in cbreturn.import_agents',
                          applicant, enterprise),
                   basis)::cbreturn.register_verdict;
    ELSIF near.valid_from > on_date THEN
        RETURN ROW(false, 'R-IM-7',
                   format('%s acts for enterprise %s only from %s, after %s', applicant, enterprise, near.valid_from, on_date),
                   basis)::cbreturn.register_verdict;
    ELSE
        RETURN ROW(false, 'R-IM-7',
                   format('%s stopped acting for enterprise %s on %s, before %s', applicant, enterprise, near.valid_to, on_date),
                   basis)::cbreturn.register_verdict;
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn.import_applicant_verdict(cbreturn.customs_registration_code, cbreturn.uscc, date) IS
    'R-IM-7: may this applicant file a retail import return for the enterprise on the date (its domestic agent or an authorised broker, cbreturn.import_agents)? With the reason; basis seed 002 import I';

CREATE FUNCTION cbreturn.import_applicant_allowed(enterprise cbreturn.customs_registration_code,
                                                  applicant cbreturn.uscc, on_date date) RETURNS boolean
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    RETURN (cbreturn.import_applicant_verdict(enterprise, applicant, on_date)).ok;
COMMENT ON FUNCTION cbreturn.import_applicant_allowed(cbreturn.customs_registration_code, cbreturn.uscc, date) IS
    'R-IM-7: true if the applicant is the enterprise''s domestic agent or a broker it authorised on the date (seed 002 import I)';

-- R-IM-1, R-IM-5, R-IM-6 (seed 002, seed 004, GACC 2020 No. 45, GACC 2021
-- No. 70): where an import return may arrive.  Places are the codes or names
-- the ERP keeps for sites, areas and warehouses, compared exactly.  The
-- original site, area or centre is always right (R-IM-1).  A bonded (1210)
-- return may also go to a return-centre warehouse of the original area that
-- passes R-IM-5 on the return date, or, declared at another customs office,
-- to the special area at the place of declaration (R-IM-6, confidence M).  A
-- direct-purchase (9610) or 1239 return has only the original site: the
-- sources name neither route for them.
CREATE FUNCTION cbreturn.import_arrival_place_verdict(code cbreturn.supervision_code, original_place text,
                                                      arrival_place text, returned_on date,
                                                      declared_area text DEFAULT NULL)
    RETURNS cbreturn.register_verdict
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
    SET datestyle = 'ISO, YMD'
AS $$
DECLARE
    basis_im1 constant text := 'seed 002 import, seed 004 (GACC 2020 No. 45): the goods return to the original '
                               'customs supervision site, special area or bonded logistics centre';
    basis_im6 constant text := 'seed 002 (bonded retail import returns across customs): declared at another office, '
                               'goods moved into the special area at the place of declaration';
    v cbreturn.register_verdict;
BEGIN
    IF code IS NULL OR original_place IS NULL OR arrival_place IS NULL OR returned_on IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM cbreturn.register_date_guard(returned_on, 'import_arrival_place_verdict');
    IF code::text NOT IN ('1210', '1239', '9610') THEN
        RAISE EXCEPTION 'supervision code % has no CBEC retail import returns', code
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'R-IM-1 covers retail imports under 1210, 1239 and 9610.',
                  HINT = 'Pass the supervision code of the original import declaration list.';
    END IF;
    IF arrival_place = original_place THEN
        RETURN ROW(true, 'R-IM-1', format('arrived at the original place %s', original_place),
                   basis_im1)::cbreturn.register_verdict;
    END IF;
    IF code::text = '1210' THEN
        IF EXISTS (SELECT FROM cbreturn.return_warehouses w WHERE w.warehouse_code = arrival_place) THEN
            v := cbreturn.return_warehouse_verdict(arrival_place, returned_on, original_place);
            RETURN v;
        END IF;
        IF declared_area IS NOT NULL AND arrival_place = declared_area THEN
            RETURN ROW(true, 'R-IM-6',
                       format('declared away from %s; arrived in the special area %s at the place of declaration',
                              original_place, declared_area),
                       basis_im6)::cbreturn.register_verdict;
        END IF;
        RETURN ROW(false, 'R-IM-1',
                   format('arrived at %s, which is neither the original area %s, a return-centre warehouse registered in cbreturn.return_warehouses, nor %s',
                          arrival_place, original_place,
                          CASE WHEN declared_area IS NULL THEN 'a special area of declaration (none given)'
                               ELSE 'the special area of declaration ' || declared_area END),
                   basis_im1)::cbreturn.register_verdict;
    END IF;
    RETURN ROW(false, 'R-IM-1',
               format('a %s return goes back to the original site %s, not to %s', code, original_place, arrival_place),
               basis_im1)::cbreturn.register_verdict;
END
$$;
COMMENT ON FUNCTION cbreturn.import_arrival_place_verdict(cbreturn.supervision_code, text, text, date, text) IS
    'R-IM-1, R-IM-5, R-IM-6: may an import return arrive at this place (original site; for 1210 a return-centre warehouse of the area or the special area of declaration)? Basis seed 002, seed 004, GACC 2020 No. 45, GACC 2021 No. 70';

-- Explain: one row per register consulted, in the format of the other
-- explain functions (docs/rules.md, "Explain functions"), so a caller can
-- append these rows to theirs.  Each check runs when its inputs are given.
CREATE FUNCTION cbreturn.explain_registers(on_date date, applicant cbreturn.uscc DEFAULT NULL,
                                           site text DEFAULT NULL, office cbreturn.customs_code DEFAULT NULL,
                                           warehouse text DEFAULT NULL, special_area text DEFAULT NULL,
                                           import_enterprise cbreturn.customs_registration_code DEFAULT NULL,
                                           import_applicant cbreturn.uscc DEFAULT NULL)
    RETURNS TABLE (step integer, rule_id text, passed boolean, seen text, basis text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, cbreturn, pg_temp
AS $$
DECLARE
    v cbreturn.register_verdict;
    n integer := 0;
BEGIN
    IF on_date IS NULL THEN
        RETURN;
    END IF;
    IF applicant IS NOT NULL THEN
        v := cbreturn.applicant_verdict(applicant, on_date);
        n := n + 1;
        RETURN QUERY SELECT n, v.rule_id, v.ok, v.reason, v.basis;
    END IF;
    IF site IS NOT NULL AND office IS NOT NULL THEN
        v := cbreturn.return_site_verdict(site, office, on_date);
        n := n + 1;
        RETURN QUERY SELECT n, v.rule_id, v.ok, v.reason, v.basis;
    END IF;
    IF warehouse IS NOT NULL THEN
        v := cbreturn.return_warehouse_verdict(warehouse, on_date, special_area);
        n := n + 1;
        RETURN QUERY SELECT n, v.rule_id, v.ok, v.reason, v.basis;
    END IF;
    IF import_enterprise IS NOT NULL AND import_applicant IS NOT NULL THEN
        v := cbreturn.import_applicant_verdict(import_enterprise, import_applicant, on_date);
        n := n + 1;
        RETURN QUERY SELECT n, v.rule_id, v.ok, v.reason, v.basis;
    END IF;
END
$$;
COMMENT ON FUNCTION cbreturn.explain_registers(date, cbreturn.uscc, text, cbreturn.customs_code, text, text,
                                               cbreturn.customs_registration_code, cbreturn.uscc) IS
    'explain the register checks (R-EX-4 applicant, R-EX-6 return site, R-IM-5 warehouse, R-IM-7 import applicant) for the inputs given: step, rule_id, passed, seen, basis';

-- Every row is the DBA's: dump them all.
SELECT pg_catalog.pg_extension_config_dump('cbreturn.applicants', '');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.return_sites', '');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.return_warehouses', '');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.operator_credit_ratings', '');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.import_agents', '');

-- Readable by everyone (the write-time checks run as the writing role),
-- writable by the owner; grant INSERT/UPDATE/DELETE to a data-steward role.
REVOKE ALL ON cbreturn.applicants, cbreturn.return_sites, cbreturn.return_warehouses,
              cbreturn.operator_credit_ratings, cbreturn.import_agents FROM PUBLIC;
GRANT SELECT ON cbreturn.applicants, cbreturn.return_sites, cbreturn.return_warehouses,
                cbreturn.operator_credit_ratings, cbreturn.import_agents TO PUBLIC;

-- ---- sql/40_rules.sql
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
    AS 'MODULE_PATHNAME', 'export_return_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.export_return_deadline(date, cbreturn.return_reason) IS
    'last day (inclusive) a returned export may re-enter: 1 year for quality_or_spec, 6 months otherwise (R-EX-1, R-P-1)';

CREATE FUNCTION cbreturn.import_apply_deadline(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'import_apply_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_apply_deadline(date) IS
    'last day (inclusive) to file a CBEC retail import return: release + 30 days (R-IM-1, R-P-1)';

CREATE FUNCTION cbreturn.import_arrival_deadline(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'import_arrival_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_arrival_deadline(date) IS
    'last day (inclusive) for returned CBEC retail imports to arrive: release + 45 days (R-IM-1, R-P-1)';

-- R-P-2 variants (off unless called): a deadline on a rest day moves to the
-- next working day of cbreturn.holidays.
CREATE FUNCTION cbreturn.export_return_deadline_holiday_adjusted(exported_on date, reason cbreturn.return_reason)
    RETURNS date
    AS 'MODULE_PATHNAME', 'export_return_deadline_holiday_adjusted'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.export_return_deadline_holiday_adjusted(date, cbreturn.return_reason) IS
    'export_return_deadline moved to the next working day when it falls on a rest day (R-EX-1, R-P-2; unverified for customs)';

CREATE FUNCTION cbreturn.import_apply_deadline_holiday_adjusted(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'import_apply_deadline_holiday_adjusted'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_apply_deadline_holiday_adjusted(date) IS
    'import_apply_deadline moved to the next working day when it falls on a rest day (R-IM-1, R-P-2; unverified for customs)';

CREATE FUNCTION cbreturn.import_arrival_deadline_holiday_adjusted(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'import_arrival_deadline_holiday_adjusted'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_arrival_deadline_holiday_adjusted(date) IS
    'import_arrival_deadline moved to the next working day when it falls on a rest day (R-IM-1, R-P-2; unverified for customs)';

CREATE FUNCTION cbreturn.is_rest_day(day date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'is_rest_day'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.is_rest_day(date) IS
    'true on a holiday of cbreturn.holidays, or a weekend day not listed as a make-up working day (R-P-2)';

CREATE FUNCTION cbreturn.next_working_day(day date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'next_working_day'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.next_working_day(date) IS
    'the day itself if it is a working day, else the next working day by cbreturn.holidays (R-P-2)';

-- ---------------------------------------------------------------------------
-- Remark codes (R-EX-2)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.remark_code(reason cbreturn.return_reason)
    RETURNS text
    AS 'MODULE_PATHNAME', 'remark_code'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.remark_code(cbreturn.return_reason) IS
    'code for the first position of the return form remarks: ZXTY unsold, THTY consumer_return, PGTY quality_or_spec (R-EX-2)';

CREATE FUNCTION cbreturn.reason_from_remarks(remarks text)
    RETURNS cbreturn.return_reason
    AS 'MODULE_PATHNAME', 'reason_from_remarks'
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
    AS 'MODULE_PATHNAME', 'cross_customs_return_allowed'
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
    AS 'MODULE_PATHNAME', 'export_tax_relief'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.export_tax_relief(cbreturn.supervision_code, date, date, cbreturn.return_reason,
                                               boolean, boolean, date, boolean) IS
    'tax relief on a returned export: announcement route for unsold/consumer returns (R-TX-1, R-TX-2, R-TX-4), statutory route for quality/spec (R-TX-6); R-TX-3, R-TX-5';

-- ---------------------------------------------------------------------------
-- Retail import returns (R-IM-1 ... R-IM-4)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.import_return_on_time(released_on date, applied_on date, arrived_on date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'import_return_on_time'
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
    AS 'MODULE_PATHNAME', 'import_retail_tax'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_retail_tax(numeric, numeric, numeric, numeric) IS
    'tariff 0, import VAT and consumption tax at 70 % within the limits (R-IM-4); a released return refunds it (R-IM-3)';

CREATE FUNCTION cbreturn.import_annual_amount_after_return(annual_used numeric, returned_value numeric)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'import_annual_amount_after_return'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_annual_amount_after_return(numeric, numeric) IS
    'consumer''s annual cumulative amount after a released return: annual_used - returned_value (R-IM-3)';

CREATE FUNCTION cbreturn.import_annual_quota_remaining(annual_used numeric)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'import_annual_quota_remaining'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_annual_quota_remaining(numeric) IS
    'what is left of the annual limit (rule parameter import_limit_per_year, CNY 26,000), never below 0 (R-IM-4)';

-- ---------------------------------------------------------------------------
-- Status of a return, for reporting tools (rules section 6)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.return_status(deadline date, returned_on date, as_of date,
                                       due_soon_days integer DEFAULT 7)
    RETURNS text
    AS 'MODULE_PATHNAME', 'return_status'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.return_status(date, date, date, integer) IS
    'open, due_soon, overdue, closed_on_time or closed_late as of a day; returned_on NULL = not returned (R-P-1: the deadline day is on time)';

CREATE FUNCTION cbreturn.return_days_left(deadline date, returned_on date, as_of date)
    RETURNS integer
    AS 'MODULE_PATHNAME', 'return_days_left'
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
    AS 'MODULE_PATHNAME', 'explain_export_return_deadline'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.explain_export_return_deadline(date, cbreturn.return_reason, date) IS
    'the rules behind export_return_deadline (R-EX-2, R-P-1, R-EX-1), one row per rule checked';

CREATE FUNCTION cbreturn.explain_import_return(released_on date, applied_on date DEFAULT NULL,
                                               arrived_on date DEFAULT NULL,
                                               OUT step integer, OUT rule_id text, OUT passed boolean,
                                               OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_import_return'
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
    AS 'MODULE_PATHNAME', 'explain_cross_customs_return'
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
    AS 'MODULE_PATHNAME', 'explain_export_tax_relief'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.explain_export_tax_relief(cbreturn.supervision_code, date, date,
                                                       cbreturn.return_reason, boolean, boolean, date, boolean) IS
    'the rules behind export_tax_relief (R-TX-1 ... R-TX-6), one row per check';

-- ---- sql/50_enforcement.sql
-- Write-time enforcement: C triggers a DBA attaches to an ERP's own tables,
-- naming that table's columns.  The C side is src/enforce/trigger.c; docs/enforcement.md
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

SELECT pg_catalog.pg_extension_config_dump('cbreturn.attached_check', '');
SELECT pg_catalog.pg_extension_config_dump('cbreturn.attached_column', '');

-- Everyone may read the metadata; only its owner (the role that created the
-- extension) writes it.  Roles record and remove checks through attach and
-- detach, which call the three C functions below: they check the calling
-- role's rights (GetUserId) themselves and then write as the metadata's owner
-- (src/enforce/metadata.c, docs/security.md).  A role that could write a row
-- could make the triggers read a table it may not read (issue 9, item 2).
-- Row security stays enabled with a read-only policy, so that a GRANT made by
-- mistake still lets nobody write.
ALTER TABLE cbreturn.attached_check ENABLE ROW LEVEL SECURITY;
ALTER TABLE cbreturn.attached_column ENABLE ROW LEVEL SECURITY;

CREATE FUNCTION cbreturn._owns(rel regclass) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.pg_has_role(c.relowner, 'USAGE')
      FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) rel
$$;

CREATE POLICY read_all ON cbreturn.attached_check FOR SELECT USING (true);
CREATE POLICY read_all ON cbreturn.attached_column FOR SELECT USING (true);

REVOKE ALL ON cbreturn.attached_check, cbreturn.attached_column FROM PUBLIC;
GRANT SELECT ON cbreturn.attached_check, cbreturn.attached_column TO PUBLIC;

CREATE FUNCTION cbreturn._metadata_register(rel regclass, kind text, fill boolean,
                                            declared regclass, labels text[])
    RETURNS void
    AS 'MODULE_PATHNAME', 'cbr_metadata_register' LANGUAGE C;
CREATE FUNCTION cbreturn._metadata_column(rel regclass, kind text, col_role text,
                                          col_rel regclass, col name)
    RETURNS void
    AS 'MODULE_PATHNAME', 'cbr_metadata_column' LANGUAGE C;
CREATE FUNCTION cbreturn._metadata_forget(rel regclass, kind text)
    RETURNS integer
    AS 'MODULE_PATHNAME', 'cbr_metadata_forget' LANGUAGE C;

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
-- long as it lives (src/enforce/trigger.c).  Any write to it sends a relcache
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
-- The C trigger functions (src/enforce/*_check.c)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.export_return_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'export_return_check' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.export_return_check() IS
    'AFTER ROW trigger (BEFORE ROW when it fills remarks or a deadline): R-EX-1 window, R-EX-2 remark code, R-EX-5 cross-customs; attach with cbreturn.attach_export_return_checks';
CREATE FUNCTION cbreturn.import_return_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'import_return_check' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.import_return_check() IS
    'AFTER ROW trigger: R-IM-1 application and arrival windows; attach with cbreturn.attach_import_return_checks';
CREATE FUNCTION cbreturn.status_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'status_check' LANGUAGE C;
COMMENT ON FUNCTION cbreturn.status_check() IS
    'BEFORE ROW trigger: status moves forward only, stage timestamps in order (rules section 6); attach with cbreturn.attach_status_check';

-- The WHEN clauses of the reading checks (src/enforce/trigger.c): true when the row
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

-- ---------------------------------------------------------------------------
-- Attach helpers
-- ---------------------------------------------------------------------------

-- The table a check may be attached to: an ordinary, permanent table owned by
-- the caller.  A regclass given as a bare OID ('1234') is not checked by its
-- input function: say that it does not exist.  Temporary tables go at session
-- end (or DISCARD TEMP) without the event triggers that remove their metadata,
-- which 0.1.0 left behind to break every later dump (issue 9, item 4).
CREATE FUNCTION cbreturn._check_table(rel regclass, what text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kind "char";
    persistence "char";
BEGIN
    IF rel IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
            MESSAGE = pg_catalog.format('the %s must not be NULL', what);
    END IF;
    SELECT c.relkind, c.relpersistence INTO kind, persistence
      FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) rel;
    IF NOT FOUND THEN
        PERFORM cbreturn._error('attach.no_relation', rel::pg_catalog.oid::pg_catalog.text);
    END IF;
    IF persistence OPERATOR(pg_catalog.=) 't' THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = pg_catalog.format('%s %s is a temporary table', what, rel),
            DETAIL = 'A temporary table goes at the end of its session without the event triggers that remove the metadata of its checks.',
            HINT = 'Attach the checks to a permanent table.';
    END IF;
    -- A quantity check covers a partitioned returns table from its parent
    -- (R-EX-3, R-IM-2: the limit holds over every partition).
    IF kind OPERATOR(pg_catalog.=) 'p' AND what OPERATOR(pg_catalog.=) 'returns table' THEN
        NULL;
    ELSIF kind OPERATOR(pg_catalog.=) 'p' THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = pg_catalog.format('%s %s is partitioned', what, rel),
            HINT = 'Attach the checks to each partition.';
    ELSIF kind OPERATOR(pg_catalog.<>) 'r' THEN
        PERFORM cbreturn._error('attach.not_table', what, rel::pg_catalog.text);
    END IF;
    IF NOT cbreturn._owns(rel) THEN
        PERFORM cbreturn._error('attach.not_owner', rel::pg_catalog.text);
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
        PERFORM cbreturn._error('attach.column_missing', col::pg_catalog.text, col_rel::pg_catalog.text,
                                meaning, col_role);
    END IF;
    IF accepted IS NOT NULL AND NOT typ OPERATOR(pg_catalog.=) ANY (accepted) THEN
        RAISE EXCEPTION USING ERRCODE = 'datatype_mismatch',
            MESSAGE = pg_catalog.format('column "%s" of relation %s is of type %s, but %s must be of type %s',
                                        col, col_rel, typ, meaning,
                                        pg_catalog.array_to_string(accepted::text[], ' or ')),
            HINT = 'Attach a column of an accepted type, for example a generated column that converts this one.';
    END IF;
    -- A column of the declared table is read by the guard, a BEFORE UPDATE
    -- trigger, which sees no value of a generated column yet (issue 9, item 11).
    IF col_rel OPERATOR(pg_catalog.<>) rel THEN
        PERFORM cbreturn._refuse_generated(col_rel, ARRAY[col], meaning);
    END IF;
    PERFORM cbreturn._metadata_column(rel, kind, col_role, col_rel, col);
END
$$;

-- A BEFORE ROW trigger runs before PostgreSQL computes the generated columns
-- of the row, so it would see NULL (INSERT) or the old value (UPDATE) there:
-- refuse such a column where the check runs BEFORE (issue 9, item 11).  The
-- AFTER ROW checks see the row as stored, generated columns included.
CREATE FUNCTION cbreturn._refuse_generated(rel regclass, cols name[], meaning text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g name;
BEGIN
    SELECT att.attname INTO g FROM pg_catalog.pg_attribute att
     WHERE att.attrelid OPERATOR(pg_catalog.=) rel
       AND att.attname OPERATOR(pg_catalog.=) ANY (cols)
       AND att.attgenerated OPERATOR(pg_catalog.<>) ''
     ORDER BY att.attnum LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = pg_catalog.format('column "%s" of relation %s is a generated column, which %s cannot read',
                                        g, rel, meaning),
            DETAIL = 'This check runs in a BEFORE ROW trigger, which PostgreSQL calls before it computes generated columns.',
            HINT = 'Attach a plain column, or attach the export check without fill_remarks and deadline so that it runs AFTER the row is stored and sees generated columns.';
    END IF;
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
    PERFORM cbreturn._drop_orphan_triggers(rel, kind);
    PERFORM cbreturn._metadata_register(rel, kind, fill, declared, labels);
END
$$;

-- The triggers of a check whose metadata is missing: what `pg_dump -n <erp
-- schema>` restores (the triggers are in the ERP's schema, the metadata in
-- cbreturn's, which pg_dump writes only with the extension).  They refuse
-- every write (55000) and check nothing; attach and detach drop them, so that
-- running the attach calls again after such a restore just works
-- (docs/security.md, "Dump and restore").  Only triggers of this kind's names
-- that call a function of cbreturn are touched; returns 1 when there were any.
CREATE FUNCTION cbreturn._drop_orphan_triggers(rel regclass, kind text) RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t name;
    n int := 0;
BEGIN
    IF EXISTS (SELECT FROM cbreturn.attached_check k
                WHERE k.relation OPERATOR(pg_catalog.=) rel
                  AND k.check_kind OPERATOR(pg_catalog.=) kind) THEN
        RETURN 0;
    END IF;
    FOR t IN SELECT tg.tgname FROM pg_catalog.pg_trigger tg
               JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) tg.tgfoid
              WHERE tg.tgrelid OPERATOR(pg_catalog.=) rel AND NOT tg.tgisinternal
                AND p.pronamespace OPERATOR(pg_catalog.=) 'cbreturn'::pg_catalog.regnamespace
                AND (tg.tgname OPERATOR(pg_catalog.=) ('cbreturn_' OPERATOR(pg_catalog.||) kind OPERATOR(pg_catalog.||) '_check')
                     OR (kind OPERATOR(pg_catalog.=) 'quantity'
                         AND tg.tgname OPERATOR(pg_catalog.=) 'cbreturn_quantity_truncate'))
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', t, rel);
        n := 1;
    END LOOP;
    RETURN n;
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
        PERFORM cbreturn._refuse_generated("table",
            ARRAY[exported_on, reason, returned_on, remarks, supervision_code, export_office,
                  return_office, deadline],
            'the export check that fills remarks or a deadline');
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
       OR (SELECT pg_catalog.count(DISTINCT l) FROM pg_catalog.unnest(labels) l
            WHERE pg_catalog.btrim(l) OPERATOR(pg_catalog.<>) '') <> 7 THEN
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
    PERFORM cbreturn._refuse_generated("table", ARRAY[status] || cols, 'the status check');
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
    kind text;
    n int := 0;
BEGIN
    -- (a quantity check may be attached to a partitioned returns table)
    PERFORM cbreturn._check_table("table", 'returns table');
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
            -- R-EX-3: triggers and ledger (sql/55_enforce_quantity.sql),
            -- while the check is still recorded: its owner may recount
            PERFORM cbreturn._quantity_detach("table", k.declared_relation);
        END IF;
        n := n + cbreturn._metadata_forget("table", k.check_kind);
    END LOOP;
    -- triggers restored without their metadata (pg_dump -n) go too
    FOREACH kind IN ARRAY CASE WHEN check_kind IS NULL THEN ARRAY['export', 'import', 'quantity', 'status']
                             ELSE ARRAY[check_kind] END LOOP
        n := n + cbreturn._drop_orphan_triggers("table", kind);
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
    touched oid[];
BEGIN
    -- Only the metadata of the tables this ALTER TABLE touched, and of their
    -- inheritance children (a recursing ALTER reports only the parent), is
    -- looked at: a stale or foreign row elsewhere must not make every ALTER
    -- TABLE of the database fail (issue 9, item 3).
    WITH RECURSIVE t(relid) AS (
        SELECT d.objid FROM pg_catalog.pg_event_trigger_ddl_commands() d
         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
        UNION
        SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN t ON i.inhparent OPERATOR(pg_catalog.=) t.relid
    )
    SELECT pg_catalog.array_agg(t.relid) INTO touched FROM t;
    IF touched IS NULL THEN
        RETURN;
    END IF;
    -- A dropped attached column or a new type would leave a check reading
    -- nothing or the wrong thing: refuse (the ALTER TABLE is rolled back).
    FOR c IN SELECT ac.*, a.attisdropped, a.atttypid
               FROM cbreturn.attached_column ac
               JOIN pg_catalog.pg_attribute a
                 ON a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
                AND a.attnum OPERATOR(pg_catalog.=) ac.column_attnum
              WHERE ac.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (touched)
                AND (a.attisdropped OR a.atttypid OPERATOR(pg_catalog.<>) ac.column_type)
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
     WHERE ac.column_relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (touched)
       AND a.attrelid OPERATOR(pg_catalog.=) ac.column_relation
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
                -- stale metadata of a table already gone blocks nothing
                AND EXISTS (SELECT FROM pg_catalog.pg_class c
                             WHERE c.oid OPERATOR(pg_catalog.=) a.relation::pg_catalog.oid)
    LOOP
        RAISE EXCEPTION USING ERRCODE = 'dependent_objects_still_exist',
            MESSAGE = pg_catalog.format('table %s holds the declared lines of the cbreturn quantity check on %s',
                                        k.object_identity, k.relation),
            HINT = pg_catalog.format('Detach the check first: SELECT cbreturn.detach(%L, %L);',
                                     k.relation::text, 'quantity');
    END LOOP;
    -- R-EX-3: the quantity ledger follows (sql/55_enforce_quantity.sql)
    PERFORM cbreturn._quantity_after_drop(gone);
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
    'internal: does the current role own (or belong to the owner of) the table; used by attach, detach and the row-level security of the quantity ledger';
COMMENT ON FUNCTION cbreturn._metadata_register(regclass, text, boolean, regclass, text[]) IS
    'internal: records an attached check as the metadata owner, after checking that the calling role owns the table and may read the declared table (docs/security.md)';
COMMENT ON FUNCTION cbreturn._metadata_column(regclass, text, text, regclass, name) IS
    'internal: records one column of an attached check as the metadata owner, after checking that the calling role owns the table or may SELECT the declared column (docs/security.md)';
COMMENT ON FUNCTION cbreturn._metadata_forget(regclass, text) IS
    'internal: removes the metadata of the checks of one kind (or all) on a table the calling role owns; returns how many checks (docs/security.md)';
COMMENT ON FUNCTION cbreturn._drop_orphan_triggers(regclass, text) IS
    'internal: drops the triggers of a check whose metadata is missing (restored by pg_dump -n without the extension); used by attach and detach';
COMMENT ON FUNCTION cbreturn._refuse_generated(regclass, name[], text) IS
    'internal: refuses generated columns where a check runs in a BEFORE ROW trigger, which sees no generated value';
COMMENT ON FUNCTION cbreturn._attached_changed() IS
    'internal: statement trigger on the enforcement metadata that makes every session read the attached checks again (src/enforce/check_cache.c)';
COMMENT ON FUNCTION cbreturn._attached_column_resolve() IS
    'internal: derives column number and type from the column name when metadata is written (attach, pg_dump restore)';
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

-- ---- sql/55_enforce_quantity.sql
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
);
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
-- (a foreign key's and a unique constraint's), for the SQL built below.
CREATE FUNCTION cbreturn._eq_operator(t regtype) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.format('OPERATOR(%I.%s)', n.nspname, o.oprname)
      FROM pg_catalog.pg_opclass oc
      JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) oc.opcmethod AND am.amname OPERATOR(pg_catalog.=) 'btree'
      JOIN pg_catalog.pg_amop ao ON ao.amopfamily OPERATOR(pg_catalog.=) oc.opcfamily
       AND ao.amoplefttype OPERATOR(pg_catalog.=) oc.opcintype AND ao.amoprighttype OPERATOR(pg_catalog.=) oc.opcintype
       AND ao.amopstrategy OPERATOR(pg_catalog.=) 3
      JOIN pg_catalog.pg_operator o ON o.oid OPERATOR(pg_catalog.=) ao.amopopr
      JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.oprnamespace
     WHERE oc.opcdefault
       AND (oc.opcintype OPERATOR(pg_catalog.=) t
            OR EXISTS (SELECT FROM pg_catalog.pg_cast c
                        WHERE c.castsource OPERATOR(pg_catalog.=) t AND c.casttarget OPERATOR(pg_catalog.=) oc.opcintype
                          AND c.castmethod OPERATOR(pg_catalog.=) 'b'))
     ORDER BY oc.opcintype OPERATOR(pg_catalog.=) t DESC
     LIMIT 1
$$;
COMMENT ON FUNCTION cbreturn._eq_operator(regtype) IS
    'internal: the qualified default equality operator of a type, for the set-based quantity ledger builds';

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
        parts := parts OPERATOR(pg_catalog.||) pg_catalog.format(
            'SELECT %s, r.%I::pg_catalog.numeric AS q FROM %s r WHERE %s',
            (SELECT pg_catalog.string_agg(pg_catalog.format('r.%I AS k%s', keys[i], i), ', ')
               FROM pg_catalog.generate_series(1, n) i),
            q, k.relation,
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
        ' LEFT JOIN %s d ON %s',
        (SELECT pg_catalog.string_agg(pg_catalog.format('d.%I', dkeys[i]), ', ') FROM pg_catalog.generate_series(1, n) i),
        (SELECT pg_catalog.string_agg(pg_catalog.format('s.k%s::pg_catalog.text', i), ', ') FROM pg_catalog.generate_series(1, n) i),
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

-- Rebuild the ledger of a declared table; returns what breaks the rule.
-- Run by cbreturn._quantity_rebuild (C) as the ledger's owner, after it
-- checked the caller; not callable by PUBLIC.
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
    SELECT coalesce(pg_catalog.bool_or(cbreturn._owns(r::pg_catalog.regclass)), false)
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
    'internal: may the current role rebuild the quantity ledger of a declared table (it owns the table or a returns table of it)';
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
BEGIN
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
    IF EXISTS (SELECT FROM cbreturn.quantity_ledger l
                WHERE l.declared_relation OPERATOR(pg_catalog.=) TG_RELID::pg_catalog.regclass
                  AND l.return_rows OPERATOR(pg_catalog.>) 0) THEN
        RAISE EXCEPTION USING ERRCODE = 'CB003',
            MESSAGE = pg_catalog.format('cannot truncate table %s: returns are counted against its lines (R-EX-3, R-IM-2)',
                                        TG_RELID::pg_catalog.regclass),
            DETAIL = 'A quantity check counts returns against the declared lines of this table.',
            HINT = 'Delete the returns first, or detach the quantity checks with cbreturn.detach().';
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
    other record;
    p record;
BEGIN
    -- A partitioned returns table is attached once, on its parent: the row
    -- trigger is cloned to every partition, those created later included.
    PERFORM cbreturn._check_table("table", 'returns table');
    PERFORM cbreturn._check_table(declared_table, 'declared table');
    IF "table" OPERATOR(pg_catalog.=) declared_table THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the returns and the declared lines must be in two tables';
    END IF;
    IF EXISTS (SELECT FROM cbreturn.attached_check a
                WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity'
                  AND (a.relation::pg_catalog.oid IN (SELECT pg_catalog.pg_partition_ancestors("table"))
                       OR a.relation::pg_catalog.oid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree("table") t))
                  AND a.relation OPERATOR(pg_catalog.<>) "table") THEN
        RAISE EXCEPTION USING ERRCODE = 'duplicate_object',
            MESSAGE = pg_catalog.format('a partition or a partitioned ancestor of %s already has a quantity check', "table"),
            HINT = 'Attach the check once, on the partitioned table: it covers every partition.';
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
        -- the line is found with the key type's own equality (R-EX-3): a
        -- type without a default btree equality cannot name a line
        IF cbreturn._eq_operator(t2) IS NULL THEN
            PERFORM cbreturn._error('attach.key_no_equality', declared_line[i]::pg_catalog.text, t2::pg_catalog.text);
        END IF;
    END LOOP;
    PERFORM cbreturn._attach_column("table", 'quantity', 'quantity', "table", quantity, quantities,
                                    'the returned quantity (R-EX-3, R-IM-2)');
    PERFORM cbreturn._attach_column("table", 'quantity', 'declared_quantity', declared_table,
                                    declared_quantity, quantities, 'the declared quantity (R-EX-3, R-IM-2)');
    -- R-EX-3: a line is found as a foreign key finds it (unique constraint,
    -- the key types' equality) and read as the declared table's owner may.
    PERFORM cbreturn._quantity_validate_declared(declared_table, declared_line, declared_quantity);
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
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = pg_catalog.format('the quantity check on %s counts against %s with other declared columns',
                                        other.relation, declared_table),
            HINT = 'Every returns table of one declared table names the same declared_line and declared_quantity.';
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
COMMENT ON FUNCTION cbreturn.attach_quantity_check(regclass, name[], name, regclass, name[], name) IS
    'attach the partial-return quantity check (R-EX-3, R-IM-2): returns of one declared line, in every returns table attached to it, never exceed its declared quantity';

-- Detach (called by cbreturn.detach after the metadata of the check is gone):
-- drop the quantity triggers and count the other returns tables again.
CREATE FUNCTION cbreturn._quantity_detach(rel regclass, declared regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p record;
BEGIN
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

-- Partitions attached, created or detached under an attached partitioned
-- returns table: give each its TRUNCATE trigger and count again (rows of an
-- attached partition were written without the check: an over-return among
-- them refuses the ALTER TABLE).
CREATE FUNCTION cbreturn._quantity_follow_partitions() RETURNS event_trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k record;
    p record;
BEGIN
    FOR k IN SELECT a.relation, a.declared_relation FROM cbreturn.attached_check a
               JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.relation
              WHERE a.check_kind OPERATOR(pg_catalog.=) 'quantity' AND c.relkind OPERATOR(pg_catalog.=) 'p'
                AND EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() d
                             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
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
END
$$;
COMMENT ON FUNCTION cbreturn._quantity_follow_partitions() IS
    'internal: event trigger giving new partitions of an attached returns table their TRUNCATE trigger and recounting their returns (R-EX-3, R-IM-2)';
CREATE EVENT TRIGGER cbreturn_quantity_follow_partitions ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
    EXECUTE FUNCTION cbreturn._quantity_follow_partitions();

-- ---- sql/60_messages.sql
-- Messages in the clerk's language (docs/i18n.md).  The C side is
-- src/i18n/i18n.c.  PL/pgSQL's RAISE cannot use cbreturn's message
-- catalogue, so the extension's PL/pgSQL functions raise a catalogued message
-- by its key:
--
--     PERFORM cbreturn._error('attach.partitioned', cbreturn._text('the_table'), rel::text);
--
-- which raises the message with its SQLSTATE, DETAIL and HINT in the language
-- of lc_messages, or of cbreturn.language when that is set.

CREATE FUNCTION cbreturn._error(key text, VARIADIC args text[] DEFAULT '{}')
RETURNS void
AS 'MODULE_PATHNAME', 'cbreturn_error'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION cbreturn._error(text, text[]) IS
    'raises the catalogued message key (SQLSTATE, message, DETAIL, HINT) in the session''s language; arguments replace {1} .. {9}';

CREATE FUNCTION cbreturn._text(key text)
RETURNS text
AS 'MODULE_PATHNAME', 'cbreturn_text'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn._text(text) IS
    'a catalogued word or phrase in the session''s language, for an argument of cbreturn._error';
