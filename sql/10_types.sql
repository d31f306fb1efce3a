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
