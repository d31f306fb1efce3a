/*
 * trigger_quantity.c
 *		R-EX-3 and R-IM-2 at write time: over all returns of one original
 *		declaration line, the returned quantity never exceeds the declared
 *		quantity, whatever the concurrency.
 *
 * Design (docs/enforcement.md, "Concurrency").  cbreturn.quantity_ledger
 * holds one row per declared line with the quantity returned so far.  Every
 * INSERT, UPDATE or DELETE of a return moves that counter with a single
 * INSERT ... ON CONFLICT DO UPDATE, and only then reads the declared quantity
 * and compares.  Two writers of one line therefore meet on one ledger row:
 *
 *   READ COMMITTED: the second waits for the first to commit, then adds to
 *   the committed total (ON CONFLICT re-reads the latest row version), and
 *   its fresh snapshot for the declared quantity sees what was committed.
 *   REPEATABLE READ / SERIALIZABLE: the second gets 40001 (could not
 *   serialize access due to concurrent update), never an over-return.
 *
 * An UPDATE that moves a return to another line takes quantity from the old
 * line and adds it to the new one, locking the two ledger rows in the order
 * of their keys so that two such updates cannot deadlock each other.  The
 * declared-lines table carries cbreturn.declared_quantity_guard(), which
 * locks the same ledger row before a declared quantity is lowered or a line
 * is deleted or re-keyed.
 *
 * The ledger is written as its owner and the declared table is read as its
 * owner (as PostgreSQL's own foreign-key triggers do), so the role writing a
 * return needs no rights on either.
 *
 * What the two triggers resolve (column numbers, owners) and the statements
 * they run (prepared, SPI_keepplan'd) are kept for the life of the backend,
 * with the same invalidation design as the other checks (trigger.c); see
 * "The backend-lifetime cache" below.
 */
#include "enforce/trigger.h"
#include "policy/policy.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#define CBR_MAX_KEYS 8

/* What the quantity trigger of one returns table needs (cached per backend). */
typedef struct QuantityCache
{
	int			nkeys;
	AttrNumber	key[CBR_MAX_KEYS];		/* in the returns table */
	char	   *keyname[CBR_MAX_KEYS];
	Oid			keytype[CBR_MAX_KEYS];
	FmgrInfo	keyout[CBR_MAX_KEYS];
	AttrNumber	quantity;
	Oid			quantity_type;
	Oid			declared_relid;
	Oid			declared_owner;
	Oid			ledger_owner;
	SPIPlanPtr	upsert_plan;	/* ledger += delta, returning the total */
	SPIPlanPtr	declared_plan;	/* declared quantity of a line */
} QuantityCache;

/* The guard on one declared-lines table (cached per backend). */
typedef struct GuardCheck
{
	Oid			returns_relid;
	int			nkeys;
	AttrNumber	key[CBR_MAX_KEYS];		/* in the declared table */
	FmgrInfo	keyout[CBR_MAX_KEYS];
	AttrNumber	quantity;
	Oid			quantity_type;
} GuardCheck;

typedef struct GuardCache
{
	int			nchecks;
	GuardCheck *checks;
	Oid			ledger_owner;
	SPIPlanPtr	lock_plan;
} GuardCache;

static Oid
rel_owner(Oid relid)
{
	HeapTuple	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tp))->relowner;
	ReleaseSysCache(tp);
	return owner;
}

static char *
qualified_name(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}

static Oid
ledger_owner(void)
{
	Oid			relid = get_relname_relid("quantity_ledger", get_namespace_oid("cbreturn", false));

	if (!OidIsValid(relid))
		elog(ERROR, "table cbreturn.quantity_ledger does not exist");
	return rel_owner(relid);
}

static Numeric
quantity_numeric(Datum d, Oid type)
{
	switch (type)
	{
		case INT2OID:
			return int64_to_numeric(DatumGetInt16(d));
		case INT4OID:
			return int64_to_numeric(DatumGetInt32(d));
		case INT8OID:
			return int64_to_numeric(DatumGetInt64(d));
		default:
			return DatumGetNumeric(d);
	}
}

static int
numeric_compare(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a), NumericGetDatum(b)));
}

static char *
numeric_text(Numeric n)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
}

/* "OPERATOR(schema.=)" for the default equality operator of a type. */
static char *
equality_operator(Oid typid)
{
	TypeCacheEntry *tce = lookup_type_cache(typid, TYPECACHE_EQ_OPR);
	HeapTuple	tp;
	char	   *result;

	if (!OidIsValid(tce->eq_opr))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("type %s of a line key column has no default equality operator",
						format_type_be(typid))));
	tp = SearchSysCache1(OPEROID, ObjectIdGetDatum(tce->eq_opr));
	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for operator %u", tce->eq_opr);
	result = psprintf("OPERATOR(%s.%s)",
					  quote_identifier(get_namespace_name(((Form_pg_operator) GETSTRUCT(tp))->oprnamespace)),
					  NameStr(((Form_pg_operator) GETSTRUCT(tp))->oprname));
	ReleaseSysCache(tp);
	return result;
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

#define QTY_CACHE_PLANS 2

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
		SPIPlanPtr	plans[QTY_CACHE_PLANS] = {NULL, NULL};
		Oid			depends_on = InvalidOid;
		void	   *config;
		bool		pushed = false;
		int			i;

		qty_extension_relids[0] = get_relname_relid("attached_check", nsp);
		qty_extension_relids[1] = get_relname_relid("attached_column", nsp);
		qty_extension_relids[2] = get_relname_relid("quantity_ledger", nsp);
		if (!OidIsValid(qty_extension_relids[0]) || !OidIsValid(qty_extension_relids[1]) ||
			!OidIsValid(qty_extension_relids[2]))
			elog(ERROR, "the metadata tables of cbreturn do not exist");
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

/*
 * Resolve the quantity check on rel and prepare its two statements, within
 * the caller's SPI connection (build_entry); the plans are not kept yet.
 * *depends_on is set to the declared table, whose changes invalidate this.
 */
static void *
quantity_build(Relation rel, MemoryContext mcxt, SPIPlanPtr *plans, Oid *depends_on)
{
	QuantityCache *c;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	CbrCheckMeta meta;
	Relation	drel;
	StringInfoData sql;
	Oid			argtypes[CBR_MAX_KEYS];
	Oid			ledger_types[3] = {REGCLASSOID, TEXTARRAYOID, NUMERICOID};
	AttrNumber	declared_quantity = InvalidAttrNumber;
	Oid			save_userid;
	int			save_sec;
	int			i;

	cbr_load_check(RelationGetRelid(rel), "quantity", &meta, mcxt);
	c = MemoryContextAllocZero(mcxt, sizeof(QuantityCache));
	c->declared_relid = meta.declared_relid;
	*depends_on = meta.declared_relid;

	for (i = 0; i < CBR_MAX_KEYS; i++)
	{
		char		role[32];
		Form_pg_attribute att;
		Oid			typout;
		bool		varlena;

		snprintf(role, sizeof(role), "line_%d", i + 1);
		c->key[i] = cbr_role_column(&meta, role, rel, NULL, 0, false);
		if (c->key[i] == InvalidAttrNumber)
			break;
		att = TupleDescAttr(tupdesc, c->key[i] - 1);
		c->keyname[i] = MemoryContextStrdup(mcxt, NameStr(att->attname));
		c->keytype[i] = att->atttypid;
		getTypeOutputInfo(att->atttypid, &typout, &varlena);
		fmgr_info_cxt(typout, &c->keyout[i], mcxt);
	}
	c->nkeys = i;
	if (c->nkeys == 0)
		elog(ERROR, "quantity check on \"%s\" has no line key", RelationGetRelationName(rel));
	{
		Oid			qt[4] = {INT2OID, INT4OID, INT8OID, NUMERICOID};

		c->quantity = cbr_role_column(&meta, "quantity", rel, qt, 4, true);
		c->quantity_type = TupleDescAttr(tupdesc, c->quantity - 1)->atttypid;
	}

	/* The declared table: re-check its columns as of now. */
	drel = table_open(c->declared_relid, AccessShareLock);
	initStringInfo(&sql);
	for (i = 0; i < meta.ncols; i++)
	{
		if (meta.colrel[i] != c->declared_relid)
			continue;
		if (strcmp(meta.role[i], "declared_quantity") == 0)
		{
			Oid			qt[4] = {INT2OID, INT4OID, INT8OID, NUMERICOID};

			declared_quantity = cbr_role_column(&meta, "declared_quantity", drel, qt, 4, true);
		}
	}
	appendStringInfo(&sql, "SELECT d.%s::pg_catalog.numeric FROM %s d WHERE ",
					 quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(drel), declared_quantity - 1)->attname)),
					 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(drel)),
												RelationGetRelationName(drel)));
	for (i = 0; i < c->nkeys; i++)
	{
		char		role[32];
		AttrNumber	dk;

		snprintf(role, sizeof(role), "declared_line_%d", i + 1);
		dk = cbr_role_column(&meta, role, drel, &c->keytype[i], 1, true);
		appendStringInfo(&sql, "%sd.%s %s $%d", i > 0 ? " AND " : "",
						 quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(drel), dk - 1)->attname)),
						 equality_operator(c->keytype[i]), i + 1);
		argtypes[i] = c->keytype[i];
	}
	c->declared_owner = drel->rd_rel->relowner;
	table_close(drel, AccessShareLock);
	c->ledger_owner = ledger_owner();

	/*
	 * Each statement is prepared as the role it always runs as (the plan
	 * cache re-plans a statement whose row security depends on the role when
	 * it runs as another), whoever writes the return that builds the cache.
	 */
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(c->declared_owner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	c->declared_plan = SPI_prepare(sql.data, c->nkeys, argtypes);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (c->declared_plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql.data, SPI_result_code_string(SPI_result));
	SetUserIdAndSecContext(c->ledger_owner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	c->upsert_plan = SPI_prepare(
		"INSERT INTO cbreturn.quantity_ledger AS l (relation, line, returned)"
		" VALUES ($1, $2, $3)"
		" ON CONFLICT (relation, line) DO UPDATE"
		" SET returned = l.returned OPERATOR(pg_catalog.+) excluded.returned"
		" RETURNING l.returned",
		3, ledger_types);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (c->upsert_plan == NULL)
		elog(ERROR, "SPI_prepare failed for the ledger: %s", SPI_result_code_string(SPI_result));
	plans[0] = c->declared_plan;
	plans[1] = c->upsert_plan;
	return c;
}

/* The ledger key of a row: its line key columns as text; false if any is NULL. */
static bool
line_of(QuantityCache *c, TupleDesc tupdesc, HeapTuple tuple, Datum *keys, ArrayType **line)
{
	Datum		texts[CBR_MAX_KEYS];
	int			i;

	for (i = 0; i < c->nkeys; i++)
	{
		bool		isnull;

		keys[i] = heap_getattr(tuple, c->key[i], tupdesc, &isnull);
		if (isnull)
			return false;
		texts[i] = CStringGetTextDatum(OutputFunctionCall(&c->keyout[i], keys[i]));
	}
	*line = construct_array(texts, c->nkeys, TEXTOID, -1, false, TYPALIGN_INT);
	return true;
}

static char *
line_text(QuantityCache *c, ArrayType *line)
{
	StringInfoData s;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	deconstruct_array(line, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	initStringInfo(&s);
	appendStringInfoChar(&s, '(');
	for (i = 0; i < c->nkeys; i++)
		appendStringInfo(&s, "%s%s", i ? ", " : "", quote_identifier(c->keyname[i]));
	appendStringInfoString(&s, ")=(");
	for (i = 0; i < n; i++)
		appendStringInfo(&s, "%s%s", i ? ", " : "", TextDatumGetCString(elems[i]));
	appendStringInfoChar(&s, ')');
	return s.data;
}

/*
 * Move the counter of one line by delta; when it grows, compare the new
 * total with the declared quantity.  Runs inside SPI_connect.
 */
static void
apply_delta(QuantityCache *c, Relation rel, HeapTuple tuple, Datum *keys, ArrayType *line,
			Numeric delta, Numeric row_quantity)
{
	Datum		args[3];
	Oid			save_userid;
	int			save_sec;
	int			ret;
	bool		isnull;
	Numeric		total;
	Numeric		declared = NULL;
	bool		grows = numeric_compare(delta, int64_to_numeric(0)) > 0;

	args[0] = ObjectIdGetDatum(RelationGetRelid(rel));
	args[1] = PointerGetDatum(line);
	args[2] = NumericGetDatum(delta);

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(c->ledger_owner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	ret = SPI_execute_plan(c->upsert_plan, args, NULL, false, 1);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (ret != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		elog(ERROR, "updating cbreturn.quantity_ledger failed: %s", SPI_result_code_string(ret));
	total = DatumGetNumeric(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	total = DatumGetNumericCopy(NumericGetDatum(total));
	if (!grows)
		return;

	/* Read after the ledger row is ours: a fresh snapshot in READ COMMITTED. */
	SetUserIdAndSecContext(c->declared_owner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	ret = SPI_execute_plan(c->declared_plan, keys, NULL, false, 1);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading the declared line failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 1)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		declared = isnull ? int64_to_numeric(0) : DatumGetNumericCopy(d);
	}
	if (declared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_QUANTITY),
				 errmsg("return refers to no declared line (R-EX-3, R-IM-2)"),
				 errdetail("%sline %s has no row in %s.", cbr_row_identity(rel, tuple),
						   line_text(c, line), qualified_name(c->declared_relid)),
				 errhint("Record the original declaration line first; a return is counted against it."),
				 errtablecol(rel, c->key[0])));
	if (numeric_compare(total, declared) > 0)
	{
		Numeric		before = DatumGetNumeric(DirectFunctionCall2(numeric_sub,
																 NumericGetDatum(total),
																 NumericGetDatum(delta)));
		Numeric		room = DatumGetNumeric(DirectFunctionCall2(numeric_sub,
															   NumericGetDatum(declared),
															   NumericGetDatum(before)));

		if (numeric_compare(room, int64_to_numeric(0)) < 0)
			room = int64_to_numeric(0);
		ereport(ERROR,
				(errcode(ERRCODE_CBRETURN_QUANTITY),
				 errmsg("returned quantity %s of line %s exceeds the declared quantity %s (R-EX-3, R-IM-2)",
						numeric_text(total), line_text(c, line), numeric_text(declared)),
				 errdetail("%sthis row returns %s; %s of the line was returned before, %s was declared.",
						   cbr_row_identity(rel, tuple), numeric_text(row_quantity),
						   numeric_text(before), numeric_text(declared)),
				 errhint("At most %s more may be returned on this line.", numeric_text(room)),
				 errtablecol(rel, c->quantity)));
	}
}

/* Byte order of two line keys: equality, and a fixed order to lock in. */
static int
text_array_cmp(ArrayType *a, ArrayType *b)
{
	Datum	   *ea;
	Datum	   *eb;
	bool	   *na;
	bool	   *nb;
	int			n1;
	int			n2;
	int			i;

	deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &ea, &na, &n1);
	deconstruct_array(b, TEXTOID, -1, false, TYPALIGN_INT, &eb, &nb, &n2);
	for (i = 0; i < n1 && i < n2; i++)
	{
		text	   *ta = DatumGetTextPP(ea[i]);
		text	   *tb = DatumGetTextPP(eb[i]);
		int			la = VARSIZE_ANY_EXHDR(ta);
		int			lb = VARSIZE_ANY_EXHDR(tb);
		int			r = memcmp(VARDATA_ANY(ta), VARDATA_ANY(tb), Min(la, lb));

		if (r != 0)
			return r;
		if (la != lb)
			return la < lb ? -1 : 1;
	}
	return n1 == n2 ? 0 : (n1 < n2 ? -1 : 1);
}

static inline bool
array_eq_text(ArrayType *a, ArrayType *b)
{
	return text_array_cmp(a, b) == 0;
}

/*
 * cbreturn.quantity_check(): AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW on
 * a returns table.  AFTER, so that it counts the row as finally written
 * (after every BEFORE trigger).  R-EX-3 (GACC 2020 No. 44) and R-IM-2: the
 * quantity returned over all batches of one line never exceeds the quantity
 * declared on it.
 */
PG_FUNCTION_INFO_V1(cbr_quantity_check);
Datum
cbr_quantity_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "quantity_check", CBR_FIRE_AFTER, true);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	QuantityCache *c = (QuantityCache *) cached_config(fcinfo, rel, QTY_CACHE_CHECK);
	HeapTuple	oldtup = NULL;
	HeapTuple	newtup = NULL;
	Datum		oldkeys[CBR_MAX_KEYS];
	Datum		newkeys[CBR_MAX_KEYS];
	ArrayType  *oldline = NULL;
	ArrayType  *newline = NULL;
	Numeric		oldq = NULL;
	Numeric		newq = NULL;
	Numeric		zero = int64_to_numeric(0);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		newtup = trigdata->tg_trigtuple;
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		oldtup = trigdata->tg_trigtuple;
	else
	{
		oldtup = trigdata->tg_trigtuple;
		newtup = trigdata->tg_newtuple;
	}

	if (oldtup)
	{
		bool		isnull;
		Datum		d = heap_getattr(oldtup, c->quantity, tupdesc, &isnull);

		if (isnull || !line_of(c, tupdesc, oldtup, oldkeys, &oldline))
			oldline = NULL;
		else
			oldq = quantity_numeric(d, c->quantity_type);
	}
	if (newtup)
	{
		bool		isnull;
		Datum		d = heap_getattr(newtup, c->quantity, tupdesc, &isnull);

		if (!isnull)
		{
			newq = quantity_numeric(d, c->quantity_type);
			if (numeric_compare(newq, zero) < 0)
				ereport(ERROR,
						(errcode(ERRCODE_CBRETURN_QUANTITY),
						 errmsg("returned quantity %s is negative (R-EX-3, R-IM-2)", numeric_text(newq)),
						 errdetail("%sthe quantity is %s.", cbr_row_identity(rel, newtup), numeric_text(newq)),
						 errhint("A return carries a quantity of zero or more."),
						 errtablecol(rel, c->quantity)));
		}
		if (isnull || !line_of(c, tupdesc, newtup, newkeys, &newline))
			newline = NULL;
	}

	/* An UPDATE that touches neither line nor quantity costs nothing here. */
	if (oldline && newline && array_eq_text(oldline, newline) &&
		numeric_compare(oldq, newq) == 0)
		return PointerGetDatum(NULL);
	if (oldline == NULL && newline == NULL)
		return PointerGetDatum(NULL);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (oldline && newline && array_eq_text(oldline, newline))
		apply_delta(c, rel, newtup, newkeys, newline,
					DatumGetNumeric(DirectFunctionCall2(numeric_sub, NumericGetDatum(newq),
														NumericGetDatum(oldq))),
					newq);
	else
	{
		Numeric		minus_old = oldline
			? DatumGetNumeric(DirectFunctionCall1(numeric_uminus, NumericGetDatum(oldq)))
			: NULL;

		/* two lines: lock their ledger rows in key order (no deadlock) */
		if (oldline && newline && text_array_cmp(oldline, newline) > 0)
		{
			apply_delta(c, rel, newtup, newkeys, newline, newq, newq);
			apply_delta(c, rel, oldtup, oldkeys, oldline, minus_old, oldq);
		}
		else
		{
			if (oldline)
				apply_delta(c, rel, oldtup, oldkeys, oldline, minus_old, oldq);
			if (newline)
				apply_delta(c, rel, newtup, newkeys, newline, newq, newq);
		}
	}
	SPI_finish();
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * The guard on a declared-lines table
 * --------------------------------------------------------------------- */

/*
 * Resolve the guard on the declared table rel, for every quantity check that
 * counts against it, and prepare its ledger lock, within the caller's SPI
 * connection (build_entry); the plan is not kept yet.
 */
static void *
guard_build(Relation rel, MemoryContext mcxt, SPIPlanPtr *plans, Oid *depends_on)
{
	GuardCache *c;
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	Oid			lock_types[2] = {REGCLASSOID, TEXTARRAYOID};
	Oid		   *returns_relids;
	Oid			save_userid;
	int			save_sec;
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
		elog(ERROR, "reading cbreturn.attached_check failed: %s", SPI_result_code_string(ret));
	n = (int) SPI_processed;
	returns_relids = MemoryContextAlloc(mcxt, sizeof(Oid) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		bool		isnull;

		returns_relids[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
														   SPI_tuptable->tupdesc, 1, &isnull));
	}
	c->ledger_owner = ledger_owner();

	/*
	 * Lock the line's ledger row, creating it (at 0) when the line has no
	 * returns yet: a return being written concurrently must meet this lock
	 * too, or it could count against the old declared quantity.  Prepared as
	 * the ledger's owner, as it runs (see quantity_build).
	 */
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(c->ledger_owner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	c->lock_plan = SPI_prepare(
		"INSERT INTO cbreturn.quantity_ledger AS l (relation, line, returned)"
		" VALUES ($1, $2, 0)"
		" ON CONFLICT (relation, line) DO UPDATE SET returned = l.returned"
		" RETURNING l.returned",
		2, lock_types);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (c->lock_plan == NULL)
		elog(ERROR, "SPI_prepare failed for the ledger: %s", SPI_result_code_string(SPI_result));
	plans[0] = c->lock_plan;

	c->checks = MemoryContextAllocZero(mcxt, sizeof(GuardCheck) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		GuardCheck *g = &c->checks[i];
		CbrCheckMeta meta;
		Oid			qt[4] = {INT2OID, INT4OID, INT8OID, NUMERICOID};
		int			k;

		cbr_load_check(returns_relids[i], "quantity", &meta, mcxt);
		g->returns_relid = returns_relids[i];
		for (k = 0; k < CBR_MAX_KEYS; k++)
		{
			char		role[32];
			Oid			typout;
			bool		varlena;

			snprintf(role, sizeof(role), "declared_line_%d", k + 1);
			g->key[k] = cbr_role_column(&meta, role, rel, NULL, 0, false);
			if (g->key[k] == InvalidAttrNumber)
				break;
			getTypeOutputInfo(TupleDescAttr(RelationGetDescr(rel), g->key[k] - 1)->atttypid,
							  &typout, &varlena);
			fmgr_info_cxt(typout, &g->keyout[k], mcxt);
		}
		g->nkeys = k;
		g->quantity = cbr_role_column(&meta, "declared_quantity", rel, qt, 4, true);
		g->quantity_type = TupleDescAttr(RelationGetDescr(rel), g->quantity - 1)->atttypid;
	}
	c->nchecks = n;
	return c;
}

/* The ledger key of a declared line, as line_of() builds it for a return. */
static bool
declared_line_of(GuardCheck *g, TupleDesc tupdesc, HeapTuple tuple, ArrayType **line)
{
	Datum		texts[CBR_MAX_KEYS];
	int			i;

	for (i = 0; i < g->nkeys; i++)
	{
		bool		isnull;
		Datum		d = heap_getattr(tuple, g->key[i], tupdesc, &isnull);

		if (isnull)
			return false;
		texts[i] = CStringGetTextDatum(OutputFunctionCall(&g->keyout[i], d));
	}
	*line = construct_array(texts, g->nkeys, TEXTOID, -1, false, TYPALIGN_INT);
	return true;
}

/* "(a, b)" for a line key (array_out needs an FmgrInfo; this does not). */
static char *
array_text(ArrayType *line)
{
	StringInfoData s;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	deconstruct_array(line, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	initStringInfo(&s);
	appendStringInfoChar(&s, '(');
	for (i = 0; i < n; i++)
		appendStringInfo(&s, "%s%s", i ? ", " : "", TextDatumGetCString(elems[i]));
	appendStringInfoChar(&s, ')');
	return s.data;
}

/*
 * cbreturn.declared_quantity_guard(): BEFORE UPDATE OR DELETE FOR EACH ROW on
 * a declared-lines table.  R-EX-3, R-IM-2 seen from the other side: a
 * declared quantity may not drop below what was already returned of the
 * line, and a line with returns may not be deleted or re-keyed.  It locks
 * the line's ledger row first, so it serialises with concurrent returns.
 */
PG_FUNCTION_INFO_V1(cbr_declared_quantity_guard);
Datum
cbr_declared_quantity_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_trigger_protocol(fcinfo, "declared_quantity_guard", CBR_FIRE_BEFORE, true);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	bool		is_delete = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	HeapTuple	oldtup = trigdata->tg_trigtuple;
	HeapTuple	newtup = is_delete ? NULL : trigdata->tg_newtuple;
	GuardCache *c;
	int			i;
	bool		connected = false;

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"declared_quantity_guard\" must be fired for UPDATE or DELETE")));
	c = (GuardCache *) cached_config(fcinfo, rel, QTY_CACHE_GUARD);
	for (i = 0; i < c->nchecks; i++)
	{
		GuardCheck *g = &c->checks[i];
		ArrayType  *oldline;
		ArrayType  *newline = NULL;
		bool		rekeyed;
		Numeric		newq = NULL;
		Datum		args[2];
		Oid			save_userid;
		int			save_sec;
		int			ret;
		bool		isnull;
		Numeric		returned;

		if (!declared_line_of(g, tupdesc, oldtup, &oldline))
			continue;
		rekeyed = is_delete || !declared_line_of(g, tupdesc, newtup, &newline) ||
			!array_eq_text(oldline, newline);
		if (!rekeyed)
		{
			Datum		oq = heap_getattr(oldtup, g->quantity, tupdesc, &isnull);
			Numeric		oldq = isnull ? int64_to_numeric(0) : quantity_numeric(oq, g->quantity_type);
			Datum		nq = heap_getattr(newtup, g->quantity, tupdesc, &isnull);

			newq = isnull ? int64_to_numeric(0) : quantity_numeric(nq, g->quantity_type);
			if (numeric_compare(newq, oldq) >= 0)
				continue;		/* raising a declared quantity is always safe */
		}
		if (!connected)
		{
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			connected = true;
		}
		args[0] = ObjectIdGetDatum(g->returns_relid);
		args[1] = PointerGetDatum(oldline);
		GetUserIdAndSecContext(&save_userid, &save_sec);
		SetUserIdAndSecContext(c->ledger_owner,
							   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
		ret = SPI_execute_plan(c->lock_plan, args, NULL, false, 1);
		SetUserIdAndSecContext(save_userid, save_sec);
		if (ret != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
			elog(ERROR, "locking the ledger failed: %s", SPI_result_code_string(ret));
		returned = DatumGetNumeric(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		if (rekeyed && numeric_compare(returned, int64_to_numeric(0)) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_QUANTITY),
					 errmsg("declared line %s has returns and cannot be %s (R-EX-3, R-IM-2)",
							array_text(oldline), is_delete ? _("deleted") : _("re-keyed")),
					 errdetail("%s%s has been returned of it in table %s.",
							   cbr_row_identity(rel, oldtup), numeric_text(returned),
							   qualified_name(g->returns_relid)),
					 errhint("Delete or move its returns first."),
					 errtable(rel)));
		if (!rekeyed && numeric_compare(newq, returned) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_CBRETURN_QUANTITY),
					 errmsg("declared quantity %s of line %s is below the quantity already returned, %s (R-EX-3, R-IM-2)",
							numeric_text(newq), array_text(oldline), numeric_text(returned)),
					 errdetail("%s%s has been returned of it in table %s.",
							   cbr_row_identity(rel, oldtup), numeric_text(returned),
							   qualified_name(g->returns_relid)),
					 errhint("A declared quantity of %s or more is accepted.", numeric_text(returned)),
					 errtablecol(rel, g->quantity)));
	}
	if (connected)
		SPI_finish();
	return PointerGetDatum(is_delete ? oldtup : newtup);
}
