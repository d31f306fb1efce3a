/*
 * quantity_cache.c
 *		The backend-lifetime cache of the quantity check and of the
 *		declared-line guard (R-EX-3, R-IM-2); see quantity.c.
 */
#include "enforce/quantity.h"
#include "policy/policy.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

/* ---------------------------------------------------------------------
 * The backend-lifetime cache
 *
 * Why: fn_extra lives for one statement, and reading the metadata through
 * SPI, preparing the ledger and declared-line statements and planning them
 * afresh at the start of every statement took about 60% of a backend's time
 * in one-return transactions (R-EX-3, R-IM-2 are checked on every write of
 * a return, so this is the common path).  What the quantity check of a returns table,
 * or the guard of a declared table, resolved is therefore kept, with its
 * plans (SPI_keepplan), in CacheMemoryContext until something it depends on
 * changes.  The invalidation design is that of the other checks (trigger.c):
 *
 *	 - the returns table, or the declared table (ALTER TABLE, RENAME, a new
 *	   owner, CREATE or DROP TRIGGER): PostgreSQL sends a relcache
 *	   invalidation of that table;
 *	 - the metadata: cbreturn._attached_changed() sends a relcache
 *	   invalidation of cbreturn.attached_check or attached_column on every
 *	   write (attach, detach, the event triggers, a direct edit);
 *	 - cbreturn.quantity_ledger (a new owner);
 *	 - DROP EXTENSION drops those tables, which invalidates them too, so a
 *	   re-created extension is read afresh;
 *	 - a cache reset (sinval queue overflow): everything is forgotten.
 *
 * The callback only marks entries stale: it can run whenever invalidations
 * are taken in, also while a plan of the entry is executing.  A stale entry
 * is rebuilt at its next use; the superseded config, plans included, and
 * the config of an entry still stale are freed at the end of the
 * transaction, when no trigger can be using them.
 * A plan keeps its own validity (the plan cache re-plans it after DDL on the
 * tables it reads); this cache decides which statements and owners are right.
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
	bool		valid;			/* false: rebuild before use */
	void	   *config;			/* QuantityCache or GuardCache */
	MemoryContext cxt;			/* holds *config */
	SPIPlanPtr	plans[QTY_CACHE_PLANS]; /* the kept plans of *config */
	Oid			depends_on;		/* the declared table of a check */
} QtyCacheEntry;

/* A superseded config, freed at the end of the transaction. */
typedef struct RetiredConfig
{
	MemoryContext cxt;			/* holds this struct too */
	SPIPlanPtr	plans[QTY_CACHE_PLANS];
	struct RetiredConfig *next;
} RetiredConfig;

/* Resolves a config from the metadata, allocating in mcxt (see build_entry). */
typedef void *(*QtyConfigBuilder) (Relation rel, MemoryContext mcxt, SPIPlanPtr *plans,
								   Oid *depends_on);


static HTAB *qty_cache = NULL;

/* cbreturn.attached_check, attached_column and quantity_ledger as of the last build */
static Oid	qty_extension_relids[3] = {InvalidOid, InvalidOid, InvalidOid};

/* bumped by every invalidation that touches an entry: a build compares it */
static uint64 qty_cache_inval_count = 0;

static RetiredConfig *qty_retired = NULL;

/* some entry was marked stale while it held a config: free it at transaction end */
static bool qty_stale_configs = false;

static void
free_plans(SPIPlanPtr *plans)
{
	int			i;

	for (i = 0; i < QTY_CACHE_PLANS; i++)
		if (plans[i] != NULL)
			SPI_freeplan(plans[i]);
}

/* Relcache callback: mark stale what depends on the invalidated relation. */
static void
qty_cache_relcache_callback(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	QtyCacheEntry *e;
	bool		all = !OidIsValid(relid) || relid == qty_extension_relids[0] ||
		relid == qty_extension_relids[1] || relid == qty_extension_relids[2];
	bool		hit = all;

	if (qty_cache == NULL)
		return;
	hash_seq_init(&status, qty_cache);
	while ((e = (QtyCacheEntry *) hash_seq_search(&status)) != NULL)
	{
		if (all || e->key.relid == relid || e->depends_on == relid)
		{
			e->valid = false;
			hit = true;
			if (e->cxt != NULL)
				qty_stale_configs = true;
		}
	}
	if (hit)
		qty_cache_inval_count++;
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

/*
 * At the end of a transaction no trigger runs: free the superseded configs,
 * and those of stale entries (a dropped table's entry stays stale forever).
 */
static void
qty_cache_xact_callback(XactEvent event, void *arg)
{
	if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT && event != XACT_EVENT_PREPARE)
		return;
	while (qty_retired != NULL)
	{
		RetiredConfig *r = qty_retired;

		qty_retired = r->next;
		free_plans(r->plans);
		MemoryContextDelete(r->cxt);
	}
	if (qty_stale_configs && qty_cache != NULL)
	{
		HASH_SEQ_STATUS status;
		QtyCacheEntry *e;

		hash_seq_init(&status, qty_cache);
		while ((e = (QtyCacheEntry *) hash_seq_search(&status)) != NULL)
		{
			if (e->valid || e->cxt == NULL)
				continue;
			free_plans(e->plans);
			memset(e->plans, 0, sizeof(e->plans));
			MemoryContextDelete(e->cxt);
			e->cxt = NULL;
			e->config = NULL;
		}
	}
	qty_stale_configs = false;
}

/*
 * Build the config of entry e, as check_cache_build in trigger.c does: the
 * metadata tables are locked (which takes in pending invalidations) and the
 * invalidation counter noted before the latest snapshot is taken, so a
 * change committed after it arrives as an invalidation later, and one that
 * arrives while we read makes us read again.  Until it is complete the
 * config is in a context under the caller's and its plans are not kept, so
 * an error frees both with the statement.
 */
static void
build_entry(QtyCacheEntry *e, Relation rel, QtyConfigBuilder build)
{
	int			attempt;

	for (attempt = 0;; attempt++)
	{
		Oid			nsp = get_namespace_oid("cbreturn", false);
		uint64		count;
		MemoryContext cxt;
		SPIPlanPtr	plans[QTY_CACHE_PLANS] = {NULL, NULL, NULL};
		Oid			depends_on = InvalidOid;
		void	   *config;
		bool		pushed = false;
		int			i;

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
		count = qty_cache_inval_count;

		cxt = AllocSetContextCreate(CurrentMemoryContext, "cbreturn quantity check",
									ALLOCSET_SMALL_SIZES);
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		pushed = cbr_push_latest_snapshot();
		config = build(rel, cxt, plans, &depends_on);
		if (pushed)
			PopActiveSnapshot();

		if (count != qty_cache_inval_count && attempt < 3)
		{
			SPI_finish();		/* frees the plans, which were not kept */
			MemoryContextDelete(cxt);	/* changed while we read: read again */
			continue;
		}
		for (i = 0; i < QTY_CACHE_PLANS; i++)
			if (plans[i] != NULL && SPI_keepplan(plans[i]) != 0)
				elog(ERROR, "SPI_keepplan failed");
		SPI_finish();
		MemoryContextSetParent(cxt, CacheMemoryContext);
		if (e->cxt != NULL)
		{
			RetiredConfig *r = MemoryContextAlloc(e->cxt, sizeof(RetiredConfig));

			r->cxt = e->cxt;
			memcpy(r->plans, e->plans, sizeof(r->plans));
			r->next = qty_retired;
			qty_retired = r;
		}
		e->cxt = cxt;
		e->config = config;
		memcpy(e->plans, plans, sizeof(e->plans));
		e->depends_on = depends_on;
		e->valid = true;
		return;
	}
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

	if (likely(e != NULL && e->valid))
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
		RegisterXactCallback(qty_cache_xact_callback, NULL);
	}
	memset(&key, 0, sizeof(key));
	key.relid = RelationGetRelid(rel);
	key.kind = kind;
	e = (QtyCacheEntry *) hash_search(qty_cache, &key, HASH_ENTER, &found);
	if (!found)
	{
		e->valid = false;
		e->config = NULL;
		e->cxt = NULL;
		memset(e->plans, 0, sizeof(e->plans));
		e->depends_on = InvalidOid;
	}
	if (!e->valid)
		build_entry(e, rel, kind == QTY_CACHE_CHECK ? cbr_qty_check_build : cbr_qty_guard_build);
	/* entries are never removed, so the pointer stays good for the statement */
	fcinfo->flinfo->fn_extra = e;
	return e->config;
}

