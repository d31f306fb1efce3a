/*
 * quantity.c
 *		R-EX-3 and R-IM-2 at write time: over all returns of one declared
 *		line, wherever they are stored, the returned quantity never exceeds
 *		the declared quantity, whatever the concurrency.
 *
 * Design (docs/enforcement.md, "The quantity check").  cbreturn.quantity_ledger
 * holds one row per declared line: the declared table, the line's canonical
 * key image (quantity_line.c) and what was returned of it, in quantity and
 * in return rows.  Every returns table attached to one declared table, and
 * every partition of an attached partitioned table, counts in that one row.
 * A write of a return finds its declared line (the key types' equality,
 * through the unique index attach required), moves the line's counter with
 * one UPDATE (an upsert for the line's first return), reads the declared
 * quantity again under the ledger row lock with the latest snapshot, and
 * hands the values to the decision, cbr_quantity_decide (src/rules/quantity.c);
 * this file only turns its verdict into an error.  Two writers of one line
 * meet on one ledger row:
 *
 *   READ COMMITTED: the second waits for the first to commit, then adds to
 *   the committed total, and reads the declared line as then committed.
 *   REPEATABLE READ / SERIALIZABLE: the second gets 40001, never an
 *   over-return.
 *
 * An UPDATE that moves a return to another line takes from the old line and
 * adds to the new one, locking the two ledger rows in the byte order of
 * their images so that two such updates cannot deadlock each other.  The
 * declared table carries cbreturn.declared_quantity_guard(), which locks
 * the same ledger row before a declared quantity is lowered or a line is
 * deleted or re-keyed (decided by cbr_quantity_decide_declared).
 *
 * The ledger is written as its owner; the declared table is read as its
 * owner may read it (quantity_line.c).  No message shows a value the
 * writing role could not SELECT: the declared quantity and the quantity
 * returned so far are shown only to a role that may read every column the
 * check reads, with no row security applying to it.
 *
 * Missing or inconsistent metadata or ledger refuses the write (55000),
 * never lets it through; cbreturn.verify_quantity_ledger() compares the
 * ledger with the tables.
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

/* A (table, column) the check reads: who may see the values it compares. */
typedef struct QtyColumn
{
	Oid			relid;
	AttrNumber	attnum;
} QtyColumn;

/* What the quantity trigger of one returns table (or partition) needs. */
typedef struct QuantityCache
{
	int			nkeys;
	AttrNumber	key[CBR_MAX_KEYS];		/* in the table the trigger fires on */
	Oid			keytype[CBR_MAX_KEYS];
	char	   *keyname[CBR_MAX_KEYS];
	AttrNumber	quantity;
	Oid			quantity_type;
	CbrDeclared declared;
	Oid			ledger_owner;
	int			ncolumns;
	QtyColumn  *columns;		/* every column of every check on the declared table */
	SPIPlanPtr	update_plan;	/* ledger += delta, returning the total */
	SPIPlanPtr	upsert_plan;	/* the same, for a line's first return */
} QuantityCache;

/* The guard on one declared table. */
typedef struct GuardCache
{
	int			nchecks;
	CbrDeclared declared;
	Oid			ledger_owner;
	int			ncolumns;
	QtyColumn  *columns;
	SPIPlanPtr	lock_plan;
} GuardCache;

static Oid
ledger_relid(void)
{
	Oid			relid = get_relname_relid("quantity_ledger", get_namespace_oid("cbreturn", false));

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table cbreturn.quantity_ledger does not exist"),
				 errhint("Update the extension: ALTER EXTENSION cbreturn UPDATE.")));
	return relid;
}

static Oid
ledger_owner(void)
{
	Oid			owner;
	HeapTuple	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(ledger_relid()));

	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for cbreturn.quantity_ledger");
	owner = ((Form_pg_class) GETSTRUCT(tp))->relowner;
	ReleaseSysCache(tp);
	return owner;
}

/* A relation's name for a message, or its OID when it is gone (never NULL). */
static char *
rel_text(Oid relid)
{
	char	   *name = get_rel_name(relid);
	char	   *nsp;

	if (name == NULL)
		return psprintf("%u", relid);
	nsp = get_namespace_name(get_rel_namespace(relid));
	return quote_qualified_identifier(nsp, name);
}

/* Metadata that does not describe a working check: refuse (fail closed). */
static void
metadata_broken(Oid relid, const char *what) pg_attribute_noreturn();
static void
metadata_broken(Oid relid, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the quantity check on %s cannot run: %s (R-EX-3, R-IM-2)", rel_text(relid), what),
			 errdetail("Writes are refused until the check is repaired, so that no over-return slips through."),
			 errhint("Detach the check with cbreturn.detach() and attach it again.")));
}

/* The attnum of a role of meta in rel, or metadata_broken. */
static AttrNumber
role_column(const CbrCheckMeta *meta, Oid checked, const char *role, Relation rel,
			const Oid *typids, int ntypids)
{
	AttrNumber	a = cbr_role_column(meta, role, rel, typids, ntypids, false);

	if (a == InvalidAttrNumber)
		metadata_broken(checked, psprintf("no column is attached as %s", role));
	return a;
}

/*
 * The columns every quantity check on declared reads (for who may see the
 * values compared), within the caller's SPI connection.
 */
static QtyColumn *
check_columns(Oid declared, MemoryContext mcxt, int *n)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	QtyColumn  *cols;
	uint64		i;
	int			ret;

	args[0] = ObjectIdGetDatum(declared);
	ret = SPI_execute_with_args(
		"SELECT c.column_relation::pg_catalog.oid, c.column_attnum"
		"  FROM cbreturn.attached_check k JOIN cbreturn.attached_column c"
		"    ON c.relation OPERATOR(pg_catalog.=) k.relation AND c.check_kind OPERATOR(pg_catalog.=) k.check_kind"
		" WHERE k.check_kind OPERATOR(pg_catalog.=) 'quantity'"
		"   AND k.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1",
		1, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		metadata_broken(declared, "its metadata cannot be read");
	cols = MemoryContextAlloc(mcxt, sizeof(QtyColumn) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		cols[i].relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		cols[i].attnum = DatumGetInt16(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
	}
	*n = (int) SPI_processed;
	return cols;
}

/*
 * May the current role see the declared quantity and the returned total?
 * Only if it may SELECT every column any quantity check on the declared
 * table reads, with no row security applying (items 2 of issue 9,
 * docs/security.md): the total sums returns of every such table.
 */
static bool
values_visible(const QtyColumn *cols, int n)
{
	Oid			user = GetUserId();
	int			i;

	for (i = 0; i < n; i++)
	{
		if (get_rel_name(cols[i].relid) == NULL ||
			(pg_class_aclcheck(cols[i].relid, user, ACL_SELECT) != ACLCHECK_OK &&
			 pg_attribute_aclcheck(cols[i].relid, cols[i].attnum, user, ACL_SELECT) != ACLCHECK_OK) ||
			check_enable_rls(cols[i].relid, InvalidOid, true) == RLS_ENABLED)
			return false;
	}
	return true;
}

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

typedef enum QtyCacheKind
{
	QTY_CACHE_CHECK,			/* a returns table: QuantityCache */
	QTY_CACHE_GUARD				/* a declared table: GuardCache */
} QtyCacheKind;

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

static void *quantity_build(Relation rel, MemoryContext mcxt, SPIPlanPtr *plans, Oid *depends_on);
static void *guard_build(Relation rel, MemoryContext mcxt, SPIPlanPtr *plans, Oid *depends_on);

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
static void *
cached_config(FunctionCallInfo fcinfo, Relation rel, QtyCacheKind kind)
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
		build_entry(e, rel, kind == QTY_CACHE_CHECK ? quantity_build : guard_build);
	/* entries are never removed, so the pointer stays good for the statement */
	fcinfo->flinfo->fn_extra = e;
	return e->config;
}

/* ---------------------------------------------------------------------
 * The quantity check on a returns table
 * --------------------------------------------------------------------- */

/*
 * The table the check is registered on: relid itself or, for a partition,
 * the partitioned ancestor it was attached to (the row trigger is cloned to
 * every partition, those created later included).
 */
static Oid
registered_relation(Oid relid)
{
	List	   *ancestors = get_partition_ancestors(relid);
	Oid			argtypes[1] = {OIDARRAYOID};
	Datum		args[1];
	Datum	   *elems;
	ListCell   *lc;
	int			n = 0;
	int			ret;
	bool		isnull;

	elems = palloc(sizeof(Datum) * (list_length(ancestors) + 1));
	elems[n++] = ObjectIdGetDatum(relid);
	foreach(lc, ancestors)
		elems[n++] = ObjectIdGetDatum(lfirst_oid(lc));
	args[0] = PointerGetDatum(construct_array(elems, n, OIDOID, sizeof(Oid), true, TYPALIGN_INT));
	ret = SPI_execute_with_args(
		"SELECT k.relation::pg_catalog.oid FROM cbreturn.attached_check k"
		" WHERE k.check_kind OPERATOR(pg_catalog.=) 'quantity'"
		"   AND k.relation::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1)",
		1, argtypes, args, NULL, true, 2);
	if (ret != SPI_OK_SELECT)
		metadata_broken(relid, "its metadata cannot be read");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s quantity check is attached to table %s or its partitioned ancestors",
						SPI_processed == 0 ? "no" : "more than one", rel_text(relid)),
				 errhint("Create the trigger with cbreturn.attach_quantity_check, not by hand.")));
	return DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/* attnum in rel of the column named as attnum a of regrel (a partition's own numbers) */
static AttrNumber
column_in(Relation rel, Relation regrel, AttrNumber a, Oid checked)
{
	AttrNumber	r;
	char	   *name;

	if (rel == regrel)
		return a;
	name = NameStr(TupleDescAttr(RelationGetDescr(regrel), a - 1)->attname);
	r = get_attnum(RelationGetRelid(rel), name);
	if (r == InvalidAttrNumber)
		metadata_broken(checked, psprintf("partition %s has no column %s",
										  rel_text(RelationGetRelid(rel)), quote_identifier(name)));
	return r;
}

static SPIPlanPtr
prepare_as(Oid role, const char *sql, int nargs, Oid *argtypes)
{
	Oid			save_userid;
	int			save_sec;
	SPIPlanPtr	plan;

	/*
	 * Prepared as the role it always runs as (the plan cache re-plans a
	 * statement whose row security depends on the role when it runs as
	 * another), whoever writes the row that builds the cache.
	 */
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(role, save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	plan = SPI_prepare(sql, nargs, argtypes);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (plan == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot prepare the quantity ledger statement: %s", SPI_result_code_string(SPI_result))));
	return plan;
}

/* The declared table of a check, open, or a clear error when it is gone. */
static Relation
open_declared(Oid declared, Oid checked)
{
	Relation	drel;

	if (!OidIsValid(declared) || get_rel_name(declared) == NULL)
		metadata_broken(checked, "its declared table no longer exists");
	drel = try_table_open(declared, AccessShareLock);
	if (drel == NULL)
		metadata_broken(checked, "its declared table no longer exists");
	if (drel->rd_rel->relkind != RELKIND_RELATION)
		metadata_broken(checked, "its declared table is not an ordinary table");
	/* another session's temporary table cannot be read here (its buffers are local) */
	if (RELATION_IS_OTHER_TEMP(drel))
		metadata_broken(checked, "its declared table is a temporary table of another session");
	return drel;
}

static const Oid qty_types[4] = {INT2OID, INT4OID, INT8OID, NUMERICOID};

/* The declared key columns and quantity of the check meta, in drel. */
static void
declared_columns(const CbrCheckMeta *meta, Oid checked, Relation drel, const Oid *keytypes,
				 int nkeys, AttrNumber *keys, AttrNumber *quantity)
{
	int			i;

	for (i = 0; i < nkeys; i++)
	{
		char		role[32];

		snprintf(role, sizeof(role), "declared_line_%d", i + 1);
		keys[i] = role_column(meta, checked, role, drel, keytypes ? &keytypes[i] : NULL, keytypes ? 1 : 0);
	}
	*quantity = role_column(meta, checked, "declared_quantity", drel, qty_types, 4);
}

static const char *ledger_update_sql =
	"UPDATE cbreturn.quantity_ledger l"
	"   SET returned = l.returned OPERATOR(pg_catalog.+) $3,"
	"       return_rows = l.return_rows OPERATOR(pg_catalog.+) $4"
	" WHERE l.declared_relation OPERATOR(pg_catalog.=) $1 AND l.line OPERATOR(pg_catalog.=) $2"
	" RETURNING l.returned, l.return_rows";
static const char *ledger_upsert_sql =
	"INSERT INTO cbreturn.quantity_ledger AS l (declared_relation, line, returned, return_rows)"
	" VALUES ($1, $2, $3, $4)"
	" ON CONFLICT (declared_relation, line) DO UPDATE"
	" SET returned = l.returned OPERATOR(pg_catalog.+) excluded.returned,"
	"     return_rows = l.return_rows OPERATOR(pg_catalog.+) excluded.return_rows"
	" RETURNING l.returned, l.return_rows";

/*
 * Resolve the quantity check on rel and prepare its statements, within the
 * caller's SPI connection (build_entry); the plans are not kept yet.
 * *depends_on is set to the declared table, whose changes invalidate this.
 */
static void *
quantity_build(Relation rel, MemoryContext mcxt, SPIPlanPtr *plans, Oid *depends_on)
{
	QuantityCache *c;
	Oid			relid = RelationGetRelid(rel);
	Oid			registered = registered_relation(relid);
	CbrCheckMeta meta;
	Relation	regrel;
	Relation	drel;
	AttrNumber	dkeys[CBR_MAX_KEYS];
	AttrNumber	dquantity;
	Oid			ledger_types[4] = {REGCLASSOID, BYTEAOID, NUMERICOID, INT8OID};
	int			i;

	cbr_load_check(registered, "quantity", &meta, mcxt);
	c = MemoryContextAllocZero(mcxt, sizeof(QuantityCache));
	*depends_on = meta.declared_relid;
	regrel = registered == relid ? rel : table_open(registered, AccessShareLock);
	for (i = 0; i < CBR_MAX_KEYS; i++)
	{
		char		role[32];
		AttrNumber	a;
		Form_pg_attribute att;

		snprintf(role, sizeof(role), "line_%d", i + 1);
		a = cbr_role_column(&meta, role, regrel, NULL, 0, false);
		if (a == InvalidAttrNumber)
			break;
		c->key[i] = column_in(rel, regrel, a, registered);
		att = TupleDescAttr(RelationGetDescr(rel), c->key[i] - 1);
		c->keyname[i] = MemoryContextStrdup(mcxt, NameStr(att->attname));
		c->keytype[i] = att->atttypid;
	}
	c->nkeys = i;
	if (c->nkeys == 0)
		metadata_broken(registered, "no line key column is attached");
	c->quantity = column_in(rel, regrel,
							role_column(&meta, registered, "quantity", regrel, qty_types, 4), registered);
	c->quantity_type = TupleDescAttr(RelationGetDescr(rel), c->quantity - 1)->atttypid;
	if (regrel != rel)
		table_close(regrel, AccessShareLock);

	drel = open_declared(meta.declared_relid, registered);
	declared_columns(&meta, registered, drel, c->keytype, c->nkeys, dkeys, &dquantity);
	cbr_declared_resolve(&c->declared, drel, dkeys, c->nkeys, dquantity, mcxt);
	table_close(drel, AccessShareLock);
	c->columns = check_columns(meta.declared_relid, mcxt, &c->ncolumns);

	c->ledger_owner = ledger_owner();
	c->update_plan = prepare_as(c->ledger_owner, ledger_update_sql, 4, ledger_types);
	c->upsert_plan = prepare_as(c->ledger_owner, ledger_upsert_sql, 4, ledger_types);
	plans[0] = c->update_plan;
	plans[1] = c->upsert_plan;
	plans[2] = c->declared.rls_plan;
	return c;
}

/* One side of a write: the row before (old) or after (new). */
typedef struct QtySide
{
	HeapTuple	tuple;
	bool		counted;		/* every key column is set */
	Datum		keys[CBR_MAX_KEYS];
	CbrQty		qty;			/* NULL counts as 0 */
	CbrLine		line;			/* the declared line, once found */
} QtySide;

static void
side_of(QuantityCache *c, Relation rel, HeapTuple tuple, QtySide *s)
{
	TupleDesc	desc = RelationGetDescr(rel);
	bool		isnull;
	Datum		d;
	int			i;

	memset(s, 0, sizeof(*s));
	s->tuple = tuple;
	if (tuple == NULL)
		return;
	d = heap_getattr(tuple, c->quantity, desc, &isnull);
	if (!isnull)
		s->qty = cbr_qty_of_datum(d, c->quantity_type, rel, c->quantity);
	for (i = 0; i < c->nkeys; i++)
	{
		s->keys[i] = heap_getattr(tuple, c->key[i], desc, &isnull);
		if (isnull)
			return;				/* not counted, as a foreign key MATCH SIMPLE */
	}
	s->counted = true;
}

/* "(a, b)=(1, 2)": the line as the writer named it in its own row. */
static char *
line_text(QuantityCache *c, const QtySide *s)
{
	StringInfoData names;
	int			i;

	initStringInfo(&names);
	appendStringInfoChar(&names, '(');
	for (i = 0; i < c->nkeys; i++)
		appendStringInfo(&names, "%s%s", i ? ", " : "", quote_identifier(c->keyname[i]));
	appendStringInfo(&names, ")=%s", cbr_key_text(c->nkeys, s->keys, c->keytype));
	return names.data;
}

/* Turn a verdict on a return into its error (nothing for CBR_QTY_OK). */
static void
report_return(QuantityCache *c, Relation rel, const QtySide *s, const CbrQtyVerdict *v)
{
	char		row[CBR_QTY_TEXT_LEN];
	char		total[CBR_QTY_TEXT_LEN];
	char		before[CBR_QTY_TEXT_LEN];
	char		declared[CBR_QTY_TEXT_LEN];
	char		room[CBR_QTY_TEXT_LEN];

	cbr_qty_format(v->row, row);
	cbr_qty_format(v->total, total);
	cbr_qty_format(v->before, before);
	cbr_qty_format(v->declared, declared);
	cbr_qty_format(v->room, room);
	switch (v->outcome)
	{
		case CBR_QTY_OK:
			return;
		case CBR_QTY_NEGATIVE:
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_QUANTITY),
					 errmsg("returned quantity %s is negative (R-EX-3, R-IM-2)", row),
					 errdetail("%sthe quantity is %s.", cbr_row_identity(rel, s->tuple), row),
					 errhint("A return carries a quantity of zero or more."),
					 errtablecol(rel, c->quantity)));
			break;
		case CBR_QTY_NO_LINE:
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_QUANTITY),
					 errmsg("return refers to no declared line (R-EX-3, R-IM-2)"),
					 errdetail("%sline %s has no row in %s.", cbr_row_identity(rel, s->tuple),
							   line_text(c, s), rel_text(c->declared.relid)),
					 errhint("Record the original declaration line first; every return, of any quantity, is counted against one."),
					 errtablecol(rel, c->key[0])));
			break;
		case CBR_QTY_EXCEEDED:
			if (values_visible(c->columns, c->ncolumns))
				ereport(ERROR,
						(errcode(ERRCODE_CBRETURN_QUANTITY),
						 errmsg("returned quantity %s of line %s exceeds the declared quantity %s (R-EX-3, R-IM-2)",
								total, line_text(c, s), declared),
						 errdetail("%sthis row returns %s; %s of the line was returned before, %s was declared.",
								   cbr_row_identity(rel, s->tuple), row, before, declared),
						 errhint("At most %s more may be returned on this line.", room),
						 errtablecol(rel, c->quantity)));
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_QUANTITY),
					 errmsg("returned quantity of line %s would exceed its declared quantity (R-EX-3, R-IM-2)",
							line_text(c, s)),
					 errdetail("%sthis row returns %s.  The declared quantity and what was returned before are not shown: the current role may not read every table they come from.",
							   cbr_row_identity(rel, s->tuple), row),
					 errhint("Ask the owner of table %s how much of the line may still be returned.",
							 rel_text(c->declared.relid)),
					 errtablecol(rel, c->quantity)));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the quantities of line %s cannot be compared exactly (R-EX-3, R-IM-2)", line_text(c, s)),
					 errdetail("%sthis row returns %s.", cbr_row_identity(rel, s->tuple), row),
					 errhint("Quantities are compared with at most 18 significant digits.")));
	}
}

/* The ledger row of a line is missing or wrong: refuse (fail closed). */
static void
ledger_broken(QuantityCache *c, const QtySide *s) pg_attribute_noreturn();
static void
ledger_broken(QuantityCache *c, const QtySide *s)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the quantity ledger of line %s of %s is missing or inconsistent (R-EX-3, R-IM-2)",
					line_text(c, s), rel_text(c->declared.relid)),
			 errdetail("The write is refused so that no over-return slips through."),
			 errhint("Compare with SELECT * FROM cbreturn.verify_quantity_ledger('%s'); and rebuild with cbreturn.rebuild_quantity_ledger().",
					 rel_text(c->declared.relid))));
}

/*
 * Move the counter of the line of s by (delta, rows); when the line gains a
 * row or quantity, read the declared line again under the ledger row lock
 * and decide.  Runs inside SPI_connect.
 */
static void
apply_delta(QuantityCache *c, Relation rel, QtySide *s, CbrQty delta, int64 rows)
{
	Datum		args[4];
	Oid			save_userid;
	int			save_sec;
	int			ret;
	bool		isnull;
	CbrQty		total;
	CbrQtyVerdict v;
	bool		grows;
	int			sign;
	bool		has_line = true;
	CbrQty		declared = s->line.declared;

	(void) cbr_qty_cmp(delta, (CbrQty) {0, 0}, &sign);
	grows = sign > 0 || rows > 0;
	args[0] = ObjectIdGetDatum(c->declared.relid);
	args[1] = PointerGetDatum(s->line.image);
	args[2] = cbr_qty_numeric(delta);
	args[3] = Int64GetDatum(rows);

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(c->ledger_owner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	ret = SPI_execute_plan(c->update_plan, args, NULL, false, 1);
	if (ret == SPI_OK_UPDATE_RETURNING && SPI_processed == 0 && grows)
		ret = SPI_execute_plan(c->upsert_plan, args, NULL, false, 1);
	SetUserIdAndSecContext(save_userid, save_sec);
	if ((ret != SPI_OK_UPDATE_RETURNING && ret != SPI_OK_INSERT_RETURNING) || SPI_processed != 1)
		ledger_broken(c, s);
	total = cbr_qty_of_datum(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull),
							 NUMERICOID, NULL, 0);
	if (!grows)
		return;

	/* The line as committed now that its ledger row is ours (READ COMMITTED). */
	{
		CbrLine		again;

		has_line = cbr_declared_find(&c->declared, s->keys, &again) &&
			VARSIZE_ANY(again.image) == VARSIZE_ANY(s->line.image) &&
			memcmp(again.image, s->line.image, VARSIZE_ANY(again.image)) == 0;
		if (has_line)
			declared = again.declared;
	}
	cbr_quantity_decide(s->qty, delta, total, has_line, declared, &v);
	report_return(c, rel, s, &v);
}

static int
image_cmp(const bytea *a, const bytea *b)
{
	int			la = VARSIZE_ANY_EXHDR(a);
	int			lb = VARSIZE_ANY_EXHDR(b);
	int			r = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(la, lb));

	return r != 0 ? r : (la > lb) - (la < lb);
}

/* Nothing the check counts changed: same key values bit for bit, same quantity. */
static bool
side_unchanged(QuantityCache *c, const QtySide *o, const QtySide *n)
{
	int			i;
	int			cmp;

	if (!o->counted || !n->counted || !cbr_qty_cmp(o->qty, n->qty, &cmp) || cmp != 0)
		return false;
	for (i = 0; i < c->nkeys; i++)
		if (!datumIsEqual(o->keys[i], n->keys[i], c->declared.typbyval[i], c->declared.typlen[i]))
			return false;
	return true;
}

/*
 * cbreturn.quantity_check(): AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW on
 * a returns table (cloned to every partition of a partitioned one).  AFTER,
 * so that it counts the row as finally written.  R-EX-3 (GACC 2020 No. 44)
 * and R-IM-2: the quantity returned over all batches of one line never
 * exceeds the quantity declared on it.
 */
PG_FUNCTION_INFO_V1(cbr_quantity_check);
Datum
cbr_quantity_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "quantity_check", CBR_FIRE_AFTER, true);
	Relation	rel = trigdata->tg_relation;
	QuantityCache *c = (QuantityCache *) cached_config(fcinfo, rel, QTY_CACHE_CHECK);
	QtySide		o;
	QtySide		n;
	CbrQtyVerdict v;
	CbrQty		zero = {0, 0};
	CbrQty		minus_old;

	side_of(c, rel, TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ? NULL : trigdata->tg_trigtuple, &o);
	side_of(c, rel, TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ? trigdata->tg_trigtuple
			: TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : NULL, &n);
	if (n.tuple != NULL)
	{
		/* a negative quantity is refused even on a row that names no line */
		cbr_quantity_decide(n.qty, zero, zero, true, zero, &v);
		if (v.outcome == CBR_QTY_NEGATIVE)
			report_return(c, rel, &n, &v);
	}
	/* An UPDATE that touches neither line nor quantity costs nothing here. */
	if ((!o.counted && !n.counted) || side_unchanged(c, &o, &n))
		return PointerGetDatum(NULL);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/*
	 * The ledger name of each line.  With byte-equal keys it is the image of
	 * the row's own key values, and the new line is looked up once, under
	 * its ledger row lock (apply_delta); otherwise it is the image of the
	 * declared row the keys equal, looked up first.
	 */
	if (n.counted && c->declared.canonical)
		n.line.image = cbr_line_image(c->nkeys, n.keys, c->declared.typlen, c->declared.typbyval);
	else if (n.counted && !cbr_declared_find(&c->declared, n.keys, &n.line))
	{
		cbr_quantity_decide(n.qty, n.qty, n.qty, false, zero, &v);
		report_return(c, rel, &n, &v);
	}
	if (o.counted && c->declared.canonical)
		o.line.image = cbr_line_image(c->nkeys, o.keys, c->declared.typlen, c->declared.typbyval);
	else if (o.counted && !cbr_declared_find(&c->declared, o.keys, &o.line))
		ledger_broken(c, &o);	/* a line with returns cannot go (the guard) */
	if (!cbr_qty_sub(zero, o.qty, &minus_old))
		report_return(c, rel, &o, &(CbrQtyVerdict) {.outcome = CBR_QTY_OUT_OF_RANGE});

	if (o.counted && n.counted && image_cmp(o.line.image, n.line.image) == 0)
	{
		CbrQty		delta;

		if (!cbr_qty_sub(n.qty, o.qty, &delta))
			report_return(c, rel, &n, &(CbrQtyVerdict) {.outcome = CBR_QTY_OUT_OF_RANGE});
		apply_delta(c, rel, &n, delta, 0);
	}
	else if (o.counted && n.counted && image_cmp(o.line.image, n.line.image) > 0)
	{
		/* two lines: lock their ledger rows in image order (no deadlock) */
		apply_delta(c, rel, &n, n.qty, 1);
		apply_delta(c, rel, &o, minus_old, -1);
	}
	else
	{
		if (o.counted)
			apply_delta(c, rel, &o, minus_old, -1);
		if (n.counted)
			apply_delta(c, rel, &n, n.qty, 1);
	}
	SPI_finish();
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * The guard on a declared-lines table
 * --------------------------------------------------------------------- */

/*
 * Resolve the guard on the declared table rel for every quantity check that
 * counts against it (they share its declared key and quantity: attach
 * refuses another), within the caller's SPI connection (build_entry).
 */
static void *
guard_build(Relation rel, MemoryContext mcxt, SPIPlanPtr *plans, Oid *depends_on)
{
	GuardCache *c;
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	Oid			lock_types[2] = {REGCLASSOID, BYTEAOID};
	Oid		   *checks;
	AttrNumber	keys[CBR_MAX_KEYS];
	AttrNumber	quantity = InvalidAttrNumber;
	int			nkeys = 0;
	int			n;
	int			i;
	int			ret;

	c = MemoryContextAllocZero(mcxt, sizeof(GuardCache));
	*depends_on = InvalidOid;
	args[0] = ObjectIdGetDatum(RelationGetRelid(rel));
	ret = SPI_execute_with_args(
		"SELECT k.relation::pg_catalog.oid FROM cbreturn.attached_check k"
		" WHERE k.declared_relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		"   AND k.check_kind OPERATOR(pg_catalog.=) 'quantity'",
		1, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		metadata_broken(RelationGetRelid(rel), "its metadata cannot be read");
	n = (int) SPI_processed;
	checks = palloc(sizeof(Oid) * (n + 1));
	for (i = 0; i < n; i++)
	{
		bool		isnull;

		checks[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
	}
	c->nchecks = n;
	if (n == 0)
		return c;
	for (i = 0; i < n; i++)
	{
		CbrCheckMeta meta;
		AttrNumber	k[CBR_MAX_KEYS];
		AttrNumber	q;
		int			nk;

		cbr_load_check(checks[i], "quantity", &meta, mcxt);
		for (nk = 0; nk < CBR_MAX_KEYS; nk++)
		{
			char		role[32];

			snprintf(role, sizeof(role), "declared_line_%d", nk + 1);
			if (cbr_role_column(&meta, role, rel, NULL, 0, false) == InvalidAttrNumber)
				break;
		}
		declared_columns(&meta, checks[i], rel, NULL, nk, k, &q);
		if (i == 0)
		{
			nkeys = nk;
			memcpy(keys, k, sizeof(k));
			quantity = q;
		}
		else if (nk != nkeys || memcmp(keys, k, sizeof(AttrNumber) * nk) != 0 || q != quantity)
			metadata_broken(checks[i], "the quantity checks on its declared table name different declared columns");
	}
	if (nkeys == 0)
		metadata_broken(checks[0], "no declared line key column is attached");
	cbr_declared_resolve(&c->declared, rel, keys, nkeys, quantity, mcxt);
	c->columns = check_columns(RelationGetRelid(rel), mcxt, &c->ncolumns);
	c->ledger_owner = ledger_owner();

	/*
	 * Lock the line's ledger row, creating it (at 0) when the line has no
	 * returns yet: a return being written concurrently must meet this lock
	 * too, or it could count against the old declared quantity.
	 */
	c->lock_plan = prepare_as(c->ledger_owner,
							  "INSERT INTO cbreturn.quantity_ledger AS l (declared_relation, line, returned, return_rows)"
							  " VALUES ($1, $2, 0, 0)"
							  " ON CONFLICT (declared_relation, line) DO UPDATE SET returned = l.returned"
							  " RETURNING l.returned, l.return_rows",
							  2, lock_types);
	plans[0] = c->lock_plan;
	plans[1] = c->declared.rls_plan;
	return c;
}

/* The key values of a declared row; false when one is NULL. */
static bool
declared_keys(const CbrDeclared *d, TupleDesc desc, HeapTuple tuple, Datum *keys)
{
	int			i;

	for (i = 0; i < d->nkeys; i++)
	{
		bool		isnull;

		keys[i] = heap_getattr(tuple, d->key[i], desc, &isnull);
		if (isnull)
			return false;
	}
	return true;
}

static CbrQty
declared_qty(const CbrDeclared *d, Relation rel, HeapTuple tuple)
{
	bool		isnull;
	Datum		q = heap_getattr(tuple, d->quantity, RelationGetDescr(rel), &isnull);

	return isnull ? (CbrQty) {0, 0} : cbr_qty_of_datum(q, d->quantity_type, rel, d->quantity);
}

/* Turn a verdict on a declared line into its error (nothing for CBR_QTY_OK). */
static void
report_declared(GuardCache *c, Relation rel, HeapTuple oldtup, const Datum *keys, bool is_delete,
				const CbrQtyVerdict *v)
{
	char		returned[CBR_QTY_TEXT_LEN];
	char		declared[CBR_QTY_TEXT_LEN];
	Oid			types[CBR_MAX_KEYS];
	bool		visible;
	int			i;

	if (v->outcome == CBR_QTY_OK)
		return;
	for (i = 0; i < c->declared.nkeys; i++)
		types[i] = TupleDescAttr(RelationGetDescr(rel), c->declared.key[i] - 1)->atttypid;
	cbr_qty_format(v->total, returned);
	cbr_qty_format(v->declared, declared);
	visible = values_visible(c->columns, c->ncolumns);
	if (v->outcome == CBR_QTY_LINE_HAS_RETURNS)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_QUANTITY),
				 errmsg("declared line %s has returns and cannot be %s (R-EX-3, R-IM-2)",
						cbr_key_text(c->declared.nkeys, keys, types), is_delete ? "deleted" : "re-keyed"),
				 visible ? errdetail("%s%s has been returned of it.", cbr_row_identity(rel, oldtup), returned)
				 : errdetail("Returns name it in a table attached to %s.", rel_text(RelationGetRelid(rel))),
				 errhint("Delete or move its returns first."),
				 errtable(rel)));
	if (v->outcome == CBR_QTY_BELOW_RETURNED)
	{
		if (visible)
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_QUANTITY),
					 errmsg("declared quantity %s of line %s is below the quantity already returned, %s (R-EX-3, R-IM-2)",
							declared, cbr_key_text(c->declared.nkeys, keys, types), returned),
					 errdetail("%s%s has been returned of it.", cbr_row_identity(rel, oldtup), returned),
					 errhint("A declared quantity of %s or more is accepted.", returned),
					 errtablecol(rel, c->declared.quantity)));
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_QUANTITY),
				 errmsg("declared quantity %s of line %s is below the quantity already returned (R-EX-3, R-IM-2)",
						declared, cbr_key_text(c->declared.nkeys, keys, types)),
				 errdetail("What was returned is not shown: the current role may not read every table the returns are in."),
				 errhint("Ask the owners of the returns tables how much of the line was returned."),
				 errtablecol(rel, c->declared.quantity)));
	}
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("the quantities of declared line %s cannot be compared exactly (R-EX-3, R-IM-2)",
					cbr_key_text(c->declared.nkeys, keys, types))));
}

/*
 * cbreturn.declared_quantity_guard(): BEFORE UPDATE OR DELETE FOR EACH ROW on
 * a declared-lines table.  R-EX-3, R-IM-2 seen from the other side: a
 * declared quantity may not drop below what was already returned of the
 * line, and a line named by any return may not be deleted or re-keyed (a
 * key rewritten to an equal value of other bytes, numeric 1 to 1.0,
 * counts as re-keyed: the ledger names the line by its stored bytes).  It
 * locks the line's ledger row first, so it serialises with concurrent
 * returns.
 */
PG_FUNCTION_INFO_V1(cbr_declared_quantity_guard);
Datum
cbr_declared_quantity_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "declared_quantity_guard", CBR_FIRE_BEFORE, true);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	bool		is_delete = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	HeapTuple	oldtup = trigdata->tg_trigtuple;
	HeapTuple	newtup = is_delete ? NULL : trigdata->tg_newtuple;
	GuardCache *c;
	Datum		okeys[CBR_MAX_KEYS];
	Datum		nkeys[CBR_MAX_KEYS];
	bytea	   *oimage;
	bool		gone;
	CbrQty		newq = {0, 0};
	CbrQty		returned;
	Datum		args[2];
	Oid			save_userid;
	int			save_sec;
	int			ret;
	bool		isnull;
	CbrQtyVerdict v;

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"declared_quantity_guard\" must be fired for UPDATE or DELETE")));
	c = (GuardCache *) cached_config(fcinfo, rel, QTY_CACHE_GUARD);
	if (c->nchecks == 0 || !declared_keys(&c->declared, desc, oldtup, okeys))
		return PointerGetDatum(is_delete ? oldtup : newtup);
	oimage = cbr_line_image(c->declared.nkeys, okeys, c->declared.typlen, c->declared.typbyval);
	gone = is_delete || !declared_keys(&c->declared, desc, newtup, nkeys) ||
		!cbr_keys_equal(&c->declared, okeys, nkeys);
	if (!gone)
	{
		bytea	   *nimage = cbr_line_image(c->declared.nkeys, nkeys, c->declared.typlen, c->declared.typbyval);
		int			cmp;

		gone = image_cmp(oimage, nimage) != 0;
		newq = declared_qty(&c->declared, rel, newtup);
		if (!gone && cbr_qty_cmp(newq, declared_qty(&c->declared, rel, oldtup), &cmp) && cmp >= 0)
			return PointerGetDatum(newtup);		/* raising a declared quantity is always safe */
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = ObjectIdGetDatum(RelationGetRelid(rel));
	args[1] = PointerGetDatum(oimage);
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(c->ledger_owner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	ret = SPI_execute_plan(c->lock_plan, args, NULL, false, 1);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (ret != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		metadata_broken(RelationGetRelid(rel), "its ledger cannot be locked");
	returned = cbr_qty_of_datum(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull),
								NUMERICOID, NULL, 0);
	cbr_quantity_decide_declared(returned,
								 DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)),
								 gone, newq, &v);
	report_declared(c, rel, oldtup, okeys, is_delete, &v);
	SPI_finish();
	return PointerGetDatum(is_delete ? oldtup : newtup);
}
