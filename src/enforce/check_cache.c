/*
 * check_cache.c
 *		The backend-lifetime cache of attached checks, and the WHEN functions'
 *		access to it.
 *
 * Why: fn_extra lives for one statement, and reading the metadata tables
 * through SPI at the start of every statement costs much of the throughput
 * of one-row transactions (docs/performance.md).  What a check resolved is therefore
 * kept, per table and check kind, in CacheMemoryContext until something it
 * depends on changes:
 *
 *	 - the table itself (ALTER TABLE, RENAME COLUMN, CREATE or DROP TRIGGER):
 *	   PostgreSQL sends a relcache invalidation of the table;
 *	 - the metadata (attach, detach, the event trigger that follows renames,
 *	   a direct write): the statement triggers cbreturn._attached_changed()
 *	   on cbreturn.attached_check and cbreturn.attached_column send a
 *	   relcache invalidation of the written table, as policy_changed does for
 *	   the policy tables (policy.c); DROP EXTENSION drops those tables, which
 *	   sends the same invalidation, so a re-created extension is read afresh;
 *	 - a cache reset (sinval queue overflow): everything is forgotten.
 *
 * Invalidations queued by this backend reach it at its next command, those
 * of other backends when their writer commits, and on rollback PostgreSQL
 * replays the aborted ones locally, so a cache built from uncommitted
 * metadata is dropped too.  Column numbers survive RENAME COLUMN, so a
 * renamed column keeps being checked; a dropped one is refused by the event
 * trigger, and cbr_role_column() is the backstop when the cache is rebuilt.
 *
 * An entry whose table is dropped is removed (issue: the cache grew by an
 * entry for every checked table dropped): the invalidation marks it, and
 * the next build, inside a transaction where the catalog can be read,
 * removes every marked entry whose table no longer exists.  No statement
 * can still hold such an entry: a table cannot be dropped while a statement
 * on it runs.
 */
#include "enforce/trigger.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/primnodes.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

/* check_kind as cbreturn.attached_check spells it */
static const char *const check_kind_names[CBR_CHECK_KINDS] = {"export", "import", "status"};

typedef struct CheckCacheKey
{
	Oid			relid;
	int32		kind;			/* CbrCheckKind */
} CheckCacheKey;

typedef struct CheckCacheEntry
{
	CheckCacheKey key;			/* hash key: must be first */
	CbrCache	cache;			/* the build of the config (src/policy/cache.c) */
	void	   *config;			/* ExportCache, ImportCache or StatusCache */
} CheckCacheEntry;

static HTAB *check_cache = NULL;

/* cbreturn.attached_check and attached_column as of the last build */
static Oid	metadata_relids[2] = {InvalidOid, InvalidOid};

/* an entry was invalidated: look for entries of dropped tables at the next build */
static bool check_cache_sweep_pending = false;

/*
 * Other tables a cached config depends on (declaration headers, header.c):
 * an invalidation of one of them forgets every config.  Past the array's
 * size every invalidation does (never a stale config, only a rebuild).
 */
#define CHECK_CACHE_MAX_DEPENDS 32
static Oid	check_cache_depends[CHECK_CACHE_MAX_DEPENDS];
static int	check_cache_ndepends = 0;

static void
cbr_check_cache_invalidate_all(void)
{
	HASH_SEQ_STATUS status;
	CheckCacheEntry *e;

	hash_seq_init(&status, check_cache);
	while ((e = (CheckCacheEntry *) hash_seq_search(&status)) != NULL)
		cbr_cache_invalidate(&e->cache);
	check_cache_sweep_pending = true;
}

/* Relcache callback: forget what depends on the invalidated relation. */
static void
cbr_check_cache_relcache_callback(Datum arg, Oid relid)
{
	CheckCacheKey key;
	int			k;
	bool		hit = false;

	if (check_cache == NULL)
		return;
	if (!OidIsValid(relid) || relid == metadata_relids[0] || relid == metadata_relids[1])
	{
		cbr_check_cache_invalidate_all();
		return;
	}
	for (k = 0; k < check_cache_ndepends; k++)
		if (k >= CHECK_CACHE_MAX_DEPENDS || check_cache_depends[k] == relid)
		{
			cbr_check_cache_invalidate_all();
			return;
		}
	memset(&key, 0, sizeof(key));
	key.relid = relid;
	for (k = 0; k < CBR_CHECK_KINDS; k++)
	{
		CheckCacheEntry *e;

		key.kind = k;
		e = (CheckCacheEntry *) hash_search(check_cache, &key, HASH_FIND, NULL);
		if (e != NULL)
		{
			cbr_cache_invalidate(&e->cache);
			hit = true;
		}
	}
	if (hit)
		check_cache_sweep_pending = true;
}

/* Remove the invalidated entries whose table no longer exists (issue 9 item 13). */
static void
cbr_check_cache_sweep(void)
{
	HASH_SEQ_STATUS status;
	CheckCacheEntry *e;

	check_cache_sweep_pending = false;
	hash_seq_init(&status, check_cache);
	while ((e = (CheckCacheEntry *) hash_seq_search(&status)) != NULL)
	{
		if (e->cache.valid || SearchSysCacheExists1(RELOID, ObjectIdGetDatum(e->key.relid)))
			continue;
		cbr_cache_forget(&e->cache);
		/* removing the entry just returned is allowed during a scan */
		(void) hash_search(check_cache, &e->key, HASH_REMOVE, NULL);
	}
}

/* Lock the metadata tables (which takes in pending invalidations). */
static void
cbr_check_cache_lock_metadata(void)
{
	Oid			nsp = get_namespace_oid("cbreturn", false);

	metadata_relids[0] = get_relname_relid("attached_check", nsp);
	metadata_relids[1] = get_relname_relid("attached_column", nsp);
	if (!OidIsValid(metadata_relids[0]) || !OidIsValid(metadata_relids[1]))
		elog(ERROR, "the metadata tables of cbreturn do not exist");
	LockRelationOid(metadata_relids[0], AccessShareLock);
	LockRelationOid(metadata_relids[1], AccessShareLock);
}

/*
 * Build the config of entry e from the metadata tables, by the protocol of
 * src/policy/cache.c (the latest snapshot, as the trigger list of the table
 * is read, keeps a config built now right for later statements).
 */
static void
cbr_check_cache_build(CheckCacheEntry *e, Relation rel, CbrCheckBuilder build)
{
	CbrCacheBuild b = {0};
	CbrCheckMeta meta;
	void	   *config;

	do
	{
		cbr_check_cache_lock_metadata();
		cbr_cache_build_begin(&b, &e->cache, "cbreturn attached check");
		cbr_cache_build_read(&b);
		/*
		 * A check recorded in the metadata (on the table or an ancestor) is
		 * read from there, whatever triggers a role with TRIGGER privilege
		 * adds; only a table with none, a Citus shard, reads its check's
		 * configuration from the check's own trigger (distributed.c).
		 */
		if (OidIsValid(cbr_check_registered(e->key.relid, check_kind_names[e->key.kind])) ||
			!cbr_check_meta_from_trigger(rel, check_kind_names[e->key.kind], &meta, b.cxt))
			cbr_load_check(e->key.relid, check_kind_names[e->key.kind], &meta, b.cxt);
		config = build(&meta, rel, b.cxt);
	} while (!cbr_cache_build_end(&b));
	e->config = config;
}

/*
 * The entry of the check of the given kind on rel, built if it is not
 * valid.  An entry is only removed once its table is dropped, so the
 * pointer stays good while the table is used; its config is replaced when
 * it is rebuilt.
 */
static CheckCacheEntry *
cbr_check_cache_entry(Relation rel, CbrCheckKind kind, CbrCheckBuilder build)
{
	CheckCacheKey key;
	CheckCacheEntry *e;
	bool		found;

	if (check_cache == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(CheckCacheKey);
		ctl.entrysize = sizeof(CheckCacheEntry);
		ctl.hcxt = CacheMemoryContext;
		check_cache = hash_create("cbreturn attached checks", 64, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterRelcacheCallback(cbr_check_cache_relcache_callback, (Datum) 0);
	}
	if (check_cache_sweep_pending)
		cbr_check_cache_sweep();
	memset(&key, 0, sizeof(key));
	key.relid = RelationGetRelid(rel);
	key.kind = kind;
	e = (CheckCacheEntry *) hash_search(check_cache, &key, HASH_ENTER, &found);
	if (!found)
	{
		memset(&e->cache, 0, sizeof(e->cache));
		e->config = NULL;
	}
	if (!e->cache.valid)
		cbr_check_cache_build(e, rel, build);
	return e;
}

/*
 * The config of the check of the given kind on rel.  The entry is
 * remembered in fn_extra, so from the second row of a statement on the cost
 * is one test; the first row of a statement costs a hash lookup.
 */
void *
cbr_check_config(FunctionCallInfo fcinfo, Relation rel, CbrCheckKind kind, CbrCheckBuilder build)
{
	CheckCacheEntry *e = (CheckCacheEntry *) fcinfo->flinfo->fn_extra;

	if (likely(e != NULL && e->cache.valid && e->key.relid == RelationGetRelid(rel)))
		return e->config;
	e = cbr_check_cache_entry(rel, kind, build);
	fcinfo->flinfo->fn_extra = e;
	return e->config;
}

void
cbr_check_cache_depend(Oid relid)
{
	int			k;

	for (k = 0; k < check_cache_ndepends && k < CHECK_CACHE_MAX_DEPENDS; k++)
		if (check_cache_depends[k] == relid)
			return;
	if (check_cache_ndepends < CHECK_CACHE_MAX_DEPENDS)
		check_cache_depends[check_cache_ndepends] = relid;
	if (check_cache_ndepends <= CHECK_CACHE_MAX_DEPENDS)
		check_cache_ndepends++;
}

/* The config of the check of the given kind on rel, outside a trigger call (header.c). */
void *
cbr_check_config_rel(Relation rel, CbrCheckKind kind, CbrCheckBuilder build)
{
	return cbr_check_cache_entry(rel, kind, build)->config;
}

/*
 * cbreturn._attached_changed(): AFTER ... FOR EACH STATEMENT trigger on
 * cbreturn.attached_check and cbreturn.attached_column.  Queues a relcache
 * invalidation of the written table, which every backend's cache of
 * attached checks listens for (see above), and forgets this backend's
 * configs at once, so a row written later in this same command reads the
 * new metadata.
 */
PG_FUNCTION_INFO_V1(cbr_attached_changed);
Datum
cbr_attached_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = cbr_statement_trigger_protocol(fcinfo, "_attached_changed");

	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	if (check_cache != NULL)
		cbr_check_cache_invalidate_all();
	cbr_quantity_cache_invalidate_all();
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * The WHEN clause of the reading checks
 *
 * Why: an AFTER ROW trigger costs a queued event per row (the event saved,
 * the row fetched again by its TID, the function called at the end of the
 * statement), which was most of what the checks added to a COPY.  The
 * reading checks are therefore attached with a WHEN clause that calls
 * cbreturn._export_row_ok() or cbreturn._import_row_ok() on the checked
 * columns, named one by one (a whole-row NEW costs what the queue saves).
 * PostgreSQL evaluates it when the row is written and queues no event for
 * a row that passes; a row that fails, or that the function cannot decide
 * (unreadable text, a code the reference tables do not know), fires the
 * trigger, which decides again with the same code and raises the detailed
 * error.  So the functions may say "not ok" too often, never too rarely.
 *
 * The first argument is the checked table (a regclass constant), so the
 * function reads the same cached config as the trigger.  On the first row
 * of a statement, and after the config was rebuilt, it verifies that its
 * arguments are exactly the attached columns (column numbers and types, in
 * role order; NULL for a role not attached): the WHEN clause stores column
 * numbers and the metadata too, and both follow renames and dump/restore by
 * the same names, so they cannot drift apart through attach, detach,
 * RENAME or pg_dump; a direct write to the metadata or a trigger made by
 * hand could, and that is an error, never a row let through unchecked.
 * ---------------------------------------------------------------------
 */

/* What a WHEN function keeps in fn_extra. */
typedef struct RowOkState
{
	Oid			relid;
	CheckCacheEntry *entry;
	void	   *verified;		/* the config the arguments were checked against */
} RowOkState;

/* Is funcid cbreturn.china_date(argtype) (R-T-1)? */
static bool
cbr_is_china_date(Oid funcid, Oid argtype)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	Form_pg_proc proc;
	bool		is;

	if (!HeapTupleIsValid(tup))
		return false;
	proc = (Form_pg_proc) GETSTRUCT(tup);
	is = strcmp(NameStr(proc->proname), "china_date") == 0 &&
		proc->pronamespace == get_namespace_oid("cbreturn", false) &&
		proc->pronargs == 1 && proc->proargtypes.values[0] == argtype;
	ReleaseSysCache(tup);
	return is;
}

/*
 * The arguments after the roles of a WHEN function of a check reading a
 * declaration header: the returns table's key columns (attnums[], in the
 * header link's order), with which it finds and locks the header row
 * (header.c).  Locking a row is what writing a return does, so the caller
 * must be allowed to write the table (INSERT or UPDATE on it or on one of
 * its columns); a role that may only read it cannot lock header rows
 * through the function.
 */
static void
cbr_row_ok_verify_keys(const char *funcname, Relation rel, List *args, int first,
					   const AttrNumber *attnums, int nkeys)
{
	Oid			relid = RelationGetRelid(rel);
	int			i;

	for (i = 0; i < nkeys; i++)
	{
		Node	   *arg = (Node *) list_nth(args, i);

		if (!IsA(arg, Var) || ((Var *) arg)->varattno != attnums[i] || ((Var *) arg)->varno == INNER_VAR ||
			exprType(arg) != TupleDescAttr(RelationGetDescr(rel), attnums[i] - 1)->atttypid)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("argument %d of %s is not the column attached as %s to table \"%s\"",
							first + i, funcname,
							psprintf("key_%d", i + 1), RelationGetRelationName(rel)),
					 errhint("Detach the check with cbreturn.detach() and attach it again, so that the trigger and its WHEN clause are made from the metadata.")));
	}
	if (pg_class_aclcheck(relid, GetUserId(), ACL_INSERT | ACL_UPDATE) != ACLCHECK_OK &&
		pg_attribute_aclcheck_all(relid, GetUserId(), ACL_INSERT | ACL_UPDATE, ACLMASK_ANY) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, RelationGetRelationName(rel));
}

/*
 * Check that arguments 1..n of the WHEN function (argument 0 is the table)
 * are the columns attnums[] of rel, a NULL constant where a role is not
 * attached.  Column and argument types must agree, so that a Datum is never
 * read as another type.
 */
static void
cbr_row_ok_verify_args(FunctionCallInfo fcinfo, const char *funcname, const char *kind, Relation rel,
				   const AttrNumber *attnums, const char *const *roles, int n, int nkeys)
{
	Node	   *expr = fcinfo->flinfo->fn_expr;
	List	   *args;
	int			i;

	if (expr == NULL || !IsA(expr, FuncExpr))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("function \"%s\" must be called in the WHEN clause of the %s check", funcname, kind)));
	args = ((FuncExpr *) expr)->args;
	if (list_length(args) < 2 || (list_length(args) > n + 1 && list_length(args) != n + 1 + nkeys))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("function \"%s\" must be called with the arguments of the WHEN clause of the %s check",
						funcname, kind),
				 errdetail("It was called with %d arguments.", list_length(args))));
	if (list_length(args) > n + 1)
		cbr_row_ok_verify_keys(funcname, rel, list_copy_tail(args, n + 1), n + 2, attnums + n, nkeys);
	for (i = 0; i < n; i++)
	{
		Node	   *arg;
		bool		ok;

		/*
		 * A WHEN clause written by an earlier release passes fewer columns
		 * (the roles added since come last): the roles it does not pass
		 * must not be attached, or the clause would let their rows through.
		 */
		if (i + 1 >= list_length(args))
		{
			if (attnums[i] == InvalidAttrNumber)
				continue;
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the WHEN clause of the %s check on table \"%s\" does not pass the column attached as %s",
							kind, RelationGetRelationName(rel), roles[i]),
					 errhint("Detach the check with cbreturn.detach() and attach it again, so that the trigger and its WHEN clause are made from the metadata.")));
		}
		arg = (Node *) list_nth(args, i + 1);
		if (attnums[i] == InvalidAttrNumber)
			ok = IsA(arg, Const) && ((Const *) arg)->constisnull;
		else
		{
			Oid			coltype = TupleDescAttr(RelationGetDescr(rel), attnums[i] - 1)->atttypid;

			/* R-T-1: a timestamp(tz) date role is passed as cbreturn.china_date(NEW.col) */
			ok = true;
			if (coltype == TIMESTAMPOID || coltype == TIMESTAMPTZOID)
			{
				ok = IsA(arg, FuncExpr) && list_length(((FuncExpr *) arg)->args) == 1 &&
					cbr_is_china_date(((FuncExpr *) arg)->funcid, coltype);
				if (ok)
					arg = (Node *) linitial(((FuncExpr *) arg)->args);
			}
			ok = ok && IsA(arg, Var) && ((Var *) arg)->varattno == attnums[i] &&
				((Var *) arg)->varno != INNER_VAR &&	/* OLD in a WHEN clause */
				exprType(arg) == coltype;
		}
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("argument %d of %s is not the column attached as %s to table \"%s\"",
							i + 2, funcname, roles[i], RelationGetRelationName(rel)),
					 attnums[i] == InvalidAttrNumber
					 ? errdetail("No column is attached as %s; the argument must be NULL.", roles[i])
					 : errdetail("The %s check reads column \"%s\" as %s.", kind,
								 NameStr(TupleDescAttr(RelationGetDescr(rel), attnums[i] - 1)->attname),
								 roles[i]),
					 errhint("Detach the check with cbreturn.detach() and attach it again, so that the trigger and its WHEN clause are made from the metadata.")));
	}
}

/*
 * The config of the check on the table named by argument 0 of a WHEN
 * function, verified against the function's arguments when it is new.
 */
static void
cbr_row_ok_require_access(Oid relid, const char *funcname)
{
	AclMode		mask = ACL_SELECT | ACL_INSERT | ACL_UPDATE;
	bool		missing = false;

	/* (any one of the privileges in mask will do, as for pg_class_aclcheck) */
	if (pg_class_aclcheck_ext(relid, GetUserId(), mask, &missing) == ACLCHECK_OK || missing)
		return;					/* a missing relation is refused below */
	if (pg_attribute_aclcheck_all(relid, GetUserId(), mask, ACLMASK_ANY) == ACLCHECK_OK)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for the table given to %s", funcname),
			 errhint("%s is called by the WHEN clause of an attached check, for a role that writes the table.",
					 funcname)));
}

void *
cbr_row_ok_config(FunctionCallInfo fcinfo, CbrCheckKind kind, CbrCheckBuilder build,
				  CbrCheckAttnums attnums_of, const char *funcname,
				  const char *const *roles, int n)
{
	RowOkState *st = (RowOkState *) fcinfo->flinfo->fn_extra;
	Oid			relid;
	Relation	rel;
	AttrNumber	attnums[CBR_MAX_ROLES + CBR_MAX_ROLES];
	int			nkeys;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the table argument of %s must not be NULL", funcname)));
	relid = PG_GETARG_OID(0);
	/*
	 * A row an UPDATE moves to another partition: PostgreSQL evaluates the
	 * partitioned table's AFTER UPDATE WHEN clause with NEW.tableoid 0 and
	 * then discards the event; the partition the row moves to checks it as
	 * an INSERT.  NULL: the caller answers "passes".
	 */
	if (relid == InvalidOid)
		return NULL;
	if (likely(st != NULL && st->relid == relid && st->entry->cache.valid &&
			   st->entry->key.relid == relid &&
			   st->entry->config == st->verified))
		return st->verified;
	if (st == NULL)
	{
		st = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(RowOkState));
		fcinfo->flinfo->fn_extra = st;
	}
	st->verified = NULL;
	/*
	 * The writer may write the table; a direct call by a role that may
	 * neither read nor write it would otherwise take a lock on it and learn
	 * of its columns.  Column privileges count, as for the write itself.
	 */
	cbr_row_ok_require_access(relid, funcname);
	/* the writer holds a lock on the table already; a direct call takes one */
	rel = try_relation_open(relid, AccessShareLock);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid),
				 errhint("%s is called by the WHEN clause of an attached check.", funcname)));
	st->relid = relid;
	st->entry = cbr_check_cache_entry(rel, kind, build);
	nkeys = attnums_of(st->entry->config, attnums);
	cbr_row_ok_verify_args(fcinfo, funcname, check_kind_names[kind], rel, attnums, roles, n, nkeys);
	relation_close(rel, NoLock);
	st->verified = st->entry->config;
	return st->verified;
}
