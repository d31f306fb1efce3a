-- Write-time enforcement, part 7: what one declared line is (R-EX-3, R-IM-2;
-- src/enforce/quantity.c, quantity_line.c, docs/enforcement.md).  A line is
-- found with its key types' own equality, independent of every session
-- setting; the limit holds over every return of the line wherever it is
-- stored (two returns tables, the partitions of one); TRUNCATE cannot
-- orphan returns; a return names an existing line whatever its quantity;
-- broken metadata or ledger refuses the write with a clear error.
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;
CREATE SCHEMA erp7;

-- Typed keys (item 6 of issue 9).  numeric 1, 1.0 and 1.00 are one line.
CREATE TABLE erp7.decl_n (g_no numeric PRIMARY KEY, qty int NOT NULL);
CREATE TABLE erp7.ret_n (id serial PRIMARY KEY, g_no numeric, qty int);
INSERT INTO erp7.decl_n VALUES (1.00, 10);
SELECT cbreturn.attach_quantity_check('erp7.ret_n', '{g_no}', 'qty', 'erp7.decl_n', '{g_no}', 'qty');
INSERT INTO erp7.ret_n (g_no, qty) VALUES (1, 4), (1.0, 4);
SELECT pg_temp.try($$INSERT INTO erp7.ret_n (g_no, qty) VALUES (1.000, 3)$$);      -- 11 of 10
SET extra_float_digits = 3;
SELECT pg_temp.try($$INSERT INTO erp7.ret_n (g_no, qty) VALUES (1e0, 3)$$);        -- 11 of 10
RESET extra_float_digits;
INSERT INTO erp7.ret_n (g_no, qty) VALUES (1e0, 2);                                 -- 10 of 10
-- re-keying a declared line with returns to an equal value of other digits
SELECT pg_temp.try($$UPDATE erp7.decl_n SET g_no = 1$$);
SELECT sum(qty) AS returned FROM erp7.ret_n;

-- Dates under another DateStyle are one line; char(n) pads to one line;
-- float8 under extra_float_digits; text under another client_encoding.
CREATE TABLE erp7.decl_d (d date, c char(6), f float8, t text, qty int NOT NULL, UNIQUE (d, c, f, t));
CREATE TABLE erp7.ret_d (id serial PRIMARY KEY, d date, c char(6), f float8, t text, qty int);
INSERT INTO erp7.decl_d VALUES ('2026-03-04', 'AB', 0.1, 'größe', 10);
SELECT cbreturn.attach_quantity_check('erp7.ret_d', '{d,c,f,t}', 'qty', 'erp7.decl_d', '{d,c,f,t}', 'qty');
SET datestyle = 'SQL, DMY';
INSERT INTO erp7.ret_d (d, c, f, t, qty) VALUES ('04/03/2026', 'AB ', 0.1, 'größe', 4);
SET datestyle = 'German';
SET extra_float_digits = -10;
INSERT INTO erp7.ret_d (d, c, f, t, qty) VALUES ('04.03.2026', 'AB    ', 0.1, 'größe', 4);
SET datestyle = 'Postgres, MDY';
SET extra_float_digits = 3;
SET client_encoding = 'LATIN1';
-- (the answer is printed after RESET client_encoding: a message in another
-- language may have characters LATIN1 cannot carry)
CREATE TEMP TABLE latin1_answer AS
SELECT pg_temp.try(convert_from('\x494e5345525420494e544f20657270372e7265745f642028642c20632c20662c20742c2071747929'::bytea, 'LATIN1')
                   || $$ VALUES ('03/04/2026', 'AB', 0.1, 'gr$$ || chr(246) || chr(223) || $$e', 3)$$) AS try;   -- 11 of 10
RESET client_encoding;
SELECT try FROM latin1_answer;
RESET extra_float_digits;
SET datestyle = 'ISO, YMD';
SELECT count(*) AS lines, sum(returned) AS returned FROM cbreturn.quantity_ledger
 WHERE declared_relation = 'erp7.decl_d'::regclass;
SELECT * FROM cbreturn.verify_quantity_ledger('erp7.decl_d');

-- The declared key needs a unique constraint, as a foreign key does.
CREATE TABLE erp7.decl_nu (g_no int, qty int);
CREATE TABLE erp7.ret_nu (g_no int, qty int);
SELECT pg_temp.try($$SELECT cbreturn.attach_quantity_check('erp7.ret_nu', '{g_no}', 'qty', 'erp7.decl_nu', '{g_no}', 'qty')$$);
SELECT count(*) AS attached FROM cbreturn.attached_check WHERE relation = 'erp7.ret_nu'::regclass;

-- Two returns tables on one declared table share one counter (item 7).
CREATE TABLE erp7.decl (entry text, g_no int, qty int NOT NULL, PRIMARY KEY (entry, g_no));
CREATE TABLE erp7.ret_a (id serial PRIMARY KEY, entry text, g_no int, qty int);
CREATE TABLE erp7.ret_b (id serial PRIMARY KEY, e text, item int, n numeric(8,2));
INSERT INTO erp7.decl VALUES ('E1', 1, 10), ('E1', 2, 10), ('E1', 3, 0);
INSERT INTO erp7.ret_a (entry, g_no, qty) VALUES ('E1', 1, 6);
INSERT INTO erp7.ret_b (e, item, n) VALUES ('E1', 1, 3);
SELECT cbreturn.attach_quantity_check('erp7.ret_a', '{entry,g_no}', 'qty', 'erp7.decl', '{entry,g_no}', 'qty');
-- the second attach counts both: 6 + 3 of 10
SELECT cbreturn.attach_quantity_check('erp7.ret_b', '{e,item}', 'n', 'erp7.decl', '{entry,g_no}', 'qty');
SELECT pg_temp.try($$INSERT INTO erp7.ret_b (e, item, n) VALUES ('E1', 1, 1.5)$$);   -- 10.5 of 10
INSERT INTO erp7.ret_b (e, item, n) VALUES ('E1', 1, 0.5);
SELECT pg_temp.try($$INSERT INTO erp7.ret_a (entry, g_no, qty) VALUES ('E1', 1, 1)$$);   -- 10.5 of 10
-- a return names an existing line whatever its quantity (item 9)
SELECT pg_temp.try($$INSERT INTO erp7.ret_a (entry, g_no, qty) VALUES ('E9', 1, 0)$$);
SELECT pg_temp.try($$INSERT INTO erp7.ret_a (entry, g_no, qty) VALUES ('E9', 1, NULL)$$);
INSERT INTO erp7.ret_a (entry, g_no, qty) VALUES ('E1', 3, 0);                        -- line 3 exists
SELECT pg_temp.try($$DELETE FROM erp7.decl WHERE g_no = 3$$);                          -- named by a zero return
-- an over-return that exists before attach is refused at attach
CREATE TABLE erp7.ret_c (id serial PRIMARY KEY, entry text, g_no int, qty int);
INSERT INTO erp7.ret_c (entry, g_no, qty) VALUES ('E1', 2, 11);
SELECT pg_temp.try($$SELECT cbreturn.attach_quantity_check('erp7.ret_c', '{entry,g_no}', 'qty', 'erp7.decl', '{entry,g_no}', 'qty')$$);
UPDATE erp7.ret_c SET g_no = 9;                                                        -- names no line
SELECT pg_temp.try($$SELECT cbreturn.attach_quantity_check('erp7.ret_c', '{entry,g_no}', 'qty', 'erp7.decl', '{entry,g_no}', 'qty')$$);
-- another declared column for the same declared table is refused
SELECT pg_temp.try($$SELECT cbreturn.attach_quantity_check('erp7.ret_c', '{entry,g_no}', 'qty', 'erp7.decl', '{entry,g_no}', 'g_no')$$);
DROP TABLE erp7.ret_c;

-- TRUNCATE (item 8): of the declared table, refused while returns name its
-- lines; of one returns table, the other keeps its count.
SELECT pg_temp.try($$TRUNCATE erp7.decl$$);
TRUNCATE erp7.ret_b;
SELECT pg_temp.try($$INSERT INTO erp7.ret_a (entry, g_no, qty) VALUES ('E1', 1, 5)$$);   -- 11 of 10
INSERT INTO erp7.ret_a (entry, g_no, qty) VALUES ('E1', 1, 4);                          -- 10 of 10
SELECT * FROM cbreturn.verify_quantity_ledger('erp7.decl');
-- detaching one returns table leaves the other counted
SELECT cbreturn.detach('erp7.ret_b');
SELECT pg_temp.try($$INSERT INTO erp7.ret_a (entry, g_no, qty) VALUES ('E1', 1, 1)$$);   -- 11 of 10
SELECT * FROM cbreturn.verify_quantity_ledger('erp7.decl');

-- A partitioned returns table is attached once, on its parent, and covers
-- every partition, those created or attached later included.
CREATE TABLE erp7.ret_p (id int, entry text, g_no int, qty int, month int) PARTITION BY LIST (month);
CREATE TABLE erp7.ret_p1 PARTITION OF erp7.ret_p FOR VALUES IN (1);
CREATE TABLE erp7.decl_p (entry text, g_no int, qty int NOT NULL, PRIMARY KEY (entry, g_no));
INSERT INTO erp7.decl_p VALUES ('P1', 1, 10);
INSERT INTO erp7.ret_p VALUES (1, 'P1', 1, 2, 1);
SELECT cbreturn.attach_quantity_check('erp7.ret_p', '{entry,g_no}', 'qty', 'erp7.decl_p', '{entry,g_no}', 'qty');
SELECT pg_temp.try($$SELECT cbreturn.attach_quantity_check('erp7.ret_p1', '{entry,g_no}', 'qty', 'erp7.decl_p', '{entry,g_no}', 'qty')$$);
CREATE TABLE erp7.ret_p2 PARTITION OF erp7.ret_p FOR VALUES IN (2);
INSERT INTO erp7.ret_p VALUES (2, 'P1', 1, 4, 2);                                      -- 6 of 10
SELECT pg_temp.try($$INSERT INTO erp7.ret_p VALUES (3, 'P1', 1, 5, 1)$$);              -- 11 of 10
-- a partition with its own column order, attached later with rows
CREATE TABLE erp7.ret_p3 (month int, qty int, g_no int, entry text, id int);
INSERT INTO erp7.ret_p3 VALUES (3, 5, 1, 'P1', 4);
SELECT pg_temp.try($$ALTER TABLE erp7.ret_p ATTACH PARTITION erp7.ret_p3 FOR VALUES IN (3)$$);   -- 11 of 10
UPDATE erp7.ret_p3 SET qty = 3;
ALTER TABLE erp7.ret_p ATTACH PARTITION erp7.ret_p3 FOR VALUES IN (3);                -- 9 of 10
SELECT pg_temp.try($$INSERT INTO erp7.ret_p VALUES (5, 'P1', 1, 2, 3)$$);              -- 11 of 10
-- moving a return between partitions keeps the count
UPDATE erp7.ret_p SET month = 1 WHERE id = 4;
SELECT pg_temp.try($$UPDATE erp7.ret_p SET qty = 5 WHERE id = 4$$);                    -- 11 of 10
-- TRUNCATE of one partition, even one created after attach, frees its returns
TRUNCATE erp7.ret_p2;
INSERT INTO erp7.ret_p VALUES (6, 'P1', 1, 5, 2);                                      -- 10 of 10
SELECT pg_temp.try($$INSERT INTO erp7.ret_p VALUES (7, 'P1', 1, 2, 1)$$);              -- 11 of 10
-- DROP of a partition frees its returns too
DROP TABLE erp7.ret_p2;
INSERT INTO erp7.ret_p VALUES (7, 'P1', 1, 5, 1);                                      -- 10 of 10
SELECT * FROM cbreturn.verify_quantity_ledger('erp7.decl_p');
SELECT tableoid::regclass, sum(qty) FROM erp7.ret_p GROUP BY 1 ORDER BY 1;

-- Fail closed (item 10): the ledger cannot go negative; a ledger row that
-- is missing or wrong refuses the write and is reported.
SELECT pg_temp.try($$UPDATE cbreturn.quantity_ledger SET returned = -1 WHERE declared_relation = 'erp7.decl_p'::regclass$$);
DELETE FROM cbreturn.quantity_ledger WHERE declared_relation = 'erp7.decl_p'::regclass;
SELECT pg_temp.try($$DELETE FROM erp7.ret_p WHERE id = 7$$);
SELECT line, problem, ledger_returned, actual_returned FROM cbreturn.verify_quantity_ledger('erp7.decl_p');
SELECT cbreturn.rebuild_quantity_ledger('erp7.decl_p');
SELECT * FROM cbreturn.verify_quantity_ledger('erp7.decl_p');
DELETE FROM erp7.ret_p WHERE id = 7;
-- a DROP or TRUNCATE of returns is never blocked by a problem that was there
-- before it (here a declared quantity lowered with the guard off): warned of
CREATE TABLE erp7.decl_w (g_no int PRIMARY KEY, qty int NOT NULL);
CREATE TABLE erp7.ret_w1 (g_no int, qty int);
CREATE TABLE erp7.ret_w2 (g_no int, qty int);
INSERT INTO erp7.decl_w VALUES (1, 10);
SELECT cbreturn.attach_quantity_check('erp7.ret_w1', '{g_no}', 'qty', 'erp7.decl_w', '{g_no}', 'qty');
SELECT cbreturn.attach_quantity_check('erp7.ret_w2', '{g_no}', 'qty', 'erp7.decl_w', '{g_no}', 'qty');
INSERT INTO erp7.ret_w1 VALUES (1, 6);
INSERT INTO erp7.ret_w2 VALUES (1, 2);
SET session_replication_role = replica;
UPDATE erp7.decl_w SET qty = 5;
RESET session_replication_role;
TRUNCATE erp7.ret_w2;
DROP TABLE erp7.ret_w2;
SELECT line, problem, actual_returned, declared_quantity FROM cbreturn.verify_quantity_ledger('erp7.decl_w');
SELECT pg_temp.try($$INSERT INTO erp7.ret_w1 VALUES (1, 1)$$);
DELETE FROM erp7.ret_w1;

-- metadata naming a declared table that is gone: a clear error, not XX000
-- (the event triggers that keep the metadata in step are off in replica mode)
CREATE TABLE erp7.decl_gone (g_no int PRIMARY KEY, qty int);
CREATE TABLE erp7.ret_g (g_no int, qty int);
SELECT cbreturn.attach_quantity_check('erp7.ret_g', '{g_no}', 'qty', 'erp7.decl_gone', '{g_no}', 'qty');
SET session_replication_role = replica;
DROP TABLE erp7.decl_gone;
RESET session_replication_role;
SELECT pg_temp.try($$INSERT INTO erp7.ret_g VALUES (1, 1)$$);

-- Metadata naming a relation that no longer exists never crashes the guard
-- (item 1): a declared table whose returns table went without the event
-- trigger, then a DELETE on the declared table.
CREATE TABLE erp7.ret_tmp (g_no int, qty int);
CREATE TABLE erp7.decl_t (g_no int PRIMARY KEY, qty int);
INSERT INTO erp7.decl_t VALUES (1, 5);
SELECT cbreturn.attach_quantity_check('erp7.ret_tmp', '{g_no}', 'qty', 'erp7.decl_t', '{g_no}', 'qty');
INSERT INTO erp7.ret_tmp VALUES (1, 2);
SET session_replication_role = replica;
DROP TABLE erp7.ret_tmp;
RESET session_replication_role;
SELECT pg_temp.try($$DELETE FROM erp7.decl_t$$);
SELECT pg_temp.try($$UPDATE erp7.decl_t SET qty = 1$$);
SELECT 1 AS still_up;
-- and the stale metadata does not block dropping the declared table
DROP TABLE erp7.decl_t;

-- No message shows a value the writing role may not read (item 2).
DROP ROLE IF EXISTS cbr_q7_clerk;
CREATE ROLE cbr_q7_clerk;
GRANT USAGE ON SCHEMA erp7 TO cbr_q7_clerk;
GRANT SELECT, INSERT ON erp7.ret_a TO cbr_q7_clerk;
GRANT USAGE ON SEQUENCE erp7.ret_a_id_seq TO cbr_q7_clerk;
SET ROLE cbr_q7_clerk;
SELECT pg_temp.try($$INSERT INTO erp7.ret_a (entry, g_no, qty) VALUES ('E1', 2, 11)$$);
SELECT pg_temp.try($$SELECT * FROM cbreturn.verify_quantity_ledger('erp7.decl')$$);
RESET ROLE;
GRANT SELECT ON erp7.decl TO cbr_q7_clerk;
SET ROLE cbr_q7_clerk;
SELECT pg_temp.try($$INSERT INTO erp7.ret_a (entry, g_no, qty) VALUES ('E1', 2, 11)$$);
RESET ROLE;
-- row security on the declared table applies to the check (FORCE: to its owner too)
DROP ROLE IF EXISTS cbr_q7_owner;
CREATE ROLE cbr_q7_owner;
GRANT USAGE ON SCHEMA erp7 TO cbr_q7_owner;
ALTER TABLE erp7.decl OWNER TO cbr_q7_owner;
ALTER TABLE erp7.decl ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY only_e1_1 ON erp7.decl USING (g_no = 1);
SET ROLE cbr_q7_clerk;
SELECT pg_temp.try($$INSERT INTO erp7.ret_a (entry, g_no, qty) VALUES ('E1', 2, 1)$$);   -- line hidden
SELECT pg_temp.try($$INSERT INTO erp7.ret_a (entry, g_no, qty) VALUES ('E1', 1, 1)$$);   -- over, values hidden
RESET ROLE;
DROP POLICY only_e1_1 ON erp7.decl;
ALTER TABLE erp7.decl DISABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY;

SELECT cbreturn.detach('erp7.ret_a');
DROP SCHEMA erp7 CASCADE;
DROP OWNED BY cbr_q7_clerk, cbr_q7_owner;
DROP ROLE cbr_q7_clerk;
DROP ROLE cbr_q7_owner;

-- Line keys of one type but different collations (the returns' key column
-- "POSIX", the declared one "C"): the line is found, and the recounts and
-- verification compare under the declared column's collation, as a foreign
-- key does (attach gave 42P22 before).
CREATE SCHEMA erp7c;
CREATE TABLE erp7c.decl (entry text COLLATE "C", g_no int, qty int, PRIMARY KEY (entry, g_no));
CREATE TABLE erp7c.ret (id int PRIMARY KEY, entry text COLLATE "POSIX", g_no int, qty int);
INSERT INTO erp7c.decl VALUES ('E1', 1, 10);
INSERT INTO erp7c.ret VALUES (1, 'E1', 1, 3);
SELECT cbreturn.attach_quantity_check('erp7c.ret', '{entry,g_no}', 'qty', 'erp7c.decl', '{entry,g_no}', 'qty');
SELECT pg_temp.try($$INSERT INTO erp7c.ret VALUES (2, 'E1', 1, 8)$$);
INSERT INTO erp7c.ret VALUES (3, 'E1', 1, 7);
SELECT count(*) AS problems FROM cbreturn.verify_quantity_ledger('erp7c.decl');
SELECT cbreturn.rebuild_quantity_ledger('erp7c.decl');
SELECT returned FROM cbreturn.quantity_ledger WHERE declared_relation = 'erp7c.decl'::regclass;
-- The recounts group the returns under the declared key's collation too.
-- A nondeterministic returns key over a "C" declared key merged the lines
-- 'a' and 'A' into one group: the rebuild gave one line the sum of both and
-- the other nothing, and an over-return of the other passed.
CREATE COLLATION erp7c.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE erp7c.ret_ci (id int PRIMARY KEY, entry text COLLATE erp7c.ci, g_no int, qty int);
INSERT INTO erp7c.decl VALUES ('a', 1, 10), ('A', 1, 10);
SELECT cbreturn.attach_quantity_check('erp7c.ret_ci', '{entry,g_no}', 'qty', 'erp7c.decl', '{entry,g_no}', 'qty');
INSERT INTO erp7c.ret_ci VALUES (1, 'a', 1, 8), (2, 'A', 1, 8);
SELECT count(*) AS problems FROM cbreturn.verify_quantity_ledger('erp7c.decl');
SELECT cbreturn.rebuild_quantity_ledger('erp7c.decl');
SELECT l.returned FROM cbreturn.quantity_ledger l
 WHERE l.declared_relation = 'erp7c.decl'::regclass ORDER BY l.returned;
SELECT pg_temp.try($$INSERT INTO erp7c.ret_ci VALUES (3, 'A', 1, 3)$$);
SELECT pg_temp.try($$INSERT INTO erp7c.ret_ci VALUES (4, 'a', 1, 3)$$);
-- erp7c.ret (key "POSIX") and erp7c.ret_ci are both counted: their keys,
-- of two collations, found no common one, and the attach above and every
-- recount failed.
SELECT cbreturn.rebuild_quantity_ledger('erp7c.decl');
SELECT count(*) AS problems FROM cbreturn.verify_quantity_ledger('erp7c.decl');
SELECT cbreturn.detach('erp7c.ret_ci');
-- The reverse: a "C" returns key over a nondeterministic declared key.
-- 'x' and 'X' name one declared line; they were two groups joined to the
-- same line, and the rebuild failed on the ledger's unique key (23505).
CREATE TABLE erp7c.decl_ci (entry text COLLATE erp7c.ci, g_no int, qty int, PRIMARY KEY (entry, g_no));
CREATE TABLE erp7c.ret_c (id int PRIMARY KEY, entry text COLLATE "C", g_no int, qty int);
INSERT INTO erp7c.decl_ci VALUES ('x', 1, 10);
SELECT cbreturn.attach_quantity_check('erp7c.ret_c', '{entry,g_no}', 'qty', 'erp7c.decl_ci', '{entry,g_no}', 'qty');
INSERT INTO erp7c.ret_c VALUES (1, 'x', 1, 4), (2, 'X', 1, 4);
SELECT cbreturn.rebuild_quantity_ledger('erp7c.decl_ci');
SELECT l.returned FROM cbreturn.quantity_ledger l WHERE l.declared_relation = 'erp7c.decl_ci'::regclass;
SELECT pg_temp.try($$INSERT INTO erp7c.ret_c VALUES (3, 'X', 1, 3)$$);
SELECT count(*) AS problems FROM cbreturn.verify_quantity_ledger('erp7c.decl_ci');
SELECT cbreturn.detach('erp7c.ret_c');
-- A unique index of the declared key under another collation than its
-- column's: the check found lines under the index's collation and the
-- recounts under the column's, so 'a' and 'á' were one line at write time
-- and two in a recount, which lost returns from the ledger (over-return then
-- accepted).  Such an index is not the declared key's (42830); one under the
-- columns' own collations is.  The same for a declaration header's key.
CREATE COLLATION erp7c.ai (provider = icu, locale = 'und-u-ks-level1', deterministic = false);
CREATE TABLE erp7c.decl_ix (entry text COLLATE erp7c.ci, g_no int, qty int);
CREATE UNIQUE INDEX decl_ix_key ON erp7c.decl_ix (entry COLLATE erp7c.ai, g_no);
INSERT INTO erp7c.decl_ix VALUES ('a', 1, 10);
CREATE TABLE erp7c.ret_ix (id int PRIMARY KEY, entry text, g_no int, qty int, d date);
SELECT pg_temp.try($$SELECT cbreturn.attach_quantity_check('erp7c.ret_ix', '{entry,g_no}', 'qty',
                                                          'erp7c.decl_ix', '{entry,g_no}', 'qty')$$);
CREATE TABLE erp7c.hdr_ix (entry text COLLATE erp7c.ci, d date);
CREATE UNIQUE INDEX hdr_ix_key ON erp7c.hdr_ix (entry COLLATE erp7c.ai);
SELECT pg_temp.try($$SELECT cbreturn.attach_header('erp7c.ret_ix', 'erp7c.hdr_ix', '{entry}', '{entry}',
                                                  exported_on => 'd')$$);
ALTER TABLE erp7c.decl_ix ADD PRIMARY KEY (entry, g_no);
SELECT cbreturn.attach_quantity_check('erp7c.ret_ix', '{entry,g_no}', 'qty', 'erp7c.decl_ix', '{entry,g_no}', 'qty');
INSERT INTO erp7c.ret_ix VALUES (1, 'a', 1, 5), (2, 'A', 1, 5);
SELECT pg_temp.try($$INSERT INTO erp7c.ret_ix VALUES (3, 'á', 1, 5)$$);
SELECT cbreturn.rebuild_quantity_ledger('erp7c.decl_ix');
SELECT l.returned FROM cbreturn.quantity_ledger l WHERE l.declared_relation = 'erp7c.decl_ix'::regclass;
SELECT pg_temp.try($$INSERT INTO erp7c.ret_ix VALUES (4, 'a', 1, 1)$$);
SELECT cbreturn.detach('erp7c.ret_ix');
-- The guard of a declaration header found the returns of a row under the
-- returns column's collation, the check under the header key's: a return
-- of 'A' names the row 'a' of a case-insensitive header key, and the
-- DELETE of that row passed (orphan); a status freeing a rejected return's
-- quantity again was not checked (over-return).
CREATE TABLE erp7c.hdr_ci (entry text COLLATE erp7c.ci PRIMARY KEY, d date, st varchar(4));
INSERT INTO erp7c.hdr_ci VALUES ('a', '2026-01-01', 'BH'), ('b', '2026-01-01', 'SB');
CREATE TABLE erp7c.decl_h (entry text, g_no int, qty int, PRIMARY KEY (entry, g_no));
INSERT INTO erp7c.decl_h VALUES ('D1', 1, 10);
CREATE TABLE erp7c.ret_h (id int PRIMARY KEY, req text, entry text, g_no int, qty int);
SELECT cbreturn.attach_header('erp7c.ret_h', 'erp7c.hdr_ci', '{req}', '{entry}', status => 'st');
SELECT cbreturn.attach_quantity_check('erp7c.ret_h', '{entry,g_no}', 'qty', 'erp7c.decl_h', '{entry,g_no}', 'qty',
                                      freeing_labels => '{BH,CX}');
INSERT INTO erp7c.ret_h VALUES (1, 'A', 'D1', 1, 10), (2, 'B', 'D1', 1, 10);
SELECT pg_temp.try($$UPDATE erp7c.hdr_ci SET st = 'SB' WHERE entry = 'a'$$);
SELECT pg_temp.try($$DELETE FROM erp7c.hdr_ci WHERE entry = 'a'$$);
SELECT count(*) AS problems FROM cbreturn.verify_quantity_ledger('erp7c.decl_h');
SELECT cbreturn.detach('erp7c.ret_h');
-- A status whose column has a case-insensitive collation: the check
-- compares a status with the freeing labels byte for byte ('bh' is not
-- 'BH': the return holds its quantity), the recounts compared under the
-- column's collation ('bh' freed it): a rebuild dropped the return's
-- quantity from the ledger, and an over-return passed.
CREATE TABLE erp7c.hdr_s (req text PRIMARY KEY, st text COLLATE erp7c.ci);
INSERT INTO erp7c.hdr_s VALUES ('R1', 'bh'), ('R2', 'SB');
CREATE TABLE erp7c.ret_s (id int PRIMARY KEY, req text, entry text, g_no int, qty int);
SELECT cbreturn.attach_header('erp7c.ret_s', 'erp7c.hdr_s', '{req}', '{req}', status => 'st');
SELECT cbreturn.attach_quantity_check('erp7c.ret_s', '{entry,g_no}', 'qty', 'erp7c.decl_h', '{entry,g_no}', 'qty',
                                      freeing_labels => '{BH,CX}');
INSERT INTO erp7c.ret_s VALUES (1, 'R1', 'D1', 1, 10);
SELECT cbreturn.rebuild_quantity_ledger('erp7c.decl_h');
SELECT pg_temp.try($$INSERT INTO erp7c.ret_s VALUES (2, 'R2', 'D1', 1, 10)$$);
SELECT count(*) AS problems FROM cbreturn.verify_quantity_ledger('erp7c.decl_h');
SELECT cbreturn.detach('erp7c.ret_s');
-- A declared table whose owner is under row security reads its lines with
-- a query: it read an inheritance child's rows as lines too (the index and
-- the recounts read ONLY the table), so a return of a child's row passed.
CREATE TABLE erp7c.decl_inh (k int PRIMARY KEY, qty int);
CREATE TABLE erp7c.decl_inh_child () INHERITS (erp7c.decl_inh);
INSERT INTO erp7c.decl_inh VALUES (1, 5);
INSERT INTO erp7c.decl_inh_child VALUES (7, 100);
ALTER TABLE erp7c.decl_inh ENABLE ROW LEVEL SECURITY;
ALTER TABLE erp7c.decl_inh FORCE ROW LEVEL SECURITY;
CREATE POLICY all_rows ON erp7c.decl_inh USING (true);
CREATE ROLE cbr_q7c_owner;
GRANT USAGE ON SCHEMA erp7c TO cbr_q7c_owner;
ALTER TABLE erp7c.decl_inh OWNER TO cbr_q7c_owner;
ALTER TABLE erp7c.decl_inh_child OWNER TO cbr_q7c_owner;
CREATE TABLE erp7c.ret_inh (id int PRIMARY KEY, k int, qty int);
SELECT cbreturn.attach_quantity_check('erp7c.ret_inh', '{k}', 'qty', 'erp7c.decl_inh', '{k}', 'qty');
SELECT pg_temp.try($$INSERT INTO erp7c.ret_inh VALUES (1, 7, 50)$$);
SELECT pg_temp.try($$INSERT INTO erp7c.ret_inh VALUES (2, 1, 5)$$);
SELECT count(*) AS problems FROM cbreturn.verify_quantity_ledger('erp7c.decl_inh');
SELECT cbreturn.detach('erp7c.ret_inh');
DROP TABLE erp7c.decl_inh CASCADE;
REVOKE USAGE ON SCHEMA erp7c FROM cbr_q7c_owner;
DROP ROLE cbr_q7c_owner;
SELECT cbreturn.detach('erp7c.ret');
DROP SCHEMA erp7c CASCADE;
SELECT count(*) AS ledger_rows_left FROM cbreturn.quantity_ledger;
