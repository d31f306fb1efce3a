/*
 * explain.c
 *		The explain functions: for each decision of the rules engine, one row
 *		per rule checked (step, rule id, passed, the values seen, the legal
 *		basis), so an auditor sees why customs would answer as the decision
 *		function does.
 *
 * Each one asks the decision layer (src/rules/) for the very verdict the
 * per-row function gets, and has src/policy/report.c turn it into steps, so
 * explanation and decision cannot drift apart.
 */
#include "policy/policy.h"
#include "sql_api/sql_api.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

/* Emit the steps as the rows of a materialized SRF. */
Datum
cbr_emit_steps(FunctionCallInfo fcinfo, List *steps)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ListCell   *lc;
	int			n = 0;

	InitMaterializedSRF(fcinfo, 0);
	foreach(lc, steps)
	{
		CbrStep    *s = (CbrStep *) lfirst(lc);
		Datum		values[5];
		bool		nulls[5] = {false};

		values[0] = Int32GetDatum(++n);
		values[1] = CStringGetTextDatum(s->rule_id);
		values[2] = BoolGetDatum(s->passed);
		values[3] = CStringGetTextDatum(s->seen);
		if (s->basis)
			values[4] = CStringGetTextDatum(s->basis);
		else
			nulls[4] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * explain_export_return_deadline(exported_on date, reason return_reason,
 * returned_on date DEFAULT NULL): R-EX-2, R-P-1, R-EX-1
 * (cbr_decide_export_window).
 */
PG_FUNCTION_INFO_V1(explain_export_return_deadline);
Datum
explain_export_return_deadline(PG_FUNCTION_ARGS)
{
	CbrWindowVerdict v;
	CbrReason	reason;
	DateADT		exported_on;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		return cbr_emit_steps(fcinfo, NIL);
	exported_on = PG_GETARG_DATEADT(0);
	reason = cbr_reason_from_oid(PG_GETARG_OID(1));
	(void) cbr_decide_export_window(exported_on, reason, !PG_ARGISNULL(2),
									PG_ARGISNULL(2) ? 0 : PG_GETARG_DATEADT(2), &v);
	if (v.outcome != CBR_PASS && v.outcome != CBR_FAIL_WINDOW)
		cbr_report_bad_date(v.outcome, cbr_date_role_name(v.bad), v.bad_value,
							cbr_date_role_name(v.other), v.other_value);
	return cbr_emit_steps(fcinfo, cbr_steps_export_deadline(reason, exported_on,
															 !PG_ARGISNULL(2), &v));
}

/*
 * explain_bonded_export_return_deadline(exported_on date,
 * left_special_area_on date, reason return_reason, returned_on date DEFAULT
 * NULL): R-EX-2, R-TX-2, R-P-1, R-EX-1 of a 1210 return whose departure is
 * known, the window counted from the export date (cbr_decide_bonded_export_window).
 */
PG_FUNCTION_INFO_V1(explain_bonded_export_return_deadline);
Datum
explain_bonded_export_return_deadline(PG_FUNCTION_ARGS)
{
	CbrWindowVerdict v;
	CbrReason	reason;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return cbr_emit_steps(fcinfo, NIL);
	reason = cbr_reason_from_oid(PG_GETARG_OID(2));
	(void) cbr_decide_bonded_export_window(PG_GETARG_DATEADT(0), PG_GETARG_DATEADT(1), reason,
										   !PG_ARGISNULL(3), PG_ARGISNULL(3) ? 0 : PG_GETARG_DATEADT(3),
										   &v);
	if (v.outcome != CBR_PASS && v.outcome != CBR_FAIL_WINDOW)
		cbr_report_bad_date(v.outcome, cbr_date_role_name(v.bad), v.bad_value,
							cbr_date_role_name(v.other), v.other_value);
	return cbr_emit_steps(fcinfo, cbr_steps_bonded_export_deadline(reason, PG_GETARG_DATEADT(0),
																	PG_GETARG_DATEADT(1),
																	!PG_ARGISNULL(3), &v));
}

/*
 * explain_import_return(released_on date, applied_on date DEFAULT NULL,
 * arrived_on date DEFAULT NULL): R-IM-1, both deadlines
 * (cbr_decide_import_return).
 */
PG_FUNCTION_INFO_V1(explain_import_return);
Datum
explain_import_return(PG_FUNCTION_ARGS)
{
	CbrImportVerdict v;

	if (PG_ARGISNULL(0))
		return cbr_emit_steps(fcinfo, NIL);
	(void) cbr_decide_import_return(true, PG_GETARG_DATEADT(0),
									!PG_ARGISNULL(1), PG_ARGISNULL(1) ? 0 : PG_GETARG_DATEADT(1),
									!PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : PG_GETARG_DATEADT(2),
									&v);
	cbr_import_report_input(&v);
	return cbr_emit_steps(fcinfo, cbr_steps_import_return(PG_GETARG_DATEADT(0), !PG_ARGISNULL(1),
														  !PG_ARGISNULL(2), &v));
}

/*
 * explain_cross_customs_return(code, export_office, return_office,
 * returned_on): R-ID-2, R-EX-5 (cbr_decide_cross_customs).
 */
PG_FUNCTION_INFO_V1(explain_cross_customs_return);
Datum
explain_cross_customs_return(PG_FUNCTION_ARGS)
{
	const CbrPolicy *p = cbr_policy();
	CbrCrossVerdict v;

	(void) cbr_decide_cross_customs(p, PG_GETARG_INT16(0), PG_GETARG_INT16(1), PG_GETARG_INT16(2),
									PG_GETARG_DATEADT(3), &v);
	cbr_report_cross_customs_input(&v, NULL, NULL, NULL);
	return cbr_emit_steps(fcinfo, cbr_steps_cross_customs(p, &v));
}

/*
 * explain_export_tax_relief(same arguments as export_tax_relief):
 * R-TX-1 ... R-TX-6 (cbr_decide_tax_relief).  No rows when an argument
 * other than left_special_area_on is NULL (export_tax_relief gives NULL then).
 */
PG_FUNCTION_INFO_V1(explain_export_tax_relief);
Datum
explain_export_tax_relief(PG_FUNCTION_ARGS)
{
	const CbrPolicy *p = cbr_policy();
	CbrReliefInput in;
	CbrRelief	r;

	if (!cbr_relief_args(fcinfo, p, &in, &r))
		return cbr_emit_steps(fcinfo, NIL);
	return cbr_emit_steps(fcinfo, cbr_steps_tax_relief(p, &in, &r));
}
