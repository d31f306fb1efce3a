-- Write-time enforcement, part 2: export returns (R-EX-1, R-EX-2, R-EX-5),
-- import returns (R-IM-1) and status (rules section 6) on an ERP-like schema.
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

CREATE SCHEMA wms;
-- The ERP's export-return table: its own names, text remarks and office codes.
CREATE TABLE wms.export_return (
    ret_no          text PRIMARY KEY,
    list_no         cbreturn.declaration_id NOT NULL,
    clear_date      date,                       -- export clearance date
    ret_reason      cbreturn.return_reason,
    reenter_date    date,
    memo            varchar(40),
    trade_mode      text,                       -- supervision code as text
    decl_port       cbreturn.customs_code,
    ret_port        cbreturn.customs_code,
    last_day        date
);
SELECT cbreturn.attach_export_return_checks('wms.export_return',
    exported_on => 'clear_date', reason => 'ret_reason', returned_on => 'reenter_date',
    remarks => 'memo', fill_remarks => true,
    supervision_code => 'trade_mode', export_office => 'decl_port', return_office => 'ret_port',
    deadline => 'last_day');

-- R-EX-1 boundaries (R-P-1): the deadline day is inside, the next day is not.
-- 6 months from 2026-08-31 is 2027-02-28; 12 months from 2027-02-28 is 2028-02-28;
-- 6 months from 2027-08-31 is 2028-02-29 (leap year).
CREATE TEMP TABLE cases (n int, exported date, reason cbreturn.return_reason, returned date);
INSERT INTO cases VALUES
    (1, '2026-08-31', 'unsold',          '2027-02-28'),
    (2, '2026-08-31', 'unsold',          '2027-03-01'),
    (3, '2026-08-31', 'consumer_return', '2027-02-28'),
    (4, '2026-08-31', 'consumer_return', '2027-03-01'),
    (5, '2027-02-28', 'quality_or_spec', '2028-02-28'),
    (6, '2027-02-28', 'quality_or_spec', '2028-02-29'),
    (7, '2027-08-31', 'unsold',          '2028-02-29'),
    (8, '2027-08-31', 'unsold',          '2028-03-01'),
    (9, '2026-12-31', 'quality_or_spec', '2027-12-31'),
    (10, '2026-12-31', 'quality_or_spec', '2028-01-01'),
    (11, '2026-03-01', 'unsold',         '2026-03-01'),   -- same day: inside
    (12, '2026-03-01', 'unsold',         '2026-02-28');   -- before the export
SELECT n, exported, reason, returned,
       regress.try(format($$INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, reenter_date)
                           VALUES ('R%s', '29242026E000000001', %L, %L, %L)$$, n, exported, reason, returned)) AS result
  FROM cases ORDER BY n;
-- the accepted rows carry the filled remarks and the deadline
SELECT ret_no, clear_date, ret_reason, reenter_date, memo, last_day FROM wms.export_return ORDER BY ret_no COLLATE "C";

-- A rejected row, with its DETAIL and HINT as a client sees them.
INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, reenter_date)
VALUES ('R20', '29242026E000000001', '2026-03-01', 'consumer_return', '2026-09-02');

-- R-EX-2: the remarks start with the reason's code.
INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, memo)
VALUES ('R21', '29242026E000000001', '2026-03-01', 'quality_or_spec', 'ZXTY customer changed mind');
INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, memo)
VALUES ('R22', '29242026E000000001', '2026-03-01', 'unsold', 'overstock');
SELECT regress.try($$INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, memo)
                     VALUES ('R23', '29242026E000000001', '2026-03-01', 'unsold', 'ZXTYX')$$);   -- code must stand alone
-- a code in full-width letters is no code (customs reads half-width ones): the HINT says so
INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, memo)
VALUES ('R23', '29242026E000000001', '2026-03-01', 'consumer_return', 'ＺＸＴＹ 滞销');
INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, memo)
VALUES ('R23', '29242026E000000001', '2026-03-01', NULL, U&'\3000ｔｈｔｙ');
-- accepted: case and leading (ideographic) spaces do not matter; text after the code is free
INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, memo) VALUES
    ('R24', '29242026E000000001', '2026-03-01', 'unsold', 'zxty'),
    ('R25', '29242026E000000001', '2026-03-01', 'quality_or_spec', U&'\3000PGTY/broken seal'),
    ('R26', '29242026E000000001', '2026-03-01', 'consumer_return', 'THTY-123');
-- without a reason the remarks name it, and the window follows (THTY: 6 months)
INSERT INTO wms.export_return (ret_no, list_no, clear_date, memo, reenter_date)
VALUES ('R27', '29242026E000000001', '2026-03-01', 'THTY', '2026-09-01') RETURNING ret_no, last_day;
INSERT INTO wms.export_return (ret_no, list_no, clear_date, memo, reenter_date)
VALUES ('R28', '29242026E000000001', '2026-03-01', 'THTY', '2026-09-02');
-- no reason and no remarks: NULL means "not known yet"; accepted (add NOT NULL to require them)
INSERT INTO wms.export_return (ret_no, list_no, clear_date) VALUES ('R29', '29242026E000000001', '2026-03-01');
-- fill_remarks does not overwrite what the ERP wrote; blank counts as empty
INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, memo)
VALUES ('R30', '29242026E000000001', '2026-03-01', 'consumer_return', '   ') RETURNING memo;

-- R-EX-5: cross-customs returns.  Hangzhou (29) export returned via Shanghai (22).
INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, reenter_date, trade_mode, decl_port, ret_port) VALUES
    ('X1', '29242026E000000001', '2025-06-01', 'quality_or_spec', '2025-06-05', '9610', '2924', '2924'),  -- same office
    ('X2', '29242026E000000001', '2025-06-01', 'quality_or_spec', '2025-06-05', '1210', '2924', '2901'),  -- same district, any code
    ('X3', '29242026E000000001', '2025-06-01', 'quality_or_spec', '2025-06-05', '9610', '2924', '2201'),  -- pilot district
    ('X4', '29242026E000000001', '2026-01-01', 'unsold',          '2026-04-01', '9610', '2924', '8001');  -- nationwide from 2026-04-01
SELECT regress.try($$INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, reenter_date, trade_mode, decl_port, ret_port)
                     VALUES ('X5', '29242026E000000001', '2026-01-01', 'unsold', '2026-03-31', '9610', '2924', '8001')$$);  -- Chongqing, before nationwide
SELECT regress.try($$INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, reenter_date, trade_mode, decl_port, ret_port)
                     VALUES ('X6', '29242026E000000001', '2026-01-01', 'unsold', '2026-05-01', '9710', '2924', '2201')$$);  -- B2B code
SELECT regress.try($$INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, reenter_date, trade_mode, decl_port, ret_port)
                     VALUES ('X7', '29242026E000000001', '2024-11-01', 'quality_or_spec', '2024-12-14', '9610', '2924', '2201')$$);  -- pilot not yet open
SELECT regress.try($$INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, reenter_date, trade_mode, decl_port, ret_port)
                     VALUES ('X7', '29242026E000000001', '2024-11-01', 'quality_or_spec', '2024-12-15', '9610', '2924', '2201')$$);  -- its first day
SELECT regress.try($$INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, reenter_date, trade_mode, decl_port, ret_port)
                     VALUES ('X8', '29242026E000000001', '2026-01-01', 'unsold', '2026-05-01', '96l0', '2924', '2201')$$);  -- bad text code
INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, reenter_date, trade_mode, decl_port, ret_port)
VALUES ('X9', '29242026E000000001', '2026-01-01', 'unsold', '2026-03-31', '9610', '2924', '8001');

-- UPDATE is checked as strictly as INSERT, and refreshes the deadline.
UPDATE wms.export_return SET ret_reason = 'quality_or_spec', memo = 'PGTY' WHERE ret_no = 'R1' RETURNING ret_no, last_day;
UPDATE wms.export_return SET reenter_date = '2027-03-01', ret_reason = 'unsold', memo = 'ZXTY' WHERE ret_no = 'R1';
UPDATE wms.export_return SET memo = 'THTY' WHERE ret_no = 'R1';
SELECT ret_no, ret_reason, memo, last_day FROM wms.export_return WHERE ret_no = 'R1';

-- Multi-row INSERT and COPY go through the same checks; one bad row rejects
-- the statement and leaves nothing behind.
SELECT count(*) AS before FROM wms.export_return;
SELECT regress.try($$INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, reenter_date) VALUES
    ('M1', '29242026E000000001', '2026-03-01', 'unsold', '2026-04-01'),
    ('M2', '29242026E000000001', '2026-03-01', 'unsold', '2026-09-02'),
    ('M3', '29242026E000000001', '2026-03-01', 'unsold', '2026-04-01')$$);
COPY wms.export_return (ret_no, list_no, clear_date, ret_reason, reenter_date) FROM stdin;
C1	29242026E000000001	2026-03-01	unsold	2026-04-01
C2	29242026E000000001	2026-03-01	quality_or_spec	2027-03-01
C3	29242026E000000001	2026-03-01	consumer_return	2026-09-02
\.
SELECT count(*) AS after FROM wms.export_return;
COPY wms.export_return (ret_no, list_no, clear_date, ret_reason, reenter_date) FROM stdin;
C1	29242026E000000001	2026-03-01	unsold	2026-04-01
C2	29242026E000000001	2026-03-01	quality_or_spec	2027-03-01
\.
SELECT ret_no, memo, last_day FROM wms.export_return WHERE ret_no LIKE 'C%' ORDER BY ret_no;

-- Inside a transaction: the failed statement is rolled back, the transaction
-- is aborted as for any error, and a savepoint keeps the work before it.
BEGIN;
INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason) VALUES ('T1', '29242026E000000001', '2026-03-01', 'unsold');
SAVEPOINT s;
INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, reenter_date) VALUES ('T2', '29242026E000000001', '2026-03-01', 'unsold', '2027-01-01');
ROLLBACK TO SAVEPOINT s;
INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, reenter_date) VALUES ('T3', '29242026E000000001', '2026-03-01', 'unsold', '2026-09-01');
COMMIT;
SELECT ret_no FROM wms.export_return WHERE ret_no LIKE 'T%' ORDER BY ret_no;

-- The R-EX-5 HINT quotes the pilot date of the district the goods came back
-- through, as the policy tables hold it after a DBA's edit (it quoted the
-- earliest pilot date of all districts).
BEGIN;
UPDATE cbreturn.districts SET cross_return_pilot_from = '2025-03-01' WHERE code = '53';
INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason, reenter_date, memo, trade_mode, decl_port, ret_port)
VALUES ('R90', '29242026E000000001', '2025-01-10', 'unsold', '2025-02-01', 'ZXTY', '9610', '2924', '5301');
ROLLBACK;

-- Infinite dates are an error (22008), never a wrong deadline.
SELECT regress.try($$INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason) VALUES ('I1', '29242026E000000001', 'infinity', 'unsold')$$);
-- A remarks column too short for the code is the column's own error.
ALTER TABLE wms.export_return ADD COLUMN short_memo varchar(2);
SELECT cbreturn.detach('wms.export_return', 'export');
SELECT cbreturn.attach_export_return_checks('wms.export_return', exported_on => 'clear_date', reason => 'ret_reason',
                                            remarks => 'short_memo', fill_remarks => true);
SELECT regress.try($$INSERT INTO wms.export_return (ret_no, list_no, clear_date, ret_reason) VALUES ('S1', '29242026E000000001', '2026-03-01', 'unsold')$$);

-- ---------------------------------------------------------------------------
-- Import returns (R-IM-1): application within 30 days, arrival within 45 days
-- of the release date of the import list.
-- ---------------------------------------------------------------------------
CREATE TABLE wms.import_return (
    id          int PRIMARY KEY,
    invt_no     cbreturn.declaration_id,
    release_dt  date,
    apply_dt    date,
    arrive_dt   date
);
SELECT cbreturn.attach_import_return_checks('wms.import_return', released_on => 'release_dt',
                                            applied_on => 'apply_dt', arrived_on => 'arrive_dt');
CREATE TEMP TABLE icases (n int, released date, applied date, arrived date);
INSERT INTO icases VALUES
    (1, '2026-01-31', '2026-03-02', '2026-03-17'),   -- both on their deadline (30, 45 days)
    (2, '2026-01-31', '2026-03-03', NULL),           -- application a day late
    (3, '2026-01-31', NULL, '2026-03-18'),           -- arrival a day late
    (4, '2028-02-14', '2028-03-15', '2028-03-30'),   -- leap year: deadlines 03-15 and 03-30
    (5, '2028-02-14', '2028-03-16', NULL),
    (6, '2026-12-20', '2027-01-19', '2027-02-03'),   -- across the year end
    (7, '2026-12-20', '2026-12-19', NULL),           -- applied before release
    (8, NULL, '2030-01-01', '2030-01-01');           -- release unknown: nothing to count from
SELECT n, released, applied, arrived,
       regress.try(format('INSERT INTO wms.import_return (id, release_dt, apply_dt, arrive_dt) VALUES (%s, %L, %L, %L)',
                          n, released, applied, arrived)) AS result
  FROM icases ORDER BY n;
INSERT INTO wms.import_return (id, invt_no, release_dt, apply_dt) VALUES (20, '29242026I439440284', '2026-01-31', '2026-03-03');
UPDATE wms.import_return SET arrive_dt = '2026-03-18' WHERE id = 1;

-- ---------------------------------------------------------------------------
-- Status (rules section 6), with the ERP's own labels and timestamps.
-- ---------------------------------------------------------------------------
CREATE TABLE wms.return_track (
    id          int PRIMARY KEY,
    state       varchar(12) NOT NULL,
    reg_time    timestamptz,
    decl_time   timestamptz,
    ship_time   timestamptz,
    arrive_time timestamptz,
    check_time  timestamptz,
    done_time   timestamptz,
    reject_time timestamptz
);
SELECT cbreturn.attach_status_check('wms.return_track', status => 'state',
    registered_at => 'reg_time', declared_at => 'decl_time', shipped_at => 'ship_time',
    arrived_at => 'arrive_time', inspected_at => 'check_time', released_at => 'done_time',
    rejected_at => 'reject_time',
    labels => '{NEW,DECLARED,SHIPPED,ARRIVED,INSPECTED,RELEASED,REJECTED}');
INSERT INTO wms.return_track (id, state, reg_time) VALUES (1, 'NEW', '2026-05-01 09:00+08');
UPDATE wms.return_track SET state = 'DECLARED', decl_time = '2026-05-01 10:00+08' WHERE id = 1;
UPDATE wms.return_track SET state = 'SHIPPED', ship_time = '2026-05-01 09:30+08' WHERE id = 1;   -- earlier than declared
UPDATE wms.return_track SET state = 'NEW' WHERE id = 1;                                          -- backwards
UPDATE wms.return_track SET state = 'shipped' WHERE id = 1;                                      -- not a label
UPDATE wms.return_track SET arrive_time = '2026-05-03 09:00+08' WHERE id = 1;                    -- stage not reached
-- forward, skipping a stage whose time the table records, is refused (rules
-- section 6: a status is reached only through those stages); with its time,
-- accepted
UPDATE wms.return_track SET state = 'ARRIVED', arrive_time = '2026-05-03 09:00+08' WHERE id = 1;
UPDATE wms.return_track SET state = 'ARRIVED', ship_time = '2026-05-02 09:00+08',
                            arrive_time = '2026-05-03 09:00+08' WHERE id = 1;
UPDATE wms.return_track SET state = 'INSPECTED', check_time = '2026-05-03 09:00+08' WHERE id = 1;   -- same time: fine
UPDATE wms.return_track SET state = 'RELEASED', done_time = '2026-05-04 09:00+08' WHERE id = 1;
-- final: neither back nor to the other final state
SELECT regress.try($$UPDATE wms.return_track SET state = 'REJECTED', done_time = NULL, reject_time = now() WHERE id = 1$$);
SELECT regress.try($$UPDATE wms.return_track SET state = 'INSPECTED', done_time = NULL WHERE id = 1$$);
-- a rejected return may not carry a release time; a later stage never an earlier time
SELECT regress.try($$INSERT INTO wms.return_track (id, state, reg_time, done_time, reject_time)
                     VALUES (2, 'REJECTED', '2026-05-01', '2026-05-02', '2026-05-02')$$);
SELECT regress.try($$INSERT INTO wms.return_track (id, state, reg_time, reject_time)
                     VALUES (2, 'REJECTED', '2026-05-02', '2026-05-01')$$);
SELECT regress.try($$INSERT INTO wms.return_track (id, state, reg_time, reject_time)
                     VALUES (2, 'REJECTED', '2026-05-01', '2026-05-02')$$);   -- never declared
SELECT regress.try($$INSERT INTO wms.return_track (id, state, reg_time, decl_time, reject_time)
                     VALUES (2, 'REJECTED', '2026-05-01', '2026-05-01', '2026-05-02')$$);
SELECT id, state, reg_time, decl_time, ship_time, arrive_time, check_time, done_time, reject_time
  FROM wms.return_track ORDER BY id;


-- A code held as text that is no code is bad input (22P02) whatever else the
-- row holds: a return date not known yet, an earlier code still NULL.  It
-- was stored, and every assessment over the table then failed on it.
CREATE TABLE wms.r_codes (id int PRIMARY KEY, jgfs varchar(4), sbhg varchar(4), thhg varchar(4),
                          ckrq date, yy text, fx date, bz text);
SELECT cbreturn.attach_export_return_checks('wms.r_codes', exported_on => 'ckrq', reason => 'yy',
    returned_on => 'fx', remarks => 'bz', supervision_code => 'jgfs', export_office => 'sbhg',
    return_office => 'thhg');
INSERT INTO wms.r_codes VALUES (1, '9610', '2924', '2924', '2026-03-01', '滞销', NULL, 'ZXTY');
SELECT regress.try($$INSERT INTO wms.r_codes VALUES (2, '9610', '2924', '29A4', '2026-03-01', '滞销', NULL, 'ZXTY')$$);
SELECT regress.try($$INSERT INTO wms.r_codes VALUES (3, NULL, '29X4', '2924', '2026-03-01', '滞销', '2026-04-01', 'ZXTY')$$);
SELECT id FROM wms.r_codes ORDER BY id;
SELECT count(*) AS assessed FROM cbreturn.assess_export_returns('wms.r_codes', '2026-04-01');
-- the import check too: a supervision code that is no code, with no
-- warehouse to judge yet, was stored and refused the next update of the row
CREATE TABLE wms.im_codes (id int PRIMARY KEY, fx date, sq date, jg text, wh text);
SELECT cbreturn.attach_import_return_checks('wms.im_codes', released_on => 'fx', applied_on => 'sq',
                                            supervision_code => 'jg', warehouse => 'wh');
SELECT regress.try($$INSERT INTO wms.im_codes VALUES (1, '2026-01-01', '2026-01-05', '12x0', NULL)$$);
INSERT INTO wms.im_codes VALUES (2, '2026-01-01', '2026-01-05', NULL, NULL);
SELECT count(*) AS stored FROM wms.im_codes;

DROP SCHEMA wms CASCADE;
