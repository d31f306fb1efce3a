-- Frictions found attaching cbreturn to a real ERP (issue 12, item 8):
-- district() of an untyped literal, varchar keys against declaration_id, the
-- columns DROP EXTENSION ... CASCADE would drop, and the README's attach
-- example, run here statement for statement (test/checks/doc_examples.sh
-- keeps the two the same).
SET search_path = public, cbreturn;

-- ---------------------------------------------------------------------------
-- district() of a literal was ambiguous between its two typed overloads
-- ---------------------------------------------------------------------------
SELECT district('2924') AS code, district('29242020I439440284') AS declaration,
       district('2924-2020-I-439440284') AS print_form, district(' 0202 ') AS padded,
       district(NULL) AS null_in;
-- typed calls still take the typed overloads
SELECT pg_typeof(district('2924'::customs_code)), district('2924'::customs_code),
       district('020220080525641690'::declaration_id);
EXPLAIN (VERBOSE, COSTS OFF) SELECT district('2924'::customs_code), district('29242020I439440284'::declaration_id);
-- a text or varchar column takes the text overload
SELECT k, district(k) FROM (VALUES ('5316'::varchar), ('43012026E000000001'::varchar)) v(k) ORDER BY k COLLATE "C";
-- bad text: the error of the type its length names
SELECT regress.try($$SELECT cbreturn.district('29x4')$$);
SELECT regress.try($$SELECT cbreturn.district('2924-2020-I-43944028')$$);
SELECT regress.try($$SELECT cbreturn.district('')$$);

-- ---------------------------------------------------------------------------
-- varchar keys against declaration_id: no cast needed, an index is used
-- ---------------------------------------------------------------------------
CREATE TABLE friction_decl (id declaration_id PRIMARY KEY, n int);
INSERT INTO friction_decl SELECT declaration_id('2924', 2024, 'E', g), g FROM generate_series(1, 2000) g;
CREATE TABLE friction_erp (k varchar(30), t text, v int);
INSERT INTO friction_erp SELECT id::text, id::text, n FROM friction_decl WHERE n % 7 = 1;
-- the print form and lower case are the same declaration number
INSERT INTO friction_erp VALUES ('2924-2024-e-000000002', '2924-2024-e-000000002', -2);
ANALYZE friction_decl;
ANALYZE friction_erp;
SELECT count(*) AS varchar_eq, count(*) FILTER (WHERE e.v = -2) AS print_form_matched
  FROM friction_erp e JOIN friction_decl d ON e.k = d.id;
SELECT count(*) AS decl_eq_varchar FROM friction_erp e JOIN friction_decl d ON d.id = e.k;
SELECT count(*) AS text_eq FROM friction_erp e JOIN friction_decl d ON e.t = d.id;
SELECT count(*) AS varchar_ne FROM friction_erp e JOIN friction_decl d ON e.k <> d.id WHERE e.v = 1;
-- operators of text or varchar with an untyped literal keep their meaning
SELECT '29242024E000000001'::declaration_id = '2924-2024-E-000000001' AS literal_eq,
       'abc'::varchar = 'abc' AS varchar_literal_eq,
       (SELECT count(*) FROM friction_decl WHERE id = '29242024E000000005') AS typed_literal;
-- text that is no declaration number: 22P02, as the cast
SELECT regress.try($$SELECT '29242024E000000005'::cbreturn.declaration_id OPERATOR(cbreturn.=) 'x'::text$$);
SELECT regress.try($$SELECT 'x'::varchar OPERATOR(cbreturn.<>) '29242024E000000005'::cbreturn.declaration_id$$);
-- the operators resolve as documented
SELECT o.oprleft::regtype, o.oprright::regtype, o.oprname, o.oprcode, o.oprcom::regoperator, o.oprnegate::regoperator
  FROM pg_operator o
 WHERE o.oprnamespace = 'cbreturn'::regnamespace
   AND 'text'::regtype IN (o.oprleft, o.oprright)
 ORDER BY o.oprleft::regtype::text COLLATE "C", o.oprname COLLATE "C";
-- the index on the declaration_id side is used for a varchar value and in a join
SET enable_seqscan = off;
SET enable_hashjoin = off;
SET enable_mergejoin = off;
EXPLAIN (COSTS OFF) SELECT * FROM friction_decl WHERE id = '29242024E000000005'::varchar;
-- (the scan of friction_erp has no index to use; PostgreSQL 18 marks it
-- "Disabled: true" under enable_seqscan = off, which is not what is tested)
CREATE FUNCTION pg_temp.plan(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE l text;
BEGIN
    FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        IF l !~ '^\s*Disabled: true$' THEN RETURN NEXT l; END IF;
    END LOOP;
END $$;
SELECT * FROM pg_temp.plan('SELECT * FROM friction_erp e JOIN friction_decl d ON e.k = d.id WHERE e.v = 8');
-- and an expression index on the varchar side (docs/types.md)
CREATE INDEX friction_erp_k ON friction_erp ((k::text::declaration_id));
EXPLAIN (COSTS OFF) SELECT * FROM friction_erp WHERE k = '29242024E000000008'::declaration_id;
SELECT v FROM friction_erp WHERE k = '29242024E000000008'::declaration_id;
RESET enable_seqscan;
RESET enable_hashjoin;
RESET enable_mergejoin;
DROP TABLE friction_erp, friction_decl;

-- ---------------------------------------------------------------------------
-- The README's attach example, as it is written there
-- ---------------------------------------------------------------------------
CREATE SCHEMA erp;
CREATE TABLE erp.export_return (
    ret_no       text PRIMARY KEY,
    decl_no      varchar(21) NOT NULL,        -- the export declaration, as the ERP keeps it
    trade_mode   supervision_code NOT NULL,   -- 9610, ...
    decl_port    customs_code NOT NULL,       -- office that cleared the export
    clear_date   date NOT NULL,               -- export clearance date
    ret_reason   return_reason,
    reenter_date date,                        -- NULL until the goods are back
    ret_port     customs_code,                -- office the goods return through
    memo         text                         -- remarks of the return form: ZXTY, THTY or PGTY first
);
SELECT attach_export_return_checks('erp.export_return',
    exported_on => 'clear_date', reason => 'ret_reason', returned_on => 'reenter_date',
    remarks => 'memo', supervision_code => 'trade_mode',
    export_office => 'decl_port', return_office => 'ret_port');
INSERT INTO erp.export_return (ret_no, decl_no, trade_mode, decl_port, clear_date, ret_reason, reenter_date, ret_port, memo)
VALUES ('R19', '2924-2026-E-000000019', '9610', '2924', '2026-03-01', 'consumer_return', '2026-09-01', '2924', 'THTY');
INSERT INTO erp.export_return (ret_no, decl_no, trade_mode, decl_port, clear_date, ret_reason, reenter_date, ret_port, memo)
VALUES ('R20', '2924-2026-E-000000020', '9610', '2924', '2026-03-01', 'consumer_return', '2026-09-02', '2924', 'THTY');
\echo :LAST_ERROR_SQLSTATE
SELECT r.ret_no, a.deadline, a.status, a.cross_customs_allowed, (a.tax_relief).relieved, a.missing
  FROM erp.export_return r
 CROSS JOIN LATERAL assess_export_return(r.trade_mode, r.clear_date, r.ret_reason, r.reenter_date, '2026-09-10',
                                         r.decl_port, r.ret_port, is_food => false, original_state => NULL) a;
-- the varchar key of the example against a declaration_id
SELECT ret_no FROM erp.export_return WHERE decl_no = '29242026E000000019'::declaration_id;

-- ---------------------------------------------------------------------------
-- DROP EXTENSION ... CASCADE: the query of docs/types.md lists what it
-- would drop (not run here: later tests need the extension)
-- ---------------------------------------------------------------------------
CREATE TABLE erp.uses_domain (id int, code_arr customs_code[]);
CREATE DOMAIN erp.port AS customs_code;
CREATE TABLE erp.uses_port (id int, p erp.port);
SELECT c.oid::regclass AS "table", a.attname AS "column", a.atttypid::regtype AS "type"
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
 WHERE a.attnum > 0 AND NOT a.attisdropped
   AND c.relkind IN ('r', 'p', 'f', 'm')
   AND c.relnamespace <> 'cbreturn'::regnamespace
   AND EXISTS (SELECT FROM pg_depend d
                WHERE d.refclassid = 'pg_extension'::regclass
                  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'cbreturn')
                  AND d.deptype = 'e' AND d.classid = 'pg_type'::regclass
                  AND d.objid IN (a.atttypid,
                                  (SELECT t.typelem FROM pg_type t WHERE t.oid = a.atttypid AND t.typcategory = 'A'),
                                  (SELECT t.typbasetype FROM pg_type t WHERE t.oid = a.atttypid AND t.typtype = 'd')))
 ORDER BY c.oid::regclass::text COLLATE "C", a.attname COLLATE "C";
SELECT cbreturn.detach('erp.export_return');
DROP TABLE erp.export_return, erp.uses_domain, erp.uses_port;
DROP DOMAIN erp.port;
DROP SCHEMA erp;
