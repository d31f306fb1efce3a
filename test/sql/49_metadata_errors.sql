-- Metadata a DBA edited by hand, past what the attach functions write, is
-- reported with SQLSTATE 55000 and a hint, never as an internal error (XX000).
CREATE SCHEMA erp49;
CREATE TABLE erp49.ret (id int PRIMARY KEY, zt text NOT NULL);
SELECT cbreturn.attach_status_check('erp49.ret', status => 'zt',
    labels => '{REG,DEC,SHP,ARR,INS,REL,REJ}');
INSERT INTO erp49.ret VALUES (1, 'REG');

-- a superuser drops the table's constraint and leaves six labels
BEGIN;
ALTER TABLE cbreturn.attached_check DROP CONSTRAINT attached_check_status_labels_check;
UPDATE cbreturn.attached_check SET status_labels = status_labels[1:6]
 WHERE relation = 'erp49.ret'::regclass AND check_kind = 'status';
SELECT regress.try($$INSERT INTO erp49.ret VALUES (2, 'REG')$$);
ROLLBACK;

-- the check works again with the metadata as attached
INSERT INTO erp49.ret VALUES (2, 'REG');
SELECT cbreturn.detach('erp49.ret');
DROP SCHEMA erp49 CASCADE;

-- A declared-lines table or a declaration header (or a partition of one)
-- must be as lasting as the returns naming its rows: crash recovery empties
-- an unlogged table without a trigger.  Attach to one is refused (42P16),
-- and so is ALTER TABLE ... SET UNLOGGED of one attached; nothing changes.
CREATE SCHEMA erp49u;
CREATE UNLOGGED TABLE erp49u.decl (g_no int PRIMARY KEY, qty int);
CREATE TABLE erp49u.ret (id int PRIMARY KEY, g_no int, qty int);
SELECT regress.try($$SELECT cbreturn.attach_quantity_check('erp49u.ret', ARRAY['g_no'], 'qty', 'erp49u.decl', ARRAY['g_no'], 'qty')$$);
SELECT count(*) AS checks FROM cbreturn.attached_check WHERE relation = 'erp49u.ret'::regclass;
ALTER TABLE erp49u.decl SET LOGGED;
SELECT cbreturn.attach_quantity_check('erp49u.ret', ARRAY['g_no'], 'qty', 'erp49u.decl', ARRAY['g_no'], 'qty');
SELECT regress.try($$ALTER TABLE erp49u.decl SET UNLOGGED$$);
SELECT relpersistence FROM pg_class WHERE oid = 'erp49u.decl'::regclass;
CREATE TABLE erp49u.hdr (k text PRIMARY KEY, d date) PARTITION BY LIST (k);
CREATE TABLE erp49u.hdr_a PARTITION OF erp49u.hdr FOR VALUES IN ('a');
CREATE UNLOGGED TABLE erp49u.hdr_b PARTITION OF erp49u.hdr FOR VALUES IN ('b');
CREATE TABLE erp49u.hret (k text);
SELECT regress.try($$SELECT cbreturn.attach_header('erp49u.hret', 'erp49u.hdr', '{k}', '{k}', exported_on => 'd')$$);
ALTER TABLE erp49u.hdr_b SET LOGGED;
SELECT cbreturn.attach_header('erp49u.hret', 'erp49u.hdr', '{k}', '{k}', exported_on => 'd');
SELECT regress.try($$ALTER TABLE erp49u.hdr_a SET UNLOGGED$$);
-- nor created unlogged under the header: refused (42P16), nothing made
SELECT regress.try($$CREATE UNLOGGED TABLE erp49u.hdr_c PARTITION OF erp49u.hdr FOR VALUES IN ('c')$$);
SELECT to_regclass('erp49u.hdr_c') AS created;
CREATE TABLE erp49u.hdr_c PARTITION OF erp49u.hdr FOR VALUES IN ('c');
-- a plain inheritance child of the declared table is no line (the checks
-- read ONLY the table): unlogged, it refuses no DDL of the table or itself
CREATE UNLOGGED TABLE erp49u.decl_staging () INHERITS (erp49u.decl);
ALTER TABLE erp49u.decl ADD COLUMN note text;
ALTER TABLE erp49u.decl_staging ADD COLUMN x int;
DROP TABLE erp49u.decl_staging;
-- returns that are unlogged themselves may name an unlogged table's rows
ALTER TABLE erp49u.ret SET UNLOGGED;
ALTER TABLE erp49u.decl SET UNLOGGED;
SELECT relpersistence FROM pg_class WHERE oid = 'erp49u.decl'::regclass;
SELECT cbreturn.detach('erp49u.ret');
DROP SCHEMA erp49u CASCADE;
