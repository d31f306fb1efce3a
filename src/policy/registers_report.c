/*
 * registers_report.c
 *		The reason and legal basis of a register verdict (src/rules/
 *		registers.c), as the register functions return them in
 *		cbreturn.register_verdict and explain_registers shows them.
 *
 * Like the explain steps (report.c) these are explanations returned as
 * data, in the session's language (cbreturn.language or lc_messages); the
 * write-time checks word their errors from the verdict itself
 * (src/enforce/register_errors.c).  Dates are ISO.
 */
#include "policy/policy.h"

#include "lib/stringinfo.h"

/*
 * The legal basis of each register rule (law, not policy data: the
 * announcements with the points the sources give; docs/rules.md).
 */
#define BASIS_EX4 gettext_noop("GACC announcement of 2024-12-15 on CBEC export returns, export returns point I: the applicant holds a valid CBEC export registration with customs")
#define BASIS_EX6 gettext_noop("GACC 2024 No. 167 and the GACC announcement extending cross-customs returns nationwide: returns go to customs-supervised sites authorised for CBEC retail export")
#define BASIS_IM5 gettext_noop("GACC announcement of 2024-12-15, import returns points II to IV; GACC 2021 No. 70: a return-centre warehouse in the special area, its operator not discredited, with video linked to customs, a WMS and a customs data interface")
#define BASIS_IM7 gettext_noop("GACC announcement of 2024-12-15, import returns point I; GACC 2020 No. 45; GACC 2018 No. 194: the e-commerce enterprise's domestic agent or a customs broker it authorises applies")
#define BASIS_IM1 gettext_noop("GACC 2020 No. 45; GACC announcement of 2024-12-15, import returns: the goods return to the original customs supervision site, special area or bonded logistics centre")
#define BASIS_IM6 gettext_noop("GACC announcement of 2024-12-15, bonded retail import returns across customs: declared at another customs office, the goods move into the special area at the place of declaration")

/* The customs credit ratings (GACC Order No. 251), as labels of the enum. */
static const char *const rating_names[][2] = {
	{"advanced_certified", gettext_noop("advanced certified enterprise")},
	{"general_certified", gettext_noop("general certified enterprise")},
	{"general", gettext_noop("general credit enterprise")},
	{"discredited", gettext_noop("discredited enterprise (失信)")},
};

/*
 * The text of fmt (a literal, in the catalogue) in the session's language:
 * the reasons are explanations, returned as data, as the explain steps are.
 */
static char *
reasonf(const char *fmt,...) pg_attribute_printf(1, 2);
static char *
reasonf(const char *fmt,...)
{
	va_list		args;
	char	   *text;

	va_start(args, fmt);
	text = cbr_translated_vformat(fmt, args);
	va_end(args);
	return text;
}

/* A word of the catalogue in the session's language. */
static const char *
word(const char *msgid)
{
	const char *t;

	cbr_language_begin();
	t = _(msgid);
	cbr_language_end();
	return t;
}

const char *
cbr_register_basis(const CbrRegisterVerdict *v)
{
	const char *r = v->rule_id;

	if (strcmp(r, "R-EX-4") == 0)
		return word(BASIS_EX4);
	if (strcmp(r, "R-EX-6") == 0)
		return word(BASIS_EX6);
	if (strcmp(r, "R-IM-5") == 0)
		return word(BASIS_IM5);
	if (strcmp(r, "R-IM-7") == 0)
		return word(BASIS_IM7);
	if (strcmp(r, "R-IM-6") == 0)
		return word(BASIS_IM6);
	return word(BASIS_IM1);
}

/*
 * The facilities a warehouse lacks (R-IM-5), each word translated, as a
 * list: call it where the language is set (inside ereport, or between
 * cbr_language_begin and cbr_language_end).
 */
char *
cbr_facilities_text(unsigned missing)
{
	static const char *const words[] = {
		gettext_noop("video surveillance linked to customs"),
		gettext_noop("warehouse management system (WMS)"), gettext_noop("data interface with customs")
	};
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < 3; i++)
		if (missing & (1u << i))
		{
			if (buf.len > 0)
				appendStringInfoString(&buf, _(", "));
			appendStringInfoString(&buf, _(words[i]));
		}
	return buf.data;
}

char *
cbr_uscc_text(const CbrUscc *u)
{
	char	   *buf = palloc(CBR_USCC_LEN + 1);

	cbr_format_uscc(u, buf);
	return buf;
}

static char *
code4(int16 c)
{
	return psprintf("%04d", c);
}

char *
cbr_applicant_reason(const CbrUscc *applicant, const CbrRegisterVerdict *v)
{
	const CbrRegApplicant *a = v->applicant;
	char	   *u = cbr_uscc_text(applicant);

	switch (v->finding)
	{
		case CBR_REG_FOUND:
			if (DATE_IS_NOEND(a->to))
				return reasonf("%s (%s), customs registration %s, registered from %s", a->name, u,
							   a->registration, cbr_date_iso(a->from));
			return reasonf("%s (%s), customs registration %s, registered from %s to %s", a->name, u,
						   a->registration, cbr_date_iso(a->from), cbr_date_iso(a->to));
		case CBR_REG_NOT_YET:
			return reasonf("registration of applicant %s (%s) starts on %s, after %s", u, a->name,
						   cbr_date_iso(a->from), cbr_date_iso(v->on_date));
		case CBR_REG_ENDED:
			return reasonf("registration of applicant %s (%s) ended on %s, before %s", u, a->name,
						   cbr_date_iso(a->to), cbr_date_iso(v->on_date));
		default:
			return reasonf("applicant %s is not in cbreturn.applicants", u);
	}
}

/* The offices a site is registered under, "5141, 7901" */
char *
cbr_site_offices(const CbrRegisterVerdict *v)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < v->nsite_rows; i++)
		if (i == 0 || v->site_rows[i].office != v->site_rows[i - 1].office)
			appendStringInfo(&buf, "%s%04d", i == 0 ? "" : ", ", v->site_rows[i].office);
	return buf.data;
}

char *
cbr_site_reason(const char *site, int16 office, const CbrRegisterVerdict *v)
{
	const CbrRegSite *s = v->site;

	switch (v->finding)
	{
		case CBR_REG_FOUND:
			if (DATE_IS_NOEND(s->to))
				return reasonf("site %s (%s, %s) at customs office %s is authorised from %s", site,
							   s->name, cbr_label_cstring("return_site_kind", s->kind), code4(office), cbr_date_iso(s->from));
			return reasonf("site %s (%s, %s) at customs office %s is authorised from %s to %s", site,
						   s->name, cbr_label_cstring("return_site_kind", s->kind), code4(office), cbr_date_iso(s->from), cbr_date_iso(s->to));
		case CBR_REG_NOT_YET:
			return reasonf("site %s at customs office %s is authorised only from %s, after %s", site,
						   code4(office), cbr_date_iso(s->from), cbr_date_iso(v->on_date));
		case CBR_REG_ENDED:
			return reasonf("authorisation of site %s at customs office %s ended on %s, before %s",
						   site, code4(office), cbr_date_iso(s->to), cbr_date_iso(v->on_date));
		case CBR_REG_OTHER_OFFICE:
			return reasonf("site %s is registered under customs office %s, not %s", site,
						   cbr_site_offices(v), code4(office));
		default:
			return reasonf("site %s at customs office %s is not in cbreturn.return_sites", site,
						   code4(office));
	}
}

/* The name of a credit rating, translated. */
static const char *
rating_name(const CbrRegRating *g)
{
	int			i;

	for (i = 0; i < (int) lengthof(rating_names); i++)
		if (strcmp(rating_names[i][0], g->label) == 0)
			return word(rating_names[i][1]);
	return g->label;
}

char *
cbr_warehouse_reason(const char *warehouse, const char *special_area, const CbrRegisterVerdict *v)
{
	const CbrRegWarehouse *w = v->warehouse;

	switch (v->finding)
	{
		case CBR_REG_FOUND:
			if (v->rating == NULL)
				return reasonf("warehouse %s (%s) in %s, operator %s with no credit rating recorded (not known to be discredited)",
							   warehouse, w->name, w->area, cbr_uscc_text(&w->operator_uscc));
			return reasonf("warehouse %s (%s) in %s, operator %s rated %s since %s", warehouse,
						   w->name, w->area, cbr_uscc_text(&w->operator_uscc), rating_name(v->rating),
						   cbr_date_iso(v->rating->from));
		case CBR_REG_NOT_YET:
			return reasonf("warehouse %s is registered only from %s, after %s", warehouse,
						   cbr_date_iso(w->from), cbr_date_iso(v->on_date));
		case CBR_REG_ENDED:
			return reasonf("registration of warehouse %s ended on %s, before %s", warehouse,
						   cbr_date_iso(w->to), cbr_date_iso(v->on_date));
		case CBR_REG_OTHER_AREA:
			return reasonf("warehouse %s is in %s, not in %s", warehouse, w->area, special_area);
		case CBR_REG_DISCREDITED:
			return reasonf("operator %s of warehouse %s is rated discredited (失信) since %s",
						   cbr_uscc_text(&w->operator_uscc), warehouse,
						   cbr_date_iso(v->rating->from));
		case CBR_REG_FACILITIES:
			{
				char	   *missing;

				cbr_language_begin();
				missing = cbr_facilities_text(v->missing);
				cbr_language_end();
				return reasonf("warehouse %s lacks: %s", warehouse, missing);
			}
		case CBR_REG_NOT_BONDED:
			return reasonf("a %s return does not go to a return-centre warehouse, which takes 1210 returns only",
						   code4(v->code));
		default:
			return reasonf("warehouse %s is not in cbreturn.return_warehouses", warehouse);
	}
}

char *
cbr_import_applicant_reason(const char *enterprise, const CbrUscc *applicant,
							const CbrRegisterVerdict *v)
{
	const CbrRegAgent *g = v->agent;
	char	   *u = cbr_uscc_text(applicant);
	bool		broker;

	switch (v->finding)
	{
		case CBR_REG_FOUND:
			broker = strcmp(g->role, "authorised_broker") == 0;
			if (DATE_IS_NOEND(g->to))
				return broker
					? reasonf("%s (%s) is a customs broker authorised by enterprise %s from %s", g->name, u,
							  enterprise, cbr_date_iso(g->from))
					: reasonf("%s (%s) is the domestic agent of enterprise %s from %s", g->name, u,
							  enterprise, cbr_date_iso(g->from));
			return broker
				? reasonf("%s (%s) is a customs broker authorised by enterprise %s from %s to %s", g->name, u,
						  enterprise, cbr_date_iso(g->from), cbr_date_iso(g->to))
				: reasonf("%s (%s) is the domestic agent of enterprise %s from %s to %s", g->name, u,
						  enterprise, cbr_date_iso(g->from), cbr_date_iso(g->to));
		case CBR_REG_NOT_YET:
			return reasonf("%s acts for enterprise %s only from %s, after %s", u, enterprise,
						   cbr_date_iso(g->from), cbr_date_iso(v->on_date));
		case CBR_REG_ENDED:
			return reasonf("%s stopped acting for enterprise %s on %s, before %s", u, enterprise,
						   cbr_date_iso(g->to), cbr_date_iso(v->on_date));
		default:
			return reasonf("%s is neither the domestic agent of enterprise %s nor a broker it authorised, in cbreturn.import_agents",
						   u, enterprise);
	}
}

char *
cbr_arrival_reason(const char *original_place, const char *arrival_place, const char *declared_area,
				   const CbrRegisterVerdict *v)
{
	if (strcmp(v->rule_id, "R-IM-5") == 0)
		return cbr_warehouse_reason(arrival_place, original_place, v);
	switch (v->finding)
	{
		case CBR_REG_ORIGINAL:
			return reasonf("arrived at the original place %s", original_place);
		case CBR_REG_DECLARED_AREA:
			return reasonf("declared away from %s; arrived in the special area %s at the place of declaration",
						   original_place, declared_area);
		case CBR_REG_ELSEWHERE:
			if (declared_area == NULL)
				return reasonf("arrived at %s, which is neither the original area %s, a return-centre warehouse registered in cbreturn.return_warehouses, nor a special area of declaration (none given)",
							   arrival_place, original_place);
			return reasonf("arrived at %s, which is neither the original area %s, a return-centre warehouse registered in cbreturn.return_warehouses, nor the special area of declaration %s",
						   arrival_place, original_place, declared_area);
		default:
			return reasonf("a %s return goes back to the original site %s, not to %s",
						   code4(v->code), original_place, arrival_place);
	}
}

/* 22023: a supervision code without CBEC retail import returns (R-IM-1). */
void
cbr_report_not_retail_import(int16 code)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("supervision code %04d has no CBEC retail import returns", code),
			 errdetail("R-IM-1 covers retail imports under 1210, 1239 and 9610."),
			 errhint("Pass the supervision code of the original import declaration list.")));
}
