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
 *
 * This file holds what every report uses (dates, the errors of bad input,
 * the explain step machinery); the steps of each rule family are
 * report_steps.c, the texts of the tax relief report_tax.c.
 */
#include "policy/report_int.h"

#include "lib/stringinfo.h"
#include "utils/datetime.h"
#include "miscadmin.h"
#include "utils/timestamp.h"


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
	{"R-IM-1", gettext_noop("import return windows and place")},
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

bool
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

const char *
cbr_date_role_label(CbrDateRole role)
{
	static const char *const labels[] = {
		gettext_noop("export date"), gettext_noop("return date"),
		gettext_noop("date of departure from the special area"), gettext_noop("release date"),
		gettext_noop("return application date"), gettext_noop("arrival date"),
		gettext_noop("deadline"), gettext_noop("as-of date"), gettext_noop("day")
	};

	return labels[role];
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

/*
 * 22008 for a date of the row a check reads: infinite, or so far off that its
 * deadline is out of range.  The date is named by what it is, in the
 * message's language; the row (row: cbr_row_identity or _seen, as the
 * caller may show it) in DETAIL; the column, when the row holds it (col 0:
 * a declaration header's, or not known here), in the error's COLUMN field.
 */
void
cbr_report_row_date(Relation rel, const char *row, AttrNumber col, CbrDateRole role, DateADT d)
{
	const char *what = cbr_date_role_label(role);

	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be a finite date", _(what)),
				 errdetail("%sthe %s is %s.", row, _(what), cbr_date_iso(d)),
				 errhint("Deadlines are counted from a calendar day (R-P-1)."),
				 col > 0 ? errtablecol(rel, col) : errtable(rel)));
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("deadline counted from %s is out of range for type date", _(what)),
			 errdetail("%sthe %s is %s.", row, _(what), cbr_date_iso(d)),
			 col > 0 ? errtablecol(rel, col) : errtable(rel)));
}

/*
 * The bad input of an R-EX-5 verdict (22008, CB007); returns otherwise.
 * rel NULL: a function's arguments.  Otherwise a checked row of rel: row is
 * its identity for DETAIL (cbr_row_identity), cols the columns of the
 * supervision code, export office, return office and return date (0: not
 * on the row).
 */
void
cbr_report_cross_customs_input(const CbrCrossVerdict *v, Relation rel, const char *row,
							   const AttrNumber *cols)
{
	int16		office = v->bad_is_return_office ? v->return_office : v->export_office;
	AttrNumber	col = rel == NULL ? 0
		: v->outcome == CBR_BAD_CODE ? cols[0]
		: v->outcome == CBR_BAD_DISTRICT ? cols[v->bad_is_return_office ? 2 : 1] : cols[3];

	switch (v->outcome)
	{
		case CBR_BAD_INFINITE:
			if (rel != NULL)
				cbr_report_row_date(rel, row, col, CBR_DATE_RETURNED, v->returned_on);
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
					 rel == NULL
					 ? errdetail("The first two digits of a customs code name its district (R-ID-2).")
					 : errdetail("%sexport office %04d, return office %04d; the first two digits of a customs code name its district (R-ID-2).",
								 row, v->export_office, v->return_office),
					 errhint("Correct the customs code, or add the district to cbreturn.districts (docs/policy.md)."),
					 rel == NULL ? 0 : col > 0 ? errtablecol(rel, col) : errtable(rel)));
			break;
		case CBR_BAD_CODE:
			if (rel != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_CBRETURN_UNKNOWN_CODE),
						 errmsg("supervision code %04d is not in cbreturn.supervision_codes", v->code),
						 errdetail("%sthe rules know the supervision codes listed in cbreturn.supervision_codes (R-ID-3).", row),
						 errhint("Correct the code, or add it to cbreturn.supervision_codes (docs/policy.md)."),
						 col > 0 ? errtablecol(rel, col) : errtable(rel)));
			cbr_report_unknown_code(v->code);
			break;
		default:
			break;
	}
}

/* Append one explain step whose text is built already (translated). */
void
cbr_step_add_text(List **steps, const char *rule_id, bool passed, const char *basis,
				  const char *text)
{
	CbrStep    *s = palloc(sizeof(CbrStep));
	int			i;

	s->seen = s->text = pstrdup(text);
	s->name = NULL;
	cbr_language_begin();
	if (strcmp(cbr_texts_language(), "en") != 0)
		for (i = 0; i < (int) lengthof(cbr_rule_names); i++)
			if (strcmp(cbr_rule_names[i].id, rule_id) == 0)
			{
				s->name = _(cbr_rule_names[i].name);
				/* translator: an explain step: the rule's name, then what was seen */
				s->seen = psprintf(_("%s: %s"), s->name, text);
			}
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
	va_list		args;
	char	   *text;

	va_start(args, fmt);
	text = cbr_translated_vformat(fmt, args);
	va_end(args);
	cbr_step_add_text(steps, rule_id, passed, basis, text);
}

/* A basis that is law (BASIS_*), in the session's language. */
const char *
cbr_basis(const char *msgid)
{
	const char *t;

	cbr_language_begin();
	t = _(msgid);
	cbr_language_end();
	return t;
}


/* " Failed: R-EX-5: ...; R-EX-5: ...." for a DETAIL, or "" when all passed. */
char *
cbr_steps_failed_text(List *steps)
{
	StringInfoData why;
	ListCell   *lc;
	const char *last = NULL;

	initStringInfo(&why);
	cbr_language_begin();
	foreach(lc, steps)
	{
		CbrStep    *st = (CbrStep *) lfirst(lc);

		if (!st->passed && st->seen)
		{
			/* the punctuation too is the language's (Chinese: full-width) */
			appendStringInfoString(&why, why.len ? _("; ") : _(" Failed: "));
			/* a rule's failed steps follow its id (and name) once: "R-EX-5: a; b" */
			if (last != NULL && strcmp(last, st->rule_id) == 0)
				appendStringInfoString(&why, st->text);
			else if (st->name != NULL)
				/* translator: a rule id, its name and what its step found */
				appendStringInfo(&why, _("%s (%s): %s"), st->rule_id, st->name, st->text);
			else
				/* translator: a rule id and what its step found */
				appendStringInfo(&why, _("%s: %s"), st->rule_id, st->text);
			last = st->rule_id;
		}
	}
	if (why.len)
		/* translator: the end of the sentence listing the failed rules */
		appendStringInfoString(&why, _("."));
	cbr_language_end();
	return why.data;
}
