-- cbreturn.uscc: the unified social credit code (GB 32100-2015) of an
-- applicant (R-EX-4) or a return-centre warehouse operator (R-IM-5), and the
-- customs registration code domain.
SET search_path = public, cbreturn;

CREATE FUNCTION pg_temp.input_error(literal text)
    RETURNS TABLE (sqlstate text, message text) LANGUAGE plpgsql AS $$
BEGIN
    PERFORM literal::cbreturn.uscc;
    RETURN QUERY SELECT 'accepted'::text, NULL::text;
EXCEPTION WHEN OTHERS THEN
    RETURN QUERY SELECT SQLSTATE::text, SQLERRM::text;
END
$$;

-- Real, publicly printed codes of well-known companies (on their business
-- licences, invoices and contracts; the register of record is the National
-- Enterprise Credit Information Publicity System, www.gsxt.gov.cn, where each
-- can be looked up by name).  Huawei's is also in the infobox of its Chinese
-- Wikipedia article (zh.wikipedia.org, 華為, "機構代碼").
CREATE TEMP TABLE real_codes (code text PRIMARY KEY, company text NOT NULL);
INSERT INTO real_codes VALUES
    ('914403001922038216', 'Huawei Technologies Co., Ltd. (华为技术有限公司)'),
    ('91440300708461136T', 'Shenzhen Tencent Computer Systems Co., Ltd. (深圳市腾讯计算机系统有限公司)'),
    ('91330100799655058B', 'Alibaba (China) Co., Ltd. (阿里巴巴（中国）有限公司)'),
    ('91110108551385082Q', 'Xiaomi Inc. (小米科技有限责任公司)'),
    ('91440300192317458F', 'BYD Company Limited (比亚迪股份有限公司)'),
    ('91110000802100433B', 'Beijing Baidu Netcom Science and Technology Co., Ltd. (北京百度网讯科技有限公司)');

-- Each is accepted, prints back unchanged and splits into its fields.
SELECT r.code::uscc AS uscc, r.code::uscc::text = r.code AS round_trip,
       registration_authority(r.code::uscc) AS authority, organisation_category(r.code::uscc) AS category,
       division_code(r.code::uscc) AS division, organisation_code(r.code::uscc) AS organisation,
       uscc_check_character(left(r.code, 17)) = right(r.code, 1) AS check_char_matches
  FROM real_codes r ORDER BY r.code;

-- Every single-character change of each real code is rejected with 22P02:
-- each of the 18 positions replaced by every other digit and capital letter
-- (letters outside the character set included).  The mod-31 check catches
-- every substitution inside the set because 31 is prime and no weight is 0
-- mod 31; characters outside the set are refused by name.
WITH alphabet AS (
    SELECT chr(c) AS ch FROM generate_series(ascii('0'), ascii('9')) c
    UNION ALL SELECT chr(c) FROM generate_series(ascii('A'), ascii('Z')) c
), variants AS (
    SELECT r.code, p, a.ch, overlay(r.code PLACING a.ch FROM p FOR 1) AS variant
      FROM real_codes r, generate_series(1, 18) p, alphabet a
     WHERE substr(r.code, p, 1) <> a.ch
)
SELECT count(*) AS variants,
       count(*) FILTER (WHERE e.sqlstate = '22P02') AS rejected_22p02,
       count(*) FILTER (WHERE e.sqlstate = 'accepted') AS accepted,
       count(*) FILTER (WHERE e.message LIKE '%check character%') AS by_check_character,
       count(*) FILTER (WHERE e.message LIKE '%never uses%') AS by_character_set,
       count(*) FILTER (WHERE e.message LIKE '%administrative division%') AS by_division_digits
  FROM variants v, LATERAL pg_temp.input_error(v.variant) e;

-- Adjacent transpositions that change the code are caught as well.
SELECT count(*) AS transpositions, count(*) FILTER (WHERE e.sqlstate = 'accepted') AS accepted
  FROM real_codes r, generate_series(1, 17) p,
       LATERAL (SELECT overlay(r.code PLACING substr(r.code, p + 1, 1) || substr(r.code, p, 1) FROM p FOR 2) AS v) t,
       LATERAL pg_temp.input_error(t.v) e
 WHERE t.v <> r.code;

-- Accepted spellings: lower-case letters, surrounding white space.
SELECT '91330100799655058b'::uscc AS lower_case, E' \t914403001922038216 \n'::uscc AS white_space;

-- Bad literals, one per line, each with what is wrong.
SELECT * FROM pg_temp.input_error('914403001922038217');   -- wrong check character
SELECT * FROM pg_temp.input_error('91440300708461136t2');  -- 19 characters
SELECT * FROM pg_temp.input_error('9144030019220382');     -- 16 characters
SELECT * FROM pg_temp.input_error('');                     -- empty
SELECT * FROM pg_temp.input_error('   ');                  -- only white space
SELECT * FROM pg_temp.input_error('9I4403001922038216');   -- I is not used
SELECT * FROM pg_temp.input_error('91440300O922038216');   -- O is not used (reads as 0)
SELECT * FROM pg_temp.input_error('9144030019220382S6');   -- S is not used
SELECT * FROM pg_temp.input_error('91440300192203821V');   -- V as check character
SELECT * FROM pg_temp.input_error('Z14403001922038216');   -- Z is not used
SELECT * FROM pg_temp.input_error('91440300-922038216');   -- punctuation
SELECT * FROM pg_temp.input_error('91A403001922038216');   -- letter in the division code
SELECT * FROM pg_temp.input_error('９14403001922038216');   -- full-width digit
SELECT * FROM pg_temp.input_error('91440300１922038216');   -- full-width digit inside
SELECT * FROM pg_temp.input_error('9144 03001922038216');  -- space inside
SELECT * FROM pg_temp.input_error(E'91440300\t922038216');  -- control character inside
-- The full error of one, with DETAIL and HINT (its SQLSTATE, 22P02, is
-- asserted above).
SELECT '914403001922038217'::uscc;

-- Order is the order of the text, including codes with letters.  The
-- sample: the real codes plus codes built from 17-character prefixes that
-- start with a digit, a letter and the last letter of the set.
WITH c(t) AS (
    SELECT code FROM real_codes
    UNION ALL
    SELECT p || uscc_check_character(p)
      FROM (VALUES ('12100000400000624'), ('Y1110000MA0000001'), ('A1000000MA0000000'),
                   ('91110000MA01ABCDE'), ('91110000MA01ABCDY'), ('11000000000000000'),
                   ('YY999999YYYYYYYYY')) AS x(p))
SELECT count(*) AS pairs,
       bool_and((a.t::uscc < b.t::uscc) = (a.t COLLATE "C" < b.t COLLATE "C")) AS lt_is_text_order,
       bool_and((a.t::uscc >= b.t::uscc) = (a.t COLLATE "C" >= b.t COLLATE "C")) AS ge_is_text_order,
       bool_and((a.t::uscc = b.t::uscc) = (a.t = b.t)) AS eq_is_text_equality,
       bool_and(sign(uscc_cmp(a.t::uscc, b.t::uscc)) = sign(CASE WHEN a.t COLLATE "C" < b.t COLLATE "C" THEN -1
                                                                 WHEN a.t = b.t THEN 0 ELSE 1 END)) AS cmp_is_text_order
  FROM c a, c b;
SELECT min(code::uscc), max(code::uscc) FROM real_codes;

-- Indexable: btree and hash, unique constraint, hash partitioning.
CREATE TEMP TABLE firms (id uscc PRIMARY KEY, name text);
INSERT INTO firms SELECT code::uscc, company FROM real_codes;
INSERT INTO firms VALUES ('91330100799655058b', 'the same code in lower case');
CREATE INDEX firms_hash ON firms USING hash (id);
SET enable_seqscan = off;
SELECT name FROM firms WHERE id = '91110108551385082Q';
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT name FROM firms WHERE id = '91110108551385082Q';
RESET enable_bitmapscan;
RESET enable_seqscan;
CREATE TEMP TABLE firms_part (id uscc NOT NULL) PARTITION BY HASH (id);
CREATE TEMP TABLE firms_part_0 PARTITION OF firms_part FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TEMP TABLE firms_part_1 PARTITION OF firms_part FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO firms_part SELECT code::uscc FROM real_codes;
SELECT count(*) AS rows_in_partitions FROM firms_part;
-- The hash does not depend on how the literal was spelt.
SELECT uscc_hash('91330100799655058b') = uscc_hash('91330100799655058B') AS same_hash,
       uscc_hash_extended('91330100799655058b', 7) = uscc_hash_extended('91330100799655058B', 7) AS same_extended,
       uscc_hash_extended('91330100799655058B', 7) <> uscc_hash_extended('91330100799655058B', 8) AS seed_matters;

-- uscc_check_character: what a code should end in.
SELECT uscc_check_character('91440300708461136') AS tencent, uscc_check_character('91110000802100433') AS baidu;
\set VERBOSITY sqlstate
SELECT uscc_check_character('9144030070846113');    -- 16 characters: 22023
SELECT uscc_check_character('9144030070846113I');   -- I: 22023
\set VERBOSITY default

-- Size and catalogue: fixed 12 bytes, btree and hash classes valid.
SELECT typname, typlen, typbyval, typalign, typstorage FROM pg_type
 WHERE typnamespace = 'cbreturn'::regnamespace AND typname = 'uscc';
SELECT opcname, amname, amvalidate(c.oid)
  FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
 WHERE opcnamespace = 'cbreturn'::regnamespace AND opcname = 'uscc_ops' ORDER BY 2;
SELECT p.proname, p.provolatile, p.proisstrict, p.proparallel
  FROM pg_proc p
 WHERE p.pronamespace = 'cbreturn'::regnamespace
   AND p.proname IN ('uscc_in', 'uscc_out', 'uscc_recv', 'uscc_send', 'registration_authority',
                     'organisation_category', 'division_code', 'organisation_code', 'uscc_check_character')
 ORDER BY 1;

-- ---------------------------------------------------------------------------
-- cbreturn.customs_registration_code
-- ---------------------------------------------------------------------------
SELECT '3301960001'::customs_registration_code AS hangzhou_private, '44039608AB'::customs_registration_code AS letters;
\set VERBOSITY sqlstate
SELECT '330196000'::customs_registration_code;     -- 9 characters: 23514
SELECT '33019600011'::customs_registration_code;   -- 11 characters
SELECT 'A301960001'::customs_registration_code;    -- letter in the division
SELECT '3301960a01'::customs_registration_code;    -- lower-case letter
\set VERBOSITY default

-- Sorting many codes (sort support, btree build) gives the order of the text.
CREATE TEMP TABLE many AS
SELECT p || uscc_check_character(p) AS t
  FROM (SELECT (ARRAY['9', '1', '5', 'Y', 'A', 'N'])[1 + i % 6] || (ARRAY['1', '2', '3', 'Y'])[1 + i % 4]
               || lpad(((i * 7919) % 1000000)::text, 6, '0')
               || translate(upper(substr(md5(i::text), 1, 9)), 'IOSVZ', '12345') AS p
          FROM generate_series(1, 5000) AS i) AS x;
SELECT count(*) AS codes,
       (SELECT array_agg(t ORDER BY t::uscc) FROM many) = (SELECT array_agg(t ORDER BY t COLLATE "C") FROM many) AS sorted_as_text
  FROM many;
CREATE INDEX many_uscc ON many ((t::uscc));
SET enable_seqscan = off;
SELECT count(*) AS found_by_index FROM many WHERE t::uscc = (SELECT min(t COLLATE "C") FROM many)::uscc;
RESET enable_seqscan;
DROP TABLE many;
