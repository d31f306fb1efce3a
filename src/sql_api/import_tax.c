/*
 * import_tax.c
 *		SQL entry points of the retail-import taxes and quota (R-IM-3,
 *		R-IM-4): thin wrappers over cbr_decide_import_tax,
 *		cbr_decide_quota_remaining and cbr_decide_import_quota
 *		(src/rules/import.c).  They turn numeric arguments into exact
 *		decimals, a verdict into a result or an error, and decide nothing.
 */
#include "policy/policy.h"
#include "sql_api/sql_api.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

/* The numeric text of an argument, for a message. */
static char *
cbr_numeric_text(Numeric n)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
}

/*
 * Raise the error of a bad amount or rate (22023, 22003); arg names the
 * argument and n is its value.  Returns for another outcome.
 */
static void
cbr_report_amount(CbrOutcome outcome, CbrImportArg arg, Numeric n)
{
	const char *what = cbr_import_arg_names[arg];

	switch (outcome)
	{
		case CBR_BAD_AMOUNT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a finite amount of 0 or more", what),
					 errdetail("The value given is %s.", cbr_numeric_text(n))));
			break;
		case CBR_BAD_RATE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a rate from 0 up to but excluding 1", what),
					 errdetail("The value given is %s.", cbr_numeric_text(n))));
			break;
		case CBR_BAD_PRECISION:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s %s is out of the range of exact tax and quota arithmetic", what,
							cbr_numeric_text(n)),
					 errdetail("Amounts and rates are computed exactly, with at most 18 digits in all and at most 18 after the decimal point (R-IM-3, R-IM-4).")));
			break;
		default:
			break;
	}
}

/* Argument i as an exact decimal; NaN, infinities and too many digits raise. */
static CbrQty
cbr_amount_arg(FunctionCallInfo fcinfo, int i, CbrImportArg arg)
{
	Numeric		n = PG_GETARG_NUMERIC(i);
	CbrQty		q = {0, 0};

	switch (cbr_qty_from_numeric(n, &q))
	{
		case CBR_VALUE_OK:
			break;
		case CBR_VALUE_BAD:
			cbr_report_amount(arg == CBR_ARG_VAT_RATE || arg == CBR_ARG_CONSUMPTION_TAX_RATE
							  ? CBR_BAD_RATE : CBR_BAD_AMOUNT, arg, n);
			break;
		case CBR_VALUE_NULL:
			cbr_report_amount(CBR_BAD_PRECISION, arg, n);
			break;
	}
	return q;
}

/* An exact decimal as a numeric Datum. */
static Datum
cbr_qty_datum(CbrQty q)
{
	char		buf[CBR_QTY_TEXT_LEN];

	cbr_qty_format(q, buf);
	return DirectFunctionCall3(numeric_in, CStringGetDatum(buf), ObjectIdGetDatum(InvalidOid),
							   Int32GetDatum(-1));
}

/*
 * import_retail_tax(customs_value numeric, vat_rate numeric,
 * consumption_tax_rate numeric DEFAULT 0, annual_used numeric DEFAULT 0)
 * -> cbreturn.import_tax, decided by cbr_decide_import_tax (R-IM-4).
 */
PG_FUNCTION_INFO_V1(import_retail_tax);
Datum
import_retail_tax(PG_FUNCTION_ARGS)
{
	const CbrPolicy *p = cbr_policy();
	CbrQty		a[4];
	CbrImportTax v;
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {false};
	int			i;

	for (i = 0; i < 4; i++)
		a[i] = cbr_amount_arg(fcinfo, i, (CbrImportArg) i);
	if (cbr_decide_import_tax(p, a[0], a[1], a[2], a[3], &v) != CBR_PASS)
		cbr_report_amount(v.outcome, v.bad_arg, PG_GETARG_NUMERIC(v.bad_arg));
	tupdesc = cbr_result_tupdesc(fcinfo);
	values[0] = BoolGetDatum(v.within);
	if (v.within)
	{
		values[1] = cbr_qty_datum(v.tariff);
		values[2] = cbr_qty_datum(v.consumption_tax);
		values[3] = cbr_qty_datum(v.import_vat);
		values[4] = cbr_qty_datum(v.total);
	}
	else
		nulls[1] = nulls[2] = nulls[3] = nulls[4] = true;
	values[5] = CStringGetTextDatum(cbr_import_tax_basis(v.within));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* The stage named by a status argument; 22023 for a name that is none. */
static int
cbr_status_arg(FunctionCallInfo fcinfo, int i)
{
	text	   *t = PG_GETARG_TEXT_PP(i);
	int			stage = cbr_stage_from_name(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	if (stage < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("status \"%s\" is not a stage of a return", text_to_cstring(t)),
				 errhint("The stages are registered, declared, shipped, arrived, inspected, released and rejected (rules section 6); map a table's own labels to them.")));
	return stage;
}

/*
 * The trailing ordinary argument (0.3.0; absent from a 0.2.0 definition):
 * an ordinary (taxed) return, outside R-IM-3 (issue 12, item 4).  STRICT
 * functions: never NULL here.
 */
static bool
cbr_ordinary_arg(FunctionCallInfo fcinfo, int i)
{
	return PG_NARGS() > i && PG_GETARG_BOOL(i);
}

/* Raise the error of a bad-input R-IM-3 verdict; returns on CBR_PASS. */
static void
cbr_report_quota(FunctionCallInfo fcinfo, const CbrQuotaInput *in, const CbrQuotaVerdict *v,
				 int returned_arg, int used_arg)
{
	switch (v->outcome)
	{
		case CBR_PASS:
			return;
		case CBR_BAD_INFINITE:
			cbr_report_date_out_of_range("purchased_on", in->purchased_on);
			break;
		case CBR_BAD_EXCESS:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("returned_value is larger than annual_used"),
					 errdetail("A return restores at most what the consumer's purchases added to the annual amount (R-IM-3)."),
					 errhint("annual_used is the consumer's amount of the calendar year of the purchase.")));
			break;
		default:
			cbr_report_amount(v->outcome, v->bad_arg,
							  PG_GETARG_NUMERIC(v->bad_arg == CBR_ARG_ANNUAL_USED ? used_arg : returned_arg));
			break;
	}
}

/*
 * import_annual_amount_after_return(annual_used numeric, returned_value
 * numeric) -> numeric.  R-IM-3 (seed 004): a released return reduces the
 * consumer's annual amount of the purchase's year by the returned value.
 */
PG_FUNCTION_INFO_V1(import_annual_amount_after_return);
Datum
import_annual_amount_after_return(PG_FUNCTION_ARGS)
{
	CbrQuotaInput in = {0};
	CbrQuotaVerdict v;

	in.has_used = true;
	in.annual_used = cbr_amount_arg(fcinfo, 0, CBR_ARG_ANNUAL_USED);
	in.returned = cbr_amount_arg(fcinfo, 1, CBR_ARG_RETURNED_VALUE);
	in.stage = CBR_STAGE_RELEASED;
	(void) cbr_decide_import_quota(&in, &v);
	cbr_report_quota(fcinfo, &in, &v, 1, 0);
	PG_RETURN_DATUM(cbr_qty_datum(v.amount_after));
}

/*
 * import_annual_amount_after_return(annual_used numeric, returned_value
 * numeric, purchased_on date, amount_year integer, status text, ordinary
 * boolean DEFAULT false) -> numeric (unchanged for an ordinary return).
 * R-IM-3: the annual amount of amount_year after a recorded return, by its
 * status: reduced only once customs released it, and only when amount_year
 * is the calendar year of the purchase.
 */
PG_FUNCTION_INFO_V1(import_annual_amount_after_return_in_year);
Datum
import_annual_amount_after_return_in_year(PG_FUNCTION_ARGS)
{
	CbrQuotaInput in = {0};
	CbrQuotaVerdict v;

	in.has_used = true;
	in.annual_used = cbr_amount_arg(fcinfo, 0, CBR_ARG_ANNUAL_USED);
	in.returned = cbr_amount_arg(fcinfo, 1, CBR_ARG_RETURNED_VALUE);
	in.has_purchase = true;
	in.purchased_on = PG_GETARG_DATEADT(2);
	in.has_year = true;
	in.amount_year = PG_GETARG_INT32(3);
	in.stage = cbr_status_arg(fcinfo, 4);
	in.ordinary = cbr_ordinary_arg(fcinfo, 5);
	(void) cbr_decide_import_quota(&in, &v);
	cbr_report_quota(fcinfo, &in, &v, 1, 0);
	PG_RETURN_DATUM(cbr_qty_datum(v.amount_after));
}

/*
 * import_return_effect(purchased_on date, returned_value numeric, status
 * text, ordinary boolean DEFAULT false) -> cbreturn.import_effect.  R-IM-3
 * with rules section 6: whether a recorded return has refunded the tax and
 * restored the quota (applied), has not yet (not_yet), or never will
 * (never: rejected, or an ordinary return), and the calendar year whose
 * annual amount it restores.
 */
PG_FUNCTION_INFO_V1(import_return_effect);
Datum
import_return_effect(PG_FUNCTION_ARGS)
{
	CbrQuotaInput in = {0};
	CbrQuotaVerdict v;
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {false};

	in.has_purchase = true;
	in.purchased_on = PG_GETARG_DATEADT(0);
	in.returned = cbr_amount_arg(fcinfo, 1, CBR_ARG_RETURNED_VALUE);
	in.stage = cbr_status_arg(fcinfo, 2);
	in.ordinary = cbr_ordinary_arg(fcinfo, 3);
	(void) cbr_decide_import_quota(&in, &v);
	cbr_report_quota(fcinfo, &in, &v, 1, 1);
	tupdesc = cbr_result_tupdesc(fcinfo);
	values[0] = CStringGetTextDatum(cbr_import_effect_names[v.effect]);
	values[1] = BoolGetDatum(v.effect == CBR_EFFECT_APPLIED);
	values[2] = Int32GetDatum(v.quota_year);
	values[3] = cbr_qty_datum(v.restored);
	values[4] = CStringGetTextDatum(cbr_import_effect_basis(v.outside));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * explain_import_return_effect(purchased_on date, returned_value numeric,
 * status text, ordinary boolean DEFAULT false): the rules behind
 * import_return_effect (R-IM-3 with rules section 6), one row for the status
 * (or for an ordinary return, issue 12 item 4) and one for the annual
 * amount, in the session's language; the same arguments, the same verdict
 * (cbr_decide_import_quota) and the same errors.
 */
PG_FUNCTION_INFO_V1(explain_import_return_effect);
Datum
explain_import_return_effect(PG_FUNCTION_ARGS)
{
	CbrQuotaInput in = {0};
	CbrQuotaVerdict v;

	in.has_purchase = true;
	in.purchased_on = PG_GETARG_DATEADT(0);
	in.returned = cbr_amount_arg(fcinfo, 1, CBR_ARG_RETURNED_VALUE);
	in.stage = cbr_status_arg(fcinfo, 2);
	in.ordinary = cbr_ordinary_arg(fcinfo, 3);
	(void) cbr_decide_import_quota(&in, &v);
	cbr_report_quota(fcinfo, &in, &v, 1, 1);
	return cbr_emit_steps(fcinfo, cbr_steps_import_effect(&in, &v));
}

/*
 * import_annual_quota_remaining(annual_used numeric) -> numeric
 * R-IM-4 (MoF/GACC/STA 2018 No. 49): what is left of the annual limit
 * (rule parameter import_limit_per_year), never below 0.
 */
PG_FUNCTION_INFO_V1(import_annual_quota_remaining);
Datum
import_annual_quota_remaining(PG_FUNCTION_ARGS)
{
	const CbrPolicy *p = cbr_policy();
	CbrQty		used = cbr_amount_arg(fcinfo, 0, CBR_ARG_ANNUAL_USED);
	CbrQty		left;
	CbrImportArg bad;
	CbrOutcome	o = cbr_decide_quota_remaining(p, used, &left, &bad);

	if (o != CBR_PASS)
		cbr_report_amount(o, bad, PG_GETARG_NUMERIC(0));
	PG_RETURN_DATUM(cbr_qty_datum(left));
}
