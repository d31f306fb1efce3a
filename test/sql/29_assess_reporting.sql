-- The reporting views of docs/reporting.md, as they are written there
-- (test/checks/doc_examples.sh keeps the two the same), on returns dated
-- relative to today's China date where the answer depends on the day, and
-- on fixed dates where it does not (relief is decided on the return date).
SET search_path = public, cbreturn;

CREATE SCHEMA erp;
CREATE TABLE erp.export_return (
    ret_no        text PRIMARY KEY,
    warehouse     text NOT NULL,
    trade_mode    supervision_code NOT NULL,
    decl_port     customs_code NOT NULL,
    clear_date    date NOT NULL,
    memo          text NOT NULL,              -- remarks: ZXTY / THTY / PGTY first (R-EX-2)
    reenter_date  date,                       -- NULL until the goods are back
    ret_port      customs_code,
    is_food       boolean NOT NULL DEFAULT false,
    intact        boolean,                    -- original state (R-TX-4); NULL until inspected
    goods_value   numeric(14, 2) NOT NULL
);

-- Every export return, assessed as of today's China date (R-T-1).
CREATE VIEW erp.export_return_assessed AS
SELECT r.ret_no, r.warehouse, r.reenter_date, r.goods_value, a.*
  FROM erp.export_return r
 CROSS JOIN LATERAL assess_export_return(
        r.trade_mode, r.clear_date, reason_from_remarks(r.memo), r.reenter_date,
        (now() AT TIME ZONE 'Asia/Shanghai')::date,
        r.decl_port, r.ret_port, r.is_food, r.intact) a;

-- Open returns per warehouse: what is still out, what is due soon, what is late.
CREATE VIEW erp.open_returns_per_warehouse AS
SELECT warehouse,
       count(*) FILTER (WHERE status = 'open') AS open,
       count(*) FILTER (WHERE status = 'due_soon') AS due_soon,
       count(*) FILTER (WHERE status = 'overdue') AS overdue,
       min(deadline) AS next_deadline
  FROM erp.export_return_assessed
 WHERE status IN ('open', 'due_soon', 'overdue')
 GROUP BY warehouse;

-- Tax relief per month of return: how many and how much was relieved, how
-- many are refused, and how many cannot be decided yet (an input missing).
CREATE VIEW erp.relief_per_month AS
SELECT date_trunc('month', reenter_date)::date AS month,
       count(*) AS returned,
       count(*) FILTER (WHERE (tax_relief).relieved) AS relieved,
       coalesce(sum(goods_value) FILTER (WHERE (tax_relief).relieved), 0) AS relieved_value,
       count(*) FILTER (WHERE NOT (tax_relief).relieved) AS refused,
       count(*) FILTER (WHERE tax_relief IS NULL) AS undecided
  FROM erp.export_return_assessed
 WHERE reenter_date IS NOT NULL
 GROUP BY date_trunc('month', reenter_date);

-- today's China date (R-T-1), as the view computes it
CREATE FUNCTION pg_temp.today() RETURNS date LANGUAGE sql STABLE
    AS $$ SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date $$;

INSERT INTO erp.export_return (ret_no, warehouse, trade_mode, decl_port, clear_date, memo, reenter_date, ret_port, is_food, intact, goods_value) VALUES
    -- still out: open (6 months ahead), due soon (6 months end in 1 to 4 days), overdue
    ('A1', 'Hangzhou W1', '9610', '2924', pg_temp.today() - 10,  'ZXTY', NULL, NULL, false, NULL, 10),
    ('A2', 'Hangzhou W1', '9610', '2924', pg_temp.today() - 180, 'ZXTY', NULL, NULL, false, NULL, 20),
    ('A3', 'Hangzhou W1', '9610', '2924', pg_temp.today() - 200, 'THTY', NULL, NULL, false, NULL, 30),
    ('B1', 'Ningbo W2',   '9610', '3101', pg_temp.today() - 200, 'PGTY quality', NULL, NULL, false, NULL, 40),
    -- back: relieved, undecided (not inspected), refused (late, R-TX-2), refused (not intact, R-TX-4)
    ('R1', 'Hangzhou W1', '9610', '2924', '2026-01-10', 'ZXTY', '2026-03-01', '2924', false, true,  100.50),
    ('R2', 'Hangzhou W1', '9610', '2924', '2026-01-10', 'THTY', '2026-03-15', '5316', false, NULL,  200),
    ('R3', 'Ningbo W2',   '9610', '3101', '2025-03-01', 'THTY', '2025-09-02', '3101', false, true,  300),
    ('R4', 'Ningbo W2',   '9710', '3101', '2026-01-05', 'ZXTY', '2026-03-20', '3101', false, false, 400),
    ('R5', 'Ningbo W2',   '9610', '3101', '2026-02-01', 'PGTY', '2026-03-31', '3101', false, true,  50);

SELECT warehouse, open, due_soon, overdue, next_deadline IS NOT NULL AS has_next
  FROM erp.open_returns_per_warehouse ORDER BY warehouse COLLATE "C";
SELECT * FROM erp.relief_per_month ORDER BY month;
-- the view assesses each row as the rule functions do
SELECT ret_no, status, remark_code, cross_customs_allowed, (tax_relief).relieved, (tax_relief).failed, missing
  FROM erp.export_return_assessed ORDER BY ret_no COLLATE "C";
-- and the relief is export_tax_relief's own answer
SELECT count(*) AS differs
  FROM erp.export_return r JOIN erp.export_return_assessed a USING (ret_no)
 WHERE a.tax_relief IS DISTINCT FROM
       export_tax_relief(r.trade_mode, r.clear_date, r.reenter_date, reason_from_remarks(r.memo), r.is_food, r.intact);

-- A role that may read only some columns of the returns cannot read the
-- others through the views or the assessment: the LATERAL query runs with
-- its rights.
CREATE ROLE cbr_report_clerk;
GRANT USAGE ON SCHEMA erp TO cbr_report_clerk;
GRANT SELECT (ret_no, warehouse) ON erp.export_return TO cbr_report_clerk;
SET ROLE cbr_report_clerk;
SELECT regress.try($$SELECT count(*) FROM erp.export_return r
                      CROSS JOIN LATERAL cbreturn.assess_export_return(r.trade_mode, r.clear_date, NULL, r.reenter_date, '2026-04-01') a$$);
SELECT count(*) AS rows_counted FROM erp.export_return;
RESET ROLE;

DROP SCHEMA erp CASCADE;
DROP ROLE cbr_report_clerk;
