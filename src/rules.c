/*
 * rules.c
 *		SQL entry points of the return rules: deadlines (R-P-1, R-EX-1,
 *		R-IM-1), remark codes (R-EX-2), cross-customs returns (R-EX-5), the
 *		holiday-extended deadline variants (R-P-2) and the status of a return.
 *
 * The wrappers are thin on purpose: the arithmetic is in period.c, the
 * policy in policy.c.  The IMMUTABLE functions read no table, so they can
 * back generated columns, index expressions and CHECK constraints; the
 * table-backed ones are STABLE and read the per-backend policy cache.
 */
#include "policy.h"
#include "rules.h"

#include "utils/builtins.h"

/* R-EX-1 window end, or the 22008 error (infinite or out-of-range start). */
static DateADT
export_deadline(DateADT exported_on, CbrReason reason)
{
	DateADT		result;

	if (!cbr_add_months(exported_on, cbr_export_window_months(reason), &result))
		cbr_report_date_out_of_range("exported_on", exported_on);
	return result;
}

static DateADT
import_deadline(DateADT released_on, int days)
{
	DateADT		result;

	if (!cbr_add_days(released_on, days, &result))
		cbr_report_date_out_of_range("released_on", released_on);
	return result;
}

/*
 * export_return_deadline(exported_on date, reason return_reason) -> date
 * R-EX-1 (seed 002): last day on which the goods may re-enter, 1 year after
 * the export clearance for quality/specification, 6 months otherwise,
 * counted by R-P-1 (Civil Code arts. 201-202).
 */
PG_FUNCTION_INFO_V1(cbr_export_return_deadline);
Datum
cbr_export_return_deadline(PG_FUNCTION_ARGS)
{
	DateADT		exported_on = PG_GETARG_DATEADT(0);
	CbrReason	reason = cbr_reason_from_oid(PG_GETARG_OID(1));

	PG_RETURN_DATEADT(export_deadline(exported_on, reason));
}

/*
 * import_apply_deadline(released_on date) -> date
 * R-IM-1 (GACC 2020 No. 45): last day to file the return application, 30
 * days after the release of the import list (R-P-1).
 */
PG_FUNCTION_INFO_V1(cbr_import_apply_deadline);
Datum
cbr_import_apply_deadline(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(import_deadline(PG_GETARG_DATEADT(0), CBR_IMPORT_APPLY_DAYS));
}

/*
 * import_arrival_deadline(released_on date) -> date
 * R-IM-1 (GACC 2020 No. 45): last day for the goods to arrive at the
 * original site, 45 days after the release of the import list (R-P-1).
 */
PG_FUNCTION_INFO_V1(cbr_import_arrival_deadline);
Datum
cbr_import_arrival_deadline(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(import_deadline(PG_GETARG_DATEADT(0), CBR_IMPORT_ARRIVAL_DAYS));
}

/*
 * export_return_deadline_holiday_adjusted(exported_on, reason) -> date
 * R-EX-1 with R-P-2 (Civil Code art. 203): a deadline on a rest day moves to
 * the next working day of cbreturn.holidays.  STABLE: reads the policy cache.
 */
PG_FUNCTION_INFO_V1(cbr_export_return_deadline_holiday);
Datum
cbr_export_return_deadline_holiday(PG_FUNCTION_ARGS)
{
	DateADT		exported_on = PG_GETARG_DATEADT(0);
	CbrReason	reason = cbr_reason_from_oid(PG_GETARG_OID(1));
	DateADT		d = export_deadline(exported_on, reason);

	PG_RETURN_DATEADT(cbr_next_working_day(cbr_policy(), d));
}

/* import_apply_deadline_holiday_adjusted(released_on): R-IM-1 with R-P-2. */
PG_FUNCTION_INFO_V1(cbr_import_apply_deadline_holiday);
Datum
cbr_import_apply_deadline_holiday(PG_FUNCTION_ARGS)
{
	DateADT		d = import_deadline(PG_GETARG_DATEADT(0), CBR_IMPORT_APPLY_DAYS);

	PG_RETURN_DATEADT(cbr_next_working_day(cbr_policy(), d));
}

/* import_arrival_deadline_holiday_adjusted(released_on): R-IM-1 with R-P-2. */
PG_FUNCTION_INFO_V1(cbr_import_arrival_deadline_holiday);
Datum
cbr_import_arrival_deadline_holiday(PG_FUNCTION_ARGS)
{
	DateADT		d = import_deadline(PG_GETARG_DATEADT(0), CBR_IMPORT_ARRIVAL_DAYS);

	PG_RETURN_DATEADT(cbr_next_working_day(cbr_policy(), d));
}

/* is_rest_day(day date) -> boolean: R-P-2 by cbreturn.holidays. */
PG_FUNCTION_INFO_V1(cbr_is_rest_day_sql);
Datum
cbr_is_rest_day_sql(PG_FUNCTION_ARGS)
{
	DateADT		d = PG_GETARG_DATEADT(0);

	if (DATE_NOT_FINITE(d))
		cbr_report_date_out_of_range("day", d);
	PG_RETURN_BOOL(cbr_is_rest_day(cbr_policy(), d));
}

/* next_working_day(day date) -> date: day itself, or the next working day (R-P-2). */
PG_FUNCTION_INFO_V1(cbr_next_working_day_sql);
Datum
cbr_next_working_day_sql(PG_FUNCTION_ARGS)
{
	DateADT		d = PG_GETARG_DATEADT(0);

	if (DATE_NOT_FINITE(d))
		cbr_report_date_out_of_range("day", d);
	PG_RETURN_DATEADT(cbr_next_working_day(cbr_policy(), d));
}

/* remark_code(reason return_reason) -> text: ZXTY, THTY or PGTY (R-EX-2, seed 002). */
PG_FUNCTION_INFO_V1(cbr_remark_code_sql);
Datum
cbr_remark_code_sql(PG_FUNCTION_ARGS)
{
	CbrReason	reason = cbr_reason_from_oid(PG_GETARG_OID(0));

	PG_RETURN_TEXT_P(cstring_to_text(cbr_remark_code(reason)));
}

/*
 * reason_from_remarks(remarks text) -> return_reason
 * R-EX-2 (seed 002): the reason named by the code in the first position of
 * the remarks column, NULL when there is none.  Accepted: leading ASCII
 * white space and ideographic spaces (U+3000), any letter case, and the code
 * followed by the end of the text or by any character other than an ASCII
 * letter or digit ("ZXTY", "zxty;lot 7", "THTY-2", "PGTY 品质").
 */
PG_FUNCTION_INFO_V1(cbr_reason_from_remarks_sql);
Datum
cbr_reason_from_remarks_sql(PG_FUNCTION_ARGS)
{
	text	   *remarks = PG_GETARG_TEXT_PP(0);
	CbrReason	reason;

	if (!cbr_reason_from_remarks(VARDATA_ANY(remarks), VARSIZE_ANY_EXHDR(remarks), &reason))
		PG_RETURN_NULL();
	PG_RETURN_OID(cbr_reason_to_oid(reason));
}

/*
 * cross_customs_return_allowed(code supervision_code, export_office
 * customs_code, return_office customs_code, returned_on date) -> boolean
 * R-EX-5 (GACC 2024 No. 167; nationwide from 2026-04-01), decided from the
 * policy cache: see cbr_cross_customs_decide() in policy.c.
 */
PG_FUNCTION_INFO_V1(cbr_cross_customs_return_allowed);
Datum
cbr_cross_customs_return_allowed(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cbr_cross_customs_allowed(PG_GETARG_INT16(0), PG_GETARG_INT16(1),
											 PG_GETARG_INT16(2), PG_GETARG_DATEADT(3)));
}
