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
