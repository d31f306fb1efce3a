/*
 * calendar.c
 *		R-P-2 (Civil Code art. 203): a deadline that falls on a rest day moves
 *		to the next working day.  Rest days are the holidays of the policy
 *		snapshot and, when the rule parameter holiday_weekends_are_rest_days
 *		is true, Saturdays and Sundays not listed as make-up working days.
 */
#include "rules/rules.h"

/* Day of the week of a DateADT, 0 = Sunday; day 0 (2000-01-01) was a Saturday. */
static inline int
cbr_weekday(DateADT d)
{
	return (int) ((((int64) d % 7) + 7 + 6) % 7);
}

/* The listed holiday d, or NULL (binary search: the list is sorted by day). */
static const CbrHoliday *
cbr_listed_day(const CbrPolicy *p, DateADT d)
{
	int			lo = 0;
	int			hi = p->nholidays - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (p->holidays[mid].day == d)
			return &p->holidays[mid];
		if (p->holidays[mid].day < d)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

bool
cbr_is_rest_day(const CbrPolicy *p, DateADT d)
{
	const CbrHoliday *h = cbr_listed_day(p, d);
	int			wd;

	if (h != NULL)
		return !h->working_day;
	if (!p->weekends_rest)
		return false;
	wd = cbr_weekday(d);
	return wd == 0 || wd == 6;
}

/*
 * The first working day on or after d.  The loop ends: after the last
 * listed day only weekends can be rest days, and no more than two of them
 * follow each other, so it stops at the latest three days after the last
 * listed day (or after d).  It walks day by day rather than counting closures,
 * because a run of listed days joined by weekends is longer than the list.
 * false only when that day lies past the range of type date.
 */
bool
cbr_next_working_day(const CbrPolicy *p, DateADT d, DateADT *result)
{
	DateADT		last = p->nholidays > 0 ? p->holidays[p->nholidays - 1].day : d;
	DateADT		bound;

	if (DATE_NOT_FINITE(d))
		return false;
	if (last < d)
		last = d;
	if (!cbr_add_days(last, 3, &bound))
		bound = DATEVAL_NOEND;
	while (cbr_is_rest_day(p, d))
	{
		if (d >= bound || !cbr_add_days(d, 1, &d))
			return false;
	}
	*result = d;
	return true;
}
