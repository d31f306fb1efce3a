/*
 * explain.c
 *		The explain functions: for each decision of the rules engine, one row
 *		per rule checked (step, rule id, passed, the values seen, the legal
 *		basis), so an auditor sees why customs would answer as the decision
 *		function does.
 *
 * Each one runs the very decision core the per-row function runs (rules.c,
 * policy.c) with a step list attached, so explanation and decision cannot
 * drift apart.
 */
#include "policy/policy.h"
#include "rules/rules.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

/* Emit the collected steps as the rows of a materialized SRF. */
static Datum
emit_steps(FunctionCallInfo fcinfo, List *steps)
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
 * returned_on date DEFAULT NULL): R-EX-2, R-P-1, R-EX-1.
 */
PG_FUNCTION_INFO_V1(cbr_explain_export_return_deadline);
Datum
cbr_explain_export_return_deadline(PG_FUNCTION_ARGS)
{
	List	   *steps = NIL;

	if (!PG_ARGISNULL(0) && !PG_ARGISNULL(1))
		(void) cbr_export_deadline_decide(PG_GETARG_DATEADT(0), cbr_reason_from_oid(PG_GETARG_OID(1)),
										  !PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : PG_GETARG_DATEADT(2),
										  &steps);
	return emit_steps(fcinfo, steps);
}

/*
 * explain_import_return(released_on date, applied_on date DEFAULT NULL,
 * arrived_on date DEFAULT NULL): R-IM-1, both deadlines.
 */
PG_FUNCTION_INFO_V1(cbr_explain_import_return);
Datum
cbr_explain_import_return(PG_FUNCTION_ARGS)
{
	List	   *steps = NIL;

	if (!PG_ARGISNULL(0))
		(void) cbr_import_return_decide(PG_GETARG_DATEADT(0),
										!PG_ARGISNULL(1), PG_ARGISNULL(1) ? 0 : PG_GETARG_DATEADT(1),
										!PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : PG_GETARG_DATEADT(2),
										&steps);
	return emit_steps(fcinfo, steps);
}

/*
 * explain_cross_customs_return(code, export_office, return_office,
 * returned_on): R-ID-2, R-EX-5.
 */
PG_FUNCTION_INFO_V1(cbr_explain_cross_customs_return);
Datum
cbr_explain_cross_customs_return(PG_FUNCTION_ARGS)
{
	List	   *steps = NIL;

	(void) cbr_cross_customs_decide(PG_GETARG_INT16(0), PG_GETARG_INT16(1), PG_GETARG_INT16(2),
									PG_GETARG_DATEADT(3), &steps);
	return emit_steps(fcinfo, steps);
}

/*
 * explain_export_tax_relief(same arguments as export_tax_relief):
 * R-TX-1 ... R-TX-6.  No rows when an argument other than
 * left_special_area_on is NULL (export_tax_relief gives NULL then).
 */
PG_FUNCTION_INFO_V1(cbr_explain_export_tax_relief);
Datum
cbr_explain_export_tax_relief(PG_FUNCTION_ARGS)
{
	List	   *steps = NIL;
	CbrRelief	r;
	int			i;

	for (i = 0; i < 8; i++)
		if (i != 6 && PG_ARGISNULL(i))
			return emit_steps(fcinfo, NIL);
	cbr_export_tax_relief_decide(PG_GETARG_INT16(0), PG_GETARG_DATEADT(1), PG_GETARG_DATEADT(2),
								 cbr_reason_from_oid(PG_GETARG_OID(3)), PG_GETARG_BOOL(4),
								 PG_GETARG_BOOL(5), !PG_ARGISNULL(6),
								 PG_ARGISNULL(6) ? 0 : PG_GETARG_DATEADT(6),
								 PG_GETARG_BOOL(7), &r, &steps);
	return emit_steps(fcinfo, steps);
}
