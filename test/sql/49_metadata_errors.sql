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
