-- Partitions of a checked partitioned table (issue 12): the export, import
-- and status checks and a declaration header sit on each leaf partition, so a
-- leaf created or attached with plain DDL must be given the checks its
-- siblings carry before its transaction commits, or the transaction is
-- refused (55000).
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SET search_path = public, cbreturn;

CREATE SCHEMA p48;
CREATE TABLE p48.th (
    id          int NOT NULL,
    month       date NOT NULL,
    exported_on date,
    reason      text,
    returned_on date,
    status      text NOT NULL DEFAULT 'registered',
    registered_at timestamptz,
    PRIMARY KEY (id, month)
) PARTITION BY RANGE (month);
CREATE FUNCTION p48.checks(p regclass) RETURNS void LANGUAGE sql AS $$
    SELECT cbreturn.attach_export_return_checks(p, exported_on => 'exported_on', reason => 'reason',
                                                returned_on => 'returned_on');
    SELECT cbreturn.attach_status_check(p, status => 'status', registered_at => 'registered_at');
$$;
CREATE FUNCTION p48.kinds() RETURNS TABLE (partition text, kinds text) LANGUAGE sql AS $$
    SELECT t.relid::regclass::text, string_agg(a.check_kind, ',' ORDER BY a.check_kind COLLATE "C")
      FROM pg_partition_tree('p48.th') t LEFT JOIN cbreturn.attached_check a ON a.relation = t.relid
     WHERE t.isleaf GROUP BY 1 ORDER BY t.relid::regclass::text COLLATE "C";
$$;

-- No checks anywhere in the tree yet: partitions come and go freely.
CREATE TABLE p48.th_01 PARTITION OF p48.th FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
SELECT count(*) AS queued FROM cbreturn.partition_pending;
-- The checks on the first month; a second month made with its checks in one transaction.
SELECT p48.checks('p48.th_01');
BEGIN;
CREATE TABLE p48.th_02 PARTITION OF p48.th FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
SELECT p48.checks('p48.th_02');
COMMIT;
SELECT * FROM p48.kinds();

-- A bare CREATE TABLE ... PARTITION OF is refused when its transaction ends:
-- rows written into it would not be checked.
CREATE TABLE p48.th_03 PARTITION OF p48.th FOR VALUES FROM ('2026-03-01') TO ('2026-04-01');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT to_regclass('p48.th_03') AS th_03;
-- ...as is one given only some of the checks.
BEGIN;
CREATE TABLE p48.th_03 PARTITION OF p48.th FOR VALUES FROM ('2026-03-01') TO ('2026-04-01');
SELECT attach_status_check('p48.th_03', status => 'status', registered_at => 'registered_at');
INSERT INTO p48.th VALUES (1, '2026-03-05', '2025-01-01', 'unsold', '2026-03-05', 'registered', now());   -- late, not checked here
COMMIT;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT to_regclass('p48.th_03') AS th_03, (SELECT count(*) FROM p48.th) AS rows;

-- ATTACH PARTITION: a table given its checks first is accepted...
CREATE TABLE p48.th_04 (LIKE p48.th INCLUDING DEFAULTS);
SELECT p48.checks('p48.th_04');
ALTER TABLE p48.th ATTACH PARTITION p48.th_04 FOR VALUES FROM ('2026-04-01') TO ('2026-05-01');
-- ...a bare one is refused, and stays a table of its own.
CREATE TABLE p48.th_05 (LIKE p48.th INCLUDING DEFAULTS);
ALTER TABLE p48.th ATTACH PARTITION p48.th_05 FOR VALUES FROM ('2026-05-01') TO ('2026-06-01');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT relispartition FROM pg_class WHERE oid = 'p48.th_05'::regclass;
-- A table with other columns first (other attnums) attached with its checks.
CREATE TABLE p48.th_06 (note text, LIKE p48.th INCLUDING DEFAULTS);
ALTER TABLE p48.th_06 DROP COLUMN note;
SELECT p48.checks('p48.th_06');
ALTER TABLE p48.th ATTACH PARTITION p48.th_06 FOR VALUES FROM ('2026-06-01') TO ('2026-07-01');
INSERT INTO p48.th VALUES (2, '2026-06-05', '2025-01-01', 'unsold', '2026-06-05', 'registered', now());   -- late
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT * FROM p48.kinds();

-- A sub-partitioned month: its leaves are held to the same.
BEGIN;
CREATE TABLE p48.th_07 PARTITION OF p48.th FOR VALUES FROM ('2026-07-01') TO ('2026-08-01') PARTITION BY RANGE (month);
CREATE TABLE p48.th_07a PARTITION OF p48.th_07 FOR VALUES FROM ('2026-07-01') TO ('2026-07-16');
COMMIT;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
BEGIN;
CREATE TABLE p48.th_07 PARTITION OF p48.th FOR VALUES FROM ('2026-07-01') TO ('2026-08-01') PARTITION BY RANGE (month);
CREATE TABLE p48.th_07a PARTITION OF p48.th_07 FOR VALUES FROM ('2026-07-01') TO ('2026-07-16');
SELECT p48.checks('p48.th_07a');
COMMIT;

-- DETACH PARTITION: the table leaves with its checks; the tree is still whole.
ALTER TABLE p48.th DETACH PARTITION p48.th_04;
SELECT check_kind FROM attached_checks WHERE "table" = 'p48.th_04'::regclass ORDER BY check_kind COLLATE "C";
-- Detaching the checks of one partition while the other partitions keep
-- theirs is refused when the transaction commits, naming the partition; in
-- one transaction with their attach again it is accepted.  Other DDL on the
-- tree (a column added) does not look at the partitions.
SELECT detach('p48.th_02', 'status');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
BEGIN;
SELECT detach('p48.th_02', 'status');
SELECT attach_status_check('p48.th_02', status => 'status', registered_at => 'registered_at');
COMMIT;
ALTER TABLE p48.th ADD COLUMN remarks text;
SELECT * FROM p48.kinds();
-- With SET CONSTRAINTS ALL IMMEDIATE the refusal comes at once (fails closed).
BEGIN;
SET CONSTRAINTS ALL IMMEDIATE;
CREATE TABLE p48.th_08 PARTITION OF p48.th FOR VALUES FROM ('2026-08-01') TO ('2026-09-01');
ROLLBACK;
SELECT count(*) AS queued FROM cbreturn.partition_pending;

-- A partition made inside CREATE SCHEMA is looked at too.
BEGIN;
CREATE SCHEMA p48b CREATE TABLE th_08 PARTITION OF p48.th FOR VALUES FROM ('2026-08-01') TO ('2026-09-01');
COMMIT;
SELECT count(*) AS schema_made FROM pg_namespace WHERE nspname = 'p48b';
-- One partition losing, by DROP ... CASCADE of its own declaration header,
-- the checks the other partitions keep: refused at commit, as its detach().
CREATE TABLE p48.hdr_01 (decl text PRIMARY KEY, exported date NOT NULL);
CREATE TABLE p48.hdr_02 (decl text PRIMARY KEY, exported date NOT NULL);
CREATE TABLE p48.hr (id int, m int, decl text, reason cbreturn.return_reason, returned date) PARTITION BY LIST (m);
CREATE TABLE p48.hr_1 PARTITION OF p48.hr FOR VALUES IN (1);
CREATE TABLE p48.hr_2 PARTITION OF p48.hr FOR VALUES IN (2);
SELECT attach_header('p48.hr_1', 'p48.hdr_01', '{decl}', '{decl}', exported_on => 'exported');
SELECT attach_export_return_checks('p48.hr_1', exported_on => NULL, reason => 'reason', returned_on => 'returned');
SELECT attach_header('p48.hr_2', 'p48.hdr_02', '{decl}', '{decl}', exported_on => 'exported');
SELECT attach_export_return_checks('p48.hr_2', exported_on => NULL, reason => 'reason', returned_on => 'returned');
DROP TABLE p48.hdr_01 CASCADE;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) AS hr_1_checks FROM attached_checks WHERE "table" = 'p48.hr_1'::regclass;

-- The message in Chinese.
SET cbreturn.language = 'zh_CN.UTF-8';
CREATE TABLE p48.th_08 PARTITION OF p48.th FOR VALUES FROM ('2026-08-01') TO ('2026-09-01');
RESET cbreturn.language;

SELECT detach(t.relid::regclass) FROM pg_partition_tree('p48.th') t WHERE t.isleaf ORDER BY t.relid::regclass::text COLLATE "C";
SELECT detach('p48.th_04');

-- ATTACH PARTITION of a table holding rows that break the export rules: the
-- parent's check is no longer marked validated (validate() checks them);
-- CREATE TABLE ... PARTITION OF, empty, keeps the mark.
CREATE TABLE p48.v (id int, m date, ck date, yy text, fx date, bz text, PRIMARY KEY (id, m)) PARTITION BY RANGE (m);
CREATE TABLE p48.v1 PARTITION OF p48.v FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
INSERT INTO p48.v1 VALUES (1, '2026-01-05', '2026-01-01', '滞销', '2026-02-01', 'ZXTY');
SELECT attach_export_return_checks('p48.v', exported_on => 'ck', reason => 'yy', returned_on => 'fx',
                                   remarks => 'bz', validate => true);
CREATE TABLE p48.v3 PARTITION OF p48.v FOR VALUES FROM ('2026-03-01') TO ('2026-04-01');
SELECT validated_at IS NOT NULL AS validated FROM attached_checks WHERE "table" = 'p48.v'::regclass;
CREATE TABLE p48.v2 (LIKE p48.v);
INSERT INTO p48.v2 VALUES (2, '2026-02-05', '2025-01-01', '滞销', '2026-02-01', 'THTY');
-- (the partition named as an application names it, by the search path)
SET search_path = p48, public, cbreturn;
ALTER TABLE v ATTACH PARTITION v2 FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
SET search_path = public, cbreturn;
SELECT validated_at IS NOT NULL AS validated FROM attached_checks WHERE "table" = 'p48.v'::regclass;
SELECT row_key, rule_id FROM violations('p48.v') ORDER BY 1, 2;
SELECT regress.try($$SELECT * FROM cbreturn.validate('p48.v')$$);
SELECT detach('p48.v');
DROP SCHEMA p48 CASCADE;
