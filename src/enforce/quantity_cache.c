/*
 * quantity_cache.c
 *		The backend-lifetime cache of the quantity check and of the
 *		declared-line guard (R-EX-3, R-IM-2); see quantity.c.  Built,
 *		invalidated and retired through the one cache protocol of
 *		src/policy/cache.c, as the policy snapshot and the other checks are.
 */
#include "enforce/quantity.h"
#include "policy/policy.h"

#include "catalog/namespace.h"
#include "storage/lmgr.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

/* ---------------------------------------------------------------------
 * Why: fn_extra lives for one statement, and reading the metadata through
 * SPI, preparing the ledger and declared-line statements and planning them
 * afresh at the start of every statement took most of a backend's time in
 * one-return transactions (R-EX-3, R-IM-2 are checked on every write of a
 * return, so this is the common path).  What the quantity check of a
 * returns table, or the guard of a declared table, resolved is therefore
 * kept, with its plans (SPI_keepplan), until something it depends on
 * changes.  The invalidations are those of the other checks
 * (check_cache.c):
 *
 *	 - the returns table, or the declared table (ALTER TABLE, RENAME, a new
 *	   owner, CREATE or DROP TRIGGER): PostgreSQL sends a relcache
 *	   invalidation of that table;
 *	 - the metadata: cbreturn._attached_changed() sends a relcache
 *	   invalidation of cbreturn.attached_check or attached_column on every
 *	   write (attach, detach, the event triggers, a direct edit), and calls
 *	   cbr_quantity_cache_invalidate_all() for this backend at once;
 *	 - cbreturn.quantity_ledger (a new owner, an index, a trigger);
 *	 - DROP EXTENSION drops those tables, which invalidates them too, so a
 *	   re-created extension is read afresh;
 *	 - a cache reset (sinval queue overflow): everything is forgotten;
 *	 - while an entry is being built, any relcache invalidation: what it
 *	   depends on is only known once it is read.
 *
 * The callback only marks entries stale (cbr_cache_invalidate): it can run
 * whenever invalidations are taken in, also while a plan of the entry is
 * executing.  A stale entry is rebuilt at its next use; the build it
 * replaces is retired by the cache protocol until the end of the
 * transaction, when no trigger can be using it.  The plans a build kept
 * are freed with its memory (a reset callback of its context).  An entry
 * whose table was dropped is removed at the next build, as check_cache.c
 * removes its own.  A plan keeps its own validity (the plan cache re-plans
 * it after DDL on the tables it reads); this cache decides which statements
 * and owners are right.
 * ---------------------------------------------------------------------
 */

#define QTY_CACHE_PLANS 3

typedef struct QtyCacheKey
{
	Oid			relid;
	int32		kind;			/* QtyCacheKind */
} QtyCacheKey;

typedef struct QtyCacheEntry
{
	QtyCacheKey key;			/* hash key: must be first */
	CbrCache	cache;			/* the build of the config (src/policy/cache.c) */
	void	   *config;			/* QuantityCache or GuardCache, in cache.cxt */
	Oid			depends_on[2];	/* the declared table of a check; the request
								 * header whose status it reads (rules
								 * section 6), or InvalidOid */
	bool		building;
} QtyCacheEntry;

/* The plans a build kept, freed when its memory goes. */
typedef struct QtyKeptPlans
{
	MemoryContextCallback cb;
	SPIPlanPtr	plans[QTY_CACHE_PLANS];
} QtyKeptPlans;

/* Resolves a config from the metadata, allocating in mcxt (see build_entry). */
typedef void *(*QtyConfigBuilder) (Relation rel, MemoryContext mcxt, SPIPlanPtr *plans,
								   Oid *depends_on);

static HTAB *qty_cache = NULL;

/* cbreturn.attached_check, attached_column and quantity_ledger as of the last build */
static Oid	qty_extension_relids[3] = {InvalidOid, InvalidOid, InvalidOid};

/* an entry was invalidated: look for entries of dropped tables at the next build */
static bool qty_sweep_pending = false;

/* Relcache callback: mark stale what depends on the invalidated relation. */
static void
qty_cache_relcache_callback(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	QtyCacheEntry *e;
	bool		all = !OidIsValid(relid) || relid == qty_extension_relids[0] ||
		relid == qty_extension_relids[1] || relid == qty_extension_relids[2];

	if (qty_cache == NULL)
		return;
	hash_seq_init(&status, qty_cache);
	while ((e = (QtyCacheEntry *) hash_seq_search(&status)) != NULL)
	{
		if (all || e->building || e->key.relid == relid ||
			e->depends_on[0] == relid || e->depends_on[1] == relid)
		{
			cbr_cache_invalidate(&e->cache);
			qty_sweep_pending = true;
		}
	}
}

/*
 * A write to the metadata (cbreturn._attached_changed) forgets every entry
 * at once, so a row written later in the same command reads the new
 * metadata; the relcache invalidation it also queues reaches the other
 * sessions.
 */
void
cbr_quantity_cache_invalidate_all(void)
{
	qty_cache_relcache_callback((Datum) 0, InvalidOid);
}

/* Remove the stale entries whose table no longer exists (issue 9, item 13). */
static void
qty_cache_sweep(void)
{
	HASH_SEQ_STATUS status;
	QtyCacheEntry *e;

	qty_sweep_pending = false;
	hash_seq_init(&status, qty_cache);
	while ((e = (QtyCacheEntry *) hash_seq_search(&status)) != NULL)
	{
		if (e->cache.valid || e->building ||
			SearchSysCacheExists1(RELOID, ObjectIdGetDatum(e->key.relid)))
			continue;
		cbr_cache_forget(&e->cache);
		/* removing the entry just returned is allowed during a scan */
		(void) hash_search(qty_cache, &e->key, HASH_REMOVE, NULL);
	}
}

/* Free the plans of a build whose memory goes (retired or forgotten). */
static void
qty_free_plans(void *arg)
{
	QtyKeptPlans *k = (QtyKeptPlans *) arg;
	int			i;

	for (i = 0; i < QTY_CACHE_PLANS; i++)
		if (k->plans[i] != NULL)
			SPI_freeplan(k->plans[i]);
}

/* Lock the metadata tables (which takes in pending invalidations). */
static void
qty_cache_lock_metadata(void)
{
	Oid			nsp = get_namespace_oid("cbreturn", false);

	qty_extension_relids[0] = get_relname_relid("attached_check", nsp);
	qty_extension_relids[1] = get_relname_relid("attached_column", nsp);
	qty_extension_relids[2] = get_relname_relid("quantity_ledger", nsp);
	if (!OidIsValid(qty_extension_relids[0]) || !OidIsValid(qty_extension_relids[1]) ||
		!OidIsValid(qty_extension_relids[2]))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the metadata tables of cbreturn do not exist")));
	LockRelationOid(qty_extension_relids[0], AccessShareLock);
	LockRelationOid(qty_extension_relids[1], AccessShareLock);
}

/*
 * Build the config of entry e by the protocol of src/policy/cache.c: the
 * metadata tables are locked, then the build reads them under the latest
 * snapshot and is read again if an invalidation arrived meanwhile.  Until
 * it is installed the config is in a context under the caller's and its
 * plans are not kept, so an error frees both with the statement.
 */
static void
build_entry(QtyCacheEntry *e, Relation rel, QtyConfigBuilder build)
{
	CbrCacheBuild b = {0};
	SPIPlanPtr	plans[QTY_CACHE_PLANS];
	Oid			depends_on[2];
	void	   *config;

	e->building = true;
	PG_TRY();
	{
		for (;;)
		{
			qty_cache_lock_metadata();
			cbr_cache_build_begin(&b, &e->cache, "cbreturn quantity check");
			memset(plans, 0, sizeof(plans));
			depends_on[0] = depends_on[1] = InvalidOid;
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			cbr_cache_build_read(&b);
			config = build(rel, b.cxt, plans, depends_on);
			if (cbr_cache_build_end(&b))
				break;
			SPI_finish();		/* changed while we read: read again (frees the plans) */
		}
		/* installed: keep its plans for as long as its memory lives */
		{
			QtyKeptPlans *k = MemoryContextAllocZero(e->cache.cxt, sizeof(QtyKeptPlans));
			int			i;

			for (i = 0; i < QTY_CACHE_PLANS; i++)
			{
				if (plans[i] == NULL)
					continue;
				if (SPI_keepplan(plans[i]) != 0)
					elog(ERROR, "SPI_keepplan failed");
				k->plans[i] = plans[i];
			}
			k->cb.func = qty_free_plans;
			k->cb.arg = k;
			MemoryContextRegisterResetCallback(e->cache.cxt, &k->cb);
		}
		SPI_finish();
		e->config = config;
		e->depends_on[0] = depends_on[0];
		e->depends_on[1] = depends_on[1];
	}
	PG_FINALLY();
	{
		e->building = false;
	}
	PG_END_TRY();
}

/*
 * The config of the quantity check (or guard) on rel.  The entry is
 * remembered in fn_extra, so from the second row of a statement on the cost
 * is one test; the first row of a statement costs a hash lookup.
 */
void *
cbr_qty_cached_config(FunctionCallInfo fcinfo, Relation rel, QtyCacheKind kind)
{
	QtyCacheEntry *e = (QtyCacheEntry *) fcinfo->flinfo->fn_extra;
	QtyCacheKey key;
	bool		found;

	if (likely(e != NULL && e->cache.valid && e->key.relid == RelationGetRelid(rel) &&
			   e->key.kind == (int32) kind))
		return e->config;
	if (qty_cache == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(QtyCacheKey);
		ctl.entrysize = sizeof(QtyCacheEntry);
		ctl.hcxt = CacheMemoryContext;
		qty_cache = hash_create("cbreturn quantity checks", 16, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterRelcacheCallback(qty_cache_relcache_callback, (Datum) 0);
	}
	if (qty_sweep_pending)
		qty_cache_sweep();
	memset(&key, 0, sizeof(key));
	key.relid = RelationGetRelid(rel);
	key.kind = kind;
	e = (QtyCacheEntry *) hash_search(qty_cache, &key, HASH_ENTER, &found);
	if (!found)
	{
		memset(&e->cache, 0, sizeof(e->cache));
		e->config = NULL;
		e->depends_on[0] = e->depends_on[1] = InvalidOid;
		e->building = false;
	}
	if (!e->cache.valid)
		build_entry(e, rel, kind == QTY_CACHE_CHECK ? cbr_qty_check_build : cbr_qty_guard_build);
	/* an entry is removed only once its table is dropped: good for the statement */
	fcinfo->flinfo->fn_extra = e;
	return e->config;
}
