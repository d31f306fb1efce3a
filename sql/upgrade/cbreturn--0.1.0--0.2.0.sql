-- cbreturn 0.1.0 -> 0.2.0.  Run by ALTER EXTENSION cbreturn UPDATE; attached
-- checks (their triggers and metadata) are kept.  Each section below names the
-- change it carries; test/checks/upgrade.sh requires the result to equal a
-- fresh 0.2.0 install.
\echo Use "ALTER EXTENSION cbreturn UPDATE" to load this file. \quit

-- Core rebuild (decision layer): the C symbol of every SQL-callable function of
-- the rules engine is its SQL name; re-point the 0.1.0 definitions to them.
CREATE OR REPLACE FUNCTION cbreturn.export_return_deadline(exported_on date, reason cbreturn.return_reason)
    RETURNS date
    AS 'MODULE_PATHNAME', 'export_return_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.import_apply_deadline(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'import_apply_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.import_arrival_deadline(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'import_arrival_deadline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.export_return_deadline_holiday_adjusted(exported_on date, reason cbreturn.return_reason)
    RETURNS date
    AS 'MODULE_PATHNAME', 'export_return_deadline_holiday_adjusted'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.import_apply_deadline_holiday_adjusted(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'import_apply_deadline_holiday_adjusted'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.import_arrival_deadline_holiday_adjusted(released_on date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'import_arrival_deadline_holiday_adjusted'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.is_rest_day(day date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'is_rest_day'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.next_working_day(day date)
    RETURNS date
    AS 'MODULE_PATHNAME', 'next_working_day'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.remark_code(reason cbreturn.return_reason)
    RETURNS text
    AS 'MODULE_PATHNAME', 'remark_code'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.reason_from_remarks(remarks text)
    RETURNS cbreturn.return_reason
    AS 'MODULE_PATHNAME', 'reason_from_remarks'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.cross_customs_return_allowed(code cbreturn.supervision_code,
                                                      export_office cbreturn.customs_code,
                                                      return_office cbreturn.customs_code,
                                                      returned_on date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'cross_customs_return_allowed'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.export_tax_relief(code cbreturn.supervision_code, exported_on date, returned_on date,
                                           reason cbreturn.return_reason, is_food boolean,
                                           original_state boolean,
                                           left_special_area_on date DEFAULT NULL,
                                           rebate_claimed boolean DEFAULT false)
    RETURNS cbreturn.tax_relief
    AS 'MODULE_PATHNAME', 'export_tax_relief'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.import_return_on_time(released_on date, applied_on date, arrived_on date)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'import_return_on_time'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.import_retail_tax(customs_value numeric, vat_rate numeric,
                                           consumption_tax_rate numeric DEFAULT 0,
                                           annual_used numeric DEFAULT 0)
    RETURNS cbreturn.import_tax
    AS 'MODULE_PATHNAME', 'import_retail_tax'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.import_annual_amount_after_return(annual_used numeric, returned_value numeric)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'import_annual_amount_after_return'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.import_annual_quota_remaining(annual_used numeric)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'import_annual_quota_remaining'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.return_status(deadline date, returned_on date, as_of date,
                                       due_soon_days integer DEFAULT 7)
    RETURNS text
    AS 'MODULE_PATHNAME', 'return_status'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.return_days_left(deadline date, returned_on date, as_of date)
    RETURNS integer
    AS 'MODULE_PATHNAME', 'return_days_left'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.explain_export_return_deadline(exported_on date, reason cbreturn.return_reason,
                                                        returned_on date DEFAULT NULL,
                                                        OUT step integer, OUT rule_id text, OUT passed boolean,
                                                        OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_export_return_deadline'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.explain_import_return(released_on date, applied_on date DEFAULT NULL,
                                               arrived_on date DEFAULT NULL,
                                               OUT step integer, OUT rule_id text, OUT passed boolean,
                                               OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_import_return'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.explain_cross_customs_return(code cbreturn.supervision_code,
                                                      export_office cbreturn.customs_code,
                                                      return_office cbreturn.customs_code,
                                                      returned_on date,
                                                      OUT step integer, OUT rule_id text, OUT passed boolean,
                                                      OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_cross_customs_return'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cbreturn.explain_export_tax_relief(code cbreturn.supervision_code, exported_on date,
                                                   returned_on date, reason cbreturn.return_reason,
                                                   is_food boolean, original_state boolean,
                                                   left_special_area_on date DEFAULT NULL,
                                                   rebate_claimed boolean DEFAULT false,
                                                   OUT step integer, OUT rule_id text, OUT passed boolean,
                                                   OUT seen text, OUT basis text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'explain_export_tax_relief'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;

-- The write-time checks and the policy-cache trigger: their C symbols are their
-- SQL names (the WHEN functions and _attached_changed keep cbr_ names, as C
-- reserves identifiers that begin with an underscore).
CREATE OR REPLACE FUNCTION cbreturn.policy_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'policy_changed' LANGUAGE C;
CREATE OR REPLACE FUNCTION cbreturn.export_return_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'export_return_check' LANGUAGE C;
CREATE OR REPLACE FUNCTION cbreturn.import_return_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'import_return_check' LANGUAGE C;
CREATE OR REPLACE FUNCTION cbreturn.status_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'status_check' LANGUAGE C;
