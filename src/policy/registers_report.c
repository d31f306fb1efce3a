/*
 * registers_report.c
 *		The reason and legal basis of a register verdict (src/rules/
 *		registers.c), as the register functions return them in
 *		cbreturn.register_verdict and explain_registers shows them.
 *
 * Like the other explain texts (report.c) these are data in English for an
 * auditor, not catalogued messages; the write-time checks word their errors
 * from the verdict itself (src/enforce/register_errors.c).  Dates are ISO.
 */
#include "policy/policy.h"

#include "lib/stringinfo.h"

static const char *const basis_ex4 =
	"seed 002 export I (GACC announcement of 2024-12-15 on CBEC export returns): "
	"the applicant holds a valid CBEC export registration with customs";
static const char *const basis_ex6 =
	"seeds 000 and 001 (GACC 2024 No. 167 and the 2026 nationwide announcement): "
	"returns go to customs-supervised sites authorised for CBEC retail export";
static const char *const basis_im5 =
	"seed 002 import II-IV (GACC 2021 No. 70): return-centre warehouse in the special area, "
	"operator not discredited, video linked to customs, WMS, customs data interface";
static const char *const basis_im7 =
	"seed 002 import I (GACC 2020 No. 45; GACC 2018 No. 194): the e-commerce enterprise's "
	"domestic agent or a customs broker it authorises applies";
static const char *const basis_im1 =
	"seed 002 import, seed 004 (GACC 2020 No. 45): the goods return to the original "
	"customs supervision site, special area or bonded logistics centre";
static const char *const basis_im6 =
	"seed 002 (bonded retail import returns across customs): declared at another office, "
	"goods moved into the special area at the place of declaration";

const char *
cbr_register_basis(const CbrRegisterVerdict *v)
{
	const char *r = v->rule_id;

	if (strcmp(r, "R-EX-4") == 0)
		return basis_ex4;
	if (strcmp(r, "R-EX-6") == 0)
		return basis_ex6;
	if (strcmp(r, "R-IM-5") == 0)
		return basis_im5;
	if (strcmp(r, "R-IM-7") == 0)
		return basis_im7;
	if (strcmp(r, "R-IM-6") == 0)
		return basis_im6;
	return basis_im1;
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

/* " to LAST" of a closed period, "" of a running one */
static char *
until(DateADT to)
{
	return DATE_IS_NOEND(to) ? "" : psprintf(" to %s", cbr_date_iso(to));
}

char *
cbr_applicant_reason(const CbrUscc *applicant, const CbrRegisterVerdict *v)
{
	const CbrRegApplicant *a = v->applicant;
	char	   *u = cbr_uscc_text(applicant);

	switch (v->finding)
	{
		case CBR_REG_FOUND:
			return psprintf("%s (%s), customs registration %s, registered from %s%s", a->name, u,
							a->registration, cbr_date_iso(a->from), until(a->to));
		case CBR_REG_NOT_YET:
			return psprintf("registration of applicant %s (%s) starts on %s, after %s", u, a->name,
							cbr_date_iso(a->from), cbr_date_iso(v->on_date));
		case CBR_REG_ENDED:
			return psprintf("registration of applicant %s (%s) ended on %s, before %s", u, a->name,
							cbr_date_iso(a->to), cbr_date_iso(v->on_date));
		default:
			return psprintf("applicant %s is not in cbreturn.applicants", u);
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
			return psprintf("site %s (%s, %s) at customs office %s is authorised from %s%s", site,
							s->name, s->kind, code4(office), cbr_date_iso(s->from), until(s->to));
		case CBR_REG_NOT_YET:
			return psprintf("site %s at customs office %s is authorised only from %s, after %s", site,
							code4(office), cbr_date_iso(s->from), cbr_date_iso(v->on_date));
		case CBR_REG_ENDED:
			return psprintf("authorisation of site %s at customs office %s ended on %s, before %s",
							site, code4(office), cbr_date_iso(s->to), cbr_date_iso(v->on_date));
		case CBR_REG_OTHER_OFFICE:
			return psprintf("site %s is registered under customs office %s, not %s", site,
							cbr_site_offices(v), code4(office));
		default:
			return psprintf("site %s at customs office %s is not in cbreturn.return_sites", site,
							code4(office));
	}
}

char *
cbr_warehouse_reason(const char *warehouse, const char *special_area, const CbrRegisterVerdict *v)
{
	const CbrRegWarehouse *w = v->warehouse;

	switch (v->finding)
	{
		case CBR_REG_FOUND:
			if (v->rating == NULL)
				return psprintf("warehouse %s (%s) in %s, operator %s with no credit rating recorded (not known to be discredited)",
								warehouse, w->name, w->area, cbr_uscc_text(&w->operator_uscc));
			return psprintf("warehouse %s (%s) in %s, operator %s rated %s since %s", warehouse,
							w->name, w->area, cbr_uscc_text(&w->operator_uscc), v->rating->label,
							cbr_date_iso(v->rating->from));
		case CBR_REG_NOT_YET:
			return psprintf("warehouse %s is registered only from %s, after %s", warehouse,
							cbr_date_iso(w->from), cbr_date_iso(v->on_date));
		case CBR_REG_ENDED:
			return psprintf("registration of warehouse %s ended on %s, before %s", warehouse,
							cbr_date_iso(w->to), cbr_date_iso(v->on_date));
		case CBR_REG_OTHER_AREA:
			return psprintf("warehouse %s is in %s, not in %s", warehouse, w->area, special_area);
		case CBR_REG_DISCREDITED:
			return psprintf("operator %s of warehouse %s is rated discredited (失信) since %s",
							cbr_uscc_text(&w->operator_uscc), warehouse,
							cbr_date_iso(v->rating->from));
		case CBR_REG_FACILITIES:
			return psprintf("warehouse %s lacks: %s%s%s%s%s", warehouse,
							(v->missing & CBR_FACILITY_VIDEO) ? "video linked to customs" : "",
							(v->missing & CBR_FACILITY_VIDEO) && (v->missing & ~CBR_FACILITY_VIDEO) ? ", " : "",
							(v->missing & CBR_FACILITY_WMS) ? "WMS" : "",
							(v->missing & CBR_FACILITY_WMS) && (v->missing & CBR_FACILITY_INTERFACE) ? ", " : "",
							(v->missing & CBR_FACILITY_INTERFACE) ? "customs data interface" : "");
		case CBR_REG_NOT_BONDED:
			return psprintf("a %s return does not go to a return-centre warehouse, which takes 1210 returns only",
							code4(v->code));
		default:
			return psprintf("warehouse %s is not in cbreturn.return_warehouses", warehouse);
	}
}

char *
cbr_import_applicant_reason(const char *enterprise, const CbrUscc *applicant,
							const CbrRegisterVerdict *v)
{
	const CbrRegAgent *g = v->agent;
	char	   *u = cbr_uscc_text(applicant);

	switch (v->finding)
	{
		case CBR_REG_FOUND:
			{
				char	   *role = pstrdup(g->role);
				char	   *p;

				for (p = role; *p; p++)
					if (*p == '_')
						*p = ' ';
				return psprintf("%s (%s) is the %s of enterprise %s from %s%s", g->name, u, role,
								enterprise, cbr_date_iso(g->from), until(g->to));
			}
		case CBR_REG_NOT_YET:
			return psprintf("%s acts for enterprise %s only from %s, after %s", u, enterprise,
							cbr_date_iso(g->from), cbr_date_iso(v->on_date));
		case CBR_REG_ENDED:
			return psprintf("%s stopped acting for enterprise %s on %s, before %s", u, enterprise,
							cbr_date_iso(g->to), cbr_date_iso(v->on_date));
		default:
			return psprintf("%s is neither the domestic agent of enterprise %s nor a broker it authorised, in cbreturn.import_agents",
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
			return psprintf("arrived at the original place %s", original_place);
		case CBR_REG_DECLARED_AREA:
			return psprintf("declared away from %s; arrived in the special area %s at the place of declaration",
							original_place, declared_area);
		case CBR_REG_ELSEWHERE:
			if (declared_area == NULL)
				return psprintf("arrived at %s, which is neither the original area %s, a return-centre warehouse registered in cbreturn.return_warehouses, nor a special area of declaration (none given)",
								arrival_place, original_place);
			return psprintf("arrived at %s, which is neither the original area %s, a return-centre warehouse registered in cbreturn.return_warehouses, nor the special area of declaration %s",
							arrival_place, original_place, declared_area);
		default:
			return psprintf("a %s return goes back to the original site %s, not to %s",
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
