-- Write-time enforcement, part 3: partial returns (R-EX-3, R-IM-2) in one
-- session.  Concurrency is in test/isolation/specs/ and test/checks/.
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

CREATE SCHEMA erp;
-- Original declaration lines (the ERP's customs module) and returns against them.
CREATE TABLE erp.decl_item (
    entry_id    cbreturn.declaration_id,
    g_no        smallint,
    g_qty       numeric(12,3) NOT NULL,
    PRIMARY KEY (entry_id, g_no)
);
CREATE TABLE erp.return_item (
    id          serial PRIMARY KEY,
    orig_entry  cbreturn.declaration_id,
    orig_g_no   smallint,
    back_qty    integer
);
INSERT INTO erp.decl_item VALUES
    ('020220260525641690', 1, 10),
    ('020220260525641690', 2, 3),
    ('29242026I439440284', 1, 2.5);

-- Bad attach calls.
SELECT regress.try($$SELECT cbreturn.attach_quantity_check('erp.return_item', line => '{orig_entry}', quantity => 'back_qty',
    declared_table => 'erp.decl_item', declared_line => '{entry_id,g_no}', declared_quantity => 'g_qty')$$);
SELECT regress.try($$SELECT cbreturn.attach_quantity_check('erp.return_item', line => '{orig_entry,id}', quantity => 'back_qty',
    declared_table => 'erp.decl_item', declared_line => '{entry_id,g_no}', declared_quantity => 'g_qty')$$);
SELECT regress.try($$SELECT cbreturn.attach_quantity_check('erp.return_item', line => '{orig_entry,orig_g_no}', quantity => 'orig_entry',
    declared_table => 'erp.decl_item', declared_line => '{entry_id,g_no}', declared_quantity => 'g_qty')$$);
SELECT regress.try($$SELECT cbreturn.attach_quantity_check('erp.return_item', line => '{orig_entry,orig_g_no}', quantity => 'back_qty',
    declared_table => 'erp.return_item', declared_line => '{orig_entry,orig_g_no}', declared_quantity => 'back_qty')$$);

-- Existing rows that already over-return are reported at attach.
INSERT INTO erp.return_item (orig_entry, orig_g_no, back_qty) VALUES ('020220260525641690', 2, 4);
SELECT regress.try($$SELECT cbreturn.attach_quantity_check('erp.return_item', line => '{orig_entry,orig_g_no}', quantity => 'back_qty',
    declared_table => 'erp.decl_item', declared_line => '{entry_id,g_no}', declared_quantity => 'g_qty')$$);
UPDATE erp.return_item SET back_qty = 2;
SELECT cbreturn.attach_quantity_check('erp.return_item', line => '{orig_entry,orig_g_no}', quantity => 'back_qty',
    declared_table => 'erp.decl_item', declared_line => '{entry_id,g_no}', declared_quantity => 'g_qty');
-- the ledger starts from the existing returns
SELECT declared_relation, returned, return_rows FROM cbreturn.quantity_ledger ORDER BY returned;
SELECT * FROM cbreturn.verify_quantity_ledger('erp.decl_item');

-- Batches up to the declared quantity, and not one more.
INSERT INTO erp.return_item (orig_entry, orig_g_no, back_qty) VALUES ('020220260525641690', 1, 4), ('020220260525641690', 1, 6);
INSERT INTO erp.return_item (orig_entry, orig_g_no, back_qty) VALUES ('020220260525641690', 1, 1);
-- over two rows of one statement: nothing is left behind
SELECT regress.try($$INSERT INTO erp.return_item (orig_entry, orig_g_no, back_qty) VALUES ('020220260525641690', 2, 1), ('020220260525641690', 2, 1)$$);
SELECT orig_g_no, sum(back_qty) FROM erp.return_item GROUP BY 1 ORDER BY 1;
-- fractional declared quantity: 2 of 2.5, then 1 more is too many
INSERT INTO erp.return_item (orig_entry, orig_g_no, back_qty) VALUES ('29242026I439440284', 1, 2);
SELECT regress.try($$INSERT INTO erp.return_item (orig_entry, orig_g_no, back_qty) VALUES ('29242026I439440284', 1, 1)$$);
-- no such declared line; negative quantity
SELECT regress.try($$INSERT INTO erp.return_item (orig_entry, orig_g_no, back_qty) VALUES ('020220260525641690', 7, 1)$$);
SELECT regress.try($$INSERT INTO erp.return_item (orig_entry, orig_g_no, back_qty) VALUES ('020220260525641690', 2, -1)$$);
-- NULL key or quantity: not counted (as a foreign key with MATCH SIMPLE)
INSERT INTO erp.return_item (orig_entry, orig_g_no, back_qty) VALUES (NULL, 1, 100), ('020220260525641690', 2, NULL);

-- UPDATE: growing a batch is checked; moving a return to another line frees
-- the old line and charges the new one.  Now: line 1 has 4 + 6 of 10, line 2
-- has 2 of 3.
UPDATE erp.return_item SET back_qty = 3 WHERE id = 1;                           -- line 2: 3 of 3
SELECT regress.try($$UPDATE erp.return_item SET back_qty = 4 WHERE id = 1$$);   -- line 2: 4 of 3
UPDATE erp.return_item SET orig_g_no = 2 WHERE back_qty = 4;                    -- onto a full line
-- DELETE frees quantity
DELETE FROM erp.return_item WHERE back_qty = 6;                                 -- line 1: 4 of 10
UPDATE erp.return_item SET orig_g_no = 1 WHERE id = 1;                          -- line 1: 7, line 2: 0
INSERT INTO erp.return_item (orig_entry, orig_g_no, back_qty) VALUES ('020220260525641690', 2, 3);   -- line 2 freed
INSERT INTO erp.return_item (orig_entry, orig_g_no, back_qty) VALUES ('020220260525641690', 1, 4);   -- line 1: 11 of 10
-- moving and growing at once is checked against the new line
SELECT regress.try($$UPDATE erp.return_item SET orig_g_no = 1, back_qty = 4 WHERE orig_g_no = 2$$);
SELECT returned, return_rows FROM cbreturn.quantity_ledger ORDER BY returned, return_rows;
-- the ledger always equals the returns
SELECT * FROM cbreturn.verify_quantity_ledger('erp.decl_item');

-- The declared side: lowering below what was returned, deleting or re-keying
-- a line with returns is refused; raising, and lowering down to it, are fine.
UPDATE erp.decl_item SET g_qty = 6 WHERE entry_id::text = '020220260525641690' AND g_no = 1;   -- 7 returned
UPDATE erp.decl_item SET g_qty = 7 WHERE entry_id::text = '020220260525641690' AND g_no = 1;
UPDATE erp.decl_item SET g_qty = 10 WHERE entry_id::text = '020220260525641690' AND g_no = 1;
SELECT regress.try($$DELETE FROM erp.decl_item WHERE g_no = 2$$);
SELECT regress.try($$UPDATE erp.decl_item SET g_no = 5 WHERE g_no = 2$$);
-- a declared line without returns may go
INSERT INTO erp.decl_item VALUES ('020220260525641690', 9, 1);
DELETE FROM erp.decl_item WHERE g_no = 9;

-- TRUNCATE of the returns empties the ledger of that table.
TRUNCATE erp.return_item;
SELECT count(*) AS ledger_rows FROM cbreturn.quantity_ledger WHERE declared_relation = 'erp.decl_item'::regclass AND return_rows > 0;
INSERT INTO erp.return_item (orig_entry, orig_g_no, back_qty) VALUES ('020220260525641690', 1, 10);

-- The declared table cannot be dropped under the check.
SELECT regress.try($$DROP TABLE erp.decl_item$$);
SELECT cbreturn.detach('erp.return_item', 'quantity');
SELECT count(*) AS ledger_rows FROM cbreturn.quantity_ledger;
SELECT count(*) AS guard_triggers FROM pg_trigger WHERE tgrelid = 'erp.decl_item'::regclass AND NOT tgisinternal;
DROP SCHEMA erp CASCADE;
