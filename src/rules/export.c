/*
 * export.c
 *		The export-return rules: the return window (R-EX-1, counted by
 *		R-P-1), the remark code (R-EX-2) and returns through another customs
 *		district (R-EX-5), decided over plain values (see rules.h).
 */
#include "rules/rules.h"

/* A later date must not precede an earlier one (docs/rules.md, Bad input: 22023). */
static CbrOutcome
cbr_decide_order(CbrDateRole later, DateADT later_value, CbrDateRole earlier,
				 DateADT earlier_value, CbrWindowVerdict *v)
{
	if (DATE_NOT_FINITE(later_value))
	{
		v->bad = later;
		v->bad_value = later_value;
		return v->outcome = CBR_BAD_INFINITE;
	}
	if (later_value < earlier_value)
	{
		v->bad = later;
		v->bad_value = later_value;
		v->other = earlier;
		v->other_value = earlier_value;
		return v->outcome = CBR_BAD_ORDER;
	}
	return CBR_PASS;
}

/*
 * R-EX-1 (GACC announcement of 2024-12-15, seed 002, superseding the single
 * window of GACC 2020 No. 44): re-entry within 6 months of the
 * export clearance for unsold goods and consumer returns, 1 year for
 * quality or specification; counted by R-P-1 (Civil Code arts. 201-202).
 */
CbrOutcome
cbr_decide_export_window(DateADT exported_on, CbrReason reason, bool has_returned,
						 DateADT returned_on, CbrWindowVerdict *v)
{
	if (cbr_decide_deadline(exported_on, CBR_DATE_EXPORTED, cbr_export_window_months(reason),
							true, v) != CBR_PASS)
		return v->outcome;
	if (!has_returned)
		return v->outcome = CBR_PASS;
	if (cbr_decide_order(CBR_DATE_RETURNED, returned_on, CBR_DATE_EXPORTED, exported_on, v) != CBR_PASS)
		return v->outcome;
	v->bad = CBR_DATE_RETURNED;
	v->bad_value = returned_on;
	return v->outcome = returned_on <= v->deadline ? CBR_PASS : CBR_FAIL_WINDOW;
}

/*
 * R-EX-1 for goods exported under 1210 from a special customs supervision
 * area or a bonded logistics centre (type B), when the day they left the
 * area is known.  The window counts from the export declaration, as for
 * every code: R-EX-1 says "of the export clearance date", and the departure
 * starts only the R-TX-2 relief period (seed 003 art. 1, a tax rule;
 * cbr_decide_tax_relief).  What the departure adds here is the order of the
 * dates: it cannot precede the export declaration, and the return cannot
 * precede it (22023).
 */
CbrOutcome
cbr_decide_bonded_export_window(DateADT exported_on, DateADT left_on, CbrReason reason,
								bool has_returned, DateADT returned_on, CbrWindowVerdict *v)
{
	memset(v, 0, sizeof(*v));
	if (DATE_NOT_FINITE(exported_on))
	{
		v->bad = CBR_DATE_EXPORTED;
		v->bad_value = exported_on;
		return v->outcome = CBR_BAD_INFINITE;
	}
	if (cbr_decide_order(CBR_DATE_LEFT_AREA, left_on, CBR_DATE_EXPORTED, exported_on, v) != CBR_PASS ||
		(has_returned &&
		 cbr_decide_order(CBR_DATE_RETURNED, returned_on, CBR_DATE_LEFT_AREA, left_on, v) != CBR_PASS))
		return v->outcome;
	return cbr_decide_export_window(exported_on, reason, has_returned, returned_on, v);
}

/* An office code whose district cbreturn.districts knows (R-ID-2). */
static inline bool
cbr_office_known(const CbrPolicy *p, int16 office)
{
	return office >= 0 && office < CBR_CODE4_COUNT && p->district_known[office / 100];
}

/*
 * R-EX-5 (GACC 2024 No. 167 and the nationwide announcement, seeds 000-002):
 *	- same district (first two digits): always allowed, for any code;
 *	- different districts: only 9610, and only if returned_on is on or after
 *	  the nationwide date (rule parameter cross_customs_nationwide_from), or
 *	  the pilot covers it: the return district (and, if the rule parameter
 *	  cross_customs_pilot_both_districts is true, the export district too)
 *	  has a cross_return_pilot_from on or before returned_on.
 */
CbrOutcome
cbr_decide_cross_customs(const CbrPolicy *p, int16 code, int16 export_office,
						 int16 return_office, DateADT returned_on, CbrCrossVerdict *v)
{
	int			ed;
	int			rd;

	memset(v, 0, sizeof(*v));
	v->code = code;
	v->export_office = export_office;
	v->return_office = return_office;
	v->returned_on = returned_on;
	if (DATE_NOT_FINITE(returned_on))
		return v->outcome = CBR_BAD_INFINITE;
	if (!cbr_office_known(p, export_office))
		return v->outcome = CBR_BAD_DISTRICT;
	if (!cbr_office_known(p, return_office))
	{
		v->bad_is_return_office = true;
		return v->outcome = CBR_BAD_DISTRICT;
	}
	if (code < 0 || code >= CBR_CODE4_COUNT || !p->code_known[code])
		return v->outcome = CBR_BAD_CODE;
	ed = v->export_district = export_office / 100;
	rd = v->return_district = return_office / 100;
	v->return_pilot = p->district_pilot[rd] && p->district_pilot_from[rd] <= returned_on;
	v->export_pilot = p->district_pilot[ed] && p->district_pilot_from[ed] <= returned_on;
	v->nationwide = returned_on >= p->nationwide_from;
	v->code_crosses = code == CBR_CODE_9610;

	/* Returning to the district that cleared the export was always allowed. */
	v->same_district = ed == rd;
	if (v->same_district)
		return v->outcome = CBR_PASS;
	if (!v->code_crosses)
		return v->outcome = CBR_FAIL_CROSS_CODE;
	if (v->nationwide)
		return v->outcome = CBR_PASS;
	if (v->return_pilot && (v->export_pilot || !p->pilot_both_districts))
		return v->outcome = CBR_PASS;
	return v->outcome = CBR_FAIL_CROSS_DATE;
}

/* R-EX-2: the remarks start with the code of the reason, or are to be filled. */
static CbrOutcome
cbr_decide_remarks(const CbrExportRow *row, CbrExportVerdict *v)
{
	if (row->remarks == NULL || cbr_remarks_blank(row->remarks, row->remarks_len))
	{
		if (row->fill_remarks && v->has_reason)
			v->fill_remarks = true;
		/*
		 * Neither a reason nor a code: a return not made yet may still get
		 * them; once the goods are back its declaration carries the code.
		 */
		else if (v->has_reason || !row->reason_attached || row->has_returned)
			return CBR_FAIL_REMARK_EMPTY;
	}
	else if (!cbr_reason_from_remarks(row->remarks, row->remarks_len, &v->coded))
		return CBR_FAIL_REMARK_NO_CODE;
	else if (v->has_reason && v->coded != v->reason)
		return CBR_FAIL_REMARK_MISMATCH;
	else if (!v->has_reason)
	{
		/* No reason column, or it is NULL: the remarks name the reason. */
		v->reason = v->coded;
		v->has_reason = true;
	}
	return CBR_PASS;
}

/*
 * A returned row that R-EX-1 clearly accepts, when the caller needs no
 * deadline (the WHEN function): the same answer as cbr_decide_export_window
 * without counting months (cbr_within_months).  false: decide in full.
 */
static bool
cbr_export_window_passes(const CbrExportRow *row, CbrReason reason)
{
	bool		within;

	return !row->need_deadline && row->has_returned &&
		!DATE_NOT_FINITE(row->exported) && !DATE_NOT_FINITE(row->returned) &&
		row->returned >= row->exported &&
		cbr_within_months(row->exported, cbr_export_window_months(reason), row->returned, &within) &&
		within;
}

/*
 * Whether the row is a 1210 export whose departure from the special area
 * is known: then the order of its dates includes the departure (R-EX-1 and
 * R-TX-2: the goods leave the area after their export declaration and come
 * back after they left).  A row whose code is NULL is not known to be 1210.
 */
static bool
cbr_export_row_bonded(const CbrExportRow *row)
{
	return row->left_attached && row->has_left && row->codes_attached &&
		row->code_state[0] == CBR_VALUE_OK && row->code[0] == CBR_CODE_1210;
}

/* R-EX-1 on the row, from the export date for every code, or the order of its dates. */
static CbrOutcome
cbr_decide_export_row_window(const CbrExportRow *row, CbrExportVerdict *v)
{
	if (!row->has_exported)
		return CBR_PASS;
	if (row->left_attached && row->has_left && row->codes_attached &&
		row->code_state[0] == CBR_VALUE_BAD)
	{
		/* whether the departure's order counts depends on the code: read it first */
		v->bad_text = 0;
		return CBR_BAD_TEXT;
	}
	if (cbr_export_row_bonded(row))
	{
		if (v->has_reason)
			return cbr_decide_bonded_export_window(row->exported, row->left, v->reason,
												   row->has_returned, row->returned, &v->window);
		/* no reason: the dates in order */
		if (cbr_decide_order(CBR_DATE_LEFT_AREA, row->left, CBR_DATE_EXPORTED, row->exported,
							 &v->window) != CBR_PASS)
			return v->window.outcome;
		if (row->has_returned)
			return cbr_decide_order(CBR_DATE_RETURNED, row->returned, CBR_DATE_LEFT_AREA,
									row->left, &v->window);
		return CBR_PASS;
	}
	if (v->has_reason)
	{
		if (cbr_export_window_passes(row, v->reason))
			return CBR_PASS;
		return cbr_decide_export_window(row->exported, v->reason, row->has_returned,
										row->returned, &v->window);
	}
	if (row->has_returned)
		return cbr_decide_order(CBR_DATE_RETURNED, row->returned, CBR_DATE_EXPORTED,
								row->exported, &v->window);
	return CBR_PASS;
}

/*
 * R-EX-5 and R-EX-6 on the row: a code that is not one is bad input whatever
 * else the row holds (a later return date, another code still NULL: it would
 * be stored and break every report over the table later); then a NULL code
 * or return date ends the check (not known yet).  The site of a return
 * through another district must be authorised at the office of the return
 * on the return date (R-EX-6).
 */
static CbrOutcome
cbr_decide_export_row_cross(const CbrPolicy *p, const CbrExportRow *row, CbrExportVerdict *v)
{
	int			i;

	if (!row->codes_attached)
		return CBR_PASS;
	for (i = 0; i < 3; i++)
		if (row->code_state[i] == CBR_VALUE_BAD)
		{
			v->bad_text = i;
			return CBR_BAD_TEXT;
		}
	if (!row->has_returned || row->cross_set_aside)
		return CBR_PASS;
	for (i = 0; i < 3; i++)
		if (row->code_state[i] == CBR_VALUE_NULL)
			return CBR_PASS;
	if (cbr_decide_cross_customs(p, row->code[0], row->code[1], row->code[2],
								 row->returned, &v->cross) != CBR_PASS)
		return v->cross.outcome;
	if (!row->site_attached || row->site == NULL || v->cross.same_district)
		return CBR_PASS;
	return cbr_decide_return_site(row->registers, row->site, row->code[2], row->returned, &v->reg);
}

/*
 * The export rules on one row, in the order the write-time check reports
 * them: R-EX-2, then R-EX-1 with R-P-1 (from the export date; a 1210
 * departure only in the order of the dates), then R-EX-5 and R-EX-6, then
 * R-EX-4.
 */
CbrOutcome
cbr_decide_export_return(const CbrPolicy *p, const CbrExportRow *row, CbrExportVerdict *v)
{
	memset(v, 0, sizeof(*v));
	if (row->reason_state == CBR_VALUE_BAD)
	{
		v->bad_text = -1;
		return v->outcome = CBR_BAD_TEXT;
	}
	v->has_reason = row->reason_state == CBR_VALUE_OK;
	v->reason = row->reason;

	/* an infinite date is bad input, reported before any rule (docs/rules.md, Bad input) */
	if ((row->has_exported && DATE_NOT_FINITE(row->exported)) ||
		(row->has_returned && DATE_NOT_FINITE(row->returned)))
	{
		v->window.bad = row->has_exported && DATE_NOT_FINITE(row->exported) ? CBR_DATE_EXPORTED : CBR_DATE_RETURNED;
		v->window.bad_value = v->window.bad == CBR_DATE_EXPORTED ? row->exported : row->returned;
		return v->outcome = v->window.outcome = CBR_BAD_INFINITE;
	}
	if (row->remarks_attached && (v->outcome = cbr_decide_remarks(row, v)) != CBR_PASS)
		return v->outcome;
	if ((v->outcome = cbr_decide_export_row_window(row, v)) != CBR_PASS)
		return v->outcome;
	if ((v->outcome = cbr_decide_export_row_cross(p, row, v)) != CBR_PASS)
		return v->outcome;

	/* R-EX-4: the applicant is registered on the return date */
	if (!row->applicant_attached || !row->has_returned || row->applicant_state == CBR_VALUE_NULL)
		return v->outcome = CBR_PASS;
	if (row->applicant_state == CBR_VALUE_BAD)
	{
		v->bad_text = 3;
		return v->outcome = CBR_BAD_TEXT;
	}
	return v->outcome = cbr_decide_applicant(row->registers, &row->applicant, row->returned, &v->reg);
}
