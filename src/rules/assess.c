/*
 * assess.c
 *		Where a retail import return stands on a day when both windows of
 *		R-IM-1 run at once, and whether a return has CBEC windows at all
 *		(the one-call assessment, docs/reporting.md).
 *
 * Each window is decided on its own by cbr_decide_standing (status.c); this
 * only combines the two.  R-IM-1 (GACC 2020 No. 45, rules.md): an
 * application filed after day 30 is late as soon as it is filed, whether or
 * not the goods have arrived yet, so a late clock makes the return overdue
 * before the other one closes.
 */
#include "rules/rules.h"

/*
 * Issue 12, item 4: goods declared back as ordinary returned goods (e.g.
 * supervision code 4561) come back outside the CBEC return procedure and
 * are taxed as an ordinary import (rules, R-TX-6: "outside R-TX-2 and R-TX-6
 * a return is taxed as an ordinary import").  The CBEC windows (R-EX-1,
 * R-IM-1) and the remark code (R-EX-2) are rules of that procedure: an
 * ordinary return has no deadline and no remark code, as the write-time
 * checks hold it to neither (src/enforce/violation.c).  When it is not
 * known whether a return is ordinary, neither is whether it has a window.
 */
CbrWindowScope
cbr_decide_window_scope(bool has_ordinary, bool ordinary)
{
	if (!has_ordinary)
		return CBR_WINDOW_UNKNOWN;
	return ordinary ? CBR_WINDOW_ORDINARY : CBR_WINDOW_CBEC;
}

static inline bool
cbr_status_late(CbrReturnStatus s)
{
	return s == CBR_STATUS_OVERDUE || s == CBR_STATUS_CLOSED_LATE;
}

static inline bool
cbr_status_closed(CbrReturnStatus s)
{
	return s == CBR_STATUS_CLOSED_ON_TIME || s == CBR_STATUS_CLOSED_LATE;
}

/*
 * Both windows closed: closed_late if either closed late, else
 * closed_on_time.  Otherwise overdue as soon as either window is late (an
 * application filed late, or one not filed by its deadline, or goods not
 * arrived by theirs); else the more urgent of the open windows (due_soon
 * before open).  days_left: the smallest margin of the windows that decide
 * (every window when closed or late, else the open ones).
 */
CbrReturnStatus
cbr_import_standing(const CbrStandingVerdict *apply, const CbrStandingVerdict *arrive,
					int32 due_soon_days, int64 *days_left)
{
	CbrReturnStatus sa = cbr_standing_status(apply, due_soon_days);
	CbrReturnStatus sb = cbr_standing_status(arrive, due_soon_days);
	int64		both = Min(apply->days_left, arrive->days_left);

	if (cbr_status_closed(sa) && cbr_status_closed(sb))
	{
		*days_left = both;
		return (cbr_status_late(sa) || cbr_status_late(sb))
			? CBR_STATUS_CLOSED_LATE : CBR_STATUS_CLOSED_ON_TIME;
	}
	if (cbr_status_late(sa) || cbr_status_late(sb))
	{
		*days_left = both;
		return CBR_STATUS_OVERDUE;
	}
	if (cbr_status_closed(sa))
	{
		*days_left = arrive->days_left;
		return sb;
	}
	if (cbr_status_closed(sb))
	{
		*days_left = apply->days_left;
		return sa;
	}
	*days_left = both;
	return (sa == CBR_STATUS_DUE_SOON || sb == CBR_STATUS_DUE_SOON)
		? CBR_STATUS_DUE_SOON : CBR_STATUS_OPEN;
}
