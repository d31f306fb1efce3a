-- Write-time enforcement, row facts: how a check reads an ERP's row.
--   R-V-1: a reason column holding any label an ERP uses (cbreturn.reason_labels)
--   R-T-1: date roles of type timestamp and timestamptz, read as China dates
SET datestyle = 'ISO, YMD';
CREATE EXTENSION IF NOT EXISTS cbreturn;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

-- ===========================================================================
-- R-V-1: the vocabulary as shipped
-- ===========================================================================
SELECT label, reason, shipped FROM cbreturn.reason_labels ORDER BY reason, label COLLATE "C";

-- return_reason() for a literal (not read as a cast to the enum of the same
-- name), text, varchar and char; NULL gives NULL.
SELECT cbreturn.return_reason('滞销') AS literal,
       cbreturn.return_reason('退货退运'::text) AS text,
       cbreturn.return_reason('品质'::varchar) AS varchar,
       cbreturn.return_reason('规格'::char(8)) AS char8,
       cbreturn.return_reason(NULL) AS null_literal,
       cbreturn.return_reason(NULL::text) AS null_text;
-- the English words ship too (R-V-1), in any letter case
SELECT cbreturn.return_reason('Quality'::text) AS quality,
       cbreturn.return_reason('Consumer Return'::text) AS consumer,
       cbreturn.return_reason('UNSOLD STOCK'::text) AS unsold,
       cbreturn.return_reason('specification'::text) AS spec;
-- every shipped label names its own reason
SELECT count(*) AS labels, count(*) FILTER (WHERE cbreturn.return_reason(label) = reason) AS agree
  FROM cbreturn.reason_labels;

-- Normalisation: blanks around (ASCII, ideographic, no-break), Latin letter
-- case and full-width letters do not matter; interior blanks and Chinese do.
SELECT l AS label, cbreturn.reason_label_key(l) AS key,
       regress.try(format('SELECT cbreturn.return_reason(%L::text)', l)) AS lookup,
       CASE WHEN regress.try(format('SELECT cbreturn.return_reason(%L::text)', l)) = 'ok'
            THEN cbreturn.return_reason(l::text)::text END AS reason
  FROM unnest(ARRAY['ZXTY', 'zxty', ' Zxty ', E'\tthty\n', '　PGTY　', U&'\00A0pgty\00A0',
                    'ＺＸＴＹ', 'ｔｈｔｙ', 'UNSOLD', 'Consumer_Return', ' 滞销 ', '滞 销',
                    '滯銷', 'ZXTY-1', 'overstock', '', '   ']) WITH ORDINALITY AS t(l, n)
 ORDER BY n;

-- A label that names no reason: CB013, with what was compared.
SELECT cbreturn.return_reason('坏了');
\echo SQLSTATE :SQLSTATE

-- ===========================================================================
-- R-V-1 in the export check: a text reason column with the ERP's labels
-- ===========================================================================
CREATE SCHEMA erp42;
CREATE TABLE erp42.ret (
    ret_no      text PRIMARY KEY,
    exported    date,
    why         varchar(20),
    back        date,
    memo        text,
    secret      text
);
SELECT cbreturn.attach_export_return_checks('erp42.ret', exported_on => 'exported', reason => 'why',
                                            returned_on => 'back', remarks => 'memo');
-- The label decides the window (R-EX-1): 7 months after the export is late
-- for an unsold or consumer return, on time for quality or specification.
-- The remarks must carry the code of the reason the label names (R-EX-2).
CREATE TEMP TABLE label_cases (n int, why text, memo text, back date, note text);
INSERT INTO label_cases VALUES
    (1, '滞销', 'ZXTY', '2026-09-01', 'unsold, last day'),
    (2, '滞销', 'ZXTY', '2026-10-01', 'unsold, 7 months: late'),
    (3, '滞销退运', 'ZXTY', '2026-09-01', 'unsold, full name'),
    (4, '退货', 'THTY', '2026-09-01', 'consumer return'),
    (5, '退货退运', 'THTY', '2026-10-01', 'consumer return, 7 months: late'),
    (6, '品质', 'PGTY', '2026-10-01', 'quality: 7 months is fine'),
    (7, '规格', 'PGTY', '2027-03-01', 'specification: 12 months'),
    (8, '品质规格退运', 'PGTY', '2027-03-02', 'quality, a day after 12 months'),
    (9, 'ZXTY', 'ZXTY', '2026-09-01', 'the remark code as the reason'),
    (10, ' zxty ', 'ZXTY', '2026-09-01', 'code with blanks, lower case'),
    (11, 'ＰＧＴＹ', 'PGTY', '2026-10-01', 'full-width code'),
    (12, 'quality_or_spec', 'PGTY', '2026-10-01', 'the enum label'),
    (13, '品质', 'ZXTY', '2026-05-01', 'remarks of another reason'),
    (14, '坏了', 'ZXTY', '2026-05-01', 'not a label'),
    (15, '', 'ZXTY', '2026-05-01', 'empty label'),
    (16, NULL, 'PGTY', '2026-10-01', 'no reason: the remarks name it');
-- The same rows go into a twin whose trigger has no WHEN clause (made by
-- hand from the same metadata): the WHEN function must never pass a row the
-- trigger refuses.
CREATE TABLE erp42.twin (LIKE erp42.ret INCLUDING ALL);
SELECT cbreturn.attach_export_return_checks('erp42.twin', exported_on => 'exported', reason => 'why',
                                            returned_on => 'back', remarks => 'memo');
DROP TRIGGER cbreturn_export_check ON erp42.twin;
CREATE TRIGGER cbreturn_export_check AFTER INSERT OR UPDATE ON erp42.twin
    FOR EACH ROW EXECUTE FUNCTION cbreturn.export_return_check();
CREATE TEMP TABLE label_results AS
SELECT n, why, back, note,
       regress.try(format('INSERT INTO erp42.ret VALUES (%L, %L, %L, %L, %L)',
                          'L' || n, '2026-03-01', why, back, memo)) AS result,
       regress.try(format('INSERT INTO erp42.twin VALUES (%L, %L, %L, %L, %L)',
                          'L' || n, '2026-03-01', why, back, memo)) AS without_when
  FROM label_cases;
SELECT n, why, back, note, result FROM label_results ORDER BY n;
-- must be empty
SELECT n, result, without_when FROM label_results WHERE result <> without_when;

-- The error as a client sees it: its own SQLSTATE, the row and the label in DETAIL.
INSERT INTO erp42.ret VALUES ('X1', '2026-03-01', '坏了', '2026-05-01', 'ZXTY');
\echo SQLSTATE :SQLSTATE
-- trailing blanks are not part of the label shown
UPDATE erp42.ret SET why = '质量问题 ' WHERE ret_no = 'L1';
\echo SQLSTATE :SQLSTATE
-- the error's fields name the table and the column of the label
SELECT regress.try_fields($$INSERT INTO erp42.ret VALUES ('X1', '2026-03-01', '坏了', '2026-05-01', 'ZXTY')$$);
-- a reason of blanks only (ASCII or U+3000) is called blank, not an unknown label ""
INSERT INTO erp42.ret VALUES ('X2', '2026-03-01', '  ', '2026-05-01', 'ZXTY');
INSERT INTO erp42.ret VALUES ('X2', '2026-03-01', U&'\3000', '2026-05-01', 'ZXTY');

-- The DBA's vocabulary: a new label, seen by the next statement; a shipped
-- label withdrawn (reason NULL) is refused; both rolled back.
BEGIN;
SELECT regress.try($$INSERT INTO erp42.ret VALUES ('D1', '2026-03-01', '清仓', '2026-09-01', 'ZXTY')$$) AS before_edit;
INSERT INTO cbreturn.reason_labels (label, reason) VALUES ('清仓', 'unsold');
SELECT regress.try($$INSERT INTO erp42.ret VALUES ('D1', '2026-03-01', '清仓', '2026-09-01', 'ZXTY')$$) AS after_edit,
       regress.try($$INSERT INTO erp42.ret VALUES ('D2', '2026-03-01', '清仓', '2026-09-02', 'ZXTY')$$) AS unsold_window;
UPDATE cbreturn.reason_labels SET reason = NULL WHERE label = '退货';
SELECT regress.try($$INSERT INTO erp42.ret VALUES ('D3', '2026-03-01', '退货', '2026-09-01', 'THTY')$$) AS withdrawn,
       regress.try($$SELECT cbreturn.return_reason('退货')$$) AS function_too;
-- an UPDATE that changes another column re-reads the label
SELECT regress.try($$UPDATE erp42.ret SET memo = 'THTY 2' WHERE ret_no = 'L4'$$) AS update_other_column;
-- the edits are dumped (not shipped); the shipped rows are not
SELECT label, reason, shipped FROM cbreturn.reason_labels WHERE NOT shipped ORDER BY label COLLATE "C";
ROLLBACK;
SELECT regress.try($$SELECT cbreturn.return_reason('清仓')$$) AS rolled_back;

-- Two labels with one key would be one label with two reasons: refused.  A
-- label with the key of a shipped one replaces it (as policy_row_guard does
-- for the same label, so a restored edit replaces the shipped default).
BEGIN;
SELECT regress.try($$INSERT INTO cbreturn.reason_labels (label, reason) VALUES (' 滞销 ', 'consumer_return')$$) AS same_key_replaces;
SELECT label, reason, shipped FROM cbreturn.reason_labels WHERE cbreturn.reason_label_key(label) = '滞销';
SELECT regress.try($$INSERT INTO cbreturn.reason_labels (label, reason) VALUES ('滞销', 'unsold')$$) AS second_local_label;
SELECT regress.try($$INSERT INTO cbreturn.reason_labels (label, reason) VALUES ('　', 'unsold')$$) AS blank_label;
SELECT regress.try($$UPDATE cbreturn.reason_labels SET label = 'thty' WHERE label = 'ZXTY'$$) AS rename_onto_another;
ROLLBACK;

-- Only the extension's owner edits the vocabulary; everyone reads it.
CREATE ROLE regress_cbreturn_facts_clerk;
GRANT USAGE ON SCHEMA erp42 TO regress_cbreturn_facts_clerk;
GRANT INSERT, UPDATE (memo) ON erp42.ret TO regress_cbreturn_facts_clerk;
GRANT SELECT (ret_no, memo) ON erp42.ret TO regress_cbreturn_facts_clerk;
SET ROLE regress_cbreturn_facts_clerk;
SELECT count(*) AS readable FROM cbreturn.reason_labels;
SELECT regress.try($$INSERT INTO cbreturn.reason_labels (label, reason) VALUES ('清仓', 'unsold')$$) AS clerk_edit;
-- A writer that may not read the reason column is not shown its value (an
-- UPDATE of another column re-checks the stored label)...
RESET ROLE;
ALTER TABLE erp42.ret DISABLE TRIGGER cbreturn_export_check;
INSERT INTO erp42.ret VALUES ('S1', '2026-03-01', '机密原因', '2026-05-01', 'ZXTY');
ALTER TABLE erp42.ret ENABLE TRIGGER cbreturn_export_check;
SET ROLE regress_cbreturn_facts_clerk;
UPDATE erp42.ret SET memo = 'ZXTY 2' WHERE ret_no = 'S1';
\echo SQLSTATE :SQLSTATE
-- ...nor, when it may not read the key, the row; the label it writes itself it sees.
RESET ROLE;
REVOKE SELECT (ret_no) ON erp42.ret FROM regress_cbreturn_facts_clerk;
GRANT UPDATE (why) ON erp42.ret TO regress_cbreturn_facts_clerk;
SET ROLE regress_cbreturn_facts_clerk;
UPDATE erp42.ret SET memo = 'ZXTY 3' WHERE memo = 'ZXTY';
\echo SQLSTATE :SQLSTATE
UPDATE erp42.ret SET why = '又一个' WHERE memo = 'ZXTY';
\echo SQLSTATE :SQLSTATE
RESET ROLE;
DELETE FROM erp42.ret WHERE ret_no = 'S1';

-- The filling variant (BEFORE) writes the code of the reason the label names.
CREATE TABLE erp42.filled (id int PRIMARY KEY, exported date, why text, memo text);
SELECT cbreturn.attach_export_return_checks('erp42.filled', exported_on => 'exported', reason => 'why',
                                            remarks => 'memo', fill_remarks => true);
INSERT INTO erp42.filled VALUES (1, '2026-03-01', '退货', NULL), (2, '2026-03-01', '规格', ''),
                                (3, '2026-03-01', 'zxty', '  ');
SELECT id, why, memo FROM erp42.filled ORDER BY id;
SELECT regress.try($$INSERT INTO erp42.filled VALUES (4, '2026-03-01', '坏了', NULL)$$) AS unknown_label;

-- ===========================================================================
-- R-T-1: China dates
-- ===========================================================================
-- china_date() answers alike whatever the session's TimeZone.
CREATE TEMP TABLE tz_answers (zone text, d1 date, d2 date, d3 date, d4 date, d5 date);
SET TimeZone = 'UTC';
INSERT INTO tz_answers SELECT current_setting('TimeZone'),
    cbreturn.china_date('2026-03-01 15:30+00'::timestamptz), cbreturn.china_date('2026-03-01 16:30+00'::timestamptz),
    cbreturn.china_date('2026-02-28 16:00+00'::timestamptz), cbreturn.china_date('1988-06-01 23:30+08'::timestamptz),
    cbreturn.china_date('2026-03-01 23:30'::timestamp);
SET TimeZone = 'America/New_York';
INSERT INTO tz_answers SELECT current_setting('TimeZone'),
    cbreturn.china_date('2026-03-01 15:30+00'::timestamptz), cbreturn.china_date('2026-03-01 16:30+00'::timestamptz),
    cbreturn.china_date('2026-02-28 16:00+00'::timestamptz), cbreturn.china_date('1988-06-01 23:30+08'::timestamptz),
    cbreturn.china_date('2026-03-01 23:30'::timestamp);
SET TimeZone = 'Pacific/Auckland';
INSERT INTO tz_answers SELECT current_setting('TimeZone'),
    cbreturn.china_date('2026-03-01 15:30+00'::timestamptz), cbreturn.china_date('2026-03-01 16:30+00'::timestamptz),
    cbreturn.china_date('2026-02-28 16:00+00'::timestamptz), cbreturn.china_date('1988-06-01 23:30+08'::timestamptz),
    cbreturn.china_date('2026-03-01 23:30'::timestamp);
-- d1 23:30 in Beijing: the 1st; d2 00:30 in Beijing: the 2nd; d3 midnight in
-- Beijing: the 1st; d4 1988 summer time in China (UTC+9): the next day; d5 a
-- timestamp without zone is China local time
SELECT * FROM tz_answers ORDER BY zone COLLATE "C";
SELECT cbreturn.china_date('infinity'::timestamptz) AS inf, cbreturn.china_date('-infinity'::timestamp) AS ninf;

-- The export check on timestamptz columns, written by a client in UTC.
SET TimeZone = 'UTC';
CREATE TABLE erp42.ret_tz (
    id          int PRIMARY KEY,
    cleared_at  timestamptz,
    why         text,
    back_at     timestamptz,
    memo        text
);
SELECT cbreturn.attach_export_return_checks('erp42.ret_tz', exported_on => 'cleared_at', reason => 'why',
                                            returned_on => 'back_at', remarks => 'memo');
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'erp42.ret_tz'::regclass;
CREATE TEMP TABLE tz_cases (n int, cleared timestamptz, back timestamptz, note text);
INSERT INTO tz_cases VALUES
    -- exported 2026-03-01 in Beijing: the 6-month deadline is 2026-09-01
    (1, '2026-03-01 10:00+08', '2026-09-01 23:30+08', 'last day, 23:30 in Beijing (15:30 UTC)'),
    (2, '2026-03-01 10:00+08', '2026-09-02 00:30+08', 'next day, 00:30 in Beijing (still 09-01 in UTC)'),
    (3, '2026-03-01 10:00+08', '2026-09-01 15:59:59+00', 'last second of the last day in Beijing'),
    (4, '2026-03-01 10:00+08', '2026-09-01 16:00:00+00', 'first second of the next day in Beijing'),
    -- exported at 04:00 on 2026-09-01 in Beijing (08-31 in UTC): the deadline
    -- is 2027-03-01, not 2027-02-28
    (5, '2026-08-31 20:00+00', '2027-03-01 12:00+08', 'export date is the Beijing date'),
    (6, '2026-08-31 20:00+00', '2027-03-02 00:00+08', 'a day late'),
    (7, '2026-03-01 10:00+08', '2026-02-28 23:59+08', 'returned before the export'),
    (8, 'infinity', '2026-03-01 10:00+08', 'infinite export date');
SELECT n, note, regress.try(format('INSERT INTO erp42.ret_tz VALUES (%s, %L, %L, %L, %L)',
                                   n, cleared, '滞销', back, 'ZXTY')) AS in_utc
  FROM tz_cases ORDER BY n;
-- the same verdicts for a client in New York and one in Auckland
DELETE FROM erp42.ret_tz;
SET TimeZone = 'America/New_York';
CREATE TEMP TABLE tz_results AS
SELECT n, regress.try(format('INSERT INTO erp42.ret_tz VALUES (%s, %L, %L, %L, %L)',
                             n, cleared, '滞销', back, 'ZXTY')) AS result FROM tz_cases;
DELETE FROM erp42.ret_tz;
SET TimeZone = 'Pacific/Auckland';
INSERT INTO tz_results
SELECT n, regress.try(format('INSERT INTO erp42.ret_tz VALUES (%s, %L, %L, %L, %L)',
                             n, cleared, '滞销', back, 'ZXTY')) FROM tz_cases;
SELECT n, count(DISTINCT result) AS verdicts, min(result) AS result FROM tz_results GROUP BY n ORDER BY n;
SET TimeZone = 'UTC';
-- The error names the China dates.
INSERT INTO erp42.ret_tz VALUES (20, '2026-03-01 10:00+08', '退货', '2026-09-01 16:30+00', 'THTY');
\echo SQLSTATE :SQLSTATE

-- timestamp without time zone: read as China local time
CREATE TABLE erp42.ret_ts (id int PRIMARY KEY, cleared timestamp, why text, back timestamp, memo text);
SELECT cbreturn.attach_export_return_checks('erp42.ret_ts', exported_on => 'cleared', reason => 'why',
                                            returned_on => 'back', remarks => 'memo');
SELECT regress.try($$INSERT INTO erp42.ret_ts VALUES (1, '2026-03-01 23:59', 'ZXTY', '2026-09-01 23:59', 'ZXTY')$$) AS last_day,
       regress.try($$INSERT INTO erp42.ret_ts VALUES (2, '2026-03-01 00:00', 'ZXTY', '2026-09-02 00:00', 'ZXTY')$$) AS next_day;

-- The BEFORE variant (fills a deadline) reads timestamptz the same way.
CREATE TABLE erp42.ret_dl (id int PRIMARY KEY, cleared_at timestamptz, why text, back_at timestamptz, memo text, last_day date);
SELECT cbreturn.attach_export_return_checks('erp42.ret_dl', exported_on => 'cleared_at', reason => 'why',
                                            returned_on => 'back_at', remarks => 'memo', deadline => 'last_day');
INSERT INTO erp42.ret_dl VALUES (1, '2026-08-31 20:00+00', '品质', '2027-08-31 23:30+08', 'PGTY');
SELECT id, last_day FROM erp42.ret_dl;
SELECT regress.try($$INSERT INTO erp42.ret_dl VALUES (2, '2026-08-31 20:00+00', '品质', '2027-09-01 16:00+00', 'PGTY')$$) AS late;
-- the deadline column stays a date; a text date is still refused
CREATE TABLE erp42.bad (id int, cleared text, why text, memo text, last_day timestamptz);
SELECT regress.try($$SELECT cbreturn.attach_export_return_checks('erp42.bad', exported_on => 'cleared', reason => 'why', remarks => 'memo')$$) AS text_date;
ALTER TABLE erp42.bad ALTER COLUMN cleared TYPE date USING cleared::date;
SELECT regress.try($$SELECT cbreturn.attach_export_return_checks('erp42.bad', exported_on => 'cleared', reason => 'why', remarks => 'memo', deadline => 'last_day')$$) AS timestamptz_deadline;

-- The import check (R-IM-1): release times as timestamptz, the application
-- a date, the arrival a timestamp.  Released 2026-03-01 23:30 in Beijing
-- (15:30 UTC): the application is due by 2026-03-31, the arrival by 2026-04-15.
CREATE TABLE erp42.imp (id int PRIMARY KEY, released_at timestamptz, applied date, arrived_at timestamp);
SELECT cbreturn.attach_import_return_checks('erp42.imp', released_on => 'released_at',
                                            applied_on => 'applied', arrived_on => 'arrived_at');
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'erp42.imp'::regclass;
SELECT regress.try($$INSERT INTO erp42.imp VALUES (1, '2026-03-01 15:30+00', '2026-03-31', '2026-04-15 23:00')$$) AS on_time,
       regress.try($$INSERT INTO erp42.imp VALUES (2, '2026-03-01 16:30+00', '2026-04-01', NULL)$$) AS released_on_the_2nd,
       regress.try($$INSERT INTO erp42.imp VALUES (3, '2026-03-01 15:30+00', '2026-04-01', NULL)$$) AS application_late,
       regress.try($$INSERT INTO erp42.imp VALUES (4, '2026-03-01 15:30+00', NULL, '2026-04-16 00:00')$$) AS arrival_late,
       regress.try($$INSERT INTO erp42.imp VALUES (5, '2026-03-01 15:30+00', '2026-02-28', NULL)$$) AS before_release,
       regress.try($$INSERT INTO erp42.imp VALUES (6, '-infinity', '2026-03-01', NULL)$$) AS infinite_release;
-- the WHEN function and the trigger agree on every row above: none passed one and failed the other
SELECT id, cbreturn._import_row_ok('erp42.imp', cbreturn.china_date(released_at), applied,
                                   cbreturn.china_date(arrived_at)) AS when_ok
  FROM erp42.imp ORDER BY id;

-- A WHEN clause that passes the timestamp itself where the metadata expects
-- the China date (made by hand) is refused, never read as a date.
CREATE TABLE erp42.hand (id int PRIMARY KEY, released_at timestamptz, applied date);
SELECT cbreturn.attach_import_return_checks('erp42.hand', released_on => 'released_at', applied_on => 'applied');
DROP TRIGGER cbreturn_import_check ON erp42.hand;
CREATE TRIGGER cbreturn_import_check AFTER INSERT ON erp42.hand FOR EACH ROW
    WHEN (NOT cbreturn._import_row_ok('erp42.hand'::regclass, (NEW.released_at AT TIME ZONE 'UTC')::date, NEW.applied, NULL))
    EXECUTE FUNCTION cbreturn.import_return_check();
SELECT regress.try($$INSERT INTO erp42.hand VALUES (1, '2026-03-01 15:30+00', '2026-03-31')$$) AS hand_made;

RESET TimeZone;
DROP SCHEMA erp42 CASCADE;
DROP ROLE regress_cbreturn_facts_clerk;
