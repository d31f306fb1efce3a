/*
 * registers.c
 *		The register decisions (R-EX-4, R-EX-6, R-IM-5, R-IM-7, and the
 *		arrival place of R-IM-1 / R-IM-6), over the snapshot of
 *		src/rules/registers.h: as-of-date lookups that return a verdict.
 *
 * Periods are closed intervals of China dates (R-T-1): from is the first
 * day, to the last (DATEVAL_NOEND while the period runs).  Several rows of
 * one key record renewals and changes; a lookup passes when any row covers
 * the date, and names the latest such row.  When none does, the verdict
 * names the nearest row, to say whether the registration lapsed or had not
 * begun: the latest that began on or before the date, else the first that
 * begins after it.
 */
#include "rules/rules.h"

static const char *const rule_ex4 = "R-EX-4";
static const char *const rule_ex6 = "R-EX-6";
static const char *const rule_im1 = "R-IM-1";
static const char *const rule_im5 = "R-IM-5";
static const char *const rule_im6 = "R-IM-6";
static const char *const rule_im7 = "R-IM-7";

static inline bool
cbr_period_covers(DateADT from, DateADT to, DateADT d)
{
	return from <= d && d <= to;
}

/* Start a verdict; an infinite date answers for no calendar day (22008). */
static bool
cbr_register_start(const char *rule_id, DateADT on_date, CbrRegisterVerdict *v)
{
	memset(v, 0, sizeof(*v));
	v->rule_id = rule_id;
	v->on_date = on_date;
	if (DATE_NOT_FINITE(on_date))
	{
		v->outcome = CBR_BAD_INFINITE;
		return false;
	}
	return true;
}

/*
 * Of the n rows of one key (sorted by from), each with its period at
 * from[i * stride], to[i * stride]: the index of the covering row (*found
 * true), or of the nearest one, or -1 when n is 0.
 */
#define CBR_PICK(rows, n, d, found) \
	do { \
		int			i_; \
		int			near_ = -1; \
		(found) = false; \
		for (i_ = (n) - 1; i_ >= 0; i_--) \
			if ((rows)[i_].from <= (d)) \
			{ \
				near_ = i_; \
				break; \
			} \
		for (i_ = near_; i_ >= 0; i_--) \
			if (cbr_period_covers((rows)[i_].from, (rows)[i_].to, (d))) \
			{ \
				near_ = i_; \
				(found) = true; \
				break; \
			} \
		if (near_ < 0 && (n) > 0) \
			near_ = 0; \
		pick_ = near_; \
	} while (0)

/* The finding of a pick: FOUND, NOT_YET (starts later), ENDED, ABSENT. */
static CbrRegFinding
cbr_pick_finding(int pick, bool found, DateADT from, DateADT on_date)
{
	if (pick < 0)
		return CBR_REG_ABSENT;
	if (found)
		return CBR_REG_FOUND;
	return from > on_date ? CBR_REG_NOT_YET : CBR_REG_ENDED;
}

/* ---------------------------------------------------------------------
 * R-EX-4 applicants
 * --------------------------------------------------------------------- */

/* The first of the rows with this code, and how many (binary search). */
static const CbrRegApplicant *
cbr_applicant_rows(const CbrRegisters *r, const CbrUscc *u, int *n)
{
	int			lo = 0;
	int			hi = r->napplicants;
	int			end;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (cbr_uscc_cmp(&r->applicants[mid].uscc, u) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < r->napplicants && cbr_uscc_cmp(&r->applicants[end].uscc, u) == 0; end++)
		;
	*n = end - lo;
	return r->applicants + lo;
}

CbrOutcome
cbr_decide_applicant(const CbrRegisters *r, const CbrUscc *applicant, DateADT on_date,
					 CbrRegisterVerdict *v)
{
	const CbrRegApplicant *rows;
	int			n;
	int			pick_;
	bool		found;

	if (!cbr_register_start(rule_ex4, on_date, v))
		return v->outcome;
	rows = cbr_applicant_rows(r, applicant, &n);
	CBR_PICK(rows, n, on_date, found);
	v->applicant = pick_ >= 0 ? &rows[pick_] : NULL;
	v->finding = cbr_pick_finding(pick_, found, pick_ >= 0 ? rows[pick_].from : 0, on_date);
	return v->outcome = found ? CBR_PASS : CBR_FAIL_APPLICANT;
}

/* ---------------------------------------------------------------------
 * R-EX-6 return sites
 * --------------------------------------------------------------------- */
static int
cbr_site_cmp(const CbrRegSite *s, const char *code, int16 office, bool by_office)
{
	int			c = strcmp(s->code, code);

	if (c != 0 || !by_office)
		return c;
	return s->office < office ? -1 : s->office > office ? 1 : 0;
}

/* The rows of a site (by_office false) or of a site at an office. */
static const CbrRegSite *
cbr_site_rows(const CbrRegisters *r, const char *code, int16 office, bool by_office, int *n)
{
	int			lo = 0;
	int			hi = r->nsites;
	int			end;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (cbr_site_cmp(&r->sites[mid], code, office, by_office) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < r->nsites && cbr_site_cmp(&r->sites[end], code, office, by_office) == 0; end++)
		;
	*n = end - lo;
	return r->sites + lo;
}

CbrOutcome
cbr_decide_return_site(const CbrRegisters *r, const char *site, int16 office, DateADT on_date,
					   CbrRegisterVerdict *v)
{
	const CbrRegSite *rows;
	int			n;
	int			pick_;
	bool		found;

	if (!cbr_register_start(rule_ex6, on_date, v))
		return v->outcome;
	rows = cbr_site_rows(r, site, office, true, &n);
	CBR_PICK(rows, n, on_date, found);
	v->site = pick_ >= 0 ? &rows[pick_] : NULL;
	v->finding = cbr_pick_finding(pick_, found, pick_ >= 0 ? rows[pick_].from : 0, on_date);
	if (v->finding == CBR_REG_ABSENT)
	{
		v->site_rows = cbr_site_rows(r, site, office, false, &v->nsite_rows);
		if (v->nsite_rows > 0)
			v->finding = CBR_REG_OTHER_OFFICE;
	}
	return v->outcome = found ? CBR_PASS : CBR_FAIL_SITE;
}

/* ---------------------------------------------------------------------
 * R-IM-5 return-centre warehouses and credit ratings
 * --------------------------------------------------------------------- */
const CbrRegRating *
cbr_register_rating(const CbrRegisters *r, const CbrUscc *enterprise, DateADT on_date)
{
	int			lo = 0;
	int			hi = r->nratings;
	const CbrRegRating *hit = NULL;

	/* the first row after (code, on_date); the one before it, if of the code */
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = cbr_uscc_cmp(&r->ratings[mid].uscc, enterprise);

		if (c < 0 || (c == 0 && r->ratings[mid].from <= on_date))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && cbr_uscc_cmp(&r->ratings[lo - 1].uscc, enterprise) == 0)
		hit = &r->ratings[lo - 1];
	return hit;
}

static const CbrRegWarehouse *
cbr_warehouse_rows(const CbrRegisters *r, const char *code, int *n)
{
	int			lo = 0;
	int			hi = r->nwarehouses;
	int			end;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (strcmp(r->warehouses[mid].code, code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < r->nwarehouses && strcmp(r->warehouses[end].code, code) == 0; end++)
		;
	*n = end - lo;
	return r->warehouses + lo;
}

bool
cbr_register_has_warehouse(const CbrRegisters *r, const char *warehouse)
{
	int			n;

	(void) cbr_warehouse_rows(r, warehouse, &n);
	return n > 0;
}

CbrOutcome
cbr_decide_return_warehouse(const CbrRegisters *r, const char *warehouse, const char *special_area,
							DateADT on_date, CbrRegisterVerdict *v)
{
	const CbrRegWarehouse *rows;
	const CbrRegWarehouse *w;
	int			n;
	int			pick_;
	bool		found;

	if (!cbr_register_start(rule_im5, on_date, v))
		return v->outcome;
	rows = cbr_warehouse_rows(r, warehouse, &n);
	CBR_PICK(rows, n, on_date, found);
	w = v->warehouse = pick_ >= 0 ? &rows[pick_] : NULL;
	v->finding = cbr_pick_finding(pick_, found, w ? w->from : 0, on_date);
	if (!found)
		return v->outcome = CBR_FAIL_WAREHOUSE;
	/* R-IM-1: inside the original area */
	if (special_area != NULL && strcmp(w->area, special_area) != 0)
	{
		v->finding = CBR_REG_OTHER_AREA;
		return v->outcome = CBR_FAIL_WAREHOUSE;
	}
	v->rating = cbr_register_rating(r, &w->operator_uscc, on_date);
	if (v->rating != NULL && v->rating->discredited)
	{
		v->finding = CBR_REG_DISCREDITED;
		return v->outcome = CBR_FAIL_WAREHOUSE;
	}
	v->missing = (w->video_linked ? 0 : CBR_FACILITY_VIDEO) | (w->wms ? 0 : CBR_FACILITY_WMS) |
		(w->customs_interface ? 0 : CBR_FACILITY_INTERFACE);
	if (v->missing != 0)
	{
		v->finding = CBR_REG_FACILITIES;
		return v->outcome = CBR_FAIL_WAREHOUSE;
	}
	return v->outcome = CBR_PASS;
}

/* ---------------------------------------------------------------------
 * R-IM-7 import agents
 * --------------------------------------------------------------------- */
static int
cbr_agent_cmp(const CbrRegAgent *a, const char *enterprise, const CbrUscc *agent)
{
	int			c = strcmp(a->enterprise, enterprise);

	return c != 0 ? c : cbr_uscc_cmp(&a->agent, agent);
}

CbrOutcome
cbr_decide_import_applicant(const CbrRegisters *r, const char *enterprise, const CbrUscc *applicant,
							DateADT on_date, CbrRegisterVerdict *v)
{
	int			lo = 0;
	int			hi = r->nagents;
	int			end;
	const CbrRegAgent *rows;
	int			pick_;
	bool		found;

	if (!cbr_register_start(rule_im7, on_date, v))
		return v->outcome;
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (cbr_agent_cmp(&r->agents[mid], enterprise, applicant) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < r->nagents && cbr_agent_cmp(&r->agents[end], enterprise, applicant) == 0; end++)
		;
	rows = r->agents + lo;
	CBR_PICK(rows, end - lo, on_date, found);
	v->agent = pick_ >= 0 ? &rows[pick_] : NULL;
	v->finding = cbr_pick_finding(pick_, found, pick_ >= 0 ? rows[pick_].from : 0, on_date);
	return v->outcome = found ? CBR_PASS : CBR_FAIL_IMPORT_APPLICANT;
}

/* ---------------------------------------------------------------------
 * R-IM-1, R-IM-5, R-IM-6: where an import return may arrive
 *
 * The original site, area or centre is always right (R-IM-1).  A bonded
 * (1210) return may also go to a return-centre warehouse of the original
 * area that passes R-IM-5 on the date, or, declared at another customs
 * office, to the special area at the place of declaration (R-IM-6,
 * confidence M).  A direct-purchase (9610) or 1239 return has only the
 * original site: the sources name neither route for them.
 * --------------------------------------------------------------------- */
CbrOutcome
cbr_decide_arrival_place(const CbrRegisters *r, int16 code, const char *original_place,
						 const char *arrival_place, const char *declared_area, DateADT on_date,
						 CbrRegisterVerdict *v)
{
	if (!cbr_register_start(rule_im1, on_date, v))
		return v->outcome;
	v->code = code;
	if (code != CBR_CODE_1210 && code != 1239 && code != CBR_CODE_9610)
		return v->outcome = CBR_BAD_ARGUMENT;
	if (strcmp(arrival_place, original_place) == 0)
	{
		v->finding = CBR_REG_ORIGINAL;
		return v->outcome = CBR_PASS;
	}
	if (code == CBR_CODE_1210)
	{
		if (cbr_register_has_warehouse(r, arrival_place))
		{
			(void) cbr_decide_return_warehouse(r, arrival_place, original_place, on_date, v);
			v->code = code;
			return v->outcome;
		}
		if (declared_area != NULL && strcmp(arrival_place, declared_area) == 0)
		{
			v->rule_id = rule_im6;
			v->finding = CBR_REG_DECLARED_AREA;
			return v->outcome = CBR_PASS;
		}
		v->finding = CBR_REG_ELSEWHERE;
		return v->outcome = CBR_FAIL_ARRIVAL;
	}
	v->finding = CBR_REG_NOT_ORIGINAL;
	return v->outcome = CBR_FAIL_ARRIVAL;
}

/*
 * The register rules of an import-return row, in the order the check
 * reports them: unreadable text, R-IM-5 (the warehouse the return is routed
 * to), R-IM-1 / R-IM-6 (the arrival place), R-IM-7 (who applied).  Where
 * the goods go is judged on the arrival date, or the application date while
 * no arrival is recorded; who applied, on the application date.
 */
CbrOutcome
cbr_decide_import_places(const CbrRegisters *r, const CbrImportPlaceRow *row,
						 CbrImportPlaceVerdict *v)
{
	bool		has_place_date = row->has_arrived || row->has_applied;
	DateADT		place_date = row->has_arrived ? row->arrived_on : row->applied_on;

	memset(v, 0, sizeof(*v));
	/* a code that is no code is bad input whatever else the row holds (docs/rules.md) */
	if (row->code_state == CBR_VALUE_BAD)
	{
		v->bad_text = 0;
		return v->outcome = CBR_BAD_TEXT;
	}
	if (row->enterprise != NULL && row->applicant_state == CBR_VALUE_BAD)
	{
		v->bad_text = 1;
		return v->outcome = CBR_BAD_TEXT;
	}
	if (row->warehouse != NULL && has_place_date)
	{
		v->place = row->warehouse;
		if (row->code_state == CBR_VALUE_OK && row->code != CBR_CODE_1210)
		{
			(void) cbr_register_start(rule_im5, place_date, &v->reg);
			v->reg.code = row->code;
			v->reg.finding = CBR_REG_NOT_BONDED;
			return v->outcome = v->reg.outcome = CBR_FAIL_WAREHOUSE;
		}
		if (cbr_decide_return_warehouse(r, row->warehouse, row->original_place, place_date,
										&v->reg) != CBR_PASS)
			return v->outcome = v->reg.outcome;
	}
	if (row->arrival_place != NULL && row->original_place != NULL &&
		row->code_state == CBR_VALUE_OK && has_place_date)
	{
		v->place = row->arrival_place;
		if (cbr_decide_arrival_place(r, row->code, row->original_place, row->arrival_place,
									 row->declared_area, place_date, &v->reg) != CBR_PASS)
			return v->outcome = v->reg.outcome;
	}
	if (row->enterprise != NULL && row->applicant_state == CBR_VALUE_OK && row->has_applied)
	{
		v->place = NULL;
		if (cbr_decide_import_applicant(r, row->enterprise, &row->applicant, row->applied_on,
										&v->reg) != CBR_PASS)
			return v->outcome = v->reg.outcome;
	}
	return v->outcome = CBR_PASS;
}
