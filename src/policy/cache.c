/*
 * cache.c
 *		What every backend cache of cbreturn shares (the policy snapshot,
 *		policy.c; the enum bridge, reason.c; the configurations of attached
 *		checks, src/enforce/check_cache.c): the snapshot a cache is built
 *		under, and the protocol of the statement triggers that invalidate
 *		them when a cbreturn table changes.
 *
 * The protocol every cache follows: build under the latest snapshot (as
 * catalog caches do, so what is built now stays right for later
 * statements), after taking a lock on the tables read and noting the
 * invalidation counter, and build again if an invalidation arrived while
 * reading; invalidate on relcache or syscache events; keep a replaced build
 * until the next one (a caller may still hold it), then free it.
 */
#include "policy/policy.h"

#include "access/xact.h"
#include "utils/snapmgr.h"

/*
 * Push the latest snapshot.  In a parallel worker the snapshot cannot
 * change; there the transaction snapshot is pushed only if none is active.
 * Returns whether a snapshot was pushed (pop it when done).
 */
bool
cbr_push_latest_snapshot(void)
{
	if (!IsInParallelMode())
	{
		PushActiveSnapshot(GetLatestSnapshot());
		return true;
	}
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		return true;
	}
	return false;
}

/* Called by the trigger manager, AFTER ... FOR EACH STATEMENT. */
TriggerData *
cbr_statement_trigger_protocol(FunctionCallInfo fcinfo, const char *funcname)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", funcname)));
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) || !TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired AFTER ... FOR EACH STATEMENT", funcname)));
	return trigdata;
}
