-- cbreturn.customs_code (R-ID-2) and cbreturn.supervision_code (R-ID-3):
-- 4-digit codes in 2 bytes.  Literal forms, bad literals, district(), order,
-- binary form, casts, indexes and joins.  Whether a code is known is not the
-- types' business: that is what the reference tables are for (12_reference).
SET search_path = public, cbreturn;

CREATE FUNCTION pg_temp.input_error(literal text, typ regtype)
    RETURNS TABLE (sqlstate text, message text) LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE pg_catalog.format('SELECT %L::%s', literal, typ);
    RETURN QUERY SELECT 'accepted'::text, NULL::text;   -- the test fails visibly
EXCEPTION WHEN OTHERS THEN
    RETURN QUERY SELECT SQLSTATE::text, SQLERRM::text;
END
$$;

-- ---------------------------------------------------------------------------
-- Valid literals: output is always the 4 digits, zero-padded.
-- ---------------------------------------------------------------------------
SELECT v::customs_code AS customs_code, v::supervision_code AS supervision_code, note
  FROM (VALUES
    (1, '2924',      'Hangzhou office; supervision code 2924 is syntactically fine too'),
    (2, '0000',      'General Administration of Customs (R-ID-2)'),
    (3, '0110',      'leading zero kept: general trade (R-ID-3)'),
    (4, '9999',      'largest code'),
    (5, '  9610 ',   'surrounding spaces'),
    (6, E'\t1210\n', 'tab and newline')
  ) AS t(n, v, note)
 ORDER BY n;

-- Unknown codes are accepted: input checks syntax only (interface contract).
SELECT '8888'::supervision_code AS not_in_supervision_codes, '9999'::customs_code AS no_such_office;

-- ---------------------------------------------------------------------------
-- Bad literals: 22P02, the message names the type, quotes the literal and
-- says what is wrong.
-- ---------------------------------------------------------------------------
SELECT '961'::supervision_code;     -- one error in full, with its DETAIL

SELECT typ, e.sqlstate, e.message
  FROM (VALUES
    (1,  '292',    'customs_code'),       -- 3 characters
    (2,  '29240',  'customs_code'),       -- 5 characters
    (3,  '',       'customs_code'),       -- empty string
    (4,  '    ',   'customs_code'),       -- white space only
    (5,  '29X4',   'customs_code'),       -- letter among digits
    (6,  '-292',   'customs_code'),       -- sign: codes are not numbers
    (7,  '+292',   'customs_code'),       -- sign
    (8,  '29 24',  'customs_code'),       -- inner space (5 characters)
    (9,  '２９２４', 'customs_code'),     -- multibyte: full-width digits
    (10, '2924-',  'customs_code'),       -- trailing hyphen
    (11, '961',    'supervision_code'),   -- 3 characters
    (12, '96100',  'supervision_code'),   -- 5 characters
    (13, '',       'supervision_code'),   -- empty string
    (14, '961O',   'supervision_code'),   -- letter O for zero
    (15, '9.61',   'supervision_code'),   -- decimal point
    (16, '９６１０', 'supervision_code'), -- multibyte: full-width digits
    (17, '96１0',  'supervision_code')    -- multibyte: one full-width digit (4 characters)
  ) AS t(n, v, typ),
  LATERAL pg_temp.input_error(v, typ::regtype) AS e
 ORDER BY n;

-- ---------------------------------------------------------------------------
-- district(customs_code): the first two digits (R-ID-2).
-- ---------------------------------------------------------------------------
SELECT c, district(c) FROM (VALUES ('0000'::customs_code), ('0202'), ('2924'), ('5316'), ('9400')) AS t(c) ORDER BY c;
SELECT district(NULL::customs_code) IS NULL AS strict;

-- ---------------------------------------------------------------------------
-- The two types do not mix with each other or with integers: a supervision
-- code is not an office.
-- ---------------------------------------------------------------------------
SELECT '2924'::customs_code = '2924'::supervision_code;
SELECT '2924'::customs_code = 2924;
SELECT '9610'::supervision_code::text::customs_code AS explicit_through_text;

-- ---------------------------------------------------------------------------
-- Order: numeric order of the code is the order of its zero-padded text.
-- ---------------------------------------------------------------------------
CREATE TABLE codes (c customs_code, s supervision_code);
INSERT INTO codes
SELECT lpad(((i * 7919) % 10000)::text, 4, '0'), lpad(((i * 104729) % 10000)::text, 4, '0')
  FROM generate_series(0, 1999) AS i;
INSERT INTO codes VALUES ('0000', '0000'), ('9999', '9999'), ('0009', '0090'), ('0900', '9000');
SELECT (SELECT array_agg(c ORDER BY c) FROM codes) = (SELECT array_agg(c ORDER BY c::text COLLATE "C") FROM codes) AS customs_same_order,
       (SELECT array_agg(s ORDER BY s) FROM codes) = (SELECT array_agg(s ORDER BY s::text COLLATE "C") FROM codes) AS supervision_same_order;
WITH x AS (SELECT c, c::text COLLATE "C" AS t FROM codes WHERE c::text LIKE '%0%')
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE (a.c < b.c) <> (a.t < b.t) OR (a.c <= b.c) <> (a.t <= b.t)
                           OR (a.c = b.c) <> (a.t = b.t) OR (a.c <> b.c) <> (a.t <> b.t)
                           OR (a.c >= b.c) <> (a.t >= b.t) OR (a.c > b.c) <> (a.t > b.t)) AS wrong
  FROM x a, x b;
WITH x AS (SELECT s, s::text COLLATE "C" AS t FROM codes WHERE s::text LIKE '%0%')
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE (a.s < b.s) <> (a.t < b.t) OR (a.s <= b.s) <> (a.t <= b.t)
                           OR (a.s = b.s) <> (a.t = b.t) OR (a.s <> b.s) <> (a.t <> b.t)
                           OR (a.s >= b.s) <> (a.t >= b.t) OR (a.s > b.s) <> (a.t > b.t)) AS wrong
  FROM x a, x b;
SELECT min(c), max(c), min(s), max(s) FROM codes;
SELECT c FROM codes WHERE c IN ('0009', '0900', '0000', '9999') ORDER BY c;

-- ---------------------------------------------------------------------------
-- Binary form: a 2-byte integer, big-endian on the wire.
-- ---------------------------------------------------------------------------
SELECT customs_code_send('2924') AS customs_wire, customs_code_send('2924') = int2send(2924::int2) AS customs_is_int2,
       supervision_code_send('0110') AS supervision_wire, supervision_code_send('0110') = int2send(110::int2) AS supervision_is_int2;

-- ---------------------------------------------------------------------------
-- Casts to and from text.
-- ---------------------------------------------------------------------------
CREATE TABLE code_text (t text, c customs_code, s supervision_code);
INSERT INTO code_text (t) VALUES ('0110'), (' 9610');
UPDATE code_text SET c = t, s = t;                      -- text into both types (assignment)
SELECT t, c, s, c::text AS c_text, s::text AS s_text, pg_typeof(c::text) FROM code_text ORDER BY t;
UPDATE code_text SET t = s;                             -- supervision_code into text
SELECT t FROM code_text ORDER BY t;
UPDATE code_text SET c = 'x' || t;                      -- the cast validates: 22P02

-- ---------------------------------------------------------------------------
-- Indexes and joins.
-- ---------------------------------------------------------------------------
CREATE INDEX codes_c_btree ON codes (c);
CREATE INDEX codes_s_hash ON codes USING hash (s);
ANALYZE codes;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM codes WHERE c = '2924';
EXPLAIN (COSTS OFF) SELECT * FROM codes WHERE c BETWEEN '2900' AND '2999';
EXPLAIN (COSTS OFF) SELECT * FROM codes WHERE s = '9610';
SELECT count(*) FILTER (WHERE c = '0009') AS c_0009, count(*) FILTER (WHERE s = '9000') AS s_9000 FROM codes;
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
SELECT p AS "QUERY PLAN" FROM pg_temp.plan('SELECT min(c) FROM codes') p;
RESET enable_seqscan;
RESET enable_bitmapscan;

CREATE TABLE offices (c customs_code PRIMARY KEY, district text);
INSERT INTO offices SELECT DISTINCT c, district(c) FROM codes WHERE district(c) IN ('22', '29', '53');
ANALYZE offices;
SET enable_nestloop = off;
SET enable_mergejoin = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM codes JOIN offices USING (c);
SELECT count(*) FROM codes JOIN offices USING (c);
RESET enable_mergejoin;
SET enable_hashjoin = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM codes JOIN offices USING (c);
SELECT count(*) FROM codes JOIN offices USING (c);
RESET enable_hashjoin;
RESET enable_nestloop;
SELECT count(*) AS by_district_text FROM codes WHERE district(c) IN ('22', '29', '53');

-- Hash partitioning on a supervision code (extended hash, int2 internals).
CREATE TABLE by_regime (s supervision_code NOT NULL) PARTITION BY HASH (s);
CREATE TABLE by_regime_0 PARTITION OF by_regime FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE by_regime_1 PARTITION OF by_regime FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO by_regime SELECT s FROM codes;
SELECT count(*) AS rows, count(DISTINCT tableoid) AS partitions_used FROM by_regime;
EXPLAIN (COSTS OFF) SELECT * FROM by_regime WHERE s = '9610';

DROP TABLE codes, code_text, offices, by_regime;
RESET search_path;
