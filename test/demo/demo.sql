-- cbreturn demo: run by `make demo` (test/run demo) on a throwaway cluster,
-- as psql -X -q -v ON_ERROR_STOP=1 -f test/demo/demo.sql.
--
-- One file, in sections.  Each section starts with an \echo heading and
-- leaves the database ready for the next.  Sample data are generated here
-- (generate_series): realistic in shape, not real declarations.
\pset null '(none)'
\pset footer off
SET datestyle = 'ISO, YMD';

\echo
\echo '=== cbreturn: China cross-border e-commerce (CBEC) return rules in PostgreSQL'
\echo
CREATE EXTENSION cbreturn;
-- The types' operators live in schema cbreturn: put it on the search path
-- (or ALTER DATABASE ... SET search_path = "$user", public, cbreturn).
SET search_path = public, cbreturn;

-- ============================================================================
-- Section: identifier types (R-ID-1, R-ID-2, R-ID-3)
-- ============================================================================
\echo '--- 1. Declaration numbers (R-ID-1): office, year, direction flag, sequence'
\echo '    The two examples of the rules, typed in canonical and in print form,'
\echo '    lower-case flags and stray white space accepted; output is canonical.'
SELECT literal, id, print_form(id) AS print_form, customs_code(id) AS office,
       declared_year(id) AS year,
       CASE WHEN is_import(id) THEN 'import' ELSE 'export' END AS direction,
       CASE WHEN is_list(id) THEN 'CBEC list' ELSE 'declaration' END AS kind,
       sequence_no(id) AS sequence
  FROM (VALUES ('020220080525641690'), ('0202-2008-0-525641690'),
               ('29242020I439440284'), ('  2924-2020-i-439440284 ')) AS t(literal),
       LATERAL (SELECT literal::declaration_id AS id) AS parsed;

\echo '--- 2. Built from parts: declaration_id(office, year, flag, sequence)'
SELECT declaration_id('5316', 2025, 'E', 381007) AS export_list,
       declaration_id('2201', 2026, '1', 417)    AS import_declaration;

\echo '--- 3. Bad literals are rejected with SQLSTATE 22P02 and say what is wrong'
CREATE FUNCTION pg_temp.try_declaration_id(literal text, OUT error_code text, OUT message text)
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM literal::cbreturn.declaration_id;
    error_code := '00000'; message := 'accepted';
EXCEPTION WHEN OTHERS THEN
    error_code := SQLSTATE; message := SQLERRM;
END
$$;
SELECT e.error_code AS sqlstate, e.message
  FROM (VALUES ('29242020I43944028'), ('29242020X439440284'), ('29241979I439440284'),
               ('2924-2020I-439440284'), ('２９２４2020I439440284')) AS t(literal),
       LATERAL pg_temp.try_declaration_id(literal) AS e;
\echo '    The same error, as a client sees it (ON_ERROR_STOP is off for this one statement):'
\set ON_ERROR_STOP 0
SELECT '29242020X439440284'::declaration_id;
\set ON_ERROR_STOP 1

\echo
\echo '--- 4. Sample data: 2,400 declarations and lists from twelve offices in ten districts, 2024-2026'
-- Offices in pilot districts of R-EX-5 (Hangzhou 29, Shenzhen 53, Tianjin 02,
-- Shanghai 22, Chengdu 79, Urumqi 94) and in others (Jinan 43, Wuhan 47,
-- Chongqing 80, Kunming 86).  Office numbers are made up within each district.
CREATE TABLE declarations (
    id          declaration_id PRIMARY KEY,
    regime      supervision_code NOT NULL,
    cleared_on  date NOT NULL
);
INSERT INTO declarations
SELECT declaration_id(o.office::customs_code, extract(year FROM d)::integer, f.flag,
                      (100000000 + (i::bigint * 7919 * 104729) % 900000000)::integer),
       f.regime::supervision_code, d
  FROM generate_series(1, 2400) AS i,
       LATERAL (SELECT (ARRAY['2924', '2921', '5316', '5301', '0202', '2244', '7901', '9401', '4301',
                              '4708', '8001', '8601'])[1 + i % 12] AS office) AS o,
       LATERAL (SELECT (ARRAY['E', 'E', 'E', 'I', 'I', '0', '1'])[1 + i % 7] AS flag,
                       (ARRAY['9610', '9610', '9710', '1210', '1210', '9810', '0110'])[1 + i % 7] AS regime) AS f,
       LATERAL (SELECT date '2024-01-01' + (i * 37) % 1000 AS d) AS dd;
ANALYZE declarations;

\echo '    Per district: name from cbreturn.districts, cross-customs return pilot date (R-EX-5)'
SELECT district(d.id) AS district, ds.name_en, ds.name_zh, ds.cross_return_pilot_from AS pilot_from,
       count(*) FILTER (WHERE NOT is_import(d.id)) AS exports,
       count(*) FILTER (WHERE is_import(d.id)) AS imports,
       count(*) FILTER (WHERE is_list(d.id)) AS cbec_lists
  FROM declarations d
  JOIN districts ds ON ds.code = district(d.id)
 GROUP BY 1, 2, 3, 4
 ORDER BY 1;

\echo '    By supervision code (cbreturn.supervision_codes, R-ID-3)'
SELECT d.regime, sc.name_en, sc.is_cbec, count(*) AS declarations
  FROM declarations d JOIN supervision_codes sc ON sc.code = d.regime
 GROUP BY 1, 2, 3 ORDER BY 1;

\echo '--- 5. Sorting follows the canonical text: office, year, flag 0 < 1 < E < I, sequence'
SELECT id, print_form(id), CASE WHEN is_list(id) THEN 'list' ELSE 'declaration' END AS kind,
       CASE WHEN is_import(id) THEN 'import' ELSE 'export' END AS direction
  FROM (SELECT id, row_number() OVER (PARTITION BY substr(id::text, 9, 1) ORDER BY id) AS nth
          FROM declarations WHERE customs_code(id) = '2924' AND declared_year(id) = 2025) AS s
 WHERE nth <= 2
 ORDER BY id;
SELECT min(id) AS first, max(id) AS last FROM declarations;

\echo
\echo '--- 6. Orders joined to their declaration lists through an index'
CREATE TABLE orders (
    order_no    text PRIMARY KEY,
    list_no     declaration_id NOT NULL,
    ordered_on  date NOT NULL,
    amount_cny  numeric(10, 2) NOT NULL
);
INSERT INTO orders
SELECT 'SO' || to_char(d.cleared_on, 'YYYYMMDD') || lpad(n::text, 5, '0'), d.id,
       d.cleared_on - (n % 5)::integer, round(50 + (n * 7717) % 480000 / 100.0, 2)
  FROM (SELECT id, cleared_on, row_number() OVER (ORDER BY id) AS r FROM declarations WHERE is_list(id)) AS d,
       LATERAL generate_series(d.r * 10, d.r * 10 + 7) AS n;
CREATE INDEX orders_list_no ON orders (list_no);
ANALYZE orders;
SELECT count(*) AS orders, count(DISTINCT list_no) AS lists FROM orders;

\echo '    One order and its list: the declaration is found by its primary key (btree)'
EXPLAIN (COSTS OFF)
SELECT o.order_no, o.amount_cny, d.id, d.regime, d.cleared_on
  FROM orders o JOIN declarations d ON d.id = o.list_no
 WHERE o.order_no = 'SO2024031400130';
SELECT o.order_no, o.amount_cny, d.id, print_form(d.id), d.regime, d.cleared_on, ds.name_en AS district
  FROM orders o
  JOIN declarations d ON d.id = o.list_no
  JOIN districts ds ON ds.code = district(d.id)
 WHERE o.order_no = (SELECT min(order_no) FROM orders WHERE ordered_on >= '2025-03-01');

\echo '    All orders on one list: the orders are found through orders_list_no (btree on declaration_id)'
EXPLAIN (COSTS OFF)
SELECT * FROM orders WHERE list_no = '2924-2025-E-123456789';
SELECT order_no, ordered_on, amount_cny
  FROM orders
 WHERE list_no = (SELECT list_no FROM orders ORDER BY list_no LIMIT 1)
 ORDER BY order_no;

-- ============================================================================
-- Section: rules engine (deadlines, remark codes, cross-customs returns, tax
-- relief: R-P-1, R-EX-1..6, R-TX-1..6, R-IM-1..5).  Added by the rules work.
-- ============================================================================

-- ============================================================================
-- Section: enforcement (write-time triggers on ERP tables, explain).  Added
-- by the enforcement work.
-- ============================================================================

\echo
\echo '=== end of demo'
