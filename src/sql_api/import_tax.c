/*
 * import_tax.c
 *		SQL entry points of the retail-import taxes and quota (R-IM-3,
 *		R-IM-4, MoF/GACC/STA 2018 No. 49): amounts in the server's numeric,
 *		limits and the tax share from the policy snapshot.
 */
#include "policy/policy.h"
#include "sql_api/sql_api.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

/* Numeric helpers for the R-IM-4 arithmetic. */
static Numeric
cbr_num_round2(Numeric x)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_round, NumericGetDatum(x), Int32GetDatum(2)));
}

static int
cbr_num_cmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a), NumericGetDatum(b)));
}

static void
cbr_check_amount(const char *what, Numeric x, bool rate)
{
	Numeric		zero = int64_to_numeric(0);

	if (numeric_is_nan(x) || numeric_is_inf(x) || cbr_num_cmp(x, zero) < 0 ||
		(rate && cbr_num_cmp(x, int64_to_numeric(1)) >= 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 rate ? errmsg("%s must be a rate from 0 up to but excluding 1", what)
				 : errmsg("%s must be a finite amount of 0 or more", what),
				 errdetail("The value given is %s.",
						   DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(x))))));
}

/*
 * import_retail_tax(customs_value numeric, vat_rate numeric,
 * consumption_tax_rate numeric DEFAULT 0, annual_used numeric DEFAULT 0)
 * -> cbreturn.import_tax
 * R-IM-4 (MoF/GACC/STA 2018 No. 49): within the limits a CBEC retail import
 * pays tariff 0 and the import VAT and consumption tax at import_tax_share
 * (70 %) of the statutory amounts; consumption tax is computed on the
 * composite price value / (1 - rate), VAT on value + consumption tax.  Each
 * tax is rounded to the fen.  Above a limit the import is not taxed as a
 * retail import: within_limits is false and the amounts are NULL.  A return
 * released under R-IM-3 refunds this tax for the returned value.
 */
PG_FUNCTION_INFO_V1(import_retail_tax);
Datum
import_retail_tax(PG_FUNCTION_ARGS)
{
	const CbrPolicy *p = cbr_policy();
	Numeric		value = PG_GETARG_NUMERIC(0);
	Numeric		vat_rate = PG_GETARG_NUMERIC(1);
	Numeric		ct_rate = PG_GETARG_NUMERIC(2);
	Numeric		used = PG_GETARG_NUMERIC(3);
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {false};
	bool		within;

	cbr_check_amount("customs_value", value, false);
	cbr_check_amount("vat_rate", vat_rate, true);
	cbr_check_amount("consumption_tax_rate", ct_rate, true);
	cbr_check_amount("annual_used", used, false);
	tupdesc = cbr_result_tupdesc(fcinfo);

	within = cbr_num_cmp(value, p->limit_per_transaction) <= 0 &&
		cbr_num_cmp(numeric_add_opt_error(used, value, NULL), p->limit_per_year) <= 0;
	values[0] = BoolGetDatum(within);
	if (within)
	{
		Numeric		one = int64_to_numeric(1);
		Numeric		ct_full;
		Numeric		vat_full;
		Numeric		ct;
		Numeric		vat;

		/* statutory consumption tax on the composite price, then VAT */
		ct_full = numeric_div_opt_error(numeric_mul_opt_error(value, ct_rate, NULL),
										numeric_sub_opt_error(one, ct_rate, NULL), NULL);
		vat_full = numeric_mul_opt_error(numeric_add_opt_error(value, ct_full, NULL), vat_rate, NULL);
		ct = cbr_num_round2(numeric_mul_opt_error(ct_full, p->import_tax_share, NULL));
		vat = cbr_num_round2(numeric_mul_opt_error(vat_full, p->import_tax_share, NULL));
		values[1] = NumericGetDatum(cbr_num_round2(int64_to_numeric(0)));
		values[2] = NumericGetDatum(ct);
		values[3] = NumericGetDatum(vat);
		values[4] = NumericGetDatum(numeric_add_opt_error(ct, vat, NULL));
	}
	else
		nulls[1] = nulls[2] = nulls[3] = nulls[4] = true;
	values[5] = CStringGetTextDatum(within
									? "MoF/GACC/STA 2018 No. 49: tariff 0, import VAT and consumption tax at the import_tax_share of the statutory amount"
									: "MoF/GACC/STA 2018 No. 49: above the per-transaction or annual limit, not taxed as a CBEC retail import");
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * import_annual_amount_after_return(annual_used numeric, returned_value
 * numeric) -> numeric.  R-IM-3 (seed 004): a released return reduces the
 * consumer's annual cumulative amount by the returned value.
 */
PG_FUNCTION_INFO_V1(import_annual_amount_after_return);
Datum
import_annual_amount_after_return(PG_FUNCTION_ARGS)
{
	Numeric		used = PG_GETARG_NUMERIC(0);
	Numeric		returned = PG_GETARG_NUMERIC(1);

	cbr_check_amount("annual_used", used, false);
	cbr_check_amount("returned_value", returned, false);
	if (cbr_num_cmp(returned, used) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("returned_value is larger than annual_used"),
				 errdetail("A return restores at most what the consumer's purchases added to the annual amount (R-IM-3).")));
	PG_RETURN_NUMERIC(numeric_sub_opt_error(used, returned, NULL));
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
	Numeric		used = PG_GETARG_NUMERIC(0);
	Numeric		left;

	cbr_check_amount("annual_used", used, false);
	left = numeric_sub_opt_error(p->limit_per_year, used, NULL);
	if (cbr_num_cmp(left, int64_to_numeric(0)) < 0)
		left = int64_to_numeric(0);
	PG_RETURN_NUMERIC(left);
}

