/*
 * status.c
 *		Rules section 6 (seed 000): the stages of a return and their times,
 *		and where a return stands against its deadline on a day (the
 *		reporting functions return_status and return_days_left).
 */
#include "rules/rules.h"

const char *const cbr_stage_names[CBR_STAGES] = {
	"registered", "declared", "shipped", "arrived", "inspected", "released", "rejected"
};

const char *const cbr_return_status_names[6] = {
	"open", "due_soon", "overdue", "closed_on_time", "closed_late", "ordinary"
};

#define CBR_STAGE_LAST 5		/* released, rejected and withdrawn: each the last step */

static inline int
cbr_stage_rank(int stage)
{
	return stage >= CBR_STAGE_LAST ? CBR_STAGE_LAST : stage;
}

/*
 * A stage the return with status stage has reached (released excludes
 * rejected; a withdrawn return may have reached any stage before a
 * decision of customs, and no decision).
 */
static inline bool
cbr_stage_reached(int stage, int i)
{
	if (stage < 0)
		return false;
	if (stage == CBR_STATUS_WITHDRAWN)
		return i < CBR_STAGE_LAST;
	return i < CBR_STAGE_LAST ? i <= cbr_stage_rank(stage) : i == stage;
}

/*
 * A stage the return with status stage must have passed through (its own
 * stage included): every stage up to it for the steps of the chain;
 * registered and declared for a rejected return (customs can refuse a
 * declared return at any step before release, rules section 6); registered
 * for a withdrawn one.
 */
static inline bool
cbr_stage_required(int stage, int i)
{
	if (stage < 0)
		return false;
	if (stage == CBR_STATUS_WITHDRAWN)
		return i == 0;
	if (stage == CBR_STAGE_REJECTED)
		return i <= 1 || i == CBR_STAGE_REJECTED;
	return i <= stage;
}

/*
 * A status never goes backwards, released, rejected and withdrawn are
 * final, a recorded stage time is never cleared (that would let a later
 * update back-date the history, and only moving the status back could
 * justify it), a stage's time is not set before the stage is reached, a
 * later stage never has an earlier time, and a status is reached only
 * through the stages whose times the table records (rules section 6: a
 * return is registered, then declared, shipped, arrives, is inspected and
 * released or rejected): on an insert or a change of status, every stage
 * the new status requires (cbr_stage_required) and whose time column is
 * mapped has its time.  That last rule is checked only when the status is
 * set, so rows written before it keep their history; as times are never
 * cleared, a row that passed it keeps passing.
 */
/* An update of a withdrawn return that records a stage time it did not have. */
static bool
cbr_withdrawn_stamp_added(const CbrStatusRow *old, const CbrStatusRow *row)
{
	int			i;

	for (i = 0; row->stage == CBR_STATUS_WITHDRAWN && i < CBR_STAGES; i++)
		if (row->has_stamp[i] && !old->has_stamp[i])
			return true;
	return false;
}

CbrOutcome
cbr_decide_status(const CbrStatusRow *old, const CbrStatusRow *row, CbrStatusVerdict *v)
{
	int			i;
	int			prev = -1;

	memset(v, 0, sizeof(*v));
	v->stage = row->stage;
	v->old_stage = old ? old->stage : -1;
	v->which = v->previous = -1;
	if (old != NULL && old->stage >= 0)
	{
		if (cbr_stage_rank(old->stage) == CBR_STAGE_LAST && row->stage != old->stage)
			return v->outcome = CBR_FAIL_STATUS_FINAL;
		if (row->stage < 0 || cbr_stage_rank(row->stage) < cbr_stage_rank(old->stage))
			return v->outcome = CBR_FAIL_STATUS_BACK;
	}
	/* bad input first: an infinite time orders nothing (no later stage can follow it) */
	for (i = 0; i < CBR_STAGES; i++)
		if (row->has_stamp[i] && row->infinite[i])
		{
			v->which = i;
			return v->outcome = CBR_BAD_INFINITE;
		}
	for (i = 0; old != NULL && i < CBR_STAGES; i++)
		if (old->has_stamp[i] && !row->has_stamp[i])
		{
			v->which = i;
			return v->outcome = CBR_FAIL_STAMP_CLEARED;
		}
	for (i = 0; i < CBR_STAGES; i++)
	{
		if (!row->has_stamp[i])
			continue;
		v->which = i;
		if (!cbr_stage_reached(row->stage, i))
			return v->outcome = CBR_FAIL_STAMP_AHEAD;
		if (prev >= 0 && row->stamp[i] < row->stamp[prev])
		{
			v->previous = prev;
			return v->outcome = CBR_FAIL_STAMP_ORDER;
		}
		prev = i;
	}
	if (old == NULL || old->stage != row->stage || cbr_withdrawn_stamp_added(old, row))
	{
		/* a withdrawn return went through the stages before the last one it recorded */
		int			upto = row->stage;

		for (i = 0; row->stage == CBR_STATUS_WITHDRAWN && i < CBR_STAGE_LAST; i++)
			if (row->has_stamp[i])
				upto = i;
		for (i = 0; i < CBR_STAGES; i++)
			if (row->mapped[i] && !row->has_stamp[i] &&
				(cbr_stage_required(row->stage, i) || cbr_stage_required(upto, i)))
			{
				v->which = i;
				return v->outcome = CBR_FAIL_STAGE_SKIPPED;
			}
	}
	v->which = -1;
	return v->outcome = CBR_PASS;
}

/*
 * The reference day: the return date if the goods were returned on or
 * before as_of, else as_of (a return dated after as_of had not happened yet
 * on that day).
 */
CbrOutcome
cbr_decide_standing(DateADT deadline, bool has_returned, DateADT returned_on,
					DateADT as_of, CbrStandingVerdict *v)
{
	memset(v, 0, sizeof(*v));
	v->outcome = CBR_BAD_INFINITE;
	if (DATE_NOT_FINITE(deadline))
	{
		v->bad = CBR_DATE_DEADLINE;
		v->bad_value = deadline;
		return v->outcome;
	}
	if (DATE_NOT_FINITE(as_of))
	{
		v->bad = CBR_DATE_AS_OF;
		v->bad_value = as_of;
		return v->outcome;
	}
	v->reference = as_of;
	if (has_returned)
	{
		if (DATE_NOT_FINITE(returned_on))
		{
			v->bad = CBR_DATE_RETURNED;
			v->bad_value = returned_on;
			return v->outcome;
		}
		if (returned_on <= as_of)
		{
			v->closed = true;
			v->reference = returned_on;
		}
	}
	v->days_left = (int64) deadline - v->reference;
	return v->outcome = CBR_PASS;
}

CbrReturnStatus
cbr_standing_status(const CbrStandingVerdict *v, int32 due_soon_days)
{
	if (v->closed)
		return v->days_left >= 0 ? CBR_STATUS_CLOSED_ON_TIME : CBR_STATUS_CLOSED_LATE;
	if (v->days_left < 0)
		return CBR_STATUS_OVERDUE;
	if (v->days_left <= due_soon_days)
		return CBR_STATUS_DUE_SOON;
	return CBR_STATUS_OPEN;
}
