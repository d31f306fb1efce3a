/*
 * rules.c
 *		SQL entry points of the return rules: deadlines (R-P-1, R-EX-1,
 *		R-IM-1), remark codes (R-EX-2), cross-customs returns (R-EX-5), the
 *		holiday-extended deadline variants (R-P-2), import returns
 *		(R-IM-1) and the standing of a return; the tax relief of an export
 *		return (R-TX) is in tax_relief.c, the import taxes (R-IM-3, R-IM-4)
 *		in import_tax.c.
 *
 * Thin fmgr wrappers: each reads its arguments, asks the decision layer
 * (src/rules/) for a verdict and turns it into a result or, for bad input,
 * into the error report.c builds.  The C symbol of each function is its
 * SQL name.  The IMMUTABLE functions read no table, so they can back
 * generated columns, index expressions and CHECK constraints; the
 * table-backed ones are STABLE and read the per-backend policy snapshot.
 */
#include "policy/policy.h"
#include "sql_api/sql_api.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

/* R-EX-1 deadline, or the 22008 error. */
static DateADT
cbr_export_deadline(DateADT exported_on, CbrReason reason)
{
	CbrWindowVerdict v;

	if (cbr_decide_export_window(exported_on, reason, false, 0, &v) != CBR_PASS)
		cbr_report_bad_date(v.outcome, "exported_on", exported_on, NULL, 0);
	return v.deadline;
}

/* R-IM-1 deadline (CBR_DATE_APPLIED or CBR_DATE_ARRIVED), or the 22008 error. */
static DateADT
cbr_import_deadline(DateADT released_on, CbrDateRole which)
{
	CbrWindowVerdict v;

	if (cbr_decide_import_deadline(released_on, which, &v) != CBR_PASS)
		cbr_report_bad_date(v.outcome, "released_on", released_on, NULL, 0);
	return v.deadline;
}

/* R-P-2: the deadline moved to the next working day, or the 22008 error. */
static DateADT
cbr_working_day(DateADT d, const char *what)
{
	DateADT		result;

	if (DATE_NOT_FINITE(d))
		cbr_report_date_out_of_range(what, d);
	if (!cbr_next_working_day(cbr_policy(), d, &result))
		cbr_report_date_out_of_range("deadline", d);
	return result;
}

/*
 * export_return_deadline(exported_on date, reason return_reason) -> date
 * R-EX-1 (seed 002): last day on which the goods may re-enter, 1 year after
 * the export clearance for quality/specification, 6 months otherwise,
 * counted by R-P-1 (Civil Code arts. 201-202).
 */
PG_FUNCTION_INFO_V1(export_return_deadline);
Datum
export_return_deadline(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(cbr_export_deadline(PG_GETARG_DATEADT(0),
										  cbr_reason_from_oid(PG_GETARG_OID(1))));
}

/*
 * import_apply_deadline(released_on date) -> date
 * R-IM-1 (GACC 2020 No. 45): last day to file the return application, 30
 * days after the release of the import list (R-P-1).
 */
PG_FUNCTION_INFO_V1(import_apply_deadline);
Datum
import_apply_deadline(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(cbr_import_deadline(PG_GETARG_DATEADT(0), CBR_DATE_APPLIED));
}

/*
 * import_arrival_deadline(released_on date) -> date
 * R-IM-1 (GACC 2020 No. 45): last day for the goods to arrive at the
 * original site, 45 days after the release of the import list (R-P-1).
 */
PG_FUNCTION_INFO_V1(import_arrival_deadline);
Datum
import_arrival_deadline(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(cbr_import_deadline(PG_GETARG_DATEADT(0), CBR_DATE_ARRIVED));
}

/*
 * export_return_deadline_holiday_adjusted(exported_on, reason) -> date
 * R-EX-1 with R-P-2 (Civil Code art. 203): a deadline on a rest day moves to
 * the next working day of cbreturn.holidays.  STABLE: reads the policy cache.
 */
PG_FUNCTION_INFO_V1(export_return_deadline_holiday_adjusted);
Datum
export_return_deadline_holiday_adjusted(PG_FUNCTION_ARGS)
{
	DateADT		d = cbr_export_deadline(PG_GETARG_DATEADT(0), cbr_reason_from_oid(PG_GETARG_OID(1)));

	PG_RETURN_DATEADT(cbr_working_day(d, "deadline"));
}

/* import_apply_deadline_holiday_adjusted(released_on): R-IM-1 with R-P-2. */
PG_FUNCTION_INFO_V1(import_apply_deadline_holiday_adjusted);
Datum
import_apply_deadline_holiday_adjusted(PG_FUNCTION_ARGS)
{
	DateADT		d = cbr_import_deadline(PG_GETARG_DATEADT(0), CBR_DATE_APPLIED);

	PG_RETURN_DATEADT(cbr_working_day(d, "deadline"));
}

/* import_arrival_deadline_holiday_adjusted(released_on): R-IM-1 with R-P-2. */
PG_FUNCTION_INFO_V1(import_arrival_deadline_holiday_adjusted);
Datum
import_arrival_deadline_holiday_adjusted(PG_FUNCTION_ARGS)
{
	DateADT		d = cbr_import_deadline(PG_GETARG_DATEADT(0), CBR_DATE_ARRIVED);

	PG_RETURN_DATEADT(cbr_working_day(d, "deadline"));
}

/* is_rest_day(day date) -> boolean: R-P-2 by cbreturn.holidays. */
PG_FUNCTION_INFO_V1(is_rest_day);
Datum
is_rest_day(PG_FUNCTION_ARGS)
{
	DateADT		d = PG_GETARG_DATEADT(0);

	if (DATE_NOT_FINITE(d))
		cbr_report_date_out_of_range("day", d);
	PG_RETURN_BOOL(cbr_is_rest_day(cbr_policy(), d));
}

/* next_working_day(day date) -> date: day itself, or the next working day (R-P-2). */
PG_FUNCTION_INFO_V1(next_working_day);
Datum
next_working_day(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(cbr_working_day(PG_GETARG_DATEADT(0), "day"));
}

/* remark_code(reason return_reason) -> text: ZXTY, THTY or PGTY (R-EX-2, seed 002). */
PG_FUNCTION_INFO_V1(remark_code);
Datum
remark_code(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(cbr_remark_code(cbr_reason_from_oid(PG_GETARG_OID(0)))));
}

/*
 * reason_from_remarks(remarks text) -> return_reason
 * R-EX-2 (seed 002): the reason named by the code in the first position of
 * the remarks column, NULL when there is none.  Accepted: leading ASCII
 * white space and ideographic spaces (U+3000), any letter case, and the code
 * followed by the end of the text or by any character other than an ASCII
 * letter or digit ("ZXTY", "zxty;lot 7", "THTY-2", "PGTY 品质").
 */
PG_FUNCTION_INFO_V1(reason_from_remarks);
Datum
reason_from_remarks(PG_FUNCTION_ARGS)
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
 * R-EX-5, decided by cbr_decide_cross_customs (src/rules/export.c) from the
 * policy snapshot.
 */
PG_FUNCTION_INFO_V1(cross_customs_return_allowed);
Datum
cross_customs_return_allowed(PG_FUNCTION_ARGS)
{
	CbrCrossVerdict v;

	(void) cbr_decide_cross_customs(cbr_policy(), PG_GETARG_INT16(0), PG_GETARG_INT16(1),
									PG_GETARG_INT16(2), PG_GETARG_DATEADT(3), &v);
	cbr_report_cross_customs_input(&v, NULL, NULL, NULL);
	PG_RETURN_BOOL(v.outcome == CBR_PASS);
}

/*
 * import_return_on_time(released_on date, applied_on date, arrived_on date)
 * -> boolean.  R-IM-1 (GACC 2020 No. 45), decided by cbr_decide_import_return
 * (src/rules/import.c): application within 30 days and arrival within 45
 * days of the release of the import list, neither before it (22023).
 * CALLED ON NULL INPUT: a NULL applied_on or arrived_on is a date not known
 * yet.  false as soon as a known date is late (an application filed after
 * day 30 is late whether or not the goods have arrived); true when both are
 * known and on time; NULL while the answer depends on a date not known yet,
 * and when released_on is NULL.
 */
PG_FUNCTION_INFO_V1(import_return_on_time);
Datum
import_return_on_time(PG_FUNCTION_ARGS)
{
	CbrImportVerdict v;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (cbr_decide_import_return(true, PG_GETARG_DATEADT(0),
								 !PG_ARGISNULL(1), PG_ARGISNULL(1) ? 0 : PG_GETARG_DATEADT(1),
								 !PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : PG_GETARG_DATEADT(2),
								 &v) == CBR_PASS)
	{
		if (!v.decided)
			PG_RETURN_NULL();
		PG_RETURN_BOOL(true);
	}
	cbr_import_report_input(&v);
	PG_RETURN_BOOL(false);
}

/* Raise the error of bad input in an R-IM-1 verdict; returns otherwise. */
void
cbr_import_report_input(const CbrImportVerdict *v)
{
	const CbrWindowVerdict *f = v->failed;

	if (f != NULL && f->outcome != CBR_FAIL_WINDOW)
		cbr_report_bad_date(f->outcome, cbr_date_role_name(f->bad), f->bad_value,
							cbr_date_role_name(f->other), f->other_value);
}

/*
 * The blessed row descriptor of a composite-returning function, built once
 * per call site and kept in fn_extra: get_call_result_type() per row would
 * cost more than the rule itself.
 */
TupleDesc
cbr_result_tupdesc(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc;
	MemoryContext old;

	if (fcinfo->flinfo->fn_extra != NULL)
		return (TupleDesc) fcinfo->flinfo->fn_extra;
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = tupdesc;
	return tupdesc;
}

/* ---------------------------------------------------------------------
 * Standing of a return for reporting (section 6)
 * --------------------------------------------------------------------- */

/* The verdict of cbr_decide_standing for (deadline, returned_on, as_of); false: NULL. */
static bool
cbr_standing_args(FunctionCallInfo fcinfo, CbrStandingVerdict *v)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		return false;
	if (cbr_decide_standing(PG_GETARG_DATEADT(0), !PG_ARGISNULL(1),
							PG_ARGISNULL(1) ? 0 : PG_GETARG_DATEADT(1),
							PG_GETARG_DATEADT(2), v) != CBR_PASS)
		cbr_report_date_out_of_range(cbr_date_role_name(v->bad), v->bad_value);
	return true;
}

/*
 * return_status(deadline date, returned_on date, as_of date, due_soon_days
 * integer DEFAULT 7) -> text: 'open', 'due_soon', 'overdue',
 * 'closed_on_time' or 'closed_late' (cbr_standing_status, src/rules/status.c).
 * returned_on NULL: not returned.  NULL deadline, as_of or due_soon_days
 * give NULL.
 */
PG_FUNCTION_INFO_V1(return_status);
Datum
return_status(PG_FUNCTION_ARGS)
{
	CbrStandingVerdict v;
	int32		soon;

	if (PG_ARGISNULL(3) || !cbr_standing_args(fcinfo, &v))
		PG_RETURN_NULL();
	soon = PG_GETARG_INT32(3);
	if (unlikely(soon < 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("due_soon_days must be 0 or more"),
				 errdetail("The value given is %d.", soon)));
	PG_RETURN_TEXT_P(cstring_to_text(cbr_return_status_names[cbr_standing_status(&v, soon)]));
}

/*
 * return_days_left(deadline date, returned_on date, as_of date) -> integer
 * deadline minus the reference day (see cbr_decide_standing): days still
 * left for an open return, negative when overdue; for a closed return the
 * margin it was returned with (negative: days late).
 */
PG_FUNCTION_INFO_V1(return_days_left);
Datum
return_days_left(PG_FUNCTION_ARGS)
{
	CbrStandingVerdict v;

	if (!cbr_standing_args(fcinfo, &v))
		PG_RETURN_NULL();
	PG_RETURN_INT32((int32) v.days_left);
}
