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

#define BASIS_EX1 "GACC 2020 No. 44 (return windows of CBEC retail exports)"
#define BASIS_EX2 "GACC CBEC retail export return procedure (remarks column)"
#define BASIS_P1 "Civil Code arts. 201-202"
#define BASIS_IM1 "GACC 2020 No. 45"
#define BASIS_PILOT "GACC 2024 No. 167"
#define BASIS_TX_DEFAULT "MoF/GACC/STA 2026 No. 16"
#define BASIS_TX2_1210 "MoF/GACC/STA 2026 No. 16 art. 1 (seed 003): for 1210 the period runs from the day the goods left the special customs supervision area or bonded logistics centre (type B)"

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

/* Append one explain step. */
void
cbr_step_add(List **steps, const char *rule_id, bool passed, const char *basis,
			 const char *fmt,...)
{
	CbrStep    *s;
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	s = palloc(sizeof(CbrStep));
	s->rule_id = rule_id;
	s->passed = passed;
	s->seen = buf.data;
	s->basis = basis;
	*steps = lappend(*steps, s);
}

static const char *
cbr_window_label(int months)
{
	return months == CBR_EXPORT_MONTHS_QUALITY ? "1 year: quality or specification"
		: "6 months: unsold or consumer return";
}

/* R-EX-2, R-P-1, R-EX-1 of an export return (a verdict without bad input). */
List *
cbr_steps_export_deadline(CbrReason reason, DateADT exported_on, bool has_returned,
						  const CbrWindowVerdict *v)
{
	List	   *steps = NIL;

	cbr_step_add(&steps, "R-EX-2", true, BASIS_EX2, "reason %s: remark code %s",
				 cbr_reason_label(reason), cbr_remark_code(reason));
	cbr_step_add(&steps, "R-P-1", true, BASIS_P1,
				 "exported on %s + %d months = %s (start day not counted; last day inside the window; clamped to the month end)",
				 cbr_date_iso(exported_on), v->length, cbr_date_iso(v->deadline));
	if (has_returned)
		cbr_step_add(&steps, "R-EX-1", v->outcome == CBR_PASS, BASIS_EX1,
					 "returned on %s, deadline %s (%s)", cbr_date_iso(v->bad_value),
					 cbr_date_iso(v->deadline), cbr_window_label(v->length));
	else
		cbr_step_add(&steps, "R-EX-1", true, BASIS_EX1, "deadline %s (%s); not returned yet",
					 cbr_date_iso(v->deadline), cbr_window_label(v->length));
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

	cbr_step_add(&steps, "R-EX-2", true, BASIS_EX2, "reason %s: remark code %s",
				 cbr_reason_label(reason), cbr_remark_code(reason));
	cbr_step_add(&steps, "R-TX-2", true, BASIS_TX2_1210,
				 "1210: declared for export on %s, left the special area on %s; the window counts from the departure",
				 cbr_date_iso(exported_on), cbr_date_iso(left_on));
	cbr_step_add(&steps, "R-P-1", true, BASIS_P1,
				 "left the special area on %s + %d months = %s (start day not counted; last day inside the window; clamped to the month end)",
				 cbr_date_iso(left_on), v->length, cbr_date_iso(v->deadline));
	if (has_returned)
		cbr_step_add(&steps, "R-EX-1", v->outcome == CBR_PASS, BASIS_EX1,
					 "returned on %s, deadline %s (%s)", cbr_date_iso(v->bad_value),
					 cbr_date_iso(v->deadline), cbr_window_label(v->length));
	else
		cbr_step_add(&steps, "R-EX-1", true, BASIS_EX1, "deadline %s (%s); not returned yet",
					 cbr_date_iso(v->deadline), cbr_window_label(v->length));
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

	if (has_applied)
		cbr_step_add(&steps, "R-IM-1", a->outcome == CBR_PASS, BASIS_IM1,
					 "application filed %s, deadline %s (release %s + %d days)",
					 cbr_date_iso(a->bad_value), cbr_date_iso(a->deadline),
					 cbr_date_iso(released_on), a->length);
	else
		cbr_step_add(&steps, "R-IM-1", true, BASIS_IM1,
					 "no application yet; deadline %s (release %s + %d days)",
					 cbr_date_iso(a->deadline), cbr_date_iso(released_on), a->length);
	if (has_arrived)
		cbr_step_add(&steps, "R-IM-1", r->outcome == CBR_PASS, BASIS_IM1,
					 "goods arrived %s, deadline %s (release %s + %d days)",
					 cbr_date_iso(r->bad_value), cbr_date_iso(r->deadline),
					 cbr_date_iso(released_on), r->length);
	else
		cbr_step_add(&steps, "R-IM-1", true, BASIS_IM1,
					 "goods not arrived yet; deadline %s (release %s + %d days)",
					 cbr_date_iso(r->deadline), cbr_date_iso(released_on), r->length);
	return steps;
}

/* The legal basis of R-EX-5, naming the nationwide date of the snapshot. */
char *
cbr_cross_customs_basis(const CbrPolicy *p)
{
	return psprintf("%s (pilot); GACC announcement of nationwide cross-customs returns from %s",
					BASIS_PILOT, cbr_date_iso(p->nationwide_from));
}

static char *
cbr_pilot_text(const CbrPolicy *p, int district)
{
	if (!p->district_pilot[district])
		return "is not a pilot district";
	return psprintf("pilot from %s", cbr_date_iso(p->district_pilot_from[district]));
}

/* R-ID-2 and R-EX-5 (a verdict without bad input). */
List *
cbr_steps_cross_customs(const CbrPolicy *p, const CbrCrossVerdict *v)
{
	List	   *steps = NIL;
	int			ed = v->export_district;
	int			rd = v->return_district;
	char	   *basis = cbr_cross_customs_basis(p);

	cbr_step_add(&steps, "R-ID-2", true, "GACC customs code list",
				 "export office %04d is in district %02d (%s); return office %04d is in district %02d (%s)",
				 v->export_office, ed, p->district_name[ed], v->return_office, rd, p->district_name[rd]);
	if (v->same_district)
	{
		cbr_step_add(&steps, "R-EX-5", true, basis,
					 "same district %02d: a return within the original district is always allowed (any supervision code)",
					 ed);
		return steps;
	}
	cbr_step_add(&steps, "R-EX-5", v->code_crosses, basis,
				 "supervision code %04d, districts %02d -> %02d: cross-customs returns apply to %04d only",
				 v->code, ed, rd, CBR_CODE_9610);
	if (!v->code_crosses)
		return steps;
	if (v->nationwide)
	{
		cbr_step_add(&steps, "R-EX-5", true, basis,
					 "returned on %s, on or after the nationwide date %s (rule parameter cross_customs_nationwide_from)",
					 cbr_date_iso(v->returned_on), cbr_date_iso(p->nationwide_from));
		return steps;
	}
	cbr_step_add(&steps, "R-EX-5", false, basis,
				 "returned on %s, before the nationwide date %s: only the pilot can allow it",
				 cbr_date_iso(v->returned_on), cbr_date_iso(p->nationwide_from));
	cbr_step_add(&steps, "R-EX-5", v->outcome == CBR_PASS, BASIS_PILOT,
				 "pilot on %s: return district %02d %s, export district %02d %s; %s",
				 cbr_date_iso(v->returned_on), rd, cbr_pilot_text(p, rd), ed, cbr_pilot_text(p, ed),
				 p->pilot_both_districts ? "both must be in the pilot (cross_customs_pilot_both_districts)"
				 : "the return district must be in the pilot (cross_customs_pilot_both_districts is false)");
	return steps;
}

/* " Failed: R-EX-5: ...; R-EX-5: ...." for a DETAIL, or "" when all passed. */
char *
cbr_steps_failed_text(List *steps)
{
	StringInfoData why;
	ListCell   *lc;

	initStringInfo(&why);
	foreach(lc, steps)
	{
		CbrStep    *st = (CbrStep *) lfirst(lc);

		if (!st->passed && st->seen)
			appendStringInfo(&why, "%s%s: %s", why.len ? "; " : _(" Failed: "), st->rule_id, st->seen);
	}
	if (why.len)
		appendStringInfoChar(&why, '.');
	return why.data;
}

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

/* The last day of a window the verdict decided (R-P-1), for the explain text. */
static char *
cbr_window_end_text(DateADT start, int months)
{
	DateADT		end;

	if (!cbr_add_months(start, months, &end))
		cbr_report_date_out_of_range("deadline", start);
	return cbr_date_iso(end);
}

static void
cbr_steps_tx6(List **steps, const CbrReliefInput *in, const CbrRelief *r)
{
	cbr_step_add(steps, "R-TX-6", !(r->failed & CBR_FAILED_TX6), cbr_basis_tx6,
				 "quality_or_spec return on %s; must be back within 1 year of export %s, i.e. by %s",
				 cbr_date_iso(in->returned_on), cbr_date_iso(in->exported_on),
				 cbr_window_end_text(in->exported_on, CBR_EXPORT_MONTHS_QUALITY));
	cbr_step_add(steps, "R-TX-4", in->original_state,
				 psprintf("%s art. 3; %s", BASIS_TX_DEFAULT, cbr_basis_tx6),
				 "original_state = %s", in->original_state ? "true" : "false");
}

static void
cbr_steps_announced(List **steps, const CbrReliefInput *in, const CbrRelief *r)
{
	const CbrTaxPeriod *any = r->covering;
	const CbrTaxPeriod *t = r->period;
	const char *art1 = t ? t->announcement : psprintf("%s art. 1", BASIS_TX_DEFAULT);

	if (any == NULL)
		cbr_step_add(steps, "R-TX-1", false, "cbreturn.tax_policy_periods",
					 "no policy period covers exports declared on %s", cbr_date_iso(in->exported_on));
	else
	{
		cbr_step_add(steps, "R-TX-1", true, any->announcement,
					 "exports declared %s to %s are covered; declared on %s",
					 cbr_date_iso(any->declared_from), cbr_date_iso(any->declared_to),
					 cbr_date_iso(in->exported_on));
		if (t != NULL)
			cbr_step_add(steps, "R-TX-2", true, any->announcement,
						 "supervision code %04d is covered", in->code);
		else
			cbr_step_add(steps, "R-TX-2", false, any->announcement,
						 "supervision code %04d is not covered (%s are)", in->code,
						 cbr_period_codes_text(any));
	}
	cbr_step_add(steps, "R-TX-2", !in->is_food, art1,
				 "is_food = %s (food is excluded)", in->is_food ? "true" : "false");
	if (!r->window_known)
		cbr_step_add(steps, "R-TX-2", false, psprintf("%s art. 1", BASIS_TX_DEFAULT),
					 "%04d: the %d months run from leaving the special area, and left_special_area_on is missing",
					 CBR_CODE_1210, r->months);
	else
		cbr_step_add(steps, "R-TX-2", r->window_ok, art1,
					 "returned on %s; must be back within %d months of %s %s, i.e. by %s",
					 cbr_date_iso(in->returned_on), r->months,
					 in->code == CBR_CODE_1210 ? "leaving the special area on" : "export on",
					 cbr_date_iso(r->window_start), cbr_window_end_text(r->window_start, r->months));
	cbr_step_add(steps, "R-TX-4", in->original_state,
				 t ? t->announcement : psprintf("%s art. 3", BASIS_TX_DEFAULT),
				 "original_state = %s", in->original_state ? "true" : "false");
}

/* R-TX-1 ... R-TX-6 (a verdict without bad input). */
List *
cbr_steps_tax_relief(const CbrPolicy *p, const CbrReliefInput *in, const CbrRelief *r)
{
	List	   *steps = NIL;

	if (r->route_tx6)
		cbr_steps_tx6(&steps, in, r);
	else
		cbr_steps_announced(&steps, in, r);
	if (!r->relieved)
		return steps;
	cbr_step_add(&steps, "R-TX-3", true,
				 r->route_tx6 ? "GACC CBEC retail export return procedure" : r->basis,
				 in->rebate_claimed
				 ? "export rebate claimed: repay it first, then present the tax authority's certificate"
				 : "no export rebate claimed: nothing to repay");
	cbr_step_add(&steps, "R-TX-5", true, r->route_tx6 ? cbr_basis_tx6 : r->basis,
				 "%s", r->evidence_required);
	return steps;
}
