-- The rules engine: functions that compute what customs would answer.
-- docs/rules.md documents each function with its rule ids and examples.
--
-- IMMUTABLE functions depend on their arguments only (the statutory windows
-- are constants of the release: a change of law is a new release).  STABLE
-- functions read the policy tables through the per-backend cache of policy.c.

-- ---------------------------------------------------------------------------
-- Deadlines (R-P-1, R-EX-1, R-IM-1)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.export_return_deadline(exported_on date, reason cbreturn.return_reason)
    RETURNS date
    AS 'MODULE_PATHNAME', 'export_return_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.export_return_deadline(date, cbreturn.return_reason) IS
    'last day (inclusive) a returned export may re-enter: 1 year for quality_or_spec, 6 months otherwise (R-EX-1, R-P-1)';

-- R-EX-1 for a 1210 export from a special area or bonded logistics centre B:
-- the window counts from the export date, as for every code; the departure
-- (R-TX-2, seed 003 art. 1) starts the tax relief period and only orders the dates.
CREATE FUNCTION cbreturn.bonded_export_return_deadline(exported_on date, left_special_area_on date,
                                                       reason cbreturn.return_reason)
    RETURNS date
    AS 'MODULE_PATHNAME', 'bonded_export_return_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.bonded_export_return_deadline(date, date, cbreturn.return_reason) IS
    'last day (inclusive) a 1210 export whose departure from the special area is known may re-enter: the R-EX-1 window counted from the export date, as for every code (R-P-1); the departure starts only the R-TX-2 relief period and may not precede the export';

CREATE FUNCTION cbreturn.import_apply_deadline(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'import_apply_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_apply_deadline(date) IS
    'last day (inclusive) to file a CBEC retail import return: release + 30 days (R-IM-1, R-P-1)';

CREATE FUNCTION cbreturn.import_arrival_deadline(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'import_arrival_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_arrival_deadline(date) IS
    'last day (inclusive) for returned CBEC retail imports to arrive: release + 45 days (R-IM-1, R-P-1)';

-- R-P-2 variants (off unless called): a deadline on a rest day moves to the
-- next working day of cbreturn.holidays.
CREATE FUNCTION cbreturn.export_return_deadline_holiday_adjusted(exported_on date, reason cbreturn.return_reason)
    RETURNS date
    AS 'MODULE_PATHNAME', 'export_return_deadline_holiday_adjusted'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.export_return_deadline_holiday_adjusted(date, cbreturn.return_reason) IS
    'export_return_deadline moved to the next working day when it falls on a rest day (R-EX-1, R-P-2; unverified for customs)';

CREATE FUNCTION cbreturn.import_apply_deadline_holiday_adjusted(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'import_apply_deadline_holiday_adjusted'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_apply_deadline_holiday_adjusted(date) IS
    'import_apply_deadline moved to the next working day when it falls on a rest day (R-IM-1, R-P-2; unverified for customs)';

CREATE FUNCTION cbreturn.import_arrival_deadline_holiday_adjusted(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'import_arrival_deadline_holiday_adjusted'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_arrival_deadline_holiday_adjusted(date) IS
    'import_arrival_deadline moved to the next working day when it falls on a rest day (R-IM-1, R-P-2; unverified for customs)';

CREATE FUNCTION cbreturn.is_rest_day(day date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'is_rest_day'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.is_rest_day(date) IS
    'true on a holiday of cbreturn.holidays, or a weekend day not listed as a make-up working day (R-P-2)';

CREATE FUNCTION cbreturn.next_working_day(day date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'next_working_day'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.next_working_day(date) IS
    'the day itself if it is a working day, else the next working day by cbreturn.holidays (R-P-2)';

-- ---------------------------------------------------------------------------
-- Remark codes (R-EX-2)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.remark_code(reason cbreturn.return_reason)
    RETURNS text
    AS 'MODULE_PATHNAME', 'remark_code'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.remark_code(cbreturn.return_reason) IS
    'code for the first position of the return form remarks: ZXTY unsold, THTY consumer_return, PGTY quality_or_spec (R-EX-2)';

CREATE FUNCTION cbreturn.reason_from_remarks(remarks text)
    RETURNS cbreturn.return_reason
    AS 'MODULE_PATHNAME', 'reason_from_remarks'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.reason_from_remarks(text) IS
    'reason named by ZXTY/THTY/PGTY at the first position of a remarks text (leading spaces and any case accepted), NULL if none (R-EX-2)';

-- ---------------------------------------------------------------------------
-- Cross-customs-area export returns (R-EX-5)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.cross_customs_return_allowed(code cbreturn.supervision_code,
                                                      export_office cbreturn.customs_code,
                                                      return_office cbreturn.customs_code,
                                                      returned_on date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cross_customs_return_allowed'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.cross_customs_return_allowed(cbreturn.supervision_code, cbreturn.customs_code,
                                                          cbreturn.customs_code, date) IS
    'may the return re-enter through return_office: same district always; otherwise 9610 only, from the nationwide date or between pilot districts (R-EX-5)';

-- ---------------------------------------------------------------------------
-- Tax relief on returned exports (R-TX-1 ... R-TX-6)
-- ---------------------------------------------------------------------------
CREATE TYPE cbreturn.tax_relief AS (
    relieved                    boolean,
    import_duty_exempt          boolean,
    import_vat_exempt           boolean,
    consumption_tax_exempt      boolean,
    export_duty_refund          boolean,
    rebate_repayment_required   boolean,
    evidence_required           text,
    basis                       text,
    failed                      text[],
    -- last, as ALTER TYPE ... ADD ATTRIBUTE put it on upgrade from 0.2.0
    tax_certificate_required    boolean
);
COMMENT ON TYPE cbreturn.tax_relief IS
    'answer of export_tax_relief: which taxes are exempt or refunded, rebate repayment and the tax certificate (R-TX-3), evidence (R-TX-5), legal basis, rule ids not met';

-- ordinary: the return is declared as ordinary returned goods (e.g. 4561),
-- outside the CBEC return procedure; the announcements do not relieve it
-- (R-TX-2) and the answer says so in its basis (issue 12, item 4).
CREATE FUNCTION cbreturn.export_tax_relief(code cbreturn.supervision_code, exported_on date, returned_on date,
                                           reason cbreturn.return_reason, is_food boolean,
                                           original_state boolean,
                                           left_special_area_on date DEFAULT NULL,
                                           rebate_claimed boolean DEFAULT false,
                                           ordinary boolean DEFAULT false)
    RETURNS cbreturn.tax_relief
    AS 'MODULE_PATHNAME', 'export_tax_relief'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.export_tax_relief(cbreturn.supervision_code, date, date, cbreturn.return_reason,
                                               boolean, boolean, date, boolean, boolean) IS
    'tax relief on a returned export: announcement route for unsold/consumer returns (R-TX-1, R-TX-2, R-TX-4), statutory route for quality/spec (R-TX-6); R-TX-3, R-TX-5; an ordinary return (ordinary => true) is taxed outside R-TX-6, its basis says why';

CREATE FUNCTION cbreturn.export_tax_relieved(code cbreturn.supervision_code, exported_on date, returned_on date,
                                             reason cbreturn.return_reason, is_food boolean,
                                             original_state boolean,
                                             left_special_area_on date DEFAULT NULL,
                                             rebate_claimed boolean DEFAULT false,
                                             ordinary boolean DEFAULT false)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'export_tax_relieved'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.export_tax_relieved(cbreturn.supervision_code, date, date, cbreturn.return_reason,
                                                 boolean, boolean, date, boolean, boolean) IS
    '(export_tax_relief(...)).relieved without forming the row, for scans: the same decision (R-TX-1 ... R-TX-6)';

-- ---------------------------------------------------------------------------
-- Retail import returns (R-IM-1 ... R-IM-4)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.import_return_on_time(released_on date, applied_on date, arrived_on date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'import_return_on_time'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_return_on_time(date, date, date) IS
    'true when the application is within 30 days and the arrival within 45 days of the release of the import list; false once a recorded date is late (a late application whether or not the goods arrived); NULL while a date that decides is not recorded (R-IM-1)';

CREATE TYPE cbreturn.import_tax AS (
    within_limits   boolean,
    tariff          numeric,
    consumption_tax numeric,
    import_vat      numeric,
    total           numeric,
    basis           text
);
COMMENT ON TYPE cbreturn.import_tax IS
    'tax carried by a CBEC retail import (R-IM-4), and so refunded by a released return of it (R-IM-3)';

CREATE FUNCTION cbreturn.import_retail_tax(customs_value numeric, vat_rate numeric,
                                           consumption_tax_rate numeric DEFAULT 0,
                                           annual_used numeric DEFAULT 0)
    RETURNS cbreturn.import_tax
    AS 'MODULE_PATHNAME', 'import_retail_tax'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_retail_tax(numeric, numeric, numeric, numeric) IS
    'tariff 0, import VAT and consumption tax at 70 % within the limits (R-IM-4); a released return refunds it (R-IM-3)';

CREATE FUNCTION cbreturn.import_annual_amount_after_return(annual_used numeric, returned_value numeric)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'import_annual_amount_after_return'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_annual_amount_after_return(numeric, numeric) IS
    'consumer''s annual cumulative amount after a released return: annual_used - returned_value (R-IM-3)';

CREATE FUNCTION cbreturn.import_annual_quota_remaining(annual_used numeric)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'import_annual_quota_remaining'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_annual_quota_remaining(numeric) IS
    'what is left of the annual limit (rule parameter import_limit_per_year, CNY 26,000), never below 0 (R-IM-4)';

-- R-IM-3 with the status of a recorded return (rules section 6): nothing is
-- refunded or restored before customs releases the return, nothing ever when
-- it is rejected; the quota restored is that of the purchase's calendar year.
-- ordinary: an ordinary (taxed) return, declared outside the CBEC retail
-- import return procedure, restores nothing (issue 12, item 4).
CREATE FUNCTION cbreturn.import_annual_amount_after_return(annual_used numeric, returned_value numeric,
                                                           purchased_on date, amount_year integer,
                                                           status text, ordinary boolean DEFAULT false)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'import_annual_amount_after_return_in_year'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_annual_amount_after_return(numeric, numeric, date, integer, text, boolean) IS
    'consumer''s annual cumulative amount of amount_year after a recorded return: reduced by returned_value once the return is released and amount_year is the calendar year of the purchase, unchanged otherwise and for an ordinary return (R-IM-3)';

CREATE TYPE cbreturn.import_effect AS (
    effect          text,
    tax_refunded    boolean,
    quota_year      integer,
    quota_restored  numeric,
    basis           text
);
COMMENT ON TYPE cbreturn.import_effect IS
    'answer of import_return_effect: not_yet, applied or never; whether the tax is refunded; the calendar year whose annual amount is restored and by how much (R-IM-3)';

-- STABLE: its basis follows the language setting (docs/i18n.md).
CREATE FUNCTION cbreturn.import_return_effect(purchased_on date, returned_value numeric, status text,
                                              ordinary boolean DEFAULT false)
    RETURNS cbreturn.import_effect
    AS 'MODULE_PATHNAME', 'import_return_effect'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_return_effect(date, numeric, text, boolean) IS
    'what a recorded retail import return has done (R-IM-3, rules section 6): applied once released (tax refunded, quota of the purchase year restored), not_yet before, never when rejected or an ordinary (taxed) return';

-- ---------------------------------------------------------------------------
-- Status of a return, for reporting tools (rules section 6)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.return_status(deadline date, returned_on date, as_of date,
                                       due_soon_days integer DEFAULT 7)
    RETURNS text
    AS 'MODULE_PATHNAME', 'return_status'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.return_status(date, date, date, integer) IS
    'open, due_soon, overdue, closed_on_time or closed_late as of a day; returned_on NULL = not returned (R-P-1: the deadline day is on time)';

CREATE FUNCTION cbreturn.return_days_left(deadline date, returned_on date, as_of date)
    RETURNS integer
    AS 'MODULE_PATHNAME', 'return_days_left'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.return_days_left(date, date, date) IS
    'deadline minus as_of for an open return (negative: overdue); deadline minus returned_on for a closed one';

-- ---------------------------------------------------------------------------
-- Explain: one row per rule checked.  STABLE: the texts follow the language
-- setting (cbreturn.language, lc_messages; docs/i18n.md).
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.explain_export_return_deadline(exported_on date, reason cbreturn.return_reason,
                                                        returned_on date DEFAULT NULL,
                                                        OUT step integer, OUT rule_id text, OUT passed boolean,
                                                        OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_export_return_deadline'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.explain_export_return_deadline(date, cbreturn.return_reason, date) IS
    'the rules behind export_return_deadline (R-EX-2, R-P-1, R-EX-1), one row per rule checked';

CREATE FUNCTION cbreturn.explain_bonded_export_return_deadline(exported_on date, left_special_area_on date,
                                                               reason cbreturn.return_reason,
                                                               returned_on date DEFAULT NULL,
                                                               OUT step integer, OUT rule_id text, OUT passed boolean,
                                                               OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_bonded_export_return_deadline'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.explain_bonded_export_return_deadline(date, date, cbreturn.return_reason, date) IS
    'the rules behind bonded_export_return_deadline (R-EX-2, R-TX-2, R-P-1, R-EX-1), one row per rule checked';

CREATE FUNCTION cbreturn.explain_import_return(released_on date, applied_on date DEFAULT NULL,
                                               arrived_on date DEFAULT NULL,
                                               OUT step integer, OUT rule_id text, OUT passed boolean,
                                               OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_import_return'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.explain_import_return(date, date, date) IS
    'the rules behind import_return_on_time (R-IM-1), one row per deadline checked';

-- ordinary: as import_return_effect's (issue 12, item 4), for the same verdict.
CREATE FUNCTION cbreturn.explain_import_return_effect(purchased_on date, returned_value numeric, status text,
                                                      ordinary boolean DEFAULT false,
                                                      OUT step integer, OUT rule_id text, OUT passed boolean,
                                                      OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_import_return_effect'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.explain_import_return_effect(date, numeric, text, boolean) IS
    'the rules behind import_return_effect (R-IM-3, rules section 6): one row for the status (or the ordinary return), one for the annual amount';

CREATE FUNCTION cbreturn.explain_cross_customs_return(code cbreturn.supervision_code,
                                                      export_office cbreturn.customs_code,
                                                      return_office cbreturn.customs_code,
                                                      returned_on date,
                                                      OUT step integer, OUT rule_id text, OUT passed boolean,
                                                      OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_cross_customs_return'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.explain_cross_customs_return(cbreturn.supervision_code, cbreturn.customs_code,
                                                          cbreturn.customs_code, date) IS
    'the rules behind cross_customs_return_allowed (R-ID-2, R-EX-5), one row per check';

CREATE FUNCTION cbreturn.explain_export_tax_relief(code cbreturn.supervision_code, exported_on date,
                                                   returned_on date, reason cbreturn.return_reason,
                                                   is_food boolean, original_state boolean,
                                                   left_special_area_on date DEFAULT NULL,
                                                   rebate_claimed boolean DEFAULT false,
                                                   ordinary boolean DEFAULT false,
                                                   OUT step integer, OUT rule_id text, OUT passed boolean,
                                                   OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_export_tax_relief'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.explain_export_tax_relief(cbreturn.supervision_code, date, date,
                                                       cbreturn.return_reason, boolean, boolean, date, boolean,
                                                       boolean) IS
    'the rules behind export_tax_relief (R-TX-1 ... R-TX-6), one row per check';
