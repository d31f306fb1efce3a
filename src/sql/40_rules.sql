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
    AS 'MODULE_PATHNAME', 'cbr_export_return_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.export_return_deadline(date, cbreturn.return_reason) IS
    'last day (inclusive) a returned export may re-enter: 1 year for quality_or_spec, 6 months otherwise (R-EX-1, R-P-1)';

CREATE FUNCTION cbreturn.import_apply_deadline(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'cbr_import_apply_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_apply_deadline(date) IS
    'last day (inclusive) to file a CBEC retail import return: release + 30 days (R-IM-1, R-P-1)';

CREATE FUNCTION cbreturn.import_arrival_deadline(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'cbr_import_arrival_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_arrival_deadline(date) IS
    'last day (inclusive) for returned CBEC retail imports to arrive: release + 45 days (R-IM-1, R-P-1)';

-- R-P-2 variants (off unless called): a deadline on a rest day moves to the
-- next working day of cbreturn.holidays.
CREATE FUNCTION cbreturn.export_return_deadline_holiday_adjusted(exported_on date, reason cbreturn.return_reason)
    RETURNS date
    AS 'MODULE_PATHNAME', 'cbr_export_return_deadline_holiday'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.export_return_deadline_holiday_adjusted(date, cbreturn.return_reason) IS
    'export_return_deadline moved to the next working day when it falls on a rest day (R-EX-1, R-P-2; unverified for customs)';

CREATE FUNCTION cbreturn.import_apply_deadline_holiday_adjusted(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'cbr_import_apply_deadline_holiday'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_apply_deadline_holiday_adjusted(date) IS
    'import_apply_deadline moved to the next working day when it falls on a rest day (R-IM-1, R-P-2; unverified for customs)';

CREATE FUNCTION cbreturn.import_arrival_deadline_holiday_adjusted(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'cbr_import_arrival_deadline_holiday'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.import_arrival_deadline_holiday_adjusted(date) IS
    'import_arrival_deadline moved to the next working day when it falls on a rest day (R-IM-1, R-P-2; unverified for customs)';

CREATE FUNCTION cbreturn.is_rest_day(day date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cbr_is_rest_day_sql'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.is_rest_day(date) IS
    'true on a holiday of cbreturn.holidays, or a weekend day not listed as a make-up working day (R-P-2)';

CREATE FUNCTION cbreturn.next_working_day(day date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'cbr_next_working_day_sql'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.next_working_day(date) IS
    'the day itself if it is a working day, else the next working day by cbreturn.holidays (R-P-2)';

-- ---------------------------------------------------------------------------
-- Remark codes (R-EX-2)
-- ---------------------------------------------------------------------------
CREATE FUNCTION cbreturn.remark_code(reason cbreturn.return_reason)
    RETURNS text
    AS 'MODULE_PATHNAME', 'cbr_remark_code_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.remark_code(cbreturn.return_reason) IS
    'code for the first position of the return form remarks: ZXTY unsold, THTY consumer_return, PGTY quality_or_spec (R-EX-2)';

CREATE FUNCTION cbreturn.reason_from_remarks(remarks text)
    RETURNS cbreturn.return_reason
    AS 'MODULE_PATHNAME', 'cbr_reason_from_remarks_sql'
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
    AS 'MODULE_PATHNAME', 'cbr_cross_customs_return_allowed'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.cross_customs_return_allowed(cbreturn.supervision_code, cbreturn.customs_code,
                                                          cbreturn.customs_code, date) IS
    'may the return re-enter through return_office: same district always; otherwise 9610 only, from the nationwide date or between pilot districts (R-EX-5)';
