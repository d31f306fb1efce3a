-- cbreturn.declaration_id: customs declaration numbers and CBEC declaration
-- list numbers (R-ID-1).  Literal forms, bad literals, accessors, order,
-- binary form, casts, indexes, joins and hash partitioning.

-- The operators live in schema cbreturn; a session that does not have it on
-- its search path must name them (docs/types.md, "Search path").
SELECT '29242020I439440284'::cbreturn.declaration_id = '29242020I439440284'::cbreturn.declaration_id;
SELECT '29242020I439440284'::cbreturn.declaration_id OPERATOR(cbreturn.=) '2924-2020-I-439440284'::cbreturn.declaration_id;
SET search_path = public, cbreturn;

-- pg_input_is_valid() exists from PostgreSQL 16 on: there, bad literals must
-- be soft errors (ereturn) with SQLSTATE 22P02 and good ones valid.  On older
-- servers this block does nothing, so the output is the same everywhere.
DO $$
DECLARE
    ok boolean;
    state text;
BEGIN
    IF pg_catalog.to_regproc('pg_catalog.pg_input_is_valid') IS NULL THEN
        RETURN;
    END IF;
    EXECUTE $q$SELECT pg_input_is_valid('29242020I439440284', 'cbreturn.declaration_id')
                  AND NOT pg_input_is_valid('29242020X439440284', 'cbreturn.declaration_id')
                  AND NOT pg_input_is_valid('29241979I439440284', 'cbreturn.declaration_id')$q$ INTO ok;
    EXECUTE $q$SELECT sql_error_code FROM pg_input_error_info('2924-2020I-439440284', 'cbreturn.declaration_id')$q$ INTO state;
    IF NOT ok OR state IS DISTINCT FROM '22P02' THEN
        RAISE EXCEPTION 'soft input errors do not work: valid=% sqlstate=%', ok, state;
    END IF;
END
$$;

-- ---------------------------------------------------------------------------
-- Valid literals: every form prints as the canonical 18 characters.
-- ---------------------------------------------------------------------------
SELECT v::declaration_id AS value, note
  FROM (VALUES
    (1, '020220080525641690',         'R-ID-1 example: Tianjin office 0202, 2008, export'),
    (2, '29242020I439440284',         'R-ID-1 example: Hangzhou office 2924, 2020, import list'),
    (3, '2924-2020-I-439440284',      'print form of the same'),
    (4, '29242020i439440284',         'lower-case import-list flag'),
    (5, '2924-2020-i-439440284',      'print form, lower-case flag'),
    (6, '53162025E000381007',         'export list'),
    (7, '5316-2025-e-000381007',      'print form, lower-case export-list flag'),
    (8, '220120241000000417',         'import declaration'),
    (9, '   220120241000000417  ',    'surrounding spaces'),
    (10, E'\t2201-2024-1-000000417\n','tab before, newline after the print form'),
    (11, '000019800000000000',        'smallest value: office 0000, year 1980, export, sequence 0'),
    (12, '99992099I999999999',        'largest value: office 9999, year 2099, import list, last sequence')
  ) AS t(n, v, note)
 ORDER BY n;

-- ---------------------------------------------------------------------------
-- Bad literals: each raises invalid_text_representation (22P02) with a
-- message naming the type, quoting the literal and saying what is wrong.
-- ---------------------------------------------------------------------------
-- One error in full, with its DETAIL and HINT:
SELECT '2924-2020-X-439440284'::declaration_id;

-- The rest through helpers that return the SQLSTATE and the message.
CREATE FUNCTION pg_temp.query_error(query text)
    RETURNS TABLE (sqlstate text, message text) LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN QUERY SELECT 'no error'::text, NULL::text;   -- the test fails visibly
EXCEPTION WHEN OTHERS THEN
    RETURN QUERY SELECT SQLSTATE::text, SQLERRM::text;
END
$$;
CREATE FUNCTION pg_temp.input_error(literal text, typ regtype)
    RETURNS TABLE (sqlstate text, message text) LANGUAGE sql
    AS $$ SELECT * FROM pg_temp.query_error(pg_catalog.format('SELECT %L::%s', literal, typ)) $$;

SELECT e.sqlstate, e.message
  FROM (VALUES
    (1,  '29242020I43944028'),       -- 17 characters
    (2,  '29242020I4394402845'),     -- 19 characters
    (3,  ''),                        -- empty string
    (4,  '   '),                     -- white space only
    (5,  '2924-2020-I-43944028'),    -- print form one digit short (20 characters)
    (6,  '2X242020I439440284'),      -- non-digit in the customs code
    (7,  '29242O20I439440284'),      -- letter O for zero in the year
    (8,  '29242020I4394402S4'),      -- non-digit in the sequence
    (9,  '29242020I-439440284'),     -- hyphen in the canonical form (19 characters)
    (10, '29241979I439440284'),      -- year 1979: before the range (R-ID-1)
    (11, '29242100I439440284'),      -- year 2100: after the range
    (12, '2924-1979-0-000000001'),   -- year 1979 in the print form
    (13, '29242020X439440284'),      -- unknown flag X
    (14, '29242020i43944028 '),      -- trailing space counted out: 17 characters
    (15, '292420202439440284'),      -- flag 2: digits other than 0 and 1 are no flag
    (16, '29242020 439440284'),      -- space where the flag belongs
    (17, '2924-2020-I439440284-'),   -- misplaced hyphen: sequence runs into the third hyphen
    (18, '292-42020-I-439440284'),   -- misplaced hyphen inside the customs code
    (19, '2924_2020_I_439440284'),   -- underscores instead of hyphens
    (20, '2924 2020 I 439440284'),   -- spaces instead of hyphens
    (21, '２９２４2020I439440284'),  -- multibyte: full-width digits (18 characters)
    (22, '29242020Ｉ439440284'),     -- multibyte: full-width flag letter
    (23, '2924年2020I43944028'),     -- multibyte: CJK character among ASCII
    (24, E'29242020\u00a0439440284') -- multibyte: no-break space where the flag belongs
  ) AS t(n, v),
  LATERAL pg_temp.input_error(v, 'cbreturn.declaration_id') AS e
 ORDER BY n;

-- The year bounds themselves are accepted.
SELECT '29241980I439440284'::declaration_id AS first_year,
       '29242099I439440284'::declaration_id AS last_year;

-- ---------------------------------------------------------------------------
-- Accessors (interface contract) and the print form, over the four flags.
-- ---------------------------------------------------------------------------
CREATE TABLE decl_sample (id declaration_id PRIMARY KEY);
INSERT INTO decl_sample VALUES
    ('020220080525641690'),      -- export declaration
    ('020220081525641690'),      -- import declaration
    ('29242020E439440284'),      -- export list
    ('29242020I439440284'),      -- import list
    ('000019800000000000'),
    ('99992099I999999999');
SELECT id, customs_code(id), district(id), district(customs_code(id)) AS district_of_code,
       declared_year(id), is_import(id), is_list(id), sequence_no(id), print_form(id)
  FROM decl_sample ORDER BY id;

-- Every value survives text and print-form round trips.
SELECT count(*) AS rows,
       count(*) FILTER (WHERE id::text::declaration_id = id) AS text_round_trip,
       count(*) FILTER (WHERE print_form(id)::declaration_id = id) AS print_round_trip,
       count(*) FILTER (WHERE declaration_id(customs_code(id), declared_year(id),
                                             substr(id::text, 9, 1), sequence_no(id)) = id) AS rebuilt
  FROM decl_sample;

-- NULL in, NULL out (STRICT).
SELECT customs_code(NULL::declaration_id) IS NULL AS code, declared_year(NULL) IS NULL AS year,
       print_form(NULL) IS NULL AS print_form;

-- customs_code('...') with an untyped literal is read as a cast to the type
-- customs_code, not as the accessor (PostgreSQL's function-style cast rule);
-- a typed argument calls the accessor.
SELECT customs_code('29242020I439440284');
SELECT customs_code('29242020I439440284'::declaration_id);

-- ---------------------------------------------------------------------------
-- The constructor declaration_id(office, year, flag, sequence).
-- ---------------------------------------------------------------------------
SELECT declaration_id('2924', 2020, 'I', 439440284) AS import_list,
       declaration_id('2924', 2020, 'i', 439440284) = '29242020I439440284' AS lower_case_flag,
       declaration_id(office => '0202', declared_year => 2008, flag => '0', sequence_no => 525641690) AS named,
       declaration_id('5316', 2025, 'E', 0) AS first_sequence;
-- Bad parts: a flag that is not one of 0 1 E I is an invalid parameter
-- (22023); a year or sequence outside its range is out of range (22003); a
-- bad office literal fails in customs_code input (22P02).
SELECT e.*
  FROM (VALUES
    (1, $$declaration_id('2924', 2020, 'X', 1)$$),           -- unknown flag
    (2, $$declaration_id('2924', 2020, '', 1)$$),            -- empty flag
    (3, $$declaration_id('2924', 2020, 'IE', 1)$$),          -- two flags
    (4, $$declaration_id('2924', 1979, 'I', 1)$$),           -- year before 1980
    (5, $$declaration_id('2924', 2100, 'I', 1)$$),           -- year after 2099
    (6, $$declaration_id('2924', 2020, 'I', -1)$$),          -- negative sequence
    (7, $$declaration_id('2924', 2020, 'I', 1000000000)$$),  -- 10-digit sequence
    (8, $$declaration_id('29X4', 2020, 'I', 1)$$)            -- bad office literal
  ) AS t(n, call),
  LATERAL pg_temp.query_error('SELECT cbreturn.' || call) AS e
 ORDER BY n;
-- The error in full, with its HINT:
SELECT declaration_id('2924', 2020, 'X', 1);
SELECT declaration_id(NULL, 2020, 'I', 1) IS NULL AS strict;

-- ---------------------------------------------------------------------------
-- Order: values sort exactly as their canonical text does (byte order).
-- ---------------------------------------------------------------------------
CREATE TABLE decl_mixed (id declaration_id);
INSERT INTO decl_mixed
SELECT declaration_id(
           (ARRAY['0202', '2924', '5316', '2201', '0100', '7901', '9400', '0000', '9999'])[1 + i % 9]::customs_code,
           1980 + (i * 7) % 120,
           (ARRAY['0', '1', 'E', 'I'])[1 + (i / 9) % 4],
           ((i::bigint * 829348951) % 1000000000)::integer)
  FROM generate_series(1, 2000) AS i;
INSERT INTO decl_mixed SELECT id FROM decl_sample;
-- all four flags with the same prefix and sequence
INSERT INTO decl_mixed VALUES ('292420200000000010'), ('292420201000000010'),
                              ('29242020E000000010'), ('29242020I000000010');

SELECT count(*) AS values, count(DISTINCT substr(id::text, 9, 1)) AS flags
  FROM decl_mixed;
-- ORDER BY the value and ORDER BY its text give the same sequence.
SELECT (SELECT array_agg(id ORDER BY id) FROM decl_mixed)
     = (SELECT array_agg(id ORDER BY id::text COLLATE "C") FROM decl_mixed) AS same_order;
-- Every operator agrees with text comparison on every pair of a sample.
WITH s AS (SELECT id, id::text COLLATE "C" AS t FROM decl_mixed WHERE sequence_no(id) % 7 = 0 OR sequence_no(id) < 1000)
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE (a.id <  b.id) <> (a.t <  b.t)) AS lt_wrong,
       count(*) FILTER (WHERE (a.id <= b.id) <> (a.t <= b.t)) AS le_wrong,
       count(*) FILTER (WHERE (a.id =  b.id) <> (a.t =  b.t)) AS eq_wrong,
       count(*) FILTER (WHERE (a.id <> b.id) <> (a.t <> b.t)) AS ne_wrong,
       count(*) FILTER (WHERE (a.id >= b.id) <> (a.t >= b.t)) AS ge_wrong,
       count(*) FILTER (WHERE (a.id >  b.id) <> (a.t >  b.t)) AS gt_wrong
  FROM s a, s b;
-- The four flags sort 0 < 1 < E < I, as in ASCII.
SELECT id FROM decl_mixed WHERE id::text LIKE '29242020_000000010' ORDER BY id DESC;
SELECT min(id), max(id) FROM decl_mixed;

-- ---------------------------------------------------------------------------
-- Binary form: the packed int64 of src/cbreturn.h, big-endian on the wire:
-- ((code * 10000 + year) * 4 + flag) * 10^9 + sequence, flag 0,1,E,I = 0..3.
-- ---------------------------------------------------------------------------
SELECT declaration_id_send('29242020I439440284') AS wire,
       declaration_id_send('29242020I439440284') = int8send(((2924 * 10000 + 2020) * 4 + 3) * 1000000000::bigint + 439440284) AS is_packed,
       declaration_id_send('020220080525641690') = int8send(((202 * 10000 + 2008) * 4 + 0) * 1000000000::bigint + 525641690) AS export_packed;
-- (COPY ... FORMAT binary round trips, and rejection of corrupt binary
-- values with 22P03, are in test/checks/binary_copy.sh.)

-- ---------------------------------------------------------------------------
-- Casts to and from text, explicit and in assignment.
-- ---------------------------------------------------------------------------
CREATE TABLE decl_text (t text, id declaration_id);
INSERT INTO decl_text (t, id) VALUES ('2924-2020-I-439440284', '2924-2020-I-439440284');
INSERT INTO decl_text (id) SELECT t FROM decl_text;          -- text into declaration_id
UPDATE decl_text SET t = id WHERE t IS NULL;                 -- declaration_id into text
SELECT t, id, pg_typeof(id::text) AS to_text, pg_typeof(t::declaration_id) AS from_text FROM decl_text ORDER BY t;
INSERT INTO decl_text (id) VALUES ('not a number'::text);    -- the cast validates: 22P02

-- ---------------------------------------------------------------------------
-- Indexes: the default btree and hash classes serve equality and ranges.
-- ---------------------------------------------------------------------------
CREATE TABLE decl_orders (order_no integer, id declaration_id);
INSERT INTO decl_orders SELECT row_number() OVER (ORDER BY id), id FROM decl_mixed;
CREATE TABLE decl_lists (id declaration_id, released boolean);
-- two thirds of the orders' numbers, plus 100 lists no order refers to
INSERT INTO decl_lists SELECT DISTINCT id, sequence_no(id) % 2 = 0 FROM decl_mixed WHERE sequence_no(id) % 3 <> 0;
INSERT INTO decl_lists SELECT declaration_id('2244', 2026, 'I', 900000000 + i), false FROM generate_series(1, 100) AS i;
CREATE INDEX decl_orders_btree ON decl_orders (id);
CREATE INDEX decl_lists_hash ON decl_lists USING hash (id);
ANALYZE decl_orders, decl_lists;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM decl_orders WHERE id = '29242020I439440284';
SELECT * FROM decl_orders WHERE id = '29242020I439440284';
EXPLAIN (COSTS OFF) SELECT * FROM decl_orders WHERE id >= '29242020E000000000' AND id < '292420210000000000';
SELECT * FROM decl_orders WHERE id >= '29242020E000000000' AND id < '292420210000000000' ORDER BY id;
EXPLAIN (COSTS OFF) SELECT * FROM decl_lists WHERE id = '2924-2020-I-439440284';
SELECT * FROM decl_lists WHERE id = '2924-2020-I-439440284';
-- min() and max() are answered from the btree index (SORTOP)
-- EXPLAIN without what differs between majors: PostgreSQL 17 stopped printing
-- "(returns $0)" after "InitPlan 1" (PostgreSQL 17 release notes: "Improve
-- EXPLAIN's display of SubPlan nodes and output parameters").
CREATE FUNCTION pg_temp.plan(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        RETURN NEXT regexp_replace(line, ' \(returns \$[0-9]+(,\$[0-9]+)*\)$', '');
    END LOOP;
END $$;
SELECT p AS "QUERY PLAN" FROM pg_temp.plan('SELECT max(id) FROM decl_orders') p;
SELECT max(id) = (SELECT id FROM decl_orders ORDER BY id::text COLLATE "C" DESC LIMIT 1) AS max_is_last_text FROM decl_orders;
RESET enable_seqscan;
RESET enable_bitmapscan;

-- A hash join and a merge join on declaration_id find the same matches as
-- a join on the text.
SET enable_nestloop = off;
SET enable_mergejoin = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM decl_orders o JOIN decl_lists l ON l.id = o.id;
SELECT count(*) FROM decl_orders o JOIN decl_lists l ON l.id = o.id;
RESET enable_mergejoin;
SET enable_hashjoin = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM decl_orders o JOIN decl_lists l ON l.id = o.id;
SELECT count(*) FROM decl_orders o JOIN decl_lists l ON l.id = o.id;
RESET enable_hashjoin;
RESET enable_nestloop;
SELECT count(*) AS text_join FROM decl_orders o JOIN decl_lists l ON l.id::text = o.id::text;

-- ---------------------------------------------------------------------------
-- Hash partitioning uses the extended hash support function.
-- ---------------------------------------------------------------------------
CREATE TABLE decl_part (id declaration_id NOT NULL, note text) PARTITION BY HASH (id);
CREATE TABLE decl_part_0 PARTITION OF decl_part FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE decl_part_1 PARTITION OF decl_part FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE decl_part_2 PARTITION OF decl_part FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE decl_part_3 PARTITION OF decl_part FOR VALUES WITH (MODULUS 4, REMAINDER 3);
INSERT INTO decl_part SELECT DISTINCT id FROM decl_mixed;
-- every partition gets rows, and none is lost
SELECT tableoid::regclass AS partition, count(*) > 100 AS well_filled FROM decl_part GROUP BY 1 ORDER BY 1;
SELECT (SELECT count(*) FROM decl_part) = (SELECT count(DISTINCT id) FROM decl_mixed) AS all_rows;
-- equality prunes to the one partition that holds the row
EXPLAIN (COSTS OFF) SELECT * FROM decl_part WHERE id = '29242020I439440284';
SELECT id FROM decl_part WHERE id = '29242020I439440284';

DROP TABLE decl_sample, decl_mixed, decl_text, decl_orders, decl_lists, decl_part;

-- ---------------------------------------------------------------------------
-- An ordinary user can use all three types: tables, indexes, queries.
-- ---------------------------------------------------------------------------
CREATE ROLE regress_cbreturn_user;
CREATE SCHEMA regress_cbreturn_user_schema AUTHORIZATION regress_cbreturn_user;
SET ROLE regress_cbreturn_user;
SET search_path = regress_cbreturn_user_schema, cbreturn;
CREATE TABLE export_lists (
    id          declaration_id PRIMARY KEY,
    office      customs_code GENERATED ALWAYS AS (customs_code(id)) STORED,
    regime      supervision_code NOT NULL,
    CHECK (NOT is_import(id))
);
CREATE INDEX ON export_lists USING hash (regime);
INSERT INTO export_lists (id, regime)
SELECT declaration_id('5316', 2025, 'E', i), '9610' FROM generate_series(1, 50) AS i;
INSERT INTO export_lists (id, regime) VALUES ('2924-2025-0-000000007', '9810');
INSERT INTO export_lists (id, regime) VALUES ('29242025I000000008', '1210');  -- CHECK: import list
SELECT office, regime, count(*), min(id), max(id)
  FROM export_lists GROUP BY 1, 2 ORDER BY 1, 2;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM export_lists WHERE regime = '9810';
RESET enable_seqscan;
SELECT id FROM export_lists WHERE id > '53162025E000000048' ORDER BY id;
DROP TABLE export_lists;
RESET ROLE;
DROP SCHEMA regress_cbreturn_user_schema;
DROP ROLE regress_cbreturn_user;
RESET search_path;
