/*
 * report_tax.c
 *		R-TX: the texts of the tax relief answer (evidence, basis) and its
 *		explanation, built from the relief decided by src/rules/tax.c and
 *		the policy period it falls in (the period's title, codes and
 *		articles come from cbreturn.tax_policy_periods, never from here).
 */
#include "policy/report_int.h"

#include "lib/stringinfo.h"
#include "utils/datetime.h"


/* "1210, 9610, 9710, 9810": the codes a policy period lists (R-TX-2). */
static char *
cbr_period_codes_text(const CbrTaxPeriod *t)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < t->ncodes; i++)
		appendStringInfo(&buf, "%s%04d", i ? ", " : "", t->codes[i]);
	return buf.data;
}

/* The title of an announcement in the language of the texts (title_zh in Chinese). */
static const char *
cbr_period_title(const CbrTaxPeriod *t)
{
	return cbr_texts_zh() && t->title_zh != NULL ? t->title_zh : t->announcement;
}

/* A policy period as a basis: its title, and the announcement it extends. */
static char *
cbr_period_name(const CbrTaxPeriod *t)
{
	if (t->extends == NULL)
		return pstrdup(cbr_period_title(t));
	return psprintf(_("%s (extends %s)"), cbr_period_title(t),
					t->extended ? cbr_period_title(t->extended) : t->extends);
}

/*
 * An article of a period's announcement (seed 003: art. 1 relief, art. 2
 * certificate, art. 3 original state, art. 4 evidence); with no period, the
 * announcements of cbreturn.tax_policy_periods.
 */
static char *
cbr_period_article(const CbrTaxPeriod *t, int art)
{
	const char *name = t ? cbr_period_name(t) : _(BASIS_TX_PERIODS);

	switch (art)
	{
		case 1:
			return psprintf(_("%s, art. 1"), name);
		case 2:
			return psprintf(_("%s, art. 2"), name);
		case 3:
			return psprintf(_("%s, art. 3"), name);
		default:
			return psprintf(_("%s, art. 4"), name);
	}
}

/* The last day of a window the verdict decided (R-P-1), for the explain text. */
static char *
cbr_window_end_text(DateADT start, int months)
{
	DateADT		end;

	if (!cbr_add_months(start, months, &end))
		cbr_report_date_out_of_range("deadline", start);
	return cbr_date_iso(end);
}

/*
 * R-TX-5 (seed 003 art. 4) and R-TX-3 (seed 003 art. 2, seed 002 export II):
 * what customs asks for, by reason, with the tax authority's certificate in
 * either of its two statements.
 */
static const char *
cbr_evidence_text(CbrReason reason, bool rebate_claimed)
{
	switch (reason)
	{
		case CBR_REASON_UNSOLD:
			return rebate_claimed
				? _("export declaration list or export declaration form; the enterprise's self-declaration that the goods are returned unsold; the tax authority's Certificate of Supplementary Tax Payment / Non-refund of Export Goods (出口货物已补税/未退税证明), stating that the refunded export rebate was repaid")
				: _("export declaration list or export declaration form; the enterprise's self-declaration that the goods are returned unsold; the tax authority's Certificate of Supplementary Tax Payment / Non-refund of Export Goods (出口货物已补税/未退税证明), stating that no export rebate was refunded");
		case CBR_REASON_CONSUMER_RETURN:
			return rebate_claimed
				? _("export declaration list or export declaration form; platform return or rejection records, or a return agreement; the tax authority's Certificate of Supplementary Tax Payment / Non-refund of Export Goods (出口货物已补税/未退税证明), stating that the refunded export rebate was repaid")
				: _("export declaration list or export declaration form; platform return or rejection records, or a return agreement; the tax authority's Certificate of Supplementary Tax Payment / Non-refund of Export Goods (出口货物已补税/未退税证明), stating that no export rebate was refunded");
		default:
			return rebate_claimed
				? _("export declaration list or export declaration form; proof of the quality or specification reason for the return; the tax authority's Certificate of Supplementary Tax Payment / Non-refund of Export Goods (出口货物已补税/未退税证明), stating that the refunded export rebate was repaid")
				: _("export declaration list or export declaration form; proof of the quality or specification reason for the return; the tax authority's Certificate of Supplementary Tax Payment / Non-refund of Export Goods (出口货物已补税/未退税证明), stating that no export rebate was refunded");
	}
}

/* The basis of a granted relief: the period's announcement art. 1, or R-TX-6's law. */
static char *
cbr_relief_basis_text(const CbrRelief *r)
{
	return r->route_tx6 ? pstrdup(_(BASIS_TX6)) : cbr_period_article(r->period, 1);
}

/*
 * The texts of a relieved export_tax_relief row, in the session's language:
 * evidence_required and basis.  The SQL function builds them once per
 * distinct row, policy generation and language (src/sql_api/rules.c).
 */
void
cbr_relief_texts(const CbrReliefInput *in, const CbrRelief *r, char **evidence, char **basis)
{
	cbr_language_begin();
	*evidence = NULL;
	if (r->relieved)
	{
		*evidence = pstrdup(cbr_evidence_text(in->reason, in->rebate_claimed));
		*basis = cbr_relief_basis_text(r);
	}
	else
		/* what taxes an ordinary return (the only refusal with a basis) */
		*basis = pstrdup(_(BASIS_TX_ORDINARY));
	cbr_language_end();
}

static void
cbr_steps_tx6(List **steps, const CbrReliefInput *in, const CbrRelief *r)
{
	cbr_step_add(steps, "R-TX-6", !(r->failed & CBR_FAILED_TX6), _(BASIS_TX6),
				 "quality_or_spec return on %s; must be back within 1 year of export %s, i.e. by %s",
				 cbr_date_iso(in->returned_on), cbr_date_iso(in->exported_on),
				 cbr_window_end_text(in->exported_on, CBR_EXPORT_MONTHS_QUALITY));
	cbr_step_add(steps, "R-TX-4", in->original_state, _(BASIS_TX6_ORIGINAL),
				 "original_state = %s", in->original_state ? "true" : "false");
}

static void
cbr_steps_announced(List **steps, const CbrReliefInput *in, const CbrRelief *r)
{
	const CbrTaxPeriod *any = r->covering;
	const CbrTaxPeriod *t = r->period ? r->period : any;
	char	   *art1 = cbr_period_article(t, 1);

	if (any == NULL)
		cbr_step_add(steps, "R-TX-1", false, art1,
					 "no policy period covers exports declared on %s", cbr_date_iso(in->exported_on));
	else
	{
		cbr_step_add(steps, "R-TX-1", true, art1,
					 "exports declared %s to %s are covered; declared on %s",
					 /* the period whose article is the basis: the one that lists the code, if any */
					 cbr_date_iso(t->declared_from), cbr_date_iso(t->declared_to),
					 cbr_date_iso(in->exported_on));
		if (r->period != NULL)
			cbr_step_add(steps, "R-TX-2", true, art1,
						 "supervision code %04d is covered", in->code);
		else
			cbr_step_add(steps, "R-TX-2", false, art1,
						 "supervision code %04d is not covered (%s are)", in->code,
						 cbr_period_codes_text(any));
	}
	cbr_step_add(steps, "R-TX-2", !in->is_food, art1,
				 "is_food = %s (food is excluded)", in->is_food ? "true" : "false");
	if (!r->window_known)
		cbr_step_add(steps, "R-TX-2", false, art1,
					 "%04d: the %d months run from leaving the special area, left_special_area_on is missing, and the return is later than %d months after the export",
					 CBR_CODE_1210, r->months, r->months);
	else if (r->window_by_export)
		cbr_step_add(steps, "R-TX-2", true, art1,
					 "%04d: returned on %s, within %d months of export on %s; left_special_area_on is not given, but the goods left between those days, so they are back within %d months of leaving too",
					 CBR_CODE_1210, cbr_date_iso(in->returned_on), r->months, cbr_date_iso(r->window_start),
					 r->months);
	else if (in->code == CBR_CODE_1210)
		cbr_step_add(steps, "R-TX-2", r->window_ok, art1,
					 "returned on %s; must be back within %d months of leaving the special area on %s, i.e. by %s",
					 cbr_date_iso(in->returned_on), r->months, cbr_date_iso(r->window_start),
					 cbr_window_end_text(r->window_start, r->months));
	else
		cbr_step_add(steps, "R-TX-2", r->window_ok, art1,
					 "returned on %s; must be back within %d months of export on %s, i.e. by %s",
					 cbr_date_iso(in->returned_on), r->months, cbr_date_iso(r->window_start),
					 cbr_window_end_text(r->window_start, r->months));
	cbr_step_add(steps, "R-TX-4", in->original_state, cbr_period_article(t, 3),
				 "original_state = %s", in->original_state ? "true" : "false");
}

/* R-TX-1 ... R-TX-6 (a verdict without bad input). */
List *
cbr_steps_tax_relief(const CbrPolicy *p, const CbrReliefInput *in, const CbrRelief *r)
{
	List	   *steps = NIL;

	cbr_language_begin();
	if (r->ordinary)
		/* issue 12, item 4: outside the CBEC return procedure, nothing else is asked */
		cbr_step_add(&steps, "R-TX-2", false, _(BASIS_TX_PERIODS),
					 "ordinary = true: declared as ordinary returned goods, outside the CBEC return procedure; taxed as an ordinary import");
	else if (r->route_tx6)
		cbr_steps_tx6(&steps, in, r);
	else
		cbr_steps_announced(&steps, in, r);
	if (r->relieved)
	{
		const char *cert = r->route_tx6 ? _(BASIS_TX_CERTIFICATE)
			: psprintf(_("%s; %s"), cbr_period_article(r->period, 2), _(BASIS_TX_CERTIFICATE));

		if (in->rebate_claimed)
			cbr_step_add(&steps, "R-TX-3", true, cert,
						 "export rebate claimed: repay it first; the tax authority's certificate then states that it was repaid");
		else
			cbr_step_add(&steps, "R-TX-3", true, cert,
						 "no export rebate claimed: nothing to repay; the tax authority's certificate states that no rebate was refunded");
		cbr_step_add_text(&steps, "R-TX-5", true,
						  r->route_tx6 ? _(BASIS_TX6) : cbr_period_article(r->period, 4),
						  cbr_evidence_text(in->reason, in->rebate_claimed));
	}
	cbr_language_end();
	return steps;
}
