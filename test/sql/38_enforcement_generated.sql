-- Write-time enforcement, part 9: generated columns (issue 9, item 11).
-- PostgreSQL computes stored generated columns after the BEFORE ROW triggers
-- and before the AFTER ROW ones.  A check that runs BEFORE (the export check
-- that fills remarks or a deadline, the status check, the guard on a quantity
-- check's declared table) would see NULL or the old value there, so attach
-- refuses such a column (0A000); the AFTER ROW checks see the row as stored
-- and enforce on generated columns.
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

CREATE SCHEMA gen;
-- text to date without DateStyle, so that a generated column may use it
CREATE FUNCTION gen.d(t text) RETURNS date LANGUAGE sql IMMUTABLE
    RETURN make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, substr(t, 9, 2)::int);
-- The ERP keeps dates and remarks as text; generated columns convert them.
CREATE TABLE gen.ret (
    id          int PRIMARY KEY,
    exp_text    text,
    back_text   text,
    memo_text   text,
    reason      cbreturn.return_reason,
    exported    date GENERATED ALWAYS AS (gen.d(exp_text)) STORED,
    returned    date GENERATED ALWAYS AS (gen.d(back_text)) STORED,
    memo        text GENERATED ALWAYS AS (upper(memo_text)) STORED,
    last_day    date GENERATED ALWAYS AS (gen.d(exp_text) + 180) STORED,
    exp_plain   date,
    plain_day   date
);

-- BEFORE: refused, with what to do.
SELECT cbreturn.attach_export_return_checks('gen.ret', exported_on => 'exp_plain', reason => 'reason',
    remarks => 'memo', fill_remarks => true);
SELECT pg_temp.try($$SELECT cbreturn.attach_export_return_checks('gen.ret', exported_on => 'exp_plain', reason => 'reason',
    deadline => 'last_day')$$);
-- a generated input column of a filling check is refused too: the filled
-- deadline would be counted from NULL
SELECT pg_temp.try($$SELECT cbreturn.attach_export_return_checks('gen.ret', exported_on => 'exported', reason => 'reason',
    returned_on => 'returned', deadline => 'plain_day')$$);
-- nothing was left behind by the refused attaches
SELECT count(*) AS metadata_rows FROM cbreturn.attached_column WHERE relation = 'gen.ret'::regclass;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'gen.ret'::regclass;

CREATE TABLE gen.track (id int PRIMARY KEY, st text, reg_text text, decl_text text,
                        reg date GENERATED ALWAYS AS (gen.d(reg_text)) STORED,
                        decl date);
SELECT pg_temp.try($$SELECT cbreturn.attach_status_check('gen.track', status => 'st', registered_at => 'reg', declared_at => 'decl')$$);

-- The declared side of a quantity check is guarded BEFORE UPDATE: a
-- generated declared quantity or key is refused; a generated returned
-- quantity (read AFTER) is fine.
CREATE TABLE gen.decl (no text, line int, qty_text text, qty int GENERATED ALWAYS AS (qty_text::int) STORED,
                       PRIMARY KEY (no, line));
CREATE TABLE gen.item (id int PRIMARY KEY, no text, line int, qty_text text,
                       qty int GENERATED ALWAYS AS (qty_text::int) STORED, plain_qty int);
SELECT pg_temp.try($$SELECT cbreturn.attach_quantity_check('gen.item', line => '{no,line}', quantity => 'qty',
    declared_table => 'gen.decl', declared_line => '{no,line}', declared_quantity => 'qty')$$);
ALTER TABLE gen.decl ADD COLUMN plain_qty int;
SELECT cbreturn.attach_quantity_check('gen.item', line => '{no,line}', quantity => 'qty',
    declared_table => 'gen.decl', declared_line => '{no,line}', declared_quantity => 'plain_qty');

-- AFTER: the reading export check sees the generated values.
SELECT cbreturn.attach_export_return_checks('gen.ret', exported_on => 'exported', reason => 'reason',
    returned_on => 'returned', remarks => 'memo');
INSERT INTO gen.ret (id, exp_text, back_text, memo_text, reason) VALUES (1, '2026-03-01', '2026-09-01', 'zxty', 'unsold');
-- R-EX-1: returned (generated) one day late
SELECT pg_temp.try($$INSERT INTO gen.ret (id, exp_text, back_text, memo_text, reason) VALUES (2, '2026-03-01', '2026-09-02', 'zxty', 'unsold')$$);
-- R-EX-2: remarks (generated) carry the code of another reason
SELECT pg_temp.try($$INSERT INTO gen.ret (id, exp_text, back_text, memo_text, reason) VALUES (2, '2026-03-01', '2026-04-01', 'pgty', 'unsold')$$);
-- an UPDATE of the base column moves the generated one, and is checked
SELECT pg_temp.try($$UPDATE gen.ret SET back_text = '2026-09-02' WHERE id = 1$$);
SELECT id, exported, returned, memo FROM gen.ret ORDER BY id;

-- AFTER: the import check on a generated date.
CREATE TABLE gen.imp (id int PRIMARY KEY, rel_text text, released date GENERATED ALWAYS AS (gen.d(rel_text)) STORED,
                      applied date);
SELECT cbreturn.attach_import_return_checks('gen.imp', released_on => 'released', applied_on => 'applied');
SELECT pg_temp.try($$INSERT INTO gen.imp (id, rel_text, applied) VALUES (1, '2026-01-31', '2026-03-03')$$);
INSERT INTO gen.imp (id, rel_text, applied) VALUES (1, '2026-01-31', '2026-03-02');

-- AFTER: the quantity check on a generated returned quantity.
INSERT INTO gen.decl (no, line, qty_text, plain_qty) VALUES ('D1', 1, '5', 5);
INSERT INTO gen.item (id, no, line, qty_text) VALUES (1, 'D1', 1, '4');
SELECT pg_temp.try($$INSERT INTO gen.item (id, no, line, qty_text) VALUES (2, 'D1', 1, '2')$$) ~ '^CB003' AS over_return_refused;
SELECT pg_temp.try($$UPDATE gen.item SET qty_text = '6' WHERE id = 1$$) ~ '^CB003' AS over_return_refused;
INSERT INTO gen.item (id, no, line, qty_text) VALUES (2, 'D1', 1, '1');
SELECT sum(qty) AS returned FROM gen.item;

DROP SCHEMA gen CASCADE;
