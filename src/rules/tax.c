/*
 * tax.c
 *		Tax relief on a returned export (R-TX-1 ... R-TX-6), decided over
 *		plain values and the policy periods of the snapshot (rules.h).
 *
 * Unsold and consumer returns take the announcement route (R-TX-1, R-TX-2,
 * R-TX-4; MoF/GACC/STA announcements, seed 003 arts. 1 and 3);
 * quality/specification returns take the statutory one (R-TX-6, R-TX-4; the
 * Tariff Law and customs' tax collection measures, seed 002 export II).
 * R-TX-3 and R-TX-5 say what customs will ask for when relief is granted:
 * the tax authority's certificate always, after repaying a claimed rebate.
 * The texts (basis, evidence) are built by src/policy/report.c, in the
 * session's language, from this verdict.
 */
#include "rules/rules.h"

const char *const cbr_failed_rule_ids[CBR_FAILED_COUNT] = {"R-TX-1", "R-TX-2", "R-TX-4", "R-TX-6"};

/* Bad input, as docs/rules.md lists it: infinite dates (22008), order (22023). */
static bool
cbr_relief_bad(CbrRelief *out, CbrOutcome o, CbrDateRole bad, DateADT bad_value,
			   CbrDateRole other, DateADT other_value)
{
	out->outcome = o;
	out->bad = bad;
	out->bad_value = bad_value;
	out->other = other;
	out->other_value = other_value;
	return true;
}

static bool
cbr_relief_input_bad(const CbrPolicy *p, const CbrReliefInput *in, CbrRelief *out)
{
	if (DATE_NOT_FINITE(in->exported_on))
		return cbr_relief_bad(out, CBR_BAD_INFINITE, CBR_DATE_EXPORTED, in->exported_on, 0, 0);
	if (DATE_NOT_FINITE(in->returned_on))
		return cbr_relief_bad(out, CBR_BAD_INFINITE, CBR_DATE_RETURNED, in->returned_on, 0, 0);
	if (in->code < 0 || in->code >= CBR_CODE4_COUNT || !p->code_known[in->code])
		return cbr_relief_bad(out, CBR_BAD_CODE, 0, 0, 0, 0);
	if (in->returned_on < in->exported_on)
		return cbr_relief_bad(out, CBR_BAD_ORDER, CBR_DATE_RETURNED, in->returned_on,
							  CBR_DATE_EXPORTED, in->exported_on);
	if (in->has_left_on && in->code == CBR_CODE_1210)
	{
		if (DATE_NOT_FINITE(in->left_on))
			return cbr_relief_bad(out, CBR_BAD_INFINITE, CBR_DATE_LEFT_AREA, in->left_on, 0, 0);
		if (in->left_on < in->exported_on)
			return cbr_relief_bad(out, CBR_BAD_ORDER, CBR_DATE_LEFT_AREA, in->left_on,
								  CBR_DATE_EXPORTED, in->exported_on);
		if (in->returned_on < in->left_on)
			return cbr_relief_bad(out, CBR_BAD_ORDER, CBR_DATE_RETURNED, in->returned_on,
								  CBR_DATE_LEFT_AREA, in->left_on);
	}
	return false;
}

/*
 * The effect of relief on either route (R-TX-3 for the announcements, R-TX-6
 * for quality returns): import duty and the import-stage taxes customs
 * collects (import VAT, consumption tax) are not levied; export duty is
 * refunded.
 */
static CbrOutcome
cbr_relief_grant(CbrRelief *out)
{
	out->relieved = out->failed == 0;
	if (out->relieved)
	{
		out->import_duty_exempt = true;
		out->import_vat_exempt = true;
		out->consumption_tax_exempt = true;
		out->export_duty_refund = true;
	}
	return CBR_PASS;
}

/* R-TX-6 and R-TX-4: the statutory route of quality/specification returns. */
static CbrOutcome
cbr_relief_tx6(const CbrReliefInput *in, CbrRelief *out)
{
	bool		in_year;

	out->route_tx6 = true;
	if (!cbr_within_months(in->exported_on, CBR_EXPORT_MONTHS_QUALITY, in->returned_on, &in_year))
	{
		cbr_relief_bad(out, CBR_BAD_RANGE, CBR_DATE_EXPORTED, in->exported_on, 0, 0);
		return out->outcome;
	}
	if (!in_year)
		out->failed |= CBR_FAILED_TX6;
	if (!in->original_state)
		out->failed |= CBR_FAILED_TX4;
	return cbr_relief_grant(out);
}

/* R-TX-1, R-TX-2, R-TX-4: the announcement route. */
static CbrOutcome
cbr_relief_announced(const CbrPolicy *p, const CbrReliefInput *in, CbrRelief *out)
{
	const CbrTaxPeriod *covering = NULL;
	const CbrTaxPeriod *period = NULL;
	int			i;

	/*
	 * An ordinary return (declared as ordinary returned goods, e.g. 4561,
	 * outside the CBEC return procedure; issue 12 item 4) is not a return
	 * the announcements relieve: R-TX-2 fails whatever the dates, and it is
	 * taxed as an ordinary import (rules, R-TX-6: "outside R-TX-2 and R-TX-6
	 * a return is taxed as an ordinary import").
	 */
	if (in->ordinary)
	{
		out->ordinary = true;
		out->failed |= CBR_FAILED_TX2;
		return cbr_relief_grant(out);
	}

	/*
	 * R-TX-1: a policy period covering the export declaration date (the one
	 * that starts last is named); R-TX-2: of those, the latest that lists the
	 * supervision code, as cbr_tax_period_for() finds it, in the same pass.
	 * (Locals, and the pass stops at the first listing: this loop runs for
	 * every row of a scan.)
	 */
	for (i = p->ntax_periods - 1; i >= 0; i--)
	{
		const CbrTaxPeriod *t = &p->tax_periods[i];
		int			j;

		if (in->exported_on < t->declared_from || in->exported_on > t->declared_to)
			continue;
		if (covering == NULL)
			covering = t;
		for (j = 0; j < t->ncodes && t->codes[j] != in->code; j++)
			;
		if (j < t->ncodes)
		{
			period = t;
			break;
		}
	}
	out->covering = covering;
	out->period = period;
	if (out->covering == NULL)
		out->failed |= CBR_FAILED_TX1;
	else if (out->period == NULL)
		out->failed |= CBR_FAILED_TX2;
	/* R-TX-2: food is never relieved. */
	if (in->is_food)
		out->failed |= CBR_FAILED_TX2;

	/* R-TX-2: back within the period's months; 1210 counts from leaving the area. */
	out->months = out->period ? out->period->months : CBR_TAX_RELIEF_MONTHS;
	out->window_known = !(in->code == CBR_CODE_1210 && !in->has_left_on);
	if (out->window_known)
	{
		out->window_start = in->code == CBR_CODE_1210 ? in->left_on : in->exported_on;
		if (!cbr_within_months(out->window_start, out->months, in->returned_on, &out->window_ok))
		{
			cbr_relief_bad(out, CBR_BAD_RANGE,
						   in->code == CBR_CODE_1210 ? CBR_DATE_LEFT_AREA : CBR_DATE_EXPORTED,
						   out->window_start, 0, 0);
			return out->outcome;
		}
	}
	else if (cbr_within_months(in->exported_on, out->months, in->returned_on, &out->window_ok) &&
			 out->window_ok)
	{
		/*
		 * 1210 without the departure: the goods left the area on or after
		 * their export declaration and before their return, so a return
		 * within the months of the export is within the months of the
		 * departure, whatever day that was.  Later than that, the day
		 * decides, and it is not known: not relieved.
		 */
		out->window_known = true;
		out->window_by_export = true;
		out->window_start = in->exported_on;
	}
	else
		out->window_ok = false;
	if (!out->window_ok)
		out->failed |= CBR_FAILED_TX2;

	/* R-TX-4 (seed 003 art. 3): original state. */
	if (!in->original_state)
		out->failed |= CBR_FAILED_TX4;

	return cbr_relief_grant(out);
}

CbrOutcome
cbr_decide_tax_relief(const CbrPolicy *p, const CbrReliefInput *in, CbrRelief *out)
{
	CbrOutcome	o;

	memset(out, 0, sizeof(*out));
	if (cbr_relief_input_bad(p, in, out))
		return out->outcome;
	o = in->reason == CBR_REASON_QUALITY_OR_SPEC
		? cbr_relief_tx6(in, out) : cbr_relief_announced(p, in, out);
	if (o != CBR_PASS || !out->relieved)
		return o;

	/*
	 * R-TX-3 (seed 003 art. 2; seed 002 export II, for every CBEC export
	 * return): relief is applied for on the tax authority's certificate
	 * (出口货物已补税/未退税证明), which states either that no rebate was
	 * refunded or that a refunded one was repaid; so a claimed rebate is
	 * repaid first.  R-TX-5 (seed 003 art. 4): the certificate is part of the
	 * evidence, beside the declaration and the proof of the reason.
	 */
	out->rebate_repayment_required = in->rebate_claimed;
	out->tax_certificate_required = true;
	return CBR_PASS;
}
