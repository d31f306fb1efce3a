/*
 * cache.c
 *		The one cache protocol of cbreturn's backend caches: the policy
 *		snapshot (policy.c) and the configurations of attached checks
 *		(src/enforce/check_cache.c) build, invalidate and retire through it,
 *		and the enum bridge (reason.c) invalidates through it.  Also the
 *		protocol of the statement triggers that invalidate them when a
 *		cbreturn table changes.
 *
 * The protocol:
 *	 - build: the caller locks the tables it reads, then
 *	   cbr_cache_build_begin() notes the invalidation counter and gives a
 *	   fresh memory context under the caller's (so an error frees it with the
 *	   statement); cbr_cache_build_read() pushes the latest snapshot (as
 *	   catalog caches do, so what is built now stays right for later
 *	   statements); cbr_cache_build_end() pops it and, if an invalidation
 *	   arrived meanwhile, asks the caller to read again (a change committed
 *	   after the snapshot always arrives as an invalidation later);
 *	 - invalidate: a relcache or syscache callback calls
 *	   cbr_cache_invalidate(), which marks the build stale;
 *	 - retire: a replaced build stays readable until the end of the
 *	   transaction (a caller may still hold a pointer into it), then its
 *	   memory is freed.
 */
#include "policy/policy.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "storage/lmgr.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

/* Replaced builds, freed at the end of the transaction. */
static MemoryContext retired_cxt = NULL;

static void
cbr_cache_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			if (retired_cxt != NULL)
				MemoryContextDeleteChildren(retired_cxt);
			break;
		default:
			break;
	}
}

/* Start (or restart) a build; the caller has locked the tables it reads. */
void
cbr_cache_build_begin(CbrCacheBuild *b, CbrCache *cache, const char *name)
{
	if (b->cache != cache)
	{
		b->cache = cache;
		b->attempt = 0;
	}
	b->name = name;
	b->count = cache->inval_count;
	b->pushed = false;
	/* name is a string constant of the caller's, as a context name must be */
	b->cxt = AllocSetContextCreateInternal(CurrentMemoryContext, name, ALLOCSET_SMALL_SIZES);
}

/* Read the tables from here on under the latest snapshot. */
void
cbr_cache_build_read(CbrCacheBuild *b)
{
	b->pushed = cbr_push_latest_snapshot();
}

/*
 * Finish a build: false when an invalidation arrived while reading (the
 * caller reads again, a few times at most); true when the build is
 * installed as the cache's current one, the one before retired.
 */
bool
cbr_cache_build_end(CbrCacheBuild *b)
{
	CbrCache   *cache = b->cache;

	if (b->pushed)
		PopActiveSnapshot();
	b->pushed = false;
	if (b->count != cache->inval_count && b->attempt++ < 3)
	{
		MemoryContextDelete(b->cxt);
		b->cxt = NULL;
		return false;
	}
	cbr_cache_install(cache, b->cxt);
	b->cache = NULL;
	return true;
}

/*
 * Make cxt (complete, under the caller's context) the cache's current
 * build, valid, and retire the one before until the end of the transaction.
 */
void
cbr_cache_install(CbrCache *cache, MemoryContext cxt)
{
	if (retired_cxt == NULL)
	{
		retired_cxt = AllocSetContextCreate(CacheMemoryContext, "cbreturn retired builds",
											ALLOCSET_SMALL_SIZES);
		RegisterXactCallback(cbr_cache_xact_callback, NULL);
	}
	if (cache->cxt != NULL)
		MemoryContextSetParent(cache->cxt, retired_cxt);
	MemoryContextSetParent(cxt, CacheMemoryContext);
	cache->cxt = cxt;
	cache->valid = true;
}

void
cbr_cache_invalidate(CbrCache *cache)
{
	cache->valid = false;
	cache->inval_count++;
}

/*
 * Free the current build now: what it was built from is gone (a dropped
 * table), so no statement can still be reading it.
 */
void
cbr_cache_forget(CbrCache *cache)
{
	if (cache->cxt != NULL)
		MemoryContextDelete(cache->cxt);
	cache->cxt = NULL;
	cache->valid = false;
}

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

/*
 * The body of the triggers that tell every backend a table a cache is built
 * from changed (policy_changed, registers_changed).  Fired AFTER ... FOR
 * EACH STATEMENT, or AFTER ... FOR EACH ROW as the copy of the trigger that
 * is enabled REPLICA (a logical replication worker fires row triggers only;
 * docs/scale-out.md).  Queues a relcache invalidation of the table, which
 * reaches this backend at its next command and the others at commit, and
 * invalidates this backend's cache at once, so that a later call in this
 * same command builds it again.
 */
void
cbr_cache_changed_trigger(FunctionCallInfo fcinfo, const char *funcname, CbrCache *cache)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!(CALLED_AS_TRIGGER(fcinfo) && TRIGGER_FIRED_AFTER(trigdata->tg_event) &&
		  TRIGGER_FIRED_FOR_ROW(trigdata->tg_event)))
		trigdata = cbr_statement_trigger_protocol(fcinfo, funcname);
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	cbr_cache_invalidate(cache);
}

/*
 * The caches read from tables of schema cbreturn (the policy, the
 * registers): look each table up and lock it (AccessShareLock) before a
 * build, so that the build sees the tables a concurrent DDL leaves.  Returns
 * the index of the first table that does not exist (the caller says which
 * kind of table is missing), or -1.
 */
int
cbr_cache_lock_tables(const char *const *names, int n, Oid *relids)
{
	Oid			nsp = get_namespace_oid("cbreturn", true);
	int			i;

	if (!OidIsValid(nsp))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_SCHEMA),
				 errmsg("schema cbreturn does not exist"),
				 errhint("Run CREATE EXTENSION cbreturn.")));
	for (i = 0; i < n; i++)
	{
		relids[i] = get_relname_relid(names[i], nsp);
		if (!OidIsValid(relids[i]))
			return i;
		LockRelationOid(relids[i], AccessShareLock);
	}
	return -1;
}

/* A relcache callback's question: does relid (InvalidOid: every relation) concern these tables? */
bool
cbr_cache_relid_matches(const Oid *relids, int n, Oid relid)
{
	int			i;

	if (!OidIsValid(relid))
		return true;
	for (i = 0; i < n; i++)
		if (relids[i] == relid)
			return true;
	return false;
}

/*
 * Build a cache read from tables by SQL (the policy, the registers), by the
 * protocol above: lock the tables, read them through SPI into a zeroed
 * struct of size bytes allocated in the build's context, and start again
 * when an invalidation arrived meanwhile.  On a Citus worker the tables are
 * the coordinator's copies or nothing (cbr_citus_policy_check).  Returns the
 * struct, now the cache's.
 */
void *
cbr_cache_load_by_spi(CbrCache *cache, const char *name, void (*lock_tables) (void),
					  Size size, void (*fill) (void *snap, MemoryContext cxt))
{
	CbrCacheBuild b = {0};
	void	   *snap;

	do
	{
		lock_tables();
		cbr_cache_build_begin(&b, cache, name);
		snap = MemoryContextAllocZero(b.cxt, size);
		cbr_cache_build_read(&b);
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		cbr_citus_policy_check();
		fill(snap, b.cxt);
		SPI_finish();
	} while (!cbr_cache_build_end(&b));
	return snap;
}
