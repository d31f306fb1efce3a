/*
 * violation_options.c
 *		The options of an attached check that decide what it does with a row
 *		that breaks a rule (issue 12, item 4): on_violation ('refuse' or
 *		'record') and the ordinary-return column with the values that mark
 *		an ordinary (taxed) return.
 *
 * They are read on the path of a refused row only (cbr_violations_begin,
 * violation.c), so they are kept per backend, as check_cache.c keeps the
 * checks' configurations: the cache protocol of src/policy/cache.c,
 * invalidated by the relcache events of the checked table and of the two
 * metadata tables.  The functions that set them are in violation_set.c.
 */
#include "enforce/violation_int.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

typedef struct OptionsKey
{
	Oid			relid;
	int32		kind;
} OptionsKey;

typedef struct OptionsEntry
{
	OptionsKey	key;			/* hash key: must be first */
	CbrCache	cache;
	CbrCheckOptions *opt;
} OptionsEntry;

static HTAB *options_cache = NULL;
static Oid	options_metadata[2] = {InvalidOid, InvalidOid};
static bool options_sweep_pending = false;

static void
cbr_options_invalidate_all(void)
{
	HASH_SEQ_STATUS status;
	OptionsEntry *e;

	hash_seq_init(&status, options_cache);
	while ((e = (OptionsEntry *) hash_seq_search(&status)) != NULL)
		cbr_cache_invalidate(&e->cache);
	options_sweep_pending = true;
}

static void
cbr_options_relcache_callback(Datum arg, Oid relid)
{
	OptionsKey	key;
	int			k;

	if (options_cache == NULL)
		return;
	if (!OidIsValid(relid) || relid == options_metadata[0] || relid == options_metadata[1])
	{
		cbr_options_invalidate_all();
		return;
	}
	memset(&key, 0, sizeof(key));
	key.relid = relid;
	for (k = 0; k < CBR_CHECK_KINDS; k++)
	{
		OptionsEntry *e;

		key.kind = k;
		e = (OptionsEntry *) hash_search(options_cache, &key, HASH_FIND, NULL);
		if (e != NULL)
		{
			cbr_cache_invalidate(&e->cache);
			options_sweep_pending = true;
		}
	}
}

/* Remove the invalidated entries whose table no longer exists. */
static void
cbr_options_sweep(void)
{
	HASH_SEQ_STATUS status;
	OptionsEntry *e;

	options_sweep_pending = false;
	hash_seq_init(&status, options_cache);
	while ((e = (OptionsEntry *) hash_seq_search(&status)) != NULL)
	{
		if (e->cache.valid || SearchSysCacheExists1(RELOID, ObjectIdGetDatum(e->key.relid)))
			continue;
		cbr_cache_forget(&e->cache);
		(void) hash_search(options_cache, &e->key, HASH_REMOVE, NULL);
	}
}

/* The OID of a table of schema cbreturn (55000 when the schema predates it). */
static Oid
cbr_own_table(const char *name)
{
	Oid			relid = get_relname_relid(name, get_namespace_oid("cbreturn", false));

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table cbreturn.%s does not exist", name),
				 errhint("The cbreturn module is newer than its objects in this database: run ALTER EXTENSION cbreturn UPDATE.")));
	return relid;
}

/*
 * The ordinary-return column of the check of kind on rel (registered on
 * the table registered, at its column attnum there) and the values that
 * mark an ordinary return, read from the metadata row tup into opt
 * (allocated in cxt).
 */
static void
cbr_options_load_ordinary(CbrCheckOptions *opt, Relation rel, CbrCheckKind kind, Oid registered,
						  AttrNumber attnum, HeapTuple tup, TupleDesc desc, MemoryContext cxt)
{
	CbrCheckMeta meta;
	bool		isnull;
	Datum		arr = SPI_getbinval(tup, desc, 2, &isnull);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	Form_pg_attribute att;
	TypeCacheEntry *tc;
	Oid			typinput;
	Oid			ioparam;
	MemoryContext oldcxt;

	/* cbr_role_column checks that the column is still the one recorded */
	memset(&meta, 0, sizeof(meta));
	meta.ncols = 1;
	meta.role[0] = "ordinary_return";
	meta.colname[0] = SPI_getvalue(tup, desc, 4);
	meta.colrel[0] = RelationGetRelid(rel);
	meta.attnum[0] = cbr_partition_attnum(registered, attnum, RelationGetRelid(rel));
	opt->ordinary = cbr_role_column(&meta, "ordinary_return", rel, NULL, 0, true);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the ordinary-return column of the %s check on table \"%s\" has no values",
						cbr_check_kind_names[kind], RelationGetRelationName(rel)),
				 errhint("Name the column again with cbreturn.set_ordinary_return_column().")));
	att = TupleDescAttr(RelationGetDescr(rel), opt->ordinary - 1);
	tc = lookup_type_cache(att->atttypid, TYPECACHE_EQ_OPR_FINFO);
	if (!OidIsValid(tc->eq_opr_finfo.fn_oid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("could not identify an equality operator for type %s",
						format_type_be(att->atttypid))));
	fmgr_info_copy(&opt->eq, &tc->eq_opr_finfo, cxt);
	opt->collation = att->attcollation;
	getTypeInputInfo(att->atttypid, &typinput, &ioparam);
	deconstruct_array(DatumGetArrayTypeP(arr), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	oldcxt = MemoryContextSwitchTo(cxt);
	opt->values = palloc(sizeof(Datum) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			continue;
		opt->values[opt->nvalues++] =
			datumCopy(OidInputFunctionCall(typinput, TextDatumGetCString(elems[i]), ioparam,
										   att->atttypmod),
					  att->attbyval, att->attlen);
	}
	MemoryContextSwitchTo(oldcxt);
}

/*
 * Read the options of the check of kind on rel into a CbrCheckOptions
 * allocated in cxt.  No row: the check is not attached (its trigger fails
 * on its own metadata first); refuse.
 */
static CbrCheckOptions *
cbr_options_load(Relation rel, CbrCheckKind kind, MemoryContext cxt)
{
	Oid			argtypes[2] = {OIDOID, TEXTOID};
	Datum		args[2];
	CbrCheckOptions *opt = MemoryContextAllocZero(cxt, sizeof(CbrCheckOptions));
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	Datum		d;
	int			ret;
	Oid			registered;

	/*
	 * The module of 0.3.0 over a 0.2.0 schema, before ALTER EXTENSION
	 * UPDATE: no options yet, every check refuses (as it did).  The update's
	 * ALTER TABLE invalidates what is built here.
	 */
	if (get_attnum(options_metadata[0], "on_violation") == InvalidAttrNumber)
		return opt;
	/* a partition: the options of the check of its ancestor (issue 12) */
	registered = cbr_check_registered(RelationGetRelid(rel), cbr_check_kind_names[kind]);
	if (!OidIsValid(registered))
		return opt;
	args[0] = ObjectIdGetDatum(registered);
	args[1] = CStringGetTextDatum(cbr_check_kind_names[kind]);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(
		"SELECT k.on_violation OPERATOR(pg_catalog.=) 'record', k.ordinary_values,"
		"       c.column_attnum, c.column_name::pg_catalog.text"
		"  FROM cbreturn.attached_check k"
		"  LEFT JOIN cbreturn.attached_column c"
		"    ON c.relation OPERATOR(pg_catalog.=) k.relation"
		"   AND c.check_kind OPERATOR(pg_catalog.=) k.check_kind"
		"   AND c.role OPERATOR(pg_catalog.=) 'ordinary_return'"
		" WHERE k.relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
		"   AND k.check_kind OPERATOR(pg_catalog.=) $2",
		2, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading cbreturn.attached_check failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
	{
		SPI_finish();
		return opt;
	}
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	opt->record = DatumGetBool(SPI_getbinval(tup, desc, 1, &isnull));
	d = SPI_getbinval(tup, desc, 3, &isnull);
	if (!isnull)
		cbr_options_load_ordinary(opt, rel, kind, registered, DatumGetInt16(d), tup, desc, cxt);
	SPI_finish();
	return opt;
}

/* The options of the check of kind on rel, built if they are not valid. */
const CbrCheckOptions *
cbr_check_options(Relation rel, CbrCheckKind kind)
{
	OptionsKey	key;
	OptionsEntry *e;
	bool		found;

	if (options_cache == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(OptionsKey);
		ctl.entrysize = sizeof(OptionsEntry);
		ctl.hcxt = CacheMemoryContext;
		options_cache = hash_create("cbreturn check options", 16, &ctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterRelcacheCallback(cbr_options_relcache_callback, (Datum) 0);
	}
	if (options_sweep_pending)
		cbr_options_sweep();
	memset(&key, 0, sizeof(key));
	key.relid = RelationGetRelid(rel);
	key.kind = kind;
	e = (OptionsEntry *) hash_search(options_cache, &key, HASH_ENTER, &found);
	if (!found)
	{
		memset(&e->cache, 0, sizeof(e->cache));
		e->opt = NULL;
	}
	if (!e->cache.valid)
	{
		CbrCacheBuild b = {0};
		CbrCheckOptions *opt;

		do
		{
			/* locking the metadata takes in the invalidations pending */
			options_metadata[0] = cbr_own_table("attached_check");
			options_metadata[1] = cbr_own_table("attached_column");
			LockRelationOid(options_metadata[0], AccessShareLock);
			LockRelationOid(options_metadata[1], AccessShareLock);
			cbr_cache_build_begin(&b, &e->cache, "cbreturn check options");
			cbr_cache_build_read(&b);
			opt = cbr_options_load(rel, kind, b.cxt);
		} while (!cbr_cache_build_end(&b));
		e->opt = opt;
	}
	return e->opt;
}
