/*
 * import.c
 *		The retail-import return windows (R-IM-1, GACC 2020 No. 45): the
 *		return application within 30 days and the goods' arrival within 45
 *		days of the release of the import list, calendar days (R-P-1),
 *		neither before the release.  Decided over plain values (rules.h).
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
 * first.  A date not known yet (has_* false) passes; so does a row with no
 * release date, which has no window yet.
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
		return v->outcome = v->apply.outcome;
	}
	(void) cbr_decide_import_deadline(released_on, CBR_DATE_ARRIVED, &v->arrive);
	if (v->arrive.outcome != CBR_PASS)
	{
		v->failed = &v->arrive;
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
	return v->outcome = v->failed ? v->failed->outcome : CBR_PASS;
}
