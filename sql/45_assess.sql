-- The one-call assessment of a return, for reporting (docs/reporting.md).
-- The C side is src/sql_api/assess.c: every field is the verdict of the rule
-- function that decides it, so the assessment cannot disagree with them.
-- Over a table: a LATERAL join in the caller's own query (docs/reporting.md).

CREATE TYPE cbreturn.export_assessment AS (
    deadline              date,
    days_left             integer,
    status                text,
    remark_code           text,
    cross_customs_allowed boolean,
    tax_relief            cbreturn.tax_relief,
    evidence              text[],
    missing               text[]
);
COMMENT ON TYPE cbreturn.export_assessment IS
    'answer of assess_export_return: R-EX-1 deadline, days left and status on a day, R-EX-2 remark code, R-EX-5 verdict, R-TX relief with its R-TX-5 evidence items, the inputs that were missing';

CREATE FUNCTION cbreturn.assess_export_return(code cbreturn.supervision_code,
                                              exported_on date,
                                              reason cbreturn.return_reason,
                                              returned_on date,
                                              as_of date,
                                              export_office cbreturn.customs_code DEFAULT NULL,
                                              return_office cbreturn.customs_code DEFAULT NULL,
                                              is_food boolean DEFAULT NULL,
                                              original_state boolean DEFAULT NULL,
                                              left_special_area_on date DEFAULT NULL,
                                              rebate_claimed boolean DEFAULT false,
                                              due_soon_days integer DEFAULT 7,
                                              ordinary boolean DEFAULT false)
    RETURNS cbreturn.export_assessment
    AS 'MODULE_PATHNAME', 'assess_export_return'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.assess_export_return(cbreturn.supervision_code, date, cbreturn.return_reason, date, date,
                                                  cbreturn.customs_code, cbreturn.customs_code, boolean, boolean,
                                                  date, boolean, integer, boolean) IS
    'every verdict on one export return as of a day (R-EX-1, R-EX-2, R-EX-5, R-TX); returned_on NULL = not returned yet; a NULL input leaves NULL only the fields that need it and is listed in missing; ordinary => true: an ordinary (taxed) return, outside R-EX-1 and R-EX-2 (no deadline nor remark code, status ordinary), whose tax_relief says it is taxed';

CREATE TYPE cbreturn.import_assessment AS (
    apply_deadline     date,
    arrival_deadline   date,
    apply_days_left    integer,
    arrival_days_left  integer,
    apply_status       text,
    arrival_status     text,
    status             text,
    days_left          integer,
    on_time            boolean,
    missing            text[]
);
COMMENT ON TYPE cbreturn.import_assessment IS
    'answer of assess_import_return: both R-IM-1 deadlines, each window''s days left and status on a day, the return''s status over both, on_time so far, the inputs that were missing';

CREATE FUNCTION cbreturn.assess_import_return(released_on date, applied_on date, arrived_on date, as_of date,
                                              due_soon_days integer DEFAULT 7,
                                              ordinary boolean DEFAULT false)
    RETURNS cbreturn.import_assessment
    AS 'MODULE_PATHNAME', 'assess_import_return'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION cbreturn.assess_import_return(date, date, date, date, integer, boolean) IS
    'both R-IM-1 windows of one retail import return as of a day: overdue as soon as either is late, closed when both are; applied_on / arrived_on NULL = not yet; ordinary => true: an ordinary (taxed) return, outside R-IM-1 (no deadlines, status ordinary)';
