/*
 * report_steps.c
 *		The explain steps of the deadline, import and R-EX-5 rules, built
 *		from a verdict of the decision layer (src/rules/) and the policy
 *		snapshot: the explain functions return them as rows, the checks
 *		quote the failed ones in an error's DETAIL.  Dates, district names
 *		and code lists come from the snapshot (report.c says why).
 */
#include "policy/report_int.h"

#include "lib/stringinfo.h"

/* R-EX-1: the window of a reason, for the explain text. */
static const char *
cbr_window_label(int months)
{
	return months == CBR_EXPORT_MONTHS_QUALITY ? _("1 year: quality or specification")
		: _("6 months: unsold or consumer return");
}

/* R-EX-2, R-P-1, R-EX-1 of an export return (a verdict without bad input). */
List *
cbr_steps_export_deadline(CbrReason reason, DateADT exported_on, bool has_returned,
						  const CbrWindowVerdict *v)
{
	List	   *steps = NIL;

	cbr_language_begin();
	cbr_step_add(&steps, "R-EX-2", true, cbr_basis(BASIS_EX2), "reason %s: remark code %s",
				 _(cbr_reason_label(reason)), cbr_remark_code(reason));
	cbr_step_add(&steps, "R-P-1", true, cbr_basis(BASIS_P1),
				 "exported on %s + %d months = %s (start day not counted; last day inside the window; clamped to the month end)",
				 cbr_date_iso(exported_on), v->length, cbr_date_iso(v->deadline));
	if (has_returned)
		cbr_step_add(&steps, "R-EX-1", v->outcome == CBR_PASS, cbr_basis(BASIS_EX1),
					 "returned on %s, deadline %s (%s)", cbr_date_iso(v->bad_value),
					 cbr_date_iso(v->deadline), cbr_window_label(v->length));
	else
		cbr_step_add(&steps, "R-EX-1", true, cbr_basis(BASIS_EX1), "deadline %s (%s); not returned yet",
					 cbr_date_iso(v->deadline), cbr_window_label(v->length));
	cbr_language_end();
	return steps;
}

/*
 * R-EX-2, R-TX-2, R-P-1, R-EX-1 of a 1210 export return: the window counts
 * from the export date, the departure from the special area lies between the
 * export and the return (cbr_decide_bonded_export_window).
 */
List *
cbr_steps_bonded_export_deadline(CbrReason reason, DateADT exported_on, DateADT left_on,
								 bool has_returned, const CbrWindowVerdict *v)
{
	List	   *steps = NIL;

	cbr_language_begin();
	cbr_step_add(&steps, "R-EX-2", true, cbr_basis(BASIS_EX2), "reason %s: remark code %s",
				 _(cbr_reason_label(reason)), cbr_remark_code(reason));
	cbr_step_add(&steps, "R-TX-2", true, cbr_basis(BASIS_TX2_1210),
				 "1210: declared for export on %s, left the special area on %s; the departure starts the tax relief period only, the return window counts from the export date",
				 cbr_date_iso(exported_on), cbr_date_iso(left_on));
	cbr_step_add(&steps, "R-P-1", true, cbr_basis(BASIS_P1),
				 "exported on %s + %d months = %s (start day not counted; last day inside the window; clamped to the month end)",
				 cbr_date_iso(exported_on), v->length, cbr_date_iso(v->deadline));
	if (has_returned)
		cbr_step_add(&steps, "R-EX-1", v->outcome == CBR_PASS, cbr_basis(BASIS_EX1),
					 "returned on %s, deadline %s (%s)", cbr_date_iso(v->bad_value),
					 cbr_date_iso(v->deadline), cbr_window_label(v->length));
	else
		cbr_step_add(&steps, "R-EX-1", true, cbr_basis(BASIS_EX1), "deadline %s (%s); not returned yet",
					 cbr_date_iso(v->deadline), cbr_window_label(v->length));
	cbr_language_end();
	return steps;
}

/* R-IM-1, both deadlines (a verdict without bad input). */
List *
cbr_steps_import_return(DateADT released_on, bool has_applied, bool has_arrived,
						const CbrImportVerdict *v)
{
	List	   *steps = NIL;
	const CbrWindowVerdict *a = &v->apply;
	const CbrWindowVerdict *r = &v->arrive;
	const char *basis = cbr_basis(BASIS_IM1);

	if (has_applied)
		cbr_step_add(&steps, "R-IM-1", a->outcome == CBR_PASS, basis,
					 "application filed %s, deadline %s (release %s + %d days)",
					 cbr_date_iso(a->bad_value), cbr_date_iso(a->deadline),
					 cbr_date_iso(released_on), a->length);
	else
		cbr_step_add(&steps, "R-IM-1", true, basis,
					 "no application yet; deadline %s (release %s + %d days)",
					 cbr_date_iso(a->deadline), cbr_date_iso(released_on), a->length);
	if (has_arrived)
		cbr_step_add(&steps, "R-IM-1", r->outcome == CBR_PASS, basis,
					 "goods arrived %s, deadline %s (release %s + %d days)",
					 cbr_date_iso(r->bad_value), cbr_date_iso(r->deadline),
					 cbr_date_iso(released_on), r->length);
	else
		cbr_step_add(&steps, "R-IM-1", true, basis,
					 "goods not arrived yet; deadline %s (release %s + %d days)",
					 cbr_date_iso(r->deadline), cbr_date_iso(released_on), r->length);
	return steps;
}

static char *basis_format(const char *fmt,...) pg_attribute_printf(1, 2);
static char *
basis_format(const char *fmt,...)
{
	va_list		args;
	char	   *text;

	va_start(args, fmt);
	text = cbr_translated_vformat(fmt, args);
	va_end(args);
	return text;
}

/*
 * R-IM-4: the basis of an import_retail_tax answer, in the session's
 * language, with the share the policy applies (0.7: "70%").
 */
const char *
cbr_import_tax_basis(bool within)
{
	CbrQty		share = cbr_policy()->import_tax_share;
	char		pct[CBR_QTY_TEXT_LEN];

	if (!within)
		return cbr_basis(BASIS_IM4_ABOVE);
	if (share.scale >= 2)
		share.scale -= 2;
	else
	{
		share.value *= share.scale == 1 ? 10 : 100;
		share.scale = 0;
	}
	cbr_qty_format(share, pct);
	return basis_format(BASIS_IM4, pct);
}

/* R-IM-3: the basis of an import_return_effect answer, in the session's language. */
const char *
cbr_import_effect_basis(bool ordinary)
{
	return cbr_basis(ordinary ? BASIS_IM3_ORDINARY : BASIS_IM3);
}

/*
 * R-IM-3 with rules section 6: what the status of a recorded return means
 * (a verdict without bad input).  A rejected return fails: it never
 * refunds or restores anything; one not released yet passes, as a window
 * not yet over does.
 */
List *
cbr_steps_import_effect(const CbrQuotaInput *in, const CbrQuotaVerdict *v)
{
	List	   *steps = NIL;
	const char *basis = cbr_import_effect_basis(v->outside);
	bool		passed = v->effect != CBR_EFFECT_NEVER;
	char		amount[CBR_QTY_TEXT_LEN];
	const char *stage;

	cbr_qty_format(in->returned, amount);
	cbr_language_begin();
	/* the stage's label for people (src/i18n/labels.c) */
	stage = _(cbr_stage_names[in->stage]);
	/*
	 * An ordinary (taxed) return (issue 12, item 4): outside R-IM-3 whatever
	 * its status, as cbr_decide_import_quota decided (v->outside).
	 */
	if (v->outside)
	{
		cbr_step_add(&steps, "R-IM-3", passed, basis,
					 "status %s, declared as ordinary returned goods: not a CBEC retail import return, so its tax is not refunded",
					 stage);
		cbr_step_add(&steps, "R-IM-3", passed, basis,
					 "purchased on %s: the annual amount of %d stays as it is",
					 cbr_date_iso(in->purchased_on), v->quota_year);
		cbr_language_end();
		return steps;
	}
	switch (v->effect)
	{
		case CBR_EFFECT_APPLIED:
			cbr_step_add(&steps, "R-IM-3", passed, basis,
						 "status %s: customs has released the return, so its tax is not levied or is refunded",
						 stage);
			cbr_step_add(&steps, "R-IM-3", passed, basis,
						 "purchased on %s: the annual amount of %d is reduced by %s",
						 cbr_date_iso(in->purchased_on), v->quota_year, amount);
			break;
		case CBR_EFFECT_NOT_YET:
			cbr_step_add(&steps, "R-IM-3", passed, basis,
						 "status %s: not released by customs yet, so nothing is refunded or restored yet",
						 stage);
			cbr_step_add(&steps, "R-IM-3", passed, basis,
						 "purchased on %s: once the return is released, the annual amount of %d will be reduced by %s",
						 cbr_date_iso(in->purchased_on), v->quota_year, amount);
			break;
		case CBR_EFFECT_NEVER:
			cbr_step_add(&steps, "R-IM-3", passed, basis,
						 "status %s: customs did not release the return, so nothing is refunded or restored",
						 stage);
			cbr_step_add(&steps, "R-IM-3", passed, basis,
						 "purchased on %s: the annual amount of %d stays as it is",
						 cbr_date_iso(in->purchased_on), v->quota_year);
			break;
	}
	cbr_language_end();
	return steps;
}

/* R-EX-5 (pilot): GACC 2024 No. 167, with the first pilot day of the snapshot. */
static char *
cbr_pilot_basis(const CbrPolicy *p)
{
	if (p->earliest_pilot_from == DATEVAL_NOEND)
		return pstrdup(_("GACC 2024 No. 167 (pilot of cross-customs returns of CBEC retail exports)"));
	return psprintf(_("GACC 2024 No. 167 (pilot of cross-customs returns of CBEC retail exports from %s)"),
					cbr_date_iso(p->earliest_pilot_from));
}

/*
 * The legal basis of R-EX-5 (seeds 000, 001, 002): the pilot and the
 * nationwide announcement, with the dates of the snapshot.
 */
char *
cbr_cross_customs_basis(const CbrPolicy *p)
{
	char	   *result;

	cbr_language_begin();
	result = psprintf(_("%s; GACC announcement extending cross-customs returns of 9610 retail exports nationwide from %s"),
					  cbr_pilot_basis(p), cbr_date_iso(p->nationwide_from));
	cbr_language_end();
	return result;
}

static const char *
cbr_district_name(const CbrPolicy *p, int district)
{
	return cbr_texts_zh() ? p->district_name_zh[district] : p->district_name[district];
}

/* R-ID-2 and R-EX-5 (a verdict without bad input). */
List *
cbr_steps_cross_customs(const CbrPolicy *p, const CbrCrossVerdict *v)
{
	List	   *steps = NIL;
	int			ed = v->export_district;
	int			rd = v->return_district;
	char	   *basis = cbr_cross_customs_basis(p);
	char	   *pilot_basis;

	cbr_language_begin();
	pilot_basis = cbr_pilot_basis(p);
	cbr_step_add(&steps, "R-ID-2", true, _(BASIS_ID2),
				 "export office %04d is in district %02d (%s); return office %04d is in district %02d (%s)",
				 v->export_office, ed, cbr_district_name(p, ed), v->return_office, rd,
				 cbr_district_name(p, rd));
	if (v->same_district)
		cbr_step_add(&steps, "R-EX-5", true, basis,
					 "same district %02d: a return within the original district is always allowed (any supervision code)",
					 ed);
	else if (v->code_crosses)
		cbr_step_add(&steps, "R-EX-5", true, basis,
					 "supervision code %04d, districts %02d -> %02d: a cross-customs return, which %04d may make",
					 v->code, ed, rd, CBR_CODE_9610);
	else
		cbr_step_add(&steps, "R-EX-5", false, basis,
					 "supervision code %04d, districts %02d -> %02d, and only %04d returns may cross districts",
					 v->code, ed, rd, CBR_CODE_9610);
	if (v->same_district || !v->code_crosses)
	{
		/* decided by the steps above */
	}
	else if (v->nationwide)
		cbr_step_add(&steps, "R-EX-5", true, basis,
					 "returned on %s, on or after the nationwide date %s (rule parameter cross_customs_nationwide_from)",
					 cbr_date_iso(v->returned_on), cbr_date_iso(p->nationwide_from));
	else
	{
		const char *rp = p->district_pilot[rd]
			? psprintf(_("is in the pilot from %s"), cbr_date_iso(p->district_pilot_from[rd]))
			: _("is not a pilot district");
		const char *ep = p->district_pilot[ed]
			? psprintf(_("is in the pilot from %s"), cbr_date_iso(p->district_pilot_from[ed]))
			: _("is not a pilot district");

		cbr_step_add(&steps, "R-EX-5", false, basis,
					 "returned on %s, before the nationwide date %s, so only the pilot can allow it",
					 cbr_date_iso(v->returned_on), cbr_date_iso(p->nationwide_from));
		if (p->pilot_both_districts)
			cbr_step_add(&steps, "R-EX-5", v->outcome == CBR_PASS, pilot_basis,
						 "on %s return district %02d %s and export district %02d %s, and both must be in the pilot (cross_customs_pilot_both_districts)",
						 cbr_date_iso(v->returned_on), rd, rp, ed, ep);
		else
			cbr_step_add(&steps, "R-EX-5", v->outcome == CBR_PASS, pilot_basis,
						 "on %s return district %02d %s and export district %02d %s, and the return district must be in the pilot (cross_customs_pilot_both_districts is false)",
						 cbr_date_iso(v->returned_on), rd, rp, ed, ep);
	}
	cbr_language_end();
	return steps;
}
