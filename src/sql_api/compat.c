/*
 * compat.c
 *		The C symbols of release 0.1.0, kept so that a database created with
 *		0.1.0 keeps working with this module until ALTER EXTENSION cbreturn
 *		UPDATE re-points its functions to the symbols named after their SQL
 *		names (sql/upgrade/cbreturn--0.1.0--0.2.0.sql).  PostgreSQL resolves
 *		the symbol of a C function when it is created or first called, so a
 *		0.1.0 install script run against this module, and a 0.1.0 catalog
 *		restored from a dump, need them.  Nothing else calls them.
 */
#include "postgres.h"
#include "fmgr.h"

#define CBR_COMPAT(old, new) \
	extern Datum new(PG_FUNCTION_ARGS); \
	PG_FUNCTION_INFO_V1(old); \
	Datum old(PG_FUNCTION_ARGS) { return new(fcinfo); }

CBR_COMPAT(cbr_export_return_deadline, export_return_deadline)
CBR_COMPAT(cbr_import_apply_deadline, import_apply_deadline)
CBR_COMPAT(cbr_import_arrival_deadline, import_arrival_deadline)
CBR_COMPAT(cbr_export_return_deadline_holiday, export_return_deadline_holiday_adjusted)
CBR_COMPAT(cbr_import_apply_deadline_holiday, import_apply_deadline_holiday_adjusted)
CBR_COMPAT(cbr_import_arrival_deadline_holiday, import_arrival_deadline_holiday_adjusted)
CBR_COMPAT(cbr_is_rest_day_sql, is_rest_day)
CBR_COMPAT(cbr_next_working_day_sql, next_working_day)
CBR_COMPAT(cbr_remark_code_sql, remark_code)
CBR_COMPAT(cbr_reason_from_remarks_sql, reason_from_remarks)
CBR_COMPAT(cbr_cross_customs_return_allowed, cross_customs_return_allowed)
CBR_COMPAT(cbr_export_tax_relief, export_tax_relief)
CBR_COMPAT(cbr_import_return_on_time, import_return_on_time)
CBR_COMPAT(cbr_import_retail_tax, import_retail_tax)
CBR_COMPAT(cbr_import_annual_amount_after_return, import_annual_amount_after_return)
CBR_COMPAT(cbr_import_annual_quota_remaining, import_annual_quota_remaining)
CBR_COMPAT(cbr_return_status, return_status)
CBR_COMPAT(cbr_return_days_left, return_days_left)
CBR_COMPAT(cbr_explain_export_return_deadline, explain_export_return_deadline)
CBR_COMPAT(cbr_explain_import_return, explain_import_return)
CBR_COMPAT(cbr_explain_cross_customs_return, explain_cross_customs_return)
CBR_COMPAT(cbr_explain_export_tax_relief, explain_export_tax_relief)
CBR_COMPAT(cbr_export_return_check, export_return_check)
CBR_COMPAT(cbr_import_return_check, import_return_check)
CBR_COMPAT(cbr_status_check, status_check)
CBR_COMPAT(cbr_policy_changed, policy_changed)
