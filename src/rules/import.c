/*
 * import.c
 *		The retail-import return windows (R-IM-1, GACC 2020 No. 45): the
 *		return application within 30 days and the goods' arrival within 45
 *		days of the release of the import list, calendar days (R-P-1),
 *		neither before the release; the retail-import tax and annual amount
 *		(R-IM-4, MoF/GACC/STA 2018 No. 49) and what a released return
 *		restores (R-IM-3, seed 004).  Decided over plain values (rules.h).
 */
#include "rules/rules.h"

CbrOutcome
cbr_decide_import_deadline(DateADT released_on, CbrDateRole which, CbrWindowVerdict *v)
{
	return cbr_decide_deadline(released_on, CBR_DATE_RELEASED,
							   which == CBR_DATE_APPLIED ? CBR_IMPORT_APPLY_DAYS : CBR_IMPORT_ARRIVAL_DAYS,
							   false, v);
}

/* One of the two dates against its deadline: bad input, late, or on time. */
static void
cbr_decide_import_date(DateADT released_on, CbrDateRole which, DateADT when, CbrWindowVerdict *v)
{
	if (DATE_NOT_FINITE(when))
		v->outcome = CBR_BAD_INFINITE;
	else if (when < released_on)
	{
		v->outcome = CBR_BAD_ORDER;
		v->other = CBR_DATE_RELEASED;
		v->other_value = released_on;
	}
	else
		v->outcome = when <= v->deadline ? CBR_PASS : CBR_FAIL_WINDOW;
	v->bad = which;
	v->bad_value = when;
}

/*
 * Both windows.  Bad input in either date is reported before a late one
 * (docs/rules.md, Bad input); of two late dates the application is named
 * first.  A date not known yet (has_* false) passes so far: an application
 * filed after day 30 is late when it is filed, whether or not the goods have
 * arrived (R-IM-1), and goods that arrive after day 45 are late whether or
 * not the application is recorded.  A row with no release date has no
 * window yet.  decided: the answer no later date can change.
 */
CbrOutcome
cbr_decide_import_return(bool has_released, DateADT released_on, bool has_applied,
						 DateADT applied_on, bool has_arrived, DateADT arrived_on,
						 CbrImportVerdict *v)
{
	memset(v, 0, sizeof(*v));
	if (!has_released)
		return v->outcome = CBR_PASS;
	if (cbr_decide_import_deadline(released_on, CBR_DATE_APPLIED, &v->apply) != CBR_PASS)
	{
		v->failed = &v->apply;
		v->decided = true;
		return v->outcome = v->apply.outcome;
	}
	(void) cbr_decide_import_deadline(released_on, CBR_DATE_ARRIVED, &v->arrive);
	if (v->arrive.outcome != CBR_PASS)
	{
		v->failed = &v->arrive;
		v->decided = true;
		return v->outcome = v->arrive.outcome;
	}
	if (has_applied)
		cbr_decide_import_date(released_on, CBR_DATE_APPLIED, applied_on, &v->apply);
	if (has_arrived)
		cbr_decide_import_date(released_on, CBR_DATE_ARRIVED, arrived_on, &v->arrive);
	if (v->apply.outcome != CBR_PASS && v->apply.outcome != CBR_FAIL_WINDOW)
		v->failed = &v->apply;
	else if (v->arrive.outcome != CBR_PASS && v->arrive.outcome != CBR_FAIL_WINDOW)
		v->failed = &v->arrive;
	else if (v->apply.outcome == CBR_FAIL_WINDOW)
		v->failed = &v->apply;
	else if (v->arrive.outcome == CBR_FAIL_WINDOW)
		v->failed = &v->arrive;
	v->outcome = v->failed ? v->failed->outcome : CBR_PASS;
	v->decided = v->outcome != CBR_PASS || (has_applied && has_arrived);
	return v->outcome;
}

/* ---------------------------------------------------------------------
 * R-IM-3, R-IM-4: the tax and the annual amount (MoF/GACC/STA 2018 No. 49;
 * seed 004; GACC 2020 No. 45).  Exact decimals in, exact decimals out.
 * --------------------------------------------------------------------- */
#ifndef HAVE_INT128
#error "the R-IM-4 arithmetic of cbreturn needs a 128-bit integer type"
#endif

const char *const cbr_import_arg_names[5] = {
	"customs_value", "vat_rate", "consumption_tax_rate", "annual_used", "returned_value"
};

const char *const cbr_import_effect_names[3] = {"not_yet", "applied", "never"};

static const CbrQty cbr_qty_zero = {0, 0};

/* 10^n for 0 <= n <= 38 (the callers keep n in range) */
static int128
cbr_pow10_128(int n)
{
	int128		r = 1;

	while (n-- > 0)
		r *= 10;
	return r;
}

/* a * b, false on overflow (both >= 0) */
static bool
cbr_mul128(int128 a, int128 b, int128 *r)
{
	return !__builtin_mul_overflow(a, b, r);
}

/*
 * num / den rounded half away from zero to an int64, num >= 0, den > 0;
 * false when the quotient does not fit.
 */
static bool
cbr_div_round(int128 num, int128 den, int64 *r)
{
	int128		q = num / den;
	int128		rem = num % den;

	if (rem >= den - rem)
		q++;
	if (q > PG_INT64_MAX)
		return false;
	*r = (int64) q;
	return true;
}

/* The same value without trailing zeros after the decimal point. */
static void
cbr_qty_trim(CbrQty *q)
{
	while (q->scale > 0 && q->value % 10 == 0)
	{
		q->value /= 10;
		q->scale--;
	}
}

/* q at scale (>= q.scale, <= 18) as a 128-bit integer: never overflows */
static int128
cbr_at_scale(CbrQty q, int scale)
{
	return (int128) q.value * cbr_pow10_128(scale - q.scale);
}

/*
 * a + b <=> c, for a comparison against a limit: exact at any scale, so an
 * amount with many decimals is compared, not refused.
 */
static int
cbr_sum_cmp(CbrQty a, CbrQty b, CbrQty c)
{
	int			scale = Max(Max(a.scale, b.scale), c.scale);
	int128		l = cbr_at_scale(a, scale) + cbr_at_scale(b, scale);
	int128		r = cbr_at_scale(c, scale);

	return l < r ? -1 : (l > r ? 1 : 0);
}

/*
 * a - b at the larger scale (as numeric subtraction shows it), or with the
 * trailing zeros dropped when that scale does not fit; false when the
 * difference has more digits than a CbrQty holds.
 */
static bool
cbr_sub_exact(CbrQty a, CbrQty b, CbrQty *r)
{
	if (cbr_qty_sub(a, b, r))
		return true;
	cbr_qty_trim(&a);
	cbr_qty_trim(&b);
	return cbr_qty_sub(a, b, r);
}

/* The sign of q: -1, 0, 1. */
static int
cbr_qty_sign(CbrQty q)
{
	return q.value < 0 ? -1 : (q.value > 0 ? 1 : 0);
}

/*
 * One tax in fen: round(value * rate * share / (1 - ct_rate)), exactly.
 * With value = V/10^a, rate = F/10^f, share = S/10^c and ct_rate = R/10^b:
 * V * F * S * 100 * 10^b / (10^(a + f + c) * (10^b - R)).  The consumption
 * tax is this with rate = ct_rate, the VAT with rate = vat_rate (levied on
 * the composite price value / (1 - ct_rate)).  False on overflow.
 */
static bool
cbr_tax_fen(CbrQty value, CbrQty rate, CbrQty share, CbrQty ct_rate, int64 *fen)
{
	int			net;
	int128		num;
	int128		den;

	cbr_qty_trim(&value);
	cbr_qty_trim(&rate);
	cbr_qty_trim(&share);
	cbr_qty_trim(&ct_rate);
	net = value.scale + rate.scale + share.scale - ct_rate.scale;
	den = cbr_pow10_128(ct_rate.scale) - ct_rate.value;

	if (net > 38 || net < -38)
		return false;
	if (!cbr_mul128(value.value, rate.value, &num) || !cbr_mul128(num, share.value, &num) ||
		!cbr_mul128(num, 100, &num))
		return false;
	if (net >= 0 ? !cbr_mul128(den, cbr_pow10_128(net), &den)
		: !cbr_mul128(num, cbr_pow10_128(-net), &num))
		return false;
	return cbr_div_round(num, den, fen);
}

/* A rate in [0, 1): 0 ok, 1 outside. */
static int
cbr_rate_bad(CbrQty rate)
{
	const CbrQty one = {1, 0};

	return (cbr_qty_sign(rate) < 0 || cbr_sum_cmp(rate, cbr_qty_zero, one) >= 0) ? 1 : 0;
}

/*
 * R-IM-4: within the per-transaction and the annual limit (a value equal
 * to a limit is within), tariff 0 and the import VAT and consumption tax at
 * import_tax_share of the statutory amounts: the consumption tax on the
 * composite price value / (1 - rate) * rate, the VAT on value + consumption
 * tax.  Each tax is computed exactly and rounded once, to the fen.  Above a
 * limit the import is not taxed as a retail import (within false).
 */
CbrOutcome
cbr_decide_import_tax(const CbrPolicy *p, CbrQty value, CbrQty vat_rate, CbrQty ct_rate,
					  CbrQty used, CbrImportTax *v)
{
	int			c_tx;
	int			c_year;
	int64		ct;
	int64		vat;

	memset(v, 0, sizeof(*v));
	if (cbr_qty_sign(value) < 0)
		return v->bad_arg = CBR_ARG_CUSTOMS_VALUE, v->outcome = CBR_BAD_AMOUNT;
	if (cbr_rate_bad(vat_rate) != 0)
		return v->bad_arg = CBR_ARG_VAT_RATE, v->outcome = CBR_BAD_RATE;
	if (cbr_rate_bad(ct_rate) != 0)
		return v->bad_arg = CBR_ARG_CONSUMPTION_TAX_RATE, v->outcome = CBR_BAD_RATE;
	if (cbr_qty_sign(used) < 0)
		return v->bad_arg = CBR_ARG_ANNUAL_USED, v->outcome = CBR_BAD_AMOUNT;
	c_tx = cbr_sum_cmp(value, cbr_qty_zero, p->limit_per_transaction);
	c_year = cbr_sum_cmp(used, value, p->limit_per_year);
	v->over_transaction = c_tx > 0;
	v->within = c_tx <= 0 && c_year <= 0;
	if (!v->within)
		return v->outcome = CBR_PASS;
	if (!cbr_tax_fen(value, ct_rate, p->import_tax_share, ct_rate, &ct) ||
		!cbr_tax_fen(value, vat_rate, p->import_tax_share, ct_rate, &vat) ||
		ct > PG_INT64_MAX - vat)
		return v->bad_arg = CBR_ARG_CUSTOMS_VALUE, v->outcome = CBR_BAD_PRECISION;
	v->tariff.scale = v->consumption_tax.scale = v->import_vat.scale = v->total.scale = 2;
	v->consumption_tax.value = ct;
	v->import_vat.value = vat;
	v->total.value = ct + vat;
	return v->outcome = CBR_PASS;
}

/* R-IM-4: import_limit_per_year - annual_used, never below 0. */
CbrOutcome
cbr_decide_quota_remaining(const CbrPolicy *p, CbrQty used, CbrQty *left, CbrImportArg *bad_arg)
{
	*bad_arg = CBR_ARG_ANNUAL_USED;
	if (cbr_qty_sign(used) < 0)
		return CBR_BAD_AMOUNT;
	if (cbr_sum_cmp(used, cbr_qty_zero, p->limit_per_year) >= 0)
		*left = cbr_qty_zero;
	else if (!cbr_sub_exact(p->limit_per_year, used, left))
		return CBR_BAD_PRECISION;
	return CBR_PASS;
}

int
cbr_stage_from_name(const char *name, int len)
{
	int			i;

	for (i = 0; i < CBR_STAGES; i++)
		if ((int) strlen(cbr_stage_names[i]) == len && memcmp(cbr_stage_names[i], name, len) == 0)
			return i;
	return -1;
}

/*
 * R-IM-3 (seed 004; rules section 6): a return that customs released
 * refunds the tax and reduces the consumer's annual amount by the returned
 * value; one registered, declared, shipped, arrived or inspected has done
 * neither yet; a rejected one never will.  The amount reduced is that of
 * the calendar year of the original purchase, also when the return is
 * released in the next year: an annual amount of another year is not
 * changed, and is not compared with the returned value.  A return larger
 * than the purchase year's amount is bad input (22023), whatever its stage.
 */
CbrOutcome
cbr_decide_import_quota(const CbrQuotaInput *in, CbrQuotaVerdict *v)
{
	memset(v, 0, sizeof(*v));

	/*
	 * R-IM-3 is the effect of a CBEC retail import return; an ordinary
	 * (taxed) return, declared outside that procedure, never refunds the
	 * tax nor restores the annual amount (issue 12, item 4).
	 */
	v->effect = in->ordinary || in->stage == CBR_STAGE_REJECTED ? CBR_EFFECT_NEVER
		: in->stage == CBR_STAGE_RELEASED ? CBR_EFFECT_APPLIED : CBR_EFFECT_NOT_YET;
	v->outside = in->ordinary;
	v->restored = cbr_qty_zero;
	v->amount_after = in->annual_used;
	if (cbr_qty_sign(in->returned) < 0)
		return v->bad_arg = CBR_ARG_RETURNED_VALUE, v->outcome = CBR_BAD_AMOUNT;
	if (in->has_used && cbr_qty_sign(in->annual_used) < 0)
		return v->bad_arg = CBR_ARG_ANNUAL_USED, v->outcome = CBR_BAD_AMOUNT;
	if (in->has_purchase)
	{
		if (DATE_NOT_FINITE(in->purchased_on))
			return v->outcome = CBR_BAD_INFINITE;
		v->quota_year = cbr_date_year(in->purchased_on);
	}
	v->same_year = !in->has_year || !in->has_purchase || in->amount_year == v->quota_year;
	if (in->has_used && v->same_year &&
		cbr_sum_cmp(in->returned, cbr_qty_zero, in->annual_used) > 0)
		return v->bad_arg = CBR_ARG_RETURNED_VALUE, v->outcome = CBR_BAD_EXCESS;
	if (v->effect == CBR_EFFECT_APPLIED)
	{
		v->restored = in->returned;
		if (in->has_used && v->same_year &&
			!cbr_sub_exact(in->annual_used, in->returned, &v->amount_after))
			return v->bad_arg = CBR_ARG_RETURNED_VALUE, v->outcome = CBR_BAD_PRECISION;
	}
	return v->outcome = CBR_PASS;
}
