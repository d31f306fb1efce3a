/*
 * report.c
 *		Decide, then report: the texts built from a verdict of the decision
 *		layer (src/rules/) and the policy snapshot.  The errors of bad input
 *		shared by the SQL functions and the write-time checks, and the
 *		explain steps, which the explain functions return as rows and the
 *		checks quote in an error's DETAIL.
 *
 * No text here restates policy: dates, district names and code lists come
 * from the snapshot, so a message follows an edited policy row.  Dates are
 * ISO whatever DateStyle says.  Every errmsg, errdetail and errhint is a
 * literal format string, so that a message catalogue can translate it.
 */
#include "policy/policy.h"

#include "lib/stringinfo.h"
#include "utils/datetime.h"
#include "miscadmin.h"
#include "utils/timestamp.h"

/*
 * The legal bases that are law, not policy data: the rule's source with its
 * article or point where the sources give one (docs/rules.md lists them by
 * rule id).  Seed 002 is GACC's announcement of 2024-12-15 on CBEC exports
 * and its return procedures; the article numbers of the MoF/GACC/STA
 * announcements are those of seed 003 (2026 No. 16), which repeats the
 * structure of 2023 No. 4.  What an announcement a DBA can edit names (tax
 * policy periods, the pilot and nationwide dates of R-EX-5) is built from
 * the policy snapshot below, never written here.
 */
#define BASIS_P1 gettext_noop("Civil Code arts. 201-202")
#define BASIS_EX1 gettext_noop("GACC announcement of 2024-12-15 on CBEC export returns, timeframes for returned goods (supersedes the single window of GACC 2020 No. 44)")
#define BASIS_EX2 gettext_noop("GACC announcement of 2024-12-15 on CBEC export returns, export returns point III (remarks column)")
#define BASIS_ID2 gettext_noop("GACC customs code list (the first two digits name the directly subordinate customs district)")
#define BASIS_IM1 gettext_noop("GACC 2020 No. 45 (returns of CBEC retail imports); GACC 2018 No. 194 (supervision of CBEC retail imports and exports); GACC announcement of 2024-12-15, import returns")
#define BASIS_TX6 gettext_noop("Tariff Law of the PRC; GACC measures for the administration of tax collection on imported and exported goods; GACC announcement of 2024-12-15 on CBEC export returns, export returns point II")
#define BASIS_TX6_ORIGINAL gettext_noop("Tariff Law of the PRC (returned in original state); GACC measures for the administration of tax collection on imported and exported goods")
#define BASIS_TX_CERTIFICATE gettext_noop("GACC announcement of 2024-12-15 on CBEC export returns, export returns point II")
#define BASIS_TX_PERIODS gettext_noop("MoF/GACC/STA announcements on returned CBEC exports (cbreturn.tax_policy_periods)")
#define BASIS_TX2_1210 gettext_noop("MoF/GACC/STA announcements on returned CBEC exports, art. 1: for 1210 the period runs from the day the goods left the special customs supervision area or bonded logistics centre (type B)")
#define BASIS_IM3 gettext_noop("GACC 2020 No. 45, GACC 2018 No. 194: once customs has inspected and released the return, its tax is not levied or is refunded the way it was paid, and the consumer's annual amount of the purchase's calendar year is reduced by the returned value")
/* issue 12, item 4: an ordinary (taxed) return, declared outside the CBEC return procedures */
#define BASIS_TX_ORDINARY gettext_noop("an ordinary return (declared as ordinary returned goods, e.g. 4561) is not relieved by the MoF/GACC/STA announcements on returned CBEC exports (R-TX-2): it is taxed as an ordinary import (Tariff Law of the PRC; outside R-TX-2 and R-TX-6)")
#define BASIS_IM3_ORDINARY gettext_noop("an ordinary return (declared as ordinary returned goods, e.g. 4561) is not a return of a CBEC retail import (GACC 2020 No. 45): its tax is not refunded and the consumer's annual amount is not reduced (R-IM-3)")
#define BASIS_IM4 gettext_noop("MoF/GACC/STA 2018 No. 49: tariff 0, import VAT and consumption tax at the import_tax_share of the statutory amount")
#define BASIS_IM4_ABOVE gettext_noop("MoF/GACC/STA 2018 No. 49: above the per-transaction or annual limit, not taxed as a CBEC retail import")

/* The Chinese (or other) name of each rule, put before an explain step's text. */
static const struct
{
	const char *id;
	const char *name;
}			cbr_rule_names[] = {
	{"R-P-1", gettext_noop("counting periods")},
	{"R-ID-2", gettext_noop("customs code")},
	{"R-EX-1", gettext_noop("export return windows")},
	{"R-EX-2", gettext_noop("remark codes")},
	{"R-EX-5", gettext_noop("cross-customs-area return")},
	{"R-IM-1", gettext_noop("import return windows")},
	{"R-IM-3", gettext_noop("tax and annual amount after a return")},
	{"R-IM-4", gettext_noop("personal limits")},
	{"R-TX-1", gettext_noop("tax policy periods")},
	{"R-TX-2", gettext_noop("tax relief on unsold and consumer returns")},
	{"R-TX-3", gettext_noop("certificate of supplementary tax payment or non-refund")},
	{"R-TX-4", gettext_noop("original state")},
	{"R-TX-5", gettext_noop("evidence for relief")},
	{"R-TX-6", gettext_noop("quality or specification returns")},
};

/*
 * The language of the texts being built, as its translation names it: "en"
 * untranslated, "zh" for Chinese.  English output names a rule by the
 * rule_id column alone and shows the English data columns; a translation
 * adds the rule's name to each step and shows the data of its language
 * (districts.name_zh, tax_policy_periods.title_zh).  Call inside
 * cbr_language_begin/end, so that cbreturn.language applies.
 */
static const char *
cbr_texts_language(void)
{
	/* translator: the code of this translation's language, "zh" for Chinese; explanations pick the data columns of that language (name_zh, title_zh) by it */
	return _("en");
}

static bool
cbr_texts_zh(void)
{
	return strncmp(cbr_texts_language(), "zh", 2) == 0;
}

char *
cbr_date_iso(DateADT d)
{
	int			y;
	int			m;
	int			dd;

	if (DATE_IS_NOBEGIN(d))
		return pstrdup("-infinity");
	if (DATE_IS_NOEND(d))
		return pstrdup("infinity");
	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
	if (y <= 0)
		return psprintf("%04d-%02d-%02d BC", 1 - y, m, dd);
	return psprintf("%04d-%02d-%02d", y, m, dd);
}

char *
cbr_timestamp_iso(Timestamp ts, bool with_tz)
{
	char		buf[MAXDATELEN + 1];
	struct pg_tm tm;
	fsec_t		fsec;
	int			tz;
	const char *tzn;

	if (TIMESTAMP_NOT_FINITE(ts))
		EncodeSpecialTimestamp(ts, buf);
	else if (with_tz && timestamp2tm(ts, &tz, &tm, &fsec, &tzn, NULL) == 0)
		EncodeDateTime(&tm, fsec, true, tz, tzn, USE_ISO_DATES, buf);
	else if (!with_tz && timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) == 0)
		EncodeDateTime(&tm, fsec, false, 0, NULL, USE_ISO_DATES, buf);
	else
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return pstrdup(buf);
}

const char *
cbr_date_role_name(CbrDateRole role)
{
	static const char *const names[] = {
		"exported_on", "returned_on", "left_special_area_on", "released_on",
		"applied_on", "arrived_on", "deadline", "as_of", "day"
	};

	return names[role];
}

void
cbr_report_date_out_of_range(const char *what, DateADT d)
{
	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be a finite date", _(what)),
				 errdetail("The value given is %s.", cbr_date_iso(d)),
				 errhint("Deadlines are counted from a calendar day (R-P-1).")));
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("deadline counted from %s is out of range for type date", _(what)),
			 errdetail("The %s is %s.", _(what), cbr_date_iso(d))));
}

void
cbr_report_bad_date(CbrOutcome outcome, const char *what, DateADT d, const char *other, DateADT o)
{
	switch (outcome)
	{
		case CBR_BAD_INFINITE:
		case CBR_BAD_RANGE:
			cbr_report_date_out_of_range(what, d);
			break;
		case CBR_BAD_ORDER:
			/* docs/rules.md, Bad input: 22023 naming both dates */
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s %s is before %s %s", what, cbr_date_iso(d), other, cbr_date_iso(o)),
					 errhint("Pass the dates in the order the goods moved: %s cannot precede %s.",
							 what, other)));
			break;
		default:
			break;
	}
}

void
cbr_report_unknown_code(int16 code)
{
	ereport(ERROR,
			(errcode(ERRCODE_CBRETURN_UNKNOWN_CODE),
			 errmsg("supervision code %04d is not in cbreturn.supervision_codes", code),
			 errdetail("The rules know the supervision codes listed in cbreturn.supervision_codes (R-ID-3)."),
			 errhint("Correct the code, or add it to cbreturn.supervision_codes (docs/policy.md).")));
}

/* The bad input of an R-EX-5 verdict (22008, CB007); returns otherwise. */
void
cbr_report_cross_customs_input(const CbrCrossVerdict *v)
{
	int16		office = v->bad_is_return_office ? v->return_office : v->export_office;

	switch (v->outcome)
	{
		case CBR_BAD_INFINITE:
			cbr_report_date_out_of_range("returned_on", v->returned_on);
			break;
		case CBR_BAD_DISTRICT:
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_UNKNOWN_CODE),
					 v->bad_is_return_office
					 ? errmsg("customs district %02d of return office %04d is not in cbreturn.districts",
							  office / 100, office)
					 : errmsg("customs district %02d of export office %04d is not in cbreturn.districts",
							  office / 100, office),
					 errdetail("The first two digits of a customs code name its district (R-ID-2)."),
					 errhint("Correct the customs code, or add the district to cbreturn.districts (docs/policy.md).")));
			break;
		case CBR_BAD_CODE:
			cbr_report_unknown_code(v->code);
			break;
		default:
			break;
	}
}

/* Append one explain step whose text is built already (translated). */
static void
cbr_step_add_text(List **steps, const char *rule_id, bool passed, const char *basis,
				  const char *text)
{
	CbrStep    *s = palloc(sizeof(CbrStep));
	int			i;

	s->seen = pstrdup(text);
	cbr_language_begin();
	if (strcmp(cbr_texts_language(), "en") != 0)
		for (i = 0; i < (int) lengthof(cbr_rule_names); i++)
			if (strcmp(cbr_rule_names[i].id, rule_id) == 0)
				/* translator: an explain step: the rule's name, then what was seen */
				s->seen = psprintf(_("%s: %s"), _(cbr_rule_names[i].name), text);
	cbr_language_end();
	s->rule_id = rule_id;
	s->passed = passed;
	s->basis = basis;
	*steps = lappend(*steps, s);
}

/*
 * Append one explain step: fmt (a literal, extracted into the catalogue) in
 * the session's language; in a translation the rule's name comes first.
 */
void
cbr_step_add(List **steps, const char *rule_id, bool passed, const char *basis,
			 const char *fmt,...)
{
	StringInfoData buf;
	const char *tfmt;

	cbr_language_begin();
	tfmt = _(fmt);
	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;
		int			len = buf.len;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, tfmt, args);
		va_end(args);
		if (needed == 0)
			break;
		buf.len = len;
		buf.data[len] = '\0';
		enlargeStringInfo(&buf, needed);
	}
	cbr_step_add_text(steps, rule_id, passed, basis, buf.data);
	cbr_language_end();
}

/* A basis that is law (BASIS_*), in the session's language. */
static const char *
cbr_basis(const char *msgid)
{
	const char *t;

	cbr_language_begin();
	t = _(msgid);
	cbr_language_end();
	return t;
}

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
 * R-EX-2, R-TX-2, R-P-1, R-EX-1 of a 1210 export return, whose window counts
 * from the departure from the special area (cbr_decide_bonded_export_window).
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
				 "1210: declared for export on %s, left the special area on %s; the window counts from the departure",
				 cbr_date_iso(exported_on), cbr_date_iso(left_on));
	cbr_step_add(&steps, "R-P-1", true, cbr_basis(BASIS_P1),
				 "left the special area on %s + %d months = %s (start day not counted; last day inside the window; clamped to the month end)",
				 cbr_date_iso(left_on), v->length, cbr_date_iso(v->deadline));
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

/* R-IM-4: the basis of an import_retail_tax answer, in the session's language. */
const char *
cbr_import_tax_basis(bool within)
{
	return cbr_basis(within ? BASIS_IM4 : BASIS_IM4_ABOVE);
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
	const char *basis = cbr_basis(BASIS_IM3);
	bool		passed = v->effect != CBR_EFFECT_NEVER;
	char		amount[CBR_QTY_TEXT_LEN];
	const char *stage;

	cbr_qty_format(in->returned, amount);
	cbr_language_begin();
	/* the stage's label for people (src/i18n/labels.c) */
	stage = _(cbr_stage_names[in->stage]);
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
	else
		cbr_step_add(&steps, "R-EX-5", v->code_crosses, basis,
					 "supervision code %04d, districts %02d -> %02d: cross-customs returns apply to %04d only",
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
			? psprintf(_("pilot from %s"), cbr_date_iso(p->district_pilot_from[rd]))
			: _("is not a pilot district");
		const char *ep = p->district_pilot[ed]
			? psprintf(_("pilot from %s"), cbr_date_iso(p->district_pilot_from[ed]))
			: _("is not a pilot district");

		cbr_step_add(&steps, "R-EX-5", false, basis,
					 "returned on %s, before the nationwide date %s: only the pilot can allow it",
					 cbr_date_iso(v->returned_on), cbr_date_iso(p->nationwide_from));
		if (p->pilot_both_districts)
			cbr_step_add(&steps, "R-EX-5", v->outcome == CBR_PASS, pilot_basis,
						 "pilot on %s: return district %02d %s, export district %02d %s; both must be in the pilot (cross_customs_pilot_both_districts)",
						 cbr_date_iso(v->returned_on), rd, rp, ed, ep);
		else
			cbr_step_add(&steps, "R-EX-5", v->outcome == CBR_PASS, pilot_basis,
						 "pilot on %s: return district %02d %s, export district %02d %s; the return district must be in the pilot (cross_customs_pilot_both_districts is false)",
						 cbr_date_iso(v->returned_on), rd, rp, ed, ep);
	}
	cbr_language_end();
	return steps;
}

/* " Failed: R-EX-5: ...; R-EX-5: ...." for a DETAIL, or "" when all passed. */
char *
cbr_steps_failed_text(List *steps)
{
	StringInfoData why;
	ListCell   *lc;

	initStringInfo(&why);
	cbr_language_begin();
	foreach(lc, steps)
	{
		CbrStep    *st = (CbrStep *) lfirst(lc);

		if (!st->passed && st->seen)
			appendStringInfo(&why, "%s%s: %s", why.len ? "; " : _(" Failed: "), st->rule_id, st->seen);
	}
	cbr_language_end();
	if (why.len)
		appendStringInfoChar(&why, '.');
	return why.data;
}

/* ---------------------------------------------------------------------
 * R-TX: texts of the tax relief answer and its explanation
 * --------------------------------------------------------------------- */

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
					 cbr_date_iso(any->declared_from), cbr_date_iso(any->declared_to),
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
					 "%04d: the %d months run from leaving the special area, and left_special_area_on is missing",
					 CBR_CODE_1210, r->months);
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
