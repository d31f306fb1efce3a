-- Write-time enforcement of the registers and the 1210 clock (issue 11):
-- R-EX-4 applicant, R-EX-6 return site and R-TX-2's departure in the export
-- check; R-IM-5 warehouse, R-IM-1 / R-IM-6 arrival place and R-IM-7
-- applicant in the import check.  The register rows are test data, not real
-- registrations.
SET datestyle = 'ISO, YMD';
SET client_min_messages = warning;
SET search_path = public, cbreturn;
\set SHOW_CONTEXT never

-- The SQLSTATE, message and DETAIL of a statement that fails.
CREATE FUNCTION pg_temp.err(sql text) RETURNS TABLE (state text, message text, detail text)
    LANGUAGE plpgsql AS $$
DECLARE
    s text; m text; d text;
BEGIN
    EXECUTE sql;
    RETURN QUERY SELECT 'ok'::text, NULL::text, NULL::text;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS s = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL;
    RETURN QUERY SELECT s, m, d;
END
$$;

INSERT INTO cbreturn.applicants (uscc, customs_registration_code, name, valid_from, valid_to) VALUES
    ('91330100799655058B', '3301960002', 'Test exporter A', '2025-01-01', NULL),
    ('91440300708461136T', '4403960001', 'Test exporter B', '2025-01-01', '2026-06-30'),
    ('91110108551385082Q', '1101960003', 'Test exporter C', '2026-12-01', NULL);
INSERT INTO cbreturn.return_sites (site_code, customs_office, kind, name, valid_from, valid_to) VALUES
    ('SITE-GZ-07', '5141', 'marketplace_site', 'Test marketplace site', '2024-12-15', '2026-12-31'),
    ('SITE-HZ-01', '2924', 'bonded_warehouse', 'Test bonded warehouse', '2024-12-15', NULL);

CREATE SCHEMA erp;
CREATE TABLE erp.export_return (
    ret_no      int PRIMARY KEY,
    trade_mode  text,
    clear_date  date,
    leave_date  date,                   -- departure from the special area (1210)
    ret_reason  cbreturn.return_reason,
    reenter     date,
    decl_port   cbreturn.customs_code,
    ret_port    cbreturn.customs_code,
    site        varchar(32),
    agent       text                    -- the applicant's USCC as text
);
SELECT cbreturn.attach_export_return_checks('erp.export_return',
    exported_on => 'clear_date', reason => 'ret_reason', returned_on => 'reenter',
    supervision_code => 'trade_mode', export_office => 'decl_port', return_office => 'ret_port',
    applicant => 'agent', return_site => 'site', left_special_area_on => 'leave_date');
SELECT check_kind, columns FROM cbreturn.attached_checks WHERE "table" = 'erp.export_return'::regclass;

-- ---------------------------------------------------------------------------
-- R-EX-4: the applicant is registered on the return date (CB008)
-- ---------------------------------------------------------------------------
SELECT n, e.* FROM (VALUES
    (1, $$INSERT INTO erp.export_return VALUES (1, '9610', '2026-03-01', NULL, 'unsold', '2026-05-01', '2924', '2924', NULL, '91330100799655058B')$$),
    (2, $$INSERT INTO erp.export_return VALUES (2, '9610', '2026-03-01', NULL, 'unsold', '2026-05-01', '2924', '2924', NULL, '91330100799655058b')$$),
    -- registered until 2026-06-30: the last day in, the next day out
    (3, $$INSERT INTO erp.export_return VALUES (3, '9610', '2026-03-01', NULL, 'unsold', '2026-06-30', '2924', '2924', NULL, '91440300708461136T')$$),
    (4, $$INSERT INTO erp.export_return VALUES (4, '9610', '2026-03-01', NULL, 'unsold', '2026-07-01', '2924', '2924', NULL, '91440300708461136T')$$),
    -- registered only from 2026-12-01
    (5, $$INSERT INTO erp.export_return VALUES (5, '9610', '2026-03-01', NULL, 'unsold', '2026-08-01', '2924', '2924', NULL, '91110108551385082Q')$$),
    -- a valid code that is not in the register (Huawei's)
    (6, $$INSERT INTO erp.export_return VALUES (6, '9610', '2026-03-01', NULL, 'unsold', '2026-05-01', '2924', '2924', NULL, '914403001922038216')$$),
    -- not a unified social credit code: one character changed
    (7, $$INSERT INTO erp.export_return VALUES (7, '9610', '2026-03-01', NULL, 'unsold', '2026-05-01', '2924', '2924', NULL, '914403001922038217')$$),
    -- not known yet: no applicant, or no return date
    (8, $$INSERT INTO erp.export_return VALUES (8, '9610', '2026-03-01', NULL, 'unsold', '2026-05-01', '2924', '2924', NULL, NULL)$$),
    (9, $$INSERT INTO erp.export_return VALUES (9, '9610', '2026-03-01', NULL, 'unsold', NULL, '2924', '2924', NULL, '914403001922038216')$$),
    -- an UPDATE to an unregistered applicant is refused too
    (10, $$UPDATE erp.export_return SET agent = '914403001922038216' WHERE ret_no = 1$$)
) AS t(n, q), LATERAL pg_temp.err(q) e ORDER BY n;

-- ---------------------------------------------------------------------------
-- R-EX-6: a return through another district goes to an authorised site (CB009)
-- (the nationwide date of R-EX-5 is 2026-04-01 as shipped)
-- ---------------------------------------------------------------------------
SELECT n, e.* FROM (VALUES
    (11, $$INSERT INTO erp.export_return VALUES (11, '9610', '2026-03-01', NULL, 'unsold', '2026-05-01', '2924', '5141', 'SITE-GZ-07', '91330100799655058B')$$),
    -- the authorisation ends on 2026-12-31
    (12, $$INSERT INTO erp.export_return VALUES (12, '9610', '2026-08-01', NULL, 'unsold', '2027-01-01', '2924', '5141', 'SITE-GZ-07', '91330100799655058B')$$),
    -- the site is registered under another office
    (13, $$INSERT INTO erp.export_return VALUES (13, '9610', '2026-03-01', NULL, 'unsold', '2026-05-01', '5141', '2924', 'SITE-GZ-07', '91330100799655058B')$$),
    (14, $$INSERT INTO erp.export_return VALUES (14, '9610', '2026-03-01', NULL, 'unsold', '2026-05-01', '2924', '5141', 'SITE-XX-99', '91330100799655058B')$$),
    -- within the original district no site is needed, registered or not
    (15, $$INSERT INTO erp.export_return VALUES (15, '9610', '2026-03-01', NULL, 'unsold', '2026-05-01', '2924', '2901', 'SITE-XX-99', '91330100799655058B')$$),
    -- R-EX-5 is decided first: a cross-customs 9710 return is CB005 whatever the site
    (16, $$INSERT INTO erp.export_return VALUES (16, '9710', '2026-03-01', NULL, 'unsold', '2026-05-01', '2924', '5141', 'SITE-XX-99', '91330100799655058B')$$),
    -- no site recorded yet: not known, not checked
    (17, $$INSERT INTO erp.export_return VALUES (17, '9610', '2026-03-01', NULL, 'unsold', '2026-05-01', '2924', '5141', NULL, '91330100799655058B')$$)
) AS t(n, q), LATERAL pg_temp.err(q) e ORDER BY n;

-- In Chinese (cbreturn.language), the DETAIL starts with the row in Chinese
-- too, as for the other checks (before the fix its first words were English).
SET cbreturn.language = 'zh_CN.UTF-8';
SELECT n, e.state, e.detail LIKE '表 erp.export_return 中 (ret_no)=(' || n || ') 的行：%' AS row_in_chinese, e.detail
  FROM (VALUES
    (4, $$INSERT INTO erp.export_return VALUES (4, '9610', '2026-03-01', NULL, 'unsold', '2026-07-01', '2924', '2924', NULL, '91440300708461136T')$$),
    (14, $$INSERT INTO erp.export_return VALUES (14, '9610', '2026-03-01', NULL, 'unsold', '2026-05-01', '2924', '5141', 'SITE-XX-99', '91330100799655058B')$$)
) AS t(n, q), LATERAL pg_temp.err(q) e ORDER BY n;
-- and the list of failed rules of CB005 is punctuated as Chinese (it was "; : ." in ASCII)
SELECT e.state, e.detail ~ '(; |R-EX-5: |\.$)' AS ascii_punctuation, e.detail
  FROM pg_temp.err($$INSERT INTO erp.export_return VALUES (16, '9710', '2026-03-01', NULL, 'unsold', '2026-05-01', '2924', '5141', 'SITE-XX-99', '91330100799655058B')$$) e;
RESET cbreturn.language;

-- ---------------------------------------------------------------------------
-- The 1210 clock: R-EX-1 counts from the export date for 1210 too ("within
-- 6 months of the export clearance date"); the departure from the special
-- area starts only the R-TX-2 relief period, and orders the dates
-- ---------------------------------------------------------------------------
SELECT cbreturn.bonded_export_return_deadline('2026-01-10', '2026-03-20', 'unsold') AS unsold,
       cbreturn.bonded_export_return_deadline('2026-01-10', '2026-03-20', 'quality_or_spec') AS quality,
       cbreturn.bonded_export_return_deadline('2026-06-30', '2026-08-31', 'consumer_return') AS month_end,
       cbreturn.bonded_export_return_deadline('2026-01-10', '2026-01-10', 'unsold') = cbreturn.export_return_deadline('2026-01-10', 'unsold') AS same_day_same_deadline;
-- whatever the departure, the deadline is R-EX-1's from the export date
SELECT count(*) AS cases,
       count(*) FILTER (WHERE cbreturn.bonded_export_return_deadline(e, e + k, r)
                              = cbreturn.export_return_deadline(e, r)) AS same_as_export_deadline
  FROM generate_series('2026-01-01'::date, '2026-12-31', '7 days') AS g(e0), LATERAL (SELECT e0::date AS e) x,
       generate_series(0, 200, 50) AS k, unnest(enum_range(NULL::cbreturn.return_reason)) AS r;
SELECT n, e.* FROM (VALUES
    (21, $$SELECT cbreturn.bonded_export_return_deadline('2026-03-20', '2026-01-10', 'unsold')$$),
    (22, $$SELECT cbreturn.bonded_export_return_deadline('2026-03-20', 'infinity', 'unsold')$$),
    (23, $$SELECT cbreturn.bonded_export_return_deadline('-infinity', '2026-01-10', 'unsold')$$)
) AS t(n, q), LATERAL pg_temp.err(q) e ORDER BY n;
SELECT * FROM cbreturn.explain_bonded_export_return_deadline('2026-01-10', '2026-03-20', 'unsold', '2026-09-21');
SELECT count(*) AS no_rows_without_departure
  FROM cbreturn.explain_bonded_export_return_deadline('2026-01-10', NULL, 'unsold');

SELECT n, e.* FROM (VALUES
    -- exported 2026-01-10, left 2026-03-20: 6 months from the export date end on 2026-07-10
    -- (0.3.0 before the fix counted from the departure and accepted 32)
    (31, $$INSERT INTO erp.export_return VALUES (31, '1210', '2026-01-10', '2026-03-20', 'unsold', '2026-07-10', '2924', '2924', NULL, '91330100799655058B')$$),
    (32, $$INSERT INTO erp.export_return VALUES (32, '1210', '2026-01-10', '2026-03-20', 'unsold', '2026-07-11', '2924', '2924', NULL, '91330100799655058B')$$),
    -- quality: 1 year from the export date
    (33, $$INSERT INTO erp.export_return VALUES (33, '1210', '2026-01-10', '2026-03-20', 'quality_or_spec', '2027-01-10', '2924', '2924', NULL, '91330100799655058B')$$),
    (39, $$INSERT INTO erp.export_return VALUES (39, '1210', '2026-01-10', '2026-03-20', 'quality_or_spec', '2027-01-11', '2924', '2924', NULL, '91330100799655058B')$$),
    -- the departure is not before the export declaration, the return not before the departure
    (34, $$INSERT INTO erp.export_return VALUES (34, '1210', '2026-03-20', '2026-01-10', 'unsold', '2026-05-01', '2924', '2924', NULL, '91330100799655058B')$$),
    (35, $$INSERT INTO erp.export_return VALUES (35, '1210', '2026-01-10', '2026-03-20', 'unsold', '2026-02-01', '2924', '2924', NULL, '91330100799655058B')$$),
    -- 1210 whose departure is not recorded: the window from the export date all the same
    -- (0.3.0 before the fix had "no window yet" and accepted 36)
    (36, $$INSERT INTO erp.export_return VALUES (36, '1210', '2026-01-10', NULL, 'unsold', '2026-09-20', '2924', '2924', NULL, '91330100799655058B')$$),
    (40, $$INSERT INTO erp.export_return VALUES (40, '1210', '2026-01-10', NULL, 'unsold', '2026-07-10', '2924', '2924', NULL, '91330100799655058B')$$),
    -- a 9610 row's departure date plays no part: 6 months from the export date
    (37, $$INSERT INTO erp.export_return VALUES (37, '9610', '2026-01-10', '2026-03-20', 'unsold', '2026-09-20', '2924', '2924', NULL, '91330100799655058B')$$),
    -- an unreadable supervision code is reported before the window it decides
    (38, $$INSERT INTO erp.export_return VALUES (38, '12l0', '2026-01-10', '2026-03-20', 'unsold', '2026-09-20', '2924', '2924', NULL, '91330100799655058B')$$)
) AS t(n, q), LATERAL pg_temp.err(q) e ORDER BY n;

-- The check and the function agree on the 1210 deadline: for every
-- departure of a year and each reason, the deadline day is accepted and the
-- day after refused.
CREATE TEMP TABLE bonded_cases AS
SELECT 1000 + row_number() OVER (ORDER BY d, r) AS n, d AS left_on, r AS reason,
       cbreturn.bonded_export_return_deadline(d - 40, d, r) AS deadline
  FROM generate_series('2027-01-01'::date, '2027-12-31', '1 day') AS g(g), LATERAL (SELECT g::date AS d) x,
       unnest(enum_range(NULL::cbreturn.return_reason)) AS r;
SELECT count(*) AS cases,
       count(*) FILTER (WHERE pg_temp_ok) AS deadline_day_accepted,
       count(*) FILTER (WHERE pg_temp_late = 'CB001') AS day_after_refused
  FROM (SELECT (SELECT state FROM pg_temp.err(format(
                 $$INSERT INTO erp.export_return VALUES (%s, '1210', %L, %L, %L, %L, '2924', '2924', NULL, NULL)$$,
                 n, left_on - 40, left_on, reason, deadline))) = 'ok' AS pg_temp_ok,
               (SELECT state FROM pg_temp.err(format(
                 $$INSERT INTO erp.export_return VALUES (%s, '1210', %L, %L, %L, %L, '2924', '2924', NULL, NULL)$$,
                 n + 100000, left_on - 40, left_on, reason, deadline + 1))) AS pg_temp_late
          FROM bonded_cases) s;

-- ---------------------------------------------------------------------------
-- The registers are data: an edit is seen by the next statement
-- ---------------------------------------------------------------------------
BEGIN;
SELECT state FROM pg_temp.err($$INSERT INTO erp.export_return VALUES (41, '9610', '2026-03-01', NULL, 'unsold', '2026-05-01', '2924', '2924', NULL, '914403001922038216')$$);
INSERT INTO cbreturn.applicants VALUES ('914403001922038216', '4403960009', 'Test exporter D', '2026-04-01', NULL, 'added in the test');
SELECT state FROM pg_temp.err($$INSERT INTO erp.export_return VALUES (41, '9610', '2026-03-01', NULL, 'unsold', '2026-05-01', '2924', '2924', NULL, '914403001922038216')$$);
-- closing the registration before the return date refuses the next write
UPDATE cbreturn.applicants SET valid_to = '2026-04-30' WHERE uscc = '914403001922038216';
SELECT state FROM pg_temp.err($$UPDATE erp.export_return SET ret_reason = 'consumer_return' WHERE ret_no = 41$$);
TRUNCATE cbreturn.applicants;
SELECT state FROM pg_temp.err($$UPDATE erp.export_return SET ret_reason = 'unsold' WHERE ret_no = 1$$);
ROLLBACK;
SELECT state FROM pg_temp.err($$UPDATE erp.export_return SET ret_reason = 'unsold' WHERE ret_no = 1$$) AS after_rollback;

-- The same rules when the check fills a column (BEFORE ROW, no WHEN
-- clause), with the applicant column of type cbreturn.uscc.
CREATE TABLE erp.export_fill (
    ret_no int PRIMARY KEY, clear_date date, ret_reason cbreturn.return_reason, reenter date,
    memo text, agent cbreturn.uscc);
SELECT cbreturn.attach_export_return_checks('erp.export_fill', exported_on => 'clear_date',
    reason => 'ret_reason', returned_on => 'reenter', remarks => 'memo', fill_remarks => true,
    applicant => 'agent');
SELECT n, e.* FROM (VALUES
    (51, $$INSERT INTO erp.export_fill VALUES (51, '2026-03-01', 'unsold', '2026-05-01', NULL, '91330100799655058B')$$),
    (52, $$INSERT INTO erp.export_fill VALUES (52, '2026-03-01', 'unsold', '2026-07-01', NULL, '91440300708461136T')$$)
) AS t(n, q), LATERAL pg_temp.err(q) e ORDER BY n;
SELECT ret_no, memo FROM erp.export_fill ORDER BY ret_no;

-- The check and the lookup functions agree, row by row: every day from
-- 2024-12-01 to 2027-01-31, three applicants (registered with a lapse, not
-- yet registered, never registered) and two sites (one lapsing, one at
-- another office).
CREATE TABLE erp.agree (id int PRIMARY KEY, code text, clear_date date, ret_reason cbreturn.return_reason,
                        reenter date, decl_port cbreturn.customs_code, ret_port cbreturn.customs_code,
                        site text, agent cbreturn.uscc);
SELECT cbreturn.attach_export_return_checks('erp.agree', exported_on => 'clear_date', reason => 'ret_reason',
    returned_on => 'reenter', supervision_code => 'code', export_office => 'decl_port', return_office => 'ret_port',
    return_site => 'site', applicant => 'agent');
SELECT count(*) AS rows_compared,
       count(*) FILTER (WHERE accepted = (applicant_registered(u, d) AND (s IS NULL OR return_site_authorised(s, '5141', d)))) AS agree,
       count(*) FILTER (WHERE accepted) AS accepted
  FROM (SELECT n, u, s, d,
               (SELECT state FROM pg_temp.err(format(
                   $$INSERT INTO erp.agree VALUES (%s, '9610', %L, 'quality_or_spec', %L, '2924', %L, %L, %L)$$,
                   n, d - 10, d, CASE WHEN s IS NULL THEN '2924' ELSE '5141' END, s, u))) = 'ok' AS accepted
          FROM (SELECT row_number() OVER (ORDER BY g, u, s) AS n, g::date AS d, u, s
                  FROM generate_series('2024-12-01'::date, '2027-01-31', '1 day') AS g,
                       (VALUES ('91440300708461136T'::uscc), ('91110108551385082Q'), ('914403001922038216')) AS a(u),
                       (VALUES (NULL::text), ('SITE-GZ-07'), ('SITE-HZ-01')) AS t(s)) x) y;

-- The departure may be a timestamptz (R-T-1: its date in China counts, in
-- the order of the dates).
CREATE TABLE erp.export_tz (id int PRIMARY KEY, code text, clear_date date, leave_at timestamptz,
                            ret_reason cbreturn.return_reason, reenter date, decl_port cbreturn.customs_code,
                            ret_port cbreturn.customs_code);
SELECT cbreturn.attach_export_return_checks('erp.export_tz', exported_on => 'clear_date', reason => 'ret_reason',
    returned_on => 'reenter', supervision_code => 'code', export_office => 'decl_port', return_office => 'ret_port',
    left_special_area_on => 'leave_at');
SELECT n, e.state, e.message FROM (VALUES
    -- 2026-03-19 17:00 UTC is 2026-03-20 01:00 in China: a return on 2026-03-20 is not before it
    (121, $$INSERT INTO erp.export_tz VALUES (121, '1210', '2026-01-10', '2026-03-19 17:00+00', 'unsold', '2026-03-20', '2924', '2924')$$),
    -- 2026-03-20 17:00 UTC is 2026-03-21 01:00 in China: a return on 2026-03-20 is before it
    (122, $$INSERT INTO erp.export_tz VALUES (122, '1210', '2026-01-10', '2026-03-20 17:00+00', 'unsold', '2026-03-20', '2924', '2924')$$),
    -- 2026-03-20 15:00 UTC is still 2026-03-20 in China (23:00)
    (123, $$INSERT INTO erp.export_tz VALUES (123, '1210', '2026-01-10', '2026-03-20 15:00+00', 'unsold', '2026-03-20', '2924', '2924')$$)
) AS t(n, q), LATERAL pg_temp.err(q) e ORDER BY n;

-- The departure may be read from the declaration header (attach_header):
-- the window counts from the header's export date, and the header's guard
-- refuses a correction that would make a stored return late (an earlier
-- export date) or put it before the departure (a later departure).
CREATE TABLE erp.export_head (list_no text PRIMARY KEY, trade_mode text, office cbreturn.customs_code,
                              cleared date, left_at date);
CREATE TABLE erp.export_ret (id int PRIMARY KEY, list_no text, ret_reason cbreturn.return_reason, reenter date,
                             ret_port cbreturn.customs_code);
INSERT INTO erp.export_head VALUES ('L1', '1210', '2924', '2026-01-10', '2026-03-20');
SELECT cbreturn.attach_header('erp.export_ret', 'erp.export_head', '{list_no}', '{list_no}',
    exported_on => 'cleared', supervision_code => 'trade_mode', left_special_area_on => 'left_at',
    export_office => 'office');
SELECT cbreturn.attach_export_return_checks('erp.export_ret', exported_on => NULL, reason => 'ret_reason',
    returned_on => 'reenter', return_office => 'ret_port');
SELECT n, e.state, e.message FROM (VALUES
    (131, $$INSERT INTO erp.export_ret VALUES (131, 'L1', 'unsold', '2026-07-10', '2924')$$),
    (132, $$INSERT INTO erp.export_ret VALUES (132, 'L1', 'unsold', '2026-07-11', '2924')$$),
    (133, $$UPDATE erp.export_head SET left_at = '2026-07-11' WHERE list_no = 'L1'$$),
    (136, $$UPDATE erp.export_head SET cleared = '2026-01-09' WHERE list_no = 'L1'$$),
    (137, $$UPDATE erp.export_head SET left_at = '2026-06-30' WHERE list_no = 'L1'$$),
    -- a departure before the export declaration, read from the header: 22023 naming the table
    (134, $$INSERT INTO erp.export_head VALUES ('L2', '1210', '2924', '2026-03-20', '2026-01-10')$$),
    (135, $$INSERT INTO erp.export_ret VALUES (135, 'L2', 'unsold', '2026-05-01', '2924')$$)
) AS t(n, q), LATERAL pg_temp.err(q) e ORDER BY n;

-- A role that may update the row but not read the applicant column is not
-- shown the applicant: the error keeps its SQLSTATE and shows no value.
CREATE ROLE regress_cbr_regchk_clerk;
GRANT USAGE ON SCHEMA erp TO regress_cbr_regchk_clerk;
GRANT SELECT (ret_no, trade_mode, clear_date, leave_date, ret_reason, reenter, decl_port, ret_port, site),
      UPDATE (ret_reason) ON erp.export_return TO regress_cbr_regchk_clerk;
UPDATE cbreturn.applicants SET valid_to = '2026-04-30' WHERE uscc = '91330100799655058B';
SET ROLE regress_cbr_regchk_clerk;
SELECT * FROM pg_temp.err($$UPDATE erp.export_return SET ret_reason = 'consumer_return' WHERE ret_no = 1$$);
RESET ROLE;
UPDATE cbreturn.applicants SET valid_to = NULL WHERE uscc = '91330100799655058B';
REVOKE ALL ON erp.export_return FROM regress_cbr_regchk_clerk;
REVOKE ALL ON SCHEMA erp FROM regress_cbr_regchk_clerk;
DROP ROLE regress_cbr_regchk_clerk;

-- ---------------------------------------------------------------------------
-- Attach refuses what it cannot check (22023, 42804)
-- ---------------------------------------------------------------------------
CREATE TABLE erp.export_bad (id int PRIMARY KEY, clear_date date, ret_reason cbreturn.return_reason,
                             reenter date, trade_mode text, agent_no integer, site text, leave_date date);
SELECT n, e.* FROM (VALUES
    (61, $$SELECT cbreturn.attach_export_return_checks('erp.export_bad', 'clear_date', 'ret_reason', returned_on => 'reenter', return_site => 'site')$$),
    (62, $$SELECT cbreturn.attach_export_return_checks('erp.export_bad', 'clear_date', 'ret_reason', applicant => 'agent_no')$$),
    (63, $$SELECT cbreturn.attach_export_return_checks('erp.export_bad', 'clear_date', 'ret_reason', returned_on => 'reenter', left_special_area_on => 'leave_date')$$),
    (64, $$SELECT cbreturn.attach_export_return_checks('erp.export_bad', 'clear_date', 'ret_reason', returned_on => 'reenter', applicant => 'agent_no')$$),
    (65, $$SELECT cbreturn.attach_export_return_checks('erp.export_bad', 'clear_date', 'ret_reason', returned_on => 'reenter', deadline => 'leave_date', left_special_area_on => 'leave_date', supervision_code => 'trade_mode', export_office => 'site', return_office => 'site')$$)
) AS t(n, q), LATERAL pg_temp.err(q) e ORDER BY n;
SELECT count(*) AS nothing_left_behind FROM cbreturn.attached_check WHERE relation = 'erp.export_bad'::regclass;

-- A WHEN clause that does not pass an attached role (a trigger made by hand
-- in the form of 0.2.0) refuses the write rather than letting it through.
CREATE TABLE erp.export_hand (id int PRIMARY KEY, clear_date date, ret_reason cbreturn.return_reason,
                              reenter date, agent text);
SELECT cbreturn.attach_export_return_checks('erp.export_hand', 'clear_date', 'ret_reason',
                                            returned_on => 'reenter', applicant => 'agent');
DROP TRIGGER cbreturn_export_check ON erp.export_hand;
CREATE TRIGGER cbreturn_export_check AFTER INSERT OR UPDATE ON erp.export_hand FOR EACH ROW
    WHEN (NOT cbreturn._export_row_ok('erp.export_hand'::regclass, NEW.clear_date, NEW.ret_reason, NEW.reenter,
                                      NULL::text, NULL::text, NULL::text, NULL::text))
    EXECUTE FUNCTION cbreturn.export_return_check();
SELECT * FROM pg_temp.err($$INSERT INTO erp.export_hand VALUES (1, '2026-03-01', 'unsold', '2026-05-01', '91330100799655058B')$$);
SELECT cbreturn.detach('erp.export_hand');

-- ---------------------------------------------------------------------------
-- Import returns: R-IM-5 warehouse, R-IM-1 / R-IM-6 arrival place, R-IM-7
-- ---------------------------------------------------------------------------
INSERT INTO cbreturn.return_warehouses (warehouse_code, special_area, customs_office, operator_uscc, name,
                                        video_linked, wms, customs_interface, valid_from, valid_to) VALUES
    ('RCW-HZ-1', 'HZ-CBZ', '2991', '91440300192317458F', 'Test return centre 1', true, true, true, '2025-01-01', NULL),
    ('RCW-HZ-2', 'HZ-CBZ', '2991', '91110000802100433B', 'Test return centre 2', true, false, false, '2025-01-01', NULL),
    ('RCW-NB-1', 'NB-MSBZ', '3107', '91110000802100433B', 'Test return centre 3', true, true, true, '2025-01-01', NULL);
INSERT INTO cbreturn.operator_credit_ratings (uscc, rating, effective_from) VALUES
    ('91440300192317458F', 'general', '2024-01-01'),
    ('91440300192317458F', 'discredited', '2026-06-10');
INSERT INTO cbreturn.import_agents (enterprise_code, agent_uscc, role, name, valid_from, valid_to) VALUES
    ('3101W60001', '91330100799655058B', 'domestic_agent', 'Test domestic agent', '2025-01-01', NULL),
    ('3101W60001', '91440300708461136T', 'authorised_broker', 'Test customs broker', '2025-01-01', '2026-05-31');

CREATE TABLE erp.import_return (
    ret_no      int PRIMARY KEY,
    list_type   cbreturn.supervision_code,
    release_dt  date,
    apply_dt    date,
    arrive_dt   date,
    orig_place  text,
    arrive_at   text,
    decl_area   text,
    rcw         char(12),                           -- return-centre warehouse, padded
    ebc_code    cbreturn.customs_registration_code, -- the e-commerce enterprise
    agent       cbreturn.uscc
);
SELECT cbreturn.attach_import_return_checks('erp.import_return',
    released_on => 'release_dt', applied_on => 'apply_dt', arrived_on => 'arrive_dt',
    supervision_code => 'list_type', original_place => 'orig_place', arrival_place => 'arrive_at',
    declared_area => 'decl_area', warehouse => 'rcw', enterprise => 'ebc_code', applicant => 'agent');
SELECT check_kind, columns FROM cbreturn.attached_checks WHERE "table" = 'erp.import_return'::regclass;

SELECT n, e.* FROM (VALUES
    -- routed to a return centre of the original area, operator not discredited
    (71, $$INSERT INTO erp.import_return VALUES (71, '1210', '2026-06-01', '2026-06-05', '2026-06-09', 'HZ-CBZ', 'RCW-HZ-1', NULL, 'RCW-HZ-1', '3101W60001', '91330100799655058B')$$),
    -- the operator is discredited from 2026-06-10: the arrival date decides
    (72, $$INSERT INTO erp.import_return VALUES (72, '1210', '2026-06-01', '2026-06-05', '2026-06-10', 'HZ-CBZ', 'RCW-HZ-1', NULL, 'RCW-HZ-1', '3101W60001', '91330100799655058B')$$),
    -- no arrival yet: the application date decides
    (73, $$INSERT INTO erp.import_return VALUES (73, '1210', '2026-06-01', '2026-06-09', NULL, 'HZ-CBZ', NULL, NULL, 'RCW-HZ-1', '3101W60001', '91330100799655058B')$$),
    (74, $$INSERT INTO erp.import_return VALUES (74, '1210', '2026-06-01', '2026-06-12', NULL, 'HZ-CBZ', NULL, NULL, 'RCW-HZ-1', '3101W60001', '91330100799655058B')$$),
    -- not registered; in another area; lacking facilities; a 9610 return
    (75, $$INSERT INTO erp.import_return VALUES (75, '1210', '2026-06-01', '2026-06-05', NULL, 'HZ-CBZ', NULL, NULL, 'RCW-XX-9', '3101W60001', '91330100799655058B')$$),
    (76, $$INSERT INTO erp.import_return VALUES (76, '1210', '2026-06-01', '2026-06-05', NULL, 'HZ-CBZ', NULL, NULL, 'RCW-NB-1', '3101W60001', '91330100799655058B')$$),
    (77, $$INSERT INTO erp.import_return VALUES (77, '1210', '2026-06-01', '2026-06-05', NULL, 'HZ-CBZ', NULL, NULL, 'RCW-HZ-2', '3101W60001', '91330100799655058B')$$),
    (78, $$INSERT INTO erp.import_return VALUES (78, '9610', '2026-06-01', '2026-06-05', NULL, 'SITE-HZ-01', NULL, NULL, 'RCW-HZ-1', '3101W60001', '91330100799655058B')$$)
) AS t(n, q), LATERAL pg_temp.err(q) e ORDER BY n;

SELECT n, e.* FROM (VALUES
    -- R-IM-1: back to the original site
    (81, $$INSERT INTO erp.import_return VALUES (81, '9610', '2026-06-01', '2026-06-05', '2026-06-20', 'SITE-HZ-01', 'SITE-HZ-01', NULL, NULL, NULL, NULL)$$),
    (82, $$INSERT INTO erp.import_return VALUES (82, '9610', '2026-06-01', '2026-06-05', '2026-06-20', 'SITE-HZ-01', 'GZ-NSBZ', 'GZ-NSBZ', NULL, NULL, NULL)$$),
    -- R-IM-6: a 1210 return declared elsewhere arrives in the special area of declaration
    (83, $$INSERT INTO erp.import_return VALUES (83, '1210', '2026-06-01', '2026-06-05', '2026-06-20', 'HZ-CBZ', 'GZ-NSBZ', 'GZ-NSBZ', NULL, NULL, NULL)$$),
    (84, $$INSERT INTO erp.import_return VALUES (84, '1210', '2026-06-01', '2026-06-05', '2026-06-20', 'HZ-CBZ', 'GZ-NSBZ', NULL, NULL, NULL, NULL)$$),
    -- arriving at a return centre whose operator is discredited that day (R-IM-5 through R-IM-1)
    (85, $$INSERT INTO erp.import_return VALUES (85, '1210', '2026-06-01', '2026-06-05', '2026-06-20', 'HZ-CBZ', 'RCW-HZ-1', NULL, NULL, NULL, NULL)$$),
    -- the windows of R-IM-1 come first: a late arrival is CB001 wherever it arrives
    (86, $$INSERT INTO erp.import_return VALUES (86, '9610', '2026-06-01', '2026-06-05', '2026-07-17', 'SITE-HZ-01', 'GZ-NSBZ', NULL, NULL, NULL, NULL)$$)
) AS t(n, q), LATERAL pg_temp.err(q) e ORDER BY n;

SELECT n, e.* FROM (VALUES
    -- R-IM-7: the authorised broker until 2026-05-31, the domestic agent always
    (91, $$INSERT INTO erp.import_return VALUES (91, '9610', '2026-05-20', '2026-05-31', NULL, NULL, NULL, NULL, NULL, '3101W60001', '91440300708461136T')$$),
    (92, $$INSERT INTO erp.import_return VALUES (92, '9610', '2026-05-20', '2026-06-01', NULL, NULL, NULL, NULL, NULL, '3101W60001', '91440300708461136T')$$),
    (93, $$INSERT INTO erp.import_return VALUES (93, '9610', '2026-05-20', '2026-06-01', NULL, NULL, NULL, NULL, NULL, '3101W60002', '91330100799655058B')$$),
    -- not applied yet: who applies is not known to be wrong
    (94, $$INSERT INTO erp.import_return VALUES (94, '9610', '2026-05-20', NULL, '2026-06-01', NULL, NULL, NULL, NULL, '3101W60002', '91330100799655058B')$$)
) AS t(n, q), LATERAL pg_temp.err(q) e ORDER BY n;

-- Attach refuses incomplete register roles (22023).
CREATE TABLE erp.import_bad (id int PRIMARY KEY, release_dt date, apply_dt date, list_type text,
                             orig_place text, arrive_at text, ebc_code text, agent text);
SELECT n, e.* FROM (VALUES
    (101, $$SELECT cbreturn.attach_import_return_checks('erp.import_bad', 'release_dt', 'apply_dt', arrival_place => 'arrive_at', original_place => 'orig_place')$$),
    (102, $$SELECT cbreturn.attach_import_return_checks('erp.import_bad', 'release_dt', 'apply_dt', original_place => 'orig_place')$$),
    (103, $$SELECT cbreturn.attach_import_return_checks('erp.import_bad', 'release_dt', 'apply_dt', applicant => 'agent')$$),
    (104, $$SELECT cbreturn.attach_import_return_checks('erp.import_bad', 'release_dt', arrived_on => 'apply_dt', enterprise => 'ebc_code', applicant => 'agent')$$)
) AS t(n, q), LATERAL pg_temp.err(q) e ORDER BY n;

-- Record mode: each broken register rule is logged with its SQLSTATE and
-- the row is stored (the export check: R-EX-6, then R-EX-4 with the site set
-- aside; the import check: the R-IM-1 window, then the register rule).
SELECT cbreturn.set_on_violation('erp.export_return', 'export', 'record');
INSERT INTO erp.export_return VALUES (201, '9610', '2026-03-01', NULL, 'unsold', '2026-05-01', '2924', '5141', 'SITE-XX-99', '914403001922038216');
SELECT cbreturn.set_on_violation('erp.import_return', 'import', 'record');
INSERT INTO erp.import_return VALUES (202, '1210', '2026-06-01', '2026-07-05', NULL, 'HZ-CBZ', NULL, NULL, 'RCW-XX-9', NULL, NULL);
SELECT check_kind, row_key, rule_id, sqlstate, message
  FROM cbreturn.violation_log WHERE relation IN ('erp.export_return'::regclass, 'erp.import_return'::regclass)
 ORDER BY id;
SELECT (SELECT count(*) FROM erp.export_return WHERE ret_no = 201) AS export_stored,
       (SELECT count(*) FROM erp.import_return WHERE ret_no = 202) AS import_stored;

-- The explain function shows the arrival place step with the others.
SELECT step, rule_id, passed, seen
  FROM cbreturn.explain_registers('2026-06-20', import_enterprise => '3101W60001',
                                  import_applicant => '91440300708461136T', arrival_code => '1210',
                                  original_place => 'HZ-CBZ', arrival_place => 'RCW-HZ-1');

DROP SCHEMA erp CASCADE;
DELETE FROM cbreturn.applicants;
DELETE FROM cbreturn.return_sites;
DELETE FROM cbreturn.return_warehouses;
DELETE FROM cbreturn.operator_credit_ratings;
DELETE FROM cbreturn.import_agents;
