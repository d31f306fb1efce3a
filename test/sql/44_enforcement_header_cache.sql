-- The transaction's cache of declaration header rows (issue 12, COPY through
-- a header lookup; src/enforce/header_cache.c): a return's header row is
-- found and locked once per transaction, and later returns of the row read
-- it from the cache.  What must not change: a correction of the header made
-- by this transaction after a return was checked is read by the next return;
-- so is one made with the guard disabled (relcache invalidation of the
-- header).  The WHEN clause of the export check passes the header key and
-- decides a passing row itself (no trigger event).  Another session's
-- delete and a savepoint's rollback: test/isolation/specs/header_cache.spec.
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

CREATE SCHEMA hc44;
-- a key of two columns: text and int, so the cache compares both
CREATE TABLE hc44.biaotou (
    qingdan     text,
    xuhao       int,
    fangxing    timestamptz,
    jianguan    text,
    haiguan     text,
    PRIMARY KEY (qingdan, xuhao)
);
CREATE TABLE hc44.tuihuo (
    id          int PRIMARY KEY,
    qingdan     text,
    xuhao       int,
    yuanyin     text,
    riqi        date,
    beizhu      text,
    haiguan     text
);
INSERT INTO hc44.biaotou VALUES
    ('Q1', 1, '2026-03-01 10:00+08', '9610', '5141'),
    ('Q1', 2, '2026-03-01 10:00+08', '9610', '5141'),
    ('Q2', 1, '2026-03-01 10:00+08', '9610', '5141');
SELECT cbreturn.attach_header('hc44.tuihuo', 'hc44.biaotou', key => '{qingdan,xuhao}',
    header_key => '{qingdan,xuhao}', exported_on => 'fangxing', supervision_code => 'jianguan',
    export_office => 'haiguan');
SELECT cbreturn.attach_export_return_checks('hc44.tuihuo', exported_on => NULL, reason => 'yuanyin',
    returned_on => 'riqi', remarks => 'beizhu', return_office => 'haiguan');
-- the WHEN clause passes the header key last
SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
 WHERE t.tgrelid = 'hc44.tuihuo'::regclass AND t.tgname = 'cbreturn_export_check';

-- ===========================================================================
-- A header row corrected by this transaction after a return was checked:
-- the guard of the header empties the cache, the next return reads the
-- corrected row.  Exported 2026-03-01: unsold goods may return until
-- 2026-09-01 (R-EX-1); corrected to 2026-02-20: until 2026-08-20.
-- ===========================================================================
BEGIN;
INSERT INTO hc44.tuihuo VALUES (1, 'Q1', 1, '滞销', '2026-08-15', 'ZXTY', '5141');
-- the correction keeps return 1 on time, so the guard lets it through
UPDATE hc44.biaotou SET fangxing = '2026-02-20 10:00+08' WHERE qingdan = 'Q1' AND xuhao = 1;
-- late against the corrected date: refused (against the cached one it would pass)
SELECT regress.try($$INSERT INTO hc44.tuihuo VALUES (2, 'Q1', 1, '滞销', '2026-08-25', 'ZXTY', '5141')$$);
-- the other header row of the same list is untouched and still read right
INSERT INTO hc44.tuihuo VALUES (3, 'Q1', 2, '滞销', '2026-08-25', 'ZXTY', '5141');
SELECT regress.try($$INSERT INTO hc44.tuihuo VALUES (4, 'Q1', 2, '滞销', '2026-09-02', 'ZXTY', '5141')$$);
COMMIT;
SELECT id, qingdan, xuhao, riqi FROM hc44.tuihuo ORDER BY id;

-- ===========================================================================
-- A correction with the guard disabled (ALTER TABLE sends a relcache
-- invalidation of the header): the rows cached before are read afresh.
-- ===========================================================================
BEGIN;
INSERT INTO hc44.tuihuo VALUES (5, 'Q2', 1, '滞销', '2026-08-15', 'ZXTY', '5141');
ALTER TABLE hc44.biaotou DISABLE TRIGGER cbreturn_header_guard;
UPDATE hc44.biaotou SET fangxing = '2026-02-01 10:00+08' WHERE qingdan = 'Q2';
SELECT regress.try($$INSERT INTO hc44.tuihuo VALUES (6, 'Q2', 1, '滞销', '2026-08-15', 'ZXTY', '5141')$$);
ROLLBACK;

-- ===========================================================================
-- session_replication_role = replica: the guard does not fire (the check is
-- made to fire ALWAYS here), so the cache is not read and the corrected row
-- is.
-- ===========================================================================
ALTER TABLE hc44.tuihuo ENABLE ALWAYS TRIGGER cbreturn_export_check;
BEGIN;
INSERT INTO hc44.tuihuo VALUES (7, 'Q2', 1, '滞销', '2026-08-15', 'ZXTY', '5141');
SET LOCAL session_replication_role = replica;
UPDATE hc44.biaotou SET fangxing = '2026-02-01 10:00+08' WHERE qingdan = 'Q2';
SELECT regress.try($$INSERT INTO hc44.tuihuo VALUES (8, 'Q2', 1, '滞销', '2026-08-15', 'ZXTY', '5141')$$);
ROLLBACK;
ALTER TABLE hc44.tuihuo ENABLE TRIGGER cbreturn_export_check;

-- ===========================================================================
-- The same statement's rows, COPY: each header row looked up once, the
-- returns after it read from the cache; a late one among them refused.
-- ===========================================================================
BEGIN;
COPY hc44.tuihuo FROM STDIN;
10	Q2	1	滞销	2026-08-01	ZXTY	5141
11	Q2	1	退货	2026-08-02	THTY	5141
12	Q1	2	品质	2026-08-03	PGTY	5141
13	Q2	1	滞销	2026-08-04	ZXTY	5141
\.
SELECT regress.try($$COPY hc44.tuihuo FROM PROGRAM 'printf "14\tQ2\t1\t滞销\t2026-08-05\tZXTY\t5141\n15\tQ2\t1\t滞销\t2026-09-02\tZXTY\t5141\n"'$$);
-- a key that names no header row, after others of the statement were cached
SELECT regress.try($$COPY hc44.tuihuo FROM PROGRAM 'printf "16\tQ2\t1\t滞销\t2026-08-05\tZXTY\t5141\n17\tQ2\t2\t滞销\t2026-08-05\tZXTY\t5141\n"'$$);
COMMIT;
SELECT count(*) AS copied FROM hc44.tuihuo WHERE id BETWEEN 10 AND 17;

-- ===========================================================================
-- The WHEN function locks header rows: a role that may only read the
-- returns table may not call it (it could hold header rows locked).
-- ===========================================================================
CREATE ROLE cbr44hc_reader;
GRANT USAGE ON SCHEMA hc44 TO cbr44hc_reader;
GRANT SELECT ON hc44.tuihuo TO cbr44hc_reader;
SET ROLE cbr44hc_reader;
SELECT regress.try($$SELECT cbreturn._export_row_ok('hc44.tuihuo'::regclass, NULL, t.yuanyin, t.riqi, t.beizhu,
                     NULL, NULL, t.haiguan, NULL, NULL, NULL, t.qingdan, t.xuhao) FROM hc44.tuihuo t$$);
RESET ROLE;
-- the table's writer may (and every stored row passes)
SELECT bool_and(cbreturn._export_row_ok('hc44.tuihuo'::regclass, NULL, t.yuanyin, t.riqi, t.beizhu,
                NULL, NULL, t.haiguan, NULL, NULL, NULL, t.qingdan, t.xuhao)) AS all_pass FROM hc44.tuihuo t;
-- the key columns must be the attached ones, in the link's order
SELECT regress.try($$SELECT cbreturn._export_row_ok('hc44.tuihuo'::regclass, NULL, t.yuanyin, t.riqi, t.beizhu,
                     NULL, NULL, t.haiguan, NULL, NULL, NULL, t.xuhao, t.qingdan) FROM hc44.tuihuo t$$);

SELECT cbreturn.detach('hc44.tuihuo');
DROP SCHEMA hc44 CASCADE;
DROP ROLE cbr44hc_reader;
